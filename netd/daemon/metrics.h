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
 * dnsmasq.c through netd/core/stats.h. */
#pragma once

#include <event2/event.h>

#include "db/store.h"
#include "netd/fabric/fabric.h"

struct metrics;

/* Serve /metrics on `listen` ("ADDRESS:PORT"; NULL or "": not configured,
 * *ret NULL), with the counts of `store` and the hosts of `fabric`. */
int metrics_new(struct event_base *base, const char *listen, struct store *store, struct fabric *fabric,
                struct metrics **ret, struct netd_error *err);
void metrics_free(struct metrics *m);

/* The exposition text as of now; malloc'd. */
char *metrics_render(struct metrics *m);
