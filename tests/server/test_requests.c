/* Request-body parsers and the store's pure helpers: every parser with valid
 * input, every field missing, of the wrong type, too long or out of range,
 * and the strictness every body shares (duplicate keys, unknown members,
 * invalid UTF-8, size). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "requests.h"
#include "store.h"

#define T_ITEM "\"kind\":\"tip\",\"title\":\"T\",\"body\":\"B\""

/* n copies of c, NUL-terminated; the caller frees. */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* pattern with its one "%s" replaced by value, in a fresh buffer the caller
 * frees (no printf: the patterns are data). */
static char *fmt(const char *pattern, const char *value)
{
    const char *at = strstr(pattern, "%s");
    size_t head = (size_t)(at - pattern), vlen = strlen(value), tail = strlen(at + 2);
    char *s = malloc(head + vlen + tail + 1);
    memcpy(s, pattern, head);
    memcpy(s + head, value, vlen);
    memcpy(s + head + vlen, at + 2, tail + 1);
    return s;
}

/* ---- items ---- */

struct fail_case {
    const char *body;
    const char *err_has; /* a part of the message: the field it names */
};

static void item_fails(const char *body, const char *err_has)
{
    struct store_content c;
    struct sg_err err = {0};
    bool ok = req_parse_item(body, strlen(body), &c, &err);
    CHECK_MSG(!ok, "accepted: %s", body);
    CHECK_MSG(err.set && strstr(err.msg, err_has), "%s: error \"%s\" lacks \"%s\"", body, err.msg,
              err_has);
    /* Left empty on failure. */
    CHECK(!c.title && !c.body && !c.targets_json && !c.schedule_json && c.nmedia == 0);
    store_content_finish(&c);
}

