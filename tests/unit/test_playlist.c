/* Playlist: rotation, fairness, priority notices, dwell, feed updates and a
 * clock that moves backwards. Feeds are built by hand; items have one-letter
 * ids so a run of picks reads as a string ("abcab", '-' for idle). Time is
 * stepped, never slept. */
#include <stdlib.h>

#include "check.h"
#include "playlist.h"

#define MAX_ITEMS 8
#define MIN_MS 6000 /* default dwell_min_ms: every short card dwells this long */

struct spec {
    const char *id;
    int64_t rev;
    enum feed_kind kind;
    int priority;
    const char *title;
    const char *body;
};

#define POST(id)                                                                                   \
    {                                                                                              \
        id, 1, FEED_KIND_POST, 0, "t", NULL                                                        \
    }
#define TIP(id)                                                                                    \
    {                                                                                              \
        id, 1, FEED_KIND_TIP, 0, "t", NULL                                                         \
    }
#define NOTICE(id, prio)                                                                           \
    {                                                                                              \
        id, 1, FEED_KIND_NOTICE, prio, "t", NULL                                                   \
    }
#define REV(id, rev)                                                                               \
    {                                                                                              \
        id, rev, FEED_KIND_POST, 0, "t", NULL                                                      \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, FEED_KIND_POST, 0, NULL, NULL                                                     \
    }

struct fixture {
    struct feed_item items[MAX_ITEMS];
    struct feed_doc doc;
};

/* Fills f from specs up to the END row. The strings are borrowed literals. */
static const struct feed_doc *build(struct fixture *f, const struct spec *s)
{
    memset(f, 0, sizeof(*f));
    size_t n = 0;
    while (n < MAX_ITEMS && s[n].id) {
        struct feed_item *it = &f->items[n];
        it->id = (char *)s[n].id;
        it->rev = s[n].rev;
        it->kind = s[n].kind;
        it->priority = s[n].priority;
        it->title = (char *)s[n].title;
        it->body = (char *)s[n].body;
        n++;
    }
    f->doc.major = 1;
    f->doc.version = 1;
    f->doc.nitems = n;
    f->doc.items = f->items;
    return &f->doc;
}

/* What the test flips: off['x' - 'a'] hides item "x". */
struct world {
    bool off[26];
    int calls;
};

static bool showable(void *ctx, const struct feed_doc *doc, const struct feed_item *item,
                     int64_t now_ms)
{
    struct world *w = ctx;
    (void)doc;
    (void)now_ms;
    w->calls++;
    return !w->off[item->id[0] - 'a'];
}

static void world_set(struct world *w, const char *off)
{
    memset(w->off, 0, sizeof(w->off));
    for (; *off; off++) {
        w->off[*off - 'a'] = true;
    }
}

static char letter(const struct feed_doc *doc, struct playlist_pick pick)
{
    if (pick.index < 0) {
        return '-';
    }
    if (!doc || (size_t)pick.index >= doc->nitems) {
        return '?';
    }
    return doc->items[pick.index].id[0];
}

static struct playlist_pick pick_at(struct playlist *p, struct world *w, int64_t now)
{
    return playlist_next(p, now, showable, w);
}

/* Asks at *t, then at every deadline, steps times; writes the letters to out
 * and leaves *t at the last deadline. Checks on the way that changed is set
 * exactly when the card differs from the one before (same-rev feeds only) and
 * that deadlines move forward. */
static void run(struct playlist *p, const struct feed_doc *doc, struct world *w, int64_t *t,
                int steps, char *out)
{
    char prev = '\0';
    for (int i = 0; i < steps; i++) {
        struct playlist_pick pick = pick_at(p, w, *t);
        char c = letter(doc, pick);
        out[i] = c;
        if (prev) {
            CHECK_MSG(pick.changed == (c != prev), "step %d: '%c' after '%c', changed=%d", i, c,
                      prev, pick.changed);
        }
        CHECK_MSG(pick.deadline_ms > *t, "step %d: deadline %lld not after %lld", i,
                  (long long)pick.deadline_ms, (long long)*t);
        prev = c;
        *t = pick.deadline_ms;
    }
    out[steps] = '\0';
}

