/* Route handlers (one file per area: api_kiosk.c, api_items.c,
 * api_staff.c) and what they share (api_json.c): JSON views of the store's
 * structs and the mapping of store results to HTTP answers. */
#ifndef SIGNET_QUEUE_API_H
#define SIGNET_QUEUE_API_H

#include <json-c/json.h>

#include "http.h"
#include "store.h"

/* api_kiosk.c: the read side and operations. */
int api_feed(struct http_req *r);
int api_media(struct http_req *r);
int api_status(struct http_req *r);
int api_healthz(struct http_req *r);
int api_metrics(struct http_req *r);
int api_page(struct http_req *r);

/* api_items.c */
int api_items_list(struct http_req *r);
int api_items_create(struct http_req *r);
int api_item_get(struct http_req *r);
int api_item_revise(struct http_req *r);
int api_item_approve(struct http_req *r);
int api_item_reject(struct http_req *r);
int api_item_revoke(struct http_req *r);
int api_item_preview_png(struct http_req *r);
int api_item_preview_info(struct http_req *r);
int api_media_upload(struct http_req *r);
int api_items_approve_batch(struct http_req *r);

/* api_sources.c: ingest sources and the webhook. */
int api_sources_list(struct http_req *r);
int api_sources_add(struct http_req *r);
int api_source_update(struct http_req *r);
int api_source_token(struct http_req *r);
int api_source_poll(struct http_req *r);
int api_ingest(struct http_req *r);

/* api_staff.c */
int api_login(struct http_req *r);
int api_logout(struct http_req *r);
int api_session(struct http_req *r);
int api_password(struct http_req *r);
int api_screens_list(struct http_req *r);
int api_screens_add(struct http_req *r);
int api_screen_token(struct http_req *r);
int api_screen_request_screenshot(struct http_req *r);
int api_screen_screenshot(struct http_req *r);
int api_emergency(struct http_req *r);
int api_audit(struct http_req *r);
int api_audit_csv(struct http_req *r);
int api_users_list(struct http_req *r);
int api_users_add(struct http_req *r);
int api_user_update(struct http_req *r);
int api_settings_get(struct http_req *r);
int api_settings_set(struct http_req *r);

/* api_json.c. Each returns a new object (NULL on allocation failure). */
struct json_object *api_json_time(int64_t t); /* RFC 3339, or null for 0 */
struct json_object *api_json_user(const struct store_user *u);
struct json_object *api_json_revision(const struct store_revision *rev);
struct json_object *api_json_item(const struct store_item *it);
struct json_object *api_json_screen(const struct store_screen *s, int64_t now);
struct json_object *api_json_settings(const struct store_settings *s);
struct json_object *api_json_source(const struct store_source *s);
/* Parses a JSON text the store holds (schedule, targets, status); null when
 * absent or unreadable. */
struct json_object *api_json_parse_stored(const char *text);

/* Answers a failed store call: 404, 409, 403 (four-eyes), 400 or 500 (the
 * detail of a 500 goes to the log, not to the client). */
int api_store_error(struct http_req *r, enum store_status st, const struct sg_err *err);
/* 400 bad-request with err's message. */
int api_bad_request(struct http_req *r, const struct sg_err *err);
/* The acting user for the store's audit rows. */
struct store_actor api_actor(const struct http_req *r);

#endif
