/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "stats.h"
#include "util.h"

/* Seconds: from a cache hit to a slow reload. */
const double stats_buckets[STATS_N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};

static struct stats_histogram_value histograms[STATS_HISTOGRAM_MAX];

/* The command names are the protocol's (a fixed table), so the set stays small. */
static struct stats_request_count *requests;
static size_t n_requests;

void stats_observe(enum stats_histogram h, double seconds) {
        struct stats_histogram_value *x = &histograms[h];
        size_t i = 0;

        while (i < STATS_N_BUCKETS && seconds > stats_buckets[i])
                i++;
        if (i < STATS_N_BUCKETS)
                x->counts[i]++;
        x->count++;
        x->sum += seconds;
}

void stats_request(const char *command, bool ok) {
        struct stats_request_count *rc = NULL;

        if (!command)
                return;
        for (size_t i = 0; i < n_requests && !rc; i++)
                if (streq(requests[i].command, command))
                        rc = &requests[i];
        if (!rc) {
                struct stats_request_count *n = reallocarray(requests, n_requests + 1, sizeof(*n));
                if (!n)
                        return;
                requests = n;
                rc = &requests[n_requests++];
                *rc = (struct stats_request_count){.command = command};
        }
        if (ok)
                rc->ok++;
        else
                rc->error++;
}

const struct stats_histogram_value *stats_histogram_get(enum stats_histogram h) {
        return &histograms[h];
}

const struct stats_request_count *stats_requests_get(size_t *ret_n) {
        *ret_n = n_requests;
        return requests;
}
