#include "mediastore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

enum verdict_media_state mediastore_load(const char *dir, const char *sha256, unsigned char **out,
                                         size_t *len, struct sg_err *err)
{
    *out = NULL;
    *len = 0;
    if (strlen(sha256) != FEED_SHA256_HEX_LEN || strspn(sha256, "0123456789abcdef") != 64) {
        sg_err_set(err, "media name is not a sha256");
        return VERDICT_MEDIA_BAD;
    }
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, sha256) >= sizeof path) {
        sg_err_set(err, "media folder path too long");
        return VERDICT_MEDIA_ABSENT;
    }
    char *buf = NULL;
    size_t n = 0;
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        sg_err_set(err, "media %.12s… is not in %s", sha256, dir);
        return VERDICT_MEDIA_ABSENT;
    }
    if (!fileio_read(path, MEDIASTORE_MAX_BYTES, &buf, &n, err))
        return VERDICT_MEDIA_BAD;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[FEED_SHA256_HEX_LEN + 1];
    crypto_hash_sha256(digest, (const unsigned char *)buf, n);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (strcmp(hex, sha256) != 0) {
        sg_err_set(err, "media %.12s…: content hash is %.12s…", sha256, hex);
        free(buf);
        return VERDICT_MEDIA_BAD;
    }
    *out = (unsigned char *)buf;
    *len = n;
    return VERDICT_MEDIA_OK;
}

enum verdict_media_state mediastore_check(void *dir, const char *sha256)
{
    unsigned char *buf;
    size_t len;
    enum verdict_media_state st = mediastore_load(dir, sha256, &buf, &len, NULL);
    free(buf);
    return st;
}

bool mediastore_save(const char *dir, const char *sha256, const unsigned char *bytes, size_t len,
                     const struct fileio_faults *faults, struct sg_err *err)
{
    if (!feed_sha256_hex_valid(sha256)) {
        sg_err_set(err, "media name is not a sha256");
        return false;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[FEED_SHA256_HEX_LEN + 1];
    crypto_hash_sha256(digest, bytes, len);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (strcmp(hex, sha256) != 0) {
        sg_err_set(err, "media %s: bytes do not match their hash", sha256);
        return false;
    }
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, sha256) >= sizeof path) {
        sg_err_set(err, "media folder path too long");
        return false;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        sg_err_set(err, "%s: cannot create: %s", dir, strerror(errno));
        return false;
    }
    return fileio_write_atomic(path, bytes, len, 0644, false, faults, err);
}

size_t mediastore_prune(const char *dir, const char *const *keep, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t removed = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++)
            kept = strcmp(keep[i], e->d_name) == 0;
        if (kept)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
