/* Decoding card images. The bytes come from the media cache and were already
 * checked against the feed's SHA-256, but the feed's producer is still not
 * trusted with the board's memory: only JPEG, PNG and WebP are accepted
 * (sniffed from magic bytes, not from the declared type), and the size is
 * read from the header and capped before anything is decoded. */
#ifndef SIGNET_MEDIA_H
#define SIGNET_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "mediastore.h"
#include "sg_err.h"

/* Encoded size: what the media cache may hand over for one image. */
#define MEDIA_MAX_BYTES ((size_t)MEDIASTORE_MAX_BYTES)
/* Decoded size: 4096 x 4096 x 4 bytes = 64 MiB, the most one image may take
 * on a Pi before it is turned into a texture (a decompression bomb stops here). */
#define MEDIA_MAX_PIXELS (4096L * 4096L)

enum media_format {
    MEDIA_UNKNOWN,
    MEDIA_PNG,
    MEDIA_JPEG,
    MEDIA_WEBP,
};

/* The format the bytes start with, MEDIA_UNKNOWN for anything else. */
enum media_format media_sniff(const void *bytes, size_t len);

/* Width and height from the header, without decoding. False when the header
 * is not one of the three formats or is cut short. */
bool media_header_size(const void *bytes, size_t len, int *w, int *h,
                       struct sg_err *err) SG_MUST_USE;

/* Decodes bytes[0..len). On success returns a new surface the caller frees
 * with SDL_FreeSurface; NULL with err set otherwise. bytes are not kept. */
SDL_Surface *media_decode(const void *bytes, size_t len, struct sg_err *err) SG_MUST_USE;

#endif
