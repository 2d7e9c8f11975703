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
 *   tips import --data DIR [--file FILE] [--lang de|en|both] [--as USER]
 *               (the starter health tips, assets/tips/, as pending items)
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

#include "cli_sources.h"
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
#include "source_poller.h"
#include "store.h"
#include "text.h"
#include "throttle.h"
#include "upload.h"

#define SECRET_KEY_FILE "signing.key"
#define PUBLIC_KEY_FILE "signing.pub"
#define IMPORT_MAX_BYTES (4u * 1024u * 1024u)

struct opts {
    const char *data, *listen, *tls_cert, *tls_key, *out, *admin, *clinic, *port_file, *publish_dir;
    const char *id, *name, *group, *location, *timezone, *approve_as, *as, *file, *lang;
    const char *blocklists[CLI_MAX_BLOCKLISTS];
    size_t nblocklists;
    bool password_stdin, trust_proxy, verbose;
    long threads, per_ip_limit, max_connections, clock_offset, ingest_timeout;
};

static int usage(void)
{
    fputs("usage: signet-queue init --data DIR [--admin NAME] [--password-stdin] [--clinic NAME]\n"
          "       signet-queue serve --data DIR [--listen 127.0.0.1:8080] [--tls-cert FILE "
          "--tls-key FILE]\n"
          "                  [--trust-proxy] [--threads N] [--per-ip-limit N] "
          "[--max-connections N]\n"
          "                  [--port-file FILE] [--publish-dir DIR] [--blocklist FILE]... "
          "[--ingest-timeout SEC] "
          "[--verbose]\n"
          "       signet-queue publish --data DIR --out DIR\n"
          "       signet-queue backup --data DIR --out FILE\n"
          "       signet-queue audit verify --data DIR\n"
          "       signet-queue screen add --data DIR --id ID --name NAME [--group G] "
          "[--location L] [--timezone TZ]\n"
          "       signet-queue import --data DIR FILE.json [--as USER] [--approve-as USER]\n"
          "       signet-queue media add --data DIR IMAGE\n"
          "       signet-queue source add|list|poll --data DIR ... (signet-queue source: "
          "details)\n"
          "       signet-queue tips import --data DIR [--file FILE] [--lang de|en|both] "
          "[--as USER]\n"
          "                  (signet-queue tips import --help: what it does with months)\n",
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
        {"--file", offsetof(struct opts, file)},
        {"--lang", offsetof(struct opts, lang)},
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
        {"--ingest-timeout", offsetof(struct opts, ingest_timeout), 1, 120},
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
        if (strcmp(a, "--blocklist") == 0) {
            if (i + 1 >= argc || o->nblocklists == CLI_MAX_BLOCKLISTS)
                return false;
            o->blocklists[o->nblocklists++] = argv[++i];
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
    q.poller = cli_poller_new(q.store, q.publisher, queue_clock, o->data,
                              (const char *const *)o->blocklists, o->nblocklists,
                              o->ingest_timeout * 1000, &err);
    if (!q.poller || !source_poller_start(q.poller, &err)) {
        fprintf(stderr, "signet-queue: ingest: %s\n", err.msg);
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
    source_poller_free(q.poller);
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

/* ---- tips import: the starter library of health tips (assets/tips/, its
 * README.md) as pending items, one per tip and language. The whole file is
 * validated before the store is opened, so a bad file imports nothing.
 *
 * The feed's schedule has no recurring months, so a tip's months become a
 * "dates" range seen from today (the server's local date): when today lies
 * in a run of relevant months (runs wrap around the year end: [10..12, 1..3]
 * is one run, October to March), from today to the end of that run;
 * otherwise from the first day of the next run to its end. A tip relevant in
 * all 12 months gets no dates.
 *
 * Re-importing is safe: every item made from a tip gets an audit row
 * "tip.import" (object: the item, new value: "<tip id>:<lang>"), and a tip
 * whose id and language appear in such a row is skipped, even after staff
 * edited its title or rejected it. A tip whose title and language match an
 * existing item is skipped too (an item made by an earlier `import` of the
 * same texts, or a crash between the two writes). ---- */

#ifndef SIGNET_TIPS_FILE
#define SIGNET_TIPS_FILE "/usr/local/share/signet/tips/tips.json"
#endif
#define TIPS_MAX_BYTES (1u << 20)
#define TIPS_MAX_DEPTH 6
#define TIPS_MAX 1000
#define TIPS_MAX_ID_LEN 40
#define TIPS_MAX_LABEL_LEN 60     /* topic names, bytes */
#define TIPS_MAX_REVIEWER_LEN 200 /* bytes, as an item's "author" */
#define TIPS_MAX_TITLE_CHARS 60   /* the shipped tips keep to about 45 */
#define TIPS_MAX_BODY_CHARS 280   /* the shipped tips keep to about 220 */
#define TIPS_ALL_MONTHS 0x1FFEu   /* bits 1..12 */
#define TIPS_AUDIT_ACTION "tip.import"
#define TIPS_AUDIT_PAGE 1000

enum { TIP_DE, TIP_EN, TIP_NLANG };
static const char *const tip_langs[TIP_NLANG] = {"de", "en"};
static const char *const tip_source_prefix[TIP_NLANG] = {"Signet-Gesundheitstipp · ",
                                                         "Signet health tip · "};

/* Strings are borrowed from the parsed tree (struct tip_lib.root). */
struct tip {
    const char *id;
    const char *reviewed_by; /* NULL when the clinic left it "" */
    const char *topic[TIP_NLANG];
    unsigned months; /* bit m set: month m (1..12) is relevant */
    const char *title[TIP_NLANG], *body[TIP_NLANG];
};

struct tip_lib {
    struct json_object *root;
    struct tip *tips;
    size_t n;
};

struct ymd {
    int y, m, d;
};

/* Puts context before the message already in err ("tip 'x' (de): ..."). */
static void tips_err_prefix(struct sg_err *err, const char *context)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    sg_err_clear(err);
    sg_err_set(err, "%s: %s", context, msg);
}

static void tips_free(struct tip_lib *lib)
{
    json_object_put(lib->root);
    free(lib->tips);
    memset(lib, 0, sizeof *lib);
}

/* The lower-case names of tips and topics: [a-z0-9-], 1..TIPS_MAX_ID_LEN,
 * starting with a letter or digit. */
static bool tips_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > TIPS_MAX_ID_LEN || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* Code points in s[0..len), or 0 with *bad set at invalid UTF-8, a NUL or
 * another control character (a line break is allowed when newline is true). */
static size_t tips_chars(const char *s, size_t len, bool newline, bool *bad)
{
    size_t chars = 0;
    *bad = false;
    for (size_t i = 0; i < len; chars++) {
        uint32_t cp = 0;
        size_t step = text_utf8_next(s + i, len - i, &cp);
        if (step == 0 || (cp < 0x20 && !(newline && cp == '\n')) || (cp >= 0x7F && cp <= 0x9F)) {
            *bad = true;
            return 0;
        }
        i += step;
    }
    return chars;
}

enum { TIPS_EMPTY_OK = 1, TIPS_LINES_OK = 2 };

/* A required string member: at most max_bytes bytes and max_chars code
 * points (0: no limit), valid UTF-8 without NUL or control characters (line
 * breaks with TIPS_LINES_OK), not empty unless TIPS_EMPTY_OK. what names it
 * in errors ("tip 'x': en.title"). */
static bool tips_string(struct json_object *obj, const char *what, const char *key,
                        size_t max_bytes, size_t max_chars, unsigned flags, const char **out,
                        struct sg_err *err)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v)) {
        sg_err_set(err, "%s: missing", what);
        return false;
    }
    if (!json_object_is_type(v, json_type_string)) {
        sg_err_set(err, "%s: must be a string", what);
        return false;
    }
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (len > max_bytes) {
        sg_err_set(err, "%s: longer than %zu bytes", what, max_bytes);
        return false;
    }
    bool bad = false;
    size_t chars = tips_chars(s, len, flags & TIPS_LINES_OK, &bad);
    if (bad) {
        sg_err_set(err, "%s: holds a NUL, a control character or invalid UTF-8", what);
        return false;
    }
    if (max_chars && chars > max_chars) {
        sg_err_set(err, "%s: %zu characters, over the limit of %zu (it must fit one card)", what,
                   chars, max_chars);
        return false;
    }
    if (len == 0 && !(flags & TIPS_EMPTY_OK)) {
        sg_err_set(err, "%s: empty", what);
        return false;
    }
    *out = s;
    return true;
}

