/* `signet-queue source ...` and the ingest settings `serve` shares with it:
 * which blocklist files to load and how to build the poller. */
#ifndef SIGNET_QUEUE_CLI_SOURCES_H
#define SIGNET_QUEUE_CLI_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "queue.h"
#include "sg_err.h"

struct store;
struct publisher;
struct source_poller;

#define CLI_MAX_BLOCKLISTS 8

/* `signet-queue source add|list|poll ...` (argv after "source"). Returns the
 * exit code: 0, 1 (refused or failed), 2 (usage). */
int cli_source(int argc, char **argv);

/* The poller for serve: the blocklists given (--blocklist, at most
 * CLI_MAX_BLOCKLISTS), or when none is given those that exist of
 * DATA/blocklist.txt and the installed starter lists. */
struct source_poller *cli_poller_new(struct store *st, struct publisher *pub, queue_clock_fn clock,
                                     const char *data_dir, const char *const *blocklists, size_t n,
                                     int64_t timeout_ms, struct sg_err *err) SG_MUST_USE;

#endif
