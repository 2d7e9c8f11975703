#include "upload.h"

#include <string.h>

#include <sodium.h>

#include "media.h"
#include "store.h"

static const struct {
    const char *type;
    enum media_format format;
} formats[] = {
    {"image/png", MEDIA_PNG},
    {"image/jpeg", MEDIA_JPEG},
    {"image/webp", MEDIA_WEBP},
};

enum upload_result upload_check_image(const char *claimed_type, const void *bytes, size_t len,
                                      struct upload_image *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0) {
        sg_err_set(err, "the image is empty");
        return UPLOAD_MALFORMED;
    }
    if (len > STORE_MAX_MEDIA_BYTES) {
        sg_err_set(err, "the image is larger than %u bytes", STORE_MAX_MEDIA_BYTES);
        return UPLOAD_TOO_LARGE;
    }
    enum media_format content = media_sniff(bytes, len);
    size_t k = 0;
    while (k < sizeof formats / sizeof formats[0] && formats[k].format != content)
        k++;
    if (k == sizeof formats / sizeof formats[0]) {
        sg_err_set(err, "not a PNG, JPEG or WebP image");
        return UPLOAD_UNSUPPORTED;
    }
    /* A screen decodes by content, so the label must not lie about it. */
    if (claimed_type && strcmp(claimed_type, formats[k].type) != 0) {
        sg_err_set(err, "the content is %s, not %s", formats[k].type, claimed_type);
        return UPLOAD_UNSUPPORTED;
    }
    int w = 0, h = 0;
    if (!media_header_size(bytes, len, &w, &h, err))
        return UPLOAD_MALFORMED;
    if (w <= 0 || h <= 0 || (long)w * (long)h > MEDIA_MAX_PIXELS) {
        sg_err_set(err, "the image has too many pixels (%d x %d; at most 4096 x 4096)", w, h);
        return UPLOAD_TOO_LARGE;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes, len);
    sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
    out->type = formats[k].type;
    out->width = w;
    out->height = h;
    return UPLOAD_OK;
}
