#include "source_poller.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "jsonx.h"
#include "net_http.h"
#include "publisher.h"
#include "qlog.h"
#include "source_rules.h"
#include "store.h"
#include "upload.h"

#define WAKE_S 5                        /* the thread looks for due sources this often */
#define MAX_QUEUED 16                   /* webhook batches waiting */
#define MAX_BLOCKLIST_BYTES (1u << 20)  /* one blocklist file */
#define MAX_LOOKUP_BYTES (256u * 1024u) /* a Mastodon account lookup */
#define USER_AGENT "signet-queue/1 (ingest)"
#define DEFAULT_APPROVAL_DAYS 30

struct queued {
    int64_t source_id;
    struct ingest_batch batch;
};

struct source_poller {
    struct source_poller_config cfg;
    struct ingest_blocklist *blocklist;
    struct net_settings net;
    pthread_t thread;
    bool started, stop, kicked;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct queued queue[MAX_QUEUED];
    size_t nqueued;
};

static int64_t now_of(const struct source_poller *p)
{
    return p->cfg.clock(p->cfg.clock_ctx);
}

/* ---- fetching ---- */

/* GET url into *body (malloc'd, *len); false with err on any failure. A
 * 429's Retry-After lands in *retry_after (else -1). */
static bool fetch(struct source_poller *p, const char *url, size_t max, char **body, size_t *len,
                  long *status, int64_t *retry_after, struct sg_err *err)
{
    struct net_transfer t;
    *body = NULL;
    *len = 0;
    *status = 0;
    *retry_after = -1;
    if (!net_transfer_get(&t, &p->net, url, max, 0, NULL, err))
        return false;
    CURLcode code = curl_easy_perform(t.easy);
    bool ok = net_transfer_done(&t, code, err);
    if (ok) {
        *status = t.status;
        *retry_after = t.retry_after_s;
        if (t.status != 200) {
            sg_err_set(err, "HTTP %ld", t.status);
            ok = false;
        } else {
            *body = t.body;
            *len = t.len;
            t.body = NULL; /* taken */
        }
    }
    net_transfer_finish(&t);
    return ok;
}

/* A source URL without trailing slashes, into out. */
static bool base_of(const char *url, char *out, size_t cap)
{
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    if (n + 1 > cap)
        return false;
    memcpy(out, url, n);
    out[n] = '\0';
    return true;
}

static bool all_digits(const char *s)
{
    return s && *s && strspn(s, "0123456789") == strlen(s);
}

/* Mastodon's API takes the numeric account id; people know the handle.
 * GET /api/v1/accounts/lookup?acct=NAME turns one into the other. */
static bool mastodon_account_id(struct source_poller *p, const char *base, const char *account,
                                char out[32], struct sg_err *err)
{
    if (all_digits(account)) {
        if (strlen(account) >= 32) {
            sg_err_set(err, "account id too long");
            return false;
        }
        memcpy(out, account, strlen(account) + 1);
        return true;
    }
    char url[INGEST_MAX_URL_LEN + 512];
    if ((size_t)snprintf(url, sizeof url, "%s/api/v1/accounts/lookup?acct=%s", base, account) >=
        sizeof url) {
        sg_err_set(err, "account lookup URL too long");
        return false;
    }
    char *body = NULL;
    size_t len = 0;
    long status = 0;
    int64_t retry = -1;
    struct sg_err inner = {0};
    if (!fetch(p, url, MAX_LOOKUP_BYTES, &body, &len, &status, &retry, &inner)) {
        sg_err_set(err, "account lookup: %s", inner.msg);
        return false;
    }
    struct json_object *root = NULL;
    const char *id = NULL;
    bool ok = jsonx_parse_object(body, len, MAX_LOOKUP_BYTES, INGEST_MAX_DEPTH, &root, &inner) &&
              jsonx_get_string(root, "account", "id", 31, true, &id, &inner);
    if (ok && !all_digits(id)) {
        sg_err_set(&inner, "account: \"id\" is not a number");
        ok = false;
    }
    if (ok)
        memcpy(out, id, strlen(id) + 1);
    else
        sg_err_set(err, "account lookup: %s", inner.msg);
    json_object_put(root);
    free(body);
    return ok;
}

