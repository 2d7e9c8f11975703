#include "kiosk_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "kvconf.h"
#include "netproto.h"
#include "sgtime.h"
#include "state.h"

const char kiosk_usage[] =
    "usage: signet-kiosk [OPTIONS]\n"
    "Shows approved cards from a signed Signet feed; nothing unverified reaches the screen.\n"
    "\n"
    "  --queue URL          fetch the feed from a signet-queue or a static mirror of its\n"
    "                       /v1 folder (http or https); keeps the last accepted feed and\n"
    "                       its media in the state dir for offline starts\n"
    "  --token-file FILE    the screen's token (signet-queue screen add): status reports\n"
    "  --long-poll SEC      ask the queue to hold a request up to SEC s for a change\n"
    "                       (0-60, default 25; 0 = plain polling)\n"
    "  --poll-interval SEC  between requests to a server that answers at once, such as\n"
    "                       a static mirror (default 30)\n"
    "  --net-timeout SEC    connect timeout, and how long a transfer may stall (default 15)\n"
    "  --retry-max SEC      longest wait between retries after failures (default 120)\n"
    "  --status-interval SEC  seconds between status reports (default 60)\n"
    "  --ca-file FILE       CA certificates for https (default: the system's)\n"
    "  --pin-key PIN        pin the queue's public key: sha256//BASE64[;sha256//...]\n"
    "  --feed-file PATH     show a signed feed file instead (USB stick, tests); may be\n"
    "                       replaced at any time (the screen follows within 2 s)\n"
    "  --media-dir DIR      media files named by SHA-256 for --feed-file (default: media/\n"
    "                       beside the feed)\n"
    "  --trust KEYFILE      public key whose signatures are trusted (repeatable)\n"
    "  --screen ID          this screen's id (letters, digits, . _ -)\n"
    "  --group NAME         a group this screen belongs to (repeatable)\n"
    "  --config FILE        read settings from FILE (\"key = value\" lines, keys as these\n"
    "                       options without --); options given here win\n"
    "  --state-dir DIR      where accepted versions are kept (default: .)\n"
    "  --clinic TEXT        clinic name for the header when the feed names none\n"
    "  --timezone TZ        time zone for schedules and the clock (default: TZ or system)\n"
    "  --size WxH           window or screen size (default 1280x720)\n"
    "  --fullscreen         use the whole display\n"
    "  --software           draw with SDL's software renderer, never the GPU (less memory\n"
    "                       on boards without a GPU driver)\n"
    "  --rotate DEG         0, 90, 180 or 270 (portrait screens)\n"
    "  --headless           render offscreen, no window\n"
    "  --screenshot PATH    write a PNG of the screen on SIGUSR1 and at exit\n"
    "  --exit-after SEC     stop after SEC seconds\n"
    "  --clock-start TIME   run the clock from TIME (2026-11-23T09:00:00Z) instead of the\n"
    "                       system time; for tests and demos\n"
    "  --play-log PATH      append one JSON line per card shown (proof of play)\n"
    "  --dwell-min MS       shortest time a card stays (default 6000)\n"
    "  --dwell-max MS       longest time a card stays (default 20000)\n"
    "  --fade MS            crossfade duration (default 600; 0 = cut)\n"
    "  --verbose            log debug lines\n"
    "  --help               this text\n";

enum arg_kind { ARG_NONE, ARG_STRING, ARG_LIST, ARG_INT, ARG_SECONDS, ARG_SIZE, ARG_ROTATE };

struct option_def {
    const char *name;
    enum arg_kind kind;
    size_t offset;    /* into struct kiosk_options */
    size_t count_off; /* ARG_LIST: the count field */
    size_t list_max;
    int64_t min, max; /* ARG_INT */
};

#define OFF(f) offsetof(struct kiosk_options, f)

