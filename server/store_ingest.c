/* Ingest sources and the posts they bring (store.h, "ingest"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define SOURCE_COLUMNS                                                                             \
    "id, name, kind, url, account, poll_s, targets_json, lang, auto_approve, use_blocklist,"       \
    " daily_cap, enabled, token_sha256 IS NOT NULL, created_at, next_poll_at, last_poll_at,"       \
    " last_ok_at, last_error,"                                                                     \
    " (SELECT count(*) FROM ingested i WHERE i.source_id = sources.id AND i.first_seen > ?)"

#define DAY_S 86400
#define GONE_REASON "deleted at the source"

static bool actor_ok(const struct store_actor *who)
{
    return who && who->name && who->name[0] && store_len_ok(who->name, STORE_MAX_FIELD_LEN) &&
           store_len_ok(who->ip, STORE_MAX_FIELD_LEN);
}

/* The settings a source must have: a name, what its kind needs, limits. The
 * request parser checks URLs and names more closely; this is the contract. */
static bool source_ok(const struct store_source *s, struct sg_err *err)
{
    bool polled = s->kind != STORE_SOURCE_WEBHOOK;
    bool needs_account = s->kind == STORE_SOURCE_MASTODON || s->kind == STORE_SOURCE_BLUESKY;
    if (!s->name || !s->name[0] || !store_len_ok(s->name, STORE_MAX_NAME_LEN) ||
        (unsigned)s->kind > STORE_SOURCE_WEBHOOK || !s->targets_json ||
        !store_len_ok(s->targets_json, STORE_MAX_JSON_LEN) ||
        !store_len_ok(s->url, STORE_MAX_FIELD_LEN) ||
        !store_len_ok(s->account, STORE_MAX_FIELD_LEN) || !store_len_ok(s->lang, 35) ||
        s->daily_cap < 0 || s->daily_cap > 10000 || polled != (s->url != NULL) ||
        needs_account != (s->account != NULL) ||
        (polled ? s->poll_s < STORE_MIN_SOURCE_POLL_S || s->poll_s > STORE_MAX_SOURCE_POLL_S
                : s->poll_s != 0)) {
        sg_err_set(err, "source: name, url, account, poll interval, targets, language or cap "
                        "out of range");
        return false;
    }
    return true;
}

