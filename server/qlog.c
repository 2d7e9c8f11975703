#include "qlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgtime.h"

static enum qlog_level max_level = QLOG_INFO;

void qlog_set_level(enum qlog_level level)
{
    max_level = level;
}

void qlog(enum qlog_level level, const char *event, const char *fields, ...)
{
    if (level > max_level)
        return;
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char rest[1536];
    va_list ap;
    va_start(ap, fields);
    vsnprintf(rest, sizeof rest, fields, ap);
    va_end(ap);
    char ts[SGTIME_RFC3339_LEN + 1];
    sgtime_format_rfc3339((int64_t)time(NULL), ts);
    /* One fprintf per line: stdio locks the stream, so lines from
     * microhttpd's threads do not interleave. */
    if (getenv("JOURNAL_STREAM"))
        fprintf(stderr, "level=%s event=%s %s\n", names[level], event, rest);
    else
        fprintf(stderr, "ts=%s level=%s event=%s %s\n", ts, names[level], event, rest);
}

char *qlog_quote(const char *s, char *out, size_t size)
{
    size_t o = 0;
    if (size < 8) {
        if (size)
            out[0] = '\0';
        return out;
    }
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        char tmp[5];
        size_t n;
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p;
            n = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
            n = 4;
        } else {
            tmp[0] = (char)*p;
            n = 1;
        }
        if (o + n + 5 > size) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, tmp, n);
        o += n;
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}
