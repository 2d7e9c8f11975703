#include "net_http.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk_clock.h"

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct net_transfer *t = ctx;
    size_t n = size * nmemb;
    if (n > t->max - t->len) {
        t->over = true;
        return 0; /* curl aborts with CURLE_WRITE_ERROR */
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 16384;
        while (cap < t->len + n + 1)
            cap *= 2;
        if (cap > t->max + 1)
            cap = t->max + 1;
        char *grown = realloc(t->body, cap);
        if (!grown)
            return 0;
        t->body = grown;
        t->cap = cap;
    }
    memcpy(t->body + t->len, data, n);
    t->len += n;
    t->body[t->len] = '\0';
    return n;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
    struct net_transfer *t = ctx;
    size_t n = size * nmemb;
    /* A new status line starts a new response (after a redirect or a
     * 100 Continue): forget the headers of the previous one. */
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        t->etag[0] = '\0';
        t->retry_after_s = -1;
    } else if (!netproto_header_etag(line, n, t->etag)) {
        int64_t delay;
        if (netproto_header_retry_after(line, n, t->clock_s, &delay))
            t->retry_after_s = delay;
    }
    return n;
}

static long seconds_up(int64_t ms)
{
    return (long)((ms + 999) / 1000);
}

static bool common(struct net_transfer *t, const struct net_settings *s, const char *url,
                   size_t max, int wait_s, struct sg_err *err)
{
    memset(t, 0, sizeof *t);
    t->max = max;
    t->retry_after_s = -1;
    t->clock_s = (int64_t)time(NULL); /* only to turn an HTTP date into a delay */
    if (!(t->easy = curl_easy_init())) {
        sg_err_set(err, "curl: out of memory");
        return false;
    }
    CURL *e = t->easy;
    int64_t window = s->timeout_ms > 0 ? s->timeout_ms : 15000;
    /* Large enough for a full response at the low-speed floor's pace, with
     * the allowed silence of a long poll on top. */
    int64_t total = (int64_t)wait_s * 1000 + 4 * window + (int64_t)(max / 65536) * 1000;
    bool ok =
        curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)NET_MAX_REDIRECTS) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)window) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)total) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, (long)NET_LOW_SPEED_BYTES) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, seconds_up(window) + wait_s) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_MAXLIFETIME_CONN, (long)NET_MAX_CONN_LIFETIME_S) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_USERAGENT, s->user_agent ? s->user_agent : "signet-kiosk/1") ==
            CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERDATA, t) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PRIVATE, t) == CURLE_OK;
    if (ok && s->ca_file)
        ok = curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_file) == CURLE_OK;
    if (ok && s->pin_key)
        ok = curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, s->pin_key) == CURLE_OK;
    if (!ok) {
        sg_err_set(err, "curl refused a safety setting (libcurl too old?)");
        net_transfer_finish(t);
        return false;
    }
    t->started_ms = kiosk_mono_ms();
    return true;
}

bool net_transfer_get(struct net_transfer *t, const struct net_settings *s, const char *url,
                      size_t max, int wait_s, const char *if_none_match, struct sg_err *err)
{
    if (!common(t, s, url, max, wait_s, err))
        return false;
    bool ok = curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK;
    if (ok && if_none_match && if_none_match[0]) {
        char h[sizeof "If-None-Match: " + NETPROTO_MAX_ETAG];
        snprintf(h, sizeof h, "If-None-Match: %s", if_none_match);
        struct curl_slist *l = curl_slist_append(NULL, h);
        ok = l && curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, l) == CURLE_OK;
        t->headers = l;
    }
    if (!ok) {
        sg_err_set(err, "curl: out of memory");
        net_transfer_finish(t);
    }
    return ok;
}

bool net_transfer_post_json(struct net_transfer *t, const struct net_settings *s, const char *url,
                            char *body, size_t len, const char *token, size_t max,
                            struct sg_err *err)
{
    if (!common(t, s, url, max, 0, err)) {
        free(body);
        return false;
    }
    t->post = body;
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *l2 = l ? curl_slist_append(l, auth) : NULL;
    /* Wipe the stack copy: curl keeps its own for the transfer. */
    memset(auth, 0, sizeof auth);
    if (l2)
        t->headers = l2;
    else
        curl_slist_free_all(l);
    bool ok = l2 && curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers) == CURLE_OK &&
              curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->post) == CURLE_OK &&
              curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) == CURLE_OK;
    if (!ok) {
        sg_err_set(err, "curl: out of memory");
        net_transfer_finish(t);
    }
    return ok;
}

bool net_transfer_done(struct net_transfer *t, CURLcode code, struct sg_err *err)
{
    if (t->over) {
        sg_err_set(err, "response larger than %zu bytes", t->max);
        return false;
    }
    if (code != CURLE_OK) {
        sg_err_set(err, "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(code));
        return false;
    }
    if (curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status) != CURLE_OK ||
        t->status < 100) {
        sg_err_set(err, "no HTTP response");
        return false;
    }
    if (!t->body) {
        t->body = malloc(1);
        if (!t->body) {
            sg_err_set(err, "out of memory");
            return false;
        }
        t->body[0] = '\0';
    }
    return true;
}

void net_transfer_finish(struct net_transfer *t)
{
    if (t->easy)
        curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    if (t->post) {
        free(t->post);
    }
    free(t->body);
    memset(t, 0, sizeof *t);
}
