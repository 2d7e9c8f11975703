/* The audit chain: append, list, verify, CSV export.
 *
 * Row hash = SHA-256(previous row's hash as 32 raw bytes || id || at ||
 * actor || ip || action || object || old || new), each field length-prefixed
 * (store_hash_field; NULL differs from ""), the first row chained to 32 zero
 * bytes. Triggers stop UPDATE and DELETE through SQL; the chain catches
 * someone who edits the file after dropping the triggers: every row from the
 * first changed one on no longer verifies, unless the attacker rewrites
 * every later hash too, which the hash of the newest row (in logs, in a
 * backup) then exposes. */
#include <stdlib.h>
#include <string.h>

#include "sgtime.h"
#include "store_internal.h"

static void row_hash(const unsigned char prev[32], int64_t id, int64_t at, const char *actor,
                     const char *ip, const char *action, const char *object, const char *old_value,
                     const char *new_value, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, prev, 32);
    store_hash_int(&h, id);
    store_hash_int(&h, at);
    store_hash_field(&h, actor);
    store_hash_field(&h, ip);
    store_hash_field(&h, action);
    store_hash_field(&h, object);
    store_hash_field(&h, old_value);
    store_hash_field(&h, new_value);
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

/* The stored hash of the newest row as raw bytes (zeros when empty). */
static enum store_status last_hash(struct store *st, int64_t *id, unsigned char prev[32],
                                   struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    memset(prev, 0, 32);
    *id = 0;
    if (!store_prepare(st, &q, err, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", ""))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 1) {
        const char *hex = (const char *)sqlite3_column_text(q, 1);
        size_t got = 0;
        *id = sqlite3_column_int64(q, 0);
        if (!hex || sodium_hex2bin(prev, 32, hex, strlen(hex), NULL, &got, NULL) != 0 ||
            got != 32) {
            sg_err_set(err, "audit row %lld: malformed hash", (long long)*id);
            goto done;
        }
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_audit_add(struct store *st, const struct store_actor *who,
                                  const char *action, const char *object, const char *old_value,
                                  const char *new_value, int64_t now, struct sg_err *err)
{
    const char *actor = who && who->name ? who->name : "system";
    const char *ip = who ? who->ip : NULL;
    unsigned char prev[32];
    int64_t id = 0;
    enum store_status rc = last_hash(st, &id, prev, err);
    if (rc != STORE_OK)
        return rc;
    char hash[65];
    row_hash(prev, id + 1, now, actor, ip, action, object, old_value, new_value, hash);
    if (!store_exec(st, NULL, err,
                    "INSERT INTO audit (id, at, actor, ip, action, object, old_value, new_value,"
                    " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "iittttttt", id + 1, now, actor, ip, action, object, old_value, new_value,
                    hash))
        return STORE_ERROR;
    return STORE_OK;
}

enum store_status store_audit_append(struct store *st, const struct store_actor *who,
                                     const char *action, const char *object, const char *old_value,
                                     const char *new_value, int64_t now, struct sg_err *err)
{
    if (!action || !action[0] || !store_len_ok(action, STORE_MAX_NAME_LEN) ||
        !store_len_ok(object, STORE_MAX_FIELD_LEN) ||
        !store_len_ok(old_value, STORE_MAX_FIELD_LEN) ||
        !store_len_ok(new_value, STORE_MAX_FIELD_LEN) ||
        (who && !store_len_ok(who->name, STORE_MAX_FIELD_LEN)) ||
        (who && !store_len_ok(who->ip, STORE_MAX_FIELD_LEN))) {
        sg_err_set(err, "audit: a field is missing or too long");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = store_audit_add(st, who, action, object, old_value, new_value, now, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

void store_audit_rows_free(struct store_audit_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].actor);
        free(rows[i].ip);
        free(rows[i].action);
        free(rows[i].object);
        free(rows[i].old_value);
        free(rows[i].new_value);
    }
    free(rows);
}

#define AUDIT_COLUMNS "id, at, actor, ip, action, object, old_value, new_value, hash"

static bool read_row(sqlite3_stmt *q, struct store_audit_row *r, struct sg_err *err)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(q, 0);
    r->at = sqlite3_column_int64(q, 1);
    const char *hash = (const char *)sqlite3_column_text(q, 8);
    snprintf(r->hash, sizeof r->hash, "%s", hash ? hash : "");
    return store_col_text(q, 2, &r->actor, err) && store_col_text(q, 3, &r->ip, err) &&
           store_col_text(q, 4, &r->action, err) && store_col_text(q, 5, &r->object, err) &&
           store_col_text(q, 6, &r->old_value, err) && store_col_text(q, 7, &r->new_value, err);
}

enum store_status store_audit_list(struct store *st, int64_t before, size_t limit,
                                   struct store_audit_row **out, size_t *n, struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    struct store_audit_row *rows = NULL;
    size_t cap = 0, count = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    /* limit 0: every row (LIMIT -1 is SQLite's "no limit"). */
    int64_t lim = store_sql_limit(limit);
    if (!store_prepare(st, &q, err,
                       "SELECT " AUDIT_COLUMNS " FROM audit WHERE ?1 <= 0 OR id < ?1"
                       " ORDER BY id DESC LIMIT ?2",
                       "ii", before, lim))
        goto done;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&rows, &cap, count, sizeof *rows)) {
            sg_err_set(err, "out of memory");
            goto done;
        }
        count++;
        if (!read_row(q, &rows[count - 1], err))
            goto done;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    if (rc == STORE_OK) {
        *out = rows;
        *n = count;
    } else {
        store_audit_rows_free(rows, count);
    }
    return store_end(st, rc, false, err);
}

