/* store: screens (tokens, reports, screenshots), published feeds, media and
 * settings. */
#include "store_fixture.h"
#include "store_internal.h"

static void test_screens(void)
{
    struct store *st = open_fresh("screens");
    if (!st)
        return;
    struct sg_err err = {0};
    unsigned char t1[STORE_TOKEN_BYTES], t2[STORE_TOKEN_BYTES], t3[STORE_TOKEN_BYTES];
    CHECK_INT(store_screen_add(st, &alice, "wait-1", "Wartezimmer 1", "praxis-nord", "EG",
                               "Europe/Berlin", T0, t1, &err),
              STORE_OK);
    CHECK_INT(
        store_screen_add(st, &alice, "wait-2", "Wartezimmer 2", NULL, NULL, NULL, T0 + 1, t2, &err),
        STORE_OK);
    CHECK(sodium_memcmp(t1, t2, sizeof t1) != 0);
    struct sg_err e = {0};
    CHECK_INT(store_screen_add(st, &alice, "wait-1", "again", NULL, NULL, NULL, T0, t3, &e),
              STORE_CONFLICT);
    CHECK(strstr(e.msg, "exists") != NULL);
    static const char *bad_ids[] = {"",
                                    "a b",
                                    "a/b",
                                    "ä",
                                    "../x",
                                    "0123456789012345678901234567890123456789012345678901234567890"
                                    "12345"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++)
        CHECK_MSG(store_screen_add(st, &alice, bad_ids[i], "n", NULL, NULL, NULL, T0, t3, &err) ==
                      STORE_INVALID,
                  "%s", bad_ids[i]);
    CHECK_INT(store_screen_add(st, &alice, "ok", "", NULL, NULL, NULL, T0, t3, &err),
              STORE_INVALID);
    CHECK_INT(store_screen_add(st, &alice, "ok", "n", "bad group", NULL, NULL, T0, t3, &err),
              STORE_INVALID);

    /* Token checks. */
    unsigned char longer[STORE_TOKEN_BYTES + 1];
    memcpy(longer, t1, sizeof t1);
    longer[STORE_TOKEN_BYTES] = 0;
    unsigned char flipped[STORE_TOKEN_BYTES];
    memcpy(flipped, t1, sizeof t1);
    flipped[0] ^= 0x80;
    static const struct {
        const char *screen;
        int token; /* 1: t1, 2: t2, 3: flipped, 4: longer, 5: short, 6: empty */
        enum store_status want;
    } checks[] = {
        {"wait-1", 1, STORE_OK},        {"wait-2", 2, STORE_OK},
        {"wait-1", 2, STORE_FORBIDDEN}, /* another screen's token */
        {"wait-2", 1, STORE_FORBIDDEN}, {"wait-1", 3, STORE_FORBIDDEN},
        {"wait-1", 4, STORE_FORBIDDEN}, {"wait-1", 5, STORE_FORBIDDEN},
        {"wait-1", 6, STORE_FORBIDDEN}, {"wait-9", 1, STORE_NOT_FOUND},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const unsigned char *tok = checks[i].token == 2   ? t2
                                   : checks[i].token == 3 ? flipped
                                   : checks[i].token == 4 ? longer
                                                          : t1;
        size_t len = checks[i].token == 4   ? sizeof longer
                     : checks[i].token == 5 ? STORE_TOKEN_BYTES - 1
                     : checks[i].token == 6 ? 0
                                            : STORE_TOKEN_BYTES;
        CHECK_MSG(store_screen_check_token(st, checks[i].screen, tok, len, &err) == checks[i].want,
                  "check %zu", i);
    }
    /* A new token replaces the old one. */
    CHECK_INT(store_screen_new_token(st, &alice, "wait-1", T0 + 2, t3, &err), STORE_OK);
    CHECK_INT(store_screen_check_token(st, "wait-1", t1, sizeof t1, &err), STORE_FORBIDDEN);
    CHECK_INT(store_screen_check_token(st, "wait-1", t3, sizeof t3, &err), STORE_OK);
    CHECK_INT(store_screen_new_token(st, &alice, "wait-9", T0 + 2, t3, &err), STORE_NOT_FOUND);

    /* Reports and screenshots. */
    bool req = true;
    struct store_screen s;
    CHECK_INT(store_screen_get(st, "wait-1", &s, &err), STORE_OK);
    CHECK_STR(s.name, "Wartezimmer 1");
    CHECK_STR(s.group, "praxis-nord");
    CHECK_STR(s.location, "EG");
    CHECK_STR(s.timezone, "Europe/Berlin");
    CHECK_INT(s.created_at, T0);
    CHECK_INT(s.last_seen, 0);
    CHECK(s.status_json == NULL && !s.has_screenshot && !s.screenshot_requested);
    CHECK(s.feed_version == 0 && s.feed_content_sha256 == NULL);
    store_screen_finish(&s);
    CHECK_INT(store_screen_report(st, "wait-1", "{\"version\":1}", NULL, 0, T0 + 10, &req, &err),
              STORE_OK);
    CHECK(!req);
    CHECK_INT(store_screen_request_screenshot(st, &bob, "wait-1", T0 + 11, &err), STORE_OK);
    CHECK_INT(store_screen_request_screenshot(st, &bob, "nope", T0 + 11, &err), STORE_NOT_FOUND);
    CHECK_INT(store_screen_report(st, "wait-1", "{\"version\":2}", NULL, 0, T0 + 12, &req, &err),
              STORE_OK);
    CHECK(req);
    CHECK_INT(store_screen_report(st, "wait-1", NULL, NULL, 0, T0 + 13, &req, &err), STORE_OK);
    CHECK(req);
    void *png = NULL;
    size_t len = 0;
    CHECK_INT(store_screen_screenshot(st, "wait-1", &png, &len, &err), STORE_NOT_FOUND);
    static const unsigned char shot[] = "\x89PNG\r\n\x1a\n\0\0\0 image bytes";
    CHECK_INT(store_screen_report(st, "wait-1", "{\"version\":3}", shot, sizeof shot, T0 + 14, &req,
                                  &err),
              STORE_OK);
    CHECK(!req); /* a screenshot answers the request */
    CHECK_INT(store_screen_screenshot(st, "wait-1", &png, &len, &err), STORE_OK);
    CHECK(len == sizeof shot && png && memcmp(png, shot, len) == 0);
    free(png);
    CHECK_INT(store_screen_report(st, "wait-1", NULL, NULL, 0, T0 + 15, &req, &err), STORE_OK);
    CHECK(!req);
    CHECK_INT(store_screen_report(st, "nope", "{}", NULL, 0, T0, &req, &err), STORE_NOT_FOUND);
    CHECK_INT(store_screen_get(st, "wait-1", &s, &err), STORE_OK);
    CHECK_STR(s.status_json, "{\"version\":3}"); /* a report without status keeps it */
    CHECK_INT(s.last_seen, T0 + 15);
    CHECK(s.has_screenshot && !s.screenshot_requested);
    store_screen_finish(&s);
    CHECK_INT(store_screen_get(st, "nope", &s, &err), STORE_NOT_FOUND);

    struct store_screen *list = NULL;
    size_t n = 0;
    CHECK_INT(store_screen_list(st, &list, &n, &err), STORE_OK);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(list[0].id, "wait-1");
        CHECK_STR(list[1].id, "wait-2");
        CHECK(list[1].group == NULL && !list[1].has_screenshot);
    }
    store_screens_free(list, n);

    /* The admin actions are audited (the screen's reports are not). */
    struct store_audit_row *rows = NULL;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    static const char *const actions[] = {"screen.add", "screen.add", "screen.token",
                                          "screen.screenshot-request"};
    CHECK_INT(n, 4);
    for (size_t i = 0; i < n && i < 4; i++) {
        CHECK_STR(rows[n - 1 - i].action, actions[i]);
        CHECK(rows[n - 1 - i].new_value == NULL || !strstr(rows[n - 1 - i].new_value, "PNG"));
    }
    store_audit_rows_free(rows, n);
    store_close(st);
}

