/* HTML fragments to plain text (ingest.h: ingest_html_to_text).
 *
 * Not an HTML parser: a single forward pass over the bytes that knows just
 * enough of HTML's tokenizer to find tags, comments, character references
 * and the raw-text elements whose contents are code, not text. There is no
 * tree and no recursion; every byte is looked at a bounded number of times,
 * so work and memory are linear in the input whatever it holds.
 *
 * What is hidden: script, style, iframe, noembed, noframes, title and
 * textarea contents (raw text up to their end tag), template and head
 * contents (tokenized, but nothing shown and no link taken). An unclosed tag
 * or comment at the end drops the rest: it was cut off, not text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"

/* The output being built: white space and breaks are held back until the
 * next visible character, so runs collapse and nothing leads or trails. */
struct html_out {
    char *p;
    size_t n, cap;
    int breaks; /* pending '\n's, at most 2 (one blank line) */
    bool space; /* a ' ' is pending */
    bool oom;
};

static bool out_reserve(struct html_out *o, size_t more)
{
    if (o->oom)
        return false;
    if (o->cap - o->n >= more)
        return true;
    size_t cap = o->cap ? o->cap : 64;
    while (cap - o->n < more) {
        if (cap > SIZE_MAX / 2) {
            o->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(o->p, cap);
    if (!p) {
        o->oom = true;
        return false;
    }
    o->p = p;
    o->cap = cap;
    return true;
}

static void out_text(struct html_out *o, const char *s, size_t n)
{
    if (n == 0 || !out_reserve(o, n + 2))
        return;
    if (o->n > 0 && o->breaks > 0) {
        for (int i = 0; i < o->breaks; i++)
            o->p[o->n++] = '\n';
    } else if (o->n > 0 && o->space) {
        o->p[o->n++] = ' ';
    }
    o->breaks = 0;
    o->space = false;
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

/* A block boundary worth k line breaks (1: a new line, 2: a new paragraph). */
static void out_break(struct html_out *o, int k)
{
    if (o->breaks < k)
        o->breaks = k;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when s[0..len) starts with the lower-case ASCII word w, ignoring case. */
static bool starts_ci(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != w[i])
            return false;
    return true;
}

/* Offset of the first needle in s[from..len), or len when there is none. */
static size_t find(const char *s, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return i;
    return len;
}

/* ---- character references ---- */

struct named_ref {
    const char *name;
    uint16_t cp;
    bool legacy; /* HTML also decodes it without the ';' */
};

/* The common part of HTML's named references: markup, the Latin-1 letters
 * and signs German and its neighbours write, typographic punctuation. The
 * rest of HTML's 2,231 stay as written. */
static const struct named_ref named_refs[] = {
    {"amp", '&', true},        {"lt", '<', true},         {"gt", '>', true},
    {"quot", '"', true},       {"apos", '\'', false},     {"nbsp", 0xA0, true},
    {"iexcl", 0xA1, true},     {"cent", 0xA2, true},      {"pound", 0xA3, true},
    {"curren", 0xA4, true},    {"yen", 0xA5, true},       {"brvbar", 0xA6, true},
    {"sect", 0xA7, true},      {"uml", 0xA8, true},       {"copy", 0xA9, true},
    {"ordf", 0xAA, true},      {"laquo", 0xAB, true},     {"not", 0xAC, true},
    {"shy", 0xAD, true},       {"reg", 0xAE, true},       {"macr", 0xAF, true},
    {"deg", 0xB0, true},       {"plusmn", 0xB1, true},    {"sup2", 0xB2, true},
    {"sup3", 0xB3, true},      {"acute", 0xB4, true},     {"micro", 0xB5, true},
    {"para", 0xB6, true},      {"middot", 0xB7, true},    {"cedil", 0xB8, true},
    {"sup1", 0xB9, true},      {"ordm", 0xBA, true},      {"raquo", 0xBB, true},
    {"frac14", 0xBC, true},    {"frac12", 0xBD, true},    {"frac34", 0xBE, true},
    {"iquest", 0xBF, true},    {"Agrave", 0xC0, true},    {"Aacute", 0xC1, true},
    {"Acirc", 0xC2, true},     {"Atilde", 0xC3, true},    {"Auml", 0xC4, true},
    {"Aring", 0xC5, true},     {"AElig", 0xC6, true},     {"Ccedil", 0xC7, true},
    {"Egrave", 0xC8, true},    {"Eacute", 0xC9, true},    {"Ecirc", 0xCA, true},
    {"Euml", 0xCB, true},      {"Igrave", 0xCC, true},    {"Iacute", 0xCD, true},
    {"Icirc", 0xCE, true},     {"Iuml", 0xCF, true},      {"Ntilde", 0xD1, true},
    {"Ograve", 0xD2, true},    {"Oacute", 0xD3, true},    {"Ocirc", 0xD4, true},
    {"Otilde", 0xD5, true},    {"Ouml", 0xD6, true},      {"times", 0xD7, true},
    {"Oslash", 0xD8, true},    {"Ugrave", 0xD9, true},    {"Uacute", 0xDA, true},
    {"Ucirc", 0xDB, true},     {"Uuml", 0xDC, true},      {"szlig", 0xDF, true},
    {"agrave", 0xE0, true},    {"aacute", 0xE1, true},    {"acirc", 0xE2, true},
    {"atilde", 0xE3, true},    {"auml", 0xE4, true},      {"aring", 0xE5, true},
    {"aelig", 0xE6, true},     {"ccedil", 0xE7, true},    {"egrave", 0xE8, true},
    {"eacute", 0xE9, true},    {"ecirc", 0xEA, true},     {"euml", 0xEB, true},
    {"igrave", 0xEC, true},    {"iacute", 0xED, true},    {"icirc", 0xEE, true},
    {"iuml", 0xEF, true},      {"ntilde", 0xF1, true},    {"ograve", 0xF2, true},
    {"oacute", 0xF3, true},    {"ocirc", 0xF4, true},     {"otilde", 0xF5, true},
    {"ouml", 0xF6, true},      {"divide", 0xF7, true},    {"oslash", 0xF8, true},
    {"ugrave", 0xF9, true},    {"uacute", 0xFA, true},    {"ucirc", 0xFB, true},
    {"uuml", 0xFC, true},      {"yuml", 0xFF, true},      {"OElig", 0x152, false},
    {"oelig", 0x153, false},   {"Scaron", 0x160, false},  {"scaron", 0x161, false},
    {"Yuml", 0x178, false},    {"fnof", 0x192, false},    {"circ", 0x2C6, false},
    {"tilde", 0x2DC, false},   {"ensp", 0x2002, false},   {"emsp", 0x2003, false},
    {"thinsp", 0x2009, false}, {"zwnj", 0x200C, false},   {"zwj", 0x200D, false},
    {"lrm", 0x200E, false},    {"rlm", 0x200F, false},    {"ndash", 0x2013, false},
    {"mdash", 0x2014, false},  {"lsquo", 0x2018, false},  {"rsquo", 0x2019, false},
    {"sbquo", 0x201A, false},  {"ldquo", 0x201C, false},  {"rdquo", 0x201D, false},
    {"bdquo", 0x201E, false},  {"dagger", 0x2020, false}, {"Dagger", 0x2021, false},
    {"bull", 0x2022, false},   {"hellip", 0x2026, false}, {"permil", 0x2030, false},
    {"prime", 0x2032, false},  {"lsaquo", 0x2039, false}, {"rsaquo", 0x203A, false},
    {"euro", 0x20AC, false},   {"trade", 0x2122, false},  {"larr", 0x2190, false},
    {"uarr", 0x2191, false},   {"rarr", 0x2192, false},   {"darr", 0x2193, false},
    {"harr", 0x2194, false},   {"minus", 0x2212, false},  {"infin", 0x221E, false},
    {"asymp", 0x2248, false},  {"ne", 0x2260, false},     {"le", 0x2264, false},
    {"ge", 0x2265, false},     {"hearts", 0x2665, false}, {"check", 0x2713, false},
};

#define REF_MAX_NAME 32 /* longer than any name in the table */

/* What HTML makes of &#128; to &#159;: the windows-1252 characters those
 * bytes stood for in old pages (0 where windows-1252 has none: the control
 * code point stays and text_sanitize removes it). */
static const uint16_t c1_remap[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static uint32_t numeric_cp(uint32_t v, bool overflow)
{
    if (overflow || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0xFFFD;
    if (v >= 0x80 && v <= 0x9F && c1_remap[v - 0x80])
        return c1_remap[v - 0x80];
    return v;
}

/* Decodes the character reference at s[0] == '&'. Returns the bytes it
 * takes (0: not a reference, the '&' is text) and its code point. In an
 * attribute, a legacy name without ';' followed by a letter, digit or '='
 * is not a reference (HTML's rule, so "?a=1&copy=2" stays a URL). */
static size_t char_ref(const char *s, size_t len, bool in_attr, uint32_t *cp)
{
    size_t i = 1;
    if (i < len && s[i] == '#') {
        i++;
        bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
        if (hex)
            i++;
        size_t start = i;
        uint32_t v = 0;
        bool overflow = false;
        for (; i < len; i++) {
            int d;
            if (is_digit(s[i]))
                d = s[i] - '0';
            else if (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')
                d = lower(s[i]) - 'a' + 10;
            else
                break;
            if (v > 0x10FFFF)
                overflow = true; /* keep consuming digits, the value is lost */
            else
                v = v * (hex ? 16u : 10u) + (uint32_t)d;
        }
        if (i == start)
            return 0;
        if (i < len && s[i] == ';')
            i++;
        *cp = numeric_cp(v, overflow);
        return i;
    }
    size_t start = i;
    while (i < len && i - start <= REF_MAX_NAME && is_alnum(s[i]))
        i++;
    size_t run = i - start;
    if (run == 0 || run > REF_MAX_NAME)
        return 0;
    const size_t nrefs = sizeof named_refs / sizeof named_refs[0];
    if (i < len && s[i] == ';') {
        for (size_t k = 0; k < nrefs; k++) {
            const char *name = named_refs[k].name;
            if (name[0] == s[start] && strncmp(name, s + start, run) == 0 && name[run] == '\0') {
                *cp = named_refs[k].cp;
                return i + 1;
            }
        }
    }
    /* No ';': the longest legacy name the run starts with ("&copy2026"). */
    size_t best = 0;
    for (size_t k = 0; k < nrefs; k++) {
        if (!named_refs[k].legacy || named_refs[k].name[0] != s[start])
            continue;
        size_t n = strlen(named_refs[k].name);
        if (n <= run && n > best && memcmp(named_refs[k].name, s + start, n) == 0) {
            best = n;
            *cp = named_refs[k].cp;
        }
    }
    if (best == 0)
        return 0;
    size_t end = start + best;
    if (in_attr && end < len && (is_alnum(s[end]) || s[end] == '='))
        return 0;
    return end;
}

/* ---- tags ---- */

enum tag_kind {
    TAG_OTHER,
    TAG_A,
    TAG_BR,
    TAG_RAW,      /* contents are raw text, dropped: script, style, ... */
    TAG_TEMPLATE, /* contents tokenized but hidden */
    TAG_HEAD,
    TAG_BODY,
    TAG_CELL,      /* td, th: a space between cells */
    TAG_LINE,      /* a line break before and after */
    TAG_PARAGRAPH, /* a blank line before and after */
};

struct tag_info {
    const char *name;
    enum tag_kind kind;
};

static const struct tag_info tags[] = {
    {"a", TAG_A},
    {"br", TAG_BR},
    {"script", TAG_RAW},
    {"style", TAG_RAW},
    {"iframe", TAG_RAW},
    {"noembed", TAG_RAW},
    {"noframes", TAG_RAW},
    {"title", TAG_RAW},
    {"textarea", TAG_RAW},
    {"template", TAG_TEMPLATE},
    {"head", TAG_HEAD},
    {"body", TAG_BODY},
    {"td", TAG_CELL},
    {"th", TAG_CELL},
    {"div", TAG_LINE},
    {"li", TAG_LINE},
    {"ul", TAG_LINE},
    {"ol", TAG_LINE},
    {"dl", TAG_LINE},
    {"dt", TAG_LINE},
    {"dd", TAG_LINE},
    {"tr", TAG_LINE},
    {"section", TAG_LINE},
    {"article", TAG_LINE},
    {"header", TAG_LINE},
    {"footer", TAG_LINE},
    {"aside", TAG_LINE},
    {"nav", TAG_LINE},
    {"main", TAG_LINE},
    {"address", TAG_LINE},
    {"figcaption", TAG_LINE},
    {"p", TAG_PARAGRAPH},
    {"h1", TAG_PARAGRAPH},
    {"h2", TAG_PARAGRAPH},
    {"h3", TAG_PARAGRAPH},
    {"h4", TAG_PARAGRAPH},
    {"h5", TAG_PARAGRAPH},
    {"h6", TAG_PARAGRAPH},
    {"blockquote", TAG_PARAGRAPH},
    {"pre", TAG_PARAGRAPH},
    {"table", TAG_PARAGRAPH},
    {"figure", TAG_PARAGRAPH},
    {"hr", TAG_PARAGRAPH},
};

#define TAG_MAX_NAME 16 /* longer than any name in the table */

/* The kind of the tag name s[0..n); the lower-case name goes to name[]
 * (cut, and then unknown, when longer than TAG_MAX_NAME). */
static enum tag_kind tag_kind(const char *s, size_t n, char name[TAG_MAX_NAME + 1])
{
    if (n > TAG_MAX_NAME) {
        name[0] = '\0';
        return TAG_OTHER;
    }
    for (size_t i = 0; i < n; i++)
        name[i] = lower(s[i]);
    name[n] = '\0';
    for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
        if (tags[k].name[0] == name[0] && strcmp(tags[k].name, name) == 0)
            return tags[k].kind;
    return TAG_OTHER;
}

struct html_state {
    const char *s;
    size_t len;
    struct html_out out;
    size_t template_depth;
    bool in_head;
    char **first_link; /* NULL when the caller wants none */
};

static bool hidden(const struct html_state *st)
{
    return st->template_depth > 0 || st->in_head;
}

/* An href value s[0..n) as written: references decoded, the white space
 * HTML strips from URLs removed. Becomes the first link when it passes
 * ingest_url_ok. */
static void take_href(struct html_state *st, const char *s, size_t n)
{
    if (n > 8 * INGEST_MAX_URL_LEN)
        return;                /* too long even with every byte a reference */
    char *url = malloc(n + 1); /* a decoded reference is never longer than written */
    if (!url) {
        st->out.oom = true;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = s[i] == '&' ? char_ref(s + i, n - i, true, &cp) : 0;
        if (used) {
            if (cp != '\t' && cp != '\n' && cp != '\r')
                k += utf8_encode(cp, url + k);
            i += used;
        } else {
            if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
                url[k++] = s[i];
            i++;
        }
    }
    size_t start = 0;
    while (start < k && (url[start] == ' ' || url[start] == '\f'))
        start++;
    while (k > start && (url[k - 1] == ' ' || url[k - 1] == '\f'))
        k--;
    memmove(url, url + start, k - start);
    url[k - start] = '\0';
    if (ingest_url_ok(url) && strlen(url) == k - start)
        *st->first_link = url;
    else
        free(url);
}

/* The start tag at *i == '<' (a letter after it): on return *i is past its
 * '>'. False when it is not closed before the end (then it is dropped).
 * lname receives the lower-case name. */
static bool start_tag(struct html_state *st, size_t *at, enum tag_kind *kind,
                      char lname[TAG_MAX_NAME + 1])
{
    const char *s = st->s;
    size_t len = st->len, i = *at + 1, name = i;
    while (i < len && !is_ws(s[i]) && s[i] != '/' && s[i] != '>')
        i++;
    *kind = tag_kind(s + name, i - name, lname);
    bool want_href = *kind == TAG_A && st->first_link && !*st->first_link && !hidden(st);
    size_t href = 0, href_len = 0;
    bool has_href = false;
    for (;;) {
        while (i < len && (is_ws(s[i]) || s[i] == '/'))
            i++;
        if (i >= len)
            return false;
        if (s[i] == '>') {
            if (has_href) /* only now: a tag cut off at the end gives no link */
                take_href(st, s + href, href_len);
            *at = i + 1;
            return true;
        }
        size_t an = i++; /* a first '=' belongs to the name (HTML's rule) */
        while (i < len && !is_ws(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=')
            i++;
        size_t an_len = i - an;
        while (i < len && is_ws(s[i]))
            i++;
        if (i >= len || s[i] != '=')
            continue;
        i++;
        while (i < len && is_ws(s[i]))
            i++;
        if (i >= len)
            return false;
        size_t v, v_len;
        if (s[i] == '"' || s[i] == '\'') {
            char q = s[i++];
            v = i;
            while (i < len && s[i] != q)
                i++;
            if (i >= len)
                return false;
            v_len = i++ - v;
        } else {
            v = i;
            while (i < len && !is_ws(s[i]) && s[i] != '>')
                i++;
            v_len = i - v;
        }
        if (want_href && !has_href && an_len == 4 && starts_ci(s + an, an_len, "href")) {
            has_href = true; /* the first href counts, as in a browser */
            href = v;
            href_len = v_len;
        }
    }
}

/* Offset after the end tag </name> of a raw-text element whose contents
 * start at i, or len when there is none. */
static size_t raw_end(const char *s, size_t len, size_t i, const char *name)
{
    size_t n = strlen(name);
    for (; i < len; i++) {
        if (s[i] != '<' || i + 2 + n > len || s[i + 1] != '/' || !starts_ci(s + i + 2, n, name))
            continue;
        size_t j = i + 2 + n;
        if (j < len && !is_ws(s[j]) && s[j] != '/' && s[j] != '>')
            continue; /* </scripts> is not the end */
        while (j < len && s[j] != '>')
            j++;
        return j < len ? j + 1 : len;
    }
    return len;
}

static void block(struct html_state *st, enum tag_kind kind)
{
    if (hidden(st))
        return;
    if (kind == TAG_LINE)
        out_break(&st->out, 1);
    else if (kind == TAG_PARAGRAPH)
        out_break(&st->out, 2);
    else if (kind == TAG_CELL)
        st->out.space = true;
}

/* <br>: one more line break, at most a blank line. */
static void line_break(struct html_state *st)
{
    if (!hidden(st) && st->out.n > 0 && st->out.breaks < 2)
        st->out.breaks++;
}

/* '<' at s[i]: a tag, comment or declaration, or just a '<'. Returns the
 * offset after it. */
static size_t markup(struct html_state *st, size_t i)
{
    const char *s = st->s;
    size_t len = st->len;
    if (starts_ci(s + i, len - i, "<!--")) {
        /* "<!-->" and "<!--->" are (empty) comments too. */
        if (i + 4 < len && s[i + 4] == '>')
            return i + 5;
        if (i + 5 < len && s[i + 4] == '-' && s[i + 5] == '>')
            return i + 6;
        size_t end = find(s, len, i + 4, "-->");
        return end < len ? end + 3 : len;
    }
    if (starts_ci(s + i, len - i, "<![cdata[")) {
        /* Feeds wrap HTML in CDATA twice often enough: its contents are
         * text as written. */
        size_t from = i + 9, end = find(s, len, from, "]]>");
        if (!hidden(st)) {
            for (size_t k = from; k < end; k++) {
                if (is_ws(s[k]))
                    st->out.space = true;
                else
                    out_text(&st->out, s + k, 1);
            }
        }
        return end < len ? end + 3 : len;
    }
    if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
        size_t end = find(s, len, i + 2, ">"); /* doctype, processing instruction */
        return end < len ? end + 1 : len;
    }
    if (i + 1 < len && s[i + 1] == '/') {
        if (i + 2 < len && is_alpha(s[i + 2])) {
            size_t name = i + 2, j = name;
            while (j < len && !is_ws(s[j]) && s[j] != '/' && s[j] != '>')
                j++;
            char lname[TAG_MAX_NAME + 1];
            enum tag_kind kind = tag_kind(s + name, j - name, lname);
            size_t end = find(s, len, j, ">");
            if (end >= len)
                return len; /* unclosed at the end: dropped */
            if (kind == TAG_TEMPLATE && st->template_depth > 0)
                st->template_depth--;
            else if (kind == TAG_HEAD)
                st->in_head = false;
            else if (kind == TAG_BR)
                line_break(st); /* </br> is a <br> in HTML */
            block(st, kind);
            return end + 1;
        }
        /* "</>" is nothing, "</ 3" a bogus comment. */
        size_t end = find(s, len, i + 2, ">");
        return end < len ? end + 1 : len;
    }
    if (i + 1 < len && is_alpha(s[i + 1])) {
        enum tag_kind kind;
        char lname[TAG_MAX_NAME + 1];
        if (!start_tag(st, &i, &kind, lname))
            return len; /* unclosed at the end: dropped */
        if (kind == TAG_RAW)
            return raw_end(s, len, i, lname);
        if (kind == TAG_TEMPLATE)
            st->template_depth++;
        else if (kind == TAG_HEAD)
            st->in_head = true;
        else if (kind == TAG_BODY)
            st->in_head = false;
        else if (kind == TAG_BR)
            line_break(st);
        block(st, kind);
        return i;
    }
    out_text(&st->out, "<", 1); /* "a < b" */
    return i + 1;
}

char *ingest_html_to_text(const char *html, size_t len, size_t max, char **first_link)
{
    if (first_link)
        *first_link = NULL;
    struct html_state st = {.s = html ? html : "", .len = html ? len : 0, .first_link = first_link};
    const char *s = st.s;
    size_t i = 0;
    while (i < st.len && !st.out.oom) {
        char c = s[i];
        if (c == '<') {
            i = markup(&st, i);
        } else if (hidden(&st)) {
            i++;
        } else if (c == '&') {
            uint32_t cp;
            size_t used = char_ref(s + i, st.len - i, false, &cp);
            if (used == 0) {
                out_text(&st.out, "&", 1);
                i++;
                continue;
            }
            i += used;
            if (cp < 0x80 && is_ws((char)cp)) {
                st.out.space = true;
            } else {
                char u[4];
                out_text(&st.out, u, utf8_encode(cp, u));
            }
        } else if (is_ws(c)) {
            st.out.space = true;
            i++;
        } else {
            size_t start = i;
            while (i < st.len && s[i] != '<' && s[i] != '&' && !is_ws(s[i]))
                i++;
            out_text(&st.out, s + start, i - start);
        }
    }
    char *text = st.out.oom ? NULL : ingest_clean(st.out.p ? st.out.p : "", st.out.n, max);
    free(st.out.p);
    if (!text && first_link) {
        free(*first_link);
        *first_link = NULL;
    }
    return text;
}
