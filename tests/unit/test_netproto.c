/* The kiosk's transport core: URLs, ETags, tokens, status bodies and
 * replies, backoff, the envelope cache and the media cache. */
#include <json-c/json.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "check.h"
#include "keys.h"
#include "mediastore.h"
#include "netproto.h"
#include "state.h"

static void test_base_url(void)
{
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } cases[] = {
        {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
        {"https://queue.example/signet/", "https://queue.example/signet"},
        {"https://queue.example///", "https://queue.example"},
        {"http://[::1]:8080", "http://[::1]:8080"},
        {"ftp://queue.example", NULL},
        {"file:///etc/passwd", NULL},
        {"queue.example", NULL},
        {"http://", NULL},
        {"http:///path", NULL},
        {"https://user:secret@queue.example", NULL},
        {"https://queue.example/?a=1", NULL},
        {"https://queue.example/#x", NULL},
        {"https://queue example", NULL},
        {"https://queue.example/\x01", NULL},
        {"https://queue.example/\xc3\xa4", NULL},
        {"HTTP://queue.example", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[NETPROTO_MAX_URL + 1];
        struct sg_err err = {0};
        bool ok = netproto_base_url(cases[i].in, out, &err);
        CHECK_MSG(ok == (cases[i].out != NULL), "case %zu: %s", i, err.msg);
        if (ok && cases[i].out)
            CHECK_STR(out, cases[i].out);
        if (!ok)
            CHECK(err.set);
    }
    char long_url[NETPROTO_MAX_URL + 20] = "https://";
    memset(long_url + 8, 'a', sizeof long_url - 9);
    long_url[sizeof long_url - 1] = '\0';
    char out[NETPROTO_MAX_URL + 1];
    struct sg_err err = {0};
    CHECK(!netproto_base_url(long_url, out, &err));
}

static void test_urls(void)
{
    char out[256];
    CHECK(netproto_feed_url("http://q", "wz-1", 25, out, sizeof out));
    CHECK_STR(out, "http://q/v1/screens/wz-1/feed?wait=25");
    CHECK(netproto_feed_url("http://q", "wz-1", 0, out, sizeof out));
    CHECK_STR(out, "http://q/v1/screens/wz-1/feed");
    CHECK(!netproto_feed_url("http://q", "../x", 0, out, sizeof out));
    CHECK(!netproto_feed_url("http://q", "a/b", 0, out, sizeof out));
    CHECK(!netproto_feed_url("http://q", "wz-1", 0, out, 10)); /* does not fit */
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    CHECK(netproto_media_url("http://q", sha, out, sizeof out));
    CHECK_STR(out,
              "http://q/v1/media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    CHECK(!netproto_media_url("http://q", "0123", out, sizeof out));
    CHECK(!netproto_media_url("http://q", "../../../../etc/passwd", out, sizeof out));
    CHECK(netproto_status_url("http://q", "wz-1", out, sizeof out));
    CHECK_STR(out, "http://q/v1/screens/wz-1/status");
}

static void test_etag(void)
{
    static const struct {
        const char *line, *tag;
    } cases[] = {
        {"ETag: \"12\"\r\n", "\"12\""},
        {"etag:\"12\"", "\"12\""},
        {"ETAG: \t W/\"abc-1\" \r\n", "W/\"abc-1\""},
        {"ETag: \"65a1f2c3-1a2\"\r\n", "\"65a1f2c3-1a2\""},
        {"ETag: \"\"\r\n", "\"\""},
        {"ETag: 12\r\n", NULL},
        {"ETag: \"12\r\n", NULL},
        {"ETag: \"a\"b\"\r\n", NULL},
        {"ETag: \"a b\"\r\n", NULL},
        {"ETag: \"\x01\"\r\n", NULL},
        {"ETag: \"\xc3\xa4\"\r\n", NULL},
        {"ETags: \"12\"\r\n", NULL},
        {"Content-Type: text/html\r\n", NULL},
        {"ETag:\r\n", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[NETPROTO_MAX_ETAG + 1] = "untouched";
        bool ok = netproto_header_etag(cases[i].line, strlen(cases[i].line), out);
        CHECK_MSG(ok == (cases[i].tag != NULL), "case %zu", i);
        if (cases[i].tag)
            CHECK_STR(out, cases[i].tag);
    }
    char line[300] = "ETag: \"";
    memset(line + 7, 'x', 200);
    strcpy(line + 207, "\"\r\n");
    char out[NETPROTO_MAX_ETAG + 1];
    CHECK(!netproto_header_etag(line, strlen(line), out)); /* over the limit */
}

static void test_token(void)
{
    char out[65];
    struct sg_err err = {0};
    const char *hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char text[100];
    snprintf(text, sizeof text, "%s\n", hex);
    CHECK(netproto_token_parse(text, strlen(text), out, &err));
    CHECK_STR(out, hex);
    snprintf(text, sizeof text, "  %s \r\n\n", hex);
    CHECK(netproto_token_parse(text, strlen(text), out, &err));
    CHECK(!netproto_token_parse(hex, 63, out, &err));
    snprintf(text, sizeof text, "%sff", hex);
    CHECK(!netproto_token_parse(text, strlen(text), out, &err));
    snprintf(text, sizeof text, "%.63sg", hex);
    struct sg_err e2 = {0};
    CHECK(!netproto_token_parse(text, strlen(text), out, &e2));
    CHECK(e2.set && strstr(e2.msg, "00112233") == NULL); /* never echoed */
    CHECK(!netproto_token_parse("", 0, out, &err));
}

static void test_status_body(void)
{
    struct netproto_status st = {.version = 12, .item = "it-3", .rev = 2, .uptime = 3600};
    st.last_error = "feed fetch failed: \"x\"\n\xc3\xa4";
    st.dropped[VERDICT_APPROVAL_EXPIRED] = 2;
    st.dropped[VERDICT_MEDIA_MISSING] = 1;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                        0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    size_t len = 0;
    char *body = netproto_status_body(&st, png, sizeof png, &len);
    CHECK(body != NULL);
    struct json_object *o = body ? json_tokener_parse(body) : NULL, *v, *d;
    CHECK(o != NULL);
    if (o) {
        CHECK(json_object_object_get_ex(o, "version", &v) && json_object_get_int64(v) == 12);
        CHECK(json_object_object_get_ex(o, "item", &v) &&
              strcmp(json_object_get_string(v), "it-3") == 0);
        CHECK(json_object_object_get_ex(o, "rev", &v) && json_object_get_int64(v) == 2);
        CHECK(json_object_object_get_ex(o, "uptime", &v) && json_object_get_int64(v) == 3600);
        CHECK(json_object_object_get_ex(o, "last_error", &v) &&
              strcmp(json_object_get_string(v), "feed fetch failed: \"x\"???") == 0);
        CHECK(json_object_object_get_ex(o, "dropped", &d) && json_object_object_length(d) == 2);
        CHECK(json_object_object_get_ex(d, "approval-expired", &v) &&
              json_object_get_int64(v) == 2);
        CHECK(json_object_object_get_ex(d, "media-missing", &v) && json_object_get_int64(v) == 1);
        CHECK(json_object_object_get_ex(o, "screenshot", &v));
        unsigned char back[64];
        size_t n = 0;
        const char *b64 = v ? json_object_get_string(v) : "";
        CHECK(sodium_base642bin(back, sizeof back, b64, strlen(b64), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == sizeof png && memcmp(back, png, n) == 0);
        json_object_put(o);
    }
    free(body);
    /* Minimal: idle, no error, no drops, no screenshot. */
    struct netproto_status idle = {.item = NULL};
    body = netproto_status_body(&idle, NULL, 0, &len);
    CHECK_STR(body, "{\"version\":0,\"item\":\"idle\",\"rev\":0,\"uptime\":0}");
    free(body);
    /* A long error is cut to the queue's limit. */
    char big[3000];
    memset(big, 'e', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    idle.last_error = big;
    body = netproto_status_body(&idle, NULL, 0, &len);
    o = body ? json_tokener_parse(body) : NULL;
    CHECK(o && json_object_object_get_ex(o, "last_error", &v) &&
          strlen(json_object_get_string(v)) == NETPROTO_MAX_ERROR_LEN);
    json_object_put(o);
    free(body);
    /* A screenshot over the queue's limit is refused, not sent to be refused. */
    unsigned char *huge = calloc(1, NETPROTO_MAX_SCREENSHOT_BYTES + 1);
    CHECK(huge && !netproto_status_body(&idle, huge, NETPROTO_MAX_SCREENSHOT_BYTES + 1, &len));
    free(huge);
}

static void test_status_reply(void)
{
    static const struct {
        const char *body;
        bool ok, shot;
    } cases[] = {
        {"{\"screenshot_requested\":true}", true, true},
        {"{\"screenshot_requested\":false}", true, false},
        {"{}", true, false},
        {"{\"screenshot_requested\":true,\"later\":1}", true, true},
        {"{\"screenshot_requested\":\"yes\"}", false, false},
        {"{\"screenshot_requested\":1}", false, false},
        {"{\"screenshot_requested\":true,\"screenshot_requested\":false}", false, false},
        {"[true]", false, false},
        {"", false, false},
        {"{\"screenshot_requested\":true", false, false},
        {"{\"screenshot_requested\":true} x", false, false},
        {"<html>502 Bad Gateway</html>", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool shot = true;
        struct sg_err err = {0};
        bool ok = netproto_status_reply(cases[i].body, strlen(cases[i].body), &shot, &err);
        CHECK_MSG(ok == cases[i].ok, "case %zu", i);
        CHECK_MSG(shot == cases[i].shot, "case %zu", i);
        CHECK(ok || err.set);
    }
    char *big = malloc(NETPROTO_MAX_REPLY_BYTES + 100);
    memset(big, ' ', NETPROTO_MAX_REPLY_BYTES + 99);
    memcpy(big, "{}", 2);
    big[NETPROTO_MAX_REPLY_BYTES + 99] = '\0';
    bool shot;
    struct sg_err err = {0};
    CHECK(!netproto_status_reply(big, strlen(big), &shot, &err));
    free(big);
}

static void test_backoff(void)
{
    struct backoff b;
    backoff_init(&b, 1000, 60000);
    /* The ceiling doubles per failure; the wait lies in [ceiling/2, ceiling]. */
    const int64_t ceilings[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
    for (size_t i = 0; i < sizeof ceilings / sizeof ceilings[0]; i++) {
        struct backoff lo = b, hi = b;
        int64_t min = backoff_fail(&lo, 0), max = backoff_fail(&hi, UINT32_MAX);
        int64_t mid = backoff_fail(&b, 0x9e3779b9u);
        CHECK_MSG(min == ceilings[i] - ceilings[i] / 2, "failure %zu: min %lld", i + 1,
                  (long long)min);
        CHECK_MSG(max <= ceilings[i] && max >= min, "failure %zu: max %lld", i + 1, (long long)max);
        CHECK(mid >= min && mid <= ceilings[i]);
    }
    /* Jitter spreads: 1000 draws at the cap are not all equal. */
    int64_t first = backoff_fail(&b, randombytes_random());
    bool spread = false;
    for (int i = 0; i < 1000 && !spread; i++)
        spread = backoff_fail(&b, randombytes_random()) != first;
    CHECK(spread);
    for (int i = 0; i < 200; i++) /* many failures never overflow past the cap */
        CHECK(backoff_fail(&b, UINT32_MAX) <= 60000);
    backoff_success(&b);
    CHECK(backoff_fail(&b, UINT32_MAX) <= 1000);
    struct backoff odd;
    backoff_init(&odd, 0, -5); /* nonsense settings still give a positive wait */
    CHECK(backoff_fail(&odd, 7) >= 1);
}

static void test_envelope_cache(void)
{
    struct sg_err err = {0};
    char *out = NULL;
    size_t len = 0;
    char stale[4096];
    snprintf(stale, sizeof stale, "%s/feed-wz-env.dsse", SIGNET_TEST_TMP);
    unlink(stale); /* from an earlier run */
    CHECK(state_load_envelope(SIGNET_TEST_TMP, "wz-env", &out, &len, &err) && out == NULL);
    CHECK(state_save_envelope(SIGNET_TEST_TMP, "wz-env", "{\"a\":1}", 7, NULL, &err));
    CHECK(state_load_envelope(SIGNET_TEST_TMP, "wz-env", &out, &len, &err));
    CHECK(out && len == 7 && memcmp(out, "{\"a\":1}", 7) == 0);
    free(out);
    CHECK(!state_save_envelope(SIGNET_TEST_TMP, "../evil", "x", 1, NULL, &err));
    /* Over the envelope limit: an error, never a truncated read. */
    char path[4096];
    snprintf(path, sizeof path, "%s/feed-wz-big.dsse", SIGNET_TEST_TMP);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        CHECK(fseek(f, FEED_MAX_ENVELOPE_BYTES, SEEK_SET) == 0 && fputc('x', f) == 'x');
        fclose(f);
    }
    struct sg_err e2 = {0};
    out = NULL;
    CHECK(!state_load_envelope(SIGNET_TEST_TMP, "wz-big", &out, &len, &e2) && out == NULL);
    CHECK(e2.set);

    /* Temp files of an interrupted write go; the files themselves and other
     * screens' temp files stay. */
    static const char *const names[] = {"feed-wz-env.dsse.tmp-Ab12Cd",
                                        "accepted-wz-env.json.tmp-Xy34Zw",
                                        "feed-wz-other.dsse.tmp-Ab12Cd", "feed-wz-env.dsse"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", SIGNET_TEST_TMP, names[i]);
        FILE *t = fopen(path, "w");
        CHECK(t != NULL);
        if (t)
            fclose(t);
    }
    CHECK(state_remove_temp(SIGNET_TEST_TMP, "wz-env") == 2);
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", SIGNET_TEST_TMP, names[i]);
        CHECK((access(path, F_OK) == 0) == (i >= 2));
    }
    CHECK(state_remove_temp(SIGNET_TEST_TMP, "../evil") == 0);
    snprintf(path, sizeof path, "%s/%s", SIGNET_TEST_TMP, names[2]);
    unlink(path);
}

static void test_media_cache(void)
{
    char dir[2048];
    if ((size_t)snprintf(dir, sizeof dir, "%s/media-cache", SIGNET_TEST_TMP) >= sizeof dir)
        return;
    const unsigned char bytes[] = "not really a picture";
    unsigned char digest[32];
    char sha[65], other[65];
    crypto_hash_sha256(digest, bytes, sizeof bytes);
    sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);
    memcpy(other, sha, sizeof other);
    other[0] = other[0] == '0' ? '1' : '0';
    struct sg_err err = {0};
    (void)mediastore_prune(dir, NULL, 0); /* from an earlier run */
    CHECK(mediastore_save(dir, sha, bytes, sizeof bytes, NULL, &err));
    struct sg_err e2 = {0};
    CHECK(!mediastore_save(dir, other, bytes, sizeof bytes, NULL, &e2)); /* wrong hash */
    CHECK(e2.set && strstr(e2.msg, "do not match"));
    struct sg_err e3 = {0};
    CHECK(!mediastore_save(dir, "../x", bytes, sizeof bytes, NULL, &e3));
    unsigned char *back = NULL;
    size_t len = 0;
    CHECK(mediastore_load(dir, sha, &back, &len, &err) == VERDICT_MEDIA_OK);
    CHECK(len == sizeof bytes);
    free(back);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, other);
    CHECK(access(path, F_OK) != 0); /* the mismatch never reached the folder */
    /* Prune keeps what is named and removes the rest, temp files too. */
    snprintf(path, sizeof path, "%s/%s.tmp-abc123", dir, sha);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/stale", dir);
    f = fopen(path, "w");
    if (f)
        fclose(f);
    const char *keep[] = {sha};
    CHECK_INT(mediastore_prune(dir, keep, 1), 2);
    CHECK(mediastore_load(dir, sha, &back, &len, &err) == VERDICT_MEDIA_OK);
    free(back);
    CHECK_INT(mediastore_prune(dir, NULL, 0), 1);
    CHECK_INT(mediastore_prune("/nonexistent-signet-dir", NULL, 0), 0);
}

static void test_retry_after(void)
{
    const int64_t now = 1445412480; /* 2015-10-21T07:28:00Z */
    static const struct {
        const char *line;
        bool ok;
        int64_t delay;
    } cases[] = {
        {"Retry-After: 120\r\n", true, 120},
        {"retry-after:0\r\n", true, 0},
        {"Retry-After: 99999999999\r\n", true, NETPROTO_MAX_RETRY_AFTER_S},
        {"Retry-After: 700000\r\n", true, NETPROTO_MAX_RETRY_AFTER_S},
        {"Retry-After: Wed, 21 Oct 2015 07:30:00 GMT\r\n", true, 120},
        {"Retry-After: Wed, 21 Oct 2015 07:00:00 GMT\r\n", true, 0}, /* in the past */
        {"Retry-After: Wed, 21 Oct 2015 07:30:00 CET\r\n", false, 0},
        {"Retry-After: Wed, 21 Foo 2015 07:30:00 GMT\r\n", false, 0},
        {"Retry-After: -5\r\n", false, 0},
        {"Retry-After: 1.5\r\n", false, 0},
        {"Retry-After: \r\n", false, 0},
        {"Retry-After-Not: 5\r\n", false, 0},
        {"ETag: \"5\"\r\n", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t d = -1;
        bool ok = netproto_header_retry_after(cases[i].line, strlen(cases[i].line), now, &d);
        CHECK_MSG(ok == cases[i].ok, "%s", cases[i].line);
        if (ok && cases[i].ok)
            CHECK_MSG(d == cases[i].delay, "%s: %lld", cases[i].line, (long long)d);
    }
}

int main(void)
{
    test_retry_after();
    if (!keys_init())
        return 1;
    mkdir(SIGNET_TEST_TMP, 0755);
    test_base_url();
    test_urls();
    test_etag();
    test_token();
    test_status_body();
    test_status_reply();
    test_backoff();
    test_envelope_cache();
    test_media_cache();
    return check_done("test_netproto");
}
