/* POST /api/ingest (ingest.h): posts pushed by a clinic's own system. The
 * sender is a program someone configured, so the body is held to
 * requests.c's rules rather than read leniently like a public API: unknown
 * members are refused, every field is checked against its limit (too long
 * is an error, not a cut), a link or image URL that is not http(s) is an
 * error, and any problem refuses the whole body with the post and member
 * named, so the sender's log says what to fix. An optional member given as
 * "" counts as absent. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "jsonx.h"

#define WEBHOOK_MAX_LANG_LEN 35 /* BCP 47's recommended buffer for a tag */
#define WEBHOOK_MAX_TIME_LEN 64 /* an RFC 3339 date-time with nine fraction digits is 35 */

static bool oom(struct sg_err *err)
{
    sg_err_set(err, "out of memory");
    return false;
}

/* Reads an optional free-text member into *dst, sanitised; "" (also after
 * sanitising) leaves *dst NULL. */
static bool get_text(struct json_object *obj, const char *what, const char *key, size_t max,
                     char **dst, struct sg_err *err)
{
    const char *s = NULL;
    if (!jsonx_get_string(obj, what, key, max, false, &s, err))
        return false;
    bool failed = false;
    *dst = ingest_clean_optional(s, s ? strlen(s) : 0, max, &failed);
    return failed ? oom(err) : true;
}

/* An identifier (id, version) is compared byte for byte at the next push,
 * so it is taken only as it will be stored: a sanitised copy that differs
 * (control characters, white space at either end) is refused rather than
 * silently made equal to another id. */
static bool get_ident(struct json_object *obj, const char *what, const char *key, size_t max,
                      bool required, char **dst, struct sg_err *err)
{
    const char *s = NULL;
    if (!jsonx_get_string(obj, what, key, max, required, &s, err))
        return false;
    if (!s || (!*s && !required))
        return true;
    if (!*s) {
        sg_err_set(err, "%s: \"%s\" is empty", what, key);
        return false;
    }
    char *c = ingest_clean(s, strlen(s), max);
    if (!c)
        return oom(err);
    if (strcmp(c, s) != 0) {
        free(c);
        sg_err_set(err, "%s: \"%s\" holds control characters or white space at either end", what,
                   key);
        return false;
    }
    *dst = c;
    return true;
}

/* Reads an optional URL member; one that is present must pass ingest_url_ok. */
static bool get_url(struct json_object *obj, const char *what, const char *key, bool required,
                    const char **out, struct sg_err *err)
{
    const char *s = NULL;
    *out = NULL;
    if (!jsonx_get_string(obj, what, key, INGEST_MAX_URL_LEN, required, &s, err))
        return false;
    if (!s || (!*s && !required))
        return true;
    if (!ingest_url_ok(s)) {
        sg_err_set(err, "%s: \"%s\" must be an absolute http or https URL without spaces", what,
                   key);
        return false;
    }
    *out = s;
    return true;
}

static bool parse_images(struct json_object *post, const char *post_what, struct ingest_post *p,
                         struct sg_err *err)
{
    static const char *const members[] = {"url", "alt"};
    struct json_object *arr;
    if (!jsonx_get_array(post, post_what, "images", INGEST_MAX_IMAGES, false, &arr, err))
        return false;
    size_t n = arr ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *img = json_object_array_get_idx(arr, i);
        char what[64];
        snprintf(what, sizeof what, "%s image %zu", post_what, i + 1);
        if (!json_object_is_type(img, json_type_object)) {
            sg_err_set(err, "%s: not an object", what);
            return false;
        }
        const char *url, *alt = NULL;
        if (!JSONX_ONLY_MEMBERS(img, what, members, err) ||
            !get_url(img, what, "url", true, &url, err) ||
            !jsonx_get_string(img, what, "alt", INGEST_MAX_ALT_LEN, false, &alt, err))
            return false;
        if (!ingest_post_add_image(p, url, alt, alt ? strlen(alt) : 0))
            return oom(err);
    }
    return true;
}

