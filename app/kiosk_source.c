#include "kiosk_source.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backoff.h"
#include "fileio.h"
#include "log.h"
#include "media.h"
#include "mediastore.h"
#include "net_http.h"
#include "netproto.h"
#include "state.h"

Uint32 kiosk_event_delivery, kiosk_event_screenshot;

#define FILE_POLL_MS 1000      /* --feed-file changes show within 2 s */
#define RETRY_BASE_MS 1000     /* first wait after a failure (then doubling) */
#define STATUS_MIN_GAP_MS 3000 /* reports on change come at most this often */
#define LOOP_MAX_SLEEP_MS 1000

enum origin { FROM_CACHE, FROM_FILE, FROM_NETWORK };
enum accept_result { ACCEPT_NEW, ACCEPT_SAME, ACCEPT_REFUSED, ACCEPT_FAILED };

typedef char sha_hex[FEED_SHA256_HEX_LEN + 1];

/* A small set of media names (a feed names at most 256 x 4). */
struct sha_set {
    sha_hex *v;
    size_t n, cap;
};

struct kiosk_source {
    struct kiosk_source_config cfg;
    bool net;
    char base_url[NETPROTO_MAX_URL + 1];
    char media_path[4096]; /* net mode: <state dir>/media */
    const char *media_dir;
    struct net_settings settings;
    SDL_Thread *thread;
    SDL_mutex *lock;
    SDL_cond *wake; /* file mode sleeps on it */
    atomic_bool stop;
    _Atomic int64_t heartbeat_ms; /* monotonic: the loop's last turn */
    CURLM *multi;
    int64_t start_ms;

    /* Verification state (source thread only). */
    struct verdict_screen screen;
    struct state_accepted accepted;
    bool have_current;
    int64_t cur_version;
    unsigned char cur_sha[32];
    struct sha_set named;  /* media the current feed names */
    struct sha_set sent;   /* of those, handed to the display thread */
    struct sha_set wanted; /* of those, still to fetch */

    /* The feed transfer. */
    struct net_transfer feed_tx;
    bool feed_busy, feed_sent_etag;
    int feed_wait_s;
    char etag[NETPROTO_MAX_ETAG + 1];
    int64_t feed_next_ms;
    struct backoff feed_backoff;
    bool mirror; /* the server answers at once: poll at the interval */

    /* One media transfer at a time. */
    struct net_transfer media_tx;
    bool media_busy;
    sha_hex media_sha;
    int64_t media_next_ms;
    struct backoff media_backoff;

    /* Status reports. */
    struct net_transfer status_tx;
    bool status_busy, shot_asked;
    int64_t status_next_ms, status_last_ms;
    struct backoff status_backoff;
    char status_error[256];

    /* Shared with the display thread, under lock. */
    struct kiosk_report report;
    bool report_changed;
    unsigned char *shot;
    size_t shot_len;
    bool shot_ready;
    bool shot_answered; /* the display thread answered a screenshot request */

    /* File mode: the feed file at the last look. */
    bool seen_file;
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
};

/* ---- small helpers ---- */

static bool set_has(const struct sha_set *s, const char *sha)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], sha) == 0)
            return true;
    return false;
}

static bool set_add(struct sha_set *s, const char *sha)
{
    if (set_has(s, sha))
        return true;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        sha_hex *grown = realloc(s->v, cap * sizeof *grown);
        if (!grown)
            return false;
        s->v = grown;
        s->cap = cap;
    }
    memcpy(s->v[s->n++], sha, sizeof(sha_hex));
    return true;
}

static void set_remove(struct sha_set *s, const char *sha)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], sha) == 0) {
            memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof s->v[0]);
            s->n--;
            return;
        }
    }
}

/* Keeps only the members of s that are in keep. */
static void set_intersect(struct sha_set *s, const struct sha_set *keep)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++)
        if (set_has(keep, s->v[i]))
            memmove(s->v[kept++], s->v[i], sizeof(sha_hex));
    s->n = kept;
}

static void set_free(struct sha_set *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

static bool stopping(struct kiosk_source *s)
{
    return atomic_load(&s->stop);
}

static bool hash_matches(const unsigned char *bytes, size_t len, const char *sha)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[FEED_SHA256_HEX_LEN + 1];
    crypto_hash_sha256(digest, bytes, len);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return strcmp(hex, sha) == 0;
}