/* "topics": {"<name>": {"de": "...", "en": "..."}, ...}: the labels a tip's
 * "source" line shows. */
static bool tips_check_topics(struct json_object *topics, struct sg_err *err)
{
    static const char *const members[] = {"de", "en"};
    size_t count = 0;
    json_object_object_foreach(topics, name, labels)
    {
        char what[96];
        const char *label = NULL;
        snprintf(what, sizeof what, "topic '%.40s'", name);
        if (!tips_name_ok(name)) {
            sg_err_set(err, "%s: names are 1 to %d of a-z, 0-9 and '-'", what, TIPS_MAX_ID_LEN);
            return false;
        }
        if (!json_object_is_type(labels, json_type_object)) {
            sg_err_set(err, "%s: must be an object {\"de\": ..., \"en\": ...}", what);
            return false;
        }
        if (!JSONX_ONLY_MEMBERS(labels, what, members, err))
            return false;
        for (int l = 0; l < TIP_NLANG; l++) {
            char field[128];
            snprintf(field, sizeof field, "%s: %s", what, tip_langs[l]);
            if (!tips_string(labels, field, tip_langs[l], TIPS_MAX_LABEL_LEN, 0, 0, &label, err))
                return false;
        }
        count++;
    }
    if (count == 0) {
        sg_err_set(err, "topics: empty");
        return false;
    }
    return true;
}

