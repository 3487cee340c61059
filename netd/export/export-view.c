/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The values of a cluster as the documents show them, checked once. The
 * emitter escapes what it must, but names end up in comments, URLs and
 * other tools' configuration, so they are held to netd's own alphabets
 * here as well. */
#include <arpa/inet.h>
#include <stdarg.h>

#include "export-private.h"

static bool text_is_printable(const char *s) {
        for (; *s; s++)
                if (*s < 0x20 || *s > 0x7e)
                        return false;
        return true;
}

/* A /dev path (udev by-path name or `node set --root-disk`); no white space
 * so it reads the same in every tool. */
static bool disk_is_valid(const char *s) {
        if (strncmp(s, "/dev/", 5) != 0)
                return false;
        for (; *s; s++)
                if (*s <= 0x20 || *s > 0x7e)
                        return false;
        return true;
}

/* "…-ata-N.0" → "…-ata-N": the compatibility link udev before systemd 250
 * made the only name (and later versions still make). */
static void disk_udev_compat(char *path) {
        char *ata = strstr(path, "-ata-"), *dot;

        if (!ata)
                return;
        ata += strlen("-ata-");
        dot = ata + strspn(ata, "0123456789");
        if (dot > ata && streq(dot, ".0"))
                *dot = '\0';
}

static const char *boot_mode_from_node(enum node_boot_mode m) {
        switch (m) {
        case NODE_BOOT_MODE_UEFI:
                return "UEFI";
        case NODE_BOOT_MODE_UEFI_SECURE:
                return "UEFISecureBoot";
        case NODE_BOOT_MODE_LEGACY:
                return "legacy";
        default:
                return NULL;
        }
}

static const char *boot_mode_from_firmware(enum vm_firmware f) {
        switch (f) {
        case VM_FIRMWARE_EFI_SECURE:
                return "UEFISecureBoot";
        case VM_FIRMWARE_EFI:
                return "UEFI";
        default:
                return "legacy";
        }
}

void export_missing_join(unsigned missing, char *buf, size_t size) {
        const char *names[3];
        size_t n = 0;

        if (missing & MISSING_BMC_ADDRESS)
                names[n++] = "bmcAddress";
        if (missing & MISSING_ROOT_DEVICE)
                names[n++] = "rootDeviceHints";
        if (missing & MISSING_BOOT_MODE)
                names[n++] = "bootMode";
        export_list_join(buf, size, names, n);
}

