/* Items, revisions, the decision state machine and media.
 *
 *   pending  -> approved (store_approve: only the item's latest revision)
 *   pending  -> rejected (store_reject; store_item_revise rejects older
 *                         pending revisions as "superseded by revision N")
 *   approved -> revoked  (store_revoke)
 *   approved -> expired  (store_expire_due, actor "system")
 *   approved -> superseded (approval of a newer revision of the same item)
 * Anything else is STORE_CONFLICT. A revision's content never changes
 * (trigger); its approval records the content hash it approved, and the
 * publisher's list only carries revisions whose stored content still hashes
 * to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

void store_revision_finish(struct store_revision *r)
{
    if (!r)
        return;
    free(r->item_id);
    store_content_finish(&r->content);
    free(r->created_by);
    free(r->decided_by);
    free(r->approved_targets_json);
    free(r->reason);
    free(r->notes);
    free(r->held);
    memset(r, 0, sizeof *r);
}

void store_revisions_free(struct store_revision *revs, size_t n)
{
    for (size_t i = 0; revs && i < n; i++)
        store_revision_finish(&revs[i]);
    free(revs);
}

void store_item_finish(struct store_item *it)
{
    if (!it)
        return;
    free(it->id);
    free(it->created_by);
    store_revision_finish(&it->latest);
    store_revision_finish(&it->shown);
    memset(it, 0, sizeof *it);
}

void store_items_free(struct store_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        store_item_finish(&items[i]);
    free(items);
}

/* ---- content ---- */

