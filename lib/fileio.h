/* Reading files suspiciously and writing them atomically (STYLE.md 8). */
#ifndef SIGNET_FILEIO_H
#define SIGNET_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sg_err.h"

/* A seam for tests: when set, called before every write step with the step's
 * name ("open", "write", "fsync", "rename", "dirsync"); returning a non-zero
 * errno makes that step fail with it. NULL in production. */
typedef int (*fileio_fault_fn)(void *ctx, const char *step);

struct fileio_faults {
    fileio_fault_fn fn;
    void *ctx;
};

/* Reads at most max bytes of a regular file. A larger file is an error (not
 * truncated). *out is malloc'd, NUL-terminated (not counted in *len). */
bool fileio_read(const char *path, size_t max, char **out, size_t *len,
                 struct sg_err *err) SG_MUST_USE;

/* Replaces path with data so that after a crash or power cut the file holds
 * either the old or the new bytes: write a temp file in the same folder,
 * fsync it, rename over path, fsync the folder. Any failed step (ENOSPC, EIO,
 * a failed fsync) leaves the old file untouched and returns false. faults may
 * be NULL. If exclusive, fails when path exists. */
bool fileio_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         bool exclusive, const struct fileio_faults *faults,
                         struct sg_err *err) SG_MUST_USE;

#endif
