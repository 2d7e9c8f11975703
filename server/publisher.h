/* The publisher: turns the store's approved revisions into one signed feed
 * per screen, keeps the current envelope of every screen in memory for the
 * feed route, and wakes long-polling requests when a screen's version moves.
 *
 * One thread of its own. publisher_kick() (after any decision) makes it
 * recompute within PUBLISHER_KICK_DELAY_MS; it also wakes by itself at the
 * next instant anything changes on its own: an approval running out
 * (store_expire_due), a schedule boundary of an approved item in a screen's
 * time zone, a feed reaching half its lifetime (re-signed with a new version
 * so a screen that only ever receives 304s never runs into expiry), and the
 * earliest long-poll deadline.
 *
 * A screen gets a new version only when the bytes would differ in a way
 * that matters: the set of items (content hash, approval, targets), the
 * emergency stop, the clinic name, or a re-sign/boundary. Versions are
 * stored (store_feed_save) before they are served, so a restart never serves
 * a lower version. Under the emergency stop every feed is published with no
 * items; lifting it publishes the approved set again (new versions). */
#ifndef SIGNET_QUEUE_PUBLISHER_H
#define SIGNET_QUEUE_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "sg_err.h"
#include "store.h"

#define PUBLISHER_KICK_DELAY_MS 20

/* now_fn: the clock (NULL: time()). Tests pass their own to step time. */
typedef int64_t (*publisher_clock_fn)(void *ctx);

struct publisher;

/* key is copied. Loads the stored feeds; publishes every screen whose feed is
 * missing, stale or past half its lifetime before returning, then starts the
 * thread. */
struct publisher *publisher_new(struct store *st, const struct keys_secret *key,
                                publisher_clock_fn now_fn, void *clock_ctx,
                                struct sg_err *err) SG_MUST_USE;
/* Stops the thread, fires every pending waiter once, frees. NULL: no-op. */
void publisher_free(struct publisher *p);

/* Something changed (decision, new screen, settings): recompute soon. Cheap,
 * callable from any thread. */
void publisher_kick(struct publisher *p);
/* Recomputes now, on the caller's thread (for `signet-queue publish` and
 * tests). Returns false on a store or signing failure. */
bool publisher_run_once(struct publisher *p, struct sg_err *err) SG_MUST_USE;

/* A reference-counted copy of one screen's current feed: immutable, safe to
 * hand to microhttpd while the publisher moves on. */
struct publisher_feed {
    int64_t version, issued, expires;
    const char *envelope; /* DSSE JSON, NUL-terminated */
    size_t len;
};
/* NULL when the screen is unknown (or has no feed yet). Release with
 * publisher_feed_release. */
const struct publisher_feed *publisher_feed_get(struct publisher *p, const char *screen_id);
void publisher_feed_release(const struct publisher_feed *feed);

/* Milliseconds on CLOCK_MONOTONIC: the clock of long-poll deadlines (the
 * HTTP layer computes deadline_ms = publisher_monotonic_ms() + wait * 1000;
 * a stepped wall clock must not cut a poll short or hold it for hours). */
int64_t publisher_monotonic_ms(void);

/* Long-poll. wake(ctx) is called exactly once, from the publisher's thread,
 * when screen_id's version becomes greater than known_version, when deadline
 * (publisher_monotonic_ms) passes, or when the publisher is freed; the waiter
 * is gone after that call. publisher_unwait removes a waiter that has not
 * fired yet and returns true (then wake will not be called), false when it
 * already fired or is firing. */
struct publisher_waiter;
typedef void (*publisher_wake_fn)(void *ctx);
struct publisher_waiter *publisher_wait(struct publisher *p, const char *screen_id,
                                        int64_t known_version, int64_t deadline_ms,
                                        publisher_wake_fn wake, void *ctx) SG_MUST_USE;
bool publisher_unwait(struct publisher *p, struct publisher_waiter *w);

/* Shutdown, step one: has every pending waiter fired (on the publisher's
 * thread) and returns when no wake call is pending or running; later
 * publisher_wait calls return NULL. The HTTP layer can then answer every
 * held request before it stops; feeds are served until publisher_free. */
void publisher_release_waiters(struct publisher *p);

/* Mirrors every screen's feed and its media into dir now (publisher_export)
 * and again after each new version, from the publisher's thread (serve
 * --publish-dir: nginx next to the queue serves the folder). */
bool publisher_export_to(struct publisher *p, const char *dir, struct sg_err *err) SG_MUST_USE;

/* For /metrics. */
struct publisher_stats {
    int64_t versions_published; /* since start */
    int64_t waiters;            /* long polls held now */
    int64_t screens;
};
void publisher_stats(struct publisher *p, struct publisher_stats *out);

/* Writes DIR/v1/screens/<id>/feed for every screen and DIR/v1/media/<sha256>
 * for every media file those feeds name, each atomically; the same URL
 * layout the server answers, for nginx or a CDN. */
bool publisher_export(struct publisher *p, const char *dir, struct sg_err *err) SG_MUST_USE;

#endif
