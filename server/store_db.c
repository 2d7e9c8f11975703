/* The store's database: opening (0600 file, WAL, defensive mode), the
 * schema and its migrations, the transaction frame, statement helpers, the
 * online backup. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed.h"
#include "store_internal.h"

/* The schema, one entry per version: migrations[i] takes user_version i to
 * i + 1. Never edit a released entry; append a new one.
 *
 * Design notes:
 * - STRICT tables: a wrong type is an error, not a silent conversion.
 * - Revisions keep their content forever: a trigger refuses any UPDATE of a
 *   content column and any DELETE, so an approval (which records the content
 *   hash) can never end up covering other words than those approved.
 * - At most one approved and one pending revision per item (partial unique
 *   indexes).
 * - Screenshots and published envelopes live in side tables: SQLite rewrites
 *   a whole row on UPDATE, and a screen's row changes on every status report.
 * - The audit table is append-only by trigger; its hash chain (store_audit.c)
 *   catches changes made by someone who drops the triggers. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),"
    " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
    " pw_hash TEXT NOT NULL,"
    " created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE sessions ("
    " token_sha256 BLOB PRIMARY KEY CHECK (length(token_sha256) = 32),"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " csrf BLOB NOT NULL CHECK (length(csrf) = 32),"
    " created INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " ip TEXT"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX sessions_by_user ON sessions(user_id);"

    "CREATE TABLE media ("
    " sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),"
    " type TEXT NOT NULL,"
    " width INTEGER NOT NULL,"
    " height INTEGER NOT NULL,"
    " bytes BLOB NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " created_by TEXT NOT NULL"
    ") STRICT;"
    "CREATE TRIGGER media_immutable BEFORE UPDATE ON media"
    " BEGIN SELECT RAISE(ABORT, 'media are immutable'); END;"

    "CREATE TABLE items ("
    " id TEXT PRIMARY KEY,"
    " created_by TEXT NOT NULL,"
    " created_by_id INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " latest_rev INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE revisions ("
    " item_id TEXT NOT NULL REFERENCES items(id),"
    " rev INTEGER NOT NULL CHECK (rev >= 1),"
    " kind TEXT NOT NULL CHECK (kind IN ('post', 'tip', 'notice')),"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " author TEXT, source TEXT, link TEXT, lang TEXT,"
    " priority INTEGER NOT NULL,"
    " schedule_json TEXT,"
    " targets_json TEXT,"
    " content_sha256 TEXT NOT NULL,"
    " created_by TEXT NOT NULL,"
    " created_by_id INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN"
    "  ('pending', 'approved', 'rejected', 'revoked', 'expired', 'superseded')),"
    " decided_by TEXT,"
    " decided_at INTEGER NOT NULL DEFAULT 0,"
    " approved_by TEXT,"
    " approved_at INTEGER NOT NULL DEFAULT 0,"
    " approved_until INTEGER NOT NULL DEFAULT 0,"
    " approved_targets_json TEXT,"
    " approved_sha256 TEXT,"
    " reason TEXT,"
    " PRIMARY KEY (item_id, rev)"
    ") STRICT;"
    "CREATE UNIQUE INDEX revisions_one_approved ON revisions(item_id) WHERE state = 'approved';"
    "CREATE UNIQUE INDEX revisions_one_pending ON revisions(item_id) WHERE state = 'pending';"
    "CREATE INDEX revisions_by_state ON revisions(state, approved_until);"
    "CREATE TRIGGER revisions_content_immutable BEFORE UPDATE OF"
    " item_id, rev, kind, title, body, author, source, link, lang, priority, schedule_json,"
    " targets_json, content_sha256, created_by, created_by_id, created_at ON revisions"
    " BEGIN SELECT RAISE(ABORT, 'revision content is immutable'); END;"
    "CREATE TRIGGER revisions_kept BEFORE DELETE ON revisions"
    " BEGIN SELECT RAISE(ABORT, 'revisions are kept'); END;"

    "CREATE TABLE revision_media ("
    " item_id TEXT NOT NULL,"
    " rev INTEGER NOT NULL,"
    " pos INTEGER NOT NULL CHECK (pos BETWEEN 0 AND 3),"
    " sha256 TEXT NOT NULL REFERENCES media(sha256),"
    " alt TEXT,"
    " PRIMARY KEY (item_id, rev, pos),"
    " FOREIGN KEY (item_id, rev) REFERENCES revisions(item_id, rev)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER revision_media_immutable BEFORE UPDATE ON revision_media"
    " BEGIN SELECT RAISE(ABORT, 'revision content is immutable'); END;"
    "CREATE TRIGGER revision_media_kept BEFORE DELETE ON revision_media"
    " BEGIN SELECT RAISE(ABORT, 'revisions are kept'); END;"

    "CREATE TABLE screens ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " grp TEXT,"
    " location TEXT,"
    " timezone TEXT,"
    " token_sha256 BLOB NOT NULL CHECK (length(token_sha256) = 32),"
    " created_at INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL DEFAULT 0,"
    " status_json TEXT,"
    " screenshot_requested INTEGER NOT NULL DEFAULT 0 CHECK (screenshot_requested IN (0, 1))"
    ") STRICT;"
    "CREATE TABLE screenshots ("
    " screen_id TEXT PRIMARY KEY REFERENCES screens(id),"
    " png BLOB NOT NULL,"
    " at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE feeds ("
    " screen_id TEXT PRIMARY KEY REFERENCES screens(id),"
    " version INTEGER NOT NULL CHECK (version >= 1),"
    " issued INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " content_sha256 TEXT,"
    " envelope BLOB NOT NULL"
    ") STRICT;"
    "CREATE TRIGGER feeds_never_lower BEFORE UPDATE OF version ON feeds"
    " WHEN NEW.version <= OLD.version"
    " BEGIN SELECT RAISE(ABORT, 'feed version must grow'); END;"

    "CREATE TABLE settings ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " emergency_stop INTEGER NOT NULL CHECK (emergency_stop IN (0, 1)),"
    " four_eyes_post INTEGER NOT NULL CHECK (four_eyes_post IN (0, 1)),"
    " four_eyes_tip INTEGER NOT NULL CHECK (four_eyes_tip IN (0, 1)),"
    " four_eyes_notice INTEGER NOT NULL CHECK (four_eyes_notice IN (0, 1)),"
    " approval_days INTEGER NOT NULL,"
    " feed_lifetime_s INTEGER NOT NULL,"
    " clinic TEXT NOT NULL"
    ") STRICT;"
    "INSERT INTO settings VALUES (1, 0, 0, 0, 0, 30, 604800, '');"

    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " ip TEXT,"
    " action TEXT NOT NULL,"
    " object TEXT,"
    " old_value TEXT,"
    " new_value TEXT,"
    " hash TEXT NOT NULL CHECK (length(hash) = 64)"
    ") STRICT;"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",

    /* 1 -> 2: ingest (store_ingest.c). A revision may carry what its source
     * said about it (notes: content warning, sensitive, labels, visibility)
     * and why it is held (a blocked word): neither is content, so neither is
     * part of the content hash; both are written once, when ingest inserts
     * the revision. `ingested` maps a source's own post id to the item it
     * became; `ingest_media` remembers downloaded image URLs, so an image is
     * fetched once. */
    "ALTER TABLE revisions ADD COLUMN notes TEXT;"
    "ALTER TABLE revisions ADD COLUMN held TEXT;"
    "CREATE TABLE sources ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('rss', 'mastodon', 'bluesky', 'webhook')),"
    " url TEXT,"
    " account TEXT,"
    " poll_s INTEGER NOT NULL CHECK (poll_s >= 0),"
    " targets_json TEXT NOT NULL,"
    " lang TEXT,"
    " auto_approve INTEGER NOT NULL CHECK (auto_approve IN (0, 1)),"
    " use_blocklist INTEGER NOT NULL CHECK (use_blocklist IN (0, 1)),"
    " daily_cap INTEGER NOT NULL CHECK (daily_cap >= 0),"
    " enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),"
    " token_sha256 BLOB,"
    " created_at INTEGER NOT NULL,"
    " next_poll_at INTEGER NOT NULL DEFAULT 0,"
    " last_poll_at INTEGER NOT NULL DEFAULT 0,"
    " last_ok_at INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT"
    ") STRICT;"
    "CREATE TABLE ingested ("
    " source_id INTEGER NOT NULL REFERENCES sources(id),"
    " ext_id TEXT NOT NULL,"
    " item_id TEXT NOT NULL REFERENCES items(id),"
    " version TEXT NOT NULL,"
    " published INTEGER NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " gone INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),"
    " PRIMARY KEY (source_id, ext_id)"
    ") STRICT;"
    "CREATE INDEX ingested_by_first_seen ON ingested(source_id, first_seen);"
    "CREATE TABLE ingest_media ("
    " url TEXT PRIMARY KEY,"
    " sha256 TEXT NOT NULL REFERENCES media(sha256),"
    " fetched_at INTEGER NOT NULL"
    ") STRICT;",
};
#define SCHEMA_VERSION ((int64_t)(sizeof migrations / sizeof migrations[0]))

