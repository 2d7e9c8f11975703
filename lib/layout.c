/* Card layout. Everything is computed for a screen whose short side is
 * 1080 px and scaled, so a 720p panel and a portrait 4K panel show the same
 * card. Text is sanitized first, then wrapped greedily at spaces, hyphens and
 * soft hyphens, and only as a last resort between code points; the body size
 * is the largest of the theme's sizes at which every line fits its box. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Proportions in pixels at a short side of 1080 px. */
enum {
    LAYOUT_MARGIN = 56,
    LAYOUT_GAP = 40,
    LAYOUT_HEADER_H = 112,
    LAYOUT_HEADER_PX = 44,
    LAYOUT_RULE_H = 6,
    LAYOUT_META_PX = 40,
    LAYOUT_STRIPE_W = 14,
    LAYOUT_QR = 280,
    LAYOUT_QR_QUIET = 20, /* white border a scanner needs around the code */
    LAYOUT_IDLE_CLINIC_PX = 88,
    LAYOUT_IDLE_CLOCK_PX = 260,
    LAYOUT_IDLE_DATE_PX = 64,
};

#define LAYOUT_MEDIA_COLUMN_PERCENT 36   /* landscape: image/QR column of the content width */
#define LAYOUT_PORTRAIT_IMAGE_PERCENT 40 /* portrait: image at most this of the content height */
#define LAYOUT_TITLE_PERCENT 120         /* tip and notice titles, of the body size */
#define LAYOUT_NOTICE_PERCENT 125        /* notices are set larger than posts */
#define LAYOUT_MAX_BODY_PX 1000          /* theme sizes above this are ignored */
#define LAYOUT_QR_BACKGROUND 0xFFFFFFu
#define LAYOUT_ELLIPSIS "\xE2\x80\xA6"
#define LAYOUT_DOT " \xC2\xB7 "

void layout_theme_default(struct layout_theme *theme)
{
    /* Near-black on warm off-white: about 16:1, and muted grey still above
     * 7:1, which is what reading from 2-5 m across a waiting room needs. */
    static const int sizes[] = {96, 88, 80, 72, 64, 56, 48, 44, 40, 36};
    memset(theme, 0, sizeof *theme);
    theme->background = 0xF7F3EA;
    theme->text = 0x1C1B19;
    theme->muted = 0x4E4A44;
    theme->accent = 0x1F6F78;
    theme->header_background = 0x24323F;
    theme->header_text = 0xF7F3EA;
    theme->notice_background = 0x10324A;
    theme->notice_text = 0xFFFFFF;
    theme->nbody_sizes = (int)(sizeof sizes / sizeof sizes[0]);
    memcpy(theme->body_sizes, sizes, sizeof sizes);
    theme->line_height_percent = 125;
}

/* ---- display list ---- */

void layout_list_init(struct layout_list *list)
{
    memset(list, 0, sizeof *list);
    list->fits = true;
}

void layout_list_finish(struct layout_list *list)
{
    free(list->ops);
    free(list->text);
    layout_list_init(list);
}

/* Returns a buffer of at least need elements (p itself when it is big
 * enough), or NULL with p untouched. */
static void *layout_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return NULL;
        n *= 2;
    }
    void *q = realloc(p, n * size);
    if (q)
        *cap = n;
    return q;
}

static bool layout_list_push(struct layout_list *list, const struct layout_op *op)
{
    struct layout_op *ops = layout_grow(list->ops, &list->cap, list->nops + 1, sizeof *ops);
    if (!ops)
        return false;
    list->ops = ops;
    list->ops[list->nops++] = *op;
    return true;
}

static bool layout_list_text(struct layout_list *list, const char *s, size_t n, size_t *off)
{
    if (n > SIZE_MAX - list->text_len)
        return false;
    char *text = layout_grow(list->text, &list->text_cap, list->text_len + n, 1);
    if (!text)
        return false;
    list->text = text;
    memcpy(list->text + list->text_len, s, n);
    *off = list->text_len;
    list->text_len += n;
    return true;
}

/* ---- growable byte buffer ---- */

struct layout_buf {
    char *p;
    size_t len, cap;
};

static bool layout_buf_put(struct layout_buf *b, const char *s, size_t n)
{
    if (n > SIZE_MAX - b->len)
        return false;
    char *p = layout_grow(b->p, &b->cap, b->len + n, 1);
    if (!p)
        return false;
    b->p = p;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return true;
}

/* ---- per-call context ---- */

struct layout_ctx {
    const struct layout_input *in;
    const struct layout_theme *th;
    struct layout_list *list;
    double scale;           /* short side / 1080 */
    struct layout_buf line; /* scratch: one line as it will be drawn */
};

static int layout_px(const struct layout_ctx *c, int base)
{
    int v = (int)(base * c->scale + 0.5);
    return v < 1 ? 1 : v;
}

static int layout_lh(const struct layout_ctx *c, int px)
{
    /* Themes are configuration, not feed input, but a typo must not overflow. */
    int pct = c->th->line_height_percent;
    pct = pct < 80 || pct > 400 ? 125 : pct;
    int lh = px * pct / 100;
    return lh < 1 ? 1 : lh;
}

