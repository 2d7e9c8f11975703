/* store: items, revisions and the decision state machine, four-eyes, lists,
 * the approval's content hash, immutability, SQL metacharacters, and
 * persistence across a reopen. Real SQLite files in SIGNET_TEST_TMP. */
#include <pthread.h>
#include <sys/stat.h>

#include "store_fixture.h"
#include "store_internal.h"

/* ---- the state machine, table-driven ---- */

enum op { OP_END, OP_REVISE, OP_APPROVE, OP_REJECT, OP_REVOKE, OP_EXPIRE };

struct step {
    enum op op;
    int64_t rev;
    enum store_status want;
};

#define REVISE                                                                                     \
    {                                                                                              \
        OP_REVISE, 0, STORE_OK                                                                     \
    }
#define EXPIRE                                                                                     \
    {                                                                                              \
        OP_EXPIRE, 0, STORE_OK                                                                     \
    }
#define APPROVE(r, w)                                                                              \
    {                                                                                              \
        OP_APPROVE, r, w                                                                           \
    }
#define REJECT(r, w)                                                                               \
    {                                                                                              \
        OP_REJECT, r, w                                                                            \
    }
#define REVOKE(r, w)                                                                               \
    {                                                                                              \
        OP_REVOKE, r, w                                                                            \
    }

enum {
    P = STORE_REV_PENDING,
    A = STORE_REV_APPROVED,
    J = STORE_REV_REJECTED,
    V = STORE_REV_REVOKED,
    X = STORE_REV_EXPIRED,
    S = STORE_REV_SUPERSEDED
};

struct transition_case {
    const char *name;
    struct step steps[8];
    int nrevs;
    int final[4]; /* state of revisions 1..nrevs at the end */
};

static const struct transition_case transitions[] = {
    {"approve pending", {APPROVE(1, STORE_OK)}, 1, {A}},
    {"reject pending", {REJECT(1, STORE_OK)}, 1, {J}},
    {"approve rejected", {REJECT(1, STORE_OK), APPROVE(1, STORE_CONFLICT)}, 1, {J}},
    {"revoke pending", {REVOKE(1, STORE_CONFLICT)}, 1, {P}},
    {"reject approved", {APPROVE(1, STORE_OK), REJECT(1, STORE_CONFLICT)}, 1, {A}},
    {"approve approved", {APPROVE(1, STORE_OK), APPROVE(1, STORE_CONFLICT)}, 1, {A}},
    {"revoke approved", {APPROVE(1, STORE_OK), REVOKE(1, STORE_OK)}, 1, {V}},
    {"revoked is final",
     {APPROVE(1, STORE_OK), REVOKE(1, STORE_OK), APPROVE(1, STORE_CONFLICT),
      REVOKE(1, STORE_CONFLICT), REJECT(1, STORE_CONFLICT)},
     1,
     {V}},
    {"revise closes the older pending",
     {REVISE, APPROVE(1, STORE_CONFLICT), REJECT(1, STORE_CONFLICT), APPROVE(2, STORE_OK)},
     2,
     {J, A}},
    {"revise keeps the approved one", {APPROVE(1, STORE_OK), REVISE}, 2, {A, P}},
    {"newer approval supersedes", {APPROVE(1, STORE_OK), REVISE, APPROVE(2, STORE_OK)}, 2, {S, A}},
    {"superseded is final",
     {APPROVE(1, STORE_OK), REVISE, APPROVE(2, STORE_OK), REVOKE(1, STORE_CONFLICT),
      APPROVE(1, STORE_CONFLICT), REJECT(1, STORE_CONFLICT)},
     2,
     {S, A}},
    {"older than latest",
     {APPROVE(1, STORE_OK), REVISE, REVISE, APPROVE(2, STORE_CONFLICT), APPROVE(3, STORE_OK)},
     3,
     {S, J, A}},
    {"expire approved", {APPROVE(1, STORE_OK), EXPIRE}, 1, {X}},
    {"expired is final",
     {APPROVE(1, STORE_OK), EXPIRE, REVOKE(1, STORE_CONFLICT), APPROVE(1, STORE_CONFLICT),
      REJECT(1, STORE_CONFLICT)},
     1,
     {X}},
    {"expiry leaves pending alone", {EXPIRE}, 1, {P}},
    {"revise after reject", {REJECT(1, STORE_OK), REVISE, APPROVE(2, STORE_OK)}, 2, {J, A}},
    {"revise after revoke",
     {APPROVE(1, STORE_OK), REVOKE(1, STORE_OK), REVISE, APPROVE(2, STORE_OK)},
     2,
     {V, A}},
    {"reject the pending revision of a shown item",
     {APPROVE(1, STORE_OK), REVISE, REJECT(2, STORE_OK), REVOKE(2, STORE_CONFLICT)},
     2,
     {A, J}},
    {"unknown revisions",
     {APPROVE(5, STORE_NOT_FOUND), REJECT(0, STORE_NOT_FOUND), REVOKE(2, STORE_NOT_FOUND)},
     1,
     {P}},
};

static enum store_status run_step(struct store *st, const char *id, const struct step *s,
                                  int64_t now, struct sg_err *err)
{
    struct store_content c = make_content("post", "Revised");
    enum store_status rc = STORE_ERROR;
    int64_t rev = 0;
    bool changed = false;
    switch (s->op) {
    case OP_REVISE:
        rc = store_item_revise(st, &alice, id, &c, now, &rev, err);
        break;
    case OP_APPROVE:
        rc = store_approve(st, &bob, id, s->rev, T0 + 1000, NULL, true, now, err);
        break;
    case OP_REJECT:
        rc = store_reject(st, &bob, id, s->rev, "no", now, err);
        break;
    case OP_REVOKE:
        rc = store_revoke(st, &bob, id, s->rev, NULL, now, err);
        break;
    case OP_EXPIRE:
        rc = store_expire_due(st, T0 + 1000, &changed, err);
        break;
    case OP_END:
        break;
    }
    store_content_finish(&c);
    return rc;
}

