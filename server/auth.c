#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "qlog.h"
#include "queue.h"

static const char *cookie_name(const struct http_req *r)
{
    /* The __Host- prefix makes browsers refuse the cookie unless it is
     * Secure, host-only and Path=/, so a sibling domain cannot plant one. */
    return r->tls ? "__Host-signet_session" : "signet_session";
}

void auth_hex(const unsigned char token[STORE_TOKEN_BYTES], char out[2 * STORE_TOKEN_BYTES + 1])
{
    sodium_bin2hex(out, 2 * STORE_TOKEN_BYTES + 1, token, STORE_TOKEN_BYTES);
}

static bool hex_token(const char *hex, unsigned char token[STORE_TOKEN_BYTES])
{
    size_t bin_len = 0;
    if (!hex || strlen(hex) != 2 * STORE_TOKEN_BYTES)
        return false;
    return sodium_hex2bin(token, STORE_TOKEN_BYTES, hex, 2 * STORE_TOKEN_BYTES, NULL, &bin_len,
                          NULL) == 0 &&
           bin_len == STORE_TOKEN_BYTES;
}

bool auth_cookie_token(const struct http_req *r, unsigned char token[STORE_TOKEN_BYTES])
{
    /* Only the cookie whose name fits the transport counts: over TLS a
     * plain "signet_session" (which a network attacker could have set over
     * HTTP) is ignored. */
    const char *cookie = http_header(r, "Cookie");
    if (!cookie)
        return false;
    const char *name = cookie_name(r);
    size_t nlen = strlen(name);
    const char *p = cookie;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            char value[2 * STORE_TOKEN_BYTES + 1];
            size_t vlen = len - nlen - 1;
            if (vlen != 2 * STORE_TOKEN_BYTES)
                return false;
            memcpy(value, p + nlen + 1, vlen);
            value[vlen] = '\0';
            return hex_token(value, token);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

void auth_set_session_cookie(struct http_req *r, const unsigned char token[STORE_TOKEN_BYTES])
{
    char hex[2 * STORE_TOKEN_BYTES + 1];
    auth_hex(token, hex);
    char value[256];
    snprintf(value, sizeof value, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", cookie_name(r), hex,
             r->tls ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", value);
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(value, sizeof value);
}

void auth_clear_session_cookie(struct http_req *r)
{
    char value[160];
    snprintf(value, sizeof value, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             cookie_name(r), r->tls ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", value);
}

/* A request that changes something must come from our own page: browsers
 * send Sec-Fetch-Site and Origin on such requests, and only a same-origin
 * page can read the CSRF token the session check wants as well. */
static bool same_origin(const struct http_req *r)
{
    const char *site = http_header(r, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0)
        return false;
    const char *origin = http_header(r, "Origin");
    if (!origin)
        return true;
    const char *host = http_header(r, "Host");
    if (!host)
        return false;
    char expected[300];
    int n = snprintf(expected, sizeof expected, "%s://%s", r->tls ? "https" : "http", host);
    if (n < 0 || (size_t)n >= sizeof expected)
        return false;
    return strcasecmp(origin, expected) == 0;
}

static bool is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* A screen's "Authorization: Bearer <64 hex>", checked against the SHA-256
 * the store keeps for the screen named in the path (constant time). One
 * answer for an unknown screen and a wrong token. */
static int screen_check(struct http_req *r)
{
    const char *h = http_header(r, "Authorization");
    unsigned char token[STORE_TOKEN_BYTES];
    if (!h || strncmp(h, "Bearer ", 7) != 0 || !hex_token(h + 7, token)) {
        http_add_header(r, "WWW-Authenticate", "Bearer");
        return http_reply_error(r, 401, "login-required", "This screen's token is missing.");
    }
    struct sg_err err = {0};
    enum store_status st =
        store_screen_check_token(r->q->store, r->params[0], token, sizeof token, &err);
    sodium_memzero(token, sizeof token);
    if (st == STORE_NOT_FOUND || st == STORE_FORBIDDEN) {
        http_add_header(r, "WWW-Authenticate", "Bearer");
        return http_reply_error(r, 401, "login-required", "This screen's token is not valid.");
    }
    if (st != STORE_OK) {
        qlog(QLOG_ERROR, "screen-token", "error=\"%s\"", err.msg);
        return http_reply_error(r, 500, "internal", "The token could not be checked.");
    }
    return 0;
}

/* A webhook source's "Authorization: Bearer <id>.<64 hex>": the id names
 * the source, the hex is checked against its stored SHA-256 (constant
 * time). One answer for an unknown or disabled source and a wrong token. */
static int source_check(struct http_req *r)
{
    const char *h = http_header(r, "Authorization");
    const char *dot = h && strncmp(h, "Bearer ", 7) == 0 ? strchr(h + 7, '.') : NULL;
    unsigned char token[STORE_TOKEN_BYTES];
    char digits[24];
    size_t nd = dot ? (size_t)(dot - (h + 7)) : 0;
    if (!dot || nd == 0 || nd >= sizeof digits || strspn(h + 7, "0123456789") != nd ||
        !hex_token(dot + 1, token)) {
        http_add_header(r, "WWW-Authenticate", "Bearer");
        return http_reply_error(r, 401, "login-required", "The source's token is missing.");
    }
    memcpy(digits, h + 7, nd);
    digits[nd] = '\0';
    int64_t id = strtoll(digits, NULL, 10);
    struct sg_err err = {0};
    enum store_status st = store_source_check_token(r->q->store, id, token, sizeof token, &err);
    sodium_memzero(token, sizeof token);
    if (st == STORE_FORBIDDEN || st == STORE_NOT_FOUND) {
        http_add_header(r, "WWW-Authenticate", "Bearer");
        return http_reply_error(r, 401, "login-required", "The source's token is not valid.");
    }
    if (st != STORE_OK) {
        qlog(QLOG_ERROR, "source-token", "error=\"%s\"", err.msg);
        return http_reply_error(r, 500, "internal", "The token could not be checked.");
    }
    r->user_id = id;
    snprintf(r->user_name, sizeof r->user_name, "source");
    return 0;
}

int auth_check(struct http_req *r, enum route_access access)
{
    if (access == ROUTE_PUBLIC)
        return 0;
    if (access == ROUTE_SCREEN)
        return screen_check(r);
    if (access == ROUTE_SOURCE)
        return source_check(r);
    bool safe = is_safe_method(r->method);
    if (!safe && !same_origin(r))
        return http_reply_error(r, 403, "csrf", "This request did not come from the Signet page.");
    if (access == ROUTE_LOGIN)
        return 0;

    unsigned char token[STORE_TOKEN_BYTES];
    if (!auth_cookie_token(r, token))
        return http_reply_error(r, 401, "login-required", "Please sign in.");
    struct store_session sess = {0};
    struct sg_err err = {0};
    enum store_status st = store_session_get(r->q->store, token, r->now, &sess, &err);
    sodium_memzero(token, sizeof token);
    if (st == STORE_NOT_FOUND) {
        auth_clear_session_cookie(r);
        return http_reply_error(r, 401, "login-required",
                                "Your session has ended. Please sign in again.");
    }
    if (st != STORE_OK) {
        qlog(QLOG_ERROR, "session", "error=\"%s\"", err.msg);
        return http_reply_error(r, 500, "internal", "The session could not be checked.");
    }
    r->user_id = sess.user_id;
    snprintf(r->user_name, sizeof r->user_name, "%s", sess.user_name ? sess.user_name : "");
    r->role = (int)sess.role;
    int result = 0;
    if (!safe) {
        unsigned char sent[STORE_TOKEN_BYTES];
        if (!hex_token(http_header(r, "X-CSRF-Token"), sent) ||
            sodium_memcmp(sent, sess.csrf, STORE_TOKEN_BYTES) != 0)
            result = http_reply_error(r, 403, "csrf",
                                      "The page is out of date. Reload it and try again.");
    }
    static const int need[] = {
        [ROUTE_SESSION] = STORE_ROLE_EDITOR,
        [ROUTE_EDITOR] = STORE_ROLE_EDITOR,
        [ROUTE_APPROVER] = STORE_ROLE_APPROVER,
        [ROUTE_ADMIN] = STORE_ROLE_ADMIN,
    };
    if (result == 0 && r->role < need[access])
        result = http_reply_error(r, 403, "forbidden", "Your role does not allow this.");
    store_session_finish(&sess);
    return result;
}
