/* app.bsky.feed.getAuthorFeed (ingest.h). The AppView's output grows with
 * the protocol, so members this parser does not read are ignored; the ones
 * it reads are type-checked, and an item with a wrong-typed, over-long or
 * malformed member is skipped and counted rather than half-read. Only a
 * document that is not strict JSON (jsonx) or has no "feed" array is
 * refused as a whole.
 *
 * Labels decide what the ingest edge does with a post, so they are never
 * cut: a post whose labels are malformed or do not fit
 * INGEST_MAX_LABELS_LEN is skipped instead of kept with some missing. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "jsonx.h"

/* Free text (display names, post text) is read up to this and then cut to
 * the post's limit; the protocol's own limits are far lower (640 bytes for
 * a display name, 3000 for a post), so more is not a real post. */
#define BSKY_MAX_TEXT_BYTES (64u * 1024u)
#define BSKY_MAX_HANDLE_LEN 253 /* a DNS name */
#define BSKY_MAX_DID_LEN 2048
#define BSKY_MAX_RKEY_LEN 512
#define BSKY_MAX_LABEL_LEN 128   /* com.atproto.label.defs#label val */
#define BSKY_MAX_LABELS 64       /* per array; a post sees a few labellers' */
#define BSKY_MAX_LANGS 16        /* the lexicon allows 3 */
#define BSKY_MAX_EMBED_IMAGES 16 /* the lexicon allows 4 */
#define BSKY_MAX_TYPE_LEN 256
#define BSKY_MAX_TIME_LEN 64

#define BSKY_POST_COLLECTION "app.bsky.feed.post"
#define BSKY_REASON_REPOST "app.bsky.feed.defs#reasonRepost"
#define BSKY_EMBED_IMAGES "app.bsky.embed.images#view"
#define BSKY_EMBED_RECORD_MEDIA "app.bsky.embed.recordWithMedia#view"
#define BSKY_PROFILE_URL "https://bsky.app/profile/"

/* What happened to one feed item. */
enum item_result { ITEM_KEPT, ITEM_SKIPPED, ITEM_OOM };

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* atproto handle syntax: a DNS name of at least two labels, each 1-63
 * letters, digits or '-' not at either end, the last starting with a letter. */
