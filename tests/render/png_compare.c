#include "png_compare.h"

#include <stdio.h>
#include <stdlib.h>

#include <SDL_image.h>

static void png_compare_fail(struct png_compare_result *res, const char *what, const char *why)
{
    res->match = false;
    snprintf(res->detail, sizeof res->detail, "%s: %s", what, why);
}

bool png_compare_surfaces(SDL_Surface *actual, SDL_Surface *golden, const char *diff_path,
                          struct png_compare_result *res)
{
    *res = (struct png_compare_result){.match = false};
    SDL_Surface *a = SDL_ConvertSurfaceFormat(actual, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_Surface *g = SDL_ConvertSurfaceFormat(golden, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_Surface *d = NULL;
    bool ok = true;
    if (!a || !g) {
        png_compare_fail(res, "convert", SDL_GetError());
        ok = false;
        goto out;
    }
    res->w = a->w;
    res->h = a->h;
    if (a->w != g->w || a->h != g->h) {
        snprintf(res->detail, sizeof res->detail, "size %dx%d, golden %dx%d", a->w, a->h, g->w,
                 g->h);
        goto out;
    }
    if (diff_path) {
        d = SDL_CreateRGBSurfaceWithFormat(0, a->w, a->h, 32, SDL_PIXELFORMAT_RGBA32);
        if (!d) {
            png_compare_fail(res, "diff surface", SDL_GetError());
            ok = false;
            goto out;
        }
    }
    unsigned long long sum = 0;
    for (int y = 0; y < a->h; y++) {
        const Uint8 *pa = (const Uint8 *)a->pixels + (size_t)y * a->pitch;
        const Uint8 *pg = (const Uint8 *)g->pixels + (size_t)y * g->pitch;
        Uint8 *pd = d ? (Uint8 *)d->pixels + (size_t)y * d->pitch : NULL;
        for (int x = 0; x < a->w; x++) {
            int worst = 0;
            for (int c = 0; c < 4; c++) {
                int diff = abs((int)pa[4 * x + c] - (int)pg[4 * x + c]);
                sum += (unsigned)diff;
                if (diff > worst)
                    worst = diff;
            }
            if (worst > PNG_COMPARE_CHANNEL_TOLERANCE)
                res->off++;
            if (pd) {
                bool off = worst > PNG_COMPARE_CHANNEL_TOLERANCE;
                for (int c = 0; c < 3; c++)
                    pd[4 * x + c] = off ? (c == 0 ? 255 : 0) : (Uint8)(160 + pg[4 * x + c] / 4);
                pd[4 * x + 3] = 255;
            }
        }
    }
    double npix = (double)a->w * a->h;
    res->mean = npix > 0 ? (double)sum / (npix * 4) : 0;
    res->match = (double)res->off * 1e6 <= PNG_COMPARE_MAX_OFF_PPM * npix &&
                 res->mean <= PNG_COMPARE_MAX_MEAN;
    if (!res->match) {
        snprintf(res->detail, sizeof res->detail,
                 "%ld of %.0f pixels off by more than %d, mean difference %.3f", res->off, npix,
                 PNG_COMPARE_CHANNEL_TOLERANCE, res->mean);
        if (d && IMG_SavePNG(d, diff_path) != 0) {
            png_compare_fail(res, diff_path, IMG_GetError());
            ok = false;
        }
    }
out:
    SDL_FreeSurface(d);
    SDL_FreeSurface(g);
    SDL_FreeSurface(a);
    return ok;
}

bool png_compare_files(const char *actual, const char *golden, const char *diff_path,
                       struct png_compare_result *res)
{
    *res = (struct png_compare_result){.match = false};
    SDL_Surface *a = IMG_Load(actual);
    if (!a) {
        png_compare_fail(res, actual, IMG_GetError());
        return false;
    }
    SDL_Surface *g = IMG_Load(golden);
    if (!g) {
        png_compare_fail(res, golden, IMG_GetError());
        SDL_FreeSurface(a);
        return false;
    }
    bool ok = png_compare_surfaces(a, g, diff_path, res);
    SDL_FreeSurface(g);
    SDL_FreeSurface(a);
    return ok;
}
