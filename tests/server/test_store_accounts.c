/* store: accounts (add, look up, update, the last admin) and sessions
 * (token lookup, idle and absolute timeouts, disabled users, logout). */
#include "store_fixture.h"

static const struct store_actor root = {0, "system", NULL};

static void test_users(void)
{
    struct store *st = open_fresh("users");
    if (!st)
        return;
    struct sg_err err = {0};
    int64_t admin = 0, ed = 0, other = 0, n_admins = -1;
    CHECK_INT(store_user_add(st, &root, "admin", STORE_ROLE_ADMIN, "$argon2id$A", T0, &admin, &err),
              STORE_OK);
    CHECK_INT(store_user_add(st, &root, "erika", STORE_ROLE_EDITOR, "$argon2id$E", T0, &ed, &err),
              STORE_OK);
    CHECK(admin > 0 && ed > 0 && admin != ed);
    struct sg_err e = {0};
    CHECK_INT(store_user_add(st, &root, "erika", STORE_ROLE_ADMIN, "$argon2id$X", T0, &other, &e),
              STORE_CONFLICT);
    CHECK(e.set);
    static const struct {
        const char *name;
        int role;
        const char *hash;
    } invalid[] = {
        {"", STORE_ROLE_EDITOR, "$h"},
        {NULL, STORE_ROLE_EDITOR, "$h"},
        {"x", 0, "$h"},
        {"x", 4, "$h"},
        {"x", STORE_ROLE_EDITOR, ""},
        {"x", STORE_ROLE_EDITOR, NULL},
        {"this-name-is-far-too-long-for-any-account-this-name-is-far-too-long", 1, "$h"},
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        CHECK_MSG(store_user_add(st, &root, invalid[i].name, (enum store_role)invalid[i].role,
                                 invalid[i].hash, T0, &other, &err) == STORE_INVALID,
                  "case %zu", i);

    struct store_user u;
    CHECK_INT(store_user_by_name(st, "erika", &u, &err), STORE_OK);
    CHECK_INT(u.id, ed);
    CHECK_INT(u.role, STORE_ROLE_EDITOR);
    CHECK(!u.disabled);
    CHECK_STR(u.pw_hash, "$argon2id$E");
    store_user_finish(&u);
    CHECK_INT(store_user_by_id(st, ed, &u, &err), STORE_OK);
    CHECK_STR(u.name, "erika");
    CHECK(u.pw_hash == NULL); /* only the login path needs the hash */
    store_user_finish(&u);
    CHECK_INT(store_user_by_name(st, "Erika", &u, &err), STORE_NOT_FOUND);
    CHECK_INT(store_user_by_id(st, 999, &u, &err), STORE_NOT_FOUND);
    store_user_finish(&u);

    struct store_user *list = NULL;
    size_t n = 0;
    CHECK_INT(store_user_list(st, &list, &n, &err), STORE_OK);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(list[0].name, "admin");
        CHECK_STR(list[1].name, "erika");
        CHECK(list[0].pw_hash == NULL && list[1].pw_hash == NULL);
    }
    store_users_free(list, n);

    /* Updates, each audited, and the last admin. */
    const struct store_actor adm = {admin, "admin", "192.0.2.1"};
    static const struct {
        const char *name;
        int who; /* 0: the admin, 1: erika */
        int role, disabled;
        const char *hash;
        enum store_status want;
        int role_after, disabled_after;
    } updates[] = {
        {"nothing", 1, 0, -1, NULL, STORE_OK, STORE_ROLE_EDITOR, 0},
        {"promote", 1, STORE_ROLE_APPROVER, -1, NULL, STORE_OK, STORE_ROLE_APPROVER, 0},
        {"disable", 1, 0, 1, NULL, STORE_OK, STORE_ROLE_APPROVER, 1},
        {"enable", 1, 0, 0, NULL, STORE_OK, STORE_ROLE_APPROVER, 0},
        {"new password", 1, 0, -1, "$argon2id$N", STORE_OK, STORE_ROLE_APPROVER, 0},
        {"demote last admin", 0, STORE_ROLE_APPROVER, -1, NULL, STORE_CONFLICT, STORE_ROLE_ADMIN,
         0},
        {"disable last admin", 0, 0, 1, NULL, STORE_CONFLICT, STORE_ROLE_ADMIN, 0},
        {"bad role", 1, 9, -1, NULL, STORE_INVALID, STORE_ROLE_APPROVER, 0},
        {"bad flag", 1, 0, 2, NULL, STORE_INVALID, STORE_ROLE_APPROVER, 0},
        {"second admin", 1, STORE_ROLE_ADMIN, -1, NULL, STORE_OK, STORE_ROLE_ADMIN, 0},
        {"now one may step down", 0, STORE_ROLE_EDITOR, -1, NULL, STORE_OK, STORE_ROLE_EDITOR, 0},
        {"but not the last", 1, 0, 1, NULL, STORE_CONFLICT, STORE_ROLE_ADMIN, 0},
    };
    for (size_t i = 0; i < sizeof updates / sizeof updates[0]; i++) {
        int64_t id = updates[i].who ? ed : admin;
        struct sg_err ue = {0};
        enum store_status rc =
            store_user_update(st, &adm, id, (enum store_role)updates[i].role, updates[i].disabled,
                              updates[i].hash, T0 + (int64_t)i, &ue);
        CHECK_MSG(rc == updates[i].want, "%s: %d %s", updates[i].name, (int)rc, ue.msg);
        CHECK_INT(store_user_by_id(st, id, &u, &err), STORE_OK);
        CHECK_MSG((int)u.role == updates[i].role_after, "%s", updates[i].name);
        CHECK_MSG((int)u.disabled == updates[i].disabled_after, "%s", updates[i].name);
        store_user_finish(&u);
    }
    CHECK_INT(store_user_by_name(st, "erika", &u, &err), STORE_OK);
    CHECK_STR(u.pw_hash, "$argon2id$N");
    store_user_finish(&u);
    CHECK_INT(store_user_update(st, &adm, 999, STORE_ROLE_EDITOR, -1, NULL, T0, &err),
              STORE_NOT_FOUND);
    CHECK_INT(store_admin_count(st, &n_admins, &err), STORE_OK);
    CHECK_INT(n_admins, 1);

    /* The audit trail of all that: no secret, no hash of one. */
    struct store_audit_row *rows = NULL;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    static const struct {
        const char *action, *object, *old_value, *new_value;
    } want[] = {
        {"user.add", "admin", NULL, "admin"},
        {"user.add", "erika", NULL, "editor"},
        {"user.update", "erika", "editor", "approver"},
        {"user.update", "erika", "enabled", "disabled"},
        {"user.update", "erika", "disabled", "enabled"},
        {"user.password", "erika", NULL, "changed"},
        {"user.update", "erika", "approver", "admin"},
        {"user.update", "admin", "admin", "editor"},
    };
    size_t nw = sizeof want / sizeof want[0];
    CHECK_INT(n, nw);
    for (size_t i = 0; i < n && i < nw; i++) {
        const struct store_audit_row *r = &rows[n - 1 - i];
        CHECK_STR(r->action, want[i].action);
        CHECK_STR(r->object, want[i].object);
        if (want[i].old_value)
            CHECK_STR(r->old_value, want[i].old_value);
        else
            CHECK(r->old_value == NULL);
        CHECK_STR(r->new_value, want[i].new_value);
        CHECK(!strstr(r->new_value, "argon2") && !(r->old_value && strstr(r->old_value, "argon")));
    }
    store_audit_rows_free(rows, n);
    store_close(st);
}