void export_list_join(char *buf, size_t size, const char *const *items, size_t n) {
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

static _printf_(2, 3) void note_add(struct node_view *nv, const char *fmt, ...) {
        size_t len = strlen(nv->note);
        va_list ap;

        if (len > 0 && len + 2 < sizeof(nv->note)) {
                memcpy(nv->note + len, "; ", 3);
                len += 2;
        }
        va_start(ap, fmt);
        (void)vsnprintf(nv->note + len, sizeof(nv->note) - len, fmt, ap);
        va_end(ap);
}

/* The VM's values: guest NIC name, BMC (host --bmc + UUID), root disk and
 * firmware; each checked, since they come from another machine. */
static int vm_view(const struct view *v, const struct node *nd, const struct export_vm *vm,
                   struct node_view *nv, struct netd_error *err) {
        const char *c = v->c->name;
        char q[96], what[NAME_MAX_LEN * 3 + 48];
        int r;

        if (vm->guest_name[0]) {
                if (!validate_ifname(vm->guest_name))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: guest interface name \"%s\" is not valid", c,
                                         nd->name, error_quote_untrusted(vm->guest_name, q, sizeof(q)));
                strscpy(nv->guest, sizeof(nv->guest), vm->guest_name);
                nv->guest_assumed = false;
        }
        if (vm->domain[0] && !text_is_printable(vm->domain))
                return error_set(err, NETD_EINVALID, "cluster %s: node %s: VM name \"%s\" is not printable",
                                 c, nd->name, error_quote_untrusted(vm->domain, q, sizeof(q)));
        if (!isempty(vm->uuid) && !bmc_uuid_is_valid(vm->uuid))
                return error_set(err, NETD_EINVALID, "cluster %s: node %s: VM UUID \"%s\" is not valid", c,
                                 nd->name, error_quote_untrusted(vm->uuid, q, sizeof(q)));
        if (!nv->bmc_from_node && vm->bmc[0] && !isempty(vm->uuid)) {
                snprintf(what, sizeof(what), "cluster %s: node %s: BMC of host %s", c, nd->name,
                         validate_name(vm->host) ? vm->host : "?");
                if ((r = bmc_parse(what, vm->bmc, &nv->bmc, err)) < 0 ||
                    (r = bmc_system_url(&nv->bmc, vm->uuid, nv->bmc_url, sizeof(nv->bmc_url), err)) < 0)
                        return r;
                nv->has_bmc = true;
        }
        if (!nv->root_disk[0] && vm->root_disk[0]) {
                if (!disk_is_valid(vm->root_disk))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: root disk \"%s\" is not a /dev path", c,
                                         nd->name, error_quote_untrusted(vm->root_disk, q, sizeof(q)));
                strscpy(nv->root_disk, sizeof(nv->root_disk), vm->root_disk);
                if (v->in->udev_compat)
                        disk_udev_compat(nv->root_disk);
        }
        if (!nv->boot_mode)
                nv->boot_mode = boot_mode_from_firmware(vm->firmware);
        return 0;
}

/* `node set` facts first: they win over what discovery found. */
static int facts_view(const struct view *v, const struct node *nd, struct node_view *nv,
                      struct netd_error *err) {
        char q[96], what[NAME_MAX_LEN * 2 + 32];
        int r;

        if (nd->bmc_address[0]) {
                snprintf(what, sizeof(what), "cluster %s: node %s: BMC address", v->c->name, nd->name);
                r = bmc_url_parse(what, nd->bmc_address, &nv->bmc, err);
                if (r < 0)
                        return r;
                strscpy(nv->bmc_url, sizeof(nv->bmc_url), nd->bmc_address);
                nv->has_bmc = nv->bmc_from_node = true;
        }
        if (nd->root_disk[0]) {
                if (!disk_is_valid(nd->root_disk))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: root disk \"%s\" is not a /dev path",
                                         v->c->name, nd->name,
                                         error_quote_untrusted(nd->root_disk, q, sizeof(q)));
                strscpy(nv->root_disk, sizeof(nv->root_disk), nd->root_disk);
        }
        nv->boot_mode = boot_mode_from_node(nd->boot_mode);
        return 0;
}

/* Why values are missing, in the words of the comment block and of the
 * refusal. */
static void note_build(struct node_view *nv) {
        const struct export_vm *vm = nv->vm;

        nv->note[0] = '\0';
        if (!nv->missing)
                return;
        if (!vm) {
                note_add(nv, "no VM on a libvirt host has MAC %s", nv->mac);
                return;
        }
        if (!vm->found) {
                note_add(nv, "%s", vm->note[0] ? vm->note : "no VM found");
                return;
        }
        if (nv->missing & MISSING_BMC_ADDRESS) {
                bool named = validate_name(vm->host);

                if (isempty(vm->uuid))
                        note_add(nv, "its VM has no usable UUID");
                else
                        note_add(nv, "%s%s has no --bmc", named ? "host " : "the VM's host",
                                 named ? vm->host : "");
        }
        if (nv->missing & MISSING_ROOT_DEVICE)
                note_add(nv, "%s", vm->note[0] ? vm->note : "the VM's root disk is unknown");
}

