/* Server-side previews: a revision drawn exactly as a screen would draw it,
 * with the kiosk's own layout (lib/layout.h), fonts and renderer
 * (app/render.h, headless software backend), encoded as PNG.
 *
 * SDL_ttf is not thread-safe, so one mutex serialises all renders; a small
 * cache keyed by (item, rev, w, h) keeps repeated views of the queue cheap. */
#ifndef SIGNET_QUEUE_PREVIEW_H
#define SIGNET_QUEUE_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"
#include "store.h"

#define PREVIEW_MIN_SIDE 160
#define PREVIEW_MAX_SIDE 3840

struct preview;

struct preview *preview_new(struct sg_err *err) SG_MUST_USE;
void preview_free(struct preview *pv); /* NULL: no-op */

struct preview_result {
    unsigned char *png; /* malloc'd; caller frees */
    size_t png_len;
    bool fits;     /* false: even the smallest size overflowed and text was cut */
    bool min_size; /* the body shrank to the smallest size the theme allows */
    int body_px;
};

/* image/image_len: the bytes of the revision's first media file, or NULL. */
bool preview_render(struct preview *pv, const struct store_revision *rev, const char *clinic,
                    int width, int height, int64_t now, const void *image, size_t image_len,
                    struct preview_result *out, struct sg_err *err) SG_MUST_USE;

#endif
