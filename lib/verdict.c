#include "verdict.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char *verdict_reason_name(enum verdict_reason reason)
{
    static const char *const names[VERDICT_REASON_COUNT] = {
        [VERDICT_SHOWN] = "shown",
        [VERDICT_ENVELOPE_MALFORMED] = "envelope-malformed",
        [VERDICT_PAYLOAD_TYPE] = "payload-type",
        [VERDICT_UNKNOWN_KEY] = "unknown-key",
        [VERDICT_BAD_SIGNATURE] = "bad-signature",
        [VERDICT_PAYLOAD_MALFORMED] = "payload-malformed",
        [VERDICT_UNKNOWN_MAJOR] = "unknown-major-version",
        [VERDICT_WRONG_SCREEN] = "wrong-screen",
        [VERDICT_ROLLBACK] = "rollback",
        [VERDICT_REPLAY_MISMATCH] = "same-version-other-bytes",
        [VERDICT_FEED_EXPIRED] = "feed-expired",
        [VERDICT_NO_APPROVAL] = "no-approval",
        [VERDICT_APPROVAL_NOT_YET] = "approval-not-yet-valid",
        [VERDICT_APPROVAL_EXPIRED] = "approval-expired",
        [VERDICT_SCHEDULE_DATES] = "outside-schedule-dates",
        [VERDICT_SCHEDULE_WEEKDAY] = "outside-schedule-weekdays",
        [VERDICT_SCHEDULE_HOURS] = "outside-schedule-hours",
        [VERDICT_MEDIA_MISSING] = "media-missing",
        [VERDICT_MEDIA_MISMATCH] = "media-hash-mismatch",
    };
    return (unsigned)reason < VERDICT_REASON_COUNT ? names[reason] : "unknown";
}

/* Tries every signature whose keyid names a trusted key. DSSE keyids are
 * hints; ours are derived from the key, so a signature under an unknown id
 * cannot be from a trusted key. */
static enum verdict_reason check_signatures(const struct feed_envelope *env,
                                            const struct keys_trust *trust,
                                            char keyid[FEED_KEYID_HEX_LEN + 1], struct sg_err *err)
{
    size_t pae_len = 0;
    unsigned char *pae = feed_pae(env->payload_type, env->payload, env->payload_len, &pae_len);
    if (!pae) {
        sg_err_set(err, "out of memory");
        return VERDICT_ENVELOPE_MALFORMED;
    }
    bool matched = false;
    enum verdict_reason result = VERDICT_UNKNOWN_KEY;
    for (size_t s = 0; s < env->nsigs && result != VERDICT_SHOWN; s++) {
        for (size_t k = 0; trust && k < trust->n; k++) {
            if (strcmp(env->sigs[s].keyid, trust->keys[k].keyid) != 0)
                continue;
            matched = true;
            if (crypto_sign_verify_detached(env->sigs[s].sig, pae, pae_len, trust->keys[k].pk) ==
                0) {
                memcpy(keyid, trust->keys[k].keyid, FEED_KEYID_HEX_LEN + 1);
                result = VERDICT_SHOWN;
                break;
            }
        }
    }
    free(pae);
    if (result != VERDICT_SHOWN && matched) {
        sg_err_set(err, "signature by a trusted key does not verify (altered or corrupted feed)");
        return VERDICT_BAD_SIGNATURE;
    }
    if (result != VERDICT_SHOWN)
        sg_err_set(err, "signed by no trusted key (keyid %s)",
                   env->sigs[0].keyid[0] ? env->sigs[0].keyid : "not in Signet's format");
    return result;
}

static bool names_this_screen(const struct feed_doc *doc, const struct verdict_screen *screen)
{
    if (doc->screen)
        return screen->screen && strcmp(doc->screen, screen->screen) == 0;
    for (size_t i = 0; i < screen->ngroups; i++)
        if (strcmp(doc->group, screen->groups[i]) == 0)
            return true;
    return false;
}

/* The board's notion of now never goes below a feed's issued time: boards
 * without a real-time clock boot in 1970, and a signed issued time is the best
 * lower bound they have. */
static int64_t effective_now(const struct feed_doc *doc, int64_t now)
{
    return now < doc->issued ? doc->issued : now;
}

