/* libFuzzer target: the key = value configuration parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kvconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool accept_pair(void *ctx, int line, const char *key, const char *value, struct sg_err *err)
{
    (void)err;
    (void)line;
    size_t *total = ctx;
    /* Keys and values are bounded by the line limit. */
    if (strlen(key) + strlen(value) > KVCONF_MAX_LINE)
        __builtin_trap();
    (*total)++;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    struct sg_err err = {0};
    if (!kvconf_parse((const char *)data, size, accept_pair, &total, &err) && !err.set)
        __builtin_trap();
    return 0;
}
