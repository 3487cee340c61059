/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A cluster's lines (dnsmasq-conf.h): the hosts.d, dhcp-hosts.d and
 * dhcp-opts.d files of managed mode, CLUSTER.conf of external mode.
 *
 * Dual-stack: a node's names get one hosts line (or one host-record) per
 * family; its DHCP entry is one dhcp-host line carrying both families
 * (IPv4, then IPv6 in brackets), which dnsmasq 2.90 serves to DHCPv4 and
 * DHCPv6 alike by the MAC. Options keep to their family: option: lines
 * for DHCPv4 only when the cluster has IPv4 nodes, option6: lines for
 * DHCPv6 only when it has IPv6 nodes.
 *
 * Reused nodes (`--reuse`): the same machine as a node of another cluster,
 * whose dhcp-host line and hosts line stay the only ones. Their names get
 * no hosts line and no host-record, which would give the shared address a
 * second PTR (dnsmasq then answers whichever file it read last): the
 * responder answers them in managed mode, address= lines in external mode. */
#include <arpa/inet.h>

#include "dnsmasq-conf-private.h"
#include "netd/core/mac.h"

/* The tags a node's dhcp-host line sets, which select its own options:
 * cl-CLUSTER (the cluster's domain) and nd-CLUSTER.NODE (host name, boot
 * override). Names never hold a dot, so a node tag is unambiguous. A tag
 * set by a host beats the dhcp-range's tag, so these options win over the
 * network's whatever the order. */
#define CLUSTER_TAG "cl-"
#define NODE_TAG "nd-"

/* Longest name we build: api-int.NAME.DOMAIN or NODE.NAME.DOMAIN; longer
 * ones are refused by validate_domain() anyway. */
#define FQDN_BUFLEN (2 * (NAME_MAX_LEN + 1) + DOMAIN_MAX_LEN + 16)

size_t dnsmasq_conf_node_ips(const struct node *nd, const struct addr **ret) {
        if (nd->n_ips > 0) {
                *ret = nd->ips;
                return nd->n_ips < CLUSTER_NETWORKS_MAX ? nd->n_ips : CLUSTER_NETWORKS_MAX;
        }
        *ret = &nd->ip;
        return conf_addr_is_set(&nd->ip) ? 1 : 0;
}

void dnsmasq_conf_vips(const struct cluster *c, struct dnsmasq_conf_vips *ret) {
        *ret = (struct dnsmasq_conf_vips){0};
        if (c->n_networks == 0) {
                ret->api[0] = c->api_vip;
                ret->ingress[0] = c->ingress_vip;
                ret->n = 1;
                return;
        }
        for (size_t k = 0; k < c->n_networks && k < CLUSTER_NETWORKS_MAX; k++) {
                ret->api[k] = c->networks[k].api_vip;
                ret->ingress[k] = c->networks[k].ingress_vip;
                ret->n = k + 1;
        }
}

bool dnsmasq_conf_node_reused(const struct node *nd) {
        return nd->reuses_cluster[0] != '\0';
}

/* Builds "PREFIX.NAME.DOMAIN" (PREFIX may be NULL) and checks that the
 * result is a valid domain name as a whole (length included). */
static bool fqdn_build(char *buf, size_t size, const char *prefix, const struct cluster *c) {
        int r;

        if (prefix)
                r = snprintf(buf, size, "%s.%s.%s", prefix, c->name, c->domain);
        else
                r = snprintf(buf, size, "%s.%s", c->name, c->domain);
        return r > 0 && (size_t)r < size && validate_domain(buf);
}

/* A node's own boot instructions go into an option value verbatim. */
static bool node_boot_is_safe(const struct node *nd) {
        switch (nd->boot) {
        case NODE_BOOT_NETWORK:
                return true;
        case NODE_BOOT_IPXE_SCRIPT:
                return validate_url(nd->boot_value);
        case NODE_BOOT_FILE:
                return validate_boot_file(nd->boot_value);
        }
        return false;
}

/* At least one address, each set, at most one per family: a dhcp-host
 * line takes one address of each. */
static bool node_ips_are_safe(const struct node *nd) {
        const struct addr *ips;
        size_t n;

        if (nd->n_ips > CLUSTER_NETWORKS_MAX)
                return false;
        n = dnsmasq_conf_node_ips(nd, &ips);
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!conf_addr_is_set(&ips[i]))
                        return false;
                for (size_t j = 0; j < i; j++)
                        if (ips[j].family == ips[i].family)
                                return false;
        }
        return true;
}

/* Every field of a cluster that reaches generated text, checked against
 * its alphabet; any other byte could start a new configuration line. */
