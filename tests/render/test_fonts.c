/* fonts_: glyph coverage, fallback runs, measuring, never tofu. */
#include <string.h>

#include "check.h"
#include "fonts.h"

#define MEASURE(f, s) fonts_measure((f), LAYOUT_FONT_REGULAR, 32, (s), strlen(s))

struct run_log {
    int nruns;
    int roles[8];
    char text[8][32];
};

static bool log_run(void *ctx, TTF_Font *ttf, enum fonts_role role, int x, const char *run,
                    size_t len)
{
    struct run_log *log = ctx;
    (void)ttf;
    (void)x;
    if (log->nruns < 8) {
        log->roles[log->nruns] = role;
        snprintf(log->text[log->nruns], sizeof log->text[0], "%.*s", (int)len, run);
    }
    log->nruns++;
    return true;
}

static void test_glyphs(struct fonts *f)
{
    CHECK(fonts_has_glyph(f, 0x00E4));   /* ä */
    CHECK(fonts_has_glyph(f, 0x00DF));   /* ß */
    CHECK(fonts_has_glyph(f, 0x1E9E));   /* ẞ */
    CHECK(fonts_has_glyph(f, 0x1F600));  /* 😀 */
    CHECK(fonts_has_glyph(f, 0x1F44D));  /* 👍 */
    CHECK(!fonts_has_glyph(f, 0x0378));  /* unassigned */
    CHECK(!fonts_has_glyph(f, 0x5FFFF)); /* unassigned plane */
    CHECK(!fonts_has_glyph(f, 0xE000));  /* private use */
    /* Invisible format characters and modifiers no font here can shape:
     * Symbola would draw them as visible swatches. */
    CHECK(!fonts_has_glyph(f, 0xFE0F));  /* variation selector 16 */
    CHECK(!fonts_has_glyph(f, 0x200D));  /* zero-width joiner */
    CHECK(!fonts_has_glyph(f, 0x1F3FD)); /* skin tone */
    CHECK(!fonts_has_glyph(f, 0xE0067)); /* tag g */

    CHECK_INT(fonts_pick(f, LAYOUT_FONT_REGULAR, 0x00E4), FONTS_REGULAR);
    CHECK_INT(fonts_pick(f, LAYOUT_FONT_BOLD, 0x00DF), FONTS_BOLD);
    /* DejaVu Sans 2.37 has the Emoticons block (U+1F600..), not thumbs up
     * or flowers: those must come from Symbola. */
    CHECK(fonts_pick(f, LAYOUT_FONT_REGULAR, 0x1F600) >= 0);
    CHECK_INT(fonts_pick(f, LAYOUT_FONT_REGULAR, 0x1F44D), FONTS_FALLBACK);
    CHECK_INT(fonts_pick(f, LAYOUT_FONT_BOLD, 0x1F33B), FONTS_FALLBACK);
    CHECK_INT(fonts_pick(f, LAYOUT_FONT_REGULAR, 0x0378), -1);
}