static struct playlist *new_default(void)
{
    struct playlist_config cfg;
    playlist_config_default(&cfg);
    struct playlist *p = playlist_new(&cfg);
    CHECK(p != NULL);
    if (!p) {
        exit(1);
    }
    return p;
}

static void test_rotation_table(void)
{
    static const struct {
        const char *name;
        struct spec items[MAX_ITEMS];
        const char *off;
        const char *want;
    } cases[] = {
        {"feed order, three fair cycles",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         "",
         "abcdabcdabcd"},
        {"unshowable item is skipped",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         "b",
         "acdacd"},
        {"single item repeats", {POST("a"), END}, "", "aaaa"},
        {"all unshowable is idle", {POST("a"), POST("b"), END}, "ab", "---"},
        {"empty feed is idle", {END}, "", "---"},
        {"tips and priority-0 notices rotate as normal",
         {POST("a"), TIP("b"), NOTICE("n", 0), END},
         "",
         "abnabn"},
        {"priority on a post is ignored",
         {{"a", 1, FEED_KIND_POST, 5, "t", NULL}, POST("b"), END},
         "",
         "abab"},
        {"priority notice takes over", {POST("a"), NOTICE("n", 1), POST("c"), END}, "", "nnnn"},
        {"only the highest priority rotates",
         {NOTICE("m", 1), POST("a"), NOTICE("n", 2), END},
         "",
         "nnn"},
        {"same priority notices rotate fairly",
         {NOTICE("m", 2), POST("a"), NOTICE("n", 2), NOTICE("o", 1), END},
         "",
         "mnmnmn"},
        {"lower notice when the higher is unshowable",
         {NOTICE("m", 1), POST("a"), NOTICE("n", 2), END},
         "n",
         "mmm"},
        {"unshowable notice does not pre-empt",
         {POST("a"), NOTICE("n", 3), POST("b"), END},
         "n",
         "abab"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture f;
        struct world w = {0};
        const struct feed_doc *doc = build(&f, cases[i].items);
        world_set(&w, cases[i].off);
        struct playlist *p = new_default();
        playlist_set_feed(p, doc);
        char got[32];
        int64_t t = 1000;
        run(p, doc, &w, &t, (int)strlen(cases[i].want), got);
        CHECK_MSG(strcmp(got, cases[i].want) == 0, "%s: got \"%s\", want \"%s\"", cases[i].name,
                  got, cases[i].want);
        playlist_free(p);
    }
}

/* Fills buf with count copies of unit (a UTF-8 sequence). */
static const char *repeat(char *buf, size_t cap, const char *unit, int count)
{
    size_t ulen = strlen(unit), used = 0;
    for (int i = 0; i < count && used + ulen < cap; i++) {
        memcpy(buf + used, unit, ulen);
        used += ulen;
    }
    buf[used] = '\0';
    return buf;
}

static void test_dwell_table(void)
{
    static const struct {
        const char *name;
        int title_chars;
        const char *unit; /* body is body_chars copies of unit */
        int body_chars;
        int64_t want;
    } cases[] = {
        {"no text: clamped up to min", 0, "x", 0, 6000},
        {"short text: clamped up to min", 5, "x", 10, 6000},
        {"exactly min", 0, "x", 45, 6000},
        {"grows with length", 0, "x", 60, 7000},
        {"title and body both count", 30, "x", 120, 13000},
        {"code points, not bytes (2-byte)", 0, "\xC3\xA4", 150, 13000},
        {"code points, not bytes (3-byte)", 0, "\xE2\x82\xAC", 150, 13000},
        {"code points, not bytes (4-byte)", 0, "\xF0\x9F\x98\x80", 150, 13000},
        {"exactly max", 0, "x", 255, 20000},
        {"just over max", 0, "x", 256, 20000},
        {"very long text: clamped down to max", 500, "x", 8000, 20000},
    };
    struct playlist_config cfg;
    playlist_config_default(&cfg);
    CHECK_INT(cfg.dwell_min_ms, 6000);
    CHECK_INT(cfg.dwell_max_ms, 20000);
    CHECK_INT(cfg.dwell_base_ms, 3000);
    CHECK_INT(cfg.chars_per_second, 15);
    static char title[1024], body[4 * 8192 + 1];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct feed_item it = {0};
        it.id = (char *)"a";
        it.title = cases[i].title_chars
                       ? (char *)repeat(title, sizeof(title), "t", cases[i].title_chars)
                       : NULL;
        it.body = (char *)repeat(body, sizeof(body), cases[i].unit, cases[i].body_chars);
        int64_t got = playlist_dwell_ms(&cfg, &it);
        CHECK_MSG(got == cases[i].want, "%s: got %lld, want %lld", cases[i].name, (long long)got,
                  (long long)cases[i].want);
    }

    /* A custom config, and one that would divide by zero. */
    struct feed_item it = {0};
    it.body = (char *)repeat(body, sizeof(body), "x", 15);
    struct playlist_config fast = {1000, 2000, 0, 10};
    CHECK_INT(playlist_dwell_ms(&fast, &it), 1500);
    struct playlist_config broken = {1000, 500, 0, 0};
    int64_t d = playlist_dwell_ms(&broken, &it);
    CHECK(d == 1000); /* max below min is raised to min; speed 0 falls back */

    /* The playlist uses the dwell for its deadline. */
    struct spec specs[] = {{"a", 1, FEED_KIND_POST, 0, NULL, NULL}, END};
    specs[0].body = repeat(body, sizeof(body), "x", 120);
    struct fixture f;
    struct world w = {0};
    const struct feed_doc *doc = build(&f, specs);
    struct playlist *p = new_default();
    playlist_set_feed(p, doc);
    struct playlist_pick pick = pick_at(p, &w, 5000);
    CHECK_INT(pick.index, 0);
    CHECK_INT(pick.deadline_ms, 5000 + 11000);
    playlist_free(p);
}

