#include "cli_sources.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "requests.h"
#include "source_poller.h"
#include "store.h"

#ifndef SIGNET_DATADIR
#define SIGNET_DATADIR "/usr/share/signet"
#endif

static int usage(void)
{
    fputs("usage: signet-queue source add --data DIR --kind rss|mastodon|bluesky|webhook "
          "--name NAME\n"
          "                  [--url URL] [--account ID|@name@host|handle] [--poll-minutes N]\n"
          "                  [--lang de] [--target T]... [--auto-approve] [--no-blocklist]\n"
          "                  [--daily-cap N] [--disabled]\n"
          "       signet-queue source list --data DIR\n"
          "       signet-queue source poll --data DIR [--blocklist FILE]...\n"
          "  add prints the source's id; a webhook's token (\"<id>.<hex>\", for\n"
          "  Authorization: Bearer) is printed once. poll takes every due source now.\n",
          stderr);
    return 2;
}

static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static bool exists(const char *path)
{
    return access(path, R_OK) == 0;
}

struct source_poller *cli_poller_new(struct store *st, struct publisher *pub, queue_clock_fn clock,
                                     const char *data_dir, const char *const *blocklists, size_t n,
                                     int64_t timeout_ms, struct sg_err *err)
{
    static char own[4096];
    const char *files[CLI_MAX_BLOCKLISTS + 3];
    size_t nfiles = 0;
    for (size_t i = 0; i < n && i < CLI_MAX_BLOCKLISTS; i++)
        files[nfiles++] = blocklists[i];
    if (n == 0) {
        /* The clinic's own list in the data folder, then the starter lists. */
        snprintf(own, sizeof own, "%s/blocklist.txt", data_dir);
        const char *defaults[] = {own, SIGNET_DATADIR "/blocklist/de.txt",
                                  SIGNET_DATADIR "/blocklist/en.txt"};
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
            if (exists(defaults[i]))
                files[nfiles++] = defaults[i];
    }
    struct source_poller_config cfg = {
        .store = st,
        .publisher = pub,
        .clock = clock ? clock : wall_clock,
        .blocklist_files = files,
        .nblocklist = nfiles,
        .timeout_ms = timeout_ms,
    };
    return source_poller_new(&cfg, err);
}

/* Builds the SourceInput JSON from the flags, so the CLI and the API share
 * one parser (req_parse_source) and so one set of rules. */
static bool source_json(int argc, char **argv, const char **data, struct json_object *o)
{
    struct json_object *targets = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const struct {
            const char *flag, *key;
        } strs[] = {{"--kind", "kind"},
                    {"--name", "name"},
                    {"--url", "url"},
                    {"--account", "account"},
                    {"--lang", "lang"}};
        bool done = false;
        for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !done; k++) {
            if (strcmp(a, strs[k].flag) == 0 && v) {
                json_object_object_add(o, strs[k].key, json_object_new_string(v));
                i++;
                done = true;
            }
        }
        if (done)
            continue;
        if (strcmp(a, "--data") == 0 && v) {
            *data = v;
            i++;
        } else if ((strcmp(a, "--poll-minutes") == 0 || strcmp(a, "--daily-cap") == 0) && v && *v &&
                   strspn(v, "0123456789") == strlen(v) && strlen(v) < 9) {
            json_object_object_add(o, a[2] == 'p' ? "poll_minutes" : "daily_cap",
                                   json_object_new_int64(strtoll(v, NULL, 10)));
            i++;
        } else if (strcmp(a, "--target") == 0 && v) {
            if (!targets) {
                targets = json_object_new_array();
                json_object_object_add(o, "targets", targets);
            }
            json_object_array_add(targets, json_object_new_string(v));
            i++;
        } else if (strcmp(a, "--auto-approve") == 0) {
            json_object_object_add(o, "auto_approve", json_object_new_boolean(true));
        } else if (strcmp(a, "--no-blocklist") == 0) {
            json_object_object_add(o, "use_blocklist", json_object_new_boolean(false));
        } else if (strcmp(a, "--disabled") == 0) {
            json_object_object_add(o, "enabled", json_object_new_boolean(false));
        } else {
            fprintf(stderr, "signet-queue: source add: unknown or incomplete option %s\n", a);
            return false;
        }
    }
    return true;
}

