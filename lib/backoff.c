#include "backoff.h"

void backoff_init(struct backoff *b, int64_t base_ms, int64_t cap_ms)
{
    b->base_ms = base_ms > 0 ? base_ms : 1;
    b->cap_ms = cap_ms > b->base_ms ? cap_ms : b->base_ms;
    b->failures = 0;
}

int64_t backoff_fail(struct backoff *b, uint32_t random)
{
    if (b->failures < 64)
        b->failures++;
    int64_t ceiling = b->base_ms;
    for (unsigned i = 1; i < b->failures && ceiling < b->cap_ms; i++)
        ceiling *= 2;
    if (ceiling > b->cap_ms)
        ceiling = b->cap_ms;
    int64_t half = ceiling / 2;
    return ceiling - half + (int64_t)((uint64_t)random % (uint64_t)(half + 1));
}

void backoff_success(struct backoff *b)
{
    b->failures = 0;
}
