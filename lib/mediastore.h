/* Media files by content hash: <dir>/<sha256 hex>. Loading always re-checks
 * the hash, and callers decode only the bytes that were checked, so a file
 * swapped after the check can never reach the screen. */
#ifndef SIGNET_MEDIASTORE_H
#define SIGNET_MEDIASTORE_H

#include <stddef.h>

#include "fileio.h"
#include "sg_err.h"
#include "verdict.h"

#define MEDIASTORE_MAX_BYTES (8u * 1024u * 1024u) /* one image, as fetched */

/* On VERDICT_MEDIA_OK, *out (malloc'd) and *len hold the verified bytes;
 * otherwise *out is NULL and err says why. */
enum verdict_media_state mediastore_load(const char *dir, const char *sha256, unsigned char **out,
                                         size_t *len, struct sg_err *err) SG_MUST_USE;

/* Stores bytes as <dir>/<sha256> atomically, after checking that they hash
 * to sha256 (false and err otherwise: a mismatch never reaches the folder).
 * Creates dir when missing. faults may be NULL (a test seam). */
bool mediastore_save(const char *dir, const char *sha256, const unsigned char *bytes, size_t len,
                     const struct fileio_faults *faults, struct sg_err *err) SG_MUST_USE;

/* Deletes every file in dir that is not named by one of keep[0..n) (media of
 * feeds no longer on screen, temp files a crash left behind). Returns the
 * number of files removed; problems are ignored (the next prune retries). */
size_t mediastore_prune(const char *dir, const char *const *keep, size_t n);

/* A verdict_media_fn over a folder (ctx is the folder path, const char *). */
enum verdict_media_state mediastore_check(void *dir, const char *sha256);

#endif
