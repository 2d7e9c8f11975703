/* Card layout with fake font metrics: wrapping, size selection, overflow,
 * every card kind in landscape and portrait, and golden display lists.
 *
 * Golden files live in tests/data/layout/, one .txt per card. After an intended layout
 * change, regenerate them and review the diff before committing:
 *     SIGNET_UPDATE_GOLDEN=1 ./build/tests/test_layout
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "layout.h"
#include "sgtime.h"
#include "text.h"

/* ---- fake fonts ---- */

struct fake_font {
    bool no_emoji; /* has_glyph rejects pictographs */
};

static bool is_emoji(uint32_t cp)
{
    return cp >= 0x1F000 || (cp >= 0x2600 && cp <= 0x27BF);
}

/* Width in thousandths of px per code point: narrow space, wide W/M, square
 * emoji, 0.55 em for the rest (0.60 in bold). Deterministic, so goldens are. */
static int fake_measure(void *ctx, enum layout_font font, int px, const char *s, size_t len)
{
    (void)ctx;
    long long total = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = '?';
        size_t n = text_utf8_next(s + i, len - i, &cp);
        n = n ? n : 1;
        int k = font == LAYOUT_FONT_BOLD ? 600 : 550;
        if (cp == ' ')
            k = 300;
        else if (cp == 'W' || cp == 'M' || cp == 'w' || cp == 'm')
            k = 850;
        else if (is_emoji(cp))
            k = 1000;
        else if (text_is_extend(cp))
            k = 0;
        total += (long long)k * px;
        i += n;
    }
    return (int)((total + 999) / 1000);
}

static bool fake_glyph(void *ctx, uint32_t cp)
{
    const struct fake_font *f = ctx;
    return !(f && f->no_emoji && is_emoji(cp));
}

/* ---- fixtures ---- */

/* Monday, 23 November 2026, 14:05 in Berlin (13:05 UTC). Local time is
 * filled in by hand so the goldens do not depend on the machine's zone data. */
static int64_t fixed_now(void)
{
    int64_t t = 0;
    bool ok = sgtime_parse_rfc3339("2026-11-23T13:05:00Z", &t);
    CHECK(ok);
    return t;
}

static struct layout_input input(const struct layout_theme *theme, const struct feed_item *item,
                                 int w, int h, struct fake_font *font)
{
    struct layout_input in = {
        .item = item,
        .clinic = "Praxis Dr. Müller & Kollegen",
        .now = fixed_now(),
        .local = {.year = 2026,
                  .month = 11,
                  .day = 23,
                  .weekday = 1,
                  .hour = 14,
                  .minute = 5,
                  .days = sgtime_days_from_civil(2026, 11, 23)},
        .width = w,
        .height = h,
        .theme = theme,
        .measure = fake_measure,
        .has_glyph = fake_glyph,
        .ctx = font,
    };
    return in;
}

static struct feed_item post(const char *title, const char *body)
{
    struct feed_item it = {.id = "p1",
                           .rev = 1,
                           .kind = FEED_KIND_POST,
                           .title = (char *)title,
                           .body = (char *)body,
                           .author = "Dr. Anna Weber",
                           .source = "Praxisblog",
                           .published = fixed_now() - 5 * 60};
    return it;
}

static struct feed_item tip(const char *title, const char *body)
{
    struct feed_item it = {
        .id = "t1", .rev = 1, .kind = FEED_KIND_TIP, .title = (char *)title, .body = (char *)body};
    return it;
}

static int scaled(int base, int w, int h)
{
    int side = w < h ? w : h;
    int v = (int)(base * (side / 1080.0) + 0.5);
    return v < 1 ? 1 : v;
}

/* ---- inspecting a list ---- */

static void op_text(const struct layout_list *l, size_t i, char *buf, size_t cap)
{
    size_t n = l->ops[i].text_len < cap - 1 ? l->ops[i].text_len : cap - 1;
    memcpy(buf, l->text + l->ops[i].text_off, n);
    buf[n] = '\0';
}

/* Index of the first TEXT op containing needle, or -1. */
static long find_text(const struct layout_list *l, const char *needle)
{
    char buf[4096];
    for (size_t i = 0; i < l->nops; i++) {
        if (l->ops[i].kind != LAYOUT_OP_TEXT)
            continue;
        op_text(l, i, buf, sizeof buf);
        if (strstr(buf, needle))
            return (long)i;
    }
    return -1;
}

static long find_kind(const struct layout_list *l, enum layout_op_kind kind)
{
    for (size_t i = 0; i < l->nops; i++)
        if (l->ops[i].kind == kind)
            return (long)i;
    return -1;
}

/* Joins the body lines (TEXT ops at the body size in the given font): with
 * "\n" between lines, so tests can compare against the source text. */