static void test_measure(struct fonts *f)
{
    int w = MEASURE(f, "Grüße");
    CHECK_MSG(w > 0, "width %d", w);
    CHECK(MEASURE(f, "Grüße aus der Praxis") > w);
    CHECK_INT(MEASURE(f, ""), 0);
    /* Code points without a glyph and invalid bytes are skipped, not drawn
     * as boxes: the width is that of the rest. */
    int ab = MEASURE(f, "ab");
    CHECK(ab > 0);
    CHECK_INT(MEASURE(f, "a\xCD\xB8"
                         "b"),
              ab); /* U+0378 */
    CHECK_INT(MEASURE(f, "a\xEE\x80\x80"
                         "b"),
              ab); /* U+E000 */
    CHECK_INT(MEASURE(f, "a\xFF"
                         "b"),
              ab);
    CHECK_INT(MEASURE(f, "a\xC3"
                         "b"),
              ab); /* truncated sequence */
    CHECK_INT(MEASURE(f, "a\xED\xA0\x80"
                         "b"),
              ab); /* surrogate */
    CHECK_INT(MEASURE(f, "a\xC0\xAF"
                         "b"),
              ab); /* overlong */
    CHECK_INT(MEASURE(f, "\xCD\xB8"), 0);
    /* Heart with emoji presentation selector: the heart alone. */
    CHECK_INT(MEASURE(f, "\xE2\x9D\xA4\xEF\xB8\x8F"), MEASURE(f, "\xE2\x9D\xA4"));
    /* Thumbs up with a skin tone: the thumb alone. */
    CHECK_INT(MEASURE(f, "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), MEASURE(f, "\xF0\x9F\x91\x8D"));
    /* An emoji from the fallback font has a width. */
    CHECK(MEASURE(f, "a\xF0\x9F\x91\x8D"
                     "b") > ab);
    /* Bigger and bolder is wider. */
    CHECK(fonts_measure(f, LAYOUT_FONT_REGULAR, 64, "Praxis", 6) >
          fonts_measure(f, LAYOUT_FONT_REGULAR, 32, "Praxis", 6));
    CHECK(fonts_measure(f, LAYOUT_FONT_BOLD, 32, "Praxis", 6) >
          fonts_measure(f, LAYOUT_FONT_REGULAR, 32, "Praxis", 6));
    struct sg_err err = {0};
    CHECK(!fonts_take_error(f, &err));
    /* A size the cache refuses is an error kept for the caller. */
    CHECK_INT(fonts_measure(f, LAYOUT_FONT_REGULAR, 0, "x", 1), 0);
    CHECK(fonts_take_error(f, &err));
    CHECK(err.set && strstr(err.msg, "size") != NULL);
    CHECK(!fonts_take_error(f, &err));
}

static void test_runs(struct fonts *f)
{
    struct run_log log = {0};
    struct sg_err err = {0};
    const char *s = "Hallo \xF0\x9F\x91\x8D\xF0\x9F\x8C\xBB \xCD\xB8Welt";
    int w = 0;
    CHECK(fonts_runs(f, LAYOUT_FONT_REGULAR, 24, s, strlen(s), log_run, &log, &w, &err));
    CHECK_INT(log.nruns, 3);
    CHECK_INT(log.roles[0], FONTS_REGULAR);
    CHECK_STR(log.text[0], "Hallo ");
    CHECK_INT(log.roles[1], FONTS_FALLBACK);
    CHECK_STR(log.text[1], "\xF0\x9F\x91\x8D\xF0\x9F\x8C\xBB");
    CHECK_INT(log.roles[2], FONTS_REGULAR);
    CHECK_STR(log.text[2], " Welt");
    CHECK_INT(w, fonts_measure(f, LAYOUT_FONT_REGULAR, 24, s, strlen(s)));
}

static void test_cache(struct fonts *f)
{
    /* More sizes than the cache holds: old ones are evicted, all still work. */
    int prev = 0;
    for (int px = 8; px < 8 + 2 * FONTS_CACHE_MAX; px++) {
        int w = fonts_measure(f, LAYOUT_FONT_REGULAR, px, "Wartezimmer", 11);
        CHECK_MSG(w >= prev, "px %d: %d < %d", px, w, prev);
        prev = w;
    }
    CHECK(fonts_measure(f, LAYOUT_FONT_REGULAR, 8, "Wartezimmer", 11) > 0);
    struct sg_err err = {0};
    CHECK(!fonts_take_error(f, &err));
}

static void test_bad_path(void)
{
    struct fonts_opts opts = {.path = {[FONTS_FALLBACK] = "/nonexistent/Symbola.ttf"}};
    struct sg_err err = {0};
    struct fonts *f = fonts_new(&opts, &err);
    CHECK(f == NULL);
    CHECK_MSG(err.set && strstr(err.msg, "/nonexistent/Symbola.ttf"), "%s", err.msg);
    fonts_free(NULL);
}

int main(void)
{
    struct sg_err err = {0};
    struct fonts *f = fonts_new(NULL, &err);
    CHECK_MSG(f != NULL, "%s", err.msg);
    if (f) {
        test_glyphs(f);
        test_measure(f);
        test_runs(f);
        test_cache(f);
    }
    fonts_free(f);
    test_bad_path();
    return check_done("test_fonts");
}
