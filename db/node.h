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
 * cluster, which holds the VIPs, and for a node another cluster reuses
 * (naming that cluster). A node on a dual-stack cluster gets one new
 * address per network, all or nothing. */
int node_release(struct store *s, const char *cluster, const char *node, struct cluster **ret,
                 struct netd_error *err);

/* What `node set` changes (NULL = leave as it is). At most one of the
 * boot fields; boot = "network" drops the node's own boot instructions.
 * The facts: "none" (boot_mode "auto") forgets what was said. */
struct node_change {
        const char *cluster;
        const char *node;
        const char *ipxe_script;
        const char *boot_file;
        const char *boot;
        const char *bmc_address; /* URL (redfish… scheme) or "none" */
        const char *root_disk;   /* absolute /dev path or "none" */
        const char *boot_mode;   /* uefi|uefi-secure|legacy|auto */
};

/* Change one node; *ret_before and *ret (each may be NULL) get the
 * cluster before and after. NETD_EINVALID for bad input or more than one
 * boot field, NETD_ENOTFOUND for an unknown cluster or node. */
int node_set(struct store *s, const struct node_change *change, struct cluster **ret_before,
             struct cluster **ret, struct netd_error *err);
