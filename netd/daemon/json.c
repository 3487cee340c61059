/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "json.h"
#include "netd/core/u128.h"
#include "netd/core/prefix.h"
#include "netd/core/mac.h"

static struct json_object *addr_json(const struct addr *a) {
        char buf[ADDR_STRLEN];

        if (!a->family)
                return NULL;
        return json_object_new_string(addr_format(a, buf, sizeof(buf)));
}

static struct json_object *string_or_null(const char *s) {
        return isempty(s) ? NULL : json_object_new_string(s);
}

static struct json_object *range_json(const struct range *r) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "start", addr_json(&r->start));
        json_object_object_add(o, "end", addr_json(&r->end));
        return o;
}

/* "boot": null, or every field with the unset ones null. */
static struct json_object *network_boot_json(const struct network *n) {
        struct json_object *o;

        if (!n->has_boot)
                return NULL;
        o = json_object_new_object();
        json_object_object_add(o, "file", string_or_null(n->boot.file));
        json_object_object_add(o, "file_efi", string_or_null(n->boot.file_efi));
        json_object_object_add(o, "server", n->boot.has_server ? addr_json(&n->boot.server) : NULL);
        json_object_object_add(o, "tftp_root", string_or_null(n->boot.tftp_root));
        json_object_object_add(o, "ipxe_script", string_or_null(n->boot.ipxe_script));
        return o;
}

static struct json_object *dhcp_options_json(const struct network *n) {
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; i < n->n_dhcp_options; i++) {
                struct json_object *o = json_object_new_object();

                json_object_object_add(o, "name",
                                       json_object_new_string(dhcp_option_name(n->dhcp_options[i].type)));
                json_object_object_add(o, "value", json_object_new_string(n->dhcp_options[i].value));
                json_object_array_add(a, o);
        }
        return a;
}

/* A node's own boot instructions: null, {"ipxe_script": URL} or {"file": F}. */
static struct json_object *node_boot_json(const struct node *nd) {
        struct json_object *o;

        switch (nd->boot) {
        case NODE_BOOT_IPXE_SCRIPT:
                o = json_object_new_object();
                json_object_object_add(o, "ipxe_script", json_object_new_string(nd->boot_value));
                return o;
        case NODE_BOOT_FILE:
                o = json_object_new_object();
                json_object_object_add(o, "file", json_object_new_string(nd->boot_value));
                return o;
        case NODE_BOOT_NETWORK:
                break;
        }
        return NULL;
}

struct json_object *json_network(const struct network *n) {
        struct json_object *o = json_object_new_object(), *reserved = json_object_new_array();
        char buf[PREFIX_STRLEN];

        json_object_object_add(o, "name", json_object_new_string(n->name));
        json_object_object_add(o, "cidr", json_object_new_string(prefix_format(&n->cidr, buf, sizeof(buf))));
        json_object_object_add(o, "gateway", addr_json(&n->gateway));
        json_object_object_add(o, "domain", json_object_new_string(n->domain));
        json_object_object_add(o, "interface", string_or_null(n->interface));
        json_object_object_add(o, "vni", n->has_vni ? json_object_new_int64(n->vni) : NULL);
        json_object_object_add(o, "bridge", string_or_null(n->bridge));
        json_object_object_add(o, "mtu", n->mtu ? json_object_new_int64(n->mtu) : NULL);
        json_object_object_add(o, "underlay_family",
                               json_object_new_string(n->underlay_family == AF_INET6 ? "ipv6" : "ipv4"));
        for (size_t i = 0; i < n->n_reserved; i++)
                json_object_array_add(reserved, range_json(&n->reserved[i]));
        json_object_object_add(o, "reserved", reserved);
        json_object_object_add(o, "dhcp_range", n->has_dhcp_range ? range_json(&n->dhcp_range) : NULL);
        json_object_object_add(o, "boot", network_boot_json(n));
        json_object_object_add(o, "dhcp_options", dhcp_options_json(n));
        return o;
}

/* The API (or ingress) VIP of each of the cluster's networks, primary
 * first. */
static struct json_object *vips_json(const struct cluster *c, bool ingress) {
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; i < c->n_networks; i++) {
                const struct addr *v = ingress ? &c->networks[i].ingress_vip : &c->networks[i].api_vip;

                if (v->family)
                        json_object_array_add(a, addr_json(v));
        }
        return a;
}

static struct json_object *node_json(const struct cluster *c, const struct node *nd) {
        struct json_object *j = json_object_new_object(), *ips = json_object_new_array();
        char mac[MAC_STRLEN], fqdn[NAME_MAX_LEN * 2 + DOMAIN_MAX_LEN + 3], reuses[2 * NAME_MAX_LEN + 2];