static bool handle_ok(const char *s, size_t len)
{
    if (len == 0 || len > BSKY_MAX_HANDLE_LEN)
        return false;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            if (!is_alnum(s[i]) && s[i] != '-')
                return false;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-')
            return false;
        if (i == len && !is_alpha(s[start]))
            return false;
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

/* DID syntax: "did:" method ':' identifier, the identifier of letters,
 * digits and ._:%- and not ending in ':' or '%'. */
static bool did_ok(const char *s, size_t len)
{
    if (len > BSKY_MAX_DID_LEN || len < 7 || strncmp(s, "did:", 4) != 0)
        return false;
    size_t i = 4;
    while (i < len && s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i == 4 || i >= len - 1 || s[i] != ':')
        return false;
    for (i++; i < len; i++)
        if (!is_alnum(s[i]) && !strchr("._:%-", s[i]))
            return false;
    return s[len - 1] != ':' && s[len - 1] != '%';
}

/* Record key syntax: 1-512 of letters, digits and ._:~- but not "." or "..". */
static bool rkey_ok(const char *s, size_t len)
{
    if (len == 0 || len > BSKY_MAX_RKEY_LEN || (len == 1 && s[0] == '.') ||
        (len == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && !strchr("._:~-", s[i]))
            return false;
    return true;
}

/* The permalink of a post at://<authority>/app.bsky.feed.post/<rkey> by an
 * author with the given handle, or NULL when any part fails its syntax
 * (nothing unchecked goes into a URL a QR code carries). A handle the
 * AppView could not verify ("handle.invalid") is replaced by the DID of the
 * URI, which bsky.app resolves as well. *failed is set on allocation failure. */
static char *permalink(const char *uri, const char *handle, bool *failed)
{
    static const char prefix[] = "at://";
    static const char collection[] = "/" BSKY_POST_COLLECTION "/";
    *failed = false;
    if (strncmp(uri, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *authority = uri + sizeof prefix - 1;
    const char *slash = strchr(authority, '/');
    if (!slash || strncmp(slash, collection, sizeof collection - 1) != 0)
        return NULL;
    const char *rkey = slash + sizeof collection - 1;
    size_t rkey_len = strlen(rkey), who_len;
    if (!rkey_ok(rkey, rkey_len))
        return NULL;
    const char *who;
    if (handle && strcmp(handle, "handle.invalid") != 0 && handle_ok(handle, strlen(handle))) {
        who = handle;
        who_len = strlen(handle);
    } else if (did_ok(authority, (size_t)(slash - authority)) ||
               (handle_ok(authority, (size_t)(slash - authority)) &&
                strncmp(authority, "handle.invalid/", 15) != 0)) {
        who = authority;
        who_len = (size_t)(slash - authority);
    } else {
        return NULL;
    }
    size_t n = sizeof BSKY_PROFILE_URL - 1 + who_len + 6 + rkey_len + 1;
    char *url = malloc(n);
    if (!url) {
        *failed = true;
        return NULL;
    }
    snprintf(url, n, BSKY_PROFILE_URL "%.*s/post/%s", (int)who_len, who, rkey);
    if (!ingest_url_ok(url)) {
        free(url);
        return NULL;
    }
    return url;
}

/* A label value as the protocol writes them ("porn", "!warn",
 * "graphic-media"): it is joined with ',' and compared by the edge, so
 * anything outside that shape makes the post malformed. */
static bool label_ok(const char *s, size_t len)
{
    if (len == 0 || len > BSKY_MAX_LABEL_LEN)
        return false;
    for (size_t i = s[0] == '!' ? 1 : 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return false;
    return len > 1 || s[0] != '!';
}

/* Labels collected for one post: comma-separated, each once. */
struct labels {
    char text[INGEST_MAX_LABELS_LEN + 1];
    size_t len;
};

static bool labels_have(const struct labels *l, const char *val, size_t n)
{
    for (size_t i = 0; i < l->len;) {
        const char *comma = memchr(l->text + i, ',', l->len - i);
        size_t end = comma ? (size_t)(comma - l->text) : l->len;
        if (end - i == n && memcmp(l->text + i, val, n) == 0)
            return true;
        i = end + 1;
    }
    return false;
}

/* Adds the "val" of every label in arr (an array of label objects, at most
 * BSKY_MAX_LABELS: jsonx_get_array checked). Labels with "neg": true retract
 * an earlier label and add nothing. False when the array is malformed or
 * the labels no longer fit. */
static bool add_labels(struct labels *l, struct json_object *arr)
{
    if (!arr)
        return true;
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n; i++) {
        struct json_object *lab = json_object_array_get_idx(arr, i);
        const char *val = NULL;
        bool neg = false;
        if (!json_object_is_type(lab, json_type_object) ||
            !jsonx_get_string(lab, "label", "val", BSKY_MAX_LABEL_LEN, true, &val, NULL) ||
            !jsonx_get_bool(lab, "label", "neg", false, &neg, NULL))
            return false;
        size_t vlen = strlen(val);
        if (!label_ok(val, vlen))
            return false;
        if (neg || labels_have(l, val, vlen))
            continue;
        size_t need = vlen + (l->len ? 1 : 0);
        if (l->len + need > INGEST_MAX_LABELS_LEN)
            return false;
        if (l->len)
            l->text[l->len++] = ',';
        memcpy(l->text + l->len, val, vlen);
        l->len += vlen;
        l->text[l->len] = '\0';
    }
    return true;
}

/* Whether obj's "$type" is type. False for a wrong-typed "$type" too: the
 * caller has checked it with type_ok first. */
static bool has_type(struct json_object *obj, const char *type)
{
    const char *t = NULL;
    return obj && jsonx_get_string(obj, "object", "$type", BSKY_MAX_TYPE_LEN, false, &t, NULL) &&
           t && strcmp(t, type) == 0;
}

static bool type_ok(struct json_object *obj)
{
    const char *t;
    return !obj || jsonx_get_string(obj, "object", "$type", BSKY_MAX_TYPE_LEN, false, &t, NULL);
}

/* The images of an app.bsky.embed.images#view: ITEM_SKIPPED when malformed. */
static enum item_result add_images(struct ingest_post *p, struct json_object *view)
{
    struct json_object *arr;
    if (!jsonx_get_array(view, "embed", "images", BSKY_MAX_EMBED_IMAGES, true, &arr, NULL))
        return ITEM_SKIPPED;
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n; i++) {
        struct json_object *img = json_object_array_get_idx(arr, i);
        const char *url = NULL, *alt = NULL;
        if (!json_object_is_type(img, json_type_object) ||
            !jsonx_get_string(img, "image", "fullsize", INGEST_MAX_URL_LEN, true, &url, NULL) ||
            !jsonx_get_string(img, "image", "alt", BSKY_MAX_TEXT_BYTES, false, &alt, NULL))
            return ITEM_SKIPPED;
        if (!ingest_post_add_image(p, url, alt, alt ? strlen(alt) : 0))
            return ITEM_OOM;
    }
    return ITEM_KEPT;
}

static enum item_result add_embed(struct ingest_post *p, struct json_object *post)
{
    struct json_object *embed = NULL, *media = NULL;
    if (!jsonx_get_object(post, "post", "embed", false, &embed, NULL) || !type_ok(embed))
        return ITEM_SKIPPED;
    if (has_type(embed, BSKY_EMBED_IMAGES))
        return add_images(p, embed);
    if (has_type(embed, BSKY_EMBED_RECORD_MEDIA)) {
        if (!jsonx_get_object(embed, "embed", "media", true, &media, NULL) || !type_ok(media))
            return ITEM_SKIPPED;
        if (has_type(media, BSKY_EMBED_IMAGES))
            return add_images(p, media);
    }
    return ITEM_KEPT; /* external links, videos, quoted posts: nothing to show */
}

/* A copy of an identifier (URI, CID) exactly as given: one that sanitising
 * would change is malformed. *bad is set then; NULL without *bad is out of
 * memory. */
static char *ident(const char *s, bool *bad)
{
    size_t n = strlen(s);
    *bad = n == 0;
    if (*bad)
        return NULL;
    char *c = ingest_clean(s, n, n);
    if (c && strcmp(c, s) != 0) {
        free(c);
        *bad = true;
        return NULL;
    }
    return c;
}

/* Fills p from a feed item; ITEM_SKIPPED leaves p for the caller to drop. */
static enum item_result fill_post(struct ingest_post *p, struct json_object *item)
{
    struct json_object *post, *author, *record,
        *reason = NULL, *item_reply = NULL, *record_reply = NULL, *langs = NULL,
        *post_labels = NULL, *author_labels = NULL, *self_labels = NULL, *self_values = NULL;
    const char *uri, *cid, *handle, *text, *display = NULL, *created = NULL, *indexed = NULL;
    if (!json_object_is_type(item, json_type_object) ||
        !jsonx_get_object(item, "item", "post", true, &post, NULL) ||
        !jsonx_get_object(item, "item", "reason", false, &reason, NULL) || !type_ok(reason) ||
        !jsonx_get_object(item, "item", "reply", false, &item_reply, NULL) ||
        !jsonx_get_string(post, "post", "uri", INGEST_MAX_EXT_ID_LEN, true, &uri, NULL) ||
        !jsonx_get_string(post, "post", "cid", INGEST_MAX_VERSION_LEN, true, &cid, NULL) ||
        !jsonx_get_string(post, "post", "indexedAt", BSKY_MAX_TIME_LEN, false, &indexed, NULL) ||
        !jsonx_get_array(post, "post", "labels", BSKY_MAX_LABELS, false, &post_labels, NULL) ||
        !jsonx_get_object(post, "post", "author", true, &author, NULL) ||
        !jsonx_get_string(author, "author", "handle", BSKY_MAX_HANDLE_LEN, true, &handle, NULL) ||
        !jsonx_get_string(author, "author", "displayName", BSKY_MAX_TEXT_BYTES, false, &display,
                          NULL) ||
        !jsonx_get_array(author, "author", "labels", BSKY_MAX_LABELS, false, &author_labels,
                         NULL) ||
        !jsonx_get_object(post, "post", "record", true, &record, NULL) ||
        !jsonx_get_string(record, "record", "text", BSKY_MAX_TEXT_BYTES, true, &text, NULL) ||
        !jsonx_get_string(record, "record", "createdAt", BSKY_MAX_TIME_LEN, false, &created,
                          NULL) ||
        !jsonx_get_array(record, "record", "langs", BSKY_MAX_LANGS, false, &langs, NULL) ||
        !jsonx_get_object(record, "record", "reply", false, &record_reply, NULL) ||
        !jsonx_get_object(record, "record", "labels", false, &self_labels, NULL) ||
        (self_labels && !jsonx_get_array(self_labels, "self labels", "values", BSKY_MAX_LABELS,
                                         false, &self_values, NULL)))
        return ITEM_SKIPPED;
    if (strncmp(uri, "at://", 5) != 0)
        return ITEM_SKIPPED;

    /* Self-labels the author put on the record (record.labels) are usually
     * repeated in post.labels by the AppView; read both, in case. */
    struct labels labels = {.len = 0};
    if (!add_labels(&labels, post_labels) || !add_labels(&labels, author_labels) ||
        !add_labels(&labels, self_values))
        return ITEM_SKIPPED;

    p->reply = record_reply || item_reply;
    p->repost = has_type(reason, BSKY_REASON_REPOST);

    const char *lang = NULL;
    if (langs && json_object_array_length(langs) > 0) {
        struct json_object *first = json_object_array_get_idx(langs, 0);
        if (!json_object_is_type(first, json_type_string))
            return ITEM_SKIPPED;
        lang = json_object_get_string(first);
        if (!ingest_lang_ok(lang))
            lang = NULL;
    }
    if (!created || !ingest_parse_time(created, &p->published))
        if (!indexed || !ingest_parse_time(indexed, &p->published))
            p->published = 0;

    bool bad = false, failed = false;
    if (!(p->ext_id = ident(uri, &bad)) || !(p->version = ident(cid, &bad)))
        return bad ? ITEM_SKIPPED : ITEM_OOM;
    if (!(p->body = ingest_clean(text, strlen(text), INGEST_MAX_BODY_LEN)))
        return ITEM_OOM;
    p->author = ingest_clean_optional(display, display ? strlen(display) : 0, INGEST_MAX_SHORT_LEN,
                                      &failed);
    if (!p->author && !failed && strcmp(handle, "handle.invalid") != 0)
        p->author = ingest_clean_optional(handle, strlen(handle), INGEST_MAX_SHORT_LEN, &failed);
    if (failed)
        return ITEM_OOM;
    p->link = permalink(uri, handle, &failed);
    if (failed || (lang && !(p->lang = strdup(lang))) ||
        (labels.len && !(p->labels = strdup(labels.text))))
        return ITEM_OOM;
    return add_embed(p, post);
}

bool ingest_parse_bluesky(const char *bytes, size_t len, struct ingest_batch *out,
                          struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    struct json_object *root, *feed;
    if (!jsonx_parse_object(bytes, len, INGEST_MAX_RESPONSE_BYTES, INGEST_MAX_DEPTH, &root, err))
        return false;
    /* The array's own length is bounded by the document's size. */
    if (!jsonx_get_array(root, "author feed", "feed", INGEST_MAX_RESPONSE_BYTES, true, &feed,
                         err)) {
        json_object_put(root);
        return false;
    }
    size_t n = json_object_array_length(feed);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (out->n >= INGEST_MAX_POSTS) {
            out->skipped += n - i;
            break;
        }
        struct ingest_post *p = ingest_batch_add(out);
        enum item_result r = p ? fill_post(p, json_object_array_get_idx(feed, i)) : ITEM_OOM;
        if (r == ITEM_SKIPPED)
            ingest_batch_drop_last(out);
        ok = r != ITEM_OOM;
    }
    json_object_put(root);
    if (!ok) {
        ingest_batch_finish(out);
        sg_err_set(err, "out of memory");
    }
    return ok;
}
