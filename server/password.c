/* Argon2id password hashes behind a cap on concurrent hashes.
 *
 * The cap is process-wide by nature (it protects the process's memory), so
 * it is the one piece of module state here, next to the dummy hash that
 * makes a login for an unknown account cost as much as one for a known
 * account. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <sodium.h>

#include "password.h"
#include "password_internal.h"

_Static_assert(PASSWORD_HASH_LEN == crypto_pwhash_STRBYTES, "password.h and libsodium disagree");

/* No 0/O, 1/l/I: a generated password is read off a screen and typed. */
static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static atomic_int slots_taken;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PASSWORD_HASH_LEN];
static bool dummy_ok;

bool password_slot_take(void)
{
    int cur = atomic_load(&slots_taken);
    while (cur < PASSWORD_MAX_CONCURRENT) {
        if (atomic_compare_exchange_weak(&slots_taken, &cur, cur + 1))
            return true;
    }
    return false;
}

void password_slot_give(void)
{
    atomic_fetch_sub(&slots_taken, 1);
}

int password_slots_taken(void)
{
    return atomic_load(&slots_taken);
}

static void make_dummy(void)
{
    unsigned char secret[32];
    char pw[sizeof secret * 2 + 1];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(pw, sizeof pw, secret, sizeof secret);
    dummy_ok = crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(secret, sizeof secret);
}

void password_init(void)
{
    pthread_once(&dummy_once, make_dummy);
}

enum password_result password_hash(const char *password, char out[PASSWORD_HASH_LEN])
{
    memset(out, 0, PASSWORD_HASH_LEN);
    if (!password)
        return PASSWORD_ERROR;
    if (!password_slot_take())
        return PASSWORD_BUSY;
    int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    password_slot_give();
    return rc == 0 ? PASSWORD_MATCH : PASSWORD_ERROR;
}

enum password_result password_verify(const char *stored, const char *password)
{
    if (!password)
        return PASSWORD_ERROR;
    if (stored && (!memchr(stored, '\0', PASSWORD_HASH_LEN) ||
                   strncmp(stored, crypto_pwhash_STRPREFIX, strlen(crypto_pwhash_STRPREFIX)) != 0))
        return PASSWORD_ERROR; /* not a hash this module wrote */
    password_init();
    if (!stored && !dummy_ok)
        return PASSWORD_ERROR;
    if (!password_slot_take())
        return PASSWORD_BUSY;
    int rc = crypto_pwhash_str_verify(stored ? stored : dummy_hash, password, strlen(password));
    password_slot_give();
    if (!stored)
        return PASSWORD_MISMATCH;
    return rc == 0 ? PASSWORD_MATCH : PASSWORD_MISMATCH;
}

void password_generate(char out[21])
{
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    out[20] = '\0';
}
