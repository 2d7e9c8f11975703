/* The queue's HTTP edge on libmicrohttpd: one daemon with a small pool of
 * epoll threads, a static route table (routes.c), request bodies read by us
 * with a cap per route (never through MHD_PostProcessor, the component
 * behind CVE-2021-3466 and CVE-2023-27371), long polls held as suspended
 * connections (no thread per waiting screen), and per-request memory freed in
 * microhttpd's completion callback.
 *
 * A handler sees a struct http_req and answers through the http_reply_*
 * functions; exactly one reply per request. Every reply carries the security
 * headers (CSP, nosniff, no-referrer, frame-ancestors). */
#ifndef SIGNET_QUEUE_HTTP_H
#define SIGNET_QUEUE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"

struct json_object;
struct queue; /* queue.h: the application the handlers serve */

/* Limits of the HTTP layer itself (bodies are capped per route). */
#define HTTP_MAX_HEADER_BYTES (16u * 1024u) /* MHD_OPTION_CONNECTION_MEMORY_LIMIT base */
#define HTTP_CONNECTION_TIMEOUT_S 30        /* idle connections (long polls are suspended) */
#define HTTP_DEFAULT_PER_IP_LIMIT 64
#define HTTP_DEFAULT_CONNECTION_LIMIT 4096
#define HTTP_DEFAULT_THREADS 4
#define HTTP_MAX_PARAMS 3 /* {} segments in one route pattern */

struct http_opts {
    const char *listen;       /* "127.0.0.1:8080", "[::1]:8080", ":8080" */
    const char *tls_cert_pem; /* contents, NULL: plain HTTP */
    const char *tls_key_pem;
    bool trust_proxy;          /* take client address and scheme from X-Forwarded-* */
    unsigned threads;          /* 0: HTTP_DEFAULT_THREADS */
    unsigned per_ip_limit;     /* 0: HTTP_DEFAULT_PER_IP_LIMIT */
    unsigned connection_limit; /* 0: HTTP_DEFAULT_CONNECTION_LIMIT */
};

struct http_server;

struct http_server *http_start(const struct http_opts *opts, struct queue *q,
                               struct sg_err *err) SG_MUST_USE;
/* The port actually bound (when listen asked for port 0). */
uint16_t http_port(const struct http_server *s);
/* Stops accepting, ends every connection. NULL: no-op. */
void http_stop(struct http_server *s);

/* ---- what handlers see ---- */

struct http_req {
    struct queue *q;
    const char *method;
    const char *path;                    /* without the query */
    const char *params[HTTP_MAX_PARAMS]; /* the {} segments, URL-decoded, checked */
    char *body; /* NUL-terminated (not counted in body_len); NULL when empty */
    size_t body_len;
    char ip[64]; /* client address (or the proxy's X-Forwarded-For when trusted) */
    bool tls;    /* https to the client (native TLS, or X-Forwarded-Proto when trusted) */
    int64_t now; /* seconds: the queue's clock at the start of the request */
    /* Filled by the session check for staff routes. */
    int64_t user_id;
    char user_name[65];
    int role; /* enum store_role; 0 without a session */
    /* Private to http.c. */
    void *priv;
};

/* Request header or query argument, NULL when absent. */
const char *http_header(const struct http_req *r, const char *name);
const char *http_query(const struct http_req *r, const char *name);

/* Replies. body_json is consumed (json_object_put) in every case. */
int http_reply_json(struct http_req *r, unsigned status, struct json_object *body_json);
/* {"error": code, "message": message}. */
int http_reply_error(struct http_req *r, unsigned status, const char *code, const char *message);
/* data is copied unless free_fn is given: then it is taken and freed with it. */
int http_reply_bytes(struct http_req *r, unsigned status, const char *content_type,
                     const void *data, size_t len, void (*free_fn)(void *));
/* Adds a header to the reply about to be sent (call before http_reply_*). */
void http_add_header(struct http_req *r, const char *name, const char *value);

/* Long poll: hold the request until http_resume (from any thread), then the
 * route's handler runs again with http_resumed() true. */
void http_suspend(struct http_req *r);
void http_resume(struct http_req *r);
bool http_resumed(const struct http_req *r);
/* Per-request slot a handler may use across a suspend; freed with free_fn at
 * completion (after the daemon is done with the request). */
void http_set_state(struct http_req *r, void *state, void (*free_fn)(void *));
void *http_state(const struct http_req *r);

/* Monotonic milliseconds (CLOCK_MONOTONIC). */
int64_t http_monotonic_ms(void);

#endif
