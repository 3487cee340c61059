/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ZTP documents: ClusterInstance and SiteConfig. */
#include "export-private.h"

/* key: [{name: NAME, namespace: NAMESPACE}] */
static void template_refs(struct emitter *e, const struct view *v, const char *name) {
        emit_str(e, "templateRefs");
        emit_seq_start(e);
        emit_map_start(e);
        emit_kv_str(e, "name", name);
        emit_kv_str(e, "namespace", v->template_namespace);
        emit_map_end(e);
        emit_seq_end(e);
}

/* One entry per network, primary family first. */
static void machine_network(struct emitter *e, const struct view *v) {
        emit_str(e, "machineNetwork");
        emit_seq_start(e);
        for (size_t k = 0; k < v->n_fam; k++) {
                emit_map_start(e);
                emit_kv_str(e, "cidr", v->fam[k].machine);
                emit_map_end(e);
        }
        emit_seq_end(e);
}

static void vip_list(struct emitter *e, const struct view *v, const char *key, bool api) {
        emit_str(e, key);
        emit_seq_start(e);
        for (size_t k = 0; k < v->n_fam; k++)
                emit_str(e, api ? v->fam[k].api : v->fam[k].ingress);
        emit_seq_end(e);
}

static void vips(struct emitter *e, const struct view *v) {
        /* SNO: the node's own address is the API and the ingress */
        if (!v->vips)
                return;
        vip_list(e, v, "apiVIPs", true);
        vip_list(e, v, "ingressVIPs", false);
}

/* The nmstate document of one node. IPv4: netd's dnsmasq hands out the
 * fixed address by DHCP. IPv6: static address, resolver and default
 * route, so the node comes up the same whether or not the network's
 * DHCPv6 and router advertisements reach it. */
static void nmstate(struct emitter *e, const struct view *v, const struct node_view *nv) {
        const struct family_view *f6 = v->v6 >= 0 ? &v->fam[v->v6] : NULL;

        emit_map_start(e);
        emit_str(e, "interfaces");
        emit_seq_start(e);
        emit_map_start(e);
        emit_kv_str(e, "name", nv->guest);
        emit_kv_str(e, "type", "ethernet");
        emit_kv_str(e, "state", "up");
        emit_str(e, "ipv4");
        emit_map_start(e);
        emit_kv_bool(e, "enabled", v->v4 >= 0);
        if (v->v4 >= 0)
                emit_kv_bool(e, "dhcp", true);
        emit_map_end(e);
        emit_str(e, "ipv6");
        emit_map_start(e);
        emit_kv_bool(e, "enabled", f6 != NULL);
        if (f6) {
                emit_kv_bool(e, "dhcp", false);
                emit_kv_bool(e, "autoconf", false);
                emit_str(e, "address");
                emit_seq_start(e);
                emit_map_start(e);
                emit_kv_str(e, "ip", nv->ips[v->v6]);
                emit_kv_uint(e, "prefix-length", f6->n->cidr.len);
                emit_map_end(e);
                emit_seq_end(e);
        }
        emit_map_end(e);
        emit_map_end(e);
        emit_seq_end(e);
        if (f6) {
                emit_str(e, "dns-resolver");
                emit_map_start(e);
                emit_str(e, "config");
                emit_map_start(e);
                emit_kv_list1(e, "server", f6->gateway);
                emit_map_end(e);
                emit_map_end(e);

                emit_str(e, "routes");
                emit_map_start(e);
                emit_str(e, "config");
                emit_seq_start(e);
                emit_map_start(e);
                emit_kv_str(e, "destination", "::/0");
                emit_kv_str(e, "next-hop-address", f6->gateway);
                emit_kv_str(e, "next-hop-interface", nv->guest);
                emit_map_end(e);
                emit_seq_end(e);
                emit_map_end(e);
        }
        emit_map_end(e);
}

/* Every node carries what the CRD and the templates need; a value netd
 * does not know is a placeholder here (export_render refused it unless
 * --allow-incomplete). */
