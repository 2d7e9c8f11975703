/* Which card is on screen now.
 *
 * A pure state machine over an accepted feed: the caller passes *now* (wall
 * clock in milliseconds) and a predicate that says whether an item may be
 * shown at that instant (normally verdict_item). Rules:
 *  - priority notices (kind notice with priority > 0) pre-empt everything
 *    else: while any is showable, only the highest-priority notices rotate;
 *  - dwell time grows with reading length, clamped to [dwell_min, dwell_max];
 *  - rotation is fair: every showable item is shown once before any is shown
 *    again, in feed order, also across feed updates (identity is item id);
 *  - an item that stops being showable leaves at once, even mid-dwell;
 *  - with nothing showable the idle card is shown (index -1). */
#ifndef SIGNET_PLAYLIST_H
#define SIGNET_PLAYLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

struct playlist_config {
    int64_t dwell_min_ms;  /* default 6000 */
    int64_t dwell_max_ms;  /* default 20000 */
    int64_t dwell_base_ms; /* default 3000: time to take in a card at all */
    int chars_per_second;  /* default 15: reading speed at distance */
};

void playlist_config_default(struct playlist_config *cfg);

/* Says whether item may be on screen at now_ms (wall clock). */
typedef bool (*playlist_showable_fn)(void *ctx, const struct feed_doc *doc,
                                     const struct feed_item *item, int64_t now_ms);

struct playlist_pick {
    int index;           /* into doc->items; -1 for the idle card */
    bool changed;        /* a different card (or revision) than the previous pick */
    int64_t deadline_ms; /* when to ask again at the latest (end of dwell) */
};

struct playlist;

/* NULL on allocation failure. */
struct playlist *playlist_new(const struct playlist_config *cfg);
void playlist_free(struct playlist *p); /* NULL is a no-op */

/* Points the playlist at a new feed (not owned; must outlive its use). The
 * current card stays on screen if it is still in the feed with the same rev
 * and still showable at the next call. doc may be NULL (nothing accepted). */
void playlist_set_feed(struct playlist *p, const struct feed_doc *doc);

/* The card to show at now_ms. Call on every deadline and whenever something
 * changed (feed, clock tick). */
struct playlist_pick playlist_next(struct playlist *p, int64_t now_ms,
                                   playlist_showable_fn showable, void *ctx);

/* Dwell time for an item under cfg (exposed for tests and the benchmark). */
int64_t playlist_dwell_ms(const struct playlist_config *cfg, const struct feed_item *item);

#endif