void store_content_sha256(const struct store_content *c, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char kind[sizeof c->kind + 1];
    snprintf(kind, sizeof kind, "%.*s", (int)sizeof c->kind, c->kind);
    crypto_hash_sha256_init(&h);
    store_hash_field(&h, "signet-content-v1");
    store_hash_field(&h, kind);
    store_hash_field(&h, c->title);
    store_hash_field(&h, c->body);
    store_hash_field(&h, c->author);
    store_hash_field(&h, c->source);
    store_hash_field(&h, c->link);
    store_hash_field(&h, c->lang);
    store_hash_int(&h, c->priority);
    store_hash_int(&h, (int64_t)c->nmedia);
    for (size_t i = 0; i < c->nmedia && i < STORE_MAX_MEDIA; i++) {
        store_hash_field(&h, c->media[i].sha256);
        store_hash_field(&h, c->media[i].alt);
    }
    store_hash_field(&h, c->schedule_json);
    store_hash_field(&h, c->targets_json);
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

static bool kind_ok(const char kind[8])
{
    return memchr(kind, '\0', 8) &&
           (strcmp(kind, "post") == 0 || strcmp(kind, "tip") == 0 || strcmp(kind, "notice") == 0);
}

enum store_status store_content_check(const struct store_content *c, struct sg_err *err)
{
    const char *bad = NULL;
    if (!c || !kind_ok(c->kind))
        bad = "kind";
    else if (!c->title || !store_len_ok(c->title, STORE_MAX_TITLE_LEN))
        bad = "title";
    else if (!c->body || !store_len_ok(c->body, STORE_MAX_BODY_LEN))
        bad = "body";
    else if (!store_len_ok(c->author, STORE_MAX_FIELD_LEN))
        bad = "author";
    else if (!store_len_ok(c->source, STORE_MAX_FIELD_LEN))
        bad = "source";
    else if (!store_len_ok(c->link, STORE_MAX_FIELD_LEN))
        bad = "link";
    else if (!store_len_ok(c->lang, STORE_MAX_NAME_LEN))
        bad = "lang";
    else if (c->priority < 0 || c->priority > 100)
        bad = "priority";
    else if (c->nmedia > STORE_MAX_MEDIA)
        bad = "media";
    else if (!store_len_ok(c->schedule_json, STORE_MAX_JSON_LEN))
        bad = "schedule";
    else if (!store_len_ok(c->targets_json, STORE_MAX_JSON_LEN))
        bad = "targets";
    for (size_t i = 0; !bad && i < c->nmedia; i++) {
        if (!memchr(c->media[i].sha256, '\0', sizeof c->media[i].sha256) ||
            !store_hex64_ok(c->media[i].sha256) ||
            !store_len_ok(c->media[i].alt, STORE_MAX_FIELD_LEN))
            bad = "media";
    }
    if (bad) {
        sg_err_set(err, "%s: out of range", bad);
        return STORE_INVALID;
    }
    return STORE_OK;
}

static bool actor_ok(const struct store_actor *who)
{
    return who && who->name && who->name[0] && store_len_ok(who->name, STORE_MAX_FIELD_LEN) &&
           store_len_ok(who->ip, STORE_MAX_FIELD_LEN);
}

static void object_name(char out[96], const char *id, int64_t rev)
{
    snprintf(out, 96, "%s#%lld", id, (long long)rev);
}

/* Inserts revision rev of item id with its media rows. Every media file must
 * be known: a feed naming bytes the server cannot serve would leave the
 * screens with a card they must drop. */
static enum store_status insert_revision(struct store *st, const struct store_actor *who,
                                         const char *id, int64_t rev, const struct store_content *c,
                                         int64_t now, struct sg_err *err)
{
    for (size_t i = 0; i < c->nmedia; i++) {
        sqlite3_stmt *q = NULL;
        int r = -1;
        if (store_prepare(st, &q, err, "SELECT 1 FROM media WHERE sha256 = ?", "t",
                          c->media[i].sha256))
            r = store_step(st, q, err);
        sqlite3_finalize(q);
        if (r < 0)
            return STORE_ERROR;
        if (r == 0) {
            sg_err_set(err, "media %s: not uploaded", c->media[i].sha256);
            return STORE_INVALID;
        }
    }
    char hash[65];
    store_content_sha256(c, hash);
    if (!store_exec(st, NULL, err,
                    "INSERT INTO revisions (item_id, rev, kind, title, body, author, source, link,"
                    " lang, priority, schedule_json, targets_json, content_sha256, created_by,"
                    " created_by_id, created_at, state)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                    "titttttttittttii", id, rev, c->kind, c->title, c->body, c->author, c->source,
                    c->link, c->lang, (int64_t)c->priority, c->schedule_json, c->targets_json, hash,
                    who->name, who->user_id, now))
        return STORE_ERROR;
    for (size_t i = 0; i < c->nmedia; i++) {
        if (!store_exec(st, NULL, err,
                        "INSERT INTO revision_media (item_id, rev, pos, sha256, alt)"
                        " VALUES (?, ?, ?, ?, ?)",
                        "tiitt", id, rev, (int64_t)i, c->media[i].sha256, c->media[i].alt))
            return STORE_ERROR;
    }
    return STORE_OK;
}

enum store_status store_item_create_in(struct store *st, const struct store_actor *who,
                                       const struct store_content *c, int64_t now,
                                       char id[STORE_ITEM_ID_SIZE], struct sg_err *err)
{
    enum store_status rc = STORE_ERROR;
    /* 48 random bits: a collision is unlikely, and a retry settles it. */
    for (int attempt = 0; attempt < 8 && rc != STORE_OK; attempt++) {
        unsigned char rnd[6];
        randombytes_buf(rnd, sizeof rnd);
        memcpy(id, "it-", 3);
        sodium_bin2hex(id + 3, 13, rnd, sizeof rnd);
        int64_t changes = 0;
        if (!store_exec(st, &changes, err,
                        "INSERT INTO items (id, created_by, created_by_id, created_at, latest_rev,"
                        " updated_at) VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (id) DO NOTHING",
                        "ttiii", id, who->name, who->user_id, now, now))
            return STORE_ERROR;
        if (changes == 1)
            rc = STORE_OK;
    }
    if (rc != STORE_OK) {
        sg_err_set(err, "item: no free id");
        return rc;
    }
    rc = insert_revision(st, who, id, 1, c, now, err);
    char obj[96];
    object_name(obj, id, 1);
    if (rc == STORE_OK)
        rc = store_audit_add(st, who, "item.create", obj, NULL, "pending", now, err);
    return rc;
}

enum store_status store_item_create(struct store *st, const struct store_actor *who,
                                    const struct store_content *c, int64_t now, char **id_out,
                                    struct sg_err *err)
{
    if (id_out)
        *id_out = NULL;
    if (!actor_ok(who)) {
        sg_err_set(err, "actor: missing");
        return STORE_INVALID;
    }
    enum store_status rc = store_content_check(c, err);
    if (rc != STORE_OK)
        return rc;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    char id[STORE_ITEM_ID_SIZE];
    rc = store_item_create_in(st, who, c, now, id, err);
    if (rc == STORE_OK && id_out && !(*id_out = strdup(id))) {
        sg_err_set(err, "out of memory");
        rc = STORE_ERROR;
    }
    return store_end(st, rc, rc == STORE_OK, err);
}

static enum store_status latest_rev(struct store *st, const char *id, int64_t *rev,
                                    struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT latest_rev FROM items WHERE id = ?", "t", id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such item");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    *rev = sqlite3_column_int64(q, 0);
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_item_revise_in(struct store *st, const struct store_actor *who,
                                       const char *id, const struct store_content *c, int64_t now,
                                       int64_t *rev_out, struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    int64_t latest = 0;
    enum store_status rc = latest_rev(st, id, &latest, err);
    if (rc != STORE_OK)
        return rc;
    rc = STORE_ERROR;
    int64_t rev = latest + 1;
    char reason[64];
    snprintf(reason, sizeof reason, "superseded by revision %lld", (long long)rev);
    /* Only the newest pending revision can be approved: older pending ones
     * are closed so nobody approves words that are already out of date. */
    if (!store_prepare(st, &q, err,
                       "UPDATE revisions SET state = 'rejected', decided_by = ?, decided_at = ?,"
                       " reason = ? WHERE item_id = ? AND state = 'pending' RETURNING rev",
                       "titt", who->name, now, reason, id))
        goto done;
    int64_t closed = 0; /* at most one pending revision (unique index) */
    int r;
    while ((r = store_step(st, q, err)) == 1)
        closed = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    if (r < 0)
        goto done;
    rc = insert_revision(st, who, id, rev, c, now, err);
    if (rc == STORE_OK &&
        !store_exec(st, NULL, err, "UPDATE items SET latest_rev = ?, updated_at = ? WHERE id = ?",
                    "iit", rev, now, id))
        rc = STORE_ERROR;
    char obj[96];
    if (rc == STORE_OK && closed) {
        object_name(obj, id, closed);
        rc = store_audit_add(st, who, "item.supersede", obj, "pending", "rejected", now, err);
    }
    object_name(obj, id, rev);
    if (rc == STORE_OK)
        rc = store_audit_add(st, who, "item.revise", obj, NULL, "pending", now, err);
    if (rc == STORE_OK && rev_out)
        *rev_out = rev;
done:
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_item_revise(struct store *st, const struct store_actor *who, const char *id,
                                    const struct store_content *c, int64_t now, int64_t *rev_out,
                                    struct sg_err *err)
{
    if (!actor_ok(who) || !id) {
        sg_err_set(err, "actor or item missing");
        return STORE_INVALID;
    }
    enum store_status rc = store_content_check(c, err);
    if (rc != STORE_OK)
        return rc;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    rc = store_item_revise_in(st, who, id, c, now, rev_out, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

/* ---- reading revisions and items ---- */

#define REV_COLUMNS                                                                                \
    "item_id, rev, state, kind, title, body, author, source, link, lang, priority,"                \
    " schedule_json, targets_json, content_sha256, created_by, created_at, decided_by,"            \
    " decided_at, approved_until, approved_targets_json, reason, approved_sha256, created_by_id,"  \
    " notes, held"

/* Reads one row of REV_COLUMNS, then its media (types from the media table).
 * *approved_sha256 (when not NULL) receives the stored approval hash. */
static enum store_status read_revision(struct store *st, sqlite3_stmt *q,
                                       struct store_revision *out, char approved_sha256[65],
                                       int64_t *created_by_id, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    struct store_content *c = &out->content;
    out->rev = sqlite3_column_int64(q, 1);
    const char *state = (const char *)sqlite3_column_text(q, 2);
    const char *kind = (const char *)sqlite3_column_text(q, 3);
    const char *hash = (const char *)sqlite3_column_text(q, 13);
    if (!store_rev_state_parse(state, &out->state) || !kind || strlen(kind) >= sizeof c->kind ||
        !hash || strlen(hash) != 64) {
        sg_err_set(err, "revision: malformed row");
        return STORE_ERROR;
    }
    memcpy(c->kind, kind, strlen(kind) + 1);
    memcpy(out->content_sha256, hash, 65);
    c->priority = sqlite3_column_int(q, 10);
    out->created_at = sqlite3_column_int64(q, 15);
    out->decided_at = sqlite3_column_int64(q, 17);
    out->until = sqlite3_column_int64(q, 18);
    if (approved_sha256) {
        const char *a = (const char *)sqlite3_column_text(q, 21);
        snprintf(approved_sha256, 65, "%s", a ? a : "");
    }
    if (created_by_id)
        *created_by_id = sqlite3_column_int64(q, 22);
    if (!store_col_text(q, 0, &out->item_id, err) || !store_col_text(q, 4, &c->title, err) ||
        !store_col_text(q, 5, &c->body, err) || !store_col_text(q, 6, &c->author, err) ||
        !store_col_text(q, 7, &c->source, err) || !store_col_text(q, 8, &c->link, err) ||
        !store_col_text(q, 9, &c->lang, err) || !store_col_text(q, 11, &c->schedule_json, err) ||
        !store_col_text(q, 12, &c->targets_json, err) ||
        !store_col_text(q, 14, &out->created_by, err) ||
        !store_col_text(q, 16, &out->decided_by, err) ||
        !store_col_text(q, 19, &out->approved_targets_json, err) ||
        !store_col_text(q, 20, &out->reason, err) || !store_col_text(q, 23, &out->notes, err) ||
        !store_col_text(q, 24, &out->held, err))
        return STORE_ERROR;

    sqlite3_stmt *m = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &m, err,
                       "SELECT rm.sha256, rm.alt, md.type FROM revision_media rm"
                       " LEFT JOIN media md ON md.sha256 = rm.sha256"
                       " WHERE rm.item_id = ? AND rm.rev = ? ORDER BY rm.pos",
                       "ti", out->item_id, out->rev))
        goto done;
    int r;
    while ((r = store_step(st, m, err)) == 1) {
        const char *sha = (const char *)sqlite3_column_text(m, 0);
        if (c->nmedia >= STORE_MAX_MEDIA || !sha || strlen(sha) != 64) {
            sg_err_set(err, "revision: malformed media row");
            goto done;
        }
        struct store_media_ref *ref = &c->media[c->nmedia++];
        memcpy(ref->sha256, sha, 65);
        if (!store_col_text(m, 1, &ref->alt, err) || !store_col_text(m, 2, &ref->type, err))
            goto done;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    sqlite3_finalize(m);
    return rc;
}

/* One revision by key; STORE_NOT_FOUND when absent. */
static enum store_status load_revision(struct store *st, const char *id, int64_t rev,
                                       struct store_revision *out, char approved_sha256[65],
                                       int64_t *created_by_id, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT " REV_COLUMNS " FROM revisions WHERE item_id = ? AND rev = ?", "ti",
                       id, rev))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such revision");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    rc = read_revision(st, q, out, approved_sha256, created_by_id, err);
done:
    sqlite3_finalize(q);
    if (rc != STORE_OK)
        store_revision_finish(out);
    return rc;
}

static enum store_status load_item(struct store *st, const char *id, struct store_item *out,
                                   struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    int64_t latest = 0, shown = 0;
    if (!store_prepare(st, &q, err,
                       "SELECT i.id, i.created_by, i.created_at, i.latest_rev,"
                       " (SELECT rev FROM revisions WHERE item_id = i.id AND state = 'approved')"
                       " FROM items i WHERE i.id = ?",
                       "t", id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such item");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    out->created_at = sqlite3_column_int64(q, 2);
    latest = sqlite3_column_int64(q, 3);
    shown = sqlite3_column_int64(q, 4); /* NULL reads as 0 */
    if (!store_col_text(q, 0, &out->id, err) || !store_col_text(q, 1, &out->created_by, err))
        goto done;
    rc = load_revision(st, id, latest, &out->latest, NULL, NULL, err);
    if (rc == STORE_NOT_FOUND) {
        sg_err_set(err, "item %s: latest revision missing", id);
        rc = STORE_ERROR;
    }
    if (rc == STORE_OK && shown > 0) {
        out->has_shown = true;
        rc = load_revision(st, id, shown, &out->shown, NULL, NULL, err);
        if (rc == STORE_NOT_FOUND)
            rc = STORE_ERROR;
    }
    if (rc == STORE_OK)
        memcpy(out->kind, out->latest.content.kind, sizeof out->kind);
done:
    sqlite3_finalize(q);
    if (rc != STORE_OK)
        store_item_finish(out);
    return rc;
}

enum store_status store_item_get(struct store *st, const char *id, struct store_item *out,
                                 struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!id) {
        sg_err_set(err, "no such item");
        return STORE_NOT_FOUND;
    }
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    enum store_status rc = load_item(st, id, out, err);
    return store_end(st, rc, false, err);
}

enum store_status store_revision_get(struct store *st, const char *id, int64_t rev,
                                     struct store_revision *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!id) {
        sg_err_set(err, "no such revision");
        return STORE_NOT_FOUND;
    }
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    enum store_status rc = load_revision(st, id, rev, out, NULL, NULL, err);
    return store_end(st, rc, false, err);
}

/* Runs q (rows of REV_COLUMNS) into a fresh array. With check_approval, rows
 * whose content no longer hashes to the approved hash are left out. */
static enum store_status collect_revisions(struct store *st, sqlite3_stmt *q, bool check_approval,
                                           struct store_revision **out, size_t *n,
                                           struct sg_err *err)
{
    struct store_revision *revs = NULL;
    size_t cap = 0, count = 0;
    enum store_status rc = STORE_ERROR;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&revs, &cap, count, sizeof *revs)) {
            sg_err_set(err, "out of memory");
            goto done;
        }
        char approved[65];
        rc = read_revision(st, q, &revs[count], approved, NULL, err);
        if (rc != STORE_OK) {
            store_revision_finish(&revs[count]);
            goto done;
        }
        rc = STORE_ERROR;
        if (check_approval) {
            char now_hash[65];
            store_content_sha256(&revs[count].content, now_hash);
            if (sodium_memcmp(now_hash, approved, 64) != 0 ||
                sodium_memcmp(now_hash, revs[count].content_sha256, 64) != 0) {
                store_revision_finish(&revs[count]);
                continue;
            }
        }
        count++;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    if (rc == STORE_OK) {
        *out = revs;
        *n = count;
    } else {
        store_revisions_free(revs, count);
    }
    return rc;
}

