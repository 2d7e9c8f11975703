/* publisher: real SQLite store, a fake clock the test steps, feeds checked
 * the way a kiosk checks them (verdict_feed with the public key), long-poll
 * waiters on real threads (bounded waits only, nothing timed), export. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "feed.h"
#include "fileio.h"
#include "keys.h"
#include "publisher.h"
#include "sgtime.h"
#include "store.h"
#include "verdict.h"

/* Monday 2026-11-23 06:00 UTC = 07:00 in Berlin = 01:00 in New York. */
#define T0 1795413600LL
#define HOUR 3600LL
#define DAY 86400LL
#define LIFETIME (7 * DAY) /* the store's default feed_lifetime_s */
#define BOUNDED_WAIT_MS 10000

static struct keys_secret key;
static struct keys_trust trust;
static _Atomic int64_t fake_now = T0;

static const struct store_actor admin = {1, "admin", "127.0.0.1"};
static const struct store_actor editor = {2, "eddie", "127.0.0.1"};
static const struct store_actor approver = {3, "anna", "127.0.0.1"};

static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return atomic_load(&fake_now);
}

static void set_now(int64_t t)
{
    atomic_store(&fake_now, t);
}

static const char *tmp_dir(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/pub-%s", SIGNET_TEST_TMP, name);
    return buf;
}

/* A fresh database with three screens: wz1 (group nord, Berlin), wz2 (group
 * sued, New York), wz3 (no group, no zone). */
static struct store *fresh_store(const char *name)
{
    const char *dir = tmp_dir(name);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return NULL;
    struct sg_err err = {0};
    struct store *st = store_open(dir, &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (!st)
        return NULL;
    int64_t id;
    CHECK(store_user_add(st, &admin, "admin", STORE_ROLE_ADMIN, "x", T0, &id, &err) == STORE_OK);
    CHECK(store_user_add(st, &admin, "eddie", STORE_ROLE_EDITOR, "x", T0, &id, &err) == STORE_OK);
    CHECK(store_user_add(st, &admin, "anna", STORE_ROLE_APPROVER, "x", T0, &id, &err) == STORE_OK);
    static const struct {
        const char *id, *group, *tz;
    } screens[] = {
        {"wz1", "nord", "Europe/Berlin"}, {"wz2", "sued", "America/New_York"}, {"wz3", NULL, NULL}};
    for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++) {
        unsigned char token[STORE_TOKEN_BYTES];
        CHECK_MSG(store_screen_add(st, &admin, screens[i].id, screens[i].id, screens[i].group, NULL,
                                   screens[i].tz, T0, token, &err) == STORE_OK,
                  "%s", err.msg);
    }
    return st;
}

struct item_spec {
    const char *kind, *title, *targets, *schedule;
    int priority;
    const char *media; /* sha256 or NULL */
};

static char *add_item(struct store *st, const struct item_spec *spec)
{
    struct store_content c;
    memset(&c, 0, sizeof c);
    snprintf(c.kind, sizeof c.kind, "%s", spec->kind ? spec->kind : "tip");
    c.title = (char *)spec->title;
    c.body = (char *)"Text für das Wartezimmer.";
    c.lang = (char *)"de";
    c.priority = spec->priority;
    c.targets_json = (char *)(spec->targets ? spec->targets : "[\"*\"]");
    c.schedule_json = (char *)spec->schedule;
    if (spec->media) {
        c.nmedia = 1;
        snprintf(c.media[0].sha256, sizeof c.media[0].sha256, "%s", spec->media);
        c.media[0].alt = (char *)"Bild";
    }
    char *id = NULL;
    struct sg_err err = {0};
    CHECK_MSG(store_item_create(st, &editor, &c, fake_clock(NULL), &id, &err) == STORE_OK, "%s",
              err.msg);
    return id;
}

static void approve(struct store *st, const char *id, int64_t rev, int64_t until,
                    const char *targets)
{
    struct sg_err err = {0};
    CHECK_MSG(store_approve(st, &approver, id, rev, until, targets, false, fake_clock(NULL),
                            &err) == STORE_OK,
              "%s", err.msg);
}

static void set_emergency(struct store *st, bool stop)
{
    struct store_settings s;
    struct sg_err err = {0};
    CHECK(store_settings_get(st, &s, &err) == STORE_OK);
    s.emergency_stop = stop;
    CHECK_MSG(store_settings_set(st, &approver, &s, fake_clock(NULL), &err) == STORE_OK, "%s",
              err.msg);
}

