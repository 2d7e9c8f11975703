/* signet-kiosk: shows approved cards from a signed feed.
 *
 * One thread owns SDL and draws; the source thread (kiosk_source.h) owns all
 * feed and media I/O and hands verified feeds over in SDL user events. The
 * loop sleeps in SDL_WaitEventTimeout until the next event or deadline: the
 * end of a card's dwell, a fade frame, the next minute (header clock), an
 * approval window's end, or --exit-after. Nothing is drawn while nothing
 * changes. */
#include <SDL.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "kiosk_clock.h"
#include "kiosk_feed.h"
#include "kiosk_options.h"
#include "kiosk_source.h"
#include "layout.h"
#include "netproto.h"
#include "log.h"
#include "play_log.h"
#include "playlist.h"
#include "render.h"
#include "sd_notify.h"
#include "sgtime.h"
#include "verdict.h"

/* The longest the loop sleeps, so a signal's flag is seen soon. */
#define MAX_SLEEP_MS 1000
/* Verifying a cached feed and decoding its images takes milliseconds; a disk
 * that hangs must not keep the screen black longer than this. */
#define FIRST_LOOK_MS 800
/* 30 frames a second: a fade stays smooth at 2-5 m while the software
 * renderer's CPU time per fade halves against 60 (tests/bench figures). */
#define FADE_FRAME_MS 33

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t screenshot_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_screenshot(int sig)
{
    (void)sig;
    screenshot_requested = 1;
}

