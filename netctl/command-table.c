/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rows of netctl's command table, grouped by object: networks,
 * clusters, capacity, hosts and the fabric, VMs and exports. */
#include "command.h"

/* How a network's DHCP clients boot, and its DHCP options, as network add
 * and network set take them. One row a line: clang-format would fold the
 * rows of a macro. */
/* clang-format off */
#define FLAGS_NETWORK_BOOT \
        {"boot-file", "boot_file", FLAG_STRING, "FILE", "boot file of BIOS (and by default UEFI) clients"}, \
        {"boot-file-efi", "boot_file_efi", FLAG_STRING, "FILE", "boot file of UEFI x86-64 clients"}, \
        {"boot-server", "boot_server", FLAG_STRING, "IP", "next server (default: the jumphost)"}, \
        {"tftp-root", "tftp_root", FLAG_STRING, "DIR", "directory served read-only over TFTP"}, \
        {"ipxe-script", "ipxe_script", FLAG_STRING, "URL", "script URL for clients already in iPXE"}
#define FLAG_DHCP_OPTION \
        {"dhcp-option", "dhcp_option", FLAG_STRINGS, "NAME=VALUE", "DHCP option for every client (repeatable)"}
/* clang-format on */

static const struct command_flag flags_network_add[] = {
        {"cidr", "cidr", FLAG_STRING, "CIDR", "prefix of the network, IPv4 or IPv6"},
        {"gateway", "gateway", FLAG_STRING, "IP", "gateway address (default: the first usable one)"},
        {"domain", "domain", FLAG_STRING, "DOMAIN", "DNS domain of its clusters (default: lab.internal)"},
        {"interface", "interface", FLAG_STRING, "IFACE", "jumphost interface managed dnsmasq serves it on"},
        {"reserve", "reserve", FLAG_STRINGS, "START-END", "range never given to clusters (repeatable)"},
        {"dhcp-range", "dhcp_range", FLAG_STRING, "START-END", "dynamic DHCP pool for unknown clients"},
        {"vni", "vni", FLAG_INT, "N", "VXLAN network identifier"},
        {"bridge", "bridge", FLAG_STRING, "IFACE", "bridge on the hosts (default: br-NAME)"},
        {"mtu", "mtu", FLAG_INT, "N", "MTU of the network's devices and DHCP clients"},
        {"underlay-family", "underlay_family", FLAG_STRING, "ipv4|ipv6",
         "the hosts' underlays its VXLAN runs over (default: ipv4)"},
        FLAGS_NETWORK_BOOT,
        FLAG_DHCP_OPTION,
        {NULL},
};

/* Every flag is a change; "none" unsets the MTU or the DHCP range. */
static const struct command_flag flags_network_set[] = {
        {"mtu", "mtu", FLAG_STRING, "N|none", "MTU of the network's devices and DHCP clients"},
        {"dhcp-range", "dhcp_range", FLAG_STRING, "START-END|none", "dynamic DHCP pool for unknown clients"},
        {"reserve", "reserve", FLAG_STRINGS, "START-END", "reserved ranges, replacing the old (repeatable)"},
        FLAGS_NETWORK_BOOT,
        {"no-boot", "no_boot", FLAG_BOOL, NULL, "remove all boot settings (before any new ones)"},
        FLAG_DHCP_OPTION,
        {"no-dhcp-option", "no_dhcp_option", FLAG_STRINGS, "NAME", "stop handing out an option (repeatable)"},
        {NULL},
};

static const struct command_flag flags_cluster_allocate[] = {
        {"network", "networks", FLAG_STRINGS, "NET",
         "network to allocate in (default: the only one); twice, IPv4 and IPv6, for dual-stack"},
        {"topology", "topology", FLAG_STRING, "sno|compact|mno", "shape of the cluster (default: sno)"},
        {"masters", "masters", FLAG_INT, "N", "number of masters (overrides the topology's)"},
        {"workers", "workers", FLAG_INT, "N", "number of workers (overrides the topology's)"},
        {"mac", "mac", FLAG_STRINGS, "NODE=MAC", "use this MAC for a node (repeatable)"},
        {"machine-network", "machine_network", FLAG_STRINGS, "CIDR",
         "machine network of one family for the exports (default: the network's CIDR)"},
        {"reuse", "reuse", FLAG_STRINGS, "NODE=CLUSTER/NODE",
         "NODE is that existing node's machine (repeatable)"},
        {NULL},
};

static const struct command_flag flags_node_allocate[] = {
        {"mac", "mac", FLAG_STRING, "MAC", "use this MAC (default: a generated 52:54:00 one)"},
        {NULL},
};

/* The node's own boot instructions are one of three; the facts about its
 * machine (BMC, root disk, boot mode) come next to them. */