static bool cluster_is_safe(const struct cluster *c) {
        char fqdn[FQDN_BUFLEN];

        if (!validate_name(c->name) || !validate_domain(c->domain))
                return false;
        /* the longest derived names must still be valid names */
        if (!fqdn_build(fqdn, sizeof(fqdn), "api-int", c) || !fqdn_build(fqdn, sizeof(fqdn), "apps", c))
                return false;
        if ((c->n_nodes > 0 && !c->nodes) || c->n_networks > CLUSTER_NETWORKS_MAX)
                return false;
        for (size_t i = 0; i < c->n_nodes; i++) {
                if (!validate_name(c->nodes[i].name) || !node_ips_are_safe(&c->nodes[i]))
                        return false;
                if (!fqdn_build(fqdn, sizeof(fqdn), c->nodes[i].name, c) || !node_boot_is_safe(&c->nodes[i]))
                        return false;
        }
        return true;
}

/* Open the text of a cluster's lines once every field was found safe;
 * false (errno set) otherwise. */
static bool cluster_text_open(struct conf_text *t, const struct cluster *c) {
        if (!c || !cluster_is_safe(c)) {
                errno = EINVAL;
                return false;
        }
        return conf_text_open(t);
}

/* The node of `c` (reused or not) that has address `a`; NULL when none. */
static const struct node *node_with_addr(const struct cluster *c, const struct addr *a) {
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct addr *ips;
                size_t n = dnsmasq_conf_node_ips(&c->nodes[i], &ips);

                for (size_t k = 0; k < n; k++)
                        if (addr_cmp(&ips[k], a) == 0)
                                return &c->nodes[i];
        }
        return NULL;
}

/* True when `a` is an API VIP (SNO: the node's own address): the api
 * names then join that node's line, after the node name, so the PTR
 * stays the node's. */
static bool addr_is_api(const struct dnsmasq_conf_vips *v, const struct addr *a) {
        for (size_t k = 0; k < v->n; k++)
                if (conf_addr_is_set(&v->api[k]) && addr_cmp(&v->api[k], a) == 0)
                        return true;
        return false;
}

static bool node_has_family(const struct node *nd, int family) {
        const struct addr *ips;
        size_t n = dnsmasq_conf_node_ips(nd, &ips);

        for (size_t k = 0; k < n; k++)
                if (ips[k].family == family)
                        return true;
        return false;
}

/* Whether the cluster's own (not reused) nodes have DHCP entries of that
 * family. */
static bool cluster_has_family(const struct cluster *c, int family) {
        for (size_t i = 0; i < c->n_nodes; i++)
                if (!dnsmasq_conf_node_reused(&c->nodes[i]) && node_has_family(&c->nodes[i], family))
                        return true;
        return false;
}

static bool cluster_has_dhcp(const struct cluster *c) {
        return cluster_has_family(c, AF_INET) || cluster_has_family(c, AF_INET6);
}

/* Writes the names of one address separated by `sep`: the node FQDN (when
 * nd is given) first, then api/api-int when `api` (always without nd). */
static void names_write(FILE *f, const struct cluster *c, const struct node *nd, bool api, const char *sep) {
        char fqdn[FQDN_BUFLEN];

        if (nd) {
                fqdn_build(fqdn, sizeof(fqdn), nd->name, c);
                fputs(fqdn, f);
                if (!api)
                        return;
                fputs(sep, f);
        }
        fqdn_build(fqdn, sizeof(fqdn), "api", c);
        fprintf(f, "%s%s", fqdn, sep);
        fqdn_build(fqdn, sizeof(fqdn), "api-int", c);
        fputs(fqdn, f);
}

/* ",ADDR" for each address, IPv4 first; IPv6 in brackets when `brackets`
 * (dhcp-host, where a bare IPv6 address would read as a client id). */
static void addrs_write(FILE *f, const struct addr *ips, size_t n, bool brackets) {
        static const int order[] = {AF_INET, AF_INET6};
        char a[ADDR_STRLEN];

        for (size_t o = 0; o < ARRAY_SIZE(order); o++)
                for (size_t k = 0; k < n; k++) {
                        bool b = brackets && ips[k].family == AF_INET6;

                        if (ips[k].family == order[o])
                                fprintf(f, ",%s%s%s", b ? "[" : "", conf_fmt_addr(&ips[k], a), b ? "]" : "");
                }
}

/* The API VIPs that are no node's address: they get a line of their own. */
static size_t api_vips_alone(const struct cluster *c, const struct dnsmasq_conf_vips *v,
                             struct addr ret[static CLUSTER_NETWORKS_MAX]) {
        size_t n = 0;

        for (size_t k = 0; k < v->n; k++)
                if (conf_addr_is_set(&v->api[k]) && !node_with_addr(c, &v->api[k]))
                        ret[n++] = v->api[k];
        return n;
}