static void body_lines(const struct layout_list *l, enum layout_font font, int px, char *out,
                       size_t cap)
{
    char buf[1024];
    out[0] = '\0';
    for (size_t i = 0; i < l->nops; i++) {
        const struct layout_op *op = &l->ops[i];
        if (op->kind != LAYOUT_OP_TEXT || op->font != font || op->px != px)
            continue;
        op_text(l, i, buf, sizeof buf);
        if (out[0])
            strncat(out, "\n", cap - strlen(out) - 1);
        strncat(out, buf, cap - strlen(out) - 1);
    }
}

/* What every list must satisfy, whatever the card. */
static void check_invariants(const struct layout_list *l, const struct layout_input *in,
                             const char *name)
{
    CHECK_MSG(l->nops > 0, "%s: empty list", name);
    for (size_t i = 0; i < l->nops; i++) {
        const struct layout_op *op = &l->ops[i];
        CHECK_MSG(op->x >= 0 && op->y >= 0 && op->w >= 0 && op->h >= 0 &&
                      op->x + op->w <= in->width && op->y + op->h <= in->height,
                  "%s: op %zu off screen: %d,%d %dx%d", name, i, op->x, op->y, op->w, op->h);
        CHECK_MSG(op->color <= 0xFFFFFF, "%s: op %zu colour", name, i);
        if (op->kind != LAYOUT_OP_TEXT)
            continue;
        CHECK_MSG(op->text_off + op->text_len <= l->text_len, "%s: op %zu text range", name, i);
        const char *s = l->text + op->text_off;
        char buf[1024];
        op_text(l, i, buf, sizeof buf);
        CHECK_MSG(op->text_len > 0 && text_utf8_valid(s, op->text_len), "%s: op %zu utf-8", name,
                  i);
        CHECK_MSG(!strchr(buf, '\n') && !strstr(buf, "\xC2\xAD") && !strstr(buf, "\xC2\xA0"),
                  "%s: op %zu undrawable: \"%s\"", name, i, buf);
        CHECK_MSG(op->w == fake_measure(NULL, op->font, op->px, s, op->text_len),
                  "%s: op %zu width %d", name, i, op->w);
        CHECK_MSG(op->px > 0 && op->h >= op->px, "%s: op %zu size", name, i);
    }
}

static bool lay(const struct layout_input *in, struct layout_list *l, const char *name)
{
    bool ok = layout_card(in, l);
    CHECK_MSG(ok, "%s: layout_card failed", name);
    if (ok)
        check_invariants(l, in, name);
    return ok;
}

/* ---- wrapping ---- */

/* Removes a trailing "-" that the wrapper added and joins lines. */
static void unwrap(const char *lines, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; lines[i] && j + 1 < cap; i++) {
        if (lines[i] == '-' && lines[i + 1] == '\n') {
            i++;
            continue;
        }
        if (lines[i] == '\n')
            continue;
        out[j++] = lines[i];
    }
    out[j] = '\0';
}

static void test_long_compounds(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    th.body_sizes[0] = 96;
    th.nbody_sizes = 1;
    static const struct {
        const char *body;
        const char *joined; /* lines, generated hyphens removed, concatenated */
        const char *first;  /* expected first line, or NULL */
    } cases[] = {
        /* no hyphen: cut between code points, '-' appended */
        {"Donaudampfschifffahrtsgesellschaftskapitän", "Donaudampfschifffahrtsgesellschaftskapitän",
         NULL},
        {"Grippeschutzimpfungsempfehlung", "Grippeschutzimpfungsempfehlung", NULL},
        /* multi-byte characters at every position: never split */
        {"ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüß", "ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüß", NULL},
        {"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", NULL},
        /* an existing hyphen is preferred: no extra '-' */
        {"Grippeschutz-Impfungsempfehlungsschreiben", "GrippeschutzImpfungsempfehlungsschreiben",
         "Grippeschutz-"}, /* (unwrap() cannot tell the kept '-' from an added one) */
        /* soft hyphens are break points, drawn as '-' only at a break */
        {"Grippe\xC2\xADschutz\xC2\xADimpfungs\xC2\xAD"
         "empfehlung",
         "Grippeschutzimpfungsempfehlung", "Grippeschutz-"},
    };
    int w = 480, h = 800, px = scaled(96, w, h);
    int right = w - scaled(56, w, h);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feed_item it = tip(NULL, cases[i].body);
        struct layout_input in = input(&th, &it, w, h, NULL);
        struct layout_list l;
        layout_list_init(&l);
        char name[32], lines[2048], joined[2048];
        snprintf(name, sizeof name, "compound %zu", i);
        if (lay(&in, &l, name)) {
            CHECK_INT(l.body_px, px);
            body_lines(&l, LAYOUT_FONT_REGULAR, px, lines, sizeof lines);
            CHECK_MSG(strchr(lines, '\n'), "%s: not broken: %s", name, lines);
            CHECK_MSG(!strstr(lines, "--"), "%s: double hyphen: %s", name, lines);
            unwrap(lines, joined, sizeof joined);
            CHECK_MSG(strcmp(joined, cases[i].joined) == 0, "%s: %s", name, joined);
            if (cases[i].first)
                CHECK_MSG(strncmp(lines, cases[i].first, strlen(cases[i].first)) == 0 &&
                              lines[strlen(cases[i].first)] == '\n',
                          "%s: first line of %s", name, lines);
            for (size_t k = 0; k < l.nops; k++)
                if (l.ops[k].kind == LAYOUT_OP_TEXT)
                    CHECK_MSG(l.ops[k].x + l.ops[k].w <= right, "%s: op %zu too wide", name, k);
        }
        layout_list_finish(&l);
    }
}