static int node_view_build(const struct view *v, size_t i, struct netd_error *err) {
        const struct cluster *c = v->c;
        const struct node *nd = &c->nodes[i];
        struct node_view *nv = &v->nodes[i];
        const struct export_vm *vm = v->in->vms ? &v->in->vms[i] : NULL;
        char q[96];
        int r;

        nv->node = nd;
        if (!validate_name(nd->name))
                return error_set(err, NETD_EINVALID, "cluster %s: node name \"%s\" is not valid", c->name,
                                 error_quote_untrusted(nd->name, q, sizeof(q)));
        if (!streq(nd->role, "master") && !streq(nd->role, "worker"))
                return error_set(err, NETD_EINVALID, "cluster %s: node %s: role \"%s\" is not valid", c->name,
                                 nd->name, error_quote_untrusted(nd->role, q, sizeof(q)));
        if ((nd->reuses_cluster[0] || nd->reuses_node[0]) &&
            !(validate_name(nd->reuses_cluster) && validate_name(nd->reuses_node)))
                return error_set(err, NETD_EINVALID, "cluster %s: node %s: the node it reuses is not valid",
                                 c->name, nd->name);
        r = snprintf(nv->fqdn, sizeof(nv->fqdn), "%s.%s.%s", nd->name, c->name, c->domain);
        if (r < 0 || (size_t)r >= sizeof(nv->fqdn) || !validate_domain(nv->fqdn))
                return error_set(err, NETD_EINVALID, "cluster %s: node %s: host name is too long", c->name,
                                 nd->name);
        mac_format(nd->mac, nv->mac, sizeof(nv->mac));
        if (nd->n_ips != v->n_fam)
                return error_set(err, NETD_EINVALID, "cluster %s: node %s has %zu addresses for %zu networks",
                                 c->name, nd->name, nd->n_ips, v->n_fam);
        for (size_t k = 0; k < v->n_fam; k++) {
                if (nd->ips[k].family != v->fam[k].n->cidr.base.family)
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: address is not IPv%c like network %s", c->name,
                                         nd->name, v->fam[k].v6 ? '6' : '4', v->fam[k].n->name);
                addr_format(&nd->ips[k], nv->ips[k], sizeof(nv->ips[k]));
        }
        snprintf(nv->bmc_secret, sizeof(nv->bmc_secret), "%s" BMC_SECRET_SUFFIX, nd->name);
        strscpy(nv->guest, sizeof(nv->guest), GUEST_NAME_DEFAULT);
        nv->guest_assumed = true;

        if (vm && !text_is_printable(vm->note))
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: node %s: refusing a note that is not printable", c->name,
                                 nd->name);
        nv->vm = vm;
        if ((r = facts_view(v, nd, nv, err)) < 0)
                return r;
        if (vm && vm->found && (r = vm_view(v, nd, vm, nv, err)) < 0)
                return r;
        nv->missing = (nv->has_bmc ? 0 : MISSING_BMC_ADDRESS) | (nv->root_disk[0] ? 0 : MISSING_ROOT_DEVICE) |
                      (nv->boot_mode ? 0 : MISSING_BOOT_MODE);
        note_build(nv);
        return 0;
}

static int addr_view(const struct cluster *c, const char *what, const struct addr *a, const struct network *n,
                     char *buf, struct netd_error *err) {
        if (a->family != n->cidr.base.family)
                return error_set(err, NETD_EINVALID, "cluster %s: %s is not an IPv%c address like network %s",
                                 c->name, what, n->cidr.base.family == AF_INET6 ? '6' : '4', n->name);
        addr_format(a, buf, ADDR_STRLEN);
        return 0;
}