static void test_changed_flag(void)
{
    struct spec specs[] = {POST("a"), END};
    struct fixture f;
    struct world w = {0};
    const struct feed_doc *doc = build(&f, specs);
    struct playlist *p = new_default();
    playlist_set_feed(p, doc);

    struct playlist_pick pick = pick_at(p, &w, 0);
    CHECK_INT(pick.index, 0);
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, MIN_MS);
    /* Asked again mid-dwell: same card, same deadline. */
    pick = pick_at(p, &w, 100);
    CHECK_INT(pick.index, 0);
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, MIN_MS);
    /* At the deadline the only card is shown again: not a change, new dwell. */
    pick = pick_at(p, &w, MIN_MS);
    CHECK_INT(pick.index, 0);
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, 2 * MIN_MS);
    playlist_free(p);
}

static void test_priority_preempts(void)
{
    struct spec specs[] = {POST("a"), POST("b"), NOTICE("m", 1), POST("c"), NOTICE("n", 2), END};
    struct fixture f;
    struct world w = {0};
    const struct feed_doc *doc = build(&f, specs);
    struct playlist *p = new_default();
    playlist_set_feed(p, doc);
    world_set(&w, "mn");

    struct playlist_pick pick = pick_at(p, &w, 0);
    CHECK(letter(doc, pick) == 'a');
    /* A notice appears mid-dwell: it goes up at once. */
    world_set(&w, "n");
    pick = pick_at(p, &w, 2000);
    CHECK(letter(doc, pick) == 'm');
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, 2000 + MIN_MS);
    /* A higher one pre-empts the lower one, mid-dwell too. */
    world_set(&w, "");
    pick = pick_at(p, &w, 3000);
    CHECK(letter(doc, pick) == 'n');
    CHECK(pick.changed);
    /* Alone at its level, it stays over several dwells. */
    pick = pick_at(p, &w, pick.deadline_ms);
    CHECK(letter(doc, pick) == 'n');
    CHECK(!pick.changed);
    /* It ends: the lower notice is back. */
    world_set(&w, "n");
    pick = pick_at(p, &w, 10000);
    CHECK(letter(doc, pick) == 'm');
    CHECK(pick.changed);
    /* All notices end: rotation resumes after the card they interrupted. */
    world_set(&w, "mn");
    pick = pick_at(p, &w, 11000);
    CHECK(letter(doc, pick) == 'b');
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, 11000 + MIN_MS);
    char got[16];
    int64_t t = pick.deadline_ms;
    run(p, doc, &w, &t, 5, got);
    CHECK_STR(got, "cabca");
    playlist_free(p);
}