enum verdict_reason verdict_feed(const char *bytes, size_t len, const struct verdict_screen *screen,
                                 const struct verdict_clock *clock, struct feed_doc *doc,
                                 char keyid[FEED_KEYID_HEX_LEN + 1], struct sg_err *err)
{
    struct feed_envelope env;
    memset(doc, 0, sizeof *doc);
    keyid[0] = '\0';
    if (!feed_envelope_parse(bytes, len, &env, err))
        return VERDICT_ENVELOPE_MALFORMED;
    if (strcmp(env.payload_type, FEED_PAYLOAD_TYPE) != 0) {
        sg_err_set(err, "payload type is \"%.64s\", not %s", env.payload_type, FEED_PAYLOAD_TYPE);
        feed_envelope_finish(&env);
        return VERDICT_PAYLOAD_TYPE;
    }
    enum verdict_reason r = check_signatures(&env, screen->trust, keyid, err);
    if (r != VERDICT_SHOWN) {
        feed_envelope_finish(&env);
        return r;
    }
    enum feed_parse_status ps = feed_payload_parse(env.payload, env.payload_len, doc, err);
    feed_envelope_finish(&env);
    if (ps != FEED_PARSE_OK)
        return ps == FEED_PARSE_UNKNOWN_MAJOR ? VERDICT_UNKNOWN_MAJOR : VERDICT_PAYLOAD_MALFORMED;

    if (!names_this_screen(doc, screen)) {
        sg_err_set(err, "feed is for %s \"%.64s\", not this screen \"%.64s\"",
                   doc->screen ? "screen" : "group", doc->screen ? doc->screen : doc->group,
                   screen->screen ? screen->screen : "");
        r = VERDICT_WRONG_SCREEN;
    } else if (screen->have_last && doc->version < screen->last_version) {
        sg_err_set(err, "feed version %lld is older than the accepted version %lld (rollback)",
                   (long long)doc->version, (long long)screen->last_version);
        r = VERDICT_ROLLBACK;
    } else if (screen->have_last && doc->version == screen->last_version &&
               sodium_memcmp(doc->payload_sha256, screen->last_sha256, 32) != 0) {
        sg_err_set(err, "feed version %lld was accepted before with other content",
                   (long long)doc->version);
        r = VERDICT_REPLAY_MISMATCH;
    } else if (effective_now(doc, clock->now) >= doc->expires) {
        sg_err_set(err, "feed version %lld has expired", (long long)doc->version);
        r = VERDICT_FEED_EXPIRED;
    }
    if (r != VERDICT_SHOWN)
        feed_doc_finish(doc);
    return r;
}

static enum verdict_reason check_schedule(const struct feed_schedule *s,
                                          const struct verdict_clock *clock, int64_t now)
{
    if (!s->has_dates && !s->weekdays && !s->has_hours)
        return VERDICT_SHOWN;
    struct sgtime_local local;
    if (!clock->local || !clock->local(clock->local_ctx, now, &local))
        return VERDICT_SCHEDULE_DATES; /* cannot tell the local date: do not show */
    if (s->has_dates && (local.days < s->date_from || local.days > s->date_until))
        return VERDICT_SCHEDULE_DATES;
    if (s->weekdays && !(s->weekdays & (1u << local.weekday)))
        return VERDICT_SCHEDULE_WEEKDAY;
    if (s->has_hours) {
        int m = local.hour * 60 + local.minute;
        bool in = s->minute_from < s->minute_until ? m >= s->minute_from && m < s->minute_until
                                                   : m >= s->minute_from || m < s->minute_until;
        if (!in)
            return VERDICT_SCHEDULE_HOURS;
    }
    return VERDICT_SHOWN;
}

enum verdict_reason verdict_item(const struct feed_doc *doc, const struct feed_item *item,
                                 const struct verdict_clock *clock, verdict_media_fn media,
                                 void *media_ctx)
{
    int64_t now = effective_now(doc, clock->now);
    if (now >= doc->expires)
        return VERDICT_FEED_EXPIRED;
    if (!item->approval.present)
        return VERDICT_NO_APPROVAL;
    if (now < item->approval.at)
        return VERDICT_APPROVAL_NOT_YET;
    if (now >= item->approval.until)
        return VERDICT_APPROVAL_EXPIRED;
    enum verdict_reason r = check_schedule(&item->schedule, clock, now);
    if (r != VERDICT_SHOWN)
        return r;
    for (size_t i = 0; i < item->nmedia; i++) {
        enum verdict_media_state st =
            media ? media(media_ctx, item->media[i].sha256) : VERDICT_MEDIA_ABSENT;
        if (st == VERDICT_MEDIA_ABSENT)
            return VERDICT_MEDIA_MISSING;
        if (st != VERDICT_MEDIA_OK)
            return VERDICT_MEDIA_MISMATCH;
    }
    return VERDICT_SHOWN;
}

int64_t verdict_next_change(const struct feed_doc *doc, int64_t now)
{
    int64_t next = doc->expires > now ? doc->expires : INT64_MAX;
    for (size_t i = 0; i < doc->nitems; i++) {
        const struct feed_approval *a = &doc->items[i].approval;
        if (!a->present)
            continue;
        if (a->at > now && a->at < next)
            next = a->at;
        if (a->until > now && a->until < next)
            next = a->until;
    }
    return next;
}