static int layout_measure(const struct layout_ctx *c, enum layout_font font, int px, const char *s,
                          size_t n)
{
    if (n == 0)
        return 0;
    int w = c->in->measure(c->in->ctx, font, px, s, n);
    return w < 0 ? 0 : w;
}

static bool layout_rect(struct layout_ctx *c, int x, int y, int w, int h, uint32_t color)
{
    struct layout_op op = {.kind = LAYOUT_OP_RECT, .x = x, .y = y, .w = w, .h = h, .color = color};
    return layout_list_push(c->list, &op);
}

/* Emits c->line as one TEXT op. */
static bool layout_text(struct layout_ctx *c, int x, int y, enum layout_font font, int px,
                        uint32_t color, int w)
{
    struct layout_op op = {.kind = LAYOUT_OP_TEXT,
                           .x = x,
                           .y = y,
                           .w = w,
                           .h = layout_lh(c, px),
                           .color = color,
                           .font = font,
                           .px = px};
    op.text_len = c->line.len;
    if (!layout_list_text(c->list, c->line.p, c->line.len, &op.text_off))
        return false;
    return layout_list_push(c->list, &op);
}

/* ---- line text ---- */

/* Sets b to s[0..len) as drawn: soft hyphens vanish, no-break spaces become
 * plain spaces (fonts need not have U+00A0), and "-" ends a hyphenated line. */
static bool layout_render(struct layout_buf *b, const char *s, size_t len, bool hyphen)
{
    b->len = 0;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && (unsigned char)s[run] != 0xC2)
            run++;
        if (!layout_buf_put(b, s + i, run - i))
            return false;
        i = run;
        if (i + 1 < len && (unsigned char)s[i + 1] == 0xAD) {
            i += 2;
        } else if (i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
            if (!layout_buf_put(b, " ", 1))
                return false;
            i += 2;
        } else if (i < len) {
            if (!layout_buf_put(b, s + i, 1))
                return false;
            i++;
        }
    }
    return !hyphen || layout_buf_put(b, "-", 1);
}

static uint32_t layout_cp_at(const char *s, size_t i, size_t end)
{
    uint32_t cp = 0;
    return text_utf8_next(s + i, end - i, &cp) ? cp : 0xFFFD;
}

static size_t layout_cp_len(const char *s, size_t i, size_t end)
{
    uint32_t cp;
    size_t n = text_utf8_next(s + i, end - i, &cp);
    return n ? n : 1;
}

static size_t layout_cp_prev(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[--i] & 0xC0) == 0x80)
        ;
    return i;
}

/* Whether text may be cut at byte k of s[0..end) without tearing a
 * character apart (k is on a code point boundary). */
static bool layout_can_cut(const char *s, size_t k, size_t end)
{
    if (k == 0 || k >= end)
        return true;
    if (text_is_extend(layout_cp_at(s, k, end)))
        return false;
    return layout_cp_at(s, layout_cp_prev(s, k), end) != 0x200D;
}

/* Sets c->line to s[0..len) as drawn (hyphen: ending in "-"); when that is
 * wider than maxw, or ellipsis is set, cuts it at a character boundary and
 * ends it with "…". *w receives the width, *cut whether text was lost. */
static bool layout_fit_line(struct layout_ctx *c, enum layout_font font, int px, const char *s,
                            size_t len, bool hyphen, bool ellipsis, int maxw, int *w, bool *cut)
{
    if (!layout_render(&c->line, s, len, hyphen))
        return false;
    *w = layout_measure(c, font, px, c->line.p, c->line.len);
    *cut = ellipsis || *w > maxw;
    if (!*cut)
        return true;
    size_t keep = len;
    for (;;) {
        while (keep > 0 && s[keep - 1] == ' ')
            keep--;
        if (!layout_render(&c->line, s, keep, false) ||
            !layout_buf_put(&c->line, LAYOUT_ELLIPSIS, sizeof LAYOUT_ELLIPSIS - 1))
            return false;
        *w = layout_measure(c, font, px, c->line.p, c->line.len);
        if (*w <= maxw || keep == 0)
            return true;
        do
            keep = layout_cp_prev(s, keep);
        while (!layout_can_cut(s, keep, len));
    }
}

/* ---- word wrap ---- */

struct layout_line {
    size_t off, len;
    bool hyphen; /* draw "-" after it */
};

struct layout_lines {
    struct layout_line *v;
    size_t n, cap;
};

static bool layout_lines_push(struct layout_lines *l, size_t off, size_t len, bool hyphen)
{
    struct layout_line *v = layout_grow(l->v, &l->cap, l->n + 1, sizeof *v);
    if (!v)
        return false;
    l->v = v;
    l->v[l->n++] = (struct layout_line){.off = off, .len = len, .hyphen = hyphen};
    return true;
}

