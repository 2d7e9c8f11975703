/* libFuzzer target: the blocklist (ingest_blocklist.c). The input is a list,
 * a NUL byte, then a text (no NUL: the whole input is a list, with no text).
 * Lists are staff's files and texts are anyone's posts; both must neither
 * crash nor take more than linear work. Besides memory errors, a broken
 * promise traps: a refused list without a message; a match that is not an
 * entry as written in the list (non-empty UTF-8 on one line, no comment);
 * an entry that does not match itself; a result that changes when ASCII
 * letters change case (the normaliser folds case first); a list that does
 * not match itself read as a text although one of its lines does. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* memmem is a GNU extension; this is the portable few lines. */
static bool contains(const void *hay, size_t n, const char *needle, size_t k)
{
    const char *h = hay;
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(h + i, needle, k) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    size_t list_len = nul ? (size_t)(nul - in) : size;
    const char *text = nul ? nul + 1 : "";
    size_t text_len = nul ? size - list_len - 1 : 0;

    struct sg_err err = {0};
    struct ingest_blocklist *b = ingest_blocklist_new(in, list_len, &err);
    if (!b) {
        if (!err.set || err.msg[0] == '\0')
            __builtin_trap();
        return 0;
    }
    const char *hit = ingest_blocklist_match(b, text, text_len);
    if (hit) {
        size_t n = strlen(hit);
        if (n == 0 || !text_utf8_valid(hit, n) || strpbrk(hit, "\n#") ||
            !contains(in, list_len, hit, n) || !ingest_blocklist_match(b, hit, n))
            __builtin_trap();
    }
    /* ASCII case does not matter: the same entry, or none, either way. */
    char *upper = malloc(text_len + 1);
    if (upper) {
        for (size_t i = 0; i < text_len; i++)
            upper[i] = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 32) : text[i];
        if (ingest_blocklist_match(b, upper, text_len) != hit)
            __builtin_trap();
        free(upper);
    }
    /* The list read as a text holds every entry, so it matches unless the
     * list has none: then no line of it may match either. */
    if (!ingest_blocklist_match(b, in, list_len)) {
        for (size_t start = 0; start < list_len;) {
            const char *nl = memchr(in + start, '\n', list_len - start);
            size_t end = nl ? (size_t)(nl - in) : list_len;
            if (ingest_blocklist_match(b, in + start, end - start))
                __builtin_trap();
            start = end + 1;
        }
    }
    ingest_blocklist_free(b);
    return 0;
}
