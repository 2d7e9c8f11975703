/* Strict JSON on top of json-c 0.16.
 *
 * json-c alone accepts things a signed document must not contain: it keeps
 * the last of duplicate keys silently, it stops at the first complete value
 * and ignores the rest, and it lets "\u0000" put a NUL inside a string. This
 * wrapper rejects all of those, plus documents over a size or depth limit,
 * NUL bytes and invalid UTF-8, and offers typed getters with length limits. */
#ifndef SIGNET_JSONX_H
#define SIGNET_JSONX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_err.h"

struct json_object;

/* Parses buf[0..len) as one JSON object (the top level must be an object).
 * On success *out is a new reference the caller puts with json_object_put. */
bool jsonx_parse_object(const char *buf, size_t len, size_t max_len, int max_depth,
                        struct json_object **out, struct sg_err *err) SG_MUST_USE;

/* The same for a document whose top level must be an array (Mastodon's
 * timelines are one). */
bool jsonx_parse_array(const char *buf, size_t len, size_t max_len, int max_depth,
                       struct json_object **out, struct sg_err *err) SG_MUST_USE;

/* Typed member access. `what` names the object in error messages ("item 3").
 * A missing member is an error only when required; then *out is untouched
 * (getters never allocate: strings are borrowed from obj). A present member
 * of the wrong type, over max_len bytes, with a NUL or invalid UTF-8 is an
 * error. */
bool jsonx_get_string(struct json_object *obj, const char *what, const char *key, size_t max_len,
                      bool required, const char **out, struct sg_err *err) SG_MUST_USE;
bool jsonx_get_int(struct json_object *obj, const char *what, const char *key, int64_t min,
                   int64_t max, bool required, int64_t *out, struct sg_err *err) SG_MUST_USE;
/* *out is NULL when absent and not required. */
bool jsonx_get_object(struct json_object *obj, const char *what, const char *key, bool required,
                      struct json_object **out, struct sg_err *err) SG_MUST_USE;
/* *out is untouched when absent and not required. */
bool jsonx_get_bool(struct json_object *obj, const char *what, const char *key, bool required,
                    bool *out, struct sg_err *err) SG_MUST_USE;
bool jsonx_get_array(struct json_object *obj, const char *what, const char *key, size_t max_len,
                     bool required, struct json_object **out, struct sg_err *err) SG_MUST_USE;

/* Refuses any member of obj whose name is not in allowed[0..n): a typo in a
 * client's field name is an error ("item: unknown member \"titel\""), not a
 * silently ignored setting. */
bool jsonx_only_members(struct json_object *obj, const char *what, const char *const *allowed,
                        size_t n, struct sg_err *err) SG_MUST_USE;
#define JSONX_ONLY_MEMBERS(obj, what, list, err)                                                   \
    jsonx_only_members(obj, what, list, sizeof list / sizeof list[0], err)

#endif