struct layout_wrap {
    struct layout_ctx *c;
    const char *s;
    enum layout_font font;
    int px, maxw;
    size_t max_lines; /* stop here: enough to know the text does not fit */
    struct layout_lines *out;
    bool forced; /* some word had to be cut between characters */
};

static bool layout_wrap_fits(struct layout_wrap *w, size_t off, size_t len, bool hyphen, bool *fits)
{
    if (!layout_render(&w->c->line, w->s + off, len, hyphen))
        return false;
    *fits = layout_measure(w->c, w->font, w->px, w->c->line.p, w->c->line.len) <= w->maxw;
    return true;
}

static bool layout_is_hyphen(uint32_t cp)
{
    return cp == '-' || cp == 0x2010;
}

/* The word at pos is wider than the line and has no usable hyphen: cut it
 * between characters, as late as "-" still fits, and at least one character
 * in so that wrapping always advances. */
static bool layout_break_word(struct layout_wrap *w, size_t pos, size_t end, size_t *brk)
{
    size_t i = pos, first = 0, best = 0;
    while (i < end && w->s[i] != ' ') {
        i += layout_cp_len(w->s, i, end);
        if (!layout_can_cut(w->s, i, end))
            continue;
        if (!first)
            first = i;
        bool fits;
        if (!layout_wrap_fits(w, pos, i - pos, true, &fits))
            return false;
        if (!fits)
            break;
        best = i;
    }
    *brk = best ? best : first ? first : i;
    return true;
}

/* Lays out the one line that starts at pos; *next is where the next one starts. */
static bool layout_wrap_line(struct layout_wrap *w, size_t pos, size_t end, size_t *next)
{
    struct layout_line best = {0};
    size_t resume = pos;
    for (size_t i = pos; i < end;) {
        uint32_t cp = layout_cp_at(w->s, i, end);
        size_t nx = i + layout_cp_len(w->s, i, end);
        struct layout_line cand = {.off = pos, .len = i - pos};
        if (cp == ' ') {
            /* break before the space and drop it */
        } else if (nx == end) {
            cand.len = end - pos;
        } else if (cp == 0xAD && i > pos) {
            cand.hyphen = true;
        } else if (layout_is_hyphen(cp) && i > pos && w->s[nx] != ' ' && w->s[i - 1] != ' ') {
            cand.len = nx - pos;
        } else {
            i = nx;
            continue;
        }
        bool fits;
        if (!layout_wrap_fits(w, cand.off, cand.len, cand.hyphen, &fits))
            return false;
        if (!fits)
            break;
        best = cand;
        resume = nx;
        i = nx;
    }
    if (resume == pos) {
        size_t brk;
        if (!layout_break_word(w, pos, end, &brk))
            return false;
        best = (struct layout_line){.off = pos, .len = brk - pos, .hyphen = brk < end};
        resume = brk;
        w->forced = true;
    }
    *next = resume;
    return layout_lines_push(w->out, best.off, best.len, best.hyphen);
}

static bool layout_wrap_para(struct layout_wrap *w, size_t pos, size_t end)
{
    if (pos == end)
        return layout_lines_push(w->out, pos, 0, false); /* blank line */
    while (pos < end && w->out->n < w->max_lines) {
        if (!layout_wrap_line(w, pos, end, &pos))
            return false;
        while (pos < end && w->s[pos] == ' ')
            pos++;
    }
    return true;
}

static bool layout_wrap_text(struct layout_wrap *w)
{
    size_t len = strlen(w->s), pos = 0;
    w->out->n = 0;
    while (pos < len && w->out->n < w->max_lines) {
        const char *nl = memchr(w->s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - w->s) : len;
        if (!layout_wrap_para(w, pos, end))
            return false;
        pos = nl ? end + 1 : len;
    }
    return true;
}

/* ---- text flow: title and body in one box ---- */

#define LAYOUT_MAX_BLOCKS 2

struct layout_block {
    char *text; /* sanitized, owned */
    enum layout_font font;
    int percent; /* of the body size */
    uint32_t color;
    int px;
    struct layout_lines lines;
};

struct layout_flow {
    struct layout_block b[LAYOUT_MAX_BLOCKS];
    size_t n;
    int x, y, w, h;
    int size_percent; /* of the theme's body sizes */
};

static void layout_flow_finish(struct layout_flow *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->b[i].text);
        free(f->b[i].lines.v);
    }
    f->n = 0;
}

/* Takes ownership of text (which may be NULL: nothing is added). */
static void layout_flow_add(struct layout_flow *f, char *text, enum layout_font font, int percent,
                            uint32_t color)
{
    if (!text)
        return;
    f->b[f->n++] =
        (struct layout_block){.text = text, .font = font, .percent = percent, .color = color};
}

static int layout_flow_gap(int body_px)
{
    return body_px / 2;
}

