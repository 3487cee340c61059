/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus metrics over HTTP (libevent's evhttp), on an opt-in listen
 * address (--metrics ADDRESS:PORT); GET /metrics answers in the text
 * exposition format:
 *
 *   netd_network_addresses{network,state=total|reserved|allocated|free}
 *   netd_network_clusters{network}
 *   netd_host_connected{host}, netd_host_libvirt_connected{host}
 *   netd_host_objects{host,state=ok|missing|drifted|conflict}  (last pass)
 *   netd_host_last_pass_timestamp_seconds{host}
 *   netd_allocation_duration_seconds  histogram: allocate requests, read to reply
 *   netd_dnsmasq_change_duration_seconds histogram: a change until dnsmasq serves it
 *   netd_requests_total{command,result=ok|error}
 *
 * Counts come from the store at scrape time (the capacity arithmetic);
 * histograms and counters are process-wide and fed by control.c and
 * dnsmasq.c through metrics_observe(). */
#pragma once

#include <stdbool.h>

#include "daemon.h"

enum metrics_histogram {
        METRICS_ALLOCATION,
        METRICS_DNSMASQ_CHANGE,
        METRICS_HISTOGRAM_MAX,
};

/* Record one duration (seconds). Cheap; callable whether or not metrics
 * are served. */
void metrics_observe(enum metrics_histogram h, double seconds);
/* Count one answered request. */
void metrics_request(const char *command, bool ok);

struct metrics;

/* Parse "ADDRESS:PORT" ("[v6]:PORT" for IPv6); NETD_EINVALID otherwise. */
int metrics_listen_parse(const char *s, char *ret_host, size_t size, unsigned *ret_port,
                         struct netd_error *err);

/* Serve /metrics on cfg->metrics_listen (NULL: not configured, *ret NULL). */
int metrics_new(struct daemon *d, struct metrics **ret, struct netd_error *err);
void metrics_free(struct metrics *m);

/* The exposition text as of now; malloc'd. */
char *metrics_render(struct daemon *d);