/* Hands a delivery to the display thread; false (and freed) when stopping. */
static bool push_delivery(struct kiosk_source *s, struct kiosk_delivery *d)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = kiosk_event_delivery;
    ev.user.data1 = d;
    /* SDL's queue holds 65535 events; it is full only when the display
     * thread is stuck, and then waiting is all we can do. */
    while (SDL_PushEvent(&ev) != 1) {
        if (stopping(s)) {
            kiosk_delivery_free(d);
            return false;
        }
        SDL_Delay(50);
    }
    return true;
}

static struct kiosk_delivery *delivery_new(size_t media_cap)
{
    struct kiosk_delivery *d = calloc(1, sizeof *d);
    if (d && !(d->media = calloc(media_cap ? media_cap : 1, sizeof *d->media))) {
        free(d);
        d = NULL;
    }
    return d;
}

/* Decodes verified bytes into a media entry. */
static void decode_into(struct kiosk_media *m, const char *sha, const unsigned char *bytes,
                        size_t len)
{
    struct sg_err err = {0};
    memcpy(m->sha256, sha, sizeof m->sha256);
    m->surface = media_decode(bytes, len, &err);
    m->state = m->surface ? VERDICT_MEDIA_OK : VERDICT_MEDIA_BAD;
    if (!m->surface) /* verified but undecodable or over the pixel cap */
        log_msg(LOG_WARN, "media %s cannot be shown: %s", sha, err.msg);
}

/* ---- accepting a feed (both modes) ---- */

static void names_of(const struct feed_doc *doc, struct sha_set *out)
{
    out->n = 0;
    for (size_t i = 0; i < doc->nitems; i++)
        for (size_t m = 0; m < doc->items[i].nmedia; m++)
            if (!set_add(out, doc->items[i].media[m].sha256))
                log_msg(LOG_ERROR, "out of memory listing media");
}

/* Records doc as accepted: the envelope (net mode, not when it came from the
 * cache) and then the rollback state, so the state never names a version
 * whose envelope is not on disk. A failed write is logged and the feed is
 * still shown: a revocation must take effect even on a full disk. */
static void persist(struct kiosk_source *s, const char *bytes, size_t len,
                    const struct feed_doc *doc, enum origin from)
{
    struct sg_err err = {0};
    if (s->net && from == FROM_NETWORK &&
        !state_save_envelope(s->cfg.state_dir, s->screen.screen, bytes, len, NULL, &err)) {
        /* The older envelope must not outlive the record that is about to
         * move past it: it would be refused as a rollback at start anyway,
         * and a later corrupt record would let it lower the floor. */
        bool removed = state_remove_envelope(s->cfg.state_dir, s->screen.screen);
        log_msg(LOG_ERROR, "could not cache feed version %lld: %s%s", (long long)doc->version,
                err.msg,
                removed ? "; the older cached copy is removed (a start without network shows the "
                          "idle card until the queue answers)"
                        : "");
    }
    if (!s->accepted.present || doc->version != s->accepted.version) {
        struct sg_err serr = {0};
        if (!state_save(s->cfg.state_dir, s->screen.screen, doc, NULL, &serr))
            log_msg(LOG_ERROR,
                    "could not record accepted version %lld (rollback protection holds "
                    "only until restart): %s",
                    (long long)doc->version, serr.msg);
    }
    s->accepted.present = true;
    s->accepted.version = doc->version;
    s->accepted.issued = doc->issued;
    memcpy(s->accepted.sha256, doc->payload_sha256, 32);
    s->screen.have_last = true;
    s->screen.last_version = doc->version;
    memcpy(s->screen.last_sha256, doc->payload_sha256, 32);
}