static void run(struct publisher *p)
{
    struct sg_err err = {0};
    CHECK_MSG(publisher_run_once(p, &err), "%s", err.msg);
}

static const char *groups_of(const char *screen)
{
    return strcmp(screen, "wz1") == 0 ? "nord" : strcmp(screen, "wz2") == 0 ? "sued" : NULL;
}

/* The current feed of screen, judged as that screen's kiosk judges it (at the
 * fake now, with the trusted key). Returns its version (0: none or refused);
 * doc holds it (empty on failure). */
static int64_t feed_of(struct publisher *p, const char *screen, struct feed_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    const struct publisher_feed *f = publisher_feed_get(p, screen);
    CHECK_MSG(f != NULL, "no feed for %s", screen);
    if (!f)
        return 0;
    CHECK_INT(strlen(f->envelope), f->len);
    const char *group = groups_of(screen);
    struct verdict_screen scr = {.screen = screen,
                                 .groups = group ? &group : NULL,
                                 .ngroups = group ? 1 : 0,
                                 .trust = &trust};
    struct verdict_clock clock = {.now = fake_clock(NULL), .local = sgtime_local_tz};
    char keyid[FEED_KEYID_HEX_LEN + 1];
    struct sg_err err = {0};
    enum verdict_reason r = verdict_feed(f->envelope, f->len, &scr, &clock, doc, keyid, &err);
    CHECK_MSG(r == VERDICT_SHOWN, "%s: %s (%s)", screen, verdict_reason_name(r), err.msg);
    int64_t v = 0;
    if (r == VERDICT_SHOWN) {
        CHECK_INT(doc->version, f->version);
        CHECK_INT(doc->issued, f->issued);
        CHECK_INT(doc->expires, f->expires);
        v = f->version;
    }
    publisher_feed_release(f);
    return v;
}

static bool has_item(const struct feed_doc *d, const char *id, int64_t rev)
{
    for (size_t i = 0; i < d->nitems; i++)
        if (strcmp(d->items[i].id, id) == 0 && d->items[i].rev == rev)
            return true;
    return false;
}

static int64_t version_of(struct publisher *p, const char *screen)
{
    const struct publisher_feed *f = publisher_feed_get(p, screen);
    int64_t v = f ? f->version : 0;
    publisher_feed_release(f);
    return v;
}

static const char *const all_screens[] = {"wz1", "wz2", "wz3"};

