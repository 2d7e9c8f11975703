/* fileio and state: atomic writes that fail cleanly, suspicious reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fileio.h"
#include "keys.h"
#include "state.h"

struct fault_at {
    const char *step;
    int err;
};

static int inject(void *ctx, const char *step)
{
    const struct fault_at *f = ctx;
    return strcmp(f->step, step) == 0 ? f->err : 0;
}

static char *tmp_path(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", SIGNET_TEST_TMP, name);
    return buf;
}

static void test_atomic_write_faults(void)
{
    const char *path = tmp_path("atomic.txt");
    struct sg_err err = {0};
    unlink(path);
    CHECK(fileio_write_atomic(path, "old", 3, 0644, false, NULL, &err));
    /* Every failing step leaves the old bytes, and no temp file behind. */
    static const struct fault_at faults[] = {
        {"open", ENOSPC}, {"write", ENOSPC}, {"write", EIO}, {"fsync", EIO}, {"rename", EIO}};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        struct fileio_faults f = {inject, (void *)&faults[i]};
        struct sg_err e = {0};
        CHECK_MSG(!fileio_write_atomic(path, "new!", 4, 0644, false, &f, &e), "%s", faults[i].step);
        CHECK_MSG(e.set && strstr(e.msg, strerror(faults[i].err)), "%s: %s", faults[i].step, e.msg);
        char *text = NULL;
        size_t len = 0;
        CHECK(fileio_read(path, 100, &text, &len, &err));
        CHECK_STR(text, "old");
        free(text);
    }
    /* A failed folder sync is reported: the new bytes may not be durable. */
    struct fault_at dirsync = {"dirsync", EIO};
    struct fileio_faults f = {inject, &dirsync};
    struct sg_err e = {0};
    CHECK(!fileio_write_atomic(path, "new!", 4, 0644, false, &f, &e));
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c 'atomic.txt.tmp' >/dev/null", SIGNET_TEST_TMP);
    CHECK_MSG(system(cmd) != 0, "temporary file left behind");
    /* exclusive refuses to replace */
    CHECK(!fileio_write_atomic(path, "x", 1, 0600, true, NULL, &e));
}

static void test_read_limits(void)
{
    const char *path = tmp_path("limit.txt");
    struct sg_err err = {0};
    CHECK(fileio_write_atomic(path, "0123456789", 10, 0644, false, NULL, &err));
    char *text = NULL;
    size_t len = 0;
    CHECK(fileio_read(path, 10, &text, &len, &err));
    CHECK_INT(len, 10);
    free(text);
    struct sg_err e = {0};
    CHECK(!fileio_read(path, 9, &text, &len, &e));
    CHECK(text == NULL && strstr(e.msg, "limit"));
    struct sg_err e2 = {0};
    CHECK(!fileio_read(SIGNET_TEST_TMP, 100, &text, &len, &e2)); /* a folder */
    struct sg_err e3 = {0};
    CHECK(!fileio_read(tmp_path("does-not-exist"), 100, &text, &len, &e3));
}

static void test_state_roundtrip(void)
{
    struct feed_doc doc = {.version = 42, .issued = 1795428000};
    memset(doc.payload_sha256, 0xab, sizeof doc.payload_sha256);
    struct sg_err err = {0};
    struct state_accepted st;
    char path[4200];
    snprintf(path, sizeof path, "%s/accepted-wz-7.json", SIGNET_TEST_TMP);
    unlink(path);
    CHECK(state_load(SIGNET_TEST_TMP, "wz-7", &st, &err));
    CHECK(!st.present);
    CHECK(state_save(SIGNET_TEST_TMP, "wz-7", &doc, NULL, &err));
    CHECK(state_load(SIGNET_TEST_TMP, "wz-7", &st, &err));
    CHECK(st.present && st.version == 42 && st.issued == 1795428000);
    CHECK(memcmp(st.sha256, doc.payload_sha256, 32) == 0);
    /* A failed save keeps the previous record. */
    struct fault_at fsync_fail = {"fsync", EIO};
    struct fileio_faults f = {inject, &fsync_fail};
    doc.version = 43;
    struct sg_err e = {0};
    CHECK(!state_save(SIGNET_TEST_TMP, "wz-7", &doc, &f, &e));
    CHECK(state_load(SIGNET_TEST_TMP, "wz-7", &st, &err));
    CHECK_INT(st.version, 42);
    /* A corrupt file is an error, not "nothing accepted". */
    CHECK(fileio_write_atomic(path, "{\"screen\":", 10, 0644, false, NULL, &err));
    struct sg_err e2 = {0};
    CHECK(!state_load(SIGNET_TEST_TMP, "wz-7", &st, &e2));
    CHECK(!st.present && e2.set);
}

static void test_state_parse_cases(void)
{
    const char *hex = "abababababababababababababababababababababababababababababababab";
    char good[512];
    snprintf(
        good, sizeof good,
        "{\"screen\":\"wz1\",\"version\":5,\"sha256\":\"%s\",\"issued\":\"2026-11-20T08:00:00Z\"}",
        hex);
    struct state_accepted st;
    struct sg_err err = {0};
    CHECK(state_parse(good, strlen(good), "wz1", &st, &err));
    CHECK(!state_parse(good, strlen(good), "wz2", &st, &err)); /* other screen's file */
    const char *bad[] = {
        "",
        "{}",
        "{\"screen\":\"wz1\",\"version\":0,\"sha256\":\"ab\",\"issued\":\"2026-11-20T08:00:00Z\"}",
        "{\"screen\":\"wz1\",\"version\":5,\"sha256\":\"zz\",\"issued\":\"2026-11-20T08:00:00Z\"}",
        "{\"screen\":\"wz1\",\"screen\":\"wz1\",\"version\":5}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sg_err e = {0};
        CHECK_MSG(!state_parse(bad[i], strlen(bad[i]), "wz1", &st, &e), "case %zu", i);
        CHECK(e.set && !st.present);
    }
    CHECK(state_screen_id_valid("wartezimmer-1.og"));
    CHECK(!state_screen_id_valid("../etc"));
    CHECK(!state_screen_id_valid(".hidden"));
    CHECK(!state_screen_id_valid("a/b"));
    CHECK(!state_screen_id_valid(""));
}

int main(void)
{
    if (!keys_init())
        return 1;
    mkdir(SIGNET_TEST_TMP, 0755);
    test_atomic_write_faults();
    test_read_limits();
    test_state_roundtrip();
    test_state_parse_cases();
    return check_done("test_storage");
}
