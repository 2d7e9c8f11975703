/* Playlist: which card is on screen now.
 *
 * The feed doc is borrowed and may be freed or overwritten in place (for
 * example by feed_doc_move into the same struct) before playlist_set_feed is
 * called with its successor, so the playlist never reads the old doc again.
 * Everything it needs to carry state across an update (ids, revs, who was
 * shown this cycle, where each rotation stands) lives in a snapshot it owns.
 * Both snapshots are sized for FEED_MAX_ITEMS in playlist_new, so
 * set_feed and next never allocate and cannot fail.
 *
 * Fairness: each rotation class (priority notices, everything else) has an
 * anchor, the position of the last card it showed, and every entry has a
 * "shown this cycle" flag. The next card is the first candidate after the
 * anchor, in feed order and wrapping, that has not been shown this cycle;
 * when none is left the class starts a new cycle. Flags and anchors follow
 * items by id across feed updates, so an update neither restarts the
 * rotation nor starves the items after the anchor. */
#include "playlist.h"

#include <stdlib.h>
#include <string.h>

/* Entries beyond this are never shown (the parser rejects such feeds anyway). */
#define PLAYLIST_MAX_ENTRIES FEED_MAX_ITEMS

enum pl_class {
    PL_NORMAL,
    PL_PRIORITY,
    PL_NCLASSES,
};

struct pl_entry {
    /* Copy of the item id; tracked is false when the id is absent or longer
     * than FEED_MAX_ID_LEN, and such an entry never matches across updates. */
    char id[FEED_MAX_ID_LEN + 1];
    bool tracked;
    int64_t rev;
    enum pl_class cls;
    int priority;
    bool shown; /* shown in the current cycle of its class */
    bool ok;    /* scratch: showable at the instant playlist_next looks */
};

struct pl_snapshot {
    size_t n;
    struct pl_entry *e; /* PLAYLIST_MAX_ENTRIES */
};

enum pl_prev {
    PL_PREV_NONE, /* nothing picked yet: the first pick is always a change */
    PL_PREV_IDLE,
    PL_PREV_CARD,
};

struct playlist {
    struct playlist_config cfg;
    const struct feed_doc *doc;
    struct pl_snapshot snap, spare; /* spare: where set_feed builds the next one */

    /* Rotation anchor per class: scanning starts at anchor + 1; -1 is before
     * the first entry. */
    long anchor[PL_NCLASSES];

    enum pl_prev prev;
    long cur;       /* entry on screen; -1 when idle or when it left the feed */
    bool cur_dirty; /* its rev changed in a feed update */
    int64_t dwell_start, dwell_end;
};

void playlist_config_default(struct playlist_config *cfg)
{
    cfg->dwell_min_ms = 6000;
    cfg->dwell_max_ms = 20000;
    cfg->dwell_base_ms = 3000;
    cfg->chars_per_second = 15;
}

/* Makes a config safe to divide by and to clamp with: a dwell of at least
 * 1 ms (a zero dwell would make the caller spin), max >= min, a positive
 * reading speed. */
static struct playlist_config config_sane(const struct playlist_config *in)
{
    struct playlist_config c;
    playlist_config_default(&c);
    if (in) {
        c = *in;
    }
    if (c.dwell_min_ms < 1) {
        c.dwell_min_ms = 1;
    }
    if (c.dwell_max_ms < c.dwell_min_ms) {
        c.dwell_max_ms = c.dwell_min_ms;
    }
    if (c.dwell_base_ms < 0) {
        c.dwell_base_ms = 0;
    }
    if (c.chars_per_second <= 0) {
        c.chars_per_second = 15;
    }
    return c;
}

/* Code points in a UTF-8 string: every byte that is not a continuation byte.
 * Feed strings are valid UTF-8, so this is exact for them. */
static int64_t count_code_points(const char *s)
{
    int64_t n = 0;
    if (!s) {
        return 0;
    }
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if ((*u & 0xC0u) != 0x80u) {
            n++;
        }
    }
    return n;
}

int64_t playlist_dwell_ms(const struct playlist_config *cfg, const struct feed_item *item)
{
    struct playlist_config c = config_sane(cfg);
    int64_t chars = 0;
    if (item) {
        chars = count_code_points(item->title) + count_code_points(item->body);
    }
    /* chars is bounded by the feed's string limits; the product cannot overflow. */
    int64_t ms = c.dwell_base_ms + chars * 1000 / c.chars_per_second;
    if (ms < c.dwell_min_ms) {
        ms = c.dwell_min_ms;
    }
    if (ms > c.dwell_max_ms) {
        ms = c.dwell_max_ms;
    }
    return ms;
}