static enum accept_result accept_feed(struct kiosk_source *s, const char *bytes, size_t len,
                                      enum origin from, const char *what)
{
    struct feed_doc doc;
    char keyid[FEED_KEYID_HEX_LEN + 1];
    struct sg_err err = {0};
    struct verdict_clock clock = {.now = kiosk_clock_now_ms(s->cfg.clock, NULL) / 1000,
                                  .local = sgtime_local_tz};
    enum verdict_reason r = verdict_feed(bytes, len, &s->screen, &clock, &doc, keyid, &err);
    if (r != VERDICT_SHOWN) {
        if (from == FROM_CACHE)
            log_msg(LOG_WARN, "cache: ignored %s: %s (%s)", what, err.msg, verdict_reason_name(r));
        else
            log_msg(LOG_WARN, "feed refused (%s): %s", verdict_reason_name(r), err.msg);
        return ACCEPT_REFUSED;
    }
    if (s->have_current && doc.version == s->cur_version &&
        memcmp(doc.payload_sha256, s->cur_sha, 32) == 0) {
        feed_doc_finish(&doc); /* the same feed again */
        return ACCEPT_SAME;
    }
    persist(s, bytes, len, &doc, from);
    kiosk_clock_raise_floor(s->cfg.clock, doc.issued);
    if (from == FROM_CACHE)
        log_msg(LOG_INFO, "cache: feed version %lld loaded: signed by %s, %zu items",
                (long long)doc.version, keyid, doc.nitems);
    else
        log_msg(LOG_INFO, "feed version %lld accepted: signed by %s, %zu items",
                (long long)doc.version, keyid, doc.nitems);
    s->have_current = true;
    s->cur_version = doc.version;
    memcpy(s->cur_sha, doc.payload_sha256, 32);

    /* Media: what the display already holds stays there; the rest comes from
     * the media folder (verified again) or, in net mode, is fetched. */
    names_of(&doc, &s->named);
    set_intersect(&s->sent, &s->named);
    set_intersect(&s->wanted, &s->named);
    struct kiosk_delivery *d = delivery_new(s->named.n);
    if (!d) {
        log_msg(LOG_ERROR, "out of memory handing over feed version %lld", (long long)doc.version);
        feed_doc_finish(&doc);
        return ACCEPT_FAILED;
    }
    for (size_t i = 0; i < s->named.n; i++) {
        const char *sha = s->named.v[i];
        if (set_has(&s->sent, sha) || set_has(&s->wanted, sha))
            continue;
        unsigned char *media = NULL;
        size_t mlen = 0;
        struct sg_err merr = {0};
        enum verdict_media_state st = mediastore_load(s->media_dir, sha, &media, &mlen, &merr);
        if (st == VERDICT_MEDIA_OK) {
            decode_into(&d->media[d->nmedia++], sha, media, mlen);
            (void)set_add(&s->sent, sha);
        } else if (s->net) {
            if (st == VERDICT_MEDIA_BAD) /* a damaged cache copy: fetch it again */
                log_msg(LOG_WARN, "cache: ignored media %s: %s", sha, merr.msg);
            (void)set_add(&s->wanted, sha);
        } else {
            log_msg(LOG_WARN, "%s", merr.msg);
            struct kiosk_media *m = &d->media[d->nmedia++];
            memcpy(m->sha256, sha, sizeof m->sha256);
            m->state = st;
            (void)set_add(&s->sent, sha);
        }
        free(media);
    }
    d->has_doc = true;
    feed_doc_move(&d->doc, &doc);
    if (s->net) {
        /* Media of older feeds and temp files a power cut left behind go. */
        const char *keep[FEED_MAX_ITEMS * FEED_MAX_MEDIA];
        size_t nkeep = 0;
        for (size_t i = 0; i < s->named.n && nkeep < sizeof keep / sizeof keep[0]; i++)
            keep[nkeep++] = s->named.v[i];
        (void)mediastore_prune(s->media_dir, keep, nkeep);
        s->media_next_ms = 0;
        backoff_success(&s->media_backoff);
    }
    return push_delivery(s, d) ? ACCEPT_NEW : ACCEPT_FAILED;
}

/* ---- file mode ---- */

/* True when the file looks different from the last time we read it. */
static bool file_changed(struct kiosk_source *s, bool *missing)
{
    struct stat st;
    *missing = false;
    if (stat(s->cfg.feed_file, &st) != 0) {
        *missing = true;
        bool changed = s->seen_file;
        s->seen_file = false;
        return changed;
    }
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    bool changed = !s->seen_file || st.st_dev != s->dev || st.st_ino != s->ino ||
                   st.st_size != s->size || mtime != s->mtime_ns;
    s->seen_file = true;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->size = st.st_size;
    s->mtime_ns = mtime;
    return changed;
}

