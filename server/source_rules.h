/* A source's rules applied to one ingested post: what the store is handed
 * (store_ingest_post), or why the post is skipped. Pure (no network, no
 * SQLite), so every rule is unit-tested.
 *
 * The rules, in order:
 *   - replies and reposts are skipped (a waiting room shows the clinic's own
 *     words, not conversations or other people's posts);
 *   - a post with no text at all is skipped;
 *   - what the source said about the post (content warning, sensitive,
 *     non-public visibility, labels) becomes the revision's notes;
 *   - with the source's blocklist on, a blocked word or phrase in the title,
 *     the body or the content warning holds the post, with the word named;
 *   - auto-approval (the clinic's own account) applies only to a post with
 *     no notes and no hold; everything else stays pending for a person. */
#ifndef SIGNET_QUEUE_SOURCE_RULES_H
#define SIGNET_QUEUE_SOURCE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "ingest.h"
#include "store.h"

struct rules_media {
    char sha256[65]; /* the downloaded image, stored in the media table */
    const char *alt; /* borrowed from the post */
};

struct rules_result {
    struct store_content content; /* owned (store_content_finish) */
    char version[65];             /* the post's own, or the hash of its content */
    char notes[STORE_MAX_REASON_LEN + 1];
    char held[STORE_MAX_REASON_LEN + 1];
    bool auto_approve;
    int64_t approve_until;
    struct store_ingest_post post; /* points into this struct and the post */
};

/* NULL when the post is taken (then *out is filled; rules_result_finish it),
 * else the reason it is skipped ("reply", "repost", "empty"). media holds
 * the post's images that were downloaded (nmedia <= STORE_MAX_MEDIA);
 * blocklist may be NULL. approval_days: how long an auto-approval lasts.
 * *oom is set when an allocation failed (then the post is skipped too). */
const char *rules_apply(const struct store_source *src, const struct ingest_blocklist *blocklist,
                        const struct ingest_post *post, const struct rules_media *media,
                        size_t nmedia, int approval_days, int64_t now, struct rules_result *out,
                        bool *oom);
void rules_result_finish(struct rules_result *r);

#endif
