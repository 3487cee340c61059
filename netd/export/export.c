/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <yaml.h>

#include "netd/dnsmasq/dnsmasq-conf.h"
#include "export.h"
#include "netd/core/prefix.h"
#include "netd/core/mac.h"

/* What a ZTP hub cannot learn from netd; the comment block at the top of
 * the document tells the user to set them. */
#define PLACEHOLDER_IMAGE_SET "CHANGE-ME-cluster-image-set"
#define PLACEHOLDER_SSH_KEY "CHANGE-ME-ssh-public-key"
#define PULL_SECRET_NAME "assisted-deployment-pull-secret"
#define BMC_SECRET_SUFFIX "-bmc-secret"

/* systemd's name for the first virtio NIC of a q35 guest (bus 1, slot 0),
 * which is what virt-install gives a VM with one interface. */
#define GUEST_NAME_DEFAULT "enp1s0"

#define TEMPLATES_NAMESPACE "open-cluster-management"
#define CLUSTER_TEMPLATES "ai-cluster-templates-v1"
#define NODE_TEMPLATES "ai-node-templates-v1"

#define BMC_URL_MAX (sizeof(((struct export_vm *)NULL)->bmc) + VM_UUID_STRLEN + 64)
#define COMMENT_MAX 512

static const char *const format_names[EXPORT_FORMAT_MAX] = {
        [EXPORT_CLUSTERINSTANCE] = "clusterinstance",
        [EXPORT_SITECONFIG] = "siteconfig",
        [EXPORT_INVENTORY] = "inventory",
        [EXPORT_DNSMASQ] = "dnsmasq",
};

const char *export_format_to_string(enum export_format f) {
        if ((size_t)f >= ARRAY_SIZE(format_names))
                return NULL;
        return format_names[f];
}

int export_format_from_string(const char *s, enum export_format *ret) {
        for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
                if (streq(s, format_names[i])) {
                        *ret = (enum export_format)i;
                        return 0;
                }
        return NETD_EINVALID;
}

/* ---- the values of a cluster as they appear in the documents ---- */

struct node_view {
        const struct node *node;
        char fqdn[DOMAIN_MAX_LEN + 1];
        char mac[MAC_STRLEN];
        char ip[ADDR_STRLEN];
        char guest[IFNAME_MAX_LEN + 1];
        bool guest_assumed;
        char bmc_secret[NAME_MAX_LEN + sizeof(BMC_SECRET_SUFFIX)];
        const char *uuid;      /* NULL: no VM */
        const char *bmc_url;   /* NULL: no VM or its host has no --bmc */
        const char *root_disk; /* NULL: unknown */
        char bmc_url_buf[BMC_URL_MAX];
        char note[COMMENT_MAX]; /* why fields are missing; "" when none is */
};

struct view {
        const struct cluster *c;
        const struct network *n;
        bool v6;
        bool vips; /* compact/mno: api and ingress VIPs of their own */
        char cidr[PREFIX_STRLEN];
        char gateway[ADDR_STRLEN];
        char api[ADDR_STRLEN], ingress[ADDR_STRLEN];
        struct node_view *nodes;
        size_t n_nodes;
};

static bool char_is_printable(char ch) {
        return ch >= 0x20 && ch <= 0x7e;
}

static bool text_is_printable(const char *s) {
        for (; *s; s++)
                if (!char_is_printable(*s))
                        return false;
        return true;
}

/* Canonical lowercase 8-4-4-4-12; it becomes part of a URL path. */
static bool uuid_is_valid(const char *s) {
        if (strlen(s) != VM_UUID_STRLEN - 1)
                return false;
        for (size_t i = 0; s[i]; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        }
        return true;
}

/* HOST:PORT or [IPV6]:PORT as db/host.c accepted it; only the bytes a URL
 * authority of that shape can hold. */
static bool bmc_is_valid(const char *s) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                      strchr(".-:[]", *s)))
                        return false;
        return true;
}

/* A udev by-path name; no whitespace so it reads the same in every tool. */
static bool disk_is_valid(const char *s) {
        if (strncmp(s, "/dev/", 5) != 0)
                return false;
        for (; *s; s++)
                if (!char_is_printable(*s) || *s == ' ')
                        return false;
        return true;
}

