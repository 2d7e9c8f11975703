/* The queue's store: one SQLite database (WAL, defensive mode, foreign keys)
 * in the data dir, holding accounts, sessions, items and their revisions,
 * screens, media, settings and the audit chain.
 *
 * Every function takes the store's mutex for its whole duration and runs in
 * one transaction, so callers on microhttpd's threads never see half a
 * decision. Prepared statements only; every string bound, never spliced.
 * Times are seconds since the epoch, passed in by the caller (*now* is a
 * parameter, so tests step it). Every decision and account change appends an
 * audit row in the same transaction as the change itself.
 *
 * Returned structs own their strings; free them with the matching
 * *_finish / *_list_free. Errors are values: functions return enum
 * store_status and fill err with one line for the log or the HTTP answer. */
#ifndef SIGNET_QUEUE_STORE_H
#define SIGNET_QUEUE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"

#define STORE_DB_FILE "queue.db"

/* Limits on what staff can type; the request parsers enforce them first. */
#define STORE_MAX_NAME_LEN 64 /* user names, screen ids, group names */
#define STORE_MAX_TITLE_LEN 200
#define STORE_MAX_BODY_LEN 2000
#define STORE_MAX_TARGETS 64
#define STORE_MAX_REASON_LEN 500
#define STORE_MAX_MEDIA_BYTES (8u * 1024u * 1024u)
#define STORE_SESSION_IDLE_S (30 * 60)          /* idle timeout */
#define STORE_SESSION_ABSOLUTE_S (12 * 60 * 60) /* absolute timeout */
#define STORE_TOKEN_BYTES 32                    /* session, CSRF and screen tokens */

enum store_status {
    STORE_OK,
    STORE_NOT_FOUND, /* no such user, item, revision, screen, media, session */
    STORE_CONFLICT,  /* transition not allowed (revoke of a pending revision, dup id) */
    STORE_FORBIDDEN, /* four-eyes: the author may not approve their own revision */
    STORE_INVALID,   /* a value out of range that slipped past the parsers */
    STORE_ERROR,     /* SQLite or I/O failure; err says which */
};

enum store_role { STORE_ROLE_EDITOR = 1, STORE_ROLE_APPROVER = 2, STORE_ROLE_ADMIN = 3 };
const char *store_role_name(enum store_role role);
bool store_role_parse(const char *name, enum store_role *out);

enum store_rev_state {
    STORE_REV_PENDING,
    STORE_REV_APPROVED,
    STORE_REV_REJECTED,
    STORE_REV_REVOKED,
    STORE_REV_EXPIRED,
    STORE_REV_SUPERSEDED, /* an approved revision replaced by the approval of a newer one */
};
const char *store_rev_state_name(enum store_rev_state st);
bool store_rev_state_parse(const char *name, enum store_rev_state *out);

struct store;

/* Who does something, and from where (for the audit log). user_id 0 with
 * name "system" for the server's own decisions (expiry). */
struct store_actor {
    int64_t user_id;
    const char *name;
    const char *ip;
};

/* Opens (creating when absent) DATA_DIR/queue.db and migrates the schema. */
struct store *store_open(const char *data_dir, struct sg_err *err) SG_MUST_USE;
void store_close(struct store *st); /* NULL: no-op */
/* SQLite's online backup API into a new file at path (refuses to overwrite). */
enum store_status store_backup(struct store *st, const char *path, struct sg_err *err) SG_MUST_USE;
/* A trivial query: for /healthz. */
bool store_ping(struct store *st);

/* ---- accounts ---- */

struct store_user {
    int64_t id;
    char *name;
    enum store_role role;
    bool disabled;
    char *pw_hash; /* crypto_pwhash_str output; only filled by store_user_by_name */
};
void store_user_finish(struct store_user *u);
void store_users_free(struct store_user *users, size_t n);

/* pw_hash is already hashed (password.h). A duplicate name is STORE_CONFLICT. */
enum store_status store_user_add(struct store *st, const struct store_actor *who, const char *name,
                                 enum store_role role, const char *pw_hash, int64_t now,
                                 int64_t *id_out, struct sg_err *err) SG_MUST_USE;