/* The item set of every screen through a moderation day. */
static void test_workflow(void)
{
    set_now(T0);
    struct store *st = fresh_store("workflow");
    struct sg_err err = {0};
    struct publisher *p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p) {
        store_close(st);
        return;
    }
    struct publisher_stats stats;
    publisher_stats(p, &stats);
    CHECK_INT(stats.screens, 3);
    CHECK_INT(stats.versions_published, 3);
    CHECK(publisher_feed_get(p, "nope") == NULL);
    CHECK(publisher_feed_get(p, NULL) == NULL);

    /* First publication: version 1, no items, issued now. */
    struct feed_doc d;
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(feed_of(p, all_screens[i], &d), 1);
        CHECK_INT(d.nitems, 0);
        CHECK_INT(d.issued, T0);
        CHECK_INT(d.expires, T0 + LIFETIME);
        feed_doc_finish(&d);
    }

    char *all = add_item(st, &(struct item_spec){.title = "Für alle"});
    char *nord = add_item(st, &(struct item_spec){.title = "Nord", .targets = "[\"group:nord\"]"});
    char *only2 = add_item(st, &(struct item_spec){.title = "Nur wz2"});
    char *pending = add_item(st, &(struct item_spec){.title = "Wartet"});
    char *rejected = add_item(st, &(struct item_spec){.title = "Nein"});
    CHECK(store_reject(st, &approver, rejected, 1, "off topic", T0, &err) == STORE_OK);

    /* Pending and rejected changes publish nothing new. */
    run(p);
    for (size_t i = 0; i < 3; i++)
        CHECK_INT(version_of(p, all_screens[i]), 1);

    set_now(T0 + 60);
    approve(st, all, 1, T0 + 30 * DAY, NULL);
    approve(st, nord, 1, T0 + 30 * DAY, NULL);
    approve(st, only2, 1, T0 + 30 * DAY, "[\"screen:wz2\"]"); /* approval narrows targets */
    run(p);
    static const struct {
        const char *screen;
        bool all, nord, only2;
    } want[] = {
        {"wz1", true, true, false}, {"wz2", true, false, true}, {"wz3", true, false, false}};
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(feed_of(p, want[i].screen, &d), 2);
        CHECK_MSG(has_item(&d, all, 1) == want[i].all, "%s", want[i].screen);
        CHECK_MSG(has_item(&d, nord, 1) == want[i].nord, "%s", want[i].screen);
        CHECK_MSG(has_item(&d, only2, 1) == want[i].only2, "%s", want[i].screen);
        CHECK(!has_item(&d, pending, 1) && !has_item(&d, rejected, 1));
        CHECK_INT(d.issued, T0 + 60);
        for (size_t k = 0; k < d.nitems; k++) {
            CHECK_STR(d.items[k].approval.by, "anna");
            CHECK_INT(d.items[k].approval.at, T0 + 60);
            CHECK_INT(d.items[k].approval.until, T0 + 30 * DAY);
        }
        feed_doc_finish(&d);
    }

    /* Nothing changed: no new version, however often it runs. */
    publisher_stats(p, &stats);
    int64_t published = stats.versions_published;
    set_now(T0 + 120);
    run(p);
    run(p);
    publisher_stats(p, &stats);
    CHECK_INT(stats.versions_published, published);
    CHECK_INT(version_of(p, "wz1"), 2);

    /* Revoke: gone from the screens that had it, the others keep their version. */
    CHECK(store_revoke(st, &approver, nord, 1, "falsch", T0 + 120, &err) == STORE_OK);
    run(p);
    CHECK_INT(feed_of(p, "wz1", &d), 3);
    CHECK(!has_item(&d, nord, 1) && has_item(&d, all, 1));
    feed_doc_finish(&d);
    CHECK_INT(version_of(p, "wz2"), 2);
    CHECK_INT(version_of(p, "wz3"), 2);

    /* An edit is pending: the approved revision stays on screen unchanged;
     * approving the edit swaps the revision. */
    struct store_content c;
    memset(&c, 0, sizeof c);
    snprintf(c.kind, sizeof c.kind, "tip");
    c.title = (char *)"Für alle, neu";
    c.body = (char *)"Neu.";
    c.targets_json = (char *)"[\"*\"]";
    int64_t rev2 = 0;
    CHECK(store_item_revise(st, &editor, all, &c, T0 + 180, &rev2, &err) == STORE_OK);
    CHECK_INT(rev2, 2);
    run(p);
    CHECK_INT(version_of(p, "wz3"), 2);
    set_now(T0 + 240);
    approve(st, all, 2, T0 + 30 * DAY, NULL);
    run(p);
    CHECK_INT(feed_of(p, "wz3", &d), 3);
    CHECK(has_item(&d, all, 2) && !has_item(&d, all, 1));
    feed_doc_finish(&d);

    /* Emergency stop: every screen, new version, no items; lifted: back. */
    set_emergency(st, true);
    run(p);
    int64_t stopped[3];
    for (size_t i = 0; i < 3; i++) {
        stopped[i] = feed_of(p, all_screens[i], &d);
        CHECK_INT(d.nitems, 0);
        CHECK_INT(stopped[i], i == 0 ? 5 : i == 1 ? 4 : 4);
        feed_doc_finish(&d);
    }
    run(p); /* still stopped: no churn */
    CHECK_INT(version_of(p, "wz1"), stopped[0]);
    set_emergency(st, false);
    run(p);
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(feed_of(p, all_screens[i], &d), stopped[i] + 1);
        CHECK(has_item(&d, all, 2));
        feed_doc_finish(&d);
    }

    /* An approval running out: expired in the store, gone from the feed. */
    char *brief = add_item(st, &(struct item_spec){.title = "Kurz", .kind = "notice"});
    approve(st, brief, 1, T0 + 240 + HOUR, NULL);
    run(p);
    int64_t v_with = feed_of(p, "wz3", &d);
    CHECK(has_item(&d, brief, 1));
    feed_doc_finish(&d);
    set_now(T0 + 240 + HOUR - 1);
    run(p);
    CHECK_INT(version_of(p, "wz3"), v_with);
    set_now(T0 + 240 + HOUR);
    run(p);
    CHECK_INT(feed_of(p, "wz3", &d), v_with + 1);
    CHECK(!has_item(&d, brief, 1) && has_item(&d, all, 2));
    feed_doc_finish(&d);
    struct store_item it;
    CHECK(store_item_get(st, brief, &it, &err) == STORE_OK);
    CHECK_INT(it.latest.state, STORE_REV_EXPIRED);
    store_item_finish(&it);

    /* Half the lifetime: re-signed with a new version and a fresh issued. */
    const struct publisher_feed *before = publisher_feed_get(p, "wz3");
    int64_t issued = before ? before->issued : 0;
    int64_t v = before ? before->version : 0;
    set_now(issued + LIFETIME / 2 - 1);
    run(p);
    CHECK_INT(version_of(p, "wz3"), v);
    set_now(issued + LIFETIME / 2);
    run(p);
    CHECK_INT(feed_of(p, "wz3", &d), v + 1);
    CHECK_INT(d.issued, issued + LIFETIME / 2);
    CHECK_INT(d.expires, issued + LIFETIME / 2 + LIFETIME);
    CHECK(has_item(&d, all, 2));
    feed_doc_finish(&d);
    /* The reference taken before stays valid and unchanged. */
    CHECK(before && before->version == v && before->issued == issued);
    publisher_feed_release(before);

    publisher_free(p);
    publisher_free(NULL);
    free(all);
    free(nord);
    free(only2);
    free(pending);
    free(rejected);
    free(brief);
    store_close(st);
}

