/* libFuzzer target: the queue's request-body parsers (server/requests.h),
 * which see bytes from anyone who can reach the staff API or hold a screen
 * token. The first input byte picks the parser, the rest is the body.
 *
 * Besides memory errors, a broken contract traps: a refusal without a
 * message or with something left in the output, a success without a
 * required field, or a value outside the limits the parser promises. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "requests.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    SEL_LOGIN,
    SEL_ITEM,
    SEL_APPROVE,
    SEL_REJECT,
    SEL_REVOKE,
    SEL_SCREEN,
    SEL_USER_ADD,
    SEL_USER_UPDATE,
    SEL_PASSWORD,
    SEL_SETTINGS,
    SEL_EMERGENCY,
    SEL_STATUS,
    SEL_PASSWORD_OK,
    SEL_TARGETS_MATCH,
    SEL_COUNT
};
/* Parsers added later take first bytes from 0xf0 on, so the corpus's
 * existing inputs keep reaching the parsers they were made for. */
enum { SEL_LATE = 0xf0, LATE_SOURCE_ADD = 0, LATE_SOURCE_UPDATE, LATE_BATCH, LATE_COUNT };

static void must(bool cond)
{
    if (!cond)
        __builtin_trap();
}

static bool lower_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* What the parser stored must itself be JSON of the right shape. */
static void must_be_json(const char *text, enum json_type type)
{
    struct json_object *o = json_tokener_parse(text);
    must(o && json_object_is_type(o, type));
    json_object_put(o);
}

static void check_item(const char *body, size_t len)
{
    struct store_content c;
    struct sg_err err = {0};
    if (!req_parse_item(body, len, &c, &err)) {
        must(err.set && !c.title && !c.body && !c.targets_json && !c.schedule_json &&
             c.nmedia == 0 && c.kind[0] == '\0');
        return;
    }
    must(c.title && c.body && c.targets_json);
    must(strcmp(c.kind, "post") == 0 || strcmp(c.kind, "tip") == 0 ||
         strcmp(c.kind, "notice") == 0);
    must(*c.title && strlen(c.title) <= STORE_MAX_TITLE_LEN);
    must(*c.body && strlen(c.body) <= STORE_MAX_BODY_LEN);
    must(c.priority >= 0 && c.priority <= 100 && c.nmedia <= STORE_MAX_MEDIA);
    for (size_t i = 0; i < c.nmedia; i++)
        must(lower_hex64(c.media[i].sha256) && !c.media[i].type);
    must(!c.link || strncasecmp(c.link, "http", 4) == 0);
    must_be_json(c.targets_json, json_type_array);
    if (c.schedule_json)
        must_be_json(c.schedule_json, json_type_object);
    /* Every stored target is one the publisher can match against. */
    (void)store_targets_match(c.targets_json, "a", "g");
    store_content_finish(&c);
}

static void check_decision(const char *kind, const char *body, size_t len)
{
    struct req_decision d;
    struct sg_err err = {0};
    if (!req_parse_decision(kind, body, len, &d, &err)) {
        must(err.set && !d.reason && !d.targets_json && !d.has_until);
        return;
    }
    must(d.rev >= 1);
    if (strcmp(kind, "reject") == 0)
        must(d.reason && *d.reason);
    if (strcmp(kind, "approve") != 0)
        must(!d.targets_json && !d.has_until);
    else
        must(!d.reason);
    if (d.targets_json)
        must_be_json(d.targets_json, json_type_array);
    req_decision_finish(&d);
}

static void check_status(const char *body, size_t len)
{
    struct req_status st;
    struct sg_err err = {0};
    if (!req_parse_status(body, len, &st, &err)) {
        must(err.set && !st.item && !st.status_json && !st.png && st.png_len == 0);
        return;
    }
    must(st.item && st.status_json && st.version >= 0 && st.rev >= 0 && st.uptime >= 0);
    must(!st.png == (st.png_len == 0));
    must(st.png_len <= REQ_MAX_SCREENSHOT_BYTES);
    if (st.png)
        must(st.png_len >= 8 && memcmp(st.png, "\x89PNG\r\n\x1a\n", 8) == 0);
    must_be_json(st.status_json, json_type_object);
    /* The screenshot never goes into the stored report. */
    must(!strstr(st.status_json, "\"screenshot\""));
    req_status_finish(&st);
}

static bool same_settings(const struct store_settings *a, const struct store_settings *b)
{
    return a->emergency_stop == b->emergency_stop && a->four_eyes_post == b->four_eyes_post &&
           a->four_eyes_tip == b->four_eyes_tip && a->four_eyes_notice == b->four_eyes_notice &&
           a->approval_days == b->approval_days && a->feed_lifetime_s == b->feed_lifetime_s &&
           strcmp(a->clinic, b->clinic) == 0;
}

