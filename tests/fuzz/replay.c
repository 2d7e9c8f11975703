/* Runs a fuzz target over files given on the command line, without libFuzzer:
 * every build (gcc, ASan, qemu) replays the corpus and saved crashers as a
 * regression test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        char *buf = NULL;
        size_t len = 0;
        struct sg_err err = {0};
        if (!fileio_read(argv[i], 64u * 1024 * 1024, &buf, &len, &err)) {
            fprintf(stderr, "replay: %s\n", err.msg);
            return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        free(buf);
        n++;
    }
    printf("replayed %d inputs\n", n);
    return n > 0 ? 0 : 1;
}
