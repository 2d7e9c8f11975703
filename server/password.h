/* Password hashing with Argon2id (libsodium crypto_pwhash_str) behind a cap
 * on concurrent hashes: each hash takes PASSWORD_MEMLIMIT bytes, so a login
 * flood must not be able to exhaust a small board's memory. When the cap is
 * reached a caller gets PASSWORD_BUSY at once (HTTP 503 + Retry-After)
 * instead of queueing. */
#ifndef SIGNET_QUEUE_PASSWORD_H
#define SIGNET_QUEUE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_err.h"

#define PASSWORD_MAX_CONCURRENT 2
#define PASSWORD_HASH_LEN 128 /* crypto_pwhash_STRBYTES */

enum password_result { PASSWORD_MATCH, PASSWORD_MISMATCH, PASSWORD_BUSY, PASSWORD_ERROR };

/* Call once at start-up (after sodium_init). */
void password_init(void);
/* out receives the crypto_pwhash_str string. */
enum password_result password_hash(const char *password, char out[PASSWORD_HASH_LEN]);
/* stored NULL (unknown user): hashes against a fixed dummy so the time taken
 * does not tell whether the account exists; always PASSWORD_MISMATCH then. */
enum password_result password_verify(const char *stored, const char *password);
/* A random password of 20 characters from an unambiguous alphabet, for
 * `init` and new accounts when the admin gives none. */
void password_generate(char out[21]);

#endif
