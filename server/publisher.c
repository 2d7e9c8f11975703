/* The publisher (publisher.h).
 *
 * Two clocks, on purpose:
 *   - *now* (now_fn, seconds since the epoch) is what feeds are made of:
 *     issued, expires, approval windows, schedule boundaries. Tests step it.
 *   - CLOCK_MONOTONIC milliseconds (publisher_monotonic_ms) paces the thread:
 *     the kick delay, long-poll deadlines and how long to sleep. A wall clock
 *     stepped by NTP must neither cut a long poll short nor freeze the thread.
 * The thread converts "seconds until the next event on now's clock" into a
 * monotonic sleep and never sleeps longer than PUB_MAX_SLEEP_MS, so a
 * stepped wall clock is noticed within a minute.
 *
 * Locks: `work` serialises recomputes (the thread's and publisher_run_once);
 * `mu` guards the screen table, the waiter lists, the kick state and the
 * counters, and is never held across SQLite, signing or a wake call. A
 * recompute holds `work` and takes `mu` only to swap in what it built.
 *
 * Feeds handed out are immutable blocks with an atomic reference count: the
 * table holds one reference, every publisher_feed_get one more; the last
 * release frees. */
#include "publisher.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "feed.h"
#include "feedbuild.h"
#include "fileio.h"
#include "qlog.h"
#include "sgtime.h"
#include "verdict.h"

#define PUB_MAX_SLEEP_MS 60000 /* look at the wall clock at least once a minute */
#define PUB_RETRY_MS 5000      /* after a failed recompute */
#define PUB_MIN_EVENT_MS 1000  /* now is in whole seconds: never spin on "due now" */
#define PUB_DEFAULT_LIFETIME_S (7 * 86400)
#define PUB_MIN_LIFETIME_S 60
#define PUB_MAX_LIFETIME_S (366 * 86400)
/* Boundary search steps: at most three candidates a local day (midnight,
 * hours from, hours until) plus zone transitions, over half a lifetime. */
#define PUB_MAX_BOUNDARY_STEPS 4096
#define PUB_MAX_ZONE_LEN 64

struct pub_feed {
    struct publisher_feed pub; /* first member: publisher_feed_release casts back */
    atomic_int refs;
    /* the envelope bytes follow in the same allocation */
};

struct pub_screen {
    char *id, *group, *timezone; /* group, timezone may be NULL */
    struct pub_feed *feed;       /* NULL before the first publication */
    char content_sha256[65];     /* what feed was made from; "" forces a new version */
    int64_t boundary;            /* next schedule boundary after feed's issued, or INT64_MAX */
    int64_t stored_version;      /* the store's feed_version at the last sync */
    int64_t exported_version;    /* written to the --publish-dir folder (0: not yet) */
};

struct publisher_waiter {
    struct publisher_waiter *next;
    char *screen_id;
    int64_t known_version, deadline_ms;
    publisher_wake_fn wake;
    void *ctx;
    bool done; /* wake has returned (guarded by mu) */
};

struct publisher {
    struct store *st;
    struct keys_secret key;
    publisher_clock_fn now_fn;
    void *clock_ctx;

    pthread_mutex_t work;
    pthread_mutex_t mu;
    pthread_cond_t cond;  /* CLOCK_MONOTONIC; the thread sleeps on it */
    pthread_cond_t fired; /* a wake call returned (publisher_unwait waits on it) */
    bool cond_ok, fired_ok;

    /* guarded by mu */
    struct pub_screen *screens; /* sorted by id */
    size_t nscreens;
    struct publisher_waiter *waiting;
    struct publisher_waiter *firing; /* the batch whose wake calls run now */
    int64_t nwaiters;
    int64_t versions_published;
    bool kick_pending;
    bool released;             /* publisher_release_waiters: no new waiters */
    char *export_dir;          /* publisher_export_to; NULL: none */
    int64_t exported_versions; /* versions_published at the last export */
    int64_t kick_at_ms;
    int64_t next_work_ms;
    bool stop;

    pthread_t thread;
    bool thread_started;
};

/* ---- small helpers ---- */

int64_t publisher_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line to stderr (journald under systemd). Never a secret: ids,
 * versions, counts and store messages only. */