enum store_status store_user_by_name(struct store *st, const char *name, struct store_user *out,
                                     struct sg_err *err) SG_MUST_USE;
enum store_status store_user_by_id(struct store *st, int64_t id, struct store_user *out,
                                   struct sg_err *err) SG_MUST_USE;
enum store_status store_user_list(struct store *st, struct store_user **out, size_t *n,
                                  struct sg_err *err) SG_MUST_USE;
/* Changes role, disabled flag and/or password hash (NULL/negative: unchanged:
 * role 0, disabled -1, pw_hash NULL). Disabling or a new password ends the
 * user's sessions. */
enum store_status store_user_update(struct store *st, const struct store_actor *who, int64_t id,
                                    enum store_role role, int disabled, const char *pw_hash,
                                    int64_t now, struct sg_err *err) SG_MUST_USE;
/* Number of enabled admins (the last one may not be demoted or disabled). */
enum store_status store_admin_count(struct store *st, int64_t *n, struct sg_err *err) SG_MUST_USE;

/* ---- sessions ----
 * The token leaves the server only in the cookie; the database keeps its
 * SHA-256. The CSRF token is stored as is (it is no credential alone). */
struct store_session {
    int64_t user_id;
    char *user_name;
    enum store_role role;
    unsigned char csrf[STORE_TOKEN_BYTES];
    int64_t created, last_seen;
};
void store_session_finish(struct store_session *s);

/* Creates a session for user_id; token and csrf are filled with fresh
 * random bytes. Also records the login in the audit log. */
enum store_status store_session_create(struct store *st, int64_t user_id, const char *ip,
                                       int64_t now, unsigned char token[STORE_TOKEN_BYTES],
                                       unsigned char csrf[STORE_TOKEN_BYTES],
                                       struct sg_err *err) SG_MUST_USE;
/* Looks the token up; a session past its idle or absolute timeout, or of a
 * disabled user, is deleted and reported STORE_NOT_FOUND. Otherwise
 * last_seen becomes now. */
enum store_status store_session_get(struct store *st, const unsigned char token[STORE_TOKEN_BYTES],
                                    int64_t now, struct store_session *out,
                                    struct sg_err *err) SG_MUST_USE;
enum store_status store_session_delete(struct store *st,
                                       const unsigned char token[STORE_TOKEN_BYTES],
                                       struct sg_err *err) SG_MUST_USE;

/* ---- items and revisions ---- */

#define STORE_MAX_MEDIA 4

struct store_media_ref {
    char sha256[65];
    char *type; /* filled from the media table */
    char *alt;
};

/* What an editor writes: the content of one revision. Strings may be NULL
 * (absent) except title and body. schedule_json is the schedule object in the
 * feed's own format (API.md ItemInput) or NULL; targets_json a JSON array of
 * Target strings. Both are stored as given after the parsers validated them. */
struct store_content {
    char kind[8]; /* "post", "tip", "notice" */
    char *title, *body, *author, *source, *link, *lang;
    int priority;
    size_t nmedia;
    struct store_media_ref media[STORE_MAX_MEDIA];
    char *schedule_json;
    char *targets_json;
};
void store_content_finish(struct store_content *c);

struct store_revision {
    char *item_id;
    int64_t rev;
    enum store_rev_state state;
    struct store_content content;
    char content_sha256[65]; /* of the canonical content; the approval binds to it */
    char *created_by;
    int64_t created_at;
    char *decided_by; /* NULL while pending */
    int64_t decided_at;
    int64_t until;               /* approval end; 0 unless approved/expired/revoked/superseded */
    char *approved_targets_json; /* targets at approval (NULL unless approved once) */
    char *reason;                /* reject / revoke reason; may be NULL */
    char *notes; /* ingest: what the source said (content warning, sensitive, labels); NULL */
    char *held;  /* ingest: why it is held (a blocked word) until someone releases it; NULL */
};
void store_revision_finish(struct store_revision *r);

#define STORE_ITEM_ID_SIZE 16 /* "it-" + 12 hex + NUL */

