/* Private to server/store_*.c: the store struct, the transaction frame every
 * public function runs in, and small SQLite helpers.
 *
 * The frame: store_begin() takes the store's mutex and opens a transaction
 * (BEGIN IMMEDIATE for writes, so two writers never deadlock on an upgrade;
 * a plain BEGIN for reads, so a multi-statement read sees one snapshot);
 * store_end() commits or rolls back and releases the mutex. A public function
 * therefore looks like
 *
 *     if (!store_begin(st, true, err)) return STORE_ERROR;
 *     ... rc = ...; goto done on any failure ...
 *   done:
 *     sqlite3_finalize(q);
 *     return store_end(st, rc, rc == STORE_OK, err);
 *
 * Binding uses a tiny type string, one letter per parameter:
 *   't' const char * (NULL binds SQL NULL)   'i' int64_t
 *   'b' const void *, size_t (NULL binds SQL NULL)
 * Arguments must have exactly those types (pass int64_t, not int). Bound
 * strings and blobs are SQLITE_STATIC: they must outlive the statement's
 * last step, which they do because every statement is finalized before the
 * public function returns. */
#ifndef SIGNET_QUEUE_STORE_INTERNAL_H
#define SIGNET_QUEUE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>
#include <sqlite3.h>

#include "sg_err.h"
#include "store.h"

/* Limits on fields store.h leaves open; generous, but each one is a limit. */
#define STORE_MAX_FIELD_LEN 2048           /* author, source, link, lang, location... */
#define STORE_MAX_JSON_LEN (16u * 1024u)   /* schedule, targets */
#define STORE_MAX_STATUS_LEN (64u * 1024u) /* a screen's status report */
#define STORE_MAX_ENVELOPE_LEN (16u * 1024u * 1024u)
#define STORE_MAX_MEDIA_TYPE_LEN 64
#define STORE_BUSY_TIMEOUT_MS 5000

struct store {
    sqlite3 *db;
    pthread_mutex_t mu;
    char *db_path;
};

/* ---- transaction frame (store_db.c) ---- */
bool store_begin(struct store *st, bool write, struct sg_err *err) SG_MUST_USE;
/* Commits when commit is true (a failed commit turns rc into STORE_ERROR),
 * else rolls back; releases the mutex. Returns rc. */
enum store_status store_end(struct store *st, enum store_status rc, bool commit,
                            struct sg_err *err);

/* ---- statements (store_db.c) ---- */
/* Records sqlite3_errmsg() with what, returns STORE_ERROR. */
enum store_status store_db_fail(struct store *st, const char *what, struct sg_err *err);
bool store_prepare(struct store *st, sqlite3_stmt **q, struct sg_err *err, const char *sql,
                   const char *types, ...) SG_MUST_USE;
/* 1: a row, 0: done, -1: error (err set). */
int store_step(struct store *st, sqlite3_stmt *q, struct sg_err *err) SG_MUST_USE;
/* Prepare, bind, step to the end, finalize. *changes (may be NULL) receives
 * sqlite3_changes(). */
bool store_exec(struct store *st, int64_t *changes, struct sg_err *err, const char *sql,
                const char *types, ...) SG_MUST_USE;
/* Copies a text column (NULL stays NULL). False only when out of memory. */
bool store_col_text(sqlite3_stmt *q, int col, char **out, struct sg_err *err) SG_MUST_USE;
/* Copies a blob column into a fresh buffer (one spare NUL byte after it, so
 * text kept as a blob can be used as a C string). NULL column: *out NULL. */
bool store_col_blob(sqlite3_stmt *q, int col, void **out, size_t *len,
                    struct sg_err *err) SG_MUST_USE;

/* A LIMIT for SQL: 0 (and anything over int64) means none, -1 in SQLite.
 * size_t may be 32 bits (armhf), so the value is widened first. */
static inline int64_t store_sql_limit(size_t limit)
{
    uint64_t wide = limit;
    return wide == 0 || wide > (uint64_t)INT64_MAX ? -1 : (int64_t)wide;
}

/* ---- small checks and hashes (store_db.c) ---- */
/* s is NULL or at most max bytes long. */
bool store_len_ok(const char *s, size_t max);
bool store_hex64_ok(const char *s);
/* feed_name_valid with STORE_MAX_NAME_LEN: screen ids and group names. */
bool store_id_ok(const char *s);
void store_sha256_hex(const void *data, size_t len, char out[65]);
/* Grows *arr (elements of size elem) so index *n fits; false on overflow or
 * out of memory. */
bool store_grow(void **arr, size_t *cap, size_t n, size_t elem) SG_MUST_USE;

/* Length-prefixed hashing shared by the content hash and the audit chain:
 * each field is 8 bytes big-endian length then the bytes; NULL is the length
 * UINT64_MAX with no bytes, so NULL and "" differ. */
void store_hash_field(crypto_hash_sha256_state *h, const char *s);
void store_hash_int(crypto_hash_sha256_state *h, int64_t v);

/* ---- audit (store_audit.c), inside an open write transaction ---- */
enum store_status store_audit_add(struct store *st, const struct store_actor *who,
                                  const char *action, const char *object, const char *old_value,
                                  const char *new_value, int64_t now,
                                  struct sg_err *err) SG_MUST_USE;

/* ---- items inside an open write transaction (store_items.c) ----
 * The bodies of store_item_create, store_item_revise, store_approve and
 * store_reject/store_revoke, so that ingest (store_ingest.c) can create,
 * revise and decide in the same transaction as its own bookkeeping. The
 * caller validated actor and content (content_check's rules) first. */
enum store_status store_item_create_in(struct store *st, const struct store_actor *who,
                                       const struct store_content *c, int64_t now,
                                       char id[STORE_ITEM_ID_SIZE], struct sg_err *err) SG_MUST_USE;
enum store_status store_item_revise_in(struct store *st, const struct store_actor *who,
                                       const char *id, const struct store_content *c, int64_t now,
                                       int64_t *rev_out, struct sg_err *err) SG_MUST_USE;
enum store_status store_approve_in(struct store *st, const struct store_actor *who, const char *id,
                                   int64_t rev, int64_t until, const char *targets_json,
                                   bool four_eyes, int64_t now, struct sg_err *err) SG_MUST_USE;
/* revoke: approved -> revoked, else pending -> rejected. */
enum store_status store_decide_in(struct store *st, const struct store_actor *who, const char *id,
                                  int64_t rev, const char *reason, int64_t now, bool revoke,
                                  struct sg_err *err) SG_MUST_USE;
/* content_check of store_item_create: kind, required fields, limits. */
enum store_status store_content_check(const struct store_content *c,
                                      struct sg_err *err) SG_MUST_USE;

/* ---- content (store_items.c) ---- */
/* The canonical hash of a revision's content (store.h: the approval binds
 * to it). Media types are not part of it: the sha256 already names the bytes. */
void store_content_sha256(const struct store_content *c, char out[65]);

#endif