/* The document to poll for src. */
static bool poll_url(struct source_poller *p, const struct store_source *src, char *out, size_t cap,
                     struct sg_err *err)
{
    char base[INGEST_MAX_URL_LEN + 1];
    if (!src->url || !base_of(src->url, base, sizeof base)) {
        sg_err_set(err, "source URL missing or too long");
        return false;
    }
    int n;
    switch (src->kind) {
    case STORE_SOURCE_RSS:
        n = snprintf(out, cap, "%s", src->url);
        break;
    case STORE_SOURCE_MASTODON: {
        char id[32];
        if (!mastodon_account_id(p, base, src->account, id, err))
            return false;
        /* Replies and boosts are left out by the server and, should it
         * ignore that, skipped by the rules. */
        n = snprintf(out, cap,
                     "%s/api/v1/accounts/%s/statuses?exclude_replies=true&exclude_reblogs=true"
                     "&limit=40",
                     base, id);
        break;
    }
    case STORE_SOURCE_BLUESKY:
        n = snprintf(
            out, cap,
            "%s/xrpc/app.bsky.feed.getAuthorFeed?actor=%s&filter=posts_no_replies&limit=50", base,
            src->account);
        break;
    default:
        sg_err_set(err, "a webhook source is not polled");
        return false;
    }
    if (n < 0 || (size_t)n >= cap) {
        sg_err_set(err, "source URL too long");
        return false;
    }
    return true;
}

static bool parse_for(enum store_source_kind kind, const char *body, size_t len,
                      struct ingest_batch *out, struct sg_err *err)
{
    switch (kind) {
    case STORE_SOURCE_RSS:
        return ingest_parse_feed(body, len, out, err);
    case STORE_SOURCE_MASTODON:
        return ingest_parse_mastodon(body, len, out, err);
    case STORE_SOURCE_BLUESKY:
        return ingest_parse_bluesky(body, len, out, err);
    default:
        return ingest_parse_webhook(body, len, out, err);
    }
}

/* ---- images ---- */

/* The sha256 of the image at url, downloading and storing it when it was
 * never fetched before. False (logged) when it cannot be had: the post goes
 * without it. */
static bool image_for(struct source_poller *p, const struct store_source *src, const char *url,
                      char sha[65], size_t *downloaded)
{
    struct sg_err err = {0};
    enum store_status st = store_ingest_media_get(p->cfg.store, url, sha, &err);
    if (st == STORE_OK)
        return true;
    char quoted[160], why[160];
    if (st != STORE_NOT_FOUND) {
        qlog(QLOG_ERROR, "ingest-image", "source=%s error=%s",
             qlog_quote(src->name, quoted, sizeof quoted), qlog_quote(err.msg, why, sizeof why));
        return false;
    }
    char *body = NULL;
    size_t len = 0;
    long status = 0;
    int64_t retry = -1;
    bool ok = fetch(p, url, STORE_MAX_MEDIA_BYTES, &body, &len, &status, &retry, &err);
    struct upload_image img;
    if (ok && upload_check_image(NULL, body, len, &img, &err) != UPLOAD_OK)
        ok = false;
    char author[STORE_MAX_NAME_LEN + 16];
    snprintf(author, sizeof author, "source:%s", src->name);
    struct store_actor who = {.user_id = 0, .name = author, .ip = "ingest"};
    int64_t now = now_of(p);
    ok = ok &&
         store_media_put(p->cfg.store, &who, img.sha256, img.type, img.width, img.height, body, len,
                         now, &err) == STORE_OK &&
         store_ingest_media_put(p->cfg.store, url, img.sha256, now, &err) == STORE_OK;
    free(body);
    if (!ok) {
        /* The URL is not logged: it may carry a signed query. */
        qlog(QLOG_WARN, "ingest-image", "source=%s skipped=1 error=%s",
             qlog_quote(src->name, quoted, sizeof quoted), qlog_quote(err.msg, why, sizeof why));
        return false;
    }
    memcpy(sha, img.sha256, 65);
    (*downloaded)++;
    return true;
}

