/* password: Argon2id hash and verify, the dummy hash for unknown accounts,
 * the cap on concurrent hashes (held full through the test seam, and under
 * real threads), generated passwords. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "password.h"
#include "password_internal.h"

static char stored[PASSWORD_HASH_LEN];

static void test_hash_verify(void)
{
    CHECK_INT(password_hash("correct horse battery staple", stored), PASSWORD_MATCH);
    CHECK(strncmp(stored, "$argon2id$", 10) == 0);
    CHECK(memchr(stored, '\0', PASSWORD_HASH_LEN) != NULL);
    /* The parameters are libsodium's interactive ones. */
    CHECK(crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                         crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0);
    char again[PASSWORD_HASH_LEN];
    CHECK_INT(password_hash("correct horse battery staple", again), PASSWORD_MATCH);
    CHECK(strcmp(stored, again) != 0); /* salted */

    static const struct {
        const char *password;
        enum password_result want;
    } cases[] = {
        {"correct horse battery staple", PASSWORD_MATCH},
        {"correct horse battery staplE", PASSWORD_MISMATCH},
        {"correct horse battery staple ", PASSWORD_MISMATCH},
        {"", PASSWORD_MISMATCH},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(password_verify(stored, cases[i].password) == cases[i].want, "case %zu", i);
    CHECK_INT(password_verify(again, "correct horse battery staple"), PASSWORD_MATCH);

    /* Unknown account: the dummy hash runs, and it never matches. */
    CHECK_INT(password_verify(NULL, "correct horse battery staple"), PASSWORD_MISMATCH);
    CHECK_INT(password_verify(NULL, ""), PASSWORD_MISMATCH);
    /* Something that is not one of our hashes is an error, not a mismatch. */
    CHECK_INT(password_verify("plaintext", "plaintext"), PASSWORD_ERROR);
    CHECK_INT(password_verify(stored, NULL), PASSWORD_ERROR);
    CHECK_INT(password_hash(NULL, again), PASSWORD_ERROR);
    CHECK_INT(password_slots_taken(), 0);
}

static void test_cap(void)
{
    /* Hold the cap full: the next hash is refused at once, not queued. */
    int held = 0;
    while (password_slot_take())
        held++;
    CHECK_INT(held, PASSWORD_MAX_CONCURRENT);
    char out[PASSWORD_HASH_LEN];
    CHECK_INT(password_hash("another password", out), PASSWORD_BUSY);
    CHECK_INT(password_verify(stored, "correct horse battery staple"), PASSWORD_BUSY);
    CHECK_INT(password_verify(NULL, "x"), PASSWORD_BUSY);
    password_slot_give();
    CHECK_INT(password_verify(stored, "correct horse battery staple"), PASSWORD_MATCH);
    CHECK_INT(password_slots_taken(), PASSWORD_MAX_CONCURRENT - 1);
    for (int i = 1; i < held; i++)
        password_slot_give();
    CHECK_INT(password_slots_taken(), 0);
}

/* Real threads: whatever the interleaving, each verify either runs (and
 * matches) or is turned away; the cap is never exceeded and ends at zero. */
static void *verify_thread(void *arg)
{
    enum password_result *out = arg;
    *out = password_verify(stored, "correct horse battery staple");
    return NULL;
}

static void test_threads(void)
{
    enum { N = 4 };
    pthread_t th[N];
    enum password_result res[N];
    for (int i = 0; i < N; i++)
        CHECK(pthread_create(&th[i], NULL, verify_thread, &res[i]) == 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    int match = 0;
    for (int i = 0; i < N; i++) {
        CHECK_MSG(res[i] == PASSWORD_MATCH || res[i] == PASSWORD_BUSY, "thread %d: %d", i,
                  (int)res[i]);
        match += res[i] == PASSWORD_MATCH;
    }
    CHECK(match >= 1);
    CHECK_INT(password_slots_taken(), 0);
}

static void test_generate(void)
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char a[21], b[21];
    password_generate(a);
    password_generate(b);
    CHECK_INT(strlen(a), 20);
    CHECK(strcmp(a, b) != 0);
    int seen[256] = {0};
    for (int round = 0; round < 200; round++) {
        password_generate(a);
        CHECK_INT(strlen(a), 20);
        for (int i = 0; i < 20; i++) {
            CHECK_MSG(strchr(alphabet, a[i]) != NULL, "'%c'", a[i]);
            seen[(unsigned char)a[i]]++;
        }
    }
    static const char ambiguous[] = "0O1lI";
    for (const char *p = ambiguous; *p; p++)
        CHECK_INT(seen[(unsigned char)*p], 0);
    /* 4000 draws over 57 symbols: every symbol shows up. */
    for (const char *p = alphabet; *p; p++)
        CHECK_MSG(seen[(unsigned char)*p] > 0, "'%c' never drawn", *p);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    password_init();
    test_hash_verify();
    test_cap();
    test_threads();
    test_generate();
    return check_done("test_password");
}
