/* Table-driven tests of the approval invariant: one case per clause of
 * DESIGN.md's invariant and per limit, plus truncated and garbage envelopes. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "feed.h"
#include "keys.h"
#include "verdict.h"

#define T_ISSUED "2026-11-20T08:00:00Z"
#define T_EXPIRES "2026-12-20T08:00:00Z"
/* Monday 2026-11-23 10:00 UTC = 11:00 in Europe/Berlin. */
#define NOW_MON_11H 1795428000LL

static struct keys_secret key, other_key;
static struct keys_trust trust;

static const char *item_ok =
    "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"title\":\"Hände\",\"body\":\"waschen\","
    "\"approval\":{\"by\":\"anna\",\"at\":\"2026-11-20T08:00:00Z\",\"until\":"
    "\"2026-12-01T00:00:00Z\"}}";

/* A payload with the given top-level overrides; NULL means the default. */
struct payload_spec {
    const char *format, *target, *issued, *expires, *items;
    long long version;
};

static char *make_payload(const struct payload_spec *s)
{
    size_t cap = 1024 + (s->items ? strlen(s->items) : strlen(item_ok));
    char *p = malloc(cap);
    snprintf(p, cap,
             "{\"signet_feed\":\"%s\",%s,\"version\":%lld,\"issued\":\"%s\",\"expires\":\"%s\","
             "\"clinic\":\"Praxis\",\"items\":[%s]}",
             s->format ? s->format : "1.0", s->target ? s->target : "\"screen\":\"wz1\"",
             s->version ? s->version : 5, s->issued ? s->issued : T_ISSUED,
             s->expires ? s->expires : T_EXPIRES, s->items ? s->items : item_ok);
    return p;
}

static char *sign(const struct keys_secret *k, const char *type, const char *payload)
{
    struct sg_err err = {0};
    char *env = keys_sign_envelope(k, type, (const unsigned char *)payload, strlen(payload), &err);
    CHECK_MSG(env != NULL, "%s", err.msg);
    return env;
}

static enum verdict_reason run_feed(const char *env, size_t len, const struct verdict_screen *scr,
                                    int64_t now, struct feed_doc *doc)
{
    struct verdict_clock clock = {.now = now, .local = sgtime_local_tz};
    char keyid[FEED_KEYID_HEX_LEN + 1];
    struct sg_err err = {0};
    enum verdict_reason r = verdict_feed(env, len, scr, &clock, doc, keyid, &err);
    CHECK_MSG(r == VERDICT_SHOWN || err.set, "refusal without a message (%s)",
              verdict_reason_name(r));
    return r;
}