static void ztp_node(struct emitter *e, const struct view *v, const struct node_view *nv, bool templates) {
        emit_map_start(e);
        emit_kv_str(e, "hostName", nv->fqdn);
        emit_kv_str(e, "role", nv->node->role);
        emit_kv_str(e, "bmcAddress", nv->has_bmc ? nv->bmc_url : PLACEHOLDER_BMC_ADDRESS);
        emit_str(e, "bmcCredentialsName");
        emit_map_start(e);
        emit_kv_str(e, "name", nv->bmc_secret);
        emit_map_end(e);
        emit_kv_quoted(e, "bootMACAddress", nv->mac);
        emit_kv_str(e, "bootMode", nv->boot_mode ? nv->boot_mode : PLACEHOLDER_BOOT_MODE);
        emit_str(e, "rootDeviceHints");
        emit_map_start(e);
        emit_kv_str(e, "deviceName", nv->root_disk[0] ? nv->root_disk : PLACEHOLDER_ROOT_DEVICE);
        emit_map_end(e);
        if (templates)
                template_refs(e, v, NODE_TEMPLATES);
        emit_str(e, "nodeNetwork");
        emit_map_start(e);
        emit_str(e, "interfaces");
        emit_seq_start(e);
        emit_map_start(e);
        emit_kv_str(e, "name", nv->guest);
        emit_kv_quoted(e, "macAddress", nv->mac);
        emit_map_end(e);
        emit_seq_end(e);
        emit_str(e, "config");
        nmstate(e, v, nv);
        emit_map_end(e);
        emit_map_end(e);
}

static void ztp_nodes(struct emitter *e, const struct view *v, bool templates) {
        emit_str(e, "nodes");
        emit_seq_start(e);
        for (size_t i = 0; i < v->n_nodes; i++)
                ztp_node(e, v, &v->nodes[i], templates);
        emit_seq_end(e);
}

static void metadata(struct emitter *e, const struct view *v) {
        emit_str(e, "metadata");
        emit_map_start(e);
        emit_kv_str(e, "name", v->c->name);
        emit_kv_str(e, "namespace", v->c->name);
        emit_map_end(e);
}

static void pull_secret_ref(struct emitter *e) {
        emit_str(e, "pullSecretRef");
        emit_map_start(e);
        emit_kv_str(e, "name", PULL_SECRET_NAME);
        emit_map_end(e);
}

void export_ztp_clusterinstance(struct emitter *e, const struct view *v) {
        emit_map_start(e);
        emit_kv_str(e, "apiVersion", "siteconfig.open-cluster-management.io/v1alpha1");
        emit_kv_str(e, "kind", "ClusterInstance");
        metadata(e, v);
        emit_str(e, "spec");
        emit_map_start(e);
        emit_kv_str(e, "clusterName", v->c->name);
        emit_kv_str(e, "baseDomain", v->c->domain);
        emit_kv_str(e, "clusterImageSetNameRef", PLACEHOLDER_IMAGE_SET);
        pull_secret_ref(e);
        emit_kv_str(e, "sshPublicKey", PLACEHOLDER_SSH_KEY);
        emit_kv_str(e, "networkType", "OVNKubernetes");
        machine_network(e, v);
        vips(e, v);
        template_refs(e, v, CLUSTER_TEMPLATES);
        emit_kv_bool(e, "holdInstallation", false);
        ztp_nodes(e, v, true);
        emit_map_end(e);
        emit_map_end(e);
}

void export_ztp_siteconfig(struct emitter *e, const struct view *v) {
        emit_map_start(e);
        emit_kv_str(e, "apiVersion", "ran.openshift.io/v1");
        emit_kv_str(e, "kind", "SiteConfig");
        metadata(e, v);
        emit_str(e, "spec");
        emit_map_start(e);
        emit_kv_str(e, "baseDomain", v->c->domain);
        pull_secret_ref(e);
        emit_kv_str(e, "clusterImageSetNameRef", PLACEHOLDER_IMAGE_SET);
        emit_kv_str(e, "sshPublicKey", PLACEHOLDER_SSH_KEY);
        emit_str(e, "clusters");
        emit_seq_start(e);
        emit_map_start(e);
        emit_kv_str(e, "clusterName", v->c->name);
        emit_kv_str(e, "networkType", "OVNKubernetes");
        vips(e, v);
        machine_network(e, v);
        ztp_nodes(e, v, false);
        emit_map_end(e);
        emit_seq_end(e);
        emit_map_end(e);
        emit_map_end(e);
}
