/* libFuzzer target: ingest_parse_feed (RSS 2.0, Atom) on arbitrary bytes.
 * Whatever the document, a success holds only posts ingest.h allows (every
 * string valid UTF-8 within its limit, links and images http(s)), and a
 * failure leaves an empty batch and one error message. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest.h"
#include "ingest_internal.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t max, bool required)
{
    if (!s) {
        if (required)
            __builtin_trap();
        return;
    }
    size_t n = strlen(s);
    if (n > max || !text_utf8_valid(s, n))
        __builtin_trap();
}

static void check_post(const struct ingest_post *p)
{
    check_str(p->ext_id, INGEST_MAX_EXT_ID_LEN, true);
    if (!p->ext_id[0])
        __builtin_trap();
    check_str(p->title, INGEST_MAX_TITLE_LEN, false);
    check_str(p->body, INGEST_MAX_BODY_LEN, true);
    check_str(p->author, INGEST_MAX_SHORT_LEN, false);
    check_str(p->lang, 35, false);
    if (p->version || p->content_warning || p->visibility || p->labels)
        __builtin_trap(); /* feeds have none of these */
    if (p->link && !ingest_url_ok(p->link))
        __builtin_trap();
    if (p->lang)
        for (const char *c = p->lang; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '-'))
                __builtin_trap();
    if (p->nimages > INGEST_MAX_IMAGES)
        __builtin_trap();
    for (size_t i = 0; i < p->nimages; i++) {
        if (!ingest_url_ok(p->images[i].url))
            __builtin_trap();
        check_str(p->images[i].alt, INGEST_MAX_ALT_LEN, false);
        for (size_t k = 0; k < i; k++)
            if (strcmp(p->images[k].url, p->images[i].url) == 0)
                __builtin_trap(); /* the same image twice */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_batch b;
    struct sg_err err = {0};
    if (!ingest_parse_feed((const char *)data, size, &b, &err)) {
        if (!err.set || b.n != 0 || b.posts != NULL || b.skipped != 0)
            __builtin_trap();
        return 0;
    }
    if (err.set || b.n > INGEST_MAX_POSTS || (b.n > 0 && !b.posts))
        __builtin_trap();
    for (size_t i = 0; i < b.n; i++)
        check_post(&b.posts[i]);
    ingest_batch_finish(&b);
    if (b.n != 0 || b.posts != NULL)
        __builtin_trap();
    return 0;
}
