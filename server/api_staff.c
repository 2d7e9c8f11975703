/* Sign-in, sessions, screens, the emergency stop, the audit log, users and
 * settings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "feed.h"
#include "password.h"
#include "publisher.h"
#include "qlog.h"
#include "queue.h"
#include "requests.h"
#include "throttle.h"

#define AUDIT_PAGE_DEFAULT 100
#define AUDIT_PAGE_MAX 500

/* ---- sign-in ---- */

static struct json_object *session_json(const struct store_user *u,
                                        const unsigned char csrf[STORE_TOKEN_BYTES])
{
    char hex[2 * STORE_TOKEN_BYTES + 1];
    auth_hex(csrf, hex);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "user", api_json_user(u));
    json_object_object_add(o, "csrf", json_object_new_string(hex));
    return o;
}

static int login_failed(struct http_req *r, const char *name)
{
    atomic_fetch_add(&r->q->metrics.logins_failed, 1);
    throttle_failure(r->q->throttle, name, r->ip, r->now);
    qlog(QLOG_INFO, "login", "result=failed ip=%s", r->ip);
    /* One message for a wrong name and a wrong password. */
    return http_reply_error(r, 401, "login-failed", "Name or password is not right.");
}

int api_login(struct http_req *r)
{
    struct req_login in = {0};
    struct sg_err err = {0};
    if (!req_parse_login(r->body, r->body_len, &in, &err))
        return api_bad_request(r, &err);
    int64_t wait = throttle_check(r->q->throttle, in.name, r->ip, r->now);
    if (wait > 0) {
        req_login_finish(&in);
        atomic_fetch_add(&r->q->metrics.logins_failed, 1);
        char secs[24];
        snprintf(secs, sizeof secs, "%" PRId64, wait);
        http_add_header(r, "Retry-After", secs);
        return http_reply_error(r, 429, "throttled",
                                "Too many attempts. Wait a few minutes and try again.");
    }
    struct store_user u = {0};
    enum store_status st = store_user_by_name(r->q->store, in.name, &u, &err);
    if (st != STORE_OK && st != STORE_NOT_FOUND) {
        req_login_finish(&in);
        return api_store_error(r, st, &err);
    }
    bool usable = st == STORE_OK && !u.disabled;
    /* Unknown and disabled accounts cost the same hash as real ones. */
    enum password_result pr = password_verify(usable ? u.pw_hash : NULL, in.password);
    if (pr == PASSWORD_BUSY) {
        req_login_finish(&in);
        store_user_finish(&u);
        http_add_header(r, "Retry-After", "2");
        return http_reply_error(r, 503, "busy", "The server is busy. Try again in a moment.");
    }
    if (pr != PASSWORD_MATCH || !usable) {
        int code = login_failed(r, in.name);
        req_login_finish(&in);
        store_user_finish(&u);
        return code;
    }
    throttle_success(r->q->throttle, in.name, r->now);
    req_login_finish(&in);
    /* A new session id at every sign-in; a session the browser still held
     * is ended, so a planted id never becomes an authenticated one. */
    unsigned char old[STORE_TOKEN_BYTES];
    if (auth_cookie_token(r, old) && store_session_delete(r->q->store, old, &err) == STORE_ERROR)
        qlog(QLOG_WARN, "login", "error=\"old session not deleted\"");
    unsigned char token[STORE_TOKEN_BYTES], csrf[STORE_TOKEN_BYTES];
    st = store_session_create(r->q->store, u.id, r->ip, r->now, token, csrf, &err);
    if (st != STORE_OK) {
        store_user_finish(&u);
        return api_store_error(r, st, &err);
    }
    auth_set_session_cookie(r, token);
    sodium_memzero(token, sizeof token);
    struct json_object *o = session_json(&u, csrf);
    qlog(QLOG_INFO, "login", "result=ok user=%" PRId64 " ip=%s", u.id, r->ip);
    store_user_finish(&u);
    return http_reply_json(r, 200, o);
}

