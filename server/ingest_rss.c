/* RSS 2.0 and Atom feeds (ingest.h: ingest_parse_feed), with expat.
 *
 * One pass, no tree: a stack of what each open element is (by namespace URI
 * and local name, never by prefix), and at most one field capturing text at
 * a time. An element counts only where it belongs (an item's <title>, not
 * the channel's or an image's), and an item becomes a post at its end tag.
 *
 * The document is hostile until proven otherwise, so every resource has a
 * bound: its size, element depth, posts kept, bytes captured per field.
 * Entity declarations stop the parse (there is no reason for a feed to
 * declare any, and they are how billion-laughs and XXE attacks start);
 * external entities and DTDs are never loaded; expat's own amplification
 * limit stays on as a second line. */
#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest_internal.h"
#include "sgtime.h"

#define NS_SEP '\x1f' /* cannot occur in XML text, so never in a namespace URI */
#define NS_SEP_STR "\x1f"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_MEDIA "http://search.yahoo.com/mrss/"
#define NS_XML "http://www.w3.org/XML/1998/namespace"

/* Bytes kept of one field while parsing; the rest is ignored. Bodies are
 * HTML and lose most of their bytes to markup; everything else is short. */
#define FEED_FIELD_MAX (64u * 1024u)
#define FEED_SHORT_FIELD_MAX (8u * 1024u)
#define FEED_MAX_LANG_LEN 35 /* BCP 47's recommended buffer for a tag */

enum el {
    EL_NONE, /* the document itself, below the root */
    EL_OTHER,
    EL_MARKUP, /* an element inside captured HTML or XHTML */
    EL_RSS,
    EL_CHANNEL,
    EL_ITEM,
    EL_TITLE,
    EL_DESCRIPTION,
    EL_LINK,
    EL_GUID,
    EL_PUBDATE,
    EL_AUTHOR,
    EL_ENCLOSURE,
    EL_LANGUAGE,
    EL_CONTENT_ENCODED,
    EL_DC_CREATOR,
    EL_DC_DATE,
    EL_DC_LANGUAGE,
    EL_MEDIA_GROUP,
    EL_MEDIA_CONTENT,
    EL_MEDIA_THUMBNAIL,
    EL_MEDIA_DESCRIPTION,
    EL_MEDIA_TITLE,
    EL_A_FEED,
    EL_A_ENTRY,
    EL_A_ID,
    EL_A_TITLE,
    EL_A_CONTENT,
    EL_A_SUMMARY,
    EL_A_LINK,
    EL_A_PUBLISHED,
    EL_A_UPDATED,
    EL_A_AUTHOR,
    EL_A_NAME,
};

struct el_name {
    const char *ns; /* NULL: no namespace */
    const char *local;
    enum el el;
};

static const struct el_name el_names[] = {
    {NULL, "rss", EL_RSS},
    {NULL, "channel", EL_CHANNEL},
    {NULL, "item", EL_ITEM},
    {NULL, "title", EL_TITLE},
    {NULL, "description", EL_DESCRIPTION},
    {NULL, "link", EL_LINK},
    {NULL, "guid", EL_GUID},
    {NULL, "pubDate", EL_PUBDATE},
    {NULL, "author", EL_AUTHOR},
    {NULL, "enclosure", EL_ENCLOSURE},
    {NULL, "language", EL_LANGUAGE},
    {NS_CONTENT, "encoded", EL_CONTENT_ENCODED},
    {NS_DC, "creator", EL_DC_CREATOR},
    {NS_DC, "date", EL_DC_DATE},
    {NS_DC, "language", EL_DC_LANGUAGE},
    {NS_MEDIA, "group", EL_MEDIA_GROUP},
    {NS_MEDIA, "content", EL_MEDIA_CONTENT},
    {NS_MEDIA, "thumbnail", EL_MEDIA_THUMBNAIL},
    {NS_MEDIA, "description", EL_MEDIA_DESCRIPTION},
    {NS_MEDIA, "title", EL_MEDIA_TITLE},
    {NS_ATOM, "feed", EL_A_FEED},
    {NS_ATOM, "entry", EL_A_ENTRY},
    {NS_ATOM, "id", EL_A_ID},
    {NS_ATOM, "title", EL_A_TITLE},
    {NS_ATOM, "content", EL_A_CONTENT},
    {NS_ATOM, "summary", EL_A_SUMMARY},
    {NS_ATOM, "link", EL_A_LINK},
    {NS_ATOM, "published", EL_A_PUBLISHED},
    {NS_ATOM, "updated", EL_A_UPDATED},
    {NS_ATOM, "author", EL_A_AUTHOR},
    {NS_ATOM, "name", EL_A_NAME},
};

/* How captured text is to be read. */
enum fmt {
    FMT_TEXT,  /* plain text */
    FMT_HTML,  /* HTML source (escaped in the XML, or CDATA) */
    FMT_XHTML, /* XML elements: serialised back to HTML while captured */
};

