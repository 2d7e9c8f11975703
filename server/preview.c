/* Server-side previews (preview.h): a revision becomes the feed_item a
 * screen would receive, is laid out by lib/layout.c with the kiosk's fonts,
 * drawn by the kiosk's renderer (headless, software) and encoded as PNG.
 *
 * SDL_ttf and the renderers are not thread-safe, so one mutex covers every
 * call. A headless renderer (output surface plus opened fonts) is kept per
 * output size, a few sizes at most; a small LRU cache of finished PNGs
 * answers repeated views (the JSON and the PNG route of the same preview,
 * several staff looking at the same queue). */
#include "preview.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "layout.h"
#include "media.h"
#include "preview_internal.h"
#include "render.h"
#include "sgtime.h"

/* Output sizes with an open renderer: each holds a w x h ARGB surface (up to
 * 56 MiB at 3840 x 3840) and its own fonts; staff use one or two sizes. */
#define PREVIEW_OUTPUTS 3
#define PREVIEW_CACHE_ENTRIES 32
/* PNGs of cards are 100-500 KiB at 1080p; this caps the rare huge ones. */
#define PREVIEW_CACHE_MAX_BYTES (48u * 1024u * 1024u)
/* Opened by preview_new, so missing fonts fail at start-up, not per request. */
#define PREVIEW_DEFAULT_W 1920
#define PREVIEW_DEFAULT_H 1080
/* layout.c sets notices at this percentage of the theme's body sizes
 * (LAYOUT_NOTICE_PERCENT, private there); min_size needs it. */
#define PREVIEW_NOTICE_PERCENT 125
#define PREVIEW_MAX_THEME_PX 1000 /* layout.c ignores theme sizes above this */

struct preview_output {
    struct render *r; /* NULL: slot free */
    int w, h;
    uint64_t used;
};

/* What identifies a finished preview: (item, rev, w, h) as the API names
 * it, plus what else changes the pixels: whether an image was drawn, the
 * clinic name and the minute the header clock shows. */
struct preview_key {
    const char *item_id;
    int64_t rev;
    int w, h;
    bool has_image;
    int64_t minute;
    const char *clinic; /* may be NULL */
};

struct preview_entry {
    char *item_id; /* NULL: slot free */
    char *clinic;  /* may be NULL */
    int64_t rev;
    int w, h;
    bool has_image;
    int64_t minute;
    unsigned char *png;
    size_t png_len;
    bool fits, min_size;
    int body_px;
    uint64_t used;
};

struct preview {
    pthread_mutex_t lock;
    struct layout_theme theme;
    struct layout_list list;
    struct preview_output outputs[PREVIEW_OUTPUTS];
    struct preview_entry cache[PREVIEW_CACHE_ENTRIES];
    size_t cache_bytes;
    uint64_t tick;
    struct preview_stats stats;
};

