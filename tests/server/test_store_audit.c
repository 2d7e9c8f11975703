/* store: the audit chain (append, paging, verify, tamper detection by
 * someone holding the file), its CSV export, and the online backup. */
#include <errno.h>
#include <sys/stat.h>

#include "store_fixture.h"

static void fill(struct store *st, int n)
{
    struct sg_err err = {0};
    for (int i = 0; i < n; i++) {
        char obj[32];
        snprintf(obj, sizeof obj, "thing-%d", i);
        CHECK_INT(store_audit_append(st, i % 2 ? &alice : &bob, "test.event", obj,
                                     i % 3 ? NULL : "", "v", T0 + i, &err),
                  STORE_OK);
    }
}

static void test_chain(void)
{
    const char *dir = fresh_dir("audit");
    struct sg_err err = {0};
    struct store *st = store_open(dir, &err);
    if (!st)
        return;
    int64_t rows = -1, bad = -1;
    CHECK_INT(store_audit_verify(st, &rows, &bad, &err), STORE_OK);
    CHECK_INT(rows, 0);
    CHECK_INT(bad, 0);
    fill(st, 10);
    CHECK_INT(store_audit_verify(st, &rows, &bad, &err), STORE_OK);
    CHECK_INT(rows, 10);
    CHECK_INT(bad, 0);
    CHECK_INT(store_audit_append(st, &alice, "", "x", NULL, NULL, T0, &err), STORE_INVALID);
    CHECK_INT(store_audit_append(st, &alice, NULL, "x", NULL, NULL, T0, &err), STORE_INVALID);

    /* Paging: newest first, before is exclusive. */
    struct store_audit_row *page = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(st, 0, 4, &page, &n, &err), STORE_OK);
    CHECK_INT(n, 4);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(page[i].id, 10 - (int64_t)i);
    if (n == 4) {
        CHECK_STR(page[0].object, "thing-9");
        CHECK_STR(page[0].actor, "alice");
        CHECK_STR(page[0].ip, "192.0.2.1");
        CHECK_INT(page[0].at, T0 + 9);
        CHECK_STR(page[0].old_value, ""); /* thing-9 ""; thing-8 NULL: they stay apart */
        CHECK(page[1].old_value == NULL);
    }
    int64_t before = n ? page[n - 1].id : 0;
    char hash7[65] = "";
    if (n == 4)
        memcpy(hash7, page[3].hash, 65);
    store_audit_rows_free(page, n);
    CHECK_INT(store_audit_list(st, before, 100, &page, &n, &err), STORE_OK);
    CHECK_INT(n, 6);
    if (n == 6) {
        CHECK_INT(page[0].id, 6);
        CHECK_INT(page[5].id, 1);
        CHECK(strcmp(page[0].hash, hash7) != 0);
    }
    store_audit_rows_free(page, n);
    CHECK_INT(store_audit_list(st, 1, 100, &page, &n, &err), STORE_OK);
    CHECK_INT(n, 0);
    store_audit_rows_free(page, n);
    store_close(st);

    /* An attacker with the file drops the triggers and edits, deletes or
     * appends rows: verify names the first row that no longer fits. */
    struct {
        const char *name;
        const char *sql;
        int64_t want_bad;
    } attacks[] = {
        {"edit a value", "UPDATE audit SET new_value = 'w' WHERE id = 4", 4},
        {"edit the actor", "UPDATE audit SET actor = 'mallory' WHERE id = 7", 7},
        {"NULL for empty", "UPDATE audit SET old_value = NULL WHERE id = 1", 1},
        {"move in time", "UPDATE audit SET at = at + 1 WHERE id = 10", 10},
        {"delete a row", "DELETE FROM audit WHERE id = 5", 6},
        {"renumber", "UPDATE audit SET id = 11 WHERE id = 10", 11},
        {"forge a row",
         "INSERT INTO audit SELECT 11, at, actor, ip, action, object, old_value, new_value,"
         " hash FROM audit WHERE id = 10",
         11},
        {"copy a hash",
         "UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 2) WHERE id = 3", 3},
        {"nothing", "SELECT 1", 0},
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        dir = fresh_dir("audit-tamper");
        st = store_open(dir, &err);
        if (!st)
            return;
        fill(st, 10);
        sqlite3 *db = raw_open(dir);
        CHECK_INT(raw_exec(db, "DROP TRIGGER audit_no_update"), SQLITE_OK);
        CHECK_INT(raw_exec(db, "DROP TRIGGER audit_no_delete"), SQLITE_OK);
        CHECK_MSG(raw_exec(db, attacks[i].sql) == SQLITE_OK, "%s", attacks[i].name);
        sqlite3_close(db);
        CHECK_INT(store_audit_verify(st, &rows, &bad, &err), STORE_OK);
        CHECK_MSG(bad == attacks[i].want_bad, "%s: bad row %lld", attacks[i].name, (long long)bad);
        store_close(st);
    }
}