static void test_item_valid(void)
{
    struct store_content c;
    struct sg_err err = {0};
    const char *min = "{" T_ITEM "}";
    CHECK_MSG(req_parse_item(min, strlen(min), &c, &err), "%s", err.msg);
    CHECK_STR(c.kind, "tip");
    CHECK_STR(c.title, "T");
    CHECK_STR(c.body, "B");
    CHECK(!c.author && !c.source && !c.link && !c.lang && !c.schedule_json);
    CHECK_INT(c.priority, 0);
    CHECK_STR(c.targets_json, "[\"*\"]");
    store_content_finish(&c);
    CHECK(!c.title && !c.targets_json && c.kind[0] == '\0');

    const char *notice = "{\"kind\":\"notice\",\"title\":\"Geschlossen\",\"body\":\"Heute ab 14 "
                         "Uhr\"}";
    CHECK(req_parse_item(notice, strlen(notice), &c, &err));
    CHECK_INT(c.priority, 50);
    store_content_finish(&c);

    const char *full =
        "{\"kind\":\"post\",\"title\":\"Grippeimpfung\",\"body\":\"Ab Oktober.\\nTermine "
        "online.\",\"author\":\"Praxis\",\"source\":\"Mastodon\",\"link\":\"https://"
        "example.org/impfen?x=1#a\",\"lang\":\"de-AT\",\"priority\":100,"
        "\"media\":[{\"sha256\":\"" /* 64 hex */
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"alt\":\"Spritze\"},"
        "{\"sha256\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}],"
        "\"schedule\":{\"hours\":{\"until\":\"18:00\",\"from\":\"08:00\"},\"weekdays\":[5,1,3],"
        "\"dates\":{\"from\":\"2026-10-01\",\"until\":\"2026-10-01\"}},"
        "\"targets\":[ \"screen:wartezimmer-1\" , \"group:praxis.nord\", \"*\" ]}";
    CHECK_MSG(req_parse_item(full, strlen(full), &c, &err), "%s", err.msg);
    CHECK_STR(c.kind, "post");
    CHECK_STR(c.body, "Ab Oktober.\nTermine online.");
    CHECK_STR(c.author, "Praxis");
    CHECK_STR(c.source, "Mastodon");
    CHECK_STR(c.link, "https://example.org/impfen?x=1#a");
    CHECK_STR(c.lang, "de-AT");
    CHECK_INT(c.priority, 100);
    CHECK_INT(c.nmedia, 2);
    CHECK_STR(c.media[0].sha256,
              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    CHECK_STR(c.media[0].alt, "Spritze");
    CHECK(c.media[0].type == NULL && c.media[1].alt == NULL);
    /* Normalised: fixed member order, weekdays sorted, no white space. */
    CHECK_STR(c.schedule_json,
              "{\"dates\":{\"from\":\"2026-10-01\",\"until\":\"2026-10-01\"},\"weekdays\":[1,3,5],"
              "\"hours\":{\"from\":\"08:00\",\"until\":\"18:00\"}}");
    CHECK_STR(c.targets_json, "[\"screen:wartezimmer-1\",\"group:praxis.nord\",\"*\"]");
    store_content_finish(&c);

    /* SQL metacharacters pass through unchanged: the store binds them. */
    const char *sql = "{\"kind\":\"tip\",\"title\":\"Robert'); DROP TABLE items;--\","
                      "\"body\":\"1' OR '1'='1 \\\" ; -- %s %n \\\\ ` $x\","
                      "\"author\":\"O'Brien\"}";
    CHECK_MSG(req_parse_item(sql, strlen(sql), &c, &err), "%s", err.msg);
    CHECK_STR(c.title, "Robert'); DROP TABLE items;--");
    CHECK_STR(c.body, "1' OR '1'='1 \" ; -- %s %n \\ ` $x");
    CHECK_STR(c.author, "O'Brien");
    store_content_finish(&c);

    /* Edge values that are valid. */
    char *title200 = repeat('x', STORE_MAX_TITLE_LEN);
    char *body2000 = repeat('y', STORE_MAX_BODY_LEN);
    char buf[4096];
    snprintf(buf, sizeof buf, "{\"kind\":\"tip\",\"title\":\"%s\",\"body\":\"%s\"}", title200,
             body2000);
    CHECK_MSG(req_parse_item(buf, strlen(buf), &c, &err), "%s", err.msg);
    store_content_finish(&c);
    free(title200);
    free(body2000);

    static const char *const ok_bodies[] = {
        "{" T_ITEM ",\"author\":\"\",\"link\":\"\",\"lang\":\"\"}", /* "" = absent */
        "{" T_ITEM ",\"priority\":0}",
        "{" T_ITEM ",\"lang\":\"en\"}",
        "{" T_ITEM ",\"lang\":\"zh-Hant-TW\"}",
        "{" T_ITEM ",\"link\":\"HTTP://EXAMPLE.ORG\"}",
        "{" T_ITEM ",\"link\":\"https://b\u00e4ckerei.example/\"}",
        "{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"22:00\",\"until\":\"06:00\"}}}",
        "{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"08:00\",\"until\":\"24:00\"}}}",
        "{" T_ITEM ",\"schedule\":{\"weekdays\":[7,6,5,4,3,2,1]}}",
        "{" T_ITEM ",\"media\":[]}",
        "{\"kind\":\"tip\",\"title\":\"\U0001F489 \u05e9\u05dc\u05d5\u05dd\",\"body\":\"Donau\"}",
    };
    for (size_t i = 0; i < sizeof ok_bodies / sizeof ok_bodies[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(req_parse_item(ok_bodies[i], strlen(ok_bodies[i]), &c, &e), "%s: %s",
                  ok_bodies[i], e.msg);
        store_content_finish(&c);
    }

    const char *empty_sched = "{" T_ITEM ",\"schedule\":{}}";
    CHECK(req_parse_item(empty_sched, strlen(empty_sched), &c, &err));
    CHECK(c.schedule_json == NULL);
    store_content_finish(&c);
    /* json-c turns a lone surrogate escape into U+FFFD: valid, so kept. */
    const char *lone = "{\"kind\":\"tip\",\"title\":\"a\\ud800b\",\"body\":\"B\"}";
    CHECK(req_parse_item(lone, strlen(lone), &c, &err));
    CHECK_STR(c.title, "a\xef\xbf\xbd"
                       "b");
    store_content_finish(&c);
    const char *wrap = "{" T_ITEM ",\"author\":\"\"}";
    CHECK(req_parse_item(wrap, strlen(wrap), &c, &err));
    CHECK(c.author == NULL);
    store_content_finish(&c);
}

static void test_item_invalid(void)
{
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static const struct fail_case cases[] = {
        /* kind */
        {"{\"title\":\"T\",\"body\":\"B\"}", "kind"},
        {"{\"kind\":5,\"title\":\"T\",\"body\":\"B\"}", "kind"},
        {"{\"kind\":\"video\",\"title\":\"T\",\"body\":\"B\"}", "kind"},
        {"{\"kind\":\"Tip\",\"title\":\"T\",\"body\":\"B\"}", "kind"},
        /* title, body */
        {"{\"kind\":\"tip\",\"body\":\"B\"}", "title"},
        {"{\"kind\":\"tip\",\"title\":\"\",\"body\":\"B\"}", "title"},
        {"{\"kind\":\"tip\",\"title\":null,\"body\":\"B\"}", "title"},
        {"{\"kind\":\"tip\",\"title\":[\"T\"],\"body\":\"B\"}", "title"},
        {"{\"kind\":\"tip\",\"title\":\"a\\u0000b\",\"body\":\"B\"}", "title"},
        {"{\"kind\":\"tip\",\"title\":\"T\"}", "body"},
        {"{\"kind\":\"tip\",\"title\":\"T\",\"body\":\"\"}", "body"},
        {"{\"kind\":\"tip\",\"title\":\"T\",\"body\":7}", "body"},
        /* optional strings */
        {"{" T_ITEM ",\"author\":1}", "author"},
        {"{" T_ITEM ",\"source\":false}", "source"},
        {"{" T_ITEM ",\"link\":\"ftp://example.org\"}", "link"},
        {"{" T_ITEM ",\"link\":\"https://\"}", "link"},
        {"{" T_ITEM ",\"link\":\"https:///path\"}", "link"},
        {"{" T_ITEM ",\"link\":\"https://a b.org\"}", "link"},
        {"{" T_ITEM ",\"link\":\"https://a.org/\\n\"}", "link"},
        {"{" T_ITEM ",\"link\":\"javascript:alert(1)\"}", "link"},
        {"{" T_ITEM ",\"link\":\"example.org\"}", "link"},
        {"{" T_ITEM ",\"lang\":\"deutsch\"}", "lang"},
        {"{" T_ITEM ",\"lang\":\"d\"}", "lang"},
        {"{" T_ITEM ",\"lang\":\"de_AT\"}", "lang"},
        {"{" T_ITEM ",\"lang\":\"de-\"}", "lang"},
        {"{" T_ITEM ",\"lang\":\"de-a-b-c-d\"}", "lang"},
        {"{" T_ITEM ",\"lang\":5}", "lang"},
        /* priority */
        {"{" T_ITEM ",\"priority\":-1}", "priority"},
        {"{" T_ITEM ",\"priority\":101}", "priority"},
        {"{" T_ITEM ",\"priority\":\"5\"}", "priority"},
        {"{" T_ITEM ",\"priority\":5.5}", "priority"},
        {"{" T_ITEM ",\"priority\":99999999999999999999999}", "priority"},
        /* media */
        {"{" T_ITEM ",\"media\":{}}", "media"},
        {"{" T_ITEM ",\"media\":[\"" SHA "\"]}", "media 1"},
        {"{" T_ITEM ",\"media\":[{\"alt\":\"x\"}]}", "sha256"},
        {"{" T_ITEM ",\"media\":[{\"sha256\":\"" SHA "\"},{\"sha256\":\"ABCDEF\"}]}", "media 2"},
        {"{" T_ITEM ",\"media\":[{\"sha256\":\"0123456789ABCDEF0123456789abcdef0123456789abcdef"
         "0123456789abcdef\"}]}",
         "sha256"},
        {"{" T_ITEM ",\"media\":[{\"sha256\":\"0123456789abcdef\"}]}", "sha256"},
        {"{" T_ITEM ",\"media\":[{\"sha256\":\"" SHA "\",\"type\":\"image/png\"}]}", "type"},
        {"{" T_ITEM ",\"media\":[{\"sha256\":\"" SHA "\",\"alt\":7}]}", "alt"},
        {"{" T_ITEM ",\"media\":[{\"sha256\":\"" SHA "\"},{\"sha256\":\"" SHA
         "\"},{\"sha256\":\"" SHA "\"},{\"sha256\":\"" SHA "\"},{\"sha256\":\"" SHA "\"}]}",
         "media"},
        /* schedule */
        {"{" T_ITEM ",\"schedule\":[]}", "schedule"},
        {"{" T_ITEM ",\"schedule\":{\"days\":[1]}}", "days"},
        {"{" T_ITEM ",\"schedule\":{\"dates\":{\"from\":\"2026-01-01\"}}}", "until"},
        {"{" T_ITEM ",\"schedule\":{\"dates\":{\"from\":\"2026-02-30\",\"until\":\"2026-03-01\"}}}",
         "dates"},
        {"{" T_ITEM ",\"schedule\":{\"dates\":{\"from\":\"2026-3-1\",\"until\":\"2026-03-01\"}}}",
         "dates"},
        {"{" T_ITEM ",\"schedule\":{\"dates\":{\"from\":\"2026-03-02\",\"until\":\"2026-03-01\"}}}",
         "dates"},
        {"{" T_ITEM ",\"schedule\":{\"dates\":{\"from\":\"2026-03-01\",\"until\":\"2026-03-02\","
         "\"tz\":\"x\"}}}",
         "tz"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[0]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[8]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[-1]}}", "weekdays"},  /* a fuzz find: */
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[542]}}", "weekdays"}, /* no shift by w */
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[1,1]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[\"1\"]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[1.0]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[1,2,3,4,5,6,7,1]}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":5}}", "weekdays"},
        {"{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"08:00\",\"until\":\"08:00\"}}}", "hours"},
        {"{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"00:00\",\"until\":\"24:00\"}}}", "hours"},
        {"{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"8:00\",\"until\":\"18:00\"}}}", "hours"},
        {"{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"08:00\",\"until\":\"24:30\"}}}", "hours"},
        {"{" T_ITEM ",\"schedule\":{\"hours\":{\"from\":\"08:00\"}}}", "until"},
        {"{" T_ITEM ",\"schedule\":{\"hours\":\"08:00-18:00\"}}", "hours"},
        /* targets */
        {"{" T_ITEM ",\"targets\":[]}", "targets"},
        {"{" T_ITEM ",\"targets\":\"*\"}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"all\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[1]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"screen:\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"screen:.hidden\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"screen:a b\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"screen:a/b\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"group:\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"Screen:a\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"screen:a\\u0000b\"]}", "targets"},
        {"{" T_ITEM ",\"targets\":[\"*\",\"*\"]}", "twice"},
        {"{" T_ITEM ",\"targets\":[\"screen:a\",\"group:a\",\"screen:a\"]}", "twice"},
        /* unknown members, duplicates, document-level */
        {"{" T_ITEM ",\"titel\":\"x\"}", "titel"},
        {"{" T_ITEM ",\"approval\":{}}", "approval"},
        {"{\"kind\":\"tip\",\"kind\":\"post\",\"title\":\"T\",\"body\":\"B\"}", "duplicate"},
        {"{" T_ITEM ",\"schedule\":{\"weekdays\":[1],\"weekdays\":[2]}}", "duplicate"},
        {"{\"kind\":\"tip\",\"title\":\"\xc3\x28\",\"body\":\"B\"}", "UTF-8"},
        {"{\"kind\":\"tip\",\"title\":\"\xed\xa0\x80\",\"body\":\"B\"}", "UTF-8"},
        {"{\"kind\":\"tip\",\"title\":\"\xc0\xaf\",\"body\":\"B\"}", "UTF-8"},
        {"[" T_ITEM "]", "syntax"},
        {"\"tip\"", "object"},
        {"{" T_ITEM "} x", "syntax"},
        {"{" T_ITEM "", "truncated"},
        {"{" T_ITEM ",}", "syntax"},
        {"", "JSON"},
        {"{" T_ITEM ",\"schedule\":{\"dates\":{\"from\":[[[[[[\"x\"]]]]]]}}}", "deeper"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        item_fails(cases[i].body, cases[i].err_has);

    /* Lengths one past each limit. */
    struct {
        const char *field;
        size_t len;
        const char *pattern;
    } longs[] = {
        {"title", STORE_MAX_TITLE_LEN + 1, "{\"kind\":\"tip\",\"title\":\"%s\",\"body\":\"B\"}"},
        {"body", STORE_MAX_BODY_LEN + 1, "{\"kind\":\"tip\",\"title\":\"T\",\"body\":\"%s\"}"},
        {"author", 201, "{" T_ITEM ",\"author\":\"%s\"}"},
        {"source", 201, "{" T_ITEM ",\"source\":\"%s\"}"},
        {"lang", 36, "{" T_ITEM ",\"lang\":\"%s\"}"},
        {"alt", 501, "{" T_ITEM ",\"media\":[{\"sha256\":\"" SHA "\",\"alt\":\"%s\"}]}"},
    };
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        char *v = repeat('a', longs[i].len);
        char *body = fmt(longs[i].pattern, v);
        item_fails(body, longs[i].field);
        free(body);
        free(v);
    }
    /* A link of 2048 bytes is fine, 2049 is not. */
    char *path = repeat('p', 2048 - strlen("https://a.org/"));
    char link[4096];
    snprintf(link, sizeof link, "https://a.org/%s", path);
    char *body = fmt("{" T_ITEM ",\"link\":\"%s\"}", link);
    struct store_content c;
    struct sg_err err = {0};
    CHECK_MSG(req_parse_item(body, strlen(body), &c, &err), "%s", err.msg);
    store_content_finish(&c);
    free(body);
    strcat(link, "p");
    body = fmt("{" T_ITEM ",\"link\":\"%s\"}", link);
    item_fails(body, "link");
    free(body);
    free(path);

    /* 65 targets (one past STORE_MAX_TARGETS); ids of 65 characters. */
    char many[8192] = "{" T_ITEM ",\"targets\":[";
    for (int i = 0; i <= STORE_MAX_TARGETS; i++) {
        char t[32];
        snprintf(t, sizeof t, "%s\"screen:s%d\"", i ? "," : "", i);
        strcat(many, t);
    }
    strcat(many, "]}");
    item_fails(many, "targets");
    char *id65 = repeat('g', STORE_MAX_NAME_LEN + 1);
    body = fmt("{" T_ITEM ",\"targets\":[\"group:%s\"]}", id65);
    item_fails(body, "targets");
    free(body);
    id65[STORE_MAX_NAME_LEN] = '\0';
    body = fmt("{" T_ITEM ",\"targets\":[\"group:%s\"]}", id65);
    CHECK_MSG(req_parse_item(body, strlen(body), &c, &err), "%s", err.msg);
    store_content_finish(&c);
    free(body);
    free(id65);

    /* A body over REQ_MAX_BODY_BYTES is refused before it is parsed, even
     * though it is valid JSON. */
    size_t big = REQ_MAX_BODY_BYTES + 1;
    char *huge = repeat(' ', big);
    memcpy(huge + 1, "{" T_ITEM, strlen("{" T_ITEM));
    huge[big - 1] = '}';
    item_fails(huge, "limit");
    /* ... and the same document without the leading space, exactly at the limit, parses. */
    CHECK_MSG(req_parse_item(huge + 1, big - 1, &c, &err), "%s", err.msg);
    store_content_finish(&c);
    free(huge);
    /* A NUL byte inside the body (not via an escape). */
    static const char nul_body[] = "{\"kind\":\"tip\",\"title\":\"T\0x\",\"body\":\"B\"}";
    struct sg_err e2 = {0};
    CHECK(!req_parse_item(nul_body, sizeof nul_body - 1, &c, &e2));
    CHECK(e2.set && strstr(e2.msg, "NUL"));
