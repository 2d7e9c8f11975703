/* GET /api/v1/accounts/{id}/statuses (ingest.h). Mastodon's entities grow
 * with every release and forks add their own members, so members this
 * parser does not read are ignored. The ones it reads are type-checked
 * (JSON null counts as absent where the API documents it as nullable and
 * is harmless elsewhere): a status with a wrong-typed or over-long member is
 * skipped and counted rather than half-read. Only a document that is not
 * strict JSON (jsonx) or not an array is refused as a whole. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "jsonx.h"
#include "text.h"

/* Free text other than the content (names, spoiler text, alt text) is read
 * up to this and then cut to the post's limit; Mastodon's own limits are far
 * lower (30 characters for a display name, 1,500 for a description). */
#define MASTO_MAX_TEXT_BYTES (64u * 1024u)
#define MASTO_MAX_MEDIA 64 /* per status; Mastodon attaches at most 4 */
#define MASTO_MAX_TIME_LEN 64

/* What happened to one status. */
enum status_result { STATUS_KEPT, STATUS_SKIPPED, STATUS_OOM };

/* Member key of obj: *out NULL when absent or null; false when present with
 * another type. */
static bool member(struct json_object *obj, const char *key, enum json_type type,
                   struct json_object **out)
{
    struct json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || !v)
        return true;
    if (!json_object_is_type(v, type))
        return false;
    *out = v;
    return true;
}

/* A string member as member() reads it, at most max bytes of valid UTF-8
 * without NUL ("\u0000" and lone surrogate escapes survive json-c). */
static bool string_member(struct json_object *obj, const char *key, size_t max, const char **out,
                          size_t *len)
{
    struct json_object *v;
    *out = NULL;
    *len = 0;
    if (!member(obj, key, json_type_string, &v))
        return false;
    if (!v)
        return true;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n > max || !text_utf8_valid(s, n))
        return false;
    *out = s;
    *len = n;
    return true;
}

/* A copy of an identifier (status id, edited_at) exactly as given: one that
 * sanitising would change is malformed. *bad is set then; NULL without *bad
 * is out of memory. */
static char *ident(const char *s, size_t n, bool *bad)
{
    *bad = n == 0;
    if (*bad)
        return NULL;
    char *c = ingest_clean(s, n, n);
    if (c && (strlen(c) != n || memcmp(c, s, n) != 0)) {
        free(c);
        *bad = true;
        return NULL;
    }
    return c;
}

static enum status_result add_media(struct ingest_post *p, struct json_object *media)
{
    if (!media)
        return STATUS_KEPT;
    size_t n = json_object_array_length(media);
    if (n > MASTO_MAX_MEDIA)
        return STATUS_SKIPPED;
    for (size_t i = 0; i < n; i++) {
        struct json_object *m = json_object_array_get_idx(media, i);
        const char *type, *url, *remote, *alt;
        size_t type_len, url_len, remote_len, alt_len;
        if (!json_object_is_type(m, json_type_object) ||
            !string_member(m, "type", 32, &type, &type_len) ||
            !string_member(m, "url", INGEST_MAX_URL_LEN, &url, &url_len) ||
            !string_member(m, "remote_url", INGEST_MAX_URL_LEN, &remote, &remote_len) ||
            !string_member(m, "description", MASTO_MAX_TEXT_BYTES, &alt, &alt_len))
            return STATUS_SKIPPED;
        if (!type || strcmp(type, "image") != 0)
            continue; /* gifv, video, audio, unknown: nothing a screen shows */
        /* url is null while a remote server's file is not cached yet. */
        if (!ingest_post_add_image(p, url ? url : remote, alt, alt_len))
            return STATUS_OOM;
    }
    return STATUS_KEPT;
}