enum field_id {
    /* one item's */
    F_ID,
    F_TITLE,
    F_SUMMARY, /* RSS description, Atom summary */
    F_CONTENT, /* content:encoded, Atom content */
    F_LINK,
    F_PUBLISHED,  /* pubDate, Atom published */
    F_UPDATED,    /* dc:date, Atom updated */
    F_AUTHOR,     /* dc:creator, Atom author/name */
    F_AUTHOR_RSS, /* RSS author: "mail@example.org (Name)" */
    F_LANG,
    F_MEDIA_ALT,   /* media:description of the open media:content */
    F_MEDIA_TITLE, /* media:title of the open media:content */
    F_GROUP_ALT,   /* media:description of the open media:group */
    /* the feed's, for every item */
    F_FEED_LANG,
    F_FEED_AUTHOR,
    F_COUNT,
};
#define F_ITEM_COUNT F_FEED_LANG

struct field {
    char *p; /* NUL-terminated when not NULL */
    size_t n, cap;
    bool seen; /* the first occurrence wins */
    enum fmt fmt;
};

enum feed_kind { FEED_UNKNOWN, FEED_RSS, FEED_ATOM };

struct feed_state {
    XML_Parser parser;
    struct ingest_batch *out;
    struct sg_err *err;
    bool failed;
    enum feed_kind kind;
    size_t depth;
    enum el stack[INGEST_MAX_DEPTH + 1]; /* stack[0] is EL_NONE */
    struct field fields[F_COUNT];
    int capture; /* the field taking character data, or -1 */
    size_t capture_depth;
    /* the item being read */
    struct ingest_post post; /* images as they come, the rest at its end */
    bool guid_permalink;
    char *media_url; /* the open media:content's image, malloc'd */
    char *thumb_url; /* the first media:thumbnail: an image only when there is no other */
    char *thumb_alt;
    size_t group_first_image; /* images from the open media:group start here */
};

static void fail(struct feed_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct feed_state *st, const char *fmt, ...)
{
    if (st->failed)
        return;
    st->failed = true;
    if (st->err && !st->err->set) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(st->err->msg, sizeof st->err->msg, fmt, ap);
        va_end(ap);
        st->err->set = true;
    }
    XML_StopParser(st->parser, XML_FALSE);
}

static void fail_oom(struct feed_state *st)
{
    fail(st, "out of memory");
}

/* ---- fields ---- */

static size_t field_max(enum field_id id)
{
    return id == F_SUMMARY || id == F_CONTENT ? FEED_FIELD_MAX : FEED_SHORT_FIELD_MAX;
}

/* Appends what fits under the field's bound; the rest is ignored. */
static void field_add(struct feed_state *st, enum field_id id, const char *s, size_t n)
{
    struct field *f = &st->fields[id];
    size_t max = field_max(id);
    if (f->n >= max || n == 0)
        return;
    if (n > max - f->n)
        n = max - f->n;
    if (f->cap - f->n < n + 1) {
        size_t cap = f->cap ? f->cap : 256;
        while (cap - f->n < n + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1;
        char *p = realloc(f->p, cap);
        if (!p) {
            fail_oom(st);
            return;
        }
        f->p = p;
        f->cap = cap;
    }
    memcpy(f->p + f->n, s, n);
    f->n += n;
    f->p[f->n] = '\0';
}

static void field_add_str(struct feed_state *st, enum field_id id, const char *s)
{
    field_add(st, id, s, strlen(s));
}

/* Appends s as HTML text (attr: inside a double-quoted attribute value). */
static void field_add_escaped(struct feed_state *st, enum field_id id, const char *s, size_t n,
                              bool attr)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '&'           ? "&amp;"
                          : s[i] == '<'         ? "&lt;"
                          : s[i] == '>'         ? "&gt;"
                          : attr && s[i] == '"' ? "&quot;"
                                                : NULL;
        if (rep) {
            field_add(st, id, s + start, i - start);
            field_add_str(st, id, rep);
            start = i + 1;
        }
    }
    field_add(st, id, s + start, n - start);
}

static void field_reset(struct field *f)
{
    f->n = 0;
    f->seen = false;
    f->fmt = FMT_TEXT;
    if (f->p)
        f->p[0] = '\0';
}

/* The field's text without surrounding white space. */
static const char *field_trim(const struct field *f, size_t *len)
{
    const char *s = f->p ? f->p : "";
    size_t n = f->n;
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    *len = n;
    return s;
}

/* Starts capturing the text of the element just opened into field id
 * (unless an earlier one of its kind filled it). */
static void capture(struct feed_state *st, enum field_id id, enum fmt fmt)
{
    struct field *f = &st->fields[id];
    if (f->seen)
        return;
    field_reset(f);
    f->seen = true;
    f->fmt = fmt;
    st->capture = (int)id;
    st->capture_depth = st->depth;
}

/* ---- names and attributes ---- */

static enum el classify(const XML_Char *name)
{
    const char *sep = strchr(name, NS_SEP);
    const char *local = sep ? sep + 1 : name;
    size_t ns_len = sep ? (size_t)(sep - name) : 0;
    for (size_t i = 0; i < sizeof el_names / sizeof el_names[0]; i++) {
        const struct el_name *e = &el_names[i];
        if (strcmp(e->local, local) != 0)
            continue;
        if (!e->ns ? !sep : sep && strlen(e->ns) == ns_len && memcmp(e->ns, name, ns_len) == 0)
            return e->el;
    }
    /* Media RSS is written without its final '/' now and then. */
    if (sep && ns_len == strlen(NS_MEDIA) - 1 && memcmp(name, NS_MEDIA, ns_len) == 0) {
        char full[sizeof NS_MEDIA + 16];
        if (strlen(local) < 16) {
            snprintf(full, sizeof full, "%s%c%s", NS_MEDIA, NS_SEP, local);
            return classify(full);
        }
    }
    return EL_OTHER;
}

