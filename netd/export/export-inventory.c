/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Ansible inventories of dci-openshift-agent's two libvirt flows, with
 * the group and variable names their playbooks read:
 *  - ABI/ACM (dci-abi): group nodes with children masters and workers,
 *    cluster_name, base_dns_domain, api_vip, ingress_vip,
 *    machine_network_cidr; per node ansible_host, mac, bmc_address as
 *    HOST:PORT (the kvm vendor role adds the scheme and
 *    /redfish/v1/Systems/VM-NAME), vendor, root_device_hints. A second
 *    family goes to extra_api_vip, extra_ingress_vip and
 *    extra_machine_networks (redhatci.ocp's generate_manifests).
 *  - IPI on libvirt (dci-ipi): groups masters, workers and
 *    kvm_hosts_redfish; cluster, domain, extcidrnet(6), apivip(6),
 *    ingressvip(6); per node provision_mac, ipmi_address, ipmi_port,
 *    redfish_port and kvm_uuid (the installer role writes
 *    redfish-virtualmedia://ADDRESS:PORT/redfish/v1/Systems/UUID),
 *    root_device_hint and root_device_hint_value.
 * What netd does not know (credentials, the provisioner's NICs) and what a
 * flow cannot say is named in the comment block. */
#include "export-private.h"

/* What the whole cluster's VMs agree on, for variables the flows read once
 * for every node. */
struct agreement {
        size_t vms;         /* nodes whose BMC is their VM host's */
        size_t https, http; /* of those: by their BMC's scheme */
        bool prefix_ok;     /* every VM is named PREFIX + node name */
        char prefix[VM_NAME_MAX + 1];
        size_t legacy, uefi, secure, unknown; /* boot modes */
};

/* The part of a VM's name before the node's name, or NULL. */
static const char *vm_prefix(const struct node_view *nv, char *buf, size_t size) {
        const char *d = nv->vm ? nv->vm->domain : "", *n = nv->node->name;
        size_t dl = strlen(d), nl = strlen(n);

        if (dl < nl || !streq(d + dl - nl, n) || dl - nl >= size ||
            d[strspn(d, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")] != '\0')
                return NULL;
        memcpy(buf, d, dl - nl);
        buf[dl - nl] = '\0';
        return buf;
}

static bool node_is_vm(const struct node_view *nv) {
        return nv->vm && nv->vm->found;
}

/* A VM behind its host's BMC (sushy-tools). */
static bool node_is_kvm(const struct node_view *nv) {
        return node_is_vm(nv) && nv->has_bmc && !nv->bmc_from_node;
}

static void agreement_build(const struct view *v, struct agreement *a) {
        char p[VM_NAME_MAX + 1];

        *a = (struct agreement){.prefix_ok = true};
        for (size_t i = 0; i < v->n_nodes; i++) {
                const struct node_view *nv = &v->nodes[i];
                const char *bm = nv->boot_mode;

                if (!bm)
                        a->unknown++;
                else if (streq(bm, "legacy"))
                        a->legacy++;
                else if (streq(bm, "UEFI"))
                        a->uefi++;
                else
                        a->secure++;
                if (!node_is_kvm(nv))
                        continue;
                if (bmc_is_https(&nv->bmc))
                        a->https++;
                else
                        a->http++;
                if (a->prefix_ok && vm_prefix(nv, p, sizeof(p)) && (a->vms == 0 || streq(p, a->prefix)))
                        strscpy(a->prefix, sizeof(a->prefix), p);
                else
                        a->prefix_ok = false;
                a->vms++;
        }
}

static void bmc_authority_emit(struct emitter *e, const char *key, const struct node_view *nv) {
        char auth[DOMAIN_MAX_LEN + 16];

        if (bmc_authority(&nv->bmc, auth, sizeof(auth)) == 0)
                emit_kv_str(e, key, auth);
}

/* ---- ABI/ACM ---- */

static void abi_host(struct emitter *e, const struct node_view *nv) {
        emit_str(e, nv->node->name);
        emit_map_start(e);
        emit_kv_str(e, "ansible_host", nv->ips[0]);
        emit_kv_quoted(e, "mac", nv->mac);
        if (nv->has_bmc)
                bmc_authority_emit(e, "bmc_address", nv);
        if (node_is_vm(nv))
                emit_kv_str(e, "vendor", "KVM");
        if (nv->root_disk[0]) {
                emit_str(e, "root_device_hints");
                emit_map_start(e);
                emit_kv_str(e, "deviceName", nv->root_disk);
                emit_map_end(e);
        }
        emit_map_end(e);
}

static size_t role_count(const struct view *v, const char *role) {
        size_t n = 0;

        for (size_t i = 0; i < v->n_nodes; i++)
                n += streq(v->nodes[i].node->role, role);
        return n;
}

static void abi_group(struct emitter *e, const struct view *v, const char *group, const char *role) {
        if (role_count(v, role) == 0)
                return;
        emit_str(e, group);
        emit_map_start(e);
        emit_str(e, "vars");
        emit_map_start(e);
        emit_kv_str(e, "role", role);
        emit_map_end(e);
        emit_str(e, "hosts");
        emit_map_start(e);
        for (size_t i = 0; i < v->n_nodes; i++)
                if (streq(v->nodes[i].node->role, role))
                        abi_host(e, &v->nodes[i]);
        emit_map_end(e);
        emit_map_end(e);
}

void export_inventory_abi(struct emitter *e, const struct view *v) {
        const struct family_view *p = &v->fam[0], *x = v->n_fam > 1 ? &v->fam[1] : NULL;
        struct agreement a;

        agreement_build(v, &a);
        emit_map_start(e);
        emit_str(e, "all");
        emit_map_start(e);
        emit_str(e, "vars");
        emit_map_start(e);
        emit_kv_str(e, "install_type", "abi");
        emit_kv_str(e, "cluster_name", v->c->name);
        emit_kv_str(e, "cluster", v->c->name);
        emit_kv_str(e, "base_dns_domain", v->c->domain);
        emit_kv_str(e, "api_vip", p->api);
        emit_kv_str(e, "ingress_vip", p->ingress);
        emit_kv_str(e, "machine_network_cidr", p->machine);
        if (x) {
                emit_kv_str(e, "extra_api_vip", x->api);
                emit_kv_str(e, "extra_ingress_vip", x->ingress);
                emit_str(e, "extra_machine_networks");
                emit_seq_start(e);
                emit_map_start(e);
                emit_kv_str(e, "cidr", x->machine);
                emit_map_end(e);
                emit_seq_end(e);
        }
        emit_kv_bool(e, "vip_dhcp_allocation", false);
        /* the machines exist: netd found them (or was told of them) */
        emit_kv_bool(e, "setup_vms", false);
        if (a.vms > 0 && a.prefix_ok)
                emit_kv_str(e, "vm_node_prefix", a.prefix);
        /* the kvm vendor role's https or http */
        if (a.vms > 0 && (a.https == 0 || a.http == 0))
                emit_kv_bool(e, "secure", a.http == 0);
        emit_map_end(e);
        emit_str(e, "children");
        emit_map_start(e);
        emit_str(e, "nodes");
        emit_map_start(e);
        emit_str(e, "children");
        emit_map_start(e);
        abi_group(e, v, "masters", "master");
        abi_group(e, v, "workers", "worker");
        emit_map_end(e);
        emit_map_end(e);
        emit_map_end(e);
        emit_map_end(e);
        emit_map_end(e);
}

/* ---- IPI on libvirt ---- */

static bool node_is_kvm_redfish(const struct node_view *nv) {
        return node_is_kvm(nv) && bmc_is_virtualmedia(&nv->bmc);
}

static void ipi_host(struct emitter *e, const struct node_view *nv) {
        bool master = streq(nv->node->role, "master");

        emit_str(e, nv->node->name);
        emit_map_start(e);
        emit_kv_str(e, "name", nv->node->name);
        emit_kv_str(e, "role", nv->node->role);
        emit_kv_str(e, "ansible_host", nv->ips[0]);
        emit_kv_quoted(e, "provision_mac", nv->mac);
        emit_kv_str(e, "hardware_profile", master ? "default" : "unknown");
        if (nv->has_bmc) {
                emit_kv_str(e, "ipmi_address", nv->bmc.host);
                if (nv->bmc.port)
                        emit_kv_uint(e, "ipmi_port", nv->bmc.port);
        }
        if (node_is_kvm_redfish(nv)) {
                emit_kv_uint(e, "redfish_port", nv->bmc.port);
                emit_kv_quoted(e, "kvm_uuid", nv->vm->uuid);
        }
        if (nv->root_disk[0]) {
                emit_kv_str(e, "root_device_hint", "deviceName");
                emit_kv_str(e, "root_device_hint_value", nv->root_disk);
        }
        emit_map_end(e);
}

static void ipi_group(struct emitter *e, const struct view *v, const char *group, const char *role) {
        if (role_count(v, role) == 0)
                return;
        emit_str(e, group);
        emit_map_start(e);
        emit_str(e, "hosts");
        emit_map_start(e);
        for (size_t i = 0; i < v->n_nodes; i++)
                if (streq(v->nodes[i].node->role, role))
                        ipi_host(e, &v->nodes[i]);
        emit_map_end(e);
        emit_map_end(e);
}

void export_inventory_ipi(struct emitter *e, const struct view *v) {
        const struct family_view *f4 = v->v4 >= 0 ? &v->fam[v->v4] : NULL,
                                 *f6 = v->v6 >= 0 ? &v->fam[v->v6] : NULL;
        const struct family_view *p = f4 ? f4 : f6;
        bool dual = f4 && f6;
        struct agreement a;
        size_t redfish = 0;

        agreement_build(v, &a);
        for (size_t i = 0; i < v->n_nodes; i++)
                redfish += node_is_kvm_redfish(&v->nodes[i]);
        emit_map_start(e);
        emit_str(e, "all");
        emit_map_start(e);
        emit_str(e, "vars");
        emit_map_start(e);
        emit_kv_str(e, "install_type", "ipi");
        emit_kv_str(e, "cluster", v->c->name);
        emit_kv_str(e, "domain", v->c->domain);
        /* dual-stack: IPv4 first, as the installer role's template has it */
        emit_kv_str(e, "extcidrnet", p->machine);
        emit_kv_bool(e, "ipv6_enabled", f6 != NULL);
        emit_kv_bool(e, "ipv4_baremetal", f4 != NULL);
        emit_kv_bool(e, "dualstack_baremetal", dual);
        if (dual)
                emit_kv_str(e, "extcidrnet6", f6->machine);
        emit_kv_str(e, "apivip", p->api);
        emit_kv_str(e, "ingressvip", p->ingress);
        if (dual) {
                emit_kv_bool(e, "dualstack_vips", true);
                emit_kv_str(e, "apivip6", f6->api);
                emit_kv_str(e, "ingressvip6", f6->ingress);
        }
        emit_kv_uint(e, "nummasters", (unsigned)role_count(v, "master"));
        emit_kv_uint(e, "numworkers", (unsigned)role_count(v, "worker"));
        if (redfish > 0) {
                emit_kv_bool(e, "enable_virtualmedia", true);
                emit_kv_bool(e, "enable_redfish", true);
        }
        /* one boot mode for every node */
        if (a.unknown == 0 && a.secure == 0 && (a.legacy == 0 || a.uefi == 0) && v->n_nodes > 0)
                emit_kv_str(e, "bootmode", a.legacy ? "legacy" : "UEFI");
        emit_map_end(e);
        emit_str(e, "children");
        emit_map_start(e);
        ipi_group(e, v, "masters", "master");
        ipi_group(e, v, "workers", "worker");
        if (redfish > 0) {
                emit_str(e, "kvm_hosts_redfish");
                emit_map_start(e);
                emit_str(e, "hosts");
                emit_map_start(e);
                for (size_t i = 0; i < v->n_nodes; i++)
                        if (node_is_kvm_redfish(&v->nodes[i])) {
                                emit_str(e, v->nodes[i].node->name);
                                emit_map_start(e);
                                emit_map_end(e);
                        }
                emit_map_end(e);
                emit_map_end(e);
        }
        emit_map_end(e);
        emit_map_end(e);
        emit_map_end(e);
}

/* ---- the comment block ---- */

static int node_comments(FILE *f, const struct view *v, const struct node_view *nv, bool ipi,
                         struct netd_error *err) {
        const char *left[3];
        char fields[96];
        size_t n = 0;
        int r = 0;

        if (!nv->has_bmc)
                left[n++] = ipi ? "ipmi_address, ipmi_port" : "bmc_address";
        if (!nv->root_disk[0])
                left[n++] = ipi ? "root_device_hint, root_device_hint_value" : "root_device_hints";
        if (!ipi && !node_is_vm(nv))
                left[n++] = "vendor";
        export_list_join(fields, sizeof(fields), left, n);
        if (n > 0 && (nv->missing & (MISSING_BMC_ADDRESS | MISSING_ROOT_DEVICE)))
                r = export_comment(f, v, err, "%s: %s - %s left out.", nv->node->name, nv->note, fields);
        else if (n > 0)
                r = export_comment(f, v, err,
                                   "%s: not a VM netd found - %s left out (the BMC's maker: Dell, HPE, ...).",
                                   nv->node->name, fields);
        if (r >= 0 && nv->node->reuses_cluster[0])
                r = export_comment(f, v, err, "%s is node %s of cluster %s: the same machine.",
                                   nv->node->name, nv->node->reuses_node, nv->node->reuses_cluster);
        if (r < 0 || !nv->has_bmc)
                return r;
        if (ipi && nv->bmc_from_node)
                r = export_comment(
                        f, v, err,
                        "%s: the installer role writes redfish-virtualmedia://ipmi_address:ipmi_port "
                        "(default port 623) without a path for a node outside kvm_hosts_redfish; its "
                        "bmcAddress is %s.",
                        nv->node->name, nv->bmc_url);
        else if (ipi && !bmc_is_virtualmedia(&nv->bmc))
                r = export_comment(
                        f, v, err,
                        "%s: its BMC scheme %s has no virtual media; the installer role only knows "
                        "kvm_hosts_redfish for redfish-virtualmedia.",
                        nv->node->name, nv->bmc.scheme_name);
        else if (ipi && !bmc_is_https(&nv->bmc))
                r = export_comment(f, v, err,
                                   "%s: its BMC speaks plain HTTP (%s) but the installer role writes "
                                   "redfish-virtualmedia:// (HTTPS) for kvm_hosts_redfish.",
                                   nv->node->name, nv->bmc.scheme_name);
        else if (!ipi && nv->bmc_from_node)
                r = export_comment(f, v, err,
                                   "%s: the vendor role builds the BMC URL from bmc_address; its "
                                   "bmcAddress is %s.",
                                   nv->node->name, nv->bmc_url);
        return r;
}

int export_inventory_comments(FILE *f, const struct view *v, struct netd_error *err) {
        bool ipi = v->in->inventory == EXPORT_INVENTORY_DCI_IPI;
        struct agreement a;
        int r;

        agreement_build(v, &a);
        if (ipi)
                r = export_comment(
                        f, v, err,
                        "Set before use (netd does not know them): ipmi_user and ipmi_password of every "
                        "node, socket_console, prov_nic, pub_nic and masters_prov_nic (the "
                        "provisioner's NICs), dir (its clusterconfigs directory), groups provisioner "
                        "and registry_host (disconnected installs), and dnsvip for OpenShift before 4.5.");
        else
                r = export_comment(
                        f, v, err,
                        "Set before use (netd does not know them): bmc_user and bmc_password (group "
                        "nodes), ntp_server, and the services of the flow (bastions, provisioners, services, "
                        "vm_hosts) with their setup_* flags.");
        if (r < 0)
                return r;
        if (!ipi && v->n_nodes > 0 && (a.vms == 0 || !a.prefix_ok))
                r = export_comment(f, v, err, "%s",
                                   a.vms == 0 ? "vm_node_prefix left out: no node is a VM behind its host's "
                                                "--bmc (the kvm vendor role's VM names)."
                                              : "vm_node_prefix left out: the VMs are not all named "
                                                "PREFIX+NODE with one PREFIX; the kvm vendor role finds a VM "
                                                "by that name.");
        if (r >= 0 && !ipi && a.https > 0 && a.http > 0)
                r = export_comment(
                        f, v, err,
                        "secure left out: some BMCs speak HTTPS and some plain HTTP; the kvm vendor "
                        "role uses one for all.");
        if (r >= 0 && ipi && !(a.unknown == 0 && a.secure == 0 && (a.legacy == 0 || a.uefi == 0)))
                r = export_comment(
                        f, v, err,
                        "bootmode left out: the nodes do not share one known boot mode of legacy or "
                        "UEFI (the installer role has one for all, and no secure boot).");
        for (size_t i = 0; r >= 0 && i < v->n_nodes; i++)
                r = node_comments(f, v, &v->nodes[i], ipi, err);
        return r;
}
