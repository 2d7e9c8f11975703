/* Items, their revisions and decisions, previews and media uploads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "preview.h"
#include "publisher.h"
#include "qlog.h"
#include "queue.h"
#include "requests.h"
#include "upload.h"

#define ITEM_LIST_LIMIT 500

static int reply_item(struct http_req *r, unsigned status, const char *id)
{
    struct store_item it = {0};
    struct sg_err err = {0};
    enum store_status st = store_item_get(r->q->store, id, &it, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "item", api_json_item(&it));
    store_item_finish(&it);
    return http_reply_json(r, status, o);
}

int api_items_list(struct http_req *r)
{
    const char *state = http_query(r, "state");
    bool all = state && strcmp(state, "all") == 0;
    enum store_rev_state want = STORE_REV_PENDING;
    if (state && !all && !store_rev_state_parse(state, &want))
        return http_reply_error(r, 400, "bad-request",
                                "state: pending, approved, rejected, revoked, expired or all.");
    struct store_item *items = NULL;
    size_t n = 0;
    struct sg_err err = {0};
    enum store_status st =
        store_item_list(r->q->store, all, want, ITEM_LIST_LIMIT, &items, &n, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, api_json_item(&items[i]));
    store_items_free(items, n);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "items", arr);
    return http_reply_json(r, 200, o);
}

int api_items_create(struct http_req *r)
{
    struct store_content c = {0};
    struct sg_err err = {0};
    if (!req_parse_item(r->body, r->body_len, &c, &err))
        return api_bad_request(r, &err);
    char *id = NULL;
    struct store_actor who = api_actor(r);
    enum store_status st = store_item_create(r->q->store, &who, &c, r->now, &id, &err);
    store_content_finish(&c);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    int code = reply_item(r, 201, id);
    free(id);
    return code;
}

int api_item_get(struct http_req *r)
{
    const char *id = r->params[0];
    struct store_item it = {0};
    struct sg_err err = {0};
    enum store_status st = store_item_get(r->q->store, id, &it, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct store_revision *revs = NULL;
    size_t n = 0;
    st = store_item_revisions(r->q->store, id, &revs, &n, &err);
    if (st != STORE_OK) {
        store_item_finish(&it);
        return api_store_error(r, st, &err);
    }
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, api_json_revision(&revs[i]));
    store_revisions_free(revs, n);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "item", api_json_item(&it));
    json_object_object_add(o, "revisions", arr);
    store_item_finish(&it);
    return http_reply_json(r, 200, o);
}

int api_item_revise(struct http_req *r)
{
    struct store_content c = {0};
    struct sg_err err = {0};
    if (!req_parse_item(r->body, r->body_len, &c, &err))
        return api_bad_request(r, &err);
    int64_t rev = 0;
    struct store_actor who = api_actor(r);
    enum store_status st =
        store_item_revise(r->q->store, &who, r->params[0], &c, r->now, &rev, &err);
    store_content_finish(&c);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    return reply_item(r, 201, r->params[0]);
}

static bool four_eyes_for(const struct store_settings *s, const char *kind)
{
    if (strcmp(kind, "post") == 0)
        return s->four_eyes_post;
    if (strcmp(kind, "tip") == 0)
        return s->four_eyes_tip;
    return s->four_eyes_notice;
}

int api_item_approve(struct http_req *r)
{
    const char *id = r->params[0];
    struct req_decision d = {0};
    struct sg_err err = {0};
    if (!req_parse_decision("approve", r->body, r->body_len, &d, &err))
        return api_bad_request(r, &err);
    struct store_settings set;
    struct store_revision rev = {0};
    enum store_status st = store_settings_get(r->q->store, &set, &err);
    if (st == STORE_OK)
        st = store_revision_get(r->q->store, id, d.rev, &rev, &err);
    if (st != STORE_OK) {
        req_decision_finish(&d);
        return api_store_error(r, st, &err);
    }
    int64_t until = d.has_until ? d.until : r->now + (int64_t)set.approval_days * 86400;
    if (until <= r->now) {
        req_decision_finish(&d);
        store_revision_finish(&rev);
        return http_reply_error(r, 400, "bad-request", "until: must be in the future.");
    }
    struct store_actor who = api_actor(r);
    bool four_eyes = four_eyes_for(&set, rev.content.kind);
    if (d.release_hold && rev.held)
        st = store_approve_held(r->q->store, &who, id, d.rev, until, d.targets_json, four_eyes,
                                r->now, &err);
    else
        st = store_approve(r->q->store, &who, id, d.rev, until, d.targets_json, four_eyes, r->now,
                           &err);
    int64_t created = rev.created_at;
    store_revision_finish(&rev);
    req_decision_finish(&d);
    if (st == STORE_FORBIDDEN)
        return http_reply_error(r, 403, "four-eyes",
                                "Four-eyes rule: someone else must approve your own item.");
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    metrics_approval(&r->q->metrics, r->now - created);
    publisher_kick(r->q->publisher);
    return reply_item(r, 200, id);
}

/* Approves many pending revisions at once (a starter library of tips): each
 * as if approved alone (four-eyes, holds), reported one by one. */
