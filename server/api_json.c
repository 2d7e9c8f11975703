/* JSON views of the store's structs (API.md "Shapes") and the mapping of
 * store results to HTTP answers. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "qlog.h"
#include "sgtime.h"

struct json_object *api_json_time(int64_t t)
{
    if (t == 0)
        return NULL; /* json-c: NULL is JSON null */
    char buf[SGTIME_RFC3339_LEN + 1];
    sgtime_format_rfc3339(t, buf);
    return json_object_new_string(buf);
}

static struct json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

struct json_object *api_json_parse_stored(const char *text)
{
    if (!text)
        return NULL;
    /* Our own, already validated output: json-c's plain parser is enough. */
    return json_tokener_parse(text);
}

struct json_object *api_json_user(const struct store_user *u)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "id", json_object_new_int64(u->id));
    json_object_object_add(o, "name", str_or_null(u->name));
    json_object_object_add(o, "role", json_object_new_string(store_role_name(u->role)));
    json_object_object_add(o, "disabled", json_object_new_boolean(u->disabled));
    return o;
}

struct json_object *api_json_revision(const struct store_revision *rev)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    const struct store_content *c = &rev->content;
    json_object_object_add(o, "id", str_or_null(rev->item_id));
    json_object_object_add(o, "rev", json_object_new_int64(rev->rev));
    json_object_object_add(o, "state", json_object_new_string(store_rev_state_name(rev->state)));
    json_object_object_add(o, "kind", json_object_new_string(c->kind));
    json_object_object_add(o, "title", str_or_null(c->title));
    json_object_object_add(o, "body", str_or_null(c->body));
    json_object_object_add(o, "author", str_or_null(c->author));
    json_object_object_add(o, "source", str_or_null(c->source));
    json_object_object_add(o, "link", str_or_null(c->link));
    json_object_object_add(o, "lang", str_or_null(c->lang));
    json_object_object_add(o, "priority", json_object_new_int(c->priority));
    struct json_object *media = json_object_new_array();
    for (size_t i = 0; i < c->nmedia; i++) {
        struct json_object *m = json_object_new_object();
        json_object_object_add(m, "sha256", json_object_new_string(c->media[i].sha256));
        json_object_object_add(m, "type", str_or_null(c->media[i].type));
        json_object_object_add(m, "alt", str_or_null(c->media[i].alt));
        json_object_array_add(media, m);
    }
    json_object_object_add(o, "media", media);
    json_object_object_add(o, "schedule", api_json_parse_stored(c->schedule_json));
    json_object_object_add(o, "targets", api_json_parse_stored(c->targets_json));
    json_object_object_add(o, "created_by", str_or_null(rev->created_by));
    json_object_object_add(o, "created_at", api_json_time(rev->created_at));
    json_object_object_add(o, "decided_by", str_or_null(rev->decided_by));
    json_object_object_add(o, "decided_at", api_json_time(rev->decided_at));
    json_object_object_add(o, "until", api_json_time(rev->until));
    json_object_object_add(o, "reason", str_or_null(rev->reason));
    json_object_object_add(o, "approved_targets",
                           api_json_parse_stored(rev->approved_targets_json));
    json_object_object_add(o, "content_sha256", json_object_new_string(rev->content_sha256));
    json_object_object_add(o, "notes", str_or_null(rev->notes));
    json_object_object_add(o, "held", str_or_null(rev->held));
    return o;
}

struct json_object *api_json_source(const struct store_source *s)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "id", json_object_new_int64(s->id));
    json_object_object_add(o, "name", str_or_null(s->name));
    json_object_object_add(o, "kind", json_object_new_string(store_source_kind_name(s->kind)));
    json_object_object_add(o, "url", str_or_null(s->url));
    json_object_object_add(o, "account", str_or_null(s->account));
    json_object_object_add(o, "poll_minutes", json_object_new_int64(s->poll_s / 60));
    json_object_object_add(o, "targets", api_json_parse_stored(s->targets_json));
    json_object_object_add(o, "lang", str_or_null(s->lang));
    json_object_object_add(o, "auto_approve", json_object_new_boolean(s->auto_approve));
    json_object_object_add(o, "use_blocklist", json_object_new_boolean(s->use_blocklist));
    json_object_object_add(o, "daily_cap", json_object_new_int64(s->daily_cap));
    json_object_object_add(o, "enabled", json_object_new_boolean(s->enabled));
    json_object_object_add(o, "has_token", json_object_new_boolean(s->has_token));
    json_object_object_add(o, "created_at", api_json_time(s->created_at));
    json_object_object_add(o, "last_poll_at", api_json_time(s->last_poll_at));
    json_object_object_add(o, "last_ok_at", api_json_time(s->last_ok_at));
    json_object_object_add(o, "next_poll_at", api_json_time(s->next_poll_at));
    json_object_object_add(o, "last_error", str_or_null(s->last_error));
    json_object_object_add(o, "posts_24h", json_object_new_int64(s->posts_24h));
    return o;
}

