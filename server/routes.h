/* The static route table of the queue (routes.c) and the access rule of
 * each route. http.c matches, reads the body up to max_body, runs the
 * access check (auth.c), then the handler. */
#ifndef SIGNET_QUEUE_ROUTES_H
#define SIGNET_QUEUE_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "metrics.h"

enum route_access {
    ROUTE_PUBLIC,  /* feeds, media, health, the page's files */
    ROUTE_SCREEN,  /* a screen's bearer token; the handler checks it */
    ROUTE_SOURCE,  /* a webhook source's bearer token ("<id>.<hex>"); the source's
                    * id lands in http_req.user_id */
    ROUTE_LOGIN,   /* no session yet, but the cross-site checks apply */
    ROUTE_SESSION, /* any signed-in user */
    ROUTE_EDITOR,
    ROUTE_APPROVER,
    ROUTE_ADMIN,
};

/* Returns the HTTP status it replied with. */
typedef int (*route_fn)(struct http_req *r);

struct route {
    const char *method;  /* "GET" (also answers HEAD) or "POST" */
    const char *pattern; /* "/api/items/{}/approve": {} is one path segment */
    enum route_access access;
    size_t max_body; /* bytes; 0: no body allowed */
    enum metrics_route metrics;
    route_fn handler;
    bool raw_body; /* the body is bytes (an image), not JSON */
};

/* The route for method and path, with its {} segments in params (pointers
 * into seg_buf, which must hold strlen(path) + 1 bytes). NULL when none
 * matches; then allow (ROUTES_ALLOW_LEN bytes) lists the methods the path
 * does answer ("" for an unknown path: 404, else 405 with Allow). */
#define ROUTES_ALLOW_LEN 24
const struct route *routes_match(const char *method, const char *path, char *seg_buf,
                                 const char *params[HTTP_MAX_PARAMS], char *allow);

#endif