static const char *attr(const XML_Char **attrs, const char *name)
{
    for (size_t i = 0; attrs[i]; i += 2)
        if (strcmp(attrs[i], name) == 0)
            return attrs[i + 1];
    return NULL;
}

static bool is_image_type(const char *type)
{
    return type && strncasecmp(type, "image/", 6) == 0;
}

/* Atom's type attribute ("text", "html", "xhtml" or a MIME type). False
 * for content we cannot show (base64 media). */
static bool atom_fmt(const char *type, enum fmt *fmt)
{
    if (!type || strcasecmp(type, "text") == 0 || strncasecmp(type, "text/plain", 10) == 0) {
        *fmt = FMT_TEXT;
    } else if (strcasecmp(type, "html") == 0 || strncasecmp(type, "text/html", 9) == 0) {
        *fmt = FMT_HTML;
    } else if (strcasecmp(type, "xhtml") == 0 ||
               strncasecmp(type, "application/xhtml+xml", 21) == 0) {
        *fmt = FMT_XHTML;
    } else if (strncasecmp(type, "text/", 5) == 0) {
        *fmt = FMT_TEXT;
    } else {
        return false;
    }
    return true;
}

/* A copy of s without surrounding white space; NULL when out of memory. */
static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Adds an image to the item; the same URL again (an enclosure and its
 * media:content) is kept once, with the first alt text found. alt is
 * plain text. */
static void add_image(struct feed_state *st, const char *url, const char *alt, size_t alt_len)
{
    if (!url)
        return;
    char *u = trim_dup(url);
    if (!u) {
        fail_oom(st);
        return;
    }
    struct ingest_post *p = &st->post;
    for (size_t i = 0; i < p->nimages; i++) {
        if (strcmp(p->images[i].url, u) == 0) {
            bool oom = false;
            if (!p->images[i].alt && alt)
                p->images[i].alt = ingest_clean_optional(alt, alt_len, INGEST_MAX_ALT_LEN, &oom);
            free(u);
            if (oom)
                fail_oom(st);
            return;
        }
    }
    if (!ingest_post_add_image(p, u, alt, alt_len))
        fail_oom(st);
    free(u);
}

/* A field's text as an image's alt: plain text, HTML turned into text. */
static char *alt_text(struct feed_state *st, enum field_id id)
{
    const struct field *f = &st->fields[id];
    if (f->n == 0)
        return NULL;
    char *a = f->fmt == FMT_TEXT ? ingest_clean(f->p, f->n, INGEST_MAX_ALT_LEN)
                                 : ingest_html_to_text(f->p, f->n, INGEST_MAX_ALT_LEN, NULL);
    if (!a)
        fail_oom(st);
    else if (!a[0]) {
        free(a);
        a = NULL;
    }
    return a;
}

/* ---- dates ---- */

static int days_in_month(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

/* Reads 1 to max digits at *p. */
static bool read_num(const char **p, int min, int max, int *out)
{
    int v = 0, n = 0;
    while (n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n >= min;
}

static bool make_time(int y, int mo, int d, int h, int mi, int s, int offset, int64_t *out)
{
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || s > 60)
        return false;
    if (s == 60)
        s = 59; /* a leap second: the epoch has none */
    *out = sgtime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    return true;
}

/* "+0200", "-05:00": the offset in seconds. */
static bool read_offset(const char **p, int *offset)
{
    int sign = **p == '-' ? -1 : 1, h, m = 0;
    (*p)++;
    if (!read_num(p, 2, 2, &h))
        return false;
    if (**p == ':')
        (*p)++;
    if (!read_num(p, 2, 2, &m) || h > 23 || m > 59)
        return false;
    *offset = sign * (h * 3600 + m * 60);
    return true;
}

/* RFC 822/2822 as RSS writes it: "Tue, 10 Jun 2026 04:00:00 GMT", with a
 * numeric offset or a common zone name; the weekday is optional and not
 * checked (feeds get it wrong), seconds are optional, two-digit years are
 * RFC 2822's. */
static bool parse_rfc822(const char *s, int64_t *out)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    static const struct {
        const char *name;
        int hours;
    } zones[] = {
        {"GMT", 0},  {"UT", 0},   {"UTC", 0},  {"Z", 0},    {"WET", 0},  {"BST", 1},  {"CET", 1},
        {"MEZ", 1},  {"WEST", 1}, {"CEST", 2}, {"MESZ", 2}, {"EET", 2},  {"EEST", 3}, {"EST", -5},
        {"EDT", -4}, {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
    };
    const char *p = s;
    while (*p == ' ')
        p++;
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            p++;
        if (*p == ',')
            p++;
        while (*p == ' ')
            p++;
    }
    int d, mo = 0, y, h, mi, sec = 0, offset = 0;
    if (!read_num(&p, 1, 2, &d))
        return false;
    while (*p == ' ' || *p == '-')
        p++;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(p, months + 3 * i, 3) == 0)
            mo = i + 1;
    if (mo == 0)
        return false;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    while (*p == ' ' || *p == '-')
        p++;
    const char *ys = p;
    if (!read_num(&p, 2, 4, &y) || p - ys == 3)
        return false;
    if (p - ys == 2)
        y += y < 50 ? 2000 : 1900;
    while (*p == ' ')
        p++;
    if (!read_num(&p, 1, 2, &h) || *p++ != ':' || !read_num(&p, 2, 2, &mi))
        return false;
    if (*p == ':') {
        p++;
        if (!read_num(&p, 2, 2, &sec))
            return false;
    }
    while (*p == ' ')
        p++;
    if (*p == '+' || *p == '-') {
        if (!read_offset(&p, &offset))
            return false;
    } else if (*p) {
        size_t n = 0;
        while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z'))
            n++;
        bool known = false;
        for (size_t i = 0; i < sizeof zones / sizeof zones[0] && !known; i++) {
            if (strlen(zones[i].name) == n && strncasecmp(p, zones[i].name, n) == 0) {
                offset = zones[i].hours * 3600;
                known = true;
            }
        }
        if (!known)
            return false; /* a guessed zone would put the post hours off */
        p += n;
    }
    /* What may follow: white space and a comment, "+0200 (CEST)". */
    while (*p == ' ')
        p++;
    if (*p && *p != '(')
        return false;
    return make_time(y, mo, d, h, mi, sec, offset, out);
}