static bool layout_flow_wrap(struct layout_ctx *c, struct layout_flow *f, int body_px, bool *fits,
                             bool *forced)
{
    int total = 0;
    *forced = false;
    for (size_t i = 0; i < f->n; i++) {
        struct layout_block *b = &f->b[i];
        b->px = body_px * b->percent / 100;
        b->px = b->px < 1 ? 1 : b->px;
        int lh = layout_lh(c, b->px);
        struct layout_wrap w = {.c = c,
                                .s = b->text,
                                .font = b->font,
                                .px = b->px,
                                .maxw = f->w,
                                .out = &b->lines,
                                .max_lines = (size_t)(f->h > 0 ? f->h : 0) / (size_t)lh + 1};
        if (!layout_wrap_text(&w))
            return false;
        *forced |= w.forced;
        total += (i ? layout_flow_gap(body_px) : 0) + (int)b->lines.n * lh;
    }
    *fits = total <= f->h;
    return true;
}

/* Draws the wrapped blocks top-down; when they overflow, the last line that
 * fits ends in "…" and list->fits becomes false. */
static bool layout_flow_emit(struct layout_ctx *c, struct layout_flow *f, int body_px)
{
    size_t visible[LAYOUT_MAX_BLOCKS] = {0}, shown = 0, all = 0;
    int y = f->y, bottom = f->y + f->h;
    for (size_t i = 0; i < f->n; i++) {
        all += f->b[i].lines.n;
        if (shown < all - f->b[i].lines.n)
            continue; /* an earlier block was cut */
        y += i ? layout_flow_gap(body_px) : 0;
        int lh = layout_lh(c, f->b[i].px);
        while (visible[i] < f->b[i].lines.n && y + lh <= bottom) {
            visible[i]++;
            y += lh;
        }
        shown += visible[i];
    }
    bool truncated = shown < all;
    if (truncated)
        c->list->fits = false;
    y = f->y;
    size_t drawn = 0;
    for (size_t i = 0; i < f->n; i++) {
        struct layout_block *b = &f->b[i];
        y += i ? layout_flow_gap(body_px) : 0;
        for (size_t j = 0; j < visible[i]; j++) {
            const struct layout_line *l = &b->lines.v[j];
            bool last = truncated && ++drawn == shown;
            int w;
            bool cut;
            if (!layout_fit_line(c, b->font, b->px, b->text + l->off, l->len, l->hyphen, last, f->w,
                                 &w, &cut))
                return false;
            /* A blank line between paragraphs takes room but draws nothing;
             * in a box too narrow for even "…" nothing is drawn either. */
            bool draw = c->line.len > 0 && w <= f->w;
            if (draw && !layout_text(c, f->x, y, b->font, b->px, b->color, w))
                return false;
            if (cut || w > f->w)
                c->list->fits = false;
            y += layout_lh(c, b->px);
        }
    }
    return true;
}

/* The theme's body sizes for this screen, largest first, without repeats. */
static int layout_body_sizes(const struct layout_ctx *c, int percent, int out[LAYOUT_MAX_SIZES])
{
    int n = 0, count = c->th->nbody_sizes;
    count = count < 0 ? 0 : count > LAYOUT_MAX_SIZES ? LAYOUT_MAX_SIZES : count;
    for (int i = 0; i < count; i++) {
        if (c->th->body_sizes[i] <= 0 || c->th->body_sizes[i] > LAYOUT_MAX_BODY_PX)
            continue;
        int px = layout_px(c, c->th->body_sizes[i] * percent / 100);
        if (n == 0 || px < out[n - 1])
            out[n++] = px;
    }
    if (n == 0)
        out[n++] = layout_px(c, 48 * percent / 100);
    return n;
}

/* Picks the largest size at which the text fits without cutting a word
 * between characters; failing that, the largest at which it fits at all
 * (a compound wider than the box at every size); failing that, the smallest,
 * truncated. */
static bool layout_flow_fit(struct layout_ctx *c, struct layout_flow *f)
{
    int sizes[LAYOUT_MAX_SIZES];
    int n = layout_body_sizes(c, f->size_percent, sizes);
    int pick = -1, cut_fit = -1, k;
    bool fits = true, forced = false;
    for (k = 0; k < n; k++) {
        if (!layout_flow_wrap(c, f, sizes[k], &fits, &forced))
            return false;
        if (fits && !forced) {
            pick = k;
            break;
        }
        if (fits && cut_fit < 0)
            cut_fit = k;
    }
    if (pick < 0) {
        pick = cut_fit >= 0 ? cut_fit : n - 1;
        if (pick != n - 1 && !layout_flow_wrap(c, f, sizes[pick], &fits, &forced))
            return false;
    }
    c->list->body_px = sizes[pick];
    return layout_flow_emit(c, f, sizes[pick]);
}

/* ---- strings ---- */

/* *out = sanitized s, or NULL when s is NULL or nothing drawable is left.
 * one_line folds paragraph breaks into spaces (names, sources). */
static bool layout_clean(const struct layout_ctx *c, const char *s, bool one_line, char **out)
{
    *out = NULL;
    if (!s)
        return true;
    char *t = text_sanitize(s, strlen(s), c->in->has_glyph, c->in->ctx);
    if (!t)
        return false;
    if (one_line) {
        size_t j = 0;
        for (size_t i = 0; t[i]; i++) {
            char ch = t[i] == '\n' ? ' ' : t[i];
            if (ch != ' ' || (j > 0 && t[j - 1] != ' '))
                t[j++] = ch;
        }
        t[j] = '\0';
    }
    if (!t[0]) {
        free(t);
        return true;
    }
    *out = t;
    return true;
}