static bool parse_post(struct json_object *obj, size_t index, struct ingest_batch *b,
                       struct sg_err *err)
{
    static const char *const members[] = {
        "id",        "title",   "body",      "author",          "link",  "lang",
        "published", "version", "sensitive", "content_warning", "images"};
    char what[32];
    snprintf(what, sizeof what, "post %zu", index + 1);
    if (!json_object_is_type(obj, json_type_object)) {
        sg_err_set(err, "%s: not an object", what);
        return false;
    }
    if (!JSONX_ONLY_MEMBERS(obj, what, members, err))
        return false;
    struct ingest_post *p = ingest_batch_add(b);
    if (!p)
        return oom(err); /* the array was checked against INGEST_MAX_POSTS */

    const char *body = NULL, *link = NULL, *lang = NULL, *published = NULL;
    if (!get_ident(obj, what, "id", INGEST_MAX_EXT_ID_LEN, true, &p->ext_id, err) ||
        !get_ident(obj, what, "version", INGEST_MAX_VERSION_LEN, false, &p->version, err) ||
        !get_text(obj, what, "title", INGEST_MAX_TITLE_LEN, &p->title, err) ||
        !jsonx_get_string(obj, what, "body", INGEST_MAX_BODY_LEN, true, &body, err) ||
        !get_text(obj, what, "author", INGEST_MAX_SHORT_LEN, &p->author, err) ||
        !get_text(obj, what, "content_warning", INGEST_MAX_SHORT_LEN, &p->content_warning, err) ||
        !get_url(obj, what, "link", false, &link, err) ||
        !jsonx_get_string(obj, what, "lang", WEBHOOK_MAX_LANG_LEN, false, &lang, err) ||
        !jsonx_get_string(obj, what, "published", WEBHOOK_MAX_TIME_LEN, false, &published, err) ||
        !jsonx_get_bool(obj, what, "sensitive", false, &p->sensitive, err))
        return false;

    for (size_t i = 0; i + 1 < b->n; i++) {
        if (strcmp(b->posts[i].ext_id, p->ext_id) == 0) {
            sg_err_set(err, "%s: \"id\" repeats post %zu", what, i + 1);
            return false;
        }
    }
    if (!(p->body = ingest_clean(body, strlen(body), INGEST_MAX_BODY_LEN)))
        return oom(err);
    if (!p->body[0] && !p->title) {
        sg_err_set(err, "%s: \"body\" is empty and there is no title", what);
        return false;
    }
    if (link && !(p->link = strdup(link)))
        return oom(err);
    if (lang && *lang) {
        if (!ingest_lang_ok(lang)) {
            sg_err_set(err, "%s: \"lang\" must be a language tag like \"de\" or \"en-GB\"", what);
            return false;
        }
        if (!(p->lang = strdup(lang)))
            return oom(err);
    }
    if (published && *published && !ingest_parse_time(published, &p->published)) {
        sg_err_set(err, "%s: \"published\" must be an RFC 3339 date-time", what);
        return false;
    }
    return parse_images(obj, what, p, err);
}

bool ingest_parse_webhook(const char *bytes, size_t len, struct ingest_batch *out,
                          struct sg_err *err)
{
    static const char *const members[] = {"posts"};
    memset(out, 0, sizeof *out);
    struct json_object *root, *posts;
    if (!jsonx_parse_object(bytes, len, INGEST_MAX_RESPONSE_BYTES, INGEST_MAX_DEPTH, &root, err))
        return false;
    bool ok = JSONX_ONLY_MEMBERS(root, "ingest", members, err) &&
              jsonx_get_array(root, "ingest", "posts", INGEST_MAX_POSTS, true, &posts, err);
    size_t n = ok ? json_object_array_length(posts) : 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = parse_post(json_object_array_get_idx(posts, i), i, out, err);
    json_object_put(root);
    if (!ok)
        ingest_batch_finish(out);
    return ok;
}
