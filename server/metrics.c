#include "metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double metrics_latency_bounds[METRICS_LATENCY_BUCKETS] = {60,    300,   900,    3600,
                                                                14400, 86400, 259200, 604800};

static const char *const route_names[METRICS_ROUTE_COUNT] = {"feed", "media", "status",
                                                             "api",  "page",  "ops"};

void metrics_request(struct metrics *m, enum metrics_route route, unsigned status)
{
    unsigned cls = status / 100;
    if (cls > 5)
        cls = 0;
    atomic_fetch_add(&m->requests[route][cls], 1);
}

void metrics_approval(struct metrics *m, int64_t latency_s)
{
    if (latency_s < 0)
        latency_s = 0;
    size_t b = 0;
    while (b < METRICS_LATENCY_BUCKETS && (double)latency_s > metrics_latency_bounds[b])
        b++;
    atomic_fetch_add(&m->latency_bucket[b], 1);
    atomic_fetch_add(&m->latency_sum_s, latency_s);
    atomic_fetch_add(&m->approvals, 1);
}

char *metrics_render(const struct metrics *m, const struct metrics_gauges *g, size_t *len)
{
    char *text = NULL;
    size_t text_len = 0;
    FILE *b = open_memstream(&text, &text_len);
    if (!b)
        return NULL;
    fprintf(b, "# HELP signet_http_requests_total HTTP requests answered, by route class and "
               "status class.\n# TYPE signet_http_requests_total counter\n");
    for (int r = 0; r < METRICS_ROUTE_COUNT; r++)
        for (int c = 1; c < 6; c++)
            fprintf(b, "signet_http_requests_total{route=\"%s\",code=\"%dxx\"} %lld\n",
                    route_names[r], c, (long long)atomic_load(&m->requests[r][c]));
    fprintf(b,
            "# HELP signet_feed_versions_published_total Feed versions signed since start.\n"
            "# TYPE signet_feed_versions_published_total counter\n"
            "signet_feed_versions_published_total %lld\n",
            (long long)g->feed_versions_published);
    fprintf(b,
            "# HELP signet_long_polls Feed requests held open now.\n# TYPE signet_long_polls "
            "gauge\nsignet_long_polls %lld\n",
            (long long)g->long_polls);
    fprintf(b,
            "# HELP signet_screens Registered screens.\n# TYPE signet_screens gauge\n"
            "signet_screens %lld\n",
            (long long)g->screens);
    fprintf(b,
            "# HELP signet_screens_online Screens that reported within 3 minutes.\n"
            "# TYPE signet_screens_online gauge\nsignet_screens_online %lld\n",
            (long long)g->screens_online);
    fprintf(b,
            "# HELP signet_queue_pending Items waiting for a decision.\n"
            "# TYPE signet_queue_pending gauge\nsignet_queue_pending %lld\n",
            (long long)g->queue_pending);
    fprintf(b,
            "# HELP signet_emergency_stop 1 while the emergency stop holds every screen empty.\n"
            "# TYPE signet_emergency_stop gauge\nsignet_emergency_stop %d\n",
            g->emergency_stop);
    fprintf(b,
            "# HELP signet_logins_failed_total Failed or throttled logins.\n"
            "# TYPE signet_logins_failed_total counter\nsignet_logins_failed_total %lld\n",
            (long long)atomic_load(&m->logins_failed));
    fprintf(b, "# HELP signet_approval_latency_seconds Time from a revision's creation to its "
               "approval.\n# TYPE signet_approval_latency_seconds histogram\n");
    long long cum = 0;
    for (int i = 0; i <= METRICS_LATENCY_BUCKETS; i++) {
        cum += (long long)atomic_load(&m->latency_bucket[i]);
        if (i < METRICS_LATENCY_BUCKETS)
            fprintf(b, "signet_approval_latency_seconds_bucket{le=\"%g\"} %lld\n",
                    metrics_latency_bounds[i], cum);
        else
            fprintf(b, "signet_approval_latency_seconds_bucket{le=\"+Inf\"} %lld\n", cum);
    }
    fprintf(
        b, "signet_approval_latency_seconds_sum %lld\nsignet_approval_latency_seconds_count %lld\n",
        (long long)atomic_load(&m->latency_sum_s), (long long)atomic_load(&m->approvals));
    bool failed = ferror(b) != 0;
    if (fclose(b) != 0 || failed) {
        free(text);
        return NULL;
    }
    *len = text_len;
    return text;
}
