/* feedbuild: payload bytes the kiosk's own parser and verdicts accept, every
 * field round-tripping, deterministic order, and the item and byte limits. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "feed.h"
#include "feedbuild.h"
#include "keys.h"
#include "sgtime.h"
#include "verdict.h"

#define T_ISSUED 1795428000LL /* 2026-11-23T10:00:00Z */
#define T_EXPIRES (T_ISSUED + 7 * 86400)
#define SHA_A "0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978"
#define SHA_B "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static struct keys_secret key;
static struct keys_trust trust;

/* A revision pointing at test-owned strings (never freed with the store's
 * *_finish). */
static struct store_revision rev_make(const char *id, int64_t rev, const char *kind, int priority,
                                      int64_t decided_at)
{
    struct store_revision r;
    memset(&r, 0, sizeof r);
    r.item_id = (char *)id;
    r.rev = rev;
    r.state = STORE_REV_APPROVED;
    snprintf(r.content.kind, sizeof r.content.kind, "%s", kind);
    r.content.title = (char *)"Title";
    r.content.body = (char *)"Body";
    r.content.priority = priority;
    r.decided_by = (char *)"anna";
    r.decided_at = decided_at;
    r.until = decided_at + 30 * 86400;
    r.approved_targets_json = (char *)"[\"*\"]";
    return r;
}

static const struct feedbuild_feed feed_wz1 = {.screen = "wz1",
                                               .version = 7,
                                               .issued = T_ISSUED,
                                               .expires = T_EXPIRES,
                                               .clinic = "Praxis Süd"};

static struct feedbuild_cache *use_cache; /* NULL, or one cache for a whole test */

static bool build(const struct feedbuild_feed *f, struct store_revision *revs, size_t n,
                  struct feedbuild_result *res, struct sg_err *err)
{
    const struct store_revision **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &revs[i];
    bool ok = feedbuild_payload(f, ptrs, n, use_cache, res, err);
    free(ptrs);
    return ok;
}

static const char *opt(const char *s)
{
    return s ? s : "(absent)";
}