static int cmd_add(int argc, char **argv)
{
    const char *data = NULL;
    struct json_object *o = json_object_new_object();
    if (!o || !source_json(argc, argv, &data, o) || !data) {
        json_object_put(o);
        return usage();
    }
    size_t len = 0;
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
    struct store_source src;
    struct sg_err err = {0};
    bool parsed = req_parse_source(false, text, len, &src, &err);
    json_object_put(o);
    if (!parsed) {
        fprintf(stderr, "signet-queue: source add: %s\n", err.msg);
        return 1;
    }
    struct store *st = store_open(data, &err);
    if (!st) {
        fprintf(stderr, "signet-queue: source add: %s\n", err.msg);
        store_source_finish(&src);
        return 1;
    }
    struct store_actor who = {.user_id = 0, .name = "cli", .ip = "local"};
    unsigned char token[STORE_TOKEN_BYTES];
    int64_t id = 0;
    int rc = 0;
    if (store_source_add(st, &who, &src, wall_clock(NULL), &id, token, &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: source add: %s\n", err.msg);
        rc = 1;
    } else if (src.kind == STORE_SOURCE_WEBHOOK) {
        char hex[2 * STORE_TOKEN_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, token, sizeof token);
        /* The token goes to stdout only, once. */
        printf("%lld\n%lld.%s\n", (long long)id, (long long)id, hex);
        sodium_memzero(hex, sizeof hex);
    } else {
        printf("%lld\n", (long long)id);
    }
    sodium_memzero(token, sizeof token);
    store_source_finish(&src);
    store_close(st);
    return rc;
}

static int cmd_list(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[0], "--data") != 0)
        return usage();
    struct sg_err err = {0};
    struct store *st = store_open(argv[1], &err);
    if (!st) {
        fprintf(stderr, "signet-queue: source list: %s\n", err.msg);
        return 1;
    }
    struct store_source *list = NULL;
    size_t n = 0;
    int rc = 0;
    if (store_source_list(st, wall_clock(NULL), &list, &n, &err) != STORE_OK) {
        fprintf(stderr, "signet-queue: source list: %s\n", err.msg);
        rc = 1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct store_source *s = &list[i];
        printf("%lld\t%s\t%s\t%s\t%s%s%s\t%lld in 24 h\t%s\n", (long long)s->id,
               store_source_kind_name(s->kind), s->name, s->url ? s->url : "-",
               s->enabled ? "enabled" : "disabled", s->auto_approve ? ", auto-approve" : "",
               s->use_blocklist ? ", blocklist" : "", (long long)s->posts_24h,
               s->last_error ? s->last_error : "ok");
    }
    store_sources_free(list, n);
    store_close(st);
    return rc;
}

static int cmd_poll(int argc, char **argv)
{
    const char *data = NULL;
    const char *lists[CLI_MAX_BLOCKLISTS];
    size_t nlists = 0;
    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--data") == 0)
            data = argv[i + 1];
        else if (strcmp(argv[i], "--blocklist") == 0 && nlists < CLI_MAX_BLOCKLISTS)
            lists[nlists++] = argv[i + 1];
        else
            return usage();
    }
    if (!data || argc % 2 != 0)
        return usage();
    struct sg_err err = {0};
    struct store *st = store_open(data, &err);
    struct source_poller *p =
        st ? cli_poller_new(st, NULL, NULL, data, lists, nlists, 0, &err) : NULL;
    if (!p) {
        fprintf(stderr, "signet-queue: source poll: %s\n", err.msg);
        store_close(st);
        return 1;
    }
    struct source_stats s = {0};
    source_poller_run_once(p, &s);
    printf("polled %zu sources (%zu failed): %zu new, %zu edited, %zu approved by rule, %zu held, "
           "%zu unchanged, %zu over the daily cap, %zu skipped, %zu gone at the source, %zu "
           "images\n",
           s.polled, s.failed, s.taken_new, s.edited, s.approved, s.held, s.same, s.capped,
           s.skipped, s.gone, s.images);
    source_poller_free(p);
    store_close(st);
    return s.failed ? 1 : 0;
}

int cli_source(int argc, char **argv)
{
    if (argc < 1)
        return usage();
    if (strcmp(argv[0], "add") == 0)
        return cmd_add(argc - 1, argv + 1);
    if (strcmp(argv[0], "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(argv[0], "poll") == 0)
        return cmd_poll(argc - 1, argv + 1);
    return usage();
}
