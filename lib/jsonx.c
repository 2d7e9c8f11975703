#include "jsonx.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Counts the members of every object in document order (the order of their
 * '{'), by counting ':' outside strings at each object's own level. Only
 * called on text json-c already accepted, so the grammar is known good. */
static bool count_members(const char *buf, size_t len, int max_depth, size_t **counts,
                          size_t *nobjects)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '{';
    size_t *cnt = calloc(n ? n : 1, sizeof *cnt);
    size_t *stack = calloc((size_t)max_depth + 1, sizeof *stack); /* object index or SIZE_MAX */
    if (!cnt || !stack) {
        free(cnt);
        free(stack);
        return false;
    }
    size_t depth = 0, next = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if ((c == '{' || c == '[') && depth <= (size_t)max_depth) {
            stack[depth++] = c == '{' ? next++ : SIZE_MAX;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ':' && depth > 0 && stack[depth - 1] != SIZE_MAX) {
            cnt[stack[depth - 1]]++;
        }
    }
    free(stack);
    *counts = cnt;
    *nobjects = next;
    return true;
}

/* Walks the tree in the same pre-order as the text; the first object whose
 * json-c member count is below the text's count held a duplicate key. */
static bool same_counts(struct json_object *o, const size_t *counts, size_t n, size_t *next)
{
    if (json_object_is_type(o, json_type_object)) {
        if (*next >= n || counts[*next] != (size_t)json_object_object_length(o))
            return false;
        (*next)++;
        json_object_object_foreach(o, key, val)
        {
            (void)key;
            if (!same_counts(val, counts, n, next))
                return false;
        }
    } else if (json_object_is_type(o, json_type_array)) {
        size_t len = json_object_array_length(o);
        for (size_t i = 0; i < len; i++)
            if (!same_counts(json_object_array_get_idx(o, i), counts, n, next))
                return false;
    }
    return true;
}

/* The strict parse both entry points share; the top level must be of type
 * want ("an object" or "an array" in the message). */
static bool parse_strict(const char *buf, size_t len, size_t max_len, int max_depth,
                         enum json_type want, const char *want_name, struct json_object **out,
                         struct sg_err *err)
{
    *out = NULL;
    if (len > max_len) {
        sg_err_set(err, "document of %zu bytes exceeds the limit of %zu", len, max_len);
        return false;
    }
    if (memchr(buf, '\0', len)) {
        sg_err_set(err, "document contains a NUL byte");
        return false;
    }
    if (!text_utf8_valid(buf, len)) {
        sg_err_set(err, "document is not valid UTF-8");
        return false;
    }
    struct json_tokener *tok = json_tokener_new_ex(max_depth);
    if (!tok) {
        sg_err_set(err, "out of memory");
        return false;
    }
    /* UTF-8 was checked above, more strictly than json-c's own check
     * (overlongs, surrogates), so its JSON_TOKENER_VALIDATE_UTF8 is not used. */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *obj = json_tokener_parse_ex(tok, buf, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!obj || jerr != json_tokener_success) {
        json_object_put(obj);
        if (jerr == json_tokener_error_depth)
            sg_err_set(err, "JSON nested deeper than %d levels", max_depth);
        else if (jerr == json_tokener_continue)
            sg_err_set(err, "JSON document is truncated");
        else
            sg_err_set(err, "JSON syntax error at byte %zu: %s", end,
                       json_tokener_error_desc(jerr));
        return false;
    }
    while (end < len && is_json_space(buf[end]))
        end++;
    if (end != len) {
        json_object_put(obj);
        sg_err_set(err, "unexpected data after the JSON document at byte %zu", end);
        return false;
    }
    if (!json_object_is_type(obj, want)) {
        json_object_put(obj);
        sg_err_set(err, "JSON document is not %s", want_name);
        return false;
    }
    size_t *counts, nobjects, next = 0;
    if (!count_members(buf, len, max_depth, &counts, &nobjects)) {
        json_object_put(obj);
        sg_err_set(err, "out of memory");
        return false;
    }
    bool unique = same_counts(obj, counts, nobjects, &next) && next == nobjects;
    free(counts);
    if (!unique) {
        json_object_put(obj);
        sg_err_set(err, "JSON object has a duplicate key");
        return false;
    }
    *out = obj;
    return true;
}

