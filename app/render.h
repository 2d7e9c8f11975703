/* Drawing cards on a screen: the SDL edge of the kiosk.
 *
 * A card is a layout display list turned once into a texture of the logical
 * screen size (struct render_card). Presenting draws one or two cached card
 * textures (a crossfade) onto the output, rotated when the panel is mounted
 * sideways or upside down. Nothing else is drawn per frame, and a present
 * that would show the same frame as the last one does nothing, so an idle
 * kiosk costs no GPU or CPU time.
 *
 * Backends sit behind a small table (render.c): a window with an SDL_Renderer
 * (accelerated if the driver has one, else software) and a headless one that
 * draws with SDL's software renderer into a surface, for tests, previews and
 * boards without a display. Use from the thread that owns SDL only. */
#ifndef SIGNET_RENDER_H
#define SIGNET_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "fonts.h"
#include "layout.h"
#include "sg_err.h"

/* Output sizes outside 1..RENDER_MAX_SIDE are refused (a typo in a config
 * file must not allocate gigabytes of texture). */
#define RENDER_MAX_SIDE 8192
/* QR codes are drawn with at least this many light modules around them, as
 * ISO/IEC 18004 asks, or not at all. */
#define RENDER_QR_QUIET_MODULES 4

struct render_opts {
    int width, height; /* physical output; a fullscreen window takes the display's */
    bool headless;     /* no window: software renderer into a surface */
    bool fullscreen;
    bool software;     /* window backend: skip the accelerated renderer */
    int rotate;        /* 0, 90, 180 or 270: clockwise turn from logical to physical */
    const char *title; /* window title; NULL: "Signet" */
    struct fonts_opts fonts;
};

struct render;
struct render_card;

/* Creates the output and opens the fonts. Calls SDL_InitSubSystem(VIDEO)
 * for the window backend only; render_free balances it. */
struct render *render_new(const struct render_opts *opts, struct sg_err *err) SG_MUST_USE;
/* Frees the renderer. Every card must have been freed before. */
void render_free(struct render *r);

/* The size cards are laid out in: the physical size, turned by rotate. */
void render_logical_size(const struct render *r, int *w, int *h);
/* The output size in pixels (what a screenshot holds). */
void render_output_size(const struct render *r, int *w, int *h);
/* The fonts cards are drawn with: pass as ctx with fonts_measure and
 * fonts_has_glyph to layout_card. Owned by r. */
struct fonts *render_fonts(struct render *r);
/* Name of the backend and SDL renderer in use, for the log. */
const char *render_describe(const struct render *r);

/* Draws list into a new card texture. media[i] is the decoded image for
 * IMAGE ops with media == i (NULL or out of range: the box stays empty);
 * link is the text QR ops encode (NULL: QR boxes stay empty). The surfaces
 * and link are not kept. Free with render_card_free before render_free. */
struct render_card *render_card_new(struct render *r, const struct layout_list *list,
                                    SDL_Surface *const *media, size_t nmedia, const char *link,
                                    struct sg_err *err) SG_MUST_USE;
void render_card_free(struct render_card *card);

/* Shows from_card with to_card over it at opacity alpha (0..255): a
 * crossfade when stepped over time, a plain show with from_card NULL and
 * alpha 255. NULL cards are black. Does nothing (and returns true) when the
 * frame equals the last one presented, unless render_invalidate was called
 * since. *drew (may be NULL) tells whether a frame was drawn. */
bool render_present(struct render *r, const struct render_card *from_card,
                    const struct render_card *to_card, int alpha, bool *drew,
                    struct sg_err *err) SG_MUST_USE;
/* Forces the next render_present to draw (window exposed, display woken). */
void render_invalidate(struct render *r);

/* Writes the last presented frame, as the output shows it (rotated), to a
 * PNG file at path, atomically: path.tmp is written, synced and renamed. */
bool render_screenshot_png(struct render *r, const char *path, struct sg_err *err) SG_MUST_USE;
/* The same frame as render_screenshot_png, as PNG bytes in memory: *png is
 * malloc'd (the caller frees), *len its size. For server-side previews. */
bool render_png_encode(struct render *r, unsigned char **png, size_t *len,
                       struct sg_err *err) SG_MUST_USE;

#endif