static const char *const layout_weekdays[] = {"Montag",  "Dienstag", "Mittwoch", "Donnerstag",
                                              "Freitag", "Samstag",  "Sonntag"};
static const char *const layout_months[] = {"Januar",    "Februar", "M\xC3\xA4rz", "April",
                                            "Mai",       "Juni",    "Juli",        "August",
                                            "September", "Oktober", "November",    "Dezember"};

static bool layout_local_ok(const struct sgtime_local *t)
{
    return t->month >= 1 && t->month <= 12 && t->weekday >= 1 && t->weekday <= 7 && t->hour >= 0 &&
           t->hour <= 23 && t->minute >= 0 && t->minute <= 59;
}

/* "Montag, 23. November 2026", or short "Mo., 23.11.2026" for narrow
 * headers; "" when local time is not valid. */
static void layout_date(const struct sgtime_local *t, bool brief, char *out, size_t cap)
{
    out[0] = '\0';
    if (!layout_local_ok(t))
        return;
    const char *wd = layout_weekdays[t->weekday - 1];
    if (brief)
        snprintf(out, cap, "%.2s., %02d.%02d.%d", wd, t->day, t->month, t->year);
    else
        snprintf(out, cap, "%s, %d. %s %d", wd, t->day, layout_months[t->month - 1], t->year);
}

static void layout_clock(const struct sgtime_local *t, char *out, size_t cap)
{
    out[0] = '\0';
    if (layout_local_ok(t))
        snprintf(out, cap, "%02d:%02d", t->hour, t->minute);
}

static int64_t layout_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* German relative time of published as seen at in->now: "gerade eben",
 * "vor 5 Minuten", "vor 2 Stunden", "gestern", "vor 3 Tagen", or the date for
 * anything older than a month. Calendar days use the screen's current UTC
 * offset, close enough across a DST change. "" when there is no date. */
static void layout_relative(const struct layout_input *in, int64_t published, char *out, size_t cap)
{
    out[0] = '\0';
    if (published == 0)
        return;
    const struct sgtime_local *t = &in->local;
    int64_t offset = t->days * 86400 + t->hour * 3600 + t->minute * 60 + t->second - in->now;
    int64_t age = in->now - published;
    int64_t days = t->days - layout_floor_div(published + offset, 86400);
    if (age < 60) {
        snprintf(out, cap, "gerade eben");
    } else if (age < 3600) {
        int64_t m = age / 60;
        snprintf(out, cap, "vor %lld Minute%s", (long long)m, m == 1 ? "" : "n");
    } else if (days <= 0 || age < 6 * 3600) {
        int64_t h = age / 3600;
        snprintf(out, cap, "vor %lld Stunde%s", (long long)h, h == 1 ? "" : "n");
    } else if (days == 1) {
        snprintf(out, cap, "gestern");
    } else if (days <= 30) {
        snprintf(out, cap, "vor %lld Tagen", (long long)days);
    } else {
        int y, m, d;
        sgtime_civil_from_days(layout_floor_div(published + offset, 86400), &y, &m, &d);
        snprintf(out, cap, "am %d. %s %d", d, layout_months[m - 1], y);
    }
}

/* Emits s as one line at (x, y), cut with "…" to maxw. Sets *w to its width
 * (0 when nothing fits and nothing was drawn). */
static bool layout_line_at(struct layout_ctx *c, int x, int y, enum layout_font font, int px,
                           uint32_t color, const char *s, int maxw, int *w)
{
    bool cut;
    *w = 0;
    if (!s || !s[0] || maxw <= 0)
        return true;
    int lw;
    if (!layout_fit_line(c, font, px, s, strlen(s), false, false, maxw, &lw, &cut))
        return false;
    if (lw > maxw)
        return true; /* not even "…" fits */
    *w = lw;
    return layout_text(c, x, y, font, px, color, lw);
}

static int layout_width_of(const struct layout_ctx *c, enum layout_font font, int px, const char *s)
{
    return layout_measure(c, font, px, s, strlen(s));
}

/* ---- header ---- */

/* Clinic name left, clock and date right, on one row when they fit. A
 * portrait screen has height to spare but not width: the date moves to a
 * second row rather than crowd out the clinic's name. Landscape screens that
 * are too narrow fall back to a short date, then to none. */
struct layout_header_row {
    char clock[16], date[64];
    char *clinic;
    int px, lh, m, gap;
};

