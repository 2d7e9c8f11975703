/* Who may do what: sessions from the cookie, roles, and the cross-site
 * request checks (a synchronizer CSRF token plus Origin / Sec-Fetch-Site).
 *
 * The session cookie is "signet_session", or "__Host-signet_session" with
 * Secure over TLS (native, or a trusted proxy's X-Forwarded-Proto), always
 * HttpOnly, SameSite=Strict, Path=/. Its value is the hex of 32 random bytes;
 * the store keeps only their SHA-256. */
#ifndef SIGNET_QUEUE_AUTH_H
#define SIGNET_QUEUE_AUTH_H

#include "http.h"
#include "routes.h"
#include "store.h"

/* 0 when r may go on to the handler (r's user fields filled for staff
 * routes); otherwise the status it has already replied with. */
int auth_check(struct http_req *r, enum route_access access);

void auth_set_session_cookie(struct http_req *r, const unsigned char token[STORE_TOKEN_BYTES]);
void auth_clear_session_cookie(struct http_req *r);
/* The session token from the cookie; false when absent or malformed. */
bool auth_cookie_token(const struct http_req *r, unsigned char token[STORE_TOKEN_BYTES]);
/* Hex of a token, for the CSRF value handed to the page. */
void auth_hex(const unsigned char token[STORE_TOKEN_BYTES], char out[2 * STORE_TOKEN_BYTES + 1]);

#endif
