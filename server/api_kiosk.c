/* The read side (feeds, media, status reports) and operations (health,
 * metrics, the page's files). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "feed.h"
#include "publisher.h"
#include "qlog.h"
#include "queue.h"
#include "requests.h"
#include "webassets.h"

#define FEED_CONTENT_TYPE "application/json"
#define MAX_WAIT_S 60

/* ---- GET /v1/screens/{id}/feed ---- */

/* A held long poll. Lives in the request's state slot; the publisher calls
 * wake exactly once (newer version, deadline, or shutdown). */
struct long_poll {
    struct publisher *publisher;
    struct publisher_waiter *waiter;
    struct http_req *req;
    int64_t known_version;
    _Atomic int fired;
};

static void long_poll_wake(void *ctx)
{
    struct long_poll *lp = ctx;
    atomic_store(&lp->fired, 1);
    http_resume(lp->req);
}

static void long_poll_free(void *ctx)
{
    struct long_poll *lp = ctx;
    /* Only reachable after the request was resumed and answered, i.e.
     * after wake ran; unwait covers a waiter that somehow never fired. */
    if (!atomic_load(&lp->fired) && lp->waiter)
        (void)publisher_unwait(lp->publisher, lp->waiter);
    free(lp);
}

/* If-None-Match holds the version the client has: "12", W/"12", or a list. */
static bool client_has(const char *inm, int64_t version)
{
    if (!inm)
        return false;
    char want[32];
    snprintf(want, sizeof want, "\"%" PRId64 "\"", version);
    size_t wl = strlen(want);
    for (const char *p = inm; (p = strstr(p, want)) != NULL; p += wl) {
        char after = p[wl];
        if (after == '\0' || after == ',' || after == ' ')
            return true;
    }
    return strcmp(inm, "*") == 0;
}

static int reply_feed(struct http_req *r, const struct publisher_feed *f, bool not_modified)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%" PRId64 "\"", f->version);
    http_add_header(r, "ETag", etag);
    /* Caches may keep it but must ask again each time: a revocation has to
     * reach the screen on its next request. */
    http_add_header(r, "Cache-Control", "no-cache");
    if (not_modified)
        return http_reply_bytes(r, 304, NULL, "", 0, NULL);
    return http_reply_bytes(r, 200, FEED_CONTENT_TYPE, f->envelope, f->len, NULL);
}

int api_feed(struct http_req *r)
{
    struct publisher *p = r->q->publisher;
    const char *screen = r->params[0];
    const struct publisher_feed *f = publisher_feed_get(p, screen);
    if (!f)
        return http_reply_error(r, 404, "not-found", "There is no screen with this id.");
    const char *inm = http_header(r, "If-None-Match");
    bool has = client_has(inm, f->version);
    struct long_poll *held = http_state(r);
    if (held) {
        /* Resumed: a newer version, the deadline, or shutdown. */
        int st = reply_feed(r, f, f->version <= held->known_version);
        publisher_feed_release(f);
        return st;
    }
    int64_t wait = 0;
    const char *w = http_query(r, "wait");
    if (w) {
        char *end = NULL;
        long v = strtol(w, &end, 10);
        if (!*w || *end || v < 0 || v > MAX_WAIT_S) {
            publisher_feed_release(f);
            return http_reply_error(r, 400, "bad-request", "wait: whole seconds from 0 to 60.");
        }
        wait = v;
    }
    if (!has || wait == 0) {
        int st = reply_feed(r, f, has);
        publisher_feed_release(f);
        return st;
    }
    struct long_poll *lp = calloc(1, sizeof *lp);
    if (!lp) {
        publisher_feed_release(f);
        return http_reply_error(r, 503, "busy", "Out of memory; try again.");
    }
    lp->publisher = p;
    lp->req = r;
    lp->known_version = f->version;
    publisher_feed_release(f);
    http_set_state(r, lp, long_poll_free);
    http_suspend(r);
    lp->waiter = publisher_wait(p, screen, lp->known_version, http_monotonic_ms() + wait * 1000,
                                long_poll_wake, lp);
    if (!lp->waiter && !atomic_load(&lp->fired))
        long_poll_wake(lp); /* could not register: answer 304 at once */
    return 0;
}