static enum store_status read_source(sqlite3_stmt *q, struct store_source *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(q, 0);
    if (!store_source_kind_parse((const char *)sqlite3_column_text(q, 2), &out->kind)) {
        sg_err_set(err, "source: malformed kind");
        return STORE_ERROR;
    }
    out->poll_s = sqlite3_column_int64(q, 5);
    out->auto_approve = sqlite3_column_int(q, 8) != 0;
    out->use_blocklist = sqlite3_column_int(q, 9) != 0;
    out->daily_cap = sqlite3_column_int64(q, 10);
    out->enabled = sqlite3_column_int(q, 11) != 0;
    out->has_token = sqlite3_column_int(q, 12) != 0;
    out->created_at = sqlite3_column_int64(q, 13);
    out->next_poll_at = sqlite3_column_int64(q, 14);
    out->last_poll_at = sqlite3_column_int64(q, 15);
    out->last_ok_at = sqlite3_column_int64(q, 16);
    out->posts_24h = sqlite3_column_int64(q, 18);
    if (!store_col_text(q, 1, &out->name, err) || !store_col_text(q, 3, &out->url, err) ||
        !store_col_text(q, 4, &out->account, err) ||
        !store_col_text(q, 6, &out->targets_json, err) || !store_col_text(q, 7, &out->lang, err) ||
        !store_col_text(q, 17, &out->last_error, err)) {
        store_source_finish(out);
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* Runs q (rows of SOURCE_COLUMNS) into a fresh array. */
static enum store_status collect_sources(struct store *st, sqlite3_stmt *q,
                                         struct store_source **out, size_t *n, struct sg_err *err)
{
    struct store_source *list = NULL;
    size_t count = 0, cap = 0;
    enum store_status rc = STORE_OK;
    int r;
    while (rc == STORE_OK && (r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&list, &cap, count, sizeof *list)) {
            sg_err_set(err, "out of memory");
            rc = STORE_ERROR;
        } else if ((rc = read_source(q, &list[count], err)) == STORE_OK) {
            count++;
        }
    }
    if (rc == STORE_OK && r < 0)
        rc = STORE_ERROR;
    if (rc != STORE_OK) {
        store_sources_free(list, count);
        return rc;
    }
    *out = list;
    *n = count;
    return STORE_OK;
}

enum store_status store_source_add(struct store *st, const struct store_actor *who,
                                   const struct store_source *src, int64_t now, int64_t *id_out,
                                   unsigned char token[STORE_TOKEN_BYTES], struct sg_err *err)
{
    if (!actor_ok(who) || !source_ok(src, err)) {
        if (!err->set)
            sg_err_set(err, "source: actor missing");
        return STORE_INVALID;
    }
    bool webhook = src->kind == STORE_SOURCE_WEBHOOK;
    if (webhook && !token) {
        sg_err_set(err, "source: a webhook needs a token buffer");
        return STORE_INVALID;
    }
    unsigned char hash[32];
    if (webhook) {
        randombytes_buf(token, STORE_TOKEN_BYTES);
        crypto_hash_sha256(hash, token, STORE_TOKEN_BYTES);
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = STORE_ERROR;
    sqlite3_stmt *q = NULL;
    if (!store_prepare(st, &q, err,
                       "INSERT INTO sources (name, kind, url, account, poll_s, targets_json, lang,"
                       " auto_approve, use_blocklist, daily_cap, enabled, token_sha256, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (name) DO NOTHING RETURNING id",
                       "ttttittiiiibi", src->name, store_source_kind_name(src->kind), src->url,
                       src->account, src->poll_s, src->targets_json, src->lang,
                       (int64_t)src->auto_approve, (int64_t)src->use_blocklist, src->daily_cap,
                       (int64_t)src->enabled, webhook ? (const void *)hash : NULL,
                       webhook ? sizeof hash : (size_t)0, now))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "a source named %s exists", src->name);
        rc = STORE_CONFLICT;
        goto done;
    }
    int64_t id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    char obj[32];
    snprintf(obj, sizeof obj, "source:%lld", (long long)id);
    rc = store_audit_add(st, who, "source.add", obj, NULL, src->name, now, err);
    if (rc == STORE_OK && id_out)
        *id_out = id;
done:
    sqlite3_finalize(q);
    if (rc != STORE_OK && webhook)
        sodium_memzero(token, STORE_TOKEN_BYTES);
    return store_end(st, rc, rc == STORE_OK, err);
}

