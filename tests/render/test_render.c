/* render_: cards drawn headless and compared with golden PNGs, rotation,
 * crossfade, skipped idle presents, atomic screenshots.
 *
 * SIGNET_UPDATE_GOLDEN=1 rewrites the PNGs in tests/data/render from this run;
 * look at them before committing. A failed comparison leaves NAME.png and
 * NAME.diff.png (off pixels red) in the build's tests/render/tmp. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL_image.h>

#include "check.h"
#include "dl.h"
#include "png_compare.h"
#include "media.h"
#include "render.h"
#include "testimg.h"

#define GOLDEN_DIR SIGNET_TEST_DATA "/render"

static bool update_golden;

static void tmp_path(char *buf, size_t cap, const char *name, const char *suffix)
{
    snprintf(buf, cap, "%s/%s%s", SIGNET_RENDER_TMP, name, suffix);
}

static bool copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    bool ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in && ferror(in))
        ok = false;
    if (out && fclose(out) != 0)
        ok = false;
    if (in)
        fclose(in);
    return ok;
}

/* Screenshot of what r shows, compared with (or, when updating, saved as)
 * the golden NAME.png. */
static void check_golden(struct render *r, const char *name)
{
    char actual[512], golden[512], diff[512];
    tmp_path(actual, sizeof actual, name, ".png");
    tmp_path(diff, sizeof diff, name, ".diff.png");
    snprintf(golden, sizeof golden, "%s/%s.png", GOLDEN_DIR, name);
    struct sg_err err = {0};
    bool shot = render_screenshot_png(r, actual, &err);
    CHECK_MSG(shot, "%s: %s", name, err.msg);
    if (!shot)
        return;
    if (update_golden) {
        CHECK_MSG(copy_file(actual, golden), "cannot write %s", golden);
        printf("updated %s\n", golden);
        return;
    }
    struct png_compare_result res;
    bool ok = png_compare_files(actual, golden, diff, &res);
    CHECK_MSG(ok && res.match, "%s: %s (actual %s, diff %s)", name, res.detail, actual, diff);
    if (ok && res.match)
        printf("%s: %ld pixels off, mean difference %.3f\n", name, res.off, res.mean);
}

/* The test card: every op kind, German text, emoji from both fonts, code
 * points no font has (they must vanish, not become boxes). Proportions
 * follow the screen so one function serves landscape and portrait. */
static void build_card(struct layout_list *l, int w, int h, const char *title)
{
    bool portrait = h > w;
    int s = portrait ? w : h; /* short side */
    int pad = s * 40 / 1080;
    int header = s * 96 / 1080;
    dl_rect(l, 0, 0, w, h, 0xF4F1EA);
    dl_rect(l, 0, 0, w, header, 0x1F4E5F);
    dl_rect(l, 0, header, w, s * 8 / 1080, 0xE07A5F);
    int hpx = s * 40 / 1080;
    dl_text(l, pad, 0, w / 2, header, LAYOUT_FONT_BOLD, hpx, 0xFFFFFF,
            "Praxis Dr. M\xC3\xBCller \xE2\x80\x93 Wartezimmer");
    dl_text(l, w - pad - hpx * 3, 0, hpx * 3, header, LAYOUT_FONT_REGULAR, hpx, 0xFFFFFF, "17:05");

    int top = header + 2 * pad;
    int img_w, img_h, tx, tw;
    if (portrait) {
        img_w = w - 2 * pad;
        img_h = img_w * 9 / 16;
        tx = pad;
        tw = w - 2 * pad;
    } else {
        img_w = w * 35 / 100;
        img_h = h / 2;
        tx = pad + img_w + pad;
        tw = w - tx - pad;
    }
    dl_image(l, pad, top, img_w, img_h, 0);
    int y = portrait ? top + img_h + pad : top;
    int tpx = s * 64 / 1080, bpx = s * 44 / 1080, lh = bpx * 140 / 100;
    dl_text(l, tx, y, tw, tpx * 13 / 10, LAYOUT_FONT_BOLD, tpx, 0x1B1B1B, title);
    y += tpx * 13 / 10 + pad / 2;
    static const char *const body[] = {
        "\xC3\x84pfel, \xC3\x96l und \xC3\x9C"
        "bungen: hei\xC3\x9F, s\xC3\xBC\xC3\x9F, gesund.",
        "Stra\xC3\x9F"
        "e, Gr\xC3\xB6\xC3\x9F"
        "e, Ma\xC3\x9F \xE2\x80\x93 \xE1\xBA\x9E und \xC3\x9F",
        /* Skin tone and emoji selector vanish: same pixels as without. */
        "Bleiben Sie gesund \xF0\x9F\x98\x80 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xF0\x9F\x8C\xBB "
        "\xE2\x9D\xA4\xEF\xB8\x8F",
        "Ohne Glyphe: [\xCD\xB8] [\xEE\x80\x80] [\xF1\x9F\xBF\xBF]",
    };
    for (size_t i = 0; i < sizeof body / sizeof body[0]; i++) {
        dl_text(l, tx, y, tw, lh, LAYOUT_FONT_REGULAR, bpx, 0x1B1B1B, body[i]);
        y += lh;
    }
    int mpx = s * 32 / 1080;
    dl_text(l, tx, y + pad / 2, tw, mpx * 14 / 10, LAYOUT_FONT_REGULAR, mpx, 0x6B6B6B,
            "Quelle: Gesundheitsamt \xC2\xB7 heute 09:30");
    int qr = s * 260 / 1080;
    dl_qr(l, w - pad - qr, h - pad - qr, qr, qr);
    dl_rect(l, pad, h - pad - s * 12 / 1080, w / 3, s * 12 / 1080, 0xE07A5F);
}

