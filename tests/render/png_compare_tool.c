/* png-compare ACTUAL GOLDEN [DIFF]: the golden-test verdict from the shell,
 * for looking at a failed render test by hand. Exit 0 match, 1 differ,
 * 2 error. */
#include <stdio.h>

#include "png_compare.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s ACTUAL GOLDEN [DIFF]\n", argv[0]);
        return 2;
    }
    struct png_compare_result res;
    if (!png_compare_files(argv[1], argv[2], argc == 4 ? argv[3] : NULL, &res)) {
        fprintf(stderr, "png-compare: %s\n", res.detail);
        return 2;
    }
    printf("%s: %ld pixels off, mean difference %.3f%s%s\n", res.match ? "match" : "differ",
           res.off, res.mean, res.match ? "" : ": ", res.match ? "" : res.detail);
    return res.match ? 0 : 1;
}
