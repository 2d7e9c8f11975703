/* The kiosk's side of the feed protocol's transport (DESIGN.md "Transport"):
 * the URLs it asks for, the ETag it remembers, the status report it sends and
 * the reply it reads. Pure: no curl here, so all of it is tested and fuzzed
 * headless; app/net_http.c does the transfers. */
#ifndef SIGNET_NETPROTO_H
#define SIGNET_NETPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"
#include "verdict.h"

#define NETPROTO_MAX_URL 1024         /* the base URL as configured */
#define NETPROTO_MAX_ETAG 128         /* an entity tag, quotes included */
#define NETPROTO_MAX_REPLY_BYTES 4096 /* a status reply */
#define NETPROTO_MAX_ERROR_LEN 1000   /* last_error in a report (the queue takes 1024) */
/* The queue takes decoded screenshots up to 2 MiB (server/requests.h). */
#define NETPROTO_MAX_SCREENSHOT_BYTES (2u * 1024u * 1024u)

/* Checks a --queue URL and copies it without trailing slashes into out
 * (NETPROTO_MAX_URL + 1 bytes): http:// or https://, a host, no
 * user:password@ (credentials would end up in logs and on the wire in the
 * clear), no query or fragment, printable ASCII only. */
bool netproto_base_url(const char *url, char out[NETPROTO_MAX_URL + 1],
                       struct sg_err *err) SG_MUST_USE;

/* base/v1/screens/<screen>/feed, with ?wait=<wait> when wait > 0. The screen
 * id is a checked name (feed_name_valid), so it needs no escaping. False when
 * the result does not fit in cap or screen is not a valid name. */
bool netproto_feed_url(const char *base, const char *screen, int wait, char *out,
                       size_t cap) SG_MUST_USE;
/* base/v1/media/<sha256>; sha256 must be 64 lower-case hex digits. */
bool netproto_media_url(const char *base, const char *sha256, char *out, size_t cap) SG_MUST_USE;
/* base/v1/screens/<screen>/status */
bool netproto_status_url(const char *base, const char *screen, char *out, size_t cap) SG_MUST_USE;

/* One response header line as curl hands it over ("ETag: \"12\"\r\n").
 * Returns true when it is an ETag header whose value is a well-formed entity
 * tag (optionally W/, quoted, printable, at most NETPROTO_MAX_ETAG bytes);
 * out then holds the tag exactly as sent, for If-None-Match. */
bool netproto_header_etag(const char *line, size_t len, char out[NETPROTO_MAX_ETAG + 1]);

/* One response header line: true when it is a Retry-After header (RFC 9110
 * 10.2.3) with a delay in seconds or an HTTP date (IMF-fixdate, "Wed, 21
 * Oct 2015 07:28:00 GMT"); *delay_s receives the seconds to wait from now_s
 * (0 for a date in the past), capped at NETPROTO_MAX_RETRY_AFTER_S. */
#define NETPROTO_MAX_RETRY_AFTER_S (7 * 24 * 3600)
bool netproto_header_retry_after(const char *line, size_t len, int64_t now_s, int64_t *delay_s);

/* The 64 hex digits of a screen token file (surrounding whitespace and a
 * final newline allowed). out receives them NUL-terminated. */
bool netproto_token_parse(const char *text, size_t len, char out[65],
                          struct sg_err *err) SG_MUST_USE;

struct netproto_status {
    int64_t version;  /* feed version on screen (0: none) */
    const char *item; /* item id on screen, or "idle" */
    int64_t rev;
    int64_t uptime;                         /* seconds */
    const char *last_error;                 /* NULL or the last problem logged */
    unsigned dropped[VERDICT_REASON_COUNT]; /* items of the current feed not shown, by reason */
};

/* The JSON body of POST /v1/screens/{id}/status (server/API.md), with the
 * PNG base64-encoded when png is not NULL. last_error is cut to
 * NETPROTO_MAX_ERROR_LEN bytes and anything but printable ASCII becomes '?'.
 * Returns malloc'd text (NUL-terminated, *len without it), NULL when out of
 * memory or the PNG is over NETPROTO_MAX_SCREENSHOT_BYTES. */
char *netproto_status_body(const struct netproto_status *s, const unsigned char *png,
                           size_t png_len, size_t *len) SG_MUST_USE;

/* The queue's reply: {"screenshot_requested": bool}, other members ignored.
 * At most NETPROTO_MAX_REPLY_BYTES. */
bool netproto_status_reply(const char *body, size_t len, bool *screenshot,
                           struct sg_err *err) SG_MUST_USE;

#endif