static void test_revoked_mid_dwell(void)
{
    struct spec specs[] = {POST("a"), POST("b"), POST("c"), END};
    struct fixture f;
    struct world w = {0};
    const struct feed_doc *doc = build(&f, specs);
    struct playlist *p = new_default();
    playlist_set_feed(p, doc);

    struct playlist_pick pick = pick_at(p, &w, 0);
    CHECK(letter(doc, pick) == 'a');
    world_set(&w, "a");
    pick = pick_at(p, &w, 1000);
    CHECK(letter(doc, pick) == 'b');
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, 1000 + MIN_MS);
    /* a may be shown again: it waits its turn and does not cut b short. */
    world_set(&w, "");
    pick = pick_at(p, &w, 2000);
    CHECK(letter(doc, pick) == 'b');
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, 1000 + MIN_MS);
    /* The last showable card revoked: idle at once. */
    world_set(&w, "abc");
    pick = pick_at(p, &w, 3000);
    CHECK_INT(pick.index, -1);
    CHECK(pick.changed);
    /* Something showable again while idle: shown without waiting out idle. */
    world_set(&w, "ab");
    pick = pick_at(p, &w, 3500);
    CHECK(letter(doc, pick) == 'c');
    CHECK(pick.changed);
    playlist_free(p);
}

/* A feed update between runs of picks: the letters before and after it. */
static void test_feed_update_table(void)
{
    static const struct {
        const char *name;
        struct spec before[MAX_ITEMS];
        int steps_before;
        struct spec after[MAX_ITEMS];
        const char *want_before, *want_after;
    } cases[] = {
        {"identical content keeps the rotation",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         "ab",
         "cdabcd"},
        {"item added after the last shown is next",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("a"), POST("b"), POST("x"), POST("c"), POST("d"), END},
         "ab",
         "xcdabxcd"},
        {"item added before is shown before any repeat",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("x"), POST("a"), POST("b"), POST("c"), POST("d"), END},
         "ab",
         "cdxabcdx"},
        {"item not yet shown removed",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("a"), POST("b"), POST("d"), END},
         "ab",
         "dabd"},
        {"last shown removed: its successor is next",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("a"), POST("c"), POST("d"), END},
         "ab",
         "cdacd"},
        {"last shown and successor removed",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("a"), POST("d"), END},
         "ab",
         "dad"},
        {"reordered feed: unshown items first",
         {POST("a"), POST("b"), POST("c"), POST("d"), END},
         2,
         {POST("d"), POST("c"), POST("b"), POST("a"), END},
         "ab",
         "dcbadcba"},
        {"wholly new feed starts at the top",
         {POST("a"), POST("b"), END},
         1,
         {POST("x"), POST("y"), END},
         "a",
         "xyxy"},
        {"rev bump of a card not on screen changes nothing",
         {POST("a"), POST("b"), POST("c"), END},
         2,
         {POST("a"), POST("b"), REV("c", 2), END},
         "ab",
         "cabc"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        static struct fixture f1, f2;
        struct world w = {0};
        const struct feed_doc *d1 = build(&f1, cases[i].before);
        const struct feed_doc *d2 = build(&f2, cases[i].after);
        struct playlist *p = new_default();
        playlist_set_feed(p, d1);
        char got1[16], got2[16];
        int64_t t = 0;
        run(p, d1, &w, &t, cases[i].steps_before, got1);
        /* The update lands at the deadline of the last card, as the kiosk's
         * fetcher would deliver it between two picks. */
        playlist_set_feed(p, d2);
        run(p, d2, &w, &t, (int)strlen(cases[i].want_after), got2);
        CHECK_MSG(strcmp(got1, cases[i].want_before) == 0, "%s: before: got \"%s\", want \"%s\"",
                  cases[i].name, got1, cases[i].want_before);
        CHECK_MSG(strcmp(got2, cases[i].want_after) == 0, "%s: after: got \"%s\", want \"%s\"",
                  cases[i].name, got2, cases[i].want_after);
        playlist_free(p);
    }
}

