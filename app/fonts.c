#include "fonts.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Glyph coverage does not depend on size, so one font per role opened at
 * this size answers "is cp provided" without touching the sized cache. */
#define FONTS_PROBE_PX 16

struct fonts_entry {
    TTF_Font *ttf;
    enum fonts_role role;
    int px;
    uint64_t used; /* tick of the last use, for LRU eviction */
};

struct fonts {
    char *path[FONTS_ROLE_COUNT];
    TTF_Font *probe[FONTS_ROLE_COUNT];
    struct fonts_entry cache[FONTS_CACHE_MAX];
    size_t ncache;
    uint64_t tick;
    char *scratch; /* one run at a time, NUL-terminated */
    size_t scratch_cap;
    struct sg_err cb_err; /* first error seen inside the layout callbacks */
    bool ttf_init;
};

static const char *const fonts_default_path[FONTS_ROLE_COUNT] = {
    [FONTS_REGULAR] = FONTS_DEFAULT_REGULAR,
    [FONTS_BOLD] = FONTS_DEFAULT_BOLD,
    [FONTS_FALLBACK] = FONTS_DEFAULT_FALLBACK,
};

static const char *const fonts_role_name[FONTS_ROLE_COUNT] = {
    [FONTS_REGULAR] = "regular",
    [FONTS_BOLD] = "bold",
    [FONTS_FALLBACK] = "fallback",
};

static TTF_Font *fonts_open(const char *path, enum fonts_role role, int px, struct sg_err *err)
{
    TTF_Font *ttf = TTF_OpenFont(path, px);
    if (!ttf)
        sg_err_set(err, "fonts: cannot open %s font %s at %d px: %s", fonts_role_name[role], path,
                   px, TTF_GetError());
    return ttf;
}

struct fonts *fonts_new(const struct fonts_opts *opts, struct sg_err *err)
{
    struct fonts *f = calloc(1, sizeof *f);
    if (!f) {
        sg_err_set(err, "fonts: out of memory");
        return NULL;
    }
    if (TTF_Init() != 0) {
        sg_err_set(err, "fonts: TTF_Init: %s", TTF_GetError());
        goto fail;
    }
    f->ttf_init = true;
    for (int role = 0; role < FONTS_ROLE_COUNT; role++) {
        const char *p = opts && opts->path[role] ? opts->path[role] : fonts_default_path[role];
        f->path[role] = strdup(p);
        if (!f->path[role]) {
            sg_err_set(err, "fonts: out of memory");
            goto fail;
        }
        f->probe[role] = fonts_open(p, (enum fonts_role)role, FONTS_PROBE_PX, err);
        if (!f->probe[role])
            goto fail;
    }
    return f;
fail:
    fonts_free(f);
    return NULL;
}

void fonts_free(struct fonts *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ncache; i++)
        TTF_CloseFont(f->cache[i].ttf);
    for (int role = 0; role < FONTS_ROLE_COUNT; role++) {
        if (f->probe[role])
            TTF_CloseFont(f->probe[role]);
        free(f->path[role]);
    }
    free(f->scratch);
    if (f->ttf_init)
        TTF_Quit();
    free(f);
}

/* The sized font of role. The pointer stays valid until the next call that
 * may open a font (which may evict it). */
static TTF_Font *fonts_get(struct fonts *f, enum fonts_role role, int px, struct sg_err *err)
{
    if (px < 1 || px > FONTS_MAX_PX) {
        sg_err_set(err, "fonts: size %d px outside 1..%d", px, FONTS_MAX_PX);
        return NULL;
    }
    f->tick++;
    for (size_t i = 0; i < f->ncache; i++) {
        if (f->cache[i].role == role && f->cache[i].px == px) {
            f->cache[i].used = f->tick;
            return f->cache[i].ttf;
        }
    }
    TTF_Font *ttf = fonts_open(f->path[role], role, px, err);
    if (!ttf)
        return NULL;
    size_t slot = f->ncache;
    if (slot == FONTS_CACHE_MAX) {
        slot = 0;
        for (size_t i = 1; i < f->ncache; i++)
            if (f->cache[i].used < f->cache[slot].used)
                slot = i;
        TTF_CloseFont(f->cache[slot].ttf);
    } else {
        f->ncache++;
    }
    f->cache[slot] = (struct fonts_entry){.ttf = ttf, .role = role, .px = px, .used = f->tick};
    return ttf;
}

/* Invisible format characters and emoji modifiers. Fonts map some of them
 * (Symbola draws variation selectors and skin tones as visible swatches),
 * and none can be shaped here without a text shaper, so they are treated as
 * having no glyph: "\u2764\uFE0F" draws the heart alone, a ZWJ family its
 * members side by side. */
