/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <strings.h>

#include "export-private.h"
#include "netd/dnsmasq/dnsmasq-conf.h"

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

static bool char_is_printable(char ch) {
        return ch >= 0x20 && ch <= 0x7e;
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

static int write_handler(void *data, unsigned char *buffer, size_t size) {
        return fwrite(buffer, 1, size, data) == size;
}

static int yaml_render(enum export_format fmt, const struct view *v, FILE *f, struct netd_error *err) {
        struct emitter e = {};
        yaml_event_t ev;
        int r;

        if ((r = export_comments_write(f, fmt, v, err)) < 0)
                return r;
        if (!yaml_emitter_initialize(&e.y))
                return error_set(err, NETD_EINTERNAL, "cluster %s: cannot start the YAML emitter",
                                 v->c->name);
        yaml_emitter_set_output(&e.y, write_handler, f);
        yaml_emitter_set_unicode(&e.y, 0);
        yaml_emitter_set_indent(&e.y, 2);
        /* never fold a long value over two lines */
        yaml_emitter_set_width(&e.y, -1);

        emit_event(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
        emit_event(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
        switch (fmt) {
        case EXPORT_CLUSTERINSTANCE:
                export_ztp_clusterinstance(&e, v);
                break;
        case EXPORT_SITECONFIG:
                export_ztp_siteconfig(&e, v);
                break;
        default:
                export_inventory_emit(&e, v);
                break;
        }
        emit_event(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
        emit_event(&e, &ev, yaml_stream_end_event_initialize(&ev));
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
