#include "source_rules.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANG_MAX 35

/* Appends "; <label><value>" (no "; " when out is empty), cut to cap. */
static void note_add(char *out, size_t cap, const char *label, const char *value)
{
    size_t n = strlen(out);
    if (n + 3 >= cap)
        return;
    snprintf(out + n, cap - n, "%s%s%s", n ? "; " : "", label, value);
}

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* A language tag a card can use, from the post or else the source: 2-3
 * letters, then subtags of 2-8 letters or digits; '_' read as '-' ("de_DE"
 * in RSS) and the primary tag lower-cased. Anything else: none. */
static const char *pick_lang(const struct store_source *src, const struct ingest_post *post,
                             char out[LANG_MAX + 1])
{
    const char *l = post->lang && post->lang[0] ? post->lang : src->lang;
    if (!l || strlen(l) > LANG_MAX)
        return NULL;
    size_t i = 0, run = 0;
    bool primary = true;
    for (; l[i]; i++) {
        char c = l[i] == '_' ? '-' : l[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool digit = c >= '0' && c <= '9';
        if (c == '-') {
            if (primary ? run < 2 || run > 3 : run < 2 || run > 8)
                return NULL;
            primary = false;
            run = 0;
        } else if (alpha || (digit && !primary)) {
            run++;
            if (primary && c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
        } else {
            return NULL;
        }
        out[i] = c;
    }
    out[i] = '\0';
    if (primary ? run < 2 || run > 3 : run < 2 || run > 8)
        return NULL;
    return out;
}

/* Title of the card: the post's own, else who wrote it, else the source. */
static const char *pick_title(const struct store_source *src, const struct ingest_post *post)
{
    if (post->title && post->title[0])
        return post->title;
    if (post->author && post->author[0])
        return post->author;
    return src->name;
}

static const char *blocked(const struct ingest_blocklist *bl, const struct ingest_post *post)
{
    const char *texts[] = {post->title, post->body, post->content_warning};
    for (size_t i = 0; bl && i < sizeof texts / sizeof texts[0]; i++) {
        const char *hit = texts[i] ? ingest_blocklist_match(bl, texts[i], strlen(texts[i])) : NULL;
        if (hit)
            return hit;
    }
    return NULL;
}

/* The version when the source has none (RSS, Atom, webhooks without one):
 * the hash of what would be shown, so any edit at the source is a new one. */
static void content_version(const struct store_content *c, char out[65])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    const char *parts[] = {c->title, c->body, c->author, c->link};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_hash_sha256_update(&h, (const unsigned char *)p, strlen(p) + 1);
    }
    for (size_t i = 0; i < c->nmedia; i++)
        crypto_hash_sha256_update(&h, (const unsigned char *)c->media[i].sha256, 64);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

const char *rules_apply(const struct store_source *src, const struct ingest_blocklist *blocklist,
                        const struct ingest_post *post, const struct rules_media *media,
                        size_t nmedia, int approval_days, int64_t now, struct rules_result *out,
                        bool *oom)
{
    memset(out, 0, sizeof *out);
    *oom = false;
    if (post->reply)
        return "reply";
    if (post->repost)
        return "repost";
    if ((!post->body || !post->body[0]) && (!post->title || !post->title[0]))
        return "empty";

    if (post->content_warning)
        note_add(out->notes, sizeof out->notes, "content warning: ", post->content_warning);
    if (post->sensitive)
        note_add(out->notes, sizeof out->notes, "", "marked sensitive at the source");
    if (post->visibility)
        note_add(out->notes, sizeof out->notes, "visibility: ", post->visibility);
    if (post->labels)
        note_add(out->notes, sizeof out->notes, "labels: ", post->labels);
    const char *word = src->use_blocklist ? blocked(blocklist, post) : NULL;
    if (word)
        snprintf(out->held, sizeof out->held, "blocked word: %s", word);

    struct store_content *c = &out->content;
    snprintf(c->kind, sizeof c->kind, "post");
    c->title = dup_or_null(pick_title(src, post), oom);
    c->body = dup_or_null(post->body && post->body[0] ? post->body : pick_title(src, post), oom);
    c->author = dup_or_null(post->author, oom);
    c->source = dup_or_null(src->name, oom);
    c->link = dup_or_null(post->link, oom);
    char lang[LANG_MAX + 1];
    c->lang = dup_or_null(pick_lang(src, post, lang), oom);
    c->targets_json = dup_or_null(src->targets_json ? src->targets_json : "[\"*\"]", oom);
    for (size_t i = 0; i < nmedia && i < STORE_MAX_MEDIA; i++) {
        struct store_media_ref *m = &c->media[c->nmedia++];
        memcpy(m->sha256, media[i].sha256, sizeof m->sha256);
        m->alt = dup_or_null(media[i].alt, oom);
    }
    if (*oom) {
        rules_result_finish(out);
        return "out of memory";
    }
    if (post->version && strlen(post->version) < sizeof out->version)
        snprintf(out->version, sizeof out->version, "%s", post->version);
    else
        content_version(c, out->version);

    out->auto_approve = src->auto_approve && !out->notes[0] && !out->held[0];
    out->approve_until = now + (int64_t)(approval_days > 0 ? approval_days : 30) * 86400;
    out->post = (struct store_ingest_post){
        .ext_id = post->ext_id,
        .version = out->version,
        .published = post->published,
        .content = c,
        .notes = out->notes[0] ? out->notes : NULL,
        .held = out->held[0] ? out->held : NULL,
        .auto_approve = out->auto_approve,
        .approve_until = out->approve_until,
    };
    return NULL;
}

void rules_result_finish(struct rules_result *r)
{
    if (!r)
        return;
    store_content_finish(&r->content);
    memset(r, 0, sizeof *r);
}