#undef SHA
}

/* ---- login, passwords ---- */

static void test_password_policy(void)
{
    static const struct {
        const char *pw;
        bool ok;
    } cases[] = {
        {"", false},
        {"abcdefghijk", false}, /* 11 */
        {"abcdefghijkl", true}, /* 12 */
        {"\u00e4\u00f6\u00fc\u00df\u00e4\u00f6\u00fc\u00df\u00e4\u00f6\u00fc",
         false}, /* 22 bytes */
        {"\u00e4\u00f6\u00fc\u00df\u00e4\u00f6\u00fc\u00df\u00e4\u00f6\u00fc\u00df", true},
        {"Gr\u00fc\u00dfe aus K\u00f6ln", true},
        {"\U0001F511\U0001F511\U0001F511\U0001F511\U0001F511\U0001F511abcdef", true},
        {"abcdefghijk\xff", false}, /* invalid UTF-8 */
        {"abcdefghijkl\xc3", false},
        {"            ", true}, /* twelve spaces: no composition rules */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err err = {0};
        bool ok = req_password_ok(cases[i].pw, &err);
        CHECK_MSG(ok == cases[i].ok, "case %zu: %s", i, err.msg);
        CHECK_MSG(ok || (err.set && strstr(err.msg, "password")), "case %zu", i);
    }
    char *max = repeat('x', REQ_MAX_PASSWORD_LEN);
    struct sg_err err = {0};
    CHECK(req_password_ok(max, &err));
    free(max);
    char *over = repeat('x', REQ_MAX_PASSWORD_LEN + 1);
    CHECK(!req_password_ok(over, &err));
    CHECK(strstr(err.msg, "1024"));
    free(over);
    CHECK(!req_password_ok(NULL, &err));
}

