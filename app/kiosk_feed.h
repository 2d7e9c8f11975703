/* The feed on screen, as the display thread holds it: the accepted document
 * and the decoded images of its items. Everything here arrived verified from
 * the source thread (kiosk_source.h) in a delivery; this module only keeps
 * it and answers the verdict's questions about media. Display thread only. */
#ifndef SIGNET_KIOSK_FEED_H
#define SIGNET_KIOSK_FEED_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "verdict.h"

struct kiosk_media {
    char sha256[FEED_SHA256_HEX_LEN + 1];
    enum verdict_media_state state;
    SDL_Surface *surface; /* decoded image when state is OK */
};

/* What the source thread hands over (ownership moves with it). With has_doc
 * it replaces the feed on screen; media adds images for the feed on screen
 * (the ones the display does not hold yet). */
struct kiosk_delivery {
    bool has_doc;
    struct feed_doc doc;
    size_t nmedia;
    struct kiosk_media *media;
};

void kiosk_delivery_free(struct kiosk_delivery *d);

struct kiosk_feed {
    bool have_doc;
    struct feed_doc doc;
    struct kiosk_media *media; /* only media the doc names */
    size_t nmedia, cap;
};

void kiosk_feed_init(struct kiosk_feed *f);
void kiosk_feed_finish(struct kiosk_feed *f);

/* Takes a delivery (and frees it). Returns true when the document changed
 * (the caller resets its playlist: the previous doc is gone). Media the new
 * doc does not name are freed; delivered media the doc does not name are
 * dropped. */
bool kiosk_feed_take(struct kiosk_feed *f, struct kiosk_delivery *d);

/* verdict_media_fn over the media held (ctx: struct kiosk_feed). */
enum verdict_media_state kiosk_feed_media_state(void *ctx, const char *sha256);
/* The decoded image for a hash, or NULL. */
SDL_Surface *kiosk_feed_surface(const struct kiosk_feed *f, const char *sha256);

#endif
