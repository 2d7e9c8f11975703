/* The JSON ingest parsers (ingest.h): Mastodon statuses and Bluesky author
 * feeds from fixtures in tests/data/ingest (normal posts, replies, reposts,
 * edits, content warnings, visibility, HTML, RTL text, images, labels, and
 * entries that must be skipped), the webhook with every refusal it
 * promises, the document-level strictness all three share (malformed JSON,
 * duplicate keys, size, depth), and the jsonx and time helpers they use. */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/ingest_invariants.h"
#include "check.h"
#include "fileio.h"
#include "ingest.h"
#include "ingest_internal.h"
#include "jsonx.h"

#define FIXTURES SIGNET_TEST_DATA "/ingest"

static char *read_fixture(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, FIXTURES "/%s", name);
    char *buf = NULL;
    struct sg_err err = {0};
    if (!fileio_read(path, INGEST_MAX_RESPONSE_BYTES, &buf, len, &err)) {
        CHECK_MSG(false, "%s", err.msg);
        return NULL;
    }
    return buf;
}

/* n copies of c, NUL-terminated; the caller frees. */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Concatenates the NULL-terminated list of strings into a new buffer. */
static char *join(const char *first, ...) __attribute__((sentinel));
static char *join(const char *first, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *out = malloc(n + 1), *p = out;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t k = strlen(s);
        memcpy(p, s, k);
        p += k;
    }
    va_end(ap);
    *p = '\0';
    return out;
}

typedef bool (*parse_fn)(const char *, size_t, struct ingest_batch *, struct sg_err *);

/* Parses and checks the promises every batch keeps. */
static bool parse(parse_fn fn, const char *doc, size_t len, struct ingest_batch *b,
                  struct sg_err *err)
{
    sg_err_clear(err);
    bool ok = fn(doc, len, b, err);
    CHECK_MSG(ingest_batch_valid(ok, b, err), "batch breaks a promise (ok=%d, err=%s)", ok,
              err->msg);
    return ok;
}

static void refuses(parse_fn fn, const char *doc, size_t len, const char *err_has)
{
    struct ingest_batch b;
    struct sg_err err = {0};
    bool ok = parse(fn, doc, len, &b, &err);
    CHECK_MSG(!ok, "accepted: %.200s", doc);
    CHECK_MSG(err.set && strstr(err.msg, err_has), "%.200s: error \"%s\" lacks \"%s\"", doc,
              err.msg, err_has);
    ingest_batch_finish(&b);
}

#define CHECK_NULL(a)                                                                              \
    do {                                                                                           \
        const char *check_p_ = (a);                                                                \
        CHECK_MSG(!check_p_, "%s is \"%s\", not NULL", #a, check_p_ ? check_p_ : "");              \
    } while (0)

#define CHECK_HAS(a, part)                                                                         \
    do {                                                                                           \
        const char *check_h_ = (a);                                                                \
        CHECK_MSG(check_h_ &&strstr(check_h_, part), "%s = \"%s\" lacks \"%s\"", #a,               \
                  check_h_ ? check_h_ : "(null)", part);                                           \
    } while (0)

/* ---- jsonx additions and the shared helpers ---- */

static void test_jsonx(void)
{
    struct json_object *o = NULL;
    struct sg_err err = {0};
    static const char arr[] = " [1, {\"a\": true, \"b\": [false]}, \"x\"]\n";
    CHECK(jsonx_parse_array(arr, sizeof arr - 1, 1024, 8, &o, &err));
    CHECK(o && json_object_is_type(o, json_type_array) && json_object_array_length(o) == 3);
    json_object_put(o);
    CHECK(jsonx_parse_array("[]", 2, 1024, 8, &o, &err) && json_object_array_length(o) == 0);
    json_object_put(o);

    static const struct {
        const char *doc;
        const char *err_has;
    } bad[] = {
        {"{\"a\": 1}", "not an array"},
        {"\"text\"", "not an array"},
        {"[{\"a\": 1, \"a\": 2}]", "duplicate key"},
        {"[{\"a\": {\"b\": 1, \"b\": 1}}, {}]", "duplicate key"},
        {"[1] [2]", "syntax error at byte 4"}, /* json-c STRICT stops there */
        {"[1,", "truncated"},
        {"[1,]", "syntax error"},
        {"[\"\xc3\x28\"]", "UTF-8"},
        {"[[[[[[[[[[1]]]]]]]]]]", "deeper than 8"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sg_err_clear(&err);
        CHECK_MSG(!jsonx_parse_array(bad[i].doc, strlen(bad[i].doc), 1024, 8, &o, &err) && !o,
                  "accepted %s", bad[i].doc);
        CHECK_MSG(strstr(err.msg, bad[i].err_has), "%s: \"%s\"", bad[i].doc, err.msg);
    }
    sg_err_clear(&err);
    CHECK(!jsonx_parse_array("[1, 2]", 6, 5, 8, &o, &err) && strstr(err.msg, "exceeds"));
    CHECK(!jsonx_parse_array("[1,\0 2]", 7, 1024, 8, &o, &err));
    /* The object parser is unchanged: an array is still refused. */
    sg_err_clear(&err);
    CHECK(!jsonx_parse_object("[]", 2, 1024, 8, &o, &err) && strstr(err.msg, "not an object"));

    static const char obj[] = "{\"t\": true, \"f\": false, \"n\": 1, \"s\": \"true\"}";
    CHECK(jsonx_parse_object(obj, sizeof obj - 1, 1024, 8, &o, &err));
    bool v = false;
    CHECK(jsonx_get_bool(o, "x", "t", true, &v, &err) && v);
    CHECK(jsonx_get_bool(o, "x", "f", true, &v, &err) && !v);
    v = true;
    CHECK(jsonx_get_bool(o, "x", "absent", false, &v, &err) && v); /* untouched */
    sg_err_clear(&err);
    CHECK(!jsonx_get_bool(o, "x", "absent", true, &v, &err) && strstr(err.msg, "missing"));
    sg_err_clear(&err);
    CHECK(!jsonx_get_bool(o, "x", "n", false, &v, &err) && strstr(err.msg, "true or false"));
    CHECK(!jsonx_get_bool(o, "x", "s", false, &v, &err));
    json_object_put(o);
}

static void test_time_and_lang(void)
{
    static const struct {
        const char *s;
        bool ok;
        int64_t t;
    } cases[] = {
        {"2024-10-01T08:30:00Z", true, 1727771400},
        {"2024-10-01T08:30:00.123Z", true, 1727771400},
        {"2024-10-01T08:30:00.123456789Z", true, 1727771400},
        {"2024-10-01t08:30:00z", true, 1727771400},
        {"2024-10-01T10:30:00+02:00", true, 1727771400},
        {"2024-10-01T03:30:00.5-05:00", true, 1727771400},
        {"2024-02-29T00:00:00Z", true, 1709164800},
        {"1970-01-01T00:00:00Z", true, 0},
        {"2024-02-30T00:00:00Z", false, 0},
        {"2023-02-29T00:00:00Z", false, 0},
        {"2024-13-01T00:00:00Z", false, 0},
        {"2024-10-01T24:00:00Z", false, 0},
        {"2024-10-01T08:30:00", false, 0},
        {"2024-10-01 08:30:00Z", false, 0},
        {"2024-10-01T08:30:00.Z", false, 0},
        {"2024-10-01T08:30:00.1234567890Z", false, 0},
        {"2024-10-01T08:30:00+0200", false, 0},
        {"2024-10-01T08:30:00+24:00", false, 0},
        {"2024-10-01T08:30:00Zjunk", false, 0},
        {"2024-10-01", false, 0},
        {"", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = -1;
        bool ok = ingest_parse_time(cases[i].s, &t);
        CHECK_MSG(ok == cases[i].ok, "\"%s\"", cases[i].s);
        if (ok && cases[i].ok)
            CHECK_MSG(t == cases[i].t, "\"%s\": %lld", cases[i].s, (long long)t);
    }
    int64_t t;
    CHECK(!ingest_parse_time(NULL, &t));
    CHECK(ingest_lang_ok("de") && ingest_lang_ok("en-GB") && ingest_lang_ok("zh-Hant-TW") &&
          ingest_lang_ok("gsw"));
    CHECK(!ingest_lang_ok("") && !ingest_lang_ok("d") && !ingest_lang_ok("deutsch") &&
          !ingest_lang_ok("de_DE") && !ingest_lang_ok("de-") && !ingest_lang_ok("de-a-b") &&
          !ingest_lang_ok("en-GB-x-yy-zz") && !ingest_lang_ok(NULL));
}

/* ---- Mastodon ---- */

static const struct ingest_post *find(const struct ingest_batch *b, const char *ext_id)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->posts[i].ext_id, ext_id) == 0)
            return &b->posts[i];
    CHECK_MSG(false, "no post %s", ext_id);
    return NULL;
}