static struct render *open_headless(int w, int h, int rotate)
{
    struct render_opts opts = {.width = w, .height = h, .headless = true, .rotate = rotate};
    struct sg_err err = {0};
    struct render *r = render_new(&opts, &err);
    CHECK_MSG(r != NULL, "%dx%d rotate %d: %s", w, h, rotate, err.msg);
    return r;
}

static SDL_Surface *test_image(void)
{
    size_t len = 0;
    unsigned char *png = testimg_png(320, 200, &len);
    CHECK(png != NULL);
    if (!png)
        return NULL;
    struct sg_err err = {0};
    SDL_Surface *s = media_decode(png, len, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    free(png);
    return s;
}

static const char *const card_link = "https://praxis-mueller.example/tipps/winter?src=signet";

/* Draws the test card on an output of w x h turned by rotate and checks it
 * against golden NAME. */
static void golden_card(const char *name, int w, int h, int rotate, SDL_Surface *img)
{
    struct render *r = open_headless(w, h, rotate);
    if (!r)
        return;
    int lw, lh;
    render_logical_size(r, &lw, &lh);
    struct layout_list l;
    dl_init(&l);
    build_card(&l, lw, lh,
               "Gr\xC3\xBC\xC3\x9F"
               "e aus der Praxis! \xF0\x9F\x91\x8B");
    struct sg_err err = {0};
    struct render_card *card = render_card_new(r, &l, &img, 1, card_link, &err);
    CHECK_MSG(card != NULL, "%s: %s", name, err.msg);
    bool drew = false;
    if (card) {
        CHECK_MSG(render_present(r, NULL, card, 255, &drew, &err), "%s", err.msg);
        CHECK(drew);
        check_golden(r, name);
    }
    struct sg_err ferr = {0};
    CHECK(!fonts_take_error(render_fonts(r), &ferr));
    render_card_free(card);
    dl_finish(&l);
    render_free(r);
}

/* Rotates s clockwise by deg (0, 90, 180, 270) into a new RGBA32 surface. */
static SDL_Surface *turn(SDL_Surface *in, int deg)
{
    SDL_Surface *s = SDL_ConvertSurfaceFormat(in, SDL_PIXELFORMAT_RGBA32, 0);
    if (!s)
        return NULL;
    bool swap = deg == 90 || deg == 270;
    int ow = swap ? s->h : s->w, oh = swap ? s->w : s->h;
    SDL_Surface *o = SDL_CreateRGBSurfaceWithFormat(0, ow, oh, 32, SDL_PIXELFORMAT_RGBA32);
    if (!o) {
        SDL_FreeSurface(s);
        return NULL;
    }
    for (int dy = 0; dy < oh; dy++) {
        Uint32 *d = (Uint32 *)((Uint8 *)o->pixels + (size_t)dy * o->pitch);
        for (int dx = 0; dx < ow; dx++) {
            int sx, sy;
            switch (deg) {
            case 90:
                sx = dy;
                sy = s->h - 1 - dx;
                break;
            case 180:
                sx = s->w - 1 - dx;
                sy = s->h - 1 - dy;
                break;
            case 270:
                sx = s->w - 1 - dy;
                sy = dx;
                break;
            default:
                sx = dx;
                sy = dy;
                break;
            }
            d[dx] = ((Uint32 *)((Uint8 *)s->pixels + (size_t)sy * s->pitch))[sx];
        }
    }
    SDL_FreeSurface(s);
    return o;
}

/* A turned output must show exactly the upright card, turned. */
static void check_rotation(const char *upright, const char *turned, int deg)
{
    char a[512], b[512];
    tmp_path(a, sizeof a, upright, ".png");
    tmp_path(b, sizeof b, turned, ".png");
    SDL_Surface *sa = IMG_Load(a), *sb = IMG_Load(b);
    SDL_Surface *ta = sa ? turn(sa, deg) : NULL;
    CHECK_MSG(ta && sb, "%s / %s: %s", a, b, IMG_GetError());
    if (ta && sb) {
        struct png_compare_result res;
        char diff[512];
        tmp_path(diff, sizeof diff, turned, ".turn-diff.png");
        CHECK(png_compare_surfaces(sb, ta, diff, &res));
        CHECK_MSG(res.match, "%s vs %s turned %d: %s", turned, upright, deg, res.detail);
    }
    SDL_FreeSurface(ta);
    SDL_FreeSurface(sb);
    SDL_FreeSurface(sa);
}

static void test_goldens(void)
{
    SDL_Surface *img = test_image();
    golden_card("card_1280x720", 1280, 720, 0, img);
    golden_card("card_1080x1920", 1080, 1920, 0, img);
    /* A landscape panel mounted as portrait: the same card, turned. */
    golden_card("card_1920x1080_rot90", 1920, 1080, 90, img);
    golden_card("card_1920x1080_rot270", 1920, 1080, 270, img);
    golden_card("card_1280x720_rot180", 1280, 720, 180, img);
    SDL_FreeSurface(img);
    if (!update_golden) {
        check_rotation("card_1080x1920", "card_1920x1080_rot90", 90);
        check_rotation("card_1080x1920", "card_1920x1080_rot270", 270);
        check_rotation("card_1280x720", "card_1280x720_rot180", 180);
    }
}

static struct render_card *solid_card(struct render *r, uint32_t color)
{
    int w, h;
    render_logical_size(r, &w, &h);
    struct layout_list l;
    dl_init(&l);
    dl_rect(&l, 0, 0, w, h, color);
    struct sg_err err = {0};
    struct render_card *c = render_card_new(r, &l, NULL, 0, NULL, &err);
    CHECK_MSG(c != NULL, "%s", err.msg);
    dl_finish(&l);
    return c;
}

/* The centre pixel of a screenshot of r. */
static bool centre_pixel(struct render *r, Uint8 rgb[3])
{
    char path[512];
    tmp_path(path, sizeof path, "centre", ".png");
    struct sg_err err = {0};
    bool ok = render_screenshot_png(r, path, &err);
    CHECK_MSG(ok, "%s", err.msg);
    SDL_Surface *s = ok ? IMG_Load(path) : NULL;
    SDL_Surface *c = s ? SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB24, 0) : NULL;
    if (c) {
        const Uint8 *p = (const Uint8 *)c->pixels + (size_t)(c->h / 2) * c->pitch + 3 * (c->w / 2);
        memcpy(rgb, p, 3);
    }
    SDL_FreeSurface(c);
    SDL_FreeSurface(s);
    return c != NULL;
}