static int vm_view(const struct cluster *c, const struct node *nd, const struct export_vm *vm,
                   struct node_view *v, struct netd_error *err) {
        char q[96];
        int r;

        if (!vm || !vm->found) {
                strscpy(v->guest, sizeof(v->guest), GUEST_NAME_DEFAULT);
                v->guest_assumed = true;
                if (vm && vm->note[0])
                        strscpy(v->note, sizeof(v->note), vm->note);
                else
                        snprintf(v->note, sizeof(v->note), "no VM on a libvirt host has MAC %s", v->mac);
                return 0;
        }
        if (!uuid_is_valid(vm->uuid))
                return error_set(err, NETD_EINVALID, "cluster %s: node %s: VM UUID \"%s\" is not valid",
                                 c->name, nd->name, error_quote_untrusted(vm->uuid, q, sizeof(q)));
        v->uuid = vm->uuid;
        if (vm->guest_name[0]) {
                if (!validate_ifname(vm->guest_name))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: guest interface name \"%s\" is not valid",
                                         c->name, nd->name,
                                         error_quote_untrusted(vm->guest_name, q, sizeof(q)));
                strscpy(v->guest, sizeof(v->guest), vm->guest_name);
        } else {
                strscpy(v->guest, sizeof(v->guest), GUEST_NAME_DEFAULT);
                v->guest_assumed = true;
        }
        if (vm->bmc[0]) {
                if (!bmc_is_valid(vm->bmc))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: BMC \"%s\" is not HOST:PORT", c->name,
                                         nd->name, error_quote_untrusted(vm->bmc, q, sizeof(q)));
                r = snprintf(v->bmc_url_buf, sizeof(v->bmc_url_buf),
                             "redfish-virtualmedia://%s/redfish/v1/Systems/%s", vm->bmc, vm->uuid);
                if (r < 0 || (size_t)r >= sizeof(v->bmc_url_buf))
                        return error_set(err, NETD_EINVALID, "cluster %s: node %s: BMC address is too long",
                                         c->name, nd->name);
                v->bmc_url = v->bmc_url_buf;
        }
        if (vm->root_disk[0]) {
                if (!disk_is_valid(vm->root_disk))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: root disk \"%s\" is not a /dev path", c->name,
                                         nd->name, error_quote_untrusted(vm->root_disk, q, sizeof(q)));
                v->root_disk = vm->root_disk;
        }
        if (v->bmc_url && v->root_disk)
                return 0;
        if (vm->note[0]) {
                strscpy(v->note, sizeof(v->note), vm->note);
                return 0;
        }
        /* no word from the caller: say it from what is missing */
        if (!v->bmc_url) {
                bool named = validate_name(vm->host);
                snprintf(v->note, sizeof(v->note), "%s%s has no --bmc", named ? "host " : "the VM's host",
                         named ? vm->host : "");
        }
        if (!v->root_disk) {
                size_t len = strlen(v->note);
                snprintf(v->note + len, sizeof(v->note) - len, "%sthe VM's root disk is unknown",
                         len ? "; " : "");
        }
        return 0;
}

static int addr_view(const struct cluster *c, const char *what, const struct addr *a, int family, char *buf,
                     struct netd_error *err) {
        if (a->family != family)
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: %s is not an IPv%c address like its network", c->name, what,
                                 family == AF_INET ? '4' : '6');
        addr_format(a, buf, ADDR_STRLEN);
        return 0;
}

/* Everything a document shows, checked once. The emitter escapes what it
 * must, but names end up in comments, URLs and other tools' configuration,
 * so they are held to netd's own alphabets here as well. */