enum store_status store_item_revisions(struct store *st, const char *id,
                                       struct store_revision **out, size_t *n, struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    if (!id) {
        sg_err_set(err, "no such item");
        return STORE_NOT_FOUND;
    }
    sqlite3_stmt *q = NULL;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    int64_t latest = 0;
    enum store_status rc = latest_rev(st, id, &latest, err);
    if (rc != STORE_OK)
        goto done;
    rc = STORE_ERROR;
    if (store_prepare(st, &q, err,
                      "SELECT " REV_COLUMNS " FROM revisions WHERE item_id = ? ORDER BY rev DESC",
                      "t", id))
        rc = collect_revisions(st, q, false, out, n, err);
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

enum store_status store_item_list(struct store *st, bool all_states, enum store_rev_state state,
                                  size_t limit, struct store_item **out, size_t *n,
                                  struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    const char *state_name = store_rev_state_name(state);
    enum store_rev_state check;
    if (!all_states && !store_rev_state_parse(state_name, &check)) {
        sg_err_set(err, "state: out of range");
        return STORE_INVALID;
    }
    struct store_item *items = NULL;
    size_t cap = 0, count = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    int64_t lim = store_sql_limit(limit);
    /* "Latest or shown in state": the shown revision is the approved one. */
    if (!store_prepare(st, &q, err,
                       "SELECT i.id FROM items i"
                       " JOIN revisions l ON l.item_id = i.id AND l.rev = i.latest_rev"
                       " WHERE ?1 OR l.state = ?2 OR (?2 = 'approved' AND EXISTS"
                       "  (SELECT 1 FROM revisions s WHERE s.item_id = i.id"
                       "   AND s.state = 'approved'))"
                       " ORDER BY i.updated_at DESC, i.rowid DESC LIMIT ?3",
                       "iti", (int64_t)all_states, state_name, lim))
        goto done;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&items, &cap, count, sizeof *items)) {
            sg_err_set(err, "out of memory");
            goto done;
        }
        const char *id = (const char *)sqlite3_column_text(q, 0);
        rc = id ? load_item(st, id, &items[count], err) : STORE_ERROR;
        if (rc != STORE_OK) {
            if (rc == STORE_NOT_FOUND)
                rc = STORE_ERROR;
            goto done;
        }
        rc = STORE_ERROR;
        count++;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    if (rc == STORE_OK) {
        *out = items;
        *n = count;
    } else {
        store_items_free(items, count);
    }
    return store_end(st, rc, false, err);
}

