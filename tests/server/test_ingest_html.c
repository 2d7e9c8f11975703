/* ingest_html_to_text: tags, hidden elements, character references, line
 * breaks, white space, links, limits and hostile fragments. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ingest.h"
#include "text.h"

struct html_case {
    const char *html;
    const char *text;
    const char *link; /* NULL: no link expected */
};

static const struct html_case cases[] = {
    {"", "", NULL},
    {"plain", "plain", NULL},
    {"  a \n\t b  ", "a b", NULL},
    /* block structure */
    {"<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond", NULL},
    {"<p>a</p>\n\n   <p>b</p>", "a\n\nb", NULL},
    {"a<br>b<br/><br />c", "a\nb\n\nc", NULL},
    {"a<br><br><br><br>b", "a\n\nb", NULL},
    {"a</br>b", "a\nb", NULL},
    {"<p>a<br></p><p>b</p>", "a\n\nb", NULL},
    {"<div>a</div><div>b</div>", "a\nb", NULL},
    {"<ul><li>one</li><li>two</li></ul>after", "one\ntwo\nafter", NULL},
    {"<h1>Title</h1>Text", "Title\n\nText", NULL},
    {"<H2 class=x>Title</H2 >Text", "Title\n\nText", NULL},
    {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc", NULL},
    {"<br><p>leading breaks go</p>", "leading breaks go", NULL},
    /* hidden contents */
    {"<script>alert(1)</script>Hi", "Hi", NULL},
    {"<p>Hi<script>alert(1)</script></p>", "Hi", NULL},
    {"<SCRIPT type=x>if (a<b) document.write('</p>')</SCRIPT >ok", "ok", NULL},
    {"<script>never closed <p>text</p>", "", NULL},
    {"<scripts>x</scripts>", "x", NULL},
    {"<style>p { color: red }</style>x", "x", NULL},
    {"<title>T</title>visible", "visible", NULL},
    {"<iframe src=\"https://evil.example/\">fallback</iframe>ok", "ok", NULL},
    {"<template><p>hidden</p><a href=\"https://a.example/\">x</a></template>shown", "shown", NULL},
    {"<template><template>in</template>still in</template>out", "out", NULL},
    {"<html><head><title>T</title><meta charset=utf-8><style>x</style></head>"
     "<body>Body</body></html>",
     "Body", NULL},
    {"<head>no end<body>Body", "Body", NULL},
    /* comments, CDATA, declarations */
    {"<!-- comment <p>x</p> -->after", "after", NULL},
    {"<!---->a<!-->b<!--->c", "abc", NULL},
    {"<p>open <!-- never ends", "open", NULL},
    {"<![CDATA[a < b]]>c", "a < bc", NULL},
    {"<!DOCTYPE html><?xml-stylesheet x?>text", "text", NULL},
    {"</>a</ 3>b", "ab", NULL},
    /* literal angle brackets, unclosed tags */
    {"a < b and c > d", "a < b and c > d", NULL},
    {"x <3 y", "x <3 y", NULL},
    {"text <b", "text", NULL},
    {"text <a href=\"https://x.example/\" title='cut", "text", NULL},
    {"text <a href=\"https://x.example/\"", "text", NULL},
    {"text </b", "text", NULL},
    {"<img alt=\"a > b\" src=x>x", "x", NULL},
    /* character references */
    {"&amp; &lt; &gt; &quot; &apos; &nbsp;x", "& < > \" ' \xC2\xA0x", NULL},
    {"&auml;&ouml;&uuml;&Auml;&Ouml;&Uuml;&szlig;", "äöüÄÖÜß", NULL},
    {"&euro; &copy; &reg; &hellip; &ndash; &mdash; &laquo;x&raquo; &bdquo;x&ldquo; "
     "&lsquo;x&rsquo; &sbquo; &middot; &times; &deg;",
     "€ © ® … – — «x» „x“ ‘x’ ‚ · × °", NULL},
    {"Grippe&shy;saison", "Grippe\xC2\xADsaison", NULL},
    {"&#65;&#x42;&#X43;&#68", "ABCD", NULL},
    {"&#0;|&#xD800;|&#xDFFF;|&#x110000;|&#99999999999999999999;",
     "\xEF\xBF\xBD|\xEF\xBF\xBD|"
     "\xEF\xBF\xBD|\xEF\xBF\xBD|"
     "\xEF\xBF\xBD",
     NULL},
    {"&#128;&#150;&#x9F;", "€–Ÿ", NULL},
    {"&#128512; &#x1F600;", "😀 😀", NULL},
    {"a&#10;b&#32;c", "a b c", NULL},
    {"&bogus; &amp x &ampx &copy2026 & ; &", "&bogus; & x &x ©2026 & ; &", NULL},
    {"&#; &#x; &#xg; &", "&#; &#x; &#xg; &", NULL},
    {"&AMP; &Amp;", "&AMP; &Amp;", NULL}, /* names are case-sensitive */
    {"&amp;lt;", "&lt;", NULL},           /* decoded once */
    /* scripts and text that look alike, RTL, emoji, controls */
    {"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>", NULL},
    {"\xE2\x80\xAE"
     "evil\xE2\x80\xAC <b>\xE2\x81\xA7שלום\xE2\x81\xA9</b> \xE2\x80\x8Fمرحبا",
     "evil שלום مرحبا", NULL},
    {"👨\u200D👩\u200D👧 👍🏽", "👨\u200D👩\u200D👧 👍🏽", NULL},
    {"a\x01\x7F"
     "b\xC2\x85"
     "c",
     "ab\nc", NULL},
    {"bad \xFF\xFE utf-8 \xC3", "bad utf-8", NULL},
    /* links */
    {"<a href=\"https://example.org/post/1\">Read</a> more", "Read more",
     "https://example.org/post/1"},
    {"<a href=\"javascript:alert(1)\">x</a> <a href='data:text/html,hi'>y</a> "
     "<a href=https://ok.example/p?a=1&amp;b=2>z</a>",
     "x y z", "https://ok.example/p?a=1&b=2"},
    {"<a title=x href = \" https://ok.example/ \">x</a>", "x", "https://ok.example/"},
    {"<a href=\"https://a.example/?x=1&copy=2&amp;y\">x</a>", "x",
     "https://a.example/?x=1&copy=2&y"},
    {"<A HREF=\"http://up.example/\">x</A>", "x", "http://up.example/"},
    {"<a href=\"/relative\">x</a><a href=\"https://second.example/\">y</a>", "xy",
     "https://second.example/"},
    {"<a href=\"https://first.example/\">a</a><a href=\"https://second.example/\">b</a>", "ab",
     "https://first.example/"},
    {"<a href=\"java&#x09;script:alert(1)\">x</a>", "x", NULL},
    {"<a href=\"ht&#x0A;tps://split.example/\">x</a>", "x", "https://split.example/"},
    {"<a href=\"https://a.example/\" href=\"https://b.example/\">x</a>", "x", "https://a.example/"},
    {"<a name=x>no href</a>", "no href", NULL},
    {"<link href=\"https://not-an-a.example/\"><area href=\"https://no.example/\">t", "t", NULL},
    {"<a href=\"https://sp ace.example/\">x</a>", "x", NULL},
    {"<a href=\"https://\">x</a>", "x", NULL},
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct html_case *c = &cases[i];
        char *link = (char *)"unset";
        char *text = ingest_html_to_text(c->html, strlen(c->html), 2000, &link);
        CHECK_MSG(text && strcmp(text, c->text) == 0, "case %zu \"%s\": got \"%s\" want \"%s\"", i,
                  c->html, text ? text : "(null)", c->text);
        if (c->link)
            CHECK_MSG(link && strcmp(link, c->link) == 0, "case %zu: link \"%s\" want \"%s\"", i,
                      link ? link : "(null)", c->link);
        else
            CHECK_MSG(link == NULL, "case %zu: unexpected link \"%s\"", i, link ? link : "");
        free(text);
        free(link);
    }
}

