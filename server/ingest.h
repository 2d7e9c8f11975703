/* What the queue takes in from the places clinics already publish (RSS 2.0,
 * Atom, Mastodon, Bluesky, a JSON webhook), turned into one plain shape.
 *
 * The parsers (ingest_rss.c, ingest_mastodon.c, ingest_bluesky.c,
 * ingest_webhook.c) are pure: bytes of one response in, an ingest_batch
 * out; no network, no SQLite, no microhttpd. Each has a libFuzzer target.
 * They never decide: a reply, a repost, a content warning or a label is
 * recorded on the post, and the ingest edge (ingest_run.c) applies the
 * source's rules. Everything ingested lands as pending.
 *
 * Every string in a post is valid UTF-8 without NUL, run through
 * text_sanitize (controls and bidi overrides gone), and cut at a code-point
 * boundary to the limit below with "…" when longer. */
#ifndef SIGNET_QUEUE_INGEST_H
#define SIGNET_QUEUE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"

/* Limits: what one response may hold and what a post keeps. */
#define INGEST_MAX_RESPONSE_BYTES (4u * 1024u * 1024u) /* one fetched document */
#define INGEST_MAX_POSTS 100                           /* posts kept from one document */
#define INGEST_MAX_WEBHOOK_BYTES (512u * 1024u)        /* one POST /api/ingest body */
#define INGEST_MAX_IMAGES 4                            /* = STORE_MAX_MEDIA */
#define INGEST_MAX_EXT_ID_LEN 512                      /* guid, status id, at:// URI */
#define INGEST_MAX_VERSION_LEN 128                     /* edited_at, cid */
#define INGEST_MAX_TITLE_LEN 200                       /* = STORE_MAX_TITLE_LEN */
#define INGEST_MAX_BODY_LEN 2000                       /* = STORE_MAX_BODY_LEN */
#define INGEST_MAX_SHORT_LEN 200                       /* author, content warning */
#define INGEST_MAX_URL_LEN 2048                        /* links and image URLs */
#define INGEST_MAX_ALT_LEN 500
#define INGEST_MAX_LABELS_LEN 500
#define INGEST_MAX_DEPTH 32 /* JSON nesting; XML element nesting */

struct ingest_image {
    char *url; /* http or https only; others are dropped by the parser */
    char *alt; /* may be NULL */
};

struct ingest_post {
    char *ext_id;          /* the source's own id: RSS guid (else link), Atom id,
                            * Mastodon status id, Bluesky at:// URI. Never NULL. */
    char *version;         /* what changes when the post is edited at the source:
                            * Mastodon edited_at, Bluesky cid; NULL for RSS/Atom
                            * (the edge hashes the content instead). */
    char *title;           /* NULL when the source has none (Mastodon, Bluesky) */
    char *body;            /* plain text (HTML turned into text); may be "" */
    char *author;          /* display name or handle; may be NULL */
    char *link;            /* permalink (http/https), for the QR code; may be NULL */
    char *lang;            /* BCP 47 tag as given ("de", "en-GB"); may be NULL */
    int64_t published;     /* seconds since the epoch; 0 when unknown */
    bool reply;            /* an answer to someone (Mastodon in_reply_to_id, Bluesky reply) */
    bool repost;           /* a boost or repost of someone else's post */
    bool sensitive;        /* Mastodon "sensitive" */
    char *content_warning; /* Mastodon spoiler_text; NULL when none */
    char *visibility;      /* Mastodon visibility when not "public"; NULL otherwise */
    char *labels;          /* Bluesky labels on the post or its author, comma-separated
                            * ("!warn,porn"); NULL when none */
    size_t nimages;
    struct ingest_image images[INGEST_MAX_IMAGES];
};

struct ingest_batch {
    size_t n;
    struct ingest_post *posts; /* in document order */
    size_t skipped;            /* entries dropped as malformed (no id, ...) */
};

void ingest_post_finish(struct ingest_post *p);
/* Frees every post; the batch is empty afterwards. NULL-safe. */
void ingest_batch_finish(struct ingest_batch *b);

/* RSS 2.0 (<rss><channel><item>) or Atom (<feed><entry>), told apart by the
 * root element. Entity declarations (a DOCTYPE with <!ENTITY ...>) are
 * refused outright, external entities are never loaded, encodings other than
 * UTF-8, UTF-16, ISO-8859-1, ISO-8859-15, windows-1252 and US-ASCII are
 * refused with a clear error. */
bool ingest_parse_feed(const char *bytes, size_t len, struct ingest_batch *out,
                       struct sg_err *err) SG_MUST_USE;

/* GET /api/v1/accounts/{id}/statuses: a JSON array of statuses. content is
 * HTML (ingest_html_to_text); a reblog is marked repost; media_attachments
 * of type "image" become images (url, description). */
bool ingest_parse_mastodon(const char *bytes, size_t len, struct ingest_batch *out,
                           struct sg_err *err) SG_MUST_USE;

/* app.bsky.feed.getAuthorFeed: {"feed": [{"post": {...}, "reason"?, "reply"?}]}.
 * A "reason" of type app.bsky.feed.defs#reasonRepost marks a repost; the
 * link is https://bsky.app/profile/<handle>/post/<rkey>; images come from
 * embed app.bsky.embed.images#view (fullsize, alt); labels from post.labels
 * and post.author.labels ("val"). */
bool ingest_parse_bluesky(const char *bytes, size_t len, struct ingest_batch *out,
                          struct sg_err *err) SG_MUST_USE;

/* POST /api/ingest body: {"posts": [{"id", "title"?, "body", "author"?,
 * "link"?, "lang"?, "published"? (RFC 3339), "version"?, "sensitive"?,
 * "content_warning"?, "images"?: [{"url", "alt"?}]}]}; unknown members are
 * refused (requests.c's rule), at most INGEST_MAX_POSTS posts. */
bool ingest_parse_webhook(const char *bytes, size_t len, struct ingest_batch *out,
                          struct sg_err *err) SG_MUST_USE;

/* HTML (a fragment, as Mastodon and RSS descriptions hold it) to plain text:
 * tags dropped (the contents of script, style and template dropped with
 * them), character references decoded (named ones of HTML's common set,
 * decimal and hex; unknown ones kept as written), <br> and </p> become line
 * breaks, white space collapsed, the result sanitised and cut to max bytes
 * with "…". Links stay as their text; when first_link is not NULL it receives
 * the first http(s) href of an <a> (malloc'd) or NULL. Returns malloc'd text
 * or NULL when out of memory. */
char *ingest_html_to_text(const char *html, size_t len, size_t max, char **first_link);

/* Blocked words and phrases, matched on normalised text: lower case
 * (ASCII, Latin-1 and German letters), umlauts folded (ä→ae, ö→oe, ü→ue,
 * ß→ss, and the bare vowels a/o/u too, so "Arsch" and "Ärsch" meet),
 * leetspeak digits read as letters (0→o, 1→i, 3→e, 4→a, 5→s, 7→t, @→a,
 * $→s), anything else but letters and digits a word break. A list entry
 * matches whole words (a phrase: consecutive words). */
struct ingest_blocklist;
/* text: one entry per line, '#' starts a comment. At most 10,000 entries. */
struct ingest_blocklist *ingest_blocklist_new(const char *text, size_t len,
                                              struct sg_err *err) SG_MUST_USE;
void ingest_blocklist_free(struct ingest_blocklist *b);
/* The first entry found in text (as written in the list, borrowed) or NULL. */
const char *ingest_blocklist_match(const struct ingest_blocklist *b, const char *text, size_t len);

#endif