/* "months": 1..12 distinct integers 1..12 into a bit set. */
static bool tips_months(struct json_object *tip, const char *what, unsigned *mask,
                        struct sg_err *err)
{
    struct json_object *arr = NULL;
    if (!jsonx_get_array(tip, what, "months", 12, true, &arr, err))
        return false;
    size_t n = json_object_array_length(arr);
    *mask = 0;
    if (n == 0) {
        sg_err_set(err, "%s: months: empty (use all 12 for a tip of the whole year)", what);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(arr, i);
        int64_t m = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
        if (m < 1 || m > 12) {
            sg_err_set(err, "%s: months: entries must be integers 1 (January) to 12", what);
            return false;
        }
        if (*mask & (1u << m)) {
            sg_err_set(err, "%s: months: %d appears twice", what, (int)m);
            return false;
        }
        *mask |= 1u << m;
    }
    return true;
}

/* One language of a tip: {"title", "body"}. */
static bool tips_text(struct json_object *tip, const char *what, int l, struct tip *out,
                      struct sg_err *err)
{
    static const char *const members[] = {"title", "body"};
    struct json_object *obj = NULL;
    char field[128];
    snprintf(field, sizeof field, "%s: %s", what, tip_langs[l]);
    if (!json_object_object_get_ex(tip, tip_langs[l], &obj)) {
        sg_err_set(err, "%s: missing (every tip needs de and en)", field);
        return false;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        sg_err_set(err, "%s: must be an object {\"title\", \"body\"}", field);
        return false;
    }
    if (!JSONX_ONLY_MEMBERS(obj, field, members, err))
        return false;
    snprintf(field, sizeof field, "%s: %s.title", what, tip_langs[l]);
    if (!tips_string(obj, field, "title", STORE_MAX_TITLE_LEN, TIPS_MAX_TITLE_CHARS, 0,
                     &out->title[l], err))
        return false;
    snprintf(field, sizeof field, "%s: %s.body", what, tip_langs[l]);
    return tips_string(obj, field, "body", STORE_MAX_BODY_LEN, TIPS_MAX_BODY_CHARS, TIPS_LINES_OK,
                       &out->body[l], err);
}