static void poll_file(struct kiosk_source *s)
{
    bool missing;
    if (!file_changed(s, &missing))
        return;
    if (missing) {
        log_msg(LOG_WARN, "feed file %s is missing; keeping what was accepted", s->cfg.feed_file);
        return;
    }
    char *bytes = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!fileio_read(s->cfg.feed_file, FEED_MAX_ENVELOPE_BYTES, &bytes, &len, &err)) {
        log_msg(LOG_WARN, "feed refused: %s", err.msg);
        return;
    }
    (void)accept_feed(s, bytes, len, FROM_FILE, s->cfg.feed_file);
    free(bytes);
}

static void run_file(struct kiosk_source *s)
{
    while (!stopping(s)) {
        atomic_store(&s->heartbeat_ms, kiosk_mono_ms());
        poll_file(s);
        SDL_LockMutex(s->lock);
        if (!stopping(s))
            SDL_CondWaitTimeout(s->wake, s->lock, FILE_POLL_MS);
        SDL_UnlockMutex(s->lock);
    }
}

/* ---- net mode: the feed ---- */

static int64_t retry_in(struct backoff *b)
{
    return backoff_fail(b, randombytes_random());
}

static void feed_failed(struct kiosk_source *s, int64_t now, const char *why)
{
    int64_t delay = retry_in(&s->feed_backoff);
    s->feed_next_ms = now + delay;
    if (why)
        log_msg(LOG_WARN, "feed fetch failed: %s; retrying in %.1f s", why, (double)delay / 1000);
}

static void start_feed(struct kiosk_source *s, int64_t now)
{
    if (s->feed_busy || now < s->feed_next_ms)
        return;
    char url[NETPROTO_MAX_URL + 256];
    struct sg_err err = {0};
    /* Without an ETag the queue answers at once anyway. */
    s->feed_wait_s = s->etag[0] ? s->cfg.long_poll_s : 0;
    s->feed_sent_etag = s->etag[0] != '\0';
    if (!netproto_feed_url(s->base_url, s->screen.screen, s->feed_wait_s, url, sizeof url) ||
        !net_transfer_get(&s->feed_tx, &s->settings, url, FEED_MAX_ENVELOPE_BYTES, s->feed_wait_s,
                          s->etag, &err) ||
        curl_multi_add_handle(s->multi, s->feed_tx.easy) != CURLM_OK) {
        net_transfer_finish(&s->feed_tx);
        feed_failed(s, now, err.set ? err.msg : "cannot start the request");
        return;
    }
    s->feed_busy = true;
}

/* When to ask next after an answer that was not a failure; changed: it
 * brought a new feed. */
static void feed_schedule(struct kiosk_source *s, int64_t now, int64_t elapsed, bool changed)
{
    if (s->feed_backoff.failures > 0) {
        log_msg(LOG_INFO, "feed fetch works again");
        log_clear_problem(); /* status reports stop showing the old error */
    }
    backoff_success(&s->feed_backoff);
    int64_t interval = s->cfg.poll_interval_ms;
    if (s->cfg.long_poll_s == 0) {
        s->feed_next_ms = now + interval;
        return;
    }
    if (!changed && s->feed_wait_s > 0) {
        /* A queue holds the request until the wait is over; "nothing new"
         * in less than half of it comes from a server that cannot hold (a
         * static mirror), which must not be asked again at once. */
        bool at_once = elapsed < (int64_t)s->feed_wait_s * 500;
        if (at_once && !s->mirror)
            log_msg(LOG_INFO, "server answers at once (no long poll): polling every %.1f s",
                    (double)interval / 1000);
        else if (!at_once && s->mirror)
            log_msg(LOG_INFO, "server holds requests (long poll)");
        s->mirror = at_once;
    }
    s->feed_next_ms = s->mirror ? now + interval : now;
}

static void feed_done(struct kiosk_source *s, CURLcode code, int64_t now)
{
    struct net_transfer *t = &s->feed_tx;
    struct sg_err err = {0};
    int64_t elapsed = now - t->started_ms;
    s->feed_busy = false;
    if (!net_transfer_done(t, code, &err)) {
        feed_failed(s, now, err.msg);
    } else if (t->status == 200) {
        enum accept_result r = accept_feed(s, t->body, t->len, FROM_NETWORK, "network");
        if (r == ACCEPT_NEW || r == ACCEPT_SAME) {
            if (t->etag[0])
                memcpy(s->etag, t->etag, sizeof s->etag);
            else
                snprintf(s->etag, sizeof s->etag, "\"%lld\"", (long long)s->cur_version);
            feed_schedule(s, now, elapsed, r == ACCEPT_NEW);
        } else {
            feed_failed(s, now, NULL); /* the refusal is logged */
        }
    } else if (t->status == 304) {
        if (s->feed_sent_etag)
            feed_schedule(s, now, elapsed, false);
        else
            feed_failed(s, now, "304 Not Modified without a cached copy");
    } else {
        char why[64];
        snprintf(why, sizeof why, "HTTP %ld", t->status);
        feed_failed(s, now, why);
    }
    net_transfer_finish(t);
}

