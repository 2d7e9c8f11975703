#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "feed.h"
#include "ingest.h"
#include "requests.h"
#include "store.h"

#define KiB 1024u

/* The whole surface of the server. Order matters only where two patterns
 * could match the same path (none do). */
static const struct route routes[] = {
    /* Screens and mirrors: signed data, no session. */
    {"GET", "/v1/screens/{}/feed", ROUTE_PUBLIC, 0, METRICS_FEED, api_feed, false},
    {"GET", "/v1/media/{}", ROUTE_PUBLIC, 0, METRICS_MEDIA, api_media, false},
    {"POST", "/v1/screens/{}/status", ROUTE_SCREEN, REQ_MAX_STATUS_BYTES, METRICS_STATUS,
     api_status, false},
    {"GET", "/healthz", ROUTE_PUBLIC, 0, METRICS_OPS, api_healthz, false},
    {"GET", "/metrics", ROUTE_PUBLIC, 0, METRICS_OPS, api_metrics, false},

    /* Staff. */
    {"POST", "/api/login", ROUTE_LOGIN, 4 * KiB, METRICS_API, api_login, false},
    {"POST", "/api/logout", ROUTE_SESSION, KiB, METRICS_API, api_logout, false},
    {"GET", "/api/session", ROUTE_SESSION, 0, METRICS_API, api_session, false},
    {"POST", "/api/password", ROUTE_SESSION, 4 * KiB, METRICS_API, api_password, false},
    {"GET", "/api/items", ROUTE_EDITOR, 0, METRICS_API, api_items_list, false},
    {"POST", "/api/items", ROUTE_EDITOR, REQ_MAX_BODY_BYTES, METRICS_API, api_items_create, false},
    {"GET", "/api/items/{}", ROUTE_EDITOR, 0, METRICS_API, api_item_get, false},
    {"POST", "/api/items/{}/revisions", ROUTE_EDITOR, REQ_MAX_BODY_BYTES, METRICS_API,
     api_item_revise, false},
    {"POST", "/api/items/{}/approve", ROUTE_APPROVER, REQ_MAX_BODY_BYTES, METRICS_API,
     api_item_approve, false},
    {"POST", "/api/items/{}/reject", ROUTE_APPROVER, REQ_MAX_BODY_BYTES, METRICS_API,
     api_item_reject, false},
    {"POST", "/api/items/{}/revoke", ROUTE_APPROVER, REQ_MAX_BODY_BYTES, METRICS_API,
     api_item_revoke, false},
    {"GET", "/api/items/{}/revisions/{}/preview.png", ROUTE_EDITOR, 0, METRICS_API,
     api_item_preview_png, false},
    {"GET", "/api/items/{}/revisions/{}/preview", ROUTE_EDITOR, 0, METRICS_API,
     api_item_preview_info, false},
    {"POST", "/api/media", ROUTE_EDITOR, STORE_MAX_MEDIA_BYTES, METRICS_API, api_media_upload,
     true},
    {"GET", "/api/media/{}", ROUTE_EDITOR, 0, METRICS_API, api_media, false},
    {"POST", "/api/items/approve", ROUTE_APPROVER, REQ_MAX_BODY_BYTES, METRICS_API,
     api_items_approve_batch, false},
    {"GET", "/api/sources", ROUTE_EDITOR, 0, METRICS_API, api_sources_list, false},
    {"POST", "/api/sources", ROUTE_ADMIN, 8 * KiB, METRICS_API, api_sources_add, false},
    {"POST", "/api/sources/{}", ROUTE_ADMIN, 8 * KiB, METRICS_API, api_source_update, false},
    {"POST", "/api/sources/{}/token", ROUTE_ADMIN, KiB, METRICS_API, api_source_token, false},
    {"POST", "/api/sources/{}/poll", ROUTE_APPROVER, KiB, METRICS_API, api_source_poll, false},
    {"POST", "/api/ingest", ROUTE_SOURCE, INGEST_MAX_WEBHOOK_BYTES, METRICS_API, api_ingest, false},
    {"GET", "/api/screens", ROUTE_EDITOR, 0, METRICS_API, api_screens_list, false},
    {"POST", "/api/screens", ROUTE_ADMIN, 4 * KiB, METRICS_API, api_screens_add, false},
    {"POST", "/api/screens/{}/token", ROUTE_ADMIN, KiB, METRICS_API, api_screen_token, false},
    {"POST", "/api/screens/{}/screenshot", ROUTE_APPROVER, KiB, METRICS_API,
     api_screen_request_screenshot, false},
    {"GET", "/api/screens/{}/screenshot.png", ROUTE_EDITOR, 0, METRICS_API, api_screen_screenshot,
     false},
    {"POST", "/api/emergency", ROUTE_APPROVER, 1 * KiB, METRICS_API, api_emergency, false},
    {"GET", "/api/audit", ROUTE_APPROVER, 0, METRICS_API, api_audit, false},
    {"GET", "/api/audit.csv", ROUTE_APPROVER, 0, METRICS_API, api_audit_csv, false},
    {"GET", "/api/users", ROUTE_ADMIN, 0, METRICS_API, api_users_list, false},
    {"POST", "/api/users", ROUTE_ADMIN, 4 * KiB, METRICS_API, api_users_add, false},
    {"POST", "/api/users/{}", ROUTE_ADMIN, 4 * KiB, METRICS_API, api_user_update, false},
    {"GET", "/api/settings", ROUTE_EDITOR, 0, METRICS_API, api_settings_get, false},
    {"POST", "/api/settings", ROUTE_ADMIN, 4 * KiB, METRICS_API, api_settings_set, false},

    /* The page: "/" and one level of embedded files ("/app.js"). */
    {"GET", "/", ROUTE_PUBLIC, 0, METRICS_PAGE, api_page, false},
    {"GET", "/{}", ROUTE_PUBLIC, 0, METRICS_PAGE, api_page, false},
};