static void pub_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void pub_log(const char *fmt, ...)
{
    char line[512], quoted[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    qlog(QLOG_INFO, "publisher", "detail=%s", qlog_quote(line, quoted, sizeof quoted));
}

static int64_t clock_now(const struct publisher *p)
{
    return p->now_fn ? p->now_fn(p->clock_ctx) : (int64_t)time(NULL);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int64_t lifetime_of(const struct store_settings *set)
{
    int64_t l = set->feed_lifetime_s;
    if (l <= 0)
        return PUB_DEFAULT_LIFETIME_S;
    if (l < PUB_MIN_LIFETIME_S)
        return PUB_MIN_LIFETIME_S;
    return l > PUB_MAX_LIFETIME_S ? PUB_MAX_LIFETIME_S : l;
}

/* When a feed must be re-signed: half its own lifetime, or half the
 * configured one when that became shorter. */
static int64_t resign_at(const struct publisher_feed *f, int64_t lifetime)
{
    int64_t own = f->expires - f->issued;
    int64_t half = min64(own > 0 ? own : 0, lifetime) / 2;
    return f->issued + half;
}

/* ---- feeds handed out ---- */

static struct pub_feed *feed_make(int64_t version, int64_t issued, int64_t expires,
                                  const char *envelope, size_t len)
{
    struct pub_feed *f = malloc(sizeof *f + len + 1);
    if (!f)
        return NULL;
    char *bytes = (char *)(f + 1);
    memcpy(bytes, envelope, len);
    bytes[len] = '\0';
    f->pub.version = version;
    f->pub.issued = issued;
    f->pub.expires = expires;
    f->pub.envelope = bytes;
    f->pub.len = len;
    atomic_init(&f->refs, 1);
    return f;
}

static void feed_unref(struct pub_feed *f)
{
    if (f && atomic_fetch_sub(&f->refs, 1) == 1)
        free(f);
}

void publisher_feed_release(const struct publisher_feed *feed)
{
    /* The public struct is the first member of the block it came from. */
    feed_unref((struct pub_feed *)(void *)(uintptr_t)feed);
}

static int cmp_screen_key(const void *key, const void *elem)
{
    return strcmp(key, ((const struct pub_screen *)elem)->id);
}

static int cmp_screen(const void *a, const void *b)
{
    return strcmp(((const struct pub_screen *)a)->id, ((const struct pub_screen *)b)->id);
}

/* mu held. */
static struct pub_screen *find_screen(struct pub_screen *screens, size_t n, const char *id)
{
    if (!id || n == 0)
        return NULL;
    return bsearch(id, screens, n, sizeof *screens, cmp_screen_key);
}

const struct publisher_feed *publisher_feed_get(struct publisher *p, const char *screen_id)
{
    if (!p)
        return NULL;
    pthread_mutex_lock(&p->mu);
    struct pub_screen *s = find_screen(p->screens, p->nscreens, screen_id);
    struct pub_feed *f = s ? s->feed : NULL;
    if (f)
        atomic_fetch_add(&f->refs, 1);
    pthread_mutex_unlock(&p->mu);
    return f ? &f->pub : NULL;
}

/* ---- content hash ---- */

static void hash_bytes(crypto_hash_sha256_state *h, const void *b, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    crypto_hash_sha256_update(h, len, sizeof len);
    if (n)
        crypto_hash_sha256_update(h, b, n);
}

/* NULL and "" hash differently. */
static void hash_str(crypto_hash_sha256_state *h, const char *s)
{
    unsigned char present = s != NULL;
    crypto_hash_sha256_update(h, &present, 1);
    if (s)
        hash_bytes(h, s, strlen(s));
}

static void hash_i64(crypto_hash_sha256_state *h, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
    crypto_hash_sha256_update(h, b, sizeof b);
}

static int cmp_rev_ptr(const void *a, const void *b)
{
    const struct store_revision *x = *(const struct store_revision *const *)a;
    const struct store_revision *y = *(const struct store_revision *const *)b;
    int c = strcmp(x->item_id ? x->item_id : "", y->item_id ? y->item_id : "");
    if (c)
        return c;
    return x->rev < y->rev ? -1 : x->rev > y->rev;
}

/* Everything a screen's feed is made of except issued, expires and version:
 * when this hash is unchanged a new version would only churn. items must be
 * sorted by cmp_rev_ptr so the hash survives a restart. The screen's time
 * zone is in it because schedule boundaries are computed in that zone. The
 * lengths prefix every field, so no two inputs share a byte stream. */
static void content_hash(const struct store_settings *set, const struct pub_screen *s,
                         const struct store_revision *const *items, size_t n, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&h);
    hash_str(&h, "signet-publisher-content-v1");
    hash_i64(&h, set->emergency_stop);
    hash_str(&h, set->clinic);
    hash_str(&h, s->timezone);
    hash_i64(&h, (int64_t)n);
    for (size_t i = 0; i < n; i++) {
        const struct store_revision *r = items[i];
        hash_str(&h, r->item_id);
        hash_i64(&h, r->rev);
        hash_str(&h, r->content_sha256);
        hash_i64(&h, r->until);
        hash_str(&h, r->approved_targets_json);
        hash_str(&h, r->decided_by);
        hash_i64(&h, r->decided_at);
    }
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

/* ---- schedule boundaries in a screen's time zone ----
 *
 * The C library knows time zones only through the process-wide TZ variable,
 * so a conversion in a screen's zone sets TZ, calls tzset and localtime_r
 * (sgtime_local_tz), and puts TZ back, all under tz_lock. Only the
 * publisher's thread (or run_once's caller, serialised with it by `work`)
 * does this, and only while a feed with a schedule is published or loaded.
 * Another thread calling localtime meanwhile would see the screen's zone
 * for those microseconds, so the rest of the queue must format times in UTC
 * (sgtime, gmtime_r), never localtime. tz_lock is process-wide because TZ
 * is. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* An IANA name like "Europe/Berlin": letters, digits, "/_+-", no "..", not
 * absolute (glibc would read any file named by TZ). */
static bool zone_usable(const char *z)
{
    size_t n = z ? strlen(z) : 0;
    if (n == 0 || n > PUB_MAX_ZONE_LEN || z[0] == '/' || strstr(z, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = z[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '+' || c == '-'))
            return false;
    }
    return true;
}

/* glibc's own default when TZ is unset. An unset TZ is made explicit with
 * it on first use, so every later change replaces the value in place: the
 * environment array itself never grows or shrinks (a realloc there could
 * pull it from under a thread reading getenv), and glibc keeps every value
 * string it ever set, so a concurrent getenv sees the old or the new one. */
#define PUB_TZ_DEFAULT ":/etc/localtime"

struct tz_saved {
    bool changed;
    char *old;
};

/* tz_lock held. A NULL or unusable zone keeps the process's own zone. */
static void tz_enter(const char *zone, struct tz_saved *sv)
{
    memset(sv, 0, sizeof *sv);
    if (!zone_usable(zone))
        return;
    const char *old = getenv("TZ");
    sv->old = strdup(old ? old : PUB_TZ_DEFAULT);
    if (!sv->old)
        return; /* out of memory: it could not be put back, so it is not changed */
    if (setenv("TZ", zone, 1) == 0) {
        sv->changed = true;
        tzset();
    }
}

static void tz_leave(struct tz_saved *sv)
{
    if (sv->changed) {
        setenv("TZ", sv->old, 1);
        tzset();
    }
    free(sv->old);
}

/* Whether the kiosk's own verdict puts an item with schedule s on screen at
 * t, schedule aside from everything else (the board runs this same code). */
static bool in_schedule(const struct feed_schedule *s, int64_t t)
{
    struct feed_item item;
    struct feed_doc doc;
    memset(&item, 0, sizeof item);
    memset(&doc, 0, sizeof doc);
    item.approval.present = true;
    item.approval.until = INT64_MAX;
    item.schedule = *s;
    doc.expires = INT64_MAX;
    struct verdict_clock clock = {.now = t, .local = sgtime_local_tz};
    return verdict_item(&doc, &item, &clock, NULL, NULL) == VERDICT_SHOWN;
}

/* Local wall-clock seconds minus UTC seconds at t (the zone's offset). */
static bool zone_offset(int64_t t, struct sgtime_local *l, int64_t *off)
{
    if (!sgtime_local_tz(NULL, t, l))
        return false;
    *off = l->days * 86400 + l->hour * 3600 + l->minute * 60 + l->second - t;
    return true;
}

/* The first instant in (from, horizon] at which in_schedule changes its
 * answer, or INT64_MAX. Within one zone offset, local time runs with UTC and
 * the answer depends on the local date, weekday and minute compared with
 * the hours' bounds, so it can change only at local midnight, at "from" and
 * at "until"; a zone transition (DST) jumps local time and is a candidate
 * of its own, found by bisection. tz_lock held, TZ set. */
static int64_t schedule_next_change(const struct feed_schedule *s, int64_t from, int64_t horizon)
{
    if (!s->has_dates && !s->weekdays && !s->has_hours)
        return INT64_MAX;
    bool state = in_schedule(s, from);
    int64_t t = from;
    for (int step = 0; step < PUB_MAX_BOUNDARY_STEPS && t < horizon; step++) {
        struct sgtime_local l, lc;
        int64_t off, offc;
        if (!zone_offset(t, &l, &off))
            return INT64_MAX;
        int m = l.hour * 60 + l.minute;
        int d = 1440 - m; /* to local midnight */
        if (s->has_hours) {
            const int bounds[2] = {s->minute_from, s->minute_until};
            for (int i = 0; i < 2; i++) {
                int dd = ((bounds[i] - m) % 1440 + 1440) % 1440;
                if (dd == 0)
                    dd = 1440;
                if (dd < d)
                    d = dd;
            }
        }
        int64_t cand = t - l.second + (int64_t)d * 60;
        if (!zone_offset(cand, &lc, &offc))
            return INT64_MAX;
        if (offc != off) {
            int64_t lo = t, hi = cand;
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                int64_t offm;
                if (!zone_offset(mid, &lc, &offm))
                    return INT64_MAX;
                if (offm == off)
                    lo = mid;
                else
                    hi = mid;
            }
            cand = hi;
        }
        if (cand > horizon)
            return INT64_MAX;
        if (in_schedule(s, cand) != state)
            return cand;
        t = cand;
    }
    return INT64_MAX;
}

/* The earliest schedule boundary of any item of doc in zone, in
 * (from, horizon], or INT64_MAX. */
static int64_t doc_next_boundary(const struct feed_doc *doc, const char *zone, int64_t from,
                                 int64_t horizon)
{
    int64_t next = INT64_MAX;
    bool any = false;
    for (size_t i = 0; i < doc->nitems && !any; i++) {
        const struct feed_schedule *s = &doc->items[i].schedule;
        any = s->has_dates || s->weekdays || s->has_hours;
    }
    if (!any)
        return next;
    pthread_mutex_lock(&tz_lock);
    struct tz_saved sv;
    tz_enter(zone, &sv);
    for (size_t i = 0; i < doc->nitems; i++)
        next = min64(next, schedule_next_change(&doc->items[i].schedule, from, horizon));
    tz_leave(&sv);
    pthread_mutex_unlock(&tz_lock);
    return next;
}

/* ---- loading what was published before ---- */

/* Reads the stored feed of s into it (mu taken for the swap). A stored
 * envelope that does not parse, or that another key signed, is kept for
 * serving but marked for a new version at once (key rotation: publish with
 * the new key). */
static enum store_status load_stored(struct publisher *p, struct pub_screen *s, int64_t lifetime,
                                     struct sg_err *err)
{
    int64_t version = 0, issued = 0, expires = 0;
    char *hash = NULL, *env = NULL;
    size_t len = 0;
    enum store_status rc =
        store_feed_load(p->st, s->id, &version, &issued, &expires, &hash, &env, &len, err);
    if (rc != STORE_OK)
        return rc;
    struct pub_feed *f = feed_make(version, issued, expires, env, len);
    if (!f) {
        free(hash);
        free(env);
        sg_err_set(err, "out of memory");
        return STORE_ERROR;
    }
    bool usable = hash && strlen(hash) == 64;
    int64_t boundary = INT64_MAX;
    struct feed_envelope e;
    struct feed_doc doc;
    struct sg_err perr = {0};
    if (usable && feed_envelope_parse(env, len, &e, &perr)) {
        usable = e.nsigs == 1 && strcmp(e.sigs[0].keyid, p->key.pub.keyid) == 0 &&
                 feed_payload_parse(e.payload, e.payload_len, &doc, &perr) == FEED_PARSE_OK;
        if (usable) {
            boundary = doc_next_boundary(&doc, s->timezone, issued, resign_at(&f->pub, lifetime));
            feed_doc_finish(&doc);
        }
        feed_envelope_finish(&e);
    } else {
        usable = false;
    }
    if (!usable)
        pub_log("screen %s: stored version %lld is unreadable or signed by another key; "
                "publishing anew",
                s->id, (long long)version);
    pthread_mutex_lock(&p->mu);
    struct pub_feed *old = s->feed;
    s->feed = f;
    snprintf(s->content_sha256, sizeof s->content_sha256, "%s", usable ? hash : "");
    s->boundary = boundary;
    pthread_mutex_unlock(&p->mu);
    feed_unref(old);
    free(hash);
    free(env);
    return STORE_OK;
}

/* ---- publishing ---- */

struct recompute_ctx {
    const struct store_settings *set;
    int64_t now, lifetime;
    const struct store_revision *revs;
    size_t nrevs;
    const struct store_revision **scratch; /* nrevs slots */
    /* Targets arrays repeat ("*", a few groups): each distinct one is
     * matched once per screen, not once per revision per screen. */
    size_t *target_of;    /* nrevs: index into targets */
    const char **targets; /* distinct approved_targets_json values */
    size_t ntargets;
    bool *match;                   /* ntargets: for the screen at hand */
    struct feedbuild_cache *cache; /* items checked once for every screen; may be NULL */
    int64_t next_event;            /* on now's clock */
    struct sg_err *err;
    bool ok;
};

static void fail(struct recompute_ctx *rc, const char *screen, const char *what,
                 const struct sg_err *detail)
{
    rc->ok = false;
    sg_err_set(rc->err, "screen %s: %s: %s", screen, what, detail->msg);
    pub_log("screen %s: %s: %s", screen, what, detail->msg);
}

/* Fills targets/target_of. A revision without targets gets an index past
 * the end and matches no screen. Quadratic in the distinct values, which
 * are few. */
static void index_targets(struct recompute_ctx *rc)
{
    for (size_t i = 0; rc->scratch && i < rc->nrevs; i++) {
        const char *t = rc->revs[i].approved_targets_json;
        size_t k = 0;
        if (!t) {
            rc->target_of[i] = SIZE_MAX;
            continue;
        }
        while (k < rc->ntargets && strcmp(rc->targets[k], t) != 0)
            k++;
        if (k == rc->ntargets)
            rc->targets[rc->ntargets++] = t;
        rc->target_of[i] = k;
    }
}

static bool fire_batch(struct publisher *p, bool all, const struct pub_screen *only);

static void publish_screen(struct publisher *p, struct pub_screen *s, struct recompute_ctx *rc)
{
    size_t n = 0;
    for (size_t k = 0; !rc->set->emergency_stop && k < rc->ntargets; k++)
        rc->match[k] = store_targets_match(rc->targets[k], s->id, s->group);
    for (size_t i = 0; !rc->set->emergency_stop && i < rc->nrevs; i++)
        if (rc->target_of[i] < rc->ntargets && rc->match[rc->target_of[i]])
            rc->scratch[n++] = &rc->revs[i];
    qsort(rc->scratch, n, sizeof *rc->scratch, cmp_rev_ptr);
    char hash[65];
    content_hash(rc->set, s, rc->scratch, n, hash);

    const char *why = NULL;
    int64_t resign = INT64_MAX;
    if (!s->feed) {
        why = "first";
    } else {
        resign = resign_at(&s->feed->pub, rc->lifetime);
        if (strcmp(hash, s->content_sha256) != 0)
            why = rc->set->emergency_stop ? "emergency-stop" : "content";
        else if (rc->now >= resign)
            why = "re-sign";
        else if (rc->now >= s->boundary)
            why = "schedule";
    }
    if (!why) {
        rc->next_event = min64(rc->next_event, min64(resign, s->boundary));
        return;
    }

    /* The larger of ours and the store's: never a version twice. */
    int64_t base = s->feed ? s->feed->pub.version : 0;
    if (s->stored_version > base)
        base = s->stored_version;
    struct feedbuild_feed fb = {
        .screen = s->id,
        .version = base + 1,
        .issued = rc->now,
        .expires = rc->now + rc->lifetime,
        .clinic = rc->set->clinic,
    };
    struct feedbuild_result res;
    struct sg_err e = {0};
    if (!feedbuild_payload(&fb, rc->scratch, n, rc->cache, &res, &e)) {
        fail(rc, s->id, "building the feed", &e);
        return;
    }
    if (res.left_out || res.invalid)
        pub_log("screen %s: version %lld leaves out %zu approved items over the feed's limits "
                "and %zu the screen would refuse",
                s->id, (long long)fb.version, res.left_out, res.invalid);
    char *env = keys_sign_envelope(&p->key, FEED_PAYLOAD_TYPE, (const unsigned char *)res.payload,
                                   res.len, &e);
    struct pub_feed *f =
        env ? feed_make(fb.version, fb.issued, fb.expires, env, strlen(env)) : NULL;
    if (!f) {
        if (env)
            sg_err_set(&e, "out of memory");
        fail(rc, s->id, "signing the feed", &e);
        free(env);
        feedbuild_result_finish(&res);
        return;
    }
    free(env);
    /* Stored before served: a restart never hands out a lower version. */
    if (store_feed_save(p->st, s->id, fb.version, fb.issued, fb.expires, hash, f->pub.envelope,
                        f->pub.len, &e) != STORE_OK) {
        fail(rc, s->id, "saving the feed", &e);
        feed_unref(f);
        feedbuild_result_finish(&res);
        return;
    }
    int64_t boundary =
        doc_next_boundary(&res.doc, s->timezone, fb.issued, resign_at(&f->pub, rc->lifetime));
    size_t nitems = res.doc.nitems;
    feedbuild_result_finish(&res);

    pthread_mutex_lock(&p->mu);
    struct pub_feed *old = s->feed;
    s->feed = f;
    memcpy(s->content_sha256, hash, sizeof s->content_sha256);
    s->boundary = boundary;
    p->versions_published++;
    /* Long polls of this screen get their answer now, not after the whole
     * round (2,000 screens take a while); only the publisher's own thread
     * fires, so wake calls never run on two threads at once. */
    if (p->thread_started && pthread_equal(pthread_self(), p->thread))
        fire_batch(p, false, s);
    else
        pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
    feed_unref(old);
    pub_log("screen %s: version %lld (%s), %zu items", s->id, (long long)fb.version, why, nitems);
    rc->next_event = min64(rc->next_event, min64(resign_at(&f->pub, rc->lifetime), boundary));
}

/* Makes the screen table match the store's screens: entries carried over by
 * id keep their feed; new ones load what was stored; a screen whose stored
 * version moved past ours (another `signet-queue publish` on the same
 * database) is reloaded so versions only grow. */
static bool sync_screens(struct publisher *p, const struct store_screen *list, size_t n,
                         int64_t lifetime, struct sg_err *err)
{
    struct pub_screen *table = calloc(n ? n : 1, sizeof *table);
    if (!table) {
        sg_err_set(err, "out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        table[i].id = strdup(list[i].id);
        table[i].group = dup_or_null(list[i].group);
        table[i].timezone = dup_or_null(list[i].timezone);
        table[i].boundary = INT64_MAX;
        table[i].stored_version = list[i].feed_version;
        ok = table[i].id && (table[i].group || !list[i].group) &&
             (table[i].timezone || !list[i].timezone);
    }
    struct pub_screen *drop = table;
    size_t ndrop = n;
    if (!ok) {
        sg_err_set(err, "out of memory");
    } else {
        qsort(table, n, sizeof *table, cmp_screen);
        /* Feeds move from the old table to the new one under mu, so
         * publisher_feed_get always sees one whole table or the other. */
        pthread_mutex_lock(&p->mu);
        for (size_t i = 0; i < n; i++) {
            struct pub_screen *old = find_screen(p->screens, p->nscreens, table[i].id);
            if (!old)
                continue;
            table[i].feed = old->feed;
            old->feed = NULL;
            memcpy(table[i].content_sha256, old->content_sha256, sizeof old->content_sha256);
            table[i].boundary = old->boundary;
        }
        drop = p->screens;
        ndrop = p->nscreens;
        p->screens = table;
        p->nscreens = n;
        pthread_mutex_unlock(&p->mu);
    }
    for (size_t i = 0; i < ndrop; i++) {
        free(drop[i].id);
        free(drop[i].group);
        free(drop[i].timezone);
        feed_unref(drop[i].feed);
    }
    free(drop);
    if (!ok)
        return false;

    /* Only the holder of `work` changes entries, so reading them here
     * without mu is safe; load_stored swaps under mu. */
    for (size_t i = 0; i < n; i++) {
        struct pub_screen *s = find_screen(p->screens, p->nscreens, list[i].id);
        int64_t have = s && s->feed ? s->feed->pub.version : 0;
        if (!s || list[i].feed_version <= have)
            continue;
        struct sg_err e = {0};
        enum store_status rc = load_stored(p, s, lifetime, &e);
        if (rc != STORE_OK && rc != STORE_NOT_FOUND) {
            sg_err_set(err, "screen %s: loading the stored feed: %s", s->id, e.msg);
            pub_log("screen %s: loading the stored feed: %s", s->id, e.msg);
            ok = false;
        }
    }
    return ok;
}

static int64_t ms_until(int64_t now_s, int64_t event_s)
{
    if (event_s == INT64_MAX)
        return PUB_MAX_SLEEP_MS;
    int64_t d = event_s - now_s;
    if (d > PUB_MAX_SLEEP_MS / 1000)
        return PUB_MAX_SLEEP_MS;
    return d * 1000 < PUB_MIN_EVENT_MS ? PUB_MIN_EVENT_MS : d * 1000;
}

/* One pass: expire due approvals, then bring every screen's feed up to date.
 * Caller holds work. A failure on one screen does not stop the others; the
 * first error is reported. Sets when the thread should look again. */
static bool recompute(struct publisher *p, struct sg_err *err)
{
    int64_t started_ms = publisher_monotonic_ms();
    int64_t versions_before = p->versions_published;
    int64_t now = clock_now(p);
    struct store_settings set;
    struct store_screen *screens = NULL;
    struct store_revision *revs = NULL;
    size_t nscreens = 0, nrevs = 0;
    bool changed = false, ok = true;
    struct sg_err e = {0};

    if (store_expire_due(p->st, now, &changed, &e) != STORE_OK) {
        sg_err_set(err, "expiring approvals: %s", e.msg);
        pub_log("expiring approvals: %s", e.msg);
        ok = false;
    }
    sg_err_clear(&e);
    if (store_settings_get(p->st, &set, &e) != STORE_OK ||
        store_screen_list(p->st, &screens, &nscreens, &e) != STORE_OK ||
        store_approved_list(p->st, now, &revs, &nrevs, &e) != STORE_OK) {
        sg_err_set(err, "reading the store: %s", e.msg);
        pub_log("reading the store: %s", e.msg);
        store_screens_free(screens, nscreens);
        pthread_mutex_lock(&p->mu);
        p->next_work_ms = publisher_monotonic_ms() + PUB_RETRY_MS;
        pthread_mutex_unlock(&p->mu);
        return false;
    }
    int64_t lifetime = lifetime_of(&set);
    if (!sync_screens(p, screens, nscreens, lifetime, err))
        ok = false;

    struct recompute_ctx rc = {
        .set = &set,
        .now = now,
        .lifetime = lifetime,
        .revs = revs,
        .nrevs = nrevs,
        .scratch = calloc(nrevs ? nrevs : 1, sizeof *rc.scratch),
        .next_event = INT64_MAX,
        .err = err,
        .ok = true,
    };
    rc.target_of = calloc(nrevs ? nrevs : 1, sizeof *rc.target_of);
    rc.targets = calloc(nrevs ? nrevs : 1, sizeof *rc.targets);
    rc.match = calloc(nrevs ? nrevs : 1, sizeof *rc.match);
    if (!rc.scratch || !rc.target_of || !rc.targets || !rc.match) {
        free(rc.scratch);
        rc.scratch = NULL;
        sg_err_set(err, "out of memory");
        ok = false;
    }
    /* The approvals running out are events too: store_expire_due then moves
     * them and the content hash changes. */
    for (size_t i = 0; i < nrevs; i++)
        if (revs[i].until > now)
            rc.next_event = min64(rc.next_event, revs[i].until);
    index_targets(&rc);
    rc.cache = feedbuild_cache_new();
    for (size_t i = 0; rc.scratch && i < p->nscreens; i++)
        publish_screen(p, &p->screens[i], &rc);
    ok = ok && rc.ok;
    free(rc.scratch);
    free(rc.target_of);
    free(rc.targets);
    free(rc.match);
    feedbuild_cache_free(rc.cache); /* before revs: it keys on their addresses */
    store_revisions_free(revs, nrevs);
    store_screens_free(screens, nscreens);

    pthread_mutex_lock(&p->mu);
    p->next_work_ms = publisher_monotonic_ms() + (ok ? ms_until(now, rc.next_event) : PUB_RETRY_MS);
    int64_t published = p->versions_published - versions_before;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
    if (published)
        qlog(QLOG_INFO, "publish-round", "screens=%zu versions=%lld ms=%lld", nscreens,
             (long long)published, (long long)(publisher_monotonic_ms() - started_ms));
    return ok;
}

bool publisher_run_once(struct publisher *p, struct sg_err *err)
{
    if (!p)
        return false;
    pthread_mutex_lock(&p->work);
    bool ok = recompute(p, err);
    pthread_mutex_unlock(&p->work);
    return ok;
}

void publisher_kick(struct publisher *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    /* The first kick of a burst sets the time; later ones ride along, so a
     * steady stream of decisions cannot postpone publication forever. */
    if (!p->kick_pending) {
        p->kick_pending = true;
        p->kick_at_ms = publisher_monotonic_ms() + PUBLISHER_KICK_DELAY_MS;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->mu);
}

/* ---- waiters ---- */

/* mu held. */
static int64_t screen_version(struct publisher *p, const char *id)
{
    struct pub_screen *s = find_screen(p->screens, p->nscreens, id);
    return s && s->feed ? s->feed->pub.version : 0;
}

static bool in_list(const struct publisher_waiter *list, const struct publisher_waiter *w)
{
    for (; list; list = list->next)
        if (list == w)
            return true;
    return false;
}

/* mu held (released around each wake call). Takes every due waiter (all of
 * them when all) off the list and calls its wake once. Returns whether any
 * fired. */
static bool fire_batch(struct publisher *p, bool all, const struct pub_screen *only)
{
    int64_t now_ms = publisher_monotonic_ms();
    struct publisher_waiter *batch = NULL, **tail = &batch, **pp = &p->waiting;
    while (*pp) {
        struct publisher_waiter *w = *pp;
        bool due;
        if (only) /* cheap: one screen's new version, no deadline checks */
            due = strcmp(w->screen_id, only->id) == 0 && only->feed &&
                  only->feed->pub.version > w->known_version;
        else
            due = all || w->deadline_ms <= now_ms ||
                  screen_version(p, w->screen_id) > w->known_version;
        if (due) {
            *pp = w->next;
            w->next = NULL;
            *tail = w;
            tail = &w->next;
            p->nwaiters--;
        } else {
            pp = &w->next;
        }
    }
    if (!batch)
        return false;
    p->firing = batch;
    for (struct publisher_waiter *w = batch; w; w = w->next) {
        pthread_mutex_unlock(&p->mu);
        w->wake(w->ctx);
        pthread_mutex_lock(&p->mu);
        w->done = true;
        pthread_cond_broadcast(&p->fired);
    }
    p->firing = NULL;
    while (batch) {
        struct publisher_waiter *w = batch;
        batch = w->next;
        free(w->screen_id);
        free(w);
    }
    pthread_cond_broadcast(&p->fired);
    return true;
}

/* NULL (wake never called): bad arguments, out of memory, or the publisher
 * is being freed; the caller answers at once (304 or the current feed). An
 * unknown screen counts as version 0: its first feed, or the deadline, fires
 * the waiter. */
static bool fire_due(struct publisher *p, bool all)
{
    return fire_batch(p, all, NULL);
}

struct publisher_waiter *publisher_wait(struct publisher *p, const char *screen_id,
                                        int64_t known_version, int64_t deadline_ms,
                                        publisher_wake_fn wake, void *ctx)
{
    if (!p || !screen_id || !wake)
        return NULL;
    struct publisher_waiter *w = calloc(1, sizeof *w);
    if (!w || !(w->screen_id = strdup(screen_id))) {
        free(w);
        return NULL;
    }
    w->known_version = known_version;
    w->deadline_ms = deadline_ms;
    w->wake = wake;
    w->ctx = ctx;
    pthread_mutex_lock(&p->mu);
    if (p->stop || p->released || !p->thread_started) {
        pthread_mutex_unlock(&p->mu);
        free(w->screen_id);
        free(w);
        return NULL;
    }
    /* Even when the version is already newer, the thread fires it: wake is
     * always called from the publisher's thread, never from inside this
     * call (the caller may hold its own locks here). */
    w->next = p->waiting;
    p->waiting = w;
    p->nwaiters++;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
    return w;
}

/* When w is being fired on the publisher's thread, this waits until its
 * wake call returned, so after a false answer the caller knows wake is not
 * running and will not run: it may free ctx. (Called from inside a wake on
 * the publisher's thread it does not wait, which would never end.) */
bool publisher_unwait(struct publisher *p, struct publisher_waiter *w)
{
    if (!p || !w)
        return false;
    pthread_mutex_lock(&p->mu);
    for (struct publisher_waiter **pp = &p->waiting; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            p->nwaiters--;
            pthread_mutex_unlock(&p->mu);
            free(w->screen_id);
            free(w);
            return true;
        }
    }
    bool self = p->thread_started && pthread_equal(pthread_self(), p->thread);
    while (!self && in_list(p->firing, w) && !w->done)
        pthread_cond_wait(&p->fired, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return false;
}

static bool export_impl(struct publisher *p, const char *dir, bool only_changed,
                        struct sg_err *err);

/* mu held (released around the export). Mirrors new versions into the
 * export folder (serve --publish-dir), after they were stored and swapped
 * in: a mirror never holds a version the server would not serve. */
static void export_if_changed(struct publisher *p)
{
    if (!p->export_dir || p->exported_versions == p->versions_published)
        return;
    int64_t versions = p->versions_published;
    char *dir = p->export_dir;
    pthread_mutex_unlock(&p->mu);
    struct sg_err err = {0};
    bool ok = export_impl(p, dir, true, &err);
    pthread_mutex_lock(&p->mu);
    if (ok)
        p->exported_versions = versions;
    else
        pub_log("export to the publish folder failed (retried with the next version): %s", err.msg);
}

/* The publisher's own thread fires them (one batch at a time, as always);
 * this waits until none is pending or firing, so that afterwards no wake
 * call can still be running or come later. */
void publisher_release_waiters(struct publisher *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->released = true;
    pthread_cond_signal(&p->cond);
    while ((p->waiting || p->firing) && p->thread_started && !p->stop)
        pthread_cond_wait(&p->fired, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

bool publisher_export_to(struct publisher *p, const char *dir, struct sg_err *err)
{
    char *copy = strdup(dir);
    if (!copy) {
        sg_err_set(err, "out of memory");
        return false;
    }
    if (!export_impl(p, dir, true, err)) {
        free(copy);
        return false;
    }
    pthread_mutex_lock(&p->mu);
    free(p->export_dir);
    p->export_dir = copy;
    p->exported_versions = p->versions_published;
    pthread_mutex_unlock(&p->mu);
    return true;
}

/* ---- the thread ---- */

static void abs_monotonic(int64_t at_ms, struct timespec *ts)
{
    ts->tv_sec = (time_t)(at_ms / 1000);
    ts->tv_nsec = (long)(at_ms % 1000) * 1000000L;
}

static void *thread_main(void *arg)
{
    struct publisher *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        int64_t now_ms = publisher_monotonic_ms();
        if ((p->kick_pending && now_ms >= p->kick_at_ms) || now_ms >= p->next_work_ms) {
            p->kick_pending = false;
            pthread_mutex_unlock(&p->mu);
            struct sg_err err = {0};
            pthread_mutex_lock(&p->work);
            bool ok = recompute(p, &err);
            pthread_mutex_unlock(&p->work);
            (void)ok; /* recompute logged it and set the retry */
            pthread_mutex_lock(&p->mu);
            fire_due(p, p->released); /* before the (slow, fsync'd) export */
            export_if_changed(p);
            continue;
        }
        if (fire_due(p, p->released))
            continue;
        int64_t wake_at = min64(p->next_work_ms, now_ms + PUB_MAX_SLEEP_MS);
        if (p->kick_pending)
            wake_at = min64(wake_at, p->kick_at_ms);
        for (const struct publisher_waiter *w = p->waiting; w; w = w->next)
            wake_at = min64(wake_at, w->deadline_ms);
        struct timespec ts;
        abs_monotonic(wake_at, &ts);
        pthread_cond_timedwait(&p->cond, &p->mu, &ts);
    }
    fire_due(p, true);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- life cycle ---- */

struct publisher *publisher_new(struct store *st, const struct keys_secret *key,
                                publisher_clock_fn now_fn, void *clock_ctx, struct sg_err *err)
{
    if (!st || !key) {
        sg_err_set(err, "publisher: no store or no key");
        return NULL;
    }
    if (sodium_init() < 0) {
        sg_err_set(err, "publisher: libsodium did not initialise");
        return NULL;
    }
    struct publisher *p = calloc(1, sizeof *p);
    if (!p) {
        sg_err_set(err, "out of memory");
        return NULL;
    }
    p->st = st;
    p->key = *key;
    p->now_fn = now_fn;
    p->clock_ctx = clock_ctx;
    pthread_mutex_init(&p->work, NULL);
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    p->cond_ok = pthread_cond_init(&p->cond, &attr) == 0;
    pthread_condattr_destroy(&attr);
    p->fired_ok = pthread_cond_init(&p->fired, NULL) == 0;
    if (!p->cond_ok || !p->fired_ok) {
        sg_err_set(err, "publisher: cannot create condition variables");
        publisher_free(p);
        return NULL;
    }
    if (!publisher_run_once(p, err)) {
        publisher_free(p);
        return NULL;
    }
    pthread_mutex_lock(&p->mu);
    int rc = pthread_create(&p->thread, NULL, thread_main, p);
    p->thread_started = rc == 0;
    pthread_mutex_unlock(&p->mu);
    if (rc != 0) {
        sg_err_set(err, "publisher: cannot start its thread: %s", strerror(rc));
        publisher_free(p);
        return NULL;
    }
    return p;
}

void publisher_free(struct publisher *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    if (p->cond_ok)
        pthread_cond_signal(&p->cond);
    bool started = p->thread_started;
    pthread_mutex_unlock(&p->mu);
    if (started)
        pthread_join(p->thread, NULL); /* it fires every waiter on its way out */
    for (size_t i = 0; i < p->nscreens; i++) {
        free(p->screens[i].id);
        free(p->screens[i].group);
        free(p->screens[i].timezone);
        feed_unref(p->screens[i].feed);
    }
    free(p->screens);
    free(p->export_dir);
    keys_secret_wipe(&p->key);
    if (p->cond_ok)
        pthread_cond_destroy(&p->cond);
    if (p->fired_ok)
        pthread_cond_destroy(&p->fired);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->work);
    free(p);
}

void publisher_stats(struct publisher *p, struct publisher_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    out->versions_published = p->versions_published;
    out->waiters = p->nwaiters;
    out->screens = (int64_t)p->nscreens;
    pthread_mutex_unlock(&p->mu);
}

/* ---- export ---- */

/* Creates path (mode 0755) unless it is already a directory. */
static bool ensure_dir(const char *path, struct sg_err *err)
{
    struct stat sb;
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        sg_err_set(err, "export: cannot create %s: %s", path, strerror(errno));
        return false;
    }
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        sg_err_set(err, "export: %s exists and is not a directory", path);
        return false;
    }
    return true;
}

static bool join_path(char *out, size_t cap, struct sg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool join_path(char *out, size_t cap, struct sg_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        sg_err_set(err, "export: path too long");
        return false;
    }
    return true;
}

static bool bytes_named(const void *bytes, size_t len, const char *sha256)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, bytes, len);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return strcmp(hex, sha256) == 0;
}

