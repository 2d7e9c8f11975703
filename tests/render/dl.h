/* Hand-built display lists for render tests: lib/layout.c is written
 * elsewhere, so these helpers own the list's memory themselves (dl_init /
 * dl_finish, not layout_list_init / finish). Allocation failure aborts: a
 * test cannot go on without its input. */
#ifndef SIGNET_TEST_DL_H
#define SIGNET_TEST_DL_H

#include <stdlib.h>
#include <string.h>

#include "layout.h"

static inline void dl_init(struct layout_list *l)
{
    memset(l, 0, sizeof *l);
}

static inline void dl_finish(struct layout_list *l)
{
    free(l->ops);
    free(l->text);
    memset(l, 0, sizeof *l);
}

static inline struct layout_op *dl_op(struct layout_list *l, enum layout_op_kind kind, int x, int y,
                                      int w, int h)
{
    if (l->nops == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct layout_op *ops = realloc(l->ops, cap * sizeof *ops);
        if (!ops)
            abort();
        l->ops = ops;
        l->cap = cap;
    }
    struct layout_op *op = &l->ops[l->nops++];
    *op = (struct layout_op){.kind = kind, .x = x, .y = y, .w = w, .h = h};
    return op;
}

static inline void dl_rect(struct layout_list *l, int x, int y, int w, int h, uint32_t color)
{
    dl_op(l, LAYOUT_OP_RECT, x, y, w, h)->color = color;
}

static inline void dl_text(struct layout_list *l, int x, int y, int w, int h, enum layout_font font,
                           int px, uint32_t color, const char *s)
{
    size_t n = strlen(s);
    if (l->text_len + n > l->text_cap) {
        size_t cap = 2 * (l->text_len + n) + 64;
        char *t = realloc(l->text, cap);
        if (!t)
            abort();
        l->text = t;
        l->text_cap = cap;
    }
    memcpy(l->text + l->text_len, s, n);
    struct layout_op *op = dl_op(l, LAYOUT_OP_TEXT, x, y, w, h);
    op->color = color;
    op->font = font;
    op->px = px;
    op->text_off = l->text_len;
    op->text_len = n;
    l->text_len += n;
}

static inline void dl_image(struct layout_list *l, int x, int y, int w, int h, int media)
{
    dl_op(l, LAYOUT_OP_IMAGE, x, y, w, h)->media = media;
}

static inline void dl_qr(struct layout_list *l, int x, int y, int w, int h)
{
    dl_op(l, LAYOUT_OP_QR, x, y, w, h);
}

#endif