struct store_item {
    char *id; /* "it-" + 12 hex */
    char kind[8];
    char *created_by;
    int64_t created_at;
    struct store_revision latest;
    bool has_shown;
    struct store_revision shown; /* the approved revision, when has_shown */
};
void store_item_finish(struct store_item *it);
void store_items_free(struct store_item *items, size_t n);

enum store_status store_item_create(struct store *st, const struct store_actor *who,
                                    const struct store_content *c, int64_t now, char **id_out,
                                    struct sg_err *err) SG_MUST_USE;
/* A new pending revision (rev = latest + 1). Older pending revisions become
 * rejected with reason "superseded by revision N" (only the newest pending
 * revision can be approved); an approved one stays approved. */
enum store_status store_item_revise(struct store *st, const struct store_actor *who, const char *id,
                                    const struct store_content *c, int64_t now, int64_t *rev_out,
                                    struct sg_err *err) SG_MUST_USE;
enum store_status store_item_get(struct store *st, const char *id, struct store_item *out,
                                 struct sg_err *err) SG_MUST_USE;
enum store_status store_item_revisions(struct store *st, const char *id,
                                       struct store_revision **out, size_t *n,
                                       struct sg_err *err) SG_MUST_USE;
enum store_status store_revision_get(struct store *st, const char *id, int64_t rev,
                                     struct store_revision *out, struct sg_err *err) SG_MUST_USE;

/* Items whose latest or shown revision is in state (all_states: any), newest
 * first, at most limit. */
enum store_status store_item_list(struct store *st, bool all_states, enum store_rev_state state,
                                  size_t limit, struct store_item **out, size_t *n,
                                  struct sg_err *err) SG_MUST_USE;
/* Number of items with a pending revision (for /metrics). */
enum store_status store_pending_count(struct store *st, int64_t *n, struct sg_err *err) SG_MUST_USE;

/* pending → approved. until > now; targets_json NULL: the revision's own
 * targets. four_eyes: refuse (STORE_FORBIDDEN) when who created the revision.
 * A previously approved revision of the item becomes superseded. The
 * approval records the content hash; a revision whose content hash no longer
 * matches (it cannot, but the check is the contract) is STORE_CONFLICT. */
enum store_status store_approve(struct store *st, const struct store_actor *who, const char *id,
                                int64_t rev, int64_t until, const char *targets_json,
                                bool four_eyes, int64_t now, struct sg_err *err) SG_MUST_USE;
enum store_status store_reject(struct store *st, const struct store_actor *who, const char *id,
                               int64_t rev, const char *reason, int64_t now,
                               struct sg_err *err) SG_MUST_USE;
/* A held pending revision (store_ingest_post) stays held: store_approve
 * refuses it (STORE_CONFLICT, "held: ...") until someone who read the reason
 * releases the hold; that decision is audited on its own. */
enum store_status store_release_hold(struct store *st, const struct store_actor *who,
                                     const char *id, int64_t rev, int64_t now,
                                     struct sg_err *err) SG_MUST_USE;
/* Releases the hold and approves, in one transaction (a refused approval
 * leaves the revision held). */
enum store_status store_approve_held(struct store *st, const struct store_actor *who,
                                     const char *id, int64_t rev, int64_t until,
                                     const char *targets_json, bool four_eyes, int64_t now,
                                     struct sg_err *err) SG_MUST_USE;
/* approved → revoked. */
enum store_status store_revoke(struct store *st, const struct store_actor *who, const char *id,
                               int64_t rev, const char *reason, int64_t now,
                               struct sg_err *err) SG_MUST_USE;
/* approved with until <= now → expired (actor "system"); *changed tells
 * whether any revision moved. */
enum store_status store_expire_due(struct store *st, int64_t now, bool *changed,
                                   struct sg_err *err) SG_MUST_USE;

/* Every approved revision (with until > now), content and approval, for the
 * publisher. The caller filters by screen with store_targets_match(). */
enum store_status store_approved_list(struct store *st, int64_t now, struct store_revision **out,
                                      size_t *n, struct sg_err *err) SG_MUST_USE;
void store_revisions_free(struct store_revision *revs, size_t n);

/* Whether a targets JSON array names this screen (by id, its group or "*"). */
bool store_targets_match(const char *targets_json, const char *screen_id, const char *group);