static void test_round_trip(void)
{
    struct store_revision revs[3];
    /* Out of id order on purpose; "b" carries every field there is. */
    revs[0] = rev_make("it-c", 1, "notice", 50, T_ISSUED - 3600);
    revs[1] = rev_make("it-b", 3, "post", 10, T_ISSUED - 7200);
    revs[2] = rev_make("it-a", 2, "tip", 0, T_ISSUED - 60);
    struct store_content *c = &revs[1].content;
    c->title = (char *)"Grippe-Impfung \"jetzt\" \\ möglich 💉";
    c->body = (char *)"Zeile 1\nZeile 2\tmit Tab / Schrägstrich";
    c->author = (char *)"@praxis@social.example";
    c->source = (char *)"mastodon";
    c->link = (char *)"https://social.example/@praxis/1?a=1&b=2";
    c->lang = (char *)"de";
    c->nmedia = 2;
    snprintf(c->media[0].sha256, sizeof c->media[0].sha256, "%s", SHA_A);
    c->media[0].type = (char *)"image/png";
    c->media[0].alt = (char *)"Eine Spritze";
    snprintf(c->media[1].sha256, sizeof c->media[1].sha256, "%s", SHA_B);
    c->media[1].type = (char *)"image/jpeg";
    c->schedule_json = (char *)"{\"dates\":{\"from\":\"2026-11-01\",\"until\":\"2026-12-24\"},"
                               "\"weekdays\":[1,2,3,4,5],\"hours\":{\"from\":\"08:00\",\"until\":"
                               "\"12:30\"}}";
    revs[2].content.schedule_json = (char *)"null";

    struct feedbuild_result res;
    struct sg_err err = {0};
    CHECK_MSG(build(&feed_wz1, revs, 3, &res, &err), "%s", err.msg);
    CHECK_INT(res.left_out, 0);
    CHECK_INT(res.invalid, 0);

    /* Parse the bytes afresh, as the board does, not the result's copy. */
    struct feed_doc doc;
    CHECK(feed_payload_parse((const unsigned char *)res.payload, res.len, &doc, &err) ==
          FEED_PARSE_OK);
    CHECK_INT(strlen(res.payload), res.len);
    CHECK_INT(doc.major, 1);
    CHECK_INT(doc.minor, 0);
    CHECK_STR(doc.screen, "wz1");
    CHECK(doc.group == NULL);
    CHECK_INT(doc.version, 7);
    CHECK_INT(doc.issued, T_ISSUED);
    CHECK_INT(doc.expires, T_EXPIRES);
    CHECK_STR(doc.clinic, "Praxis Süd");
    CHECK_INT(doc.nitems, 3);
    if (doc.nitems == 3) {
        static const char *const ids[] = {"it-a", "it-b", "it-c"};
        static const struct store_revision *src[3];
        src[0] = &revs[2];
        src[1] = &revs[1];
        src[2] = &revs[0];
        for (size_t i = 0; i < 3; i++) {
            const struct feed_item *it = &doc.items[i];
            const struct store_revision *r = src[i];
            CHECK_STR(it->id, ids[i]);
            CHECK_INT(it->rev, r->rev);
            CHECK_STR(feed_kind_name(it->kind), r->content.kind);
            CHECK_STR(it->title, r->content.title);
            CHECK_STR(it->body, r->content.body);
            CHECK_STR(opt(it->author), opt(r->content.author));
            CHECK_STR(opt(it->source), opt(r->content.source));
            CHECK_STR(opt(it->link), opt(r->content.link));
            CHECK_STR(opt(it->lang), opt(r->content.lang));
            CHECK_INT(it->priority, r->content.priority);
            CHECK(it->approval.present);
            CHECK_STR(it->approval.by, "anna");
            CHECK_INT(it->approval.at, r->decided_at);
            CHECK_INT(it->approval.until, r->until);
            CHECK_INT(it->nmedia, r->content.nmedia);
            for (size_t m = 0; m < it->nmedia && m < r->content.nmedia; m++) {
                CHECK_STR(it->media[m].sha256, r->content.media[m].sha256);
                CHECK_STR(opt(it->media[m].type), opt(r->content.media[m].type));
                CHECK_STR(opt(it->media[m].alt), opt(r->content.media[m].alt));
            }
        }
        const struct feed_schedule *s = &doc.items[1].schedule;
        CHECK(s->has_dates && s->has_hours);
        CHECK_INT(s->date_from, sgtime_days_from_civil(2026, 11, 1));
        CHECK_INT(s->date_until, sgtime_days_from_civil(2026, 12, 24));
        CHECK_INT(s->weekdays, 0x3e);
        CHECK_INT(s->minute_from, 8 * 60);
        CHECK_INT(s->minute_until, 12 * 60 + 30);
        const struct feed_schedule *none = &doc.items[0].schedule;
        CHECK(!none->has_dates && !none->has_hours && none->weekdays == 0);
    }
    /* The result's own parse is the same document. */
    CHECK_INT(res.doc.nitems, doc.nitems);
    CHECK(memcmp(res.doc.payload_sha256, doc.payload_sha256, 32) == 0);
    feed_doc_finish(&doc);

    /* Same set in another order: the same bytes. */
    struct store_revision perm[3] = {revs[1], revs[2], revs[0]};
    struct feedbuild_result res2;
    CHECK(build(&feed_wz1, perm, 3, &res2, &err));
    CHECK(res2.len == res.len && memcmp(res2.payload, res.payload, res.len) == 0);
    /* No spliced escapes: "/" stays as typed, and the payload is one line. */
    CHECK(strstr(res.payload, "https://social.example/@praxis/1?a=1&b=2") != NULL);
    CHECK(strchr(res.payload, '\n') == NULL);
    feedbuild_result_finish(&res2);

    /* Signed and judged as the board judges it: accepted for wz1 only. */
    struct sg_err serr = {0};
    char *env = keys_sign_envelope(&key, FEED_PAYLOAD_TYPE, (const unsigned char *)res.payload,
                                   res.len, &serr);
    CHECK_MSG(env != NULL, "%s", serr.msg);
    struct verdict_clock clock = {.now = T_ISSUED + 60, .local = sgtime_local_tz};
    static const struct {
        const char *screen;
        enum verdict_reason want;
    } screens[] = {{"wz1", VERDICT_SHOWN}, {"wz2", VERDICT_WRONG_SCREEN}};
    for (size_t i = 0; env && i < sizeof screens / sizeof screens[0]; i++) {
        struct verdict_screen scr = {.screen = screens[i].screen, .trust = &trust};
        char keyid[FEED_KEYID_HEX_LEN + 1];
        struct feed_doc vdoc;
        struct sg_err verr = {0};
        enum verdict_reason r = verdict_feed(env, strlen(env), &scr, &clock, &vdoc, keyid, &verr);
        CHECK_MSG(r == screens[i].want, "%s: %s (%s)", screens[i].screen, verdict_reason_name(r),
                  verr.msg);
        if (r == VERDICT_SHOWN) {
            CHECK_STR(keyid, key.pub.keyid);
            CHECK_INT(vdoc.nitems, 3);
            /* it-a has no media and no schedule: on screen right now. */
            CHECK_INT(verdict_item(&vdoc, &vdoc.items[0], &clock, NULL, NULL), VERDICT_SHOWN);
            feed_doc_finish(&vdoc);
        }
    }
    free(env);
    feedbuild_result_finish(&res);
    feedbuild_result_finish(NULL);
}