/* ---- helpers ---- */

enum store_status store_db_fail(struct store *st, const char *what, struct sg_err *err)
{
    sg_err_set(err, "%s: %s", what, sqlite3_errmsg(st->db));
    return STORE_ERROR;
}

static bool bind_args(struct store *st, sqlite3_stmt *q, const char *types, va_list ap,
                      struct sg_err *err)
{
    for (int i = 0; types && types[i]; i++) {
        int rc;
        if (types[i] == 't') {
            const char *s = va_arg(ap, const char *);
            rc =
                s ? sqlite3_bind_text(q, i + 1, s, -1, SQLITE_STATIC) : sqlite3_bind_null(q, i + 1);
        } else if (types[i] == 'i') {
            rc = sqlite3_bind_int64(q, i + 1, va_arg(ap, int64_t));
        } else if (types[i] == 'b') {
            const void *p = va_arg(ap, const void *);
            size_t len = va_arg(ap, size_t);
            if (len > INT_MAX) {
                sg_err_set(err, "bind: blob of %zu bytes too large", len);
                return false;
            }
            rc = p ? sqlite3_bind_blob(q, i + 1, len ? p : "", (int)len, SQLITE_STATIC)
                   : sqlite3_bind_null(q, i + 1);
        } else {
            sg_err_set(err, "bind: unknown type '%c'", types[i]);
            return false;
        }
        if (rc != SQLITE_OK) {
            store_db_fail(st, "bind", err);
            return false;
        }
    }
    return true;
}