enum store_status store_pending_count(struct store *st, int64_t *n, struct sg_err *err)
{
    *n = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (store_prepare(st, &q, err,
                      "SELECT count(DISTINCT item_id) FROM revisions WHERE state = 'pending'",
                      "") &&
        store_step(st, q, err) == 1) {
        *n = sqlite3_column_int64(q, 0);
        rc = STORE_OK;
    }
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

/* ---- decisions ---- */

/* The state of revision rev of item id, and whether it is the latest. */
static enum store_status rev_state(struct store *st, const char *id, int64_t rev,
                                   enum store_rev_state *state, bool *is_latest, struct sg_err *err)
{
    int64_t latest = 0;
    enum store_status rc = latest_rev(st, id, &latest, err);
    if (rc != STORE_OK)
        return rc;
    sqlite3_stmt *q = NULL;
    rc = STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT state FROM revisions WHERE item_id = ? AND rev = ?",
                       "ti", id, rev))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such revision");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (!store_rev_state_parse((const char *)sqlite3_column_text(q, 0), state)) {
        sg_err_set(err, "revision: malformed state");
        goto done;
    }
    *is_latest = rev == latest;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return rc;
}

static enum store_status conflict(struct sg_err *err, const char *what, enum store_rev_state s)
{
    sg_err_set(err, "cannot %s a revision that is %s", what, store_rev_state_name(s));
    return STORE_CONFLICT;
}

