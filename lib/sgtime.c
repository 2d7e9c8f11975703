#include "sgtime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic
 * Gregorian calendar, no time zone or libc state involved. */
int64_t sgtime_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void sgtime_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int sgtime_weekday_from_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t w = (days + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

static bool parse_date_prefix(const char *s, int64_t *days)
{
    int y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = sgtime_days_from_civil(y, m, d);
    return true;
}

bool sgtime_parse_date(const char *s, int64_t *days)
{
    return strlen(s) == 10 && parse_date_prefix(s, days);
}

bool sgtime_parse_hhmm(const char *s, int *minutes)
{
    int h, m;
    if (strlen(s) != 5 || !digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m))
        return false;
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *minutes = h * 60 + m;
    return true;
}

bool sgtime_parse_rfc3339(const char *s, int64_t *out)
{
    int64_t days;
    int h, mi, se;
    if (strlen(s) != SGTIME_RFC3339_LEN || !parse_date_prefix(s, &days) || s[10] != 'T' ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se) || s[19] != 'Z')
        return false;
    if (h > 23 || mi > 59 || se > 59)
        return false;
    *out = days * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

void sgtime_format_rfc3339(int64_t t, char out[SGTIME_RFC3339_LEN + 1])
{
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int y, m, d;
    sgtime_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* Outside what the wire format can say; clamp so output stays well-formed. */
        memcpy(out, y < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z",
               SGTIME_RFC3339_LEN + 1);
        return;
    }
    snprintf(out, SGTIME_RFC3339_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static void fill_local(int64_t days, int64_t secs, struct sgtime_local *out)
{
    sgtime_civil_from_days(days, &out->year, &out->month, &out->day);
    out->days = days;
    out->weekday = sgtime_weekday_from_days(days);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
}

bool sgtime_local_utc(void *ctx, int64_t t, struct sgtime_local *out)
{
    (void)ctx;
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    fill_local(days, secs, out);
    return true;
}

bool sgtime_local_tz(void *ctx, int64_t t, struct sgtime_local *out)
{
    (void)ctx;
    time_t tt = (time_t)t;
    struct tm tm;
    if ((int64_t)tt != t || !localtime_r(&tt, &tm))
        return false;
    int64_t days = sgtime_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    fill_local(
        days, (int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + (tm.tm_sec > 59 ? 59 : tm.tm_sec), out);
    return true;
}
