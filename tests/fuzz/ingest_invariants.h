/* What every ingest parser promises about a batch it returns (ingest.h),
 * checked by the fuzz targets (a broken promise traps) and the unit tests:
 * every string valid UTF-8 without NUL and within its limit, the id always
 * there, links and image URLs passing ingest_url_ok, counts in range. */
#ifndef SIGNET_TEST_INGEST_INVARIANTS_H
#define SIGNET_TEST_INGEST_INVARIANTS_H

#include <stdbool.h>
#include <string.h>

#include "ingest_internal.h"
#include "text.h"

static inline bool ingest_inv_text(const char *s, size_t max, bool may_be_null)
{
    if (!s)
        return may_be_null;
    size_t n = strlen(s);
    return n <= max && text_utf8_valid(s, n);
}

/* Optional strings are NULL rather than "" (the parsers' rule for absent). */
static inline bool ingest_inv_optional(const char *s, size_t max)
{
    return !s || (s[0] != '\0' && ingest_inv_text(s, max, false));
}

static inline bool ingest_post_valid(const struct ingest_post *p)
{
    if (!ingest_inv_text(p->ext_id, INGEST_MAX_EXT_ID_LEN, false) || p->ext_id[0] == '\0' ||
        !ingest_inv_optional(p->version, INGEST_MAX_VERSION_LEN) ||
        !ingest_inv_optional(p->title, INGEST_MAX_TITLE_LEN) ||
        !ingest_inv_text(p->body, INGEST_MAX_BODY_LEN, false) ||
        !ingest_inv_optional(p->author, INGEST_MAX_SHORT_LEN) ||
        !ingest_inv_optional(p->content_warning, INGEST_MAX_SHORT_LEN) ||
        !ingest_inv_optional(p->visibility, INGEST_MAX_SHORT_LEN) ||
        !ingest_inv_optional(p->labels, INGEST_MAX_LABELS_LEN) ||
        (p->link && !ingest_url_ok(p->link)) || (p->lang && !ingest_lang_ok(p->lang)) ||
        p->nimages > INGEST_MAX_IMAGES)
        return false;
    for (size_t i = 0; i < p->nimages; i++)
        if (!ingest_url_ok(p->images[i].url) ||
            !ingest_inv_optional(p->images[i].alt, INGEST_MAX_ALT_LEN))
            return false;
    return true;
}

/* ok: what the parser returned; err: its message. A refusal leaves the
 * batch empty and says why; a success holds at most INGEST_MAX_POSTS valid
 * posts. */
static inline bool ingest_batch_valid(bool ok, const struct ingest_batch *b,
                                      const struct sg_err *err)
{
    if (!ok)
        return b->n == 0 && !b->posts && b->skipped == 0 && err->set && err->msg[0] != '\0';
    if (b->n > INGEST_MAX_POSTS || (b->n > 0 && !b->posts))
        return false;
    for (size_t i = 0; i < b->n; i++)
        if (!ingest_post_valid(&b->posts[i]))
            return false;
    return true;
}

#endif
