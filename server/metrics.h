/* Counters for /metrics (Prometheus text format 0.0.4). Lock-free atomics,
 * bumped from microhttpd's threads. Values that live elsewhere (feed
 * versions, queue length, screens online) are read when /metrics is asked. */
#ifndef SIGNET_QUEUE_METRICS_H
#define SIGNET_QUEUE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Request classes, so the label set stays small and fixed. */
enum metrics_route {
    METRICS_FEED,
    METRICS_MEDIA,
    METRICS_STATUS,
    METRICS_API,
    METRICS_PAGE,
    METRICS_OPS,
    METRICS_ROUTE_COUNT
};
/* Approval latency buckets (seconds from revision created to approved). */
#define METRICS_LATENCY_BUCKETS 8
extern const double metrics_latency_bounds[METRICS_LATENCY_BUCKETS];

struct metrics {
    atomic_int_fast64_t requests[METRICS_ROUTE_COUNT][6]; /* by status class 0xx..5xx */
    atomic_int_fast64_t approvals;
    atomic_int_fast64_t latency_bucket[METRICS_LATENCY_BUCKETS + 1]; /* last: +Inf */
    atomic_int_fast64_t latency_sum_s;
    atomic_int_fast64_t logins_failed;
};

void metrics_request(struct metrics *m, enum metrics_route route, unsigned status);
void metrics_approval(struct metrics *m, int64_t latency_s);

/* Gauges gathered at scrape time. */
struct metrics_gauges {
    int64_t feed_versions_published, long_polls, screens, screens_online, queue_pending;
    int emergency_stop;
};
/* Renders the text exposition; returns a malloc'd string. */
char *metrics_render(const struct metrics *m, const struct metrics_gauges *g, size_t *len);

#endif
