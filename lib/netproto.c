#include "netproto.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"
#include "jsonx.h"

bool netproto_base_url(const char *url, char out[NETPROTO_MAX_URL + 1], struct sg_err *err)
{
    size_t len = strlen(url);
    const char *host;
    if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else {
        sg_err_set(err, "queue URL must start with http:// or https://");
        return false;
    }
    while (len > (size_t)(host - url) && url[len - 1] == '/')
        len--;
    if (len > NETPROTO_MAX_URL) {
        sg_err_set(err, "queue URL is longer than %d bytes", NETPROTO_MAX_URL);
        return false;
    }
    size_t hostlen = strcspn(host, "/");
    if (hostlen == 0) {
        sg_err_set(err, "queue URL names no host");
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '\\') {
            sg_err_set(err, "queue URL may not hold spaces, a query or a fragment");
            return false;
        }
    }
    if (memchr(host, '@', hostlen)) {
        sg_err_set(err, "queue URL may not hold a user name or password");
        return false;
    }
    memcpy(out, url, len);
    out[len] = '\0';
    return true;
}

static bool fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap;
}

bool netproto_feed_url(const char *base, const char *screen, int wait, char *out, size_t cap)
{
    if (!feed_name_valid(screen, FEED_MAX_ID_LEN))
        return false;
    if (wait > 0)
        return fits(snprintf(out, cap, "%s/v1/screens/%s/feed?wait=%d", base, screen, wait), cap);
    return fits(snprintf(out, cap, "%s/v1/screens/%s/feed", base, screen), cap);
}

bool netproto_media_url(const char *base, const char *sha256, char *out, size_t cap)
{
    return feed_sha256_hex_valid(sha256) &&
           fits(snprintf(out, cap, "%s/v1/media/%s", base, sha256), cap);
}

bool netproto_status_url(const char *base, const char *screen, char *out, size_t cap)
{
    return feed_name_valid(screen, FEED_MAX_ID_LEN) &&
           fits(snprintf(out, cap, "%s/v1/screens/%s/status", base, screen), cap);
}

bool netproto_header_etag(const char *line, size_t len, char out[NETPROTO_MAX_ETAG + 1])
{
    static const char name[] = "etag:";
    if (len < sizeof name - 1 || strncasecmp(line, name, sizeof name - 1) != 0)
        return false;
    const char *v = line + sizeof name - 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    /* entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 8.8.3) */
    const char *q = v;
    if (vlen >= 2 && q[0] == 'W' && q[1] == '/')
        q += 2;
    if (vlen > NETPROTO_MAX_ETAG || end - q < 2 || q[0] != '"' || end[-1] != '"')
        return false;
    for (const char *p = q + 1; p < end - 1; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == '"' || c >= 0x7f)
            return false;
    }
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return true;
}

static int month_index(const char *m)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (memcmp(months + 3 * i, m, 3) == 0)
            return i + 1;
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool netproto_header_retry_after(const char *line, size_t len, int64_t now_s, int64_t *delay_s)
{
    static const char name[] = "retry-after:";
    if (len < sizeof name - 1 || strncasecmp(line, name, sizeof name - 1) != 0)
        return false;
    char v[64];
    const char *p = line + sizeof name - 1, *end = line + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= sizeof v)
        return false;
    memcpy(v, p, n);
    v[n] = '\0';
    int64_t delay;
    if (strspn(v, "0123456789") == n) {
        if (n > 9)
            delay = NETPROTO_MAX_RETRY_AFTER_S;
        else
            delay = strtoll(v, NULL, 10);
    } else {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        int day, year, hh, mm, ss;
        char wday[4], mon[4], zone[4];
        int used = 0;
        if (n != 29 ||
            sscanf(v, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wday, &day, mon, &year, &hh, &mm, &ss,
                   zone, &used) != 8 ||
            used != 29 || v[3] != ',' || strcmp(zone, "GMT") != 0 || !month_index(mon) || day < 1 ||
            day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970)
            return false;
        int64_t t = days_from_civil(year, month_index(mon), day) * 86400 + hh * 3600 + mm * 60 + ss;
        delay = t > now_s ? t - now_s : 0;
    }
    *delay_s = delay > NETPROTO_MAX_RETRY_AFTER_S ? NETPROTO_MAX_RETRY_AFTER_S : delay;
    return true;
}