/* Fills p from one status; STATUS_SKIPPED leaves p for the caller to drop. */
static enum status_result fill_post(struct ingest_post *p, struct json_object *st)
{
    struct json_object *account = NULL, *reblog = NULL, *reply_to = NULL, *sensitive = NULL,
                       *media = NULL;
    const char *id, *edited, *content, *url, *display, *acct, *lang, *created, *spoiler,
        *visibility;
    size_t id_len, edited_len, content_len, url_len, display_len, acct_len, lang_len, created_len,
        spoiler_len, visibility_len;
    if (!json_object_is_type(st, json_type_object) ||
        !string_member(st, "id", INGEST_MAX_EXT_ID_LEN, &id, &id_len) || !id ||
        !string_member(st, "edited_at", INGEST_MAX_VERSION_LEN, &edited, &edited_len) ||
        !string_member(st, "content", INGEST_MAX_RESPONSE_BYTES, &content, &content_len) ||
        !string_member(st, "url", INGEST_MAX_URL_LEN, &url, &url_len) ||
        !string_member(st, "language", 35, &lang, &lang_len) ||
        !string_member(st, "created_at", MASTO_MAX_TIME_LEN, &created, &created_len) ||
        !string_member(st, "spoiler_text", MASTO_MAX_TEXT_BYTES, &spoiler, &spoiler_len) ||
        !string_member(st, "visibility", INGEST_MAX_SHORT_LEN, &visibility, &visibility_len) ||
        !member(st, "in_reply_to_id", json_type_string, &reply_to) ||
        !member(st, "reblog", json_type_object, &reblog) ||
        !member(st, "sensitive", json_type_boolean, &sensitive) ||
        !member(st, "media_attachments", json_type_array, &media) ||
        !member(st, "account", json_type_object, &account))
        return STATUS_SKIPPED;
    display = acct = NULL;
    display_len = acct_len = 0;
    if (account &&
        (!string_member(account, "display_name", MASTO_MAX_TEXT_BYTES, &display, &display_len) ||
         !string_member(account, "acct", MASTO_MAX_TEXT_BYTES, &acct, &acct_len)))
        return STATUS_SKIPPED;

    bool bad = false, failed = false;
    if (!(p->ext_id = ident(id, id_len, &bad)))
        return bad ? STATUS_SKIPPED : STATUS_OOM;
    if (edited && !(p->version = ident(edited, edited_len, &bad)))
        return bad ? STATUS_SKIPPED : STATUS_OOM;

    p->reply = reply_to != NULL;
    p->repost = reblog != NULL; /* the boosted status itself is not read */
    p->sensitive = sensitive && json_object_get_boolean(sensitive);
    if (!created || !ingest_parse_time(created, &p->published))
        p->published = 0;

    char *first_link = NULL;
    p->body =
        ingest_html_to_text(content ? content : "", content_len, INGEST_MAX_BODY_LEN, &first_link);
    if (!p->body) {
        free(first_link);
        return STATUS_OOM;
    }
    if (url && ingest_url_ok(url)) {
        free(first_link);
        p->link = strdup(url);
        if (!p->link)
            return STATUS_OOM;
    } else if (first_link && ingest_url_ok(first_link)) {
        p->link = first_link;
    } else {
        free(first_link);
    }

    p->author = ingest_clean_optional(display, display_len, INGEST_MAX_SHORT_LEN, &failed);
    if (!p->author && !failed)
        p->author = ingest_clean_optional(acct, acct_len, INGEST_MAX_SHORT_LEN, &failed);
    if (!failed)
        p->content_warning =
            ingest_clean_optional(spoiler, spoiler_len, INGEST_MAX_SHORT_LEN, &failed);
    if (!failed && visibility && strcmp(visibility, "public") != 0)
        p->visibility =
            ingest_clean_optional(visibility, visibility_len, INGEST_MAX_SHORT_LEN, &failed);
    if (failed || (lang && ingest_lang_ok(lang) && !(p->lang = strdup(lang))))
        return STATUS_OOM;
    return add_media(p, media);
}

bool ingest_parse_mastodon(const char *bytes, size_t len, struct ingest_batch *out,
                           struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    struct json_object *root;
    if (!jsonx_parse_array(bytes, len, INGEST_MAX_RESPONSE_BYTES, INGEST_MAX_DEPTH, &root, err))
        return false;
    size_t n = json_object_array_length(root);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (out->n >= INGEST_MAX_POSTS) {
            out->skipped += n - i;
            break;
        }
        struct ingest_post *p = ingest_batch_add(out);
        enum status_result r = p ? fill_post(p, json_object_array_get_idx(root, i)) : STATUS_OOM;
        if (r == STATUS_SKIPPED)
            ingest_batch_drop_last(out);
        ok = r != STATUS_OOM;
    }
    json_object_put(root);
    if (!ok) {
        ingest_batch_finish(out);
        sg_err_set(err, "out of memory");
    }
    return ok;
}
