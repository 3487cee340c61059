/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Day-2 changes to a cluster: one node allocated or released on its own,
 * in one transaction each. */
#pragma once

#include <stdbool.h>

#include "cluster.h"
#include "store.h"

/* Add node NODE to cluster CLUSTER (role from its name: master-N is a
 * master, anything else a worker) with one new address and `mac` (NULL:
 * generated). Same node with the same (or no) MAC again is idempotent;
 * *ret is the cluster after it. */
int node_allocate(struct store *s, const char *cluster, const char *node, const char *mac,
                  struct cluster **ret, bool *ret_created, struct netd_error *err);
/* Release one node; *ret is the cluster as it was before (for the caller
 * to withdraw the node's records). NETD_ECONFLICT for master-0 of an sno
 * cluster, which holds the VIPs. */
int node_release(struct store *s, const char *cluster, const char *node, struct cluster **ret,
                 struct netd_error *err);

/* What `node set` changes (NULL = leave as it is). At most one of the
 * boot fields; boot = "network" drops the node's own boot instructions. */
struct node_change {
        const char *cluster;
        const char *node;
        const char *ipxe_script;
        const char *boot_file;
        const char *boot;
};

/* Change one node; *ret_before and *ret (each may be NULL) get the
 * cluster before and after. NETD_EINVALID for bad input or more than one
 * boot field, NETD_ENOTFOUND for an unknown cluster or node. */
int node_set(struct store *s, const struct node_change *change, struct cluster **ret_before,
             struct cluster **ret, struct netd_error *err);