/* STORE_OK with *kind when source id exists. */
static enum store_status source_kind(struct store *st, int64_t id, enum store_source_kind *kind,
                                     struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (store_prepare(st, &q, err, "SELECT kind FROM sources WHERE id = ?", "i", id)) {
        int r = store_step(st, q, err);
        if (r == 0) {
            sg_err_set(err, "no such source");
            rc = STORE_NOT_FOUND;
        } else if (r == 1) {
            rc = store_source_kind_parse((const char *)sqlite3_column_text(q, 0), kind)
                     ? STORE_OK
                     : STORE_ERROR;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_source_update(struct store *st, const struct store_actor *who, int64_t id,
                                      const struct store_source *src, int64_t now,
                                      struct sg_err *err)
{
    if (!actor_ok(who)) {
        sg_err_set(err, "source: actor missing");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_source_kind kind;
    enum store_status rc = source_kind(st, id, &kind, err);
    if (rc != STORE_OK)
        goto done;
    struct store_source s = *src;
    s.kind = kind; /* the kind is fixed: a feed does not turn into a webhook */
    if (kind == STORE_SOURCE_WEBHOOK)
        s.poll_s = 0; /* the parser, not knowing the kind, gave the default */
    if (!source_ok(&s, err)) {
        rc = STORE_INVALID;
        goto done;
    }
    int64_t changes = 0;
    if (!store_exec(st, &changes, err,
                    "UPDATE sources SET name = ?, url = ?, account = ?, poll_s = ?,"
                    " targets_json = ?, lang = ?, auto_approve = ?, use_blocklist = ?,"
                    " daily_cap = ?, enabled = ?, next_poll_at = 0 WHERE id = ?"
                    " AND NOT EXISTS (SELECT 1 FROM sources o WHERE o.name = ? AND o.id <> ?)",
                    "tttittiiiiiti", s.name, s.url, s.account, s.poll_s, s.targets_json, s.lang,
                    (int64_t)s.auto_approve, (int64_t)s.use_blocklist, s.daily_cap,
                    (int64_t)s.enabled, id, s.name, id)) {
        rc = STORE_ERROR;
        goto done;
    }
    if (changes == 0) {
        sg_err_set(err, "a source named %s exists", s.name);
        rc = STORE_CONFLICT;
        goto done;
    }
    char obj[32], rules[160];
    snprintf(obj, sizeof obj, "source:%lld", (long long)id);
    snprintf(rules, sizeof rules, "%s auto_approve=%d blocklist=%d cap=%lld enabled=%d", s.name,
             s.auto_approve, s.use_blocklist, (long long)s.daily_cap, s.enabled);
    rc = store_audit_add(st, who, "source.update", obj, NULL, rules, now, err);
done:
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_source_new_token(struct store *st, const struct store_actor *who,
                                         int64_t id, int64_t now,
                                         unsigned char token[STORE_TOKEN_BYTES], struct sg_err *err)
{
    if (!actor_ok(who)) {
        sg_err_set(err, "source: actor missing");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_source_kind kind;
    enum store_status rc = source_kind(st, id, &kind, err);
    if (rc == STORE_OK && kind != STORE_SOURCE_WEBHOOK) {
        sg_err_set(err, "only a webhook source has a token");
        rc = STORE_CONFLICT;
    }
    if (rc != STORE_OK)
        goto done;
    unsigned char hash[32];
    randombytes_buf(token, STORE_TOKEN_BYTES);
    crypto_hash_sha256(hash, token, STORE_TOKEN_BYTES);
    rc = STORE_ERROR;
    if (!store_exec(st, NULL, err, "UPDATE sources SET token_sha256 = ? WHERE id = ?", "bi", hash,
                    sizeof hash, id))
        goto done;
    char obj[32];
    snprintf(obj, sizeof obj, "source:%lld", (long long)id);
    rc = store_audit_add(st, who, "source.token", obj, NULL, "new token", now, err);
done:
    if (rc != STORE_OK)
        sodium_memzero(token, STORE_TOKEN_BYTES);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_source_check_token(struct store *st, int64_t id, const unsigned char *token,
                                           size_t len, struct sg_err *err)
{
    /* Hashing first makes the comparison independent of the token's length
     * and content; only the 32-byte digests are compared. */
    unsigned char hash[32];
    crypto_hash_sha256(hash, token ? token : (const unsigned char *)"", token ? len : 0);
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT token_sha256 FROM sources WHERE id = ? AND kind = 'webhook'"
                       " AND enabled = 1",
                       "i", id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    const void *stored = r == 1 ? sqlite3_column_blob(q, 0) : NULL;
    if (!stored || sqlite3_column_bytes(q, 0) != 32 || sodium_memcmp(stored, hash, 32) != 0) {
        /* One answer for "no such source", "disabled" and "wrong token". */
        sg_err_set(err, "wrong source token");
        rc = STORE_FORBIDDEN;
        goto done;
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

enum store_status store_source_get(struct store *st, int64_t id, int64_t now,
                                   struct store_source *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT " SOURCE_COLUMNS " FROM sources WHERE id = ?", "ii",
                       now - DAY_S, id))
        goto done;
    int r = store_step(st, q, err);
    if (r == 0) {
        sg_err_set(err, "no such source");
        rc = STORE_NOT_FOUND;
    } else if (r == 1) {
        rc = read_source(q, out, err);
    }
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

/* Runs one SOURCE_COLUMNS query; its first parameter is the start of the
 * 24-hour window, the second (when the SQL has one) now. */
static enum store_status list_where(struct store *st, const char *sql, bool binds_now, int64_t now,
                                    struct store_source **out, size_t *n, struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (store_prepare(st, &q, err, sql, binds_now ? "ii" : "i", now - DAY_S, now))
        rc = collect_sources(st, q, out, n, err);
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

enum store_status store_source_list(struct store *st, int64_t now, struct store_source **out,
                                    size_t *n, struct sg_err *err)
{
    return list_where(st, "SELECT " SOURCE_COLUMNS " FROM sources ORDER BY name", false, now, out,
                      n, err);
}

enum store_status store_source_due(struct store *st, int64_t now, struct store_source **out,
                                   size_t *n, struct sg_err *err)
{
    return list_where(st,
                      "SELECT " SOURCE_COLUMNS " FROM sources WHERE enabled = 1"
                      " AND kind <> 'webhook' AND next_poll_at <= ? ORDER BY next_poll_at",
                      true, now, out, n, err);
}

enum store_status store_source_polled(struct store *st, int64_t id, int64_t now, const char *error,
                                      int64_t next_poll_at, struct sg_err *err)
{
    if (!store_len_ok(error, STORE_MAX_REASON_LEN)) {
        sg_err_set(err, "source: error text too long");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = STORE_OK;
    int64_t changes = 0;
    if (!store_exec(st, &changes, err,
                    "UPDATE sources SET last_poll_at = ?, next_poll_at = ?, last_error = ?,"
                    " last_ok_at = CASE WHEN ? IS NULL THEN ? ELSE last_ok_at END WHERE id = ?",
                    "iittii", now, next_poll_at, error, error, now, id))
        rc = STORE_ERROR;
    else if (changes == 0) {
        sg_err_set(err, "no such source");
        rc = STORE_NOT_FOUND;
    }
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_source_poll_now(struct store *st, int64_t id, struct sg_err *err)
{
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    int64_t changes = 0;
    enum store_status rc = STORE_OK;
    if (!store_exec(st, &changes, err,
                    "UPDATE sources SET next_poll_at = 0 WHERE id = ? AND kind <> 'webhook'", "i",
                    id))
        rc = STORE_ERROR;
    else if (changes == 0) {
        sg_err_set(err, "no such polled source");
        rc = STORE_NOT_FOUND;
    }
    return store_end(st, rc, rc == STORE_OK, err);
}

/* ---- posts ---- */

/* The source's name (for the actors) and its cap and count of new posts in
 * the last 24 hours. */
static enum store_status source_brief(struct store *st, int64_t id, int64_t now, char **name,
                                      int64_t *cap, int64_t *recent, struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(
            st, &q, err,
            "SELECT name, daily_cap, (SELECT count(*) FROM ingested"
            " WHERE source_id = sources.id AND first_seen > ?) FROM sources WHERE id = ?",
            "ii", now - DAY_S, id))
        goto done;
    int r = store_step(st, q, err);
    if (r == 0) {
        sg_err_set(err, "no such source");
        rc = STORE_NOT_FOUND;
    } else if (r == 1 && store_col_text(q, 0, name, err)) {
        *cap = sqlite3_column_int64(q, 1);
        *recent = sqlite3_column_int64(q, 2);
        rc = STORE_OK;
    }
done:
    sqlite3_finalize(q);
    return rc;
}

/* The item a source's post became, and the version it was at. */
static enum store_status known_post(struct store *st, int64_t source_id, const char *ext_id,
                                    char item_id[STORE_ITEM_ID_SIZE], char **version,
                                    struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT item_id, version FROM ingested WHERE source_id = ? AND ext_id = ?",
                       "it", source_id, ext_id))
        goto done;
    int r = store_step(st, q, err);
    if (r == 0) {
        rc = STORE_NOT_FOUND;
    } else if (r == 1) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        if (!id || strlen(id) >= STORE_ITEM_ID_SIZE) {
            sg_err_set(err, "ingested: malformed item id");
            goto done;
        }
        memcpy(item_id, id, strlen(id) + 1);
        if (store_col_text(q, 1, version, err))
            rc = STORE_OK;
    }
done:
    sqlite3_finalize(q);
    return rc;
}

static enum store_status set_notes(struct store *st, const char *id, int64_t rev,
                                   const struct store_ingest_post *p, struct sg_err *err)
{
    if (!p->notes && !p->held)
        return STORE_OK;
    return store_exec(st, NULL, err,
                      "UPDATE revisions SET notes = ?, held = ? WHERE item_id = ? AND rev = ?",
                      "ttti", p->notes, p->held, id, rev)
               ? STORE_OK
               : STORE_ERROR;
}

enum store_status store_ingest_post(struct store *st, int64_t source_id,
                                    const struct store_ingest_post *p, int64_t now,
                                    enum store_ingest_result *result,
                                    char item_id[STORE_ITEM_ID_SIZE], struct sg_err *err)
{
    if (!p || !p->ext_id || !p->ext_id[0] || !store_len_ok(p->ext_id, STORE_MAX_FIELD_LEN) ||
        !p->version || !store_len_ok(p->version, 128) || !p->content ||
        !store_len_ok(p->notes, STORE_MAX_REASON_LEN) ||
        !store_len_ok(p->held, STORE_MAX_REASON_LEN) ||
        (p->auto_approve && (p->held || p->approve_until <= now))) {
        sg_err_set(err, "ingest: post id, version, notes or approval out of range");
        return STORE_INVALID;
    }
    enum store_status rc = store_content_check(p->content, err);
    if (rc != STORE_OK)
        return rc;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    char *name = NULL, *known_version = NULL, id[STORE_ITEM_ID_SIZE] = "";
    int64_t cap = 0, recent = 0, rev = 1;
    rc = source_brief(st, source_id, now, &name, &cap, &recent, err);
    if (rc != STORE_OK)
        goto done;
    char author[STORE_MAX_NAME_LEN + 16], rule[STORE_MAX_NAME_LEN + 16];
    snprintf(author, sizeof author, "source:%s", name);
    snprintf(rule, sizeof rule, "rule:%s", name);
    struct store_actor from = {.user_id = 0, .name = author, .ip = "ingest"};
    struct store_actor by_rule = {.user_id = 0, .name = rule, .ip = "ingest"};

    rc = known_post(st, source_id, p->ext_id, id, &known_version, err);
    if (rc == STORE_NOT_FOUND) {
        if (cap > 0 && recent >= cap) {
            *result = STORE_INGEST_CAPPED;
            rc = STORE_OK;
            goto done;
        }
        rc = store_item_create_in(st, &from, p->content, now, id, err);
        if (rc == STORE_OK &&
            !store_exec(st, NULL, err,
                        "INSERT INTO ingested (source_id, ext_id, item_id, version, published,"
                        " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "itttiii", source_id, p->ext_id, id, p->version, p->published, now, now))
            rc = STORE_ERROR;
        *result = STORE_INGEST_NEW;
    } else if (rc == STORE_OK && strcmp(known_version, p->version) == 0) {
        *result = STORE_INGEST_SAME;
        if (!store_exec(st, NULL, err,
                        "UPDATE ingested SET last_seen = ? WHERE source_id = ? AND ext_id = ?",
                        "iit", now, source_id, p->ext_id))
            rc = STORE_ERROR;
        goto done;
    } else if (rc == STORE_OK) {
        /* Edited at the source: a new revision that needs its own approval. */
        rc = store_item_revise_in(st, &from, id, p->content, now, &rev, err);
        if (rc == STORE_OK && !store_exec(st, NULL, err,
                                          "UPDATE ingested SET version = ?, last_seen = ?, gone = 0"
                                          " WHERE source_id = ? AND ext_id = ?",
                                          "tiit", p->version, now, source_id, p->ext_id))
            rc = STORE_ERROR;
        *result = STORE_INGEST_EDITED;
    }
    if (rc == STORE_OK)
        rc = set_notes(st, id, rev, p, err);
    if (rc == STORE_OK && p->auto_approve) {
        rc = store_approve_in(st, &by_rule, id, rev, p->approve_until, NULL, false, now, err);
        *result = STORE_INGEST_APPROVED;
    }
done:
    if (item_id)
        snprintf(item_id, STORE_ITEM_ID_SIZE, "%s", rc == STORE_OK ? id : "");
    free(name);
    free(known_version);
    return store_end(st, rc, rc == STORE_OK, err);
}

/* Closes what a post deleted at the source left: its pending revision is
 * rejected, its approved one revoked. */
static enum store_status close_gone(struct store *st, const struct store_actor *who, const char *id,
                                    int64_t now, struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    int64_t revs[2], n = 0;
    bool revoke[2];
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT rev, state FROM revisions WHERE item_id = ?"
                       " AND state IN ('pending', 'approved')",
                       "t", id))
        goto done;
    int r = 0;
    while (n < 2 && (r = store_step(st, q, err)) == 1) {
        revs[n] = sqlite3_column_int64(q, 0);
        revoke[n] = strcmp((const char *)sqlite3_column_text(q, 1), "approved") == 0;
        n++;
    }
    if (n < 2 && r < 0)
        goto done;
    sqlite3_finalize(q);
    q = NULL;
    rc = STORE_OK;
    for (int64_t i = 0; i < n && rc == STORE_OK; i++)
        rc = store_decide_in(st, who, id, revs[i], GONE_REASON, now, revoke[i], err);
done:
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_ingest_gone(struct store *st, int64_t source_id, const char *const *present,
                                    size_t n, int64_t since, int64_t now, size_t *gone,
                                    struct sg_err *err)
{
    *gone = 0;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    char *name = NULL;
    int64_t cap, recent;
    sqlite3_stmt *q = NULL;
    enum store_status rc = source_brief(st, source_id, now, &name, &cap, &recent, err);
    if (rc != STORE_OK)
        goto done;
    char author[STORE_MAX_NAME_LEN + 16];
    snprintf(author, sizeof author, "source:%s", name);
    struct store_actor from = {.user_id = 0, .name = author, .ip = "ingest"};
    /* Candidates first (the statement must be finished before the items
     * change); a source holds at most INGEST_MAX_POSTS per response, so the
     * window since `since` is small. */
    char(*ids)[STORE_ITEM_ID_SIZE] = NULL;
    char **exts = NULL;
    size_t count = 0, cap_ids = 0, cap_exts = 0;
    rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT ext_id, item_id FROM ingested WHERE source_id = ? AND gone = 0"
                       " AND published >= ? AND published > 0",
                       "ii", source_id, since))
        goto done;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        const char *ext = (const char *)sqlite3_column_text(q, 0);
        const char *item = (const char *)sqlite3_column_text(q, 1);
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(present[i], ext) == 0;
        if (seen || !item || strlen(item) >= STORE_ITEM_ID_SIZE)
            continue;
        if (!store_grow((void **)&ids, &cap_ids, count, sizeof *ids) ||
            !store_grow((void **)&exts, &cap_exts, count, sizeof *exts) ||
            !(exts[count] = strdup(ext))) {
            sg_err_set(err, "out of memory");
            goto free_lists;
        }
        memcpy(ids[count], item, strlen(item) + 1);
        count++;
    }
    if (r < 0)
        goto free_lists;
    sqlite3_finalize(q);
    q = NULL;
    rc = STORE_OK;
    for (size_t i = 0; i < count && rc == STORE_OK; i++) {
        rc = close_gone(st, &from, ids[i], now, err);
        if (rc == STORE_OK &&
            !store_exec(st, NULL, err,
                        "UPDATE ingested SET gone = 1 WHERE source_id = ? AND ext_id = ?", "it",
                        source_id, exts[i]))
            rc = STORE_ERROR;
    }
    if (rc == STORE_OK)
        *gone = count;
free_lists:
    for (size_t i = 0; i < count; i++)
        free(exts[i]);
    free(exts);
    free(ids);
done:
    sqlite3_finalize(q);
    free(name);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_ingest_media_get(struct store *st, const char *url, char sha256[65],
                                         struct sg_err *err)
{
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (store_prepare(st, &q, err, "SELECT sha256 FROM ingest_media WHERE url = ?", "t", url)) {
        int r = store_step(st, q, err);
        const char *sha = r == 1 ? (const char *)sqlite3_column_text(q, 0) : NULL;
        if (r == 0) {
            rc = STORE_NOT_FOUND;
        } else if (sha && store_hex64_ok(sha)) {
            memcpy(sha256, sha, 65);
            rc = STORE_OK;
        } else if (r == 1) {
            sg_err_set(err, "ingest_media: malformed row");
        }
    }
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

enum store_status store_ingest_media_put(struct store *st, const char *url, const char *sha256,
                                         int64_t now, struct sg_err *err)
{
    if (!url || !store_len_ok(url, STORE_MAX_FIELD_LEN) || !store_hex64_ok(sha256)) {
        sg_err_set(err, "ingest media: url or sha256 out of range");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = STORE_OK;
    if (!store_exec(st, NULL, err,
                    "INSERT INTO ingest_media (url, sha256, fetched_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET sha256 = excluded.sha256,"
                    " fetched_at = excluded.fetched_at",
                    "tti", url, sha256, now))
        rc = STORE_ERROR;
    return store_end(st, rc, rc == STORE_OK, err);
}
