/* UTF-8 decoding and sanitizing of untrusted text before it reaches a font. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "text.h"

static void test_next(void)
{
    static const struct {
        const char *s;
        size_t len; /* 0: strlen */
        size_t n;   /* expected length, 0 = invalid */
        uint32_t cp;
    } cases[] = {
        {"A", 0, 1, 'A'},
        {"\x7F", 0, 1, 0x7F},
        {"\xC3\xA4", 0, 2, 0xE4},             /* ä */
        {"\xC3\x9F", 0, 2, 0xDF},             /* ß */
        {"\xE2\x82\xAC", 0, 3, 0x20AC},       /* € */
        {"\xF0\x9F\x98\x80", 0, 4, 0x1F600},  /* 😀 */
        {"\xF4\x8F\xBF\xBF", 0, 4, 0x10FFFF}, /* last code point */
        {"\xEF\xBF\xBD", 0, 3, 0xFFFD},
        {"\0", 1, 1, 0},               /* NUL decodes; text_utf8_valid rejects it */
        {"\xC0\x80", 0, 0, 0},         /* overlong NUL */
        {"\xC1\xBF", 0, 0, 0},         /* overlong 2-byte */
        {"\xE0\x80\xAF", 0, 0, 0},     /* overlong '/' */
        {"\xE0\x9F\xBF", 0, 0, 0},     /* overlong 3-byte */
        {"\xF0\x8F\xBF\xBF", 0, 0, 0}, /* overlong 4-byte */
        {"\xED\xA0\x80", 0, 0, 0},     /* U+D800 surrogate */
        {"\xED\xBF\xBF", 0, 0, 0},     /* U+DFFF surrogate */
        {"\xF4\x90\x80\x80", 0, 0, 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 0, 0, 0}, /* lead byte beyond range */
        {"\xFF", 0, 0, 0},             /* never valid */
        {"\x80", 0, 0, 0},             /* lone continuation */
        {"\xC3", 0, 0, 0},             /* truncated 2-byte */
        {"\xE2\x82", 0, 0, 0},         /* truncated 3-byte */
        {"\xF0\x9F\x98", 0, 0, 0},     /* truncated 4-byte */
        {"\xC3\xA4", 1, 0, 0},         /* cut by len */
        {"\xE2\x28\xA1", 0, 0, 0},     /* bad continuation */
        {"", 0, 0, 0},                 /* empty */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
        uint32_t cp = 0xDEAD;
        size_t n = text_utf8_next(cases[i].s, len, &cp);
        CHECK_MSG(n == cases[i].n, "case %zu: length %zu, want %zu", i, n, cases[i].n);
        if (n && cases[i].n)
            CHECK_MSG(cp == cases[i].cp, "case %zu: U+%04X", i, (unsigned)cp);
    }
}

static void test_valid(void)
{
    CHECK(text_utf8_valid("", 0));
    CHECK(text_utf8_valid("Grüße aus München", strlen("Grüße aus München")));
    CHECK(!text_utf8_valid("a\0b", 3));
    CHECK(!text_utf8_valid("Gr\xFC\xDF", 4)); /* Latin-1, not UTF-8 */
    CHECK(!text_utf8_valid("ok\xE2\x82", 4));
    CHECK(!text_utf8_valid("\xED\xA0\x80\xED\xB0\x80", 6)); /* CESU-8 pair */
}

/* Rejects emoji and other pictographs, like a font set without a colour font. */
static bool no_emoji(void *ctx, uint32_t cp)
{
    (void)ctx;
    return cp < 0x1F000 && !(cp >= 0x2600 && cp <= 0x27BF);
}

