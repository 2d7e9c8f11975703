/* Request-body parsers (requests.h). Each one parses with jsonx (size, depth,
 * duplicate keys, UTF-8), refuses members it does not know, checks every
 * field against its limit and copies what it keeps, so a handler gets plain
 * validated values and the parsed tree is gone before the store sees them.
 *
 * An optional free-text member given as "" counts as absent (a web form
 * sends empty fields); required ones must not be empty. Passwords are the
 * exception: "" is a password that fails the policy. */
#include "requests.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"
#include "jsonx.h"
#include "sgtime.h"
#include "text.h"

/* Field limits that store.h leaves to the parsers. */
#define REQ_MAX_SHORT_LEN 200   /* author, source, screen name, location */
#define REQ_MAX_LINK_LEN 2048   /* what a QR code still scans comfortably */
#define REQ_MAX_ALT_LEN 500     /* image descriptions */
#define REQ_MAX_LANG_LEN 35     /* BCP 47's recommended buffer for a tag */
#define REQ_MAX_TZ_LEN 64       /* longest IANA names are about 30 bytes */
#define REQ_MAX_ITEM_ID_LEN 128 /* FEED_MAX_ID_LEN: what a kiosk can report */
#define REQ_MAX_ERROR_LEN 1024  /* a kiosk's last error line */
#define REQ_MAX_DROPPED 32      /* reasons in a status report (verdict.h has about 20) */
#define REQ_MAX_APPROVAL_DAYS 366
#define REQ_DEFAULT_TIMEZONE "Europe/Berlin"
#define REQ_NOTICE_PRIORITY 50

/* Normalised JSON we store: no whitespace, '/' left alone. */
#define REQ_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* ---- helpers ---- */

static bool oom(struct sg_err *err)
{
    sg_err_set(err, "out of memory");
    return false;
}

static bool in_list(const char *key, const char *const *allowed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, allowed[i]) == 0)
            return true;
    return false;
}

/* Copies member key into *dst (malloc'd). "" is treated as absent unless the
 * member is required, when it is an error. */
static bool copy_str(struct json_object *obj, const char *what, const char *key, size_t max,
                     bool required, char **dst, struct sg_err *err)
{
    const char *s = NULL;
    if (!jsonx_get_string(obj, what, key, max, required, &s, err))
        return false;
    if (!s)
        return true;
    if (!*s) {
        if (required) {
            sg_err_set(err, "%s: \"%s\" is empty", what, key);
            return false;
        }
        return true;
    }
    *dst = strdup(s);
    return *dst ? true : oom(err);
}

/* Booleans: jsonx has no getter for them. *out is untouched when absent. */
static bool get_bool(struct json_object *obj, const char *what, const char *key, bool required,
                     bool *out, bool *present, struct sg_err *err)
{
    struct json_object *v = NULL;
    if (present)
        *present = false;
    if (!json_object_object_get_ex(obj, key, &v)) {
        if (required)
            sg_err_set(err, "%s: missing \"%s\"", what, key);
        return !required;
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        sg_err_set(err, "%s: \"%s\" must be true or false", what, key);
        return false;
    }
    *out = json_object_get_boolean(v);
    if (present)
        *present = true;
    return true;
}

static bool ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ascii_alnum(char c)
{
    return ascii_alpha(c) || (c >= '0' && c <= '9');
}

/* A short language tag: 2-3 letters, then up to three subtags of 2-8
 * letters or digits ("de", "en", "de-AT", "zh-Hant-TW"). */
static bool lang_ok(const char *s)
{
    size_t i = 0;
    while (ascii_alpha(s[i]))
        i++;
    if (i < 2 || i > 3)
        return false;
    for (int subtags = 0; s[i]; subtags++) {
        if (s[i] != '-' || subtags == 3)
            return false;
        size_t start = ++i;
        while (ascii_alnum(s[i]))
            i++;
        if (i - start < 2 || i - start > 8)
            return false;
    }
    return true;
}

/* An absolute http(s) URL with a host and no white space or control bytes
 * (a QR code or a link staff click must not hide anything). */
static bool link_ok(const char *s)
{
    size_t skip;
    if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    if (s[skip] == '\0' || strchr("/?#@:", s[skip]))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return false;
    return true;
}

/* IANA-shaped: 1-3 segments separated by '/', each starting with a letter and
 * holding letters, digits, '_', '+', '-' ("Europe/Berlin", "UTC",
 * "America/Argentina/Buenos_Aires", "Etc/GMT+1"). No "..", no leading '/'. */
static bool timezone_ok(const char *s)
{
    if (strlen(s) > REQ_MAX_TZ_LEN)
        return false;
    int segments = 0;
    const char *p = s;
    for (;;) {
        if (!ascii_alpha(*p) || ++segments > 3)
            return false;
        while (ascii_alnum(*p) || *p == '_' || *p == '+' || *p == '-')
            p++;
        if (*p == '\0')
            return true;
        if (*p++ != '/')
            return false;
    }
}

/* Display names (users): no control characters, no white space at either end. */
static bool display_name_ok(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
        return false;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = text_utf8_next(s + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            return false;
        i += n;
    }
    return true;
}

