/* Shared helpers of the ingest parsers (ingest_internal.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "sgtime.h"
#include "text.h"

static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */

void ingest_post_finish(struct ingest_post *p)
{
    if (!p)
        return;
    free(p->ext_id);
    free(p->version);
    free(p->title);
    free(p->body);
    free(p->author);
    free(p->link);
    free(p->lang);
    free(p->content_warning);
    free(p->visibility);
    free(p->labels);
    for (size_t i = 0; i < p->nimages; i++) {
        free(p->images[i].url);
        free(p->images[i].alt);
    }
    memset(p, 0, sizeof *p);
}

void ingest_batch_finish(struct ingest_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        ingest_post_finish(&b->posts[i]);
    free(b->posts);
    memset(b, 0, sizeof *b);
}

/* The longest prefix of s (valid UTF-8) of at most max bytes that ends
 * before a base code point: no code point split, and no base separated from
 * the combining marks, variation selectors or ZWJ sequence after it. */
static size_t cut_point(const char *s, size_t len, size_t max)
{
    size_t pos = 0, boundary = 0;
    while (pos < len) {
        uint32_t cp;
        size_t n = text_utf8_next(s + pos, len - pos, &cp);
        if (n == 0)
            break;
        if (!text_is_extend(cp))
            boundary = pos;
        if (pos + n > max)
            return boundary;
        pos += n;
    }
    return pos;
}

char *ingest_clean(const char *s, size_t len, size_t max)
{
    char *clean = text_sanitize(s ? s : "", s ? len : 0, NULL, NULL);
    if (!clean)
        return NULL;
    size_t n = strlen(clean);
    if (n <= max)
        return clean;
    size_t keep = max >= sizeof ellipsis - 1 ? cut_point(clean, n, max - (sizeof ellipsis - 1)) : 0;
    /* No space may stand before the ellipsis. */
    while (keep > 0 && (clean[keep - 1] == ' ' || clean[keep - 1] == '\n'))
        keep--;
    if (max >= sizeof ellipsis - 1) {
        memcpy(clean + keep, ellipsis, sizeof ellipsis);
    } else {
        clean[keep] = '\0';
    }
    return clean;
}

char *ingest_clean_optional(const char *s, size_t len, size_t max, bool *oom)
{
    if (oom)
        *oom = false;
    if (!s)
        return NULL;
    char *c = ingest_clean(s, len, max);
    if (!c) {
        if (oom)
            *oom = true;
        return NULL;
    }
    if (c[0] == '\0') {
        free(c);
        return NULL;
    }
    return c;
}

bool ingest_url_ok(const char *url)
{
    if (!url)
        return false;
    size_t len = strlen(url), skip;
    if (strncmp(url, "https://", 8) == 0)
        skip = 8;
    else if (strncmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    if (len > INGEST_MAX_URL_LEN || len == skip || url[skip] == '/' || url[skip] == '?' ||
        url[skip] == '#')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
            c == '`')
            return false;
    }
    return true;
}

struct ingest_post *ingest_batch_add(struct ingest_batch *b)
{
    if (b->n >= INGEST_MAX_POSTS)
        return NULL;
    /* Room for the most a batch may hold, at the first post: about 20 KiB. */
    if (!b->posts && !(b->posts = calloc(INGEST_MAX_POSTS, sizeof *b->posts)))
        return NULL;
    struct ingest_post *p = &b->posts[b->n++];
    memset(p, 0, sizeof *p);
    return p;
}

void ingest_batch_drop_last(struct ingest_batch *b)
{
    if (b->n == 0)
        return;
    ingest_post_finish(&b->posts[--b->n]);
    b->skipped++;
}

bool ingest_post_add_image(struct ingest_post *p, const char *url, const char *alt, size_t alt_len)
{
    if (p->nimages >= INGEST_MAX_IMAGES || !ingest_url_ok(url))
        return true;
    for (size_t i = 0; i < p->nimages; i++)
        if (strcmp(p->images[i].url, url) == 0)
            return true; /* the same image twice (enclosure and media:content) */
    char *u = strdup(url);
    bool oom = false;
    char *a = ingest_clean_optional(alt, alt_len, INGEST_MAX_ALT_LEN, &oom);
    if (!u || oom) {
        free(u);
        free(a);
        return false;
    }
    p->images[p->nimages].url = u;
    p->images[p->nimages].alt = a;
    p->nimages++;
    return true;
}

static bool ascii_digits(const char *s, int n, int *out)
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

bool ingest_parse_time(const char *s, int64_t *out)
{
    static const int month_len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec;
    if (!s || !ascii_digits(s, 4, &y) || s[4] != '-' || !ascii_digits(s + 5, 2, &mo) ||
        s[7] != '-' || !ascii_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !ascii_digits(s + 11, 2, &h) || s[13] != ':' || !ascii_digits(s + 14, 2, &mi) ||
        s[16] != ':' || !ascii_digits(s + 17, 2, &sec))
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > (mo == 2 && leap ? 29 : month_len[mo - 1]) || h > 23 ||
        mi > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        size_t n = 0;
        while (p[1 + n] >= '0' && p[1 + n] <= '9')
            n++;
        if (n < 1 || n > 9)
            return false;
        p += 1 + n; /* the fraction is dropped: posts are ordered by the second */
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!ascii_digits(p + 1, 2, &oh) || p[3] != ':' || !ascii_digits(p + 4, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        offset = (*p == '-' ? -1 : 1) * ((int64_t)oh * 3600 + om * 60);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    *out = sgtime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return true;
}

static bool ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ingest_lang_ok(const char *s)
{
    if (!s)
        return false;
    size_t i = 0;
    while (ascii_alpha(s[i]))
        i++;
    if (i < 2 || i > 3)
        return false;
    for (int subtags = 0; s[i]; subtags++) {
        if (s[i] != '-' || subtags == 3)
            return false;
        size_t start = ++i;
        while (ascii_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9'))
            i++;
        if (i - start < 2 || i - start > 8)
            return false;
    }
    return true;
}
