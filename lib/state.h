/* What a screen has accepted, kept across restarts and power cuts so that
 * rollback protection and the clock floor survive them.
 *
 * File <state-dir>/accepted-<screen>.json, written atomically:
 *   {"screen":"wz1","version":5,"sha256":"<hex of the payload>","issued":"<RFC 3339>"}
 * A missing file means nothing was accepted yet. A corrupt one is an error
 * the caller logs. Atomic writes mean a crash never leaves one; only a
 * damaged card or a hand edit does, and then the kiosk starts anyway (a
 * black screen helps nobody) and takes the floor from the cached envelope
 * below, which is written first and so is never older than this record. */
#ifndef SIGNET_STATE_H
#define SIGNET_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "fileio.h"
#include "sg_err.h"

#define STATE_MAX_BYTES 4096

struct state_accepted {
    bool present;
    int64_t version;
    unsigned char sha256[32];
    int64_t issued;
};

/* Screen ids become file names: letters, digits, '.', '_' and '-', not
 * starting with '.', at most FEED_MAX_ID_LEN bytes. */
bool state_screen_id_valid(const char *screen);

/* Parses the text of a state file for screen. */
bool state_parse(const char *text, size_t len, const char *screen, struct state_accepted *out,
                 struct sg_err *err) SG_MUST_USE;

/* Loads the state for screen; a missing file gives present = false. */
bool state_load(const char *dir, const char *screen, struct state_accepted *out,
                struct sg_err *err) SG_MUST_USE;

/* Records an accepted feed. faults may be NULL (a test seam). */
bool state_save(const char *dir, const char *screen, const struct feed_doc *doc,
                const struct fileio_faults *faults, struct sg_err *err) SG_MUST_USE;

/* The accepted envelope itself, <dir>/feed-<screen>.dsse, exactly the bytes
 * that verified, so that a board that starts without network can verify and
 * show it again. It is only a cache: whoever reads it verifies it like bytes
 * from the network, and the state file above stays the rollback record
 * (write the envelope first, then the state, so the state never names a
 * version whose envelope is not on disk yet). */
bool state_save_envelope(const char *dir, const char *screen, const char *bytes, size_t len,
                         const struct fileio_faults *faults, struct sg_err *err) SG_MUST_USE;
/* Reads the cached envelope (at most FEED_MAX_ENVELOPE_BYTES). A missing file
 * gives true with *out NULL. */
bool state_load_envelope(const char *dir, const char *screen, char **out, size_t *len,
                         struct sg_err *err) SG_MUST_USE;

/* Deletes the cached envelope (when writing a newer one failed). True when
 * there is none afterwards. */
bool state_remove_envelope(const char *dir, const char *screen);

/* Deletes the temp files a crash or power cut left behind while this
 * screen's record or envelope was being written (fileio's "<file>.tmp-*").
 * Returns how many were removed; problems are ignored (the next start
 * retries). */
size_t state_remove_temp(const char *dir, const char *screen);

#endif