static const struct command_flag flags_node_set[] = {
        {"ipxe-script", "ipxe_script", FLAG_STRING, "URL", "the node's iPXE fetches this script",
         .group = "boot"},
        {"boot-file", "boot_file", FLAG_STRING, "FILE", "the node's PXE firmware loads this file",
         .group = "boot"},
        {"boot", "boot", FLAG_STRING, "network", "boot as the network says again", .group = "boot"},
        {"bmc-address", "bmc_address", FLAG_STRING, "URL|none", "the machine's BMC, for the exports"},
        {"root-disk", "root_disk", FLAG_STRING, "PATH|none",
         "the machine's installation disk, for the exports"},
        {"boot-mode", "boot_mode", FLAG_STRING, "uefi|uefi-secure|legacy|auto",
         "the machine's firmware, for the exports (auto: from the VM)"},
        {NULL},
};

static const struct command_flag flags_cluster_list[] = {
        {"network", "network", FLAG_STRING, "NET", "only the clusters of this network"},
        {NULL},
};

static const struct command_flag flags_capacity[] = {
        {"network", "networks", FLAG_STRINGS, "NET",
         "only this network (repeatable; one IPv4 and one IPv6 also give dual-stack fits)"},
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {"csv", NULL, FLAG_FORMAT, NULL, "print CSV: a header row and one row per network", OUTPUT_CSV},
        {NULL},
};

static const struct command_flag flags_host_add[] = {
        {"connect", "connect", FLAG_STRING, "CMD",
         "how to reach the host: local, or a command prefix (ssh ...)"},
        {"underlay", "underlay", FLAG_STRINGS, "IP",
         "VXLAN endpoint address: one IPv4, one IPv6 (repeatable)"},
        {"agent", "agent", FLAG_STRING, "PATH",
         "netd on the host: runs CMD PATH agent --stdio (default: netd)"},
        {"libvirt", "libvirt", FLAG_STRING, "URI", "libvirt connection URI of the host"},
        {"bmc", "bmc", FLAG_STRING, "BMC", "Redfish BMC of the host's VMs: HOST:PORT or SCHEME://HOST:PORT"},
        {NULL},
};

/* Every flag is a change, live when it returns; "none" drops --libvirt or --bmc. */
static const struct command_flag flags_host_set[] = {
        {"connect", "connect", FLAG_STRING, "CMD", "how to reach the host (the agent restarts)"},
        {"underlay", "underlay", FLAG_STRINGS, "IP", "replaces the underlay of its family (repeatable)"},
        {"agent", "agent", FLAG_STRING, "PATH", "netd on the host (the agent restarts)"},
        {"libvirt", "libvirt", FLAG_STRING, "URI|none", "libvirt connection URI of the host"},
        {"bmc", "bmc", FLAG_STRING, "BMC|none", "Redfish BMC of the host's VMs"},
        {NULL},
};

static const struct command_flag flags_network_attach[] = {
        {"uplink", "uplink", FLAG_STRING, "IFACE", "interface to enslave to the network's bridge"},
        {"address", "address", FLAG_STRING, "IP/PREFIX", "address of the bridge on the host"},
        {NULL},
};

static const struct command_flag flags_network_detach[] = {
        {"force", "force", FLAG_BOOL, NULL,
         "detach even while interfaces netd did not create are on the bridge"},
        {NULL},
};

static const struct command_flag flags_link_add[] = {
        {"peer", "peer", FLAG_STRING, "PEER", "name of the other end"},
        {"master", "master", FLAG_STRING, "BRIDGE", "bridge to enslave NAME to"},
        {"peer-master", "peer_master", FLAG_STRING, "BRIDGE", "bridge to enslave PEER to"},
        {NULL},
};

static const struct command_flag flags_route_add[] = {
        {"via", "via", FLAG_STRING, "GW", "next hop"},
        {"dev", "dev", FLAG_STRING, "IFACE", "interface the route goes out of"},
        {NULL},
};

static const struct command_flag flags_fabric_status[] = {
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {NULL},
};

static const struct command_flag flags_vm_list[] = {
        {"host", "host", FLAG_STRING, "HOST", "only the VMs of this host"},
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {NULL},
};

/* A new command is a row here (plus its flags array) naming a command of
 * netd/core/proto.c; command_table_check() holds the two tables together.
 * A new kind of reply also needs a view in output.h with at least a text
 * renderer (view.h); the JSON back end prints most views as they come. */