static int view_build(const struct export_input *in, struct view *v, struct netd_error *err) {
        const struct cluster *c = in->cluster;
        const struct network *n = in->network;
        char q[96];
        int family, r;

        if (!c || !n)
                return error_set(err, NETD_EINVALID, "export: no cluster or network given");
        if (!validate_name(c->name))
                return error_set(err, NETD_EINVALID, "export: cluster name \"%s\" is not valid",
                                 error_quote_untrusted(c->name, q, sizeof(q)));
        if (!validate_name(n->name) || !streq(c->network, n->name))
                return error_set(err, NETD_EINVALID, "cluster %s is on network \"%s\", not \"%s\"", c->name,
                                 error_quote_untrusted(c->network, q, sizeof(q)),
                                 validate_name(n->name) ? n->name : "?");
        if (!validate_domain(c->domain))
                return error_set(err, NETD_EINVALID, "cluster %s: domain \"%s\" is not valid", c->name,
                                 error_quote_untrusted(c->domain, q, sizeof(q)));
        if (!cluster_topology_to_string(c->topology))
                return error_set(err, NETD_EINVALID, "cluster %s: unknown topology %d", c->name,
                                 (int)c->topology);
        family = n->cidr.base.family;
        if ((family != AF_INET && family != AF_INET6) || n->cidr.len > addr_bits(family))
                return error_set(err, NETD_EINVALID, "network %s: no valid CIDR", n->name);
        if (c->n_nodes > 0 && !c->nodes)
                return error_set(err, NETD_EINVALID, "cluster %s: nodes missing", c->name);

        v->c = c;
        v->n = n;
        v->v6 = family == AF_INET6;
        v->vips = c->topology != TOPOLOGY_SNO;
        prefix_format(&n->cidr, v->cidr, sizeof(v->cidr));
        if ((r = addr_view(c, "the network gateway", &n->gateway, family, v->gateway, err)) < 0 ||
            (r = addr_view(c, "the API VIP", &c->api_vip, family, v->api, err)) < 0 ||
            (r = addr_view(c, "the ingress VIP", &c->ingress_vip, family, v->ingress, err)) < 0)
                return r;

        v->nodes = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*v->nodes));
        if (!v->nodes)
                return error_set(err, NETD_EINTERNAL, "cluster %s: out of memory", c->name);
        v->n_nodes = c->n_nodes;
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *nd = &c->nodes[i];
                struct node_view *nv = &v->nodes[i];

                nv->node = nd;
                if (!validate_name(nd->name))
                        return error_set(err, NETD_EINVALID, "cluster %s: node name \"%s\" is not valid",
                                         c->name, error_quote_untrusted(nd->name, q, sizeof(q)));
                if (!streq(nd->role, "master") && !streq(nd->role, "worker"))
                        return error_set(err, NETD_EINVALID, "cluster %s: node %s: role \"%s\" is not valid",
                                         c->name, nd->name, error_quote_untrusted(nd->role, q, sizeof(q)));
                r = snprintf(nv->fqdn, sizeof(nv->fqdn), "%s.%s.%s", nd->name, c->name, c->domain);
                if (r < 0 || (size_t)r >= sizeof(nv->fqdn) || !validate_domain(nv->fqdn))
                        return error_set(err, NETD_EINVALID, "cluster %s: node %s: host name is too long",
                                         c->name, nd->name);
                mac_format(nd->mac, nv->mac, sizeof(nv->mac));
                if (nd->ip.family != family)
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: address is not IPv%c like its network",
                                         c->name, nd->name, family == AF_INET ? '4' : '6');
                addr_format(&nd->ip, nv->ip, sizeof(nv->ip));
                snprintf(nv->bmc_secret, sizeof(nv->bmc_secret), "%s" BMC_SECRET_SUFFIX, nd->name);
                if ((r = vm_view(c, nd, in->vms ? &in->vms[i] : NULL, nv, err)) < 0)
                        return r;
        }
        return 0;
}

/* ---- the comment block ---- */

/* libyaml cannot emit comments, so these lines are the only text not made
 * by the emitter: each must stay one comment line whatever it holds. */
static _printf_(4, 5) int comment_write(FILE *f, const struct view *v, struct netd_error *err,
                                        const char *fmt, ...) {
        char line[COMMENT_MAX + 128];
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        if (r < 0 || (size_t)r >= sizeof(line))
                return error_set(err, NETD_EINVALID, "cluster %s: a comment line of the export is too long",
                                 v->c->name);
        if (!text_is_printable(line)) {
                char q[128];
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: refusing a comment line with non-printable characters: \"%s\"",
                                 v->c->name, error_quote_untrusted(line, q, sizeof(q)));
        }
        fprintf(f, "# %s\n", line);
        return 0;
}

