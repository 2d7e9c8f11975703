/* store: ingest sources (settings, tokens, polls) and the posts they bring
 * (new, same, edited, capped, auto-approved, held, deleted at the source). */
#include "store_fixture.h"
#include "store_internal.h"

static struct store_source rss_source(const char *name)
{
    struct store_source s;
    memset(&s, 0, sizeof s);
    s.name = (char *)name;
    s.kind = STORE_SOURCE_RSS;
    s.url = (char *)"https://praxis.example/feed.xml";
    s.poll_s = 300;
    s.targets_json = (char *)"[\"*\"]";
    s.lang = (char *)"de";
    s.use_blocklist = true;
    s.enabled = true;
    return s;
}

static void test_sources(void)
{
    struct store *st = open_fresh("ingest-sources");
    if (!st)
        return;
    struct sg_err err = {0};
    struct store_source a = rss_source("Praxis-Blog");
    int64_t id = 0, id2 = 0, hook = 0;
    CHECK_INT(store_source_add(st, &alice, &a, T0, &id, NULL, &err), STORE_OK);
    CHECK(id > 0);
    struct sg_err e = {0};
    CHECK_INT(store_source_add(st, &alice, &a, T0, &id2, NULL, &e), STORE_CONFLICT);

    /* Settings a kind needs. */
    struct store_source bad = rss_source("x");
    bad.url = NULL;
    CHECK_INT(store_source_add(st, &alice, &bad, T0, &id2, NULL, &err), STORE_INVALID);
    bad = rss_source("x");
    bad.poll_s = 10;
    CHECK_INT(store_source_add(st, &alice, &bad, T0, &id2, NULL, &err), STORE_INVALID);
    bad = rss_source("x");
    bad.kind = STORE_SOURCE_MASTODON; /* no account */
    CHECK_INT(store_source_add(st, &alice, &bad, T0, &id2, NULL, &err), STORE_INVALID);
    bad.account = (char *)"109";
    CHECK_INT(store_source_add(st, &alice, &bad, T0, &id2, NULL, &err), STORE_OK);

    /* A webhook: token once, checked by digest, a new one replaces it. */
    struct store_source w = rss_source("Automation");
    w.kind = STORE_SOURCE_WEBHOOK;
    w.url = NULL;
    w.poll_s = 0;
    unsigned char tok[STORE_TOKEN_BYTES], tok2[STORE_TOKEN_BYTES];
    CHECK_INT(store_source_add(st, &alice, &w, T0, &hook, tok, &err), STORE_OK);
    CHECK_INT(store_source_check_token(st, hook, tok, sizeof tok, &err), STORE_OK);
    unsigned char wrong[STORE_TOKEN_BYTES];
    memcpy(wrong, tok, sizeof wrong);
    wrong[5] ^= 1;
    CHECK_INT(store_source_check_token(st, hook, wrong, sizeof wrong, &err), STORE_FORBIDDEN);
    CHECK_INT(store_source_check_token(st, hook, tok, sizeof tok - 1, &err), STORE_FORBIDDEN);
    CHECK_INT(store_source_check_token(st, id, tok, sizeof tok, &err), STORE_FORBIDDEN);
    CHECK_INT(store_source_check_token(st, 999, tok, sizeof tok, &err), STORE_FORBIDDEN);
    CHECK_INT(store_source_new_token(st, &alice, hook, T0, tok2, &err), STORE_OK);
    CHECK_INT(store_source_check_token(st, hook, tok, sizeof tok, &err), STORE_FORBIDDEN);
    CHECK_INT(store_source_check_token(st, hook, tok2, sizeof tok2, &err), STORE_OK);
    CHECK_INT(store_source_new_token(st, &alice, id, T0, tok2, &err), STORE_CONFLICT);

    /* Due sources, polls, updates. */
    struct store_source *list = NULL;
    size_t n = 0;
    CHECK_INT(store_source_due(st, T0, &list, &n, &err), STORE_OK);
    CHECK_INT(n, 2); /* the RSS feed and the Mastodon account; never the webhook */
    store_sources_free(list, n);
    CHECK_INT(store_source_polled(st, id, T0, NULL, T0 + 300, &err), STORE_OK);
    CHECK_INT(store_source_polled(st, id2, T0, "HTTP 503", T0 + 60, &err), STORE_OK);
    CHECK_INT(store_source_due(st, T0 + 100, &list, &n, &err), STORE_OK);
    CHECK_INT(n, 1);
    CHECK(n == 1 && list[0].id == id2 && list[0].last_error &&
          strcmp(list[0].last_error, "HTTP 503") == 0);
    store_sources_free(list, n);
    struct store_source got;
    CHECK_INT(store_source_get(st, id, T0, &got, &err), STORE_OK);
    CHECK(got.last_ok_at == T0 && !got.last_error && got.use_blocklist && !got.auto_approve);
    store_source_finish(&got);

    struct store_source upd = rss_source("Praxis-Blog (neu)");
    upd.kind = STORE_SOURCE_WEBHOOK; /* ignored: the kind is fixed */
    upd.auto_approve = true;
    upd.daily_cap = 3;
    CHECK_INT(store_source_update(st, &alice, id, &upd, T0 + 1, &err), STORE_OK);
    CHECK_INT(store_source_get(st, id, T0, &got, &err), STORE_OK);
    CHECK(got.kind == STORE_SOURCE_RSS && got.auto_approve && got.daily_cap == 3 &&
          got.next_poll_at == 0 && strcmp(got.name, "Praxis-Blog (neu)") == 0);
    store_source_finish(&got);
    upd.name = (char *)"Automation"; /* taken */
    CHECK_INT(store_source_update(st, &alice, id, &upd, T0 + 1, &e), STORE_CONFLICT);
    CHECK_INT(store_source_update(st, &alice, 999, &upd, T0 + 1, &e), STORE_NOT_FOUND);
    CHECK_INT(store_source_list(st, T0, &list, &n, &err), STORE_OK);
    CHECK_INT(n, 3);
    store_sources_free(list, n);
    store_close(st);
}