bool netproto_token_parse(const char *text, size_t len, char out[65], struct sg_err *err)
{
    const char *p = text, *end = text + len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    size_t n = (size_t)(end - p);
    bool hex = n == 64;
    /* Byte by byte within len: text need not be NUL-terminated. */
    for (size_t i = 0; hex && i < n; i++)
        hex = (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
              (p[i] >= 'A' && p[i] <= 'F');
    if (!hex) {
        /* Never echo the text: it may be a real token with a typo. */
        sg_err_set(err, "a screen token is 64 hex digits on one line");
        return false;
    }
    memcpy(out, p, 64);
    out[64] = '\0';
    return true;
}

static bool add(struct json_object *o, const char *key, struct json_object *v)
{
    if (!v)
        return false;
    if (json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return false;
    }
    return true;
}

char *netproto_status_body(const struct netproto_status *s, const unsigned char *png,
                           size_t png_len, size_t *len)
{
    if (png && png_len > NETPROTO_MAX_SCREENSHOT_BYTES)
        return NULL;
    struct json_object *o = json_object_new_object(), *dropped = NULL;
    char *b64 = NULL, *text = NULL;
    bool ok = o && add(o, "version", json_object_new_int64(s->version)) &&
              add(o, "item", json_object_new_string(s->item ? s->item : "idle")) &&
              add(o, "rev", json_object_new_int64(s->rev)) &&
              add(o, "uptime", json_object_new_int64(s->uptime));
    if (ok && s->last_error && s->last_error[0]) {
        char clean[NETPROTO_MAX_ERROR_LEN + 1];
        size_t n = 0;
        for (const char *p = s->last_error; *p && n < NETPROTO_MAX_ERROR_LEN; p++) {
            unsigned char c = (unsigned char)*p;
            clean[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        clean[n] = '\0';
        ok = add(o, "last_error", json_object_new_string(clean));
    }
    for (int r = 0; ok && r < VERDICT_REASON_COUNT; r++) {
        if (r == VERDICT_SHOWN || s->dropped[r] == 0)
            continue;
        if (!dropped) {
            dropped = json_object_new_object();
            ok = add(o, "dropped", dropped);
        }
        ok = ok && add(dropped, verdict_reason_name((enum verdict_reason)r),
                       json_object_new_int64(s->dropped[r]));
    }
    if (ok && png) {
        size_t b64_len = sodium_base64_ENCODED_LEN(png_len, sodium_base64_VARIANT_ORIGINAL);
        ok = (b64 = malloc(b64_len)) != NULL;
        if (ok) {
            sodium_bin2base64(b64, b64_len, png, png_len, sodium_base64_VARIANT_ORIGINAL);
            ok = add(o, "screenshot", json_object_new_string(b64));
        }
    }
    if (ok) {
        size_t n = 0;
        const char *t = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
        if (t && (text = malloc(n + 1))) {
            memcpy(text, t, n + 1);
            *len = n;
        }
    }
    free(b64);
    json_object_put(o);
    return text;
}

bool netproto_status_reply(const char *body, size_t len, bool *screenshot, struct sg_err *err)
{
    struct json_object *root, *v;
    *screenshot = false;
    if (!jsonx_parse_object(body, len, NETPROTO_MAX_REPLY_BYTES, 4, &root, err))
        return false;
    bool ok = true;
    if (json_object_object_get_ex(root, "screenshot_requested", &v)) {
        if (json_object_is_type(v, json_type_boolean))
            *screenshot = json_object_get_boolean(v);
        else {
            sg_err_set(err, "status reply: \"screenshot_requested\" is not true or false");
            ok = false;
        }
    }
    json_object_put(root);
    return ok;
}
