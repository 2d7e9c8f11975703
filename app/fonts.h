/* Fonts for drawing cards: a primary family (regular, bold) and one fallback
 * font for emoji and symbols, opened from Debian font packages.
 *
 * A code point is drawn by the first font that provides it (bold text tries
 * bold, then regular, then the fallback; regular text tries regular, then the
 * fallback). A code point no font provides is skipped: never a tofu box.
 *
 * fonts_measure and fonts_has_glyph match layout_measure_fn and
 * layout_glyph_fn; pass the struct fonts as their ctx.
 *
 * Not thread-safe: one thread (the one that owns SDL) uses a struct fonts. */
#ifndef SIGNET_FONTS_H
#define SIGNET_FONTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL_ttf.h>

#include "layout.h"
#include "sg_err.h"

enum fonts_role { FONTS_REGULAR, FONTS_BOLD, FONTS_FALLBACK, FONTS_ROLE_COUNT };

/* fonts-dejavu-core and fonts-symbola. */
#define FONTS_DEFAULT_REGULAR "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONTS_DEFAULT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define FONTS_DEFAULT_FALLBACK "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"

/* Open TTF_Font objects per (role, size), least recently used evicted: each
 * holds FreeType state and a glyph cache, and layout probes many sizes. */
#define FONTS_CACHE_MAX 32
/* Sizes outside 1..FONTS_MAX_PX are refused (a broken theme, not a font). */
#define FONTS_MAX_PX 1024

struct fonts_opts {
    /* NULL: the default path of that role. */
    const char *path[FONTS_ROLE_COUNT];
};

struct fonts;

/* Opens every font once (so a missing package fails here, not mid-card).
 * opts may be NULL. Calls TTF_Init; fonts_free balances it. */
struct fonts *fonts_new(const struct fonts_opts *opts, struct sg_err *err) SG_MUST_USE;
void fonts_free(struct fonts *f);

/* The role that draws cp in text set in font, or -1 when no font has it. */
int fonts_pick(struct fonts *f, enum layout_font font, uint32_t cp);

/* Called once per run of text that one font draws. run is NUL-terminated
 * (len bytes), holds only drawable code points and stays valid only during
 * the call; x is the run's offset from the start of the text. ttf is owned
 * by the cache: do not keep it past the call. Return false to stop. */
typedef bool (*fonts_run_fn)(void *ctx, TTF_Font *ttf, enum fonts_role role, int x, const char *run,
                             size_t len);

/* Splits utf8[0..len) into runs per font (invalid UTF-8 and code points no
 * font provides are dropped) and calls fn for each. On success *width (may be
 * NULL) is the total advance. False on a font or allocation error, or when fn
 * returned false (then err is left to fn). */
bool fonts_runs(struct fonts *f, enum layout_font font, int px, const char *utf8, size_t len,
                fonts_run_fn fn, void *ctx, int *width, struct sg_err *err) SG_MUST_USE;

/* layout_measure_fn: ctx is a struct fonts. A failure returns the width
 * measured so far and is kept; fonts_take_error reports it. */
int fonts_measure(void *ctx, enum layout_font font, int px, const char *utf8, size_t len);
/* layout_glyph_fn: ctx is a struct fonts. True if any font provides cp. */
bool fonts_has_glyph(void *ctx, uint32_t cp);

/* Moves the first error the callbacks saw into err (if any) and clears it.
 * Returns true when there was one. */
bool fonts_take_error(struct fonts *f, struct sg_err *err);

/* Line metrics of font at px, from the primary font: the renderer puts text
 * of every run on the primary font's baseline. */
bool fonts_metrics(struct fonts *f, enum layout_font font, int px, int *ascent, int *height,
                   struct sg_err *err) SG_MUST_USE;

#endif