/* Overwrites the string json-c keeps for member key: a password must not
 * linger in freed heap after the tree is put. (The caller owns and wipes the
 * request body itself.) */
static void wipe_member(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string))
        sodium_memzero((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

static void free_wiped(char **s)
{
    if (*s) {
        sodium_memzero(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

/* Appends a string to a json-c container, reporting allocation failure. */
static bool add_str(struct json_object *arr, const char *s)
{
    struct json_object *v = json_object_new_string(s);
    if (!v)
        return false;
    if (json_object_array_add(arr, v) != 0) {
        json_object_put(v);
        return false;
    }
    return true;
}

static bool set_member(struct json_object *obj, const char *key, struct json_object *v)
{
    if (!v)
        return false;
    if (json_object_object_add(obj, key, v) != 0) {
        json_object_put(v);
        return false;
    }
    return true;
}

/* The normalised text of o, malloc'd, or NULL on allocation failure. */
static char *json_text(struct json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, REQ_JSON_FLAGS);
    return s ? strdup(s) : NULL;
}

/* ---- login and passwords ---- */

bool req_password_ok(const char *password, struct sg_err *err)
{
    if (!password) {
        sg_err_set(err, "password: missing");
        return false;
    }
    size_t len = strlen(password);
    if (len > REQ_MAX_PASSWORD_LEN) {
        sg_err_set(err, "password: longer than %d bytes", REQ_MAX_PASSWORD_LEN);
        return false;
    }
    if (!text_utf8_valid(password, len)) {
        sg_err_set(err, "password: not valid UTF-8");
        return false;
    }
    /* Code points, not bytes: "Grüße" is five characters to the person who
     * types it, and NIST 800-63B counts what users see. */
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        uint32_t cp;
        i += text_utf8_next(password + i, len - i, &cp);
    }
    if (chars < REQ_MIN_PASSWORD_CHARS) {
        sg_err_set(err, "password: shorter than %d characters", REQ_MIN_PASSWORD_CHARS);
        return false;
    }
    return true;
}

bool req_parse_login(const char *body, size_t len, struct req_login *out, struct sg_err *err)
{
    static const char *const members[] = {"name", "password"};
    memset(out, 0, sizeof *out);
    struct json_object *root;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    /* No policy check here: the hash decides, and a shorter password set
     * before a policy change must still log in. */
    bool ok = JSONX_ONLY_MEMBERS(root, "login", members, err) &&
              copy_str(root, "login", "name", STORE_MAX_NAME_LEN, true, &out->name, err) &&
              copy_str(root, "login", "password", REQ_MAX_PASSWORD_LEN, true, &out->password, err);
    wipe_member(root, "password");
    json_object_put(root);
    if (!ok)
        req_login_finish(out);
    return ok;
}

void req_login_finish(struct req_login *r)
{
    if (!r)
        return;
    free(r->name);
    free_wiped(&r->password);
    memset(r, 0, sizeof *r);
}

bool req_parse_password(const char *body, size_t len, struct req_password *out, struct sg_err *err)
{
    static const char *const members[] = {"old", "new"};
    memset(out, 0, sizeof *out);
    struct json_object *root;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *new_password = NULL;
    bool ok = JSONX_ONLY_MEMBERS(root, "password change", members, err) &&
              copy_str(root, "password change", "old", REQ_MAX_PASSWORD_LEN, true,
                       &out->old_password, err) &&
              jsonx_get_string(root, "password change", "new", REQ_MAX_PASSWORD_LEN, true,
                               &new_password, err) &&
              req_password_ok(new_password, err);
    if (ok && !(out->new_password = strdup(new_password)))
        ok = oom(err);
    wipe_member(root, "old");
    wipe_member(root, "new");
    json_object_put(root);
    if (!ok)
        req_password_finish(out);
    return ok;
}

void req_password_finish(struct req_password *r)
{
    if (!r)
        return;
    free_wiped(&r->old_password);
    free_wiped(&r->new_password);
}

/* ---- items ---- */

static bool parse_media(struct json_object *arr, struct store_content *c, struct sg_err *err)
{
    static const char *const members[] = {"sha256", "alt"};
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n; i++) {
        struct json_object *m = json_object_array_get_idx(arr, i);
        char what[32];
        snprintf(what, sizeof what, "media %zu", i + 1);
        if (!json_object_is_type(m, json_type_object)) {
            sg_err_set(err, "%s: not an object", what);
            return false;
        }
        const char *sha = NULL;
        if (!JSONX_ONLY_MEMBERS(m, what, members, err) ||
            !jsonx_get_string(m, what, "sha256", 64, true, &sha, err))
            return false;
        if (!feed_sha256_hex_valid(sha)) {
            sg_err_set(err, "%s: \"sha256\" must be 64 lower-case hex digits", what);
            return false;
        }
        memcpy(c->media[i].sha256, sha, 65);
        c->nmedia = i + 1;
        if (!copy_str(m, what, "alt", REQ_MAX_ALT_LEN, false, &c->media[i].alt, err))
            return false;
    }
    return true;
}

/* {"from": X, "until": Y} with both bounds required; parse() checks each. */
static bool parse_bounds(struct json_object *sched, const char *key,
                         bool (*parse)(const char *, int64_t *), const char *shape,
                         struct json_object **norm, int64_t *from, int64_t *until,
                         struct sg_err *err)
{
    static const char *const members[] = {"from", "until"};
    struct json_object *o;
    char what[32];
    snprintf(what, sizeof what, "schedule %s", key);
    *norm = NULL;
    if (!jsonx_get_object(sched, "schedule", key, false, &o, err))
        return false;
    if (!o)
        return true;
    const char *a = NULL, *b = NULL;
    if (!JSONX_ONLY_MEMBERS(o, what, members, err) ||
        !jsonx_get_string(o, what, "from", 16, true, &a, err) ||
        !jsonx_get_string(o, what, "until", 16, true, &b, err))
        return false;
    if (!parse(a, from) || !parse(b, until)) {
        sg_err_set(err, "%s: bounds must look like %s", what, shape);
        return false;
    }
    struct json_object *n = json_object_new_object();
    if (!n || !set_member(n, "from", json_object_new_string(a)) ||
        !set_member(n, "until", json_object_new_string(b))) {
        json_object_put(n);
        return oom(err);
    }
    *norm = n;
    return true;
}

static bool parse_hhmm64(const char *s, int64_t *out)
{
    int m;
    if (!sgtime_parse_hhmm(s, &m))
        return false;
    *out = m;
    return true;
}

/* Validates a schedule and builds its normalised form: members in a fixed
 * order, weekdays sorted. An empty schedule is no schedule (*out NULL). */
static bool parse_schedule(struct json_object *o, char **out, struct sg_err *err)
{
    static const char *const members[] = {"dates", "weekdays", "hours"};
    struct json_object *dates = NULL, *hours = NULL, *days, *norm = NULL;
    int64_t df = 0, du = 0, hf = 0, hu = 0;
    bool ok = JSONX_ONLY_MEMBERS(o, "schedule", members, err) &&
              parse_bounds(o, "dates", sgtime_parse_date, "YYYY-MM-DD", &dates, &df, &du, err) &&
              parse_bounds(o, "hours", parse_hhmm64, "HH:MM", &hours, &hf, &hu, err) &&
              jsonx_get_array(o, "schedule", "weekdays", 7, false, &days, err);
    if (ok && dates && du < df) {
        sg_err_set(err, "schedule dates: \"until\" is before \"from\"");
        ok = false;
    }
    /* 00:00 and 24:00 are the same instant of the day: an empty window. */
    if (ok && hours && hf % 1440 == hu % 1440) {
        sg_err_set(err, "schedule hours: \"from\" and \"until\" are the same time");
        ok = false;
    }
    unsigned mask = 0;
    if (ok && days) {
        size_t n = json_object_array_length(days);
        if (n == 0) {
            sg_err_set(err, "schedule weekdays: empty (the item could never show)");
            ok = false;
        }
        for (size_t i = 0; ok && i < n; i++) {
            struct json_object *d = json_object_array_get_idx(days, i);
            int64_t w = json_object_is_type(d, json_type_int) ? json_object_get_int64(d) : 0;
            if (w < 1 || w > 7) {
                sg_err_set(err, "schedule weekdays: entries must be integers 1 (Monday) to 7");
                ok = false;
            } else if (mask & (1u << w)) {
                sg_err_set(err, "schedule weekdays: %d appears twice", (int)w);
                ok = false;
            } else {
                mask |= 1u << w;
            }
        }
    }
    if (ok && (dates || hours || mask)) {
        norm = json_object_new_object();
        ok = norm != NULL;
        if (ok && dates) {
            ok = set_member(norm, "dates", dates);
            dates = NULL;
        }
        if (ok && mask) {
            struct json_object *wd = json_object_new_array();
            ok = wd != NULL;
            for (int w = 1; ok && w <= 7; w++) {
                if (!(mask & (1u << w)))
                    continue;
                struct json_object *v = json_object_new_int(w);
                if (!v || json_object_array_add(wd, v) != 0) {
                    json_object_put(v);
                    ok = false;
                }
            }
            if (ok)
                ok = set_member(norm, "weekdays", wd); /* puts wd when it fails */
            else
                json_object_put(wd);
        }
        if (ok && hours) {
            ok = set_member(norm, "hours", hours);
            hours = NULL;
        }
        if (ok && !(*out = json_text(norm)))
            ok = false;
        if (!ok)
            oom(err);
    }
    json_object_put(dates);
    json_object_put(hours);
    json_object_put(norm);
    return ok;
}

/* "*", "screen:<id>" or "group:<name>". */
static bool target_ok(const char *t)
{
    if (strcmp(t, "*") == 0)
        return true;
    if (strncmp(t, "screen:", 7) == 0)
        return feed_name_valid(t + 7, STORE_MAX_NAME_LEN);
    if (strncmp(t, "group:", 6) == 0)
        return feed_name_valid(t + 6, STORE_MAX_NAME_LEN);
    return false;
}

/* Validates a targets array (1..STORE_MAX_TARGETS distinct targets) and
 * re-serialises it into *out. */
static bool parse_targets(struct json_object *arr, char **out, struct sg_err *err)
{
    size_t n = json_object_array_length(arr);
    if (n == 0) {
        sg_err_set(err, "targets: empty (name at least one, or \"*\")");
        return false;
    }
    struct json_object *norm = json_object_new_array();
    if (!norm)
        return oom(err);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        struct json_object *v = json_object_array_get_idx(arr, i);
        const char *t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        /* A "\u0000" inside would hide the rest of the target from strcmp. */
        if (!t || strlen(t) != (size_t)json_object_get_string_len(v) || !target_ok(t)) {
            sg_err_set(err,
                       "targets: entry %zu must be \"*\", \"screen:<id>\" or \"group:<name>\" "
                       "(letters, digits, '.', '_', '-', up to %d)",
                       i + 1, STORE_MAX_NAME_LEN);
            ok = false;
            break;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t, json_object_get_string(json_object_array_get_idx(arr, j))) == 0) {
                sg_err_set(err, "targets: \"%s\" appears twice", t);
                ok = false;
                break;
            }
        }
        if (ok && !add_str(norm, t))
            ok = oom(err);
    }
    if (ok && !(*out = json_text(norm)))
        ok = oom(err);
    json_object_put(norm);
    return ok;
}