static void test_mastodon_fixture(void)
{
    size_t len;
    char *doc = read_fixture("mastodon_statuses.json", &len);
    if (!doc)
        return;
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK_MSG(parse(ingest_parse_mastodon, doc, len, &b, &err), "%s", err.msg);
    CHECK_INT(b.n, 9);
    CHECK_INT(b.skipped, 4); /* wrong-typed "sensitive", no id, account a string, a string */
    const struct ingest_post *p;

    if ((p = find(&b, "113100000000000001"))) { /* a plain post with emoji */
        CHECK_NULL(p->version);
        CHECK_NULL(p->title);
        CHECK_HAS(p->body, "Die Grippeimpfung ist da! \xf0\x9f\x92\x89 Termine:");
        CHECK_HAS(p->body, "praxis.example/termine");
        CHECK_STR(p->link, "https://social.example/@praxis/113100000000000001");
        CHECK_STR(p->author, "Praxis Dr. Huber \xf0\x9f\xa9\xba");
        CHECK_STR(p->lang, "de");
        CHECK_INT(p->published, 1727771400);
        CHECK(!p->reply && !p->repost && !p->sensitive);
        CHECK_NULL(p->content_warning);
        CHECK_NULL(p->visibility);
        CHECK_NULL(p->labels);
        CHECK_INT(p->nimages, 0);
        CHECK(p == &b.posts[0]); /* document order */
    }
    if ((p = find(&b, "113100000000000002"))) { /* a reply */
        CHECK(p->reply && !p->repost);
        CHECK_HAS(p->body, "Gern geschehen!");
    }
    if ((p = find(&b, "113100000000000003"))) { /* a boost: nothing taken from the reblog */
        CHECK(p->repost && !p->reply && !p->sensitive);
        CHECK_STR(p->body, "");
        CHECK_NULL(p->link);
        CHECK_NULL(p->lang);
        CHECK_NULL(p->content_warning);
        CHECK_INT(p->nimages, 0);
        CHECK_STR(p->author, "Praxis Dr. Huber \xf0\x9f\xa9\xba");
    }
    if ((p = find(&b, "113100000000000004"))) /* edited */
        CHECK_STR(p->version, "2024-10-02T09:15:30.123Z");
    if ((p = find(&b, "113100000000000005"))) { /* sensitive, with a content warning */
        CHECK(p->sensitive);
        CHECK_STR(p->content_warning, "Medizinische Bilder");
        CHECK_INT(p->published, 1727856000); /* 10:00+02:00 */
    }
    if ((p = find(&b, "113100000000000006"))) { /* unlisted; no display name */
        CHECK_STR(p->visibility, "unlisted");
        CHECK_STR(p->author, "praxis");
    }
    if ((p = find(&b, "113100000000000007"))) { /* script, entities, a bad permalink */
        CHECK_HAS(p->body, "Fieber > 39");
        CHECK_HAS(p->body, "Rufen Sie an & kommen Sie vorbei");
        CHECK_HAS(p->body, "Zweiter Absatz \xe2\x9d\xa4");
        CHECK(p->body && !strstr(p->body, "alert") && !strchr(p->body, '<'));
        CHECK_STR(p->link, "https://praxis.example/fieber"); /* the first link instead */
    }
    if ((p = find(&b, "113100000000000008"))) { /* right to left; an override in the name */
        CHECK_STR(p->lang, "ar");
        CHECK_STR(p->body, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xd8\xa8\xd9\x83\xd9\x85 "
                           "\xd9\x81\xd9\x8a \xd8\xa7\xd9\x84\xd8\xb9\xd9\x8a\xd8\xa7\xd8\xaf"
                           "\xd8\xa9");
        CHECK_STR(p->author, "\xd8\xb9\xd9\x8a\xd8\xa7\xd8\xaf\xd8\xa9 \xd8\xa3\xd9\x85\xd9\x84");
    }
    if ((p = find(&b, "113100000000000009"))) { /* images: a video and an ftp URL dropped */
        CHECK_INT(p->nimages, 2);
        if (p->nimages == 2) {
            CHECK_STR(p->images[0].url, "https://social.example/system/media/1.jpg");
            CHECK_STR(p->images[0].alt, "Ein gelber Impfpass auf einem Tisch");
            CHECK_STR(p->images[1].url, "https://remote.example/4.png"); /* remote_url */
            CHECK_NULL(p->images[1].alt);
        }
    }
    ingest_batch_finish(&b);
    CHECK(b.n == 0 && !b.posts && b.skipped == 0);
    ingest_batch_finish(NULL);
    free(doc);
}