/* Media files are named by their hash: one already there with the right
 * bytes is left alone; any other is replaced from the store. */
static bool export_media(struct publisher *p, const char *dir, const char *sha256,
                         struct sg_err *err)
{
    char path[PATH_MAX];
    if (!join_path(path, sizeof path, err, "%s/v1/media/%s", dir, sha256))
        return false;
    char *old = NULL;
    size_t old_len = 0;
    struct sg_err ignored = {0};
    if (fileio_read(path, STORE_MAX_MEDIA_BYTES, &old, &old_len, &ignored)) {
        bool same = bytes_named(old, old_len, sha256);
        free(old);
        if (same)
            return true;
    }
    void *bytes = NULL;
    size_t len = 0;
    char *type = NULL;
    struct sg_err e = {0};
    if (store_media_get(p->st, sha256, &bytes, &len, &type, &e) != STORE_OK) {
        sg_err_set(err, "export: media %s: %s", sha256, e.msg);
        return false;
    }
    free(type);
    bool ok = bytes_named(bytes, len, sha256);
    if (!ok)
        sg_err_set(err, "export: media %s: the stored bytes do not match their name", sha256);
    ok = ok && fileio_write_atomic(path, bytes, len, 0644, false, NULL, err);
    free(bytes);
    return ok;
}