bool req_parse_item(const char *body, size_t len, struct store_content *out, struct sg_err *err)
{
    static const char *const members[] = {"kind", "title",    "body",  "author",   "source", "link",
                                          "lang", "priority", "media", "schedule", "targets"};
    static const char *const kinds[] = {"post", "tip", "notice"};
    memset(out, 0, sizeof *out);
    struct json_object *root, *media = NULL, *schedule = NULL, *targets = NULL;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *kind = NULL;
    int64_t priority = -1;
    bool ok = JSONX_ONLY_MEMBERS(root, "item", members, err) &&
              jsonx_get_string(root, "item", "kind", 16, true, &kind, err);
    if (ok && !in_list(kind, kinds, sizeof kinds / sizeof kinds[0])) {
        sg_err_set(err, "item: \"kind\" must be post, tip or notice");
        ok = false;
    }
    if (ok)
        snprintf(out->kind, sizeof out->kind, "%s", kind);
    ok = ok && copy_str(root, "item", "title", STORE_MAX_TITLE_LEN, true, &out->title, err) &&
         copy_str(root, "item", "body", STORE_MAX_BODY_LEN, true, &out->body, err) &&
         copy_str(root, "item", "author", REQ_MAX_SHORT_LEN, false, &out->author, err) &&
         copy_str(root, "item", "source", REQ_MAX_SHORT_LEN, false, &out->source, err) &&
         copy_str(root, "item", "link", REQ_MAX_LINK_LEN, false, &out->link, err) &&
         copy_str(root, "item", "lang", REQ_MAX_LANG_LEN, false, &out->lang, err) &&
         jsonx_get_int(root, "item", "priority", 0, 100, false, &priority, err) &&
         jsonx_get_array(root, "item", "media", STORE_MAX_MEDIA, false, &media, err) &&
         jsonx_get_object(root, "item", "schedule", false, &schedule, err) &&
         jsonx_get_array(root, "item", "targets", STORE_MAX_TARGETS, false, &targets, err);
    if (ok && out->link && !link_ok(out->link)) {
        sg_err_set(err, "item: \"link\" must be an http:// or https:// URL without spaces");
        ok = false;
    }
    if (ok && out->lang && !lang_ok(out->lang)) {
        sg_err_set(err, "item: \"lang\" must be a language tag like \"de\" or \"de-AT\"");
        ok = false;
    }
    if (ok)
        out->priority = priority >= 0                      ? (int)priority
                        : strcmp(out->kind, "notice") == 0 ? REQ_NOTICE_PRIORITY
                                                           : 0;
    ok = ok && (!media || parse_media(media, out, err)) &&
         (!schedule || parse_schedule(schedule, &out->schedule_json, err));
    if (ok && targets)
        ok = parse_targets(targets, &out->targets_json, err);
    else if (ok && !(out->targets_json = strdup("[\"*\"]")))
        ok = oom(err);
    json_object_put(root);
    if (!ok)
        store_content_finish(out);
    return ok;
}

