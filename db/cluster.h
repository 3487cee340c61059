/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters and their nodes: allocation and release of addresses and MACs
 * (one node at a time: db/node.h).
 *
 * A cluster is allocated in one BEGIN IMMEDIATE transaction: every node
 * address, the VIPs (compact/mno) and the MACs, or nothing. Addresses come
 * from db/pool.c (lowest never-used free address first, then the longest
 * released ones). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netd/core/addr.h"
#include "netd/core/prefix.h"
#include "netd/core/validate.h"
#include "store.h"
#include "netd/core/mac.h"

enum topology { TOPOLOGY_SNO, TOPOLOGY_COMPACT, TOPOLOGY_MNO };

/* A node's own boot instructions (`node set`), over its network's. */
enum node_boot {
        NODE_BOOT_NETWORK,     /* none: the network's */
        NODE_BOOT_IPXE_SCRIPT, /* boot_value is the iPXE script URL */
        NODE_BOOT_FILE,        /* boot_value is the PXE boot file */
};

/* A dual-stack cluster has one network per family; the first is the
 * primary family. */
#define CLUSTER_NETWORKS_MAX 2

/* How a node's machine boots (`node set --boot-mode`), for the exports. */
enum node_boot_mode {
        NODE_BOOT_MODE_UNKNOWN, /* not said: the exports ask the VM's firmware */
        NODE_BOOT_MODE_UEFI,
        NODE_BOOT_MODE_UEFI_SECURE,
        NODE_BOOT_MODE_LEGACY,
};

struct node {
        char name[NAME_MAX_LEN + 1];
        char role[8]; /* "master" or "worker" */
        mac_t mac;
        struct addr ip;                        /* ips[0]: the primary family */
        struct addr ips[CLUSTER_NETWORKS_MAX]; /* one per cluster network, in its order */
        size_t n_ips;
        enum node_boot boot;
        char boot_value[VALIDATE_URL_MAX + 1];
        /* `--reuse`: this node is the machine of node reuses_node of cluster
         * reuses_cluster (its MAC and addresses); both "" when it is not. DHCP
         * serves the owning node's entry only. */
        char reuses_cluster[NAME_MAX_LEN + 1];
        char reuses_node[NAME_MAX_LEN + 1];
        /* `node set` facts for the exports; "" / UNKNOWN when not said. */
        char bmc_address[VALIDATE_URL_MAX + 1];
        char root_disk[VALIDATE_PATH_MAX + 1];
        enum node_boot_mode boot_mode;
};

/* One of a cluster's networks. */
struct cluster_network {
        char name[NAME_MAX_LEN + 1];
        struct prefix prefix;             /* the network's CIDR */
        struct prefix machine_network;    /* --machine-network; default the CIDR */
        struct addr api_vip, ingress_vip; /* sno: master-0's own address */
};

struct cluster {
        char name[NAME_MAX_LEN + 1];
        char network[NAME_MAX_LEN + 1]; /* networks[0].name */
        char domain[DOMAIN_MAX_LEN + 1];
        enum topology topology;
        unsigned masters, workers;        /* as requested at allocation */
        struct addr api_vip, ingress_vip; /* networks[0]'s */
        struct cluster_network networks[CLUSTER_NETWORKS_MAX];
        size_t n_networks;  /* 1, or 2 for dual-stack (one per family) */
        struct node *nodes; /* masters first, then workers, by number */
        size_t n_nodes;
};

struct node_mac {
        const char *node; /* e.g. "master-0" */
        const char *mac;
};

/* `--reuse NODE=CLUSTER/NODE`: the new cluster's `node` is the machine of
 * node `of_node` of cluster `of_cluster`. */
struct node_reuse {
        const char *node;
        const char *of_cluster;
        const char *of_node;
};

/* What `allocate cluster` asks for, as text from the request. */
struct cluster_spec {
        const char *name;
        const char *const *networks; /* n_networks 0: the only network */
        size_t n_networks;
        const char *const *machine_networks; /* CIDRs, matched to networks by family */
        size_t n_machine_networks;
        const struct node_reuse *reuses;
        size_t n_reuses;
        const char *topology; /* NULL: sno */
        int masters;          /* -1: from topology */
        int workers;          /* -1: from topology */
        const struct node_mac *macs;
        size_t n_macs;
};

const char *cluster_topology_to_string(enum topology t);
/* "uefi", "uefi-secure", "legacy"; NULL for UNKNOWN. */
const char *cluster_boot_mode_to_string(enum node_boot_mode m);
int cluster_topology_from_string(const char *s, enum topology *ret);

/* Allocate a whole cluster. The same spec again returns the stored
 * cluster with *ret_created = false; the same name with a different spec
 * is NETD_ECONFLICT; a given MAC in use is NETD_ECONFLICT; a pool too small
 * is NETD_EEXHAUSTED and nothing is held. */
int cluster_allocate(struct store *s, const struct cluster_spec *spec, struct cluster **ret,
                     bool *ret_created, struct netd_error *err);
/* Release a whole cluster; *ret is the cluster as it was. */
int cluster_release(struct store *s, const char *name, struct cluster **ret, struct netd_error *err);

int cluster_get(struct store *s, const char *name, struct cluster **ret, struct netd_error *err);
/* All clusters ordered by name; `network` NULL for every network. */
int cluster_list(struct store *s, const char *network, struct cluster ***ret, size_t *ret_n,
                 struct netd_error *err);

const struct node *cluster_find_node(const struct cluster *c, const char *name);
void cluster_free(struct cluster *c);
void cluster_list_free(struct cluster **l, size_t n);
static inline void cluster_freep(struct cluster **c) {
        cluster_free(*c);
}
#define _cleanup_cluster_ _cleanup_(cluster_freep)
