/* Shared by the store tests: a fresh data folder per test, content
 * builders, and a raw SQLite connection for playing the attacker who has the
 * database file. */
#ifndef SIGNET_TEST_STORE_FIXTURE_H
#define SIGNET_TEST_STORE_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "check.h"
#include "store.h"

#define T0 ((int64_t)1795000000) /* 2026-11-18T11:06:40Z, a fixed "now" */

__attribute__((unused)) static const struct store_actor alice = {1, "alice", "192.0.2.1"};
__attribute__((unused)) static const struct store_actor bob = {2, "bob", "192.0.2.2"};

/* SIGNET_TEST_TMP/name, emptied (the store's folder is flat). */
static inline const char *fresh_dir(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", SIGNET_TEST_TMP, name);
    mkdir(path, 0700);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char f[4400];
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        unlink(f);
    }
    if (d)
        closedir(d);
    return path;
}

static inline struct store *open_fresh(const char *name)
{
    struct sg_err err = {0};
    struct store *st = store_open(fresh_dir(name), &err);
    CHECK_MSG(st != NULL, "%s", err.msg);
    return st;
}

static inline char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A content with malloc'd strings (store_content_finish frees them). */
static inline struct store_content make_content(const char *kind, const char *title)
{
    struct store_content c;
    memset(&c, 0, sizeof c);
    snprintf(c.kind, sizeof c.kind, "%s", kind);
    c.title = strdup(title);
    c.body = strdup("Body text.");
    c.lang = strdup("de");
    c.targets_json = strdup("[\"*\"]");
    return c;
}

/* A raw connection to DIR/queue.db, without the store's protections. */
static inline sqlite3 *raw_open(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_DB_FILE);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    return db;
}

static inline int raw_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static inline int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

#endif
