/* libFuzzer target: everything the kiosk reads from a queue's answers
 * besides the feed itself (that is fuzz_envelope/fuzz_payload): the status
 * reply, response header lines (ETag), and the strings it takes from its
 * configuration (queue URL, token file). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    bool shot = true;
    struct sg_err err = {0};
    if (!netproto_status_reply(text, size, &shot, &err) && (shot || !err.set))
        __builtin_trap();

    char etag[NETPROTO_MAX_ETAG + 1];
    if (netproto_header_etag(text, size, etag) && strlen(etag) > NETPROTO_MAX_ETAG)
        __builtin_trap();

    int64_t delay = -1;
    if (netproto_header_retry_after(text, size, 1800000000, &delay) &&
        (delay < 0 || delay > NETPROTO_MAX_RETRY_AFTER_S))
        __builtin_trap();

    char token[65];
    struct sg_err terr = {0};
    if (netproto_token_parse(text, size, token, &terr) && strlen(token) != 64)
        __builtin_trap();

    /* The URL checker takes a C string. */
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char url[NETPROTO_MAX_URL + 1], feed[NETPROTO_MAX_URL + 256];
    struct sg_err uerr = {0};
    if (netproto_base_url(s, url, &uerr)) {
        /* No credentials: no '@' before the path (one in the path is data). */
        const char *host = strstr(url, "://");
        size_t hostlen = host ? strcspn(host + 3, "/") : 0;
        if (strncmp(url, "http", 4) != 0 || !host || memchr(host + 3, '@', hostlen) ||
            strchr(url, '?'))
            __builtin_trap();
        if (netproto_feed_url(url, "wz1", 25, feed, sizeof feed) && !strstr(feed, "/v1/screens/"))
            __builtin_trap();
    }
    free(s);
    return 0;
}