/* ---- net mode: media ---- */

static void start_media(struct kiosk_source *s, int64_t now)
{
    if (s->media_busy || s->wanted.n == 0 || now < s->media_next_ms)
        return;
    char url[NETPROTO_MAX_URL + 128];
    struct sg_err err = {0};
    memcpy(s->media_sha, s->wanted.v[0], sizeof s->media_sha);
    if (!netproto_media_url(s->base_url, s->media_sha, url, sizeof url) ||
        !net_transfer_get(&s->media_tx, &s->settings, url, MEDIASTORE_MAX_BYTES, 0, NULL, &err) ||
        curl_multi_add_handle(s->multi, s->media_tx.easy) != CURLM_OK) {
        net_transfer_finish(&s->media_tx);
        s->media_next_ms = now + retry_in(&s->media_backoff);
        log_msg(LOG_WARN, "media %s fetch failed: %s", s->media_sha,
                err.set ? err.msg : "cannot start the request");
        return;
    }
    s->media_busy = true;
}

/* Moves the first wanted media to the end, so one that keeps failing does
 * not hold up the others. */
static void wanted_rotate(struct kiosk_source *s)
{
    if (s->wanted.n < 2)
        return;
    sha_hex first;
    memcpy(first, s->wanted.v[0], sizeof first);
    memmove(&s->wanted.v[0], &s->wanted.v[1], (s->wanted.n - 1) * sizeof s->wanted.v[0]);
    memcpy(s->wanted.v[s->wanted.n - 1], first, sizeof first);
}

static void media_done(struct kiosk_source *s, CURLcode code, int64_t now)
{
    struct net_transfer *t = &s->media_tx;
    const char *sha = s->media_sha;
    struct sg_err err = {0};
    s->media_busy = false;
    bool ok = net_transfer_done(t, code, &err);
    if (ok && t->status != 200) {
        sg_err_set(&err, "HTTP %ld", t->status);
        ok = false;
    }
    if (!set_has(&s->named, sha)) {
        net_transfer_finish(t); /* the feed moved on meanwhile */
        return;
    }
    struct kiosk_delivery *d = NULL;
    if (!ok) {
        int64_t delay = retry_in(&s->media_backoff);
        s->media_next_ms = now + delay;
        log_msg(LOG_WARN, "media %s fetch failed: %s; retrying in %.1f s", sha, err.msg,
                (double)delay / 1000);
        wanted_rotate(s);
    } else if (!hash_matches((const unsigned char *)t->body, t->len, sha)) {
        int64_t delay = retry_in(&s->media_backoff);
        s->media_next_ms = now + delay;
        log_msg(LOG_WARN, "media %s refused: bytes do not match their hash", sha);
        wanted_rotate(s);
        /* Tell the display, so the item's drop reason says so. */
        if ((d = delivery_new(1))) {
            memcpy(d->media[0].sha256, sha, sizeof d->media[0].sha256);
            d->media[0].state = VERDICT_MEDIA_BAD;
            d->nmedia = 1;
        }
    } else {
        if (!mediastore_save(s->media_dir, sha, (const unsigned char *)t->body, t->len, NULL, &err))
            log_msg(LOG_ERROR, "could not cache media %s: %s", sha, err.msg);
        backoff_success(&s->media_backoff);
        s->media_next_ms = 0;
        set_remove(&s->wanted, sha);
        if ((d = delivery_new(1))) {
            decode_into(&d->media[0], sha, (const unsigned char *)t->body, t->len);
            d->nmedia = 1;
            (void)set_add(&s->sent, sha);
        }
    }
    net_transfer_finish(t);
    if (d)
        (void)push_delivery(s, d);
}

/* ---- net mode: status reports ---- */