static struct store_ingest_post post(const char *ext, const char *version,
                                     const struct store_content *c)
{
    struct store_ingest_post p;
    memset(&p, 0, sizeof p);
    p.ext_id = ext;
    p.version = version;
    p.published = T0 - 60;
    p.content = c;
    return p;
}

static int64_t count_state(struct store *st, const char *id, enum store_rev_state want)
{
    struct store_revision *revs = NULL;
    size_t n = 0;
    struct sg_err err = {0};
    int64_t k = 0;
    if (store_item_revisions(st, id, &revs, &n, &err) == STORE_OK)
        for (size_t i = 0; i < n; i++)
            k += revs[i].state == want;
    store_revisions_free(revs, n);
    return k;
}

static void test_posts(void)
{
    struct store *st = open_fresh("ingest-posts");
    if (!st)
        return;
    struct sg_err err = {0};
    struct store_source src = rss_source("Blog");
    src.daily_cap = 2;
    int64_t sid = 0;
    CHECK_INT(store_source_add(st, &alice, &src, T0, &sid, NULL, &err), STORE_OK);
    struct store_content c1 = make_content("post", "Neue Sprechzeiten");
    struct store_ingest_post p = post("guid-1", "v1", &c1);
    enum store_ingest_result res;
    char id[STORE_ITEM_ID_SIZE], id2[STORE_ITEM_ID_SIZE];
    CHECK_INT(store_ingest_post(st, sid, &p, T0, &res, id, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_NEW);
    CHECK(strncmp(id, "it-", 3) == 0);
    struct store_item it;
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    CHECK(it.latest.state == STORE_REV_PENDING && strcmp(it.created_by, "source:Blog") == 0);
    store_item_finish(&it);

    /* Seen again: nothing new. */
    CHECK_INT(store_ingest_post(st, sid, &p, T0 + 10, &res, id2, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_SAME);
    CHECK_STR(id2, id);

    /* Approved by staff, then edited at the source: a new pending revision;
     * the approved one stays approved for its own words. */
    CHECK_INT(store_approve(st, &bob, id, 1, T0 + 86400, NULL, true, T0 + 20, &err), STORE_OK);
    struct store_content c1b = make_content("post", "Neue Sprechzeiten (korrigiert)");
    p = post("guid-1", "v2", &c1b);
    CHECK_INT(store_ingest_post(st, sid, &p, T0 + 30, &res, id2, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_EDITED);
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    CHECK(it.latest.rev == 2 && it.latest.state == STORE_REV_PENDING && it.has_shown &&
          it.shown.rev == 1 && strcmp(it.shown.content.title, "Neue Sprechzeiten") == 0);
    store_item_finish(&it);

    /* Daily cap: 2 new posts per 24 h; the third waits (not stored). */
    struct store_content c2 = make_content("post", "Zweiter Beitrag");
    struct store_content c3 = make_content("post", "Dritter Beitrag");
    p = post("guid-2", "v1", &c2);
    CHECK_INT(store_ingest_post(st, sid, &p, T0 + 40, &res, id2, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_NEW);
    p = post("guid-3", "v1", &c3);
    CHECK_INT(store_ingest_post(st, sid, &p, T0 + 50, &res, id2, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_CAPPED);
    CHECK_STR(id2, "");
    CHECK_INT(store_ingest_post(st, sid, &p, T0 + 86400 + 1, &res, id2, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_NEW); /* a day later there is room again */

    /* Two days later (guid-2 and guid-3 are out of the cap window). */
    const int64_t day3 = T0 + 2 * 86400 + 100;
    /* Held: approval refused until the hold is released (audited). */
    struct store_content c4 = make_content("post", "Mit gesperrtem Wort");
    p = post("guid-4", "v1", &c4);
    p.held = "blocked word: beispiel";
    p.notes = "content warning: Politik";
    CHECK_INT(store_ingest_post(st, sid, &p, day3 + 2, &res, id2, &err), STORE_OK);
    CHECK_INT(store_item_get(st, id2, &it, &err), STORE_OK);
    CHECK(it.latest.held && strcmp(it.latest.held, "blocked word: beispiel") == 0 &&
          it.latest.notes && strcmp(it.latest.notes, "content warning: Politik") == 0);
    store_item_finish(&it);
    struct sg_err e = {0};
    CHECK_INT(store_approve(st, &bob, id2, 1, day3 + 86400, NULL, true, day3 + 3, &e),
              STORE_CONFLICT);
    CHECK(strstr(e.msg, "held: blocked word") != NULL);
    CHECK_INT(store_release_hold(st, &bob, id2, 1, day3 + 4, &err), STORE_OK);
    CHECK_INT(store_release_hold(st, &bob, id2, 1, day3 + 4, &e), STORE_CONFLICT);
    CHECK_INT(store_approve(st, &bob, id2, 1, day3 + 86400, NULL, true, day3 + 5, &err), STORE_OK);
    /* An auto-approval with a hold is a contract violation. */
    p.auto_approve = true;
    p.approve_until = day3 + 3 * 86400;
    CHECK_INT(store_ingest_post(st, sid, &p, day3 + 6, &res, id2, &e), STORE_INVALID);

    /* Deleted at the source: guid-1 (pending rev 2 and approved rev 1) and
     * guid-2 are known and published in the window; only guid-3 and guid-4
     * are still there. */
    const char *present[] = {"guid-3", "guid-4"};
    size_t gone = 0;
    CHECK_INT(store_ingest_gone(st, sid, present, 2, T0 - 3600, day3 + 7, &gone, &err), STORE_OK);
    CHECK_INT(gone, 2);
    CHECK_INT(count_state(st, id, STORE_REV_REVOKED), 1);
    CHECK_INT(count_state(st, id, STORE_REV_REJECTED), 1);
    CHECK_INT(store_ingest_gone(st, sid, present, 2, T0 - 3600, day3 + 8, &gone, &err), STORE_OK);
    CHECK_INT(gone, 0); /* once */
    store_content_finish(&c1);
    store_content_finish(&c1b);
    store_content_finish(&c2);
    store_content_finish(&c3);
    store_content_finish(&c4);
    store_close(st);
}

static void test_auto_approve(void)
{
    struct store *st = open_fresh("ingest-auto");
    if (!st)
        return;
    struct sg_err err = {0};
    struct store_source src = rss_source("Eigener Kanal");
    src.auto_approve = true;
    int64_t sid = 0;
    CHECK_INT(store_source_add(st, &alice, &src, T0, &sid, NULL, &err), STORE_OK);
    struct store_content c = make_content("post", "Grippeimpfung ab Montag");
    struct store_ingest_post p = post("toot-1", "2026-11-18T10:00:00Z", &c);
    p.auto_approve = true;
    p.approve_until = T0 + 7 * 86400;
    enum store_ingest_result res;
    char id[STORE_ITEM_ID_SIZE];
    CHECK_INT(store_ingest_post(st, sid, &p, T0, &res, id, &err), STORE_OK);
    CHECK_INT(res, STORE_INGEST_APPROVED);
    struct store_item it;
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    CHECK(it.has_shown && it.shown.decided_by &&
          strcmp(it.shown.decided_by, "rule:Eigener Kanal") == 0);
    store_item_finish(&it);
    /* The audit log says the rule approved it. */
    sqlite3 *db = raw_open(SIGNET_TEST_TMP "/ingest-auto");
    CHECK_INT(raw_int(db, "SELECT count(*) FROM audit WHERE action = 'item.approve'"
                          " AND actor = 'rule:Eigener Kanal'"),
              1);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM audit WHERE action = 'item.create'"
                          " AND actor = 'source:Eigener Kanal'"),
              1);
    sqlite3_close(db);
    store_content_finish(&c);
    store_close(st);
}

/* A queue created before ingest existed (schema 1) gains it on open, and
 * keeps its items. */
static void test_migration(void)
{
    struct store *st = open_fresh("ingest-migrate");
    if (!st)
        return;
    struct sg_err err = {0};
    struct store_content c = make_content("tip", "Vor dem Update");
    char *id = NULL;
    CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);
    store_close(st);
    sqlite3 *db = raw_open(SIGNET_TEST_TMP "/ingest-migrate");
    CHECK_INT(raw_exec(db, "DROP TABLE ingest_media; DROP TABLE ingested; DROP TABLE sources;"
                           " ALTER TABLE revisions DROP COLUMN held;"
                           " ALTER TABLE revisions DROP COLUMN notes; PRAGMA user_version = 1"),
              SQLITE_OK);
    sqlite3_close(db);
    st = store_open(SIGNET_TEST_TMP "/ingest-migrate", &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (st) {
        struct store_source src = rss_source("Nach dem Update");
        int64_t sid = 0;
        CHECK_INT(store_source_add(st, &alice, &src, T0, &sid, NULL, &err), STORE_OK);
        struct store_item it;
        CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
        CHECK(it.latest.notes == NULL && it.latest.held == NULL);
        store_item_finish(&it);
        store_close(st);
    }
    free(id);
    store_content_finish(&c);
}

int main(void)
{
    test_migration();
    test_sources();
    test_posts();
    test_auto_approve();
    return check_done("test_store_ingest");
}