const struct command command_table[] = {
        {
                .words = {"network", "add"},
                .args = {{"NAME", "name"}},
                .flags = flags_network_add,
                .proto = "network.add",
                .view = VIEW_NETWORK,
                .help = "define a network",
        },
        {
                .words = {"network", "list"},
                .proto = "network.list",
                .view = VIEW_NETWORK_LIST,
                .help = "list the networks",
        },
        {
                .words = {"network", "show"},
                .args = {{"NAME", "name"}},
                .proto = "network.show",
                .view = VIEW_NETWORK,
                .help = "show a network",
        },
        {
                .words = {"network", "set"},
                .args = {{"NAME", "name"}},
                .flags = flags_network_set,
                .needs_flag = true,
                .proto = "network.set",
                .view = VIEW_NETWORK,
                .help = "change a network (MTU, ranges, boot, options)",
        },
        {
                .words = {"network", "remove"},
                .args = {{"NAME", "name"}},
                .proto = "network.remove",
                .view = VIEW_NETWORK_REMOVED,
                .help = "remove a network no cluster uses",
        },
        {
                .words = {"network", "attach"},
                .args = {{"NET", "network"}, {"HOST", "host"}},
                .flags = flags_network_attach,
                .proto = "network.attach",
                .view = VIEW_ATTACHED,
                .help = "build a network's bridge (and VXLAN) on a host",
        },
        {
                .words = {"network", "detach"},
                .args = {{"NET", "network"}, {"HOST", "host"}},
                .flags = flags_network_detach,
                .proto = "network.detach",
                .view = VIEW_DETACHED,
                .help = "take a network's bridge (and VXLAN) off a host",
        },
        {
                .words = {"allocate", "cluster"},
                .args = {{"NAME", "name"}},
                .flags = flags_cluster_allocate,
                .proto = "cluster.allocate",
                .view = VIEW_CLUSTER,
                .help = "allocate addresses and MACs for a whole cluster",
        },
        {
                .words = {"allocate", "node"},
                .args = {{"CLUSTER", "cluster"}, {"NODE", "node"}},
                .flags = flags_node_allocate,
                .proto = "node.allocate",
                .view = VIEW_CLUSTER,
                .help = "add a node to a cluster (day 2)",
        },
        {
                .words = {"release", "node"},
                .args = {{"CLUSTER", "cluster"}, {"NODE", "node"}},
                .proto = "node.release",
                .view = VIEW_NODE_RELEASED,
                .help = "release one node of a cluster",
        },
        {
                .words = {"release", "cluster"},
                .args = {{"NAME", "name"}},
                .proto = "cluster.release",
                .view = VIEW_CLUSTER_RELEASED,
                .help = "release a cluster and all its addresses",
        },
        {
                .words = {"cluster", "list"},
                .flags = flags_cluster_list,
                .proto = "cluster.list",
                .view = VIEW_CLUSTER_LIST,
                .help = "list the clusters",
        },
        {
                .words = {"cluster", "show"},
                .args = {{"NAME", "name"}},
                .proto = "cluster.show",
                .view = VIEW_CLUSTER,
                .help = "show a cluster",
        },
        {
                .words = {"node", "set"},
                .args = {{"CLUSTER", "cluster"}, {"NODE", "node"}},
                .flags = flags_node_set,
                .needs_flag = true,
                .proto = "node.set",
                .view = VIEW_NODE_SET,
                .help = "change how one node of a cluster boots",
        },
        {
                .words = {"report", "capacity"},
                .flags = flags_capacity,
                .proto = "report.capacity",
                .view = VIEW_CAPACITY,
                .help = "report used and free addresses per network",
        },
        {
                .words = {"host", "add"},
                .args = {{"NAME", "name"}},
                .flags = flags_host_add,
                .proto = "host.add",
                .view = VIEW_HOST,
                .help = "define a host of the fabric",
        },
        {
                .words = {"host", "set"},
                .args = {{"NAME", "name"}},
                .flags = flags_host_set,
                .needs_flag = true,
                .proto = "host.set",
                .view = VIEW_HOST,
                .help = "change a host, live (agent, connection, underlays, libvirt, BMC)",
        },
        {
                .words = {"host", "list"},
                .proto = "host.list",
                .view = VIEW_HOST_LIST,
                .help = "list the hosts",
        },
        {
                .words = {"host", "show"},
                .args = {{"NAME", "name"}},
                .proto = "host.show",
                .view = VIEW_HOST,
                .help = "show a host",
        },
        {
                .words = {"host", "remove"},
                .args = {{"NAME", "name"}},
                .proto = "host.remove",
                .view = VIEW_HOST_REMOVED,
                .help = "remove a host",
        },
        {
                /* The kind is typed as a word ("link add hv1 veth v0") and
                 * netd checks it: veth is the only kind so far. */
                .words = {"link", "add"},
                .args = {{"HOST", "host"}, {"veth", "kind"}, {"NAME", "name"}},
                .flags = flags_link_add,
                .proto = "link.add",
                .view = VIEW_LINK_ADDED,
                .help = "create a veth pair on a host",
        },
        {
                .words = {"link", "remove"},
                .args = {{"HOST", "host"}, {"NAME", "name"}},
                .proto = "link.remove",
                .view = VIEW_LINK_REMOVED,
                .help = "remove a link netd created on a host",
        },
        {
                .words = {"route", "add"},
                .args = {{"HOST", "host"}, {"DEST/PREFIX", "dest"}},
                .flags = flags_route_add,
                .proto = "route.add",
                .view = VIEW_ROUTE_ADDED,
                .help = "add a route on a host",
        },
        {
                .words = {"route", "remove"},
                .args = {{"HOST", "host"}, {"DEST/PREFIX", "dest"}},
                .proto = "route.remove",
                .view = VIEW_ROUTE_REMOVED,
                .help = "remove a route netd added on a host",
        },
        {
                .words = {"fabric", "status"},
                .flags = flags_fabric_status,
                .proto = "fabric.status",
                .view = VIEW_FABRIC_STATUS,
                .help = "compare every host with the wanted fabric",
        },
        {
                .words = {"fabric", "sync"},
                .args = {{"HOST", "host"}},
                .proto = "fabric.sync",
                .view = VIEW_FABRIC_SYNCED,
                .help = "repair the fabric on every host, or on HOST",
        },
        {
                .words = {"vm", "list"},
                .flags = flags_vm_list,
                .proto = "vm.list",
                .view = VIEW_VM_LIST,
                .help = "list the VMs of every libvirt host, matched to clusters by MAC",
        },
/* The export flags, one row a line (clang-format would fold a macro's rows). */
/* clang-format off */
#define FLAGS_EXPORT \
        {"allow-incomplete", "allow_incomplete", FLAG_BOOL, NULL, "print unknown node values as CHANGE-ME placeholders"}, \
        {"udev-compat", "udev_compat", FLAG_BOOL, NULL, "SATA disks as ...-ata-N (udev before systemd 250)"}, \
        {"template-namespace", "template_namespace", FLAG_STRING, "NS", "namespace of the templateRefs (default: open-cluster-management)"}
/* clang-format on */
        {
                .words = {"export", "clusterinstance"},
                .args = {{"CLUSTER", "cluster"}},
                .flags = (const struct command_flag[]){FLAGS_EXPORT, {NULL}},
                .proto = "export.clusterinstance",
                .view = VIEW_EXPORT,
                .help = "a ZTP ClusterInstance (siteconfig v1alpha1) of a cluster",
        },
        {
                .words = {"export", "siteconfig"},
                .args = {{"CLUSTER", "cluster"}},
                .flags = (const struct command_flag[]){FLAGS_EXPORT, {NULL}},
                .proto = "export.siteconfig",
                .view = VIEW_EXPORT,
                .help = "a ZTP SiteConfig (ran.openshift.io/v1) of a cluster",
        },
        {
                .words = {"export", "inventory"},
                .args = {{"CLUSTER", "cluster"}},
                .flags = (const struct command_flag[]){
                        FLAGS_EXPORT,
                        {"format", "format", FLAG_STRING, "dci-abi|dci-ipi", "the DCI flow it is for (default: dci-abi)"},
                        {NULL},
                },
                .proto = "export.inventory",
                .view = VIEW_EXPORT,
                .help = "the Ansible inventory of a DCI flow for a cluster",
        },
        {
                .words = {"export", "dnsmasq"},
                .args = {{"CLUSTER", "cluster"}},
                .flags = (const struct command_flag[]){FLAGS_EXPORT, {NULL}},
                .proto = "export.dnsmasq",
                .view = VIEW_EXPORT,
                .help = "the dnsmasq lines of a cluster",
        },
        {},
};

bool command_table_has_prefix(const char *const *words, size_t n) {
        for (const struct command *c = command_table; c->words[0]; c++)
                if (command_has_prefix(c, words, n))
                        return true;
        return false;
}

int command_table_check(struct netd_error *err) {
        char name[64];

        for (const struct command *c = command_table; c->words[0]; c++) {
                int r = command_check(c, err);
                if (r < 0)
                        return r;
                /* Words are matched as they come: a command whose words begin
                 * another's would hide it. */
                for (const struct command *o = command_table; o->words[0]; o++)
                        if (o != c && command_has_prefix(o, c->words, command_n_words(c))) {
                                command_name(c, name, sizeof(name));
                                return error_set(err, NETD_EINTERNAL, "command '%s' hides another", name);
                        }
        }
        return 0;
}