bool jsonx_parse_object(const char *buf, size_t len, size_t max_len, int max_depth,
                        struct json_object **out, struct sg_err *err)
{
    return parse_strict(buf, len, max_len, max_depth, json_type_object, "an object", out, err);
}

bool jsonx_parse_array(const char *buf, size_t len, size_t max_len, int max_depth,
                       struct json_object **out, struct sg_err *err)
{
    return parse_strict(buf, len, max_len, max_depth, json_type_array, "an array", out, err);
}

static bool get_member(struct json_object *obj, const char *what, const char *key,
                       enum json_type type, const char *type_name, bool required,
                       struct json_object **out, struct sg_err *err)
{
    struct json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &v)) {
        if (required)
            sg_err_set(err, "%s: missing \"%s\"", what, key);
        return !required;
    }
    if (!json_object_is_type(v, type)) {
        sg_err_set(err, "%s: \"%s\" must be %s", what, key, type_name);
        return false;
    }
    *out = v;
    return true;
}

bool jsonx_get_string(struct json_object *obj, const char *what, const char *key, size_t max_len,
                      bool required, const char **out, struct sg_err *err)
{
    struct json_object *v;
    if (!get_member(obj, what, key, json_type_string, "a string", required, &v, err))
        return false;
    if (!v)
        return true;
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (len > max_len) {
        sg_err_set(err, "%s: \"%s\" is %zu bytes, over the limit of %zu", what, key, len, max_len);
        return false;
    }
    /* "\u0000" and lone surrogate escapes survive json-c's UTF-8 check. */
    if (!text_utf8_valid(s, len)) {
        sg_err_set(err, "%s: \"%s\" holds a NUL or invalid UTF-8", what, key);
        return false;
    }
    *out = s;
    return true;
}

bool jsonx_get_int(struct json_object *obj, const char *what, const char *key, int64_t min,
                   int64_t max, bool required, int64_t *out, struct sg_err *err)
{
    struct json_object *v;
    if (!get_member(obj, what, key, json_type_int, "an integer", required, &v, err))
        return false;
    if (!v)
        return true;
    /* json-c clamps out-of-range numbers to INT64_MIN/MAX, which the range
     * check below refuses unless a caller allows the full range. */
    int64_t n = json_object_get_int64(v);
    if (n < min || n > max) {
        sg_err_set(err, "%s: \"%s\" is out of range", what, key);
        return false;
    }
    *out = n;
    return true;
}

bool jsonx_get_object(struct json_object *obj, const char *what, const char *key, bool required,
                      struct json_object **out, struct sg_err *err)
{
    return get_member(obj, what, key, json_type_object, "an object", required, out, err);
}

bool jsonx_get_array(struct json_object *obj, const char *what, const char *key, size_t max_len,
                     bool required, struct json_object **out, struct sg_err *err)
{
    if (!get_member(obj, what, key, json_type_array, "an array", required, out, err))
        return false;
    if (*out && json_object_array_length(*out) > max_len) {
        sg_err_set(err, "%s: \"%s\" has more than %zu entries", what, key, max_len);
        *out = NULL;
        return false;
    }
    return true;
}

bool jsonx_get_bool(struct json_object *obj, const char *what, const char *key, bool required,
                    bool *out, struct sg_err *err)
{
    struct json_object *v;
    if (!get_member(obj, what, key, json_type_boolean, "true or false", required, &v, err))
        return false;
    if (v)
        *out = json_object_get_boolean(v);
    return true;
}

bool jsonx_only_members(struct json_object *obj, const char *what, const char *const *allowed,
                        size_t n, struct sg_err *err)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known) {
            /* Keys are valid UTF-8 (the parse checked the document) but may be long. */
            sg_err_set(err, "%s: unknown member \"%.40s\"", what, key);
            return false;
        }
    }
    return true;
}
