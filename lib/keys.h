/* Ed25519 keys and their files.
 *
 * Public key file: the standard base64 of the 32-byte key on one line (a
 * trailing newline is allowed). Secret key file: the base64 of libsodium's
 * 64-byte secret key on one line, mode 0600. keyid: lower-case hex of the
 * first 8 bytes of SHA-256(public key). */
#ifndef SIGNET_KEYS_H
#define SIGNET_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "feed.h"
#include "sg_err.h"

#define KEYS_MAX_TRUSTED 8
#define KEYS_PUBLIC_BYTES 32
#define KEYS_SECRET_BYTES 64
#define KEYS_MAX_FILE_BYTES 1024 /* a key file is one short line */

struct keys_public {
    unsigned char pk[KEYS_PUBLIC_BYTES];
    char keyid[FEED_KEYID_HEX_LEN + 1];
};

struct keys_secret {
    unsigned char sk[KEYS_SECRET_BYTES];
    struct keys_public pub;
};

struct keys_trust {
    size_t n;
    struct keys_public keys[KEYS_MAX_TRUSTED];
};

/* Must be called once before any other function (it calls sodium_init). */
bool keys_init(void) SG_MUST_USE;

void keys_keyid(const unsigned char pk[KEYS_PUBLIC_BYTES], char out[FEED_KEYID_HEX_LEN + 1]);

/* Parses the one-line text of a key file. */
bool keys_public_parse(const char *text, size_t len, struct keys_public *out,
                       struct sg_err *err) SG_MUST_USE;
bool keys_secret_parse(const char *text, size_t len, struct keys_secret *out,
                       struct sg_err *err) SG_MUST_USE;

bool keys_public_load(const char *path, struct keys_public *out, struct sg_err *err) SG_MUST_USE;
bool keys_secret_load(const char *path, struct keys_secret *out, struct sg_err *err) SG_MUST_USE;
/* Adds a public key file to a trust list; a duplicate key is not added twice. */
bool keys_trust_add_file(struct keys_trust *trust, const char *path,
                         struct sg_err *err) SG_MUST_USE;

void keys_generate(struct keys_secret *out);
/* Writes the key pair atomically: secret with mode 0600, public with 0644.
 * Refuses to overwrite an existing secret key file. */
bool keys_write_pair(const struct keys_secret *key, const char *secret_path,
                     const char *public_path, struct sg_err *err) SG_MUST_USE;

/* Wipes secret bytes. */
void keys_secret_wipe(struct keys_secret *key);

/* Signs payload into a DSSE envelope (JSON text, NUL-terminated, malloc'd). */
char *keys_sign_envelope(const struct keys_secret *key, const char *payload_type,
                         const unsigned char *payload, size_t len, struct sg_err *err) SG_MUST_USE;

#endif