static void test_feed_update_mid_dwell(void)
{
    struct spec v1[] = {POST("a"), POST("b"), POST("c"), END};
    struct spec v2[] = {REV("a", 2), POST("b"), POST("c"), END};
    struct spec v3[] = {POST("b"), POST("c"), END};
    static struct fixture f1, f1copy, f2, f3;
    struct world w = {0};
    const struct feed_doc *d1 = build(&f1, v1);
    struct playlist *p = new_default();
    playlist_set_feed(p, d1);

    struct playlist_pick pick = pick_at(p, &w, 0);
    CHECK(letter(d1, pick) == 'a');
    /* The same content in a new doc: the card stays, with its deadline. */
    const struct feed_doc *d1copy = build(&f1copy, v1);
    playlist_set_feed(p, d1copy);
    pick = pick_at(p, &w, 1000);
    CHECK(letter(d1copy, pick) == 'a');
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, MIN_MS);
    /* A new revision of the card on screen: a change, shown with a new dwell. */
    const struct feed_doc *d2 = build(&f2, v2);
    playlist_set_feed(p, d2);
    pick = pick_at(p, &w, 2000);
    CHECK(letter(d2, pick) == 'a');
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, 2000 + MIN_MS);
    pick = pick_at(p, &w, 2500);
    CHECK(!pick.changed);
    /* The card on screen leaves the feed: the next one goes up at once. */
    const struct feed_doc *d3 = build(&f3, v3);
    playlist_set_feed(p, d3);
    pick = pick_at(p, &w, 3000);
    CHECK(letter(d3, pick) == 'b');
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, 3000 + MIN_MS);

    /* The caller overwrites the doc in place (feed_doc_move into the same
     * struct) before telling the playlist: the playlist must not need the
     * old contents. */
    struct spec v4[] = {POST("c"), POST("b"), END};
    build(&f3, v4);
    playlist_set_feed(p, d3);
    pick = pick_at(p, &w, 4000);
    CHECK(letter(d3, pick) == 'b');
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, 3000 + MIN_MS);
    playlist_free(p);
}

/* Updates as often as cards change must not restart the rotation: the last
 * items of the feed still get their turn. */
static void test_frequent_updates_do_not_starve(void)
{
    struct spec specs[] = {POST("a"), POST("b"), POST("c"), POST("d"), END};
    static struct fixture f[2];
    struct world w = {0};
    struct playlist *p = new_default();
    char got[16];
    int64_t t = 0;
    for (int i = 0; i < 10; i++) {
        const struct feed_doc *doc = build(&f[i % 2], specs);
        playlist_set_feed(p, doc);
        struct playlist_pick pick = pick_at(p, &w, t);
        got[i] = letter(doc, pick);
        t = pick.deadline_ms;
    }
    got[10] = '\0';
    CHECK_STR(got, "abcdabcdab");

    /* Growing by one item at every pick: every item still comes up. */
    struct spec grow[] = {POST("a"), POST("b"), POST("c"), POST("d"),
                          POST("e"), POST("f"), POST("g"), END};
    struct spec partial[MAX_ITEMS];
    playlist_set_feed(p, NULL);
    struct playlist *q = new_default();
    t = 0;
    for (int i = 0; i < 7; i++) {
        memcpy(partial, grow, sizeof(struct spec) * (size_t)(i + 1));
        partial[i + 1] = (struct spec)END;
        const struct feed_doc *doc = build(&f[i % 2], partial);
        playlist_set_feed(q, doc);
        struct playlist_pick pick = pick_at(q, &w, t);
        got[i] = letter(doc, pick);
        t = pick.deadline_ms;
    }
    got[7] = '\0';
    CHECK_STR(got, "abcdefg");
    playlist_free(q);
    playlist_free(p);
}