static bool prepare_v(struct store *st, sqlite3_stmt **q, struct sg_err *err, const char *sql,
                      const char *types, va_list ap)
{
    *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK) {
        store_db_fail(st, "prepare", err);
        sqlite3_finalize(*q);
        *q = NULL;
        return false;
    }
    /* The type string must name every parameter: a mismatch is a bug here,
     * caught on the first run of the statement rather than bound wrongly. */
    if (sqlite3_bind_parameter_count(*q) != (int)strlen(types ? types : "")) {
        sg_err_set(err, "prepare: %d parameters, %zu types", sqlite3_bind_parameter_count(*q),
                   strlen(types ? types : ""));
        sqlite3_finalize(*q);
        *q = NULL;
        return false;
    }
    if (!bind_args(st, *q, types, ap, err)) {
        sqlite3_finalize(*q);
        *q = NULL;
        return false;
    }
    return true;
}

bool store_prepare(struct store *st, sqlite3_stmt **q, struct sg_err *err, const char *sql,
                   const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    bool ok = prepare_v(st, q, err, sql, types, ap);
    va_end(ap);
    return ok;
}

int store_step(struct store *st, sqlite3_stmt *q, struct sg_err *err)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    store_db_fail(st, "step", err);
    return -1;
}

bool store_exec(struct store *st, int64_t *changes, struct sg_err *err, const char *sql,
                const char *types, ...)
{
    sqlite3_stmt *q = NULL;
    va_list ap;
    va_start(ap, types);
    bool ok = prepare_v(st, &q, err, sql, types, ap);
    va_end(ap);
    if (ok) {
        int rc;
        while ((rc = store_step(st, q, err)) == 1) {
        }
        ok = rc == 0;
    }
    if (ok && changes)
        *changes = sqlite3_changes64(st->db);
    sqlite3_finalize(q);
    return ok;
}

