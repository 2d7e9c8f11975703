/* libFuzzer target: the payload parser directly (in production it only sees
 * signed bytes, but a signing bug or a stolen key must not make it crash). */
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct feed_doc doc;
    struct sg_err err = {0};
    enum feed_parse_status st = feed_payload_parse(data, size, &doc, &err);
    /* A refusal always says why and leaves nothing behind. */
    if (st != FEED_PARSE_OK && (!err.set || doc.items))
        __builtin_trap();
    feed_doc_finish(&doc);
    return 0;
}
