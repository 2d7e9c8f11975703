/* Wall-clock time as the feed protocol writes it. Every function takes time
 * as a parameter; nothing here reads the clock. Times are seconds since the
 * Unix epoch (UTC) in int64_t. */
#ifndef SIGNET_SGTIME_H
#define SIGNET_SGTIME_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-11-22T08:00:00Z": exactly this shape, UTC only (wire detail of DESIGN.md). */
#define SGTIME_RFC3339_LEN 20

/* A broken-down local time, the view schedules are written in. */
struct sgtime_local {
    int year;
    int month;   /* 1..12 */
    int day;     /* 1..31 */
    int weekday; /* ISO: 1 = Monday .. 7 = Sunday */
    int hour;
    int minute;
    int second;
    int64_t days; /* the local date as days since 1970-01-01 */
};

/* Converts an instant to local time in the screen's time zone.
 * Returns false when the conversion fails. */
typedef bool (*sgtime_local_fn)(void *ctx, int64_t t, struct sgtime_local *out);

/* Strict RFC 3339 UTC: "YYYY-MM-DDTHH:MM:SSZ", nothing else (no offsets, no
 * fractions, no lower case), with real calendar checks. */
bool sgtime_parse_rfc3339(const char *s, int64_t *out) __attribute__((warn_unused_result));
/* out receives SGTIME_RFC3339_LEN characters and a NUL. */
void sgtime_format_rfc3339(int64_t t, char out[SGTIME_RFC3339_LEN + 1]);

/* "YYYY-MM-DD" to days since 1970-01-01. */
bool sgtime_parse_date(const char *s, int64_t *days) __attribute__((warn_unused_result));
/* "HH:MM" (00:00..24:00) to minutes since midnight. */
bool sgtime_parse_hhmm(const char *s, int *minutes) __attribute__((warn_unused_result));

int64_t sgtime_days_from_civil(int64_t y, int m, int d);
void sgtime_civil_from_days(int64_t days, int *y, int *m, int *d);
/* ISO weekday (1 = Monday) of a day count since 1970-01-01 (a Thursday). */
int sgtime_weekday_from_days(int64_t days);

/* sgtime_local_fn for UTC; ctx is ignored. */
bool sgtime_local_utc(void *ctx, int64_t t, struct sgtime_local *out);
/* sgtime_local_fn using the C library's zone (the TZ environment variable,
 * e.g. "Europe/Berlin"); ctx is ignored. */
bool sgtime_local_tz(void *ctx, int64_t t, struct sgtime_local *out);

#endif