static void test_feed_clauses(void)
{
    static const char *groups[] = {"praxis-nord"};
    const struct verdict_screen base = {.screen = "wz1", .trust = &trust};
    struct {
        const char *name;
        struct payload_spec spec;
        const char *type; /* NULL: the feed type */
        bool other_key;   /* signed by a key the board does not trust */
        bool tamper;      /* one payload byte changed after signing */
        struct verdict_screen screen;
        int64_t now;
        enum verdict_reason want;
    } cases[] = {
        {"valid", {0}, NULL, false, false, base, NOW_MON_11H, VERDICT_SHOWN},
        {"untrusted key", {0}, NULL, true, false, base, NOW_MON_11H, VERDICT_UNKNOWN_KEY},
        {"tampered payload", {0}, NULL, false, true, base, NOW_MON_11H, VERDICT_BAD_SIGNATURE},
        {"payload type",
         {0},
         "application/json",
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_PAYLOAD_TYPE},
        {"major version 2",
         {.format = "2.0"},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_UNKNOWN_MAJOR},
        {"minor version ahead",
         {.format = "1.7"},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_SHOWN},
        {"format not a version",
         {.format = "one"},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_PAYLOAD_MALFORMED},
        {"other screen",
         {.target = "\"screen\":\"wz2\""},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_WRONG_SCREEN},
        {"our group",
         {.target = "\"group\":\"praxis-nord\""},
         NULL,
         false,
         false,
         {.screen = "wz1", .trust = &trust, .groups = groups, .ngroups = 1},
         NOW_MON_11H,
         VERDICT_SHOWN},
        {"other group",
         {.target = "\"group\":\"praxis-sued\""},
         NULL,
         false,
         false,
         {.screen = "wz1", .trust = &trust, .groups = groups, .ngroups = 1},
         NOW_MON_11H,
         VERDICT_WRONG_SCREEN},
        {"screen and group",
         {.target = "\"screen\":\"wz1\",\"group\":\"g\""},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_PAYLOAD_MALFORMED},
        {"rollback",
         {.version = 4},
         NULL,
         false,
         false,
         {.screen = "wz1", .trust = &trust, .have_last = true, .last_version = 5},
         NOW_MON_11H,
         VERDICT_ROLLBACK},
        {"newer version",
         {.version = 6},
         NULL,
         false,
         false,
         {.screen = "wz1", .trust = &trust, .have_last = true, .last_version = 5},
         NOW_MON_11H,
         VERDICT_SHOWN},
        {"same version, other bytes",
         {.version = 5},
         NULL,
         false,
         false,
         {.screen = "wz1", .trust = &trust, .have_last = true, .last_version = 5},
         NOW_MON_11H,
         VERDICT_REPLAY_MISMATCH},
        {"expired feed", {0}, NULL, false, false, base, 1798000000LL, VERDICT_FEED_EXPIRED},
        {"clock in 1970, feed valid", {0}, NULL, false, false, base, 0, VERDICT_SHOWN},
        {"expires before issued",
         {.expires = "2026-11-19T08:00:00Z"},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_PAYLOAD_MALFORMED},
        {"issued not RFC 3339",
         {.issued = "2026-11-20 08:00:00"},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_PAYLOAD_MALFORMED},
        {"version zero",
         {.version = -1},
         NULL,
         false,
         false,
         base,
         NOW_MON_11H,
         VERDICT_PAYLOAD_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *payload = make_payload(&cases[i].spec);
        char *env = sign(cases[i].other_key ? &other_key : &key,
                         cases[i].type ? cases[i].type : FEED_PAYLOAD_TYPE, payload);
        if (cases[i].tamper) {
            /* Swap one base64 character of the payload for another valid one. */
            char *p = strstr(env, "\"payload\":\"") + 20;
            *p = *p == 'A' ? 'B' : 'A';
        }
        struct feed_doc doc;
        enum verdict_reason r = run_feed(env, strlen(env), &cases[i].screen, cases[i].now, &doc);
        CHECK_MSG(r == cases[i].want, "%s: got %s, want %s", cases[i].name, verdict_reason_name(r),
                  verdict_reason_name(cases[i].want));
        CHECK_MSG(r == VERDICT_SHOWN || doc.items == NULL, "%s: refused doc not empty",
                  cases[i].name);
        feed_doc_finish(&doc);
        free(env);
        free(payload);
    }
}

static void test_same_version_same_bytes(void)
{
    struct payload_spec spec = {0};
    char *payload = make_payload(&spec);
    char *env = sign(&key, FEED_PAYLOAD_TYPE, payload);
    struct verdict_screen scr = {.screen = "wz1", .trust = &trust};
    struct feed_doc doc;
    CHECK_INT(run_feed(env, strlen(env), &scr, NOW_MON_11H, &doc), VERDICT_SHOWN);
    scr.have_last = true;
    scr.last_version = doc.version;
    memcpy(scr.last_sha256, doc.payload_sha256, 32);
    feed_doc_finish(&doc);
    /* Re-reading the accepted feed (a restart, a 304) is fine... */
    CHECK_INT(run_feed(env, strlen(env), &scr, NOW_MON_11H, &doc), VERDICT_SHOWN);
    feed_doc_finish(&doc);
    /* ...and an envelope re-signed over the same payload bytes is the same feed. */
    char *env2 = sign(&key, FEED_PAYLOAD_TYPE, payload);
    CHECK_INT(run_feed(env2, strlen(env2), &scr, NOW_MON_11H, &doc), VERDICT_SHOWN);
    feed_doc_finish(&doc);
    free(env2);
    free(env);
    free(payload);
}

static enum verdict_media_state fake_media(void *ctx, const char *sha)
{
    (void)ctx;
    if (sha[0] == 'a')
        return VERDICT_MEDIA_OK;
    return sha[0] == 'b' ? VERDICT_MEDIA_BAD : VERDICT_MEDIA_ABSENT;
}

#define APPROVAL(at, until)                                                                        \
    "\"approval\":{\"by\":\"anna\",\"at\":\"" at "\",\"until\":\"" until "\"}"
#define OK_APPROVAL APPROVAL("2026-11-20T08:00:00Z", "2026-12-01T00:00:00Z")
#define ITEM(extra) "{\"id\":\"x\",\"rev\":1,\"kind\":\"post\",\"body\":\"b\"" extra "}"
#define SHA(c) c "000000000000000000000000000000000000000000000000000000000000000"

static void test_item_clauses(void)
{
    struct {
        const char *name;
        const char *item;
        int64_t now;
        enum verdict_reason want;
    } cases[] = {
        {"approved", ITEM("," OK_APPROVAL), NOW_MON_11H, VERDICT_SHOWN},
        {"no approval", ITEM(""), NOW_MON_11H, VERDICT_NO_APPROVAL},
        {"approval not yet", ITEM("," APPROVAL("2026-11-24T00:00:00Z", "2026-12-01T00:00:00Z")),
         NOW_MON_11H, VERDICT_APPROVAL_NOT_YET},
        {"approval ended", ITEM("," APPROVAL("2026-11-20T08:00:00Z", "2026-11-23T09:59:59Z")),
         NOW_MON_11H, VERDICT_APPROVAL_EXPIRED},
        {"approval ends this second",
         ITEM("," APPROVAL("2026-11-20T08:00:00Z", "2026-11-23T10:00:00Z")), NOW_MON_11H,
         VERDICT_APPROVAL_EXPIRED},
        {"dates include today",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"dates\":{\"from\":\"2026-11-23\",\"until\":"
              "\"2026-11-23\"}}"),
         NOW_MON_11H, VERDICT_SHOWN},
        {"dates in future",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"dates\":{\"from\":\"2026-11-24\",\"until\":"
              "\"2026-11-30\"}}"),
         NOW_MON_11H, VERDICT_SCHEDULE_DATES},
        {"dates past",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"dates\":{\"from\":\"2026-11-01\",\"until\":"
              "\"2026-11-22\"}}"),
         NOW_MON_11H, VERDICT_SCHEDULE_DATES},
        {"weekday Monday", ITEM("," OK_APPROVAL ",\"schedule\":{\"weekdays\":[1]}"), NOW_MON_11H,
         VERDICT_SHOWN},
        {"weekend only", ITEM("," OK_APPROVAL ",\"schedule\":{\"weekdays\":[6,7]}"), NOW_MON_11H,
         VERDICT_SCHEDULE_WEEKDAY},
        /* 10:00 UTC is 11:00 in Berlin: hours are local. */
        {"hours local 11:00-12:00",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"hours\":{\"from\":\"11:00\",\"until\":\"12:00\"}}"),
         NOW_MON_11H, VERDICT_SHOWN},
        {"hours 10:00-11:00 local (UTC would pass)",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"hours\":{\"from\":\"10:00\",\"until\":\"11:00\"}}"),
         NOW_MON_11H, VERDICT_SCHEDULE_HOURS},
        {"hours wrap midnight",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"hours\":{\"from\":\"22:00\",\"until\":\"12:00\"}}"),
         NOW_MON_11H, VERDICT_SHOWN},
        {"hours wrap, outside",
         ITEM("," OK_APPROVAL ",\"schedule\":{\"hours\":{\"from\":\"22:00\",\"until\":\"06:00\"}}"),
         NOW_MON_11H, VERDICT_SCHEDULE_HOURS},
        {"media ok", ITEM("," OK_APPROVAL ",\"media\":[{\"sha256\":\"" SHA("a") "\"}]"),
         NOW_MON_11H, VERDICT_SHOWN},
        {"media mismatch",
         ITEM("," OK_APPROVAL
              ",\"media\":[{\"sha256\":\"" SHA("a") "\"},{\"sha256\":\"" SHA("b") "\"}]"),
         NOW_MON_11H, VERDICT_MEDIA_MISMATCH},
        {"media missing", ITEM("," OK_APPROVAL ",\"media\":[{\"sha256\":\"" SHA("c") "\"}]"),
         NOW_MON_11H, VERDICT_MEDIA_MISSING},
        {"clock in 1970 uses issued time", ITEM("," OK_APPROVAL), 0, VERDICT_SHOWN},
        {"feed expired", ITEM("," OK_APPROVAL), 1798000000LL, VERDICT_FEED_EXPIRED},
    };
    struct verdict_screen scr = {.screen = "wz1", .trust = &trust};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct payload_spec spec = {.items = cases[i].item};
        char *payload = make_payload(&spec);
        char *env = sign(&key, FEED_PAYLOAD_TYPE, payload);
        struct feed_doc doc;
        /* Accept at issue time so the feed-level clock does not mask item clauses. */
        enum verdict_reason fr = run_feed(env, strlen(env), &scr, NOW_MON_11H - 86400, &doc);
        CHECK_MSG(fr == VERDICT_SHOWN, "%s: feed refused: %s", cases[i].name,
                  verdict_reason_name(fr));
        if (fr == VERDICT_SHOWN) {
            struct verdict_clock clock = {.now = cases[i].now, .local = sgtime_local_tz};
            enum verdict_reason r = verdict_item(&doc, &doc.items[0], &clock, fake_media, NULL);
            CHECK_MSG(r == cases[i].want, "%s: got %s, want %s", cases[i].name,
                      verdict_reason_name(r), verdict_reason_name(cases[i].want));
        }
        feed_doc_finish(&doc);
        free(env);
        free(payload);
    }
}

