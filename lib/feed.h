/* The signed feed, protocol v1 (see shared DESIGN.md "The feed protocol").
 *
 * Bytes travel in a DSSE envelope:
 *   {"payloadType": FEED_PAYLOAD_TYPE, "payload": <base64>,
 *    "signatures": [{"keyid": <16 hex>, "sig": <base64 Ed25519>}]}
 * The signature covers DSSE's pre-authentication encoding (PAE) of the type
 * and the exact payload bytes. The payload is parsed only after a signature
 * from a trusted key verified; nothing is ever re-serialised.
 *
 * Payload (JSON object):
 *   "signet_feed": "1.0"      format version "MAJOR.MINOR"; MAJOR must be 1
 *   "screen": "id"            exactly one of screen / group names the audience
 *   "group": "name"
 *   "version": 42             monotonic per screen, >= 1
 *   "issued", "expires"       RFC 3339 UTC
 *   "clinic": "Praxis ..."    optional, shown in the header
 *   "items": [ item... ]
 * Item:
 *   "id", "rev" (>= 1), "kind" ("post" | "tip" | "notice"),
 *   "title", "body", "author", "source", "link", "lang", "published" (all optional
 *   strings; published is RFC 3339), "priority" (integer, default 0),
 *   "media": [{"sha256": <64 hex>, "type": "image/png", "alt": "..."}],
 *   "approval": {"by": "...", "at": RFC 3339, "until": RFC 3339},
 *   "schedule": {"dates": {"from": "YYYY-MM-DD", "until": "YYYY-MM-DD"},
 *                "weekdays": [1..7] (ISO, 1 = Monday),
 *                "hours": {"from": "HH:MM", "until": "HH:MM"}}
 * Unknown members are ignored (minor versions may add them); a known member
 * with the wrong type, a duplicate key or a limit crossed rejects the feed. */
#ifndef SIGNET_FEED_H
#define SIGNET_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"

#define FEED_PAYLOAD_TYPE "application/vnd.signet.feed+json"
#define FEED_MAJOR_VERSION 1

/* Limits. Each protects the board's memory or the layout from a hostile or
 * broken producer; tests cross each one. */
#define FEED_MAX_ENVELOPE_BYTES (4u * 1024u * 1024u) /* whole envelope as received */
#define FEED_MAX_SIGNATURES 8
#define FEED_MAX_ITEMS 256
#define FEED_MAX_MEDIA 4       /* per item */
#define FEED_MAX_ID_LEN 128    /* ids, screen, group, keyid, lang, by */
#define FEED_MAX_SHORT_LEN 512 /* title, author, source, clinic, alt, type */
#define FEED_MAX_LINK_LEN 2048 /* link */
#define FEED_MAX_BODY_LEN 8192 /* body */
#define FEED_MAX_DEPTH 8       /* JSON nesting of envelope and payload */

#define FEED_KEYID_HEX_LEN 16 /* hex of the first 8 bytes of SHA-256(public key) */
#define FEED_SHA256_HEX_LEN 64

enum feed_kind {
    FEED_KIND_POST,
    FEED_KIND_TIP,
    FEED_KIND_NOTICE,
};

struct feed_media {
    char sha256[FEED_SHA256_HEX_LEN + 1]; /* lower-case hex */
    char *type;                           /* may be NULL */
    char *alt;                            /* may be NULL */
};

struct feed_approval {
    bool present;
    char *by;
    int64_t at;
    int64_t until;
};

struct feed_schedule {
    bool has_dates;
    int64_t date_from, date_until; /* local dates as days since epoch, inclusive */
    uint8_t weekdays;              /* bit (1 << iso_weekday); 0 = every day */
    bool has_hours;
    int minute_from, minute_until; /* local minutes of day; until exclusive; wraps
                                      past midnight when until <= from */
};

/* All strings are NUL-terminated, valid UTF-8 with no NUL inside, owned by
 * the feed_doc; NULL when absent. */
struct feed_item {
    char *id;
    int64_t rev;
    enum feed_kind kind;
    char *title, *body, *author, *source, *link, *lang;
    int64_t published; /* 0 when absent */
    int priority;
    size_t nmedia;
    struct feed_media media[FEED_MAX_MEDIA];
    struct feed_approval approval;
    struct feed_schedule schedule;
};

struct feed_doc {
    int major, minor;
    char *screen; /* exactly one of screen and group is non-NULL */
    char *group;
    int64_t version;
    int64_t issued, expires;
    char *clinic;
    size_t nitems;
    struct feed_item *items;
    unsigned char payload_sha256[32]; /* of the exact signed payload bytes */
};

struct feed_signature {
    char keyid[FEED_KEYID_HEX_LEN + 1];
    unsigned char sig[64];
};

struct feed_envelope {
    char *payload_type;
    unsigned char *payload; /* decoded bytes, NUL-terminated for convenience */
    size_t payload_len;
    size_t nsigs;
    struct feed_signature sigs[FEED_MAX_SIGNATURES];
};

const char *feed_kind_name(enum feed_kind kind);

/* "sha256": exactly 64 lower-case hex digits, the only form a media name
 * takes on the wire, in URLs and as a file name. */
bool feed_sha256_hex_valid(const char *s);
/* Ids and names that end up in paths and file names (screen ids, groups,
 * item ids, URL segments): [A-Za-z0-9._-]{1,max}, not starting with '.'. */
bool feed_name_valid(const char *s, size_t max);

/* DSSE pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(body)> <body>".
 * Returns a malloc'd buffer the caller frees, or NULL on allocation failure. */
unsigned char *feed_pae(const char *type, const unsigned char *body, size_t body_len,
                        size_t *out_len) SG_MUST_USE;

/* Parses the envelope structure (no signature check). Bytes beyond
 * FEED_MAX_ENVELOPE_BYTES, bad JSON, bad base64, a signature of the wrong size
 * are errors. On success the caller owns env and frees it with
 * feed_envelope_finish(). On failure env is left empty. */
bool feed_envelope_parse(const char *bytes, size_t len, struct feed_envelope *env,
                         struct sg_err *err) SG_MUST_USE;
void feed_envelope_finish(struct feed_envelope *env);

enum feed_parse_status {
    FEED_PARSE_OK,
    FEED_PARSE_MALFORMED,
    FEED_PARSE_UNKNOWN_MAJOR, /* well-formed "signet_feed" with a major this build cannot read */
};

/* Parses a payload. Call only on bytes whose signature verified. On failure
 * doc is left empty. The caller frees doc with feed_doc_finish(). */
enum feed_parse_status feed_payload_parse(const unsigned char *payload, size_t len,
                                          struct feed_doc *doc, struct sg_err *err) SG_MUST_USE;
void feed_doc_finish(struct feed_doc *doc);

/* Moves a doc: *dst takes ownership, *src becomes empty. */
void feed_doc_move(struct feed_doc *dst, struct feed_doc *src);

#endif