/* "a", "a and b", "a, b and c" */
static void list_join(char *buf, size_t size, const char *const *items, size_t n) {
        size_t off = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n && off < size; i++) {
                const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
                int r = snprintf(buf + off, size - off, "%s%s", sep, items[i]);
                if (r < 0)
                        return;
                off += (size_t)r;
        }
}

static int comments_write(FILE *f, enum export_format fmt, const struct view *v, struct netd_error *err) {
        const struct cluster *c = v->c;
        bool ztp = fmt != EXPORT_INVENTORY;
        bool any_bmc = false;
        int r;

        r = comment_write(f, v, err, "Generated by netd for cluster %s (%s) on network %s.", c->name,
                          cluster_topology_to_string(c->topology), v->n->name);
        if (r < 0)
                return r;
        if (ztp) {
                r = comment_write(f, v, err,
                                  "Set before use: clusterImageSetNameRef (" PLACEHOLDER_IMAGE_SET
                                  ") to a ClusterImageSet of the hub, sshPublicKey (" PLACEHOLDER_SSH_KEY ")"
                                  " to your public key, and create Secret " PULL_SECRET_NAME
                                  " in namespace %s with your pull secret.",
                                  c->name);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < v->n_nodes; i++)
                        any_bmc = any_bmc || v->nodes[i].bmc_url;
                if (any_bmc) {
                        r = comment_write(f, v, err,
                                          "Create Secret NODE" BMC_SECRET_SUFFIX
                                          " in namespace %s with the BMC credentials of each node"
                                          " that has a bmcAddress.",
                                          c->name);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; i < v->n_nodes; i++) {
                const struct node_view *nv = &v->nodes[i];
                const char *missing[3];
                char fields[128];
                size_t n = 0;

                if (ztp) {
                        if (!nv->bmc_url) {
                                missing[n++] = "bmcAddress";
                                missing[n++] = "bmcCredentialsName";
                        }
                        if (!nv->root_disk)
                                missing[n++] = "rootDeviceHints";
                } else {
                        if (!nv->bmc_url)
                                missing[n++] = "bmc_address";
                        if (!nv->uuid)
                                missing[n++] = "system_uuid";
                        if (!nv->root_disk)
                                missing[n++] = "root_device";
                }
                if (n > 0) {
                        list_join(fields, sizeof(fields), missing, n);
                        r = comment_write(f, v, err, "%s: %s - %s left out.", nv->node->name, nv->note,
                                          fields);
                        if (r < 0)
                                return r;
                }
                if (ztp && nv->guest_assumed) {
                        r = comment_write(
                                f, v, err,
                                "%s: the guest's interface name is unknown - %s assumed in nodeNetwork.",
                                nv->node->name, nv->guest);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* ---- the emitter ---- */

/* Errors stick: after the first failure every call is a no-op, so the
 * document code reads as the document's shape and is checked once. */
struct emitter {
        yaml_emitter_t y;
        bool failed;
};

static void emit(struct emitter *e, yaml_event_t *ev, bool initialized) {
        if (e->failed)
                return;
        if (!initialized) {
                e->failed = true;
                return;
        }
        /* the emitter owns the event from here, also on failure */
        if (!yaml_emitter_emit(&e->y, ev))
                e->failed = true;
}

static void emit_scalar(struct emitter *e, const char *s, yaml_scalar_style_t style) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit(e, &ev,
             yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)strlen(s), 1, 1,
                                          style));
}

static bool word_is(const char *s, const char *word) {
        return strcasecmp(s, word) == 0;
}

/* A plain scalar only when no YAML 1.1 or 1.2 loader can take it for
 * anything but a string: it starts with a letter or '/' (so it is no
 * number, sexagesimal, timestamp, null, merge key or .inf) and is none of
 * the boolean or null words. The rest is double-quoted; libyaml itself
 * falls back to quoting when a plain scalar would not parse back. */
static bool scalar_is_plain_safe(const char *s) {
        static const char *const words[] = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
        char first = s[0];

        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '/'))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(words); i++)
                if (word_is(s, words[i]))
                        return false;
        return true;
}