/* A status with every member this parser reads set to the given JSON for
 * key (the rest valid), to check each is type-checked. */
static void test_mastodon_types(void)
{
    static const struct {
        const char *member;
        bool kept;
    } cases[] = {
        {"\"id\": 17", false},
        {"\"id\": \"\"", false},
        {"\"id\": null", false},
        {"\"id\": \"a\\u0000b\"", false},
        {"\"id\": \"a\\tb\"", false}, /* sanitising would change it */
        {"\"content\": 1", false},
        {"\"content\": null", true},
        {"\"url\": 5", false},
        {"\"url\": \"ftp://x/y\"", true},
        {"\"language\": [\"de\"]", false},
        {"\"language\": \"not a tag!\"", true},
        {"\"created_at\": 1700000000", false},
        {"\"created_at\": \"yesterday\"", true},
        {"\"spoiler_text\": false", false},
        {"\"visibility\": 1", false},
        {"\"in_reply_to_id\": 12345", false},
        {"\"reblog\": \"yes\"", false},
        {"\"reblog\": []", false},
        {"\"sensitive\": 1", false},
        {"\"sensitive\": null", true},
        {"\"edited_at\": 3", false},
        {"\"media_attachments\": {}", false},
        {"\"media_attachments\": [1]", false},
        {"\"media_attachments\": [{\"type\": 1}]", false},
        {"\"media_attachments\": [{\"type\": \"image\", \"url\": 1}]", false},
        {"\"media_attachments\": [{\"type\": \"image\", \"url\": \"https://a.example/1.png\", "
         "\"description\": 7}]",
         false},
        {"\"media_attachments\": [{\"type\": \"audio\", \"url\": \"https://a.example/1.mp3\"}]",
         true},
        {"\"account\": []", false},
        {"\"account\": {\"display_name\": 1}", false},
        {"\"account\": {\"acct\": {}}", false},
        {"\"account\": null", true},
        {"\"future_member\": {\"anything\": [1, 2, 3]}", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* The member under test comes first, so its "id" overrides nothing. */
        bool has_id = strncmp(cases[i].member, "\"id\"", 4) == 0;
        char *doc = join("[{", cases[i].member, has_id ? "" : ", \"id\": \"1\"",
                         ", \"content\": \"<p>x</p>\"}]", (const char *)NULL);
        if (strstr(cases[i].member, "\"content\"")) {
            free(doc);
            doc = join("[{", cases[i].member, ", \"id\": \"1\"}]", (const char *)NULL);
        }
        struct ingest_batch b;
        struct sg_err err = {0};
        CHECK_MSG(parse(ingest_parse_mastodon, doc, strlen(doc), &b, &err), "%s: %s", doc, err.msg);
        CHECK_MSG(b.n == (cases[i].kept ? 1u : 0u) && b.skipped == (cases[i].kept ? 0u : 1u),
                  "%s: %zu kept, %zu skipped", cases[i].member, b.n, b.skipped);
        ingest_batch_finish(&b);
        free(doc);
    }
}

static void test_mastodon_limits(void)
{
    /* Long fields are cut, not refused. */
    char *name = repeat('n', 5000), *html = repeat('w', 9000);
    char *doc = join("[{\"id\": \"1\", \"content\": \"<p>", html,
                     "</p>\", \"account\": {\"display_name\": \"", name,
                     "\"}, \"spoiler_text\": \"", name, "\"}]", (const char *)NULL);
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK_MSG(parse(ingest_parse_mastodon, doc, strlen(doc), &b, &err), "%s", err.msg);
    CHECK_INT(b.n, 1);
    if (b.n == 1) {
        CHECK(strlen(b.posts[0].body) <= INGEST_MAX_BODY_LEN && strlen(b.posts[0].body) > 1900);
        CHECK(strlen(b.posts[0].author) <= INGEST_MAX_SHORT_LEN);
        CHECK(strlen(b.posts[0].content_warning) <= INGEST_MAX_SHORT_LEN);
    }
    ingest_batch_finish(&b);
    free(doc);
    free(name);
    free(html);

    /* More attachments than any server sends: malformed. */
    size_t mcap = 70 * 40 + 64, mn = 0;
    char *media = malloc(mcap);
    mn += (size_t)snprintf(media, mcap, "[{\"id\": \"1\", \"media_attachments\": [");
    for (int i = 0; i < 65; i++)
        mn += (size_t)snprintf(media + mn, mcap - mn, "%s{\"type\": \"unknown\"}", i ? "," : "");
    mn += (size_t)snprintf(media + mn, mcap - mn, "]}]");
    CHECK(parse(ingest_parse_mastodon, media, mn, &b, &err) && b.n == 0 && b.skipped == 1);
    ingest_batch_finish(&b);
    free(media);

    /* An id over its limit cannot be cut without colliding: skipped. */
    char *id = repeat('1', INGEST_MAX_EXT_ID_LEN + 1);
    doc = join("[{\"id\": \"", id, "\"}, {\"id\": \"2\"}]", (const char *)NULL);
    CHECK(parse(ingest_parse_mastodon, doc, strlen(doc), &b, &err));
    CHECK(b.n == 1 && b.skipped == 1);
    ingest_batch_finish(&b);
    free(doc);
    free(id);

    /* 150 statuses: the first INGEST_MAX_POSTS kept, the rest counted. */
    size_t cap = 150 * 64 + 8, n = 0;
    char *many = malloc(cap);
    n += (size_t)snprintf(many + n, cap - n, "[");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(many + n, cap - n, "%s{\"id\": \"%d\", \"content\": \"<p>%d</p>\"}",
                              i ? "," : "", i, i);
    n += (size_t)snprintf(many + n, cap - n, "]");
    CHECK(parse(ingest_parse_mastodon, many, n, &b, &err));
    CHECK_INT(b.n, INGEST_MAX_POSTS);
    CHECK_INT(b.skipped, 50);
    if (b.n == INGEST_MAX_POSTS)
        CHECK_STR(b.posts[99].ext_id, "99");
    ingest_batch_finish(&b);
    free(many);

    CHECK(parse(ingest_parse_mastodon, "[]", 2, &b, &err) && b.n == 0 && b.skipped == 0);
    ingest_batch_finish(&b);
}

/* What all three refuse as a document. */
static void test_documents(void)
{
    refuses(ingest_parse_mastodon, "{\"id\": \"1\"}", 11, "not an array");
    refuses(ingest_parse_mastodon, "[{\"id\": \"1\"", 11, "truncated");
    refuses(ingest_parse_mastodon, "[{\"id\": \"1\",}]", 14, "syntax error");
    refuses(ingest_parse_mastodon, "[{\"id\": \"1\", \"id\": \"2\"}]", 24, "duplicate key");
    refuses(ingest_parse_mastodon, "[{\"id\": \"\xff\"}]", 13, "UTF-8");
    refuses(ingest_parse_mastodon, "[] []", 5, "syntax error at byte 3");
    refuses(ingest_parse_mastodon, "", 0, "truncated");
    refuses(ingest_parse_bluesky, "[]", 2, "not an object");
    refuses(ingest_parse_bluesky, "{}", 2, "missing \"feed\"");
    refuses(ingest_parse_bluesky, "{\"feed\": {}}", 12, "\"feed\" must be an array");
    refuses(ingest_parse_bluesky, "{\"feed\": [], \"feed\": []}", 24, "duplicate key");
    refuses(ingest_parse_webhook, "[]", 2, "not an object");

    static const struct {
        parse_fn fn;
        const char *fixture;
        const char *err_has;
    } files[] = {
        {ingest_parse_mastodon, "mastodon_truncated.json", "truncated"},
        {ingest_parse_mastodon, "mastodon_duplicate_key.json", "duplicate key"},
        {ingest_parse_bluesky, "bluesky_deep.json", "nested deeper than 32"},
        {ingest_parse_bluesky, "bluesky_trailing_comma.json", "syntax error"},
        {ingest_parse_webhook, "webhook_bad_utf8.json", "not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        char *doc = read_fixture(files[i].fixture, &len);
        if (doc)
            refuses(files[i].fn, doc, len, files[i].err_has);
        free(doc);
    }

    /* Nesting deeper than INGEST_MAX_DEPTH, inside an otherwise fine document. */
    char *open = repeat('[', 40), *close = repeat(']', 40);
    char *deep = join("[{\"id\": \"1\", \"x\": ", open, close, "}]", (const char *)NULL);
    refuses(ingest_parse_mastodon, deep, strlen(deep), "nested deeper");
    free(deep);
    deep = join("{\"feed\": ", open, close, "}", (const char *)NULL);
    refuses(ingest_parse_bluesky, deep, strlen(deep), "nested deeper");
    free(deep);
    deep = join("{\"posts\": ", open, close, "}", (const char *)NULL);
    refuses(ingest_parse_webhook, deep, strlen(deep), "nested deeper");
    free(deep);
    free(open);
    free(close);

    /* Over the size limit: refused before it is parsed. */
    size_t big = INGEST_MAX_RESPONSE_BYTES + 1;
    char *huge = repeat(' ', big);
    huge[0] = '[';
    huge[big - 1] = ']';
    refuses(ingest_parse_mastodon, huge, big, "exceeds the limit");
    huge[0] = '{';
    huge[big - 1] = '}';
    refuses(ingest_parse_bluesky, huge, big, "exceeds the limit");
    refuses(ingest_parse_webhook, huge, big, "exceeds the limit");
    free(huge);
}

/* ---- Bluesky ---- */

#define PRAXIS_DID "did:plc:praxis4bwvx5rhy7ujxn3xvk"
#define PRAXIS_POST "at://" PRAXIS_DID "/app.bsky.feed.post/"

static void test_bluesky_fixture(void)
{
    size_t len;
    char *doc = read_fixture("bluesky_author_feed.json", &len);
    if (!doc)
        return;
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK_MSG(parse(ingest_parse_bluesky, doc, len, &b, &err), "%s", err.msg);
    CHECK_INT(b.n, 8);
    CHECK_INT(b.skipped, 3); /* text a number, a label with a comma, no post */
    const struct ingest_post *p;

    if ((p = find(&b, PRAXIS_POST "3l5abcdefgh2a"))) {
        CHECK(p == &b.posts[0]);
        CHECK_STR(p->version, "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        CHECK_NULL(p->title);
        CHECK_STR(p->body,
                  "Die Grippeimpfung ist da! \xf0\x9f\x92\x89 Termine: praxis.example/termine");
        CHECK_STR(p->author, "Praxis Dr. Huber \xf0\x9f\xa9\xba");
        /* The permalink, not the facet's link. */
        CHECK_STR(p->link, "https://bsky.app/profile/praxis-huber.bsky.social/post/3l5abcdefgh2a");
        CHECK_STR(p->lang, "de");
        CHECK_INT(p->published, 1727771400);
        CHECK(!p->reply && !p->repost && !p->sensitive);
        CHECK_NULL(p->labels);
        CHECK_NULL(p->content_warning);
        CHECK_NULL(p->visibility);
        CHECK_INT(p->nimages, 0);
    }
    if ((p = find(&b, PRAXIS_POST "3l5abcdefgh3b")))
        CHECK(p->reply && !p->repost);
    if ((p = find(&b, "at://did:plc:anna5xyz/app.bsky.feed.post/3l4other"))) {
        CHECK(p->repost && !p->reply);
        CHECK_STR(p->author, "Anna");
        CHECK_STR(p->lang, "en");
        CHECK_STR(p->link, "https://bsky.app/profile/anna.example.com/post/3l4other");
    }
    if ((p = find(&b, "at://did:plc:labelled/app.bsky.feed.post/3l5labels"))) {
        /* Post labels, then the author's, then self-labels; each once; a
         * negated label ("spam") adds nothing. */
        CHECK_STR(p->labels, "!warn,porn,sexual,nudity,graphic-media,!hide");
        CHECK_NULL(p->lang);
    }
    if ((p = find(&b, PRAXIS_POST "3l5images"))) {
        CHECK_STR(p->lang, "de-DE");
        CHECK_INT(p->nimages, 2);
        if (p->nimages == 2) {
            CHECK_STR(p->images[0].url, "https://cdn.bsky.app/img/feed_fullsize/plain/" PRAXIS_DID
                                        "/bafkreiwarte@jpeg");
            CHECK_STR(p->images[0].alt, "Helles Wartezimmer mit Pflanzen");
            CHECK_NULL(p->images[1].alt);
        }
    }
    if ((p = find(&b, PRAXIS_POST "3l5quote"))) { /* recordWithMedia; handle.invalid */
        CHECK_INT(p->nimages, 1);
        if (p->nimages == 1)
            CHECK_STR(p->images[0].alt, "Ein Diagramm");
        CHECK_NULL(p->author);
        CHECK_STR(p->link, "https://bsky.app/profile/" PRAXIS_DID "/post/3l5quote");
        CHECK_INT(p->published, 1727946000); /* indexedAt: createdAt is no date */
    }
    if ((p = find(&b, PRAXIS_POST "3l5external"))) { /* a pin is no repost */
        CHECK(!p->repost);
        CHECK_INT(p->nimages, 0);
        CHECK_STR(p->author, "praxis-huber.bsky.social");
    }
    if ((p = find(&b, PRAXIS_POST "bad<key>")))
        CHECK_NULL(p->link);
    ingest_batch_finish(&b);
    free(doc);
}

/* One feed item built around a post's members, to check each rule. */
static void bluesky_item(const char *post_extra, const char *item_extra, size_t want_n,
                         const char *want_link, const char *want_labels)
{
    char *doc = join("{\"feed\": [{\"post\": {\"uri\": \"at://did:plc:abc/app.bsky.feed.post/3k2\","
                     " \"cid\": \"bafy1\", \"author\": {\"did\": \"did:plc:abc\", \"handle\": "
                     "\"a.example\"}, \"record\": {\"text\": \"hi\"}",
                     post_extra, "}", item_extra, "}]}", (const char *)NULL);
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK_MSG(parse(ingest_parse_bluesky, doc, strlen(doc), &b, &err), "%s", err.msg);
    CHECK_MSG(b.n == want_n && b.skipped == 1 - want_n, "%s%s: %zu kept, %zu skipped", post_extra,
              item_extra, b.n, b.skipped);
    if (b.n == 1 && want_n == 1) {
        if (want_link)
            CHECK_STR(b.posts[0].link, want_link);
        else
            CHECK_NULL(b.posts[0].link);
        if (want_labels)
            CHECK_STR(b.posts[0].labels, want_labels);
        else
            CHECK_NULL(b.posts[0].labels);
    }
    ingest_batch_finish(&b);
    free(doc);
}

static void test_bluesky_rules(void)
{
    static const char link[] = "https://bsky.app/profile/a.example/post/3k2";
    bluesky_item("", "", 1, link, NULL);
    bluesky_item(", \"future\": {\"x\": 1}", ", \"feedContext\": \"t\"", 1, link, NULL);
    /* The URL is built only from parts that pass their syntax. */
    static const struct {
        const char *uri;
        const char *handle;
        const char *link;
    } links[] = {
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "a.example", link},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "A-b.Example.COM",
         "https://bsky.app/profile/A-b.Example.COM/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "handle.invalid",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "a.example/../x",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "-a.example",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "a.1example",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "localhost",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://a.example/app.bsky.feed.post/3k2", "handle.invalid",
         "https://bsky.app/profile/a.example/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2?x=1", "a.example", NULL},
        {"at://did:plc:abc/app.bsky.feed.post/3k2/more", "a.example", NULL},
        {"at://did:plc:abc/app.bsky.feed.post/..", "a.example", NULL},
        {"at://did:plc:abc/app.bsky.feed.post/", "a.example", NULL},
        {"at://did:plc:abc/app.bsky.feed.like/3k2", "a.example", NULL},
        {"at://did:plc:abc%/app.bsky.feed.post/3k2", "handle.invalid", NULL},
        {"at://did:plc:abc/app.bsky.feed.post/3k2 x", "a.example", NULL},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "a..example",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2", "a-.example",
         "https://bsky.app/profile/did:plc:abc/post/3k2"},
        {"at://did:plc:abc/app.bsky.feed.post/3k2",
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
         "https://bsky.app/profile/did:plc:abc/post/3k2"}, /* a 64-byte label */
        {"at://did:web:x/app.bsky.feed.post/3k2", "handle.invalid",
         "https://bsky.app/profile/did:web:x/post/3k2"},
        {"at://did:/app.bsky.feed.post/3k2", "handle.invalid", NULL},
        {"at://did:PLC:abc/app.bsky.feed.post/3k2", "handle.invalid", NULL},
        {"at://did:plc:/app.bsky.feed.post/3k2", "handle.invalid", NULL},
        {"at://did:plc:a<b/app.bsky.feed.post/3k2", "handle.invalid", NULL},
        {"at://did:plc:abc", "a.example", NULL},
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        char *doc = join("{\"feed\": [{\"post\": {\"uri\": \"", links[i].uri,
                         "\", \"cid\": \"c\", \"author\": {\"handle\": \"", links[i].handle,
                         "\"}, \"record\": {\"text\": \"\"}}}]}", (const char *)NULL);
        struct ingest_batch b;
        struct sg_err err = {0};
        CHECK(parse(ingest_parse_bluesky, doc, strlen(doc), &b, &err));
        CHECK_MSG(b.n == 1, "%s", links[i].uri);
        if (b.n == 1 && links[i].link)
            CHECK_STR(b.posts[0].link, links[i].link);
        else if (b.n == 1)
            CHECK_MSG(!b.posts[0].link, "%s %s: %s", links[i].uri, links[i].handle,
                      b.posts[0].link);
        ingest_batch_finish(&b);
        free(doc);
    }
    /* Not an at:// URI: skipped. */
    char *doc = join("{\"feed\": [{\"post\": {\"uri\": \"https://x.example/1\", \"cid\": \"c\", "
                     "\"author\": {\"handle\": \"a.example\"}, \"record\": {\"text\": \"\"}}}]}",
                     (const char *)NULL);
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK(parse(ingest_parse_bluesky, doc, strlen(doc), &b, &err) && b.n == 0 && b.skipped == 1);
    ingest_batch_finish(&b);
    free(doc);

    /* Labels: never cut, never malformed. */
    bluesky_item(", \"labels\": [{\"val\": \"porn\"}, {\"val\": \"!no-unauthenticated\"}]", "", 1,
                 link, "porn,!no-unauthenticated");
    bluesky_item(", \"labels\": []", "", 1, link, NULL);
    bluesky_item(", \"labels\": [{\"val\": \"x\", \"neg\": true}]", "", 1, link, NULL);
    bluesky_item(", \"labels\": [{\"val\": \"Porn\"}]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": [{\"val\": \"\"}]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": [{\"val\": \"!\"}]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": [{\"val\": 1}]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": [{\"value\": \"porn\"}]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": [{\"val\": \"porn\", \"neg\": \"no\"}]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": [\"porn\"]", "", 0, NULL, NULL);
    bluesky_item(", \"labels\": {\"val\": \"porn\"}", "", 0, NULL, NULL);
    /* 30 distinct labels of 20 bytes: over INGEST_MAX_LABELS_LEN, so skipped. */
    char labels[2048] = ", \"labels\": [";
    for (int i = 0; i < 30; i++)
        snprintf(labels + strlen(labels), sizeof labels - strlen(labels),
                 "%s{\"val\": \"label-number-%08d\"}", i ? "," : "", i);
    strcat(labels, "]");
    bluesky_item(labels, "", 0, NULL, NULL);
    /* The same label 30 times is one label. */
    strcpy(labels, ", \"labels\": [");
    for (int i = 0; i < 30; i++)
        strcat(labels, i ? ",{\"val\": \"porn\"}" : "{\"val\": \"porn\"}");
    strcat(labels, "]");
    bluesky_item(labels, "", 1, link, "porn");

    /* Types of what is read. */
    bluesky_item("", ", \"reason\": \"repost\"", 0, NULL, NULL);
    bluesky_item("", ", \"reason\": {\"$type\": 1}", 0, NULL, NULL);
    bluesky_item("", ", \"reply\": true", 0, NULL, NULL);
    bluesky_item(", \"embed\": []", "", 0, NULL, NULL);
    bluesky_item(", \"embed\": {\"$type\": \"app.bsky.embed.images#view\"}", "", 0, NULL, NULL);
    bluesky_item(", \"embed\": {\"$type\": \"app.bsky.embed.images#view\", \"images\": [{}]}", "",
                 0, NULL, NULL);
    bluesky_item(", \"embed\": {\"$type\": \"app.bsky.embed.images#view\", \"images\": "
                 "[{\"fullsize\": \"javascript:x\", \"alt\": \"\"}]}",
                 "", 1, link, NULL);
    bluesky_item(", \"embed\": {\"$type\": \"app.bsky.embed.recordWithMedia#view\"}", "", 0, NULL,
                 NULL);
    bluesky_item(", \"embed\": {\"$type\": \"app.bsky.embed.video#view\", \"playlist\": 1}", "", 1,
                 link, NULL);
    bluesky_item(", \"indexedAt\": 5", "", 0, NULL, NULL);
}

/* Each member the parser reads, missing or of the wrong type. */
static void test_bluesky_types(void)
{
#define URI "\"uri\": \"at://did:plc:abc/app.bsky.feed.post/3k2\", "
#define AUTHOR "\"author\": {\"handle\": \"a.example\"}, "
#define CID "\"cid\": \"c\", "
#define TEXT "\"record\": {\"text\": \"t\"}"
    static const struct {
        const char *members;
        size_t kept;
        const char *labels;
    } posts[] = {
        {URI CID AUTHOR TEXT, 1, NULL},
        {URI "\"cid\": \"\", " AUTHOR TEXT, 0, NULL},
        {URI "\"cid\": \"c\\u0007\", " AUTHOR TEXT, 0, NULL}, /* not as sent */
        {URI "\"cid\": 1, " AUTHOR TEXT, 0, NULL},
        {URI AUTHOR TEXT, 0, NULL},
        {"\"uri\": \"at://did:plc:abc/app.bsky.feed.post/3k2\\u0000\", " CID AUTHOR TEXT, 0, NULL},
        {URI CID "\"author\": {\"handle\": 1}, " TEXT, 0, NULL},
        {URI CID "\"author\": {}, " TEXT, 0, NULL},
        {URI CID "\"author\": \"a.example\", " TEXT, 0, NULL},
        {URI CID "\"author\": {\"handle\": \"a.example\", \"displayName\": 1}, " TEXT, 0, NULL},
        {URI CID "\"author\": {\"handle\": \"a.example\", \"labels\": {}}, " TEXT, 0, NULL},
        {URI CID "\"author\": {\"handle\": \"a.example\"}", 0, NULL}, /* no record */
        {URI CID AUTHOR "\"record\": []", 0, NULL},
        {URI CID AUTHOR "\"record\": {}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"createdAt\": 1}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"langs\": [1]}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"langs\": \"de\"}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"langs\": []}", 1, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"reply\": 1}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"labels\": []}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"labels\": {\"values\": {}}}", 0, NULL},
        {URI CID AUTHOR "\"record\": {\"text\": \"t\", \"labels\": {\"values\": [{\"val\": "
                        "\"porn\"}]}}",
         1, "porn"},
    };
#undef URI
#undef AUTHOR
#undef CID
#undef TEXT
    for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++) {
        char *doc = join("{\"feed\": [{\"post\": {", posts[i].members, "}}]}", (const char *)NULL);
        struct ingest_batch b;
        struct sg_err err = {0};
        CHECK_MSG(parse(ingest_parse_bluesky, doc, strlen(doc), &b, &err), "%s: %s", doc, err.msg);
        CHECK_MSG(b.n == posts[i].kept && b.skipped == 1 - posts[i].kept, "%s: %zu kept", doc, b.n);
        if (b.n == 1 && posts[i].labels)
            CHECK_STR(b.posts[0].labels, posts[i].labels);
        ingest_batch_finish(&b);
        free(doc);
    }
}

static void test_bluesky_details(void)
{
    /* displayName over its limit is cut; langs' first entry decides. */
    char *name = repeat('x', 1000);
    char *doc =
        join("{\"feed\": [{\"post\": {\"uri\": \"at://did:plc:abc/app.bsky.feed.post/3k2\", "
             "\"cid\": \"c\", \"author\": {\"handle\": \"a.example\", \"displayName\": \"",
             name,
             "\"}, \"record\": {\"text\": \"t\", \"langs\": [\"x-bad!\", \"de\"], "
             "\"createdAt\": \"2024-10-01T08:30:00.000+00:00\"}}}]}",
             (const char *)NULL);
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK(parse(ingest_parse_bluesky, doc, strlen(doc), &b, &err) && b.n == 1);
    if (b.n == 1) {
        CHECK(strlen(b.posts[0].author) <= INGEST_MAX_SHORT_LEN);
        CHECK_NULL(b.posts[0].lang);
        CHECK_INT(b.posts[0].published, 1727771400);
    }
    ingest_batch_finish(&b);
    free(doc);
    free(name);

    /* 120 items: 100 kept, 20 counted. */
    size_t cap = 120 * 160 + 32, n = 0;
    char *many = malloc(cap);
    n += (size_t)snprintf(many + n, cap - n, "{\"feed\": [");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(many + n, cap - n,
                              "%s{\"post\": {\"uri\": \"at://did:plc:abc/app.bsky.feed.post/%d\", "
                              "\"cid\": \"c\", \"author\": {\"handle\": \"a.example\"}, "
                              "\"record\": {\"text\": \"%d\"}}}",
                              i ? "," : "", i, i);
    n += (size_t)snprintf(many + n, cap - n, "]}");
    CHECK(parse(ingest_parse_bluesky, many, n, &b, &err));
    CHECK_INT(b.n, INGEST_MAX_POSTS);
    CHECK_INT(b.skipped, 20);
    ingest_batch_finish(&b);
    free(many);
}

/* ---- webhook ---- */

static void test_webhook_valid(void)
{
    static const char full[] =
        "{\"posts\": [{\"id\": \"news-1\", \"title\": \"Grippeimpfung\", \"body\": \"Ab "
        "Oktober.\\nTermine online.\", \"author\": \"Praxis\", \"link\": "
        "\"https://praxis.example/news/1\", \"lang\": \"de-AT\", \"published\": "
        "\"2024-10-01T10:30:00+02:00\", \"version\": \"3\", \"sensitive\": true, "
        "\"content_warning\": \"Nadeln\", \"images\": [{\"url\": \"https://praxis.example/a.jpg\", "
        "\"alt\": \"Eine Spritze\"}, {\"url\": \"https://praxis.example/b.jpg\"}]}, "
        "{\"id\": \"news-2\", \"body\": \"Kurz.\", \"title\": \"\", \"author\": \"\", \"link\": "
        "\"\", \"lang\": \"\", \"published\": \"\", \"version\": \"\", \"content_warning\": \"\", "
        "\"images\": []}, {\"id\": \"news-3\", \"title\": \"Nur ein Titel\", \"body\": \"\"}]}";
    struct ingest_batch b;
    struct sg_err err = {0};
    CHECK_MSG(parse(ingest_parse_webhook, full, sizeof full - 1, &b, &err), "%s", err.msg);
    CHECK_INT(b.n, 3);
    CHECK_INT(b.skipped, 0);
    if (b.n == 3) {
        const struct ingest_post *p = &b.posts[0];
        CHECK_STR(p->ext_id, "news-1");
        CHECK_STR(p->title, "Grippeimpfung");
        CHECK_STR(p->body, "Ab Oktober.\nTermine online.");
        CHECK_STR(p->author, "Praxis");
        CHECK_STR(p->link, "https://praxis.example/news/1");
        CHECK_STR(p->lang, "de-AT");
        CHECK_INT(p->published, 1727771400);
        CHECK_STR(p->version, "3");
        CHECK(p->sensitive && !p->reply && !p->repost);
        CHECK_STR(p->content_warning, "Nadeln");
        CHECK_NULL(p->visibility);
        CHECK_NULL(p->labels);
        CHECK_INT(p->nimages, 2);
        CHECK_STR(p->images[0].url, "https://praxis.example/a.jpg");
        CHECK_STR(p->images[0].alt, "Eine Spritze");
        CHECK_NULL(p->images[1].alt);
        /* "" is absent. */
        p = &b.posts[1];
        CHECK_STR(p->body, "Kurz.");
        CHECK(!p->title && !p->author && !p->link && !p->lang && !p->version &&
              !p->content_warning && p->published == 0 && p->nimages == 0 && !p->sensitive);
        CHECK_STR(b.posts[2].title, "Nur ein Titel");
        CHECK_STR(b.posts[2].body, "");
    }
    ingest_batch_finish(&b);

    /* Text is sanitised: controls and bidi overrides go. */
    static const char dirty[] = "{\"posts\": [{\"id\": \"x\", \"body\": \"a\\u0007b \\u202ec\", "
                                "\"author\": \"\\t Praxis \\u0000\"}]}";
    /* "\u0000" is refused by jsonx's string getter, so the author is refused... */
    refuses(ingest_parse_webhook, dirty, sizeof dirty - 1, "\"author\" holds a NUL");
    static const char dirty2[] = "{\"posts\": [{\"id\": \"x\", \"body\": \"a\\u0007b \\u202ec\", "
                                 "\"author\": \"\\t Praxis\"}]}";
    CHECK(parse(ingest_parse_webhook, dirty2, sizeof dirty2 - 1, &b, &err) && b.n == 1);
    if (b.n == 1) {
        CHECK_STR(b.posts[0].body, "ab c");
        CHECK_STR(b.posts[0].author, "Praxis");
    }
    ingest_batch_finish(&b);

    CHECK(parse(ingest_parse_webhook, "{\"posts\": []}", 13, &b, &err) && b.n == 0);
    ingest_batch_finish(&b);

    /* Exactly INGEST_MAX_POSTS posts, with fields at their limits. */
    char *title = repeat('t', INGEST_MAX_TITLE_LEN), *body = repeat('b', INGEST_MAX_BODY_LEN);
    size_t cap = INGEST_MAX_POSTS * (INGEST_MAX_TITLE_LEN + INGEST_MAX_BODY_LEN + 64) + 32, n = 0;
    char *many = malloc(cap);
    n += (size_t)snprintf(many + n, cap - n, "{\"posts\": [");
    for (int i = 0; i < INGEST_MAX_POSTS; i++)
        n += (size_t)snprintf(many + n, cap - n,
                              "%s{\"id\": \"%d\", \"title\": \"%s\", \"body\": \"%s\"}",
                              i ? "," : "", i, title, body);
    n += (size_t)snprintf(many + n, cap - n, "]}");
    CHECK_MSG(parse(ingest_parse_webhook, many, n, &b, &err), "%s", err.msg);
    CHECK_INT(b.n, INGEST_MAX_POSTS);
    if (b.n == INGEST_MAX_POSTS)
        CHECK_INT(strlen(b.posts[99].body), INGEST_MAX_BODY_LEN);
    ingest_batch_finish(&b);
    /* One more is refused. */
    strcpy(many + n - 2, ",{\"id\": \"x\", \"body\": \"y\"}]}");
    refuses(ingest_parse_webhook, many, strlen(many), "more than 100 entries");
    free(many);
    free(title);
    free(body);
}

static void test_webhook_refusals(void)
{
#define P(post) "{\"posts\": [" post "]}"
#define OK_POST "\"id\": \"a\", \"body\": \"x\""
    static const struct {
        const char *body;
        const char *err_has;
    } cases[] = {
        {"{}", "missing \"posts\""},
        {"{\"posts\": [], \"extra\": 1}", "unknown member \"extra\""},
        {"{\"posts\": {}}", "\"posts\" must be an array"},
        {"{\"posts\": null}", "\"posts\" must be an array"},
        {P("1"), "post 1: not an object"},
        {P("{\"body\": \"x\"}"), "post 1: missing \"id\""},
        {P("{\"id\": \"a\"}"), "post 1: missing \"body\""},
        {P("{\"id\": \"\", \"body\": \"x\"}"), "\"id\" is empty"},
        {P("{\"id\": 1, \"body\": \"x\"}"), "\"id\" must be a string"},
        {P("{\"id\": \" a\", \"body\": \"x\"}"), "\"id\" holds control characters or white"},
        {P("{\"id\": \"a\\u0007\", \"body\": \"x\"}"), "\"id\" holds control"},
        {P("{\"id\": \"a\\u0000\", \"body\": \"x\"}"), "\"id\" holds a NUL"},
        {P("{" OK_POST ", \"version\": \"v\\n\"}"), "\"version\" holds control"},
        {P("{" OK_POST ", \"titel\": \"y\"}"), "post 1: unknown member \"titel\""},
        {P("{\"id\": \"a\", \"body\": 5}"), "\"body\" must be a string"},
        {P("{\"id\": \"a\", \"body\": \"\"}"), "\"body\" is empty and there is no title"},
        {P("{\"id\": \"a\", \"body\": \" \\n \"}"), "\"body\" is empty"},
        {P("{" OK_POST ", \"title\": 1}"), "\"title\" must be a string"},
        {P("{" OK_POST ", \"author\": []}"), "\"author\" must be a string"},
        {P("{" OK_POST ", \"content_warning\": 5}"), "\"content_warning\" must be a string"},
        {P("{" OK_POST ", \"link\": \"javascript:alert(1)\"}"), "\"link\" must be an absolute"},
        {P("{" OK_POST ", \"link\": \"https://a b\"}"), "\"link\" must be"},
        {P("{" OK_POST ", \"link\": \"https:///x\"}"), "\"link\" must be"},
        {P("{" OK_POST ", \"link\": \"/relative\"}"), "\"link\" must be"},
        {P("{" OK_POST ", \"lang\": \"deutsch\"}"), "\"lang\" must be a language tag"},
        {P("{" OK_POST ", \"lang\": \"de_DE\"}"), "\"lang\""},
        {P("{" OK_POST ", \"published\": \"2024-10-01\"}"), "\"published\" must be an RFC 3339"},
        {P("{" OK_POST ", \"published\": \"2024-02-30T00:00:00Z\"}"), "\"published\""},
        {P("{" OK_POST ", \"published\": 1727771400}"), "\"published\" must be a string"},
        {P("{" OK_POST ", \"sensitive\": \"yes\"}"), "\"sensitive\" must be true or false"},
        {P("{" OK_POST ", \"sensitive\": null}"), "\"sensitive\" must be true or false"},
        {P("{" OK_POST ", \"images\": {}}"), "\"images\" must be an array"},
        {P("{" OK_POST ", \"images\": [\"https://x.example/y.png\"]}"), "post 1 image 1: not an "
                                                                        "object"},
        {P("{" OK_POST ", \"images\": [{\"alt\": \"y\"}]}"), "post 1 image 1: missing \"url\""},
        {P("{" OK_POST ", \"images\": [{\"url\": \"ftp://x.example/y.png\"}]}"),
         "post 1 image 1: \"url\" must be an absolute http or https URL"},
        {P("{" OK_POST ", \"images\": [{\"url\": \"\"}]}"), "image 1: \"url\" must be"},
        {P("{" OK_POST ", \"images\": [{\"url\": \"https://x.example/y.png\", \"title\": \"t\"}]}"),
         "image 1: unknown member \"title\""},
        {P("{" OK_POST ", \"images\": [{\"url\": \"https://x.example/y.png\", \"alt\": 3}]}"),
         "image 1: \"alt\" must be a string"},
        {P("{" OK_POST ", \"images\": [{\"url\": \"https://x.example/1.png\"}, {\"url\": "
           "\"https://x.example/2.png\"}, {\"url\": \"https://x.example/3.png\"}, {\"url\": "
           "\"https://x.example/4.png\"}, {\"url\": \"https://x.example/5.png\"}]}"),
         "\"images\" has more than 4 entries"},
        {P("{" OK_POST "}, {\"id\": \"a\", \"body\": \"y\"}"), "post 2: \"id\" repeats post 1"},
        {P("{" OK_POST "}, {\"id\": \"b\", \"body\": \"y\", \"x\": 1}"), "post 2: unknown"},
        {"{\"posts\": [{" OK_POST "}], \"posts\": []}", "duplicate key"},
        {P("{" OK_POST ", \"body\": \"z\"}"), "duplicate key"},
        {"{\"posts\": [{" OK_POST "}]} x", "syntax error at byte 38"},
        {"{\"posts\": [{\"id\": \"\xc3\x28\", \"body\": \"x\"}]}", "not valid UTF-8"},
        {"{\"posts\": [", "truncated"},
    };
#undef P
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refuses(ingest_parse_webhook, cases[i].body, strlen(cases[i].body), cases[i].err_has);

    /* Limits: one byte over each is refused, with the field named. */
    static const struct {
        const char *key;
        size_t limit;
    } limits[] = {
        {"id", INGEST_MAX_EXT_ID_LEN},    {"version", INGEST_MAX_VERSION_LEN},
        {"title", INGEST_MAX_TITLE_LEN},  {"body", INGEST_MAX_BODY_LEN},
        {"author", INGEST_MAX_SHORT_LEN}, {"content_warning", INGEST_MAX_SHORT_LEN},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        char *v = repeat('v', limits[i].limit + 1);
        bool is_id = strcmp(limits[i].key, "id") == 0, is_body = strcmp(limits[i].key, "body") == 0;
        char *doc = join("{\"posts\": [{\"", limits[i].key, "\": \"", v, "\"",
                         is_id ? "" : ", \"id\": \"a\"", is_body ? "" : ", \"body\": \"b\"", "}]}",
                         (const char *)NULL);
        char want[64];
        snprintf(want, sizeof want, "\"%s\" is %zu bytes, over the limit of %zu", limits[i].key,
                 limits[i].limit + 1, limits[i].limit);
        refuses(ingest_parse_webhook, doc, strlen(doc), want);
        free(doc);
        free(v);
    }
    char *url = repeat('u', INGEST_MAX_URL_LEN);
    char *doc =
        join("{\"posts\": [{" OK_POST ", \"link\": \"https://", url, "\"}]}", (const char *)NULL);
    refuses(ingest_parse_webhook, doc, strlen(doc), "\"link\" is");
    free(doc);
    doc = join("{\"posts\": [{" OK_POST ", \"images\": [{\"url\": \"https://x.example/a.png\", "
               "\"alt\": \"",
               url, "\"}]}]}", (const char *)NULL);
    refuses(ingest_parse_webhook, doc, strlen(doc), "image 1: \"alt\" is");
    free(doc);
    free(url);
#undef OK_POST
}

int main(void)
{
    test_jsonx();
    test_time_and_lang();
    test_mastodon_fixture();
    test_mastodon_types();
    test_mastodon_limits();
    test_documents();
    test_bluesky_fixture();
    test_bluesky_rules();
    test_bluesky_types();
    test_bluesky_details();
    test_webhook_valid();
    test_webhook_refusals();
    return check_done("test_ingest_social");
}