/* ---- media ---- */

/* Stores bytes under their SHA-256 (idempotent: an upload of known bytes is OK). */
enum store_status store_media_put(struct store *st, const struct store_actor *who,
                                  const char *sha256, const char *type, int width, int height,
                                  const void *bytes, size_t len, int64_t now,
                                  struct sg_err *err) SG_MUST_USE;
/* *bytes is malloc'd. type is malloc'd. */
enum store_status store_media_get(struct store *st, const char *sha256, void **bytes, size_t *len,
                                  char **type, struct sg_err *err) SG_MUST_USE;

/* ---- screens ---- */

struct store_screen {
    char *id, *name, *group, *location, *timezone;
    int64_t created_at;
    int64_t last_seen; /* 0: never */
    char *status_json; /* the last report as received (validated); NULL when none */
    bool has_screenshot;
    bool screenshot_requested;
    /* The published feed (publisher.h): 0 / NULL before the first one. */
    int64_t feed_version, feed_issued, feed_expires;
    char *feed_content_sha256; /* hash of the item set the version was made from */
};
void store_screen_finish(struct store_screen *s);
void store_screens_free(struct store_screen *s, size_t n);

/* token is filled with fresh random bytes; the database keeps its SHA-256. */
enum store_status store_screen_add(struct store *st, const struct store_actor *who, const char *id,
                                   const char *name, const char *group, const char *location,
                                   const char *timezone, int64_t now,
                                   unsigned char token[STORE_TOKEN_BYTES],
                                   struct sg_err *err) SG_MUST_USE;
enum store_status store_screen_new_token(struct store *st, const struct store_actor *who,
                                         const char *id, int64_t now,
                                         unsigned char token[STORE_TOKEN_BYTES],
                                         struct sg_err *err) SG_MUST_USE;
/* Compares the SHA-256 of token with the stored one in constant time. */
enum store_status store_screen_check_token(struct store *st, const char *id,
                                           const unsigned char *token, size_t len,
                                           struct sg_err *err) SG_MUST_USE;
enum store_status store_screen_get(struct store *st, const char *id, struct store_screen *out,
                                   struct sg_err *err) SG_MUST_USE;
enum store_status store_screen_list(struct store *st, struct store_screen **out, size_t *n,
                                    struct sg_err *err) SG_MUST_USE;
/* Records a status report (and a screenshot PNG when png != NULL, which
 * clears the request). *screenshot_requested tells the kiosk to send one. */
enum store_status store_screen_report(struct store *st, const char *id, const char *status_json,
                                      const void *png, size_t png_len, int64_t now,
                                      bool *screenshot_requested, struct sg_err *err) SG_MUST_USE;
enum store_status store_screen_request_screenshot(struct store *st, const struct store_actor *who,
                                                  const char *id, int64_t now,
                                                  struct sg_err *err) SG_MUST_USE;
enum store_status store_screen_screenshot(struct store *st, const char *id, void **png, size_t *len,
                                          struct sg_err *err) SG_MUST_USE;

/* The published feed of a screen: the envelope bytes are kept so a restart
 * serves the same version (never a lower one). */
enum store_status store_feed_save(struct store *st, const char *screen_id, int64_t version,
                                  int64_t issued, int64_t expires, const char *content_sha256,
                                  const char *envelope, size_t len, struct sg_err *err) SG_MUST_USE;
/* *envelope malloc'd; STORE_NOT_FOUND before the first publication. */
enum store_status store_feed_load(struct store *st, const char *screen_id, int64_t *version,
                                  int64_t *issued, int64_t *expires, char **content_sha256,
                                  char **envelope, size_t *len, struct sg_err *err) SG_MUST_USE;

/* ---- ingest: sources and the posts they bring (store_ingest.c) ----
 * A source is a feed, an account or a webhook that fills the queue. What it
 * brings becomes items authored by "source:<name>" (audited as such), always
 * pending unless the source's auto-approval rule applies, which approves as
 * "rule:<name>". Each post is tracked by the source's own id, so a post seen
 * again is not duplicated and a post edited at the source becomes a new
 * pending revision (an approved older revision stays approved for its own
 * content). */