static void test_german_wrap(void)
{
    const char *body = "Bitte denken Sie an Ihre Grippeschutzimpfung. Die Ständige "
                       "Impfkommission empfiehlt sie für alle über 60 Jahre. Größe, Maß und "
                       "Gewicht messen wir gern. Öffnungszeiten: Mo–Fr 8–12 Uhr.";
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {1080, 1920}};
    struct layout_theme th;
    layout_theme_default(&th);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct feed_item it = post(NULL, body);
        struct layout_input in = input(&th, &it, sizes[i][0], sizes[i][1], NULL);
        struct layout_list l;
        layout_list_init(&l);
        char name[32], lines[4096];
        snprintf(name, sizeof name, "german %dx%d", sizes[i][0], sizes[i][1]);
        if (lay(&in, &l, name)) {
            CHECK_MSG(l.fits, "%s", name);
            body_lines(&l, LAYOUT_FONT_REGULAR, l.body_px, lines, sizeof lines);
            CHECK_MSG(strchr(lines, '\n'), "%s: one line", name);
            /* Only spaces were used as breaks: lines joined by spaces give the text. */
            for (char *p = lines; *p; p++)
                *p = *p == '\n' ? ' ' : *p;
            CHECK_MSG(strcmp(lines, body) == 0, "%s: %s", name, lines);
        }
        layout_list_finish(&l);
    }
}

static void test_paragraphs(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    struct feed_item it = post(NULL, "Erster Absatz.\n\nZweiter Absatz.\nDritte Zeile.");
    struct layout_input in = input(&th, &it, 1920, 1080, NULL);
    struct layout_list l;
    layout_list_init(&l);
    if (lay(&in, &l, "paragraphs")) {
        long a = find_text(&l, "Erster"), b = find_text(&l, "Zweiter"), c = find_text(&l, "Dritte");
        CHECK(a >= 0 && b > a && c > b);
        if (a >= 0 && b > a && c > b) {
            int lh = l.ops[a].h;
            CHECK_INT(l.ops[b].y - l.ops[a].y, 2 * lh); /* one blank line */
            CHECK_INT(l.ops[c].y - l.ops[b].y, lh);
        }
    }
    layout_list_finish(&l);
}

/* ---- size selection and overflow ---- */

static char *words(int n)
{
    static const char *const w[] = {"Gesundheit", "ist",      "das",   "höchste", "Gut",
                                    "und",        "Vorsorge", "lohnt", "sich",    "immer."};
    char *s = malloc((size_t)n * 12 + 1);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, w[i % 10]);
    }
    return s;
}