/* ---- decisions ---- */

bool req_parse_decision(const char *kind, const char *body, size_t len, struct req_decision *out,
                        struct sg_err *err)
{
    static const char *const approve_members[] = {"rev", "until", "targets", "release_hold"};
    static const char *const reason_members[] = {"rev", "reason"};
    memset(out, 0, sizeof *out);
    bool approve = kind && strcmp(kind, "approve") == 0;
    bool reject = kind && strcmp(kind, "reject") == 0;
    bool revoke = kind && strcmp(kind, "revoke") == 0;
    if (!approve && !reject && !revoke) {
        sg_err_set(err, "decision: unknown kind \"%.16s\"", kind ? kind : "(null)");
        return false;
    }
    struct json_object *root, *targets = NULL;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *what = kind;
    bool ok = approve ? JSONX_ONLY_MEMBERS(root, what, approve_members, err)
                      : JSONX_ONLY_MEMBERS(root, what, reason_members, err);
    ok = ok && jsonx_get_int(root, what, "rev", 1, INT64_MAX - 1, true, &out->rev, err);
    if (ok && approve) {
        const char *until = NULL;
        ok = jsonx_get_string(root, what, "until", SGTIME_RFC3339_LEN, false, &until, err) &&
             jsonx_get_array(root, what, "targets", STORE_MAX_TARGETS, false, &targets, err) &&
             get_bool(root, what, "release_hold", false, &out->release_hold, NULL, err);
        if (ok && until) {
            if (!sgtime_parse_rfc3339(until, &out->until)) {
                sg_err_set(err,
                           "%s: \"until\" must be an RFC 3339 UTC time like "
                           "2026-11-22T08:00:00Z",
                           what);
                ok = false;
            }
            out->has_until = ok;
        }
        if (ok && targets)
            ok = parse_targets(targets, &out->targets_json, err);
    } else if (ok) {
        ok = copy_str(root, what, "reason", STORE_MAX_REASON_LEN, reject, &out->reason, err);
    }
    json_object_put(root);
    if (!ok)
        req_decision_finish(out);
    return ok;
}