        snprintf(fqdn, sizeof(fqdn), "%s.%s.%s", nd->name, c->name, c->domain);
        json_object_object_add(j, "name", json_object_new_string(nd->name));
        json_object_object_add(j, "role", json_object_new_string(nd->role));
        json_object_object_add(j, "mac", json_object_new_string(mac_format(nd->mac, mac, sizeof(mac))));
        json_object_object_add(j, "ip", addr_json(&nd->ip));
        for (size_t i = 0; i < nd->n_ips; i++)
                json_object_array_add(ips, addr_json(&nd->ips[i]));
        json_object_object_add(j, "ips", ips);
        json_object_object_add(j, "fqdn", json_object_new_string(fqdn));
        json_object_object_add(j, "boot", node_boot_json(nd));
        snprintf(reuses, sizeof(reuses), "%s/%s", nd->reuses_cluster, nd->reuses_node);
        json_object_object_add(j, "reuses", nd->reuses_cluster[0] ? json_object_new_string(reuses) : NULL);
        json_object_object_add(j, "bmc_address", string_or_null(nd->bmc_address[0] ? nd->bmc_address : NULL));
        json_object_object_add(j, "root_disk", string_or_null(nd->root_disk[0] ? nd->root_disk : NULL));
        json_object_object_add(j, "boot_mode", string_or_null(cluster_boot_mode_to_string(nd->boot_mode)));
        return j;
}

struct json_object *json_cluster(const struct cluster *c) {
        struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();
        struct json_object *networks = json_object_new_array(), *machine = json_object_new_array();

        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "network", json_object_new_string(c->network));
        for (size_t i = 0; i < c->n_networks; i++) {
                char buf[PREFIX_STRLEN];

                json_object_array_add(networks, json_object_new_string(c->networks[i].name));
                json_object_array_add(machine, json_object_new_string(prefix_format(
                                                       &c->networks[i].machine_network, buf, sizeof(buf))));
        }
        json_object_object_add(o, "networks", networks);
        json_object_object_add(o, "machine_networks", machine);
        json_object_object_add(o, "topology",
                               json_object_new_string(cluster_topology_to_string(c->topology)));
        json_object_object_add(o, "domain", json_object_new_string(c->domain));
        json_object_object_add(o, "api_vip", addr_json(&c->api_vip));
        json_object_object_add(o, "ingress_vip", addr_json(&c->ingress_vip));
        json_object_object_add(o, "api_vips", vips_json(c, false));
        json_object_object_add(o, "ingress_vips", vips_json(c, true));
        for (size_t i = 0; i < c->n_nodes; i++)
                json_object_array_add(nodes, node_json(c, &c->nodes[i]));
        json_object_object_add(o, "nodes", nodes);
        return o;
}

static struct json_object *count_json(u128 v) {
        char buf[U128_DECLEN];

        return json_object_new_string(u128_format(v, buf, sizeof(buf)));
}

static void add_counts(struct json_object *o, const struct capacity *c) {
        json_object_object_add(o, "total", count_json(c->total));
        json_object_object_add(o, "reserved", count_json(c->reserved));
        json_object_object_add(o, "allocated", count_json(c->allocated));
        json_object_object_add(o, "free", count_json(c->free));
}

struct json_object *json_capacity(const struct capacity *nets, size_t n, const struct capacity *lab,
                                  time_t now) {
        struct json_object *o = json_object_new_object(), *list = json_object_new_array(), *l, *fits;
        struct capacity_fits dual;
        char stamp[32];
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(o, "generated_at", json_object_new_string(stamp));
        for (size_t i = 0; i < n; i++) {
                const struct capacity *c = &nets[i];
                struct json_object *j = json_object_new_object();
                char cidr[PREFIX_STRLEN];

                fits = json_object_new_object();

                json_object_object_add(j, "name", json_object_new_string(c->name));
                json_object_object_add(j, "cidr",
                                       json_object_new_string(prefix_format(&c->cidr, cidr, sizeof(cidr))));
                add_counts(j, c);
                json_object_object_add(j, "utilization",
                                       json_object_new_double(round(c->utilization * 1e4) / 1e4));
                json_object_object_add(j, "clusters", count_json(c->clusters));
                json_object_object_add(fits, "sno", count_json(c->fits_sno));
                json_object_object_add(fits, "compact", count_json(c->fits_compact));
                json_object_object_add(fits, "mno", count_json(c->fits_mno));
                json_object_object_add(j, "fits", fits);
                json_object_array_add(list, j);
        }
        json_object_object_add(o, "networks", list);
        if (capacity_dual_stack(nets, n, &dual)) {
                struct json_object *d = json_object_new_object(), *names = json_object_new_array();

                fits = json_object_new_object();
                json_object_array_add(names, json_object_new_string(nets[0].name));
                json_object_array_add(names, json_object_new_string(nets[1].name));
                json_object_object_add(d, "networks", names);
                json_object_object_add(fits, "sno", count_json(dual.sno));
                json_object_object_add(fits, "compact", count_json(dual.compact));
                json_object_object_add(fits, "mno", count_json(dual.mno));
                json_object_object_add(d, "fits", fits);
                json_object_object_add(o, "dual_stack", d);
        }
        l = json_object_new_object();
        add_counts(l, lab);
        json_object_object_add(l, "clusters", count_json(lab->clusters));
        json_object_object_add(o, "lab", l);
        return o;
}
