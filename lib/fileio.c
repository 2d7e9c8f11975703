#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool fileio_read(const char *path, size_t max, char **out, size_t *len, struct sg_err *err)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sg_err_set(err, "%s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        sg_err_set(err, "%s: not a regular file", path);
        close(fd);
        return false;
    }
    /* The size may change while we read (a feed file being replaced); read
     * up to max + 1 bytes to notice a file that grew past the limit. */
    size_t cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        sg_err_set(err, "%s: out of memory", path);
        close(fd);
        return false;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (n > max)
                break;
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nbuf = realloc(buf, ncap + 1);
            if (!nbuf) {
                sg_err_set(err, "%s: out of memory", path);
                free(buf);
                close(fd);
                return false;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            sg_err_set(err, "%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return false;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        sg_err_set(err, "%s: larger than the limit of %zu bytes", path, max);
        free(buf);
        return false;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return true;
}

static int fault(const struct fileio_faults *faults, const char *step)
{
    return faults && faults->fn ? faults->fn(faults->ctx, step) : 0;
}

static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

static bool sync_dir_of(const char *path, const struct fileio_faults *faults)
{
    char *copy = strdup(path);
    if (!copy)
        return false;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return false;
    int injected = fault(faults, "dirsync");
    bool ok = !injected && fsync(fd) == 0;
    if (injected)
        errno = injected;
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

bool fileio_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         bool exclusive, const struct fileio_faults *faults, struct sg_err *err)
{
    if (exclusive && access(path, F_OK) == 0) {
        sg_err_set(err, "%s: already exists", path);
        return false;
    }
    size_t tlen = strlen(path) + sizeof ".tmp-XXXXXX";
    char *tmp = malloc(tlen);
    if (!tmp) {
        sg_err_set(err, "%s: out of memory", path);
        return false;
    }
    snprintf(tmp, tlen, "%s.tmp-XXXXXX", path);
    const char *step = "open";
    int injected = fault(faults, step);
    int fd = injected ? -1 : mkstemp(tmp);
    if (fd < 0) {
        sg_err_set(err, "%s: cannot create temporary file: %s", path,
                   strerror(injected ? injected : errno));
        free(tmp);
        return false;
    }
    bool ok = fchmod(fd, mode) == 0;
    if (ok) {
        step = "write";
        injected = fault(faults, step);
        ok = !injected && write_all(fd, data, len);
    }
    if (ok) {
        step = "fsync";
        injected = fault(faults, step);
        ok = !injected && fsync(fd) == 0;
    }
    int saved = injected ? injected : errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        step = "close";
        saved = errno;
    }
    if (ok) {
        step = "rename";
        injected = fault(faults, step);
        ok = !injected && rename(tmp, path) == 0;
        saved = injected ? injected : errno;
    }
    if (!ok) {
        sg_err_set(err, "%s: %s failed: %s", path, step, strerror(saved ? saved : EIO));
        unlink(tmp);
        free(tmp);
        return false;
    }
    free(tmp);
    /* The rename is durable only once the folder is synced. If that fails
     * the new bytes are in place but may not survive a power cut: report it,
     * since the caller must not rely on it (e.g. for rollback state). */
    if (!sync_dir_of(path, faults)) {
        sg_err_set(err, "%s: dirsync failed: %s", path, strerror(errno));
        return false;
    }
    return true;
}