int api_logout(struct http_req *r)
{
    unsigned char token[STORE_TOKEN_BYTES];
    struct sg_err err = {0};
    if (auth_cookie_token(r, token)) {
        enum store_status st = store_session_delete(r->q->store, token, &err);
        sodium_memzero(token, sizeof token);
        if (st != STORE_OK && st != STORE_NOT_FOUND)
            return api_store_error(r, st, &err);
    }
    auth_clear_session_cookie(r);
    return http_reply_json(r, 200, json_object_new_object());
}

int api_session(struct http_req *r)
{
    unsigned char token[STORE_TOKEN_BYTES];
    struct store_session sess = {0};
    struct store_settings set;
    struct sg_err err = {0};
    if (!auth_cookie_token(r, token))
        return http_reply_error(r, 401, "login-required", "Please sign in.");
    enum store_status st = store_session_get(r->q->store, token, r->now, &sess, &err);
    sodium_memzero(token, sizeof token);
    if (st == STORE_OK)
        st = store_settings_get(r->q->store, &set, &err);
    if (st != STORE_OK) {
        store_session_finish(&sess);
        return api_store_error(r, st, &err);
    }
    struct store_user u = {.id = sess.user_id, .name = sess.user_name, .role = sess.role};
    struct json_object *o = session_json(&u, sess.csrf);
    json_object_object_add(o, "settings", api_json_settings(&set));
    store_session_finish(&sess);
    return http_reply_json(r, 200, o);
}

int api_password(struct http_req *r)
{
    struct req_password in = {0};
    struct sg_err err = {0};
    if (!req_parse_password(r->body, r->body_len, &in, &err))
        return api_bad_request(r, &err);
    /* The old-password check is a password oracle: throttled like a login. */
    int64_t wait = throttle_check(r->q->throttle, r->user_name, r->ip, r->now);
    if (wait > 0) {
        req_password_finish(&in);
        char secs[24];
        snprintf(secs, sizeof secs, "%" PRId64, wait);
        http_add_header(r, "Retry-After", secs);
        return http_reply_error(r, 429, "throttled",
                                "Too many attempts. Wait a few minutes and try again.");
    }
    struct store_user u = {0};
    /* By name: only that lookup carries the password hash. */
    enum store_status st = store_user_by_name(r->q->store, r->user_name, &u, &err);
    if (st == STORE_OK && u.id != r->user_id)
        st = STORE_NOT_FOUND;
    if (st != STORE_OK) {
        req_password_finish(&in);
        return api_store_error(r, st, &err);
    }
    enum password_result pr = password_verify(u.pw_hash, in.old_password);
    char hash[PASSWORD_HASH_LEN];
    if (pr == PASSWORD_MATCH)
        pr =
            password_hash(in.new_password, hash) == PASSWORD_MATCH ? PASSWORD_MATCH : PASSWORD_BUSY;
    req_password_finish(&in);
    store_user_finish(&u);
    if (pr == PASSWORD_BUSY) {
        http_add_header(r, "Retry-After", "2");
        return http_reply_error(r, 503, "busy", "The server is busy. Try again in a moment.");
    }
    if (pr != PASSWORD_MATCH) {
        throttle_failure(r->q->throttle, r->user_name, r->ip, r->now);
        return http_reply_error(r, 400, "bad-request", "old: the current password is not right.");
    }
    struct store_actor who = api_actor(r);
    st = store_user_update(r->q->store, &who, r->user_id, 0, -1, hash, r->now, &err);
    sodium_memzero(hash, sizeof hash);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    /* Every session of the account ends with the old password. */
    auth_clear_session_cookie(r);
    return http_reply_json(r, 200, json_object_new_object());
}

/* ---- screens ---- */

