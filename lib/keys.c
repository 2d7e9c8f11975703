#include "keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

bool keys_init(void)
{
    return sodium_init() >= 0;
}

void keys_keyid(const unsigned char pk[KEYS_PUBLIC_BYTES], char out[FEED_KEYID_HEX_LEN + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, pk, KEYS_PUBLIC_BYTES);
    sodium_bin2hex(out, FEED_KEYID_HEX_LEN + 1, digest, FEED_KEYID_HEX_LEN / 2);
}

/* A key file is one line of standard base64; a final "\n" or "\r\n" is allowed. */
static bool decode_line(const char *text, size_t len, unsigned char *out, size_t want,
                        const char *what, struct sg_err *err)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    const char *end = NULL;
    size_t n = 0;
    if (len == 0 || memchr(text, '\n', len) ||
        sodium_base642bin(out, want, text, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        end != text + len || n != want) {
        sg_err_set(err, "not a %s key: expected one line with the base64 of %zu bytes", what, want);
        return false;
    }
    return true;
}

bool keys_public_parse(const char *text, size_t len, struct keys_public *out, struct sg_err *err)
{
    if (!decode_line(text, len, out->pk, KEYS_PUBLIC_BYTES, "public Ed25519", err))
        return false;
    keys_keyid(out->pk, out->keyid);
    return true;
}

bool keys_secret_parse(const char *text, size_t len, struct keys_secret *out, struct sg_err *err)
{
    if (!decode_line(text, len, out->sk, KEYS_SECRET_BYTES, "secret Ed25519", err))
        return false;
    /* libsodium's secret key is seed || public key; check the halves agree so
     * a corrupted file cannot sign with a key nobody trusts. */
    unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES],
        sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_ed25519_sk_to_seed(seed, out->sk);
    crypto_sign_seed_keypair(pk, sk, seed);
    bool same = sodium_memcmp(sk, out->sk, sizeof sk) == 0;
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    if (!same) {
        keys_secret_wipe(out);
        sg_err_set(err, "secret key file is corrupt (its public half does not match)");
        return false;
    }
    memcpy(out->pub.pk, pk, sizeof pk);
    keys_keyid(pk, out->pub.keyid);
    return true;
}

static bool load(const char *path, bool secret, void *out, struct sg_err *err)
{
    char *text = NULL;
    size_t len = 0;
    struct sg_err inner = {0};
    if (!fileio_read(path, KEYS_MAX_FILE_BYTES, &text, &len, &inner)) {
        sg_err_set(err, "%s", inner.msg);
        return false;
    }
    bool ok = secret ? keys_secret_parse(text, len, out, &inner)
                     : keys_public_parse(text, len, out, &inner);
    sodium_memzero(text, len);
    free(text);
    if (!ok)
        sg_err_set(err, "%s: %s", path, inner.msg);
    return ok;
}

bool keys_public_load(const char *path, struct keys_public *out, struct sg_err *err)
{
    return load(path, false, out, err);
}

bool keys_secret_load(const char *path, struct keys_secret *out, struct sg_err *err)
{
    return load(path, true, out, err);
}

bool keys_trust_add_file(struct keys_trust *trust, const char *path, struct sg_err *err)
{
    struct keys_public pub;
    if (!keys_public_load(path, &pub, err))
        return false;
    for (size_t i = 0; i < trust->n; i++)
        if (memcmp(trust->keys[i].pk, pub.pk, sizeof pub.pk) == 0)
            return true;
    if (trust->n == KEYS_MAX_TRUSTED) {
        sg_err_set(err, "%s: more than %d trusted keys", path, KEYS_MAX_TRUSTED);
        return false;
    }
    trust->keys[trust->n++] = pub;
    return true;
}

void keys_generate(struct keys_secret *out)
{
    crypto_sign_keypair(out->pub.pk, out->sk);
    keys_keyid(out->pub.pk, out->pub.keyid);
}

void keys_secret_wipe(struct keys_secret *key)
{
    sodium_memzero(key, sizeof *key);
}

bool keys_write_pair(const struct keys_secret *key, const char *secret_path,
                     const char *public_path, struct sg_err *err)
{
    char sk64[sodium_base64_ENCODED_LEN(KEYS_SECRET_BYTES, sodium_base64_VARIANT_ORIGINAL) + 1];
    char pk64[sodium_base64_ENCODED_LEN(KEYS_PUBLIC_BYTES, sodium_base64_VARIANT_ORIGINAL) + 1];
    sodium_bin2base64(sk64, sizeof sk64 - 1, key->sk, KEYS_SECRET_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(pk64, sizeof pk64 - 1, key->pub.pk, KEYS_PUBLIC_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    strcat(sk64, "\n");
    strcat(pk64, "\n");
    bool ok = fileio_write_atomic(secret_path, sk64, strlen(sk64), 0600, true, NULL, err) &&
              fileio_write_atomic(public_path, pk64, strlen(pk64), 0644, false, NULL, err);
    sodium_memzero(sk64, sizeof sk64);
    return ok;
}

char *keys_sign_envelope(const struct keys_secret *key, const char *payload_type,
                         const unsigned char *payload, size_t len, struct sg_err *err)
{
    /* Only base64, hex and the payload type are put into the JSON text; the
     * type is checked to need no escaping. */
    for (const char *p = payload_type; *p; p++) {
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            sg_err_set(err, "payload type holds a character that needs escaping");
            return NULL;
        }
    }
    size_t pae_len = 0;
    unsigned char *pae = feed_pae(payload_type, payload, len, &pae_len);
    unsigned char sig[crypto_sign_BYTES];
    if (!pae) {
        sg_err_set(err, "out of memory");
        return NULL;
    }
    crypto_sign_detached(sig, NULL, pae, pae_len, key->sk);
    free(pae);

    char sig64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    size_t b64_len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    size_t cap = b64_len + strlen(payload_type) + sizeof sig64 + 128;
    char *out = malloc(cap);
    char *b64 = malloc(b64_len);
    if (!out || !b64) {
        free(out);
        free(b64);
        sg_err_set(err, "out of memory");
        return NULL;
    }
    sodium_bin2base64(b64, b64_len, payload, len, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, cap,
             "{\"payloadType\":\"%s\",\"payload\":\"%s\",\"signatures\":[{\"keyid\":\"%s\","
             "\"sig\":\"%s\"}]}\n",
             payload_type, b64, key->pub.keyid, sig64);
    free(b64);
    return out;
}