#define CHECK_RGB(px, r_, g_, b_)                                                                  \
    CHECK_MSG(abs((px)[0] - (r_)) <= 2 && abs((px)[1] - (g_)) <= 2 && abs((px)[2] - (b_)) <= 2,    \
              "got %d,%d,%d want %d,%d,%d", (px)[0], (px)[1], (px)[2], r_, g_, b_)

static void test_crossfade_and_idle(void)
{
    struct render *r = open_headless(320, 180, 0);
    if (!r)
        return;
    struct render_card *red = solid_card(r, 0xFF0000);
    struct render_card *blue = solid_card(r, 0x0000FF);
    struct sg_err err = {0};
    bool drew = false;
    Uint8 px[3];
    if (red && blue) {
        CHECK(render_present(r, red, NULL, 0, &drew, &err));
        CHECK(drew);
        CHECK(centre_pixel(r, px));
        CHECK_RGB(px, 255, 0, 0);
        /* Same frame again: nothing to do. */
        CHECK(render_present(r, red, NULL, 0, &drew, &err));
        CHECK(!drew);
        CHECK(render_present(r, red, blue, 0, &drew, &err));
        CHECK(!drew); /* blue at alpha 0 is invisible: still the same frame */
        CHECK(render_present(r, red, blue, 64, &drew, &err));
        CHECK(drew);
        CHECK(centre_pixel(r, px));
        CHECK_RGB(px, 191, 0, 64);
        CHECK(render_present(r, red, blue, 128, &drew, &err));
        CHECK(drew);
        CHECK(centre_pixel(r, px));
        CHECK_RGB(px, 127, 0, 128);
        CHECK(render_present(r, red, blue, 255, &drew, &err));
        CHECK(drew);
        CHECK(centre_pixel(r, px));
        CHECK_RGB(px, 0, 0, 255);
        /* A finished fade is the plain card: no redraw. */
        CHECK(render_present(r, NULL, blue, 255, &drew, &err));
        CHECK(!drew);
        render_invalidate(r);
        CHECK(render_present(r, NULL, blue, 255, &drew, &err));
        CHECK(drew);
        /* Fade from black. */
        CHECK(render_present(r, NULL, red, 128, &drew, &err));
        CHECK(centre_pixel(r, px));
        CHECK_RGB(px, 128, 0, 0);
    }
    /* Freeing the shown card forgets the frame: the next present draws. */
    render_card_free(red);
    CHECK(render_present(r, NULL, blue, 255, &drew, &err));
    CHECK(drew);
    render_card_free(blue);
    CHECK(render_present(r, NULL, NULL, 255, &drew, &err));
    CHECK(drew);
    CHECK(centre_pixel(r, px));
    CHECK_RGB(px, 0, 0, 0);
    CHECK_MSG(!err.set, "%s", err.msg);
    render_free(r);
}

