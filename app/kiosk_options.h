/* signet-kiosk's settings: command-line flags and the --config file share
 * one table (a config line "screen = wz1" is the flag "--screen wz1"), and
 * flags win over the file. */
#ifndef SIGNET_KIOSK_OPTIONS_H
#define SIGNET_KIOSK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "sg_err.h"

#define KIOSK_MAX_GROUPS 8
#define KIOSK_MAX_STRINGS 64

struct kiosk_options {
    const char *feed_file;
    const char *queue;      /* base URL of a queue or mirror (net mode) */
    const char *token_file; /* the screen's token, for status reports */
    int64_t long_poll_s;
    double poll_interval_s, net_timeout_s, retry_max_s, status_interval_s;
    const char *ca_file;
    const char *pin_key;
    const char *media_dir; /* default: "media" beside the feed file */
    const char *trust_files[KEYS_MAX_TRUSTED];
    size_t ntrust;
    const char *screen;
    const char *groups[KIOSK_MAX_GROUPS];
    size_t ngroups;
    const char *config;
    const char *state_dir;
    const char *clinic; /* header text when the feed names none */
    const char *timezone;
    int width, height;
    bool fullscreen;
    bool software; /* skip the GPU renderer */
    int rotate;
    bool headless;
    const char *screenshot;
    double exit_after;       /* seconds; 0 = run until stopped */
    const char *clock_start; /* RFC 3339: the board's clock starts here (tests, demos) */
    const char *play_log;
    int64_t dwell_min_ms, dwell_max_ms;
    int64_t fade_ms;
    bool verbose;
    bool help;
    /* Owned copies of strings from the config file. */
    char *owned[KIOSK_MAX_STRINGS];
    size_t nowned;
};

void kiosk_options_init(struct kiosk_options *o);
void kiosk_options_finish(struct kiosk_options *o);

/* Parses argv (and the --config file it names, whose settings flags
 * override). Fills err with a message naming the bad option. */
bool kiosk_options_parse(struct kiosk_options *o, int argc, char **argv,
                         struct sg_err *err) SG_MUST_USE;

/* Checks that the settings make sense together (screen id given, trust key,
 * feed source). */
bool kiosk_options_check(const struct kiosk_options *o, struct sg_err *err) SG_MUST_USE;

extern const char kiosk_usage[];

#endif
