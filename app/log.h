/* Log lines to stderr (journald picks them up under systemd), one line per
 * event, with a level prefix journald understands ("<3>" style when
 * JOURNAL_STREAM is set, plain words otherwise). Never log secrets. */
#ifndef SIGNET_LOG_H
#define SIGNET_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