static void test_feeds(void)
{
    struct store *st = open_fresh("feeds");
    if (!st)
        return;
    struct sg_err err = {0};
    unsigned char tok[STORE_TOKEN_BYTES];
    CHECK_INT(store_screen_add(st, &alice, "wait-1", "W", "g", NULL, NULL, T0, tok, &err),
              STORE_OK);
    int64_t v = -1, issued = -1, expires = -1;
    char *hash = NULL, *env = NULL;
    size_t len = 9;
    CHECK_INT(store_feed_load(st, "wait-1", &v, &issued, &expires, &hash, &env, &len, &err),
              STORE_NOT_FOUND);
    CHECK(env == NULL && hash == NULL && len == 0 && v == 0);
    static const struct {
        const char *screen;
        int64_t version;
        const char *envelope;
        enum store_status want;
    } saves[] = {
        {"wait-1", 1, "{\"payload\":\"v1\"}", STORE_OK},
        {"wait-1", 1, "{\"payload\":\"other bytes, same version\"}", STORE_CONFLICT},
        {"wait-1", 5, "{\"payload\":\"v5\"}", STORE_OK},
        {"wait-1", 4, "{\"payload\":\"rollback\"}", STORE_CONFLICT},
        {"wait-1", 0, "{}", STORE_INVALID},
        {"wait-1", 6, "", STORE_INVALID},
        {"wait-9", 7, "{}", STORE_NOT_FOUND},
        {"wait-1", 6, "{\"payload\":\"v6\"}", STORE_OK},
    };
    for (size_t i = 0; i < sizeof saves / sizeof saves[0]; i++) {
        enum store_status rc = store_feed_save(st, saves[i].screen, saves[i].version,
                                               T0 + (int64_t)i, T0 + (int64_t)i + 604800, "c0ffee",
                                               saves[i].envelope, strlen(saves[i].envelope), &err);
        CHECK_MSG(rc == saves[i].want, "save %zu: %d", i, (int)rc);
    }
    CHECK_INT(store_feed_load(st, "wait-1", &v, &issued, &expires, &hash, &env, &len, &err),
              STORE_OK);
    CHECK_INT(v, 6);
    CHECK_INT(issued, T0 + 7);
    CHECK_INT(expires, T0 + 7 + 604800);
    CHECK_STR(hash, "c0ffee");
    CHECK_STR(env, "{\"payload\":\"v6\"}");
    CHECK_INT(len, strlen("{\"payload\":\"v6\"}"));
    free(hash);
    free(env);
    struct store_screen s;
    CHECK_INT(store_screen_get(st, "wait-1", &s, &err), STORE_OK);
    CHECK_INT(s.feed_version, 6);
    CHECK_INT(s.feed_issued, T0 + 7);
    CHECK_STR(s.feed_content_sha256, "c0ffee");
    store_screen_finish(&s);
    CHECK_INT(store_feed_load(st, "wait-9", &v, &issued, &expires, &hash, &env, &len, &err),
              STORE_NOT_FOUND);
    store_close(st);
}