static bool layout_header_right(struct layout_ctx *c, struct layout_header_row *r, int y,
                                bool with_date, int *right)
{
    int w, tw = layout_width_of(c, LAYOUT_FONT_BOLD, r->px, r->clock);
    uint32_t color = c->th->header_text;
    if (r->clock[0] && tw <= *right - r->m) {
        *right -= tw;
        if (!layout_line_at(c, *right, y, LAYOUT_FONT_BOLD, r->px, color, r->clock, tw, &w))
            return false;
        *right -= r->gap;
    }
    if (!with_date)
        return true;
    int dw = layout_width_of(c, LAYOUT_FONT_REGULAR, r->px, r->date);
    if (*right - dw - r->m < c->in->width / 3) {
        layout_date(&c->in->local, true, r->date, sizeof r->date);
        dw = layout_width_of(c, LAYOUT_FONT_REGULAR, r->px, r->date);
    }
    if (!r->date[0] || *right - dw - r->m < c->in->width / 3)
        return true;
    *right -= dw;
    if (!layout_line_at(c, *right, y, LAYOUT_FONT_REGULAR, r->px, color, r->date, dw, &w))
        return false;
    *right -= r->gap;
    return true;
}

static bool layout_header_rows(struct layout_ctx *c, struct layout_header_row *r, int *bottom)
{
    const struct layout_input *in = c->in;
    int hh = layout_px(c, LAYOUT_HEADER_H), rule = layout_px(c, LAYOUT_RULE_H);
    int y = (hh - r->lh) / 2, w, right = in->width - r->m;
    int need = 2 * r->m + 2 * r->gap +
               layout_width_of(c, LAYOUT_FONT_BOLD, r->px, r->clinic ? r->clinic : "") +
               layout_width_of(c, LAYOUT_FONT_REGULAR, r->px, r->date) +
               layout_width_of(c, LAYOUT_FONT_BOLD, r->px, r->clock);
    bool two_rows = in->height > in->width && need > in->width && r->date[0];
    hh += two_rows ? r->lh : 0;
    *bottom = hh + rule;
    if (!layout_rect(c, 0, 0, in->width, hh, c->th->header_background) ||
        !layout_rect(c, 0, hh, in->width, rule, c->th->accent) ||
        !layout_header_right(c, r, y, !two_rows, &right))
        return false;
    if (two_rows && !layout_line_at(c, r->m, y + r->lh, LAYOUT_FONT_REGULAR, r->px,
                                    c->th->header_text, r->date, in->width - 2 * r->m, &w))
        return false;
    return layout_line_at(c, r->m, y, LAYOUT_FONT_BOLD, r->px, c->th->header_text, r->clinic,
                          right - r->m, &w);
}

static bool layout_header(struct layout_ctx *c, int *bottom)
{
    struct layout_header_row r = {.px = layout_px(c, LAYOUT_HEADER_PX),
                                  .m = layout_px(c, LAYOUT_MARGIN),
                                  .gap = layout_px(c, LAYOUT_GAP)};
    r.lh = layout_lh(c, r.px);
    layout_clock(&c->in->local, r.clock, sizeof r.clock);
    layout_date(&c->in->local, false, r.date, sizeof r.date);
    if (!layout_clean(c, c->in->clinic, true, &r.clinic))
        return false;
    bool ok = layout_header_rows(c, &r, bottom);
    free(r.clinic);
    return ok;
}

/* ---- cards ---- */

struct layout_box {
    int x, y, w, h;
};

/* The largest box of the image's aspect inside area, centred horizontally,
 * top-aligned; w = 0 when there is no room. */
static struct layout_box layout_fit_image(const struct layout_ctx *c, struct layout_box area)
{
    struct layout_box r = {0};
    int64_t iw = c->in->image_w, ih = c->in->image_h;
    if (area.w <= 0 || area.h <= 0 || iw <= 0 || ih <= 0)
        return r;
    int64_t w = area.w, h = ih * area.w / iw;
    if (h > area.h) {
        h = area.h;
        w = iw * area.h / ih;
    }
    if (w < 1 || h < 1)
        return r;
    r = (struct layout_box){area.x + (area.w - (int)w) / 2, area.y, (int)w, (int)h};
    return r;
}

static bool layout_image(struct layout_ctx *c, struct layout_box b)
{
    if (b.w <= 0)
        return true;
    struct layout_op op = {
        .kind = LAYOUT_OP_IMAGE, .x = b.x, .y = b.y, .w = b.w, .h = b.h, .media = 0};
    return layout_list_push(c->list, &op);
}

/* A white square with the code inside its quiet zone, whatever the theme. */
static bool layout_qr(struct layout_ctx *c, int x, int y, int size)
{
    int quiet = layout_px(c, LAYOUT_QR_QUIET);
    struct layout_op op = {.kind = LAYOUT_OP_QR,
                           .x = x + quiet,
                           .y = y + quiet,
                           .w = size - 2 * quiet,
                           .h = size - 2 * quiet};
    if (op.w <= 0)
        return true;
    return layout_rect(c, x, y, size, size, LAYOUT_QR_BACKGROUND) && layout_list_push(c->list, &op);
}

static bool layout_has_image(const struct layout_input *in)
{
    return in->image_w > 0 && in->image_h > 0 && in->item->nmedia > 0;
}