static bool tips_parse_tip(struct json_object *tip, struct json_object *topics, size_t index,
                           struct tip *out, struct sg_err *err)
{
    static const char *const members[] = {"id", "topic", "months", "reviewed_by", "de", "en"};
    char what[96];
    const char *topic = NULL;
    struct json_object *labels = NULL;
    snprintf(what, sizeof what, "tip %zu", index + 1);
    if (!json_object_is_type(tip, json_type_object)) {
        sg_err_set(err, "%s: not an object", what);
        return false;
    }
    char field[128];
    snprintf(field, sizeof field, "%s: id", what);
    if (!tips_string(tip, field, "id", TIPS_MAX_ID_LEN * 4, 0, 0, &out->id, err))
        return false;
    if (!tips_name_ok(out->id)) {
        sg_err_set(err, "%s: id: 1 to %d of a-z, 0-9 and '-'", what, TIPS_MAX_ID_LEN);
        return false;
    }
    snprintf(what, sizeof what, "tip '%s'", out->id);
    if (!JSONX_ONLY_MEMBERS(tip, what, members, err))
        return false;
    snprintf(field, sizeof field, "%s: topic", what);
    if (!tips_string(tip, field, "topic", TIPS_MAX_ID_LEN * 4, 0, 0, &topic, err))
        return false;
    if (!json_object_object_get_ex(topics, topic, &labels)) {
        sg_err_set(err, "%s: topic '%.40s' is not listed in \"topics\"", what, topic);
        return false;
    }
    for (int l = 0; l < TIP_NLANG; l++) {
        struct json_object *v = NULL;
        json_object_object_get_ex(labels, tip_langs[l], &v);
        out->topic[l] = json_object_get_string(v);
    }
    snprintf(field, sizeof field, "%s: reviewed_by", what);
    const char *reviewed = NULL;
    if (!tips_string(tip, field, "reviewed_by", TIPS_MAX_REVIEWER_LEN, 0, TIPS_EMPTY_OK, &reviewed,
                     err) ||
        !tips_months(tip, what, &out->months, err))
        return false;
    out->reviewed_by = reviewed[0] ? reviewed : NULL;
    for (int l = 0; l < TIP_NLANG; l++)
        if (!tips_text(tip, what, l, out, err))
            return false;
    return true;
}

/* Ids must differ, and titles in each language (a re-import knows a tip by
 * either). */
static bool tips_distinct(const struct tip *a, const struct tip *b, struct sg_err *err)
{
    if (strcmp(a->id, b->id) == 0) {
        sg_err_set(err, "tip '%s': the id appears twice", b->id);
        return false;
    }
    for (int l = 0; l < TIP_NLANG; l++) {
        if (strcmp(a->title[l], b->title[l]) == 0) {
            sg_err_set(err, "tip '%s': %s.title: the same as tip '%s'", b->id, tip_langs[l], a->id);
            return false;
        }
    }
    return true;
}

/* Reads and validates the whole library; on failure *lib is empty. */
static bool tips_load(const char *path, struct tip_lib *lib, struct sg_err *err)
{
    static const char *const members[] = {"signet_tips", "topics", "tips"};
    memset(lib, 0, sizeof *lib);
    char *text = NULL;
    size_t len = 0;
    if (!fileio_read(path, TIPS_MAX_BYTES, &text, &len, err))
        return false; /* the message names the file */
    bool ok = jsonx_parse_object(text, len, TIPS_MAX_BYTES, TIPS_MAX_DEPTH, &lib->root, err);
    free(text);
    struct json_object *topics = NULL, *tips = NULL;
    int64_t version = 0;
    ok = ok && JSONX_ONLY_MEMBERS(lib->root, "tips file", members, err) &&
         jsonx_get_int(lib->root, "tips file", "signet_tips", 1, 1, true, &version, err) &&
         jsonx_get_object(lib->root, "tips file", "topics", true, &topics, err) &&
         jsonx_get_array(lib->root, "tips file", "tips", TIPS_MAX, true, &tips, err) &&
         tips_check_topics(topics, err);
    size_t n = ok ? json_object_array_length(tips) : 0;
    if (ok && n == 0) {
        sg_err_set(err, "tips: empty");
        ok = false;
    }
    if (ok && !(lib->tips = calloc(n, sizeof *lib->tips))) {
        sg_err_set(err, "out of memory");
        ok = false;
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = tips_parse_tip(json_object_array_get_idx(tips, i), topics, i, &lib->tips[i], err);
        for (size_t j = 0; ok && j < i; j++)
            ok = tips_distinct(&lib->tips[j], &lib->tips[i], err);
        lib->n = ok ? i + 1 : lib->n;
    }
    if (!ok) {
        tips_err_prefix(err, path);
        tips_free(lib);
    }
    return ok;
}

