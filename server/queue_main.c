/* signet-queue: the moderation queue's command line.
 *
 *   init    --data DIR [--admin NAME] [--password-stdin] [--clinic NAME]
 *   serve   --data DIR [--listen ADDR:PORT] [--tls-cert F --tls-key F] [--trust-proxy]
 *           [--threads N] [--per-ip-limit N] [--max-connections N] [--port-file F]
 *           [--publish-dir DIR]
 *           [--clock-offset S] [--verbose]
 *   publish --data DIR --out DIR
 *   backup  --data DIR --out FILE
 *   audit verify --data DIR
 *   screen add --data DIR --id ID --name NAME [--group G] [--location L] [--timezone TZ]
 *   import  --data DIR FILE.json [--approve-as USER] [--as USER]
 *   media add --data DIR FILE   (prints the image's SHA-256 for ItemInput "media")
 *
 * Exit codes: 0 ok, 1 the operation failed (audit chain broken, store error),
 * 2 usage or I/O errors before anything was done. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "fileio.h"
#include "http.h"
#include "jsonx.h"
#include "keys.h"
#include "password.h"
#include "preview.h"
#include "publisher.h"
#include "qlog.h"
#include "queue.h"
#include "requests.h"
#include "store.h"
#include "throttle.h"
#include "upload.h"

#define SECRET_KEY_FILE "signing.key"
#define PUBLIC_KEY_FILE "signing.pub"
#define IMPORT_MAX_BYTES (4u * 1024u * 1024u)

struct opts {
    const char *data, *listen, *tls_cert, *tls_key, *out, *admin, *clinic, *port_file, *publish_dir;
    const char *id, *name, *group, *location, *timezone, *approve_as, *as, *file;
    bool password_stdin, trust_proxy, verbose;
    long threads, per_ip_limit, max_connections, clock_offset;
};

static int usage(void)
{
    fputs("usage: signet-queue init --data DIR [--admin NAME] [--password-stdin] [--clinic NAME]\n"
          "       signet-queue serve --data DIR [--listen 127.0.0.1:8080] [--tls-cert FILE "
          "--tls-key FILE]\n"
          "                  [--trust-proxy] [--threads N] [--per-ip-limit N] "
          "[--max-connections N]\n"
          "                  [--port-file FILE] [--publish-dir DIR] [--verbose]\n"
          "       signet-queue publish --data DIR --out DIR\n"
          "       signet-queue backup --data DIR --out FILE\n"
          "       signet-queue audit verify --data DIR\n"
          "       signet-queue screen add --data DIR --id ID --name NAME [--group G] "
          "[--location L] [--timezone TZ]\n"
          "       signet-queue import --data DIR FILE.json [--as USER] [--approve-as USER]\n"
          "       signet-queue media add --data DIR IMAGE\n",
          stderr);
    return 2;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Flags of every subcommand; a flag a subcommand does not use is harmless. */
static bool parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct {
        const char *flag;
        size_t off;
    } strs[] = {
        {"--data", offsetof(struct opts, data)},
        {"--listen", offsetof(struct opts, listen)},
        {"--tls-cert", offsetof(struct opts, tls_cert)},
        {"--tls-key", offsetof(struct opts, tls_key)},
        {"--out", offsetof(struct opts, out)},
        {"--admin", offsetof(struct opts, admin)},
        {"--clinic", offsetof(struct opts, clinic)},
        {"--port-file", offsetof(struct opts, port_file)},
        {"--publish-dir", offsetof(struct opts, publish_dir)},
        {"--id", offsetof(struct opts, id)},
        {"--name", offsetof(struct opts, name)},
        {"--group", offsetof(struct opts, group)},
        {"--location", offsetof(struct opts, location)},
        {"--timezone", offsetof(struct opts, timezone)},
        {"--approve-as", offsetof(struct opts, approve_as)},
        {"--as", offsetof(struct opts, as)},
    };
    static const struct {
        const char *flag;
        size_t off;
        long lo, hi;
    } nums[] = {
        {"--threads", offsetof(struct opts, threads), 1, 64},
        {"--per-ip-limit", offsetof(struct opts, per_ip_limit), 1, 100000},
        {"--max-connections", offsetof(struct opts, max_connections), 1, 100000},
        {"--clock-offset", offsetof(struct opts, clock_offset), -100000000L, 100000000L},
    };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--password-stdin") == 0) {
            o->password_stdin = true;
            continue;
        }
        if (strcmp(a, "--trust-proxy") == 0) {
            o->trust_proxy = true;
            continue;
        }
        if (strcmp(a, "--verbose") == 0) {
            o->verbose = true;
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !done; k++) {
            if (strcmp(a, strs[k].flag) != 0)
                continue;
            if (i + 1 >= argc) {
                fprintf(stderr, "signet-queue: %s needs a value\n", a);
                return false;
            }
            *(const char **)((char *)o + strs[k].off) = argv[++i];
            done = true;
        }
        for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !done; k++) {
            if (strcmp(a, nums[k].flag) != 0)
                continue;
            if (i + 1 >= argc ||
                !parse_long(argv[++i], nums[k].lo, nums[k].hi, (long *)((char *)o + nums[k].off))) {
                fprintf(stderr, "signet-queue: %s needs a number from %ld to %ld\n", a, nums[k].lo,
                        nums[k].hi);
                return false;
            }
            done = true;
        }
        if (done)
            continue;
        if (a[0] == '-' || o->file) {
            fprintf(stderr, "signet-queue: unknown argument %s\n", a);
            return false;
        }
        o->file = a;
    }
    if (!o->data) {
        fputs("signet-queue: --data DIR is required\n", stderr);
        return false;
    }
    return true;
}