enum store_status store_approve_in(struct store *st, const struct store_actor *who, const char *id,
                                   int64_t rev, int64_t until, const char *targets_json,
                                   bool four_eyes, int64_t now, struct sg_err *err)
{
    struct store_revision r = {0};
    sqlite3_stmt *q = NULL;
    enum store_rev_state state = STORE_REV_PENDING;
    bool is_latest = false;
    enum store_status rc = rev_state(st, id, rev, &state, &is_latest, err);
    if (rc != STORE_OK)
        goto done;
    if (state != STORE_REV_PENDING) {
        rc = conflict(err, "approve", state);
        goto done;
    }
    if (!is_latest) {
        sg_err_set(err, "only the latest revision can be approved");
        rc = STORE_CONFLICT;
        goto done;
    }
    int64_t creator_id = 0;
    rc = load_revision(st, id, rev, &r, NULL, &creator_id, err);
    if (rc != STORE_OK)
        goto done;
    if (r.held) {
        sg_err_set(err, "held: %s (release the hold first)", r.held);
        rc = STORE_CONFLICT;
        goto done;
    }
    if (four_eyes && ((who->user_id != 0 && who->user_id == creator_id) ||
                      strcmp(who->name, r.created_by) == 0)) {
        sg_err_set(err, "four-eyes rule: %s wrote this revision", who->name);
        rc = STORE_FORBIDDEN;
        goto done;
    }
    char hash[65];
    store_content_sha256(&r.content, hash);
    if (sodium_memcmp(hash, r.content_sha256, 64) != 0) {
        sg_err_set(err, "revision content does not match its hash");
        rc = STORE_CONFLICT;
        goto done;
    }
    rc = STORE_ERROR;
    char reason[64], obj[96];
    snprintf(reason, sizeof reason, "superseded by revision %lld", (long long)rev);
    if (!store_prepare(st, &q, err,
                       "UPDATE revisions SET state = 'superseded', reason = ?"
                       " WHERE item_id = ? AND state = 'approved' RETURNING rev",
                       "tt", reason, id))
        goto done;
    int step;
    int64_t old = 0;
    while ((step = store_step(st, q, err)) == 1)
        old = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    if (step < 0)
        goto done;
    const char *targets = targets_json ? targets_json : r.content.targets_json;
    if (!store_exec(st, NULL, err,
                    "UPDATE revisions SET state = 'approved', decided_by = ?, decided_at = ?,"
                    " approved_by = ?, approved_at = ?, approved_until = ?,"
                    " approved_targets_json = ?, approved_sha256 = ?, reason = NULL"
                    " WHERE item_id = ? AND rev = ?",
                    "titiittti", who->name, now, who->name, now, until, targets, hash, id, rev))
        goto done;
    rc = STORE_OK;
    if (old) {
        object_name(obj, id, old);
        rc = store_audit_add(st, who, "item.supersede", obj, "approved", "superseded", now, err);
    }
    object_name(obj, id, rev);
    if (rc == STORE_OK)
        rc = store_audit_add(st, who, "item.approve", obj, "pending", "approved", now, err);
done:
    sqlite3_finalize(q);
    store_revision_finish(&r);
    return rc;
}

