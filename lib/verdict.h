/* The approval invariant of DESIGN.md, as verdicts.
 *
 * verdict_feed() decides whether a received envelope is accepted at all
 * (signature, key, payload type, payload, screen, rollback, expiry).
 * verdict_item() decides, for an accepted feed and a given *now*, whether one
 * item may be on screen (feed expiry, approval, window, schedule, media).
 * Item verdicts change with time, so callers ask again at every decision. */
#ifndef SIGNET_VERDICT_H
#define SIGNET_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "keys.h"
#include "sg_err.h"
#include "sgtime.h"

enum verdict_reason {
    VERDICT_SHOWN = 0,
    /* The whole feed is refused. */
    VERDICT_ENVELOPE_MALFORMED,
    VERDICT_PAYLOAD_TYPE,
    VERDICT_UNKNOWN_KEY,
    VERDICT_BAD_SIGNATURE,
    VERDICT_PAYLOAD_MALFORMED,
    VERDICT_UNKNOWN_MAJOR,
    VERDICT_WRONG_SCREEN,
    VERDICT_ROLLBACK,        /* version below the last accepted */
    VERDICT_REPLAY_MISMATCH, /* same version as the last accepted, other bytes */
    VERDICT_FEED_EXPIRED,
    /* One item is dropped. */
    VERDICT_NO_APPROVAL,
    VERDICT_APPROVAL_NOT_YET,
    VERDICT_APPROVAL_EXPIRED,
    VERDICT_SCHEDULE_DATES,
    VERDICT_SCHEDULE_WEEKDAY,
    VERDICT_SCHEDULE_HOURS,
    VERDICT_MEDIA_MISSING,
    VERDICT_MEDIA_MISMATCH,
    VERDICT_REASON_COUNT
};

/* Stable, short, kebab-case names for logs and tests ("approval-expired"). */
const char *verdict_reason_name(enum verdict_reason reason);

enum verdict_media_state { VERDICT_MEDIA_OK, VERDICT_MEDIA_ABSENT, VERDICT_MEDIA_BAD };

/* Reports whether the media file named by sha256 (lower-case hex) is present
 * and its bytes match that hash. */
typedef enum verdict_media_state (*verdict_media_fn)(void *ctx, const char *sha256);

/* What this board knows when a feed arrives. */
struct verdict_screen {
    const char *screen;        /* this board's screen id */
    const char *const *groups; /* groups it belongs to */
    size_t ngroups;
    const struct keys_trust *trust;
    bool have_last; /* a feed was accepted before (from the state dir) */
    int64_t last_version;
    unsigned char last_sha256[32];
};

struct verdict_clock {
    int64_t now;           /* seconds since epoch, already clamped by the caller */
    sgtime_local_fn local; /* the screen's time zone */
    void *local_ctx;
};

/* Verifies and parses an envelope. On VERDICT_SHOWN, *doc holds the accepted
 * feed (caller frees with feed_doc_finish) and keyid the key that signed it.
 * Otherwise doc is empty and err says why in one line. */
enum verdict_reason verdict_feed(const char *bytes, size_t len, const struct verdict_screen *screen,
                                 const struct verdict_clock *clock, struct feed_doc *doc,
                                 char keyid[FEED_KEYID_HEX_LEN + 1],
                                 struct sg_err *err) SG_MUST_USE;

/* Decides one item of an accepted feed at clock->now. media may be NULL only
 * for items without media (an item with media and no checker is
 * VERDICT_MEDIA_MISSING). */
enum verdict_reason verdict_item(const struct feed_doc *doc, const struct feed_item *item,
                                 const struct verdict_clock *clock, verdict_media_fn media,
                                 void *media_ctx) SG_MUST_USE;

/* The earliest instant after clock->now at which verdict_item() may change
 * its answer for any item of doc because of an approval window or the feed's
 * expiry, or INT64_MAX. Schedules are minute-granular: callers that wake at
 * least once a minute follow them. */
int64_t verdict_next_change(const struct feed_doc *doc, int64_t now);

#endif