#define STORE_MAX_SOURCE_POLL_S (7 * 24 * 3600)
#define STORE_MIN_SOURCE_POLL_S 60

enum store_source_kind {
    STORE_SOURCE_RSS,      /* RSS 2.0 or Atom feed at url */
    STORE_SOURCE_MASTODON, /* instance url, numeric account id */
    STORE_SOURCE_BLUESKY,  /* AppView url, handle or DID as account */
    STORE_SOURCE_WEBHOOK,  /* POST /api/ingest with the source's token */
};
const char *store_source_kind_name(enum store_source_kind k);
bool store_source_kind_parse(const char *name, enum store_source_kind *out);

struct store_source {
    int64_t id;
    char *name;
    enum store_source_kind kind;
    char *url;          /* NULL for webhooks */
    char *account;      /* Mastodon and Bluesky; NULL otherwise */
    int64_t poll_s;     /* seconds between polls; 0 for webhooks */
    char *targets_json; /* targets of the items it brings */
    char *lang;         /* language when a post names none; may be NULL */
    bool auto_approve;  /* the clinic's own account: approve what passes the checks */
    bool use_blocklist; /* hold posts with a blocked word */
    int64_t daily_cap;  /* new posts taken per 24 hours; 0: no cap */
    bool enabled;
    bool has_token; /* webhook: a token is set */
    int64_t created_at, next_poll_at, last_poll_at, last_ok_at;
    char *last_error;  /* of the last poll or webhook call; NULL when it worked */
    int64_t posts_24h; /* new posts taken in the last 24 hours */
};
void store_source_finish(struct store_source *s);
void store_sources_free(struct store_source *s, size_t n);

/* A webhook source gets a fresh token (filled in token; the database keeps
 * its SHA-256). A duplicate name is STORE_CONFLICT. */
enum store_status store_source_add(struct store *st, const struct store_actor *who,
                                   const struct store_source *src, int64_t now, int64_t *id_out,
                                   unsigned char token[STORE_TOKEN_BYTES],
                                   struct sg_err *err) SG_MUST_USE;
/* Replaces name, url, account, poll_s, targets, lang, the rules and enabled
 * (the kind stays); the next poll is due at once. */
enum store_status store_source_update(struct store *st, const struct store_actor *who, int64_t id,
                                      const struct store_source *src, int64_t now,
                                      struct sg_err *err) SG_MUST_USE;
enum store_status store_source_new_token(struct store *st, const struct store_actor *who,
                                         int64_t id, int64_t now,
                                         unsigned char token[STORE_TOKEN_BYTES],
                                         struct sg_err *err) SG_MUST_USE;
/* STORE_OK when token is the webhook source's; STORE_FORBIDDEN otherwise
 * (digests compared in constant time). */
enum store_status store_source_check_token(struct store *st, int64_t id, const unsigned char *token,
                                           size_t len, struct sg_err *err) SG_MUST_USE;
enum store_status store_source_get(struct store *st, int64_t id, int64_t now,
                                   struct store_source *out, struct sg_err *err) SG_MUST_USE;
enum store_status store_source_list(struct store *st, int64_t now, struct store_source **out,
                                    size_t *n, struct sg_err *err) SG_MUST_USE;
/* Enabled polled sources whose next poll is due at now. */
enum store_status store_source_due(struct store *st, int64_t now, struct store_source **out,
                                   size_t *n, struct sg_err *err) SG_MUST_USE;
/* Makes a polled source due at once ("poll now" on the page). */
enum store_status store_source_poll_now(struct store *st, int64_t id,
                                        struct sg_err *err) SG_MUST_USE;
/* Records a poll (or webhook call): error NULL when it worked. */
enum store_status store_source_polled(struct store *st, int64_t id, int64_t now, const char *error,
                                      int64_t next_poll_at, struct sg_err *err) SG_MUST_USE;