/* RFC 3339 as Atom writes it: "2026-06-10T06:00:00+02:00", fractions and
 * 'Z'; also a bare date (W3C-DTF, dc:date) as midnight UTC. */
static bool parse_rfc3339(const char *s, int64_t *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, offset = 0;
    if (!read_num(&p, 4, 4, &y) || *p++ != '-' || !read_num(&p, 2, 2, &mo) || *p++ != '-' ||
        !read_num(&p, 2, 2, &d))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!read_num(&p, 2, 2, &h) || *p++ != ':' || !read_num(&p, 2, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!read_num(&p, 2, 2, &sec))
                return false;
            if (*p == '.' || *p == ',') {
                p++;
                if (*p < '0' || *p > '9')
                    return false;
                while (*p >= '0' && *p <= '9')
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            if (!read_offset(&p, &offset))
                return false;
        }
    }
    if (*p)
        return false;
    return make_time(y, mo, d, h, mi, sec, offset, out);
}

/* Either shape, whichever the feed used: RSS feeds write RFC 3339 in
 * pubDate now and then, and Atom feeds RFC 822. 0 when neither parses. */
static int64_t field_time(const struct field *f)
{
    size_t n;
    const char *s = field_trim(f, &n);
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    int64_t t;
    if (parse_rfc3339(buf, &t) || parse_rfc822(buf, &t))
        return t;
    return 0;
}

/* ---- posts ---- */

/* The field as a language tag (ingest_lang_ok's shape; "de_DE" is read as
 * "de-DE"). False, *out NULL, when it holds something else. */