static void test_size_selection(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    th.body_sizes[0] = 96;
    th.body_sizes[1] = 48;
    th.nbody_sizes = 2;
    /* 1920x1080 with no media: the text box is about 1808 x 790 px. At 96 px a
     * line holds ~33 characters and 6 lines; at 48 px ~67 characters, 13 lines. */
    static const struct {
        int nwords;
        int px;
        bool fits;
    } cases[] = {{3, 96, true}, {20, 96, true}, {60, 48, true}, {400, 48, false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = words(cases[i].nwords);
        CHECK(body);
        if (!body)
            continue;
        struct feed_item it = tip(NULL, body);
        struct layout_input in = input(&th, &it, 1920, 1080, NULL);
        struct layout_list l;
        layout_list_init(&l);
        char name[32];
        snprintf(name, sizeof name, "size %d words", cases[i].nwords);
        if (lay(&in, &l, name)) {
            CHECK_MSG(l.body_px == cases[i].px, "%s: px %d", name, l.body_px);
            CHECK_MSG(l.fits == cases[i].fits, "%s", name);
        }
        layout_list_finish(&l);
        free(body);
    }

    /* With the default sizes, more text never gets a larger size, and the
     * chosen size is always one of the theme's. */
    layout_theme_default(&th);
    int prev = 1 << 30;
    for (int n = 1; n <= 300; n += 7) {
        char *body = words(n);
        if (!body)
            break;
        struct feed_item it = post("Vorsorge", body);
        struct layout_input in = input(&th, &it, 1280, 720, NULL);
        struct layout_list l;
        layout_list_init(&l);
        if (lay(&in, &l, "monotonic")) {
            CHECK_MSG(l.body_px <= prev, "%d words: %d > %d", n, l.body_px, prev);
            bool listed = false;
            for (int k = 0; k < th.nbody_sizes; k++)
                listed |= l.body_px == scaled(th.body_sizes[k], 1280, 720);
            CHECK_MSG(listed, "%d words: px %d", n, l.body_px);
            prev = l.body_px;
        }
        layout_list_finish(&l);
        free(body);
    }
}

static void test_overflow(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    char *body = words(2000);
    CHECK(body);
    if (!body)
        return;
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {1080, 1920}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        struct feed_item it = post("Ein sehr langer Beitrag", body);
        it.link = "https://example.org/lang";
        struct layout_input in = input(&th, &it, w, h, NULL);
        struct layout_list l;
        layout_list_init(&l);
        char name[32];
        snprintf(name, sizeof name, "overflow %dx%d", w, h);
        if (lay(&in, &l, name)) {
            CHECK_MSG(!l.fits, "%s", name);
            CHECK_INT(l.body_px, scaled(36, w, h));
            long last = -1;
            for (size_t k = 0; k < l.nops; k++)
                if (l.ops[k].kind == LAYOUT_OP_TEXT && l.ops[k].px == l.body_px)
                    last = (long)k;
            CHECK(last >= 0);
            if (last >= 0) {
                char buf[1024];
                op_text(&l, (size_t)last, buf, sizeof buf);
                size_t n = strlen(buf);
                CHECK_MSG(n >= 3 && strcmp(buf + n - 3, "…") == 0, "%s: last \"%s\"", name, buf);
                CHECK(l.ops[last].y + l.ops[last].h <= h - scaled(56, w, h));
            }
            CHECK(find_text(&l, "…") == last);
            /* The QR code still gets its place. */
            CHECK(find_kind(&l, LAYOUT_OP_QR) >= 0);
        }
        layout_list_finish(&l);
    }
    free(body);
}

/* ---- card kinds ---- */

static void test_header(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {1080, 1920}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct feed_item it = tip("Trinken", "Zwei Liter am Tag.");
        struct layout_input in = input(&th, &it, sizes[i][0], sizes[i][1], NULL);
        struct layout_list l;
        layout_list_init(&l);
        if (lay(&in, &l, "header")) {
            long clinic = find_text(&l, "Praxis Dr. Müller"), clock = find_text(&l, "14:05");
            long date = find_text(&l, "Montag, 23. November 2026");
            CHECK(clinic >= 0 && clock >= 0 && date >= 0);
            if (clinic >= 0 && clock >= 0 && date >= 0) {
                /* Portrait: the date moves to a second row to leave the name whole. */
                if (sizes[i][1] > sizes[i][0])
                    CHECK(l.ops[clinic].x == l.ops[date].x && l.ops[date].y > l.ops[clinic].y);
                else
                    CHECK(l.ops[clinic].x < l.ops[date].x && l.ops[date].x < l.ops[clock].x);
                CHECK(l.ops[clinic].y == l.ops[clock].y);
                CHECK(l.ops[clock].y + l.ops[clock].h <= scaled(112, sizes[i][0], sizes[i][1]));
                CHECK(find_text(&l, "…") < 0);
                CHECK_INT(l.ops[clock].color, th.header_text);
            }
        }
        layout_list_finish(&l);
    }

    /* A clinic name longer than its room is cut with "…"; no clinic, no text. */
    struct feed_item it = tip(NULL, "Kurz.");
    struct layout_input in = input(&th, &it, 1080, 1920, NULL);
    in.clinic = "Gemeinschaftspraxis für Allgemeinmedizin, Innere Medizin und Naturheilverfahren "
                "am Marktplatz";
    struct layout_list l;
    layout_list_init(&l);
    if (lay(&in, &l, "long clinic")) {
        long k = find_text(&l, "Gemeinschaftspraxis");
        CHECK(k >= 0 && find_text(&l, "…") == k);
    }
    in.clinic = NULL;
    if (lay(&in, &l, "no clinic"))
        CHECK(find_text(&l, "Praxis") < 0 && find_text(&l, "14:05") >= 0);
    layout_list_finish(&l);
}

