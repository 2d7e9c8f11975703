/* Login throttling: one fixed table of records keyed by a keyed BLAKE2b
 * digest of ("a" or "i", name), so names of any length cost the same and
 * nobody outside can pick names that collide. Lookups scan the table: with
 * THROTTLE_CAPACITY records that is microseconds, far below the Argon2id
 * hash every login attempt costs anyway.
 *
 * A record counts failures while they come less than THROTTLE_WINDOW_S
 * after its last activity (the last failure, or the end of its lock); a
 * quieter gap starts the count again. Once the count passes the
 * free allowance, each failure locks the name for BASE, 2 BASE, 4 BASE ...
 * up to THROTTLE_MAX_LOCK_S from that failure on. When the table is full the
 * record touched longest ago makes room (an expired one first, as it is
 * older than any live one). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "throttle.h"

#define KEY_BYTES 16

struct record {
    unsigned char key[KEY_BYTES];
    bool used;
    int failures;
    int64_t last_failure;
    int64_t locked_until;
};

struct throttle {
    pthread_mutex_t mu;
    unsigned char secret[crypto_generichash_KEYBYTES];
    struct record *records; /* THROTTLE_CAPACITY */
};

struct throttle *throttle_new(void)
{
    if (sodium_init() < 0)
        return NULL;
    struct throttle *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->records = calloc(THROTTLE_CAPACITY, sizeof *t->records);
    if (!t->records) {
        free(t);
        return NULL;
    }
    randombytes_buf(t->secret, sizeof t->secret);
    pthread_mutex_init(&t->mu, NULL);
    return t;
}

void throttle_free(struct throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->mu);
    free(t->records);
    sodium_memzero(t->secret, sizeof t->secret);
    free(t);
}

static void make_key(const struct throttle *t, char kind, const char *name,
                     unsigned char out[KEY_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, t->secret, sizeof t->secret, KEY_BYTES);
    crypto_generichash_update(&h, (const unsigned char *)&kind, 1);
    crypto_generichash_update(&h, (const unsigned char *)name, strlen(name));
    crypto_generichash_final(&h, out, KEY_BYTES);
}

static struct record *find(struct throttle *t, const unsigned char key[KEY_BYTES])
{
    for (size_t i = 0; i < THROTTLE_CAPACITY; i++) {
        if (t->records[i].used && memcmp(t->records[i].key, key, KEY_BYTES) == 0)
            return &t->records[i];
    }
    return NULL;
}

/* A record's activity time: its last failure or the end of its lock. */
static int64_t touched(const struct record *r)
{
    return r->locked_until > r->last_failure ? r->locked_until : r->last_failure;
}

static struct record *find_or_add(struct throttle *t, const unsigned char key[KEY_BYTES])
{
    struct record *r = find(t, key);
    if (r)
        return r;
    struct record *victim = &t->records[0];
    for (size_t i = 0; i < THROTTLE_CAPACITY; i++) {
        if (!t->records[i].used) {
            victim = &t->records[i];
            break;
        }
        if (touched(&t->records[i]) < touched(victim))
            victim = &t->records[i];
    }
    memset(victim, 0, sizeof *victim);
    memcpy(victim->key, key, KEY_BYTES);
    victim->used = true;
    return victim;
}

static int64_t wait_for(struct throttle *t, char kind, const char *name, int64_t now)
{
    if (!name)
        return 0;
    unsigned char key[KEY_BYTES];
    make_key(t, kind, name, key);
    const struct record *r = find(t, key);
    return r && r->locked_until > now ? r->locked_until - now : 0;
}

int64_t throttle_check(struct throttle *t, const char *account, const char *ip, int64_t now)
{
    if (!t)
        return 0;
    pthread_mutex_lock(&t->mu);
    int64_t a = wait_for(t, 'a', account, now), i = wait_for(t, 'i', ip, now);
    pthread_mutex_unlock(&t->mu);
    return a > i ? a : i;
}

static void fail_one(struct throttle *t, char kind, const char *name, int free_failures,
                     int64_t now)
{
    if (!name)
        return;
    unsigned char key[KEY_BYTES];
    make_key(t, kind, name, key);
    struct record *r = find_or_add(t, key);
    /* The window runs from the record's last activity: a lock that ends
     * is not a quiet gap, or the longest lock would reset the count. */
    if (r->failures > 0 && now - touched(r) >= THROTTLE_WINDOW_S)
        r->failures = 0;
    if (r->failures < INT32_MAX)
        r->failures++;
    r->last_failure = now;
    int over = r->failures - free_failures; /* 1: the first locked failure */
    if (over >= 1) {
        int64_t lock = THROTTLE_BASE_LOCK_S;
        for (int k = 1; k < over && lock < THROTTLE_MAX_LOCK_S; k++)
            lock *= 2;
        if (lock > THROTTLE_MAX_LOCK_S)
            lock = THROTTLE_MAX_LOCK_S;
        if (now + lock > r->locked_until)
            r->locked_until = now + lock;
    }
}

void throttle_failure(struct throttle *t, const char *account, const char *ip, int64_t now)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    fail_one(t, 'a', account, THROTTLE_FREE_FAILURES, now);
    fail_one(t, 'i', ip, THROTTLE_IP_FREE_FAILURES, now);
    pthread_mutex_unlock(&t->mu);
}

void throttle_success(struct throttle *t, const char *account, int64_t now)
{
    (void)now;
    if (!t || !account)
        return;
    unsigned char key[KEY_BYTES];
    pthread_mutex_lock(&t->mu);
    make_key(t, 'a', account, key);
    struct record *r = find(t, key);
    if (r)
        memset(r, 0, sizeof *r);
    pthread_mutex_unlock(&t->mu);
}
