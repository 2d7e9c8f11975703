/* libFuzzer target: ingest_html_to_text on arbitrary bytes. The text is
 * valid UTF-8 within the limit asked for, sanitised (no leading white
 * space, no more than one blank line), the same on every call; the link
 * passes ingest_url_ok. The first byte picks a small limit too, so cuts
 * land everywhere. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "ingest_internal.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *t, size_t max)
{
    if (!t)
        __builtin_trap(); /* NULL only when out of memory */
    size_t n = strlen(t);
    if (n > max || !text_utf8_valid(t, n))
        __builtin_trap();
    if (n > 0 && (t[0] == ' ' || t[0] == '\n'))
        __builtin_trap();
    if (strstr(t, "\n\n\n") || strstr(t, "  "))
        __builtin_trap();
    /* Bidi overrides (U+202A..U+202E) and isolates (U+2066..U+2069). */
    for (size_t i = 0; i + 2 < n; i++) {
        const unsigned char *u = (const unsigned char *)t + i;
        if (u[0] == 0xE2 && ((u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE) ||
                             (u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *html = (const char *)data;
    char *link = NULL;
    char *t = ingest_html_to_text(html, size, INGEST_MAX_BODY_LEN, &link);
    check_text(t, INGEST_MAX_BODY_LEN);
    if (link && (!ingest_url_ok(link) || strncmp(link, "http", 4) != 0))
        __builtin_trap();

    /* Same input, same output; the link does not depend on being asked. */
    char *again = ingest_html_to_text(html, size, INGEST_MAX_BODY_LEN, NULL);
    if (!again || strcmp(again, t) != 0)
        __builtin_trap();
    free(again);

    size_t small = size > 0 ? data[0] % 64 : 0;
    char *link2 = NULL;
    char *cut = ingest_html_to_text(html, size, small, &link2);
    check_text(cut, small);
    if ((link == NULL) != (link2 == NULL) || (link && strcmp(link, link2) != 0))
        __builtin_trap();
    free(cut);
    free(link2);
    free(t);
    free(link);
    return 0;
}
