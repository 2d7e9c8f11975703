/* Builds the payload of one screen's feed (the format lib/feed.h documents)
 * from the store's approved revisions. Pure: json-c and the core only, no
 * SQLite and no clock; time and version are parameters.
 *
 * The bytes are made with json-c (never spliced), items sorted by id, so the
 * same input always gives the same bytes. Every item is checked with the
 * kiosk's own parser (feed_payload_parse) before it goes in: an item the
 * board would refuse would make it refuse the whole feed, so such an item is
 * left out and counted instead of taking every other item off the screen. */
#ifndef SIGNET_QUEUE_FEEDBUILD_H
#define SIGNET_QUEUE_FEEDBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "sg_err.h"
#include "store.h"

/* The payload travels base64-encoded in the envelope, which the board caps at
 * FEED_MAX_ENVELOPE_BYTES; this leaves room for the envelope's own members. */
#define FEEDBUILD_MAX_PAYLOAD_BYTES (FEED_MAX_ENVELOPE_BYTES / 4 * 3 - 4096)
/* A stored schedule object is small; anything larger is not one. */
#define FEEDBUILD_MAX_SCHEDULE_BYTES 4096

/* The feed's own fields. clinic NULL or "": the member is left out. */
struct feedbuild_feed {
    const char *screen;
    int64_t version, issued, expires;
    const char *clinic;
};

struct feedbuild_result {
    char *payload; /* malloc'd, NUL-terminated (not counted in len) */
    size_t len;
    /* The payload parsed back by the kiosk's parser: the items that made it
     * in (sorted by id), their schedules and media, for the caller's use. */
    struct feed_doc doc;
    /* Approved items that fit no more: over FEED_MAX_ITEMS or over
     * FEEDBUILD_MAX_PAYLOAD_BYTES. The lowest priority go first, then the
     * oldest approvals. */
    size_t left_out;
    /* Items the board would refuse (no approver, approval ending before it
     * began, a malformed schedule, a field over a feed limit, ...). */
    size_t invalid;
};

/* Items checked once can be reused by every feed built from the same list of
 * revisions (one publication round builds a feed per screen from one list).
 * The cache keys on the revisions' addresses: use one cache for one list,
 * and free it before the list. Not thread-safe. */
struct feedbuild_cache;
struct feedbuild_cache *feedbuild_cache_new(void); /* NULL: out of memory (build without) */
void feedbuild_cache_free(struct feedbuild_cache *cache);

/* revs: n approved revisions (pointers into the caller's list; the caller
 * has already filtered them for this screen). Each becomes one item: content,
 * media with type and alt, approval {by: decided_by, at: decided_at, until},
 * schedule from content.schedule_json. Two revisions of one item id keep the
 * higher rev. cache may be NULL. Fails only on a feed-level problem (screen id or clinic over a
 * feed limit, expires not after issued, out of memory); out is then empty.
 * On success the caller frees out with feedbuild_result_finish. */
bool feedbuild_payload(const struct feedbuild_feed *feed, const struct store_revision *const *revs,
                       size_t n, struct feedbuild_cache *cache, struct feedbuild_result *out,
                       struct sg_err *err) SG_MUST_USE;
void feedbuild_result_finish(struct feedbuild_result *res);

#endif
