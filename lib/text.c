#include "text.h"

#include <stdlib.h>
#include <string.h>

size_t text_utf8_next(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    uint32_t c, min;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        n = 2, c = u[0] & 0x1Fu, min = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        n = 3, c = u[0] & 0x0Fu, min = 0x800;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        n = 4, c = u[0] & 0x07u, min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or beyond U+10FFFF */
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

bool text_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = text_utf8_next(s + i, len - i, &cp);
        if (n == 0 || cp == 0)
            return false;
        i += n;
    }
    return true;
}

bool text_is_extend(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200D ||
           (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F) ||
           (cp >= 0xE0100 && cp <= 0xE01EF);
}

enum text_class {
    TEXT_DROP,  /* never drawn, removed */
    TEXT_SPACE, /* breaking white space: collapses to one ' ' */
    TEXT_BREAK, /* paragraph break: becomes '\n' */
    TEXT_NBSP,  /* no-break space: kept as U+00A0 for the wrapper */
    TEXT_HINT,  /* soft hyphen: kept regardless of fonts, the wrapper never draws it */
    TEXT_KEEP,  /* drawn if some font has it */
};

static bool text_is_bidi_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static bool text_is_invisible_format(uint32_t cp)
{
    /* Word joiner and deprecated format controls, BOM/ZWNBSP, interlinear
     * annotation controls and noncharacters: no place on a screen. */
    return (cp >= 0x2060 && cp <= 0x2065) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
           (cp & 0xFFFE) == 0xFFFE;
}

static enum text_class text_classify(uint32_t cp)
{
    if (cp == '\n' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        return TEXT_BREAK;
    if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F)
        return TEXT_NBSP;
    if (cp == ' ' || cp == '\t' || cp == 0x0B || cp == 0x0C || cp == 0x1680 ||
        (cp >= 0x2000 && cp <= 0x200A) || cp == 0x205F || cp == 0x3000)
        return TEXT_SPACE;
    if (cp == 0xAD)
        return TEXT_HINT;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return TEXT_DROP;
    if (text_is_bidi_control(cp) || text_is_invisible_format(cp))
        return TEXT_DROP;
    return TEXT_KEEP;
}

/* Output state: white space is held back until the next visible character so
 * that runs collapse and nothing trails. */
struct text_out {
    char *p;
    size_t n;
    bool space;   /* a ' ' is pending */
    int newlines; /* '\n's pending, at most 2: one blank line between paragraphs */
    bool orphan;  /* the last character was dropped: drop what attaches to it */
};

static void text_out_put(struct text_out *o, const char *s, size_t n)
{
    if (o->newlines > 0) {
        for (int i = 0; i < o->newlines; i++)
            o->p[o->n++] = '\n';
    } else if (o->space) {
        o->p[o->n++] = ' ';
    }
    o->newlines = 0;
    o->space = false;
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

char *text_sanitize(const char *s, size_t len, text_glyph_fn has_glyph, void *ctx)
{
    /* Every replacement is no longer than what it replaces (a pending space or
     * newline stands for at least one input byte), so len + 1 bytes suffice. */
    if (len == SIZE_MAX)
        return NULL;
    struct text_out o = {.p = malloc(len + 1)};
    if (!o.p)
        return NULL;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = text_utf8_next(s + i, len - i, &cp);
        if (n == 0) {
            i++; /* invalid byte: drop it alone, resync on the next */
            continue;
        }
        enum text_class cls = text_classify(cp);
        if (o.orphan && cls == TEXT_KEEP && text_is_extend(cp)) {
            i += n;
            continue;
        }
        o.orphan = false;
        switch (cls) {
        case TEXT_DROP:
            break;
        case TEXT_SPACE:
            o.space = o.n > 0 && o.newlines == 0;
            break;
        case TEXT_BREAK:
            if (o.n > 0 && o.newlines < 2)
                o.newlines++;
            o.space = false;
            break;
        case TEXT_NBSP:
            text_out_put(&o, "\xC2\xA0", 2);
            break;
        case TEXT_HINT:
            text_out_put(&o, s + i, n);
            break;
        case TEXT_KEEP:
            if (!has_glyph || has_glyph(ctx, cp))
                text_out_put(&o, s + i, n);
            else
                o.orphan = true;
            break;
        }
        i += n;
    }
    o.p[o.n] = '\0';
    return o.p;
}
