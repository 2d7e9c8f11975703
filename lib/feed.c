#include "feed.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "sgtime.h"

/* The payload's base64 text can be at most the envelope's size; its decoded
 * bytes at most 3/4 of that. */
#define FEED_MAX_PAYLOAD_BYTES (FEED_MAX_ENVELOPE_BYTES / 4 * 3)

const char *feed_kind_name(enum feed_kind kind)
{
    switch (kind) {
    case FEED_KIND_POST:
        return "post";
    case FEED_KIND_TIP:
        return "tip";
    case FEED_KIND_NOTICE:
        return "notice";
    }
    return "unknown";
}

unsigned char *feed_pae(const char *type, const unsigned char *body, size_t body_len,
                        size_t *out_len)
{
    size_t type_len = strlen(type);
    char head[96];
    int hn = snprintf(head, sizeof head, "DSSEv1 %zu ", type_len);
    char mid[32];
    int mn = snprintf(mid, sizeof mid, " %zu ", body_len);
    size_t total = (size_t)hn + type_len + (size_t)mn + body_len;
    unsigned char *out = malloc(total ? total : 1);
    if (!out)
        return NULL;
    unsigned char *p = out;
    memcpy(p, head, (size_t)hn);
    p += hn;
    memcpy(p, type, type_len);
    p += type_len;
    memcpy(p, mid, (size_t)mn);
    p += mn;
    if (body_len)
        memcpy(p, body, body_len);
    *out_len = total;
    return out;
}

/* Decodes base64 exactly: the whole string must be consumed (libsodium stops
 * quietly at the first bad character otherwise). DSSE allows standard and
 * URL-safe alphabets, with or without padding. */
static bool base64_exact(const char *s, size_t len, unsigned char *out, size_t max, size_t *out_len)
{
    static const int variants[] = {
        sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const char *end = NULL;
        size_t n = 0;
        if (sodium_base642bin(out, max, s, len, NULL, &n, &end, variants[i]) == 0 &&
            end == s + len) {
            *out_len = n;
            return true;
        }
    }
    return false;
}

static bool parse_signature(struct json_object *o, size_t index, struct feed_signature *sig,
                            struct sg_err *err)
{
    char what[32];
    snprintf(what, sizeof what, "signature %zu", index + 1);
    if (!json_object_is_type(o, json_type_object)) {
        sg_err_set(err, "%s is not an object", what);
        return false;
    }
    const char *keyid = NULL, *b64 = NULL;
    if (!jsonx_get_string(o, what, "keyid", FEED_MAX_ID_LEN, false, &keyid, err) ||
        !jsonx_get_string(o, what, "sig", 256, true, &b64, err))
        return false;
    /* Signatures by keys not in our id format can never match a trusted key;
     * they are kept with an empty id so verification reports "unknown key". */
    sig->keyid[0] = '\0';
    if (keyid && strlen(keyid) == FEED_KEYID_HEX_LEN)
        memcpy(sig->keyid, keyid, FEED_KEYID_HEX_LEN + 1);
    size_t n = 0;
    if (!base64_exact(b64, strlen(b64), sig->sig, sizeof sig->sig, &n) || n != sizeof sig->sig) {
        sg_err_set(err, "%s: \"sig\" is not the base64 of a 64-byte Ed25519 signature", what);
        return false;
    }
    return true;
}

bool feed_envelope_parse(const char *bytes, size_t len, struct feed_envelope *env,
                         struct sg_err *err)
{
    memset(env, 0, sizeof *env);
    struct json_object *root = NULL, *sigs = NULL;
    const char *type = NULL, *payload_b64 = NULL;
    if (!jsonx_parse_object(bytes, len, FEED_MAX_ENVELOPE_BYTES, FEED_MAX_DEPTH, &root, err))
        return false;
    bool ok =
        jsonx_get_string(root, "envelope", "payloadType", FEED_MAX_SHORT_LEN, true, &type, err) &&
        jsonx_get_string(root, "envelope", "payload", FEED_MAX_ENVELOPE_BYTES, true, &payload_b64,
                         err) &&
        jsonx_get_array(root, "envelope", "signatures", FEED_MAX_SIGNATURES, true, &sigs, err);
    if (ok && json_object_array_length(sigs) == 0) {
        sg_err_set(err, "envelope: no signatures");
        ok = false;
    }
    for (size_t i = 0; ok && i < json_object_array_length(sigs); i++) {
        ok = parse_signature(json_object_array_get_idx(sigs, i), i, &env->sigs[i], err);
        env->nsigs = i + 1;
    }
    if (ok) {
        size_t b64_len = strlen(payload_b64);
        env->payload = malloc(b64_len / 4 * 3 + 4);
        env->payload_type = strdup(type);
        if (!env->payload || !env->payload_type) {
            sg_err_set(err, "out of memory");
            ok = false;
        } else if (!base64_exact(payload_b64, b64_len, env->payload, b64_len / 4 * 3 + 3,
                                 &env->payload_len)) {
            sg_err_set(err, "envelope: \"payload\" is not valid base64");
            ok = false;
        } else {
            env->payload[env->payload_len] = '\0';
        }
    }
    json_object_put(root);
    if (!ok)
        feed_envelope_finish(env);
    return ok;
}