bool store_col_text(sqlite3_stmt *q, int col, char **out, struct sg_err *err)
{
    *out = NULL;
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return true;
    const unsigned char *s = sqlite3_column_text(q, col);
    int n = sqlite3_column_bytes(q, col);
    if (!s) {
        sg_err_set(err, "out of memory");
        return false;
    }
    *out = malloc((size_t)n + 1);
    if (!*out) {
        sg_err_set(err, "out of memory");
        return false;
    }
    memcpy(*out, s, (size_t)n);
    (*out)[n] = '\0';
    return true;
}

bool store_col_blob(sqlite3_stmt *q, int col, void **out, size_t *len, struct sg_err *err)
{
    *out = NULL;
    *len = 0;
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return true;
    const void *p = sqlite3_column_blob(q, col);
    int n = sqlite3_column_bytes(q, col);
    char *buf = malloc((size_t)n + 1);
    if (!buf || (!p && n > 0)) {
        free(buf);
        sg_err_set(err, "out of memory");
        return false;
    }
    if (n > 0)
        memcpy(buf, p, (size_t)n);
    buf[n] = '\0';
    *out = buf;
    *len = (size_t)n;
    return true;
}

bool store_len_ok(const char *s, size_t max)
{
    return !s || strnlen(s, max + 1) <= max;
}

bool store_hex64_ok(const char *s)
{
    return s && feed_sha256_hex_valid(s);
}

bool store_id_ok(const char *s)
{
    return s && feed_name_valid(s, STORE_MAX_NAME_LEN);
}

void store_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

bool store_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap <= n || ncap > SIZE_MAX / elem)
        return false;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return false;
    memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return true;
}

void store_hash_field(crypto_hash_sha256_state *h, const char *s)
{
    uint64_t len = s ? (uint64_t)strlen(s) : UINT64_MAX;
    unsigned char be[8];
    for (int i = 0; i < 8; i++)
        be[i] = (unsigned char)(len >> (56 - 8 * i));
    crypto_hash_sha256_update(h, be, sizeof be);
    if (s)
        crypto_hash_sha256_update(h, (const unsigned char *)s, (unsigned long long)len);
}

void store_hash_int(crypto_hash_sha256_state *h, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    store_hash_field(h, buf);
}

/* ---- transaction frame ---- */

bool store_begin(struct store *st, bool write, struct sg_err *err)
{
    pthread_mutex_lock(&st->mu);
    const char *sql = write ? "BEGIN IMMEDIATE" : "BEGIN";
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_db_fail(st, sql, err);
        pthread_mutex_unlock(&st->mu);
        return false;
    }
    return true;
}