static bool layout_has_qr(const struct feed_item *it)
{
    return it->link && strncmp(it->link, "https://", 8) == 0 && it->link[8] != '\0';
}

/* Places image and QR code inside *area and shrinks it to the text box:
 * landscape puts both in a column on the right (image on top, code at the
 * bottom), portrait puts the image above the text and the code below it. */
static bool layout_media(struct layout_ctx *c, const struct feed_item *it, struct layout_box *area)
{
    bool image = layout_has_image(c->in), qr = layout_has_qr(it);
    int gap = layout_px(c, LAYOUT_GAP), q = layout_px(c, LAYOUT_QR + 2 * LAYOUT_QR_QUIET);
    if (!image && !qr)
        return true;
    if (c->in->width >= c->in->height) {
        int col = area->w * LAYOUT_MEDIA_COLUMN_PERCENT / 100;
        int cx = area->x + area->w - col, bottom = area->y + area->h;
        q = q < col ? q : col;
        if (qr) {
            bottom -= q;
            if (!layout_qr(c, cx + col - q, bottom, q))
                return false;
            bottom -= gap;
        }
        struct layout_box img = {cx, area->y, col, bottom - area->y};
        if (image && !layout_image(c, layout_fit_image(c, img)))
            return false;
        area->w -= col + gap;
        return true;
    }
    if (image) {
        struct layout_box img = {area->x, area->y, area->w,
                                 area->h * LAYOUT_PORTRAIT_IMAGE_PERCENT / 100};
        img = layout_fit_image(c, img);
        if (!layout_image(c, img))
            return false;
        if (img.w > 0) {
            area->y += img.h + gap;
            area->h -= img.h + gap;
        }
    }
    if (qr) {
        q = q < area->w ? q : area->w;
        area->h -= q + gap;
        if (!layout_qr(c, area->x, area->y + area->h + gap, q))
            return false;
    }
    return true;
}

/* Author in bold, then source and age in muted type, on one line. */
static bool layout_byline(struct layout_ctx *c, const struct feed_item *it, struct layout_box *area)
{
    char *author, *source;
    char age[64], rest[FEED_MAX_SHORT_LEN * 2 + 64];
    if (!layout_clean(c, it->author, true, &author))
        return false;
    if (!layout_clean(c, it->source, true, &source)) {
        free(author);
        return false;
    }
    layout_relative(c->in, it->published, age, sizeof age);
    snprintf(rest, sizeof rest, "%s%s%s%s", author && (source || age[0]) ? LAYOUT_DOT : "",
             source ? source : "", source && age[0] ? LAYOUT_DOT : "", age);
    int px = layout_px(c, LAYOUT_META_PX), w = 0, w2 = 0;
    bool ok = layout_line_at(c, area->x, area->y, LAYOUT_FONT_BOLD, px, c->th->text, author,
                             area->w, &w) &&
              layout_line_at(c, area->x + w, area->y, LAYOUT_FONT_REGULAR, px, c->th->muted, rest,
                             area->w - w, &w2);
    if (ok && (author || rest[0])) {
        int used = layout_lh(c, px) + layout_px(c, LAYOUT_GAP) / 2;
        area->y += used;
        area->h -= used;
    }
    free(author);
    free(source);
    return ok;
}

static bool layout_flow_text(struct layout_ctx *c, const struct feed_item *it,
                             struct layout_flow *f, int title_percent, uint32_t color)
{
    char *title, *body;
    if (!layout_clean(c, it->title, false, &title))
        return false;
    if (!layout_clean(c, it->body, false, &body)) {
        free(title);
        return false;
    }
    layout_flow_add(f, title, LAYOUT_FONT_BOLD, title_percent, color);
    layout_flow_add(f, body, LAYOUT_FONT_REGULAR, 100, color);
    return true;
}

static bool layout_article(struct layout_ctx *c, const struct feed_item *it, int top)
{
    int m = layout_px(c, LAYOUT_MARGIN), gap = layout_px(c, LAYOUT_GAP);
    struct layout_box area = {m, top + m, c->in->width - 2 * m, c->in->height - top - 2 * m};
    int title_percent = 100;
    if (it->kind == FEED_KIND_TIP) {
        int stripe = layout_px(c, LAYOUT_STRIPE_W);
        if (!layout_rect(c, area.x, area.y, stripe, area.h, c->th->accent))
            return false;
        area.x += stripe + gap;
        area.w -= stripe + gap;
        title_percent = LAYOUT_TITLE_PERCENT;
    } else if (!layout_byline(c, it, &area)) {
        return false;
    }
    if (!layout_media(c, it, &area))
        return false;
    struct layout_flow f = {
        .x = area.x, .y = area.y, .w = area.w, .h = area.h, .size_percent = 100};
    bool ok = layout_flow_text(c, it, &f, title_percent, c->th->text) && layout_flow_fit(c, &f);
    layout_flow_finish(&f);
    return ok;
}