static bool status_due(struct kiosk_source *s, int64_t now)
{
    if (!s->cfg.token || s->status_busy)
        return false;
    SDL_LockMutex(s->lock);
    if (s->shot_answered) {
        s->shot_answered = false;
        s->shot_asked = false; /* the next reply may ask again */
    }
    bool due = now >= s->status_next_ms || s->shot_ready ||
               (s->report_changed && now >= s->status_last_ms + STATUS_MIN_GAP_MS);
    SDL_UnlockMutex(s->lock);
    return due;
}

static void start_status(struct kiosk_source *s, int64_t now)
{
    if (!status_due(s, now))
        return;
    char url[NETPROTO_MAX_URL + 256];
    if (!netproto_status_url(s->base_url, s->screen.screen, url, sizeof url))
        return; /* both checked at start */
    struct netproto_status st = {0};
    char last_error[NETPROTO_MAX_ERROR_LEN + 1];
    log_last_problem(last_error, sizeof last_error);
    SDL_LockMutex(s->lock);
    struct kiosk_report rep = s->report;
    unsigned char *shot = s->shot;
    size_t shot_len = s->shot_len;
    s->shot = NULL;
    s->shot_ready = false;
    s->report_changed = false;
    SDL_UnlockMutex(s->lock);
    st.version = rep.version;
    st.item = rep.item[0] ? rep.item : "idle";
    st.rev = rep.rev;
    st.uptime = (now - s->start_ms) / 1000;
    st.last_error = last_error;
    memcpy(st.dropped, rep.dropped, sizeof st.dropped);
    size_t len = 0;
    char *body = netproto_status_body(&st, shot, shot_len, &len);
    if (!body && shot) {
        log_msg(LOG_WARN, "screenshot of %zu bytes is over the queue's limit; sent without it",
                shot_len);
        body = netproto_status_body(&st, NULL, 0, &len);
    }
    free(shot);
    s->status_last_ms = now;
    s->status_next_ms = now + s->cfg.status_interval_ms;
    struct sg_err err = {0};
    if (!body ||
        !net_transfer_post_json(&s->status_tx, &s->settings, url, body, len, s->cfg.token,
                                NETPROTO_MAX_REPLY_BYTES, &err) ||
        curl_multi_add_handle(s->multi, s->status_tx.easy) != CURLM_OK) {
        if (!body)
            sg_err_set(&err, "out of memory");
        net_transfer_finish(&s->status_tx); /* frees body once it was taken over */
        log_msg(LOG_WARN, "status report failed: %s", err.set ? err.msg : "cannot start it");
        return;
    }
    s->status_busy = true;
}

static void ask_screenshot(struct kiosk_source *s)
{
    if (s->shot_asked)
        return;
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = kiosk_event_screenshot;
    if (SDL_PushEvent(&ev) == 1)
        s->shot_asked = true;
}

static void status_done(struct kiosk_source *s, CURLcode code, int64_t now)
{
    struct net_transfer *t = &s->status_tx;
    struct sg_err err = {0};
    bool shot = false;
    s->status_busy = false;
    bool ok = net_transfer_done(t, code, &err);
    if (ok && t->status != 200) {
        sg_err_set(&err, "HTTP %ld%s", t->status,
                   t->status == 401 ? " (the screen's token is not accepted)" : "");
        ok = false;
    }
    ok = ok && netproto_status_reply(t->body, t->len, &shot, &err);
    net_transfer_finish(t);
    if (!ok) {
        /* One line per distinct problem: a queue that is down for an hour
         * must not fill the journal with the same line. */
        if (strcmp(err.msg, s->status_error) != 0)
            log_msg(LOG_WARN, "status report failed: %s", err.msg);
        snprintf(s->status_error, sizeof s->status_error, "%s", err.msg);
        s->status_next_ms = now + retry_in(&s->status_backoff);
        return;
    }
    if (s->status_error[0])
        log_msg(LOG_INFO, "status reports get through again");
    s->status_error[0] = '\0';
    backoff_success(&s->status_backoff);
    if (shot)
        ask_screenshot(s);
}

/* ---- net mode: the loop ---- */

