/* Card layout: a pure function from (item, theme, screen size, font metrics)
 * to a display list. No SDL here: text is measured through a callback, so the
 * same code runs in the kiosk, in tests with fake metrics, and on a server
 * rendering previews.
 *
 * Coordinates are screen pixels of the (already rotated) logical screen,
 * origin top-left. Colours are 0xRRGGBB. */
#ifndef SIGNET_LAYOUT_H
#define SIGNET_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "feed.h"
#include "sgtime.h"

enum layout_font { LAYOUT_FONT_REGULAR, LAYOUT_FONT_BOLD, LAYOUT_FONT_COUNT };

/* Width in pixels of utf8[0..len) set in font at size px. Must accept any
 * text that text_sanitize() lets through. */
typedef int (*layout_measure_fn)(void *ctx, enum layout_font font, int px, const char *utf8,
                                 size_t len);
/* Whether some font can draw code point cp (else it is dropped, never tofu). */
typedef bool (*layout_glyph_fn)(void *ctx, uint32_t cp);

#define LAYOUT_MAX_SIZES 12

struct layout_theme {
    uint32_t background;
    uint32_t text;
    uint32_t muted;  /* author, source, time */
    uint32_t accent; /* tip stripe, header rule */
    uint32_t header_background;
    uint32_t header_text;
    uint32_t notice_background;
    uint32_t notice_text;
    /* Body font sizes to try, largest first, in pixels for a screen whose
     * short side is 1080 px; scaled linearly for other screens. */
    int body_sizes[LAYOUT_MAX_SIZES];
    int nbody_sizes;
    /* Line height as a percentage of the font size. */
    int line_height_percent;
};

void layout_theme_default(struct layout_theme *theme);

struct layout_input {
    const struct feed_item *item; /* NULL: the idle card */
    const char *clinic;           /* header; may be NULL */
    int64_t now;                  /* for the header clock and relative times */
    struct sgtime_local local;    /* now in the screen's time zone */
    int width, height;
    const struct layout_theme *theme;
    layout_measure_fn measure;
    layout_glyph_fn has_glyph; /* may be NULL: every code point drawable */
    void *ctx;                 /* passed to measure and has_glyph */
    /* Natural size of the item's first image, or 0 x 0 when there is none
     * (or it is not verified and loaded): then no image box is laid out. */
    int image_w, image_h;
};

enum layout_op_kind {
    LAYOUT_OP_RECT,  /* filled rectangle */
    LAYOUT_OP_TEXT,  /* one line of text; (x, y) is the top-left of its line box */
    LAYOUT_OP_IMAGE, /* the item's media[media] scaled to fit inside the box, centred */
    LAYOUT_OP_QR,    /* a QR code of the item's link, filling the square box */
};

struct layout_op {
    enum layout_op_kind kind;
    int x, y, w, h;
    uint32_t color;
    enum layout_font font; /* TEXT */
    int px;                /* TEXT */
    size_t text_off;       /* TEXT: into layout_list.text */
    size_t text_len;
    int media; /* IMAGE */
};

/* A display list. Owns its memory: init, use, finish. */
struct layout_list {
    struct layout_op *ops;
    size_t nops, cap;
    char *text; /* all text of TEXT ops, concatenated, not NUL-separated */
    size_t text_len, text_cap;
    bool fits;   /* false: even the smallest size overflowed and text was cut with "…" */
    int body_px; /* the body size chosen */
};

void layout_list_init(struct layout_list *list);
void layout_list_finish(struct layout_list *list);

/* Lays out one card (header included) into list, replacing its contents.
 * Returns false only on allocation failure; list is then left empty, never
 * half a card. in->measure must not be NULL; in->theme NULL means the
 * default theme. Item strings are passed through text_sanitize() with
 * in->has_glyph first, so TEXT ops never carry controls, bidi overrides,
 * soft hyphens, no-break spaces or code points has_glyph rejects.
 * list->body_px is 0 on the idle card. */
bool layout_card(const struct layout_input *in, struct layout_list *list)
    __attribute__((warn_unused_result));

/* Writes a stable, line-per-op text form of list, for golden tests:
 *   layout fits=yes|no body_px=N ops=N
 *   rect x=N y=N w=N h=N color=#rrggbb
 *   text x=N y=N w=N h=N color=#rrggbb font=regular|bold px=N "text"
 *   image x=N y=N w=N h=N media=N
 *   qr x=N y=N w=N h=N
 * In "text", '"' and '\\' are escaped with '\\', '\n' as \n, other control
 * bytes as \xHH; UTF-8 is written as is. */
void layout_list_dump(const struct layout_list *list, FILE *out);

#endif
