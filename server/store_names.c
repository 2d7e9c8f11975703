/* TEMPORARY: replaced by the reqprev branch. A minimal, correct stand-in for
 * the pure helpers of store.h (names of roles and states, target matching,
 * store_content_finish) so the store and its tests link on their own. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "store.h"

static const char *const role_names[] = {NULL, "editor", "approver", "admin"};
static const char *const state_names[] = {"pending", "approved", "rejected",
                                          "revoked", "expired",  "superseded"};

const char *store_role_name(enum store_role role)
{
    if (role < STORE_ROLE_EDITOR || role > STORE_ROLE_ADMIN)
        return "unknown";
    return role_names[role];
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

const char *store_rev_state_name(enum store_rev_state st)
{
    if ((unsigned)st >= sizeof state_names / sizeof state_names[0])
        return "unknown";
    return state_names[st];
}

bool store_rev_state_parse(const char *name, enum store_rev_state *out)
{
    for (size_t i = 0; name && i < sizeof state_names / sizeof state_names[0]; i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (enum store_rev_state)i;
            return true;
        }
    }
    return false;
}

bool store_targets_match(const char *targets_json, const char *screen_id, const char *group)
{
    if (!targets_json || !screen_id)
        return false;
    struct json_object *arr = json_tokener_parse(targets_json);
    bool match = false;
    if (arr && json_object_is_type(arr, json_type_array)) {
        size_t n = json_object_array_length(arr);
        for (size_t i = 0; i < n && !match; i++) {
            const char *t = json_object_get_string(json_object_array_get_idx(arr, i));
            if (!t)
                continue;
            match = strcmp(t, "*") == 0 ||
                    (strncmp(t, "screen:", 7) == 0 && strcmp(t + 7, screen_id) == 0) ||
                    (group && strncmp(t, "group:", 6) == 0 && strcmp(t + 6, group) == 0);
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