struct kiosk {
    struct kiosk_options opt;
    struct keys_trust trust;
    struct kiosk_clock clock;
    struct kiosk_source *source;
    struct kiosk_feed feed;
    char token[65];
    struct render *render;
    struct playlist *playlist;
    struct play_log *play_log;
    struct layout_theme theme;
    struct layout_list list;
    /* The card on screen and, during a fade, the one leaving. */
    struct render_card *card, *leaving;
    int card_index;      /* into feed.doc.items; -1 idle */
    int64_t card_minute; /* the minute the card's header clock shows */
    int64_t fade_start_ms;
    bool fading;
    /* Per item of the accepted feed: the last verdict logged (log on change). */
    enum verdict_reason reasons[FEED_MAX_ITEMS];
    bool clock_behind; /* logged that the clock reads below the feed's issued time */
    int64_t start_ms;
    bool presented;       /* the first frame is on screen */
    int64_t watchdog_ms;  /* ping interval for systemd's watchdog; 0: none */
    int64_t next_ping_ms; /* monotonic */
    int64_t reported_s;   /* when dropped counts were last computed */
    struct kiosk_report report;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The board's now: never below the newest accepted feed's issued time. */
static int64_t kiosk_now_ms(struct kiosk *k)
{
    bool behind;
    int64_t now = kiosk_clock_now_ms(&k->clock, &behind);
    if (behind != k->clock_behind) {
        char when[SGTIME_RFC3339_LEN + 1];
        sgtime_format_rfc3339(kiosk_clock_floor_ms(&k->clock) / 1000, when);
        if (behind)
            log_msg(LOG_WARN,
                    "system clock is behind the newest feed; using %s (its issued time plus the "
                    "time since) until it catches up",
                    when);
        else
            log_msg(LOG_INFO, "system clock caught up with the newest feed");
        k->clock_behind = behind;
    }
    return now;
}

static bool showable(void *ctx, const struct feed_doc *doc, const struct feed_item *item,
                     int64_t now_ms)
{
    struct kiosk *k = ctx;
    struct verdict_clock clock = {.now = now_ms / 1000, .local = sgtime_local_tz};
    enum verdict_reason r = verdict_item(doc, item, &clock, kiosk_feed_media_state, &k->feed);
    size_t i = (size_t)(item - doc->items);
    if (i < FEED_MAX_ITEMS && k->reasons[i] != r) {
        if (r == VERDICT_MEDIA_MISSING) /* usually still on its way */
            log_msg(LOG_INFO, "item %s rev %lld waits for its media (%s)", item->id,
                    (long long)item->rev, verdict_reason_name(r));
        else if (r != VERDICT_SHOWN)
            log_msg(LOG_INFO, "item %s rev %lld dropped: %s", item->id, (long long)item->rev,
                    verdict_reason_name(r));
        else
            log_msg(LOG_DEBUG, "item %s rev %lld may be shown", item->id, (long long)item->rev);
        k->reasons[i] = r;
    }
    return r == VERDICT_SHOWN;
}

static const char *clinic_name(const struct kiosk *k)
{
    if (k->feed.have_doc && k->feed.doc.clinic)
        return k->feed.doc.clinic;
    return k->opt.clinic;
}

/* Lays out and draws the card for index (-1: idle) at now. */
static struct render_card *build_card(struct kiosk *k, int index, int64_t now_ms)
{
    const struct feed_item *item = index >= 0 ? &k->feed.doc.items[index] : NULL;
    struct layout_input in = {
        .item = item,
        .clinic = clinic_name(k),
        .now = now_ms / 1000,
        .theme = &k->theme,
        .measure = fonts_measure,
        .has_glyph = fonts_has_glyph,
        .ctx = render_fonts(k->render),
    };
    if (!sgtime_local_tz(NULL, in.now, &in.local))
        sgtime_local_utc(NULL, in.now, &in.local);
    render_logical_size(k->render, &in.width, &in.height);
    SDL_Surface *media[FEED_MAX_MEDIA] = {0};
    size_t nmedia = 0;
    if (item) {
        for (size_t i = 0; i < item->nmedia; i++)
            media[i] = kiosk_feed_surface(&k->feed, item->media[i].sha256);
        nmedia = item->nmedia;
        if (media[0]) {
            in.image_w = media[0]->w;
            in.image_h = media[0]->h;
        }
    }
    struct sg_err err = {0};
    if (!layout_card(&in, &k->list)) {
        log_msg(LOG_ERROR, "layout ran out of memory");
        return NULL;
    }
    if (fonts_take_error(render_fonts(k->render), &err))
        log_msg(LOG_WARN, "text measuring: %s", err.msg);
    if (item && !k->list.fits)
        log_msg(LOG_WARN, "item %s: text does not fit even at the smallest size; cut", item->id);
    const char *link =
        item && item->link && strncmp(item->link, "https://", 8) == 0 ? item->link : NULL;
    struct render_card *card = render_card_new(k->render, &k->list, media, nmedia, link, &err);
    if (!card)
        log_msg(LOG_ERROR, "drawing card: %s", err.msg);
    return card;
}

static void record_play(struct kiosk *k, int64_t now_ms)
{
    const struct feed_item *item = k->card_index >= 0 ? &k->feed.doc.items[k->card_index] : NULL;
    struct sg_err err = {0};
    int64_t version = k->feed.have_doc ? k->feed.doc.version : 0;
    if (!play_log_write(k->play_log, now_ms / 1000, k->opt.screen, item ? item->id : "idle",
                        item ? item->rev : 0, version, &err))
        log_msg(LOG_ERROR, "%s", err.msg);
    log_msg(LOG_DEBUG, "showing %s", item ? item->id : "idle card");
}

/* Puts the card for pick on screen (with a fade when it changed). */
static void show(struct kiosk *k, int index, bool changed, int64_t now_ms)
{
    struct render_card *card = build_card(k, index, now_ms);
    if (!card && index >= 0) {
        /* Never leave a card up that we could not redraw for the current
         * state: fall back to the idle card. */
        index = -1;
        card = build_card(k, -1, now_ms);
    }
    k->card_minute = now_ms / 60000;
    if (changed && k->opt.fade_ms > 0 && k->card) {
        render_card_free(k->leaving);
        k->leaving = k->card;
        k->fading = true;
        k->fade_start_ms = now_ms;
    } else {
        render_card_free(k->card);
    }
    k->card = card;
    k->card_index = index;
    if (changed)
        record_play(k, now_ms);
}

static void take_screenshot(struct kiosk *k)
{
    struct sg_err err = {0};
    if (!k->opt.screenshot)
        return;
    if (render_screenshot_png(k->render, k->opt.screenshot, &err))
        log_msg(LOG_INFO, "screenshot written to %s", k->opt.screenshot);
    else
        log_msg(LOG_ERROR, "screenshot: %s", err.msg);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Takes a delivery from the source thread. */
static void take_delivery(struct kiosk *k, struct kiosk_delivery *d)
{
    bool new_doc = d->has_doc;
    if (!kiosk_feed_take(&k->feed, d))
        return;
    if (new_doc) {
        for (size_t i = 0; i < FEED_MAX_ITEMS; i++)
            k->reasons[i] = VERDICT_REASON_COUNT; /* log every item's first verdict */
        playlist_set_feed(k->playlist, &k->feed.doc);
        /* The card's texture came from the old doc's item: redraw it. */
        k->card_minute = -1;
    }
    k->reported_s = 0; /* drop counts change with the feed and its media */
}

/* Tells the source thread what is on screen (for status reports). The drop
 * counts are worked out at most once a second. */
static void report(struct kiosk *k, int64_t now_ms)
{
    if (!k->source)
        return;
    struct kiosk_report *r = &k->report;
    const struct feed_item *item = k->card_index >= 0 ? &k->feed.doc.items[k->card_index] : NULL;
    r->version = k->feed.have_doc ? k->feed.doc.version : 0;
    snprintf(r->item, sizeof r->item, "%s", item ? item->id : "idle");
    r->rev = item ? item->rev : 0;
    if (now_ms / 1000 != k->reported_s) {
        k->reported_s = now_ms / 1000;
        memset(r->dropped, 0, sizeof r->dropped);
        struct verdict_clock clock = {.now = now_ms / 1000, .local = sgtime_local_tz};
        for (size_t i = 0; k->feed.have_doc && i < k->feed.doc.nitems; i++) {
            enum verdict_reason why = verdict_item(&k->feed.doc, &k->feed.doc.items[i], &clock,
                                                   kiosk_feed_media_state, &k->feed);
            if (why != VERDICT_SHOWN && why < VERDICT_REASON_COUNT)
                r->dropped[why]++;
        }
    }
    kiosk_source_report(k->source, r);
}

/* Answers the queue's request for a screenshot. */
static void send_screenshot(struct kiosk *k)
{
    unsigned char *png = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!render_png_encode(k->render, &png, &len, &err)) {
        log_msg(LOG_ERROR, "screenshot for the queue: %s", err.msg);
        png = NULL;
    } else {
        log_msg(LOG_INFO, "screenshot for the queue: %zu bytes", len);
    }
    kiosk_source_screenshot(k->source, png, len);
}

/* Tells systemd's watchdog that the loop turns, as long as the source
 * thread does too (a hung network thread must restart the kiosk as well). */
static void ping_watchdog(struct kiosk *k)
{
    int64_t mono = kiosk_mono_ms();
    if (k->watchdog_ms <= 0 || mono < k->next_ping_ms)
        return;
    k->next_ping_ms = mono + k->watchdog_ms;
    if (kiosk_source_alive(k->source, mono))
        (void)sd_notify_send("WATCHDOG=1");
    else
        log_msg(LOG_ERROR, "the feed thread has not turned for minutes; not telling the watchdog");
}

/* One turn of the loop; returns the time to sleep in ms. */
static int64_t step(struct kiosk *k)
{
    int64_t now = kiosk_now_ms(k);
    struct playlist_pick pick = playlist_next(k->playlist, now, showable, k);
    if (pick.changed || !k->card || k->card_minute != now / 60000)
        show(k, pick.index, pick.changed || !k->card, now);

    int alpha = 255;
    if (k->fading) {
        int64_t t = now - k->fade_start_ms;
        alpha = t >= k->opt.fade_ms ? 255 : (int)(t * 255 / k->opt.fade_ms);
    }
    struct sg_err err = {0};
    bool drew = false;
    if (!render_present(k->render, k->fading ? k->leaving : NULL, k->card, alpha, &drew, &err))
        log_msg(LOG_ERROR, "present: %s", err.msg);
    if (drew && !k->presented) {
        k->presented = true;
        log_msg(LOG_INFO, "first frame presented %lld ms after start",
                (long long)(wall_ms() - k->start_ms));
        (void)sd_notify_send("READY=1");
    }
    ping_watchdog(k);
    if (k->fading && alpha == 255) {
        k->fading = false;
        render_card_free(k->leaving);
        k->leaving = NULL;
    }

    report(k, now);
    int64_t next = min64(pick.deadline_ms, now + MAX_SLEEP_MS);
    next = min64(next, (now / 60000 + 1) * 60000);
    if (k->feed.have_doc) {
        int64_t change = verdict_next_change(&k->feed.doc, now / 1000);
        if (change < INT64_MAX / 1000)
            next = min64(next, change * 1000);
    }
    if (k->fading) {
        /* Frames on a fixed grid from the fade's start, so drawing time does
         * not stretch the interval between them. */
        int64_t frame = (now - k->fade_start_ms) / FADE_FRAME_MS + 1;
        next = min64(next, k->fade_start_ms + frame * FADE_FRAME_MS);
    }
    if (k->opt.exit_after > 0)
        next = min64(next, k->start_ms + (int64_t)(k->opt.exit_after * 1000));
    if (k->watchdog_ms > 0)
        next = min64(next, now + (k->next_ping_ms - kiosk_mono_ms()));
    return next > now ? next - now : 0;
}

/* Waits (at most FIRST_LOOK_MS) for the source's first delivery, so the
 * first frame shows the cached or file feed rather than a flash of the idle
 * card. */
static void wait_first_look(struct kiosk *k)
{
    int64_t end = wall_ms() + FIRST_LOOK_MS;
    SDL_Event ev;
    while (!stop_requested && wall_ms() < end) {
        if (!SDL_WaitEventTimeout(&ev, (int)(end - wall_ms())))
            continue;
        if (ev.type == kiosk_event_delivery) {
            take_delivery(k, ev.user.data1);
            return;
        }
        if (ev.type == kiosk_event_screenshot)
            send_screenshot(k);
        else if (ev.type == SDL_QUIT)
            stop_requested = 1;
    }
}

static int run(struct kiosk *k)
{
    wait_first_look(k);
    while (!stop_requested) {
        int64_t sleep_ms = step(k);
        if (screenshot_requested) {
            screenshot_requested = 0;
            take_screenshot(k);
        }
        if (k->opt.exit_after > 0 && wall_ms() - k->start_ms >= k->opt.exit_after * 1000)
            break;
        SDL_Event ev;
        if (SDL_WaitEventTimeout(&ev, (int)min64(sleep_ms, MAX_SLEEP_MS))) {
            do {
                if (ev.type == kiosk_event_delivery)
                    take_delivery(k, ev.user.data1);
                else if (ev.type == kiosk_event_screenshot)
                    send_screenshot(k);
                else if (ev.type == SDL_QUIT)
                    stop_requested = 1;
                else if (ev.type == SDL_WINDOWEVENT)
                    render_invalidate(k->render);
            } while (SDL_PollEvent(&ev));
        }
    }
    take_screenshot(k);
    return 0;
}

static bool setup(struct kiosk *k, struct sg_err *err)
{
    struct kiosk_options *o = &k->opt;
    if (o->timezone) {
        setenv("TZ", o->timezone, 1);
        tzset();
    }
    for (size_t i = 0; i < o->ntrust; i++) {
        if (!keys_trust_add_file(&k->trust, o->trust_files[i], err))
            return false;
        log_msg(LOG_INFO, "trusting key %s from %s", k->trust.keys[k->trust.n - 1].keyid,
                o->trust_files[i]);
    }
    struct verdict_screen screen = {
        .screen = o->screen, .groups = o->groups, .ngroups = o->ngroups, .trust = &k->trust};
    if (o->feed_file && !o->media_dir) {
        /* Default: media/ beside the feed file. */
        const char *slash = strrchr(o->feed_file, '/');
        size_t dl = slash ? (size_t)(slash - o->feed_file) : 1;
        char *media_dir = NULL;
        if (o->nowned == KIOSK_MAX_STRINGS || !(media_dir = malloc(dl + 8))) {
            sg_err_set(err, "out of memory");
            return false;
        }
        snprintf(media_dir, dl + 8, "%.*s/media", (int)dl, slash ? o->feed_file : ".");
        o->owned[o->nowned++] = media_dir;
        o->media_dir = media_dir;
    }
    if (o->token_file) {
        char *text = NULL;
        size_t len = 0;
        struct sg_err inner = {0};
        bool ok = fileio_read(o->token_file, 1024, &text, &len, &inner) &&
                  netproto_token_parse(text, len, k->token, &inner);
        if (text)
            sodium_memzero(text, len);
        free(text);
        if (!ok) {
            sg_err_set(err, "--token-file %s: %s", o->token_file, inner.msg);
            return false;
        }
    }
    kiosk_clock_init(&k->clock);
    k->watchdog_ms = sd_notify_watchdog_ms();
    if (k->watchdog_ms > 0)
        log_msg(LOG_INFO, "systemd watchdog: a ping every %lld ms", (long long)k->watchdog_ms);
    if (o->clock_start) {
        int64_t t = 0;
        if (!sgtime_parse_rfc3339(o->clock_start, &t)) { /* checked with the options */
            sg_err_set(err, "--clock-start: bad time");
            return false;
        }
        k->clock.offset_ms = t * 1000 - wall_ms();
    }
    kiosk_feed_init(&k->feed);
    struct playlist_config pc;
    playlist_config_default(&pc);
    pc.dwell_min_ms = o->dwell_min_ms;
    pc.dwell_max_ms = o->dwell_max_ms;
    if (!(k->playlist = playlist_new(&pc))) {
        sg_err_set(err, "out of memory");
        return false;
    }
    if (!(k->play_log = play_log_open(o->play_log, err)))
        return false;
    if (SDL_Init(SDL_INIT_EVENTS) != 0) {
        sg_err_set(err, "SDL: %s", SDL_GetError());
        return false;
    }
    /* The source starts before the fonts load, so the cached feed is
     * verified while the renderer comes up. */
    struct kiosk_source_config sc = {
        .feed_file = o->feed_file,
        .media_dir = o->media_dir,
        .queue_url = o->queue,
        .token = k->token[0] ? k->token : NULL,
        .state_dir = o->state_dir,
        .screen = screen,
        .clock = &k->clock,
        .long_poll_s = (int)o->long_poll_s,
        .poll_interval_ms = (int64_t)(o->poll_interval_s * 1000),
        .timeout_ms = (int64_t)(o->net_timeout_s * 1000),
        .retry_max_ms = (int64_t)(o->retry_max_s * 1000),
        .status_interval_ms = (int64_t)(o->status_interval_s * 1000),
        .ca_file = o->ca_file,
        .pin_key = o->pin_key,
    };
    if (!(k->source = kiosk_source_start(&sc, err)))
        return false;
    struct render_opts ro = {
        .width = o->width,
        .height = o->height,
        .headless = o->headless,
        .fullscreen = o->fullscreen,
        .software = o->software,
        .rotate = o->rotate,
        .title = "Signet",
    };
    if (!(k->render = render_new(&ro, err)))
        return false;
    layout_theme_default(&k->theme);
    layout_list_init(&k->list);
    k->card_index = -1;
    k->card_minute = -1;
    log_msg(LOG_INFO, "screen %s, %s, feed from %s", o->screen, render_describe(k->render),
            o->queue ? o->queue : o->feed_file);
    return true;
}

static void teardown(struct kiosk *k)
{
    /* The source goes first: nothing may arrive after the queue is drained. */
    kiosk_source_stop(k->source);
    kiosk_source_drain_events();
    sodium_memzero(k->token, sizeof k->token);
    render_card_free(k->leaving);
    render_card_free(k->card);
    layout_list_finish(&k->list);
    render_free(k->render);
    if (SDL_WasInit(SDL_INIT_EVENTS))
        SDL_Quit();
    play_log_free(k->play_log);
    playlist_free(k->playlist);
    kiosk_feed_finish(&k->feed);
    kiosk_options_finish(&k->opt);
}

int main(int argc, char **argv)
{
    static struct kiosk k; /* large (per-item arrays); zeroed */
    struct sg_err err = {0};
    kiosk_options_init(&k.opt);
    if (!kiosk_options_parse(&k.opt, argc, argv, &err)) {
        fprintf(stderr, "signet-kiosk: %s\n\n%s", err.msg, kiosk_usage);
        kiosk_options_finish(&k.opt);
        return 2;
    }
    if (k.opt.help) {
        fputs(kiosk_usage, stdout);
        kiosk_options_finish(&k.opt);
        return 0;
    }
    if (!kiosk_options_check(&k.opt, &err)) {
        fprintf(stderr, "signet-kiosk: %s\n\n%s", err.msg, kiosk_usage);
        kiosk_options_finish(&k.opt);
        return 2;
    }
    log_set_level(k.opt.verbose ? LOG_DEBUG : LOG_INFO);
    if (!keys_init()) {
        log_msg(LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }
    /* Our own handlers: SIGTERM/SIGINT stop cleanly, SIGUSR1 asks for a
     * screenshot. SDL must not install its own. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_screenshot;
    sigaction(SIGUSR1, &sa, NULL);

    k.start_ms = wall_ms();
    int rc = 1;
    if (setup(&k, &err))
        rc = run(&k);
    else
        log_msg(LOG_ERROR, "%s", err.msg);
    teardown(&k);
    return rc;
}