struct playlist *playlist_new(const struct playlist_config *cfg)
{
    struct playlist *p = calloc(1, sizeof(*p));
    if (!p) {
        return NULL;
    }
    p->snap.e = calloc(PLAYLIST_MAX_ENTRIES, sizeof(*p->snap.e));
    p->spare.e = calloc(PLAYLIST_MAX_ENTRIES, sizeof(*p->spare.e));
    if (!p->snap.e || !p->spare.e) {
        playlist_free(p);
        return NULL;
    }
    p->cfg = config_sane(cfg);
    p->doc = NULL;
    for (int c = 0; c < PL_NCLASSES; c++) {
        p->anchor[c] = -1;
    }
    p->prev = PL_PREV_NONE;
    p->cur = -1;
    return p;
}

void playlist_free(struct playlist *p)
{
    if (!p) {
        return;
    }
    free(p->snap.e);
    free(p->spare.e);
    free(p);
}

static bool is_priority(const struct feed_item *it)
{
    return it->kind == FEED_KIND_NOTICE && it->priority > 0;
}

static size_t doc_entries(const struct feed_doc *doc)
{
    if (!doc || !doc->items) {
        return 0;
    }
    return doc->nitems < PLAYLIST_MAX_ENTRIES ? doc->nitems : PLAYLIST_MAX_ENTRIES;
}

/* Index of the first entry in s with e's identity, or -1. */
static long snap_find(const struct pl_snapshot *s, const struct pl_entry *e)
{
    if (!e->tracked) {
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].tracked && strcmp(s->e[i].id, e->id) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* Where an anchor of the old snapshot stands in the new one: on the same item
 * if it survived, else just before the first of its old successors that
 * survived, so the rotation goes on where it would have. */
static long remap_anchor(const struct pl_snapshot *old, const struct pl_snapshot *nu, long anchor)
{
    if (old->n == 0) {
        return -1;
    }
    if (anchor >= 0 && (size_t)anchor < old->n) {
        long k = snap_find(nu, &old->e[anchor]);
        if (k >= 0) {
            return k;
        }
    }
    size_t start = anchor < 0 ? 0 : (size_t)anchor + 1;
    for (size_t step = 0; step < old->n; step++) {
        size_t i = (start + step) % old->n;
        if ((long)i == anchor) {
            continue;
        }
        long k = snap_find(nu, &old->e[i]);
        if (k >= 0) {
            return k - 1;
        }
    }
    return -1;
}

void playlist_set_feed(struct playlist *p, const struct feed_doc *doc)
{
    if (!p) {
        return;
    }
    struct pl_snapshot *old = &p->snap, *nu = &p->spare;
    nu->n = doc_entries(doc);
    for (size_t i = 0; i < nu->n; i++) {
        const struct feed_item *it = &doc->items[i];
        struct pl_entry *e = &nu->e[i];
        size_t len = it->id ? strlen(it->id) : 0;
        e->tracked = it->id && len <= FEED_MAX_ID_LEN;
        if (e->tracked) {
            memcpy(e->id, it->id, len + 1);
        } else {
            e->id[0] = '\0';
        }
        e->rev = it->rev;
        e->cls = is_priority(it) ? PL_PRIORITY : PL_NORMAL;
        e->priority = it->priority;
        e->ok = false;
        long k = snap_find(old, e);
        /* An item that moved between classes starts its new class unshown. */
        e->shown = k >= 0 && old->e[k].shown && old->e[k].cls == e->cls;
    }

    for (int c = 0; c < PL_NCLASSES; c++) {
        p->anchor[c] = remap_anchor(old, nu, p->anchor[c]);
    }
    if (p->cur >= 0 && (size_t)p->cur < old->n) {
        long k = snap_find(nu, &old->e[p->cur]);
        if (k >= 0 && nu->e[k].rev != old->e[p->cur].rev) {
            p->cur_dirty = true;
        }
        p->cur = k;
    } else {
        p->cur = -1;
    }

    struct pl_snapshot swap = *old;
    *old = *nu; /* old is p->snap: the new snapshot becomes current */
    *nu = swap;
    p->doc = doc;
}

/* Starts a new dwell for entry i (or the idle card for -1) at now. */
static struct playlist_pick show(struct playlist *p, long i, int64_t now_ms)
{
    struct playlist_pick pick;
    if (i < 0) {
        pick.changed = p->prev != PL_PREV_IDLE;
        p->prev = PL_PREV_IDLE;
        p->cur = -1;
        p->dwell_start = now_ms;
        /* The idle card has no dwell of its own; this only bounds the wait
         * when the caller's clock ticks do not come. */
        p->dwell_end = now_ms + p->cfg.dwell_min_ms;
    } else {
        struct pl_entry *e = &p->snap.e[i];
        pick.changed = p->prev != PL_PREV_CARD || p->cur != i || p->cur_dirty;
        p->prev = PL_PREV_CARD;
        p->cur = i;
        e->shown = true;
        p->anchor[e->cls] = i;
        p->dwell_start = now_ms;
        p->dwell_end = now_ms + playlist_dwell_ms(&p->cfg, &p->doc->items[i]);
    }
    p->cur_dirty = false;
    pick.index = (int)i;
    pick.deadline_ms = p->dwell_end;
    return pick;
}

static bool is_candidate(const struct pl_entry *e, enum pl_class cls, int level)
{
    return e->ok && e->cls == cls && (cls == PL_NORMAL || e->priority == level);
}

/* The next candidate of the class after its anchor, starting a new cycle
 * when every candidate was shown in this one. -1 when there is none. */
static long rotate(struct playlist *p, enum pl_class cls, int level)
{
    struct pl_snapshot *s = &p->snap;
    if (s->n == 0) {
        return -1;
    }
    size_t start = (size_t)(p->anchor[cls] + 1) % s->n;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t step = 0; step < s->n; step++) {
            struct pl_entry *e = &s->e[(start + step) % s->n];
            if (is_candidate(e, cls, level) && !e->shown) {
                return (long)((start + step) % s->n);
            }
        }
        /* Every candidate had its turn: new cycle for the whole class, so an
         * item that was away (unshowable) does not come back already "shown". */
        for (size_t i = 0; i < s->n; i++) {
            if (s->e[i].cls == cls) {
                s->e[i].shown = false;
            }
        }
    }
    return -1;
}