/* A {} stands for one path segment holding an id, a name, a hash, a
 * revision number or a file name: feed_name_valid's rule, at most
 * ROUTE_MAX_SEGMENT bytes. Everything else ("..", "%2f" decoded to "/",
 * spaces, NUL) never reaches a handler. */
#define ROUTE_MAX_SEGMENT 128

/* Matches path against pattern, copying {} segments into buf. */
static bool match(const char *pattern, const char *path, char *buf,
                  const char *params[HTTP_MAX_PARAMS])
{
    size_t np = 0;
    const char *p = pattern, *s = path;
    while (*p) {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = s;
            while (*end && *end != '/')
                end++;
            if (np == HTTP_MAX_PARAMS)
                return false;
            memcpy(buf, s, (size_t)(end - s));
            buf[end - s] = '\0';
            if (!feed_name_valid(buf, ROUTE_MAX_SEGMENT))
                return false;
            params[np++] = buf;
            buf += (end - s) + 1;
            s = end;
            p += 2;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

const struct route *routes_match(const char *method, const char *path, char *seg_buf,
                                 const char *params[HTTP_MAX_PARAMS], char *allow)
{
    bool head = strcmp(method, "HEAD") == 0;
    bool get = false, post = false;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *tmp[HTTP_MAX_PARAMS] = {0};
        if (!match(routes[i].pattern, path, seg_buf, tmp))
            continue;
        if (strcmp(routes[i].method, method) == 0 ||
            (head && strcmp(routes[i].method, "GET") == 0)) {
            memcpy(params, tmp, sizeof tmp);
            return &routes[i];
        }
        if (strcmp(routes[i].method, "GET") == 0)
            get = true;
        else
            post = true;
    }
    snprintf(allow, ROUTES_ALLOW_LEN, "%s%s%s", get ? "GET, HEAD" : "", get && post ? ", " : "",
             post ? "POST" : "");
    return NULL;
}
