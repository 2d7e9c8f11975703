/* Ingest sources (staff: list, add, change, new webhook token, poll now)
 * and the webhook itself (POST /api/ingest with a source's token). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "ingest.h"
#include "qlog.h"
#include "queue.h"
#include "requests.h"
#include "source_poller.h"

/* "<id>.<64 hex>": what a webhook sends as its bearer token. */
static void token_text(int64_t id, const unsigned char token[STORE_TOKEN_BYTES], char *out,
                       size_t cap)
{
    char hex[2 * STORE_TOKEN_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, token, STORE_TOKEN_BYTES);
    snprintf(out, cap, "%lld.%s", (long long)id, hex);
    sodium_memzero(hex, sizeof hex);
}

/* The {} segment as a source id. */
static bool source_id(const struct http_req *r, int64_t *id)
{
    const char *s = r->params[0];
    if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
        return false;
    *id = strtoll(s, NULL, 10);
    return *id > 0;
}

static int reply_source(struct http_req *r, unsigned status, int64_t id, const char *token)
{
    struct store_source src;
    struct sg_err err = {0};
    enum store_status st = store_source_get(r->q->store, id, r->now, &src, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "source", api_json_source(&src));
    if (token)
        json_object_object_add(o, "token", json_object_new_string(token));
    store_source_finish(&src);
    return http_reply_json(r, status, o);
}

int api_sources_list(struct http_req *r)
{
    struct store_source *list = NULL;
    size_t n = 0;
    struct sg_err err = {0};
    enum store_status st = store_source_list(r->q->store, r->now, &list, &n, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, api_json_source(&list[i]));
    store_sources_free(list, n);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "sources", arr);
    return http_reply_json(r, 200, o);
}

int api_sources_add(struct http_req *r)
{
    struct store_source src;
    struct sg_err err = {0};
    if (!req_parse_source(false, r->body, r->body_len, &src, &err))
        return api_bad_request(r, &err);
    struct store_actor who = api_actor(r);
    unsigned char token[STORE_TOKEN_BYTES];
    int64_t id = 0;
    enum store_status st = store_source_add(r->q->store, &who, &src, r->now, &id, token, &err);
    bool webhook = src.kind == STORE_SOURCE_WEBHOOK;
    store_source_finish(&src);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    source_poller_kick(r->q->poller);
    char text[40 + 2 * STORE_TOKEN_BYTES];
    if (webhook)
        token_text(id, token, text, sizeof text);
    sodium_memzero(token, sizeof token);
    /* The token is shown once; the store keeps only its hash. */
    int status = reply_source(r, 201, id, webhook ? text : NULL);
    sodium_memzero(text, sizeof text);
    return status;
}

int api_source_update(struct http_req *r)
{
    int64_t id;
    if (!source_id(r, &id))
        return http_reply_error(r, 404, "not-found", "No such source.");
    struct store_source src;
    struct sg_err err = {0};
    if (!req_parse_source(true, r->body, r->body_len, &src, &err))
        return api_bad_request(r, &err);
    struct store_actor who = api_actor(r);
    enum store_status st = store_source_update(r->q->store, &who, id, &src, r->now, &err);
    store_source_finish(&src);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    source_poller_kick(r->q->poller);
    return reply_source(r, 200, id, NULL);
}

int api_source_token(struct http_req *r)
{
    int64_t id;
    if (!source_id(r, &id))
        return http_reply_error(r, 404, "not-found", "No such source.");
    struct store_actor who = api_actor(r);
    unsigned char token[STORE_TOKEN_BYTES];
    struct sg_err err = {0};
    enum store_status st = store_source_new_token(r->q->store, &who, id, r->now, token, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    char text[40 + 2 * STORE_TOKEN_BYTES];
    token_text(id, token, text, sizeof text);
    sodium_memzero(token, sizeof token);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "token", json_object_new_string(text));
    sodium_memzero(text, sizeof text);
    return http_reply_json(r, 200, o);
}

int api_source_poll(struct http_req *r)
{
    int64_t id;
    if (!source_id(r, &id))
        return http_reply_error(r, 404, "not-found", "No such source.");
    struct sg_err err = {0};
    enum store_status st = store_source_poll_now(r->q->store, id, &err);
    if (st != STORE_OK)
        return api_store_error(r, st, &err);
    source_poller_kick(r->q->poller);
    return http_reply_json(r, 200, json_object_new_object());
}

/* The webhook: the batch is checked here (a bad one is refused with the
 * reason) and taken by the ingest thread, which also fetches its images:
 * 202, the posts show up as pending items within seconds. */
int api_ingest(struct http_req *r)
{
    struct ingest_batch batch = {0};
    struct sg_err err = {0};
    if (!ingest_parse_webhook(r->body, r->body_len, &batch, &err))
        return api_bad_request(r, &err);
    size_t n = batch.n;
    if (!r->q->poller || !source_poller_submit(r->q->poller, r->user_id, &batch)) {
        ingest_batch_finish(&batch);
        http_add_header(r, "Retry-After", "10");
        return http_reply_error(r, 503, "busy", "Too many batches are waiting; try again soon.");
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "queued", json_object_new_int64((int64_t)n));
    return http_reply_json(r, 202, o);
}