static void test_login(void)
{
    struct req_login l;
    struct sg_err err = {0};
    const char *ok = "{\"name\":\"anna\",\"password\":\"short\"}";
    CHECK_MSG(req_parse_login(ok, strlen(ok), &l, &err), "%s", err.msg);
    CHECK_STR(l.name, "anna");
    CHECK_STR(l.password, "short"); /* no policy at login: the hash decides */
    req_login_finish(&l);
    CHECK(!l.name && !l.password);
    req_login_finish(&l); /* twice is fine */

    static const struct fail_case cases[] = {
        {"{\"password\":\"x\"}", "name"},
        {"{\"name\":\"anna\"}", "password"},
        {"{\"name\":\"\",\"password\":\"x\"}", "name"},
        {"{\"name\":\"anna\",\"password\":\"\"}", "password"},
        {"{\"name\":1,\"password\":\"x\"}", "name"},
        {"{\"name\":\"anna\",\"password\":null}", "password"},
        {"{\"name\":\"anna\",\"password\":\"x\",\"remember\":true}", "remember"},
        {"{\"name\":\"anna\",\"name\":\"root\",\"password\":\"x\"}", "duplicate"},
        {"{\"name\":\"anna\",\"password\":\"\xff\"}", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(!req_parse_login(cases[i].body, strlen(cases[i].body), &l, &e), "%s",
                  cases[i].body);
        CHECK_MSG(e.set && strstr(e.msg, cases[i].err_has), "%s: %s", cases[i].body, e.msg);
        CHECK(!l.name && !l.password);
    }
    char *name = repeat('n', STORE_MAX_NAME_LEN + 1);
    char *body = fmt("{\"name\":\"%s\",\"password\":\"x\"}", name);
    CHECK(!req_parse_login(body, strlen(body), &l, &err));
    free(body);
    free(name);
    char *pw = repeat('p', REQ_MAX_PASSWORD_LEN + 1);
    body = fmt("{\"name\":\"anna\",\"password\":\"%s\"}", pw);
    CHECK(!req_parse_login(body, strlen(body), &l, &err));
    free(body);
    free(pw);
}

static void test_password_change(void)
{
    struct req_password p;
    struct sg_err err = {0};
    const char *ok = "{\"old\":\"alt\",\"new\":\"\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
                     "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\"}";
    CHECK_MSG(req_parse_password(ok, strlen(ok), &p, &err), "%s", err.msg);
    CHECK_STR(p.old_password, "alt");
    CHECK_INT(strlen(p.new_password), 24);
    req_password_finish(&p);
    CHECK(!p.old_password && !p.new_password);
    static const struct fail_case cases[] = {
        {"{\"old\":\"alt\",\"new\":\"abcdefghijk\"}", "shorter"},
        {"{\"old\":\"alt\",\"new\":"
         "\"\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
         "\xc3\xa4\xc3\xa4\xc3\xa4\"}",
         "shorter"},
        {"{\"new\":\"abcdefghijklm\"}", "old"},
        {"{\"old\":\"alt\"}", "new"},
        {"{\"old\":\"alt\",\"new\":123456789012}", "new"},
        {"{\"old\":\"alt\",\"new\":\"abcdefghijklm\",\"confirm\":\"x\"}", "confirm"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(!req_parse_password(cases[i].body, strlen(cases[i].body), &p, &e), "%s",
                  cases[i].body);
        CHECK_MSG(e.set && strstr(e.msg, cases[i].err_has), "%s: %s", cases[i].body, e.msg);
        CHECK(!p.old_password && !p.new_password);
    }
    char *pw = repeat('p', REQ_MAX_PASSWORD_LEN + 1);
    char *body = fmt("{\"old\":\"alt\",\"new\":\"%s\"}", pw);
    CHECK(!req_parse_password(body, strlen(body), &p, &err));
    free(body);
    free(pw);
}

/* ---- decisions ---- */

static void test_decisions(void)
{
    struct req_decision d;
    struct sg_err err = {0};
    const char *a = "{\"rev\":3,\"until\":\"2026-11-22T08:00:00Z\",\"targets\":[\"group:nord\","
                    "\"screen:empfang\"]}";
    CHECK_MSG(req_parse_decision("approve", a, strlen(a), &d, &err), "%s", err.msg);
    CHECK_INT(d.rev, 3);
    CHECK(d.has_until);
    CHECK_INT(d.until, 1795334400);
    CHECK_STR(d.targets_json, "[\"group:nord\",\"screen:empfang\"]");
    CHECK(!d.reason);
    req_decision_finish(&d);

    const char *a2 = "{\"rev\":1}";
    CHECK(req_parse_decision("approve", a2, strlen(a2), &d, &err));
    CHECK(!d.has_until && !d.targets_json);
    req_decision_finish(&d);

    const char *rj = "{\"rev\":2,\"reason\":\"Tippfehler im Titel; bitte '\\\"korrigieren\\\"'\"}";
    CHECK_MSG(req_parse_decision("reject", rj, strlen(rj), &d, &err), "%s", err.msg);
    CHECK_STR(d.reason, "Tippfehler im Titel; bitte '\"korrigieren\"'");
    req_decision_finish(&d);

    CHECK(req_parse_decision("revoke", a2, strlen(a2), &d, &err));
    CHECK(!d.reason);
    req_decision_finish(&d);
    const char *rv = "{\"rev\":1,\"reason\":\"\"}";
    CHECK(req_parse_decision("revoke", rv, strlen(rv), &d, &err));
    CHECK(!d.reason);
    req_decision_finish(&d);

    static const struct {
        const char *kind, *body, *err_has;
    } cases[] = {
        {"approve", "{}", "rev"},
        {"approve", "{\"rev\":0}", "rev"},
        {"approve", "{\"rev\":-1}", "rev"},
        {"approve", "{\"rev\":\"1\"}", "rev"},
        {"approve", "{\"rev\":1.5}", "rev"},
        {"approve", "{\"rev\":1,\"until\":\"2026-11-22T08:00:00+01:00\"}", "until"},
        {"approve", "{\"rev\":1,\"until\":\"2026-11-22\"}", "until"},
        {"approve", "{\"rev\":1,\"until\":1795334400}", "until"},
        {"approve", "{\"rev\":1,\"targets\":[]}", "targets"},
        {"approve", "{\"rev\":1,\"targets\":[\"*\",\"*\"]}", "twice"},
        {"approve", "{\"rev\":1,\"reason\":\"x\"}", "reason"},
        {"reject", "{\"rev\":1}", "reason"},
        {"reject", "{\"rev\":1,\"reason\":\"\"}", "reason"},
        {"reject", "{\"rev\":1,\"reason\":5}", "reason"},
        {"reject", "{\"rev\":1,\"reason\":\"x\",\"until\":\"2026-11-22T08:00:00Z\"}", "until"},
        {"revoke", "{\"rev\":1,\"targets\":[\"*\"]}", "targets"},
        {"revoke", "{\"reason\":\"x\"}", "rev"},
        {"revoke", "{\"rev\":1,\"rev\":2}", "duplicate"},
        {"delete", "{\"rev\":1}", "kind"},
        {NULL, "{\"rev\":1}", "kind"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(!req_parse_decision(cases[i].kind, cases[i].body, strlen(cases[i].body), &d, &e),
                  "%s %s", cases[i].kind, cases[i].body);
        CHECK_MSG(e.set && strstr(e.msg, cases[i].err_has), "%s: %s", cases[i].body, e.msg);
        CHECK(!d.reason && !d.targets_json);
    }
    char *reason = repeat('r', STORE_MAX_REASON_LEN + 1);
    char *body = fmt("{\"rev\":1,\"reason\":\"%s\"}", reason);
    CHECK(!req_parse_decision("reject", body, strlen(body), &d, &err));
    free(body);
    reason[STORE_MAX_REASON_LEN] = '\0';
    body = fmt("{\"rev\":1,\"reason\":\"%s\"}", reason);
    CHECK(req_parse_decision("reject", body, strlen(body), &d, &err));
    req_decision_finish(&d);
    free(body);
    free(reason);
}

/* ---- screens ---- */

static void test_screens(void)
{
    struct req_screen s;
    struct sg_err err = {0};
    const char *full = "{\"id\":\"wartezimmer-1\",\"name\":\"Wartezimmer 1\",\"group\":"
                       "\"praxis.nord\",\"location\":\"EG links\",\"timezone\":\"Europe/Vienna\"}";
    CHECK_MSG(req_parse_screen(full, strlen(full), &s, &err), "%s", err.msg);
    CHECK_STR(s.id, "wartezimmer-1");
    CHECK_STR(s.name, "Wartezimmer 1");
    CHECK_STR(s.group, "praxis.nord");
    CHECK_STR(s.location, "EG links");
    CHECK_STR(s.timezone, "Europe/Vienna");
    req_screen_finish(&s);
    CHECK(!s.id && !s.timezone);

    const char *min = "{\"id\":\"a\",\"name\":\"A\",\"group\":\"\"}";
    CHECK(req_parse_screen(min, strlen(min), &s, &err));
    CHECK_STR(s.timezone, "Europe/Berlin");
    CHECK(!s.group && !s.location);
    req_screen_finish(&s);

    static const char *const good_tz[] = {"UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+1",
                                          "America/Port-au-Prince"};
    for (size_t i = 0; i < sizeof good_tz / sizeof good_tz[0]; i++) {
        char *body = fmt("{\"id\":\"a\",\"name\":\"A\",\"timezone\":\"%s\"}", good_tz[i]);
        CHECK_MSG(req_parse_screen(body, strlen(body), &s, &err), "%s: %s", good_tz[i], err.msg);
        req_screen_finish(&s);
        free(body);
    }

    static const struct fail_case cases[] = {
        {"{\"name\":\"A\"}", "id"},
        {"{\"id\":\"a\"}", "name"},
        {"{\"id\":\"\",\"name\":\"A\"}", "id"},
        {"{\"id\":\".a\",\"name\":\"A\"}", "id"},
        {"{\"id\":\"a/b\",\"name\":\"A\"}", "id"},
        {"{\"id\":\"a b\",\"name\":\"A\"}", "id"},
        {"{\"id\":\"w\xc3\xa4rte\",\"name\":\"A\"}", "id"},
        {"{\"id\":7,\"name\":\"A\"}", "id"},
        {"{\"id\":\"a\",\"name\":\"A\",\"group\":\"x/y\"}", "group"},
        {"{\"id\":\"a\",\"name\":\"A\",\"group\":\"..\"}", "group"},
        {"{\"id\":\"a\",\"name\":\"A\",\"timezone\":\"../../etc/passwd\"}", "timezone"},
        {"{\"id\":\"a\",\"name\":\"A\",\"timezone\":\"/Europe/Berlin\"}", "timezone"},
        {"{\"id\":\"a\",\"name\":\"A\",\"timezone\":\"Europe/Berlin/\"}", "timezone"},
        {"{\"id\":\"a\",\"name\":\"A\",\"timezone\":\"Europe Berlin\"}", "timezone"},
        {"{\"id\":\"a\",\"name\":\"A\",\"timezone\":\"A/B/C/D\"}", "timezone"},
        {"{\"id\":\"a\",\"name\":\"A\",\"token\":\"x\"}", "token"},
        {"{\"id\":\"a\",\"name\":\"A\\nB\"}", "name"},
        {"{\"id\":\"a\",\"name\":\" A\"}", "name"},
        {"{\"id\":\"a\",\"name\":\"A\",\"location\":\"EG\\tlinks\"}", "location"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(!req_parse_screen(cases[i].body, strlen(cases[i].body), &s, &e), "%s",
                  cases[i].body);
        CHECK_MSG(e.set && strstr(e.msg, cases[i].err_has), "%s: %s", cases[i].body, e.msg);
        CHECK(!s.id && !s.name && !s.timezone);
    }
    char *id = repeat('i', STORE_MAX_NAME_LEN + 1);
    char *body = fmt("{\"id\":\"%s\",\"name\":\"A\"}", id);
    CHECK(!req_parse_screen(body, strlen(body), &s, &err));
    free(body);
    id[STORE_MAX_NAME_LEN] = '\0';
    body = fmt("{\"id\":\"%s\",\"name\":\"A\"}", id);
    CHECK(req_parse_screen(body, strlen(body), &s, &err));
    req_screen_finish(&s);
    free(body);
    free(id);
    char *name = repeat('n', 201);
    body = fmt("{\"id\":\"a\",\"name\":\"%s\"}", name);
    CHECK(!req_parse_screen(body, strlen(body), &s, &err));
    free(body);
    body = fmt("{\"id\":\"a\",\"name\":\"A\",\"location\":\"%s\"}", name);
    CHECK(!req_parse_screen(body, strlen(body), &s, &err));
    free(body);
    free(name);
}

/* ---- users ---- */

static void test_users(void)
{
    struct req_user u;
    struct sg_err err = {0};
    const char *add = "{\"name\":\"J\xc3\xbcrgen M.\",\"role\":\"approver\"}";
    CHECK_MSG(req_parse_user(false, add, strlen(add), &u, &err), "%s", err.msg);
    CHECK_STR(u.name, "J\xc3\xbcrgen M.");
    CHECK(u.has_role && u.role == STORE_ROLE_APPROVER);
    CHECK(!u.password);
    req_user_finish(&u);

    const char *add_pw = "{\"name\":\"anna\",\"role\":\"admin\",\"password\":\"lange-passphrase\"}";
    CHECK(req_parse_user(false, add_pw, strlen(add_pw), &u, &err));
    CHECK_STR(u.password, "lange-passphrase");
    req_user_finish(&u);

    const char *upd = "{\"disabled\":true}";
    CHECK(req_parse_user(true, upd, strlen(upd), &u, &err));
    CHECK_INT(u.disabled, 1);
    CHECK(!u.has_role && !u.name && !u.password);
    req_user_finish(&u);
    const char *upd2 = "{\"role\":\"editor\",\"disabled\":false}";
    CHECK(req_parse_user(true, upd2, strlen(upd2), &u, &err));
    CHECK_INT(u.disabled, 0);
    CHECK(u.has_role && u.role == STORE_ROLE_EDITOR);
    req_user_finish(&u);
    const char *upd3 = "{\"password\":\"zw\xc3\xb6lf Zeichen\"}";
    CHECK_MSG(req_parse_user(true, upd3, strlen(upd3), &u, &err), "%s", err.msg);
    CHECK_INT(u.disabled, -1);
    req_user_finish(&u);

    static const struct {
        bool update;
        const char *body, *err_has;
    } cases[] = {
        {false, "{\"role\":\"editor\"}", "name"},
        {false, "{\"name\":\"anna\"}", "role"},
        {false, "{\"name\":\"anna\",\"role\":\"root\"}", "role"},
        {false, "{\"name\":\"anna\",\"role\":3}", "role"},
        {false, "{\"name\":\"anna\",\"role\":\"Editor\"}", "role"},
        {false, "{\"name\":\"anna\",\"role\":\"editor\",\"disabled\":true}", "disabled"},
        {false, "{\"name\":\"anna\",\"role\":\"editor\",\"password\":\"elf Zeichen\"}", "shorter"},
        {false, "{\"name\":\"anna\",\"role\":\"editor\",\"password\":\"\"}", "shorter"},
        {false, "{\"name\":\" anna\",\"role\":\"editor\"}", "name"},
        {false, "{\"name\":\"anna \",\"role\":\"editor\"}", "name"},
        {false, "{\"name\":\"an\\u0007na\",\"role\":\"editor\"}", "name"},
        {false, "{\"name\":\"an\\u0085na\",\"role\":\"editor\"}", "name"},
        {true, "{\"name\":\"anna\"}", "name"},
        {true, "{}", "nothing"},
        {true, "{\"disabled\":1}", "disabled"},
        {true, "{\"disabled\":\"true\"}", "disabled"},
        {true, "{\"role\":\"boss\"}", "role"},
        {true, "{\"password\":\"kurz\"}", "shorter"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(!req_parse_user(cases[i].update, cases[i].body, strlen(cases[i].body), &u, &e),
                  "%s", cases[i].body);
        CHECK_MSG(e.set && strstr(e.msg, cases[i].err_has), "%s: %s", cases[i].body, e.msg);
        CHECK(!u.name && !u.password && !u.has_role && u.disabled == -1);
    }
    char *name = repeat('n', STORE_MAX_NAME_LEN + 1);
    char *body = fmt("{\"name\":\"%s\",\"role\":\"editor\"}", name);
    CHECK(!req_parse_user(false, body, strlen(body), &u, &err));
    free(body);
    free(name);
}

/* ---- settings, emergency ---- */

static void test_settings(void)
{
    struct store_settings base = {.four_eyes_post = true,
                                  .approval_days = 14,
                                  .feed_lifetime_s = 7 * 86400,
                                  .clinic = "Praxis Dr. Alt"};
    struct store_settings s = base;
    struct sg_err err = {0};
    const char *b = "{\"four_eyes\":{\"tip\":true,\"post\":false},\"approval_days\":30,"
                    "\"clinic\":\"Praxis Dr. M\xc3\xbcller & Partner\"}";
    CHECK_MSG(req_parse_settings(b, strlen(b), &s, &err), "%s", err.msg);
    CHECK(!s.four_eyes_post && s.four_eyes_tip && !s.four_eyes_notice);
    CHECK_INT(s.approval_days, 30);
    CHECK_STR(s.clinic, "Praxis Dr. M\xc3\xbcller & Partner");
    CHECK_INT(s.feed_lifetime_s, 7 * 86400);
    CHECK(!s.emergency_stop);

    s = base;
    const char *only = "{\"approval_days\":1}";
    CHECK(req_parse_settings(only, strlen(only), &s, &err));
    CHECK_INT(s.approval_days, 1);
    CHECK(s.four_eyes_post);
    CHECK_STR(s.clinic, "Praxis Dr. Alt");
    const char *none = "{\"clinic\":\"\"}";
    CHECK(req_parse_settings(none, strlen(none), &s, &err));
    CHECK_STR(s.clinic, "");

    static const struct fail_case cases[] = {
        {"{\"approval_days\":0}", "approval_days"},
        {"{\"approval_days\":367}", "approval_days"},
        {"{\"approval_days\":\"30\"}", "approval_days"},
        {"{\"four_eyes\":true}", "four_eyes"},
        {"{\"four_eyes\":{\"post\":1}}", "post"},
        {"{\"four_eyes\":{\"video\":true}}", "video"},
        {"{\"clinic\":5}", "clinic"},
        {"{\"clinic\":\"A\\nB\"}", "clinic"},
        {"{\"emergency_stop\":true}", "emergency_stop"},
        {"{\"feed_lifetime_s\":60}", "feed_lifetime_s"},
        {"{\"approval_days\":30,\"clinic\":\"X\",\"bogus\":1}", "bogus"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e = {0};
        s = base;
        CHECK_MSG(!req_parse_settings(cases[i].body, strlen(cases[i].body), &s, &e), "%s",
                  cases[i].body);
        CHECK_MSG(e.set && strstr(e.msg, cases[i].err_has), "%s: %s", cases[i].body, e.msg);
        /* A refused body changes nothing, not even the members before the bad one. */
        CHECK(memcmp(&s, &base, sizeof s) == 0);
    }
    char *clinic = repeat('c', sizeof base.clinic);
    char *body = fmt("{\"clinic\":\"%s\"}", clinic);
    s = base;
    CHECK(!req_parse_settings(body, strlen(body), &s, &err));
    free(body);
    clinic[sizeof base.clinic - 1] = '\0';
    body = fmt("{\"clinic\":\"%s\"}", clinic);
    CHECK(req_parse_settings(body, strlen(body), &s, &err));
    CHECK_INT(strlen(s.clinic), sizeof base.clinic - 1);
    free(body);
    free(clinic);
}

static void test_emergency(void)
{
    static const struct {
        const char *body;
        bool ok, stop;
    } cases[] = {
        {"{\"stop\":true}", true, true},
        {"{\"stop\":false}", true, false},
        {"{}", false, false},
        {"{\"stop\":1}", false, false},
        {"{\"stop\":\"true\"}", false, false},
        {"{\"stop\":true,\"all\":true}", false, false},
        {"{\"stop\":true,\"stop\":false}", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err err = {0};
        bool stop = !cases[i].stop;
        bool ok = req_parse_emergency(cases[i].body, strlen(cases[i].body), &stop, &err);
        CHECK_MSG(ok == cases[i].ok, "%s: %s", cases[i].body, err.msg);
        CHECK_MSG(ok ? stop == cases[i].stop : err.set, "%s", cases[i].body);
    }
}

/* ---- status reports ---- */

/* A real 1 x 1 PNG. */
static const unsigned char tiny_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08,
    0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d,
    0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static char *b64(const unsigned char *bytes, size_t len, int variant)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, variant);
    char *s = malloc(cap);
    sodium_bin2base64(s, cap, bytes, len, variant);
    return s;
}

static void test_status(void)
{
    struct req_status st;
    struct sg_err err = {0};
    const char *min = "{\"version\":12,\"item\":\"it-0123456789ab\",\"rev\":2,\"uptime\":3600}";
    CHECK_MSG(req_parse_status(min, strlen(min), &st, &err), "%s", err.msg);
    CHECK_INT(st.version, 12);
    CHECK_STR(st.item, "it-0123456789ab");
    CHECK_INT(st.rev, 2);
    CHECK_INT(st.uptime, 3600);
    CHECK(!st.png && st.png_len == 0);
    CHECK_STR(st.status_json,
              "{\"version\":12,\"item\":\"it-0123456789ab\",\"rev\":2,\"uptime\":3600}");
    req_status_finish(&st);
    CHECK(!st.item && !st.status_json);

    /* With a screenshot: decoded, and left out of status_json. */
    char *shot = b64(tiny_png, sizeof tiny_png, sodium_base64_VARIANT_ORIGINAL);
    char body[2048];
    snprintf(body, sizeof body,
             "{\"uptime\":5,\"dropped\":{\"approval-expired\":2,\"media-missing\":0},\"version\":0,"
             "\"item\":\"idle\",\"rev\":0,\"last_error\":\"fetch: https://q/v1 timed out\","
             "\"screenshot\":\"%s\"}",
             shot);
    CHECK_MSG(req_parse_status(body, strlen(body), &st, &err), "%s", err.msg);
    CHECK_INT(st.png_len, sizeof tiny_png);
    CHECK(st.png && memcmp(st.png, tiny_png, sizeof tiny_png) == 0);
    CHECK_STR(st.item, "idle");
    CHECK_STR(st.status_json,
              "{\"version\":0,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"last_error\":\"fetch: "
              "https://q/v1 timed out\",\"dropped\":{\"approval-expired\":2,\"media-missing\":0}}");
    req_status_finish(&st);
    free(shot);
    /* Unpadded base64 is accepted too. */
    shot = b64(tiny_png, sizeof tiny_png, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    snprintf(body, sizeof body,
             "{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"screenshot\":\"%s\"}",
             shot);
    CHECK_MSG(req_parse_status(body, strlen(body), &st, &err), "%s", err.msg);
    CHECK_INT(st.png_len, sizeof tiny_png);
    req_status_finish(&st);
    free(shot);

    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',
                                         'I',  'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01};
    char *not_png = b64(jpeg, sizeof jpeg, sodium_base64_VARIANT_ORIGINAL);
    char *png_sig_only = b64(tiny_png, 8, sodium_base64_VARIANT_ORIGINAL);
    char *urlsafe = b64((const unsigned char *)"\xfb\xff\xfe", 3, sodium_base64_VARIANT_URLSAFE);
    static const char *const pattern =
        "{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"screenshot\":\"%s\"}";
    const struct fail_case shots[] = {
        {not_png, "PNG"},
        {png_sig_only, "PNG"},
        {"aGVsbG8gd29ybGQ=", "PNG"},
        {"not base64!", "base64"},
        {"iVBORw0KGgo=x", "base64"},
        {urlsafe, "base64"},
        {"", "PNG"},
    };
    for (size_t i = 0; i < sizeof shots / sizeof shots[0]; i++) {
        char *b = fmt(pattern, shots[i].body);
        struct sg_err e = {0};
        CHECK_MSG(!req_parse_status(b, strlen(b), &st, &e), "%s", b);
        CHECK_MSG(e.set && strstr(e.msg, shots[i].err_has), "%s: %s", b, e.msg);
        CHECK(!st.png && !st.item && !st.status_json);
        free(b);
    }
    free(not_png);
    free(png_sig_only);
    free(urlsafe);

    /* A screenshot one byte over REQ_MAX_SCREENSHOT_BYTES (in a body that
     * itself is under REQ_MAX_STATUS_BYTES). */
    size_t n = REQ_MAX_SCREENSHOT_BYTES + 1;
    unsigned char *big = calloc(1, n);
    memcpy(big, tiny_png, sizeof tiny_png);
    char *big64 = b64(big, n, sodium_base64_VARIANT_ORIGINAL);
    char *bb = fmt(pattern, big64);
    CHECK(strlen(bb) <= REQ_MAX_STATUS_BYTES);
    struct sg_err e = {0};
    CHECK(!req_parse_status(bb, strlen(bb), &st, &e));
    CHECK_MSG(strstr(e.msg, "screenshot"), "%s", e.msg);
    free(bb);
    free(big64);
    /* Exactly the limit is fine. */
    big64 = b64(big, n - 1, sodium_base64_VARIANT_ORIGINAL);
    bb = fmt(pattern, big64);
    CHECK_MSG(req_parse_status(bb, strlen(bb), &st, &err), "%s", err.msg);
    CHECK_INT(st.png_len, REQ_MAX_SCREENSHOT_BYTES);
    req_status_finish(&st);
    free(bb);
    free(big64);
    free(big);
    /* The whole body over REQ_MAX_STATUS_BYTES. */
    char *pad = repeat('x', REQ_MAX_STATUS_BYTES);
    bb = fmt("{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"last_error\":\"%s\"}", pad);
    struct sg_err e3 = {0};
    CHECK(!req_parse_status(bb, strlen(bb), &st, &e3));
    CHECK_MSG(strstr(e3.msg, "limit"), "%s", e3.msg);
    free(bb);
    free(pad);

    static const struct fail_case cases[] = {
        {"{\"item\":\"idle\",\"rev\":0,\"uptime\":5}", "version"},
        {"{\"version\":-1,\"item\":\"idle\",\"rev\":0,\"uptime\":5}", "version"},
        {"{\"version\":1,\"rev\":0,\"uptime\":5}", "item"},
        {"{\"version\":1,\"item\":\"\",\"rev\":0,\"uptime\":5}", "item"},
        {"{\"version\":1,\"item\":\"../x\",\"rev\":0,\"uptime\":5}", "item"},
        {"{\"version\":1,\"item\":3,\"rev\":0,\"uptime\":5}", "item"},
        {"{\"version\":1,\"item\":\"idle\",\"uptime\":5}", "rev"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0}", "uptime"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":-5}", "uptime"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"last_error\":3}", "last_error"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"dropped\":[]}", "dropped"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"dropped\":{\"Bad Reason\":1}}",
         "dropped"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"dropped\":{\"x\":-1}}", "x"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"dropped\":{\"x\":\"1\"}}", "x"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"screenshot\":7}", "screenshot"},
        {"{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"temp\":40}", "temp"},
        {"{\"version\":1,\"version\":2,\"item\":\"idle\",\"rev\":0,\"uptime\":5}", "duplicate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err e4 = {0};
        CHECK_MSG(!req_parse_status(cases[i].body, strlen(cases[i].body), &st, &e4), "%s",
                  cases[i].body);
        CHECK_MSG(e4.set && strstr(e4.msg, cases[i].err_has), "%s: %s", cases[i].body, e4.msg);
        CHECK(!st.item && !st.status_json && !st.png);
    }
    char *err_text = repeat('e', 1025);
    bb = fmt("{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"last_error\":\"%s\"}",
             err_text);
    CHECK(!req_parse_status(bb, strlen(bb), &st, &err));
    free(bb);
    free(err_text);
    /* More than REQ_MAX_DROPPED (32) reasons. */
    char many[4096] = "{\"version\":1,\"item\":\"idle\",\"rev\":0,\"uptime\":5,\"dropped\":{";
    for (int i = 0; i < 33; i++) {
        char kv[32];
        snprintf(kv, sizeof kv, "%s\"r%d\":1", i ? "," : "", i);
        strcat(many, kv);
    }
    strcat(many, "}}");
    CHECK(!req_parse_status(many, strlen(many), &st, &err));
}

/* ---- store names and targets ---- */

static void test_store_names(void)
{
    static const enum store_role roles[] = {STORE_ROLE_EDITOR, STORE_ROLE_APPROVER,
                                            STORE_ROLE_ADMIN};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        enum store_role r = 0;
        CHECK(store_role_parse(store_role_name(roles[i]), &r));
        CHECK_INT(r, roles[i]);
    }
    CHECK_STR(store_role_name(STORE_ROLE_APPROVER), "approver");
    CHECK_STR(store_role_name((enum store_role)0), "unknown");
    CHECK_STR(store_role_name((enum store_role)9), "unknown");
    enum store_role r;
    CHECK(!store_role_parse("root", &r));
    CHECK(!store_role_parse("", &r));
    CHECK(!store_role_parse(NULL, &r));
    for (int i = STORE_REV_PENDING; i <= STORE_REV_SUPERSEDED; i++) {
        enum store_rev_state s = STORE_REV_PENDING;
        CHECK(store_rev_state_parse(store_rev_state_name((enum store_rev_state)i), &s));
        CHECK_INT(s, i);
    }
    CHECK_STR(store_rev_state_name(STORE_REV_SUPERSEDED), "superseded");
    CHECK_STR(store_rev_state_name((enum store_rev_state)42), "unknown");
    enum store_rev_state s;
    CHECK(!store_rev_state_parse("all", &s));
    CHECK(!store_rev_state_parse("Pending", &s));
}

static void test_targets_match(void)
{
    static const struct {
        const char *json, *screen, *group;
        bool match;
    } cases[] = {
        {"[\"*\"]", "a", NULL, true},
        {"[\"*\"]", "a", "g", true},
        {"[\"screen:a\"]", "a", NULL, true},
        {"[\"screen:a\"]", "ab", NULL, false},
        {"[\"screen:ab\"]", "a", NULL, false},
        {"[\"screen:a\"]", "A", NULL, false},
        {"[\"group:g\"]", "a", "g", true},
        {"[\"group:g\"]", "a", NULL, false},
        {"[\"group:g\"]", "a", "", false},
        {"[\"group:g\"]", "g", NULL, false}, /* a screen id is no group name */
        {"[\"screen:g\"]", "x", "g", false},
        {"[\"screen:x\",\"group:y\",\"screen:a\"]", "a", "z", true},
        {"[\"screen:x\",\"group:y\"]", "a", "y", true},
        {"[\"group:\"]", "a", "", false},
        {"[\"screen:\"]", "", NULL, false},
        {" [ \"*\" ] \n", "a", NULL, true},
        {"[]", "a", "g", false},
        /* malformed: nothing matches */
        {"[", "a", NULL, false},
        {"", "a", NULL, false},
        {"{\"0\":\"*\"}", "a", NULL, false},
        {"\"*\"", "a", NULL, false},
        {"[1]", "a", NULL, false},
        {"[\"*\",2]", "a", NULL, false},
        {"[[\"*\"]]", "a", NULL, false},
        {"[\"*\"] x", "a", NULL, false},
        {"[\"*\"][\"*\"]", "a", NULL, false},
        {"['*']", "a", NULL, false},
        {"[\"screen:a\\u0000b\"]", "a", NULL, false},
        {NULL, "a", "g", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(store_targets_match(cases[i].json, cases[i].screen, cases[i].group) ==
                      cases[i].match,
                  "case %zu: %s", i, cases[i].json ? cases[i].json : "(null)");

    /* What req_parse_item stores is what the publisher matches. */
    const char *item = "{" T_ITEM ",\"targets\":[\"group:nord\",\"screen:empfang\"]}";
    struct store_content c;
    struct sg_err err = {0};
    CHECK(req_parse_item(item, strlen(item), &c, &err));
    CHECK(store_targets_match(c.targets_json, "empfang", NULL));
    CHECK(store_targets_match(c.targets_json, "labor", "nord"));
    CHECK(!store_targets_match(c.targets_json, "labor", "sued"));
    store_content_finish(&c);
    store_content_finish(&c);
    store_content_finish(NULL);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_item_valid();
    test_item_invalid();
    test_password_policy();
    test_login();
    test_password_change();
    test_decisions();
    test_screens();
    test_users();
    test_settings();
    test_emergency();
    test_status();
    test_store_names();
    test_targets_match();
    return check_done("test_requests");
}