/* ---- taking a batch ---- */

static int approval_days(struct source_poller *p)
{
    struct store_settings s;
    struct sg_err err = {0};
    if (store_settings_get(p->cfg.store, &s, &err) == STORE_OK && s.approval_days > 0)
        return s.approval_days;
    return p->cfg.approval_days_fallback > 0 ? p->cfg.approval_days_fallback
                                             : DEFAULT_APPROVAL_DAYS;
}

/* One post: images, rules, store. */
static void take_post(struct source_poller *p, const struct store_source *src,
                      const struct ingest_post *post, int days, struct source_stats *stats)
{
    struct rules_media media[INGEST_MAX_IMAGES];
    size_t nmedia = 0;
    for (size_t i = 0; i < post->nimages && nmedia < INGEST_MAX_IMAGES; i++) {
        if (image_for(p, src, post->images[i].url, media[nmedia].sha256, &stats->images)) {
            media[nmedia].alt = post->images[i].alt;
            nmedia++;
        }
    }
    struct rules_result r;
    bool oom = false;
    const char *skip =
        rules_apply(src, p->blocklist, post, media, nmedia, days, now_of(p), &r, &oom);
    if (skip) {
        stats->skipped++;
        return;
    }
    enum store_ingest_result result = STORE_INGEST_SAME;
    struct sg_err err = {0};
    enum store_status st =
        store_ingest_post(p->cfg.store, src->id, &r.post, now_of(p), &result, NULL, &err);
    if (st != STORE_OK) {
        char quoted[160], why[300];
        qlog(QLOG_WARN, "ingest-post", "source=%s error=%s",
             qlog_quote(src->name, quoted, sizeof quoted), qlog_quote(err.msg, why, sizeof why));
        stats->skipped++;
    } else {
        switch (result) {
        case STORE_INGEST_NEW:
            stats->taken_new++;
            break;
        case STORE_INGEST_EDITED:
            stats->edited++;
            break;
        case STORE_INGEST_APPROVED:
            stats->approved++;
            break;
        case STORE_INGEST_CAPPED:
            stats->capped++;
            break;
        case STORE_INGEST_SAME:
        default:
            stats->same++;
            break;
        }
        if (r.post.held && result != STORE_INGEST_SAME && result != STORE_INGEST_CAPPED)
            stats->held++;
    }
    rules_result_finish(&r);
}

/* Takes every post of a batch, oldest first (feeds and timelines list the
 * newest first), then, for a polled source, closes what vanished. */
static void take_batch(struct source_poller *p, const struct store_source *src,
                       const struct ingest_batch *b, bool polled, struct source_stats *stats)
{
    int days = approval_days(p);
    for (size_t i = b->n; i-- > 0;)
        take_post(p, src, &b->posts[i], days, stats);
    stats->skipped += b->skipped;
    /* Deletions: only when the document was read whole (a skipped entry
     * might be a known post) and only within the time the document covers,
     * so posts that merely fell off the end of a timeline stay. */
    if (!polled || b->skipped > 0 || b->n == 0)
        return;
    const char *present[INGEST_MAX_POSTS];
    int64_t since = 0;
    for (size_t i = 0; i < b->n; i++) {
        present[i] = b->posts[i].ext_id;
        if (b->posts[i].published > 0 && (since == 0 || b->posts[i].published < since))
            since = b->posts[i].published;
    }
    if (since == 0)
        return;
    size_t gone = 0;
    struct sg_err err = {0};
    if (store_ingest_gone(p->cfg.store, src->id, present, b->n, since, now_of(p), &gone, &err) ==
        STORE_OK)
        stats->gone += gone;
}