static void test_idle(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {1080, 1920}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        struct layout_input in = input(&th, NULL, w, h, NULL);
        struct layout_list l;
        layout_list_init(&l);
        if (lay(&in, &l, "idle")) {
            CHECK(l.fits);
            int big = scaled(260, w, h);
            bool clock = false;
            for (size_t k = 0; k < l.nops; k++) {
                char buf[64];
                if (l.ops[k].kind != LAYOUT_OP_TEXT || l.ops[k].px != big)
                    continue;
                op_text(&l, k, buf, sizeof buf);
                clock = strcmp(buf, "14:05") == 0;
                /* centred */
                CHECK(abs(l.ops[k].x * 2 + l.ops[k].w - w) <= 1);
            }
            CHECK_MSG(clock, "idle %dx%d: no big clock", w, h);
            CHECK(find_kind(&l, LAYOUT_OP_IMAGE) < 0 && find_kind(&l, LAYOUT_OP_QR) < 0);
        }
        layout_list_finish(&l);
    }
}

static void test_relative_time(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    static const struct {
        int64_t age; /* seconds before 2026-11-23 14:05 Berlin */
        const char *want;
    } cases[] = {
        {10, "gerade eben"},
        {-300, "gerade eben"}, /* clock skew: never "vor -5 Minuten" */
        {60, "vor 1 Minute"},
        {5 * 60, "vor 5 Minuten"},
        {59 * 60, "vor 59 Minuten"},
        {3600, "vor 1 Stunde"},
        {2 * 3600, "vor 2 Stunden"},
        {14 * 3600, "vor 14 Stunden"},               /* 00:05 today */
        {14 * 3600 + 10 * 60, "gestern"},            /* 23:55 yesterday */
        {(24 + 14) * 3600 + 10 * 60, "vor 2 Tagen"}, /* 23:55 two days ago */
        {3 * 86400, "vor 3 Tagen"},
        {45 * 86400, "am 9. Oktober 2026"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feed_item it = post(NULL, "Text");
        it.published = fixed_now() - cases[i].age;
        struct layout_input in = input(&th, &it, 1920, 1080, NULL);
        struct layout_list l;
        layout_list_init(&l);
        if (lay(&in, &l, "relative")) {
            long k = find_text(&l, cases[i].want);
            CHECK_MSG(k >= 0, "case %zu: no \"%s\"", i, cases[i].want);
            if (k >= 0)
                CHECK_INT(l.ops[k].color, th.muted);
        }
        layout_list_finish(&l);
    }
}

static void test_post(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {1080, 1920}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        bool portrait = h > w;
        struct feed_item it = post("Neue Sprechzeiten", "Ab Dezember sind wir auch "
                                                        "mittwochs nachmittags für Sie da.");
        it.link = "https://praxis.example/sprechzeiten";
        it.nmedia = 1;
        struct layout_input in = input(&th, &it, w, h, NULL);
        in.image_w = 1600;
        in.image_h = 900;
        struct layout_list l;
        layout_list_init(&l);
        char name[32];
        snprintf(name, sizeof name, "post %dx%d", w, h);
        if (!lay(&in, &l, name)) {
            layout_list_finish(&l);
            continue;
        }
        long author = find_text(&l, "Dr. Anna Weber"), meta = find_text(&l, "Praxisblog");
        long title = find_text(&l, "Neue Sprechzeiten"), body = find_text(&l, "Ab Dezember");
        long image = find_kind(&l, LAYOUT_OP_IMAGE), qr = find_kind(&l, LAYOUT_OP_QR);
        CHECK_MSG(author >= 0 && meta >= 0 && title >= 0 && body >= 0 && image >= 0 && qr >= 0,
                  "%s: missing parts", name);
        if (author < 0 || meta < 0 || title < 0 || body < 0 || image < 0 || qr < 0) {
            layout_list_finish(&l);
            continue;
        }
        CHECK(l.fits);
        CHECK_INT(l.ops[author].font, LAYOUT_FONT_BOLD);
        CHECK_INT(l.ops[meta].color, th.muted);
        CHECK(find_text(&l, "vor 5 Minuten") == meta);
        CHECK_INT(l.ops[title].font, LAYOUT_FONT_BOLD);
        CHECK_INT(l.ops[body].font, LAYOUT_FONT_REGULAR);
        CHECK(l.ops[title].y < l.ops[body].y);
        const struct layout_op *im = &l.ops[image], *q = &l.ops[qr];
        CHECK_INT(im->media, 0);
        CHECK_INT(q->w, q->h);
        /* the image keeps its 16:9 aspect */
        CHECK(abs(im->w * 9 - im->h * 16) <= 16);
        /* a white quiet zone behind the code */
        CHECK(qr > 0 && l.ops[qr - 1].kind == LAYOUT_OP_RECT && l.ops[qr - 1].color == 0xFFFFFF);
        int text_right = 0, text_bottom = 0;
        for (size_t k = (size_t)title; k < l.nops; k++)
            if (l.ops[k].kind == LAYOUT_OP_TEXT) {
                int r = l.ops[k].x + l.ops[k].w, b = l.ops[k].y + l.ops[k].h;
                text_right = r > text_right ? r : text_right;
                text_bottom = b > text_bottom ? b : text_bottom;
            }
        if (portrait) {
            CHECK_MSG(im->y + im->h <= l.ops[title].y, "%s: image not above text", name);
            CHECK_MSG(q->y >= text_bottom, "%s: QR not below text", name);
        } else {
            CHECK_MSG(im->x >= text_right && q->x >= text_right, "%s: media not right", name);
            CHECK_MSG(q->y >= im->y + im->h, "%s: QR not under image", name);
        }
        layout_list_finish(&l);
    }

    /* No https link, no code; no image size, no image box. */
    struct feed_item it = post(NULL, "Text");
    it.link = "http://praxis.example/";
    it.nmedia = 1;
    struct layout_input in = input(&th, &it, 1920, 1080, NULL);
    struct layout_list l;
    layout_list_init(&l);
    if (lay(&in, &l, "plain post"))
        CHECK(find_kind(&l, LAYOUT_OP_QR) < 0 && find_kind(&l, LAYOUT_OP_IMAGE) < 0);
    it.link = "https://";
    if (lay(&in, &l, "empty https"))
        CHECK(find_kind(&l, LAYOUT_OP_QR) < 0);
    /* No author, source or date: no byline at all. */
    it.author = it.source = NULL;
    it.published = 0;
    if (lay(&in, &l, "anonymous"))
        CHECK(find_text(&l, "·") < 0 && find_text(&l, "vor") < 0);
    layout_list_finish(&l);
}