static void test_transitions(void)
{
    struct store *st = open_fresh("transitions");
    if (!st)
        return;
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
        const struct transition_case *tc = &transitions[i];
        struct sg_err err = {0};
        struct store_content c = make_content("post", tc->name);
        char *id = NULL;
        CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);
        store_content_finish(&c);
        for (int k = 0; k < 8 && tc->steps[k].op != OP_END; k++) {
            struct sg_err e = {0};
            enum store_status rc = run_step(st, id, &tc->steps[k], T0 + 10 * (k + 1), &e);
            CHECK_MSG(rc == tc->steps[k].want, "%s, step %d: %d (want %d): %s", tc->name, k,
                      (int)rc, (int)tc->steps[k].want, e.msg);
            CHECK_MSG(rc == STORE_OK || e.set, "%s, step %d: no message", tc->name, k);
        }
        struct store_revision *revs = NULL;
        size_t n = 0;
        CHECK_INT(store_item_revisions(st, id, &revs, &n, &err), STORE_OK);
        CHECK_MSG((int)n == tc->nrevs, "%s: %zu revisions", tc->name, n);
        bool any_approved = false;
        for (size_t r = 0; r < n && (int)r < tc->nrevs; r++) {
            const struct store_revision *rv = &revs[n - 1 - r]; /* newest first */
            CHECK_INT(rv->rev, (int64_t)r + 1);
            CHECK_MSG((int)rv->state == tc->final[r], "%s: rev %zu is %s", tc->name, r + 1,
                      store_rev_state_name(rv->state));
            any_approved |= rv->state == STORE_REV_APPROVED;
        }
        struct store_item it;
        CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
        CHECK_INT(it.latest.rev, tc->nrevs);
        CHECK_MSG(it.has_shown == any_approved, "%s: has_shown", tc->name);
        if (it.has_shown)
            CHECK_INT(it.shown.state, STORE_REV_APPROVED);
        store_item_finish(&it);
        store_revisions_free(revs, n);
        free(id);
    }
    int64_t rows = 0, bad = -1;
    struct sg_err err = {0};
    CHECK_INT(store_audit_verify(st, &rows, &bad, &err), STORE_OK);
    CHECK_INT(bad, 0);
    CHECK(rows > (int64_t)(sizeof transitions / sizeof transitions[0]));
    store_close(st);
}

