#include "play_log.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sgtime.h"

struct play_log {
    int fd; /* -1: disabled */
};

struct play_log *play_log_open(const char *path, struct sg_err *err)
{
    struct play_log *log = malloc(sizeof *log);
    if (!log) {
        sg_err_set(err, "out of memory");
        return NULL;
    }
    log->fd = -1;
    if (path && (log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        sg_err_set(err, "play log %s: %s", path, strerror(errno));
        free(log);
        return NULL;
    }
    return log;
}

void play_log_free(struct play_log *log)
{
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd);
    free(log);
}

bool play_log_write(struct play_log *log, int64_t time, const char *screen, const char *item,
                    int64_t rev, int64_t version, struct sg_err *err)
{
    if (!log || log->fd < 0)
        return true;
    char when[SGTIME_RFC3339_LEN + 1];
    sgtime_format_rfc3339(time, when);
    /* json-c does the escaping: ids come from the feed. */
    struct json_object *o = json_object_new_object();
    if (!o || json_object_object_add(o, "time", json_object_new_string(when)) ||
        json_object_object_add(o, "screen", json_object_new_string(screen)) ||
        json_object_object_add(o, "item", json_object_new_string(item)) ||
        json_object_object_add(o, "rev", json_object_new_int64(rev)) ||
        json_object_object_add(o, "version", json_object_new_int64(version))) {
        json_object_put(o);
        sg_err_set(err, "out of memory");
        return false;
    }
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *line = text ? malloc(len + 2) : NULL;
    bool ok = line != NULL;
    if (ok) {
        memcpy(line, text, len);
        line[len] = '\n';
        ssize_t w = write(log->fd, line, len + 1);
        ok = w == (ssize_t)(len + 1);
        if (!ok)
            sg_err_set(err, "play log: %s", w < 0 ? strerror(errno) : "short write");
        free(line);
    } else {
        sg_err_set(err, "out of memory");
    }
    json_object_put(o);
    return ok;
}