static void entry_clear(struct preview *pv, struct preview_entry *e)
{
    if (e->item_id)
        pv->cache_bytes -= e->png_len;
    free(e->item_id);
    free(e->clinic);
    free(e->png);
    memset(e, 0, sizeof *e);
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static struct preview_entry *cache_find(struct preview *pv, const struct preview_key *key)
{
    for (size_t i = 0; i < PREVIEW_CACHE_ENTRIES; i++) {
        struct preview_entry *e = &pv->cache[i];
        if (e->item_id && strcmp(e->item_id, key->item_id) == 0 && e->rev == key->rev &&
            e->w == key->w && e->h == key->h && e->has_image == key->has_image &&
            e->minute == key->minute && same_str(e->clinic, key->clinic))
            return e;
    }
    return NULL;
}

/* The least recently used entry in use, or NULL when the cache is empty. */
static struct preview_entry *cache_oldest(struct preview *pv)
{
    struct preview_entry *oldest = NULL;
    for (size_t i = 0; i < PREVIEW_CACHE_ENTRIES; i++) {
        struct preview_entry *e = &pv->cache[i];
        if (e->item_id && (!oldest || e->used < oldest->used))
            oldest = e;
    }
    return oldest;
}

static struct preview_entry *cache_free_slot(struct preview *pv)
{
    for (size_t i = 0; i < PREVIEW_CACHE_ENTRIES; i++)
        if (!pv->cache[i].item_id)
            return &pv->cache[i];
    struct preview_entry *e = cache_oldest(pv);
    entry_clear(pv, e);
    return e;
}

/* Keeps a copy of res under key. Failing to cache is not an error: the
 * caller has its preview either way. */
static void cache_put(struct preview *pv, const struct preview_key *key,
                      const struct preview_result *res)
{
    if (res->png_len > PREVIEW_CACHE_MAX_BYTES)
        return;
    struct preview_entry *e = cache_find(pv, key);
    if (e)
        entry_clear(pv, e);
    while (pv->cache_bytes + res->png_len > PREVIEW_CACHE_MAX_BYTES && (e = cache_oldest(pv)))
        entry_clear(pv, e);
    e = cache_free_slot(pv);
    e->item_id = strdup(key->item_id);
    e->clinic = key->clinic ? strdup(key->clinic) : NULL;
    e->png = malloc(res->png_len ? res->png_len : 1);
    if (!e->item_id || (key->clinic && !e->clinic) || !e->png) {
        free(e->item_id);
        free(e->clinic);
        free(e->png);
        memset(e, 0, sizeof *e);
        return;
    }
    memcpy(e->png, res->png, res->png_len);
    e->png_len = res->png_len;
    e->rev = key->rev;
    e->w = key->w;
    e->h = key->h;
    e->has_image = key->has_image;
    e->minute = key->minute;
    e->fits = res->fits;
    e->min_size = res->min_size;
    e->body_px = res->body_px;
    e->used = ++pv->tick;
    pv->cache_bytes += e->png_len;
}

/* The renderer for a w x h output, opened on first use; the least recently
 * used one makes room. */
static struct render *output_get(struct preview *pv, int w, int h, struct sg_err *err)
{
    struct preview_output *slot = NULL;
    for (size_t i = 0; i < PREVIEW_OUTPUTS; i++) {
        struct preview_output *o = &pv->outputs[i];
        if (o->r && o->w == w && o->h == h) {
            o->used = ++pv->tick;
            return o->r;
        }
        if (!slot || !o->r || (slot->r && o->used < slot->used))
            slot = o;
    }
    render_free(slot->r);
    memset(slot, 0, sizeof *slot);
    /* fonts all NULL: the kiosk's own defaults (app/fonts.h), so the
     * preview measures text exactly as the screens do. */
    struct render_opts opts = {.width = w, .height = h, .headless = true};
    slot->r = render_new(&opts, err);
    if (!slot->r)
        return NULL;
    slot->w = w;
    slot->h = h;
    slot->used = ++pv->tick;
    pv->stats.outputs++;
    return slot->r;
}

static bool kind_of(const char *name, enum feed_kind *out)
{
    static const enum feed_kind kinds[] = {FEED_KIND_POST, FEED_KIND_TIP, FEED_KIND_NOTICE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(name, feed_kind_name(kinds[i])) == 0) {
            *out = kinds[i];
            return true;
        }
    }
    return false;
}

/* The item as the publisher puts it in a feed, minus approval and schedule
 * (layout draws neither). Strings are borrowed from rev: layout only reads. */