static void test_no_items_and_no_clinic(void)
{
    struct feedbuild_feed f = feed_wz1;
    f.clinic = "";
    struct feedbuild_result res;
    struct sg_err err = {0};
    CHECK_MSG(build(&f, NULL, 0, &res, &err), "%s", err.msg);
    CHECK_INT(res.doc.nitems, 0);
    CHECK(res.doc.clinic == NULL);
    CHECK(strstr(res.payload, "\"items\":[]") != NULL);
    feedbuild_result_finish(&res);
}

/* Feed-level faults fail the whole build with a message. */
static void test_feed_errors(void)
{
    char long_id[FEED_MAX_ID_LEN + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    char long_clinic[FEED_MAX_SHORT_LEN + 2];
    memset(long_clinic, 'c', sizeof long_clinic - 1);
    long_clinic[sizeof long_clinic - 1] = '\0';
    const struct feedbuild_feed cases[] = {
        {.screen = long_id, .version = 1, .issued = T_ISSUED, .expires = T_EXPIRES},
        {.screen = "wz1",
         .version = 1,
         .issued = T_ISSUED,
         .expires = T_EXPIRES,
         .clinic = long_clinic},
        {.screen = "wz1", .version = 1, .issued = T_ISSUED, .expires = T_ISSUED},
        {.screen = "wz1", .version = 0, .issued = T_ISSUED, .expires = T_EXPIRES},
        {.screen = "", .version = 1, .issued = T_ISSUED, .expires = T_EXPIRES},
    };
    struct store_revision r = rev_make("it-a", 1, "tip", 0, T_ISSUED);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feedbuild_result res;
        struct sg_err err = {0};
        bool ok = build(&cases[i], &r, 1, &res, &err);
        /* An empty screen id is a string the format allows; the rest are not. */
        if (cases[i].screen[0] == '\0') {
            CHECK_MSG(ok, "case %zu: %s", i, err.msg);
            feedbuild_result_finish(&res);
            continue;
        }
        CHECK_MSG(!ok && err.set, "case %zu", i);
        CHECK(res.payload == NULL && res.doc.nitems == 0);
    }
}

