/* Statistics of the preview module, for tests and /metrics. Not part of the
 * public contract in preview.h. */
#ifndef SIGNET_QUEUE_PREVIEW_INTERNAL_H
#define SIGNET_QUEUE_PREVIEW_INTERNAL_H

#include <stdint.h>

#include "preview.h"

struct preview_stats {
    uint64_t cache_hits; /* answers served from the cache */
    uint64_t renders;    /* cards actually laid out, drawn and encoded */
    uint64_t outputs;    /* headless renderers opened (one per output size in use) */
    size_t cached;       /* entries in the cache now */
    size_t cached_bytes; /* PNG bytes they hold */
};

void preview_get_stats(struct preview *pv, struct preview_stats *out);
/* Shorthand for preview_get_stats(pv).cache_hits. */
uint64_t preview_cache_hits(struct preview *pv);

#endif