/* ---- months to dates ---- */

static int tips_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static void tips_next_month(int *y, int *m)
{
    if (++*m > 12) {
        *m = 1;
        ++*y;
    }
}

/* The dates a tip relevant in the months of mask shows, seen from today;
 * false when it is relevant all year (no dates). mask is not empty. */
static bool tips_dates(unsigned mask, struct ymd today, struct ymd *from, struct ymd *until)
{
    if ((mask & TIPS_ALL_MONTHS) == TIPS_ALL_MONTHS)
        return false;
    int y = today.y, m = today.m;
    if (mask & (1u << m)) {
        *from = today;
    } else {
        do {
            tips_next_month(&y, &m);
        } while (!(mask & (1u << m)));
        *from = (struct ymd){y, m, 1};
    }
    /* (y, m) is in the run: walk to its last month (a month is missing, so
     * the walk ends within the year). */
    for (int ny = y, nm = m;;) {
        tips_next_month(&ny, &nm);
        if (!(mask & (1u << nm)))
            break;
        y = ny;
        m = nm;
    }
    *until = (struct ymd){y, m, tips_days_in_month(y, m)};
    return true;
}

static bool tips_today(int64_t now, struct ymd *out)
{
    time_t t = (time_t)now;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return false;
    *out = (struct ymd){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    return true;
}

/* ---- items ---- */

static bool tips_put(struct json_object *obj, const char *key, const char *value)
{
    struct json_object *v = json_object_new_string(value);
    if (!v || json_object_object_add(obj, key, v) != 0) {
        json_object_put(v);
        return false;
    }
    return true;
}

static bool tips_put_dates(struct json_object *item, struct ymd from, struct ymd until)
{
    char a[32], b[32];
    snprintf(a, sizeof a, "%04d-%02d-%02d", from.y, from.m, from.d);
    snprintf(b, sizeof b, "%04d-%02d-%02d", until.y, until.m, until.d);
    struct json_object *sched = json_object_new_object(), *dates = json_object_new_object();
    bool ok = sched && dates && tips_put(dates, "from", a) && tips_put(dates, "until", b) &&
              json_object_object_add(sched, "dates", dates) == 0;
    if (!ok) {
        json_object_put(dates);
        json_object_put(sched);
        return false;
    }
    if (json_object_object_add(item, "schedule", sched) != 0) {
        json_object_put(sched);
        return false;
    }
    return true;
}

/* The ItemInput (API.md) of one tip in one language; NULL when out of memory. */
static struct json_object *tips_item(const struct tip *t, int l, struct ymd today)
{
    char source[256];
    snprintf(source, sizeof source, "%s%s", tip_source_prefix[l], t->topic[l]);
    struct json_object *item = json_object_new_object();
    struct ymd from, until;
    bool ok = item && tips_put(item, "kind", "tip") && tips_put(item, "lang", tip_langs[l]) &&
              tips_put(item, "title", t->title[l]) && tips_put(item, "body", t->body[l]) &&
              tips_put(item, "source", source) &&
              (!t->reviewed_by || tips_put(item, "author", t->reviewed_by)) &&
              (!tips_dates(t->months, today, &from, &until) || tips_put_dates(item, from, until));
    if (!ok) {
        json_object_put(item);
        return NULL;
    }
    return item;
}

/* Creates the pending item of tip t in language l through the same parser and
 * store call as `import`, then records where it came from. */
static bool tips_create(struct store *st, const struct store_actor *who, const struct tip *t, int l,
                        struct ymd today, int64_t now, struct sg_err *err)
{
    struct json_object *item = tips_item(t, l, today);
    if (!item) {
        sg_err_set(err, "out of memory");
        return false;
    }
    const char *text = json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN);
    struct store_content c = {0};
    bool ok = text && req_parse_item(text, strlen(text), &c, err);
    json_object_put(item);
    char *id = NULL, key[TIPS_MAX_ID_LEN + 8];
    snprintf(key, sizeof key, "%s:%s", t->id, tip_langs[l]);
    ok = ok && store_item_create(st, who, &c, now, &id, err) == STORE_OK &&
         store_audit_append(st, who, TIPS_AUDIT_ACTION, id, NULL, key, now, err) == STORE_OK;
    store_content_finish(&c);
    free(id);
    return ok;
}