/* A schedule boundary in each screen's own zone publishes a new version for
 * that screen only; across a DST switch too. */
static void test_schedule_boundaries(void)
{
    set_now(T0); /* 07:00 Berlin, 01:00 New York */
    struct store *st = fresh_store("schedule");
    struct sg_err err = {0};
    char *morning = add_item(
        st,
        &(struct item_spec){.title = "Vormittags",
                            .schedule = "{\"hours\":{\"from\":\"08:00\",\"until\":\"12:00\"}}"});
    approve(st, morning, 1, T0 + 30 * DAY, NULL);
    struct publisher *p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p)
        return;
    int64_t v1 = version_of(p, "wz1"), v2 = version_of(p, "wz2");
    CHECK_INT(v1, 1);
    /* 08:00 Berlin is 07:00 UTC. */
    set_now(T0 + HOUR - 1);
    run(p);
    CHECK_INT(version_of(p, "wz1"), v1);
    set_now(T0 + HOUR);
    run(p);
    struct feed_doc d;
    CHECK_INT(feed_of(p, "wz1", &d), v1 + 1);
    CHECK_INT(d.issued, T0 + HOUR);
    CHECK(has_item(&d, morning, 1));
    /* The board, not the server, decides what is on screen now. */
    struct verdict_clock berlin = {.now = T0 + HOUR, .local = sgtime_local_tz};
    if (d.nitems == 1)
        CHECK_INT(verdict_item(&d, &d.items[0], &berlin, NULL, NULL), VERDICT_SHOWN);
    feed_doc_finish(&d);
    CHECK_INT(version_of(p, "wz2"), v2); /* still 02:00 in New York */
    /* 12:00 Berlin = 11:00 UTC; 08:00 New York = 13:00 UTC. */
    set_now(T0 + 5 * HOUR);
    run(p);
    CHECK_INT(version_of(p, "wz1"), v1 + 2);
    CHECK_INT(version_of(p, "wz2"), v2);
    set_now(T0 + 7 * HOUR);
    run(p);
    CHECK_INT(version_of(p, "wz2"), v2 + 1);
    CHECK_INT(version_of(p, "wz1"), v1 + 2);
    /* wz3 has no zone: the process's own (Europe/Berlin), like wz1. */
    CHECK_INT(version_of(p, "wz3"), version_of(p, "wz1"));
    /* The screens' zones were borrowed and given back. */
    CHECK_STR(getenv("TZ"), "Europe/Berlin");
    publisher_free(p);
    free(morning);
    store_close(st);

    /* 2027-03-28: Berlin jumps from 02:00 CET to 03:00 CEST at 01:00 UTC.
     * An item from 02:30 comes on screen at that instant. */
    int64_t dst_day = sgtime_days_from_civil(2027, 3, 28) * DAY;
    set_now(dst_day); /* 01:00 CET */
    st = fresh_store("dst");
    char *night = add_item(
        st,
        &(struct item_spec){.title = "Nachts",
                            .targets = "[\"screen:wz1\"]",
                            .schedule = "{\"hours\":{\"from\":\"02:30\",\"until\":\"05:00\"}}"});
    approve(st, night, 1, dst_day + 30 * DAY, NULL);
    p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p)
        return;
    static const struct {
        int64_t at;
        int64_t version;
    } steps[] = {
        {HOUR - 1, 1},     /* 01:59:59 CET */
        {HOUR, 2},         /* 03:00:00 CEST: the jump itself is the boundary */
        {3 * HOUR - 1, 2}, /* 04:59:59 CEST */
        {3 * HOUR, 3},     /* 05:00 CEST */
        {DAY - 1, 3},      /* 23:59:59 UTC, 01:59:59 CEST next day */
        {DAY + 30 * 60, 4} /* 02:30 CEST next day */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        set_now(dst_day + steps[i].at);
        run(p);
        CHECK_MSG(version_of(p, "wz1") == steps[i].version, "step %zu: version %lld", i,
                  (long long)version_of(p, "wz1"));
    }
    publisher_free(p);
    free(night);
    store_close(st);
    set_now(T0);
}