static void log_round(const struct store_source *src, const char *what,
                      const struct source_stats *s, int64_t ms, const char *error)
{
    char name[160], why[300];
    if (error)
        qlog(QLOG_WARN, "ingest", "source=%s via=%s ms=%lld error=%s",
             qlog_quote(src->name, name, sizeof name), what, (long long)ms,
             qlog_quote(error, why, sizeof why));
    else
        qlog(QLOG_INFO, "ingest",
             "source=%s via=%s ms=%lld new=%zu edited=%zu approved=%zu same=%zu held=%zu "
             "capped=%zu skipped=%zu gone=%zu images=%zu",
             qlog_quote(src->name, name, sizeof name), what, (long long)ms, s->taken_new, s->edited,
             s->approved, s->same, s->held, s->capped, s->skipped, s->gone, s->images);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool changed(const struct source_stats *s)
{
    return s->taken_new || s->edited || s->approved || s->gone;
}

static void add_stats(struct source_stats *to, const struct source_stats *s)
{
    to->taken_new += s->taken_new;
    to->edited += s->edited;
    to->approved += s->approved;
    to->same += s->same;
    to->capped += s->capped;
    to->skipped += s->skipped;
    to->held += s->held;
    to->gone += s->gone;
    to->images += s->images;
}

static void poll_source(struct source_poller *p, const struct store_source *src,
                        struct source_stats *total)
{
    struct source_stats s = {0};
    int64_t started = mono_ms();
    char url[INGEST_MAX_URL_LEN + 512];
    char *body = NULL;
    size_t len = 0;
    long status = 0;
    int64_t retry = -1;
    struct sg_err err = {0};
    struct ingest_batch batch = {0};
    bool ok = poll_url(p, src, url, sizeof url, &err) &&
              fetch(p, url, INGEST_MAX_RESPONSE_BYTES, &body, &len, &status, &retry, &err) &&
              parse_for(src->kind, body, len, &batch, &err);
    free(body);
    int64_t now = now_of(p), next = now + src->poll_s;
    char error[STORE_MAX_REASON_LEN];
    if (!ok && status == 429) {
        /* Rate limited: the server's wish, but never sooner than the interval. */
        int64_t wait = retry > src->poll_s ? retry : src->poll_s;
        next = now + wait;
        snprintf(error, sizeof error, "HTTP 429 (rate limited; next try in %lld s)",
                 (long long)wait);
    } else if (!ok) {
        snprintf(error, sizeof error, "%s", err.msg);
    } else {
        take_batch(p, src, &batch, true, &s);
    }
    ingest_batch_finish(&batch);
    struct sg_err perr = {0};
    if (store_source_polled(p->cfg.store, src->id, now, ok ? NULL : error, next, &perr) != STORE_OK)
        qlog(QLOG_ERROR, "ingest", "error=\"could not record a poll\"");
    log_round(src, "poll", &s, mono_ms() - started, ok ? NULL : error);
    total->polled++;
    total->failed += !ok;
    add_stats(total, &s);
}

static void take_queued(struct source_poller *p, struct queued *q, struct source_stats *total)
{
    struct source_stats s = {0};
    int64_t started = mono_ms();
    struct store_source src;
    struct sg_err err = {0};
    if (store_source_get(p->cfg.store, q->source_id, now_of(p), &src, &err) != STORE_OK)
        return;
    take_batch(p, &src, &q->batch, false, &s);
    if (store_source_polled(p->cfg.store, src.id, now_of(p), NULL, 0, &err) != STORE_OK)
        qlog(QLOG_ERROR, "ingest", "error=\"could not record a webhook call\"");
    log_round(&src, "webhook", &s, mono_ms() - started, NULL);
    add_stats(total, &s);
    store_source_finish(&src);
}

/* ---- the round and the thread ---- */

static void round_once(struct source_poller *p, struct source_stats *stats)
{
    struct source_stats total = {0};
    for (;;) {
        pthread_mutex_lock(&p->mu);
        struct queued q = {0};
        bool have = p->nqueued > 0 && !p->stop;
        if (have) {
            q = p->queue[0];
            memmove(&p->queue[0], &p->queue[1], (p->nqueued - 1) * sizeof p->queue[0]);
            p->nqueued--;
        }
        pthread_mutex_unlock(&p->mu);
        if (!have)
            break;
        take_queued(p, &q, &total);
        ingest_batch_finish(&q.batch);
    }
    struct store_source *due = NULL;
    size_t n = 0;
    struct sg_err err = {0};
    if (store_source_due(p->cfg.store, now_of(p), &due, &n, &err) == STORE_OK) {
        for (size_t i = 0; i < n; i++) {
            pthread_mutex_lock(&p->mu);
            bool stop = p->stop;
            pthread_mutex_unlock(&p->mu);
            if (stop)
                break;
            poll_source(p, &due[i], &total);
        }
        store_sources_free(due, n);
    }
    if (changed(&total) && p->cfg.publisher)
        publisher_kick(p->cfg.publisher);
    if (stats) {
        stats->polled += total.polled;
        stats->failed += total.failed;
        add_stats(stats, &total);
    }
}

void source_poller_run_once(struct source_poller *p, struct source_stats *stats)
{
    round_once(p, stats);
}

static void *thread_main(void *arg)
{
    struct source_poller *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        p->kicked = false;
        pthread_mutex_unlock(&p->mu);
        round_once(p, NULL);
        pthread_mutex_lock(&p->mu);
        if (p->stop || p->kicked || p->nqueued > 0)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += WAKE_S;
        while (!p->stop && !p->kicked && p->nqueued == 0)
            if (pthread_cond_timedwait(&p->cond, &p->mu, &until) != 0)
                break;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- lifecycle ---- */

static bool load_blocklist(struct source_poller *p, struct sg_err *err)
{
    char *all = NULL;
    size_t total = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < p->cfg.nblocklist; i++) {
        char *text = NULL;
        size_t len = 0;
        struct sg_err inner = {0};
        if (!fileio_read(p->cfg.blocklist_files[i], MAX_BLOCKLIST_BYTES, &text, &len, &inner)) {
            sg_err_set(err, "blocklist %s: %s", p->cfg.blocklist_files[i], inner.msg);
            ok = false;
            break;
        }
        char *grown = realloc(all, total + len + 2);
        if (!grown) {
            free(text);
            sg_err_set(err, "out of memory");
            ok = false;
            break;
        }
        all = grown;
        memcpy(all + total, text, len);
        total += len;
        all[total++] = '\n'; /* a file without a final newline ends its entry */
        all[total] = '\0';
        free(text);
    }
    if (ok && total > 0 && !(p->blocklist = ingest_blocklist_new(all, total, err)))
        ok = false;
    free(all);
    return ok;
}

struct source_poller *source_poller_new(const struct source_poller_config *cfg, struct sg_err *err)
{
    struct source_poller *p = calloc(1, sizeof *p);
    if (!p) {
        sg_err_set(err, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    p->net.ca_file = cfg->ca_file;
    p->net.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 15000;
    p->net.user_agent = USER_AGENT;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = pthread_mutex_init(&p->mu, NULL) == 0 && pthread_cond_init(&p->cond, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok) {
        free(p);
        sg_err_set(err, "cannot create the ingest thread's lock");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        sg_err_set(err, "libcurl failed to initialise");
        source_poller_free(p);
        return NULL;
    }
    if (!load_blocklist(p, err)) {
        source_poller_free(p);
        return NULL;
    }
    return p;
}

bool source_poller_start(struct source_poller *p, struct sg_err *err)
{
    if (pthread_create(&p->thread, NULL, thread_main, p) != 0) {
        sg_err_set(err, "cannot start the ingest thread");
        return false;
    }
    p->started = true;
    return true;
}

void source_poller_free(struct source_poller *p)
{
    if (!p)
        return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_signal(&p->cond);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    for (size_t i = 0; i < p->nqueued; i++)
        ingest_batch_finish(&p->queue[i].batch);
    ingest_blocklist_free(p->blocklist);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
    curl_global_cleanup();
    free(p);
}

void source_poller_kick(struct source_poller *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->kicked = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

bool source_poller_submit(struct source_poller *p, int64_t source_id, struct ingest_batch *batch)
{
    pthread_mutex_lock(&p->mu);
    bool ok = p->nqueued < MAX_QUEUED;
    if (ok) {
        p->queue[p->nqueued].source_id = source_id;
        p->queue[p->nqueued].batch = *batch;
        memset(batch, 0, sizeof *batch);
        p->nqueued++;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}
