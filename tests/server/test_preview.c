/* preview: revisions drawn with the kiosk's layout, fonts and software
 * renderer, encoded as PNG, decoded again here and inspected; plus the
 * cache and the limits. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "check.h"
#include "layout.h"
#include "preview.h"
#include "preview_internal.h"
#include "sgtime.h"
#include "store.h"

#define MAGENTA 0xFF00FFu

static int64_t test_now(void)
{
    int64_t t = 0;
    if (!sgtime_parse_rfc3339("2026-03-02T09:30:00Z", &t))
        abort();
    return t;
}

/* A revision whose strings are malloc'd, as the store hands them out. */
static void rev_init(struct store_revision *rev, const char *id, int64_t n, const char *kind,
                     const char *title, const char *body)
{
    memset(rev, 0, sizeof *rev);
    rev->item_id = strdup(id);
    rev->rev = n;
    snprintf(rev->content.kind, sizeof rev->content.kind, "%s", kind);
    rev->content.title = strdup(title);
    rev->content.body = strdup(body);
    rev->content.targets_json = strdup("[\"*\"]");
}

/* store_revision_finish lives with the SQLite store; these tests free what
 * they made themselves. */
static void rev_finish(struct store_revision *rev)
{
    free(rev->item_id);
    store_content_finish(&rev->content);
    memset(rev, 0, sizeof *rev);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Signature, then IHDR first with the expected size. */
static bool png_header_ok(const struct preview_result *res, int w, int h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    return res->png && res->png_len > 33 && memcmp(res->png, sig, 8) == 0 &&
           memcmp(res->png + 12, "IHDR", 4) == 0 && be32(res->png + 16) == (uint32_t)w &&
           be32(res->png + 20) == (uint32_t)h;
}

/* Leaves the PNG in the scratch folder for a human to look at. */
static void keep_png(const char *name, const struct preview_result *res)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/preview-%s.png", SIGNET_TEST_TMP, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(res->png, 1, res->png_len, f);
        fclose(f);
    }
}

/* The PNG decoded into 0xRRGGBB pixels, or NULL. */
static SDL_Surface *png_decode(const struct preview_result *res)
{
    SDL_RWops *rw = SDL_RWFromConstMem(res->png, (int)res->png_len);
    SDL_Surface *s = rw ? IMG_Load_RW(rw, 1) : NULL;
    if (!s)
        return NULL;
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB888, 0);
    SDL_FreeSurface(s);
    return c;
}

static uint32_t pixel(const SDL_Surface *s, int x, int y)
{
    const uint32_t *row = (const uint32_t *)((const Uint8 *)s->pixels + (size_t)y * s->pitch);
    return row[x] & 0xFFFFFF;
}

static size_t count_color(const SDL_Surface *s, uint32_t rgb)
{
    size_t n = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
            n += pixel(s, x, y) == rgb;
    return n;
}