static bool item_from_revision(const struct store_revision *rev, struct feed_item *it,
                               struct sg_err *err)
{
    const struct store_content *c = &rev->content;
    memset(it, 0, sizeof *it);
    if (!kind_of(c->kind, &it->kind)) {
        sg_err_set(err, "preview: unknown kind \"%.8s\"", c->kind);
        return false;
    }
    it->id = rev->item_id;
    it->rev = rev->rev;
    it->title = c->title;
    it->body = c->body;
    it->author = c->author;
    it->source = c->source;
    it->link = c->link;
    it->lang = c->lang;
    it->priority = c->priority;
    it->nmedia = c->nmedia < FEED_MAX_MEDIA ? c->nmedia : FEED_MAX_MEDIA;
    for (size_t i = 0; i < it->nmedia; i++) {
        memcpy(it->media[i].sha256, c->media[i].sha256, sizeof it->media[i].sha256);
        it->media[i].sha256[FEED_SHA256_HEX_LEN] = '\0';
        it->media[i].type = c->media[i].type;
        it->media[i].alt = c->media[i].alt;
    }
    return true;
}

/* The smallest body size the theme allows on a w x h screen, computed as
 * layout.c scales it (short side / 1080, rounded, at least 1 px). */
static int smallest_body_px(const struct layout_theme *th, int w, int h, enum feed_kind kind)
{
    int percent = kind == FEED_KIND_NOTICE ? PREVIEW_NOTICE_PERCENT : 100;
    double scale = (w < h ? w : h) / 1080.0;
    int n = th->nbody_sizes < 0                  ? 0
            : th->nbody_sizes > LAYOUT_MAX_SIZES ? LAYOUT_MAX_SIZES
                                                 : th->nbody_sizes;
    int smallest = 0;
    for (int i = 0; i < n; i++) {
        int base = th->body_sizes[i];
        if (base <= 0 || base > PREVIEW_MAX_THEME_PX)
            continue;
        int px = (int)(base * percent / 100 * scale + 0.5);
        px = px < 1 ? 1 : px;
        if (smallest == 0 || px < smallest)
            smallest = px;
    }
    return smallest;
}

/* Lays out, draws and encodes one card. Called with the lock held. */
static bool render_one(struct preview *pv, const struct store_revision *rev, const char *clinic,
                       int width, int height, int64_t now, const void *image, size_t image_len,
                       struct preview_result *out, struct sg_err *err)
{
    struct feed_item item;
    if (!item_from_revision(rev, &item, err))
        return false;
    struct render *r = output_get(pv, width, height, err);
    if (!r)
        return false;
    SDL_Surface *media[FEED_MAX_MEDIA] = {0};
    if (image) {
        media[0] = media_decode(image, image_len, err);
        if (!media[0])
            return false;
    }
    struct fonts *fonts = render_fonts(r);
    struct layout_input in = {
        .item = &item,
        .clinic = clinic,
        .now = now,
        .theme = &pv->theme,
        .measure = fonts_measure,
        .has_glyph = fonts_has_glyph,
        .ctx = fonts,
        .image_w = media[0] ? media[0]->w : 0,
        .image_h = media[0] ? media[0]->h : 0,
    };
    /* The process's TZ (Europe/Berlin for a German clinic), as a screen
     * there shows it; UTC when the zone cannot be read. */
    if (!sgtime_local_tz(NULL, now, &in.local))
        sgtime_local_utc(NULL, now, &in.local);
    render_logical_size(r, &in.width, &in.height);
    bool ok = layout_card(&in, &pv->list);
    if (!ok)
        sg_err_set(err, "preview: layout: out of memory");
    /* A measuring failure would make the preview lie about what fits. */
    if (ok && fonts_take_error(fonts, err))
        ok = false;
    struct render_card *card = NULL;
    if (ok) {
        /* The kiosk draws QR codes for https links only. */
        const char *link = item.link && strncmp(item.link, "https://", 8) == 0 ? item.link : NULL;
        card = render_card_new(r, &pv->list, media, item.nmedia, link, err);
        ok = card != NULL;
    }
    if (ok) {
        render_invalidate(r);
        ok = render_present(r, NULL, card, 255, NULL, err) &&
             render_png_encode(r, &out->png, &out->png_len, err);
    }
    render_card_free(card);
    SDL_FreeSurface(media[0]);
    if (!ok)
        return false;
    out->fits = pv->list.fits;
    out->body_px = pv->list.body_px;
    int smallest = smallest_body_px(&pv->theme, in.width, in.height, item.kind);
    out->min_size = out->body_px > 0 && out->body_px <= smallest;
    pv->stats.renders++;
    return true;
}

