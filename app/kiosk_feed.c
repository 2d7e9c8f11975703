#include "kiosk_feed.h"

#include <stdlib.h>
#include <string.h>

static void free_media(struct kiosk_media *media, size_t n)
{
    for (size_t i = 0; i < n; i++)
        SDL_FreeSurface(media[i].surface);
}

void kiosk_delivery_free(struct kiosk_delivery *d)
{
    if (!d)
        return;
    if (d->has_doc)
        feed_doc_finish(&d->doc);
    free_media(d->media, d->nmedia);
    free(d->media);
    free(d);
}

void kiosk_feed_init(struct kiosk_feed *f)
{
    memset(f, 0, sizeof *f);
}

void kiosk_feed_finish(struct kiosk_feed *f)
{
    free_media(f->media, f->nmedia);
    free(f->media);
    if (f->have_doc)
        feed_doc_finish(&f->doc);
    memset(f, 0, sizeof *f);
}

static bool doc_names(const struct feed_doc *doc, const char *sha)
{
    for (size_t i = 0; i < doc->nitems; i++)
        for (size_t m = 0; m < doc->items[i].nmedia; m++)
            if (strcmp(doc->items[i].media[m].sha256, sha) == 0)
                return true;
    return false;
}

static struct kiosk_media *find_media(const struct kiosk_feed *f, const char *sha)
{
    for (size_t i = 0; i < f->nmedia; i++)
        if (strcmp(f->media[i].sha256, sha) == 0)
            return &f->media[i];
    return NULL;
}

/* Keeps only the media the doc on screen names. */
static void drop_unnamed(struct kiosk_feed *f)
{
    size_t kept = 0;
    for (size_t i = 0; i < f->nmedia; i++) {
        if (f->have_doc && doc_names(&f->doc, f->media[i].sha256))
            f->media[kept++] = f->media[i];
        else
            SDL_FreeSurface(f->media[i].surface);
    }
    f->nmedia = kept;
}

bool kiosk_feed_take(struct kiosk_feed *f, struct kiosk_delivery *d)
{
    bool changed = d->has_doc;
    if (d->has_doc) {
        if (f->have_doc)
            feed_doc_finish(&f->doc);
        feed_doc_move(&f->doc, &d->doc);
        f->have_doc = true;
        d->has_doc = false;
        drop_unnamed(f);
    }
    for (size_t i = 0; i < d->nmedia; i++) {
        struct kiosk_media *in = &d->media[i];
        if (!f->have_doc || !doc_names(&f->doc, in->sha256))
            continue; /* freed with the delivery */
        struct kiosk_media *have = find_media(f, in->sha256);
        if (!have) {
            if (f->nmedia == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 16;
                struct kiosk_media *grown = realloc(f->media, cap * sizeof *grown);
                if (!grown)
                    continue; /* the item stays off screen: media-missing */
                f->media = grown;
                f->cap = cap;
            }
            have = &f->media[f->nmedia++];
            memset(have, 0, sizeof *have);
        }
        SDL_FreeSurface(have->surface);
        *have = *in;
        in->surface = NULL;
        changed = true;
    }
    kiosk_delivery_free(d);
    return changed;
}

enum verdict_media_state kiosk_feed_media_state(void *ctx, const char *sha256)
{
    const struct kiosk_media *m = find_media(ctx, sha256);
    return m ? m->state : VERDICT_MEDIA_ABSENT;
}

SDL_Surface *kiosk_feed_surface(const struct kiosk_feed *f, const char *sha256)
{
    const struct kiosk_media *m = find_media(f, sha256);
    return m && m->state == VERDICT_MEDIA_OK ? m->surface : NULL;
}