enum store_status store_audit_verify(struct store *st, int64_t *rows, int64_t *bad_id,
                                     struct sg_err *err)
{
    *rows = 0;
    *bad_id = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id", ""))
        goto done;
    unsigned char prev[32] = {0};
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        (*rows)++;
        if (*bad_id)
            continue;
        int64_t id = sqlite3_column_int64(q, 0);
        char want[65];
        const char *cols[7];
        for (int c = 0; c < 7; c++)
            cols[c] = (const char *)sqlite3_column_text(q, 2 + c);
        row_hash(prev, id, sqlite3_column_int64(q, 1), cols[0], cols[1], cols[2], cols[3], cols[4],
                 cols[5], want);
        const char *stored = (const char *)sqlite3_column_text(q, 8);
        size_t got = 0;
        /* The next row chains to what is stored, so a row whose hash was
         * recomputed after tampering still breaks the link at the next one. */
        if (!stored || strlen(stored) != 64 || sodium_memcmp(stored, want, 64) != 0 ||
            sodium_hex2bin(prev, 32, stored, 64, NULL, &got, NULL) != 0 || got != 32)
            *bad_id = id;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

/* ---- CSV ---- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX - b->len - 1) {
        b->oom = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + n + 1)
            ncap = ncap > SIZE_MAX / 2 ? b->len + n + 1 : ncap * 2;
        char *p = realloc(b->p, ncap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* One RFC 4180 cell. A cell a spreadsheet would read as a formula (leading
 * =, +, -, @, or a tab or CR that some programs strip first) gets a leading
 * apostrophe; cells with a comma, quote or line break are quoted, quotes
 * doubled. NULL is an empty cell. */
static void csv_cell(struct sbuf *b, const char *s, bool last)
{
    if (s) {
        bool formula = s[0] && strchr("=+-@\t\r", s[0]);
        bool quote = strpbrk(s, ",\"\r\n") != NULL;
        if (quote)
            sb_add(b, "\"", 1);
        if (formula)
            sb_add(b, "'", 1);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                sb_add(b, "\"\"", 2);
            else
                sb_add(b, p, 1);
        }
        if (quote)
            sb_add(b, "\"", 1);
    }
    sb_add(b, last ? "\r\n" : ",", last ? 2 : 1);
}

enum store_status store_audit_csv(struct store *st, char **csv, size_t *len, struct sg_err *err)
{
    *csv = NULL;
    *len = 0;
    struct sbuf b = {0};
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id", ""))
        goto done;
    static const char *const header[] = {"id",     "at",  "actor", "ip",  "action",
                                         "object", "old", "new",   "hash"};
    for (size_t i = 0; i < 9; i++)
        csv_cell(&b, header[i], i == 8);
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        char id[24], at[SGTIME_RFC3339_LEN + 1];
        snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(q, 0));
        sgtime_format_rfc3339(sqlite3_column_int64(q, 1), at);
        csv_cell(&b, id, false);
        csv_cell(&b, at, false);
        for (int c = 2; c <= 8; c++)
            csv_cell(&b, (const char *)sqlite3_column_text(q, c), c == 8);
    }
    if (r < 0)
        goto done;
    if (b.oom || !b.p) {
        sg_err_set(err, "audit CSV: out of memory");
        goto done;
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    if (rc == STORE_OK) {
        *csv = b.p;
        *len = b.len;
    } else {
        free(b.p);
    }
    return store_end(st, rc, false, err);
}