static void test_media(void)
{
    struct store *st = open_fresh("media");
    if (!st)
        return;
    struct sg_err err = {0};
    size_t big = STORE_MAX_MEDIA_BYTES + 1;
    unsigned char *bytes = malloc(big);
    if (!bytes) {
        CHECK(bytes != NULL);
        store_close(st);
        return;
    }
    for (size_t i = 0; i < big; i++)
        bytes[i] = (unsigned char)(i * 7);
    char sha[65], sha_max[65], sha_big[65];
    store_sha256_hex(bytes, 1000, sha);
    store_sha256_hex(bytes, STORE_MAX_MEDIA_BYTES, sha_max);
    store_sha256_hex(bytes, big, sha_big);
    char upper[65];
    memcpy(upper, sha, 65);
    for (size_t i = 0; i < 64; i++)
        upper[i] = (char)(upper[i] >= 'a' ? upper[i] - 32 : upper[i]);
    static const struct {
        int which; /* 0: 1000 bytes, 1: max, 2: max + 1 */
        int hash;  /* 0: right, 1: another's, 2: upper case */
        const char *type;
        int w, h;
        enum store_status want;
    } puts_[] = {
        {0, 0, "image/png", 10, 20, STORE_OK},
        {0, 0, "image/png", 10, 20, STORE_OK}, /* idempotent */
        {0, 1, "image/png", 10, 20, STORE_INVALID},
        {0, 2, "image/png", 10, 20, STORE_INVALID},
        {0, 0, "", 10, 20, STORE_INVALID},
        {0, 0, "image/png", 0, 20, STORE_INVALID},
        {1, 0, "image/webp", 1, 1, STORE_OK},
        {2, 0, "image/webp", 1, 1, STORE_INVALID},
    };
    for (size_t i = 0; i < sizeof puts_ / sizeof puts_[0]; i++) {
        size_t len = puts_[i].which == 0 ? 1000 : puts_[i].which == 1 ? STORE_MAX_MEDIA_BYTES : big;
        const char *h = puts_[i].which == 0 ? sha : puts_[i].which == 1 ? sha_max : sha_big;
        if (puts_[i].hash == 1)
            h = sha_max;
        else if (puts_[i].hash == 2)
            h = upper;
        CHECK_MSG(store_media_put(st, &alice, h, puts_[i].type, puts_[i].w, puts_[i].h, bytes, len,
                                  T0, &err) == puts_[i].want,
                  "put %zu", i);
    }
    void *got = NULL;
    size_t len = 0;
    char *type = NULL;
    CHECK_INT(store_media_get(st, sha, &got, &len, &type, &err), STORE_OK);
    CHECK(len == 1000 && got && memcmp(got, bytes, 1000) == 0);
    CHECK_STR(type, "image/png");
    free(got);
    free(type);
    CHECK_INT(store_media_get(st, sha_max, &got, &len, &type, &err), STORE_OK);
    CHECK(len == STORE_MAX_MEDIA_BYTES && got && memcmp(got, bytes, len) == 0);
    free(got);
    free(type);
    CHECK_INT(store_media_get(st, sha_big, &got, &len, &type, &err), STORE_NOT_FOUND);
    CHECK(got == NULL && type == NULL && len == 0);
    CHECK_INT(store_media_get(st, "../../etc/passwd", &got, &len, &type, &err), STORE_NOT_FOUND);
    free(bytes);
    /* One audit row per new file, none for a repeated upload. */
    struct store_audit_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(rows[i].action, "media.upload");
    store_audit_rows_free(rows, n);
    store_close(st);
}