void feed_envelope_finish(struct feed_envelope *env)
{
    free(env->payload_type);
    free(env->payload);
    memset(env, 0, sizeof *env);
}

/* ---- payload ---- */

struct parse_ctx {
    char what[48];
    struct sg_err *err;
};

/* Copies an optional string member; *dst stays NULL when absent. */
static bool copy_string(struct json_object *o, struct parse_ctx *pc, const char *key, size_t max,
                        bool required, char **dst)
{
    const char *s = NULL;
    if (!jsonx_get_string(o, pc->what, key, max, required, &s, pc->err))
        return false;
    if (s && !(*dst = strdup(s))) {
        sg_err_set(pc->err, "out of memory");
        return false;
    }
    return true;
}

static bool get_time(struct json_object *o, struct parse_ctx *pc, const char *key, bool required,
                     int64_t *out)
{
    const char *s = NULL;
    if (!jsonx_get_string(o, pc->what, key, SGTIME_RFC3339_LEN, required, &s, pc->err))
        return false;
    if (s && !sgtime_parse_rfc3339(s, out)) {
        sg_err_set(pc->err, "%s: \"%s\" is not an RFC 3339 UTC time like 2026-11-22T08:00:00Z",
                   pc->what, key);
        return false;
    }
    return true;
}

bool feed_sha256_hex_valid(const char *s)
{
    if (strlen(s) != FEED_SHA256_HEX_LEN)
        return false;
    for (size_t i = 0; i < FEED_SHA256_HEX_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

bool feed_name_valid(const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len == 0 || len > max || s[0] == '.')
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

static bool parse_media(struct json_object *arr, struct parse_ctx *pc, struct feed_item *item)
{
    item->nmedia = json_object_array_length(arr);
    for (size_t i = 0; i < item->nmedia; i++) {
        struct json_object *m = json_object_array_get_idx(arr, i);
        struct feed_media *fm = &item->media[i];
        const char *sha = NULL;
        if (!json_object_is_type(m, json_type_object)) {
            sg_err_set(pc->err, "%s: media %zu is not an object", pc->what, i + 1);
            return false;
        }
        if (!jsonx_get_string(m, pc->what, "sha256", FEED_SHA256_HEX_LEN, true, &sha, pc->err))
            return false;
        if (!feed_sha256_hex_valid(sha)) {
            sg_err_set(pc->err, "%s: media sha256 must be 64 lower-case hex digits", pc->what);
            return false;
        }
        memcpy(fm->sha256, sha, FEED_SHA256_HEX_LEN + 1);
        if (!copy_string(m, pc, "type", FEED_MAX_SHORT_LEN, false, &fm->type) ||
            !copy_string(m, pc, "alt", FEED_MAX_SHORT_LEN, false, &fm->alt))
            return false;
    }
    return true;
}

static bool parse_approval(struct json_object *o, struct parse_ctx *pc, struct feed_approval *ap)
{
    if (!copy_string(o, pc, "by", FEED_MAX_ID_LEN, true, &ap->by) ||
        !get_time(o, pc, "at", true, &ap->at) || !get_time(o, pc, "until", true, &ap->until))
        return false;
    if (ap->until <= ap->at) {
        sg_err_set(pc->err, "%s: approval \"until\" is not after \"at\"", pc->what);
        return false;
    }
    ap->present = true;
    return true;
}

static bool parse_range(struct json_object *sched, struct parse_ctx *pc, const char *key,
                        bool (*parse)(const char *, int64_t *), int64_t *from, int64_t *until,
                        bool *has)
{
    struct json_object *o;
    const char *a = NULL, *b = NULL;
    if (!jsonx_get_object(sched, pc->what, key, false, &o, pc->err))
        return false;
    if (!o)
        return true;
    if (!jsonx_get_string(o, pc->what, "from", 16, true, &a, pc->err) ||
        !jsonx_get_string(o, pc->what, "until", 16, true, &b, pc->err))
        return false;
    if (!parse(a, from) || !parse(b, until)) {
        sg_err_set(pc->err, "%s: schedule \"%s\" has a malformed bound", pc->what, key);
        return false;
    }
    *has = true;
    return true;
}

static bool parse_hhmm64(const char *s, int64_t *out)
{
    int m;
    if (!sgtime_parse_hhmm(s, &m))
        return false;
    *out = m;
    return true;
}

static bool parse_schedule(struct json_object *o, struct parse_ctx *pc, struct feed_schedule *s)
{
    int64_t hf = 0, hu = 0;
    struct json_object *days;
    if (!parse_range(o, pc, "dates", sgtime_parse_date, &s->date_from, &s->date_until,
                     &s->has_dates) ||
        !parse_range(o, pc, "hours", parse_hhmm64, &hf, &hu, &s->has_hours) ||
        !jsonx_get_array(o, pc->what, "weekdays", 7, false, &days, pc->err))
        return false;
    if (s->has_dates && s->date_until < s->date_from) {
        sg_err_set(pc->err, "%s: schedule dates end before they start", pc->what);
        return false;
    }
    s->minute_from = (int)hf;
    s->minute_until = (int)hu;
    for (size_t i = 0; days && i < json_object_array_length(days); i++) {
        struct json_object *d = json_object_array_get_idx(days, i);
        int64_t w = json_object_is_type(d, json_type_int) ? json_object_get_int64(d) : 0;
        if (w < 1 || w > 7) {
            sg_err_set(pc->err, "%s: schedule weekdays must be integers 1 (Monday) to 7", pc->what);
            return false;
        }
        s->weekdays |= (uint8_t)(1u << w);
    }
    if (days && json_object_array_length(days) == 0) {
        sg_err_set(pc->err, "%s: schedule weekdays is empty (the item could never show)", pc->what);
        return false;
    }
    return true;
}

static bool parse_kind(const char *s, enum feed_kind *kind)
{
    static const enum feed_kind kinds[] = {FEED_KIND_POST, FEED_KIND_TIP, FEED_KIND_NOTICE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(s, feed_kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return true;
        }
    }
    return false;
}

static bool parse_item(struct json_object *o, size_t index, struct feed_item *item,
                       struct sg_err *err)
{
    struct parse_ctx pc = {.err = err};
    snprintf(pc.what, sizeof pc.what, "item %zu", index + 1);
    if (!json_object_is_type(o, json_type_object)) {
        sg_err_set(err, "%s is not an object", pc.what);
        return false;
    }
    const char *kind = NULL;
    int64_t priority = 0;
    struct json_object *media, *approval, *schedule;
    if (!copy_string(o, &pc, "id", FEED_MAX_ID_LEN, true, &item->id))
        return false;
    /* Name items by id in every later message: that is what staff search for. */
    snprintf(pc.what, sizeof pc.what, "item \"%.32s\"", item->id);
    if (!jsonx_get_int(o, pc.what, "rev", 1, INT64_MAX - 1, true, &item->rev, err) ||
        !jsonx_get_string(o, pc.what, "kind", 16, true, &kind, err))
        return false;
    if (!parse_kind(kind, &item->kind)) {
        sg_err_set(err, "%s: unknown kind \"%s\" (post, tip, notice)", pc.what, kind);
        return false;
    }
    if (!copy_string(o, &pc, "title", FEED_MAX_SHORT_LEN, false, &item->title) ||
        !copy_string(o, &pc, "body", FEED_MAX_BODY_LEN, false, &item->body) ||
        !copy_string(o, &pc, "author", FEED_MAX_SHORT_LEN, false, &item->author) ||
        !copy_string(o, &pc, "source", FEED_MAX_SHORT_LEN, false, &item->source) ||
        !copy_string(o, &pc, "link", FEED_MAX_LINK_LEN, false, &item->link) ||
        !copy_string(o, &pc, "lang", FEED_MAX_ID_LEN, false, &item->lang) ||
        !get_time(o, &pc, "published", false, &item->published) ||
        !jsonx_get_int(o, pc.what, "priority", -1000, 1000, false, &priority, err) ||
        !jsonx_get_array(o, pc.what, "media", FEED_MAX_MEDIA, false, &media, err) ||
        !jsonx_get_object(o, pc.what, "approval", false, &approval, err) ||
        !jsonx_get_object(o, pc.what, "schedule", false, &schedule, err))
        return false;
    item->priority = (int)priority;
    if (media && !parse_media(media, &pc, item))
        return false;
    if (approval && !parse_approval(approval, &pc, &item->approval))
        return false;
    if (schedule && !parse_schedule(schedule, &pc, &item->schedule))
        return false;
    return true;
}

static bool parse_format_version(const char *s, int *major, int *minor)
{
    /* "MAJOR.MINOR", each 1-4 digits. */
    int ma = 0, mi = 0, n = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && n < 4; p++, n++)
        ma = ma * 10 + (*p - '0');
    if (n == 0 || *p++ != '.')
        return false;
    for (n = 0; *p >= '0' && *p <= '9' && n < 4; p++, n++)
        mi = mi * 10 + (*p - '0');
    if (n == 0 || *p != '\0')
        return false;
    *major = ma;
    *minor = mi;
    return true;
}

static bool unique_ids(const struct feed_doc *doc, struct sg_err *err)
{
    /* Item counts are small (FEED_MAX_ITEMS); quadratic is fine and simple. */
    for (size_t i = 0; i < doc->nitems; i++)
        for (size_t j = i + 1; j < doc->nitems; j++)
            if (strcmp(doc->items[i].id, doc->items[j].id) == 0) {
                sg_err_set(err, "item id \"%.32s\" appears twice", doc->items[i].id);
                return false;
            }
    return true;
}

enum feed_parse_status feed_payload_parse(const unsigned char *payload, size_t len,
                                          struct feed_doc *doc, struct sg_err *err)
{
    memset(doc, 0, sizeof *doc);
    struct json_object *root = NULL, *items = NULL;
    struct parse_ctx pc = {.what = "payload", .err = err};
    const char *format = NULL;
    if (!jsonx_parse_object((const char *)payload, len, FEED_MAX_PAYLOAD_BYTES, FEED_MAX_DEPTH,
                            &root, err))
        return FEED_PARSE_MALFORMED;
    bool ok = jsonx_get_string(root, "payload", "signet_feed", 16, true, &format, err);
    if (ok && !parse_format_version(format, &doc->major, &doc->minor)) {
        sg_err_set(err, "payload: \"signet_feed\" must look like \"1.0\"");
        ok = false;
    }
    if (ok && doc->major != FEED_MAJOR_VERSION) {
        /* Checked before anything else: a future major may change every field. */
        sg_err_set(err, "payload: unsupported format major version %d (this build reads %d)",
                   doc->major, FEED_MAJOR_VERSION);
        json_object_put(root);
        feed_doc_finish(doc);
        return FEED_PARSE_UNKNOWN_MAJOR;
    }
    ok = ok && copy_string(root, &pc, "screen", FEED_MAX_ID_LEN, false, &doc->screen) &&
         copy_string(root, &pc, "group", FEED_MAX_ID_LEN, false, &doc->group) &&
         jsonx_get_int(root, "payload", "version", 1, INT64_MAX - 1, true, &doc->version, err) &&
         get_time(root, &pc, "issued", true, &doc->issued) &&
         get_time(root, &pc, "expires", true, &doc->expires) &&
         copy_string(root, &pc, "clinic", FEED_MAX_SHORT_LEN, false, &doc->clinic) &&
         jsonx_get_array(root, "payload", "items", FEED_MAX_ITEMS, true, &items, err);
    if (ok && !doc->screen == !doc->group) {
        sg_err_set(err, "payload: exactly one of \"screen\" and \"group\" must be given");
        ok = false;
    }
    if (ok && doc->expires <= doc->issued) {
        sg_err_set(err, "payload: \"expires\" is not after \"issued\"");
        ok = false;
    }
    if (ok) {
        size_t n = json_object_array_length(items);
        doc->items = calloc(n ? n : 1, sizeof *doc->items);
        if (!doc->items) {
            sg_err_set(err, "out of memory");
            ok = false;
        }
        for (size_t i = 0; ok && i < n; i++) {
            doc->nitems = i + 1;
            ok = parse_item(json_object_array_get_idx(items, i), i, &doc->items[i], err);
        }
    }
    ok = ok && unique_ids(doc, err);
    json_object_put(root);
    if (!ok) {
        feed_doc_finish(doc);
        return FEED_PARSE_MALFORMED;
    }
    crypto_hash_sha256(doc->payload_sha256, payload, len);
    return FEED_PARSE_OK;
}

static void item_finish(struct feed_item *it)
{
    free(it->id);
    free(it->title);
    free(it->body);
    free(it->author);
    free(it->source);
    free(it->link);
    free(it->lang);
    free(it->approval.by);
    for (size_t i = 0; i < it->nmedia; i++) {
        free(it->media[i].type);
        free(it->media[i].alt);
    }
}

void feed_doc_finish(struct feed_doc *doc)
{
    for (size_t i = 0; i < doc->nitems; i++)
        item_finish(&doc->items[i]);
    free(doc->items);
    free(doc->screen);
    free(doc->group);
    free(doc->clinic);
    memset(doc, 0, sizeof *doc);
}

void feed_doc_move(struct feed_doc *dst, struct feed_doc *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
}
