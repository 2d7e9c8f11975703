/* libFuzzer target: the accepted-state file parser (read back after power
 * cuts, so it must survive any bytes). */
#include <stddef.h>
#include <stdint.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct state_accepted st;
    struct sg_err err = {0};
    bool ok = state_parse((const char *)data, size, "wz1", &st, &err);
    if (ok != st.present || (!ok && !err.set))
        __builtin_trap();
    return 0;
}