enum store_status store_approve(struct store *st, const struct store_actor *who, const char *id,
                                int64_t rev, int64_t until, const char *targets_json,
                                bool four_eyes, int64_t now, struct sg_err *err)
{
    if (!actor_ok(who) || !id || until <= now || !store_len_ok(targets_json, STORE_MAX_JSON_LEN)) {
        sg_err_set(err, "approve: actor, until or targets out of range");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc =
        store_approve_in(st, who, id, rev, until, targets_json, four_eyes, now, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_decide_in(struct store *st, const struct store_actor *who, const char *id,
                                  int64_t rev, const char *reason, int64_t now, bool revoke,
                                  struct sg_err *err)
{
    enum store_rev_state from = revoke ? STORE_REV_APPROVED : STORE_REV_PENDING;
    enum store_rev_state to = revoke ? STORE_REV_REVOKED : STORE_REV_REJECTED;
    enum store_rev_state state = STORE_REV_PENDING;
    bool is_latest = false;
    enum store_status rc = rev_state(st, id, rev, &state, &is_latest, err);
    if (rc != STORE_OK)
        return rc;
    if (state != from)
        return conflict(err, revoke ? "revoke" : "reject", state);
    if (!store_exec(st, NULL, err,
                    "UPDATE revisions SET state = ?, decided_by = ?, decided_at = ?, reason = ?"
                    " WHERE item_id = ? AND rev = ?",
                    "ttitti", store_rev_state_name(to), who->name, now, reason, id, rev))
        return STORE_ERROR;
    char obj[96];
    object_name(obj, id, rev);
    return store_audit_add(st, who, revoke ? "item.revoke" : "item.reject", obj,
                           store_rev_state_name(from), store_rev_state_name(to), now, err);
}

/* Inside an open write transaction: clears the hold of pending revision
 * rev, with an audit row that keeps the reason released. */
static enum store_status release_hold_in(struct store *st, const struct store_actor *who,
                                         const char *id, int64_t rev, int64_t now,
                                         struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    char *reason = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT held FROM revisions WHERE item_id = ? AND rev = ?"
                       " AND state = 'pending' AND held IS NOT NULL",
                       "ti", id, rev))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0 || (r == 1 && !store_col_text(q, 0, &reason, err)))
        goto done;
    if (r == 0) {
        sg_err_set(err, "no held pending revision %s#%lld", id, (long long)rev);
        rc = STORE_CONFLICT;
        goto done;
    }
    if (!store_exec(st, NULL, err, "UPDATE revisions SET held = NULL WHERE item_id = ? AND rev = ?",
                    "ti", id, rev))
        goto done;
    char obj[96];
    object_name(obj, id, rev);
    rc = store_audit_add(st, who, "item.release_hold", obj, reason, NULL, now, err);
done:
    sqlite3_finalize(q);
    free(reason);
    return rc;
}

