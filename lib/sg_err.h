/* Errors are values: a module returns a status and fills an sg_err with the
 * first detail it saw; the edge (CLI exit code, log line) prints it once. */
#ifndef SIGNET_SG_ERR_H
#define SIGNET_SG_ERR_H

#include <stdbool.h>

#define SG_MUST_USE __attribute__((warn_unused_result))

struct sg_err {
    bool set;
    char msg[256];
};

/* Records a message unless one is already recorded: the first cause wins,
 * later context is dropped. err may be NULL. */
void sg_err_set(struct sg_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void sg_err_clear(struct sg_err *err)
{
    if (err) {
        err->set = false;
        err->msg[0] = '\0';
    }
}

#endif
