/* A test picture made with SDL and encoded in memory, so no binary image
 * needs to live in the repository. */
#ifndef SIGNET_TEST_TESTIMG_H
#define SIGNET_TEST_TESTIMG_H

#include <stdlib.h>

#include <SDL.h>
#include <SDL_image.h>

/* A w x h picture: four coloured quadrants and a white diagonal band. */
static inline SDL_Surface *testimg_surface(int w, int h)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s)
        return NULL;
    for (int y = 0; y < h; y++) {
        Uint8 *p = (Uint8 *)s->pixels + (size_t)y * s->pitch;
        for (int x = 0; x < w; x++) {
            bool right = x >= w / 2, bottom = y >= h / 2;
            Uint8 r = right ? 0x20 : 0xE0, g = bottom ? 0xA0 : 0x60,
                  b = right != bottom ? 0xD0 : 0x30;
            int band = x * h - y * w; /* zero on the diagonal */
            if (abs(band) < w * h / 16)
                r = g = b = 0xFF;
            p[4 * x + 0] = r;
            p[4 * x + 1] = g;
            p[4 * x + 2] = b;
            p[4 * x + 3] = 0xFF;
        }
    }
    return s;
}

/* Encodes s as PNG (jpeg: JPEG) into a malloc'd buffer; NULL on failure. */
static inline unsigned char *testimg_encode(SDL_Surface *s, bool jpeg, size_t *len)
{
    size_t cap = (size_t)s->w * s->h * 4 + 4096;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return NULL;
    SDL_RWops *rw = SDL_RWFromMem(buf, (int)cap);
    if (!rw) {
        free(buf);
        return NULL;
    }
    int rc = jpeg ? IMG_SaveJPG_RW(s, rw, 0, 90) : IMG_SavePNG_RW(s, rw, 0);
    Sint64 n = SDL_RWtell(rw);
    SDL_RWclose(rw);
    if (rc != 0 || n <= 0) {
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

static inline unsigned char *testimg_png(int w, int h, size_t *len)
{
    SDL_Surface *s = testimg_surface(w, h);
    if (!s)
        return NULL;
    unsigned char *png = testimg_encode(s, false, len);
    SDL_FreeSurface(s);
    return png;
}

#endif