struct playlist_pick playlist_next(struct playlist *p, int64_t now_ms,
                                   playlist_showable_fn showable, void *ctx)
{
    if (!p) {
        struct playlist_pick none = {-1, false, now_ms + 6000};
        return none;
    }
    /* A clock set back would otherwise keep the card up until the old
     * deadline, possibly for hours: restart its dwell instead. */
    if (now_ms < p->dwell_start) {
        int64_t len = p->dwell_end - p->dwell_start;
        p->dwell_start = now_ms;
        p->dwell_end = now_ms + len;
    }

    /* Ask once per item per call, so one pick sees one consistent answer. */
    struct pl_snapshot *s = &p->snap;
    int level = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct pl_entry *e = &s->e[i];
        e->ok = !showable || showable(ctx, p->doc, &p->doc->items[i], now_ms);
        if (e->ok && e->cls == PL_PRIORITY && e->priority > level) {
            level = e->priority;
        }
    }
    enum pl_class cls = level > 0 ? PL_PRIORITY : PL_NORMAL;

    if (p->prev == PL_PREV_CARD && p->cur >= 0 && is_candidate(&s->e[p->cur], cls, level)) {
        if (p->cur_dirty) {
            /* A new revision of the card on screen: show it, with a dwell
             * fitted to its new text. */
            return show(p, p->cur, now_ms);
        }
        if (now_ms < p->dwell_end) {
            struct playlist_pick keep = {(int)p->cur, false, p->dwell_end};
            return keep;
        }
    }
    if (p->prev == PL_PREV_IDLE && now_ms < p->dwell_end) {
        /* Still idle only if nothing became showable; otherwise fall through. */
        bool any = false;
        for (size_t i = 0; i < s->n && !any; i++) {
            any = is_candidate(&s->e[i], cls, level);
        }
        if (!any) {
            struct playlist_pick idle = {-1, false, p->dwell_end};
            return idle;
        }
    }
    return show(p, rotate(p, cls, level), now_ms);
}