void req_decision_finish(struct req_decision *r)
{
    if (!r)
        return;
    free(r->targets_json);
    free(r->reason);
    memset(r, 0, sizeof *r);
}

/* ---- screens ---- */

bool req_parse_screen(const char *body, size_t len, struct req_screen *out, struct sg_err *err)
{
    static const char *const members[] = {"id", "name", "group", "location", "timezone"};
    memset(out, 0, sizeof *out);
    struct json_object *root;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    bool ok = JSONX_ONLY_MEMBERS(root, "screen", members, err) &&
              copy_str(root, "screen", "id", STORE_MAX_NAME_LEN, true, &out->id, err) &&
              copy_str(root, "screen", "name", REQ_MAX_SHORT_LEN, true, &out->name, err) &&
              copy_str(root, "screen", "group", STORE_MAX_NAME_LEN, false, &out->group, err) &&
              copy_str(root, "screen", "location", REQ_MAX_SHORT_LEN, false, &out->location, err) &&
              copy_str(root, "screen", "timezone", REQ_MAX_TZ_LEN, false, &out->timezone, err);
    json_object_put(root);
    if (ok && !feed_name_valid(out->id, STORE_MAX_NAME_LEN)) {
        sg_err_set(err, "screen: \"id\" may only hold letters, digits, '.', '_', '-' and must "
                        "not start with '.'");
        ok = false;
    }
    if (ok && (!display_name_ok(out->name) || (out->location && !display_name_ok(out->location)))) {
        sg_err_set(err, "screen: \"name\" and \"location\" must not hold control characters or "
                        "start or end with a space");
        ok = false;
    }
    if (ok && out->group && !feed_name_valid(out->group, STORE_MAX_NAME_LEN)) {
        sg_err_set(err, "screen: \"group\" may only hold letters, digits, '.', '_', '-' and "
                        "must not start with '.'");
        ok = false;
    }
    if (ok && out->timezone && !timezone_ok(out->timezone)) {
        sg_err_set(err, "screen: \"timezone\" must be a time zone name like \"Europe/Berlin\"");
        ok = false;
    }
    if (ok && !out->timezone && !(out->timezone = strdup(REQ_DEFAULT_TIMEZONE)))
        ok = oom(err);
    if (!ok)
        req_screen_finish(out);
    return ok;
}

void req_screen_finish(struct req_screen *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->name);
    free(r->group);
    free(r->location);
    free(r->timezone);
    memset(r, 0, sizeof *r);
}

/* ---- users ---- */

bool req_parse_user(bool update, const char *body, size_t len, struct req_user *out,
                    struct sg_err *err)
{
    static const char *const add_members[] = {"name", "role", "password"};
    static const char *const update_members[] = {"role", "disabled", "password"};
    memset(out, 0, sizeof *out);
    out->disabled = -1;
    struct json_object *root;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *role = NULL, *password = NULL;
    bool disabled = false, has_disabled = false;
    bool ok = update ? JSONX_ONLY_MEMBERS(root, "user", update_members, err)
                     : JSONX_ONLY_MEMBERS(root, "user", add_members, err);
    ok = ok &&
         (update || copy_str(root, "user", "name", STORE_MAX_NAME_LEN, true, &out->name, err)) &&
         jsonx_get_string(root, "user", "role", 16, !update, &role, err) &&
         (!update || get_bool(root, "user", "disabled", false, &disabled, &has_disabled, err)) &&
         jsonx_get_string(root, "user", "password", REQ_MAX_PASSWORD_LEN, false, &password, err);
    if (ok && out->name && !display_name_ok(out->name)) {
        sg_err_set(err, "user: \"name\" must not hold control characters or start or end with "
                        "a space");
        ok = false;
    }
    if (ok && role) {
        out->has_role = store_role_parse(role, &out->role);
        if (!out->has_role) {
            sg_err_set(err, "user: \"role\" must be editor, approver or admin");
            ok = false;
        }
    }
    if (ok && has_disabled)
        out->disabled = disabled ? 1 : 0;
    if (ok && password) {
        ok = req_password_ok(password, err);
        if (ok && !(out->password = strdup(password)))
            ok = oom(err);
    }
    if (ok && update && !out->has_role && !has_disabled && !out->password) {
        sg_err_set(err, "user: nothing to change (role, disabled or password)");
        ok = false;
    }
    wipe_member(root, "password");
    json_object_put(root);
    if (!ok) {
        req_user_finish(out);
        out->disabled = -1;
    }
    return ok;
}

