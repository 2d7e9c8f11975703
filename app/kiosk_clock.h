/* The board's notion of now, shared by the display and the network thread.
 *
 * It is the system time (shifted by --clock-start for tests and demos), but
 * never below a floor: boards without a real-time clock boot in 1970 or days
 * behind, and an old clock must neither revive expired approvals nor make a
 * fresh feed look like it comes from the future.
 *
 * The floor is the issued time of the newest accepted feed plus the time
 * that has passed since it was raised, measured on the monotonic clock: the
 * true time cannot be earlier than that. So while the system clock is
 * behind, now still advances (cards rotate, approvals run out on time), and
 * when the system clock jumps forward (NTP), now follows it at once. The
 * floor lives on the monotonic axis as one atomic number, so both threads
 * read a consistent value without a lock. */
#ifndef SIGNET_KIOSK_CLOCK_H
#define SIGNET_KIOSK_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Below any real floor, and far enough from INT64_MIN that adding a
 * monotonic reading cannot overflow. */
#define KIOSK_CLOCK_NO_FLOOR (INT64_MIN / 2)

struct kiosk_clock {
    int64_t offset_ms;           /* added to the system time; set before threads start */
    _Atomic int64_t floor_at_ms; /* the floor minus the monotonic clock */
};

/* Milliseconds on a clock that never jumps, for timeouts and intervals. */
static inline int64_t kiosk_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void kiosk_clock_init(struct kiosk_clock *c)
{
    c->offset_ms = 0;
    atomic_init(&c->floor_at_ms, KIOSK_CLOCK_NO_FLOOR);
}

static inline int64_t kiosk_clock_system_ms(const struct kiosk_clock *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + c->offset_ms;
}

/* The floor now, in ms (KIOSK_CLOCK_NO_FLOOR-ish when there is none). */
static inline int64_t kiosk_clock_floor_ms(struct kiosk_clock *c)
{
    return atomic_load(&c->floor_at_ms) + kiosk_mono_ms();
}

/* now in ms; *behind (may be NULL) tells whether the floor was used. */
static inline int64_t kiosk_clock_now_ms(struct kiosk_clock *c, bool *behind)
{
    int64_t now = kiosk_clock_system_ms(c);
    int64_t floor_ms = kiosk_clock_floor_ms(c);
    if (behind)
        *behind = now < floor_ms;
    return now < floor_ms ? floor_ms : now;
}

/* A feed issued at issued_s was accepted: the true time is at least that. */
static inline void kiosk_clock_raise_floor(struct kiosk_clock *c, int64_t issued_s)
{
    int64_t want = issued_s * 1000 - kiosk_mono_ms();
    int64_t cur = atomic_load(&c->floor_at_ms);
    while (want > cur && !atomic_compare_exchange_weak(&c->floor_at_ms, &cur, want)) {
    }
}

#endif