/* One bad item is left out and counted; the rest of the feed stands. */
static void test_invalid_items(void)
{
    enum { NBAD = 9 };
    struct store_revision revs[NBAD + 2];
    char long_title[FEED_MAX_SHORT_LEN + 2];
    memset(long_title, 't', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = '\0';
    for (size_t i = 0; i < NBAD + 2; i++) {
        static char ids[NBAD + 2][16];
        snprintf(ids[i], sizeof ids[i], "it-%02zu", i);
        revs[i] = rev_make(ids[i], 1, "tip", 0, T_ISSUED - 60);
    }
    revs[0].decided_by = NULL;                                   /* no approver */
    revs[1].until = revs[1].decided_at;                          /* window of no length */
    revs[2].content.schedule_json = (char *)"{\"weekdays\":[]}"; /* could never show */
    revs[3].content.schedule_json = (char *)"{\"hours\":{\"from\":\"25:00\",\"until\":\"x\"}}";
    revs[4].content.schedule_json = (char *)"[1,2]";
    revs[5].content.title = long_title;
    revs[6].content.body = (char *)"bad \xff utf-8";
    revs[7].content.nmedia = 1; /* upper-case hex is not a media name */
    snprintf(revs[7].content.media[0].sha256, sizeof revs[7].content.media[0].sha256, "%s",
             "0F1E2D3C4B5A69780F1E2D3C4B5A69780F1E2D3C4B5A69780F1E2D3C4B5A6978");
    snprintf(revs[8].content.kind, sizeof revs[8].content.kind, "%s", "video");
    /* revs[NBAD], revs[NBAD + 1] are fine. */
    struct feedbuild_result res;
    struct sg_err err = {0};
    CHECK_MSG(build(&feed_wz1, revs, NBAD + 2, &res, &err), "%s", err.msg);
    CHECK_INT(res.invalid, NBAD);
    CHECK_INT(res.left_out, 0);
    CHECK_INT(res.doc.nitems, 2);
    if (res.doc.nitems == 2) {
        CHECK_STR(res.doc.items[0].id, "it-09");
        CHECK_STR(res.doc.items[1].id, "it-10");
    }
    feedbuild_result_finish(&res);

    /* Two revisions of one item: the higher rev stays, the other counts. */
    struct store_revision dup[2] = {rev_make("it-x", 2, "tip", 0, T_ISSUED - 60),
                                    rev_make("it-x", 3, "tip", 0, T_ISSUED - 120)};
    CHECK(build(&feed_wz1, dup, 2, &res, &err));
    CHECK_INT(res.invalid, 1);
    CHECK_INT(res.doc.nitems, 1);
    if (res.doc.nitems == 1)
        CHECK_INT(res.doc.items[0].rev, 3);
    feedbuild_result_finish(&res);
}

/* More approved items than FEED_MAX_ITEMS: the highest priority stay, then
 * the newest approvals; the count of the rest is reported. */
static void test_item_limit(void)
{
    enum { N = FEED_MAX_ITEMS + 44 };
    static struct store_revision revs[N];
    static char ids[N][16];
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "it-%04zu", i);
        /* Priorities 0..3 cycling; approvals one minute apart. */
        revs[i] = rev_make(ids[i], 1, "tip", (int)(i % 4), T_ISSUED - 86400 + (int64_t)i * 60);
    }
    struct feedbuild_result res;
    struct sg_err err = {0};
    CHECK_MSG(build(&feed_wz1, revs, N, &res, &err), "%s", err.msg);
    CHECK_INT(res.doc.nitems, FEED_MAX_ITEMS);
    CHECK_INT(res.left_out, N - FEED_MAX_ITEMS);
    CHECK_INT(res.invalid, 0);
    /* 75 items per priority (300 / 4): 3, 2, 1 all fit (225), then the 31
     * newest of priority 0. */
    size_t per_prio[4] = {0};
    int64_t oldest_p0 = INT64_MAX;
    for (size_t i = 0; i < res.doc.nitems; i++) {
        const struct feed_item *it = &res.doc.items[i];
        per_prio[it->priority]++;
        if (it->priority == 0 && it->approval.at < oldest_p0)
            oldest_p0 = it->approval.at;
        if (i > 0)
            CHECK(strcmp(res.doc.items[i - 1].id, it->id) < 0);
    }
    CHECK_INT(per_prio[3], 75);
    CHECK_INT(per_prio[2], 75);
    CHECK_INT(per_prio[1], 75);
    CHECK_INT(per_prio[0], 31);
    /* Priority-0 items are i = 0, 4, ..., 296; the 31 newest start at i = 176. */
    CHECK_INT(oldest_p0, T_ISSUED - 86400 + 176 * 60);
    feedbuild_result_finish(&res);
}

/* Items at every feed length limit: the payload cap is crossed before the
 * item cap, and what is built still fits the board's envelope limit. */