enum store_status store_end(struct store *st, enum store_status rc, bool commit, struct sg_err *err)
{
    if (commit && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = store_db_fail(st, "COMMIT", err);
        commit = false;
    }
    /* After a failed COMMIT (SQLITE_BUSY, I/O) the transaction may still be
     * open; ROLLBACK ends it. Without an open transaction it is harmless. */
    if (!commit && sqlite3_get_autocommit(st->db) == 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* ---- open, migrate, close ---- */

static bool exec_plain(sqlite3 *db, const char *sql, struct sg_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sg_err_set(err, "%.60s: %s", sql, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static bool pragma_int(struct store *st, const char *sql, int64_t *out, struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    bool ok = store_prepare(st, &q, err, sql, "") && store_step(st, q, err) == 1;
    if (ok)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return ok;
}

static bool migrate(struct store *st, struct sg_err *err)
{
    int64_t version = 0;
    if (!pragma_int(st, "PRAGMA user_version", &version, err))
        return false;
    if (version > SCHEMA_VERSION) {
        sg_err_set(err, "%s: schema version %lld is newer than this program's %lld", st->db_path,
                   (long long)version, (long long)SCHEMA_VERSION);
        return false;
    }
    for (int64_t v = version; v < SCHEMA_VERSION; v++) {
        char set[64];
        snprintf(set, sizeof set, "PRAGMA user_version = %lld", (long long)(v + 1));
        if (!exec_plain(st->db, "BEGIN IMMEDIATE", err))
            return false;
        if (!exec_plain(st->db, migrations[v], err) || !exec_plain(st->db, set, err) ||
            !exec_plain(st->db, "COMMIT", err)) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            sg_err_set(err, "migration to schema %lld failed", (long long)(v + 1));
            return false;
        }
    }
    return true;
}

/* The database holds password hashes and token hashes: create it 0600 and
 * tighten an existing file that is readable by others. SQLite gives the -wal
 * and -shm files the mode of the database file. */
static bool prepare_file(const char *path, struct sg_err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sg_err_set(err, "%s: %s", path, strerror(errno));
        return false;
    }
    struct stat sb;
    bool ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    if (ok && (sb.st_mode & 077))
        ok = fchmod(fd, sb.st_mode & 0700) == 0;
    if (!ok)
        sg_err_set(err, "%s: not a private regular file: %s", path, strerror(errno));
    close(fd);
    return ok;
}

struct store *store_open(const char *data_dir, struct sg_err *err)
{
    if (sodium_init() < 0) {
        sg_err_set(err, "libsodium failed to initialise");
        return NULL;
    }
    struct store *st = calloc(1, sizeof *st);
    size_t plen = strlen(data_dir) + sizeof "/" STORE_DB_FILE;
    if (!st || !(st->db_path = malloc(plen))) {
        free(st);
        sg_err_set(err, "out of memory");
        return NULL;
    }
    snprintf(st->db_path, plen, "%s/%s", data_dir, STORE_DB_FILE);
    pthread_mutex_init(&st->mu, NULL);
    if (!prepare_file(st->db_path, err))
        goto fail;
    if (sqlite3_open_v2(st->db_path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK) {
        sg_err_set(err, "%s: %s", st->db_path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    /* Defensive: no writable_schema, no shadow-table writes. Untrusted
     * schema: a tampered file cannot make triggers or views call functions
     * with side effects. No double-quoted string literals. */
    int on = -1;
    if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || on != 1 ||
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK || on != 0 ||
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL) != SQLITE_OK ||
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL) != SQLITE_OK) {
        sg_err_set(err, "%s: cannot configure SQLite defensively", st->db_path);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_stmt *q = NULL;
    bool wal = store_prepare(st, &q, err, "PRAGMA journal_mode = WAL", "") &&
               store_step(st, q, err) == 1 &&
               sqlite3_stricmp((const char *)sqlite3_column_text(q, 0), "wal") == 0;
    sqlite3_finalize(q);
    if (!wal) {
        sg_err_set(err, "%s: cannot switch to WAL", st->db_path);
        goto fail;
    }
    if (!exec_plain(st->db, "PRAGMA foreign_keys = ON", err) ||
        !exec_plain(st->db, "PRAGMA synchronous = NORMAL", err) || !migrate(st, err))
        goto fail;
    int64_t fk = 0;
    if (!pragma_int(st, "PRAGMA foreign_keys", &fk, err) || fk != 1) {
        sg_err_set(err, "%s: foreign keys cannot be enabled", st->db_path);
        goto fail;
    }
    return st;
fail:
    store_close(st);
    return NULL;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    pthread_mutex_destroy(&st->mu);
    free(st->db_path);
    free(st);
}

bool store_ping(struct store *st)
{
    if (!st)
        return false;
    struct sg_err err = {0};
    if (!store_begin(st, false, &err))
        return false;
    sqlite3_stmt *q = NULL;
    bool ok = store_prepare(st, &q, &err, "SELECT count(*) FROM settings", "") &&
              store_step(st, q, &err) == 1 && sqlite3_column_int64(q, 0) == 1;
    sqlite3_finalize(q);
    return store_end(st, ok ? STORE_OK : STORE_ERROR, false, &err) == STORE_OK;
}

/* ---- backup ---- */

static bool fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* Makes the new name in path's folder durable. */
static bool fsync_parent(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return false;
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    if (slash == dir) {
        d = "/";
    } else if (slash) {
        *slash = '\0';
        d = dir;
    }
    bool ok = fsync_path(d, O_RDONLY | O_DIRECTORY);
    free(dir);
    return ok;
}

/* Publishes tmp at path without ever replacing a file: link() fails on an
 * existing name. File systems without hard links (FAT on a USB stick) fall
 * back to a checked rename, which leaves only a tiny race. */
static enum store_status publish_no_clobber(const char *tmp, const char *path, struct sg_err *err)
{
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return STORE_OK;
    }
    if (errno == EEXIST) {
        sg_err_set(err, "%s: exists; a backup never overwrites", path);
        return STORE_CONFLICT;
    }
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        sg_err_set(err, "%s: exists; a backup never overwrites", path);
        return STORE_CONFLICT;
    }
    if (rename(tmp, path) != 0) {
        sg_err_set(err, "%s: %s", path, strerror(errno));
        return STORE_ERROR;
    }
    return STORE_OK;
}

enum store_status store_backup(struct store *st, const char *path, struct sg_err *err)
{
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        sg_err_set(err, "%s: exists; a backup never overwrites", path);
        return STORE_CONFLICT;
    }
    size_t tlen = strlen(path) + sizeof ".tmp-XXXXXX";
    char *tmp = malloc(tlen);
    if (!tmp) {
        sg_err_set(err, "out of memory");
        return STORE_ERROR;
    }
    snprintf(tmp, tlen, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp); /* 0600 */
    if (fd < 0) {
        sg_err_set(err, "%s: %s", path, strerror(errno));
        free(tmp);
        return STORE_ERROR;
    }
    close(fd);

    enum store_status rc = STORE_ERROR;
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
        SQLITE_OK) {
        sg_err_set(err, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
        goto done;
    }
    pthread_mutex_lock(&st->mu);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", st->db, "main");
    int brc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    pthread_mutex_unlock(&st->mu);
    if (brc != SQLITE_DONE) {
        sg_err_set(err, "backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    if (sqlite3_close(dst) != SQLITE_OK) {
        sg_err_set(err, "backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    dst = NULL;
    if (!fsync_path(tmp, O_RDONLY)) {
        sg_err_set(err, "%s: fsync: %s", tmp, strerror(errno));
        goto done;
    }
    rc = publish_no_clobber(tmp, path, err);
    if (rc == STORE_OK && !fsync_parent(path)) {
        sg_err_set(err, "%s: folder sync failed; the backup may not be durable", path);
        rc = STORE_ERROR;
    }
done:
    sqlite3_close(dst);
    unlink(tmp); /* no-op after a successful rename */
    free(tmp);
    return rc;
}
