/* libFuzzer target: POST /api/ingest bodies (ingest_webhook.c), which come
 * from whoever holds a source's ingest token. Besides memory errors, a
 * broken promise traps: the batch invariants of ingest.h
 * (ingest_invariants.h), and the webhook's own strictness: ids unique and
 * exactly as sent, every post with a body or a title, no post dropped
 * silently (a webhook refuses instead of skipping). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest.h"
#include "ingest_invariants.h"

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
    struct ingest_batch b;
    struct sg_err err = {0};
    bool ok = ingest_parse_webhook((const char *)data, size, &b, &err);
    if (!ingest_batch_valid(ok, &b, &err) || b.skipped != 0)
        __builtin_trap();
    for (size_t i = 0; i < b.n; i++) {
        const struct ingest_post *p = &b.posts[i];
        if ((!p->title && p->body[0] == '\0') || p->reply || p->repost || p->visibility ||
            p->labels)
            __builtin_trap();
        /* The id is stored as sent, so in a body without escapes it
         * appears verbatim. */
        if (!memchr(data, '\\', size) && !contains(data, size, p->ext_id, strlen(p->ext_id)))
            __builtin_trap();
        for (size_t j = 0; j < i; j++)
            if (strcmp(b.posts[j].ext_id, p->ext_id) == 0)
                __builtin_trap();
    }
    ingest_batch_finish(&b);
    return 0;
}
