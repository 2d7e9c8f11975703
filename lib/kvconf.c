#include "kvconf.h"

#include <string.h>

#include "text.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool parse_line(char *line, int lineno, kvconf_fn fn, void *ctx, struct sg_err *err)
{
    while (is_space(*line))
        line++;
    if (*line == '\0' || *line == '#')
        return true;
    char *eq = strchr(line, '=');
    if (!eq) {
        sg_err_set(err, "line %d: expected \"key = value\"", lineno);
        return false;
    }
    char *key_end = eq;
    while (key_end > line && is_space(key_end[-1]))
        key_end--;
    *key_end = '\0';
    size_t key_len = strlen(line);
    if (key_len == 0 || strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789-") != key_len) {
        sg_err_set(err, "line %d: a key may only hold a-z, 0-9 and '-'", lineno);
        return false;
    }
    char *value = eq + 1;
    while (is_space(*value))
        value++;
    char *end = value + strlen(value);
    while (end > value && is_space(end[-1]))
        end--;
    *end = '\0';
    return fn(ctx, lineno, line, value, err);
}

bool kvconf_parse(const char *text, size_t len, kvconf_fn fn, void *ctx, struct sg_err *err)
{
    if (len > KVCONF_MAX_BYTES) {
        sg_err_set(err, "configuration is larger than %u bytes", KVCONF_MAX_BYTES);
        return false;
    }
    if (!text_utf8_valid(text, len)) {
        sg_err_set(err, "configuration is not valid UTF-8 text (or holds a NUL byte)");
        return false;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    char line[KVCONF_MAX_LINE + 1];
    int lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        size_t next = pos + n + (nl ? 1 : 0);
        if (n > 0 && text[pos + n - 1] == '\r')
            n--;
        if (n > KVCONF_MAX_LINE) {
            sg_err_set(err, "line %d: longer than %d bytes", lineno, KVCONF_MAX_LINE);
            return false;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        if (memchr(line, '\r', n)) {
            sg_err_set(err, "line %d: stray carriage return", lineno);
            return false;
        }
        if (!parse_line(line, lineno, fn, ctx, err))
            return false;
        pos = next;
    }
    return true;
}