/* ---- what is already there ---- */

/* seen[i * TIP_NLANG + l]: tip i in language l was imported before. */
static void tips_mark_key(const struct tip_lib *lib, const char *key, bool *seen)
{
    const char *colon = key ? strrchr(key, ':') : NULL;
    if (!colon)
        return;
    for (size_t i = 0; i < lib->n; i++)
        for (int l = 0; l < TIP_NLANG; l++)
            if (strlen(lib->tips[i].id) == (size_t)(colon - key) &&
                strncmp(key, lib->tips[i].id, (size_t)(colon - key)) == 0 &&
                strcmp(colon + 1, tip_langs[l]) == 0)
                seen[i * TIP_NLANG + l] = true;
}

static void tips_mark_content(const struct tip_lib *lib, const struct store_content *c, bool *seen)
{
    if (!c->title || !c->lang)
        return;
    for (size_t i = 0; i < lib->n; i++)
        for (int l = 0; l < TIP_NLANG; l++)
            if (strcmp(c->lang, tip_langs[l]) == 0 && strcmp(c->title, lib->tips[i].title[l]) == 0)
                seen[i * TIP_NLANG + l] = true;
}

static bool tips_mark_seen(struct store *st, const struct tip_lib *lib, bool *seen,
                           struct sg_err *err)
{
    size_t n = 0;
    for (int64_t before = 0;;) {
        struct store_audit_row *rows = NULL;
        if (store_audit_list(st, before, TIPS_AUDIT_PAGE, &rows, &n, err) != STORE_OK)
            return false;
        for (size_t i = 0; i < n; i++)
            if (rows[i].action && strcmp(rows[i].action, TIPS_AUDIT_ACTION) == 0)
                tips_mark_key(lib, rows[i].new_value, seen);
        before = n ? rows[n - 1].id : 0;
        store_audit_rows_free(rows, n);
        if (n < TIPS_AUDIT_PAGE || before <= 1)
            break;
    }
    struct store_item *items = NULL;
    if (store_item_list(st, true, STORE_REV_PENDING, 0, &items, &n, err) != STORE_OK)
        return false;
    for (size_t i = 0; i < n; i++) {
        tips_mark_content(lib, &items[i].latest.content, seen);
        if (items[i].has_shown)
            tips_mark_content(lib, &items[i].shown.content, seen);
    }
    store_items_free(items, n);
    return true;
}

/* ---- the command ---- */

static int tips_usage(int rc)
{
    fputs("usage: signet-queue tips import --data DIR [--file FILE] [--lang de|en|both] "
          "[--as USER]\n"
          "\n"
          "Loads the starter library of health tips as pending items (kind \"tip\"), one per\n"
          "tip and language, for staff to review and approve on the staff page.\n"
          "  --file FILE   the library (default " SIGNET_TIPS_FILE ";\n"
          "                in a source tree: assets/tips/tips.json)\n"
          "  --lang L      de, en or both (default both)\n"
          "  --as USER     the items' creator in the audit log (default \"tips\")\n"
          "The whole file is checked first; a bad file imports nothing. A tip's months\n"
          "become schedule dates: when today is in a run of its months (runs wrap around\n"
          "the year end), from today to the end of that run, else from the first day of\n"
          "the next run to its end; all 12 months: no dates. A tip imported before (by id\n"
          "and language, recorded in the audit log, or by the same title and language)\n"
          "is skipped.\n",
          rc ? stderr : stdout);
    return rc;
}

/* Which languages to import: a bit per TIP_* index; 0 for a bad --lang. */
static unsigned tips_lang_mask(const char *lang)
{
    if (!lang || strcmp(lang, "both") == 0)
        return (1u << TIP_DE) | (1u << TIP_EN);
    for (int l = 0; l < TIP_NLANG; l++)
        if (strcmp(lang, tip_langs[l]) == 0)
            return 1u << l;
    return 0;
}