int api_items_approve_batch(struct http_req *r)
{
    struct req_batch *b = calloc(1, sizeof *b); /* about 30 KiB: not on the stack */
    struct sg_err err = {0};
    if (!b)
        return http_reply_error(r, 500, "internal", "Out of memory.");
    if (!req_parse_batch(r->body, r->body_len, b, &err)) {
        free(b);
        return api_bad_request(r, &err);
    }
    struct store_settings set;
    enum store_status st = store_settings_get(r->q->store, &set, &err);
    if (st != STORE_OK) {
        free(b);
        return api_store_error(r, st, &err);
    }
    int64_t until = b->has_until ? b->until : r->now + (int64_t)set.approval_days * 86400;
    if (until <= r->now) {
        free(b);
        return http_reply_error(r, 400, "bad-request", "until: must be in the future.");
    }
    struct store_actor who = api_actor(r);
    struct json_object *results = json_object_new_array();
    size_t approved = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct store_revision rev = {0};
        struct sg_err e = {0};
        st = store_revision_get(r->q->store, b->ids[i], b->revs[i], &rev, &e);
        if (st == STORE_OK)
            st = store_approve(r->q->store, &who, b->ids[i], b->revs[i], until, NULL,
                               four_eyes_for(&set, rev.content.kind), r->now, &e);
        if (st == STORE_OK) {
            approved++;
            metrics_approval(&r->q->metrics, r->now - rev.created_at);
        }
        store_revision_finish(&rev);
        struct json_object *res = json_object_new_object();
        json_object_object_add(res, "id", json_object_new_string(b->ids[i]));
        json_object_object_add(res, "rev", json_object_new_int64(b->revs[i]));
        json_object_object_add(res, "ok", json_object_new_boolean(st == STORE_OK));
        if (st != STORE_OK)
            json_object_object_add(res, "error", json_object_new_string(e.msg));
        json_object_array_add(results, res);
    }
    free(b);
    if (approved)
        publisher_kick(r->q->publisher);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "approved", json_object_new_int64((int64_t)approved));
    json_object_object_add(o, "results", results);
    return http_reply_json(r, 200, o);
}

static int decide(struct http_req *r, const char *kind)
{
    const char *id = r->params[0];
    struct req_decision d = {0};
    struct sg_err err = {0};
    if (!req_parse_decision(kind, r->body, r->body_len, &d, &err))
        return api_bad_request(r, &err);
    struct store_actor who = api_actor(r);
    enum store_status st = strcmp(kind, "reject") == 0
                               ? store_reject(r->q->store, &who, id, d.rev, d.reason, r->now, &err)
                               : store_revoke(r->q->store, &who, id, d.rev, d.reason, r->now, &err);
    req_decision_finish(&d);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    publisher_kick(r->q->publisher);
    return reply_item(r, 200, id);
}

int api_item_reject(struct http_req *r)
{
    return decide(r, "reject");
}

int api_item_revoke(struct http_req *r)
{
    return decide(r, "revoke");
}

/* ---- previews ---- */

