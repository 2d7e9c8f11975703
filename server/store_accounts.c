/* Accounts and sessions. The database never holds a session token, only its
 * SHA-256: a copy of the file does not let anyone log in. */
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "store_internal.h"

void store_user_finish(struct store_user *u)
{
    if (!u)
        return;
    free(u->name);
    if (u->pw_hash)
        sodium_memzero(u->pw_hash, strlen(u->pw_hash));
    free(u->pw_hash);
    memset(u, 0, sizeof *u);
}

void store_users_free(struct store_user *users, size_t n)
{
    for (size_t i = 0; users && i < n; i++)
        store_user_finish(&users[i]);
    free(users);
}

void store_session_finish(struct store_session *s)
{
    if (!s)
        return;
    free(s->user_name);
    sodium_memzero(s, sizeof *s);
}

static bool role_ok(enum store_role r)
{
    return r >= STORE_ROLE_EDITOR && r <= STORE_ROLE_ADMIN;
}

static bool actor_ok(const struct store_actor *who)
{
    return who && who->name && who->name[0] && store_len_ok(who->name, STORE_MAX_FIELD_LEN) &&
           store_len_ok(who->ip, STORE_MAX_FIELD_LEN);
}

static bool pw_hash_ok(const char *h)
{
    return h && h[0] && store_len_ok(h, PASSWORD_HASH_LEN - 1);
}

enum store_status store_user_add(struct store *st, const struct store_actor *who, const char *name,
                                 enum store_role role, const char *pw_hash, int64_t now,
                                 int64_t *id_out, struct sg_err *err)
{
    if (!actor_ok(who) || !name || !name[0] || !store_len_ok(name, STORE_MAX_NAME_LEN) ||
        !role_ok(role) || !pw_hash_ok(pw_hash)) {
        sg_err_set(err, "user: name, role or password hash out of range");
        return STORE_INVALID;
    }
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT 1 FROM users WHERE name = ?", "t", name))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 1) {
        sg_err_set(err, "user %s exists", name);
        rc = STORE_CONFLICT;
        goto done;
    }
    if (!store_exec(st, NULL, err,
                    "INSERT INTO users (name, role, pw_hash, created_at) VALUES (?, ?, ?, ?)",
                    "titi", name, (int64_t)role, pw_hash, now))
        goto done;
    int64_t id = sqlite3_last_insert_rowid(st->db);
    rc = store_audit_add(st, who, "user.add", name, NULL, store_role_name(role), now, err);
    if (rc == STORE_OK && id_out)
        *id_out = id;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, rc == STORE_OK, err);
}

/* Reads one user row (id, name, role, disabled[, pw_hash]) into out. */
static bool read_user(sqlite3_stmt *q, bool with_hash, struct store_user *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(q, 0);
    out->role = (enum store_role)sqlite3_column_int(q, 2);
    out->disabled = sqlite3_column_int(q, 3) != 0;
    return store_col_text(q, 1, &out->name, err) &&
           (!with_hash || store_col_text(q, 4, &out->pw_hash, err));
}

static enum store_status user_get(struct store *st, const char *name, int64_t id,
                                  struct store_user *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    bool ok =
        name ? store_prepare(st, &q, err,
                             "SELECT id, name, role, disabled, pw_hash FROM users"
                             " WHERE name = ?",
                             "t", name)
             : store_prepare(st, &q, err, "SELECT id, name, role, disabled FROM users WHERE id = ?",
                             "i", id);
    if (!ok)
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such user");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (!read_user(q, name != NULL, out, err)) {
        store_user_finish(out);
        goto done;
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

enum store_status store_user_by_name(struct store *st, const char *name, struct store_user *out,
                                     struct sg_err *err)
{
    if (!name) {
        memset(out, 0, sizeof *out);
        sg_err_set(err, "no such user");
        return STORE_NOT_FOUND;
    }
    return user_get(st, name, 0, out, err);
}

enum store_status store_user_by_id(struct store *st, int64_t id, struct store_user *out,
                                   struct sg_err *err)
{
    return user_get(st, NULL, id, out, err);
}

enum store_status store_user_list(struct store *st, struct store_user **out, size_t *n,
                                  struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    struct store_user *users = NULL;
    size_t cap = 0, count = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT id, name, role, disabled FROM users ORDER BY name", ""))
        goto done;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&users, &cap, count, sizeof *users)) {
            sg_err_set(err, "out of memory");
            goto done;
        }
        count++;
        if (!read_user(q, false, &users[count - 1], err))
            goto done;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    if (rc == STORE_OK) {
        *out = users;
        *n = count;
    } else {
        store_users_free(users, count);
    }
    return store_end(st, rc, false, err);
}

