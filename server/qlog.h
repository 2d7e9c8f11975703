/* The queue's log: one logfmt line per event on stderr (journald keeps it
 * under systemd), e.g.
 *   level=info event=request method=GET path="/v1/screens/a/feed" status=304 ms=0.4
 * Values that come from clients go through qlog_quote so a hostile path
 * cannot forge a line or a field. Never log secrets: no tokens, cookies,
 * passwords or request bodies. */
#ifndef SIGNET_QUEUE_QLOG_H
#define SIGNET_QUEUE_QLOG_H

#include <stddef.h>

enum qlog_level { QLOG_ERROR, QLOG_WARN, QLOG_INFO, QLOG_DEBUG };

void qlog_set_level(enum qlog_level level);
/* fields: the rest of the line after "level=.. event=..", printf-style. */
void qlog(enum qlog_level level, const char *event, const char *fields, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes s as a double-quoted logfmt value into out (always NUL-terminated,
 * cut at size with "..."): quotes and backslashes escaped, control bytes
 * as \xHH. Returns out. */
char *qlog_quote(const char *s, char *out, size_t size);

#endif
