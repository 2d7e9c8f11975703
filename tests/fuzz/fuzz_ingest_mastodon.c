/* libFuzzer target: Mastodon's account statuses (a JSON array), as ingest_mastodon.c reads it
 * from a server anyone can run. Besides memory errors, a broken promise of
 * ingest.h traps (ingest_invariants.h): a refusal without a message or with
 * posts left, a post string that is not UTF-8 or over its limit, a link or
 * image URL that fails ingest_url_ok. */
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "ingest_invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_batch b;
    struct sg_err err = {0};
    bool ok = ingest_parse_mastodon((const char *)data, size, &b, &err);
    if (!ingest_batch_valid(ok, &b, &err))
        __builtin_trap();
    ingest_batch_finish(&b);
    return 0;
}