static bool fonts_invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) ||   /* ZWSP, ZWNJ, ZWJ, LRM, RLM */
           (cp >= 0x2060 && cp <= 0x206F) ||   /* word joiner, invisible operators */
           cp == 0xFEFF ||                     /* BOM, zero-width no-break space */
           (cp >= 0xFE00 && cp <= 0xFE0F) ||   /* variation selectors */
           (cp >= 0xE0000 && cp <= 0xE0FFF) || /* tags, variation selectors supplement */
           (cp >= 0x1F3FB && cp <= 0x1F3FF);   /* emoji skin tone modifiers */
}

int fonts_pick(struct fonts *f, enum layout_font font, uint32_t cp)
{
    if (fonts_invisible(cp))
        return -1;
    if (font == LAYOUT_FONT_BOLD && TTF_GlyphIsProvided32(f->probe[FONTS_BOLD], cp))
        return FONTS_BOLD;
    if (TTF_GlyphIsProvided32(f->probe[FONTS_REGULAR], cp))
        return FONTS_REGULAR;
    if (TTF_GlyphIsProvided32(f->probe[FONTS_FALLBACK], cp))
        return FONTS_FALLBACK;
    return -1;
}

bool fonts_has_glyph(void *ctx, uint32_t cp)
{
    return fonts_pick(ctx, LAYOUT_FONT_BOLD, cp) >= 0;
}

static bool fonts_flush(struct fonts *f, enum fonts_role role, int px, size_t n, fonts_run_fn fn,
                        void *ctx, int *x, struct sg_err *err)
{
    if (n == 0)
        return true;
    f->scratch[n] = '\0';
    TTF_Font *ttf = fonts_get(f, role, px, err);
    if (!ttf)
        return false;
    int w = 0, h = 0;
    if (TTF_SizeUTF8(ttf, f->scratch, &w, &h) != 0) {
        sg_err_set(err, "fonts: TTF_SizeUTF8: %s", TTF_GetError());
        return false;
    }
    if (fn && !fn(ctx, ttf, role, *x, f->scratch, n))
        return false;
    *x += w;
    return true;
}

bool fonts_runs(struct fonts *f, enum layout_font font, int px, const char *utf8, size_t len,
                fonts_run_fn fn, void *ctx, int *width, struct sg_err *err)
{
    if (width)
        *width = 0;
    if (len >= f->scratch_cap) {
        size_t cap = len + 1 > 256 ? len + 1 : 256;
        char *s = realloc(f->scratch, cap);
        if (!s) {
            sg_err_set(err, "fonts: out of memory");
            return false;
        }
        f->scratch = s;
        f->scratch_cap = cap;
    }
    int x = 0;
    size_t n = 0; /* bytes of the current run in scratch */
    int role = -1;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = text_utf8_next(utf8 + i, len - i, &cp);
        if (k == 0) {
            i++; /* invalid byte: dropped */
            continue;
        }
        int r = fonts_pick(f, font, cp);
        if (r >= 0) {
            if (r != role) {
                if (role >= 0 && !fonts_flush(f, role, px, n, fn, ctx, &x, err))
                    goto fail;
                n = 0;
                role = r;
            }
            memcpy(f->scratch + n, utf8 + i, k);
            n += k;
        }
        i += k;
    }
    if (role >= 0 && !fonts_flush(f, role, px, n, fn, ctx, &x, err))
        goto fail;
    if (width)
        *width = x;
    return true;
fail:
    if (width)
        *width = x; /* what was measured before the failure */
    return false;
}

int fonts_measure(void *ctx, enum layout_font font, int px, const char *utf8, size_t len)
{
    struct fonts *f = ctx;
    int w = 0;
    /* The callback signature has no room for an error: a failure stays in
     * cb_err for fonts_take_error, and the width measured so far is returned. */
    if (!fonts_runs(f, font, px, utf8, len, NULL, NULL, &w, &f->cb_err))
        return w;
    return w;
}

bool fonts_take_error(struct fonts *f, struct sg_err *err)
{
    if (!f->cb_err.set)
        return false;
    sg_err_set(err, "%s", f->cb_err.msg);
    sg_err_clear(&f->cb_err);
    return true;
}

bool fonts_metrics(struct fonts *f, enum layout_font font, int px, int *ascent, int *height,
                   struct sg_err *err)
{
    TTF_Font *ttf = fonts_get(f, font == LAYOUT_FONT_BOLD ? FONTS_BOLD : FONTS_REGULAR, px, err);
    if (!ttf)
        return false;
    *ascent = TTF_FontAscent(ttf);
    *height = TTF_FontHeight(ttf);
    return true;
}