/* The same text without first_link; embedded NUL bytes; NULL input. */
static void test_edges(void)
{
    char *t = ingest_html_to_text("<a href=\"https://x.example/\">x</a>", 33, 100, NULL);
    CHECK_STR(t, "x");
    free(t);

    t = ingest_html_to_text("a\0b<b\0>c", 8, 100, NULL);
    CHECK_STR(t, "abc");
    free(t);

    char *link = (char *)"unset";
    t = ingest_html_to_text(NULL, 0, 100, &link);
    CHECK_STR(t, "");
    CHECK(link == NULL);
    free(t);

    /* Only len bytes count: the tag after them is not seen. */
    t = ingest_html_to_text("abc<script>", 3, 100, NULL);
    CHECK_STR(t, "abc");
    free(t);
}

/* Cut to max bytes with "…", at a code-point boundary, no space before it. */
static void test_limits(void)
{
    char html[4096] = "<p>";
    for (int i = 0; i < 300; i++)
        strcat(html, "ä");
    strcat(html, "</p>");
    for (size_t max = 0; max < 40; max++) {
        char *t = ingest_html_to_text(html, strlen(html), max, NULL);
        CHECK(t && strlen(t) <= max);
        CHECK(t && text_utf8_valid(t, strlen(t)));
        if (t && max >= 5)
            CHECK_MSG(strlen(t) >= 3 && strcmp(t + strlen(t) - 3, "…") == 0, "max %zu: \"%s\"", max,
                      t);
        free(t);
    }
    char *t = ingest_html_to_text(html, strlen(html), 200, NULL);
    CHECK(t && strlen(t) == 196 + 3); /* 98 × "ä" and "…" */
    free(t);

    t = ingest_html_to_text("word word word word", 19, 13, NULL);
    CHECK_STR(t, "word word…");
    free(t);

    /* Large input: work is linear, the result still cut. */
    size_t big = 4u * 1024 * 1024;
    char *in = malloc(big);
    for (size_t i = 0; i < big; i += 8)
        memcpy(in + i, "<b>x</b>", 8);
    t = ingest_html_to_text(in, big, 2000, NULL);
    CHECK(t && strlen(t) <= 2000);
    free(t);
    /* Nothing but unclosed tags and comments. */
    memset(in, '<', big);
    t = ingest_html_to_text(in, big, 2000, NULL);
    CHECK(t && strlen(t) <= 2000);
    free(t);
    for (size_t i = 0; i + 4 <= big; i += 4)
        memcpy(in + i, "<!--", 4);
    t = ingest_html_to_text(in, big, 2000, NULL);
    CHECK_STR(t, "");
    free(t);
    for (size_t i = 0; i + 8 <= big; i += 8)
        memcpy(in + i, "&#x1F60;", 8);
    t = ingest_html_to_text(in, big, 2000, NULL);
    CHECK(t && strlen(t) <= 2000 && text_utf8_valid(t, strlen(t)));
    free(t);
    free(in);
}

int main(void)
{
    test_cases();
    test_edges();
    test_limits();
    return check_done("test_ingest_html");
}
