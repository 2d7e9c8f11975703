/* How long to wait after failures: exponential with jitter, capped.
 *
 * After the n-th failure in a row the ceiling is base * 2^(n-1), at most cap,
 * and the wait is drawn uniformly from [ceiling/2, ceiling] ("equal jitter"):
 * hundreds of screens that lost the queue at the same moment do not come back
 * in the same second, and none waits less than half the ceiling. */
#ifndef SIGNET_BACKOFF_H
#define SIGNET_BACKOFF_H

#include <stdint.h>

struct backoff {
    int64_t base_ms, cap_ms;
    unsigned failures; /* in a row; 0 after a success */
};

void backoff_init(struct backoff *b, int64_t base_ms, int64_t cap_ms);
/* Records a failure and returns the wait before the next attempt. random is
 * a uniformly distributed 32-bit number (randombytes_random()). */
int64_t backoff_fail(struct backoff *b, uint32_t random);
void backoff_success(struct backoff *b);

#endif