/* What each decision records, and the audit rows that go with it. */
static void test_decision_records(void)
{
    struct store *st = open_fresh("decisions");
    if (!st)
        return;
    struct sg_err err = {0};
    struct store_content c = make_content("tip", "Hände waschen");
    char *id = NULL;
    int64_t rev = 0;
    CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);
    CHECK(id && strlen(id) == 15 && strncmp(id, "it-", 3) == 0);
    for (size_t i = 3; id && i < 15; i++)
        CHECK((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'));
    CHECK_INT(store_approve(st, &bob, id, 1, T0, NULL, false, T0, &err), STORE_INVALID);
    CHECK_INT(store_approve(st, &bob, id, 1, T0 + 100, "[\"screen:wait-1\"]", false, T0 + 1, &err),
              STORE_OK);
    struct store_revision r;
    CHECK_INT(store_revision_get(st, id, 1, &r, &err), STORE_OK);
    CHECK_INT(r.state, STORE_REV_APPROVED);
    CHECK_STR(r.decided_by, "bob");
    CHECK_INT(r.decided_at, T0 + 1);
    CHECK_INT(r.until, T0 + 100);
    CHECK_STR(r.approved_targets_json, "[\"screen:wait-1\"]");
    CHECK_STR(r.content.targets_json, "[\"*\"]");
    CHECK_STR(r.created_by, "alice");
    CHECK(r.reason == NULL);
    store_revision_finish(&r);

    /* A revision approved without targets takes its own. */
    CHECK_INT(store_item_revise(st, &alice, id, &c, T0 + 2, &rev, &err), STORE_OK);
    CHECK_INT(rev, 2);
    CHECK_INT(store_approve(st, &bob, id, 2, T0 + 200, NULL, false, T0 + 3, &err), STORE_OK);
    CHECK_INT(store_revision_get(st, id, 2, &r, &err), STORE_OK);
    CHECK_STR(r.approved_targets_json, "[\"*\"]");
    store_revision_finish(&r);
    CHECK_INT(store_revision_get(st, id, 1, &r, &err), STORE_OK);
    CHECK_INT(r.state, STORE_REV_SUPERSEDED);
    CHECK_STR(r.reason, "superseded by revision 2");
    CHECK_INT(r.until, T0 + 100);
    store_revision_finish(&r);
    CHECK_INT(store_revoke(st, &bob, id, 2, "Falsche Zahl", T0 + 4, &err), STORE_OK);
    CHECK_INT(store_revision_get(st, id, 2, &r, &err), STORE_OK);
    CHECK_STR(r.reason, "Falsche Zahl");
    CHECK_STR(r.decided_by, "bob");
    store_revision_finish(&r);

    /* Revising a pending revision closes it with a reason. */
    CHECK_INT(store_item_revise(st, &alice, id, &c, T0 + 5, &rev, &err), STORE_OK);
    CHECK_INT(store_item_revise(st, &alice, id, &c, T0 + 6, &rev, &err), STORE_OK);
    CHECK_INT(store_revision_get(st, id, 3, &r, &err), STORE_OK);
    CHECK_INT(r.state, STORE_REV_REJECTED);
    CHECK_STR(r.reason, "superseded by revision 4");
    store_revision_finish(&r);

    struct store_audit_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    static const struct {
        const char *action, *object_suffix, *old_value, *new_value, *actor;
    } want[] = {
        /* oldest first */
        {"item.create", "#1", NULL, "pending", "alice"},
        {"item.approve", "#1", "pending", "approved", "bob"},
        {"item.revise", "#2", NULL, "pending", "alice"},
        {"item.supersede", "#1", "approved", "superseded", "bob"},
        {"item.approve", "#2", "pending", "approved", "bob"},
        {"item.revoke", "#2", "approved", "revoked", "bob"},
        {"item.revise", "#3", NULL, "pending", "alice"},
        {"item.supersede", "#3", "pending", "rejected", "alice"},
        {"item.revise", "#4", NULL, "pending", "alice"},
    };
    size_t nw = sizeof want / sizeof want[0];
    CHECK_INT(n, nw);
    for (size_t i = 0; i < n && i < nw; i++) {
        const struct store_audit_row *row = &rows[n - 1 - i];
        CHECK_STR(row->action, want[i].action);
        CHECK_STR(row->actor, want[i].actor);
        CHECK_MSG(row->object && id && strncmp(row->object, id, 15) == 0 &&
                      strcmp(row->object + 15, want[i].object_suffix) == 0,
                  "row %zu: %s", i, row->object);
        if (want[i].old_value)
            CHECK_STR(row->old_value, want[i].old_value);
        else
            CHECK(row->old_value == NULL);
        CHECK_STR(row->new_value, want[i].new_value);
        CHECK_INT(row->id, (int64_t)i + 1);
        CHECK_INT(strlen(row->hash), 64);
    }
    store_audit_rows_free(rows, n);

    /* Expiry: the system's decision, audited. */
    bool changed = false;
    CHECK_INT(store_approve(st, &bob, id, 4, T0 + 50, NULL, false, T0 + 7, &err), STORE_OK);
    CHECK_INT(store_expire_due(st, T0 + 49, &changed, &err), STORE_OK);
    CHECK(!changed);
    CHECK_INT(store_expire_due(st, T0 + 50, &changed, &err), STORE_OK);
    CHECK(changed);
    CHECK_INT(store_expire_due(st, T0 + 51, &changed, &err), STORE_OK);
    CHECK(!changed);
    CHECK_INT(store_audit_list(st, 0, 1, &rows, &n, &err), STORE_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(rows[0].action, "item.expire");
        CHECK_STR(rows[0].actor, "system");
        CHECK_STR(rows[0].new_value, "expired");
    }
    store_audit_rows_free(rows, n);

    /* Unknown items. */
    static const char *ghost = "it-000000000000";
    CHECK_INT(store_approve(st, &bob, ghost, 1, T0 + 100, NULL, false, T0, &err), STORE_NOT_FOUND);
    CHECK_INT(store_reject(st, &bob, ghost, 1, "x", T0, &err), STORE_NOT_FOUND);
    CHECK_INT(store_revoke(st, &bob, ghost, 1, "x", T0, &err), STORE_NOT_FOUND);
    CHECK_INT(store_item_revise(st, &bob, ghost, &c, T0, &rev, &err), STORE_NOT_FOUND);
    struct store_item it;
    CHECK_INT(store_item_get(st, ghost, &it, &err), STORE_NOT_FOUND);
    CHECK_INT(store_revision_get(st, id, 9, &r, &err), STORE_NOT_FOUND);
    struct store_revision *revs = NULL;
    CHECK_INT(store_item_revisions(st, ghost, &revs, &n, &err), STORE_NOT_FOUND);
    CHECK(revs == NULL && n == 0);
    store_content_finish(&c);
    free(id);
    store_close(st);
}

/* ---- four eyes ---- */

static void test_four_eyes(void)
{
    struct store *st = open_fresh("foureyes");
    if (!st)
        return;
    static const struct store_actor alice_by_name = {0, "alice", NULL};      /* no id */
    static const struct store_actor alice_other = {7, "alice", "192.0.2.9"}; /* new id */
    static const struct store_actor carol_same_id = {1, "carol", NULL};      /* alice's id */
    static const struct {
        const char *name;
        const struct store_actor *approver;
        bool four_eyes;
        bool revise_by_bob; /* rev 2 written by bob, approve rev 2 */
        enum store_status want;
    } cases[] = {
        {"author, rule off", &alice, false, false, STORE_OK},
        {"author, rule on", &alice, true, false, STORE_FORBIDDEN},
        {"author by name", &alice_by_name, true, false, STORE_FORBIDDEN},
        {"author's name, other id", &alice_other, true, false, STORE_FORBIDDEN},
        {"author's id, other name", &carol_same_id, true, false, STORE_FORBIDDEN},
        {"someone else", &bob, true, false, STORE_OK},
        {"reviser may not approve", &bob, true, true, STORE_FORBIDDEN},
        {"first author may approve another's revision", &alice, true, true, STORE_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sg_err err = {0};
        struct store_content c = make_content("notice", cases[i].name);
        char *id = NULL;
        int64_t rev = 1;
        CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);
        if (cases[i].revise_by_bob)
            CHECK_INT(store_item_revise(st, &bob, id, &c, T0 + 1, &rev, &err), STORE_OK);
        struct sg_err e = {0};
        enum store_status rc = store_approve(st, cases[i].approver, id, rev, T0 + 100, NULL,
                                             cases[i].four_eyes, T0 + 2, &e);
        CHECK_MSG(rc == cases[i].want, "%s: %d %s", cases[i].name, (int)rc, e.msg);
        struct store_revision r;
        CHECK_INT(store_revision_get(st, id, rev, &r, &err), STORE_OK);
        CHECK_INT(r.state, rc == STORE_OK ? STORE_REV_APPROVED : STORE_REV_PENDING);
        store_revision_finish(&r);
        store_content_finish(&c);
        free(id);
    }
    store_close(st);
}

/* ---- content, hash, media types ---- */

static void put_media(struct store *st, const char *bytes, const char *type, char sha[65])
{
    unsigned char h[32];
    struct sg_err err = {0};
    crypto_hash_sha256(h, (const unsigned char *)bytes, strlen(bytes));
    sodium_bin2hex(sha, 65, h, sizeof h);
    CHECK_INT(store_media_put(st, &alice, sha, type, 640, 480, bytes, strlen(bytes), T0, &err),
              STORE_OK);
}

static void test_content_round_trip(void)
{
    struct store *st = open_fresh("content");
    if (!st)
        return;
    struct sg_err err = {0};
    char sha_png[65], sha_jpg[65];
    put_media(st, "png bytes", "image/png", sha_png);
    put_media(st, "jpeg bytes", "image/jpeg", sha_jpg);

    struct store_content c = make_content("post", "Grippeimpfung");
    c.author = strdup("Praxis Dr. Weiß");
    c.source = strdup("mastodon");
    c.link = strdup("https://example.org/a?b=c&d=e");
    c.priority = 7;
    c.nmedia = 2;
    memcpy(c.media[0].sha256, sha_png, 65);
    c.media[0].alt = strdup("Spritze");
    memcpy(c.media[1].sha256, sha_jpg, 65);
    c.media[1].type = strdup("ignored/by-the-store"); /* types come from the media table */
    c.schedule_json = strdup("{\"weekdays\":[1,2,3]}");
    char *id = NULL;
    CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);

    struct store_item it;
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    const struct store_content *g = &it.latest.content;
    CHECK_STR(it.kind, "post");
    CHECK_STR(it.created_by, "alice");
    CHECK_INT(it.created_at, T0);
    CHECK(!it.has_shown);
    CHECK_STR(g->kind, "post");
    CHECK_STR(g->title, "Grippeimpfung");
    CHECK_STR(g->body, "Body text.");
    CHECK_STR(g->author, "Praxis Dr. Weiß");
    CHECK_STR(g->source, "mastodon");
    CHECK_STR(g->link, "https://example.org/a?b=c&d=e");
    CHECK_STR(g->lang, "de");
    CHECK_INT(g->priority, 7);
    CHECK_INT(g->nmedia, 2);
    CHECK_STR(g->media[0].sha256, sha_png);
    CHECK_STR(g->media[0].type, "image/png");
    CHECK_STR(g->media[0].alt, "Spritze");
    CHECK_STR(g->media[1].sha256, sha_jpg);
    CHECK_STR(g->media[1].type, "image/jpeg");
    CHECK(g->media[1].alt == NULL);
    CHECK_STR(g->schedule_json, "{\"weekdays\":[1,2,3]}");
    CHECK_STR(g->targets_json, "[\"*\"]");
    char want[65];
    store_content_sha256(&c, want);
    CHECK_STR(it.latest.content_sha256, want);
    store_item_finish(&it);

    /* The hash moves with every content field, and NULL differs from "". */
    struct store_content v;
    char h[65];
#define MUTATED(stmt)                                                                              \
    do {                                                                                           \
        v = c;                                                                                     \
        stmt;                                                                                      \
        store_content_sha256(&v, h);                                                               \
        CHECK_MSG(strcmp(h, want) != 0, "hash ignores: %s", #stmt);                                \
    } while (0)
    MUTATED(memcpy(v.kind, "tip", 4));
    MUTATED(v.title = "Grippeimpfung!");
    MUTATED(v.body = "Body text");
    MUTATED(v.author = NULL);
    MUTATED(v.source = "");
    MUTATED(v.link = "https://example.org/a?b=c&d=f");
    MUTATED(v.lang = "en");
    MUTATED(v.priority = 8);
    MUTATED(v.nmedia = 1);
    MUTATED(v.media[0].alt = "Spritze ");
    MUTATED(v.media[1].sha256[0] = v.media[1].sha256[0] == 'a' ? 'b' : 'a');
    MUTATED(v.schedule_json = NULL);
    MUTATED(v.targets_json = "[\"group:a\"]");
    /* Field boundaries are part of the hash: moving a byte across is seen. */
    MUTATED((v.title = "Grippeimpfun", v.body = "gBody text."));
#undef MUTATED
    v = c;
    v.media[1].type = "image/webp"; /* not content */
    store_content_sha256(&v, h);
    CHECK_STR(h, want);

    /* Refused content. */
    static const char *bad_kinds[] = {"", "Post", "poster", "video"};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
        v = c;
        snprintf(v.kind, sizeof v.kind, "%s", bad_kinds[i]);
        char *none = NULL;
        CHECK_INT(store_item_create(st, &alice, &v, T0, &none, &err), STORE_INVALID);
        CHECK(none == NULL);
    }
    char long_title[STORE_MAX_TITLE_LEN + 2];
    memset(long_title, 'a', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = '\0';
    v = c;
    v.title = long_title;
    CHECK_INT(store_item_create(st, &alice, &v, T0, NULL, &err), STORE_INVALID);
    long_title[STORE_MAX_TITLE_LEN] = '\0'; /* exactly the limit */
    char *ok_id = NULL;
    CHECK_INT(store_item_create(st, &alice, &v, T0, &ok_id, &err), STORE_OK);
    free(ok_id);
    v = c;
    v.title = NULL;
    CHECK_INT(store_item_create(st, &alice, &v, T0, NULL, &err), STORE_INVALID);
    v = c;
    v.priority = 101;
    CHECK_INT(store_item_create(st, &alice, &v, T0, NULL, &err), STORE_INVALID);
    v = c;
    v.nmedia = STORE_MAX_MEDIA + 1;
    CHECK_INT(store_item_create(st, &alice, &v, T0, NULL, &err), STORE_INVALID);
    v = c;
    v.media[0].sha256[5] = 'G';
    CHECK_INT(store_item_create(st, &alice, &v, T0, NULL, &err), STORE_INVALID);
    v = c;
    memset(v.media[0].sha256, 'e', 64); /* well-formed, never uploaded */
    struct sg_err e = {0};
    CHECK_INT(store_item_create(st, &alice, &v, T0, NULL, &e), STORE_INVALID);
    CHECK(strstr(e.msg, "not uploaded") != NULL);
    CHECK_INT(store_item_create(st, NULL, &c, T0, NULL, &err), STORE_INVALID);

    store_content_finish(&c);
    free(id);
    store_close(st);
}

/* ---- lists ---- */

static void test_lists(void)
{
    struct store *st = open_fresh("lists");
    if (!st)
        return;
    struct sg_err err = {0};
    char sha[65];
    put_media(st, "img", "image/webp", sha);
    /* One item per situation, created one second apart (newest last). */
    enum { PENDING, APPROVED, SHOWN_AND_PENDING, REJECTED, REVOKED, EXPIRED, NITEMS };
    char *ids[NITEMS] = {0};
    for (int i = 0; i < NITEMS; i++) {
        struct store_content c = make_content("post", "t");
        c.nmedia = 1;
        memcpy(c.media[0].sha256, sha, 65);
        CHECK_INT(store_item_create(st, &alice, &c, T0 + i, &ids[i], &err), STORE_OK);
        store_content_finish(&c);
    }
    int64_t rev;
    struct store_content c2 = make_content("post", "t2");
    c2.nmedia = 1;
    memcpy(c2.media[0].sha256, sha, 65);
    CHECK_INT(store_approve(st, &bob, ids[APPROVED], 1, T0 + 500, NULL, true, T0 + 10, &err),
              STORE_OK);
    CHECK_INT(
        store_approve(st, &bob, ids[SHOWN_AND_PENDING], 1, T0 + 500, NULL, true, T0 + 10, &err),
        STORE_OK);
    CHECK_INT(store_item_revise(st, &alice, ids[SHOWN_AND_PENDING], &c2, T0 + 11, &rev, &err),
              STORE_OK);
    CHECK_INT(store_reject(st, &bob, ids[REJECTED], 1, "no", T0 + 10, &err), STORE_OK);
    CHECK_INT(store_approve(st, &bob, ids[REVOKED], 1, T0 + 500, NULL, true, T0 + 10, &err),
              STORE_OK);
    CHECK_INT(store_revoke(st, &bob, ids[REVOKED], 1, NULL, T0 + 11, &err), STORE_OK);
    CHECK_INT(store_approve(st, &bob, ids[EXPIRED], 1, T0 + 20, NULL, true, T0 + 10, &err),
              STORE_OK);
    bool changed;
    CHECK_INT(store_expire_due(st, T0 + 30, &changed, &err), STORE_OK);
    store_content_finish(&c2);

    static const struct {
        bool all;
        enum store_rev_state state;
        size_t limit;
        int want[NITEMS + 1]; /* indexes, newest first, -1 ends */
    } cases[] = {
        /* SHOWN_AND_PENDING was revised last, so it is the newest. */
        {false, STORE_REV_PENDING, 0, {SHOWN_AND_PENDING, PENDING, -1}},
        {false, STORE_REV_APPROVED, 0, {SHOWN_AND_PENDING, APPROVED, -1}},
        {false, STORE_REV_REJECTED, 0, {REJECTED, -1}},
        {false, STORE_REV_REVOKED, 0, {REVOKED, -1}},
        {false, STORE_REV_EXPIRED, 0, {EXPIRED, -1}},
        {false, STORE_REV_SUPERSEDED, 0, {-1}},
        {true,
         STORE_REV_PENDING,
         0,
         {SHOWN_AND_PENDING, EXPIRED, REVOKED, REJECTED, APPROVED, PENDING, -1}},
        {true, STORE_REV_PENDING, 2, {SHOWN_AND_PENDING, EXPIRED, -1}},
        {false, STORE_REV_PENDING, 1, {SHOWN_AND_PENDING, -1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct store_item *items = NULL;
        size_t n = 0;
        CHECK_INT(
            store_item_list(st, cases[i].all, cases[i].state, cases[i].limit, &items, &n, &err),
            STORE_OK);
        size_t want_n = 0;
        while (cases[i].want[want_n] >= 0)
            want_n++;
        CHECK_MSG(n == want_n, "case %zu: %zu items, want %zu", i, n, want_n);
        for (size_t k = 0; k < n && k < want_n; k++) {
            CHECK_MSG(strcmp(items[k].id, ids[cases[i].want[k]]) == 0, "case %zu, item %zu", i, k);
            CHECK_STR(items[k].latest.content.media[0].type, "image/webp");
        }
        for (size_t k = 0; k < n; k++) {
            if (strcmp(items[k].id, ids[SHOWN_AND_PENDING]) == 0) {
                CHECK(items[k].has_shown);
                CHECK_INT(items[k].shown.rev, 1);
                CHECK_INT(items[k].latest.rev, 2);
                CHECK_STR(items[k].shown.content.title, "t");
                CHECK_STR(items[k].latest.content.title, "t2");
                CHECK_STR(items[k].shown.content.media[0].type, "image/webp");
            }
        }
        store_items_free(items, n);
    }
    int64_t pending = -1;
    CHECK_INT(store_pending_count(st, &pending, &err), STORE_OK);
    CHECK_INT(pending, 2);

    /* The publisher's list: approved and not yet run out. */
    struct store_revision *revs = NULL;
    size_t n = 0;
    CHECK_INT(store_approved_list(st, T0 + 30, &revs, &n, &err), STORE_OK);
    CHECK_INT(n, 2);
    for (size_t k = 0; k < n; k++) {
        CHECK_INT(revs[k].state, STORE_REV_APPROVED);
        CHECK_INT(revs[k].until, T0 + 500);
        CHECK_STR(revs[k].approved_targets_json, "[\"*\"]");
        CHECK_STR(revs[k].content.media[0].type, "image/webp");
        CHECK_STR(revs[k].decided_by, "bob");
    }
    store_revisions_free(revs, n);
    CHECK_INT(store_approved_list(st, T0 + 500, &revs, &n, &err), STORE_OK);
    CHECK_INT(n, 0); /* until is exclusive */
    store_revisions_free(revs, n);
    for (int i = 0; i < NITEMS; i++)
        free(ids[i]);
    store_close(st);
}

/* ---- what a person with the database file can and cannot do ---- */

static void test_tampering(void)
{
    const char *dir = fresh_dir("tamper");
    struct sg_err err = {0};
    struct store *st = store_open(dir, &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (!st)
        return;
    struct store_content c = make_content("post", "Original words");
    c.nmedia = 1;
    put_media(st, "picture", "image/png", c.media[0].sha256);
    char *shown = NULL, *pending = NULL;
    CHECK_INT(store_item_create(st, &alice, &c, T0, &shown, &err), STORE_OK);
    CHECK_INT(store_item_create(st, &alice, &c, T0, &pending, &err), STORE_OK);
    CHECK_INT(store_approve(st, &bob, shown, 1, T0 + 100, NULL, true, T0, &err), STORE_OK);
    int64_t rev = 0;
    CHECK_INT(store_item_revise(st, &alice, shown, &c, T0, &rev, &err), STORE_OK);
    store_content_finish(&c);

    sqlite3 *db = raw_open(dir);
    /* The triggers refuse edits of content and of history. */
    static const char *refused[] = {
        "UPDATE revisions SET title = 'Other words'",
        "UPDATE revisions SET targets_json = '[\"*\"]', body = 'x'",
        "DELETE FROM revisions",
        "DELETE FROM revision_media",
        "UPDATE audit SET actor = 'mallory'",
        "DELETE FROM audit",
        "UPDATE media SET type = 'text/html'",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK_MSG(raw_exec(db, refused[i]) != SQLITE_OK, "%s", refused[i]);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM revisions WHERE title = 'Original words'"), 3);
    /* A second approved or pending revision per item is refused too. */
    CHECK(raw_exec(db, "UPDATE revisions SET state = 'approved' WHERE rev = 2") != SQLITE_OK);
    CHECK(raw_exec(db, "UPDATE revisions SET state = 'pending' WHERE rev = 1") != SQLITE_OK);

    /* Someone who drops the trigger can change the words, but the approval
     * no longer covers them: the feed list drops the revision, and a pending
     * revision whose words moved cannot be approved. */
    CHECK_INT(raw_exec(db, "DROP TRIGGER revisions_content_immutable"), SQLITE_OK);
    CHECK_INT(raw_exec(db, "UPDATE revisions SET title = 'Other words'"), SQLITE_OK);
    sqlite3_close(db);
    struct store_revision *revs = NULL;
    size_t n = 9;
    CHECK_INT(store_approved_list(st, T0, &revs, &n, &err), STORE_OK);
    CHECK_INT(n, 0);
    store_revisions_free(revs, n);
    struct sg_err e = {0};
    CHECK_INT(store_approve(st, &bob, pending, 1, T0 + 100, NULL, true, T0, &e), STORE_CONFLICT);
    CHECK(strstr(e.msg, "hash") != NULL);
    free(shown);
    free(pending);
    store_close(st);
}

/* ---- SQL metacharacters are data ---- */

static void test_metacharacters(void)
{
    const char *dir = fresh_dir("meta");
    struct sg_err err = {0};
    struct store *st = store_open(dir, &err);
    if (!st)
        return;
    static const char evil[] = "'; DROP TABLE items; --";
    static const char evil2[] = "\" OR 1=1; /* %s %n \\ */ ?1 :a @b $c";
    const struct store_actor mallory = {66, evil, evil2};
    unsigned char png[] = "\x89PNG evil";
    char sha[65];
    store_sha256_hex(png, sizeof png - 1, sha);
    CHECK_INT(store_media_put(st, &mallory, sha, evil, 1, 1, png, sizeof png - 1, T0, &err),
              STORE_OK);
    struct store_content c;
    memset(&c, 0, sizeof c);
    memcpy(c.kind, "tip", 4);
    c.title = strdup(evil);
    c.body = strdup(evil2);
    c.author = strdup(evil);
    c.source = strdup(evil2);
    c.link = strdup(evil);
    c.lang = strdup(evil2);
    c.nmedia = 1;
    memcpy(c.media[0].sha256, sha, 65);
    c.media[0].alt = strdup(evil);
    c.schedule_json = strdup(evil2);
    c.targets_json = strdup(evil);
    char *id = NULL;
    CHECK_INT(store_item_create(st, &mallory, &c, T0, &id, &err), STORE_OK);
    CHECK_INT(store_approve(st, &bob, id, 1, T0 + 9, evil2, true, T0, &err), STORE_OK);
    CHECK_INT(store_revoke(st, &bob, id, 1, evil, T0, &err), STORE_OK);
    int64_t uid = 0;
    CHECK_INT(store_user_add(st, &mallory, evil, STORE_ROLE_EDITOR, "$argon2id$x", T0, &uid, &err),
              STORE_OK);
    unsigned char token[STORE_TOKEN_BYTES];
    CHECK_INT(store_screen_add(st, &mallory, "wait-1", evil, NULL, evil2, evil, T0, token, &err),
              STORE_OK);
    bool req;
    CHECK_INT(store_screen_report(st, "wait-1", evil, NULL, 0, T0, &req, &err), STORE_OK);
    CHECK_INT(store_audit_append(st, &mallory, evil, evil2, evil, evil2, T0, &err), STORE_OK);
    struct store_settings s;
    CHECK_INT(store_settings_get(st, &s, &err), STORE_OK);
    snprintf(s.clinic, sizeof s.clinic, "%s", evil);
    CHECK_INT(store_settings_set(st, &mallory, &s, T0, &err), STORE_OK);
    /* Screen ids and groups have a character rule instead. */
    CHECK_INT(store_screen_add(st, &mallory, evil, "n", NULL, NULL, NULL, T0, token, &err),
              STORE_INVALID);
    CHECK_INT(store_screen_add(st, &mallory, "s2", "n", evil, NULL, NULL, T0, token, &err),
              STORE_INVALID);
    store_close(st);

    /* Everything comes back verbatim after a reopen, and every table is there. */
    st = store_open(dir, &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (!st) {
        store_content_finish(&c);
        free(id);
        return;
    }
    struct store_item it;
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    const struct store_content *g = &it.latest.content;
    CHECK_STR(g->title, evil);
    CHECK_STR(g->body, evil2);
    CHECK_STR(g->author, evil);
    CHECK_STR(g->source, evil2);
    CHECK_STR(g->link, evil);
    CHECK_STR(g->lang, evil2);
    CHECK_STR(g->media[0].alt, evil);
    CHECK_STR(g->media[0].type, evil);
    CHECK_STR(g->schedule_json, evil2);
    CHECK_STR(g->targets_json, evil);
    CHECK_STR(it.created_by, evil);
    CHECK_STR(it.latest.reason, evil);
    CHECK_STR(it.latest.approved_targets_json, evil2);
    store_item_finish(&it);
    struct store_user u;
    CHECK_INT(store_user_by_name(st, evil, &u, &err), STORE_OK);
    CHECK_INT(u.id, uid);
    store_user_finish(&u);
    struct store_screen scr;
    CHECK_INT(store_screen_get(st, "wait-1", &scr, &err), STORE_OK);
    CHECK_STR(scr.name, evil);
    CHECK_STR(scr.location, evil2);
    CHECK_STR(scr.timezone, evil);
    CHECK_STR(scr.status_json, evil);
    store_screen_finish(&scr);
    CHECK_INT(store_settings_get(st, &s, &err), STORE_OK);
    CHECK_STR(s.clinic, evil);
    struct store_audit_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        CHECK_STR(rows[i].actor, rows[i].actor[0] == 'b' ? "bob" : evil);
        if (strcmp(rows[i].action, evil) == 0) {
            seen = true;
            CHECK_STR(rows[i].ip, evil2);
            CHECK_STR(rows[i].object, evil2);
            CHECK_STR(rows[i].old_value, evil);
            CHECK_STR(rows[i].new_value, evil2);
        }
    }
    CHECK(seen);
    store_audit_rows_free(rows, n);
    int64_t total = 0, bad = -1;
    CHECK_INT(store_audit_verify(st, &total, &bad, &err), STORE_OK);
    CHECK_INT(bad, 0);
    CHECK_INT(total, (int64_t)n);
    store_close(st);
    sqlite3 *db = raw_open(dir);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'items'"), 1);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM items"), 1);
    sqlite3_close(db);
    store_content_finish(&c);
    free(id);
}

/* ---- persistence and the database file ---- */

static void test_persistence(void)
{
    const char *dir = fresh_dir("persist");
    struct sg_err err = {0};
    struct store *st = store_open(dir, &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (!st)
        return;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_DB_FILE);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK(store_ping(st));

    struct store_content c = make_content("notice", "Praxis heute ab 14 Uhr geschlossen");
    char *id = NULL;
    int64_t uid = 0, rev = 0;
    unsigned char token[STORE_TOKEN_BYTES], stoken[STORE_TOKEN_BYTES], csrf[STORE_TOKEN_BYTES];
    CHECK_INT(
        store_user_add(st, &alice, "carol", STORE_ROLE_APPROVER, "$argon2id$h", T0, &uid, &err),
        STORE_OK);
    CHECK_INT(store_session_create(st, uid, "192.0.2.7", T0, token, csrf, &err), STORE_OK);
    CHECK_INT(store_screen_add(st, &alice, "wait-1", "Wartezimmer", "lobby", NULL, "Europe/Berlin",
                               T0, stoken, &err),
              STORE_OK);
    CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);
    CHECK_INT(store_approve(st, &bob, id, 1, T0 + 1000, NULL, true, T0, &err), STORE_OK);
    CHECK_INT(store_item_revise(st, &alice, id, &c, T0 + 1, &rev, &err), STORE_OK);
    CHECK_INT(store_feed_save(st, "wait-1", 3, T0, T0 + 60, "abc", "{\"env\":1}", 9, &err),
              STORE_OK);
    struct store_settings s;
    CHECK_INT(store_settings_get(st, &s, &err), STORE_OK);
    s.emergency_stop = true;
    CHECK_INT(store_settings_set(st, &alice, &s, T0, &err), STORE_OK);
    int64_t rows_before = 0, bad = 0;
    CHECK_INT(store_audit_verify(st, &rows_before, &bad, &err), STORE_OK);
    store_close(st);

    st = store_open(dir, &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (!st) {
        store_content_finish(&c);
        free(id);
        return;
    }
    struct store_item it;
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    CHECK_INT(it.latest.rev, 2);
    CHECK_INT(it.latest.state, STORE_REV_PENDING);
    CHECK(it.has_shown);
    CHECK_INT(it.shown.state, STORE_REV_APPROVED);
    CHECK_STR(it.shown.content.title, "Praxis heute ab 14 Uhr geschlossen");
    store_item_finish(&it);
    struct store_session sess;
    CHECK_INT(store_session_get(st, token, T0 + 5, &sess, &err), STORE_OK);
    CHECK_STR(sess.user_name, "carol");
    CHECK(sodium_memcmp(sess.csrf, csrf, sizeof csrf) == 0);
    store_session_finish(&sess);
    CHECK_INT(store_screen_check_token(st, "wait-1", stoken, sizeof stoken, &err), STORE_OK);
    int64_t version, issued, expires;
    char *hash = NULL, *env = NULL;
    size_t len = 0;
    CHECK_INT(store_feed_load(st, "wait-1", &version, &issued, &expires, &hash, &env, &len, &err),
              STORE_OK);
    CHECK_INT(version, 3);
    CHECK_STR(env, "{\"env\":1}");
    free(hash);
    free(env);
    CHECK_INT(store_settings_get(st, &s, &err), STORE_OK);
    CHECK(s.emergency_stop);
    int64_t rows_after = 0;
    CHECK_INT(store_audit_verify(st, &rows_after, &bad, &err), STORE_OK);
    CHECK_INT(rows_after, rows_before);
    CHECK_INT(bad, 0);
    store_close(st);
    store_content_finish(&c);
    free(id);

    /* A database from a newer program is refused, not downgraded. */
    sqlite3 *db = raw_open(dir);
    int64_t schema = raw_int(db, "PRAGMA user_version");
    CHECK(schema >= 1);
    CHECK_INT(raw_exec(db, "PRAGMA user_version = 99"), SQLITE_OK);
    sqlite3_close(db);
    struct sg_err e = {0};
    CHECK(store_open(dir, &e) == NULL);
    CHECK(strstr(e.msg, "newer") != NULL);
    /* A database readable by others is made private again. */
    db = raw_open(dir);
    char restore[64];
    snprintf(restore, sizeof restore, "PRAGMA user_version = %lld", (long long)schema);
    CHECK_INT(raw_exec(db, restore), SQLITE_OK);
    sqlite3_close(db);
    CHECK(chmod(path, 0644) == 0);
    st = store_open(dir, &err);
    CHECK(st != NULL);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    store_close(st);
    struct sg_err e2 = {0};
    CHECK(store_open(SIGNET_TEST_TMP "/no/such/folder", &e2) == NULL && e2.set);
    store_close(NULL);
}

/* ---- many threads, two handles on one file ---- */

struct worker {
    struct store *st;
    int n;
    int failures;
    const struct store_actor *who;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->n; i++) {
        struct sg_err err = {0};
        struct store_content c = make_content("tip", "parallel");
        char *id = NULL;
        int64_t rev = 0;
        if (store_item_create(w->st, w->who, &c, T0 + i, &id, &err) != STORE_OK ||
            store_item_revise(w->st, w->who, id, &c, T0 + i, &rev, &err) != STORE_OK ||
            store_approve(w->st, &bob, id, rev, T0 + 100, NULL, false, T0 + i, &err) != STORE_OK)
            w->failures++;
        store_content_finish(&c);
        free(id);
    }
    return NULL;
}

static void test_concurrency(void)
{
    const char *dir = fresh_dir("threads");
    struct sg_err err = {0};
    struct store *a = store_open(dir, &err), *b = store_open(dir, &err);
    CHECK_MSG(a && b, "%s", err.msg);
    if (!a || !b) {
        store_close(a);
        store_close(b);
        return;
    }
    enum { THREADS = 4, PER_THREAD = 25 };
    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){i % 2 ? a : b, PER_THREAD, 0, i % 2 ? &alice : &bob};
        CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(w[i].failures, 0);
    }
    struct store_revision *revs = NULL;
    size_t n = 0;
    CHECK_INT(store_approved_list(a, T0, &revs, &n, &err), STORE_OK);
    CHECK_INT(n, THREADS * PER_THREAD);
    store_revisions_free(revs, n);
    int64_t rows = 0, bad = -1;
    CHECK_INT(store_audit_verify(b, &rows, &bad, &err), STORE_OK);
    CHECK_INT(rows, THREADS * PER_THREAD * 4); /* create, revise, supersede, approve */
    CHECK_INT(bad, 0);
    store_close(a);
    store_close(b);
}

int main(void)
{
    test_transitions();
    test_decision_records();
    test_four_eyes();
    test_content_round_trip();
    test_lists();
    test_tampering();
    test_metacharacters();
    test_persistence();
    test_concurrency();
    return check_done("test_store");
}
