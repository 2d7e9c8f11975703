/* Checks an image staff upload (POST /api/media, `signet-queue media add`)
 * before it is stored: PNG, JPEG or WebP by content, the claimed type (when
 * there is one) matching the content, and a header that decodes to at most
 * MEDIA_MAX_PIXELS, so no screen is ever handed a decompression bomb. */
#ifndef SIGNET_QUEUE_UPLOAD_H
#define SIGNET_QUEUE_UPLOAD_H

#include <stddef.h>

#include "sg_err.h"

enum upload_result {
    UPLOAD_OK,
    UPLOAD_UNSUPPORTED, /* not PNG, JPEG or WebP, or content and claimed type differ */
    UPLOAD_MALFORMED,   /* the header cannot be read */
    UPLOAD_TOO_LARGE,   /* too many bytes or pixels */
};

struct upload_image {
    const char *type; /* "image/png", "image/jpeg", "image/webp" (static) */
    int width, height;
    char sha256[65];
};

/* claimed_type: the Content-Type the client sent, or NULL to take the
 * content's own. */
enum upload_result upload_check_image(const char *claimed_type, const void *bytes, size_t len,
                                      struct upload_image *out, struct sg_err *err);

#endif
