/* The ingest edge: one thread that polls the sources that are due (RSS and
 * Atom feeds, Mastodon and Bluesky public timelines) and takes the batches
 * webhooks hand in. It fetches with signet_net (app/net_http.h: timeouts,
 * size caps counted as bytes arrive, http/https only), parses with the pure
 * parsers of ingest.h, downloads each image once (size- and pixel-capped by
 * upload_check_image, remembered by URL), applies the source's rules
 * (source_rules.h) and hands each post to store_ingest_post. A source that
 * answers 429 is asked again after its Retry-After, never sooner than its
 * interval. After anything changed it kicks the publisher, so an
 * auto-approved post reaches the screens like any other approval. */
#ifndef SIGNET_QUEUE_SOURCE_POLLER_H
#define SIGNET_QUEUE_SOURCE_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "queue.h"
#include "sg_err.h"

struct store;
struct publisher;

struct source_poller_config {
    struct store *store;
    struct publisher *publisher; /* NULL: nothing to kick (the CLI) */
    queue_clock_fn clock;
    void *clock_ctx;
    /* Blocklist files (one entry a line); missing files are an error. */
    const char *const *blocklist_files;
    size_t nblocklist;
    const char *ca_file;        /* NULL: the system's CA store */
    int64_t timeout_ms;         /* connect timeout and stall window; 0: 15 s */
    int approval_days_fallback; /* when settings cannot be read */
};

/* What one round did (for the log line, the CLI and tests). */
struct source_stats {
    size_t polled, failed;
    size_t taken_new, edited, approved, same, capped, skipped, held, gone, images;
};

struct source_poller;

/* Loads the blocklists; starts no thread (source_poller_start does). */
struct source_poller *source_poller_new(const struct source_poller_config *cfg,
                                        struct sg_err *err) SG_MUST_USE;
/* The thread: wakes at least every few seconds for due sources. */
bool source_poller_start(struct source_poller *p, struct sg_err *err) SG_MUST_USE;
/* Stops the thread (an ongoing fetch ends within its timeouts) and frees. */
void source_poller_free(struct source_poller *p);
/* Sources changed (added, edited, "poll now"): look again at once. */
void source_poller_kick(struct source_poller *p);
/* Hands over a webhook's parsed batch for source_id (taken over, emptied).
 * False when too many batches wait already (the caller answers 503). */
bool source_poller_submit(struct source_poller *p, int64_t source_id, struct ingest_batch *batch);
/* Polls every due source and takes every queued batch on the calling
 * thread, adding to *stats (may be NULL). For `signet-queue source poll` and
 * tests. */
void source_poller_run_once(struct source_poller *p, struct source_stats *stats);

#endif
