#include "media.h"

#include <string.h>

#include <SDL_image.h>

static uint32_t media_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t media_be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t media_le16(const unsigned char *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t media_le24(const unsigned char *p)
{
    return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

enum media_format media_sniff(const void *bytes, size_t len)
{
    const unsigned char *b = bytes;
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return MEDIA_PNG;
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return MEDIA_JPEG;
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return MEDIA_WEBP;
    return MEDIA_UNKNOWN;
}

static bool media_png_size(const unsigned char *b, size_t len, uint32_t *w, uint32_t *h)
{
    /* Signature, then the IHDR chunk must come first: length 13, "IHDR". */
    if (len < 24 || media_be32(b + 8) != 13 || memcmp(b + 12, "IHDR", 4) != 0)
        return false;
    *w = media_be32(b + 16);
    *h = media_be32(b + 20);
    return true;
}

static bool media_jpeg_size(const unsigned char *b, size_t len, uint32_t *w, uint32_t *h)
{
    size_t i = 2;
    while (i + 4 <= len) {
        if (b[i] != 0xFF)
            return false;
        unsigned char m = b[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) /* end of image or start of scan before any frame */
            return false;
        uint32_t seglen = media_be16(b + i + 2);
        if (seglen < 2)
            return false;
        /* SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC). */
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (seglen < 7 || i + 9 > len)
                return false;
            *h = media_be16(b + i + 5);
            *w = media_be16(b + i + 7);
            return true;
        }
        i += 2 + (size_t)seglen;
    }
    return false;
}

static bool media_webp_size(const unsigned char *b, size_t len, uint32_t *w, uint32_t *h)
{
    if (len < 30)
        return false;
    const unsigned char *c = b + 12; /* first chunk */
    if (memcmp(c, "VP8X", 4) == 0) {
        *w = media_le24(c + 12) + 1;
        *h = media_le24(c + 15) + 1;
        return true;
    }
    if (memcmp(c, "VP8 ", 4) == 0) {
        /* 3-byte frame tag, start code 9d 01 2a, then 14-bit sizes. */
        const unsigned char *f = c + 8;
        if (f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a)
            return false;
        *w = media_le16(f + 6) & 0x3FFF;
        *h = media_le16(f + 8) & 0x3FFF;
        return true;
    }
    if (memcmp(c, "VP8L", 4) == 0) {
        const unsigned char *f = c + 8;
        if (f[0] != 0x2f)
            return false;
        uint32_t bits =
            (uint32_t)f[1] | (uint32_t)f[2] << 8 | (uint32_t)f[3] << 16 | (uint32_t)f[4] << 24;
        *w = (bits & 0x3FFF) + 1;
        *h = ((bits >> 14) & 0x3FFF) + 1;
        return true;
    }
    return false;
}

static bool media_size_ok(long long w, long long h, struct sg_err *err)
{
    if (w <= 0 || h <= 0) {
        sg_err_set(err, "media: image has no pixels (%lld x %lld)", w, h);
        return false;
    }
    if (w > MEDIA_MAX_PIXELS || h > MEDIA_MAX_PIXELS || w * h > MEDIA_MAX_PIXELS) {
        sg_err_set(err, "media: image %lld x %lld is over the limit of %ld pixels", w, h,
                   MEDIA_MAX_PIXELS);
        return false;
    }
    return true;
}

bool media_header_size(const void *bytes, size_t len, int *w, int *h, struct sg_err *err)
{
    uint32_t uw = 0, uh = 0;
    bool ok;
    switch (media_sniff(bytes, len)) {
    case MEDIA_PNG:
        ok = media_png_size(bytes, len, &uw, &uh);
        break;
    case MEDIA_JPEG:
        ok = media_jpeg_size(bytes, len, &uw, &uh);
        break;
    case MEDIA_WEBP:
        ok = media_webp_size(bytes, len, &uw, &uh);
        break;
    default:
        sg_err_set(err, "media: not a JPEG, PNG or WebP image");
        return false;
    }
    if (!ok) {
        sg_err_set(err, "media: image header is damaged or cut short");
        return false;
    }
    if (!media_size_ok(uw, uh, err))
        return false;
    *w = (int)uw;
    *h = (int)uh;
    return true;
}

SDL_Surface *media_decode(const void *bytes, size_t len, struct sg_err *err)
{
    if (len > MEDIA_MAX_BYTES) {
        sg_err_set(err, "media: %zu bytes is over the limit of %zu", len, MEDIA_MAX_BYTES);
        return NULL;
    }
    int w, h;
    if (!media_header_size(bytes, len, &w, &h, err))
        return NULL;
    const char *type = NULL;
    switch (media_sniff(bytes, len)) {
    case MEDIA_PNG:
        type = "PNG";
        break;
    case MEDIA_JPEG:
        type = "JPG";
        break;
    case MEDIA_WEBP:
        type = "WEBP";
        break;
    default:
        break; /* media_header_size refused it */
    }
    SDL_RWops *rw = SDL_RWFromConstMem(bytes, (int)len);
    if (!rw) {
        sg_err_set(err, "media: %s", SDL_GetError());
        return NULL;
    }
    /* Typed load: SDL_image must not guess another format (TGA, XCF...)
     * from bytes that merely start like one of ours. */
    SDL_Surface *s = IMG_LoadTyped_RW(rw, 1, type);
    if (!s) {
        sg_err_set(err, "media: cannot decode %s image: %s", type, IMG_GetError());
        return NULL;
    }
    /* The decoder is the authority on what it produced: check again. */
    if (s->w != w || s->h != h) {
        sg_err_set(err, "media: decoded %d x %d but the header said %d x %d", s->w, s->h, w, h);
        SDL_FreeSurface(s);
        return NULL;
    }
    return s;
}
