/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text netd gives dnsmasq, generated from store objects by pure
 * functions (data in, text out) so it can be golden-tested.
 *
 * Managed mode (netd's own dnsmasq child):
 *   dnsmasq.conf   network-level settings; a change means a restart
 *   hosts.d/C      hostsdir lines of cluster C (A/AAAA/PTR)   } inotify: read
 *   dhcp-opts.d/C  dhcp-optsdir lines (names, boot overrides) } as written
 *   dhcp-hosts.d/C dhcp-hostsdir lines (MAC,tags,IP)          }
 * dnsmasq picks up new and changed files by inotify, without a signal, but
 * only adds what it reads: removed or changed entries need a SIGHUP (or,
 * below dnsmasq 2.91, a restart: see dnsmasq-managed.c). Every network
 * domain is routed with server=/DOMAIN/127.0.0.1#PORT to netd's own
 * responder, which answers what the hosts files cannot: `*.apps.C.D`
 * (dnsmasq cannot reload address= lines without a restart) and
 * NODATA/NXDOMAIN for the rest of the domain.
 *
 * DHCP names: a node's dhcp-host line sets the tags cl-C and nd-C.N and
 * carries no name; its options give host name NODE (12) and domain C.D
 * (15), which beat the network's own option 15 (a host's tags outrank the
 * dhcp-range's). Leases thus carry no names and DNS has only the FQDNs of
 * hosts.d, so two clusters' master-0 never take each other's name.
 *
 * Boot: options 67 (boot file by client: BIOS, UEFI x86-64, iPXE) and the
 * next server per network, over which a node's own option 67 wins the same
 * way; TFTP from dnsmasq itself (enable-tftp, tftp-root per interface).
 *
 * External mode: one conf-dir snippet per cluster (C.conf) with the same
 * DHCP lines as dhcp-host= and dhcp-option= lines, host-record= and
 * address= lines, plus `_netd-networks.conf` for per-network lines (names
 * starting with '_' never collide with a cluster's).
 *
 * Every value that reaches this text was validated on its way into the
 * store; the generators still refuse (return NULL, errno=EINVAL) any field
 * holding a byte outside the expected alphabet, as a last line of defence
 * against line injection. All functions return malloc'ed text or NULL. */
#pragma once

#include <stddef.h>

#include "db/cluster.h"
#include "db/network.h"

#define DNSMASQ_NETWORKS_CONF "_netd-networks.conf"

struct dnsmasq_main_params {
        const char *hosts_dir;      /* hostsdir */
        const char *dhcp_hosts_dir; /* dhcp-hostsdir */
        const char *dhcp_opts_dir;  /* dhcp-optsdir */
        const char *lease_file;     /* dhcp-leasefile */
        unsigned dns_port;          /* port= (53 normally) */
        unsigned responder_port;    /* netd's responder on 127.0.0.1 */
};

/* A cluster's addresses as dnsmasq serves them: one per network of the
 * cluster, primary family first (a single-stack cluster, or one whose
 * lists the store left empty: its `ip`, `api_vip`, `ingress_vip`). */
struct dnsmasq_conf_vips {
        struct addr api[CLUSTER_NETWORKS_MAX], ingress[CLUSTER_NETWORKS_MAX];
        size_t n;
};

/* The node's addresses into *ret; returns how many (0 or more). */
size_t dnsmasq_conf_node_ips(const struct node *nd, const struct addr **ret);
/* The cluster's API and ingress VIPs, one pair per family. */
void dnsmasq_conf_vips(const struct cluster *c, struct dnsmasq_conf_vips *ret);
/* A node that is another cluster's node (`--reuse`): DNS answers its
 * names, the owning node keeps the DHCP entry and the PTR. */
bool dnsmasq_conf_node_reused(const struct node *nd);

/* Managed: the main configuration for all networks. */
char *dnsmasq_conf_main(const struct dnsmasq_main_params *p, struct network *const *nets, size_t n);
/* Managed: addn-hosts lines of one cluster, one per address (a dual-stack
 * node has two). Node lines first, FQDN first on each line so PTR answers
 * the node name; api/api-int share the node's line when the VIP is the
 * node's address (SNO), else get their own. Reused nodes (and VIPs on
 * them) have no line: their PTR stays the owning node's, and the
 * responder answers their names. */
char *dnsmasq_conf_hosts(const struct cluster *c);
/* Managed: dhcp-hostsdir lines of one cluster ("MAC,set:cl-C,set:nd-C.N,IP",
 * an IPv6 address in brackets: DHCPv6 by MAC; a dual-stack node has both
 * on its one line, IPv4 first). None for reused nodes. */
char *dnsmasq_conf_dhcp_hosts(const struct cluster *c);
/* Managed: dhcp-optsdir lines of one cluster: its domain, each node's host
 * name and boot override (IPv4); its domain as DHCPv6 search list (IPv6). */
char *dnsmasq_conf_dhcp_opts(const struct cluster *c);

/* External: the conf-dir snippet CLUSTER.conf. Reused nodes' names (and
 * VIPs on them) are address= lines, which make no PTR. */
char *dnsmasq_conf_cluster(const struct cluster *c);
/* External: the per-network lines (_netd-networks.conf). */
char *dnsmasq_conf_networks(struct network *const *nets, size_t n);