/* Payloads that must be refused as malformed even with a good signature. */
static void test_malformed_payloads(void)
{
    char *long_title = malloc(FEED_MAX_SHORT_LEN + 64);
    snprintf(long_title, FEED_MAX_SHORT_LEN + 64,
             "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"title\":\"");
    size_t n = strlen(long_title);
    memset(long_title + n, 'x', FEED_MAX_SHORT_LEN + 1);
    strcpy(long_title + n + FEED_MAX_SHORT_LEN + 1, "\"}");

    size_t many_cap = (FEED_MAX_ITEMS + 1) * 48 + 16;
    char *many = malloc(many_cap);
    many[0] = '\0';
    for (int i = 0; i <= FEED_MAX_ITEMS; i++) {
        char one[64];
        snprintf(one, sizeof one, "%s{\"id\":\"i%d\",\"rev\":1,\"kind\":\"tip\"}", i ? "," : "", i);
        strcat(many, one);
    }
    struct {
        const char *name;
        const char *items;
    } cases[] = {
        {"duplicate key in item", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"kind\":\"notice\"}"},
        {"duplicate key in approval",
         "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"approval\":{\"by\":\"a\",\"by\":\"b\","
         "\"at\":\"2026-11-20T08:00:00Z\",\"until\":\"2026-12-01T00:00:00Z\"}}"},
        {"duplicate item id",
         "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\"},{\"id\":\"a\",\"rev\":2,\"kind\":\"tip\"}"},
        {"unknown kind", "{\"id\":\"a\",\"rev\":1,\"kind\":\"video\"}"},
        {"rev zero", "{\"id\":\"a\",\"rev\":0,\"kind\":\"tip\"}"},
        {"rev as string", "{\"id\":\"a\",\"rev\":\"1\",\"kind\":\"tip\"}"},
        {"rev as float", "{\"id\":\"a\",\"rev\":1.0,\"kind\":\"tip\"}"},
        {"missing id", "{\"rev\":1,\"kind\":\"tip\"}"},
        {"escaped NUL in body", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"body\":\"x\\u0000y\"}"},
        {"title over limit", long_title},
        {"too many items", many},
        {"too many media", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"media\":[{\"sha256\":"
                           "\"" SHA("a") "\"},{\"sha256\":\"" SHA("a") "\"},{\"sha256\":\"" SHA(
                               "a") "\"},{\"sha256\":"
                                    "\"" SHA("a") "\"},{"
                                                  "\"sha256\":"
                                                  "\"" SHA("a") "\"}]}"},
        {"media hash upper case",
         "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"media\":[{\"sha256\":\"" SHA("A") "\"}]}"},
        {"media hash short",
         "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"media\":[{\"sha256\":\"ab\"}]}"},
        {"approval until before at", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\"," APPROVAL(
                                         "2026-11-20T08:00:00Z", "2026-11-19T00:00:00Z") "}"},
        {"approval without by", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"approval\":{\"at\":"
                                "\"2026-11-20T08:00:00Z\","
                                "\"until\":\"2026-12-01T00:00:00Z\"}}"},
        {"approval time with offset", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\"," APPROVAL(
                                          "2026-11-20T08:00:00+01:00", "2026-12-01T00:00:00Z") "}"},
        {"weekday 8", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"schedule\":{\"weekdays\":[8]}}"},
        {"hours 25:00",
         "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"schedule\":{\"hours\":{\"from\":\"25:00\","
         "\"until\":\"26:00\"}}}"},
        {"date 2026-02-30", "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"schedule\":{\"dates\":{"
                            "\"from\":\"2026-02-30\","
                            "\"until\":\"2026-03-01\"}}}"},
        {"item not an object", "42"},
    };
    struct verdict_screen scr = {.screen = "wz1", .trust = &trust};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct payload_spec spec = {.items = cases[i].items};
        char *payload = make_payload(&spec);
        char *env = sign(&key, FEED_PAYLOAD_TYPE, payload);
        struct feed_doc doc;
        enum verdict_reason r = run_feed(env, strlen(env), &scr, NOW_MON_11H, &doc);
        CHECK_MSG(r == VERDICT_PAYLOAD_MALFORMED, "%s: got %s", cases[i].name,
                  verdict_reason_name(r));
        feed_doc_finish(&doc);
        free(env);
        free(payload);
    }
    free(long_title);
    free(many);
}