/* Adds the media named by one envelope's items to list (unique). */
static bool collect_media(const struct publisher_feed *f, char (**list)[65], size_t *n, size_t *cap,
                          struct sg_err *err)
{
    struct feed_envelope e;
    struct feed_doc doc;
    if (!feed_envelope_parse(f->envelope, f->len, &e, err))
        return false;
    enum feed_parse_status ps = feed_payload_parse(e.payload, e.payload_len, &doc, err);
    feed_envelope_finish(&e);
    if (ps != FEED_PARSE_OK)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < doc.nitems; i++) {
        for (size_t m = 0; ok && m < doc.items[i].nmedia; m++) {
            const char *sha = doc.items[i].media[m].sha256;
            bool seen = false;
            for (size_t k = 0; k < *n && !seen; k++)
                seen = strcmp((*list)[k], sha) == 0;
            if (seen)
                continue;
            if (*n == *cap) {
                size_t ncap = *cap ? *cap * 2 : 16;
                char(*grown)[65] = realloc(*list, ncap * sizeof **list);
                if (!grown) {
                    sg_err_set(err, "out of memory");
                    ok = false;
                    break;
                }
                *list = grown;
                *cap = ncap;
            }
            memcpy((*list)[(*n)++], sha, 65);
        }
    }
    feed_doc_finish(&doc);
    return ok;
}