struct store_ingest_post {
    const char *ext_id;  /* the source's own id */
    const char *version; /* changes when the post is edited (edited_at, cid, content hash) */
    int64_t published;   /* 0: unknown */
    const struct store_content *content;
    const char *notes; /* NULL or what the source said about it */
    const char *held;  /* NULL or why it is held */
    bool auto_approve; /* the rule applies: the edge checked notes, held and flags */
    int64_t approve_until;
};
enum store_ingest_result {
    STORE_INGEST_NEW,      /* a new pending item */
    STORE_INGEST_EDITED,   /* a new pending revision of a known item */
    STORE_INGEST_APPROVED, /* new or edited, and approved by the source's rule */
    STORE_INGEST_SAME,     /* known and unchanged */
    STORE_INGEST_CAPPED,   /* new, but the daily cap is reached: not taken this time */
};
/* Takes one post of source_id, in one transaction. item_id (may be NULL)
 * receives the item's id for every result but CAPPED. */
enum store_status store_ingest_post(struct store *st, int64_t source_id,
                                    const struct store_ingest_post *p, int64_t now,
                                    enum store_ingest_result *result,
                                    char item_id[STORE_ITEM_ID_SIZE],
                                    struct sg_err *err) SG_MUST_USE;
/* Posts of source_id published at or after since that are known but not in
 * present[0..n) were deleted at the source: a pending revision is rejected,
 * an approved one revoked ("deleted at the source"). *gone counts them. */
enum store_status store_ingest_gone(struct store *st, int64_t source_id, const char *const *present,
                                    size_t n, int64_t since, int64_t now, size_t *gone,
                                    struct sg_err *err) SG_MUST_USE;
/* Image URLs downloaded before: STORE_NOT_FOUND when never. */
enum store_status store_ingest_media_get(struct store *st, const char *url, char sha256[65],
                                         struct sg_err *err) SG_MUST_USE;
/* Records url -> sha256 (the media row must exist: store_media_put first). */
enum store_status store_ingest_media_put(struct store *st, const char *url, const char *sha256,
                                         int64_t now, struct sg_err *err) SG_MUST_USE;

/* ---- settings ---- */

struct store_settings {
    bool emergency_stop;
    bool four_eyes_post, four_eyes_tip, four_eyes_notice;
    int approval_days;       /* default approval length when staff give no "until" */
    int64_t feed_lifetime_s; /* feed "expires" - "issued"; default 7 days */
    char clinic[128];
};
enum store_status store_settings_get(struct store *st, struct store_settings *out,
                                     struct sg_err *err) SG_MUST_USE;
/* Writes all fields; audits each one that changed (emergency stop included). */
enum store_status store_settings_set(struct store *st, const struct store_actor *who,
                                     const struct store_settings *s, int64_t now,
                                     struct sg_err *err) SG_MUST_USE;

/* ---- audit chain ----
 * Append-only (triggers refuse UPDATE and DELETE). Row hash = SHA-256 over
 * the previous row's hash and this row's fields, each length-prefixed; the
 * first row chains to 32 zero bytes. */
struct store_audit_row {
    int64_t id, at;
    char *actor, *ip, *action, *object, *old_value, *new_value;
    char hash[65];
};
void store_audit_rows_free(struct store_audit_row *rows, size_t n);
/* Appends one row (for callers outside the store: logins that failed, etc.). */
enum store_status store_audit_append(struct store *st, const struct store_actor *who,
                                     const char *action, const char *object, const char *old_value,
                                     const char *new_value, int64_t now,
                                     struct sg_err *err) SG_MUST_USE;
/* Newest first, rows with id < before (0: from the newest), at most limit. */
enum store_status store_audit_list(struct store *st, int64_t before, size_t limit,
                                   struct store_audit_row **out, size_t *n,
                                   struct sg_err *err) SG_MUST_USE;
/* Recomputes the whole chain. *bad_id is the first row that does not match
 * (0 when all do). */
enum store_status store_audit_verify(struct store *st, int64_t *rows, int64_t *bad_id,
                                     struct sg_err *err) SG_MUST_USE;
/* Writes every row, oldest first, as RFC 4180 CSV (cells that start with =,
 * +, - or @ are prefixed with ' against spreadsheet formula injection).
 * *csv malloc'd. */
enum store_status store_audit_csv(struct store *st, char **csv, size_t *len,
                                  struct sg_err *err) SG_MUST_USE;

#endif
