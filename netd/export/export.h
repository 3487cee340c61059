/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exports of one cluster for the tools labs feed: an OpenShift ZTP
 * ClusterInstance (siteconfig.open-cluster-management.io/v1alpha1), a
 * SiteConfig (ran.openshift.io/v1), a DCI-style Ansible inventory, and the
 * cluster's dnsmasq lines. Pure: the caller gathers the cluster, its network
 * and what libvirt knows of each node's VM; YAML is produced by libyaml's
 * emitter. */
#pragma once

#include <stdbool.h>

#include "db/cluster.h"
#include "db/network.h"
#include "netd/core/error.h"
#include "netd/virt/vm.h"

enum export_format {
        EXPORT_CLUSTERINSTANCE,
        EXPORT_SITECONFIG,
        EXPORT_INVENTORY,
        EXPORT_DNSMASQ,
        EXPORT_FORMAT_MAX,
};

const char *export_format_to_string(enum export_format f);
int export_format_from_string(const char *s, enum export_format *ret);

/* What libvirt told about the VM of one node (matched by the node's MAC). */
struct export_vm {
        bool found;                     /* false: no VM carries the node's MAC */
        char host[NAME_MAX_LEN + 1];    /* the netd host the VM runs on */
        char bmc[NAME_MAX_LEN * 4 + 8]; /* that host's --bmc HOST:PORT; "" = none */
        char uuid[VM_UUID_STRLEN];
        char root_disk[VM_DISK_PATH_MAX + 1]; /* "" = unknown */
        char guest_name[IFNAME_MAX_LEN + 1];  /* NIC name in the guest; "" = unknown */
        /* Why BMC or disk fields are missing, in netd's words, e.g. "no VM
         * on a libvirt host has MAC 52:54:00:…" or "host hv1 has no --bmc".
         * Built only from validated names, MACs and addresses, never from
         * libvirt's free text, because it lands in a YAML comment. */
        char note[VM_NOTE_MAX + 1];
};

struct export_input {
        const struct cluster *cluster;
        const struct network *network;
        const struct export_vm *vms; /* one per cluster->nodes[i], same order */
};

/* Render `in` as `f`. *ret_text is a NUL-terminated malloc'd document
 * ending in a newline. Nodes whose VM is unknown keep their network data;
 * the fields that need the VM (bmcAddress, bmcCredentialsName,
 * rootDeviceHints, …) are left out and a comment at the top of the
 * document names the node and the reason. */
int export_render(enum export_format f, const struct export_input *in, char **ret_text,
                  struct netd_error *err);
