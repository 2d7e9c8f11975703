/* faultfs: an LD_PRELOAD shim that makes the Nth write-path call under one
 * folder fail, for crash-consistency tests of programs we do not change
 * (tests/kiosk/crash.test.mjs runs signet-kiosk under it).
 *
 * Counted calls, in the order a program makes them, only on paths under
 * SIGNET_FAULTFS_DIR (an fd's path is read from /proc/self/fd):
 *   mkstemp      creating a temporary file (lib/fileio.c's "open" step)
 *   write        on an fd
 *   fsync        on an fd, also on the folder itself ("dirsync")
 *   fdatasync
 *   close        of an fd opened for writing (NFS reports write errors here)
 *   rename       by the new name
 * These are the calls lib/fileio.c makes to replace a file atomically. Reads
 * and everything outside the folder (logs, sockets) pass untouched.
 *
 * Environment:
 *   SIGNET_FAULTFS_DIR    the folder (required; without it nothing is counted)
 *   SIGNET_FAULTFS_AT     N: the Nth counted call fails; "N+": the Nth and every
 *                         later one (a full disk); 0 or unset: none fails
 *   SIGNET_FAULTFS_ERRNO  ENOSPC (default), EIO, EDQUOT, EROFS or a number
 *   SIGNET_FAULTFS_LOG    a file that gets one line per counted call:
 *                         "<n> <call> <path>" and " FAIL <errno>" when failed
 * A failed call does nothing, except close, which closes the fd anyway (as
 * Linux does when close reports an error). The shim allocates no memory, so
 * it works under AddressSanitizer too (preload libasan first, or set
 * ASAN_OPTIONS=verify_asan_link_order=0).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exported only as interposers; declared here for -Wmissing-prototypes. */
int mkstemp64(char *tmpl);

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*fd_fn)(int);
typedef int (*mkstemp_fn)(char *);
typedef int (*rename_fn)(const char *, const char *);

static struct {
    write_fn write;
    fd_fn fsync, fdatasync, close;
    mkstemp_fn mkstemp, mkstemp64;
    rename_fn rename;
    char dir[PATH_MAX];
    size_t dir_len;   /* 0: the shim is off */
    unsigned long at; /* 0: nothing fails */
    bool sticky;      /* "N+": every call from N on fails */
    int err;
    int log_fd;
} ff = {.log_fd = -1};

static atomic_ulong ff_count;
static pthread_once_t ff_once = PTHREAD_ONCE_INIT;

static int parse_errno(const char *s)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS}};
    if (!s || !*s)
        return ENOSPC;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].value;
    int n = atoi(s);
    return n > 0 ? n : ENOSPC;
}

static void ff_init(void)
{
    /* dlsym(RTLD_NEXT) finds the next definition after this library: libc's,
     * or libasan's interceptor when libasan comes later in the search order. */
    ff.write = (write_fn)dlsym(RTLD_NEXT, "write");
    ff.fsync = (fd_fn)dlsym(RTLD_NEXT, "fsync");
    ff.fdatasync = (fd_fn)dlsym(RTLD_NEXT, "fdatasync");
    ff.close = (fd_fn)dlsym(RTLD_NEXT, "close");
    ff.mkstemp = (mkstemp_fn)dlsym(RTLD_NEXT, "mkstemp");
    ff.mkstemp64 = (mkstemp_fn)dlsym(RTLD_NEXT, "mkstemp64");
    ff.rename = (rename_fn)dlsym(RTLD_NEXT, "rename");
    const char *dir = getenv("SIGNET_FAULTFS_DIR");
    if (dir && *dir && realpath(dir, ff.dir))
        ff.dir_len = strlen(ff.dir);
    const char *at = getenv("SIGNET_FAULTFS_AT");
    if (at && *at) {
        char *end = NULL;
        ff.at = strtoul(at, &end, 10);
        ff.sticky = end && *end == '+';
    }
    ff.err = parse_errno(getenv("SIGNET_FAULTFS_ERRNO"));
    const char *log = getenv("SIGNET_FAULTFS_LOG");
    if (log && *log)
        ff.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static void ff_ready(void)
{
    pthread_once(&ff_once, ff_init);
}

/* Makes path absolute (relative to the working folder) into out. */
static bool absolute(const char *path, char *out, size_t cap)
{
    if (path[0] == '/')
        return (size_t)snprintf(out, cap, "%s", path) < cap;
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) && (size_t)snprintf(out, cap, "%s/%s", cwd, path) < cap;
}

