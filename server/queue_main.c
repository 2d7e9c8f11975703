/* signet-queue: the moderation queue's command line (init, serve, publish,
 * backup, audit verify). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argv;
    if (argc < 2) {
        fputs("usage: signet-queue init|serve|publish|backup|audit ...\n", stderr);
        return 2;
    }
    fputs("signet-queue: commands are not built yet\n", stderr);
    return 2;
}