static void test_csv(void)
{
    struct store *st = open_fresh("csv");
    if (!st)
        return;
    struct sg_err err = {0};
    const struct store_actor eve = {3, "=HYPERLINK(\"http://x\")", "+1 555"};
    CHECK_INT(
        store_audit_append(st, &alice, "plain", "a,b", "say \"hi\"", "line1\nline2", T0, &err),
        STORE_OK);
    CHECK_INT(store_audit_append(st, &eve, "@SUM(A1)", "-2+3", "\tTAB", NULL, T0 + 1, &err),
              STORE_OK);
    CHECK_INT(store_audit_append(st, &alice, "x", "=a,\"b\"", "", "ok", T0 + 2, &err), STORE_OK);
    char *csv = NULL;
    size_t len = 0;
    CHECK_INT(store_audit_csv(st, &csv, &len, &err), STORE_OK);
    struct store_audit_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(st, 0, 0, &rows, &n, &err), STORE_OK);
    char want[2048];
    if (n == 3) {
        snprintf(want, sizeof want,
                 "id,at,actor,ip,action,object,old,new,hash\r\n"
                 "1,2026-11-18T11:06:40Z,alice,192.0.2.1,plain,\"a,b\",\"say \"\"hi\"\"\","
                 "\"line1\nline2\",%s\r\n"
                 "2,2026-11-18T11:06:41Z,\"'=HYPERLINK(\"\"http://x\"\")\",'+1 555,'@SUM(A1),"
                 "'-2+3,'\tTAB,,%s\r\n"
                 "3,2026-11-18T11:06:42Z,alice,192.0.2.1,x,\"'=a,\"\"b\"\"\",,ok,%s\r\n",
                 rows[2].hash, rows[1].hash, rows[0].hash);
        CHECK_STR(csv, want);
        CHECK_INT(len, strlen(want));
    }
    store_audit_rows_free(rows, n);
    free(csv);
    store_close(st);
}

static void test_backup(void)
{
    const char *src = fresh_dir("backup-src");
    struct sg_err err = {0};
    struct store *st = store_open(src, &err);
    if (!st)
        return;
    struct store_content c = make_content("tip", "Trinken Sie genug Wasser");
    char *id = NULL;
    CHECK_INT(store_item_create(st, &alice, &c, T0, &id, &err), STORE_OK);
    CHECK_INT(store_approve(st, &bob, id, 1, T0 + 86400, NULL, true, T0, &err), STORE_OK);
    store_content_finish(&c);
    const char *dst_dir = fresh_dir("backup-dst");
    char dst[4200];
    snprintf(dst, sizeof dst, "%s/%s", dst_dir, STORE_DB_FILE);
    CHECK_INT(store_backup(st, dst, &err), STORE_OK);
    struct stat sb;
    CHECK(stat(dst, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    /* Never over an existing file, and no temporary file is left behind. */
    struct sg_err e = {0};
    CHECK_INT(store_backup(st, dst, &e), STORE_CONFLICT);
    CHECK(strstr(e.msg, "exists") != NULL);
    struct sg_err e2 = {0};
    CHECK_INT(store_backup(st, SIGNET_TEST_TMP "/no/such/dir/queue.db", &e2), STORE_ERROR);
    CHECK(e2.set);
    int64_t changed_after = 0;
    CHECK_INT(store_audit_append(st, &alice, "after.backup", NULL, NULL, NULL, T0 + 1, &err),
              STORE_OK);
    (void)changed_after;
    store_close(st);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "ls -a %s | grep -q tmp", dst_dir);
    CHECK_MSG(system(cmd) != 0, "temporary file left in %s", dst_dir);

    /* The copy opens as a store and holds the rows as of the backup. */
    st = store_open(dst_dir, &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    if (!st) {
        free(id);
        return;
    }
    struct store_item it;
    CHECK_INT(store_item_get(st, id, &it, &err), STORE_OK);
    CHECK(it.has_shown);
    CHECK_STR(it.shown.content.title, "Trinken Sie genug Wasser");
    CHECK_STR(it.shown.decided_by, "bob");
    store_item_finish(&it);
    int64_t rows = 0, bad = -1;
    CHECK_INT(store_audit_verify(st, &rows, &bad, &err), STORE_OK);
    CHECK_INT(rows, 2);
    CHECK_INT(bad, 0);
    struct store_revision *revs = NULL;
    size_t n = 0;
    CHECK_INT(store_approved_list(st, T0 + 1, &revs, &n, &err), STORE_OK);
    CHECK_INT(n, 1);
    store_revisions_free(revs, n);
    store_close(st);
    free(id);
}

int main(void)
{
    test_chain();
    test_csv();
    test_backup();
    return check_done("test_store_audit");
}
