/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netd's side of dnsmasq: writing its files from the store and making a
 * change live, in one of three modes (see config.h).
 *
 * managed   netd supervises its own dnsmasq child (restarted if it dies).
 *           A cluster change rewrites that cluster's hosts and dhcp-hosts
 *           files (read by inotify); removals need a SIGHUP, one for all
 *           changes of the same loop iteration. Network-level changes
 *           rewrite dnsmasq.conf and restart the child. A change counts as
 *           done only when dnsmasq answers for it: netd queries its own
 *           dnsmasq until every new name resolves to its address (and every
 *           removed one is NXDOMAIN), then removes the DHCP leases of
 *           released nodes with dhcp_release (dhcp_release6 on IPv6).
 *           `*.apps.C.D` is forwarded by dnsmasq to a small responder in
 *           netd (server= lines are reloadable, address= lines are not).
 * external  conf-dir snippets checked with `dnsmasq --test`, renamed into
 *           place, then the reload command; done when it has exited 0.
 * off       nothing; done at once.
 *
 * One file per mode behind an ops table (dnsmasq-private.h).
 *
 * Completion is reported through a callback, never by blocking the loop. */
#pragma once

#include <event2/event.h>

#include "netd/core/config.h"
#include "db/cluster.h"
#include "db/store.h"

struct dnsmasq;

/* `code` is 0 or a NETD_E* code with `message`. */
typedef void (*dnsmasq_done_fn)(int code, const char *message, void *userdata);

int dnsmasq_new(struct event_base *base, const struct config *cfg, struct dnsmasq **ret,
                struct netd_error *err);
/* Stops the child (managed) and frees; pending callbacks are dropped. */
void dnsmasq_free(struct dnsmasq *d);

/* Regenerate from the store: the network-level files always, every cluster's
 * files when `clusters` (at start), then start, restart or reload. */
int dnsmasq_sync(struct dnsmasq *d, struct store *s, bool clusters, dnsmasq_done_fn done, void *userdata,
                 struct netd_error *err);
/* Cluster `c` was allocated or changed; `old` is its previous state (NULL
 * when new), whose vanished nodes must stop being served. */
int dnsmasq_cluster_set(struct dnsmasq *d, const struct cluster *c, const struct cluster *old,
                        dnsmasq_done_fn done, void *userdata, struct netd_error *err);
/* Cluster `old` was released. */
int dnsmasq_cluster_remove(struct dnsmasq *d, const struct cluster *old, dnsmasq_done_fn done, void *userdata,
                           struct netd_error *err);
/* Drop the callbacks registered with `userdata` (its client went away). */
void dnsmasq_cancel(struct dnsmasq *d, void *userdata);