static void test_byte_limit(void)
{
    enum { N = FEED_MAX_ITEMS };
    static struct store_revision revs[N];
    static char ids[N][16];
    static char title[FEED_MAX_SHORT_LEN + 1], body[FEED_MAX_BODY_LEN + 1],
        link[FEED_MAX_LINK_LEN + 1];
    memset(title, 'T', FEED_MAX_SHORT_LEN);
    memset(body, 'B', FEED_MAX_BODY_LEN);
    memcpy(link, "https://", 8);
    memset(link + 8, 'l', FEED_MAX_LINK_LEN - 8);
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "it-%04zu", i);
        revs[i] = rev_make(ids[i], 1, "post", 0, T_ISSUED - 3600 + (int64_t)i);
        struct store_content *c = &revs[i].content;
        c->title = c->author = c->source = title;
        c->body = body;
        c->link = link;
        c->nmedia = STORE_MAX_MEDIA;
        for (size_t m = 0; m < STORE_MAX_MEDIA; m++) {
            snprintf(c->media[m].sha256, sizeof c->media[m].sha256, "%s", SHA_A);
            c->media[m].type = (char *)"image/png";
            c->media[m].alt = title;
        }
    }
    struct feedbuild_result res;
    struct sg_err err = {0};
    CHECK_MSG(build(&feed_wz1, revs, N, &res, &err), "%s", err.msg);
    CHECK(res.left_out > 0);
    CHECK_INT(res.doc.nitems + res.left_out, N);
    CHECK(res.len <= FEEDBUILD_MAX_PAYLOAD_BYTES);
    char *env = keys_sign_envelope(&key, FEED_PAYLOAD_TYPE, (const unsigned char *)res.payload,
                                   res.len, &err);
    CHECK(env != NULL && strlen(env) <= FEED_MAX_ENVELOPE_BYTES);
    struct verdict_screen scr = {.screen = "wz1", .trust = &trust};
    struct verdict_clock clock = {.now = T_ISSUED, .local = sgtime_local_tz};
    struct feed_doc vdoc;
    char keyid[FEED_KEYID_HEX_LEN + 1];
    CHECK(env && verdict_feed(env, strlen(env), &scr, &clock, &vdoc, keyid, &err) == VERDICT_SHOWN);
    if (env)
        feed_doc_finish(&vdoc);
    free(env);
    feedbuild_result_finish(&res);
}

/* Feeds for several screens from one list share one cache: the same bytes
 * as built without it, for every screen, invalid items still counted. */
static void test_cache(void)
{
    enum { N = 40 };
    static struct store_revision revs[N];
    static char ids[N][16];
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "it-%02zu", i);
        revs[i] = rev_make(ids[i], 1, i % 7 ? "tip" : "bogus", (int)(i % 3), T_ISSUED - 60);
    }
    static const char *const screens[] = {"wz1", "wz2", "wz3"};
    struct feedbuild_cache *cache = feedbuild_cache_new();
    CHECK(cache != NULL);
    for (int round = 0; round < 2; round++) {
        for (size_t s = 0; s < 3; s++) {
            struct feedbuild_feed f = feed_wz1;
            f.screen = screens[s];
            /* Each screen gets a different subset; round two hits the cache. */
            size_t from = s * 5, n = N - s * 15;
            struct feedbuild_result plain, cached;
            struct sg_err err = {0};
            use_cache = NULL;
            CHECK(build(&f, revs + from, n, &plain, &err));
            use_cache = cache;
            CHECK(build(&f, revs + from, n, &cached, &err));
            use_cache = NULL;
            CHECK(plain.len == cached.len && memcmp(plain.payload, cached.payload, plain.len) == 0);
            CHECK_INT(cached.invalid, plain.invalid);
            CHECK(plain.invalid > 0);
            CHECK_INT(cached.doc.nitems, plain.doc.nitems);
            CHECK_STR(cached.doc.screen, screens[s]);
            feedbuild_result_finish(&plain);
            feedbuild_result_finish(&cached);
        }
    }
    feedbuild_cache_free(cache);
    feedbuild_cache_free(NULL);
}

int main(void)
{
    if (!keys_init())
        return 1;
    keys_generate(&key);
    trust.n = 1;
    trust.keys[0] = key.pub;
    test_round_trip();
    test_no_items_and_no_clinic();
    test_feed_errors();
    test_invalid_items();
    test_item_limit();
    test_byte_limit();
    test_cache();
    return check_done("test_feedbuild");
}
