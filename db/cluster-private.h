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

/* ---- db/cluster-load.c ---- */

/* One cluster by name with its nodes (`ret` NULL: only its row id);
 * NETD_ENOTFOUND when absent. */
int cluster_find(struct store *s, const char *name, struct cluster **ret, int64_t *ret_id,
                 struct netd_error *err);
/* Commit `tx`, reading cluster `name` back into *ret first (STORE_DEFINE_GET). */
int cluster_commit_get(struct store_tx *tx, const char *name, struct cluster **ret, struct netd_error *err);

/* ---- db/cluster-plan.c ---- */

/* One network of a cluster being created. */
struct plan_network {
        struct network *net;
        int64_t id;
        struct prefix machine; /* when machine_given */
        bool machine_given;
};

/* A cluster_spec resolved: counts from the topology, node i being
 * master-i for i < masters, then the workers; per node its given MAC (0:
 * generate) or the --reuse that makes it another node's machine; the
 * networks and the reused nodes' row ids once read in the transaction. */
struct cluster_plan {
        enum topology topology;
        unsigned masters, workers;
        mac_t *macs;
        const struct node_reuse **reuse;
        int64_t *reuse_ids;
        struct prefix machine[CLUSTER_NETWORKS_MAX];
        size_t n_machine;
        struct plan_network nets[CLUSTER_NETWORKS_MAX];
        size_t n_nets;
};

void cluster_plan_node_name(const struct cluster_plan *p, size_t i, char *buf, size_t size);
/* Check the request on its own (no store). */
int cluster_plan_resolve(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err);
/* In the transaction: the networks (the named ones, or the only one), one
 * per family, with their machine networks. */
int cluster_plan_networks(struct store *s, const struct cluster_spec *spec, struct cluster_plan *p,
                          struct netd_error *err);
/* In the transaction, after the networks: the nodes to reuse. */
int cluster_plan_reuses(struct store *s, const struct cluster_spec *spec, struct cluster_plan *p,
                        struct netd_error *err);
/* 0 when stored cluster `c` is what the plan asks for, else NETD_ECONFLICT
 * saying what differs. */
int cluster_plan_compare(const struct cluster *c, const struct cluster_spec *spec,
                         const struct cluster_plan *p, struct netd_error *err);
/* Every node address and VIP lies in its network's machine network. */
int cluster_machine_check(const struct cluster *c, struct netd_error *err);
void cluster_plan_done(struct cluster_plan *p);

/* ---- db/cluster.c ---- */
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
                   int (*check)(struct store *s, const struct cluster *c, const char *node,
                                struct netd_error *err),
                   struct cluster **ret, struct netd_error *err);
/* NETD_ECONFLICT when another cluster reuses node `node` (NULL: any node)
 * of cluster `c`, naming that cluster. */
int cluster_reused_check(struct store *s, const struct cluster *c, const char *node, struct netd_error *err);

/* ---- db/node.c ---- */

/* A node's boot override as the nodes.boot column holds it (NULL: none). */
enum node_boot node_boot_from_db(const char *s);
/* The other way: NULL for NODE_BOOT_NETWORK. */
const char *node_boot_to_db(enum node_boot b);
/* The N of a generated node name "PREFIX-N" (canonical decimal). */
bool node_number(const char *name, const char *prefix, unsigned *ret);
/* Masters before workers; within a role by name, "worker-10" after "worker-9". */
int node_cmp(const void *a, const void *b);
/* A node row with its addresses (ips[i] on network network_ids[i]), held
 * in the same transaction; `reuses` (a node row id, else 0) makes it that
 * node's machine, with no MAC and no address of its own. */
int node_insert(struct store *s, int64_t cluster_id, const char *name, const char *role, mac_t mac,
                int64_t reuses, const int64_t *network_ids, const struct addr *ips, size_t n,
                struct netd_error *err);
bool node_mac_in(const mac_t *macs, size_t n, mac_t mac);
/* The names of node `node` and of its cluster `cluster`, checked. */
int node_names_check(const char *cluster, const char *node, struct netd_error *err);
/* NETD_ECONFLICT naming the holder when a given MAC is in use. */
int node_mac_check_free(struct store *s, const char *cluster, const char *node, mac_t mac,
                        struct netd_error *err);
/* A random 52:54:00:xx:xx:xx used neither in the store nor in `taken`. */
int node_mac_generate(struct store *s, const mac_t *taken, size_t n_taken, mac_t *ret,
                      struct netd_error *err);
