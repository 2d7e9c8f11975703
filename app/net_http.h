/* One HTTP transfer with the safety settings every kiosk transfer gets
 * (issue 4, DESIGN.md "Transport"): only http and https, also after a
 * redirect, at most NET_MAX_REDIRECTS of them; a response size cap counted
 * in the write callback (curl 7.88 does not enforce CURLOPT_MAXFILESIZE
 * while a transfer runs) on the decoded bytes, so a gzip bomb stops there
 * too; connect and total timeouts and a low-speed abort; no signals; TLS
 * verification always on, with an optional CA file and pinned key; a bounded
 * connection lifetime. Error texts name the URL's path at most, never the
 * token. The transfers are driven by the caller's curl multi handle. */
#ifndef SIGNET_NET_HTTP_H
#define SIGNET_NET_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netproto.h"
#include "sg_err.h"

#define NET_MAX_REDIRECTS 3
#define NET_LOW_SPEED_BYTES 64 /* per second: slower than this for the window is a stall */
#define NET_MAX_CONN_LIFETIME_S 300

struct net_settings {
    const char *ca_file;    /* NULL: the system's CA store */
    const char *pin_key;    /* NULL or curl's "sha256//BASE64[;...]" */
    int64_t timeout_ms;     /* connect timeout and the low-speed window */
    const char *user_agent; /* NULL: "signet-kiosk/1" */
};

struct net_transfer {
    CURL *easy;
    struct curl_slist *headers;
    char *post; /* request body (owned) */
    /* Response */
    char *body; /* NUL-terminated; len without it */
    size_t len, cap, max;
    bool over; /* more than max bytes arrived: aborted */
    char etag[NETPROTO_MAX_ETAG + 1];
    int64_t retry_after_s; /* a Retry-After header's delay in seconds; -1 when none */
    long status;
    int64_t started_ms; /* monotonic */
    int64_t clock_s;    /* wall clock at the start, for Retry-After dates */
    char errbuf[CURL_ERROR_SIZE];
};

/* Sets up a GET of url whose body may hold at most max bytes. wait_s is how
 * long the server may legitimately stay silent on top of the usual window
 * (a long poll). if_none_match may be NULL. */
bool net_transfer_get(struct net_transfer *t, const struct net_settings *s, const char *url,
                      size_t max, int wait_s, const char *if_none_match,
                      struct sg_err *err) SG_MUST_USE;
/* Sets up a POST of a JSON body (taken over) with a bearer token. Redirects
 * are not followed (the token goes to the URL configured and nowhere else). */
bool net_transfer_post_json(struct net_transfer *t, const struct net_settings *s, const char *url,
                            char *body, size_t len, const char *token, size_t max,
                            struct sg_err *err) SG_MUST_USE;
/* After curl reported the transfer done with code: true when a complete
 * HTTP response arrived (t->status, t->body, t->etag hold it); false with err
 * saying why in one line (curl's text, or the size cap). */
bool net_transfer_done(struct net_transfer *t, CURLcode code, struct sg_err *err) SG_MUST_USE;
/* Frees everything; t may be reused after net_transfer_get/post_json. */
void net_transfer_finish(struct net_transfer *t);

#endif
