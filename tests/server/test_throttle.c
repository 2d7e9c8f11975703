/* throttle: lock-outs per account and per address, doubling and capped,
 * the failure window, success, and the fixed table. Time is stepped. */
#include <stdio.h>

#include "check.h"
#include "throttle.h"

#define T0 ((int64_t)1795000000)

/* The lock after the n-th failure in a row (n > free). */
static int64_t lock_after(int n, int free_failures)
{
    int64_t lock = THROTTLE_BASE_LOCK_S;
    for (int k = free_failures + 1; k < n && lock < THROTTLE_MAX_LOCK_S; k++)
        lock *= 2;
    return lock < THROTTLE_MAX_LOCK_S ? lock : THROTTLE_MAX_LOCK_S;
}

static void test_account_lock(void)
{
    struct throttle *t = throttle_new();
    CHECK(t != NULL);
    if (!t)
        return;
    /* Failures 1..5 are free; 6: 30 s, 7: 60 s, 8: 120 s, ... capped at 15 min.
     * Each failure comes right when the previous lock ends. */
    static const int64_t want[] = {0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900};
    int64_t now = T0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_MSG(throttle_check(t, "anna", "192.0.2.1", now) == 0, "failure %zu: locked", i + 1);
        throttle_failure(t, "anna", "192.0.2.1", now);
        int64_t wait = throttle_check(t, "anna", "192.0.2.1", now);
        CHECK_MSG(wait == want[i], "failure %zu: wait %lld, want %lld", i + 1, (long long)wait,
                  (long long)want[i]);
        CHECK_INT(want[i], i + 1 > THROTTLE_FREE_FAILURES
                               ? lock_after((int)i + 1, THROTTLE_FREE_FAILURES)
                               : 0);
        if (wait > 1) /* the lock counts down */
            CHECK_INT(throttle_check(t, "anna", "192.0.2.9", now + wait - 1), 1);
        now += wait;
    }
    /* The lock is per account: another name, or the same name elsewhere. */
    CHECK_INT(throttle_check(t, "bert", "192.0.2.1", now - 1), 0);
    CHECK(throttle_check(t, "anna", "198.51.100.1", now - 1) > 0);
    /* A success clears the account. */
    throttle_success(t, "anna", now);
    CHECK_INT(throttle_check(t, "anna", "192.0.2.1", now), 0);
    for (int i = 0; i < THROTTLE_FREE_FAILURES; i++)
        throttle_failure(t, "anna", NULL, now);
    CHECK_INT(throttle_check(t, "anna", NULL, now), 0);
    throttle_failure(t, "anna", NULL, now);
    CHECK_INT(throttle_check(t, "anna", NULL, now), THROTTLE_BASE_LOCK_S);
    throttle_free(t);
}

static void test_window(void)
{
    struct throttle *t = throttle_new();
    if (!t)
        return;
    /* Failures spaced a whole window apart never add up. */
    int64_t now = T0;
    for (int i = 0; i < 3 * THROTTLE_FREE_FAILURES; i++, now += THROTTLE_WINDOW_S) {
        throttle_failure(t, "carl", NULL, now);
        CHECK_INT(throttle_check(t, "carl", NULL, now), 0);
    }
    /* Just inside the window they do. */
    for (int i = 0; i < THROTTLE_FREE_FAILURES; i++, now += THROTTLE_WINDOW_S - 1)
        throttle_failure(t, "dora", NULL, now);
    CHECK_INT(throttle_check(t, "dora", NULL, now), 0);
    throttle_failure(t, "dora", NULL, now);
    CHECK_INT(throttle_check(t, "dora", NULL, now), THROTTLE_BASE_LOCK_S);
    throttle_free(t);
}

static void test_address(void)
{
    struct throttle *t = throttle_new();
    if (!t)
        return;
    /* One address guessing many names: 20 free failures, then locked. */
    char name[32];
    int64_t now = T0;
    for (int i = 0; i < THROTTLE_IP_FREE_FAILURES; i++) {
        snprintf(name, sizeof name, "user%d", i);
        CHECK_INT(throttle_check(t, name, "203.0.113.5", now), 0);
        throttle_failure(t, name, "203.0.113.5", now);
    }
    CHECK_INT(throttle_check(t, "fresh", "203.0.113.5", now), 0);
    throttle_failure(t, "fresh", "203.0.113.5", now);
    CHECK_INT(throttle_check(t, "fresh2", "203.0.113.5", now), THROTTLE_BASE_LOCK_S);
    CHECK_INT(throttle_check(t, "fresh2", "203.0.113.6", now), 0);
    /* A success clears the account, not the address. */
    throttle_success(t, "fresh", now);
    CHECK_INT(throttle_check(t, "fresh", "203.0.113.5", now), THROTTLE_BASE_LOCK_S);
    CHECK_INT(throttle_check(t, "fresh", NULL, now), 0);
    CHECK_INT(throttle_check(t, NULL, NULL, now), 0);
    CHECK_INT(throttle_check(t, "fresh", "203.0.113.5", now + THROTTLE_BASE_LOCK_S), 0);
    /* NULL throttle is a no-op. */
    CHECK_INT(throttle_check(NULL, "x", "y", now), 0);
    throttle_failure(NULL, "x", "y", now);
    throttle_success(NULL, "x", now);
    throttle_free(NULL);
    throttle_free(t);
}

static void test_capacity(void)
{
    struct throttle *t = throttle_new();
    if (!t)
        return;
    int64_t now = T0;
    for (int i = 0; i <= THROTTLE_FREE_FAILURES; i++)
        throttle_failure(t, "target", NULL, now);
    CHECK_INT(throttle_check(t, "target", NULL, now), THROTTLE_BASE_LOCK_S);
    /* A flood of more names than the table holds fills it but never grows
     * it, and evicts records by their last activity (a lock counts as
     * activity until it ends): a live lock outlasts the flood. */
    char name[32];
    for (int i = 0; i < THROTTLE_CAPACITY + 10; i++) {
        snprintf(name, sizeof name, "flood%d", i);
        throttle_failure(t, name, NULL, now + 1);
    }
    CHECK_INT(throttle_check(t, "target", NULL, now + 1), THROTTLE_BASE_LOCK_S - 1);
    /* Once the lock is over, the record is the oldest and makes room: the
     * next failure starts a fresh count instead of doubling the lock. */
    for (int i = 0; i < THROTTLE_CAPACITY + 10; i++) {
        snprintf(name, sizeof name, "again%d", i);
        throttle_failure(t, name, NULL, now + THROTTLE_BASE_LOCK_S + 1);
    }
    throttle_failure(t, "target", NULL, now + THROTTLE_BASE_LOCK_S + 2);
    CHECK_INT(throttle_check(t, "target", NULL, now + THROTTLE_BASE_LOCK_S + 2), 0);
    /* The control: without the flood the same failure doubles the lock. */
    struct throttle *u = throttle_new();
    if (u) {
        for (int i = 0; i <= THROTTLE_FREE_FAILURES; i++)
            throttle_failure(u, "target", NULL, now);
        throttle_failure(u, "target", NULL, now + THROTTLE_BASE_LOCK_S + 2);
        CHECK_INT(throttle_check(u, "target", NULL, now + THROTTLE_BASE_LOCK_S + 2),
                  2 * THROTTLE_BASE_LOCK_S);
    }
    throttle_free(u);
    throttle_free(t);
}

int main(void)
{
    test_account_lock();
    test_window();
    test_address();
    test_capacity();
    return check_done("test_throttle");
}
