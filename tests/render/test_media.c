/* media_: sniffing, header sizes, caps, refusing what is not a whole image. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "media.h"
#include "testimg.h"

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void test_png_roundtrip(void)
{
    size_t len = 0;
    unsigned char *png = testimg_png(64, 40, &len);
    CHECK(png != NULL);
    if (!png)
        return;
    CHECK_INT(media_sniff(png, len), MEDIA_PNG);
    int w = 0, h = 0;
    struct sg_err err = {0};
    CHECK(media_header_size(png, len, &w, &h, &err));
    CHECK_INT(w, 64);
    CHECK_INT(h, 40);
    SDL_Surface *s = media_decode(png, len, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s) {
        CHECK_INT(s->w, 64);
        CHECK_INT(s->h, 40);
        SDL_FreeSurface(s);
    }

    /* Truncated: the header is whole, the pixel data is not. */
    sg_err_clear(&err);
    s = media_decode(png, len / 2, &err);
    CHECK(s == NULL);
    CHECK_MSG(err.set && strstr(err.msg, "decode"), "%s", err.msg);
    SDL_FreeSurface(s);
    /* Truncated inside the header. */
    sg_err_clear(&err);
    s = media_decode(png, 20, &err);
    CHECK(s == NULL);
    CHECK_MSG(err.set && strstr(err.msg, "header"), "%s", err.msg);
    SDL_FreeSurface(s);

    /* A header that claims more pixels than the cap is refused before any
     * decoding (the CRC is not even looked at). */
    unsigned char big[64];
    memcpy(big, png, sizeof big);
    put_be32(big + 16, 5000);
    put_be32(big + 20, 5000);
    sg_err_clear(&err);
    CHECK(!media_header_size(big, sizeof big, &w, &h, &err));
    CHECK_MSG(err.set && strstr(err.msg, "limit"), "%s", err.msg);
    sg_err_clear(&err);
    s = media_decode(big, sizeof big, &err);
    CHECK(s == NULL);
    CHECK_MSG(err.set && strstr(err.msg, "limit"), "%s", err.msg);
    /* 4096 x 4097 is over by one row. */
    put_be32(big + 16, 4096);
    put_be32(big + 20, 4097);
    sg_err_clear(&err);
    CHECK(!media_header_size(big, sizeof big, &w, &h, &err));
    put_be32(big + 16, 0);
    put_be32(big + 20, 10);
    sg_err_clear(&err);
    CHECK(!media_header_size(big, sizeof big, &w, &h, &err));
    CHECK_MSG(err.set && strstr(err.msg, "no pixels"), "%s", err.msg);
    free(png);
}

static void test_jpeg(void)
{
    SDL_Surface *src = testimg_surface(48, 32);
    size_t len = 0;
    unsigned char *jpg = src ? testimg_encode(src, true, &len) : NULL;
    SDL_FreeSurface(src);
    CHECK(jpg != NULL);
    if (!jpg)
        return;
    CHECK_INT(media_sniff(jpg, len), MEDIA_JPEG);
    int w = 0, h = 0;
    struct sg_err err = {0};
    CHECK_MSG(media_header_size(jpg, len, &w, &h, &err), "%s", err.msg);
    CHECK_INT(w, 48);
    CHECK_INT(h, 32);
    SDL_Surface *s = media_decode(jpg, len, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s) {
        CHECK_INT(s->w, 48);
        CHECK_INT(s->h, 32);
    }
    SDL_FreeSurface(s);
    free(jpg);

    /* A hand-made JPEG header: SOI, APP0, SOF0 of 5000 x 6000. */
    static const unsigned char huge[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00,
                                         0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x17,
                                         0x70, 0x13, 0x88, 0x03, 0x01, 0x22, 0x00};
    sg_err_clear(&err);
    CHECK(!media_header_size(huge, sizeof huge, &w, &h, &err));
    CHECK_MSG(err.set && strstr(err.msg, "limit"), "%s", err.msg);
}

static void test_webp_headers(void)
{
    /* Only headers here: SDL_image 2.6 cannot write WebP. */
    unsigned char vp8x[30] = "RIFF\0\0\0\0WEBPVP8X";
    vp8x[24] = 0x7F; /* canvas width - 1 = 0x00027F: 640 */
    vp8x[25] = 0x02;
    vp8x[27] = 0xDF; /* canvas height - 1 = 0x0001DF: 480 */
    vp8x[28] = 0x01;
    int w = 0, h = 0;
    struct sg_err err = {0};
    CHECK_INT(media_sniff(vp8x, sizeof vp8x), MEDIA_WEBP);
    CHECK_MSG(media_header_size(vp8x, sizeof vp8x, &w, &h, &err), "%s", err.msg);
    CHECK_INT(w, 640);
    CHECK_INT(h, 480);
    vp8x[26] = 0x01; /* width 65536 + 640: over the cap */
    CHECK(!media_header_size(vp8x, sizeof vp8x, &w, &h, &err));

    unsigned char vp8l[30] = "RIFF\0\0\0\0WEBPVP8L";
    vp8l[20] = 0x2F;
    /* 14 bits width - 1 = 99, 14 bits height - 1 = 49. */
    uint32_t bits = 99u | 49u << 14;
    vp8l[21] = (unsigned char)bits;
    vp8l[22] = (unsigned char)(bits >> 8);
    vp8l[23] = (unsigned char)(bits >> 16);
    vp8l[24] = (unsigned char)(bits >> 24);
    sg_err_clear(&err);
    CHECK_MSG(media_header_size(vp8l, sizeof vp8l, &w, &h, &err), "%s", err.msg);
    CHECK_INT(w, 100);
    CHECK_INT(h, 50);
}

static void test_not_images(void)
{
    struct sg_err err = {0};
    const char *text = "<html><body>not an image</body></html>";
    CHECK_INT(media_sniff(text, strlen(text)), MEDIA_UNKNOWN);
    SDL_Surface *s = media_decode(text, strlen(text), &err);
    CHECK(s == NULL);
    CHECK_MSG(err.set && strstr(err.msg, "not a JPEG, PNG or WebP"), "%s", err.msg);
    /* Formats SDL_image reads but we do not accept. */
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    static const unsigned char bmp[] = "BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00";
    CHECK_INT(media_sniff(gif, sizeof gif), MEDIA_UNKNOWN);
    CHECK_INT(media_sniff(bmp, sizeof bmp), MEDIA_UNKNOWN);
    sg_err_clear(&err);
    CHECK(media_decode(gif, sizeof gif, &err) == NULL);
    CHECK(err.set);
    sg_err_clear(&err);
    CHECK(media_decode("", 0, &err) == NULL);
    CHECK(err.set);
    sg_err_clear(&err);
    CHECK(media_decode("\x89PNG", 4, &err) == NULL);
    CHECK(err.set);
}

static void test_too_many_bytes(void)
{
    size_t len = MEDIA_MAX_BYTES + 1;
    unsigned char *buf = calloc(1, len);
    CHECK(buf != NULL);
    if (!buf)
        return;
    size_t pnglen = 0;
    unsigned char *png = testimg_png(8, 8, &pnglen);
    CHECK(png != NULL);
    if (png)
        memcpy(buf, png, pnglen);
    struct sg_err err = {0};
    CHECK(media_decode(buf, len, &err) == NULL);
    CHECK_MSG(err.set && strstr(err.msg, "bytes"), "%s", err.msg);
    free(png);
    free(buf);
}

int main(void)
{
    test_png_roundtrip();
    test_jpeg();
    test_webp_headers();
    test_not_images();
    test_too_many_bytes();
    return check_done("test_media");
}