/* A w x h PNG filled with rgb, encoded in memory by SDL_image. */
static unsigned char *solid_png(int w, int h, uint32_t rgb, size_t *len)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_RGB24);
    if (!s)
        return NULL;
    SDL_FillRect(s, NULL, SDL_MapRGB(s->format, rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF));
    size_t cap = (size_t)w * h * 3 + 4096;
    unsigned char *buf = malloc(cap);
    SDL_RWops *rw = buf ? SDL_RWFromMem(buf, (int)cap) : NULL;
    int rc = rw ? IMG_SavePNG_RW(s, rw, 0) : -1;
    Sint64 n = rw ? SDL_RWtell(rw) : 0;
    if (rw)
        SDL_RWclose(rw);
    SDL_FreeSurface(s);
    if (rc != 0 || n <= 0) {
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

static void test_short_tip(struct preview *pv)
{
    struct store_revision rev;
    rev_init(&rev, "it-000000000001", 1, "tip", "Trinken Sie genug",
             "Zwei Liter Wasser am Tag halten den Kreislauf stabil.");
    struct preview_result res;
    struct sg_err err = {0};
    CHECK_MSG(preview_render(pv, &rev, "Praxis Dr. M\xc3\xbcller", 1920, 1080, test_now(), NULL, 0,
                             &res, &err),
              "%s", err.msg);
    CHECK(res.fits);
    CHECK(!res.min_size);
    CHECK_INT(res.body_px, 96); /* the theme's largest size fits a short tip */
    CHECK(png_header_ok(&res, 1920, 1080));
    keep_png("tip", &res);
    SDL_Surface *s = png_decode(&res);
    CHECK(s != NULL);
    if (s) {
        struct layout_theme th;
        layout_theme_default(&th);
        CHECK_INT(s->w, 1920);
        CHECK_INT(s->h, 1080);
        /* Header on top, the card's background at the bottom right margin,
         * the tip's accent stripe somewhere, and text drawn (dark pixels). */
        CHECK_INT(pixel(s, 2, 2), th.header_background);
        CHECK_INT(pixel(s, 1910, 1070), th.background);
        CHECK(count_color(s, th.accent) > 1000);
        CHECK(count_color(s, th.text) > 500);
        SDL_FreeSurface(s);
    }
    free(res.png);
    rev_finish(&rev);
}

static void test_long_body(struct preview *pv)
{
    char body[STORE_MAX_BODY_LEN + 1] = "";
    while (strlen(body) + 12 <= STORE_MAX_BODY_LEN)
        strcat(body, "Wartezimmer ");
    static const struct {
        const char *kind;
        int w, h, smallest;
    } cases[] = {
        {"post", 1920, 1080, 36},
        {"post", 1080, 1920, 36},
        {"notice", 1280, 720, 30}, /* 36 * 125 % scaled by 720 / 1080 */
        {"tip", 640, 360, 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct store_revision rev;
        rev_init(&rev, "it-000000000002", 1, cases[i].kind, "Sehr lang", body);
        struct preview_result res;
        struct sg_err err = {0};
        CHECK_MSG(
            preview_render(pv, &rev, NULL, cases[i].w, cases[i].h, test_now(), NULL, 0, &res, &err),
            "%s", err.msg);
        CHECK_MSG(res.min_size || !res.fits, "case %zu", i);
        CHECK_MSG(res.min_size && res.body_px == cases[i].smallest, "case %zu: body_px %d", i,
                  res.body_px);
        CHECK(png_header_ok(&res, cases[i].w, cases[i].h));
        char name[32];
        snprintf(name, sizeof name, "long-%zu", i);
        keep_png(name, &res);
        free(res.png);
        rev_finish(&rev);
    }
}

static void test_image(struct preview *pv)
{
    size_t len = 0;
    unsigned char *png = solid_png(400, 300, MAGENTA, &len);
    CHECK(png != NULL);
    if (!png)
        return;
    struct store_revision rev;
    rev_init(&rev, "it-000000000003", 2, "post", "Neues Wartezimmer",
             "Seit Montag warten Sie bei uns im Erdgeschoss.");
    rev.content.author = strdup("Praxis");
    rev.content.link = strdup("https://example.org/umbau");
    rev.content.nmedia = 1;
    memset(rev.content.media[0].sha256, 'a', 64);
    rev.content.media[0].type = strdup("image/png");
    rev.content.media[0].alt = strdup("Das neue Wartezimmer");

    struct preview_result with, without;
    struct sg_err err = {0};
    CHECK_MSG(preview_render(pv, &rev, "Praxis", 1280, 720, test_now(), png, len, &with, &err),
              "%s", err.msg);
    CHECK(png_header_ok(&with, 1280, 720));
    keep_png("image", &with);
    CHECK_MSG(preview_render(pv, &rev, "Praxis", 1280, 720, test_now(), NULL, 0, &without, &err),
              "%s", err.msg);
    SDL_Surface *a = with.png ? png_decode(&with) : NULL;
    SDL_Surface *b = without.png ? png_decode(&without) : NULL;
    CHECK(a && b);
    if (a && b) {
        /* The picture is drawn (scaled, so count its inside) only when given. */
        CHECK_MSG(count_color(a, MAGENTA) > 10000, "%zu", count_color(a, MAGENTA));
        CHECK_INT(count_color(b, MAGENTA), 0);
        /* The https link becomes a QR code: black modules on white. */
        CHECK(count_color(a, 0x000000) > 1000);
    }
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    free(with.png);
    free(without.png);

    /* Bytes that are no image are refused, not drawn as an empty box.
     * (Another revision: a revision's image never changes, so the cache
     * would rightly answer for rev 2.) */
    rev.rev = 99;
    struct preview_result bad;
    struct sg_err e2 = {0};
    CHECK(!preview_render(pv, &rev, "Praxis", 1280, 720, test_now(), "GIF89a....", 10, &bad, &e2));
    CHECK(e2.set && bad.png == NULL);
    free(png);
    rev_finish(&rev);
}

static void test_scripts(struct preview *pv)
{
    static const char *const titles[] = {
        /* emoji, Hebrew (RTL), a long German compound, combining marks */
        "\U0001F489 Impfung \U0001F469\U0001F3FD\u200D\u2695\uFE0F",
        "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u200F(RTL)",
        "Donaudampfschifffahrtsgesellschaftskapit\u00e4nsm\u00fctzenabzeichenherstellung",
        "Zahna\u0308rztliche Vorsorge \u202Eevil\u202C",
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        struct store_revision rev;
        rev_init(&rev, "it-000000000004", (int64_t)i + 1, "tip", titles[i],
                 "Rindfleischetikettierungs\u00fcberwachungsaufgaben\u00fcbertragungsgesetz "
                 "\U0001F600 \u0645\u0631\u062d\u0628\u0627");
        struct preview_result res;
        struct sg_err err = {0};
        CHECK_MSG(preview_render(pv, &rev, NULL, 1080, 1920, test_now(), NULL, 0, &res, &err),
                  "title %zu: %s", i, err.msg);
        CHECK_MSG(png_header_ok(&res, 1080, 1920), "title %zu", i);
        char name[32];
        snprintf(name, sizeof name, "script-%zu", i);
        keep_png(name, &res);
        CHECK_MSG(res.body_px > 0, "title %zu", i);
        free(res.png);
        rev_finish(&rev);
    }
}

static void test_cache(struct preview *pv)
{
    struct store_revision rev;
    rev_init(&rev, "it-000000000005", 3, "notice", "Praxis heute ab 14 Uhr geschlossen",
             "Vertretung: Dr. Beispiel, Hauptstra\xc3\x9f"
             "e 1.");
    struct preview_stats before, after;
    preview_get_stats(pv, &before);
    uint64_t hits = preview_cache_hits(pv);
    struct preview_result a, b;
    struct sg_err err = {0};
    CHECK(preview_render(pv, &rev, "Praxis", 1920, 1080, test_now(), NULL, 0, &a, &err));
    CHECK_INT(preview_cache_hits(pv), hits);
    /* 20 s later, same minute on the clock: served from the cache. */
    CHECK(preview_render(pv, &rev, "Praxis", 1920, 1080, test_now() + 20, NULL, 0, &b, &err));
    CHECK_INT(preview_cache_hits(pv), hits + 1);
    preview_get_stats(pv, &after);
    CHECK_INT(after.renders, before.renders + 1);
    CHECK(a.png && b.png && a.png != b.png); /* each caller owns its copy */
    CHECK(a.png_len == b.png_len && memcmp(a.png, b.png, a.png_len) == 0);
    CHECK(a.fits == b.fits && a.min_size == b.min_size && a.body_px == b.body_px);
    free(b.png);

    /* Anything that changes the pixels misses: another size, another
     * revision, the next minute, another clinic name. */
    struct {
        int64_t rev, now_offset;
        int w, h;
        const char *clinic;
    } misses[] = {
        {3, 0, 1280, 720, "Praxis"},   {4, 0, 1920, 1080, "Praxis"},
        {3, 60, 1920, 1080, "Praxis"}, {3, 0, 1920, 1080, "Praxis Nord"},
        {3, 0, 1920, 1080, NULL},
    };
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
        rev.rev = misses[i].rev;
        uint64_t h0 = preview_cache_hits(pv);
        CHECK(preview_render(pv, &rev, misses[i].clinic, misses[i].w, misses[i].h,
                             test_now() + misses[i].now_offset, NULL, 0, &b, &err));
        CHECK_MSG(preview_cache_hits(pv) == h0, "case %zu hit the cache", i);
        free(b.png);
    }
    /* The first one is still cached (LRU, far below 32 entries). */
    rev.rev = 3;
    uint64_t h1 = preview_cache_hits(pv);
    CHECK(preview_render(pv, &rev, "Praxis", 1920, 1080, test_now(), NULL, 0, &b, &err));
    CHECK_INT(preview_cache_hits(pv), h1 + 1);
    CHECK(b.png_len == a.png_len && memcmp(a.png, b.png, a.png_len) == 0);
    free(b.png);
    free(a.png);

    /* Forty different revisions: the cache stays at its size. */
    for (int i = 0; i < 40; i++) {
        rev.rev = 100 + i;
        CHECK(preview_render(pv, &rev, NULL, 160, 160, test_now(), NULL, 0, &b, &err));
        free(b.png);
    }
    preview_get_stats(pv, &after);
    CHECK(after.cached <= 32);
    CHECK(after.cached_bytes > 0);
    rev_finish(&rev);
}

static void test_limits(struct preview *pv)
{
    struct store_revision rev;
    rev_init(&rev, "it-000000000006", 1, "tip", "T", "B");
    static const struct {
        int w, h;
        bool ok;
    } sizes[] = {
        {PREVIEW_MIN_SIDE, PREVIEW_MIN_SIDE, true},
        {PREVIEW_MIN_SIDE - 1, 500, false},
        {500, PREVIEW_MIN_SIDE - 1, false},
        {PREVIEW_MAX_SIDE + 1, 500, false},
        {0, 0, false},
        {-1920, 1080, false},
        {PREVIEW_MAX_SIDE, 200, true},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct preview_result res;
        struct sg_err err = {0};
        bool ok =
            preview_render(pv, &rev, NULL, sizes[i].w, sizes[i].h, test_now(), NULL, 0, &res, &err);
        CHECK_MSG(ok == sizes[i].ok, "%d x %d: %s", sizes[i].w, sizes[i].h, err.msg);
        CHECK(ok ? png_header_ok(&res, sizes[i].w, sizes[i].h) : (err.set && !res.png));
        free(res.png);
    }
    /* More output sizes than renderers kept: older ones are closed and
     * reopened as needed. */
    struct preview_stats st0, st1;
    preview_get_stats(pv, &st0);
    for (int i = 0; i < 5; i++) {
        struct preview_result res;
        struct sg_err err = {0};
        rev.rev = 50 + i;
        CHECK(preview_render(pv, &rev, NULL, 200 + i, 180, test_now(), NULL, 0, &res, &err));
        CHECK(png_header_ok(&res, 200 + i, 180));
        free(res.png);
    }
    preview_get_stats(pv, &st1);
    CHECK(st1.outputs >= st0.outputs + 5);

    /* A kind the feed does not know cannot be drawn. */
    snprintf(rev.content.kind, sizeof rev.content.kind, "video");
    struct preview_result res;
    struct sg_err err = {0};
    CHECK(!preview_render(pv, &rev, NULL, 640, 360, test_now(), NULL, 0, &res, &err));
    CHECK(err.set && strstr(err.msg, "kind"));
    rev_finish(&rev);
    /* No item id: drawn, just not cached. */
    rev_init(&rev, "x", 1, "post", "Ohne Id", "B");
    free(rev.item_id);
    rev.item_id = NULL;
    CHECK(preview_render(pv, &rev, NULL, 640, 360, test_now(), NULL, 0, &res, &err));
    CHECK(png_header_ok(&res, 640, 360));
    free(res.png);
    rev_finish(&rev);
}

/* Renders from several threads at once: the mutex serialises them. */
struct thread_arg {
    struct preview *pv;
    int index;
    int failures;
};

static void *render_thread(void *p)
{
    struct thread_arg *a = p;
    for (int i = 0; i < 3; i++) {
        struct store_revision rev;
        rev_init(&rev, "it-000000000007", a->index * 10 + i, "tip", "Parallel", "Gleichzeitig");
        struct preview_result res;
        struct sg_err err = {0};
        if (!preview_render(a->pv, &rev, NULL, 320, 180, test_now(), NULL, 0, &res, &err) ||
            !png_header_ok(&res, 320, 180))
            a->failures++;
        free(res.png);
        rev_finish(&rev);
    }
    return NULL;
}

static void test_threads(struct preview *pv)
{
    pthread_t t[3];
    struct thread_arg args[3];
    for (int i = 0; i < 3; i++) {
        args[i] = (struct thread_arg){.pv = pv, .index = i};
        CHECK(pthread_create(&t[i], NULL, render_thread, &args[i]) == 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(args[i].failures, 0);
    }
}

int main(void)
{
    struct sg_err err = {0};
    struct preview *pv = preview_new(&err);
    CHECK_MSG(pv != NULL, "%s", err.msg);
    if (!pv)
        return check_done("test_preview");
    test_short_tip(pv);
    test_long_body(pv);
    test_image(pv);
    test_scripts(pv);
    test_cache(pv);
    test_limits(pv);
    test_threads(pv);
    preview_free(pv);
    preview_free(NULL);
    return check_done("test_preview");
}
