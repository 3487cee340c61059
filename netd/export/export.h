/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exports of one cluster for the tools labs feed: an OpenShift ZTP
 * ClusterInstance (siteconfig.open-cluster-management.io/v1alpha1), a
 * SiteConfig (ran.openshift.io/v1), the Ansible inventory of a DCI flow
 * (dci-openshift-agent's ABI/ACM flow, or its IPI-on-libvirt flow), and the
 * cluster's dnsmasq lines. Pure: the caller gathers the cluster, its
 * networks and what libvirt knows of each node's VM; YAML is produced by
 * libyaml's emitter. */
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

/* Which DCI flow `export inventory` writes for. */
enum export_inventory_format {
        EXPORT_INVENTORY_DCI_ABI, /* the default */
        EXPORT_INVENTORY_DCI_IPI,
        EXPORT_INVENTORY_FORMAT_MAX,
};

const char *export_format_to_string(enum export_format f);
int export_format_from_string(const char *s, enum export_format *ret);
/* "dci-abi", "dci-ipi". */
const char *export_inventory_format_to_string(enum export_inventory_format f);
int export_inventory_format_from_string(const char *s, enum export_inventory_format *ret);

#define EXPORT_TEMPLATE_NAMESPACE_DEFAULT "open-cluster-management"

/* What libvirt told about the VM of one node (matched by the node's MAC). */
struct export_vm {
        bool found;                     /* false: no VM carries the node's MAC */
        char host[NAME_MAX_LEN + 1];    /* the netd host the VM runs on */
        char bmc[NAME_MAX_LEN * 4 + 8]; /* that host's --bmc; "" = none */
        char domain[VM_NAME_MAX + 1];   /* the libvirt domain's name */
        char uuid[VM_UUID_STRLEN];
        char root_disk[VM_DISK_PATH_MAX + 1]; /* "" = unknown */
        char guest_name[IFNAME_MAX_LEN + 1];  /* NIC name in the guest; "" = unknown */
        enum vm_firmware firmware;
        /* Why the VM is not found (found false) or why its root disk is
         * unknown (found true), in netd's words, e.g. "no VM on a libvirt
         * host has MAC 52:54:00:…". Built only from validated names, MACs
         * and addresses, never from libvirt's free text, because it lands
         * in a comment. "" lets the export say it. */
        char note[VM_NOTE_MAX + 1];
};

struct export_input {
        const struct cluster *cluster;
        /* one per cluster->networks[i], same order */
        const struct network *const *networks;
        size_t n_networks;
        const struct export_vm *vms; /* one per cluster->nodes[i], same order; NULL: none known */
        /* ClusterInstance and SiteConfig: a node value netd does not know
         * (bmcAddress, rootDeviceHints, bootMode) is NETD_EINVALID naming each
         * node and field, unless this is set: then it is a "CHANGE-ME-…"
         * placeholder listed in the comment block. */
        bool allow_incomplete;
        /* SATA root disks of VMs as "…-ata-N" (udev before systemd 250)
         * instead of "…-ata-N.0". */
        bool udev_compat;
        const char *template_namespace; /* NULL: EXPORT_TEMPLATE_NAMESPACE_DEFAULT */
        enum export_inventory_format inventory;
};

/* Render `in` as `f`. *ret_text is a NUL-terminated malloc'd document
 * ending in a newline. A node's `node set` facts (BMC address, root disk,
 * boot mode) win over what its VM says; a node without either has
 * unknown values, which ClusterInstance and SiteConfig refuse (see
 * allow_incomplete) and the inventories name in their comment block.
 * A hostName over 63 characters is NETD_EINVALID in ClusterInstance and
 * SiteConfig (the templates copy it into label values). */
int export_render(enum export_format f, const struct export_input *in, char **ret_text,
                  struct netd_error *err);