static bool under_dir(const char *abs)
{
    return ff.dir_len > 0 && strncmp(abs, ff.dir, ff.dir_len) == 0 &&
           (abs[ff.dir_len] == '/' || abs[ff.dir_len] == '\0');
}

/* The path an fd refers to, if it is under the folder. */
static bool fd_under_dir(int fd, char *out, size_t cap)
{
    if (ff.dir_len == 0 || fd < 0)
        return false;
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, cap - 1);
    if (n <= 0)
        return false;
    out[n] = '\0';
    return under_dir(out);
}

/* Counts one call; returns the errno it must fail with, or 0. */
static int ff_count_call(const char *call, const char *path)
{
    unsigned long n = atomic_fetch_add(&ff_count, 1) + 1;
    bool fail = ff.at > 0 && (n == ff.at || (ff.sticky && n > ff.at));
    if (ff.log_fd >= 0) {
        char line[PATH_MAX + 96];
        int len = snprintf(line, sizeof line, "%lu %s %s%s%s\n", n, call, path,
                           fail ? " FAIL " : "", fail ? strerrorname_np(ff.err) : "");
        if (len > 0 && (size_t)len < sizeof line)
            (void)ff.write(ff.log_fd, line, (size_t)len);
    }
    return fail ? ff.err : 0;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    ff_ready();
    char path[PATH_MAX];
    int e = fd_under_dir(fd, path, sizeof path) ? ff_count_call("write", path) : 0;
    if (e) {
        errno = e;
        return -1;
    }
    return ff.write(fd, buf, len);
}

static int sync_call(fd_fn real, const char *call, int fd)
{
    ff_ready();
    char path[PATH_MAX];
    int e = fd_under_dir(fd, path, sizeof path) ? ff_count_call(call, path) : 0;
    if (e) {
        errno = e;
        return -1;
    }
    return real(fd);
}

int fsync(int fd)
{
    return sync_call(ff.fsync, "fsync", fd);
}

int fdatasync(int fd)
{
    return sync_call(ff.fdatasync, "fdatasync", fd);
}

int close(int fd)
{
    ff_ready();
    char path[PATH_MAX];
    int e = 0;
    int fl = ff.dir_len > 0 ? fcntl(fd, F_GETFL) : -1;
    if (fl >= 0 && (fl & O_ACCMODE) != O_RDONLY && fd_under_dir(fd, path, sizeof path))
        e = ff_count_call("close", path);
    int r = ff.close(fd);
    if (e) {
        errno = e;
        return -1;
    }
    return r;
}

static int mkstemp_call(mkstemp_fn real, char *tmpl)
{
    char abs[PATH_MAX];
    if (ff.dir_len > 0 && absolute(tmpl, abs, sizeof abs) && under_dir(abs)) {
        int e = ff_count_call("mkstemp", abs);
        if (e) {
            errno = e;
            return -1;
        }
    }
    return real(tmpl);
}

int mkstemp(char *tmpl)
{
    ff_ready();
    return mkstemp_call(ff.mkstemp, tmpl);
}

int mkstemp64(char *tmpl)
{
    ff_ready();
    return mkstemp_call(ff.mkstemp64, tmpl);
}

int rename(const char *from, const char *to)
{
    ff_ready();
    char abs[PATH_MAX];
    if (ff.dir_len > 0 && absolute(to, abs, sizeof abs) && under_dir(abs)) {
        int e = ff_count_call("rename", abs);
        if (e) {
            errno = e;
            return -1;
        }
    }
    return ff.rename(from, to);
}