static bool field_lang(struct feed_state *st, const struct field *f, char **out)
{
    size_t n;
    const char *s = field_trim(f, &n);
    *out = NULL;
    if (n == 0 || n > FEED_MAX_LANG_LEN)
        return false;
    char *l = malloc(n + 1);
    if (!l) {
        fail_oom(st);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        l[i] = s[i] == '_' ? '-' : s[i];
    l[n] = '\0';
    if (!ingest_lang_ok(l)) {
        free(l);
        return false;
    }
    *out = l;
    return true;
}

/* Plain text of one line (titles, names): breaks and tabs are spaces. */
static char *clean_line(struct feed_state *st, struct field *f, size_t max)
{
    if (f->n == 0)
        return NULL;
    for (size_t i = 0; i < f->n; i++)
        if (f->p[i] == '\n' || f->p[i] == '\r' || f->p[i] == '\t')
            f->p[i] = ' ';
    bool oom = false;
    char *c = ingest_clean_optional(f->p, f->n, max, &oom);
    if (oom)
        fail_oom(st);
    return c;
}

/* A text field as a post shows it: HTML and XHTML turned into text. "" when
 * empty, NULL only when out of memory. */
static char *field_text(struct feed_state *st, struct field *f, size_t max, bool one_line)
{
    char *t;
    if (f->fmt != FMT_TEXT) {
        t = ingest_html_to_text(f->p ? f->p : "", f->n, max, NULL);
    } else if (one_line) {
        t = clean_line(st, f, max);
        if (!t && !st->failed)
            t = strdup("");
    } else {
        t = ingest_clean(f->p ? f->p : "", f->n, max);
    }
    if (!t)
        fail_oom(st);
    return t;
}

/* "mail@example.org (Jane Doe)", RSS's author shape: the name. */
static void rss_author_name(struct field *f)
{
    size_t n;
    const char *s = field_trim(f, &n);
    const char *open = memchr(s, '(', n);
    if (!open || n < 2 || s[n - 1] != ')' || !memchr(s, '@', (size_t)(open - s)))
        return;
    size_t keep = n - (size_t)(open - s) - 2;
    memmove(f->p, open + 1, keep);
    f->n = keep;
    f->p[keep] = '\0';
}

static void item_begin(struct feed_state *st)
{
    for (int i = 0; i < F_ITEM_COUNT; i++)
        field_reset(&st->fields[i]);
    ingest_post_finish(&st->post);
    st->guid_permalink = true;
    free(st->media_url);
    free(st->thumb_url);
    free(st->thumb_alt);
    st->media_url = st->thumb_url = st->thumb_alt = NULL;
}

/* Fills the post's fields from the item's at its end tag and keeps it, or
 * counts it skipped when it has no id. */
static void item_end(struct feed_state *st)
{
    struct ingest_post *p = &st->post;
    struct field *f = st->fields;
    size_t id_len;
    const char *id = field_trim(&f[F_ID], &id_len);
    if (id_len == 0 && st->kind == FEED_RSS)
        id = field_trim(&f[F_LINK], &id_len); /* RSS: the link when there is no guid */
    /* An id cut short could be another item's: too long is malformed. */
    if (id_len == 0 || id_len > INGEST_MAX_EXT_ID_LEN) {
        st->out->skipped++;
        ingest_post_finish(p);
        return;
    }
    bool oom = false;
    p->ext_id = ingest_clean_optional(id, id_len, INGEST_MAX_EXT_ID_LEN, &oom);
    if (!p->ext_id) {
        if (oom)
            fail_oom(st);
        st->out->skipped++;
        ingest_post_finish(p);
        return;
    }

    if (f[F_TITLE].n > 0) {
        p->title = field_text(st, &f[F_TITLE], INGEST_MAX_TITLE_LEN, true);
        if (p->title && !p->title[0]) {
            free(p->title);
            p->title = NULL;
        }
    }

    /* The full content when there is some, else the summary. */
    if (f[F_CONTENT].n > 0) {
        p->body = field_text(st, &f[F_CONTENT], INGEST_MAX_BODY_LEN, false);
        if (p->body && !p->body[0]) {
            free(p->body);
            p->body = NULL;
        }
    }
    if (!p->body && !st->failed)
        p->body = field_text(st, &f[F_SUMMARY], INGEST_MAX_BODY_LEN, false);

    size_t link_len;
    const char *link = field_trim(&f[F_LINK], &link_len);
    if (link_len == 0 && st->kind == FEED_RSS && st->guid_permalink)
        link = field_trim(&f[F_ID], &link_len); /* a guid is a permalink unless it says not */
    if (link_len > 0 && link_len <= INGEST_MAX_URL_LEN) {
        char *l = malloc(link_len + 1);
        if (!l) {
            fail_oom(st);
        } else {
            memcpy(l, link, link_len);
            l[link_len] = '\0';
            if (ingest_url_ok(l) && strlen(l) == link_len)
                p->link = l;
            else
                free(l);
        }
    }

    rss_author_name(&f[F_AUTHOR_RSS]);
    p->author = clean_line(st, &f[F_AUTHOR], INGEST_MAX_SHORT_LEN);
    if (!p->author)
        p->author = clean_line(st, &f[F_AUTHOR_RSS], INGEST_MAX_SHORT_LEN);
    if (!p->author)
        p->author = clean_line(st, &f[F_FEED_AUTHOR], INGEST_MAX_SHORT_LEN);

    if (!field_lang(st, &f[F_LANG], &p->lang))
        (void)field_lang(st, &f[F_FEED_LANG], &p->lang);

    p->published = field_time(&f[F_PUBLISHED]);
    if (p->published == 0)
        p->published = field_time(&f[F_UPDATED]);

    if (p->nimages == 0 && st->thumb_url)
        add_image(st, st->thumb_url, st->thumb_alt, st->thumb_alt ? strlen(st->thumb_alt) : 0);

    if (st->failed) {
        ingest_post_finish(p);
        return;
    }
    struct ingest_post *slot = ingest_batch_add(st->out);
    if (!slot) {
        ingest_post_finish(p);
        fail_oom(st); /* item_start made sure there was room */
        return;
    }
    *slot = *p;
    memset(p, 0, sizeof *p);
}

/* ---- expat handlers ---- */

static bool in_entry(enum el e)
{
    return e == EL_ITEM || e == EL_A_ENTRY;
}

/* Whether an element of kind e means something under parent (and
 * grandparent): an item's title, not the channel's. */
static bool in_place(enum el e, enum el parent, enum el grand)
{
    switch (e) {
    case EL_RSS:
    case EL_A_FEED:
        return parent == EL_NONE;
    case EL_CHANNEL:
        return parent == EL_RSS;
    case EL_ITEM:
        return parent == EL_CHANNEL;
    case EL_A_ENTRY:
        return parent == EL_A_FEED;
    case EL_LANGUAGE:
        return parent == EL_CHANNEL;
    case EL_DC_LANGUAGE:
        return parent == EL_CHANNEL || in_entry(parent);
    case EL_TITLE:
    case EL_DESCRIPTION:
    case EL_LINK:
    case EL_GUID:
    case EL_PUBDATE:
    case EL_AUTHOR:
    case EL_ENCLOSURE:
        return parent == EL_ITEM;
    case EL_CONTENT_ENCODED:
    case EL_DC_CREATOR:
    case EL_DC_DATE:
    case EL_MEDIA_GROUP:
        return in_entry(parent);
    case EL_MEDIA_CONTENT:
        return in_entry(parent) || parent == EL_MEDIA_GROUP;
    case EL_MEDIA_THUMBNAIL:
        return in_entry(parent) || parent == EL_MEDIA_GROUP || parent == EL_MEDIA_CONTENT;
    case EL_MEDIA_DESCRIPTION:
    case EL_MEDIA_TITLE:
        return parent == EL_MEDIA_CONTENT || parent == EL_MEDIA_GROUP;
    case EL_A_ID:
    case EL_A_TITLE:
    case EL_A_CONTENT:
    case EL_A_SUMMARY:
    case EL_A_LINK:
    case EL_A_PUBLISHED:
    case EL_A_UPDATED:
        return parent == EL_A_ENTRY;
    case EL_A_AUTHOR:
        return parent == EL_A_ENTRY || parent == EL_A_FEED;
    case EL_A_NAME:
        return parent == EL_A_AUTHOR && (grand == EL_A_ENTRY || grand == EL_A_FEED);
    case EL_NONE:
    case EL_OTHER:
    case EL_MARKUP:
        break;
    }
    return false;
}

/* The local part of an expanded name. */
static const char *local_name(const XML_Char *name)
{
    const char *sep = strchr(name, NS_SEP);
    return sep ? sep + 1 : name;
}

/* An element inside captured (X)HTML, written back as HTML for
 * ingest_html_to_text: its name and, for a link, its href. */
static void markup_start(struct feed_state *st, const XML_Char *name, const XML_Char **attrs)
{
    enum field_id id = (enum field_id)st->capture;
    const char *local = local_name(name);
    field_add_str(st, id, "<");
    field_add_str(st, id, local);
    const char *href = strcmp(local, "a") == 0 ? attr(attrs, "href") : NULL;
    if (href) {
        field_add_str(st, id, " href=\"");
        field_add_escaped(st, id, href, strlen(href), true);
        field_add_str(st, id, "\"");
    }
    field_add_str(st, id, ">");
}

static void markup_end(struct feed_state *st, const XML_Char *name)
{
    enum field_id id = (enum field_id)st->capture;
    const char *local = local_name(name);
    if (strcmp(local, "br") == 0)
        return; /* <br/>: a second break would come of "</br>" */
    field_add_str(st, id, "</");
    field_add_str(st, id, local);
    field_add_str(st, id, ">");
}

static void set_lang_attr(struct feed_state *st, const XML_Char **attrs, enum field_id id)
{
    const char *lang = attr(attrs, NS_XML NS_SEP_STR "lang");
    if (lang) {
        field_reset(&st->fields[id]);
        field_add_str(st, id, lang);
    }
}

static void root_start(struct feed_state *st, enum el e, const XML_Char *name,
                       const XML_Char **attrs)
{
    if (e == EL_RSS) {
        st->kind = FEED_RSS;
    } else if (e == EL_A_FEED) {
        st->kind = FEED_ATOM;
        set_lang_attr(st, attrs, F_FEED_LANG);
    } else {
        /* Names are XML names; show the ASCII part of a short one. */
        char shown[41];
        size_t n = 0;
        for (const char *p = local_name(name); *p && n < sizeof shown - 1; p++)
            if ((unsigned char)*p < 0x80 && *p > ' ')
                shown[n++] = *p;
        shown[n] = '\0';
        fail(st, "not an RSS 2.0 or Atom feed (root element <%s>)", shown);
    }
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct feed_state *st = ud;
    if (st->failed)
        return;
    if (st->depth >= INGEST_MAX_DEPTH) {
        fail(st, "feed nests elements deeper than %d", INGEST_MAX_DEPTH);
        return;
    }
    size_t d = ++st->depth;
    if (st->capture >= 0) {
        st->stack[d] = EL_MARKUP;
        if (st->fields[st->capture].fmt != FMT_TEXT)
            markup_start(st, name, attrs);
        return;
    }
    enum el e = classify(name);
    enum el parent = st->stack[d - 1], grand = d >= 2 ? st->stack[d - 2] : EL_NONE;
    if (d == 1) {
        root_start(st, e, name, attrs);
        if (st->failed)
            return;
    }
    if (!in_place(e, parent, grand))
        e = EL_OTHER;
    st->stack[d] = e;

    enum fmt fmt = FMT_TEXT;
    const char *type = attr(attrs, "type");
    switch (e) {
    case EL_ITEM:
    case EL_A_ENTRY:
        if (st->out->n >= INGEST_MAX_POSTS) {
            st->out->skipped++;
            st->stack[d] = EL_OTHER; /* nothing inside counts */
            break;
        }
        item_begin(st);
        set_lang_attr(st, attrs, F_LANG);
        break;
    case EL_TITLE:
        capture(st, F_TITLE, FMT_HTML); /* titles hold entities and tags in practice */
        break;
    case EL_DESCRIPTION:
        capture(st, F_SUMMARY, FMT_HTML);
        break;
    case EL_CONTENT_ENCODED:
        capture(st, F_CONTENT, FMT_HTML);
        break;
    case EL_LINK:
        capture(st, F_LINK, FMT_TEXT);
        break;
    case EL_GUID: {
        const char *perma = attr(attrs, "isPermaLink");
        st->guid_permalink = !perma || strcasecmp(perma, "false") != 0;
        capture(st, F_ID, FMT_TEXT);
        break;
    }
    case EL_PUBDATE:
    case EL_A_PUBLISHED:
        capture(st, F_PUBLISHED, FMT_TEXT);
        break;
    case EL_DC_DATE:
    case EL_A_UPDATED:
        capture(st, F_UPDATED, FMT_TEXT);
        break;
    case EL_AUTHOR:
        capture(st, F_AUTHOR_RSS, FMT_TEXT);
        break;
    case EL_DC_CREATOR:
        capture(st, F_AUTHOR, FMT_TEXT);
        break;
    case EL_LANGUAGE:
    case EL_DC_LANGUAGE:
        capture(st, parent == EL_CHANNEL ? F_FEED_LANG : F_LANG, FMT_TEXT);
        break;
    case EL_ENCLOSURE:
        if (is_image_type(type))
            add_image(st, attr(attrs, "url"), NULL, 0);
        break;
    case EL_MEDIA_GROUP:
        field_reset(&st->fields[F_GROUP_ALT]);
        st->group_first_image = st->post.nimages;
        break;
    case EL_MEDIA_CONTENT: {
        const char *medium = attr(attrs, "medium");
        const char *url = attr(attrs, "url");
        field_reset(&st->fields[F_MEDIA_ALT]);
        field_reset(&st->fields[F_MEDIA_TITLE]);
        free(st->media_url);
        st->media_url = NULL;
        if (url && ((medium && strcmp(medium, "image") == 0) || is_image_type(type)) &&
            !(st->media_url = strdup(url)))
            fail_oom(st);
        break;
    }
    case EL_MEDIA_THUMBNAIL: {
        const char *url = attr(attrs, "url");
        if (url && !st->thumb_url && !(st->thumb_url = strdup(url)))
            fail_oom(st);
        break;
    }
    case EL_MEDIA_DESCRIPTION:
    case EL_MEDIA_TITLE:
        if (type && strcasecmp(type, "html") == 0)
            fmt = FMT_HTML;
        if (parent == EL_MEDIA_GROUP) {
            if (e == EL_MEDIA_DESCRIPTION)
                capture(st, F_GROUP_ALT, fmt);
        } else
            capture(st, e == EL_MEDIA_DESCRIPTION ? F_MEDIA_ALT : F_MEDIA_TITLE, fmt);
        break;
    case EL_A_ID:
        capture(st, F_ID, FMT_TEXT);
        break;
    case EL_A_TITLE:
        if (atom_fmt(type, &fmt))
            capture(st, F_TITLE, fmt);
        break;
    case EL_A_CONTENT:
        if (!attr(attrs, "src") && atom_fmt(type, &fmt))
            capture(st, F_CONTENT, fmt);
        break;
    case EL_A_SUMMARY:
        if (atom_fmt(type, &fmt))
            capture(st, F_SUMMARY, fmt);
        break;
    case EL_A_LINK: {
        const char *rel = attr(attrs, "rel"), *href = attr(attrs, "href");
        if (!href)
            break;
        if (!rel || strcmp(rel, "alternate") == 0) {
            if (!st->fields[F_LINK].seen) {
                st->fields[F_LINK].seen = true;
                field_add_str(st, F_LINK, href);
            }
        } else if (strcmp(rel, "enclosure") == 0 && is_image_type(type)) {
            const char *title = attr(attrs, "title");
            add_image(st, href, title, title ? strlen(title) : 0);
        }
        break;
    }
    case EL_A_NAME:
        capture(st, grand == EL_A_ENTRY ? F_AUTHOR : F_FEED_AUTHOR, FMT_TEXT);
        break;
    case EL_NONE:
    case EL_OTHER:
    case EL_MARKUP:
    case EL_RSS:
    case EL_CHANNEL:
    case EL_A_FEED:
    case EL_A_AUTHOR:
        break;
    }
}

static void on_end(void *ud, const XML_Char *name)
{
    struct feed_state *st = ud;
    if (st->failed || st->depth == 0)
        return;
    size_t d = st->depth--;
    if (st->capture >= 0) {
        if (d == st->capture_depth)
            st->capture = -1;
        else if (st->fields[st->capture].fmt != FMT_TEXT)
            markup_end(st, name);
        return;
    }
    switch (st->stack[d]) {
    case EL_MEDIA_CONTENT:
        if (st->media_url) {
            char *alt = alt_text(st, F_MEDIA_ALT);
            if (!alt)
                alt = alt_text(st, F_MEDIA_TITLE);
            if (!alt)
                alt = alt_text(st, F_GROUP_ALT);
            add_image(st, st->media_url, alt, alt ? strlen(alt) : 0);
            free(alt);
            free(st->media_url);
            st->media_url = NULL;
        }
        break;
    case EL_MEDIA_GROUP: {
        /* The group's description is the alt of its images that have none
         * (it may follow them). */
        char *alt = alt_text(st, F_GROUP_ALT);
        for (size_t i = st->group_first_image; alt && i < st->post.nimages; i++)
            if (!st->post.images[i].alt && !(st->post.images[i].alt = strdup(alt)))
                fail_oom(st);
        if (st->thumb_url && !st->thumb_alt)
            st->thumb_alt = alt;
        else
            free(alt);
        break;
    }
    case EL_ITEM:
    case EL_A_ENTRY:
        item_end(st);
        break;
    default:
        break;
    }
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    struct feed_state *st = ud;
    if (st->failed || st->capture < 0 || len <= 0)
        return;
    enum field_id id = (enum field_id)st->capture;
    /* Text inside XML elements is text even where the field holds HTML
     * source (markup written unescaped into a description). */
    enum fmt fmt = st->fields[id].fmt;
    if (fmt == FMT_XHTML || (fmt == FMT_HTML && st->depth > st->capture_depth))
        field_add_escaped(st, id, s, (size_t)len, false);
    else
        field_add(st, id, s, (size_t)len);
}

static void on_entity_decl(void *ud, const XML_Char *name, int is_parameter_entity,
                           const XML_Char *value, int value_length, const XML_Char *base,
                           const XML_Char *system_id, const XML_Char *public_id,
                           const XML_Char *notation)
{
    (void)name, (void)is_parameter_entity, (void)value, (void)value_length, (void)base;
    (void)system_id, (void)public_id, (void)notation;
    fail(ud, "feed declares XML entities (refused: entity expansion)");
}

/* ---- encodings beyond expat's own ---- */

/* windows-1252's 0x80..0x9F (0: unassigned, read as the C1 control of the
 * same number, as browsers do; text_sanitize removes it). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* Where ISO-8859-15 differs from ISO-8859-1. */
static const struct {
    uint8_t byte;
    uint16_t cp;
} latin9_diff[] = {
    {0xA4, 0x20AC}, {0xA6, 0x0160}, {0xA8, 0x0161}, {0xB4, 0x017D},
    {0xB8, 0x017E}, {0xBC, 0x0152}, {0xBD, 0x0153}, {0xBE, 0x0178},
};

static bool name_in(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(name, names[i]) == 0)
            return true;
    return false;
}