void req_user_finish(struct req_user *r)
{
    if (!r)
        return;
    free(r->name);
    free_wiped(&r->password);
    memset(r, 0, sizeof *r);
}

/* ---- settings ---- */

bool req_parse_settings(const char *body, size_t len, struct store_settings *settings,
                        struct sg_err *err)
{
    static const char *const members[] = {"four_eyes", "approval_days", "clinic"};
    static const char *const eyes_members[] = {"post", "tip", "notice"};
    struct json_object *root, *eyes = NULL;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    /* Changes go to a copy: a refused body leaves the caller's values alone. */
    struct store_settings s = *settings;
    int64_t days = s.approval_days;
    const char *clinic = NULL;
    bool ok =
        JSONX_ONLY_MEMBERS(root, "settings", members, err) &&
        jsonx_get_object(root, "settings", "four_eyes", false, &eyes, err) &&
        jsonx_get_int(root, "settings", "approval_days", 1, REQ_MAX_APPROVAL_DAYS, false, &days,
                      err) &&
        jsonx_get_string(root, "settings", "clinic", sizeof s.clinic - 1, false, &clinic, err);
    if (ok && eyes)
        ok = JSONX_ONLY_MEMBERS(eyes, "four_eyes", eyes_members, err) &&
             get_bool(eyes, "four_eyes", "post", false, &s.four_eyes_post, NULL, err) &&
             get_bool(eyes, "four_eyes", "tip", false, &s.four_eyes_tip, NULL, err) &&
             get_bool(eyes, "four_eyes", "notice", false, &s.four_eyes_notice, NULL, err);
    if (ok && clinic && !display_name_ok(clinic) && *clinic) {
        sg_err_set(err, "settings: \"clinic\" must not hold control characters or start or end "
                        "with a space");
        ok = false;
    }
    if (ok) {
        s.approval_days = (int)days;
        if (clinic)
            snprintf(s.clinic, sizeof s.clinic, "%s", clinic);
        *settings = s;
    }
    json_object_put(root);
    return ok;
}

bool req_parse_emergency(const char *body, size_t len, bool *stop, struct sg_err *err)
{
    static const char *const members[] = {"stop"};
    struct json_object *root;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    bool value = false;
    bool ok = JSONX_ONLY_MEMBERS(root, "emergency", members, err) &&
              get_bool(root, "emergency", "stop", true, &value, NULL, err);
    if (ok)
        *stop = value;
    json_object_put(root);
    return ok;
}

/* ---- status reports ---- */