/* A mid-fade frame between two real cards, for the eye and as a golden. */
static void test_crossfade_golden(void)
{
    struct render *r = open_headless(1280, 720, 0);
    if (!r)
        return;
    SDL_Surface *img = test_image();
    struct layout_list a, b;
    dl_init(&a);
    dl_init(&b);
    build_card(&a, 1280, 720, "Erste Karte");
    build_card(&b, 1280, 720, "Zweite Karte \xE2\x98\x95");
    struct sg_err err = {0};
    struct render_card *ca = render_card_new(r, &a, &img, 1, card_link, &err);
    struct render_card *cb = render_card_new(r, &b, NULL, 0, NULL, &err);
    CHECK_MSG(ca && cb, "%s", err.msg);
    bool drew;
    if (ca && cb) {
        CHECK(render_present(r, ca, cb, 96, &drew, &err));
        check_golden(r, "crossfade_1280x720");
    }
    render_card_free(cb);
    render_card_free(ca);
    dl_finish(&b);
    dl_finish(&a);
    SDL_FreeSurface(img);
    render_free(r);
}

/* True when dir holds a file whose path starts with prefix (temp files are
 * named path.tmp-XXXXXX). */
static bool leftover_with_prefix(const char *dir, const char *prefix)
{
    const char *base = strrchr(prefix, '/');
    base = base ? base + 1 : prefix;
    DIR *d = opendir(dir);
    bool found = false;
    for (struct dirent *de; d && (de = readdir(d)) && !found;)
        found = strncmp(de->d_name, base, strlen(base)) == 0;
    if (d)
        closedir(d);
    return found;
}