static void test_garbage_envelopes(void)
{
    struct payload_spec spec = {0};
    char *payload = make_payload(&spec);
    char *good = sign(&key, FEED_PAYLOAD_TYPE, payload);
    struct verdict_screen scr = {.screen = "wz1", .trust = &trust};
    struct feed_doc doc;

    /* Every truncation of a valid envelope is refused, never accepted. */
    size_t len = strlen(good);
    for (size_t cut = 0; cut + 2 < len; cut += (cut < 64 ? 1 : 37)) {
        enum verdict_reason r = run_feed(good, cut, &scr, NOW_MON_11H, &doc);
        CHECK_MSG(r != VERDICT_SHOWN, "truncated at %zu accepted", cut);
        feed_doc_finish(&doc);
    }
    static const struct {
        const char *name, *text;
        size_t len; /* 0: strlen */
    } cases[] = {
        {"empty", "", 0},
        {"null", "null", 0},
        {"array", "[]", 0},
        {"empty object", "{}", 0},
        {"not JSON", "hello", 0},
        {"comment", "{/*x*/}", 0},
        {"trailing comma", "{\"payloadType\":\"x\",}", 0},
        {"single quotes", "{'payloadType':'x'}", 0},
        {"invalid UTF-8", "{\"payloadType\":\"\xc3\x28\"}", 0},
        {"overlong UTF-8", "{\"payloadType\":\"\xc0\xaf\"}", 0},
        {"NUL byte", "{\"a\":1}\0{}", 10},
        {"no signatures", "{\"payloadType\":\"x\",\"payload\":\"\",\"signatures\":[]}", 0},
        {"signature too short",
         "{\"payloadType\":\"x\",\"payload\":\"\",\"signatures\":[{\"keyid\":\"00\",\"sig\":"
         "\"AAAA\"}]}",
         0},
        {"payload bad base64",
         "{\"payloadType\":\"x\",\"payload\":\"e30*\",\"signatures\":[{\"sig\":\"AAAA\"}]}", 0},
        {"duplicate payload key",
         "{\"payloadType\":\"x\",\"payload\":\"e30=\",\"payload\":\"e30=\",\"signatures\":[]}", 0},
        {"deep nesting", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
         0},
        {"trailing data", "{} {}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].len ? cases[i].len : strlen(cases[i].text);
        enum verdict_reason r = run_feed(cases[i].text, n, &scr, NOW_MON_11H, &doc);
        CHECK_MSG(r == VERDICT_ENVELOPE_MALFORMED, "%s: got %s", cases[i].name,
                  verdict_reason_name(r));
        feed_doc_finish(&doc);
    }

    /* Nine signatures: over FEED_MAX_SIGNATURES even though one is valid. */
    const char *sigs = strstr(good, "\"signatures\":[") + 14;
    size_t one_len = strlen(sigs) - 3; /* the one signature object, without "]}\n" */
    size_t cap = len + 9 * (one_len + 1) + 8;
    char *nine = malloc(cap);
    size_t head = (size_t)(sigs - good);
    memcpy(nine, good, head);
    size_t at = head;
    for (int i = 0; i < FEED_MAX_SIGNATURES + 1; i++) {
        if (i)
            nine[at++] = ',';
        memcpy(nine + at, sigs, one_len);
        at += one_len;
    }
    memcpy(nine + at, "]}", 3);
    CHECK_INT(run_feed(nine, strlen(nine), &scr, NOW_MON_11H, &doc), VERDICT_ENVELOPE_MALFORMED);
    feed_doc_finish(&doc);
    free(nine);

    /* Over the document size limit, even if otherwise fine. */
    size_t big_len = FEED_MAX_ENVELOPE_BYTES + 1;
    char *big = malloc(big_len);
    memset(big, ' ', big_len);
    memcpy(big, good, len);
    CHECK_INT(run_feed(big, big_len, &scr, NOW_MON_11H, &doc), VERDICT_ENVELOPE_MALFORMED);
    /* Exactly at the limit, trailing white space is allowed. */
    CHECK_INT(run_feed(big, big_len - 1, &scr, NOW_MON_11H, &doc), VERDICT_SHOWN);
    feed_doc_finish(&doc);
    free(big);
    free(good);
    free(payload);
}

/* json-c turns a lone surrogate escape into U+FFFD: what reaches layout is
 * still valid UTF-8. */
static void test_lone_surrogate(void)
{
    struct payload_spec spec = {
        .items = "{\"id\":\"a\",\"rev\":1,\"kind\":\"tip\",\"body\":\"\\ud800x\"}"};
    char *payload = make_payload(&spec);
    struct feed_doc doc;
    struct sg_err err = {0};
    CHECK_INT(feed_payload_parse((unsigned char *)payload, strlen(payload), &doc, &err),
              FEED_PARSE_OK);
    CHECK_STR(doc.items[0].body, "\xef\xbf\xbdx");
    feed_doc_finish(&doc);
    free(payload);
}

static void test_keys(void)
{
    struct keys_public pub;
    struct sg_err err = {0};
    CHECK(!keys_public_parse("", 0, &pub, &err));
    CHECK(!keys_public_parse("AAAA\n", 5, &pub, &err));
    /* 32 bytes of zero in base64 is 44 characters; with a bad character at the end. */
    const char *bad = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=";
    CHECK(!keys_public_parse(bad, strlen(bad), &pub, &err));
    const char *two_lines = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nAAAA";
    CHECK(!keys_public_parse(two_lines, strlen(two_lines), &pub, &err));
    const char *good = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n";
    CHECK(keys_public_parse(good, strlen(good), &pub, &err));
    CHECK_INT(strlen(pub.keyid), FEED_KEYID_HEX_LEN);
    /* keyid = hex of the first 8 bytes of SHA-256 of the key. */
    unsigned char d[32];
    char hex[17];
    crypto_hash_sha256(d, key.pub.pk, 32);
    sodium_bin2hex(hex, sizeof hex, d, 8);
    CHECK_STR(key.pub.keyid, hex);
}

int main(void)
{
    setenv("TZ", "Europe/Berlin", 1);
    if (!keys_init())
        return 1;
    keys_generate(&key);
    keys_generate(&other_key);
    trust.keys[0] = key.pub;
    trust.n = 1;
    test_feed_clauses();
    test_same_version_same_bytes();
    test_item_clauses();
    test_malformed_payloads();
    test_garbage_envelopes();
    test_lone_surrogate();
    test_keys();
    return check_done("test_verdict");
}