/* Restart on the same database: same version and bytes, never lower; two
 * publishers on one database never reuse a version; a new key re-signs. */
static void test_restart(void)
{
    set_now(T0);
    struct store *st = fresh_store("restart");
    struct sg_err err = {0};
    char *a = add_item(st, &(struct item_spec){.title = "A"});
    approve(st, a, 1, T0 + 30 * DAY, NULL);
    struct publisher *p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p)
        return;
    set_now(T0 + 60);
    CHECK(store_revoke(st, &approver, a, 1, NULL, T0 + 60, &err) == STORE_OK);
    run(p);
    const struct publisher_feed *f1 = publisher_feed_get(p, "wz1");
    CHECK(f1 && f1->version == 2);
    char *bytes = f1 ? strdup(f1->envelope) : NULL;
    publisher_feed_release(f1);
    publisher_free(p);

    set_now(T0 + 120);
    p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p)
        return;
    struct publisher_stats stats;
    publisher_stats(p, &stats);
    CHECK_INT(stats.versions_published, 0);
    const struct publisher_feed *f2 = publisher_feed_get(p, "wz1");
    CHECK(f2 && f2->version == 2 && bytes && strcmp(f2->envelope, bytes) == 0);
    publisher_feed_release(f2);

    /* A second publisher on the same database (`signet-queue publish` while
     * the server runs) moves on from the stored version. */
    struct publisher *q = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(q != NULL, "%s", err.msg);
    char *b = add_item(st, &(struct item_spec){.title = "B"});
    approve(st, b, 1, T0 + 30 * DAY, NULL);
    run(q);
    CHECK_INT(version_of(q, "wz1"), 3);
    run(p); /* sees the stored 3, serves it, makes no 3 of its own */
    CHECK_INT(version_of(p, "wz1"), 3);
    const struct publisher_feed *fp = publisher_feed_get(p, "wz1");
    const struct publisher_feed *fq = q ? publisher_feed_get(q, "wz1") : NULL;
    CHECK(fp && fq && fp->len == fq->len && memcmp(fp->envelope, fq->envelope, fp->len) == 0);
    publisher_feed_release(fp);
    publisher_feed_release(fq);
    publisher_free(q);

    /* Key rotation: the stored feeds are re-signed with the new key at once. */
    publisher_free(p);
    struct keys_secret key2;
    keys_generate(&key2);
    p = publisher_new(st, &key2, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    const struct publisher_feed *f3 = p ? publisher_feed_get(p, "wz1") : NULL;
    CHECK(f3 && f3->version == 4);
    if (f3) {
        struct keys_trust t2 = {.n = 1, .keys = {key2.pub}};
        struct verdict_screen scr = {.screen = "wz1", .trust = &t2};
        struct verdict_screen old = {.screen = "wz1", .trust = &trust};
        struct verdict_clock clock = {.now = fake_clock(NULL)};
        struct feed_doc d;
        char keyid[FEED_KEYID_HEX_LEN + 1];
        CHECK(verdict_feed(f3->envelope, f3->len, &scr, &clock, &d, keyid, &err) == VERDICT_SHOWN);
        feed_doc_finish(&d);
        CHECK(verdict_feed(f3->envelope, f3->len, &old, &clock, &d, keyid, &err) ==
              VERDICT_UNKNOWN_KEY);
    }
    publisher_feed_release(f3);
    publisher_free(p);
    keys_secret_wipe(&key2);
    free(bytes);
    free(a);
    free(b);
    store_close(st);
}