static void test_settings(void)
{
    struct store *st = open_fresh("settings");
    if (!st)
        return;
    struct sg_err err = {0};
    struct store_settings s;
    CHECK_INT(store_settings_get(st, &s, &err), STORE_OK);
    CHECK(!s.emergency_stop && !s.four_eyes_post && !s.four_eyes_tip && !s.four_eyes_notice);
    CHECK_INT(s.approval_days, 30);
    CHECK_INT(s.feed_lifetime_s, 7 * 24 * 3600);
    CHECK_STR(s.clinic, "");

    struct store_settings w = s;
    w.emergency_stop = true;
    w.four_eyes_tip = true;
    w.approval_days = 14;
    w.feed_lifetime_s = 3600;
    snprintf(w.clinic, sizeof w.clinic, "Praxis Dr. Müller");
    CHECK_INT(store_settings_set(st, &bob, &w, T0, &err), STORE_OK);
    CHECK_INT(store_settings_get(st, &s, &err), STORE_OK);
    CHECK(s.emergency_stop && !s.four_eyes_post && s.four_eyes_tip && !s.four_eyes_notice);
    CHECK_INT(s.approval_days, 14);
    CHECK_INT(s.feed_lifetime_s, 3600);
    CHECK_STR(s.clinic, "Praxis Dr. Müller");
    /* Setting the same values again audits nothing. */
    CHECK_INT(store_settings_set(st, &bob, &w, T0 + 1, &err), STORE_OK);
    w.emergency_stop = false;
    CHECK_INT(store_settings_set(st, &bob, &w, T0 + 2, &err), STORE_OK);

    static const struct {
        int days;
        int64_t lifetime;
    } bad[] = {{0, 3600}, {3651, 3600}, {30, 59}, {30, 400LL * 86400}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct store_settings b = w;
        b.approval_days = bad[i].days;
        b.feed_lifetime_s = bad[i].lifetime;
        CHECK_MSG(store_settings_set(st, &bob, &b, T0, &err) == STORE_INVALID, "bad %zu", i);
    }
    struct store_settings b = w;
    memset(b.clinic, 'x', sizeof b.clinic); /* no terminator */
    CHECK_INT(store_settings_set(st, &bob, &b, T0, &err), STORE_INVALID);

    struct store_audit_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    static const struct {
        const char *action, *object, *old_value, *new_value;
    } want[] = {
        {"settings.emergency-stop", "emergency_stop", "off", "on"},
        {"settings.set", "four_eyes.tip", "off", "on"},
        {"settings.set", "approval_days", "30", "14"},
        {"settings.set", "feed_lifetime_s", "604800", "3600"},
        {"settings.set", "clinic", "", "Praxis Dr. Müller"},
        {"settings.emergency-stop", "emergency_stop", "on", "off"},
    };
    size_t nw = sizeof want / sizeof want[0];
    CHECK_INT(n, nw);
    for (size_t i = 0; i < n && i < nw; i++) {
        const struct store_audit_row *r = &rows[n - 1 - i];
        CHECK_STR(r->action, want[i].action);
        CHECK_STR(r->object, want[i].object);
        CHECK_STR(r->old_value, want[i].old_value);
        CHECK_STR(r->new_value, want[i].new_value);
        CHECK_STR(r->actor, "bob");
        CHECK_STR(r->ip, "192.0.2.2");
    }
    store_audit_rows_free(rows, n);
    store_close(st);
}

int main(void)
{
    test_screens();
    test_feeds();
    test_media();
    test_settings();
    return check_done("test_store_screens");
}