static void path_in(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static int64_t clock_offset_s;

static int64_t queue_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL) + clock_offset_s;
}

static struct store *open_store(const char *data)
{
    struct sg_err err = {0};
    struct store *st = store_open(data, &err);
    if (!st)
        fprintf(stderr, "signet-queue: %s\n", err.msg);
    return st;
}

static bool load_key(const char *data, struct keys_secret *key)
{
    char path[4096];
    struct sg_err err = {0};
    path_in(path, sizeof path, data, SECRET_KEY_FILE);
    if (!keys_secret_load(path, key, &err)) {
        fprintf(stderr, "signet-queue: signing key: %s (run signet-queue init first)\n", err.msg);
        return false;
    }
    return true;
}

/* ---- init ---- */

static bool read_password_line(char *buf, size_t size)
{
    if (!fgets(buf, (int)size, stdin))
        return false;
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return true;
}

static int cmd_init(const struct opts *o)
{
    if (mkdir(o->data, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "signet-queue: cannot create %s: %s\n", o->data, strerror(errno));
        return 2;
    }
    char sk_path[4096], pk_path[4096];
    path_in(sk_path, sizeof sk_path, o->data, SECRET_KEY_FILE);
    path_in(pk_path, sizeof pk_path, o->data, PUBLIC_KEY_FILE);
    struct stat sb;
    if (stat(sk_path, &sb) == 0) {
        fprintf(stderr, "signet-queue: %s already holds a queue (found %s)\n", o->data, sk_path);
        return 2;
    }
    const char *admin = o->admin ? o->admin : "admin";
    char password[REQ_MAX_PASSWORD_LEN + 2] = "";
    bool generated = false;
    struct sg_err err = {0};
    if (o->password_stdin) {
        if (!read_password_line(password, sizeof password) || !req_password_ok(password, &err)) {
            fprintf(stderr, "signet-queue: password: %s\n",
                    err.set ? err.msg : "nothing on standard input");
            sodium_memzero(password, sizeof password);
            return 2;
        }
    } else {
        password_generate(password);
        generated = true;
    }
    char hash[PASSWORD_HASH_LEN];
    if (password_hash(password, hash) != PASSWORD_MATCH) {
        fputs("signet-queue: could not hash the password\n", stderr);
        sodium_memzero(password, sizeof password);
        return 1;
    }
    struct keys_secret key;
    keys_generate(&key);
    bool ok = keys_write_pair(&key, sk_path, pk_path, &err);
    keys_secret_wipe(&key);
    if (!ok) {
        fprintf(stderr, "signet-queue: %s\n", err.msg);
        sodium_memzero(password, sizeof password);
        return 2;
    }
    struct store *st = open_store(o->data);
    int rc = st ? 0 : 1;
    struct store_actor who = {.user_id = 0, .name = "init", .ip = "local"};
    int64_t now = queue_clock(NULL), id = 0;
    if (st && store_user_add(st, &who, admin, STORE_ROLE_ADMIN, hash, now, &id, &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: %s\n", err.msg);
        rc = 1;
    }
    if (st && !rc && o->clinic) {
        struct store_settings set;
        if (store_settings_get(st, &set, &err) != STORE_OK) {
            rc = 1;
        } else {
            snprintf(set.clinic, sizeof set.clinic, "%s", o->clinic);
            if (store_settings_set(st, &who, &set, now, &err) != STORE_OK)
                rc = 1;
        }
        if (rc)
            fprintf(stderr, "signet-queue: %s\n", err.msg);
    }
    store_close(st);
    sodium_memzero(hash, sizeof hash);
    if (!rc) {
        printf("Created the queue in %s\n", o->data);
        printf("Feed signing key: %s (public key for screens: %s)\n", sk_path, pk_path);
        if (generated)
            printf("Admin \"%s\", password (shown only now): %s\n", admin, password);
        else
            printf("Admin \"%s\" with the password from standard input\n", admin);
    }
    sodium_memzero(password, sizeof password);
    return rc;
}

/* ---- serve ---- */

static int cmd_serve(const struct opts *o)
{
    struct keys_secret key;
    if (!load_key(o->data, &key))
        return 2;
    char *cert = NULL, *tkey = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if ((o->tls_cert != NULL) != (o->tls_key != NULL)) {
        fputs("signet-queue: --tls-cert and --tls-key go together\n", stderr);
        keys_secret_wipe(&key);
        return 2;
    }
    if (o->tls_cert && (!fileio_read(o->tls_cert, 1u << 20, &cert, &len, &err) ||
                        !fileio_read(o->tls_key, 1u << 20, &tkey, &len, &err))) {
        fprintf(stderr, "signet-queue: %s\n", err.msg);
        keys_secret_wipe(&key);
        free(cert);
        return 2;
    }
    qlog_set_level(o->verbose ? QLOG_DEBUG : QLOG_INFO);
    clock_offset_s = o->clock_offset;
    password_init(); /* one Argon2id hash: the stand-in for unknown accounts */

    /* Signals are taken by sigwait below; threads started from here on
     * inherit the blocked mask, so none of them is interrupted. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct queue q = {.clock = queue_clock};
    int rc = 1;
    q.store = open_store(o->data);
    if (!q.store)
        goto out;
    q.throttle = throttle_new();
    q.preview = preview_new(&err);
    if (!q.throttle || !q.preview) {
        fprintf(stderr, "signet-queue: %s\n", err.set ? err.msg : "out of memory");
        goto out;
    }
    q.publisher = publisher_new(q.store, &key, queue_clock, NULL, &err);
    keys_secret_wipe(&key);
    if (!q.publisher) {
        fprintf(stderr, "signet-queue: publisher: %s\n", err.msg);
        goto out;
    }
    if (o->publish_dir && !publisher_export_to(q.publisher, o->publish_dir, &err)) {
        fprintf(stderr, "signet-queue: --publish-dir: %s\n", err.msg);
        goto out;
    }
    struct http_opts ho = {
        .listen = o->listen ? o->listen : "127.0.0.1:8080",
        .tls_cert_pem = cert,
        .tls_key_pem = tkey,
        .trust_proxy = o->trust_proxy,
        .threads = (unsigned)o->threads,
        .per_ip_limit = (unsigned)o->per_ip_limit,
        .connection_limit = (unsigned)o->max_connections,
    };
    q.trust_proxy = o->trust_proxy;
    struct http_server *http = http_start(&ho, &q, &err);
    if (!http) {
        fprintf(stderr, "signet-queue: %s\n", err.msg);
        goto out;
    }
    uint16_t port = http_port(http);
    if (o->port_file) {
        char text[16];
        int n = snprintf(text, sizeof text, "%u\n", (unsigned)port);
        if (!fileio_write_atomic(o->port_file, text, (size_t)n, 0644, NULL, NULL, &err))
            qlog(QLOG_WARN, "port-file", "error=\"%s\"", err.msg);
    }
    qlog(QLOG_INFO, "start", "listen=%s port=%u tls=%s trust_proxy=%s", ho.listen, (unsigned)port,
         cert ? "on" : "off", o->trust_proxy ? "on" : "off");
    int sig = 0;
    sigwait(&stop_signals, &sig);
    qlog(QLOG_INFO, "stop", "signal=%d", sig);
    /* Reverse order of start. Held long polls are answered first, because
     * microhttpd cannot stop with suspended connections. */
    atomic_store(&q.stopping, true);
    publisher_release_waiters(q.publisher);
    http_stop(http);
    rc = 0;
out:
    keys_secret_wipe(&key);
    publisher_free(q.publisher);
    preview_free(q.preview);
    throttle_free(q.throttle);
    store_close(q.store);
    free(cert);
    if (tkey) {
        sodium_memzero(tkey, strlen(tkey));
        free(tkey);
    }
    return rc;
}

/* ---- publish, backup, audit, screen ---- */

static int cmd_publish(const struct opts *o)
{
    if (!o->out)
        return usage();
    struct keys_secret key;
    if (!load_key(o->data, &key))
        return 2;
    struct store *st = open_store(o->data);
    if (!st) {
        keys_secret_wipe(&key);
        return 1;
    }
    struct sg_err err = {0};
    struct publisher *p = publisher_new(st, &key, queue_clock, NULL, &err);
    keys_secret_wipe(&key);
    int rc = 0;
    if (!p || !publisher_run_once(p, &err) || !publisher_export(p, o->out, &err)) {
        fprintf(stderr, "signet-queue: publish: %s\n", err.msg);
        rc = 1;
    } else {
        printf("Published the feeds and media to %s\n", o->out);
    }
    publisher_free(p);
    store_close(st);
    return rc;
}

static int cmd_backup(const struct opts *o)
{
    if (!o->out)
        return usage();
    struct store *st = open_store(o->data);
    if (!st)
        return 1;
    struct sg_err err = {0};
    int rc = 0;
    if (store_backup(st, o->out, &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: backup: %s\n", err.msg);
        rc = 1;
    } else {
        printf("Backed up the database to %s\n", o->out);
    }
    store_close(st);
    return rc;
}

static int cmd_audit_verify(const struct opts *o)
{
    struct store *st = open_store(o->data);
    if (!st)
        return 1;
    int64_t rows = 0, bad = 0;
    struct sg_err err = {0};
    int rc = 0;
    if (store_audit_verify(st, &rows, &bad, &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: audit verify: %s\n", err.msg);
        rc = 1;
    } else if (bad) {
        printf("audit chain BROKEN at row %" PRId64 " (of %" PRId64 " rows)\n", bad, rows);
        rc = 1;
    } else {
        printf("audit chain ok: %" PRId64 " rows\n", rows);
    }
    store_close(st);
    return rc;
}

static int cmd_screen_add(const struct opts *o)
{
    if (!o->id || !o->name)
        return usage();
    struct store *st = open_store(o->data);
    if (!st)
        return 1;
    unsigned char token[STORE_TOKEN_BYTES];
    struct sg_err err = {0};
    struct store_actor who = {.user_id = 0, .name = "cli", .ip = "local"};
    int rc = 0;
    if (store_screen_add(st, &who, o->id, o->name, o->group, o->location,
                         o->timezone ? o->timezone : "Europe/Berlin", queue_clock(NULL), token,
                         &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: screen add: %s\n", err.msg);
        rc = 1;
    } else {
        char hex[2 * STORE_TOKEN_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, token, sizeof token);
        /* The token goes to stdout only, for the installer to copy once. */
        printf("%s\n", hex);
        sodium_memzero(hex, sizeof hex);
        sodium_memzero(token, sizeof token);
    }
    store_close(st);
    return rc;
}

/* ---- import: a JSON array of ItemInput objects (API.md) as pending items,
 * optionally approved at once by a named approver (demo data, starter
 * tips). ---- */

static int import_one(struct store *st, struct json_object *obj, const struct store_actor *author,
                      const struct store_actor *approver, int64_t approval_days, int64_t now,
                      size_t index)
{
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    struct store_content c = {0};
    struct sg_err err = {0};
    if (!req_parse_item(text, strlen(text), &c, &err)) {
        fprintf(stderr, "signet-queue: import: item %zu: %s\n", index, err.msg);
        return 1;
    }
    char *id = NULL;
    enum store_status s = store_item_create(st, author, &c, now, &id, &err);
    store_content_finish(&c);
    if (s == STORE_OK && approver)
        s = store_approve(st, approver, id, 1, now + approval_days * 86400, NULL, false, now, &err);
    free(id);
    if (s != STORE_OK) {
        fprintf(stderr, "signet-queue: import: item %zu: %s\n", index, err.msg);
        return 1;
    }
    return 0;
}

static int cmd_import(const struct opts *o)
{
    if (!o->file)
        return usage();
    char *text = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!fileio_read(o->file, IMPORT_MAX_BYTES, &text, &len, &err)) {
        fprintf(stderr, "signet-queue: import: %s\n", err.msg);
        return 2;
    }
    struct json_tokener *tok = json_tokener_new_ex(8);
    struct json_object *arr = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    bool complete = tok && json_tokener_get_error(tok) == json_tokener_success &&
                    (size_t)json_tokener_get_parse_end(tok) == len;
    json_tokener_free(tok);
    free(text);
    if (!arr || !complete || !json_object_is_type(arr, json_type_array)) {
        fprintf(stderr, "signet-queue: import: %s: not a JSON array of items\n", o->file);
        json_object_put(arr);
        return 2;
    }
    struct store *st = open_store(o->data);
    if (!st) {
        json_object_put(arr);
        return 1;
    }
    struct store_user author = {0}, approver = {0};
    struct store_actor author_actor = {.user_id = 0, .name = "import", .ip = "local"};
    struct store_actor approver_actor = {0};
    int rc = 0;
    if (o->as) {
        if (store_user_by_name(st, o->as, &author, &err) != STORE_OK) {
            fprintf(stderr, "signet-queue: import: --as %s: no such user\n", o->as);
            rc = 2;
        }
        author_actor.user_id = author.id;
        author_actor.name = author.name;
    }
    if (!rc && o->approve_as) {
        if (store_user_by_name(st, o->approve_as, &approver, &err) != STORE_OK ||
            approver.role < STORE_ROLE_APPROVER) {
            fprintf(stderr, "signet-queue: import: --approve-as %s: no such approver\n",
                    o->approve_as);
            rc = 2;
        }
        approver_actor =
            (struct store_actor){.user_id = approver.id, .name = approver.name, .ip = "local"};
    }
    struct store_settings set;
    if (!rc && store_settings_get(st, &set, &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: import: %s\n", err.msg);
        rc = 1;
    }
    int64_t now = queue_clock(NULL);
    size_t n = rc ? 0 : json_object_array_length(arr), done = 0;
    for (size_t i = 0; i < n && !rc; i++, done++)
        rc = import_one(st, json_object_array_get_idx(arr, i), &author_actor,
                        o->approve_as ? &approver_actor : NULL, set.approval_days, now, i);
    if (!rc)
        printf("Imported %zu items%s\n", done, o->approve_as ? " (approved)" : " (pending)");
    store_user_finish(&author);
    store_user_finish(&approver);
    store_close(st);
    json_object_put(arr);
    return rc;
}

static int cmd_media_add(const struct opts *o)
{
    if (!o->file)
        return usage();
    char *bytes = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!fileio_read(o->file, STORE_MAX_MEDIA_BYTES, &bytes, &len, &err)) {
        fprintf(stderr, "signet-queue: media add: %s\n", err.msg);
        return 2;
    }
    struct upload_image img;
    if (upload_check_image(NULL, bytes, len, &img, &err) != UPLOAD_OK) {
        fprintf(stderr, "signet-queue: media add: %s: %s\n", o->file, err.msg);
        free(bytes);
        return 2;
    }
    struct store *st = open_store(o->data);
    int rc = st ? 0 : 1;
    struct store_actor who = {.user_id = 0, .name = "cli", .ip = "local"};
    if (st && store_media_put(st, &who, img.sha256, img.type, img.width, img.height, bytes, len,
                              queue_clock(NULL), &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: media add: %s\n", err.msg);
        rc = 1;
    }
    if (!rc)
        printf("%s\n", img.sha256);
    store_close(st);
    free(bytes);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (!keys_init()) {
        fputs("signet-queue: libsodium could not start\n", stderr);
        return 1;
    }
    const char *cmd = argv[1];
    int skip = 2;
    if ((strcmp(cmd, "audit") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0) ||
        (strcmp(cmd, "screen") == 0 && argc > 2 && strcmp(argv[2], "add") == 0) ||
        (strcmp(cmd, "media") == 0 && argc > 2 && strcmp(argv[2], "add") == 0))
        skip = 3;
    else if (strcmp(cmd, "audit") == 0 || strcmp(cmd, "screen") == 0 || strcmp(cmd, "media") == 0)
        return usage();
    struct opts o = {0};
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage();
        return 0;
    }
    if (!parse_opts(argc - skip, argv + skip, &o))
        return usage();
    if (strcmp(cmd, "init") == 0)
        return cmd_init(&o);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(&o);
    if (strcmp(cmd, "publish") == 0)
        return cmd_publish(&o);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(&o);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit_verify(&o);
    if (strcmp(cmd, "screen") == 0)
        return cmd_screen_add(&o);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(&o);
    if (strcmp(cmd, "media") == 0)
        return cmd_media_add(&o);
    return usage();
}
