/* The running queue: what every HTTP handler shares. Owned by queue_main.c
 * (serve), built in dependency order and torn down in reverse. */
#ifndef SIGNET_QUEUE_QUEUE_H
#define SIGNET_QUEUE_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "metrics.h"

struct store;
struct publisher;
struct preview;
struct throttle;
struct source_poller;

/* The clock: seconds since the epoch. Tests of the binary move it with
 * --clock-offset; everything that decides uses this, never time() directly. */
typedef int64_t (*queue_clock_fn)(void *ctx);

struct queue {
    struct store *store;
    struct publisher *publisher;
    struct preview *preview;
    struct throttle *throttle;
    struct source_poller *poller; /* ingest; webhook batches go to its thread */
    struct metrics metrics;
    queue_clock_fn clock;
    void *clock_ctx;
    bool trust_proxy;
    atomic_bool stopping; /* set before the publisher goes: resumed long polls answer 503 */
};

static inline int64_t queue_now(const struct queue *q)
{
    return q->clock(q->clock_ctx);
}

#endif