static void test_sessions(void)
{
    const char *dir = fresh_dir("sessions");
    struct sg_err err = {0};
    struct store *st = store_open(dir, &err);
    if (!st)
        return;
    int64_t uid = 0, admin = 0;
    CHECK_INT(store_user_add(st, &root, "admin", STORE_ROLE_ADMIN, "$argon2id$A", T0, &admin, &err),
              STORE_OK);
    CHECK_INT(store_user_add(st, &root, "anna", STORE_ROLE_APPROVER, "$argon2id$a", T0, &uid, &err),
              STORE_OK);
    const struct store_actor adm = {admin, "admin", NULL};
    unsigned char tok[STORE_TOKEN_BYTES], csrf[STORE_TOKEN_BYTES];
    unsigned char tok2[STORE_TOKEN_BYTES], csrf2[STORE_TOKEN_BYTES];
    CHECK_INT(store_session_create(st, uid, "198.51.100.4", T0, tok, csrf, &err), STORE_OK);
    CHECK_INT(store_session_create(st, uid, "198.51.100.4", T0, tok2, csrf2, &err), STORE_OK);
    CHECK(sodium_memcmp(tok, tok2, sizeof tok) != 0);
    CHECK(sodium_memcmp(tok, csrf, sizeof tok) != 0);

    /* The database keeps the token's SHA-256 only, and the login is audited. */
    sqlite3 *db = raw_open(dir);
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM sessions WHERE token_sha256 = ?", -1, &q,
                             NULL) == SQLITE_OK);
    sqlite3_bind_blob(q, 1, tok, sizeof tok, SQLITE_STATIC);
    CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0);
    sqlite3_finalize(q);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sessions"), 2);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM audit WHERE action = 'session.login'"
                          " AND actor = 'anna' AND ip = '198.51.100.4'"),
              2);
    sqlite3_close(db);

    struct store_session s;
    CHECK_INT(store_session_get(st, tok, T0 + 1, &s, &err), STORE_OK);
    CHECK_INT(s.user_id, uid);
    CHECK_STR(s.user_name, "anna");
    CHECK_INT(s.role, STORE_ROLE_APPROVER);
    CHECK_INT(s.created, T0);
    CHECK_INT(s.last_seen, T0 + 1);
    CHECK(sodium_memcmp(s.csrf, csrf, sizeof csrf) == 0);
    store_session_finish(&s);
    unsigned char wrong[STORE_TOKEN_BYTES];
    memcpy(wrong, tok, sizeof wrong);
    wrong[31] ^= 1;
    CHECK_INT(store_session_get(st, wrong, T0 + 1, &s, &err), STORE_NOT_FOUND);
    CHECK(s.user_name == NULL);

    /* Idle timeout: each use moves it; a gap of STORE_SESSION_IDLE_S ends it. */
    int64_t t = T0 + 1;
    for (int i = 0; i < 3; i++) {
        t += STORE_SESSION_IDLE_S - 1;
        CHECK_INT(store_session_get(st, tok, t, &s, &err), STORE_OK);
        store_session_finish(&s);
    }
    CHECK_INT(store_session_get(st, tok, t + STORE_SESSION_IDLE_S, &s, &err), STORE_NOT_FOUND);
    CHECK_INT(store_session_get(st, tok, t + 1, &s, &err), STORE_NOT_FOUND); /* deleted */

    /* Absolute timeout: even a session in constant use ends. */
    CHECK_INT(store_session_create(st, uid, NULL, T0, tok, csrf, &err), STORE_OK);
    for (t = T0 + 600; t < T0 + STORE_SESSION_ABSOLUTE_S; t += 600) {
        CHECK_INT(store_session_get(st, tok, t, &s, &err), STORE_OK);
        store_session_finish(&s);
    }
    CHECK_INT(store_session_get(st, tok, T0 + STORE_SESSION_ABSOLUTE_S, &s, &err), STORE_NOT_FOUND);

    /* Role changes show at once; disabling ends every session of the user. */
    CHECK_INT(store_session_create(st, uid, NULL, T0, tok, csrf, &err), STORE_OK);
    CHECK_INT(store_session_create(st, uid, NULL, T0, tok2, csrf2, &err), STORE_OK);
    CHECK_INT(store_user_update(st, &adm, uid, STORE_ROLE_EDITOR, -1, NULL, T0, &err), STORE_OK);
    CHECK_INT(store_session_get(st, tok, T0 + 1, &s, &err), STORE_OK);
    CHECK_INT(s.role, STORE_ROLE_EDITOR);
    store_session_finish(&s);
    CHECK_INT(store_user_update(st, &adm, uid, 0, 1, NULL, T0 + 2, &err), STORE_OK);
    CHECK_INT(store_session_get(st, tok, T0 + 3, &s, &err), STORE_NOT_FOUND);
    CHECK_INT(store_session_get(st, tok2, T0 + 3, &s, &err), STORE_NOT_FOUND);
    CHECK_INT(store_session_create(st, uid, NULL, T0 + 4, tok, csrf, &err), STORE_FORBIDDEN);
    CHECK_INT(store_session_create(st, 999, NULL, T0 + 4, tok, csrf, &err), STORE_NOT_FOUND);

    /* A disabled flag set behind the store's back still ends the session. */
    CHECK_INT(store_user_update(st, &adm, uid, 0, 0, NULL, T0 + 5, &err), STORE_OK);
    CHECK_INT(store_session_create(st, uid, NULL, T0 + 5, tok, csrf, &err), STORE_OK);
    db = raw_open(dir);
    CHECK_INT(raw_exec(db, "UPDATE users SET disabled = 1 WHERE name = 'anna'"), SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(store_session_get(st, tok, T0 + 6, &s, &err), STORE_NOT_FOUND);

    /* A new password ends the sessions too. */
    CHECK_INT(store_user_update(st, &adm, uid, 0, 0, NULL, T0 + 7, &err), STORE_OK);
    CHECK_INT(store_session_create(st, uid, NULL, T0 + 7, tok, csrf, &err), STORE_OK);
    CHECK_INT(store_user_update(st, &adm, uid, 0, -1, "$argon2id$new", T0 + 8, &err), STORE_OK);
    CHECK_INT(store_session_get(st, tok, T0 + 9, &s, &err), STORE_NOT_FOUND);

    /* Logout. */
    CHECK_INT(store_session_create(st, uid, NULL, T0 + 10, tok, csrf, &err), STORE_OK);
    CHECK_INT(store_session_delete(st, tok, &err), STORE_OK);
    CHECK_INT(store_session_delete(st, tok, &err), STORE_NOT_FOUND);
    CHECK_INT(store_session_get(st, tok, T0 + 11, &s, &err), STORE_NOT_FOUND);

    /* Creating a session sweeps the ones nobody can use any more. */
    CHECK_INT(store_session_create(st, admin, NULL, T0 + 20, tok, csrf, &err), STORE_OK);
    CHECK_INT(
        store_session_create(st, admin, NULL, T0 + 20 + STORE_SESSION_IDLE_S, tok2, csrf2, &err),
        STORE_OK);
    db = raw_open(dir);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sessions"), 1);
    sqlite3_close(db);
    store_close(st);
}

int main(void)
{
    test_users();
    test_sessions();
    return check_done("test_store_accounts");
}
