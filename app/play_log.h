/* Proof of play: one JSON line per card shown,
 *   {"time":"2026-11-22T08:00:00Z","screen":"wz1","item":"tip-1","rev":3,"version":42}
 * with "item":"idle" (rev 0) for the idle card. Lines are appended with one
 * write() each so a reader never sees half a line from us; they are not
 * fsync'd one by one (SD cards wear), so a power cut may lose the last few. */
#ifndef SIGNET_PLAY_LOG_H
#define SIGNET_PLAY_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "sg_err.h"

struct play_log;

/* NULL path: a log that records nothing. Returns NULL and fills err on failure. */
struct play_log *play_log_open(const char *path, struct sg_err *err) SG_MUST_USE;
void play_log_free(struct play_log *log);

bool play_log_write(struct play_log *log, int64_t time, const char *screen, const char *item,
                    int64_t rev, int64_t version, struct sg_err *err) SG_MUST_USE;

#endif