static void test_tip_and_notice(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    struct feed_item it = tip("Hände waschen", "Mindestens 20 Sekunden, mit Seife.");
    struct layout_input in = input(&th, &it, 1080, 1920, NULL);
    struct layout_list l;
    layout_list_init(&l);
    if (lay(&in, &l, "tip")) {
        bool stripe = false;
        for (size_t k = 0; k < l.nops; k++)
            stripe |= l.ops[k].kind == LAYOUT_OP_RECT && l.ops[k].color == th.accent &&
                      l.ops[k].h > 10 * l.ops[k].w;
        CHECK(stripe);
        long title = find_text(&l, "Hände waschen"), body = find_text(&l, "Mindestens");
        CHECK(title >= 0 && body >= 0);
        if (title >= 0 && body >= 0) {
            CHECK_INT(l.ops[title].font, LAYOUT_FONT_BOLD);
            CHECK(l.ops[title].px > l.ops[body].px);
            CHECK_INT(l.ops[body].px, l.body_px);
        }
    }

    it = (struct feed_item){.id = "n1",
                            .rev = 1,
                            .kind = FEED_KIND_NOTICE,
                            .title = "Praxis geschlossen",
                            .body = "Am 24. Dezember bleibt die Praxis geschlossen."};
    struct layout_input nin = input(&th, &it, 1280, 720, NULL);
    if (lay(&nin, &l, "notice")) {
        long bg = -1;
        for (size_t k = 0; k < l.nops; k++)
            if (l.ops[k].kind == LAYOUT_OP_RECT && l.ops[k].color == th.notice_background)
                bg = (long)k;
        CHECK(bg >= 0);
        long body = find_text(&l, "Dezember");
        CHECK(body > bg);
        if (body > bg) {
            CHECK_INT(l.ops[body].color, th.notice_text);
            /* larger than a post with the same text would get */
            CHECK(l.body_px > scaled(96, 1280, 720));
        }
        CHECK(find_text(&l, "Praxis geschlossen") > bg);
    }
    layout_list_finish(&l);
}

/* Untrusted text arrives sanitized: no bidi overrides, controls or glyphs
 * the fonts lack ever reach the renderer. */