/* expat's hook for encodings it does not know: the single-byte ones German
 * feeds use, as 256-entry maps; anything else is refused by name. */
static int on_unknown_encoding(void *ud, const XML_Char *name, XML_Encoding *info)
{
    static const char *const cp1252[] = {"windows-1252", "cp1252", "x-cp1252"};
    static const char *const latin9[] = {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9",
                                         "latin9"};
    static const char *const latin1[] = {"iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1"};
    bool is1252 = name_in(name, cp1252, sizeof cp1252 / sizeof cp1252[0]);
    bool is_latin9 = name_in(name, latin9, sizeof latin9 / sizeof latin9[0]);
    bool is_latin1 = name_in(name, latin1, sizeof latin1 / sizeof latin1[0]);
    if (!is1252 && !is_latin9 && !is_latin1) {
        /* Encoding names are ASCII by XML's grammar; keep the message short.
         * No XML_StopParser here: expat fails the parse itself. */
        struct feed_state *st = ud;
        st->failed = true;
        sg_err_set(st->err, "unsupported encoding %.40s", name);
        return XML_STATUS_ERROR;
    }
    for (int i = 0; i < 256; i++)
        info->map[i] = i;
    if (is1252) {
        for (int i = 0; i < 32; i++)
            if (cp1252_high[i])
                info->map[0x80 + i] = cp1252_high[i];
    } else if (is_latin9) {
        for (size_t i = 0; i < sizeof latin9_diff / sizeof latin9_diff[0]; i++)
            info->map[latin9_diff[i].byte] = latin9_diff[i].cp;
    }
    info->data = NULL;
    info->convert = NULL;
    info->release = NULL;
    return XML_STATUS_OK;
}