/* ---- waiters ---- */

struct wake_rec {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int count;
    int64_t at_ms;
    bool block, entered, release, finished;
};

static void wake_init(struct wake_rec *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
}

static void wake_finish(struct wake_rec *w)
{
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

static void on_wake(void *ctx)
{
    struct wake_rec *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->count++;
    w->at_ms = publisher_monotonic_ms();
    w->entered = true;
    pthread_cond_broadcast(&w->cv);
    while (w->block && !w->release)
        pthread_cond_wait(&w->cv, &w->mu);
    w->finished = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Waits (bounded, as a safety net only) until *flag or count >= n. */
static int wait_count(struct wake_rec *w, int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += BOUNDED_WAIT_MS / 1000;
    pthread_mutex_lock(&w->mu);
    while (w->count < n && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
        ;
    int c = w->count;
    pthread_mutex_unlock(&w->mu);
    return c;
}

static int count_of(struct wake_rec *w)
{
    pthread_mutex_lock(&w->mu);
    int c = w->count;
    pthread_mutex_unlock(&w->mu);
    return c;
}

struct unwait_job {
    struct publisher *p;
    struct publisher_waiter *w;
    struct wake_rec *rec;
    bool result, finished_at_return;
};

static void *unwait_thread(void *arg)
{
    struct unwait_job *j = arg;
    j->result = publisher_unwait(j->p, j->w);
    pthread_mutex_lock(&j->rec->mu);
    j->finished_at_return = j->rec->finished;
    pthread_mutex_unlock(&j->rec->mu);
    return NULL;
}

static void test_waiters(void)
{
    set_now(T0);
    struct store *st = fresh_store("waiters");
    struct sg_err err = {0};
    struct publisher *p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p)
        return;
    int64_t far = publisher_monotonic_ms() + 3600 * 1000;

    /* Version change: a kick (no run_once) publishes and wakes the poll. */
    struct wake_rec changed, other, deadline, newer, removed, at_free;
    wake_init(&changed);
    wake_init(&other);
    wake_init(&deadline);
    wake_init(&newer);
    wake_init(&removed);
    wake_init(&at_free);
    struct publisher_waiter *w_changed = publisher_wait(p, "wz1", 1, far, on_wake, &changed);
    struct publisher_waiter *w_other = publisher_wait(p, "wz2", 1, far, on_wake, &other);
    CHECK(w_changed && w_other);
    struct publisher_stats stats;
    publisher_stats(p, &stats);
    CHECK_INT(stats.waiters, 2);
    char *a = add_item(st, &(struct item_spec){.title = "A", .targets = "[\"screen:wz1\"]"});
    approve(st, a, 1, T0 + DAY, NULL);
    publisher_kick(p);
    publisher_kick(p); /* a burst is one recompute */
    CHECK_INT(wait_count(&changed, 1), 1);
    CHECK_INT(version_of(p, "wz1"), 2);
    CHECK_INT(count_of(&other), 0); /* wz2 did not move */
    /* Already fired: unwait says so. */
    CHECK(!publisher_unwait(p, w_changed));

    /* Deadline: fires once its monotonic time has come. */
    int64_t dl = publisher_monotonic_ms() + 50;
    CHECK(publisher_wait(p, "wz3", 1, dl, on_wake, &deadline) != NULL);
    CHECK_INT(wait_count(&deadline, 1), 1);
    CHECK(deadline.at_ms >= dl);
    CHECK_INT(version_of(p, "wz3"), 1);

    /* Known version already behind: fires without any new publication. */
    CHECK(publisher_wait(p, "wz1", 1, far, on_wake, &newer) != NULL);
    CHECK_INT(wait_count(&newer, 1), 1);

    /* Removed before it fires: true, and wake is never called (not at free
     * either). */
    struct publisher_waiter *w_removed = publisher_wait(p, "wz3", 1, far, on_wake, &removed);
    CHECK(w_removed && publisher_unwait(p, w_removed));
    CHECK(!publisher_unwait(NULL, NULL));

    /* While a wake runs, unwait from another thread waits for it to return
     * and answers false. */
    struct wake_rec blocking;
    wake_init(&blocking);
    blocking.block = true;
    struct publisher_waiter *w_block =
        publisher_wait(p, "wz1", 0, far, on_wake, &blocking); /* version 2 > 0: fires */
    pthread_mutex_lock(&blocking.mu);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += BOUNDED_WAIT_MS / 1000;
    while (!blocking.entered && pthread_cond_timedwait(&blocking.cv, &blocking.mu, &ts) == 0)
        ;
    bool entered = blocking.entered;
    pthread_mutex_unlock(&blocking.mu);
    CHECK(entered);
    struct unwait_job job = {.p = p, .w = w_block, .rec = &blocking};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, unwait_thread, &job) == 0);
    /* Give the other thread a chance to block in unwait (not asserted on). */
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    pthread_mutex_lock(&blocking.mu);
    blocking.release = true;
    pthread_cond_broadcast(&blocking.cv);
    pthread_mutex_unlock(&blocking.mu);
    pthread_join(t, NULL);
    CHECK(!job.result);
    CHECK(job.finished_at_return);
    CHECK_INT(count_of(&blocking), 1);

    /* The thread wakes by itself when an approval runs out: no kick, no
     * run_once. (The thread sleeps until the approval's end on the fake
     * clock, converted to real milliseconds: one second here.) */
    char *brief = add_item(st, &(struct item_spec){.title = "Kurz", .targets = "[\"screen:wz3\"]"});
    approve(st, brief, 1, T0 + 1, NULL);
    run(p);
    int64_t v3 = version_of(p, "wz3");
    set_now(T0 + 1);
    struct wake_rec expired;
    wake_init(&expired);
    CHECK(publisher_wait(p, "wz3", v3, far, on_wake, &expired) != NULL);
    CHECK_INT(wait_count(&expired, 1), 1);
    CHECK_INT(version_of(p, "wz3"), v3 + 1);
    struct store_item it;
    CHECK(store_item_get(st, brief, &it, &err) == STORE_OK);
    CHECK_INT(it.latest.state, STORE_REV_EXPIRED);
    store_item_finish(&it);

    /* Pending at free: fired exactly once by publisher_free. */
    CHECK(publisher_wait(p, "wz2", 99, far, on_wake, &at_free) != NULL);
    /* More versions after the first waiter fired do not fire it again. */
    char *b = add_item(st, &(struct item_spec){.title = "B", .targets = "[\"screen:wz1\"]"});
    approve(st, b, 1, T0 + DAY, NULL);
    run(p);
    CHECK_INT(version_of(p, "wz1"), 3);
    publisher_free(p);
    CHECK_INT(count_of(&at_free), 1);
    CHECK_INT(count_of(&changed), 1);
    CHECK_INT(count_of(&newer), 1);
    CHECK_INT(count_of(&deadline), 1);
    CHECK_INT(count_of(&removed), 0);
    /* wz2's waiter from the start fired at free, once. */
    CHECK_INT(count_of(&other), 1);
    wake_finish(&changed);
    wake_finish(&other);
    wake_finish(&deadline);
    wake_finish(&newer);
    wake_finish(&removed);
    wake_finish(&at_free);
    wake_finish(&blocking);
    wake_finish(&expired);
    free(brief);
    free(a);
    free(b);
    store_close(st);
}