/* Imports every tip not seen before; counts what it did. */
static bool tips_import_all(struct store *st, const struct store_actor *who,
                            const struct tip_lib *lib, unsigned langs, const bool *seen,
                            size_t created[TIP_NLANG], size_t *skipped, struct sg_err *err)
{
    struct ymd today;
    int64_t now = queue_clock(NULL);
    if (!tips_today(now, &today)) {
        sg_err_set(err, "the clock gives no local date");
        return false;
    }
    for (size_t i = 0; i < lib->n; i++) {
        for (int l = 0; l < TIP_NLANG; l++) {
            if (!(langs & (1u << l)))
                continue;
            if (seen[i * TIP_NLANG + l]) {
                ++*skipped;
                continue;
            }
            if (!tips_create(st, who, &lib->tips[i], l, today, now, err)) {
                char ctx[96];
                snprintf(ctx, sizeof ctx, "tip '%s' (%s)", lib->tips[i].id, tip_langs[l]);
                tips_err_prefix(err, ctx);
                return false;
            }
            created[l]++;
        }
    }
    return true;
}

static void tips_summary(const size_t created[TIP_NLANG], size_t skipped)
{
    size_t total = created[TIP_DE] + created[TIP_EN];
    printf("Imported %zu tips as pending items (%zu de, %zu en)", total, created[TIP_DE],
           created[TIP_EN]);
    if (skipped)
        printf("; skipped %zu already imported", skipped);
    puts(total ? "; review and approve them on the staff page" : "");
}

static int cmd_tips_import(const struct opts *o)
{
    const char *path = o->file ? o->file : SIGNET_TIPS_FILE;
    unsigned langs = tips_lang_mask(o->lang);
    if (!langs) {
        fprintf(stderr, "signet-queue: tips import: --lang must be de, en or both\n");
        return 2;
    }
    clock_offset_s = o->clock_offset;
    struct tip_lib lib;
    struct sg_err err = {0};
    if (!tips_load(path, &lib, &err)) {
        fprintf(stderr, "signet-queue: tips import: %s%s\n", err.msg,
                o->file ? "" : " (give the library with --file FILE)");
        return 2;
    }
    struct store *st = open_store(o->data);
    bool *seen = calloc(lib.n * TIP_NLANG, sizeof *seen);
    struct store_user user = {0};
    struct store_actor who = {.user_id = 0, .name = "tips", .ip = "local"};
    int rc = st && seen ? 0 : 1;
    if (!rc && o->as) {
        if (store_user_by_name(st, o->as, &user, &err) != STORE_OK) {
            fprintf(stderr, "signet-queue: tips import: --as %s: no such user\n", o->as);
            rc = 2;
        }
        who = (struct store_actor){.user_id = user.id, .name = user.name, .ip = "local"};
    }
    size_t created[TIP_NLANG] = {0}, skipped = 0;
    if (!rc && (!tips_mark_seen(st, &lib, seen, &err) ||
                !tips_import_all(st, &who, &lib, langs, seen, created, &skipped, &err))) {
        fprintf(stderr, "signet-queue: tips import: %s (imported %zu before the error)\n", err.msg,
                created[TIP_DE] + created[TIP_EN]);
        rc = 1;
    }
    if (!rc)
        tips_summary(created, skipped);
    store_user_finish(&user);
    free(seen);
    store_close(st);
    tips_free(&lib);
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
    if (strcmp(cmd, "source") == 0)
        return cli_source(argc - 2, argv + 2);
    int skip = 2;
    if ((strcmp(cmd, "audit") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0) ||
        (strcmp(cmd, "screen") == 0 && argc > 2 && strcmp(argv[2], "add") == 0) ||
        (strcmp(cmd, "media") == 0 && argc > 2 && strcmp(argv[2], "add") == 0) ||
        (strcmp(cmd, "tips") == 0 && argc > 2 && strcmp(argv[2], "import") == 0))
        skip = 3;
    else if (strcmp(cmd, "audit") == 0 || strcmp(cmd, "screen") == 0 || strcmp(cmd, "media") == 0)
        return usage();
    else if (strcmp(cmd, "tips") == 0)
        return tips_usage(2);
    if (strcmp(cmd, "tips") == 0 && argc > 3 &&
        (strcmp(argv[3], "--help") == 0 || strcmp(argv[3], "help") == 0))
        return tips_usage(0);
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
    if (strcmp(cmd, "tips") == 0)
        return cmd_tips_import(&o);
    return usage();
}
