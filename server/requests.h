/* Request-body parsers of the queue's API (API.md): JSON bytes in, plain
 * structs out. Pure (json-c through jsonx, no microhttpd, no SQLite), so each
 * one has a libFuzzer target (tests/fuzz/fuzz_requests.c).
 *
 * Every parser enforces REQ_MAX_BODY_BYTES and jsonx's strictness (no
 * duplicate keys, valid UTF-8, depth), the per-field limits of store.h, and
 * names the offending field in err ("title: longer than 200 bytes").
 * Unknown members are refused, so a typo in a client is an error, not a
 * silently ignored setting. On failure *out is left empty (all NULL/zero),
 * so *_finish is always safe. Strings in *out are malloc'd copies. */
#ifndef SIGNET_QUEUE_REQUESTS_H
#define SIGNET_QUEUE_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"
#include "store.h"

#define REQ_MAX_BODY_BYTES (64u * 1024u)              /* JSON bodies */
#define REQ_MAX_STATUS_BYTES (3u * 1024u * 1024u)     /* status report with a base64 screenshot */
#define REQ_MAX_SCREENSHOT_BYTES (2u * 1024u * 1024u) /* decoded PNG */
#define REQ_MAX_PASSWORD_LEN 1024 /* bytes; longer inputs only cost hashing time */
#define REQ_MIN_PASSWORD_CHARS 12 /* code points, no composition rules (NIST 800-63B) */
#define REQ_MAX_DEPTH 6

struct req_login {
    char *name;
    char *password; /* wiped by req_login_finish */
};
bool req_parse_login(const char *body, size_t len, struct req_login *out,
                     struct sg_err *err) SG_MUST_USE;
void req_login_finish(struct req_login *r);

/* ItemInput: kind, title, body required; media entries carry sha256 and alt
 * only (type is filled from the media table later); schedule_json and
 * targets_json are re-serialised by json-c from the validated objects
 * (targets default to ["*"]); priority defaults to 50 for notices, else 0. */
bool req_parse_item(const char *body, size_t len, struct store_content *out,
                    struct sg_err *err) SG_MUST_USE;

struct req_decision {
    int64_t rev;        /* >= 1, required */
    bool has_until;     /* approve only */
    int64_t until;      /* approve only */
    char *targets_json; /* approve only; NULL: the revision's own */
    char *reason;       /* reject (required) and revoke (optional) */
    bool release_hold;  /* approve only: release a held revision first (ingest) */
};
/* kind: "approve", "reject" or "revoke" (decides which members are allowed
 * and required). */
bool req_parse_decision(const char *kind, const char *body, size_t len, struct req_decision *out,
                        struct sg_err *err) SG_MUST_USE;
void req_decision_finish(struct req_decision *r);

struct req_screen {
    char *id;       /* [A-Za-z0-9._-]{1,64}, the same rule as state_screen_id_valid */
    char *name;     /* required */
    char *group;    /* optional; same character rule as id */
    char *location; /* optional */
    char *timezone; /* optional; an IANA-shaped name ("Europe/Berlin"), default "Europe/Berlin" */
};
bool req_parse_screen(const char *body, size_t len, struct req_screen *out,
                      struct sg_err *err) SG_MUST_USE;
void req_screen_finish(struct req_screen *r);

struct req_user {
    char *name; /* add: required; update: refused */
    bool has_role;
    enum store_role role;
    int disabled;   /* update only: -1 absent, 0, 1 */
    char *password; /* optional; at least REQ_MIN_PASSWORD_CHARS code points */
};
/* update false: POST /api/users; update true: POST /api/users/{id}. */
bool req_parse_user(bool update, const char *body, size_t len, struct req_user *out,
                    struct sg_err *err) SG_MUST_USE;
void req_user_finish(struct req_user *r);

struct req_password {
    char *old_password, *new_password; /* wiped by req_password_finish */
};
bool req_parse_password(const char *body, size_t len, struct req_password *out,
                        struct sg_err *err) SG_MUST_USE;
void req_password_finish(struct req_password *r);

/* Applies the members present onto *settings (which holds the current values). */
bool req_parse_settings(const char *body, size_t len, struct store_settings *settings,
                        struct sg_err *err) SG_MUST_USE;

bool req_parse_emergency(const char *body, size_t len, bool *stop, struct sg_err *err) SG_MUST_USE;

struct req_status {
    int64_t version, rev, uptime;
    char *item;         /* "idle" or an item id */
    char *status_json;  /* the report re-serialised without "screenshot", for the store */
    unsigned char *png; /* decoded screenshot, or NULL; must start with the PNG signature */
    size_t png_len;
};
bool req_parse_status(const char *body, size_t len, struct req_status *out,
                      struct sg_err *err) SG_MUST_USE;
void req_status_finish(struct req_status *r);

/* An ingest source's settings (API.md SourceInput): POST /api/sources
 * (update false: kind required) or POST /api/sources/{id} (update true: the
 * kind cannot change). Defaults: poll every 15 minutes, targets ["*"], the
 * blocklist on, auto-approval off, no cap, enabled. Whether a kind has the
 * url and account it needs is the store's check. On failure *out is empty. */
#define REQ_MAX_ACCOUNT_LEN 253 /* the longest DNS name: a Bluesky handle */
bool req_parse_source(bool update, const char *body, size_t len, struct store_source *out,
                      struct sg_err *err) SG_MUST_USE;

/* POST /api/items/approve: {"items": [{"id", "rev"}...], "until"?}: approve
 * many pending revisions at once (a starter library of tips). */
#define REQ_MAX_BATCH 200
struct req_batch {
    size_t n;
    char ids[REQ_MAX_BATCH][STORE_ITEM_ID_SIZE > 129 ? STORE_ITEM_ID_SIZE : 129];
    int64_t revs[REQ_MAX_BATCH];
    bool has_until;
    int64_t until;
};
bool req_parse_batch(const char *body, size_t len, struct req_batch *out,
                     struct sg_err *err) SG_MUST_USE;

/* A password policy check shared with `signet-queue init` and user changes:
 * valid UTF-8, REQ_MIN_PASSWORD_CHARS..REQ_MAX_PASSWORD_LEN. */
bool req_password_ok(const char *password, struct sg_err *err) SG_MUST_USE;

#endif
