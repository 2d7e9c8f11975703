#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <json-c/json.h>
#include <microhttpd.h>
#include <sodium.h>

#include "auth.h"
#include "qlog.h"
#include "queue.h"
#include "routes.h"

#define MAX_EXTRA_HEADERS 12
/* An over-limit body up to this size is read and dropped before the 413. */
#define HTTP_DRAIN_MAX_BYTES (1024u * 1024u)
/* Bodies up to this size get their whole buffer at once: no realloc leaves
 * copies of a password behind, and the one buffer is wiped at the end. */
#define HTTP_SMALL_BODY_BYTES (64u * 1024u)

/* Sent with every answer. The page needs nothing beyond its own origin;
 * previews are fetched as blobs. */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' blob:; connect-src 'self'; form-action 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'";

struct http_server {
    struct MHD_Daemon *daemon;
    struct queue *q;
    bool trust_proxy;
    bool tls;
    uint16_t port;
};

/* Per-request state, the http_req's priv. Lives from microhttpd's first call
 * for a request to its completion callback. */
struct conn {
    struct http_req req;
    struct http_server *server;
    struct MHD_Connection *mhd;
    const struct route *route;
    char *seg_buf;
    size_t body_cap; /* allocated */
    bool too_large;
    size_t drained; /* body bytes read and dropped after too_large */
    bool replied;
    bool suspended, resumed;
    char allow[ROUTES_ALLOW_LEN];
    unsigned status;
    int64_t started_ms;
    size_t nextra;
    char *extra_name[MAX_EXTRA_HEADERS], *extra_value[MAX_EXTRA_HEADERS];
    void *state;
    void (*state_free)(void *);
};

int64_t http_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct conn *conn_of(const struct http_req *r)
{
    return r->priv;
}

const char *http_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(conn_of(r)->mhd, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(conn_of(r)->mhd, MHD_GET_ARGUMENT_KIND, name);
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    struct conn *c = conn_of(r);
    if (c->nextra == MAX_EXTRA_HEADERS)
        return;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    c->extra_name[c->nextra] = n;
    c->extra_value[c->nextra] = v;
    c->nextra++;
}

static bool has_extra(const struct conn *c, const char *name)
{
    for (size_t i = 0; i < c->nextra; i++)
        if (strcasecmp(c->extra_name[i], name) == 0)
            return true;
    return false;
}

static int send_response(struct conn *c, unsigned status, struct MHD_Response *resp)
{
    if (!resp) {
        qlog(QLOG_ERROR, "reply", "error=\"out of memory\"");
        return 0;
    }
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (c->server->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (!has_extra(c, "Cache-Control"))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (size_t i = 0; i < c->nextra; i++)
        MHD_add_response_header(resp, c->extra_name[i], c->extra_value[i]);
    enum MHD_Result ok = MHD_queue_response(c->mhd, status, resp);
    MHD_destroy_response(resp);
    if (ok != MHD_YES)
        return 0; /* the caller closes the connection */
    c->replied = true;
    c->status = status;
    return (int)status;
}

int http_reply_bytes(struct http_req *r, unsigned status, const char *content_type,
                     const void *data, size_t len, void (*free_fn)(void *))
{
    struct conn *c = conn_of(r);
    struct MHD_Response *resp;
    if (free_fn)
        resp = MHD_create_response_from_buffer_with_free_callback(len, (void *)data, free_fn);
    else
        resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (resp && content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    if (!resp && free_fn)
        free_fn((void *)data);
    send_response(c, status, resp);
    return (int)status;
}

int http_reply_json(struct http_req *r, unsigned status, struct json_object *body_json)
{
    size_t len = 0;
    const char *text =
        body_json ? json_object_to_json_string_length(
                        body_json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len)
                  : NULL;
    if (!text) {
        static const char oom[] = "{\"error\":\"internal\",\"message\":\"out of memory\"}";
        json_object_put(body_json);
        return http_reply_bytes(r, 500, "application/json", oom, sizeof oom - 1, NULL);
    }
    int st = http_reply_bytes(r, status, "application/json; charset=utf-8", text, len, NULL);
    json_object_put(body_json);
    return st;
}

int http_reply_error(struct http_req *r, unsigned status, const char *code, const char *message)
{
    struct json_object *o = json_object_new_object();
    if (o) {
        json_object_object_add(o, "error", json_object_new_string(code));
        json_object_object_add(o, "message", json_object_new_string(message));
    }
    return http_reply_json(r, status, o);
}

void http_suspend(struct http_req *r)
{
    struct conn *c = conn_of(r);
    c->suspended = true;
    c->resumed = false;
    MHD_suspend_connection(c->mhd);
}

void http_resume(struct http_req *r)
{
    struct conn *c = conn_of(r);
    c->resumed = true;
    MHD_resume_connection(c->mhd);
}

bool http_resumed(const struct http_req *r)
{
    return conn_of(r)->resumed;
}

void http_set_state(struct http_req *r, void *state, void (*free_fn)(void *))
{
    struct conn *c = conn_of(r);
    c->state = state;
    c->state_free = free_fn;
}

void *http_state(const struct http_req *r)
{
    return conn_of(r)->state;
}

/* The client's address: the socket peer, or with --trust-proxy the last
 * address in X-Forwarded-For (the one our proxy appended). */
static void client_address(struct conn *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(c->req.ip, sizeof c->req.ip, "unknown");
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, c->req.ip,
                      sizeof c->req.ip);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      c->req.ip, sizeof c->req.ip);
    }
    c->req.tls = c->server->tls;
    if (!c->server->trust_proxy)
        return;
    const char *xff = MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        unsigned char tmp[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, last, tmp) == 1 || inet_pton(AF_INET6, last, tmp) == 1)
            snprintf(c->req.ip, sizeof c->req.ip, "%s", last);
    }
    const char *proto = MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND, "X-Forwarded-Proto");
    if (proto)
        c->req.tls = strcasecmp(proto, "https") == 0;
}

