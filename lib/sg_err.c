#include "sg_err.h"

#include <stdarg.h>
#include <stdio.h>

void sg_err_set(struct sg_err *err, const char *fmt, ...)
{
    if (!err || err->set)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->set = true;
}