static void check_other(int sel, const char *body, size_t len)
{
    struct sg_err err = {0};
    switch (sel) {
    case SEL_LOGIN: {
        struct req_login l;
        if (req_parse_login(body, len, &l, &err))
            must(l.name && l.password);
        else
            must(err.set && !l.name && !l.password);
        req_login_finish(&l);
        break;
    }
    case SEL_SCREEN: {
        struct req_screen s;
        if (req_parse_screen(body, len, &s, &err))
            must(s.id && s.name && s.timezone && strlen(s.id) <= STORE_MAX_NAME_LEN);
        else
            must(err.set && !s.id && !s.name && !s.group && !s.location && !s.timezone);
        req_screen_finish(&s);
        break;
    }
    case SEL_USER_ADD:
    case SEL_USER_UPDATE: {
        struct req_user u;
        bool update = sel == SEL_USER_UPDATE;
        if (req_parse_user(update, body, len, &u, &err)) {
            must(update ? !u.name : (u.name && u.has_role && u.disabled == -1));
            must(u.disabled >= -1 && u.disabled <= 1);
            if (u.password) {
                struct sg_err e2 = {0};
                must(req_password_ok(u.password, &e2));
            }
        } else {
            must(err.set && !u.name && !u.password && !u.has_role && u.disabled == -1);
        }
        req_user_finish(&u);
        break;
    }
    case SEL_PASSWORD: {
        struct req_password p;
        if (req_parse_password(body, len, &p, &err)) {
            struct sg_err e2 = {0};
            must(p.old_password && p.new_password && req_password_ok(p.new_password, &e2));
        } else {
            must(err.set && !p.old_password && !p.new_password);
        }
        req_password_finish(&p);
        break;
    }
    case SEL_SETTINGS: {
        struct store_settings s = {.approval_days = 14, .feed_lifetime_s = 604800, .clinic = "P"};
        struct store_settings before = s;
        if (req_parse_settings(body, len, &s, &err)) {
            must(s.approval_days >= 1 && memchr(s.clinic, '\0', sizeof s.clinic));
            must(s.emergency_stop == before.emergency_stop &&
                 s.feed_lifetime_s == before.feed_lifetime_s);
        } else {
            must(err.set && same_settings(&s, &before));
        }
        break;
    }
    case SEL_EMERGENCY: {
        bool stop = false;
        if (!req_parse_emergency(body, len, &stop, &err))
            must(err.set && !stop);
        break;
    }
    default:
        break;
    }
}

static void check_source(bool update, const char *body, size_t len)
{
    struct store_source s;
    struct sg_err err = {0};
    if (!req_parse_source(update, body, len, &s, &err)) {
        must(err.set && !s.name && !s.url && !s.account && !s.targets_json && !s.lang);
        return;
    }
    must(s.name && *s.name && strlen(s.name) <= STORE_MAX_NAME_LEN && s.targets_json);
    must_be_json(s.targets_json, json_type_array);
    must(!s.url || strncasecmp(s.url, "http", 4) == 0);
    must(!s.account || (*s.account && !strchr(s.account, '/') && !strchr(s.account, '?') &&
                        !strchr(s.account, '&') && !strchr(s.account, '#')));
    must(s.daily_cap >= 0 && s.daily_cap <= 1000);
    must(s.kind == STORE_SOURCE_WEBHOOK
             ? s.poll_s == 0
             : s.poll_s >= STORE_MIN_SOURCE_POLL_S && s.poll_s <= STORE_MAX_SOURCE_POLL_S);
    store_source_finish(&s);
}

static void check_batch(const char *body, size_t len)
{
    struct req_batch *b = malloc(sizeof *b);
    struct sg_err err = {0};
    if (!b)
        return;
    if (!req_parse_batch(body, len, b, &err)) {
        must(err.set && b->n == 0);
    } else {
        must(b->n >= 1 && b->n <= REQ_MAX_BATCH);
        for (size_t i = 0; i < b->n; i++)
            must(b->ids[i][0] && b->revs[i] >= 1);
    }
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] >= SEL_LATE) {
        const char *b = (const char *)data + 1;
        switch ((data[0] - SEL_LATE) % LATE_COUNT) {
        case LATE_SOURCE_ADD:
            check_source(false, b, size - 1);
            break;
        case LATE_SOURCE_UPDATE:
            check_source(true, b, size - 1);
            break;
        default:
            check_batch(b, size - 1);
            break;
        }
        return 0;
    }
    int sel = data[0] % SEL_COUNT;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    switch (sel) {
    case SEL_ITEM:
        check_item(body, len);
        break;
    case SEL_APPROVE:
        check_decision("approve", body, len);
        break;
    case SEL_REJECT:
        check_decision("reject", body, len);
        break;
    case SEL_REVOKE:
        check_decision("revoke", body, len);
        break;
    case SEL_STATUS:
        check_status(body, len);
        break;
    case SEL_PASSWORD_OK:
    case SEL_TARGETS_MATCH: {
        /* These take C strings: give them one. */
        char *s = malloc(len + 1);
        if (!s)
            return 0;
        memcpy(s, body, len);
        s[len] = '\0';
        if (sel == SEL_PASSWORD_OK) {
            struct sg_err err = {0};
            if (!req_password_ok(s, &err))
                must(err.set);
        } else {
            (void)store_targets_match(s, "a", "g");
        }
        free(s);
        break;
    }
    default:
        check_other(sel, body, len);
        break;
    }
    return 0;
}