bool ingest_parse_feed(const char *bytes, size_t len, struct ingest_batch *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > INGEST_MAX_RESPONSE_BYTES) {
        sg_err_set(err, "feed is larger than %u bytes", INGEST_MAX_RESPONSE_BYTES);
        return false;
    }
    struct feed_state st = {.out = out, .err = err, .capture = -1};
    st.parser = XML_ParserCreateNS(NULL, NS_SEP);
    if (!st.parser) {
        sg_err_set(err, "out of memory");
        return false;
    }
    XML_SetUserData(st.parser, &st);
    XML_SetElementHandler(st.parser, on_start, on_end);
    XML_SetCharacterDataHandler(st.parser, on_text);
    XML_SetEntityDeclHandler(st.parser, on_entity_decl);
    XML_SetUnknownEncodingHandler(st.parser, on_unknown_encoding, &st);
    /* No external DTD or parameter entity is ever read, and with no
     * external entity ref handler set, no external entity either. */
    XML_SetParamEntityParsing(st.parser, XML_PARAM_ENTITY_PARSING_NEVER);

    enum XML_Status status = XML_Parse(st.parser, bytes ? bytes : "", (int)len, XML_TRUE);
    bool ok = status == XML_STATUS_OK && !st.failed;
    if (!ok && !st.failed)
        sg_err_set(err, "XML error at line %lu: %s",
                   (unsigned long)XML_GetCurrentLineNumber(st.parser),
                   XML_ErrorString(XML_GetErrorCode(st.parser)));
    if (!ok && st.failed && err && !err->set)
        sg_err_set(err, "feed refused");

    XML_ParserFree(st.parser);
    ingest_post_finish(&st.post);
    for (int i = 0; i < F_COUNT; i++)
        free(st.fields[i].p);
    free(st.media_url);
    free(st.thumb_url);
    free(st.thumb_alt);
    if (!ok)
        ingest_batch_finish(out);
    return ok;
}