/* What a screen's current feed holds, read back from our own envelope. */
static struct json_object *feed_items_json(struct publisher *p, const char *screen)
{
    struct json_object *arr = json_object_new_array();
    const struct publisher_feed *f = publisher_feed_get(p, screen);
    if (!f)
        return arr;
    struct feed_envelope env = {0};
    struct feed_doc doc = {0};
    struct sg_err err = {0};
    if (feed_envelope_parse(f->envelope, f->len, &env, &err) &&
        feed_payload_parse(env.payload, env.payload_len, &doc, &err) == FEED_PARSE_OK) {
        for (size_t i = 0; i < doc.nitems; i++) {
            const struct feed_item *it = &doc.items[i];
            struct json_object *o = json_object_new_object();
            json_object_object_add(o, "id", json_object_new_string(it->id));
            json_object_object_add(o, "rev", json_object_new_int64(it->rev));
            json_object_object_add(o, "kind", json_object_new_string(feed_kind_name(it->kind)));
            json_object_object_add(o, "title",
                                   it->title ? json_object_new_string(it->title) : NULL);
            json_object_object_add(o, "until", api_json_time(it->approval.until));
            json_object_array_add(arr, o);
        }
    }
    feed_doc_finish(&doc);
    feed_envelope_finish(&env);
    publisher_feed_release(f);
    return arr;
}

int api_screens_list(struct http_req *r)
{
    struct store_screen *screens = NULL;
    size_t n = 0;
    struct sg_err err = {0};
    enum store_status st = store_screen_list(r->q->store, &screens, &n, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = api_json_screen(&screens[i], r->now);
        json_object_object_add(o, "feed_items", feed_items_json(r->q->publisher, screens[i].id));
        json_object_array_add(arr, o);
    }
    store_screens_free(screens, n);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "screens", arr);
    return http_reply_json(r, 200, o);
}

static int reply_token(struct http_req *r, unsigned status, const char *screen_id,
                       unsigned char token[STORE_TOKEN_BYTES])
{
    char hex[2 * STORE_TOKEN_BYTES + 1];
    auth_hex(token, hex);
    sodium_memzero(token, STORE_TOKEN_BYTES);
    struct json_object *o = json_object_new_object();
    if (screen_id) {
        struct store_screen s = {0};
        struct sg_err err = {0};
        if (store_screen_get(r->q->store, screen_id, &s, &err) == STORE_OK)
            json_object_object_add(o, "screen", api_json_screen(&s, r->now));
        store_screen_finish(&s);
    }
    json_object_object_add(o, "token", json_object_new_string(hex));
    sodium_memzero(hex, sizeof hex);
    return http_reply_json(r, status, o);
}

int api_screens_add(struct http_req *r)
{
    struct req_screen in = {0};
    struct sg_err err = {0};
    if (!req_parse_screen(r->body, r->body_len, &in, &err))
        return api_bad_request(r, &err);
    unsigned char token[STORE_TOKEN_BYTES];
    struct store_actor who = api_actor(r);
    enum store_status st = store_screen_add(r->q->store, &who, in.id, in.name, in.group,
                                            in.location, in.timezone, r->now, token, &err);
    if (st != STORE_OK) {
        req_screen_finish(&in);
        return api_store_error(r, st, &err);
    }
    publisher_kick(r->q->publisher);
    int code = reply_token(r, 201, in.id, token);
    req_screen_finish(&in);
    return code;
}

