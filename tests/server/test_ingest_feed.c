/* ingest_parse_feed: real RSS and Atom documents (tests/data/ingest), the
 * encodings German feeds use, entity attacks, malformed XML, and every
 * limit crossed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fileio.h"
#include "ingest.h"
#include "text.h"

#define DATA SIGNET_TEST_DATA "/ingest/"

/* A growing string for generated feeds; the tests abort when out of memory. */
struct sb {
    char *p;
    size_t n, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->n + (size_t)n + 1 > b->cap) {
        b->cap = (b->n + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

static bool parse_str(const char *xml, struct ingest_batch *b, struct sg_err *err)
{
    sg_err_clear(err);
    return ingest_parse_feed(xml, strlen(xml), b, err);
}

static bool parse_file(const char *name, struct ingest_batch *b, struct sg_err *err)
{
    char path[512], *buf = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, DATA "%s", name);
    struct sg_err ferr = {0};
    if (!fileio_read(path, 16u * 1024 * 1024, &buf, &len, &ferr)) {
        fprintf(stderr, "%s: %s\n", path, ferr.msg);
        abort();
    }
    sg_err_clear(err);
    bool ok = ingest_parse_feed(buf, len, b, err);
    free(buf);
    return ok;
}

/* Every string of every post valid UTF-8 within its limit: what ingest.h
 * promises, checked on each batch the tests see. */
static void check_invariants(const struct ingest_batch *b)
{
    CHECK(b->n <= INGEST_MAX_POSTS);
    for (size_t i = 0; i < b->n; i++) {
        const struct ingest_post *p = &b->posts[i];
        const struct {
            const char *s;
            size_t max;
        } f[] = {{p->ext_id, INGEST_MAX_EXT_ID_LEN}, {p->title, INGEST_MAX_TITLE_LEN},
                 {p->body, INGEST_MAX_BODY_LEN},     {p->author, INGEST_MAX_SHORT_LEN},
                 {p->link, INGEST_MAX_URL_LEN},      {p->lang, 35}};
        CHECK(p->ext_id && p->body && !p->version);
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            if (f[k].s)
                CHECK_MSG(strlen(f[k].s) <= f[k].max && text_utf8_valid(f[k].s, strlen(f[k].s)),
                          "post %zu field %zu", i, k);
        CHECK(p->nimages <= INGEST_MAX_IMAGES);
        for (size_t k = 0; k < p->nimages; k++) {
            CHECK(p->images[k].url && strncmp(p->images[k].url, "http", 4) == 0);
            if (p->images[k].alt)
                CHECK(strlen(p->images[k].alt) <= INGEST_MAX_ALT_LEN);
        }
    }
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

#define CHECK_OPT(a, b)                                                                            \
    CHECK_MSG(str_eq((a), (b)), "\"%s\" != \"%s\"", (a) ? (a) : "(null)", (b) ? (b) : "(null)")

/* ---- documents ---- */

static void test_rss(void)
{
    struct ingest_batch b;
    struct sg_err err;
    CHECK(parse_file("rss_basic.xml", &b, &err));
    check_invariants(&b);
    CHECK_INT(b.n, 4);
    CHECK_INT(b.skipped, 1); /* the item with neither guid nor link */
    if (b.n != 4) {
        ingest_batch_finish(&b);
        return;
    }
    const struct ingest_post *p = &b.posts[0];
    CHECK_STR(p->ext_id, "praxis-weber-2026-001");
    CHECK_STR(p->title, "Impfen & Vorsorge");
    CHECK_STR(p->body, "Die Grippe\xC2\xADsaison beginnt.\n\nTermine „online“ buchen – bis "
                       "18\xC2\xA0Uhr.");
    CHECK_STR(p->link, "https://praxis-weber.example/impfen");
    CHECK_STR(p->author, "Dr. Anna Weber");
    CHECK_STR(p->lang, "de-DE");
    CHECK_INT(p->published, 1781064000); /* the weekday is wrong and not checked */
    /* The enclosure and media:content of the same URL: once, with the alt. */
    CHECK_INT(p->nimages, 1);
    CHECK_STR(p->images[0].url, "https://praxis-weber.example/img/impfen.jpg");
    CHECK_STR(p->images[0].alt, "Eine Ärztin impft einen Patienten");
    CHECK(!p->reply && !p->repost && !p->sensitive && !p->content_warning && !p->labels);

    p = &b.posts[1];
    CHECK_STR(p->ext_id, "https://praxis-weber.example/sprechzeiten"); /* no guid: the link */
    CHECK_STR(p->body, "Ab Juli sind wir auch\nsamstags da."); /* content:encoded preferred */
    CHECK_STR(p->author, "Team Weber");
    CHECK_INT(p->published, 1781064000);
    CHECK_INT(p->nimages, 1); /* the thumbnail only when there is no other image */
    CHECK_STR(p->images[0].url, "https://praxis-weber.example/img/uhr.png");
    CHECK_STR(p->images[0].alt, "Eine Uhr");

    p = &b.posts[2];
    CHECK_STR(p->ext_id, "hostile-1");
    CHECK(p->link == NULL); /* javascript: dropped; isPermaLink=false keeps the guid out */
    CHECK_STR(p->body, "click");
    CHECK_INT(p->published, 0);
    CHECK_INT(p->nimages, 0); /* data:, audio and javascript: are no images */

    p = &b.posts[3];
    CHECK_STR(p->ext_id, "https://praxis-weber.example/permalink-guid");
    CHECK_STR(p->link, "https://praxis-weber.example/permalink-guid");
    CHECK(p->title == NULL);
    CHECK_INT(p->nimages, 1);
    CHECK_STR(p->images[0].alt, "Group description");

    /* Nothing of the channel leaks into a post. */
    for (size_t i = 0; i < b.n; i++) {
        CHECK(!b.posts[i].title || !strstr(b.posts[i].title, "Logo"));
        CHECK(!strstr(b.posts[i].body, "Channel description"));
    }
    ingest_batch_finish(&b);
}

static void test_atom(void)
{
    struct ingest_batch b;
    struct sg_err err;
    CHECK(parse_file("atom_xhtml.xml", &b, &err));
    check_invariants(&b);
    CHECK_INT(b.n, 3);
    CHECK_INT(b.skipped, 1); /* the entry without id */
    if (b.n != 3) {
        ingest_batch_finish(&b);
        return;
    }
    const struct ingest_post *p = &b.posts[0];
    CHECK_STR(p->ext_id, "tag:clinic.example,2026:1");
    CHECK_STR(p->title, "Fish & Chips");
    CHECK_STR(p->body, "Hello world & friends <3\n\nRead more.\nThanks");
    CHECK_STR(p->link, "https://clinic.example/posts/1");
    CHECK_STR(p->author, "Dr. Jane Roe");
    CHECK_STR(p->lang, "en");
    CHECK_INT(p->published, 1781064000); /* published, not updated; offset and fraction */
    CHECK_INT(p->nimages, 1);
    CHECK_STR(p->images[0].url, "https://clinic.example/img/1.png");
    CHECK_STR(p->images[0].alt, "A plate");

    p = &b.posts[1];
    CHECK_STR(p->ext_id, "tag:clinic.example,2026:3");
    CHECK_STR(p->title, "Plain text title");
    CHECK_STR(p->body, "Zusammenfassung & mehr");
    CHECK_STR(p->link, "https://clinic.example/posts/3");
    CHECK_STR(p->author, "Clinic Team"); /* the feed's author */
    CHECK_STR(p->lang, "de");
    CHECK_INT(p->published, 1781051400); /* updated, -01:00 */

    p = &b.posts[2];
    CHECK_STR(p->title, "Escaped <b> stays"); /* type="text": markup is text */
    CHECK_STR(p->body, "HTML & content");
    CHECK(p->link == NULL); /* rel="self" is not the permalink; javascript: dropped */
    ingest_batch_finish(&b);
}

static void test_encodings(void)
{
    struct ingest_batch b;
    struct sg_err err;
    CHECK(parse_file("rss_cp1252.xml", &b, &err));
    CHECK_INT(b.n, 1);
    if (b.n == 1) {
        CHECK_STR(b.posts[0].title, "Grüße aus Köln – „Fußball“ kostet 5 €");
        CHECK_STR(b.posts[0].body, "Öffnungszeiten: Mo–Fr … «Praxis» ÄÖÜäöüß");
        CHECK_STR(b.posts[0].lang, "de");
    }
    ingest_batch_finish(&b);

    CHECK(parse_file("rss_latin9.xml", &b, &err));
    CHECK_INT(b.n, 1);
    if (b.n == 1) {
        CHECK_STR(b.posts[0].title, "Preis: 20 € für Öl und Straße");
        CHECK_STR(b.posts[0].body, "Œuvre, Šárka, Žofie, Ÿ ä");
    }
    ingest_batch_finish(&b);

    CHECK(parse_file("rss_utf16.xml", &b, &err));
    CHECK_INT(b.n, 1);
    if (b.n == 1) {
        CHECK_STR(b.posts[0].ext_id, "utf16-1");
        CHECK_STR(b.posts[0].title, "Grüße 👋 in UTF-16");
        CHECK_STR(b.posts[0].body, "Ärzte & Patienten");
    }
    ingest_batch_finish(&b);

    /* Names are matched case-insensitively, with the usual aliases; the
     * built-in ones are expat's. */
    const struct {
        const char *enc;
        const char *bytes; /* the title as that encoding writes it */
        const char *title;
    } ok[] = {
        {"Windows-1252", "\x80 \x84x\x93 \x96 \xe4", "€ „x“ – ä"},
        {"cp1252", "\x80", "€"},
        {"ISO-8859-15", "\xa4 \xbd", "€ œ"},
        {"latin-9", "\xa4", "€"},
        {"ISO-8859-1", "\xe4\xa4", "ä¤"},
        {"latin1", "\xfc", "ü"},
        {"US-ASCII", "plain", "plain"},
        {"utf-8", "\xc3\xa4", "ä"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char xml[512];
        snprintf(xml, sizeof xml,
                 "<?xml version=\"1.0\" encoding=\"%s\"?><rss><channel><item><guid>g</guid>"
                 "<title>%s</title></item></channel></rss>",
                 ok[i].enc, ok[i].bytes);
        bool parsed = parse_str(xml, &b, &err);
        CHECK_MSG(parsed, "%s: %s", ok[i].enc, err.msg);
        if (parsed && b.n == 1)
            CHECK_MSG(strcmp(b.posts[0].title, ok[i].title) == 0, "%s: \"%s\"", ok[i].enc,
                      b.posts[0].title);
        ingest_batch_finish(&b);
    }

    /* Windows-1252's unassigned bytes are controls, removed. */
    CHECK(parse_str("<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><item>"
                    "<guid>g</guid><title>a\x81\x8d\x8f\x90\x9d"
                    "b</title></item></channel></rss>",
                    &b, &err));
    CHECK(b.n == 1 && strcmp(b.posts[0].title, "ab") == 0);
    ingest_batch_finish(&b);

    const char *refused[] = {"koi8r.xml", "ebcdic.xml"};
    const char *names[] = {"unsupported encoding KOI8-R", "unsupported encoding EBCDIC-CP-US"};
    for (size_t i = 0; i < 2; i++) {
        CHECK(!parse_file(refused[i], &b, &err));
        CHECK_STR(err.msg, names[i]);
        CHECK(b.n == 0 && b.posts == NULL);
    }
    CHECK(!parse_str("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss/>", &b, &err));
    CHECK_STR(err.msg, "unsupported encoding Shift_JIS");

    /* Bytes that do not match the declared encoding are malformed. */
    CHECK(!parse_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel><item><guid>g"
                     "</guid><title>K\xf6ln</title></item></channel></rss>",
                     &b, &err));
    CHECK(strstr(err.msg, "XML error at line 1") != NULL);
}

static void test_rtl_emoji(void)
{
    struct ingest_batch b;
    struct sg_err err;
    CHECK(parse_file("rss_rtl_emoji.xml", &b, &err));
    check_invariants(&b);
    CHECK_INT(b.n, 2);
    if (b.n == 2) {
        /* Bidi overrides and isolates gone, the letters kept in order. */
        CHECK_STR(b.posts[0].title, "مرحبا بكم");
        CHECK_STR(b.posts[0].body, "שלום עולם");
        CHECK_STR(b.posts[1].title, "Familie 👨\u200D👩\u200D👧 & 👍🏽");
        CHECK_STR(b.posts[1].body, "😀 😀 \xEF\xBF\xBD \xEF\xBF\xBD");
    }
    ingest_batch_finish(&b);
}

/* ---- attacks and malformed documents ---- */

static void test_entities(void)
{
    struct ingest_batch b;
    struct sg_err err;
    const char *files[] = {"billion_laughs.xml", "xxe.xml", "xxe_param.xml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        CHECK_MSG(!parse_file(files[i], &b, &err), "%s accepted", files[i]);
        CHECK_STR(err.msg, "feed declares XML entities (refused: entity expansion)");
        CHECK(b.n == 0 && b.posts == NULL && b.skipped == 0);
    }
    /* An external DTD is never read: the document parses without it, and
     * nothing of the file shows. */
    bool ok = parse_file("external_dtd.xml", &b, &err);
    CHECK_MSG(ok, "%s", err.msg);
    CHECK_INT(b.n, 1);
    for (size_t i = 0; i < b.n; i++) {
        CHECK(!strstr(b.posts[i].body, "root:"));
        CHECK(!b.posts[i].title || !strstr(b.posts[i].title, "root:"));
    }
    ingest_batch_finish(&b);
    /* A reference to an entity the (unread) DTD would declare is dropped,
     * never resolved. */
    ok = parse_str("<!DOCTYPE rss SYSTEM \"file:///etc/passwd\"><rss><channel><item><guid>g"
                   "</guid><title>a&passwd;b</title></item></channel></rss>",
                   &b, &err);
    if (ok) {
        CHECK(b.n == 1 && b.posts[0].title && !strstr(b.posts[0].title, "root:"));
        ingest_batch_finish(&b);
    }
    /* Without a DTD, an undeclared entity is an XML error. */
    CHECK(!parse_str("<rss><channel><item><guid>g</guid><title>&nbsp;</title></item></channel>"
                     "</rss>",
                     &b, &err));
    CHECK(strstr(err.msg, "undefined entity") != NULL);
    /* A DOCTYPE without entities is fine. */
    CHECK(parse_str("<!DOCTYPE rss [<!ELEMENT rss ANY>]><rss><channel><item><guid>g</guid>"
                    "</item></channel></rss>",
                    &b, &err));
    CHECK_INT(b.n, 1);
    ingest_batch_finish(&b);
}

static void test_malformed(void)
{
    struct ingest_batch b;
    struct sg_err err;
    CHECK(!parse_file("mismatched.xml", &b, &err));
    CHECK_STR(err.msg, "XML error at line 3: mismatched tag");
    CHECK(b.n == 0 && b.posts == NULL);

    CHECK(!parse_file("unclosed.xml", &b, &err));
    CHECK_MSG(strncmp(err.msg, "XML error at line 4: ", 21) == 0, "%s", err.msg);
    CHECK(b.n == 0 && b.posts == NULL);

    CHECK(!parse_file("not_a_feed.xml", &b, &err));
    CHECK_STR(err.msg, "not an RSS 2.0 or Atom feed (root element <html>)");

    const struct {
        const char *xml;
        const char *err_has;
    } bad[] = {
        {"", "XML error at line 1: no element found"},
        {"not xml at all", "XML error at line 1: syntax error"},
        {"<rss><channel><item><guid>g</guid></item></channel></rss><rss/>", "junk after"},
        {"<feed xmlns=\"http://example.org/not-atom\"/>", "not an RSS 2.0 or Atom feed"},
        {"<atom:feed xmlns:atom=\"http://www.w3.org/2005/Atom\"><atom:entry><atom:id>x"
         "</atom:id></atom:entry><x:y/></atom:feed>",
         "unbound prefix"},
        {"<rss><channel><item><guid>g</guid><title a='1' a='2'/></item></channel></rss>",
         "duplicate attribute"},
        {"<rss>\x01</rss>", "not well-formed"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(!parse_str(bad[i].xml, &b, &err), "accepted: %s", bad[i].xml);
        CHECK_MSG(strstr(err.msg, bad[i].err_has), "%s: \"%s\" lacks \"%s\"", bad[i].xml, err.msg,
                  bad[i].err_has);
        CHECK(b.n == 0 && b.posts == NULL);
    }

    /* A prefix is only a name: Atom under any prefix is Atom. */
    CHECK(parse_str("<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\"><a:entry><a:id>x</a:id>"
                    "<a:title>T</a:title></a:entry></a:feed>",
                    &b, &err));
    CHECK(b.n == 1 && str_eq(b.posts[0].title, "T"));
    ingest_batch_finish(&b);
    /* ... and media: bound to another URI is not Media RSS. */
    CHECK(parse_str("<rss xmlns:media=\"http://example.org/other\"><channel><item><guid>g</guid>"
                    "<media:content url=\"https://x.example/a.jpg\" medium=\"image\"/>"
                    "</item></channel></rss>",
                    &b, &err));
    CHECK(b.n == 1 && b.posts[0].nimages == 0);
    ingest_batch_finish(&b);
}

/* ---- limits ---- */

static void test_limits(void)
{
    struct ingest_batch b;
    struct sg_err err;

    /* One byte over the document limit: refused before parsing. */
    size_t big = INGEST_MAX_RESPONSE_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    memcpy(huge, "<rss>", 5);
    memcpy(huge + big - 6, "</rss>", 6);
    sg_err_clear(&err);
    CHECK(!ingest_parse_feed(huge, big, &b, &err));
    CHECK(strstr(err.msg, "larger than") != NULL);
    CHECK(b.n == 0 && b.posts == NULL);
    /* At the limit it parses (a channel padded with white space). */
    sg_err_clear(&err);
    CHECK(ingest_parse_feed(huge, big - 1 - 6, &b, &err) == false); /* cut: no end tag */
    memcpy(huge + big - 7, "</rss>", 6);
    sg_err_clear(&err);
    CHECK_MSG(ingest_parse_feed(huge, big - 1, &b, &err), "%s", err.msg);
    ingest_batch_finish(&b);

    /* A description of several MiB: the field is capped while parsing. */
    memset(huge, 'x', big);
    const char *head = "<rss><channel><item><guid>g</guid><description>";
    const char *tail = "</description></item></channel></rss>";
    memcpy(huge, head, strlen(head));
    memcpy(huge + big - 1 - strlen(tail), tail, strlen(tail));
    sg_err_clear(&err);
    CHECK(ingest_parse_feed(huge, big - 1, &b, &err));
    CHECK(b.n == 1 && strlen(b.posts[0].body) <= INGEST_MAX_BODY_LEN);
    ingest_batch_finish(&b);
    free(huge);

    /* 500 items: the first 100 kept, 400 counted skipped. */
    struct sb s = {0};
    sb_add(&s, "<rss version=\"2.0\"><channel>");
    for (int i = 0; i < 500; i++)
        sb_add(&s, "<item><guid>item-%d</guid><title>Item %d</title></item>", i, i);
    sb_add(&s, "</channel></rss>");
    CHECK(parse_str(s.p, &b, &err));
    CHECK_INT(b.n, INGEST_MAX_POSTS);
    CHECK_INT(b.skipped, 400);
    CHECK(b.n == 100 && strcmp(b.posts[99].ext_id, "item-99") == 0);
    ingest_batch_finish(&b);
    s.n = 0;
    /* Items without an id do not take a place. */
    sb_add(&s, "<rss><channel>");
    for (int i = 0; i < 10; i++)
        sb_add(&s, "<item><title>no id</title></item>");
    for (int i = 0; i < 150; i++)
        sb_add(&s, "<item><link>https://x.example/%d</link></item>", i);
    sb_add(&s, "</channel></rss>");
    CHECK(parse_str(s.p, &b, &err));
    CHECK_INT(b.n, 100);
    CHECK_INT(b.skipped, 60);
    ingest_batch_finish(&b);

    /* Element depth: 32 levels parse, 33 do not. */
    for (int depth = 31; depth <= 33; depth++) {
        s.n = 0;
        sb_add(&s, "<rss><channel><item><guid>g</guid>");
        for (int i = 3; i < depth; i++)
            sb_add(&s, "<x>");
        for (int i = 3; i < depth; i++)
            sb_add(&s, "</x>");
        sb_add(&s, "</item></channel></rss>");
        bool ok = parse_str(s.p, &b, &err);
        CHECK_MSG(ok == (depth <= INGEST_MAX_DEPTH), "depth %d: %s", depth, err.msg);
        if (!ok)
            CHECK_STR(err.msg, "feed nests elements deeper than 32");
        ingest_batch_finish(&b);
    }
    /* Nesting inside captured XHTML counts too. */
    s.n = 0;
    sb_add(&s, "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id>"
               "<content type=\"xhtml\">");
    for (int i = 0; i < 100; i++)
        sb_add(&s, "<div>");
    CHECK(!parse_str(s.p, &b, &err));
    CHECK_STR(err.msg, "feed nests elements deeper than 32");

    /* Over-long strings: cut with "…" at a code-point boundary. */
    s.n = 0;
    sb_add(&s, "<rss><channel><item><guid>g</guid><title>");
    for (int i = 0; i < 300; i++)
        sb_add(&s, "ä");
    sb_add(&s, "</title><dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">");
    for (int i = 0; i < 300; i++)
        sb_add(&s, "€");
    sb_add(&s, "</dc:creator><description>");
    for (int i = 0; i < 3000; i++)
        sb_add(&s, "ab ");
    sb_add(&s, "</description>");
    for (int i = 0; i < 6; i++)
        sb_add(&s, "<enclosure type=\"image/jpeg\" url=\"https://x.example/%d.jpg\"/>", i);
    sb_add(&s, "</item></channel></rss>");
    CHECK(parse_str(s.p, &b, &err));
    check_invariants(&b);
    if (b.n == 1) {
        const struct ingest_post *p = &b.posts[0];
        CHECK_INT(strlen(p->title), 196 + 3);
        CHECK(strcmp(p->title + strlen(p->title) - 3, "…") == 0);
        CHECK(strlen(p->author) <= INGEST_MAX_SHORT_LEN);
        CHECK(strcmp(p->author + strlen(p->author) - 3, "…") == 0);
        CHECK(strlen(p->body) <= INGEST_MAX_BODY_LEN && strlen(p->body) > 1900);
        CHECK_INT(p->nimages, INGEST_MAX_IMAGES);
    }
    ingest_batch_finish(&b);

    /* An id over the limit could collide when cut: the item is skipped. */
    s.n = 0;
    sb_add(&s, "<rss><channel><item><guid>");
    for (int i = 0; i < INGEST_MAX_EXT_ID_LEN + 1; i++)
        sb_add(&s, "g");
    sb_add(&s, "</guid></item><item><guid>");
    for (int i = 0; i < INGEST_MAX_EXT_ID_LEN; i++)
        sb_add(&s, "g");
    sb_add(&s, "</guid></item></channel></rss>");
    CHECK(parse_str(s.p, &b, &err));
    CHECK_INT(b.n, 1);
    CHECK_INT(b.skipped, 1);
    ingest_batch_finish(&b);
    free(s.p);
}

/* ---- dates ---- */

static void test_dates(void)
{
    const struct {
        const char *date;
        long long t;
    } rss[] = {
        {"Wed, 10 Jun 2026 04:00:00 GMT", 1781064000},
        {"Tue, 10 Jun 2026 04:00:00 GMT", 1781064000}, /* wrong weekday, not checked */
        {"10 Jun 2026 04:00 UT", 1781064000},
        {"Wed, 10 Jun 2026 04:00:00 UTC", 1781064000},
        {"Wed, 10 Jun 2026 04:00:00 Z", 1781064000},
        {"Wed, 10 Jun 2026 06:00:00 +0200", 1781064000},
        {"Wed, 10 Jun 2026 06:00:00 +02:00", 1781064000},
        {"Wed, 10 Jun 2026 06:00:00 +0200 (CEST)", 1781064000},
        {"Wed, 10 Jun 2026 06:00:00 CEST", 1781064000},
        {"Wed, 10 Jun 2026 05:00:00 CET", 1781064000},
        {"Wed, 10 Jun 2026 00:00:00 EDT", 1781064000},
        {"Wed, 10 Jun 2026 01:00:00 -0300", 1781064000},
        {"Wed,10 jun 2026 04:00:00 gmt", 1781064000},
        {"Wed, 10 June 2026 04:00:00 GMT", 1781064000},
        {"  Wed, 10 Jun 26 04:00:00 GMT  ", 1781064000},
        {"Wed, 10 Jun 2026 04:00:00", 1781064000}, /* no zone: UTC */
        {"2026-06-10T04:00:00Z", 1781064000},      /* RFC 3339 in pubDate */
        {"Sat, 29 Feb 2020 12:00:00 GMT", 1582977600},
        {"Wed, 31 Jun 2026 04:00:00 GMT", 0},
        {"Sun, 29 Feb 2026 04:00:00 GMT", 0},
        {"Wed, 10 Jun 2026 04:00:00 XYZ", 0},
        {"Wed, 10 Jun 2026 24:00:00 GMT", 0},
        {"Wed, 10 Foo 2026 04:00:00 GMT", 0},
        {"Wed, 10 Jun 2026 04:00:00 +02", 0},
        {"Wed, 10 Jun 2026 04:00:00 GMT and more", 0},
        {"Wed, 10 Jun 202 04:00:00 GMT", 0},
        {"yesterday", 0},
        {"", 0},
    };
    struct ingest_batch b;
    struct sg_err err;
    for (size_t i = 0; i < sizeof rss / sizeof rss[0]; i++) {
        char xml[512];
        snprintf(xml, sizeof xml,
                 "<rss><channel><item><guid>g</guid><pubDate>%s</pubDate></item></channel></rss>",
                 rss[i].date);
        CHECK(parse_str(xml, &b, &err));
        CHECK_MSG(b.n == 1 && b.posts[0].published == rss[i].t, "\"%s\": %lld", rss[i].date,
                  b.n == 1 ? (long long)b.posts[0].published : -1LL);
        ingest_batch_finish(&b);
    }
    const struct {
        const char *date;
        long long t;
    } atom[] = {
        {"2026-06-10T04:00:00Z", 1781064000},
        {"2026-06-10T06:00:00+02:00", 1781064000},
        {"2026-06-09T23:00:00-05:00", 1781064000},
        {"2026-06-10T04:00:00.999999Z", 1781064000},
        {"2026-06-10t04:00:00z", 1781064000},
        {"2026-06-10 04:00:00Z", 1781064000},
        {"2026-06-10T04:00Z", 1781064000},
        {"2026-06-10", 1781049600},
        {"Wed, 10 Jun 2026 04:00:00 GMT", 1781064000}, /* RFC 822 in Atom */
        {"2026-02-30T00:00:00Z", 0},
        {"2026-06-10T04:00:00+2:00", 0},
        {"2026-06-10T04:00:00.Z", 0},
        {"2026-06-10T04:00:00Zjunk", 0},
        {"20260610T040000Z", 0},
    };
    for (size_t i = 0; i < sizeof atom / sizeof atom[0]; i++) {
        char xml[512];
        snprintf(xml, sizeof xml,
                 "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id><updated>"
                 "2020-01-01T00:00:00Z</updated><published>%s</published></entry></feed>",
                 atom[i].date);
        CHECK(parse_str(xml, &b, &err));
        /* An unparseable published falls back to updated. */
        long long want = atom[i].t ? atom[i].t : 1577836800LL;
        CHECK_MSG(b.n == 1 && b.posts[0].published == want, "\"%s\": %lld", atom[i].date,
                  b.n == 1 ? (long long)b.posts[0].published : -1LL);
        ingest_batch_finish(&b);
    }
}

/* ---- smaller rules ---- */

static void test_details(void)
{
    struct ingest_batch b;
    struct sg_err err;
    /* Language tags: channel or dc:language, item overrides, junk dropped. */
    CHECK(parse_str("<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
                    "<language>de_at</language>"
                    "<item><guid>1</guid></item>"
                    "<item><guid>2</guid><dc:language>en-GB</dc:language></item>"
                    "<item><guid>3</guid><dc:language>not a tag!</dc:language></item>"
                    "</channel></rss>",
                    &b, &err));
    CHECK_INT(b.n, 3);
    if (b.n == 3) {
        CHECK_STR(b.posts[0].lang, "de-at");
        CHECK_STR(b.posts[1].lang, "en-GB");
        CHECK_STR(b.posts[2].lang, "de-at");
    }
    ingest_batch_finish(&b);

    /* media:content of a video is no image; its thumbnail stands in. */
    CHECK(parse_str("<rss xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item>"
                    "<guid>v</guid><media:content url=\"https://x.example/v.mp4\" "
                    "type=\"video/mp4\"><media:thumbnail url=\"https://x.example/v.jpg\"/>"
                    "</media:content></item></channel></rss>",
                    &b, &err));
    CHECK(b.n == 1 && b.posts[0].nimages == 1 &&
          strcmp(b.posts[0].images[0].url, "https://x.example/v.jpg") == 0);
    ingest_batch_finish(&b);

    /* The namespace without its final '/' is still Media RSS. */
    CHECK(parse_str("<rss xmlns:media=\"http://search.yahoo.com/mrss\"><channel><item>"
                    "<guid>v</guid><media:content url=\"https://x.example/a.jpg\" "
                    "medium=\"image\"/></item></channel></rss>",
                    &b, &err));
    CHECK(b.n == 1 && b.posts[0].nimages == 1);
    ingest_batch_finish(&b);

    /* Atom: content with src is out of line, the summary is shown; base64
     * content is not text; an entry without title has none. */
    CHECK(parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">"
                    "<entry><id>1</id><content src=\"https://x.example/1\"/>"
                    "<summary>Sum</summary></entry>"
                    "<entry><id>2</id><content type=\"image/png\">iVBORw0KGgo=</content></entry>"
                    "</feed>",
                    &b, &err));
    CHECK_INT(b.n, 2);
    if (b.n == 2) {
        CHECK_STR(b.posts[0].body, "Sum");
        CHECK_STR(b.posts[1].body, "");
        CHECK(b.posts[1].title == NULL);
    }
    ingest_batch_finish(&b);

    /* Unescaped markup inside an RSS description is read as HTML. */
    CHECK(parse_str("<rss><channel><item><guid>g</guid><description><p>One</p><p>Two "
                    "<a href=\"https://x.example/\">link</a></p></description></item></channel>"
                    "</rss>",
                    &b, &err));
    CHECK(b.n == 1 && strcmp(b.posts[0].body, "One\n\nTwo link") == 0);
    ingest_batch_finish(&b);
    /* ... and the text in it is text: an escaped tag there stays visible. */
    CHECK(parse_str("<rss><channel><item><guid>g</guid><description>&lt;i&gt;top&lt;/i&gt; "
                    "<p>a &lt;script&gt; b</p></description></item></channel></rss>",
                    &b, &err));
    CHECK(b.n == 1 && strcmp(b.posts[0].body, "top\n\na <script> b") == 0);
    ingest_batch_finish(&b);

    /* An empty content:encoded does not hide the description. */
    CHECK(parse_str("<rss xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
                    "<item><guid>g</guid><description>Desc</description>"
                    "<content:encoded><![CDATA[ <p> </p> ]]></content:encoded></item></channel>"
                    "</rss>",
                    &b, &err));
    CHECK(b.n == 1 && strcmp(b.posts[0].body, "Desc") == 0);
    ingest_batch_finish(&b);

    /* An empty feed is a valid, empty batch. */
    CHECK(parse_str("<rss version=\"2.0\"><channel><title>t</title></channel></rss>", &b, &err));
    CHECK(b.n == 0 && b.skipped == 0);
    ingest_batch_finish(&b);
}

int main(void)
{
    test_rss();
    test_atom();
    test_encodings();
    test_rtl_emoji();
    test_entities();
    test_malformed();
    test_limits();
    test_dates();
    test_details();
    return check_done("test_ingest_feed");
}
