#include "feedbuild.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "sgtime.h"

#define FEEDBUILD_FORMAT "1.0"
/* Plain output, and "/" left alone: links stay readable and no byte is
 * spent on escapes the format does not need. */
#define FEEDBUILD_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* A schedule is {dates{}, weekdays[], hours{}}: two levels below its root. */
#define FEEDBUILD_SCHEDULE_DEPTH 4

enum build_status { BUILD_OK, BUILD_INVALID, BUILD_NOMEM };

/* Takes ownership of v in every case. */
static bool add_member(struct json_object *o, const char *key, struct json_object *v)
{
    if (!v)
        return false;
    if (json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return false;
    }
    return true;
}

/* NULL: the member is left out (absent is what the format says for "none"). */
static bool add_string(struct json_object *o, const char *key, const char *s)
{
    return !s || add_member(o, key, json_object_new_string(s));
}

static bool add_time(struct json_object *o, const char *key, int64_t t)
{
    char buf[SGTIME_RFC3339_LEN + 1];
    sgtime_format_rfc3339(t, buf);
    return add_member(o, key, json_object_new_string(buf));
}

static bool push(struct json_object *arr, struct json_object *v)
{
    if (!v)
        return false;
    if (json_object_array_add(arr, v) != 0) {
        json_object_put(v);
        return false;
    }
    return true;
}

/* The feed's members around an items array (which it takes). */
static struct json_object *payload_object(const struct feedbuild_feed *feed,
                                          struct json_object *items)
{
    struct json_object *o = json_object_new_object();
    if (!o) {
        json_object_put(items);
        return NULL;
    }
    bool ok = add_string(o, "signet_feed", FEEDBUILD_FORMAT) &&
              add_string(o, "screen", feed->screen ? feed->screen : "") &&
              add_member(o, "version", json_object_new_int64(feed->version)) &&
              add_time(o, "issued", feed->issued) && add_time(o, "expires", feed->expires) &&
              add_string(o, "clinic", feed->clinic && feed->clinic[0] ? feed->clinic : NULL);
    if (!ok || !add_member(o, "items", items)) {
        if (ok)
            items = NULL; /* add_member already dropped it */
        json_object_put(items);
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* A stored schedule_json: NULL, "" and "null" mean none (*out NULL). */
static enum build_status schedule_object(const char *json, struct json_object **out)
{
    *out = NULL;
    if (!json || !json[0] || strcmp(json, "null") == 0)
        return BUILD_OK;
    struct sg_err ignored = {0};
    if (!jsonx_parse_object(json, strlen(json), FEEDBUILD_MAX_SCHEDULE_BYTES,
                            FEEDBUILD_SCHEDULE_DEPTH, out, &ignored))
        return BUILD_INVALID;
    return BUILD_OK;
}

static enum build_status item_object(const struct store_revision *r, struct json_object **out)
{
    const struct store_content *c = &r->content;
    *out = NULL;
    if (!r->item_id || !r->decided_by)
        return BUILD_INVALID;
    struct json_object *sched = NULL;
    enum build_status st = schedule_object(c->schedule_json, &sched);
    if (st != BUILD_OK)
        return st;
    struct json_object *o = json_object_new_object();
    struct json_object *approval = json_object_new_object();
    bool ok = o && approval && add_string(o, "id", r->item_id) &&
              add_member(o, "rev", json_object_new_int64(r->rev)) &&
              add_string(o, "kind", c->kind) && add_string(o, "title", c->title) &&
              add_string(o, "body", c->body) && add_string(o, "author", c->author) &&
              add_string(o, "source", c->source) && add_string(o, "link", c->link) &&
              add_string(o, "lang", c->lang) &&
              add_member(o, "priority", json_object_new_int(c->priority));
    if (ok && c->nmedia > 0) {
        struct json_object *media = json_object_new_array();
        ok = add_member(o, "media", media);
        for (size_t i = 0; ok && i < c->nmedia && i < STORE_MAX_MEDIA; i++) {
            struct json_object *m = json_object_new_object();
            ok = push(media, m) && add_string(m, "sha256", c->media[i].sha256) &&
                 add_string(m, "type", c->media[i].type) && add_string(m, "alt", c->media[i].alt);
        }
    }
    ok = ok && add_string(approval, "by", r->decided_by) &&
         add_time(approval, "at", r->decided_at) && add_time(approval, "until", r->until);
    if (ok) {
        ok = add_member(o, "approval", approval);
        approval = NULL;
    }
    if (ok && sched) {
        ok = add_member(o, "schedule", sched);
        sched = NULL;
    }
    json_object_put(sched);
    json_object_put(approval);
    if (!ok) {
        json_object_put(o);
        return BUILD_NOMEM;
    }
    *out = o;
    return BUILD_OK;
}

/* Serialises a payload object into a malloc'd copy. */
static char *serialise(struct json_object *payload, size_t *len)
{
    size_t n = 0;
    const char *s = json_object_to_json_string_length(payload, FEEDBUILD_JSON_FLAGS, &n);
    char *copy = s ? malloc(n + 1) : NULL;
    if (copy) {
        memcpy(copy, s, n);
        copy[n] = '\0';
        *len = n;
    }
    return copy;
}

/* Parses text the way the board does; the parsed doc moves to *doc when
 * doc is not NULL. */
static bool board_accepts(const char *text, size_t len, struct feed_doc *doc, struct sg_err *err)
{
    struct feed_doc parsed;
    struct sg_err ignored = {0};
    if (feed_payload_parse((const unsigned char *)text, len, &parsed, err ? err : &ignored) !=
        FEED_PARSE_OK)
        return false;
    if (doc)
        feed_doc_move(doc, &parsed);
    else
        feed_doc_finish(&parsed);
    return true;
}

/* Whether the board would take item as the only item of this feed, and how
 * many bytes it adds to the payload. Takes a reference of its own. */
static enum build_status check_item(const struct feedbuild_feed *feed, struct json_object *item,
                                    size_t *bytes)
{
    struct json_object *items = json_object_new_array();
    if (!items || !push(items, json_object_get(item))) {
        json_object_put(items);
        return BUILD_NOMEM;
    }
    struct json_object *payload = payload_object(feed, items);
    if (!payload)
        return BUILD_NOMEM;
    size_t len = 0;
    char *text = serialise(payload, &len);
    json_object_put(payload);
    if (!text)
        return BUILD_NOMEM;
    bool ok = board_accepts(text, len, NULL, NULL);
    free(text);
    size_t n = 0;
    if (ok && !json_object_to_json_string_length(item, FEEDBUILD_JSON_FLAGS, &n))
        return BUILD_NOMEM;
    *bytes = n + 1; /* and its comma */
    return ok ? BUILD_OK : BUILD_INVALID;
}

/* ---- the cache of checked items ----
 * Open addressing on the revision's address, which is stable for as long as
 * the caller's list lives (one cache per list). */

struct cache_entry {
    const struct store_revision *rev; /* NULL: free slot */
    enum build_status st;
    struct json_object *obj; /* one reference, held by the cache; NULL unless BUILD_OK */
    size_t bytes;
};

struct feedbuild_cache {
    size_t cap, n; /* cap a power of two, n <= cap / 2 */
    struct cache_entry *slots;
};

struct feedbuild_cache *feedbuild_cache_new(void)
{
    return calloc(1, sizeof(struct feedbuild_cache));
}

void feedbuild_cache_free(struct feedbuild_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->cap; i++)
        json_object_put(cache->slots[i].obj);
    free(cache->slots);
    free(cache);
}

static size_t cache_slot(const struct feedbuild_cache *c, const struct store_revision *rev)
{
    uintptr_t h = (uintptr_t)rev;
    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h ^ (h >> 29)) & (c->cap - 1);
    while (c->slots[i].rev && c->slots[i].rev != rev)
        i = (i + 1) & (c->cap - 1);
    return i;
}