static enum store_status count_admins(struct store *st, int64_t *n, struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (store_prepare(st, &q, err, "SELECT count(*) FROM users WHERE role = ? AND disabled = 0",
                      "i", (int64_t)STORE_ROLE_ADMIN) &&
        store_step(st, q, err) == 1) {
        *n = sqlite3_column_int64(q, 0);
        rc = STORE_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_admin_count(struct store *st, int64_t *n, struct sg_err *err)
{
    *n = 0;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    enum store_status rc = count_admins(st, n, err);
    return store_end(st, rc, false, err);
}

enum store_status store_user_update(struct store *st, const struct store_actor *who, int64_t id,
                                    enum store_role role, int disabled, const char *pw_hash,
                                    int64_t now, struct sg_err *err)
{
    if (!actor_ok(who) || (role != 0 && !role_ok(role)) || disabled > 1 ||
        (pw_hash && !pw_hash_ok(pw_hash))) {
        sg_err_set(err, "user: role, disabled flag or password hash out of range");
        return STORE_INVALID;
    }
    sqlite3_stmt *q = NULL;
    struct store_user u = {0};
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT id, name, role, disabled FROM users WHERE id = ?", "i",
                       id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such user");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (!read_user(q, false, &u, err))
        goto done;
    enum store_role new_role = role ? role : u.role;
    bool new_disabled = disabled < 0 ? u.disabled : disabled == 1;
    /* The last enabled admin stays one, or nobody could manage accounts
     * again without editing the database by hand. */
    if (u.role == STORE_ROLE_ADMIN && !u.disabled &&
        (new_role != STORE_ROLE_ADMIN || new_disabled)) {
        int64_t admins = 0;
        rc = count_admins(st, &admins, err);
        if (rc != STORE_OK)
            goto done;
        if (admins <= 1) {
            sg_err_set(err, "%s is the last admin", u.name);
            rc = STORE_CONFLICT;
            goto done;
        }
    }
    rc = STORE_ERROR;
    if (!store_exec(st, NULL, err,
                    "UPDATE users SET role = ?, disabled = ?, pw_hash = coalesce(?, pw_hash)"
                    " WHERE id = ?",
                    "iiti", (int64_t)new_role, (int64_t)new_disabled, pw_hash, id))
        goto done;
    if ((new_disabled || pw_hash) &&
        !store_exec(st, NULL, err, "DELETE FROM sessions WHERE user_id = ?", "i", id))
        goto done;
    rc = STORE_OK;
    if (new_role != u.role)
        rc = store_audit_add(st, who, "user.update", u.name, store_role_name(u.role),
                             store_role_name(new_role), now, err);
    if (rc == STORE_OK && new_disabled != u.disabled)
        rc = store_audit_add(st, who, "user.update", u.name, u.disabled ? "disabled" : "enabled",
                             new_disabled ? "disabled" : "enabled", now, err);
    if (rc == STORE_OK && pw_hash)
        rc = store_audit_add(st, who, "user.password", u.name, NULL, "changed", now, err);
done:
    sqlite3_finalize(q);
    store_user_finish(&u);
    return store_end(st, rc, rc == STORE_OK, err);
}

/* ---- sessions ---- */

static void token_hash(const unsigned char token[STORE_TOKEN_BYTES], unsigned char out[32])
{
    crypto_hash_sha256(out, token, STORE_TOKEN_BYTES);
}

enum store_status store_session_create(struct store *st, int64_t user_id, const char *ip,
                                       int64_t now, unsigned char token[STORE_TOKEN_BYTES],
                                       unsigned char csrf[STORE_TOKEN_BYTES], struct sg_err *err)
{
    if (!store_len_ok(ip, STORE_MAX_FIELD_LEN)) {
        sg_err_set(err, "session: address too long");
        return STORE_INVALID;
    }
    sqlite3_stmt *q = NULL;
    char *name = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT name, disabled FROM users WHERE id = ?", "i", user_id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such user");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (sqlite3_column_int(q, 1) != 0) {
        sg_err_set(err, "account disabled");
        rc = STORE_FORBIDDEN;
        goto done;
    }
    if (!store_col_text(q, 0, &name, err))
        goto done;
    /* Sessions nobody can use any more go now, so the table stays small. */
    if (!store_exec(st, NULL, err, "DELETE FROM sessions WHERE created <= ? OR last_seen <= ?",
                    "ii", now - STORE_SESSION_ABSOLUTE_S, now - STORE_SESSION_IDLE_S))
        goto done;
    unsigned char hash[32];
    randombytes_buf(token, STORE_TOKEN_BYTES);
    randombytes_buf(csrf, STORE_TOKEN_BYTES);
    token_hash(token, hash);
    if (!store_exec(st, NULL, err,
                    "INSERT INTO sessions (token_sha256, user_id, csrf, created, last_seen, ip)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    "bibiit", hash, sizeof hash, user_id, csrf, (size_t)STORE_TOKEN_BYTES, now, now,
                    ip))
        goto done;
    struct store_actor who = {user_id, name, ip};
    rc = store_audit_add(st, &who, "session.login", name, NULL, NULL, now, err);
done:
    sqlite3_finalize(q);
    free(name);
    if (rc != STORE_OK) {
        sodium_memzero(token, STORE_TOKEN_BYTES);
        sodium_memzero(csrf, STORE_TOKEN_BYTES);
    }
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_session_get(struct store *st, const unsigned char token[STORE_TOKEN_BYTES],
                                    int64_t now, struct store_session *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    unsigned char hash[32];
    token_hash(token, hash);
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    bool commit = false;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT s.user_id, u.name, u.role, u.disabled, s.csrf, s.created,"
                       " s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id"
                       " WHERE s.token_sha256 = ?",
                       "b", hash, sizeof hash))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such session");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    int64_t created = sqlite3_column_int64(q, 5), last_seen = sqlite3_column_int64(q, 6);
    bool disabled = sqlite3_column_int(q, 3) != 0;
    if (disabled || now - last_seen >= STORE_SESSION_IDLE_S ||
        now - created >= STORE_SESSION_ABSOLUTE_S) {
        sqlite3_finalize(q);
        q = NULL;
        if (!store_exec(st, NULL, err, "DELETE FROM sessions WHERE token_sha256 = ?", "b", hash,
                        sizeof hash))
            goto done;
        commit = true;
        sg_err_set(err, "session ended");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    out->user_id = sqlite3_column_int64(q, 0);
    out->role = (enum store_role)sqlite3_column_int(q, 2);
    out->created = created;
    out->last_seen = now;
    if (sqlite3_column_bytes(q, 4) != STORE_TOKEN_BYTES) {
        sg_err_set(err, "session: malformed CSRF token");
        goto done;
    }
    memcpy(out->csrf, sqlite3_column_blob(q, 4), STORE_TOKEN_BYTES);
    if (!store_col_text(q, 1, &out->user_name, err))
        goto done;
    if (!store_exec(st, NULL, err, "UPDATE sessions SET last_seen = ? WHERE token_sha256 = ?", "ib",
                    now, hash, sizeof hash))
        goto done;
    rc = STORE_OK;
    commit = true;
done:
    sqlite3_finalize(q);
    if (rc != STORE_OK)
        store_session_finish(out);
    return store_end(st, rc, commit, err);
}

enum store_status store_session_delete(struct store *st,
                                       const unsigned char token[STORE_TOKEN_BYTES],
                                       struct sg_err *err)
{
    unsigned char hash[32];
    token_hash(token, hash);
    int64_t changes = 0;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = STORE_ERROR;
    if (store_exec(st, &changes, err, "DELETE FROM sessions WHERE token_sha256 = ?", "b", hash,
                   sizeof hash))
        rc = changes ? STORE_OK : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        sg_err_set(err, "no such session");
    return store_end(st, rc, rc == STORE_OK, err);
}