static void load_cache(struct kiosk_source *s)
{
    char *bytes = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!state_load_envelope(s->cfg.state_dir, s->screen.screen, &bytes, &len, &err)) {
        log_msg(LOG_WARN, "cache: ignored %s", err.msg);
        return;
    }
    if (!bytes)
        return;
    char what[64];
    snprintf(what, sizeof what, "feed-%.40s.dsse", s->screen.screen);
    if (accept_feed(s, bytes, len, FROM_CACHE, what) == ACCEPT_NEW)
        snprintf(s->etag, sizeof s->etag, "\"%lld\"", (long long)s->cur_version);
    free(bytes);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void run_net(struct kiosk_source *s)
{
    if (!s->cfg.token)
        log_msg(LOG_INFO, "no --token-file: this screen sends no status reports");
    while (!stopping(s)) {
        int64_t now = kiosk_mono_ms();
        atomic_store(&s->heartbeat_ms, now);
        start_feed(s, now);
        start_media(s, now);
        start_status(s, now);
        int running = 0;
        curl_multi_perform(s->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(s->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *easy = msg->easy_handle;
            CURLcode code = msg->data.result;
            curl_multi_remove_handle(s->multi, easy);
            now = kiosk_mono_ms();
            if (easy == s->feed_tx.easy)
                feed_done(s, code, now);
            else if (easy == s->media_tx.easy)
                media_done(s, code, now);
            else if (easy == s->status_tx.easy)
                status_done(s, code, now);
        }
        now = kiosk_mono_ms();
        int64_t wait = LOOP_MAX_SLEEP_MS;
        if (!s->feed_busy)
            wait = min64(wait, s->feed_next_ms - now);
        if (!s->media_busy && s->wanted.n > 0)
            wait = min64(wait, s->media_next_ms - now);
        if (s->cfg.token && !s->status_busy)
            wait = min64(wait, s->status_next_ms - now);
        if (wait > 0)
            curl_multi_poll(s->multi, NULL, 0, (int)wait, NULL);
    }
}

/* Tells the display thread that the first look (cache or file) is over, so
 * it draws its first frame with what it may show instead of flashing the
 * idle card: an empty delivery. */
static void push_ready(struct kiosk_source *s)
{
    struct kiosk_delivery *d = delivery_new(0);
    if (d)
        (void)push_delivery(s, d);
}

static int thread_main(void *arg)
{
    struct kiosk_source *s = arg;
    if (s->net) {
        load_cache(s);
        push_ready(s);
        run_net(s);
    } else {
        poll_file(s);
        push_ready(s);
        run_file(s);
    }
    return 0;
}

/* ---- the public side ---- */

struct kiosk_source *kiosk_source_start(const struct kiosk_source_config *cfg, struct sg_err *err)
{
    struct kiosk_source *s = calloc(1, sizeof *s);
    if (!s) {
        sg_err_set(err, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->screen = cfg->screen;
    s->net = cfg->queue_url != NULL;
    s->start_ms = kiosk_mono_ms();
    s->media_dir = cfg->media_dir;
    atomic_init(&s->stop, false);
    atomic_init(&s->heartbeat_ms, kiosk_mono_ms());
    backoff_init(&s->feed_backoff, RETRY_BASE_MS, cfg->retry_max_ms);
    backoff_init(&s->media_backoff, RETRY_BASE_MS, cfg->retry_max_ms);
    backoff_init(&s->status_backoff, RETRY_BASE_MS, cfg->retry_max_ms);
    s->settings.ca_file = cfg->ca_file;
    s->settings.pin_key = cfg->pin_key;
    s->settings.timeout_ms = cfg->timeout_ms;
    snprintf(s->report.item, sizeof s->report.item, "idle");
    struct sg_err serr = {0};
    if (!state_load(cfg->state_dir, cfg->screen.screen, &s->accepted, &serr)) {
        /* Not fatal: a board that cannot start shows nothing at all. The
         * cached envelope (written before the state, so never older) is
         * verified at start and restores the floor; the state file is
         * rewritten with the next accepted feed. */
        memset(&s->accepted, 0, sizeof s->accepted);
        log_msg(LOG_ERROR, "ignored the rollback record: %s; rollback protection restarts from %s",
                serr.msg, cfg->queue_url ? "the cached feed" : "the next feed accepted");
    }
    if (s->accepted.present) {
        s->screen.have_last = true;
        s->screen.last_version = s->accepted.version;
        memcpy(s->screen.last_sha256, s->accepted.sha256, 32);
        kiosk_clock_raise_floor(cfg->clock, s->accepted.issued);
        log_msg(LOG_INFO, "accepted before: feed version %lld (rollback below it is refused)",
                (long long)s->accepted.version);
    }
    size_t stale = state_remove_temp(cfg->state_dir, cfg->screen.screen);
    if (stale)
        log_msg(LOG_INFO, "removed %zu temp file%s an interrupted write left in %s", stale,
                stale == 1 ? "" : "s", cfg->state_dir);
    if (s->net) {
        if (!netproto_base_url(cfg->queue_url, s->base_url, err))
            goto fail;
        if ((size_t)snprintf(s->media_path, sizeof s->media_path, "%s/media", cfg->state_dir) >=
            sizeof s->media_path) {
            sg_err_set(err, "state folder path is too long");
            goto fail;
        }
        s->media_dir = s->media_path;
        if (mkdir(s->media_path, 0755) != 0 && errno != EEXIST) {
            sg_err_set(err, "%s: cannot create: %s", s->media_path, strerror(errno));
            goto fail;
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(s->multi = curl_multi_init())) {
            sg_err_set(err, "libcurl failed to initialise");
            goto fail;
        }
    }
    if (!kiosk_event_delivery) {
        Uint32 first = SDL_RegisterEvents(2);
        if (first == (Uint32)-1) {
            sg_err_set(err, "SDL: no user events left");
            goto fail;
        }
        kiosk_event_delivery = first;
        kiosk_event_screenshot = first + 1;
    }
    if (!(s->lock = SDL_CreateMutex()) || !(s->wake = SDL_CreateCond()) ||
        !(s->thread = SDL_CreateThread(thread_main, "signet-source", s))) {
        sg_err_set(err, "SDL: %s", SDL_GetError());
        goto fail;
    }
    return s;
fail:
    kiosk_source_stop(s);
    return NULL;
}

void kiosk_source_stop(struct kiosk_source *s)
{
    if (!s)
        return;
    if (s->thread) {
        atomic_store(&s->stop, true);
        SDL_LockMutex(s->lock);
        SDL_CondSignal(s->wake);
        SDL_UnlockMutex(s->lock);
        if (s->multi)
            curl_multi_wakeup(s->multi);
        SDL_WaitThread(s->thread, NULL);
    }
    struct net_transfer *ts[] = {&s->feed_tx, &s->media_tx, &s->status_tx};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        if (ts[i]->easy && s->multi)
            curl_multi_remove_handle(s->multi, ts[i]->easy);
        net_transfer_finish(ts[i]);
    }
    if (s->multi) {
        curl_multi_cleanup(s->multi);
        curl_global_cleanup();
    }
    set_free(&s->named);
    set_free(&s->sent);
    set_free(&s->wanted);
    free(s->shot);
    if (s->wake)
        SDL_DestroyCond(s->wake);
    if (s->lock)
        SDL_DestroyMutex(s->lock);
    free(s);
}

void kiosk_source_drain_events(void)
{
    if (!kiosk_event_delivery)
        return;
    SDL_Event ev;
    while (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, kiosk_event_delivery, kiosk_event_delivery) == 1)
        kiosk_delivery_free(ev.user.data1);
}

void kiosk_source_report(struct kiosk_source *s, const struct kiosk_report *r)
{
    SDL_LockMutex(s->lock);
    /* A new feed, other drops, or the screen going idle or coming back are
     * reported within seconds; the rotation from card to card is not (it
     * would make every screen report every few seconds): the next regular
     * report carries the card on screen then. */
    bool idle = strcmp(r->item, "idle") == 0, was_idle = strcmp(s->report.item, "idle") == 0;
    bool changed = s->report.version != r->version || idle != was_idle ||
                   memcmp(s->report.dropped, r->dropped, sizeof r->dropped) != 0;
    s->report = *r;
    if (changed)
        s->report_changed = true;
    SDL_UnlockMutex(s->lock);
    if (changed && s->multi)
        curl_multi_wakeup(s->multi);
}

void kiosk_source_screenshot(struct kiosk_source *s, unsigned char *png, size_t len)
{
    SDL_LockMutex(s->lock);
    free(s->shot);
    s->shot = png;
    s->shot_len = png ? len : 0;
    s->shot_ready = png != NULL;
    s->shot_answered = true;
    SDL_UnlockMutex(s->lock);
    if (s->multi)
        curl_multi_wakeup(s->multi);
}

bool kiosk_source_alive(struct kiosk_source *s, int64_t mono)
{
    return !s || mono - atomic_load(&s->heartbeat_ms) < KIOSK_SOURCE_STALE_MS;
}