static int family_view_build(const struct export_input *in, struct view *v, size_t k,
                             struct netd_error *err) {
        const struct cluster *c = in->cluster;
        const struct cluster_network *cn = &c->networks[k];
        const struct network *n = in->networks[k];
        struct family_view *f = &v->fam[k];
        char q[96];
        int family, r;

        if (!n || !validate_name(n->name) || !streq(cn->name, n->name))
                return error_set(err, NETD_EINVALID, "cluster %s is on network \"%s\", not \"%s\"", c->name,
                                 error_quote_untrusted(cn->name, q, sizeof(q)),
                                 n && validate_name(n->name) ? n->name : "?");
        family = n->cidr.base.family;
        if ((family != AF_INET && family != AF_INET6) || n->cidr.len > addr_bits(family) ||
            cn->machine_network.base.family != family)
                return error_set(err, NETD_EINVALID, "network %s: no valid CIDR or machine network", n->name);
        for (size_t j = 0; j < k; j++)
                if (v->fam[j].n->cidr.base.family == family)
                        return error_set(err, NETD_EINVALID, "cluster %s: two networks of one family",
                                         c->name);
        f->cn = cn;
        f->n = n;
        f->v6 = family == AF_INET6;
        prefix_format(&n->cidr, f->cidr, sizeof(f->cidr));
        prefix_format(&cn->machine_network, f->machine, sizeof(f->machine));
        if ((r = addr_view(c, "the network gateway", &n->gateway, n, f->gateway, err)) < 0 ||
            (r = addr_view(c, "the API VIP", &cn->api_vip, n, f->api, err)) < 0 ||
            (r = addr_view(c, "the ingress VIP", &cn->ingress_vip, n, f->ingress, err)) < 0)
                return r;
        if (f->v6)
                v->v6 = (int)k;
        else
                v->v4 = (int)k;
        return 0;
}

int export_view_build(const struct export_input *in, struct view *v, struct netd_error *err) {
        const struct cluster *c = in->cluster;
        char q[96];
        int r;

        *v = (struct view){.in = in, .v4 = -1, .v6 = -1};
        if (!c)
                return error_set(err, NETD_EINVALID, "export: no cluster given");
        if (!validate_name(c->name))
                return error_set(err, NETD_EINVALID, "export: cluster name \"%s\" is not valid",
                                 error_quote_untrusted(c->name, q, sizeof(q)));
        if (!validate_domain(c->domain))
                return error_set(err, NETD_EINVALID, "cluster %s: domain \"%s\" is not valid", c->name,
                                 error_quote_untrusted(c->domain, q, sizeof(q)));
        if (!cluster_topology_to_string(c->topology))
                return error_set(err, NETD_EINVALID, "cluster %s: unknown topology %d", c->name,
                                 (int)c->topology);
        if (c->n_networks < 1 || c->n_networks > CLUSTER_NETWORKS_MAX || in->n_networks != c->n_networks ||
            !in->networks)
                return error_set(err, NETD_EINVALID, "cluster %s: its networks are not given", c->name);
        if (c->n_nodes > 0 && !c->nodes)
                return error_set(err, NETD_EINVALID, "cluster %s: nodes missing", c->name);
        v->template_namespace =
                in->template_namespace ? in->template_namespace : EXPORT_TEMPLATE_NAMESPACE_DEFAULT;
        if (!validate_name(v->template_namespace))
                return error_set(err, NETD_EINVALID,
                                 "template namespace \"%s\" is not a valid namespace name",
                                 error_quote_untrusted(v->template_namespace, q, sizeof(q)));
        if ((size_t)in->inventory >= EXPORT_INVENTORY_FORMAT_MAX)
                return error_set(err, NETD_EINVALID, "export: unknown inventory format %d",
                                 (int)in->inventory);

        v->c = c;
        v->vips = c->topology != TOPOLOGY_SNO;
        v->n_fam = c->n_networks;
        for (size_t k = 0; k < v->n_fam; k++)
                if ((r = family_view_build(in, v, k, err)) < 0)
                        return r;

        v->nodes = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*v->nodes));
        if (!v->nodes)
                return error_set(err, NETD_EINTERNAL, "cluster %s: out of memory", c->name);
        v->n_nodes = c->n_nodes;
        for (size_t i = 0; i < c->n_nodes; i++)
                if ((r = node_view_build(v, i, err)) < 0)
                        return r;
        return 0;
}
