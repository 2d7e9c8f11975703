/* The kiosk's accepted feed: reading the feed file, verifying it, keeping the
 * newest accepted version in the state dir, and holding the verified, decoded
 * media of its items. Runs on the SDL thread (media become surfaces). */
#ifndef SIGNET_KIOSK_FEED_H
#define SIGNET_KIOSK_FEED_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "feed.h"
#include "keys.h"
#include "state.h"
#include "verdict.h"

struct kiosk_media {
    char sha256[FEED_SHA256_HEX_LEN + 1];
    enum verdict_media_state state;
    SDL_Surface *surface; /* decoded image when state is OK and it decodes */
};

struct kiosk_feed {
    const char *path;      /* feed file */
    const char *media_dir; /* media by hash */
    const char *state_dir;
    struct verdict_screen screen;
    struct state_accepted accepted; /* newest accepted (persisted) */
    bool have_doc;
    struct feed_doc doc; /* the feed on screen */
    struct kiosk_media *media;
    size_t nmedia;
    /* Identity of the feed file at the last look, to read it only on change. */
    bool seen_file;
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
};

/* screen/trust are borrowed and must outlive f. Loads the accepted state;
 * fails on a corrupt state file (rollback protection must not be reset
 * silently). */
bool kiosk_feed_init(struct kiosk_feed *f, const char *path, const char *media_dir,
                     const char *state_dir, const struct verdict_screen *screen,
                     struct sg_err *err) SG_MUST_USE;
void kiosk_feed_finish(struct kiosk_feed *f);

/* Looks at the feed file and, when it changed, verifies it at now (seconds).
 * Returns true when a new feed was accepted (the caller updates the playlist:
 * the previous doc is gone). Problems are logged, once per file change. */
bool kiosk_feed_poll(struct kiosk_feed *f, int64_t now);

/* verdict_media_fn over the accepted feed's media (ctx: struct kiosk_feed). */
enum verdict_media_state kiosk_feed_media_state(void *ctx, const char *sha256);
/* The decoded image for a hash, or NULL. */
SDL_Surface *kiosk_feed_surface(const struct kiosk_feed *f, const char *sha256);

/* The lowest the board's clock may read: the issued time of the newest
 * accepted feed (0 when none). */
int64_t kiosk_feed_clock_floor(const struct kiosk_feed *f);

#endif
