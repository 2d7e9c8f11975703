#include "kiosk_feed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "media.h"
#include "mediastore.h"

bool kiosk_feed_init(struct kiosk_feed *f, const char *path, const char *media_dir,
                     const char *state_dir, const struct verdict_screen *screen, struct sg_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->media_dir = media_dir;
    f->state_dir = state_dir;
    f->screen = *screen;
    if (!state_load(state_dir, screen->screen, &f->accepted, err))
        return false;
    if (f->accepted.present) {
        f->screen.have_last = true;
        f->screen.last_version = f->accepted.version;
        memcpy(f->screen.last_sha256, f->accepted.sha256, 32);
        log_msg(LOG_INFO, "accepted before: feed version %lld (rollback below it is refused)",
                (long long)f->accepted.version);
    }
    return true;
}

static void free_media(struct kiosk_media *media, size_t n)
{
    for (size_t i = 0; i < n; i++)
        SDL_FreeSurface(media[i].surface);
    free(media);
}

void kiosk_feed_finish(struct kiosk_feed *f)
{
    free_media(f->media, f->nmedia);
    if (f->have_doc)
        feed_doc_finish(&f->doc);
    memset(f, 0, sizeof *f);
}

static struct kiosk_media *find_media(struct kiosk_media *media, size_t n, const char *sha)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(media[i].sha256, sha) == 0)
            return &media[i];
    return NULL;
}

/* Loads every media file the doc names: verified against its hash, then
 * decoded from exactly the verified bytes. */
static bool load_media(const struct kiosk_feed *f, const struct feed_doc *doc,
                       struct kiosk_media **out, size_t *nout)
{
    size_t cap = 0;
    for (size_t i = 0; i < doc->nitems; i++)
        cap += doc->items[i].nmedia;
    struct kiosk_media *media = calloc(cap ? cap : 1, sizeof *media);
    if (!media)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < doc->nitems; i++) {
        for (size_t m = 0; m < doc->items[i].nmedia; m++) {
            const char *sha = doc->items[i].media[m].sha256;
            if (find_media(media, n, sha))
                continue;
            struct kiosk_media *km = &media[n++];
            memcpy(km->sha256, sha, sizeof km->sha256);
            unsigned char *bytes = NULL;
            size_t len = 0;
            struct sg_err err = {0};
            km->state = f->media_dir ? mediastore_load(f->media_dir, sha, &bytes, &len, &err)
                                     : VERDICT_MEDIA_ABSENT;
            if (km->state == VERDICT_MEDIA_OK) {
                km->surface = media_decode(bytes, len, &err);
                /* Verified but undecodable (or over the pixel cap): not shown. */
                if (!km->surface)
                    km->state = VERDICT_MEDIA_BAD;
            }
            if (km->state != VERDICT_MEDIA_OK)
                log_msg(LOG_WARN, "%s", err.set ? err.msg : "media not available");
            free(bytes);
        }
    }
    *out = media;
    *nout = n;
    return true;
}

/* True when the file looks different from the last time we read it. */
static bool file_changed(struct kiosk_feed *f, bool *missing)
{
    struct stat st;
    *missing = false;
    if (stat(f->path, &st) != 0) {
        *missing = true;
        bool changed = f->seen_file;
        f->seen_file = false;
        return changed;
    }
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    bool changed = !f->seen_file || st.st_dev != f->dev || st.st_ino != f->ino ||
                   st.st_size != f->size || mtime != f->mtime_ns;
    f->seen_file = true;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime_ns = mtime;
    return changed;
}

static void remember(struct kiosk_feed *f, const struct feed_doc *doc)
{
    struct sg_err err = {0};
    /* Persist first, so rollback protection holds across a power cut. If the
     * write fails the feed is still shown (a revocation must take effect even
     * on a full disk); the log says protection is weaker until it succeeds. */
    if (!state_save(f->state_dir, f->screen.screen, doc, NULL, &err))
        log_msg(LOG_ERROR, "could not record accepted version %lld: %s", (long long)doc->version,
                err.msg);
    f->accepted.present = true;
    f->accepted.version = doc->version;
    f->accepted.issued = doc->issued;
    memcpy(f->accepted.sha256, doc->payload_sha256, 32);
    f->screen.have_last = true;
    f->screen.last_version = doc->version;
    memcpy(f->screen.last_sha256, doc->payload_sha256, 32);
}

bool kiosk_feed_poll(struct kiosk_feed *f, int64_t now)
{
    bool missing;
    if (!file_changed(f, &missing))
        return false;
    if (missing) {
        log_msg(LOG_WARN, "feed file %s is missing; keeping what was accepted", f->path);
        return false;
    }
    char *bytes = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!fileio_read(f->path, FEED_MAX_ENVELOPE_BYTES, &bytes, &len, &err)) {
        log_msg(LOG_WARN, "feed refused: %s", err.msg);
        return false;
    }
    struct feed_doc doc;
    char keyid[FEED_KEYID_HEX_LEN + 1];
    struct verdict_clock clock = {.now = now, .local = sgtime_local_tz};
    enum verdict_reason r = verdict_feed(bytes, len, &f->screen, &clock, &doc, keyid, &err);
    free(bytes);
    if (r != VERDICT_SHOWN) {
        log_msg(LOG_WARN, "feed refused (%s): %s", verdict_reason_name(r), err.msg);
        return false;
    }
    if (f->have_doc && doc.version == f->doc.version &&
        memcmp(doc.payload_sha256, f->doc.payload_sha256, 32) == 0) {
        feed_doc_finish(&doc); /* the same feed, rewritten */
        return false;
    }
    struct kiosk_media *media;
    size_t nmedia;
    if (!load_media(f, &doc, &media, &nmedia)) {
        log_msg(LOG_ERROR, "out of memory loading media; keeping the previous feed");
        feed_doc_finish(&doc);
        return false;
    }
    log_msg(LOG_INFO, "feed version %lld accepted: signed by %s, %zu items", (long long)doc.version,
            keyid, doc.nitems);
    remember(f, &doc);
    free_media(f->media, f->nmedia);
    if (f->have_doc)
        feed_doc_finish(&f->doc);
    feed_doc_move(&f->doc, &doc);
    f->have_doc = true;
    f->media = media;
    f->nmedia = nmedia;
    return true;
}

enum verdict_media_state kiosk_feed_media_state(void *ctx, const char *sha256)
{
    struct kiosk_feed *f = ctx;
    struct kiosk_media *m = find_media(f->media, f->nmedia, sha256);
    return m ? m->state : VERDICT_MEDIA_ABSENT;
}

SDL_Surface *kiosk_feed_surface(const struct kiosk_feed *f, const char *sha256)
{
    struct kiosk_media *m = find_media(f->media, f->nmedia, sha256);
    return m && m->state == VERDICT_MEDIA_OK ? m->surface : NULL;
}

int64_t kiosk_feed_clock_floor(const struct kiosk_feed *f)
{
    return f->accepted.present ? f->accepted.issued : 0;
}