/* Reason names as verdict.h spells them: lower-case letters, digits, '-'. */
static bool reason_name_ok(const char *s)
{
    size_t len = strlen(s);
    return len >= 1 && len <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static bool parse_dropped(struct json_object *o, struct json_object *norm, struct sg_err *err)
{
    if (json_object_object_length(o) > REQ_MAX_DROPPED) {
        sg_err_set(err, "status: \"dropped\" has more than %d reasons", REQ_MAX_DROPPED);
        return false;
    }
    struct json_object *d = json_object_new_object();
    if (!d || json_object_object_add(norm, "dropped", d) != 0) {
        json_object_put(d);
        return oom(err);
    }
    json_object_object_foreach(o, key, val)
    {
        (void)val;
        int64_t n;
        if (!reason_name_ok(key)) {
            sg_err_set(err, "status: \"dropped\" reason \"%.40s\" is not a reason name", key);
            return false;
        }
        if (!jsonx_get_int(o, "status dropped", key, 0, INT32_MAX, true, &n, err))
            return false;
        if (!set_member(d, key, json_object_new_int64(n)))
            return oom(err);
    }
    return true;
}

/* Decodes the screenshot: standard base64 (padding optional), all of it,
 * at most REQ_MAX_SCREENSHOT_BYTES, a PNG signature and IHDR first. */
static bool decode_screenshot(const char *b64, size_t b64_len, struct req_status *out,
                              struct sg_err *err)
{
    static const int variants[] = {sodium_base64_VARIANT_ORIGINAL,
                                   sodium_base64_VARIANT_ORIGINAL_NO_PADDING};
    size_t cap = b64_len / 4 * 3 + 3;
    if (cap > REQ_MAX_SCREENSHOT_BYTES)
        cap = REQ_MAX_SCREENSHOT_BYTES;
    unsigned char *png = malloc(cap ? cap : 1);
    if (!png)
        return oom(err);
    size_t n = 0;
    bool decoded = false;
    for (size_t i = 0; !decoded && i < sizeof variants / sizeof variants[0]; i++) {
        const char *end = NULL;
        decoded = sodium_base642bin(png, cap, b64, b64_len, NULL, &n, &end, variants[i]) == 0 &&
                  end == b64 + b64_len;
    }
    if (!decoded) {
        sg_err_set(err, "status: \"screenshot\" is not base64 of at most %u bytes",
                   REQ_MAX_SCREENSHOT_BYTES);
        free(png);
        return false;
    }
    if (n < 16 || memcmp(png, png_signature, sizeof png_signature) != 0 ||
        memcmp(png + 12, "IHDR", 4) != 0) {
        sg_err_set(err, "status: \"screenshot\" is not a PNG image");
        free(png);
        return false;
    }
    out->png = png;
    out->png_len = n;
    return true;
}

bool req_parse_status(const char *body, size_t len, struct req_status *out, struct sg_err *err)
{
    static const char *const members[] = {"version",    "item",    "rev",       "uptime",
                                          "last_error", "dropped", "screenshot"};
    /* The base64 text of the largest screenshot, padded. */
    const size_t b64_max = (REQ_MAX_SCREENSHOT_BYTES + 2) / 3 * 4;
    memset(out, 0, sizeof *out);
    struct json_object *root, *dropped = NULL, *norm = NULL;
    if (!jsonx_parse_object(body, len, REQ_MAX_STATUS_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *last_error = NULL, *shot = NULL;
    bool ok =
        JSONX_ONLY_MEMBERS(root, "status", members, err) &&
        jsonx_get_int(root, "status", "version", 0, INT64_MAX - 1, true, &out->version, err) &&
        copy_str(root, "status", "item", REQ_MAX_ITEM_ID_LEN, true, &out->item, err) &&
        jsonx_get_int(root, "status", "rev", 0, INT64_MAX - 1, true, &out->rev, err) &&
        jsonx_get_int(root, "status", "uptime", 0, INT64_MAX - 1, true, &out->uptime, err) &&
        jsonx_get_string(root, "status", "last_error", REQ_MAX_ERROR_LEN, false, &last_error,
                         err) &&
        jsonx_get_object(root, "status", "dropped", false, &dropped, err) &&
        jsonx_get_string(root, "status", "screenshot", b64_max, false, &shot, err);
    if (ok && !feed_name_valid(out->item, REQ_MAX_ITEM_ID_LEN)) {
        sg_err_set(err, "status: \"item\" must be \"idle\" or an item id");
        ok = false;
    }
    if (ok) {
        norm = json_object_new_object();
        ok = norm && set_member(norm, "version", json_object_new_int64(out->version)) &&
             set_member(norm, "item", json_object_new_string(out->item)) &&
             set_member(norm, "rev", json_object_new_int64(out->rev)) &&
             set_member(norm, "uptime", json_object_new_int64(out->uptime)) &&
             (!last_error || set_member(norm, "last_error", json_object_new_string(last_error)));
        if (!ok)
            oom(err);
    }
    ok = ok && (!dropped || parse_dropped(dropped, norm, err)) &&
         (!shot || decode_screenshot(shot, strlen(shot), out, err));
    if (ok && !(out->status_json = json_text(norm)))
        ok = oom(err);
    json_object_put(norm);
    json_object_put(root);
    if (!ok)
        req_status_finish(out);
    return ok;
}

void req_status_finish(struct req_status *r)
{
    if (!r)
        return;
    free(r->item);
    free(r->status_json);
    free(r->png);
    memset(r, 0, sizeof *r);
}

/* ---- ingest sources and batches ---- */

/* A Mastodon account id (digits) or handle ("praxis" or "praxis@host"), or a
 * Bluesky handle ("praxis.bsky.social") or DID ("did:plc:abc..."): they go
 * into URLs unescaped, so only these characters pass. */
static bool account_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > REQ_MAX_ACCOUNT_LEN || s[0] == '.' || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ascii_alnum(s[i]) && !strchr("._:-@", s[i]))
            return false;
    return strstr(s, "..") == NULL;
}

bool req_parse_source(bool update, const char *body, size_t len, struct store_source *out,
                      struct sg_err *err)
{
    static const char *const members[] = {"name",          "kind",      "url",    "account",
                                          "poll_minutes",  "targets",   "lang",   "auto_approve",
                                          "use_blocklist", "daily_cap", "enabled"};
    memset(out, 0, sizeof *out);
    struct json_object *root, *targets = NULL;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *kind = NULL, *what = "source";
    char *account = NULL;
    int64_t minutes = 15, cap = 0;
    bool enabled = true, blocklist = true, auto_approve = false;
    bool ok = JSONX_ONLY_MEMBERS(root, what, members, err) &&
              copy_str(root, what, "name", STORE_MAX_NAME_LEN, true, &out->name, err) &&
              jsonx_get_string(root, what, "kind", 16, !update, &kind, err) &&
              copy_str(root, what, "url", REQ_MAX_LINK_LEN, false, &out->url, err) &&
              copy_str(root, what, "account", REQ_MAX_ACCOUNT_LEN + 1, false, &account, err) &&
              jsonx_get_int(root, what, "poll_minutes", STORE_MIN_SOURCE_POLL_S / 60,
                            STORE_MAX_SOURCE_POLL_S / 60, false, &minutes, err) &&
              jsonx_get_array(root, what, "targets", STORE_MAX_TARGETS, false, &targets, err) &&
              copy_str(root, what, "lang", REQ_MAX_LANG_LEN, false, &out->lang, err) &&
              get_bool(root, what, "auto_approve", false, &auto_approve, NULL, err) &&
              get_bool(root, what, "use_blocklist", false, &blocklist, NULL, err) &&
              jsonx_get_int(root, what, "daily_cap", 0, 1000, false, &cap, err) &&
              get_bool(root, what, "enabled", false, &enabled, NULL, err);
    if (ok && update && kind) {
        sg_err_set(err, "source: \"kind\" cannot change (add a new source)");
        ok = false;
    }
    if (ok && kind && !store_source_kind_parse(kind, &out->kind)) {
        sg_err_set(err, "source: \"kind\" must be rss, mastodon, bluesky or webhook");
        ok = false;
    }
    if (ok && !display_name_ok(out->name)) {
        sg_err_set(err, "source: \"name\" must not hold control characters or start or end "
                        "with a space");
        ok = false;
    }
    if (ok && out->url && !link_ok(out->url)) {
        sg_err_set(err, "source: \"url\" must be an http:// or https:// URL without spaces");
        ok = false;
    }
    if (ok && account) {
        /* "@praxis@social.example" is how people write a Mastodon handle. */
        const char *a = account[0] == '@' ? account + 1 : account;
        if (!account_ok(a)) {
            sg_err_set(err, "source: \"account\" must be an account id, a handle or a DID");
            ok = false;
        } else if (!(out->account = strdup(a))) {
            ok = oom(err);
        }
    }
    if (ok && out->lang && !lang_ok(out->lang)) {
        sg_err_set(err, "source: \"lang\" must be a language tag like \"de\"");
        ok = false;
    }
    /* A webhook is not polled: its interval is 0 whatever was sent. */
    out->poll_s = out->kind == STORE_SOURCE_WEBHOOK ? 0 : minutes * 60;
    out->daily_cap = cap;
    out->enabled = enabled;
    out->use_blocklist = blocklist;
    out->auto_approve = auto_approve;
    if (ok && targets)
        ok = parse_targets(targets, &out->targets_json, err);
    else if (ok && !(out->targets_json = strdup("[\"*\"]")))
        ok = oom(err);
    json_object_put(root);
    free(account);
    if (!ok)
        store_source_finish(out);
    return ok;
}

bool req_parse_batch(const char *body, size_t len, struct req_batch *out, struct sg_err *err)
{
    static const char *const members[] = {"items", "until"};
    static const char *const entry_members[] = {"id", "rev"};
    memset(out, 0, sizeof *out);
    struct json_object *root, *items = NULL;
    if (!jsonx_parse_object(body, len, REQ_MAX_BODY_BYTES, REQ_MAX_DEPTH, &root, err))
        return false;
    const char *until = NULL;
    bool ok = JSONX_ONLY_MEMBERS(root, "batch", members, err) &&
              jsonx_get_array(root, "batch", "items", REQ_MAX_BATCH, true, &items, err) &&
              jsonx_get_string(root, "batch", "until", SGTIME_RFC3339_LEN, false, &until, err);
    if (ok && until) {
        ok = sgtime_parse_rfc3339(until, &out->until);
        if (!ok)
            sg_err_set(err, "batch: \"until\" must be an RFC 3339 UTC time");
        out->has_until = ok;
    }
    size_t n = ok ? json_object_array_length(items) : 0;
    if (ok && n == 0) {
        sg_err_set(err, "batch: \"items\" is empty");
        ok = false;
    }
    for (size_t i = 0; ok && i < n; i++) {
        struct json_object *e = json_object_array_get_idx(items, i);
        char what[32];
        snprintf(what, sizeof what, "batch item %zu", i + 1);
        const char *id = NULL;
        if (!json_object_is_type(e, json_type_object)) {
            sg_err_set(err, "%s: not an object", what);
            ok = false;
            break;
        }
        ok = JSONX_ONLY_MEMBERS(e, what, entry_members, err) &&
             jsonx_get_string(e, what, "id", REQ_MAX_ITEM_ID_LEN, true, &id, err) &&
             jsonx_get_int(e, what, "rev", 1, INT64_MAX - 1, true, &out->revs[i], err);
        if (ok && !feed_name_valid(id, REQ_MAX_ITEM_ID_LEN)) {
            sg_err_set(err, "%s: \"id\" is not an item id", what);
            ok = false;
        }
        if (ok)
            snprintf(out->ids[i], sizeof out->ids[i], "%s", id);
        out->n = ok ? i + 1 : out->n;
    }
    json_object_put(root);
    if (!ok)
        memset(out, 0, sizeof *out);
    return ok;
}
