/* Log lines to stderr (journald picks them up under systemd), one line per
 * event, with a level prefix journald understands ("<3>" style when
 * JOURNAL_STREAM is set, plain words otherwise). Never log secrets. Safe to
 * call from the display and the network thread. */
#ifndef SIGNET_LOG_H
#define SIGNET_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies the text of the last warning or error logged (empty when none yet)
 * into out: what a status report calls last_error. */
void log_last_problem(char *out, size_t cap);
/* Forgets it (the problem went away: the queue answers again). */
void log_clear_problem(void);

#endif