static const struct option_def option_defs[] = {
    {"feed-file", ARG_STRING, OFF(feed_file), 0, 0, 0, 0},
    {"queue", ARG_STRING, OFF(queue), 0, 0, 0, 0},
    {"token-file", ARG_STRING, OFF(token_file), 0, 0, 0, 0},
    {"long-poll", ARG_INT, OFF(long_poll_s), 0, 0, 0, 60},
    {"poll-interval", ARG_SECONDS, OFF(poll_interval_s), 0, 0, 0, 0},
    {"net-timeout", ARG_SECONDS, OFF(net_timeout_s), 0, 0, 0, 0},
    {"retry-max", ARG_SECONDS, OFF(retry_max_s), 0, 0, 0, 0},
    {"status-interval", ARG_SECONDS, OFF(status_interval_s), 0, 0, 0, 0},
    {"ca-file", ARG_STRING, OFF(ca_file), 0, 0, 0, 0},
    {"pin-key", ARG_STRING, OFF(pin_key), 0, 0, 0, 0},
    {"media-dir", ARG_STRING, OFF(media_dir), 0, 0, 0, 0},
    {"trust", ARG_LIST, OFF(trust_files), OFF(ntrust), KEYS_MAX_TRUSTED, 0, 0},
    {"screen", ARG_STRING, OFF(screen), 0, 0, 0, 0},
    {"group", ARG_LIST, OFF(groups), OFF(ngroups), KIOSK_MAX_GROUPS, 0, 0},
    {"config", ARG_STRING, OFF(config), 0, 0, 0, 0},
    {"state-dir", ARG_STRING, OFF(state_dir), 0, 0, 0, 0},
    {"clinic", ARG_STRING, OFF(clinic), 0, 0, 0, 0},
    {"timezone", ARG_STRING, OFF(timezone), 0, 0, 0, 0},
    {"size", ARG_SIZE, 0, 0, 0, 0, 0},
    {"fullscreen", ARG_NONE, OFF(fullscreen), 0, 0, 0, 0},
    {"software", ARG_NONE, OFF(software), 0, 0, 0, 0},
    {"rotate", ARG_ROTATE, OFF(rotate), 0, 0, 0, 0},
    {"headless", ARG_NONE, OFF(headless), 0, 0, 0, 0},
    {"screenshot", ARG_STRING, OFF(screenshot), 0, 0, 0, 0},
    {"exit-after", ARG_SECONDS, OFF(exit_after), 0, 0, 0, 0},
    {"clock-start", ARG_STRING, OFF(clock_start), 0, 0, 0, 0},
    {"play-log", ARG_STRING, OFF(play_log), 0, 0, 0, 0},
    {"dwell-min", ARG_INT, OFF(dwell_min_ms), 0, 0, 100, 3600000},
    {"dwell-max", ARG_INT, OFF(dwell_max_ms), 0, 0, 100, 3600000},
    {"fade", ARG_INT, OFF(fade_ms), 0, 0, 0, 5000},
    {"verbose", ARG_NONE, OFF(verbose), 0, 0, 0, 0},
    {"help", ARG_NONE, OFF(help), 0, 0, 0, 0},
};

void kiosk_options_init(struct kiosk_options *o)
{
    memset(o, 0, sizeof *o);
    o->width = 1280;
    o->height = 720;
    o->state_dir = ".";
    o->dwell_min_ms = 6000;
    o->dwell_max_ms = 20000;
    o->fade_ms = 600;
    o->long_poll_s = 25;
    o->poll_interval_s = 30;
    o->net_timeout_s = 15;
    o->retry_max_s = 120;
    o->status_interval_s = 60;
}

void kiosk_options_finish(struct kiosk_options *o)
{
    for (size_t i = 0; i < o->nowned; i++)
        free(o->owned[i]);
    memset(o, 0, sizeof *o);
}

static const struct option_def *find_def(const char *name)
{
    for (size_t i = 0; i < sizeof option_defs / sizeof option_defs[0]; i++)
        if (strcmp(option_defs[i].name, name) == 0)
            return &option_defs[i];
    return NULL;
}

static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Applies one setting. value must outlive o (argv, or an owned copy). */
static bool set_option(struct kiosk_options *o, const char *name, const char *value,
                       struct sg_err *err)
{
    const struct option_def *d = find_def(name);
    char *base = (char *)o;
    if (!d) {
        sg_err_set(err, "unknown option \"%s\"", name);
        return false;
    }
    int64_t n;
    char *end;
    switch (d->kind) {
    case ARG_NONE:
        *(bool *)(base + d->offset) = value == NULL || strcmp(value, "true") == 0 ||
                                      strcmp(value, "yes") == 0 || strcmp(value, "1") == 0;
        return true;
    case ARG_STRING:
        *(const char **)(base + d->offset) = value;
        return true;
    case ARG_LIST: {
        size_t *count = (size_t *)(base + d->count_off);
        if (*count == d->list_max) {
            sg_err_set(err, "--%s given more than %zu times", name, d->list_max);
            return false;
        }
        ((const char **)(base + d->offset))[(*count)++] = value;
        return true;
    }
    case ARG_INT:
        if (!parse_int(value, d->min, d->max, &n)) {
            sg_err_set(err, "--%s needs a whole number from %lld to %lld, not \"%s\"", name,
                       (long long)d->min, (long long)d->max, value);
            return false;
        }
        *(int64_t *)(base + d->offset) = n;
        return true;
    case ARG_SECONDS: {
        errno = 0;
        double s = strtod(value, &end);
        if (*value == '\0' || *end != '\0' || errno || !(s > 0 && s < 1e7)) {
            sg_err_set(err, "--%s needs a number of seconds, not \"%s\"", name, value);
            return false;
        }
        // cppcheck-suppress invalidPointerCast ; base + offset is a double field by the table
        *(double *)(base + d->offset) = s;
        return true;
    }
    case ARG_SIZE: {
        int64_t w, h;
        const char *x = strchr(value, 'x');
        char wbuf[16];
        size_t wl = x ? (size_t)(x - value) : 0;
        if (!x || wl == 0 || wl >= sizeof wbuf) {
            sg_err_set(err, "--size needs WIDTHxHEIGHT like 1920x1080, not \"%s\"", value);
            return false;
        }
        memcpy(wbuf, value, wl);
        wbuf[wl] = '\0';
        if (!parse_int(wbuf, 64, 8192, &w) || !parse_int(x + 1, 64, 8192, &h)) {
            sg_err_set(err, "--size needs WIDTHxHEIGHT, each 64 to 8192, not \"%s\"", value);
            return false;
        }
        o->width = (int)w;
        o->height = (int)h;
        return true;
    }
    case ARG_ROTATE:
        if (!parse_int(value, 0, 270, &n) || n % 90 != 0) {
            sg_err_set(err, "--rotate needs 0, 90, 180 or 270, not \"%s\"", value);
            return false;
        }
        o->rotate = (int)n;
        return true;
    }
    return false;
}