static bool parse_int_param(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Renders the preview both preview routes answer from. */
static int render_preview(struct http_req *r, struct preview_result *out)
{
    long rev = 0, w = 1920, h = 1080;
    if (!parse_int_param(r->params[1], 1, 1000000000L, &rev))
        return http_reply_error(r, 404, "not-found", "No such revision.");
    const char *qw = http_query(r, "w"), *qh = http_query(r, "h");
    if ((qw && !parse_int_param(qw, PREVIEW_MIN_SIDE, PREVIEW_MAX_SIDE, &w)) ||
        (qh && !parse_int_param(qh, PREVIEW_MIN_SIDE, PREVIEW_MAX_SIDE, &h)))
        return http_reply_error(r, 400, "bad-request", "w, h: pixels from 160 to 3840.");
    struct store_revision rv = {0};
    struct store_settings set;
    struct sg_err err = {0};
    enum store_status st = store_revision_get(r->q->store, r->params[0], rev, &rv, &err);
    if (st == STORE_OK)
        st = store_settings_get(r->q->store, &set, &err);
    if (st != STORE_OK) {
        store_revision_finish(&rv);
        return api_store_error(r, st, &err);
    }
    void *image = NULL;
    size_t image_len = 0;
    if (rv.content.nmedia > 0) {
        char *type = NULL;
        if (store_media_get(r->q->store, rv.content.media[0].sha256, &image, &image_len, &type,
                            &err) != STORE_OK) {
            image = NULL;
            image_len = 0;
        }
        free(type);
    }
    bool ok = preview_render(r->q->preview, &rv, set.clinic, (int)w, (int)h, r->now, image,
                             image_len, out, &err);
    free(image);
    store_revision_finish(&rv);
    if (!ok) {
        char quoted[300];
        qlog(QLOG_ERROR, "preview", "error=%s", qlog_quote(err.msg, quoted, sizeof quoted));
        return http_reply_error(r, 500, "internal", "The preview could not be drawn.");
    }
    return 0;
}

int api_item_preview_png(struct http_req *r)
{
    struct preview_result pr = {0};
    int st = render_preview(r, &pr);
    if (st)
        return st;
    /* A revision never changes, so neither does its picture (the clock in
     * the header does; an hour is close enough for a preview). */
    http_add_header(r, "Cache-Control", "private, max-age=3600");
    return http_reply_bytes(r, 200, "image/png", pr.png, pr.png_len, free);
}

int api_item_preview_info(struct http_req *r)
{
    struct preview_result pr = {0};
    int st = render_preview(r, &pr);
    if (st)
        return st;
    free(pr.png);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "fits", json_object_new_boolean(pr.fits));
    json_object_object_add(o, "min_size", json_object_new_boolean(pr.min_size));
    json_object_object_add(o, "body_px", json_object_new_int(pr.body_px));
    return http_reply_json(r, 200, o);
}

/* ---- POST /api/media ---- */

int api_media_upload(struct http_req *r)
{
    const char *ct = http_header(r, "Content-Type");
    if (!ct || (strcmp(ct, "image/png") != 0 && strcmp(ct, "image/jpeg") != 0 &&
                strcmp(ct, "image/webp") != 0))
        return http_reply_error(r, 415, "unsupported-media-type",
                                "Upload a PNG, JPEG or WebP image.");
    struct upload_image img;
    struct sg_err err = {0};
    switch (upload_check_image(ct, r->body, r->body_len, &img, &err)) {
    case UPLOAD_OK:
        break;
    case UPLOAD_UNSUPPORTED:
        return http_reply_error(r, 415, "unsupported-media-type", err.msg);
    case UPLOAD_TOO_LARGE:
        return http_reply_error(r, 413, "too-large", err.msg);
    case UPLOAD_MALFORMED:
    default:
        return api_bad_request(r, &err);
    }
    struct store_actor who = api_actor(r);
    enum store_status st = store_media_put(r->q->store, &who, img.sha256, img.type, img.width,
                                           img.height, r->body, r->body_len, r->now, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "sha256", json_object_new_string(img.sha256));
    json_object_object_add(o, "type", json_object_new_string(img.type));
    json_object_object_add(o, "width", json_object_new_int(img.width));
    json_object_object_add(o, "height", json_object_new_int(img.height));
    return http_reply_json(r, 201, o);
}