static void emit_str(struct emitter *e, const char *s) {
        emit_scalar(e, s,
                    scalar_is_plain_safe(s) ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* MACs and UUIDs: quoted always, so they look alike whatever their first
 * digit. */
static void emit_quoted(struct emitter *e, const char *s) {
        emit_scalar(e, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void emit_bool(struct emitter *e, bool b) {
        emit_scalar(e, b ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

static void emit_uint(struct emitter *e, unsigned u) {
        char buf[16];

        snprintf(buf, sizeof(buf), "%u", u);
        emit_scalar(e, buf, YAML_PLAIN_SCALAR_STYLE);
}

static void map_start(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_start(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void kv_str(struct emitter *e, const char *key, const char *value) {
        emit_str(e, key);
        emit_str(e, value);
}

static void kv_quoted(struct emitter *e, const char *key, const char *value) {
        emit_str(e, key);
        emit_quoted(e, value);
}

static void kv_bool(struct emitter *e, const char *key, bool value) {
        emit_str(e, key);
        emit_bool(e, value);
}

/* key: [{name: NAME, namespace: NAMESPACE}] */
static void template_refs(struct emitter *e, const char *name) {
        emit_str(e, "templateRefs");
        seq_start(e);
        map_start(e);
        kv_str(e, "name", name);
        kv_str(e, "namespace", TEMPLATES_NAMESPACE);
        map_end(e);
        seq_end(e);
}

/* key: [value] */
static void kv_list1(struct emitter *e, const char *key, const char *value) {
        emit_str(e, key);
        seq_start(e);
        emit_str(e, value);
        seq_end(e);
}

static void machine_network(struct emitter *e, const struct view *v) {
        emit_str(e, "machineNetwork");
        seq_start(e);
        map_start(e);
        kv_str(e, "cidr", v->cidr);
        map_end(e);
        seq_end(e);
}

static void vips(struct emitter *e, const struct view *v) {
        /* SNO: the node's own address is the API and the ingress */
        if (!v->vips)
                return;
        kv_list1(e, "apiVIPs", v->api);
        kv_list1(e, "ingressVIPs", v->ingress);
}

/* The nmstate document of one node. IPv4: netd's dnsmasq hands out the
 * fixed address by DHCP. IPv6: netd serves no DHCPv6 or RA, so the address,
 * the resolver and the default route are static. */
static void nmstate(struct emitter *e, const struct view *v, const struct node_view *nv) {
        map_start(e);
        emit_str(e, "interfaces");
        seq_start(e);
        map_start(e);
        kv_str(e, "name", nv->guest);
        kv_str(e, "type", "ethernet");
        kv_str(e, "state", "up");
        emit_str(e, "ipv4");
        map_start(e);
        kv_bool(e, "enabled", !v->v6);
        if (!v->v6)
                kv_bool(e, "dhcp", true);
        map_end(e);
        emit_str(e, "ipv6");
        map_start(e);
        kv_bool(e, "enabled", v->v6);
        if (v->v6) {
                kv_bool(e, "dhcp", false);
                kv_bool(e, "autoconf", false);
                emit_str(e, "address");
                seq_start(e);
                map_start(e);
                kv_str(e, "ip", nv->ip);
                emit_str(e, "prefix-length");
                emit_uint(e, v->n->cidr.len);
                map_end(e);
                seq_end(e);
        }
        map_end(e);
        map_end(e);
        seq_end(e);
        if (v->v6) {
                emit_str(e, "dns-resolver");
                map_start(e);
                emit_str(e, "config");
                map_start(e);
                kv_list1(e, "server", v->gateway);
                map_end(e);
                map_end(e);

                emit_str(e, "routes");
                map_start(e);
                emit_str(e, "config");
                seq_start(e);
                map_start(e);
                kv_str(e, "destination", "::/0");
                kv_str(e, "next-hop-address", v->gateway);
                kv_str(e, "next-hop-interface", nv->guest);
                map_end(e);
                seq_end(e);
                map_end(e);
        }
        map_end(e);
}

static void ztp_node(struct emitter *e, const struct view *v, const struct node_view *nv, bool templates) {
        map_start(e);
        kv_str(e, "hostName", nv->fqdn);
        kv_str(e, "role", nv->node->role);
        if (nv->bmc_url) {
                kv_str(e, "bmcAddress", nv->bmc_url);
                emit_str(e, "bmcCredentialsName");
                map_start(e);
                kv_str(e, "name", nv->bmc_secret);
                map_end(e);
        }
        kv_quoted(e, "bootMACAddress", nv->mac);
        kv_str(e, "bootMode", "UEFI");
        if (nv->root_disk) {
                emit_str(e, "rootDeviceHints");
                map_start(e);
                kv_str(e, "deviceName", nv->root_disk);
                map_end(e);
        }
        if (templates)
                template_refs(e, NODE_TEMPLATES);
        emit_str(e, "nodeNetwork");
        map_start(e);
        emit_str(e, "interfaces");
        seq_start(e);
        map_start(e);
        kv_str(e, "name", nv->guest);
        kv_quoted(e, "macAddress", nv->mac);
        map_end(e);
        seq_end(e);
        emit_str(e, "config");
        nmstate(e, v, nv);
        map_end(e);
        map_end(e);
}

static void ztp_nodes(struct emitter *e, const struct view *v, bool templates) {
        emit_str(e, "nodes");
        seq_start(e);
        for (size_t i = 0; i < v->n_nodes; i++)
                ztp_node(e, v, &v->nodes[i], templates);
        seq_end(e);
}

static void metadata(struct emitter *e, const struct view *v) {
        emit_str(e, "metadata");
        map_start(e);
        kv_str(e, "name", v->c->name);
        kv_str(e, "namespace", v->c->name);
        map_end(e);
}

static void pull_secret_ref(struct emitter *e) {
        emit_str(e, "pullSecretRef");
        map_start(e);
        kv_str(e, "name", PULL_SECRET_NAME);
        map_end(e);
}

static void clusterinstance(struct emitter *e, const struct view *v) {
        map_start(e);
        kv_str(e, "apiVersion", "siteconfig.open-cluster-management.io/v1alpha1");
        kv_str(e, "kind", "ClusterInstance");
        metadata(e, v);
        emit_str(e, "spec");
        map_start(e);
        kv_str(e, "clusterName", v->c->name);
        kv_str(e, "baseDomain", v->c->domain);
        kv_str(e, "clusterImageSetNameRef", PLACEHOLDER_IMAGE_SET);
        pull_secret_ref(e);
        kv_str(e, "sshPublicKey", PLACEHOLDER_SSH_KEY);
        kv_str(e, "networkType", "OVNKubernetes");
        machine_network(e, v);
        vips(e, v);
        template_refs(e, CLUSTER_TEMPLATES);
        kv_bool(e, "holdInstallation", false);
        ztp_nodes(e, v, true);
        map_end(e);
        map_end(e);
}

static void siteconfig(struct emitter *e, const struct view *v) {
        map_start(e);
        kv_str(e, "apiVersion", "ran.openshift.io/v1");
        kv_str(e, "kind", "SiteConfig");
        metadata(e, v);
        emit_str(e, "spec");
        map_start(e);
        kv_str(e, "baseDomain", v->c->domain);
        pull_secret_ref(e);
        kv_str(e, "clusterImageSetNameRef", PLACEHOLDER_IMAGE_SET);
        kv_str(e, "sshPublicKey", PLACEHOLDER_SSH_KEY);
        emit_str(e, "clusters");
        seq_start(e);
        map_start(e);
        kv_str(e, "clusterName", v->c->name);
        kv_str(e, "networkType", "OVNKubernetes");
        vips(e, v);
        machine_network(e, v);
        ztp_nodes(e, v, false);
        map_end(e);
        seq_end(e);
        map_end(e);
        map_end(e);
}

static void inventory_group(struct emitter *e, const struct view *v, const char *group, const char *role) {
        emit_str(e, group);
        map_start(e);
        emit_str(e, "hosts");
        map_start(e);
        for (size_t i = 0; i < v->n_nodes; i++) {
                const struct node_view *nv = &v->nodes[i];

                if (!streq(nv->node->role, role))
                        continue;
                emit_str(e, nv->node->name);
                map_start(e);
                kv_str(e, "name", nv->node->name);
                kv_str(e, "role", nv->node->role);
                kv_quoted(e, "mac", nv->mac);
                kv_str(e, "ip", nv->ip);
                kv_str(e, "fqdn", nv->fqdn);
                if (nv->bmc_url)
                        kv_str(e, "bmc_address", nv->bmc_url);
                if (nv->uuid)
                        kv_quoted(e, "system_uuid", nv->uuid);
                if (nv->root_disk)
                        kv_str(e, "root_device", nv->root_disk);
                map_end(e);
        }
        map_end(e);
        map_end(e);
}

static void inventory(struct emitter *e, const struct view *v) {
        map_start(e);
        emit_str(e, "all");
        map_start(e);
        emit_str(e, "vars");
        map_start(e);
        kv_str(e, "cluster", v->c->name);
        kv_str(e, "domain", v->c->domain);
        kv_str(e, "api_vip", v->api);
        kv_str(e, "ingress_vip", v->ingress);
        kv_str(e, "machine_network", v->cidr);
        map_end(e);
        emit_str(e, "children");
        map_start(e);
        inventory_group(e, v, "masters", "master");
        inventory_group(e, v, "workers", "worker");
        map_end(e);
        map_end(e);
        map_end(e);
}

static int write_handler(void *data, unsigned char *buffer, size_t size) {
        return fwrite(buffer, 1, size, data) == size;
}

static int yaml_render(enum export_format fmt, const struct view *v, FILE *f, struct netd_error *err) {
        struct emitter e = {};
        yaml_event_t ev;
        int r;

        if ((r = comments_write(f, fmt, v, err)) < 0)
                return r;
        if (!yaml_emitter_initialize(&e.y))
                return error_set(err, NETD_EINTERNAL, "cluster %s: cannot start the YAML emitter",
                                 v->c->name);
        yaml_emitter_set_output(&e.y, write_handler, f);
        yaml_emitter_set_unicode(&e.y, 0);
        yaml_emitter_set_indent(&e.y, 2);
        /* never fold a long value over two lines */
        yaml_emitter_set_width(&e.y, -1);

        emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
        emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
        switch (fmt) {
        case EXPORT_CLUSTERINSTANCE:
                clusterinstance(&e, v);
                break;
        case EXPORT_SITECONFIG:
                siteconfig(&e, v);
                break;
        default:
                inventory(&e, v);
                break;
        }
        emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
        emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
        if (e.failed)
                r = error_set(err, NETD_EINTERNAL, "cluster %s: YAML emitter failed: %s", v->c->name,
                              e.y.problem ? e.y.problem : "out of memory");
        yaml_emitter_delete(&e.y);
        return r;
}

int export_render(enum export_format f, const struct export_input *in, char **ret_text,
                  struct netd_error *err) {
        _cleanup_free_ struct node_view *nodes = NULL;
        struct view v = {};
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r;

        if (!in || !ret_text)
                return error_set(err, NETD_EINVALID, "export: nothing to render");
        if ((size_t)f >= EXPORT_FORMAT_MAX)
                return error_set(err, NETD_EINVALID, "export: unknown format %d", (int)f);

        if (f == EXPORT_DNSMASQ) {
                char *text;

                if (!in->cluster)
                        return error_set(err, NETD_EINVALID, "export: no cluster given");
                errno = 0;
                text = dnsmasq_conf_cluster(in->cluster);
                if (!text)
                        return errno == EINVAL
                                       ? error_set(err, NETD_EINVALID,
                                                   "cluster %s: refusing fields that are not valid in "
                                                   "dnsmasq lines",
                                                   validate_name(in->cluster->name) ? in->cluster->name : "?")
                                       : error_set(err, NETD_EINTERNAL, "export: out of memory");
                *ret_text = text;
                return 0;
        }

        r = view_build(in, &v, err);
        nodes = v.nodes;
        if (r < 0)
                return r;

        out = open_memstream(&buf, &size);
        if (!out)
                return error_set(err, NETD_EINTERNAL, "cluster %s: out of memory", v.c->name);
        r = yaml_render(f, &v, out, err);
        if (fclose(out) != 0 && r >= 0)
                r = error_set(err, NETD_EINTERNAL, "cluster %s: out of memory", v.c->name);
        if (r < 0) {
                free(buf);
                return r;
        }
        if (size == 0 || buf[size - 1] != '\n') {
                free(buf);
                return error_set(err, NETD_EINTERNAL, "cluster %s: the YAML emitter left no final newline",
                                 v.c->name);
        }
        *ret_text = buf;
        return 0;
}
