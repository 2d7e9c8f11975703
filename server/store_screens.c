/* Screens (tokens kept as SHA-256, status reports, screenshots), their
 * published feeds, and the settings row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define MIN_APPROVAL_DAYS 1
#define MAX_APPROVAL_DAYS 3650
#define MIN_FEED_LIFETIME_S 60
#define MAX_FEED_LIFETIME_S (366 * 24 * 60 * 60)

void store_screen_finish(struct store_screen *s)
{
    if (!s)
        return;
    free(s->id);
    free(s->name);
    free(s->group);
    free(s->location);
    free(s->timezone);
    free(s->status_json);
    free(s->feed_content_sha256);
    memset(s, 0, sizeof *s);
}

void store_screens_free(struct store_screen *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        store_screen_finish(&s[i]);
    free(s);
}

static bool actor_ok(const struct store_actor *who)
{
    return who && who->name && who->name[0] && store_len_ok(who->name, STORE_MAX_FIELD_LEN) &&
           store_len_ok(who->ip, STORE_MAX_FIELD_LEN);
}

/* Whether screen id exists (STORE_OK) or not (STORE_NOT_FOUND, err left
 * alone: for store_screen_add that is the good outcome). */
static enum store_status screen_exists(struct store *st, const char *id, struct sg_err *err)
{
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (store_prepare(st, &q, err, "SELECT 1 FROM screens WHERE id = ?", "t", id)) {
        int r = store_step(st, q, err);
        rc = r < 0 ? STORE_ERROR : r == 1 ? STORE_OK : STORE_NOT_FOUND;
    }
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_screen_add(struct store *st, const struct store_actor *who, const char *id,
                                   const char *name, const char *group, const char *location,
                                   const char *timezone, int64_t now,
                                   unsigned char token[STORE_TOKEN_BYTES], struct sg_err *err)
{
    if (!actor_ok(who) || !store_id_ok(id) || !name || !name[0] ||
        !store_len_ok(name, STORE_MAX_TITLE_LEN) || (group && !store_id_ok(group)) ||
        !store_len_ok(location, STORE_MAX_FIELD_LEN) ||
        !store_len_ok(timezone, STORE_MAX_NAME_LEN)) {
        sg_err_set(err, "screen: id, name, group, location or time zone out of range");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = screen_exists(st, id, err);
    if (rc == STORE_OK) {
        sg_err_set(err, "screen %s exists", id);
        rc = STORE_CONFLICT;
        goto done;
    }
    if (rc != STORE_NOT_FOUND)
        goto done;
    rc = STORE_ERROR;
    unsigned char hash[32];
    randombytes_buf(token, STORE_TOKEN_BYTES);
    crypto_hash_sha256(hash, token, STORE_TOKEN_BYTES);
    if (!store_exec(st, NULL, err,
                    "INSERT INTO screens (id, name, grp, location, timezone, token_sha256,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    "tttttbi", id, name, group, location, timezone, hash, sizeof hash, now))
        goto done;
    rc = store_audit_add(st, who, "screen.add", id, NULL, name, now, err);
done:
    if (rc != STORE_OK)
        sodium_memzero(token, STORE_TOKEN_BYTES);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_screen_new_token(struct store *st, const struct store_actor *who,
                                         const char *id, int64_t now,
                                         unsigned char token[STORE_TOKEN_BYTES], struct sg_err *err)
{
    if (!actor_ok(who) || !id) {
        sg_err_set(err, "screen token: actor or screen missing");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = screen_exists(st, id, err);
    if (rc != STORE_OK) {
        if (rc == STORE_NOT_FOUND)
            sg_err_set(err, "no such screen");
        goto done;
    }
    rc = STORE_ERROR;
    unsigned char hash[32];
    randombytes_buf(token, STORE_TOKEN_BYTES);
    crypto_hash_sha256(hash, token, STORE_TOKEN_BYTES);
    if (!store_exec(st, NULL, err, "UPDATE screens SET token_sha256 = ? WHERE id = ?", "bt", hash,
                    sizeof hash, id))
        goto done;
    rc = store_audit_add(st, who, "screen.token", id, NULL, "new token", now, err);
done:
    if (rc != STORE_OK)
        sodium_memzero(token, STORE_TOKEN_BYTES);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_screen_check_token(struct store *st, const char *id,
                                           const unsigned char *token, size_t len,
                                           struct sg_err *err)
{
    if (!id || (!token && len > 0)) {
        sg_err_set(err, "no such screen");
        return STORE_NOT_FOUND;
    }
    /* Hashing first makes the comparison independent of the token's length
     * and content; only the 32-byte digests are compared. */
    unsigned char hash[32];
    crypto_hash_sha256(hash, token ? token : (const unsigned char *)"", len);
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT token_sha256 FROM screens WHERE id = ?", "t", id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such screen");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    const void *stored = sqlite3_column_blob(q, 0);
    if (sqlite3_column_bytes(q, 0) != 32 || !stored || sodium_memcmp(stored, hash, 32) != 0) {
        sg_err_set(err, "wrong screen token");
        rc = STORE_FORBIDDEN;
        goto done;
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

#define SCREEN_SELECT                                                                              \
    "SELECT s.id, s.name, s.grp, s.location, s.timezone, s.created_at, s.last_seen,"               \
    " s.status_json, s.screenshot_requested, f.version, f.issued, f.expires, f.content_sha256,"    \
    " EXISTS (SELECT 1 FROM screenshots x WHERE x.screen_id = s.id)"                               \
    " FROM screens s LEFT JOIN feeds f ON f.screen_id = s.id"

static bool read_screen(sqlite3_stmt *q, struct store_screen *out, struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    out->created_at = sqlite3_column_int64(q, 5);
    out->last_seen = sqlite3_column_int64(q, 6);
    out->screenshot_requested = sqlite3_column_int(q, 8) != 0;
    out->feed_version = sqlite3_column_int64(q, 9); /* NULL (no feed yet) reads as 0 */
    out->feed_issued = sqlite3_column_int64(q, 10);
    out->feed_expires = sqlite3_column_int64(q, 11);
    out->has_screenshot = sqlite3_column_int(q, 13) != 0;
    return store_col_text(q, 0, &out->id, err) && store_col_text(q, 1, &out->name, err) &&
           store_col_text(q, 2, &out->group, err) && store_col_text(q, 3, &out->location, err) &&
           store_col_text(q, 4, &out->timezone, err) &&
           store_col_text(q, 7, &out->status_json, err) &&
           store_col_text(q, 12, &out->feed_content_sha256, err);
}

enum store_status store_screen_get(struct store *st, const char *id, struct store_screen *out,
                                   struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!id) {
        sg_err_set(err, "no such screen");
        return STORE_NOT_FOUND;
    }
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, SCREEN_SELECT " WHERE s.id = ?", "t", id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such screen");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (!read_screen(q, out, err)) {
        store_screen_finish(out);
        goto done;
    }
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

enum store_status store_screen_list(struct store *st, struct store_screen **out, size_t *n,
                                    struct sg_err *err)
{
    *out = NULL;
    *n = 0;
    struct store_screen *list = NULL;
    size_t cap = 0, count = 0;
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, SCREEN_SELECT " ORDER BY s.id", ""))
        goto done;
    int r;
    while ((r = store_step(st, q, err)) == 1) {
        if (!store_grow((void **)&list, &cap, count, sizeof *list)) {
            sg_err_set(err, "out of memory");
            goto done;
        }
        count++;
        if (!read_screen(q, &list[count - 1], err))
            goto done;
    }
    if (r < 0)
        goto done;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    if (rc == STORE_OK) {
        *out = list;
        *n = count;
    } else {
        store_screens_free(list, count);
    }
    return store_end(st, rc, false, err);
}

enum store_status store_screen_report(struct store *st, const char *id, const char *status_json,
                                      const void *png, size_t png_len, int64_t now,
                                      bool *screenshot_requested, struct sg_err *err)
{
    *screenshot_requested = false;
    if (!id || !store_len_ok(status_json, STORE_MAX_STATUS_LEN) ||
        (png && (png_len == 0 || png_len > STORE_MAX_MEDIA_BYTES))) {
        sg_err_set(err, "status report: too large");
        return STORE_INVALID;
    }
    sqlite3_stmt *q = NULL;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = STORE_ERROR;
    /* A report without a status keeps the last one. */
    if (!store_prepare(st, &q, err,
                       "UPDATE screens SET last_seen = ?, status_json = coalesce(?, status_json),"
                       " screenshot_requested = screenshot_requested AND ? WHERE id = ?"
                       " RETURNING screenshot_requested",
                       "itit", now, status_json, (int64_t)(png == NULL), id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no such screen");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    bool requested = sqlite3_column_int(q, 0) != 0;
    if (store_step(st, q, err) != 0)
        goto done;
    if (png && !store_exec(st, NULL, err,
                           "INSERT INTO screenshots (screen_id, png, at) VALUES (?, ?, ?)"
                           " ON CONFLICT (screen_id) DO UPDATE SET png = excluded.png,"
                           " at = excluded.at",
                           "tbi", id, png, png_len, now))
        goto done;
    *screenshot_requested = requested;
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_screen_request_screenshot(struct store *st, const struct store_actor *who,
                                                  const char *id, int64_t now, struct sg_err *err)
{
    if (!actor_ok(who) || !id) {
        sg_err_set(err, "screenshot request: actor or screen missing");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    int64_t changes = 0;
    enum store_status rc = STORE_ERROR;
    if (store_exec(st, &changes, err, "UPDATE screens SET screenshot_requested = 1 WHERE id = ?",
                   "t", id))
        rc = changes ? STORE_OK : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        sg_err_set(err, "no such screen");
    if (rc == STORE_OK)
        rc = store_audit_add(st, who, "screen.screenshot-request", id, NULL, NULL, now, err);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_screen_screenshot(struct store *st, const char *id, void **png, size_t *len,
                                          struct sg_err *err)
{
    *png = NULL;
    *len = 0;
    if (!id) {
        sg_err_set(err, "no screenshot");
        return STORE_NOT_FOUND;
    }
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT png FROM screenshots WHERE screen_id = ?", "t", id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no screenshot");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (store_col_blob(q, 0, png, len, err))
        rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

/* ---- feeds ---- */

enum store_status store_feed_save(struct store *st, const char *screen_id, int64_t version,
                                  int64_t issued, int64_t expires, const char *content_sha256,
                                  const char *envelope, size_t len, struct sg_err *err)
{
    if (!screen_id || version < 1 || !envelope || len == 0 || len > STORE_MAX_ENVELOPE_LEN ||
        !store_len_ok(content_sha256, 128)) {
        sg_err_set(err, "feed: version, hash or envelope out of range");
        return STORE_INVALID;
    }
    sqlite3_stmt *q = NULL;
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    enum store_status rc = screen_exists(st, screen_id, err);
    if (rc != STORE_OK) {
        if (rc == STORE_NOT_FOUND)
            sg_err_set(err, "no such screen");
        goto done;
    }
    rc = STORE_ERROR;
    if (!store_prepare(st, &q, err, "SELECT version FROM feeds WHERE screen_id = ?", "t",
                       screen_id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    /* A kiosk refuses a lower version (rollback), and a caching client keys
     * on the version: the same number must never name other bytes. */
    if (r == 1 && sqlite3_column_int64(q, 0) >= version) {
        sg_err_set(err, "feed version %lld is not above the stored %lld", (long long)version,
                   (long long)sqlite3_column_int64(q, 0));
        rc = STORE_CONFLICT;
        goto done;
    }
    if (store_exec(st, NULL, err,
                   "INSERT INTO feeds (screen_id, version, issued, expires, content_sha256,"
                   " envelope) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (screen_id) DO UPDATE SET"
                   " version = excluded.version, issued = excluded.issued,"
                   " expires = excluded.expires, content_sha256 = excluded.content_sha256,"
                   " envelope = excluded.envelope",
                   "tiiitb", screen_id, version, issued, expires, content_sha256, envelope, len))
        rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, rc == STORE_OK, err);
}

enum store_status store_feed_load(struct store *st, const char *screen_id, int64_t *version,
                                  int64_t *issued, int64_t *expires, char **content_sha256,
                                  char **envelope, size_t *len, struct sg_err *err)
{
    *version = *issued = *expires = 0;
    *content_sha256 = NULL;
    *envelope = NULL;
    *len = 0;
    if (!screen_id) {
        sg_err_set(err, "no feed");
        return STORE_NOT_FOUND;
    }
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT version, issued, expires, content_sha256, envelope FROM feeds"
                       " WHERE screen_id = ?",
                       "t", screen_id))
        goto done;
    int r = store_step(st, q, err);
    if (r < 0)
        goto done;
    if (r == 0) {
        sg_err_set(err, "no feed");
        rc = STORE_NOT_FOUND;
        goto done;
    }
    void *env = NULL;
    if (!store_col_text(q, 3, content_sha256, err) || !store_col_blob(q, 4, &env, len, err)) {
        free(*content_sha256);
        *content_sha256 = NULL;
        goto done;
    }
    *envelope = env; /* store_col_blob leaves a NUL after the bytes */
    *version = sqlite3_column_int64(q, 0);
    *issued = sqlite3_column_int64(q, 1);
    *expires = sqlite3_column_int64(q, 2);
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return store_end(st, rc, false, err);
}

/* ---- settings ---- */

static enum store_status settings_read(struct store *st, struct store_settings *out,
                                       struct sg_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    enum store_status rc = STORE_ERROR;
    if (!store_prepare(st, &q, err,
                       "SELECT emergency_stop, four_eyes_post, four_eyes_tip, four_eyes_notice,"
                       " approval_days, feed_lifetime_s, clinic FROM settings WHERE id = 1",
                       ""))
        goto done;
    int r = store_step(st, q, err);
    if (r != 1) {
        if (r == 0)
            sg_err_set(err, "settings row missing");
        goto done;
    }
    out->emergency_stop = sqlite3_column_int(q, 0) != 0;
    out->four_eyes_post = sqlite3_column_int(q, 1) != 0;
    out->four_eyes_tip = sqlite3_column_int(q, 2) != 0;
    out->four_eyes_notice = sqlite3_column_int(q, 3) != 0;
    out->approval_days = sqlite3_column_int(q, 4);
    out->feed_lifetime_s = sqlite3_column_int64(q, 5);
    const char *clinic = (const char *)sqlite3_column_text(q, 6);
    snprintf(out->clinic, sizeof out->clinic, "%s", clinic ? clinic : "");
    rc = STORE_OK;
done:
    sqlite3_finalize(q);
    return rc;
}

enum store_status store_settings_get(struct store *st, struct store_settings *out,
                                     struct sg_err *err)
{
    if (!store_begin(st, false, err))
        return STORE_ERROR;
    enum store_status rc = settings_read(st, out, err);
    return store_end(st, rc, false, err);
}

static const char *onoff(bool b)
{
    return b ? "on" : "off";
}

enum store_status store_settings_set(struct store *st, const struct store_actor *who,
                                     const struct store_settings *s, int64_t now,
                                     struct sg_err *err)
{
    if (!actor_ok(who) || !s || s->approval_days < MIN_APPROVAL_DAYS ||
        s->approval_days > MAX_APPROVAL_DAYS || s->feed_lifetime_s < MIN_FEED_LIFETIME_S ||
        s->feed_lifetime_s > MAX_FEED_LIFETIME_S || !memchr(s->clinic, '\0', sizeof s->clinic)) {
        sg_err_set(err, "settings: approval_days, feed_lifetime_s or clinic out of range");
        return STORE_INVALID;
    }
    if (!store_begin(st, true, err))
        return STORE_ERROR;
    struct store_settings old;
    enum store_status rc = settings_read(st, &old, err);
    if (rc != STORE_OK)
        goto done;
    if (!store_exec(st, NULL, err,
                    "UPDATE settings SET emergency_stop = ?, four_eyes_post = ?,"
                    " four_eyes_tip = ?, four_eyes_notice = ?, approval_days = ?,"
                    " feed_lifetime_s = ?, clinic = ? WHERE id = 1",
                    "iiiiiit", (int64_t)s->emergency_stop, (int64_t)s->four_eyes_post,
                    (int64_t)s->four_eyes_tip, (int64_t)s->four_eyes_notice,
                    (int64_t)s->approval_days, s->feed_lifetime_s, s->clinic)) {
        rc = STORE_ERROR;
        goto done;
    }
    if (old.emergency_stop != s->emergency_stop)
        rc = store_audit_add(st, who, "settings.emergency-stop", "emergency_stop",
                             onoff(old.emergency_stop), onoff(s->emergency_stop), now, err);
    const struct {
        const char *name;
        bool was, is;
    } flags[] = {
        {"four_eyes.post", old.four_eyes_post, s->four_eyes_post},
        {"four_eyes.tip", old.four_eyes_tip, s->four_eyes_tip},
        {"four_eyes.notice", old.four_eyes_notice, s->four_eyes_notice},
    };
    for (size_t i = 0; rc == STORE_OK && i < sizeof flags / sizeof flags[0]; i++) {
        if (flags[i].was != flags[i].is)
            rc = store_audit_add(st, who, "settings.set", flags[i].name, onoff(flags[i].was),
                                 onoff(flags[i].is), now, err);
    }
    char a[24], b[24];
    if (rc == STORE_OK && old.approval_days != s->approval_days) {
        snprintf(a, sizeof a, "%d", old.approval_days);
        snprintf(b, sizeof b, "%d", s->approval_days);
        rc = store_audit_add(st, who, "settings.set", "approval_days", a, b, now, err);
    }
    if (rc == STORE_OK && old.feed_lifetime_s != s->feed_lifetime_s) {
        snprintf(a, sizeof a, "%lld", (long long)old.feed_lifetime_s);
        snprintf(b, sizeof b, "%lld", (long long)s->feed_lifetime_s);
        rc = store_audit_add(st, who, "settings.set", "feed_lifetime_s", a, b, now, err);
    }
    if (rc == STORE_OK && strcmp(old.clinic, s->clinic) != 0)
        rc = store_audit_add(st, who, "settings.set", "clinic", old.clinic, s->clinic, now, err);
done:
    return store_end(st, rc, rc == STORE_OK, err);
}
