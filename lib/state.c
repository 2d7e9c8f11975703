#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonx.h"
#include "sgtime.h"

bool state_screen_id_valid(const char *screen)
{
    return feed_name_valid(screen, FEED_MAX_ID_LEN);
}

static bool screen_file(const char *dir, const char *prefix, const char *screen, const char *suffix,
                        char *out, size_t cap, struct sg_err *err)
{
    if (!state_screen_id_valid(screen)) {
        sg_err_set(err, "screen id \"%.64s\" may only hold letters, digits, '.', '_', '-'", screen);
        return false;
    }
    if ((size_t)snprintf(out, cap, "%s/%s%s%s", dir, prefix, screen, suffix) >= cap) {
        sg_err_set(err, "state folder path is too long");
        return false;
    }
    return true;
}

static bool state_path(const char *dir, const char *screen, char *out, size_t cap,
                       struct sg_err *err)
{
    return screen_file(dir, "accepted-", screen, ".json", out, cap, err);
}

bool state_parse(const char *text, size_t len, const char *screen, struct state_accepted *out,
                 struct sg_err *err)
{
    struct json_object *root;
    const char *scr = NULL, *sha = NULL, *issued = NULL;
    memset(out, 0, sizeof *out);
    if (!jsonx_parse_object(text, len, STATE_MAX_BYTES, 4, &root, err))
        return false;
    bool ok = jsonx_get_string(root, "state", "screen", FEED_MAX_ID_LEN, true, &scr, err) &&
              jsonx_get_int(root, "state", "version", 1, INT64_MAX - 1, true, &out->version, err) &&
              jsonx_get_string(root, "state", "sha256", 64, true, &sha, err) &&
              jsonx_get_string(root, "state", "issued", SGTIME_RFC3339_LEN, true, &issued, err);
    if (ok && strcmp(scr, screen) != 0) {
        sg_err_set(err, "state file belongs to screen \"%.64s\"", scr);
        ok = false;
    }
    const char *end = NULL;
    size_t n = 0;
    if (ok &&
        (sodium_hex2bin(out->sha256, sizeof out->sha256, sha, strlen(sha), NULL, &n, &end) != 0 ||
         n != sizeof out->sha256 || end != sha + strlen(sha))) {
        sg_err_set(err, "state: \"sha256\" is not 64 hex digits");
        ok = false;
    }
    if (ok && !sgtime_parse_rfc3339(issued, &out->issued)) {
        sg_err_set(err, "state: \"issued\" is not an RFC 3339 UTC time");
        ok = false;
    }
    json_object_put(root);
    if (!ok)
        memset(out, 0, sizeof *out);
    out->present = ok;
    return ok;
}

bool state_load(const char *dir, const char *screen, struct state_accepted *out, struct sg_err *err)
{
    char path[4096];
    memset(out, 0, sizeof *out);
    if (!state_path(dir, screen, path, sizeof path, err))
        return false;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return true;
    char *text = NULL;
    size_t len = 0;
    struct sg_err inner = {0};
    bool ok = fileio_read(path, STATE_MAX_BYTES, &text, &len, &inner) &&
              state_parse(text, len, screen, out, &inner);
    free(text);
    if (!ok)
        sg_err_set(err, "%s: %s", path, inner.msg);
    return ok;
}

bool state_save(const char *dir, const char *screen, const struct feed_doc *doc,
                const struct fileio_faults *faults, struct sg_err *err)
{
    char path[4096], hex[65], issued[SGTIME_RFC3339_LEN + 1], text[512];
    if (!state_path(dir, screen, path, sizeof path, err))
        return false;
    sodium_bin2hex(hex, sizeof hex, doc->payload_sha256, sizeof doc->payload_sha256);
    sgtime_format_rfc3339(doc->issued, issued);
    /* Every interpolated value is validated above or generated here: no
     * escaping is needed (screen ids are restricted to a safe set). */
    int n = snprintf(text, sizeof text,
                     "{\"screen\":\"%s\",\"version\":%lld,\"sha256\":\"%s\",\"issued\":\"%s\"}\n",
                     screen, (long long)doc->version, hex, issued);
    if (n < 0 || (size_t)n >= sizeof text) {
        sg_err_set(err, "state record too long");
        return false;
    }
    return fileio_write_atomic(path, text, (size_t)n, 0644, false, faults, err);
}

bool state_save_envelope(const char *dir, const char *screen, const char *bytes, size_t len,
                         const struct fileio_faults *faults, struct sg_err *err)
{
    char path[4096];
    return screen_file(dir, "feed-", screen, ".dsse", path, sizeof path, err) &&
           fileio_write_atomic(path, bytes, len, 0644, false, faults, err);
}

bool state_load_envelope(const char *dir, const char *screen, char **out, size_t *len,
                         struct sg_err *err)
{
    char path[4096];
    *out = NULL;
    *len = 0;
    if (!screen_file(dir, "feed-", screen, ".dsse", path, sizeof path, err))
        return false;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return true;
    struct sg_err inner = {0};
    if (!fileio_read(path, FEED_MAX_ENVELOPE_BYTES, out, len, &inner)) {
        sg_err_set(err, "%s: %s", path, inner.msg);
        return false;
    }
    return true;
}

size_t state_remove_temp(const char *dir, const char *screen)
{
    char prefixes[2][FEED_MAX_ID_LEN + 32];
    if (!state_screen_id_valid(screen))
        return 0;
    snprintf(prefixes[0], sizeof prefixes[0], "accepted-%s.json.tmp-", screen);
    snprintf(prefixes[1], sizeof prefixes[1], "feed-%s.dsse.tmp-", screen);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t removed = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        for (size_t i = 0; i < 2; i++) {
            if (strncmp(e->d_name, prefixes[i], strlen(prefixes[i])) == 0 &&
                unlinkat(dirfd(d), e->d_name, 0) == 0) {
                removed++;
                break;
            }
        }
    }
    closedir(d);
    return removed;
}

bool state_remove_envelope(const char *dir, const char *screen)
{
    char path[4096];
    struct sg_err err = {0};
    if (!screen_file(dir, "feed-", screen, ".dsse", path, sizeof path, &err))
        return false;
    return unlink(path) == 0 || errno == ENOENT;
}