static void conn_free(struct conn *c)
{
    if (!c)
        return;
    if (c->state_free)
        c->state_free(c->state);
    for (size_t i = 0; i < c->nextra; i++) {
        free(c->extra_name[i]);
        free(c->extra_value[i]);
    }
    if (c->req.body) {
        /* Login and password bodies carry passwords. */
        sodium_memzero(c->req.body, c->body_cap);
        free(c->req.body);
    }
    free(c->seg_buf);
    free(c);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    struct conn *c = *con_cls;
    if (!c)
        return;
    if (c->replied) {
        struct http_server *s = c->server;
        if (c->route)
            metrics_request(&s->q->metrics, c->route->metrics, c->status);
        else
            metrics_request(&s->q->metrics, METRICS_PAGE, c->status);
        char path[160];
        qlog(c->status >= 500 ? QLOG_WARN : QLOG_DEBUG, "request",
             "method=%s path=%s status=%u ms=%lld ip=%s", c->req.method,
             qlog_quote(c->req.path, path, sizeof path), c->status,
             (long long)(http_monotonic_ms() - c->started_ms), c->req.ip);
    }
    conn_free(c);
    *con_cls = NULL;
}

static bool append_body(struct conn *c, const char *data, size_t n)
{
    size_t max = c->route ? c->route->max_body : 0;
    if (c->req.body_len + n > max)
        return false;
    if (c->req.body_len + n + 1 > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : max <= HTTP_SMALL_BODY_BYTES ? max + 1 : 1024;
        while (cap < c->req.body_len + n + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1;
        char *p = realloc(c->req.body, cap);
        if (!p)
            return false;
        c->req.body = p;
        c->body_cap = cap;
    }
    memcpy(c->req.body + c->req.body_len, data, n);
    c->req.body_len += n;
    c->req.body[c->req.body_len] = '\0';
    return true;
}

/* Runs the route once the whole body is in. */
static enum MHD_Result dispatch(struct conn *c)
{
    struct http_req *r = &c->req;
    if (c->resumed && atomic_load(&c->server->q->stopping)) {
        http_reply_error(r, 503, "busy", "The server is shutting down.");
        return MHD_YES;
    }
    if (!c->route) {
        if (c->allow[0]) {
            http_add_header(r, "Allow", c->allow);
            http_reply_error(r, 405, "method-not-allowed", "This method is not allowed here.");
        } else {
            http_reply_error(r, 404, "not-found", "There is nothing at this address.");
        }
        return c->replied ? MHD_YES : MHD_NO;
    }
    if (c->too_large) {
        http_reply_error(r, 413, "too-large", "The request body is too large.");
        return c->replied ? MHD_YES : MHD_NO;
    }
    if (!c->resumed && r->body_len && !c->route->raw_body) {
        const char *type = http_header(r, "Content-Type");
        if (!type || strncasecmp(type, "application/json", 16) != 0 ||
            (type[16] && type[16] != ';' && type[16] != ' ')) {
            http_reply_error(r, 415, "unsupported-media-type", "Send JSON (application/json).");
            return c->replied ? MHD_YES : MHD_NO;
        }
    }
    c->suspended = false;
    c->route->handler(r);
    if (!c->replied && !c->suspended) {
        qlog(QLOG_ERROR, "handler", "route=%s error=\"no reply\"", c->route->pattern);
        http_reply_error(r, 500, "internal", "The server could not answer.");
    }
    return c->replied || c->suspended ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct conn *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        c->server = s;
        c->mhd = connection;
        c->started_ms = http_monotonic_ms();
        c->req.q = s->q;
        c->req.priv = c;
        c->req.method = method;
        c->req.path = url;
        c->seg_buf = malloc(strlen(url) + 1);
        if (!c->seg_buf) {
            free(c);
            return MHD_NO;
        }
        *con_cls = c;
        client_address(c);
        c->req.now = queue_now(s->q);
        c->route = routes_match(method, url, c->seg_buf, c->req.params, c->allow);
        /* Who may send a body is settled before any of it is read: a
         * stranger cannot make us buffer megabytes. */
        if (!c->route)
            return dispatch(c);
        if (auth_check(&c->req, c->route->access) != 0)
            return c->replied ? MHD_YES : MHD_NO;
        /* A declared body over the cap is refused before any of it is read. */
        const char *cl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || end == cl || *end || n > c->route->max_body) {
                c->too_large = true;
                /* A body we would read and drop anyway is drained first,
                 * so the client sees the 413 instead of a reset; a huge
                 * one is answered at once and the connection closed. */
                if (errno || end == cl || *end || n > HTTP_DRAIN_MAX_BYTES)
                    return dispatch(c);
            }
        }
        return MHD_YES;
    }
    if (c->replied) {
        /* An early answer (413) is queued; what the client still sends is
         * read and dropped, or microhttpd would wait for us to take it. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (c->too_large) {
            c->drained += *upload_data_size;
        } else if (!append_body(c, upload_data, *upload_data_size)) {
            c->too_large = true;
            c->drained = c->req.body_len + *upload_data_size;
        }
        *upload_data_size = 0;
        /* Past the drain limit: answer now; if microhttpd cannot queue a
         * reply mid-body, close. */
        if (c->too_large && c->drained > HTTP_DRAIN_MAX_BYTES)
            return dispatch(c) == MHD_YES && c->replied ? MHD_YES : MHD_NO;
        return MHD_YES;
    }
    return dispatch(c);
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    char quoted[600];
    qlog(QLOG_WARN, "microhttpd", "detail=%s", qlog_quote(line, quoted, sizeof quoted));
}