static void test_sanitized(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    struct fake_font font = {.no_emoji = true};
    struct feed_item it = post("Impfen \xF0\x9F\x92\x89 schützt",
                               "Bitte\x1B[2J \xE2\x80\xAE"
                               "zurück\xE2\x80\xAC lesen \xE2\x9D\xA4\xEF\xB8\x8F\tdanke");
    it.author = "Team\n\nPraxis";
    struct layout_input in = input(&th, &it, 1280, 720, &font);
    struct layout_list l;
    layout_list_init(&l);
    if (lay(&in, &l, "sanitized")) {
        CHECK(find_text(&l, "Impfen schützt") >= 0);
        CHECK(find_text(&l, "Bitte[2J zurück lesen danke") >= 0);
        CHECK(find_text(&l, "Team Praxis") >= 0);
        CHECK(find_text(&l, "\xE2\x80\xAE") < 0 && find_text(&l, "\x1B") < 0);
        CHECK(find_text(&l, "\xEF\xB8\x8F") < 0);
    }
    /* Text that sanitizes to nothing leaves a card without a text box. */
    it.title = "\xE2\x80\xAE\xF0\x9F\x98\x80";
    it.body = "  \t ";
    if (lay(&in, &l, "empty text"))
        CHECK(l.fits);
    layout_list_finish(&l);
}

static void test_degenerate(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    struct feed_item it = post("Titel", "Text");
    struct layout_list l;
    layout_list_init(&l);
    struct layout_input in = input(&th, &it, 0, 0, NULL);
    CHECK(layout_card(&in, &l) && l.nops == 0);
    /* A tiny screen: nothing off screen, no crash, may not fit. */
    in = input(&th, &it, 120, 90, NULL);
    CHECK(lay(&in, &l, "tiny"));
    /* No theme: the default one. */
    in = input(NULL, &it, 1920, 1080, NULL);
    CHECK(lay(&in, &l, "no theme"));
    /* An empty theme still picks a size. */
    struct layout_theme empty = {0};
    in = input(&empty, &it, 1920, 1080, NULL);
    if (lay(&in, &l, "empty theme"))
        CHECK(l.body_px > 0);
    /* Absurd theme values are ignored, not overflowed. */
    struct layout_theme odd = th;
    odd.body_sizes[0] = 2000000000;
    odd.line_height_percent = 2000000000;
    in = input(&odd, &it, 1920, 1080, NULL);
    if (lay(&in, &l, "odd theme"))
        CHECK_INT(l.body_px, 88);
    /* Out-of-range local time: no clock rather than garbage. */
    in = input(&th, &it, 1920, 1080, NULL);
    in.local.month = 13;
    in.local.weekday = 0;
    if (lay(&in, &l, "bad local"))
        CHECK(find_text(&l, "14:05") < 0);
    layout_list_finish(&l);
}

/* Deterministic noise built from pieces that stress the wrapper: long
 * words, hyphens, soft hyphens, multi-byte and invalid sequences, breaks. */
static void noise(uint32_t *seed, char *out, size_t cap)
{
    static const char *const pieces[] = {"a",
                                         "Wort ",
                                         " ",
                                         "-",
                                         "\xC2\xAD",
                                         "\xC2\xA0",
                                         "\n",
                                         "\n\n\n",
                                         "ß",
                                         "Ä",
                                         "😀",
                                         "\xE2\x80\x8D",
                                         "\xCC\x81",
                                         "\xE2\x80\xAE",
                                         "\xFF",
                                         "\xC3",
                                         "\t",
                                         "WWWWMMMM",
                                         "Grippeschutzimpfungsempfehlung",
                                         "\"\\",
                                         "…"};
    size_t n = 0;
    *seed = *seed * 1103515245u + 12345u;
    size_t count = (*seed >> 16) % 400;
    for (size_t i = 0; i < count; i++) {
        *seed = *seed * 1103515245u + 12345u;
        const char *p = pieces[(*seed >> 16) % (sizeof pieces / sizeof pieces[0])];
        size_t len = strlen(p);
        if (n + len + 1 > cap)
            break;
        memcpy(out + n, p, len);
        n += len;
    }
    out[n] = '\0';
}

static void test_noise(void)
{
    struct layout_theme th;
    layout_theme_default(&th);
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {1080, 1920}, {320, 240}};
    static const enum feed_kind kinds[] = {FEED_KIND_POST, FEED_KIND_TIP, FEED_KIND_NOTICE};
    uint32_t seed = 42;
    struct layout_list l;
    layout_list_init(&l);
    for (int round = 0; round < 120; round++) {
        char title[512], body[8192], author[256];
        noise(&seed, title, sizeof title);
        noise(&seed, body, sizeof body);
        noise(&seed, author, sizeof author);
        struct feed_item it = post(title, body);
        it.kind = kinds[round % 3];
        it.author = author;
        it.link = round % 2 ? "https://x.example/" : NULL;
        it.nmedia = 1;
        const int *wh = sizes[round % 4];
        struct layout_input in = input(&th, &it, wh[0], wh[1], NULL);
        in.image_w = round % 5 ? 640 : 0;
        in.image_h = round % 7 ? 480 : 1;
        in.clinic = author;
        lay(&in, &l, "noise");
    }
    layout_list_finish(&l);
}

