/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>

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
        for (size_t i = 0; i < n->n_reserved; i++)
                json_object_array_add(reserved, range_json(&n->reserved[i]));
        json_object_object_add(o, "reserved", reserved);
        json_object_object_add(o, "dhcp_range", n->has_dhcp_range ? range_json(&n->dhcp_range) : NULL);
        json_object_object_add(o, "boot", network_boot_json(n));
        json_object_object_add(o, "dhcp_options", dhcp_options_json(n));
        return o;
}

struct json_object *json_cluster(const struct cluster *c) {
        struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();

        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "network", json_object_new_string(c->network));
        json_object_object_add(o, "topology",
                               json_object_new_string(cluster_topology_to_string(c->topology)));
        json_object_object_add(o, "domain", json_object_new_string(c->domain));
        json_object_object_add(o, "api_vip", addr_json(&c->api_vip));
        json_object_object_add(o, "ingress_vip", addr_json(&c->ingress_vip));
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *nd = &c->nodes[i];
                struct json_object *j = json_object_new_object();
                char mac[MAC_STRLEN], fqdn[NAME_MAX_LEN * 2 + DOMAIN_MAX_LEN + 3];

                snprintf(fqdn, sizeof(fqdn), "%s.%s.%s", nd->name, c->name, c->domain);
                json_object_object_add(j, "name", json_object_new_string(nd->name));
                json_object_object_add(j, "role", json_object_new_string(nd->role));
                json_object_object_add(j, "mac",
                                       json_object_new_string(mac_format(nd->mac, mac, sizeof(mac))));
                json_object_object_add(j, "ip", addr_json(&nd->ip));
                json_object_object_add(j, "fqdn", json_object_new_string(fqdn));
                json_object_object_add(j, "boot", node_boot_json(nd));
                json_object_array_add(nodes, j);
        }
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
        struct json_object *o = json_object_new_object(), *list = json_object_new_array(), *l;
        char stamp[32];
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(o, "generated_at", json_object_new_string(stamp));
        for (size_t i = 0; i < n; i++) {
                const struct capacity *c = &nets[i];
                struct json_object *j = json_object_new_object(), *fits = json_object_new_object();
                char cidr[PREFIX_STRLEN];

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
        l = json_object_new_object();
        add_counts(l, lab);
        json_object_object_add(l, "clusters", count_json(lab->clusters));
        json_object_object_add(o, "lab", l);
        return o;
}
