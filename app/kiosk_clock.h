/* The board's notion of now, shared by the display and the network thread.
 *
 * It is the system time (shifted by --clock-start for tests and demos), but
 * never below the issued time of the newest accepted feed: boards without a
 * real-time clock boot in 1970 or days behind, and an old clock must neither
 * revive expired approvals nor make a fresh feed look like it comes from the
 * future. When the system clock jumps forward, now follows it at once. */
#ifndef SIGNET_KIOSK_CLOCK_H
#define SIGNET_KIOSK_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct kiosk_clock {
    int64_t offset_ms;       /* added to the system time; set before threads start */
    _Atomic int64_t floor_s; /* issued time of the newest accepted feed */
};

static inline int64_t kiosk_clock_system_ms(const struct kiosk_clock *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + c->offset_ms;
}

/* now in ms; *behind (may be NULL) tells whether the floor was used. */
static inline int64_t kiosk_clock_now_ms(struct kiosk_clock *c, bool *behind)
{
    int64_t now = kiosk_clock_system_ms(c);
    int64_t floor_ms = atomic_load(&c->floor_s) * 1000;
    if (behind)
        *behind = now < floor_ms;
    return now < floor_ms ? floor_ms : now;
}

static inline void kiosk_clock_raise_floor(struct kiosk_clock *c, int64_t issued_s)
{
    int64_t cur = atomic_load(&c->floor_s);
    while (issued_s > cur && !atomic_compare_exchange_weak(&c->floor_s, &cur, issued_s)) {
    }
}

static inline int64_t kiosk_clock_floor(struct kiosk_clock *c)
{
    return atomic_load(&c->floor_s);
}

/* Milliseconds on a clock that never jumps, for timeouts and intervals. */
static inline int64_t kiosk_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
