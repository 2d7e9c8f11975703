/* The staff web page (the files of server/web), embedded at build time by embed.cmake. */
#ifndef SIGNET_QUEUE_WEBASSETS_H
#define SIGNET_QUEUE_WEBASSETS_H

#include <stddef.h>

struct webasset {
    const char *path; /* "/index.html" */
    const unsigned char *data;
    size_t len;
};

/* Terminated by an entry with path NULL. */
extern const struct webasset webassets[];

#endif
