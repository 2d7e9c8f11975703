#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level max_level = LOG_INFO;
static pthread_mutex_t problem_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_problem[1024];

void log_set_level(enum log_level level)
{
    max_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    if (level > max_level && level > LOG_WARN)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (level <= LOG_WARN) {
        pthread_mutex_lock(&problem_lock);
        memcpy(last_problem, line, sizeof last_problem);
        pthread_mutex_unlock(&problem_lock);
    }
    if (level > max_level)
        return;
    /* syslog priorities: err 3, warning 4, info 6, debug 7. */
    static const int prio[] = {3, 4, 6, 7};
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (getenv("JOURNAL_STREAM"))
        fprintf(stderr, "<%d>%s\n", prio[level], line);
    else
        fprintf(stderr, "signet-kiosk: %s: %s\n", names[level], line);
}

void log_last_problem(char *out, size_t cap)
{
    if (cap == 0)
        return;
    pthread_mutex_lock(&problem_lock);
    snprintf(out, cap, "%s", last_problem);
    pthread_mutex_unlock(&problem_lock);
}

void log_clear_problem(void)
{
    pthread_mutex_lock(&problem_lock);
    last_problem[0] = '\0';
    pthread_mutex_unlock(&problem_lock);
}