char *dnsmasq_conf_hosts(const struct cluster *c) {
        struct dnsmasq_conf_vips v;
        struct addr alone[CLUSTER_NETWORKS_MAX];
        char a[ADDR_STRLEN];
        struct conf_text t;
        size_t n_alone;

        if (!cluster_text_open(&t, c))
                return NULL;
        dnsmasq_conf_vips(c, &v);
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *nd = &c->nodes[i];
                const struct addr *ips;
                size_t n = dnsmasq_conf_node_ips(nd, &ips);

                if (dnsmasq_conf_node_reused(nd))
                        continue;
                for (size_t k = 0; k < n; k++) {
                        fprintf(t.f, "%s ", conf_fmt_addr(&ips[k], a));
                        names_write(t.f, c, nd, addr_is_api(&v, &ips[k]), " ");
                        fputc('\n', t.f);
                }
        }
        n_alone = api_vips_alone(c, &v, alone);
        for (size_t k = 0; k < n_alone; k++) {
                fprintf(t.f, "%s ", conf_fmt_addr(&alone[k], a));
                names_write(t.f, c, NULL, true, " ");
                fputc('\n', t.f);
        }
        return conf_text_finish(&t);
}

/* "MAC,set:cl-C,set:nd-C.N,IP[,[IPV6]]", after dhcp-host= (external) or
 * alone in a dhcp-hostsdir file (managed): the same text in both modes. No
 * name: the node's host name and domain are options (dhcp_opts_write), so
 * the lease carries no name that DNS would serve in the network's domain.
 * An IPv6 address is served by DHCPv6 to the MAC dnsmasq learns from the
 * neighbour table, whatever the client's DUID. */
static void dhcp_host_write(FILE *f, const char *prefix, const struct cluster *c, const struct node *nd) {
        char mac[MAC_STRLEN];
        const struct addr *ips;
        size_t n = dnsmasq_conf_node_ips(nd, &ips);

        fprintf(f, "%s%s,set:" CLUSTER_TAG "%s,set:" NODE_TAG "%s.%s", prefix,
                mac_format(nd->mac, mac, sizeof(mac)), c->name, c->name, nd->name);
        addrs_write(f, ips, n, true);
        fputc('\n', f);
}

/* The options of a cluster's DHCP hosts, after dhcp-option= (external) or
 * alone in a dhcp-optsdir file (managed): domain CLUSTER.DOMAIN, host name
 * NODE (option 12 by number: dnsmasq refuses option:hostname), and a
 * node's own boot file or script over its network's. */
static void dhcp_opts_write(FILE *f, const char *prefix, const struct cluster *c) {
        /* DHCPv6 has no host name option (the FQDN option comes from a
         * lease name, and leases have none): the cluster's domain as the
         * search list; the node's name is its PTR */
        if (cluster_has_family(c, AF_INET6))
                fprintf(f, "%stag:" CLUSTER_TAG "%s,option6:domain-search,%s.%s\n", prefix, c->name, c->name,
                        c->domain);
        if (!cluster_has_family(c, AF_INET))
                return;
        fprintf(f, "%stag:" CLUSTER_TAG "%s,option:domain-name,%s.%s\n", prefix, c->name, c->name, c->domain);
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *nd = &c->nodes[i];

                if (dnsmasq_conf_node_reused(nd) || !node_has_family(nd, AF_INET))
                        continue;
                fprintf(f, "%stag:" NODE_TAG "%s.%s,12,%s\n", prefix, c->name, nd->name, nd->name);
                /* the script for iPXE; a file for the rest, so that iPXE
                 * never loads it again */
                if (nd->boot == NODE_BOOT_IPXE_SCRIPT)
                        fprintf(f, "%stag:" NODE_TAG "%s.%s,tag:" IPXE_TAG ",option:bootfile-name,%s\n",
                                prefix, c->name, nd->name, nd->boot_value);
                else if (nd->boot == NODE_BOOT_FILE)
                        fprintf(f, "%stag:" NODE_TAG "%s.%s,tag:!" IPXE_TAG ",option:bootfile-name,%s\n",
                                prefix, c->name, nd->name, nd->boot_value);
        }
}

char *dnsmasq_conf_dhcp_hosts(const struct cluster *c) {
        struct conf_text t;

        if (!cluster_text_open(&t, c))
                return NULL;
        for (size_t i = 0; i < c->n_nodes; i++)
                if (!dnsmasq_conf_node_reused(&c->nodes[i]))
                        dhcp_host_write(t.f, "", c, &c->nodes[i]);
        return conf_text_finish(&t);
}