enum store_status store_release_hold(struct store *st, const struct store_actor *who,
                                     const char *id, int64_t rev, int64_t now, struct sg_err *err)
{
    if (!actor_ok(who) || !id) {
        sg_err_set(err, "release hold: actor or item missing");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = release_hold_in(st, who, id, rev, now, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_approve_held(struct store *st, const struct store_actor *who,
                                     const char *id, int64_t rev, int64_t until,
                                     const char *targets_json, bool four_eyes, int64_t now,
                                     struct sg_err *err)
{
    if (!actor_ok(who) || !id || until <= now || !store_len_ok(targets_json, STORE_MAX_JSON_LEN)) {
        sg_err_set(err, "approve: actor, until or targets out of range");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    /* One transaction: a refused approval (four-eyes, conflict) keeps the hold. */
    enum store_status rc = release_hold_in(st, who, id, rev, now, err);
    if (rc == STORE_OK)
        rc = store_approve_in(st, who, id, rev, until, targets_json, four_eyes, now, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

/* pending -> rejected or approved -> revoked: one decision by who. */
static enum store_status decide(struct store *st, const struct store_actor *who, const char *id,
                                int64_t rev, const char *reason, int64_t now, bool revoke,
                                struct sg_err *err)
{
    if (!actor_ok(who) || !id || !store_len_ok(reason, STORE_MAX_REASON_LEN)) {
        sg_err_set(err, "%s: actor or reason out of range", revoke ? "revoke" : "reject");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = store_decide_in(st, who, id, rev, reason, now, revoke, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_reject(struct store *st, const struct store_actor *who, const char *id,
                               int64_t rev, const char *reason, int64_t now, struct sg_err *err)
{
    return decide(st, who, id, rev, reason, now, false, err);
}

enum store_status store_revoke(struct store *st, const struct store_actor *who, const char *id,
                               int64_t rev, const char *reason, int64_t now, struct sg_err *err)
{
    return decide(st, who, id, rev, reason, now, true, err);
}

enum store_status store_expire_due(struct store *st, int64_t now, bool *changed, struct sg_err *err)
{
    *changed = false;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    char **objs = NULL;
    size_t cap = 0, count = 0;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    /* The approval's decided_by/decided_at stay: expiry is no one's decision. */
    if (!store_prepare(st, &q, err,
                       "UPDATE revisions SET state = 'expired'"
                       " WHERE state = 'approved' AND approved_until <= ?"
                       " RETURNING item_id || '#' || rev",
                       "i", now))
        goto done;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&objs, &cap, count, sizeof *objs) ||
            !store_col_text(q, 0, &objs[count], err)) {
            sg_err_set(err, "out of memory");
            goto done;
        }
        count++;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (r < 0)
        goto done;
    rc = STORE_OK;
    const struct store_actor sys = {0, "system", NULL};
    for (size_t i = 0; rc == STORE_OK && i < count; i++)
        rc = store_audit_add(st, &sys, "item.expire", objs[i], "approved", "expired", now, err);
    if (rc == STORE_OK)
        *changed = count > 0;
done:
    sqlite3_finalize(q);
    for (size_t i = 0; i < count; i++)
        free(objs[i]);
    free(objs);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_approved_list(struct store *st, int64_t now, struct store_revision **out,
                                      size_t *n, struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (store_prepare(st, &q, err,
                      "SELECT " REV_COLUMNS " FROM revisions"
                      " WHERE state = 'approved' AND approved_until > ?"
                      " ORDER BY item_id, rev",
                      "i", now))
        rc = collect_revisions(st, q, true, out, n, err);
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

/* ---- media ---- */

enum store_status store_media_put(struct store *st, const struct store_actor *who,
                                  const char *sha256, const char *type, int width, int height,
                                  const void *bytes, size_t len, int64_t now, struct sg_err *err)
{
    if (!actor_ok(who) || !store_hex64_ok(sha256) || !type || !type[0] ||
        !store_len_ok(type, STORE_MAX_MEDIA_TYPE_LEN) || width <= 0 || height <= 0 || !bytes ||
        len == 0 || len > STORE_MAX_MEDIA_BYTES) {
        sg_err_set(err, "media: hash, type, size or bytes out of range");
        return STORE_INVALID;
    }
    char actual[65];
    store_sha256_hex(bytes, len, actual);
    if (strcmp(actual, sha256) != 0) {
        sg_err_set(err, "media: bytes do not match %s", sha256);
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    int64_t changes = 0;
    enum store_status rc = STORE_ERROR;
    if (store_exec(st, &changes, err,
                   "INSERT INTO media (sha256, type, width, height, bytes, created_at, created_by)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                   "ttiibit", sha256, type, (int64_t)width, (int64_t)height, bytes, len, now,
                   who->name))
        rc = changes ? store_audit_add(st, who, "media.upload", sha256, NULL, type, now, err)
                     : STORE_OK;
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_media_get(struct store *st, const char *sha256, void **bytes, size_t *len,
                                  char **type, struct sg_err *err)
{
    *bytes = NULL;
    *len = 0;
    *type = NULL;
    if (!store_hex64_ok(sha256)) {
        sg_err_set(err, "no such media");
        return STORE_NOT_FOUND;
    }
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT bytes, type FROM media WHERE sha256 = ?", "t", sha256))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such media");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (!store_col_blob(q, 0, bytes, len, err) || !store_col_text(q, 1, type, err)) {
        free(*bytes);
        free(*type);
        *bytes = NULL;
        *type = NULL;
        *len = 0;
        goto done;
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}