static void test_screenshot_atomic(void)
{
    struct render *r = open_headless(64, 32, 0);
    if (!r)
        return;
    struct render_card *c = solid_card(r, 0x00FF00);
    char path[512], tmp[512];
    tmp_path(path, sizeof path, "atomic", ".png");
    tmp_path(tmp, sizeof tmp, "atomic", ".png.tmp");
    struct sg_err err = {0};
    bool drew;
    CHECK(render_present(r, NULL, c, 255, &drew, &err));
    remove(path);
    CHECK_MSG(render_screenshot_png(r, path, &err), "%s", err.msg);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 0);
    CHECK_MSG(!leftover_with_prefix(SIGNET_RENDER_TMP, tmp), "temporary file left beside %s", path);
    SDL_Surface *s = IMG_Load(path);
    CHECK(s && s->w == 64 && s->h == 32);
    SDL_FreeSurface(s);
    /* A folder that does not exist: an error, and nothing left behind. */
    sg_err_clear(&err);
    CHECK(!render_screenshot_png(r, SIGNET_RENDER_TMP "/no/such/dir/x.png", &err));
    CHECK(err.set);
    render_card_free(c);
    render_free(r);
}

static void test_bad_input(void)
{
    struct sg_err err = {0};
    struct render_opts opts = {.width = 100, .height = 100, .headless = true, .rotate = 45};
    CHECK(render_new(&opts, &err) == NULL);
    CHECK(strstr(err.msg, "rotate") != NULL);
    sg_err_clear(&err);
    opts.rotate = 0;
    opts.width = RENDER_MAX_SIDE + 1;
    CHECK(render_new(&opts, &err) == NULL);
    CHECK(err.set);
    render_free(NULL);
    render_card_free(NULL);

    /* Ops that point outside their list or at missing media do no harm. */
    struct render *r = open_headless(200, 100, 0);
    if (!r)
        return;
    struct layout_list l;
    dl_init(&l);
    dl_image(&l, 0, 0, 50, 50, 3); /* no such media */
    dl_image(&l, 0, 0, 50, 50, -1);
    dl_qr(&l, 150, 50, 8, 8); /* too small for one pixel per module: left out */
    dl_text(&l, 0, 0, 100, 20, LAYOUT_FONT_REGULAR, 12, 0, "\xCC\x81"); /* a lone accent */
    dl_text(&l, 0, 0, 100, 20, LAYOUT_FONT_REGULAR, 12, 0, "   ");
    dl_text(&l, 0, 0, 100, 20, LAYOUT_FONT_REGULAR, 12, 0, "\xEF\xB8\x8F"); /* nothing left */
    dl_text(&l, 0, 0, 100, 20, LAYOUT_FONT_REGULAR, 12, 0, "ok");
    sg_err_clear(&err);
    struct render_card *c = render_card_new(r, &l, NULL, 0, card_link, &err);
    CHECK_MSG(c != NULL, "%s", err.msg);
    render_card_free(c);
    l.ops[l.nops - 1].text_len = 1000; /* beyond the text */
    sg_err_clear(&err);
    c = render_card_new(r, &l, NULL, 0, card_link, &err);
    CHECK(c == NULL);
    CHECK(err.set);
    render_card_free(c);
    dl_finish(&l);
    render_free(r);
}

/* The window backend, on whatever video driver the environment names
 * (offscreen in ctest). Skipped, not failed, where no driver works. */
static void test_window_backend(void)
{
    struct render_opts opts = {.width = 320, .height = 240, .software = true, .rotate = 90};
    struct sg_err err = {0};
    struct render *r = render_new(&opts, &err);
    if (!r) {
        printf("window backend skipped: %s\n", err.msg);
        return;
    }
    printf("window backend: %s\n", render_describe(r));
    int w, h;
    render_logical_size(r, &w, &h);
    CHECK_INT(w, 240);
    CHECK_INT(h, 320);
    struct render_card *c = solid_card(r, 0x336699);
    bool drew;
    CHECK(render_present(r, NULL, c, 255, &drew, &err));
    Uint8 px[3];
    CHECK(centre_pixel(r, px));
    CHECK_RGB(px, 0x33, 0x66, 0x99);
    render_card_free(c);
    render_free(r);
}

int main(void)
{
    const char *u = getenv("SIGNET_UPDATE_GOLDEN");
    update_golden = u && strcmp(u, "1") == 0;
    mkdir(SIGNET_RENDER_TMP, 0755);
    test_goldens();
    test_crossfade_golden();
    test_crossfade_and_idle();
    test_screenshot_atomic();
    test_bad_input();
    test_window_backend();
    return check_done("test_render");
}