struct preview *preview_new(struct sg_err *err)
{
    struct preview *pv = calloc(1, sizeof *pv);
    if (!pv) {
        sg_err_set(err, "preview: out of memory");
        return NULL;
    }
    if (pthread_mutex_init(&pv->lock, NULL) != 0) {
        sg_err_set(err, "preview: mutex");
        free(pv);
        return NULL;
    }
    layout_theme_default(&pv->theme);
    layout_list_init(&pv->list);
    if (!output_get(pv, PREVIEW_DEFAULT_W, PREVIEW_DEFAULT_H, err)) {
        preview_free(pv);
        return NULL;
    }
    return pv;
}

void preview_free(struct preview *pv)
{
    if (!pv)
        return;
    for (size_t i = 0; i < PREVIEW_CACHE_ENTRIES; i++)
        entry_clear(pv, &pv->cache[i]);
    for (size_t i = 0; i < PREVIEW_OUTPUTS; i++)
        render_free(pv->outputs[i].r);
    layout_list_finish(&pv->list);
    pthread_mutex_destroy(&pv->lock);
    free(pv);
}

bool preview_render(struct preview *pv, const struct store_revision *rev, const char *clinic,
                    int width, int height, int64_t now, const void *image, size_t image_len,
                    struct preview_result *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (width < PREVIEW_MIN_SIDE || width > PREVIEW_MAX_SIDE || height < PREVIEW_MIN_SIDE ||
        height > PREVIEW_MAX_SIDE) {
        sg_err_set(err, "preview: size %d x %d outside %d..%d", width, height, PREVIEW_MIN_SIDE,
                   PREVIEW_MAX_SIDE);
        return false;
    }
    /* Floor division: the header shows the minute now falls in. */
    int64_t minute = now / 60 - (now % 60 < 0);
    /* An image for an item without media is not drawn (render_one). */
    bool has_image = image && rev->content.nmedia > 0;
    struct preview_key key = {.item_id = rev->item_id,
                              .rev = rev->rev,
                              .w = width,
                              .h = height,
                              .has_image = has_image,
                              .minute = minute,
                              .clinic = clinic};
    pthread_mutex_lock(&pv->lock);
    bool ok = true;
    struct preview_entry *hit = key.item_id ? cache_find(pv, &key) : NULL;
    if (hit) {
        out->png = malloc(hit->png_len);
        if (out->png) {
            memcpy(out->png, hit->png, hit->png_len);
            out->png_len = hit->png_len;
            out->fits = hit->fits;
            out->min_size = hit->min_size;
            out->body_px = hit->body_px;
            hit->used = ++pv->tick;
            pv->stats.cache_hits++;
        } else {
            sg_err_set(err, "preview: out of memory");
            ok = false;
        }
    } else {
        ok = render_one(pv, rev, clinic, width, height, now, has_image ? image : NULL, image_len,
                        out, err);
        if (ok && key.item_id)
            cache_put(pv, &key, out);
    }
    pthread_mutex_unlock(&pv->lock);
    if (!ok) {
        free(out->png);
        memset(out, 0, sizeof *out);
    }
    return ok;
}

void preview_get_stats(struct preview *pv, struct preview_stats *out)
{
    pthread_mutex_lock(&pv->lock);
    *out = pv->stats;
    size_t n = 0;
    for (size_t i = 0; i < PREVIEW_CACHE_ENTRIES; i++)
        n += pv->cache[i].item_id != NULL;
    out->cached = n;
    out->cached_bytes = pv->cache_bytes;
    pthread_mutex_unlock(&pv->lock);
}

uint64_t preview_cache_hits(struct preview *pv)
{
    struct preview_stats st;
    preview_get_stats(pv, &st);
    return st.cache_hits;
}