/* Keeps the entry when there is memory for it; a cache that cannot grow
 * only costs time. Takes the reference in e->obj either way. */
static void cache_put(struct feedbuild_cache *c, struct cache_entry e)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct cache_entry *grown = calloc(ncap, sizeof *grown);
        if (!grown) {
            json_object_put(e.obj);
            return;
        }
        struct feedbuild_cache bigger = {.cap = ncap, .n = c->n, .slots = grown};
        for (size_t i = 0; i < c->cap; i++)
            if (c->slots[i].rev)
                grown[cache_slot(&bigger, c->slots[i].rev)] = c->slots[i];
        free(c->slots);
        *c = bigger;
    }
    c->slots[cache_slot(c, e.rev)] = e;
    c->n++;
}

/* The item of rev, checked: *obj is a new reference on BUILD_OK. */
static enum build_status item_checked(const struct feedbuild_feed *feed,
                                      struct feedbuild_cache *cache,
                                      const struct store_revision *rev, struct json_object **obj,
                                      size_t *bytes)
{
    if (cache && cache->cap) {
        const struct cache_entry *e = &cache->slots[cache_slot(cache, rev)];
        if (e->rev == rev) {
            *obj = e->obj ? json_object_get(e->obj) : NULL;
            *bytes = e->bytes;
            return e->st;
        }
    }
    enum build_status st = item_object(rev, obj);
    if (st == BUILD_OK)
        st = check_item(feed, *obj, bytes);
    if (st == BUILD_INVALID) {
        json_object_put(*obj);
        *obj = NULL;
    }
    if (cache && st != BUILD_NOMEM)
        cache_put(cache, (struct cache_entry){.rev = rev,
                                              .st = st,
                                              .obj = *obj ? json_object_get(*obj) : NULL,
                                              .bytes = *bytes});
    return st;
}

static int cmp_id_rev(const void *a, const void *b)
{
    const struct store_revision *x = *(const struct store_revision *const *)a;
    const struct store_revision *y = *(const struct store_revision *const *)b;
    int c = strcmp(x->item_id ? x->item_id : "", y->item_id ? y->item_id : "");
    if (c)
        return c;
    return x->rev > y->rev ? -1 : x->rev < y->rev;
}