/* ---- goldens ---- */

static char *dump(const struct layout_list *l, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    layout_list_dump(l, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            char *p = realloc(buf, cap = *len + 65536);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[*len] = '\0'; /* the last read left room */
    return buf;
}

static void report_diff(const char *name, const char *got, const char *want, size_t want_len)
{
    size_t line = 1, i = 0, start = 0;
    while (i < want_len && got[i] && got[i] == want[i]) {
        if (got[i++] == '\n') {
            line++;
            start = i;
        }
    }
    fprintf(stderr, "%s: golden differs at line %zu\n  got:  %.*s\n  want: %.*s\n", name, line,
            (int)strcspn(got + start, "\n"), got + start,
            (int)(start < want_len ? strcspn(want + start, "\n") : 0), want + start);
}

static void golden(const char *name, const struct layout_input *in)
{
    struct layout_list l;
    layout_list_init(&l);
    char path[512];
    snprintf(path, sizeof path, "%s/layout/%s.txt", SIGNET_TEST_DATA, name);
    if (lay(in, &l, name)) {
        size_t got_len = 0, want_len = 0;
        char *got = dump(&l, &got_len);
        CHECK(got);
        const char *update = getenv("SIGNET_UPDATE_GOLDEN");
        if (got && update && strcmp(update, "1") == 0) {
            FILE *f = fopen(path, "wb");
            CHECK_MSG(f && fwrite(got, 1, got_len, f) == got_len && fclose(f) == 0,
                      "cannot write %s", path);
            printf("updated %s\n", path);
        } else if (got) {
            char *want = slurp(path, &want_len);
            CHECK_MSG(want, "missing %s (SIGNET_UPDATE_GOLDEN=1 writes it)", path);
            bool same = want && want_len == got_len && memcmp(want, got, got_len) == 0;
            CHECK_MSG(same, "%s differs from %s", name, path);
            if (want && !same)
                report_diff(name, got, want, want_len);
            free(want);
        }
        free(got);
    }
    layout_list_finish(&l);
}

static void test_goldens(void)
{
    struct layout_theme th;
    layout_theme_default(&th);

    struct feed_item p = post("Neue Sprechzeiten ab Dezember",
                              "Ab dem 1. Dezember sind wir auch mittwochs von 15 bis 18 Uhr für "
                              "Sie da. Termine gern telefonisch oder online.");
    p.link = "https://praxis-mueller.example/sprechzeiten";
    p.nmedia = 1;
    struct layout_input in = input(&th, &p, 1920, 1080, NULL);
    in.image_w = 1200;
    in.image_h = 800;
    golden("post_image_qr_1920x1080", &in);

    struct feed_item t = tip("Grippeschutz\xC2\xADimpfung",
                             "Die Ständige Impfkommission empfiehlt die jährliche Impfung "
                             "allen ab 60 Jahren, Schwangeren und chronisch Kranken.\n"
                             "Fragen Sie uns – die Impfung dauert nur wenige Minuten.");
    in = input(&th, &t, 1080, 1920, NULL);
    golden("tip_portrait_1080x1920", &in);

    struct feed_item n = {.id = "n1",
                          .rev = 1,
                          .kind = FEED_KIND_NOTICE,
                          .title = "Heute ab 12 Uhr geschlossen",
                          .body = "Wegen einer Fortbildung schließt die Praxis heute um 12 Uhr. "
                                  "In dringenden Fällen: Bereitschaftsdienst 116 117."};
    in = input(&th, &n, 1280, 720, NULL);
    golden("notice_1280x720", &in);

    in = input(&th, NULL, 1920, 1080, NULL);
    golden("idle_1920x1080", &in);

    struct feed_item e = post(NULL, "Schöne Grüße aus dem Praxisteam 👋 Wir wünschen Ihnen "
                                    "gute Besserung 💐 und einen großartigen Tag! 🌞");
    e.author = "Praxisteam";
    e.source = NULL;
    e.published = fixed_now() - 26 * 3600;
    in = input(&th, &e, 1280, 720, NULL);
    golden("post_emoji_1280x720", &in);

    char *body = words(900);
    CHECK(body);
    if (body) {
        struct feed_item o = post("Alles über Vorsorge", body);
        in = input(&th, &o, 1920, 1080, NULL);
        golden("overflow_1920x1080", &in);
        free(body);
    }
}

int main(void)
{
    test_long_compounds();
    test_german_wrap();
    test_paragraphs();
    test_size_selection();
    test_overflow();
    test_header();
    test_idle();
    test_relative_time();
    test_post();
    test_tip_and_notice();
    test_sanitized();
    test_degenerate();
    test_noise();
    test_goldens();
    return check_done("test_layout");
}
