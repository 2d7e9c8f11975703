/* Helpers the ingest parsers share (ingest_common.c). Not for the rest of
 * the queue: ingest.h is the interface. */
#ifndef SIGNET_QUEUE_INGEST_INTERNAL_H
#define SIGNET_QUEUE_INGEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

/* A malloc'd copy of s[0..len) that is safe to store and draw: invalid
 * UTF-8 dropped, text_sanitize applied (controls, bidi overrides, runs of
 * spaces), then cut at a code-point boundary (never inside a grapheme's
 * combining marks) so that the result with "…" fits in max bytes. NULL when
 * out of memory. */
char *ingest_clean(const char *s, size_t len, size_t max);

/* Like ingest_clean, but NULL also when the cleaned text is empty: for
 * optional fields, where "" means absent. *oom is set when NULL came from a
 * failed allocation (oom may be NULL). */
char *ingest_clean_optional(const char *s, size_t len, size_t max, bool *oom);

/* True for an absolute http:// or https:// URL of printable ASCII without
 * spaces, quotes or angle brackets, with a host, at most INGEST_MAX_URL_LEN
 * bytes: the only links and image URLs a post keeps. */
bool ingest_url_ok(const char *url);

/* Appends a new zeroed post to b and returns it; NULL when out of memory or
 * b already holds INGEST_MAX_POSTS (then the caller counts it skipped). */
struct ingest_post *ingest_batch_add(struct ingest_batch *b);

/* Removes the last post (it turned out malformed) and counts it skipped. */
void ingest_batch_drop_last(struct ingest_batch *b);

/* Adds an image when url passes ingest_url_ok and there is room; alt may
 * be NULL. Returns false only when out of memory. */
bool ingest_post_add_image(struct ingest_post *p, const char *url, const char *alt, size_t alt_len);

/* RFC 3339 date-time ("2024-03-01T09:30:00Z", "2024-03-01T10:30:00.123+01:00"):
 * the full grammar with real calendar checks, the fraction dropped. Looser
 * than sgtime_parse_rfc3339, which takes only the feed's own UTC shape:
 * Mastodon, Bluesky and webhook senders write fractions and offsets. */
bool ingest_parse_time(const char *s, int64_t *out) SG_MUST_USE;

/* A short BCP 47 tag: 2-3 letters, then up to three subtags of 2-8 letters
 * or digits ("de", "en-GB", "zh-Hant-TW"). At most 30 bytes. */
bool ingest_lang_ok(const char *s);

#endif