static void test_sanitize(void)
{
    static const struct {
        const char *in;
        size_t len; /* 0: strlen */
        bool emoji; /* use no_emoji */
        const char *want;
    } cases[] = {
        {"", 0, false, ""},
        {"   ", 0, false, ""},
        {"  Hallo   Welt  ", 0, false, "Hallo Welt"},
        {"a\tb\x0B"
         "c\x0C"
         "d",
         0, false, "a b c d"},
        {"a\x01\x07\x1B[31mb", 0, false, "a[31mb"}, /* C0, ESC dropped */
        {"a\x7F"
         "b\xC2\x80\xC2\x9F"
         "c",
         0, false, "abc"}, /* DEL, C1 */
        {"a\r\nb", 0, false, "a\nb"},
        {"a \n b", 0, false, "a\nb"},
        {"a\n\n\n\n\nb", 0, false, "a\n\nb"}, /* at most one blank line */
        {"\n\na\n\n", 0, false, "a"},
        {"a\xC2\x85"
         "b\xE2\x80\xA8"
         "c\xE2\x80\xA9"
         "d",
         0, false, "a\nb\nc\nd"},
        /* bidi: LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM */
        {"\xE2\x80\xAA"
         "a\xE2\x80\xAB"
         "b\xE2\x80\xAC"
         "c\xE2\x80\xAD"
         "d\xE2\x80\xAE"
         "e",
         0, false, "abcde"},
        {"\xE2\x81\xA6"
         "a\xE2\x81\xA7"
         "b\xE2\x81\xA8"
         "c\xE2\x81\xA9",
         0, false, "abc"},
        {"a\xE2\x80\x8E"
         "b\xE2\x80\x8F"
         "c\xD8\x9C"
         "d",
         0, false, "abcd"},
        {"\xEF\xBB\xBFHallo", 0, false, "Hallo"}, /* BOM */
        {"rechnung\xE2\x80\xAE"
         "fdp.exe",
         0, false, "rechnungfdp.exe"},
        /* other spaces collapse into one; no-break spaces stay */
        {"a\xE2\x80\x83\xE2\x80\x89 b\xE3\x80\x80"
         "c",
         0, false, "a b c"},
        {"10\xC2\xA0km", 0, false, "10\xC2\xA0km"},
        {"10\xE2\x80\xAF"
         "km 5\xE2\x80\x87"
         "6",
         0, false,
         "10\xC2\xA0km 5\xC2\xA0"
         "6"},
        {"Grippe\xC2\xADschutz", 0, true, "Grippe\xC2\xADschutz"}, /* soft hyphen kept */
        /* invalid bytes go one by one, the rest survives */
        {"Gr\xFC\xDF"
         "e",
         0, false, "Gre"},
        {"a\xC0\x80"
         "b",
         0, false, "ab"},
        {"a\xED\xA0\x80"
         "b",
         0, false, "ab"},
        {"a\xF4\x90\x80\x80"
         "b",
         0, false, "ab"},
        {"a\xE2\x82", 0, false, "a"},
        {"a\0b", 3, false, "ab"},
        /* glyphs: emoji dropped without leaving double spaces */
        {"Gesund \xF0\x9F\x98\x80 bleiben \xE2\x9D\xA4\xEF\xB8\x8F!", 0, true, "Gesund bleiben !"},
        /* a ZWJ sequence whose base is missing leaves nothing behind */
        {"Team \xF0\x9F\x91\xA9\xE2\x80\x8D\xE2\x9A\x95\xEF\xB8\x8F da", 0, true, "Team da"},
        {"Cafe\xCC\x81", 0, true, "Cafe\xCC\x81"}, /* combining accent stays on its base */
        {"\xF0\x9F\x98\x80 Hallo", 0, true, "Hallo"},
        {"\xF0\x9F\x98\x80 Hallo", 0, false, "\xF0\x9F\x98\x80 Hallo"},
        {"Stra\xC3\x9F"
         "e, \xC3\x84rztin, \xC3\xBC"
         "ber",
         0, true,
         "Stra\xC3\x9F"
         "e, \xC3\x84rztin, \xC3\xBC"
         "ber"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        char *out = text_sanitize(cases[i].in, len, cases[i].emoji ? no_emoji : NULL, NULL);
        CHECK_MSG(out && strcmp(out, cases[i].want) == 0, "case %zu: \"%s\"", i,
                  out ? out : "(null)");
        if (out)
            CHECK_MSG(text_utf8_valid(out, strlen(out)), "case %zu: invalid output", i);
        free(out);
    }
}

/* Every byte string of length up to 3 over an alphabet of troublesome bytes:
 * the output is always valid, never longer than the input. */
static void test_sanitize_exhaustive(void)
{
    static const unsigned char alphabet[] = {0x00, 0x0A, 0x20, 0x41, 0x7F, 0x80, 0xA0, 0xAD,
                                             0xBF, 0xC2, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF};
    size_t na = sizeof alphabet, bad = 0;
    for (size_t a = 0; a < na; a++)
        for (size_t b = 0; b < na; b++)
            for (size_t c = 0; c < na; c++) {
                char in[3] = {(char)alphabet[a], (char)alphabet[b], (char)alphabet[c]};
                char *out = text_sanitize(in, sizeof in, NULL, NULL);
                if (!out || strlen(out) > sizeof in || !text_utf8_valid(out, strlen(out)))
                    bad++;
                free(out);
            }
    CHECK_INT(bad, 0);
}

int main(void)
{
    test_next();
    test_valid();
    test_sanitize();
    test_sanitize_exhaustive();
    return check_done("test_text");
}
