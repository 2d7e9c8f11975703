#include "mediastore.h"

#include <errno.h>
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