/* "host:port", "[v6]:port" or ":port" into a socket address. */
static bool parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, bool *v6,
                         struct sg_err *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        sg_err_set(err, "--listen %s: expected HOST:PORT", listen);
        return false;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!*(colon + 1) || *end || port < 0 || port > 65535) {
        sg_err_set(err, "--listen %s: bad port", listen);
        return false;
    }
    memset(ss, 0, sizeof *ss);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) {
            sg_err_set(err, "--listen %s: bad IPv6 address", listen);
            return false;
        }
        *len = sizeof *a;
        *v6 = true;
        return true;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (hl == 0)
        a->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
        sg_err_set(err, "--listen %s: bad IPv4 address (use an address, not a name)", listen);
        return false;
    }
    *len = sizeof *a;
    *v6 = false;
    return true;
}

struct http_server *http_start(const struct http_opts *opts, struct queue *q, struct sg_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    bool v6 = false;
    if (!parse_listen(opts->listen, &ss, &sslen, &v6, err))
        return NULL;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) {
        sg_err_set(err, "out of memory");
        return NULL;
    }
    s->q = q;
    s->trust_proxy = opts->trust_proxy;
    s->tls = opts->tls_cert_pem != NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    if (s->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)opts->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opts->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(opts->threads ? opts->threads : HTTP_DEFAULT_THREADS),
        MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(opts->connection_limit ? opts->connection_limit : HTTP_DEFAULT_CONNECTION_LIMIT),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)(opts->per_ip_limit ? opts->per_ip_limit : HTTP_DEFAULT_PER_IP_LIMIT),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(2 * HTTP_MAX_HEADER_BYTES),
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, s, MHD_OPTION_ARRAY, s->tls ? tls_opts : no_opts,
        MHD_OPTION_END);
    if (!s->daemon) {
        sg_err_set(err, "cannot listen on %s (address in use, or a bad TLS certificate or key)",
                   opts->listen);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

uint16_t http_port(const struct http_server *s)
{
    return s->port;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