/* ---- GET /v1/media/{sha256} ---- */

int api_media(struct http_req *r)
{
    const char *sha = r->params[0];
    if (!feed_sha256_hex_valid(sha))
        return http_reply_error(r, 404, "not-found", "Media are named by their SHA-256.");
    char etag[70];
    snprintf(etag, sizeof etag, "\"%s\"", sha);
    http_add_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    http_add_header(r, "ETag", etag);
    const char *inm = http_header(r, "If-None-Match");
    if (inm && strstr(inm, etag))
        return http_reply_bytes(r, 304, NULL, "", 0, NULL);
    void *bytes = NULL;
    size_t len = 0;
    char *type = NULL;
    struct sg_err err = {0};
    enum store_status st = store_media_get(r->q->store, sha, &bytes, &len, &type, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    int code = http_reply_bytes(r, 200, type, bytes, len, free);
    free(type);
    return code;
}

/* ---- POST /v1/screens/{id}/status ---- */

int api_status(struct http_req *r)
{
    /* The screen's token was checked before the body was read (auth.c). */
    const char *screen = r->params[0];
    struct sg_err err = {0};
    enum store_status st;
    struct req_status rs = {0};
    if (!req_parse_status(r->body, r->body_len, &rs, &err))
        return api_bad_request(r, &err);
    bool wants = false;
    st = store_screen_report(r->q->store, screen, rs.status_json, rs.png, rs.png_len, r->now,
                             &wants, &err);
    req_status_finish(&rs);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "screenshot_requested", json_object_new_boolean(wants));
    return http_reply_json(r, 200, o);
}

/* ---- operations ---- */

int api_healthz(struct http_req *r)
{
    bool db = store_ping(r->q->store);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "ok", json_object_new_boolean(db));
    json_object_object_add(o, "db", json_object_new_string(db ? "ok" : "failing"));
    return http_reply_json(r, db ? 200 : 503, o);
}

int api_metrics(struct http_req *r)
{
    struct metrics_gauges g = {0};
    struct publisher_stats ps = {0};
    publisher_stats(r->q->publisher, &ps);
    g.feed_versions_published = ps.versions_published;
    g.long_polls = ps.waiters;
    struct sg_err err = {0};
    struct store_screen *screens = NULL;
    size_t n = 0;
    if (store_screen_list(r->q->store, &screens, &n, &err) == STORE_OK) {
        g.screens = (int64_t)n;
        for (size_t i = 0; i < n; i++)
            if (screens[i].last_seen && r->now - screens[i].last_seen <= 180)
                g.screens_online++;
        store_screens_free(screens, n);
    }
    if (store_pending_count(r->q->store, &g.queue_pending, &err) != STORE_OK)
        g.queue_pending = -1;
    struct store_settings set;
    if (store_settings_get(r->q->store, &set, &err) == STORE_OK)
        g.emergency_stop = set.emergency_stop;
    size_t len = 0;
    char *text = metrics_render(&r->q->metrics, &g, &len);
    if (!text)
        return http_reply_error(r, 500, "internal", "Out of memory.");
    return http_reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, free);
}

static const char *content_type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

int api_page(struct http_req *r)
{
    const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    for (const struct webasset *a = webassets; a->path; a++) {
        if (strcmp(a->path, path) != 0)
            continue;
        /* Revalidate every time: a new build must reach phones at once. */
        http_add_header(r, "Cache-Control", "no-cache");
        return http_reply_bytes(r, 200, content_type_of(path), a->data, a->len, NULL);
    }
    return http_reply_error(r, 404, "not-found", "There is nothing at this address.");
}