struct export_entry {
    char *id;
    struct pub_feed *feed;
};

/* only_changed: skip screens whose current version is already in the
 * --publish-dir folder (its feed file is the same bytes), so one change
 * for one screen writes one file, not one per screen. */
static bool export_impl(struct publisher *p, const char *dir, bool only_changed, struct sg_err *err)
{
    if (!p || !dir || !dir[0]) {
        sg_err_set(err, "export: no folder given");
        return false;
    }
    char path[PATH_MAX];
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        sg_err_set(err, "export: %s exists and is not a directory", dir);
        return false;
    }
    if (!ensure_dir(dir, err) || !join_path(path, sizeof path, err, "%s/v1", dir) ||
        !ensure_dir(path, err) || !join_path(path, sizeof path, err, "%s/v1/screens", dir) ||
        !ensure_dir(path, err) || !join_path(path, sizeof path, err, "%s/v1/media", dir) ||
        !ensure_dir(path, err))
        return false;

    /* A snapshot of references: the thread may publish meanwhile. */
    pthread_mutex_lock(&p->mu);
    size_t n = 0;
    struct export_entry *snap = calloc(p->nscreens ? p->nscreens : 1, sizeof *snap);
    size_t skipped = 0;
    for (size_t i = 0; snap && i < p->nscreens; i++) {
        if (!p->screens[i].feed)
            continue;
        if (only_changed && p->screens[i].exported_version == p->screens[i].feed->pub.version) {
            skipped++;
            continue;
        }
        snap[n].id = strdup(p->screens[i].id);
        if (!snap[n].id)
            continue; /* reported below: the count will not match */
        snap[n].feed = p->screens[i].feed;
        atomic_fetch_add(&snap[n].feed->refs, 1);
        n++;
    }
    size_t want = 0;
    for (size_t i = 0; i < p->nscreens; i++)
        want += p->screens[i].feed != NULL;
    want -= skipped;
    pthread_mutex_unlock(&p->mu);
    bool ok = snap && n == want;
    if (!ok)
        sg_err_set(err, "out of memory");

    /* Media before the feeds that name them: a board never sees a feed
     * whose images are not there yet. */
    char(*media)[65] = NULL;
    size_t nmedia = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        struct sg_err e = {0};
        if (!collect_media(&snap[i].feed->pub, &media, &nmedia, &cap, &e)) {
            sg_err_set(err, "export: screen %s: %s", snap[i].id, e.msg);
            ok = false;
        }
    }
    for (size_t i = 0; i < nmedia; i++)
        ok = export_media(p, dir, media[i], err) && ok;
    for (size_t i = 0; i < n; i++) {
        const struct publisher_feed *f = &snap[i].feed->pub;
        if (!feed_name_valid(snap[i].id, FEED_MAX_ID_LEN)) {
            sg_err_set(err, "export: screen id \"%.64s\" cannot be a folder name", snap[i].id);
            ok = false;
            continue;
        }
        ok = join_path(path, sizeof path, err, "%s/v1/screens/%s", dir, snap[i].id) &&
             ensure_dir(path, err) &&
             join_path(path, sizeof path, err, "%s/v1/screens/%s/feed", dir, snap[i].id) &&
             fileio_write_atomic(path, f->envelope, f->len, 0644, false, NULL, err) && ok;
        if (ok && only_changed) {
            pthread_mutex_lock(&p->mu);
            struct pub_screen *s = find_screen(p->screens, p->nscreens, snap[i].id);
            if (s)
                s->exported_version = f->version;
            pthread_mutex_unlock(&p->mu);
        }
    }
    free(media);
    for (size_t i = 0; snap && i < n; i++) {
        free(snap[i].id);
        feed_unref(snap[i].feed);
    }
    free(snap);
    return ok;
}

bool publisher_export(struct publisher *p, const char *dir, struct sg_err *err)
{
    return export_impl(p, dir, false, err);
}