static void test_idle(void)
{
    struct world w = {0};
    struct playlist *p = new_default();

    /* No feed yet. */
    struct playlist_pick pick = pick_at(p, &w, 1000);
    CHECK_INT(pick.index, -1);
    CHECK(pick.changed); /* the first pick always is */
    CHECK_INT(pick.deadline_ms, 1000 + MIN_MS);
    pick = pick_at(p, &w, 2000);
    CHECK_INT(pick.index, -1);
    CHECK(!pick.changed);
    CHECK(pick.deadline_ms > 2000);
    pick = pick_at(p, &w, pick.deadline_ms);
    CHECK_INT(pick.index, -1);
    CHECK(!pick.changed);

    /* A card, then the feed is withdrawn (NULL) or empty. */
    struct spec specs[] = {POST("a"), END};
    struct spec none[] = {END};
    static struct fixture f, fe;
    playlist_set_feed(p, build(&f, specs));
    pick = pick_at(p, &w, 20000);
    CHECK_INT(pick.index, 0);
    CHECK(pick.changed);
    playlist_set_feed(p, NULL);
    pick = pick_at(p, &w, 21000);
    CHECK_INT(pick.index, -1);
    CHECK(pick.changed);
    CHECK_INT(pick.deadline_ms, 21000 + MIN_MS);
    playlist_set_feed(p, build(&f, specs));
    pick = pick_at(p, &w, 22000);
    CHECK_INT(pick.index, 0);
    CHECK(pick.changed);
    playlist_set_feed(p, build(&fe, none));
    pick = pick_at(p, &w, 23000);
    CHECK_INT(pick.index, -1);
    CHECK(pick.changed);
    playlist_free(p);

    /* NULL showable means everything may be shown. */
    p = new_default();
    playlist_set_feed(p, build(&f, specs));
    pick = playlist_next(p, 0, NULL, NULL);
    CHECK_INT(pick.index, 0);
    playlist_free(p);
}

static void test_clock_backwards(void)
{
    struct spec specs[] = {POST("a"), POST("b"), END};
    struct fixture f;
    struct world w = {0};
    const struct feed_doc *doc = build(&f, specs);
    struct playlist *p = new_default();
    playlist_set_feed(p, doc);

    int64_t t0 = 1000000000;
    struct playlist_pick pick = pick_at(p, &w, t0);
    CHECK(letter(doc, pick) == 'a');
    CHECK_INT(pick.deadline_ms, t0 + MIN_MS);
    /* The clock is set back an hour mid-dwell: the dwell restarts from the
     * new now instead of waiting an hour for the old deadline. */
    int64_t t1 = t0 - 3600000 + 1000;
    pick = pick_at(p, &w, t1);
    CHECK(letter(doc, pick) == 'a');
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, t1 + MIN_MS);
    char got[8];
    int64_t t = pick.deadline_ms;
    run(p, doc, &w, &t, 4, got);
    CHECK_STR(got, "baba");

    /* Backwards while idle. */
    world_set(&w, "ab");
    pick = pick_at(p, &w, t);
    CHECK_INT(pick.index, -1);
    pick = pick_at(p, &w, t - 100000);
    CHECK_INT(pick.index, -1);
    CHECK(!pick.changed);
    CHECK_INT(pick.deadline_ms, t - 100000 + MIN_MS);

    /* Forward jump: the card simply moves on. */
    world_set(&w, "");
    pick = pick_at(p, &w, t);
    CHECK(pick.index >= 0);
    int before = pick.index;
    pick = pick_at(p, &w, t + 86400000);
    CHECK(pick.index >= 0 && pick.index != before);
    playlist_free(p);
}

static void test_showable_asked_once_per_item(void)
{
    struct spec specs[] = {POST("a"), POST("b"), NOTICE("n", 1), END};
    struct fixture f;
    struct world w = {0};
    struct playlist *p = new_default();
    playlist_set_feed(p, build(&f, specs));
    world_set(&w, "n");
    (void)pick_at(p, &w, 0);
    CHECK_INT(w.calls, 3);
    playlist_free(p);
}

static void test_lifecycle(void)
{
    playlist_free(NULL);
    struct playlist *p = playlist_new(NULL); /* defaults */
    CHECK(p != NULL);
    struct spec specs[] = {POST("a"), END};
    struct fixture f;
    struct world w = {0};
    playlist_set_feed(p, build(&f, specs));
    struct playlist_pick pick = pick_at(p, &w, 0);
    CHECK_INT(pick.deadline_ms, MIN_MS);
    playlist_free(p);
}

int main(void)
{
    test_rotation_table();
    test_dwell_table();
    test_changed_flag();
    test_priority_preempts();
    test_revoked_mid_dwell();
    test_feed_update_table();
    test_feed_update_mid_dwell();
    test_frequent_updates_do_not_starve();
    test_idle();
    test_clock_backwards();
    test_showable_asked_once_per_item();
    test_lifecycle();
    return check_done("test_playlist");
}