char *dnsmasq_conf_dhcp_opts(const struct cluster *c) {
        struct conf_text t;

        if (!cluster_text_open(&t, c))
                return NULL;
        dhcp_opts_write(t.f, "", c);
        return conf_text_finish(&t);
}

static void host_record_write(FILE *f, const struct cluster *c, const struct node *nd, bool api,
                              const struct addr *ips, size_t n) {
        fputs("host-record=", f);
        names_write(f, c, nd, api, ",");
        addrs_write(f, ips, n, false);
        fputc('\n', f);
}

/* host-record gives a PTR to its first name only: the node FQDN leads, and
 * on SNO the api names follow on the same line, so the shared address
 * never gets a second PTR (OpenShift takes the node hostname from it). One
 * line for both families, unless only one of them is an API VIP. */
static void node_host_records_write(FILE *f, const struct cluster *c, const struct node *nd,
                                    const struct dnsmasq_conf_vips *v) {
        const struct addr *ips;
        size_t n = dnsmasq_conf_node_ips(nd, &ips);
        bool api = addr_is_api(v, &ips[0]), same = true;

        for (size_t k = 1; k < n; k++)
                same = same && addr_is_api(v, &ips[k]) == api;
        if (same) {
                host_record_write(f, c, nd, api, ips, n);
                return;
        }
        for (size_t k = 0; k < n; k++)
                host_record_write(f, c, nd, addr_is_api(v, &ips[k]), &ips[k], 1);
}

/* address= answers a name (and names below it) without making a PTR. */
static void address_write(FILE *f, const char *prefix, const struct cluster *c, const struct addr *a) {
        char fqdn[FQDN_BUFLEN], s[ADDR_STRLEN];

        fqdn_build(fqdn, sizeof(fqdn), prefix, c);
        fprintf(f, "address=/%s/%s\n", fqdn, conf_fmt_addr(a, s));
}

/* A reused node's names, and the API names when a VIP is its address. */
static void reused_node_write(FILE *f, const struct cluster *c, const struct node *nd,
                              const struct dnsmasq_conf_vips *v) {
        const struct addr *ips;
        size_t n = dnsmasq_conf_node_ips(nd, &ips);

        for (size_t k = 0; k < n; k++)
                address_write(f, nd->name, c, &ips[k]);
        for (size_t k = 0; k < n; k++)
                if (addr_is_api(v, &ips[k])) {
                        address_write(f, "api", c, &ips[k]);
                        address_write(f, "api-int", c, &ips[k]);
                }
}

char *dnsmasq_conf_cluster(const struct cluster *c) {
        struct dnsmasq_conf_vips v = {0};
        struct addr alone[CLUSTER_NETWORKS_MAX];
        struct conf_text t;
        size_t n_alone;

        if (c)
                dnsmasq_conf_vips(c, &v);
        if (c && !conf_addr_is_set(&v.ingress[0])) {
                errno = EINVAL;
                return NULL;
        }
        if (!cluster_text_open(&t, c))
                return NULL;
        fprintf(t.f, "# Cluster %s. Generated by netd; do not edit: netd rewrites this file.\n", c->name);
        for (size_t i = 0; i < c->n_nodes; i++)
                if (!dnsmasq_conf_node_reused(&c->nodes[i]))
                        dhcp_host_write(t.f, "dhcp-host=", c, &c->nodes[i]);
        /* here, not in the networks' file: only this cluster's hosts are
         * concerned, whatever else the administrator's dnsmasq serves */
        if (cluster_has_dhcp(c))
                fprintf(t.f, "dhcp-ignore-names=tag:" CLUSTER_TAG "%s\n", c->name);
        dhcp_opts_write(t.f, "dhcp-option=", c);
        for (size_t i = 0; i < c->n_nodes; i++)
                if (!dnsmasq_conf_node_reused(&c->nodes[i]))
                        node_host_records_write(t.f, c, &c->nodes[i], &v);
        n_alone = api_vips_alone(c, &v, alone);
        if (n_alone > 0)
                host_record_write(t.f, c, NULL, true, alone, n_alone);
        for (size_t i = 0; i < c->n_nodes; i++)
                if (dnsmasq_conf_node_reused(&c->nodes[i]))
                        reused_node_write(t.f, c, &c->nodes[i], &v);
        for (size_t k = 0; k < v.n; k++)
                if (conf_addr_is_set(&v.ingress[k]))
                        address_write(t.f, "apps", c, &v.ingress[k]);
        return conf_text_finish(&t);
}
