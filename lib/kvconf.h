/* "key = value" configuration files (the kiosk's --config, later the boot
 * partition's signet.txt).
 *
 * One setting per line; blank lines and lines starting with '#' are
 * ignored; a UTF-8 byte order mark and CRLF line ends are accepted (files
 * edited on Windows). Keys are [a-z0-9-]+; the value is the rest of the line
 * with surrounding spaces removed. The file must be valid UTF-8 without NUL
 * bytes and within the size limits. */
#ifndef SIGNET_KVCONF_H
#define SIGNET_KVCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_err.h"

#define KVCONF_MAX_BYTES (64u * 1024u)
#define KVCONF_MAX_LINE 1024

/* Called once per setting, in file order; returning false stops parsing
 * (fn sets err). key and value are only valid during the call. */
typedef bool (*kvconf_fn)(void *ctx, int line, const char *key, const char *value,
                          struct sg_err *err);

bool kvconf_parse(const char *text, size_t len, kvconf_fn fn, void *ctx,
                  struct sg_err *err) SG_MUST_USE;

#endif