int api_screen_token(struct http_req *r)
{
    unsigned char token[STORE_TOKEN_BYTES];
    struct sg_err err = {0};
    struct store_actor who = api_actor(r);
    enum store_status st =
        store_screen_new_token(r->q->store, &who, r->params[0], r->now, token, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    return reply_token(r, 200, NULL, token);
}

int api_screen_request_screenshot(struct http_req *r)
{
    struct sg_err err = {0};
    struct store_actor who = api_actor(r);
    enum store_status st =
        store_screen_request_screenshot(r->q->store, &who, r->params[0], r->now, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    return http_reply_json(r, 200, json_object_new_object());
}

int api_screen_screenshot(struct http_req *r)
{
    void *png = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    enum store_status st = store_screen_screenshot(r->q->store, r->params[0], &png, &len, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    return http_reply_bytes(r, 200, "image/png", png, len, free);
}

/* ---- emergency stop and settings ---- */

static int reply_settings(struct http_req *r, const struct store_settings *s)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "settings", api_json_settings(s));
    return http_reply_json(r, 200, o);
}

int api_emergency(struct http_req *r)
{
    bool stop = false;
    struct store_settings set;
    struct sg_err err = {0};
    if (!req_parse_emergency(r->body, r->body_len, &stop, &err))
        return api_bad_request(r, &err);
    enum store_status st = store_settings_get(r->q->store, &set, &err);
    if (st == STORE_OK && set.emergency_stop != stop) {
        set.emergency_stop = stop;
        struct store_actor who = api_actor(r);
        st = store_settings_set(r->q->store, &who, &set, r->now, &err);
    }
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    publisher_kick(r->q->publisher);
    qlog(QLOG_WARN, "emergency-stop", "stop=%s user=%" PRId64, stop ? "on" : "off", r->user_id);
    return reply_settings(r, &set);
}

int api_settings_get(struct http_req *r)
{
    struct store_settings set;
    struct sg_err err = {0};
    enum store_status st = store_settings_get(r->q->store, &set, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    return reply_settings(r, &set);
}

int api_settings_set(struct http_req *r)
{
    struct store_settings set;
    struct sg_err err = {0};
    enum store_status st = store_settings_get(r->q->store, &set, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    bool stop = set.emergency_stop;
    if (!req_parse_settings(r->body, r->body_len, &set, &err))
        return api_bad_request(r, &err);
    set.emergency_stop = stop; /* only POST /api/emergency moves it */
    struct store_actor who = api_actor(r);
    st = store_settings_set(r->q->store, &who, &set, r->now, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    publisher_kick(r->q->publisher);
    return reply_settings(r, &set);
}

/* ---- audit ---- */

int api_audit(struct http_req *r)
{
    int64_t before = 0, limit = AUDIT_PAGE_DEFAULT;
    const char *b = http_query(r, "before"), *l = http_query(r, "limit");
    char *end = NULL;
    if (b) {
        before = strtoll(b, &end, 10);
        if (!*b || *end || before < 0)
            return http_reply_error(r, 400, "bad-request", "before: a row id.");
    }
    if (l) {
        limit = strtoll(l, &end, 10);
        if (!*l || *end || limit < 1 || limit > AUDIT_PAGE_MAX)
            return http_reply_error(r, 400, "bad-request", "limit: 1 to 500.");
    }
    struct store_audit_row *rows = NULL;
    size_t n = 0;
    int64_t total = 0, bad = 0;
    struct sg_err err = {0};
    enum store_status st = store_audit_list(r->q->store, before, (size_t)limit, &rows, &n, &err);
    if (st == STORE_OK)
        st = store_audit_verify(r->q->store, &total, &bad, &err);
    if (st != STORE_OK) {
        store_audit_rows_free(rows, n);
        return api_store_error(r, st, &err);
    }
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const struct store_audit_row *a = &rows[i];
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(a->id));
        json_object_object_add(o, "at", api_json_time(a->at));
        json_object_object_add(o, "actor", a->actor ? json_object_new_string(a->actor) : NULL);
        json_object_object_add(o, "ip", a->ip ? json_object_new_string(a->ip) : NULL);
        json_object_object_add(o, "action", a->action ? json_object_new_string(a->action) : NULL);
        json_object_object_add(o, "object", a->object ? json_object_new_string(a->object) : NULL);
        json_object_object_add(o, "old",
                               a->old_value ? json_object_new_string(a->old_value) : NULL);
        json_object_object_add(o, "new",
                               a->new_value ? json_object_new_string(a->new_value) : NULL);
        json_object_object_add(o, "hash", json_object_new_string(a->hash));
        json_object_array_add(arr, o);
    }
    store_audit_rows_free(rows, n);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "rows", arr);
    json_object_object_add(o, "chain_ok", json_object_new_boolean(bad == 0));
    json_object_object_add(o, "total", json_object_new_int64(total));
    return http_reply_json(r, 200, o);
}

int api_audit_csv(struct http_req *r)
{
    char *csv = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    enum store_status st = store_audit_csv(r->q->store, &csv, &len, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    http_add_header(r, "Content-Disposition", "attachment; filename=\"signet-audit.csv\"");
    return http_reply_bytes(r, 200, "text/csv; charset=utf-8", csv, len, free);
}

/* ---- users ---- */

int api_users_list(struct http_req *r)
{
    struct store_user *users = NULL;
    size_t n = 0;
    struct sg_err err = {0};
    enum store_status st = store_user_list(r->q->store, &users, &n, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, api_json_user(&users[i]));
    store_users_free(users, n);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "users", arr);
    return http_reply_json(r, 200, o);
}

static int busy(struct http_req *r)
{
    http_add_header(r, "Retry-After", "2");
    return http_reply_error(r, 503, "busy", "The server is busy. Try again in a moment.");
}

int api_users_add(struct http_req *r)
{
    struct req_user in = {0};
    struct sg_err err = {0};
    if (!req_parse_user(false, r->body, r->body_len, &in, &err))
        return api_bad_request(r, &err);
    char generated[21] = "";
    const char *pw = in.password;
    if (!pw) {
        password_generate(generated);
        pw = generated;
    }
    char hash[PASSWORD_HASH_LEN];
    if (password_hash(pw, hash) != PASSWORD_MATCH) {
        req_user_finish(&in);
        sodium_memzero(generated, sizeof generated);
        return busy(r);
    }
    int64_t id = 0;
    struct store_actor who = api_actor(r);
    enum store_status st =
        store_user_add(r->q->store, &who, in.name, in.has_role ? in.role : STORE_ROLE_EDITOR, hash,
                       r->now, &id, &err);
    sodium_memzero(hash, sizeof hash);
    req_user_finish(&in);
    struct store_user u = {0};
    if (st == STORE_OK)
        st = store_user_by_id(r->q->store, id, &u, &err);
    if (st != STORE_OK) {
        sodium_memzero(generated, sizeof generated);
        return api_store_error(r, st, &err);
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "user", api_json_user(&u));
    if (generated[0])
        json_object_object_add(o, "password", json_object_new_string(generated));
    sodium_memzero(generated, sizeof generated);
    store_user_finish(&u);
    return http_reply_json(r, 201, o);
}

int api_user_update(struct http_req *r)
{
    char *end = NULL;
    long long id = strtoll(r->params[0], &end, 10);
    if (*end || id <= 0)
        return http_reply_error(r, 404, "not-found", "No such user.");
    struct req_user in = {0};
    struct sg_err err = {0};
    if (!req_parse_user(true, r->body, r->body_len, &in, &err))
        return api_bad_request(r, &err);
    struct store_user u = {0};
    enum store_status st = store_user_by_id(r->q->store, id, &u, &err);
    if (st != STORE_OK) {
        req_user_finish(&in);
        return api_store_error(r, st, &err);
    }
    /* The last enabled admin cannot lock everyone out. */
    bool loses_admin = u.role == STORE_ROLE_ADMIN && !u.disabled &&
                       ((in.has_role && in.role != STORE_ROLE_ADMIN) || in.disabled == 1);
    store_user_finish(&u);
    if (loses_admin) {
        int64_t admins = 0;
        st = store_admin_count(r->q->store, &admins, &err);
        if (st == STORE_OK && admins <= 1) {
            req_user_finish(&in);
            return http_reply_error(r, 409, "conflict", "The last admin cannot be removed.");
        }
    }
    char hash[PASSWORD_HASH_LEN];
    bool has_pw = in.password != NULL;
    if (has_pw && password_hash(in.password, hash) != PASSWORD_MATCH) {
        req_user_finish(&in);
        return busy(r);
    }
    struct store_actor who = api_actor(r);
    st = store_user_update(r->q->store, &who, id, in.has_role ? in.role : 0, in.disabled,
                           has_pw ? hash : NULL, r->now, &err);
    sodium_memzero(hash, sizeof hash);
    req_user_finish(&in);
    if (st == STORE_OK)
        st = store_user_by_id(r->q->store, id, &u, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "user", api_json_user(&u));
    store_user_finish(&u);
    return http_reply_json(r, 200, o);
}