struct json_object *api_json_item(const struct store_item *it)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "id", str_or_null(it->id));
    json_object_object_add(o, "kind", json_object_new_string(it->kind));
    json_object_object_add(o, "created_by", str_or_null(it->created_by));
    json_object_object_add(o, "created_at", api_json_time(it->created_at));
    json_object_object_add(o, "latest", api_json_revision(&it->latest));
    json_object_object_add(o, "shown", it->has_shown ? api_json_revision(&it->shown) : NULL);
    return o;
}

struct json_object *api_json_screen(const struct store_screen *s, int64_t now)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "id", str_or_null(s->id));
    json_object_object_add(o, "name", str_or_null(s->name));
    json_object_object_add(o, "group", str_or_null(s->group));
    json_object_object_add(o, "location", str_or_null(s->location));
    json_object_object_add(o, "timezone", str_or_null(s->timezone));
    json_object_object_add(o, "online",
                           json_object_new_boolean(s->last_seen && now - s->last_seen <= 180));
    json_object_object_add(o, "last_seen", api_json_time(s->last_seen));
    json_object_object_add(o, "feed_version", json_object_new_int64(s->feed_version));
    json_object_object_add(o, "feed_issued", api_json_time(s->feed_issued));
    json_object_object_add(o, "feed_expires", api_json_time(s->feed_expires));
    json_object_object_add(o, "status", api_json_parse_stored(s->status_json));
    json_object_object_add(o, "has_screenshot", json_object_new_boolean(s->has_screenshot));
    json_object_object_add(o, "screenshot_requested",
                           json_object_new_boolean(s->screenshot_requested));
    return o;
}

struct json_object *api_json_settings(const struct store_settings *s)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "emergency_stop", json_object_new_boolean(s->emergency_stop));
    struct json_object *fe = json_object_new_object();
    json_object_object_add(fe, "post", json_object_new_boolean(s->four_eyes_post));
    json_object_object_add(fe, "tip", json_object_new_boolean(s->four_eyes_tip));
    json_object_object_add(fe, "notice", json_object_new_boolean(s->four_eyes_notice));
    json_object_object_add(o, "four_eyes", fe);
    json_object_object_add(o, "approval_days", json_object_new_int(s->approval_days));
    json_object_object_add(o, "clinic", json_object_new_string(s->clinic));
    json_object_object_add(o, "feed_lifetime_s", json_object_new_int64(s->feed_lifetime_s));
    return o;
}

int api_store_error(struct http_req *r, enum store_status st, const struct sg_err *err)
{
    const char *msg = err && err->set ? err->msg : "";
    switch (st) {
    case STORE_NOT_FOUND:
        return http_reply_error(r, 404, "not-found", *msg ? msg : "Not found.");
    case STORE_CONFLICT:
        return http_reply_error(r, 409, "conflict", *msg ? msg : "Not allowed in this state.");
    case STORE_FORBIDDEN:
        return http_reply_error(r, 403, "forbidden", *msg ? msg : "Not allowed.");
    case STORE_INVALID:
        return http_reply_error(r, 400, "bad-request", *msg ? msg : "Invalid value.");
    case STORE_OK:
    case STORE_ERROR:
    default:
        break;
    }
    char quoted[300];
    qlog(QLOG_ERROR, "store", "path=%s error=%s", r->path, qlog_quote(msg, quoted, sizeof quoted));
    return http_reply_error(r, 500, "internal", "The server could not complete this.");
}

int api_bad_request(struct http_req *r, const struct sg_err *err)
{
    return http_reply_error(r, 400, "bad-request",
                            err && err->set ? err->msg : "The request is malformed.");
}

struct store_actor api_actor(const struct http_req *r)
{
    struct store_actor a = {.user_id = r->user_id, .name = r->user_name, .ip = r->ip};
    return a;
}
