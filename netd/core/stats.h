/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process-wide instruments: latency histograms and request counters. Any
 * layer records into them (cheap, no I/O); the daemon's metrics endpoint
 * (netd/daemon/metrics.c) renders them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stats_histogram {
        STATS_ALLOCATION,     /* allocate requests, read to reply */
        STATS_DNSMASQ_CHANGE, /* a change until dnsmasq serves it */
        STATS_HISTOGRAM_MAX,
};

/* Upper bounds (seconds) of the histogram buckets, ascending. */
extern const double stats_buckets[];
#define STATS_N_BUCKETS 14

struct stats_histogram_value {
        uint64_t counts[STATS_N_BUCKETS]; /* per bucket, not cumulative */
        uint64_t count;
        double sum;
};

struct stats_request_count {
        const char *command; /* a protocol command name (static) */
        uint64_t ok, error;
};

/* Record one duration (seconds). */
void stats_observe(enum stats_histogram h, double seconds);
/* Count one answered request. */
void stats_request(const char *command, bool ok);

/* The values so far (borrowed; valid until the next record). */
const struct stats_histogram_value *stats_histogram_get(enum stats_histogram h);
const struct stats_request_count *stats_requests_get(size_t *ret_n);
