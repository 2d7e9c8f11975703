/* Comparing rendered PNGs with golden ones, with a tolerance: font
 * rasterisation and linear scaling differ slightly between FreeType, pixman
 * and SDL versions, so a byte-exact match would break on every upgrade
 * while a real regression (a moved line, a missing glyph, tofu) changes far
 * more pixels than the tolerance allows. */
#ifndef SIGNET_PNG_COMPARE_H
#define SIGNET_PNG_COMPARE_H

#include <stdbool.h>

#include <SDL.h>

/* A pixel is "off" when any channel differs by more than this. */
#define PNG_COMPARE_CHANNEL_TOLERANCE 8
/* At most this many off pixels per million (0.5 %). */
#define PNG_COMPARE_MAX_OFF_PPM 5000
/* Mean absolute difference over all channels of all pixels, in 0..255. */
#define PNG_COMPARE_MAX_MEAN 1.0

struct png_compare_result {
    bool match;
    int w, h;         /* of the actual image */
    long off;         /* pixels beyond the channel tolerance */
    double mean;      /* mean absolute channel difference */
    char detail[256]; /* why not, when !match */
};

/* Compares two surfaces (any format). When diff_path is non-NULL and they
 * do not match, writes a diff PNG there: off pixels red, the rest the golden
 * image faded. Returns false only when something could not be read or
 * written (then detail says what); the verdict is in res->match. */
bool png_compare_surfaces(SDL_Surface *actual, SDL_Surface *golden, const char *diff_path,
                          struct png_compare_result *res);
bool png_compare_files(const char *actual, const char *golden, const char *diff_path,
                       struct png_compare_result *res);

#endif
