/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The jumphost daemon: one libevent loop owning the store, the dnsmasq
 * side and the control socket. */
#pragma once

#include <event2/event.h>

#include "netd/core/config.h"
#include "db/store.h"
#include "netd/dnsmasq/dnsmasq.h"
#include "netd/loop/loop.h"

struct control;
struct fabric;
struct metrics;

struct daemon {
        struct event_base *base;
        const struct config *cfg;
        struct store *store;
        struct dnsmasq *dnsmasq;
        struct control *control;
        struct fabric *fabric;   /* hosts, their agents and the reconciler */
        struct metrics *metrics; /* NULL unless --metrics */
        bool batch_open;
        struct event *commit_ev;
};

/* Join (or open) the write batch of this loop iteration: every change made
 * until the batch commits shares its one durable COMMIT, and replies are
 * held until then (control.c). */
int daemon_batch_join(struct daemon *d, struct netd_error *err);

/* Run until SIGTERM/SIGINT. Returns 0 after a clean stop, or a NETD_E*
 * code with err filled when netd could not start. */
int daemon_run(const struct config *cfg, struct netd_error *err);