/* Who stays when not everything fits: priority first, then the newest
 * approval; id last so the choice never depends on the input order. */
static int cmp_keep_order(const void *a, const void *b)
{
    const struct store_revision *x = *(const struct store_revision *const *)a;
    const struct store_revision *y = *(const struct store_revision *const *)b;
    if (x->content.priority != y->content.priority)
        return x->content.priority > y->content.priority ? -1 : 1;
    if (x->decided_at != y->decided_at)
        return x->decided_at > y->decided_at ? -1 : 1;
    return cmp_id_rev(a, b);
}

struct candidate {
    const struct store_revision *rev;
    struct json_object *obj;
};

static int cmp_candidate_id(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    return cmp_id_rev(&x->rev, &y->rev);
}

bool feedbuild_payload(const struct feedbuild_feed *feed, const struct store_revision *const *revs,
                       size_t n, struct feedbuild_cache *cache, struct feedbuild_result *out,
                       struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    const struct store_revision **order = calloc(n ? n : 1, sizeof *order);
    struct candidate *kept =
        calloc(n < FEED_MAX_ITEMS ? (n ? n : 1) : FEED_MAX_ITEMS, sizeof *kept);
    size_t nkept = 0, norder = 0, used = 0;
    bool ok = order && kept;
    if (!ok)
        sg_err_set(err, "out of memory");

    /* The feed's own members first: when they are wrong no item can help. */
    if (ok) {
        struct json_object *empty = json_object_new_array();
        struct json_object *payload = empty ? payload_object(feed, empty) : NULL;
        char *text = payload ? serialise(payload, &used) : NULL;
        json_object_put(payload);
        if (!text) {
            sg_err_set(err, "out of memory");
            ok = false;
        } else if (!board_accepts(text, used, NULL, err)) {
            ok = false;
        }
        free(text);
    }

    /* One item id once, at its highest rev (the store keeps one approved
     * revision per item; this is the belt to that braces). */
    if (ok) {
        if (n > 0)
            memcpy(order, revs, n * sizeof *order);
        qsort(order, n, sizeof *order, cmp_id_rev);
        for (size_t i = 0; i < n; i++) {
            if (norder > 0 && order[i]->item_id && order[norder - 1]->item_id &&
                strcmp(order[i]->item_id, order[norder - 1]->item_id) == 0) {
                out->invalid++;
                continue;
            }
            order[norder++] = order[i];
        }
        qsort(order, norder, sizeof *order, cmp_keep_order);
    }

    for (size_t i = 0; ok && i < norder; i++) {
        struct json_object *obj = NULL;
        size_t bytes = 0;
        enum build_status st = item_checked(feed, cache, order[i], &obj, &bytes);
        if (st == BUILD_NOMEM) {
            sg_err_set(err, "out of memory");
            ok = false;
        } else if (st == BUILD_INVALID) {
            out->invalid++;
        } else if (nkept < FEED_MAX_ITEMS && used + bytes <= FEEDBUILD_MAX_PAYLOAD_BYTES) {
            kept[nkept].rev = order[i];
            kept[nkept++].obj = obj;
            used += bytes;
            obj = NULL;
        } else {
            out->left_out++;
        }
        json_object_put(obj);
    }

    /* Sorted by id: the same set always gives the same bytes. */
    struct json_object *items = ok ? json_object_new_array() : NULL;
    if (ok && !items) {
        sg_err_set(err, "out of memory");
        ok = false;
    }
    qsort(kept, nkept, sizeof *kept, cmp_candidate_id);
    for (size_t i = 0; i < nkept; i++) {
        if (ok && !push(items, kept[i].obj)) {
            sg_err_set(err, "out of memory");
            ok = false;
        } else if (!ok) {
            json_object_put(kept[i].obj);
        }
    }
    if (ok) {
        struct json_object *payload = payload_object(feed, items);
        out->payload = payload ? serialise(payload, &out->len) : NULL;
        json_object_put(payload);
        if (!out->payload) {
            sg_err_set(err, "out of memory");
            ok = false;
        }
    } else {
        json_object_put(items);
    }
    /* Each item passed alone and the whole is under the cap, so this cannot
     * fail; it is kept because the promise to the board is worth a parse. */
    if (ok && (out->len > FEEDBUILD_MAX_PAYLOAD_BYTES ||
               !board_accepts(out->payload, out->len, &out->doc, err))) {
        sg_err_set(err, "built feed payload does not parse (%zu bytes)", out->len);
        ok = false;
    }
    free(order);
    free(kept);
    if (!ok)
        feedbuild_result_finish(out);
    return ok;
}

void feedbuild_result_finish(struct feedbuild_result *res)
{
    if (!res)
        return;
    free(res->payload);
    feed_doc_finish(&res->doc);
    memset(res, 0, sizeof *res);
}
