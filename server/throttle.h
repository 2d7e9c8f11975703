/* Login throttling, per account name and per client address. Failures within
 * THROTTLE_WINDOW_S count; from THROTTLE_FREE_FAILURES on, each further
 * failure doubles a lock-out starting at THROTTLE_BASE_LOCK_S, capped at
 * THROTTLE_MAX_LOCK_S. A success clears the account's record (not the
 * address's). Time is a parameter; the table has a fixed capacity and evicts
 * the oldest records, so a flood of names cannot grow memory. Thread-safe. */
#ifndef SIGNET_QUEUE_THROTTLE_H
#define SIGNET_QUEUE_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define THROTTLE_WINDOW_S (15 * 60)
#define THROTTLE_FREE_FAILURES 5
#define THROTTLE_IP_FREE_FAILURES 20
#define THROTTLE_BASE_LOCK_S 30
#define THROTTLE_MAX_LOCK_S (15 * 60)
#define THROTTLE_CAPACITY 4096

struct throttle;

struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);
/* 0: go ahead; else seconds until a login may be tried again (Retry-After). */
int64_t throttle_check(struct throttle *t, const char *account, const char *ip, int64_t now);
void throttle_failure(struct throttle *t, const char *account, const char *ip, int64_t now);
void throttle_success(struct throttle *t, const char *account, int64_t now);

#endif
