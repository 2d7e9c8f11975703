/* The store's names and value helpers that need no database: role and
 * revision-state names, target matching for the publisher, and freeing a
 * store_content. Pure (json-c only), so the request parsers and their fuzz
 * target can link it without SQLite. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* A targets array holds at most STORE_MAX_TARGETS short strings; anything
 * much longer is not one the parsers let through. */
#define STORE_TARGETS_MAX_JSON (STORE_MAX_TARGETS * (STORE_MAX_NAME_LEN + 16) + 64)

static const char *const role_names[] = {
    [STORE_ROLE_EDITOR] = "editor",
    [STORE_ROLE_APPROVER] = "approver",
    [STORE_ROLE_ADMIN] = "admin",
};

const char *store_role_name(enum store_role role)
{
    if (role >= STORE_ROLE_EDITOR && role <= STORE_ROLE_ADMIN)
        return role_names[role];
    return "unknown";
}

bool store_role_parse(const char *name, enum store_role *out)
{
    for (int r = STORE_ROLE_EDITOR; name && r <= STORE_ROLE_ADMIN; r++) {
        if (strcmp(name, role_names[r]) == 0) {
            *out = (enum store_role)r;
            return true;
        }
    }
    return false;
}

static const char *const rev_state_names[] = {
    [STORE_REV_PENDING] = "pending",   [STORE_REV_APPROVED] = "approved",
    [STORE_REV_REJECTED] = "rejected", [STORE_REV_REVOKED] = "revoked",
    [STORE_REV_EXPIRED] = "expired",   [STORE_REV_SUPERSEDED] = "superseded",
};

#define REV_STATE_COUNT (sizeof rev_state_names / sizeof rev_state_names[0])

const char *store_rev_state_name(enum store_rev_state st)
{
    if ((unsigned)st < REV_STATE_COUNT)
        return rev_state_names[st];
    return "unknown";
}

bool store_rev_state_parse(const char *name, enum store_rev_state *out)
{
    for (size_t i = 0; name && i < REV_STATE_COUNT; i++) {
        if (strcmp(name, rev_state_names[i]) == 0) {
            *out = (enum store_rev_state)i;
            return true;
        }
    }
    return false;
}

/* True when target names this screen. "screen:" and "group:" compare the
 * whole rest of the string, so "screen:a" never matches screen "ab". */
static bool target_matches(const char *t, const char *screen_id, const char *group)
{
    if (strcmp(t, "*") == 0)
        return true;
    if (screen_id && *screen_id && strncmp(t, "screen:", 7) == 0)
        return strcmp(t + 7, screen_id) == 0;
    if (group && *group && strncmp(t, "group:", 6) == 0)
        return strcmp(t + 6, group) == 0;
    return false;
}

bool store_targets_match(const char *targets_json, const char *screen_id, const char *group)
{
    if (!targets_json)
        return false;
    size_t len = strlen(targets_json);
    if (len > STORE_TARGETS_MAX_JSON)
        return false;
    /* A stored array the parsers produced is flat; depth 2 refuses anything else. */
    struct json_tokener *tok = json_tokener_new_ex(2);
    if (!tok)
        return false;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *arr = json_tokener_parse_ex(tok, targets_json, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    while (end < len && strchr(" \t\r\n", targets_json[end]))
        end++;
    bool parsed = arr && json_tokener_get_error(tok) == json_tokener_success && end == len;
    json_tokener_free(tok);
    bool match = false;
    if (parsed && json_object_is_type(arr, json_type_array)) {
        size_t n = json_object_array_length(arr);
        /* Every entry is checked for type first: a malformed array matches nothing. */
        for (size_t i = 0; i < n; i++) {
            if (!json_object_is_type(json_object_array_get_idx(arr, i), json_type_string)) {
                json_object_put(arr);
                return false;
            }
        }
        for (size_t i = 0; i < n && !match; i++) {
            struct json_object *s = json_object_array_get_idx(arr, i);
            const char *t = json_object_get_string(s);
            /* An embedded NUL would make "screen:a\u0000x" look like "screen:a". */
            if (strlen(t) == (size_t)json_object_get_string_len(s))
                match = target_matches(t, screen_id, group);
        }
    }
    json_object_put(arr);
    return match;
}

void store_content_finish(struct store_content *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->body);
    free(c->author);
    free(c->source);
    free(c->link);
    free(c->lang);
    for (size_t i = 0; i < STORE_MAX_MEDIA; i++) {
        free(c->media[i].type);
        free(c->media[i].alt);
    }
    free(c->schedule_json);
    free(c->targets_json);
    memset(c, 0, sizeof *c);
}

/* ---- ingest sources: names and the struct's lifecycle (pure, so the
 * request parsers can use them without SQLite) ---- */

static const char *const kind_names[] = {"rss", "mastodon", "bluesky", "webhook"};

const char *store_source_kind_name(enum store_source_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

bool store_source_kind_parse(const char *name, enum store_source_kind *out)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum store_source_kind)i;
            return true;
        }
    }
    return false;
}

void store_source_finish(struct store_source *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->url);
    free(s->account);
    free(s->targets_json);
    free(s->lang);
    free(s->last_error);
    memset(s, 0, sizeof *s);
}

void store_sources_free(struct store_source *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        store_source_finish(&s[i]);
    free(s);
}