/* ---- export ---- */

static void test_export(void)
{
    set_now(T0);
    struct store *st = fresh_store("export");
    struct sg_err err = {0};
    static const char image[] = "\x89PNG\r\n\x1a\n pretend image bytes";
    unsigned char digest[32];
    char sha[65];
    crypto_hash_sha256(digest, (const unsigned char *)image, sizeof image - 1);
    sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);
    CHECK_MSG(store_media_put(st, &editor, sha, "image/png", 4, 3, image, sizeof image - 1, T0,
                              &err) == STORE_OK,
              "%s", err.msg);
    char *a = add_item(st, &(struct item_spec){.title = "Mit Bild", .media = sha});
    approve(st, a, 1, T0 + DAY, NULL);
    struct publisher *p = publisher_new(st, &key, fake_clock, NULL, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (!p)
        return;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/out", tmp_dir("export"));
    for (int round = 0; round < 2; round++) { /* the second run replaces in place */
        struct sg_err e = {0};
        CHECK_MSG(publisher_export(p, dir, &e), "%s", e.msg);
    }
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/v1/screens/%s/feed", dir, all_screens[i]);
        char *bytes = NULL;
        size_t len = 0;
        CHECK_MSG(fileio_read(path, FEED_MAX_ENVELOPE_BYTES, &bytes, &len, &err), "%s", err.msg);
        const struct publisher_feed *f = publisher_feed_get(p, all_screens[i]);
        CHECK(bytes && f && len == f->len && memcmp(bytes, f->envelope, len) == 0);
        const char *group = groups_of(all_screens[i]);
        struct verdict_screen scr = {.screen = all_screens[i],
                                     .groups = group ? &group : NULL,
                                     .ngroups = group ? 1 : 0,
                                     .trust = &trust};
        struct verdict_clock clock = {.now = T0};
        struct feed_doc d;
        char keyid[FEED_KEYID_HEX_LEN + 1];
        CHECK(bytes && verdict_feed(bytes, len, &scr, &clock, &d, keyid, &err) == VERDICT_SHOWN);
        if (bytes) {
            CHECK(d.nitems == 1 && d.items[0].nmedia == 1 &&
                  strcmp(d.items[0].media[0].sha256, sha) == 0);
            CHECK(d.nitems == 1 && d.items[0].media[0].type &&
                  strcmp(d.items[0].media[0].type, "image/png") == 0);
            feed_doc_finish(&d);
        }
        publisher_feed_release(f);
        free(bytes);
    }
    /* The media file's bytes hash to its name. */
    snprintf(path, sizeof path, "%s/v1/media/%s", dir, sha);
    char *m = NULL;
    size_t mlen = 0;
    CHECK(fileio_read(path, STORE_MAX_MEDIA_BYTES, &m, &mlen, &err));
    if (m) {
        crypto_hash_sha256(digest, (unsigned char *)m, mlen);
        char got[65];
        sodium_bin2hex(got, sizeof got, digest, sizeof digest);
        CHECK_STR(got, sha);
    }
    free(m);
    /* A damaged copy in the folder is replaced by the next export. */
    CHECK(fileio_write_atomic(path, "garbage", 7, 0644, false, NULL, &err));
    CHECK(publisher_export(p, dir, &err));
    CHECK(fileio_read(path, STORE_MAX_MEDIA_BYTES, &m, &mlen, &err));
    CHECK(m && mlen == sizeof image - 1 && memcmp(m, image, mlen) == 0);
    free(m);
    struct stat sb;
    snprintf(path, sizeof path, "%s/v1/screens", dir);
    CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0022) == 0);

    /* A DIR that exists and is not a folder is refused. */
    snprintf(path, sizeof path, "%s/plainfile", tmp_dir("export"));
    CHECK(fileio_write_atomic(path, "x", 1, 0644, false, NULL, &err));
    struct sg_err e = {0};
    CHECK(!publisher_export(p, path, &e));
    CHECK_MSG(strstr(e.msg, "not a directory") != NULL, "%s", e.msg);
    /* So is one whose v1 is a file. */
    snprintf(path, sizeof path, "%s/blocked", tmp_dir("export"));
    CHECK(mkdir(path, 0755) == 0);
    char v1[4300];
    snprintf(v1, sizeof v1, "%s/v1", path);
    CHECK(fileio_write_atomic(v1, "x", 1, 0644, false, NULL, &err));
    struct sg_err e2 = {0};
    CHECK(!publisher_export(p, path, &e2) && e2.set);

    publisher_free(p);
    free(a);
    store_close(st);
}

int main(void)
{
    /* As under ctest: wz3 has no zone of its own and uses the process's. */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    if (!keys_init())
        return 1;
    keys_generate(&key);
    trust.n = 1;
    trust.keys[0] = key.pub;
    test_workflow();
    test_schedule_boundaries();
    test_restart();
    test_waiters();
    test_export();
    return check_done("test_publisher");
}
