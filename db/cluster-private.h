/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What db/cluster.c and db/node.c share: a cluster read by name, the rows of
 * nodes and addresses, the checks both allocations make. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "netd/core/mac.h"
#include "store-private.h"
#include "store.h"

/* ---- db/cluster.c ---- */

/* One cluster by name with its nodes (`ret` NULL: only its row id);
 * NETD_ENOTFOUND when absent. */
int cluster_find(struct store *s, const char *name, struct cluster **ret, int64_t *ret_id,
                 struct netd_error *err);
/* Commit `tx`, reading cluster `name` back into *ret first (STORE_DEFINE_GET). */
int cluster_commit_get(struct store_tx *tx, const char *name, struct cluster **ret, struct netd_error *err);
/* Every name dnsmasq will serve for a cluster must be a valid DNS name:
 * NODE.CLUSTER.DOMAIN and the fixed ones (api-int., x.apps.) fit in 253. */
int cluster_fqdn_check(const char *cluster, const char *host, const char *domain, struct netd_error *err);
/* Hold address `a` of network `network_id` for the cluster: for node
 * `node_id` (kind "node"), or as one of its VIPs (`node_id` 0). */
int cluster_address_insert(struct store *s, int64_t network_id, int64_t cluster_id, int64_t node_id,
                           const char *kind, const struct addr *a, struct netd_error *err);
/* Release what `sql` deletes (?1 the cluster's name, ?2 `node`) in one
 * write transaction, once `check` (NULL: none) accepted the cluster as it
 * is. *ret (if not NULL) is the cluster as it was, for the caller to
 * withdraw its records. */
int cluster_delete(struct store *s, const char *cluster, const char *node, const char *sql,
                   int (*check)(const struct cluster *c, const char *node, struct netd_error *err),
                   struct cluster **ret, struct netd_error *err);

/* ---- db/node.c ---- */

/* A node's boot override as the nodes.boot column holds it (NULL: none). */
enum node_boot node_boot_from_db(const char *s);
/* The other way: NULL for NODE_BOOT_NETWORK. */
const char *node_boot_to_db(enum node_boot b);
/* The N of a generated node name "PREFIX-N" (canonical decimal). */
bool node_number(const char *name, const char *prefix, unsigned *ret);
/* Masters before workers; within a role by name, "worker-10" after "worker-9". */
int node_cmp(const void *a, const void *b);
/* A node row with its address, held in the same transaction. */
int node_insert(struct store *s, int64_t network_id, int64_t cluster_id, const char *name, const char *role,
                mac_t mac, const struct addr *ip, struct netd_error *err);
bool node_mac_in(const mac_t *macs, size_t n, mac_t mac);
/* NETD_ECONFLICT naming the holder when a given MAC is in use. */
int node_mac_check_free(struct store *s, const char *cluster, const char *node, mac_t mac,
                        struct netd_error *err);
/* A random 52:54:00:xx:xx:xx used neither in the store nor in `taken`. */
int node_mac_generate(struct store *s, const mac_t *taken, size_t n_taken, mac_t *ret,
                      struct netd_error *err);