static bool set_from_config(void *ctx, int line, const char *key, const char *value,
                            struct sg_err *err)
{
    struct kiosk_options *o = ctx;
    if (strcmp(key, "config") == 0) {
        sg_err_set(err, "line %d: a config file cannot name another config file", line);
        return false;
    }
    if (o->nowned == KIOSK_MAX_STRINGS) {
        sg_err_set(err, "line %d: too many settings", line);
        return false;
    }
    char *copy = strdup(value);
    if (!copy) {
        sg_err_set(err, "out of memory");
        return false;
    }
    o->owned[o->nowned++] = copy;
    struct sg_err inner = {0};
    if (!set_option(o, key, copy, &inner)) {
        sg_err_set(err, "line %d: %s", line, inner.msg);
        return false;
    }
    return true;
}

/* Walks argv; apply = false only looks for --config. Accepts "--name value"
 * and "--name=value". */
static bool walk_argv(struct kiosk_options *o, int argc, char **argv, bool apply,
                      struct sg_err *err)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            sg_err_set(err, "unexpected argument \"%s\"", arg);
            return false;
        }
        char name[32];
        const char *eq = strchr(arg + 2, '=');
        size_t nl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (nl >= sizeof name) {
            sg_err_set(err, "unknown option \"%s\"", arg);
            return false;
        }
        memcpy(name, arg + 2, nl);
        name[nl] = '\0';
        const struct option_def *d = find_def(name);
        if (!d) {
            sg_err_set(err, "unknown option \"%s\"", arg);
            return false;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (d->kind != ARG_NONE && !value) {
            if (i + 1 >= argc) {
                sg_err_set(err, "--%s needs a value", name);
                return false;
            }
            value = argv[++i];
        }
        if ((apply || strcmp(name, "config") == 0) && !set_option(o, name, value, err))
            return false;
    }
    return true;
}

bool kiosk_options_parse(struct kiosk_options *o, int argc, char **argv, struct sg_err *err)
{
    if (!walk_argv(o, argc, argv, false, err))
        return false;
    if (o->config) {
        char *text = NULL;
        size_t len = 0;
        struct sg_err inner = {0};
        bool ok = fileio_read(o->config, KVCONF_MAX_BYTES, &text, &len, &inner) &&
                  kvconf_parse(text, len, set_from_config, o, &inner);
        free(text);
        if (!ok) {
            sg_err_set(err, "%s: %s", o->config, inner.msg);
            return false;
        }
    }
    return walk_argv(o, argc, argv, true, err);
}

bool kiosk_options_check(const struct kiosk_options *o, struct sg_err *err)
{
    if (!o->screen || !state_screen_id_valid(o->screen)) {
        sg_err_set(err, "--screen ID is required (letters, digits, '.', '_', '-')");
        return false;
    }
    if (o->ntrust == 0) {
        sg_err_set(err, "at least one --trust KEYFILE is required");
        return false;
    }
    if (!o->feed_file == !o->queue) {
        sg_err_set(err, "give exactly one of --queue URL and --feed-file PATH");
        return false;
    }
    char url[NETPROTO_MAX_URL + 1];
    struct sg_err inner = {0};
    if (o->queue && !netproto_base_url(o->queue, url, &inner)) {
        sg_err_set(err, "--queue: %s", inner.msg);
        return false;
    }
    if (o->pin_key && strncmp(o->pin_key, "sha256//", 8) != 0) {
        sg_err_set(err, "--pin-key needs curl's form sha256//BASE64 (see --help)");
        return false;
    }
    int64_t t;
    if (o->clock_start && !sgtime_parse_rfc3339(o->clock_start, &t)) {
        sg_err_set(err, "--clock-start needs a time like 2026-11-23T09:00:00Z");
        return false;
    }
    if (o->dwell_max_ms < o->dwell_min_ms) {
        sg_err_set(err, "--dwell-max is shorter than --dwell-min");
        return false;
    }
    return true;
}
