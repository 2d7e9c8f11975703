/* Where verified feeds come from: a thread that owns all I/O on feeds and
 * media, so that the display thread never waits for a disk or a network.
 *
 * Two modes: a signed feed file polled once a second (--feed-file, media from
 * a folder: USB sticks, demos, tests) or a queue or static mirror over HTTP(S)
 * (--queue, net mode). Either way every envelope is verified here
 * (verdict_feed), rollback state is written before a feed is handed over,
 * media are checked against their hash before they are decoded, and the
 * result travels to the display thread in an SDL user event whose data1 is a
 * struct kiosk_delivery (ownership moves with it).
 *
 * Net mode also keeps the offline cache (state dir: the last accepted
 * envelope and its media, verified again at start exactly like bytes from the
 * network), long-polls the queue or polls a mirror conditionally, backs off
 * with jitter after failures, and sends status reports (with a screenshot
 * when the queue asks; the display thread makes it on a
 * KIOSK_EVENT_SCREENSHOT event). */
#ifndef SIGNET_KIOSK_SOURCE_H
#define SIGNET_KIOSK_SOURCE_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "kiosk_clock.h"
#include "kiosk_feed.h"
#include "sg_err.h"
#include "verdict.h"

struct kiosk_source_config {
    const char *feed_file; /* file mode; with media_dir */
    const char *media_dir;
    const char *queue_url; /* net mode */
    const char *token;     /* 64 hex or NULL: no status reports */
    const char *state_dir;
    struct verdict_screen screen; /* trust borrowed, must outlive the source */
    struct kiosk_clock *clock;
    int long_poll_s;
    int64_t poll_interval_ms, timeout_ms, retry_max_ms, status_interval_ms;
    const char *ca_file, *pin_key;
};

/* What the display thread reports about the screen (for status reports). */
struct kiosk_report {
    int64_t version;
    char item[FEED_MAX_ID_LEN + 1]; /* "idle" for the idle card */
    int64_t rev;
    unsigned dropped[VERDICT_REASON_COUNT];
};

/* SDL user events (registered at start): data1 of kiosk_event_delivery is a
 * struct kiosk_delivery * the receiver owns. After the first look (the
 * cache in net mode, the file in file mode) the source sends one delivery
 * (empty if there was nothing), so the display can wait for it before its
 * first frame. */
extern Uint32 kiosk_event_delivery, kiosk_event_screenshot;

struct kiosk_source;

/* Loads the rollback state (a corrupt state file is logged as an error and
 * ignored: the cached envelope, never older, restores the floor) and starts
 * the thread, which first delivers the cached feed if it still verifies.
 * SDL's event subsystem must be up. */
struct kiosk_source *kiosk_source_start(const struct kiosk_source_config *cfg,
                                        struct sg_err *err) SG_MUST_USE;
/* Stops and joins the thread (within a second); frees everything it owns.
 * Deliveries already queued stay in SDL's queue: drain them with
 * kiosk_source_drain_events. NULL is a no-op. */
void kiosk_source_stop(struct kiosk_source *s);
/* Frees the deliveries still queued in SDL's event queue. */
void kiosk_source_drain_events(void);

/* Whether the source thread went round its loop within the last
 * KIOSK_SOURCE_STALE_MS (mono: kiosk_mono_ms()). For the watchdog. */
#define KIOSK_SOURCE_STALE_MS (3 * 60 * 1000)
bool kiosk_source_alive(struct kiosk_source *s, int64_t mono);

/* Display thread → source: what is on screen now; call it freely (a lock
 * and a compare). A new feed version, other drop counts, or the screen going
 * idle or coming back are reported within a few seconds; the card on screen
 * rides along with the regular reports. */
void kiosk_source_report(struct kiosk_source *s, const struct kiosk_report *r);
/* Display thread → source: the screenshot asked for (PNG, malloc'd, taken
 * over; NULL when it could not be made). */
void kiosk_source_screenshot(struct kiosk_source *s, unsigned char *png, size_t len);

#endif
