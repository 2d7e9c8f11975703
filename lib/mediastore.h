/* Media files by content hash: <dir>/<sha256 hex>. Loading always re-checks
 * the hash, and callers decode only the bytes that were checked, so a file
 * swapped after the check can never reach the screen. */
#ifndef SIGNET_MEDIASTORE_H
#define SIGNET_MEDIASTORE_H

#include <stddef.h>

#include "sg_err.h"
#include "verdict.h"

#define MEDIASTORE_MAX_BYTES (8u * 1024u * 1024u) /* one image, as fetched */

/* On VERDICT_MEDIA_OK, *out (malloc'd) and *len hold the verified bytes;
 * otherwise *out is NULL and err says why. */
enum verdict_media_state mediastore_load(const char *dir, const char *sha256, unsigned char **out,
                                         size_t *len, struct sg_err *err) SG_MUST_USE;

/* A verdict_media_fn over a folder (ctx is the folder path, const char *). */
enum verdict_media_state mediastore_check(void *dir, const char *sha256);

#endif