static bool layout_notice(struct layout_ctx *c, const struct feed_item *it, int top)
{
    int m = layout_px(c, LAYOUT_MARGIN);
    if (!layout_rect(c, 0, top, c->in->width, c->in->height - top, c->th->notice_background))
        return false;
    struct layout_flow f = {.x = m,
                            .y = top + m,
                            .w = c->in->width - 2 * m,
                            .h = c->in->height - top - 2 * m,
                            .size_percent = LAYOUT_NOTICE_PERCENT};
    bool ok = layout_flow_text(c, it, &f, LAYOUT_TITLE_PERCENT, c->th->notice_text) &&
              layout_flow_fit(c, &f);
    layout_flow_finish(&f);
    return ok;
}

/* Clinic name, a big clock and the date, centred in the space under the header. */
static bool layout_idle(struct layout_ctx *c, int top)
{
    const struct layout_input *in = c->in;
    int m = layout_px(c, LAYOUT_MARGIN), gap = layout_px(c, LAYOUT_GAP) / 2;
    int cpx = layout_px(c, LAYOUT_IDLE_CLINIC_PX), kpx = layout_px(c, LAYOUT_IDLE_CLOCK_PX);
    int dpx = layout_px(c, LAYOUT_IDLE_DATE_PX), maxw = in->width - 2 * m;
    char *clinic, clock[16], date[64];
    layout_clock(&in->local, clock, sizeof clock);
    layout_date(&in->local, false, date, sizeof date);
    if (!layout_clean(c, in->clinic, true, &clinic))
        return false;
    int h = (clinic ? layout_lh(c, cpx) + gap : 0) + layout_lh(c, kpx) + gap + layout_lh(c, dpx);
    int y = top + (in->height - top - h) / 2;
    struct {
        const char *s;
        enum layout_font font;
        int px;
        uint32_t color;
    } rows[] = {{clinic, LAYOUT_FONT_BOLD, cpx, c->th->text},
                {clock, LAYOUT_FONT_BOLD, kpx, c->th->text},
                {date, LAYOUT_FONT_REGULAR, dpx, c->th->muted}};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof rows / sizeof rows[0]; i++) {
        if (!rows[i].s)
            continue;
        int w = layout_width_of(c, rows[i].font, rows[i].px, rows[i].s);
        int x = w < maxw ? (in->width - w) / 2 : m;
        ok = layout_line_at(c, x, y, rows[i].font, rows[i].px, rows[i].color, rows[i].s, maxw, &w);
        y += layout_lh(c, rows[i].px) + gap;
    }
    free(clinic);
    return ok;
}

static bool layout_card_ops(struct layout_ctx *c)
{
    const struct layout_input *in = c->in;
    int top;
    if (!layout_rect(c, 0, 0, in->width, in->height, c->th->background) || !layout_header(c, &top))
        return false;
    if (!in->item)
        return layout_idle(c, top);
    if (in->item->kind == FEED_KIND_NOTICE)
        return layout_notice(c, in->item, top);
    return layout_article(c, in->item, top);
}

bool layout_card(const struct layout_input *in, struct layout_list *list)
{
    struct layout_theme fallback;
    layout_theme_default(&fallback); /* cheap; used when the caller passes no theme */
    int side = in->width < in->height ? in->width : in->height;
    struct layout_ctx c = {
        .in = in, .th = in->theme ? in->theme : &fallback, .list = list, .scale = side / 1080.0};
    list->nops = 0;
    list->text_len = 0;
    list->fits = true;
    list->body_px = 0;
    if (in->width <= 0 || in->height <= 0)
        return true;
    bool ok = layout_card_ops(&c);
    free(c.line.p);
    if (!ok) {
        /* Never a half card: the caller keeps showing what it had. */
        list->nops = 0;
        list->text_len = 0;
        list->fits = false;
    }
    return ok;
}

/* ---- dump ---- */

static void layout_dump_text(const char *s, size_t n, FILE *out)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch < 0x20 || ch == 0x7F)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

void layout_list_dump(const struct layout_list *list, FILE *out)
{
    static const char *const kinds[] = {"rect", "text", "image", "qr"};
    fprintf(out, "layout fits=%s body_px=%d ops=%zu\n", list->fits ? "yes" : "no", list->body_px,
            list->nops);
    for (size_t i = 0; i < list->nops; i++) {
        const struct layout_op *op = &list->ops[i];
        fprintf(out, "%s x=%d y=%d w=%d h=%d", kinds[op->kind], op->x, op->y, op->w, op->h);
        switch (op->kind) {
        case LAYOUT_OP_RECT:
            fprintf(out, " color=#%06x", (unsigned)op->color);
            break;
        case LAYOUT_OP_TEXT:
            fprintf(out, " color=#%06x font=%s px=%d ", (unsigned)op->color,
                    op->font == LAYOUT_FONT_BOLD ? "bold" : "regular", op->px);
            layout_dump_text(list->text + op->text_off, op->text_len, out);
            break;
        case LAYOUT_OP_IMAGE:
            fprintf(out, " media=%d", op->media);
            break;
        case LAYOUT_OP_QR:
            break;
        }
        fputc('\n', out);
    }
}
