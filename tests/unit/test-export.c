/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exports against golden files in tests/data/export
 * (NETD_TEST_REGENERATE=1 rewrites them; tests/ztp-check.py validates every
 * one against the reference CRD, SiteConfig types and DCI playbooks), every
 * YAML document read back by libyaml's parser with its values and their
 * types checked, the refusal of incomplete documents, and the refusal of
 * anything that could add a line to the comment block. Fixtures are built
 * by hand so the store is not involved: SNO, compact with a bare-metal node
 * known by `node set`, MNO on IPv6, a dual-stack compact cluster, seed 003
 * (cluster1 and the SNO hub that reuses its worker-3 with a /32 machine
 * network), and a cluster with nodes netd knows nothing of. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <yaml.h>

#include "netd/dnsmasq/dnsmasq-conf.h"
#include "netd/export/export.h"
#include "golden.h"
#include "netd/core/prefix.h"
#include "netd/core/mac.h"

/* ---- fixtures ---- */

static struct addr ip(const char *s) {
        struct addr a;
        assert_int_equal(addr_parse(s, &a, NULL), 0);
        return a;
}

static struct prefix cidr(const char *s) {
        struct prefix p;
        assert_int_equal(prefix_parse(s, &p, NULL), 0);
        return p;
}

/* One network of a cluster; machine NULL = the CIDR. */
struct net_fixture {
        const char *name, *cidr, *gw, *machine, *api, *ingress;
};

/* One node: its addresses (one per network), what libvirt knows of its VM
 * (host NULL = no VM found) and its `node set` facts. */
struct node_fixture {
        const char *name, *mac, *ips[CLUSTER_NETWORKS_MAX];
        const char *host, *bmc, *uuid, *root_disk, *guest, *domain;
        enum vm_firmware firmware;
        const char *note;
        const char *bmc_address, *root_fact;
        enum node_boot_mode boot_mode;
        const char *reuses_cluster, *reuses_node;
};

#define MAX_NODES 8

struct fixture {
        const char *id; /* golden file prefix */
        struct network nets[CLUSTER_NETWORKS_MAX];
        const struct network *netp[CLUSTER_NETWORKS_MAX];
        struct cluster c;
        struct node nodes[MAX_NODES];
        struct export_vm vms[MAX_NODES];
        struct export_input in;
};

static void fixture_init(struct fixture *f, const char *id, const char *name, const char *domain,
                         enum topology t, const struct net_fixture *nets, const struct node_fixture *nodes) {
        memset(f, 0, sizeof(*f));
        f->id = id;
        strscpy(f->c.name, sizeof(f->c.name), name);
        strscpy(f->c.domain, sizeof(f->c.domain), domain);
        f->c.topology = t;
        for (size_t k = 0; nets[k].name; k++) {
                struct network *n = &f->nets[k];
                struct cluster_network *cn = &f->c.networks[k];

                assert_true(k < CLUSTER_NETWORKS_MAX);
                strscpy(n->name, sizeof(n->name), nets[k].name);
                n->cidr = cidr(nets[k].cidr);
                n->gateway = ip(nets[k].gw);
                strscpy(n->domain, sizeof(n->domain), domain);
                f->netp[k] = n;
                strscpy(cn->name, sizeof(cn->name), n->name);
                cn->prefix = n->cidr;
                cn->machine_network = cidr(nets[k].machine ? nets[k].machine : nets[k].cidr);
                cn->api_vip = ip(nets[k].api);
                cn->ingress_vip = ip(nets[k].ingress);
                f->c.n_networks++;
        }
        strscpy(f->c.network, sizeof(f->c.network), f->c.networks[0].name);
        f->c.api_vip = f->c.networks[0].api_vip;
        f->c.ingress_vip = f->c.networks[0].ingress_vip;
        f->c.nodes = f->nodes;
        for (size_t i = 0; nodes[i].name; i++) {
                const struct node_fixture *x = &nodes[i];
                struct node *nd = &f->nodes[i];
                struct export_vm *vm = &f->vms[i];

                assert_true(i < MAX_NODES);
                f->c.n_nodes++;
                strscpy(nd->name, sizeof(nd->name), x->name);
                strscpy(nd->role, sizeof(nd->role),
                        strncmp(x->name, "master-", 7) == 0 ? "master" : "worker");
                assert_int_equal(mac_parse(x->mac, &nd->mac, NULL), 0);
                for (size_t k = 0; k < f->c.n_networks; k++)
                        nd->ips[k] = ip(x->ips[k]);
                nd->n_ips = f->c.n_networks;
                nd->ip = nd->ips[0];
                strscpy(nd->bmc_address, sizeof(nd->bmc_address), x->bmc_address ? x->bmc_address : "");
                strscpy(nd->root_disk, sizeof(nd->root_disk), x->root_fact ? x->root_fact : "");
                nd->boot_mode = x->boot_mode;
                strscpy(nd->reuses_cluster, sizeof(nd->reuses_cluster),
                        x->reuses_cluster ? x->reuses_cluster : "");
                strscpy(nd->reuses_node, sizeof(nd->reuses_node), x->reuses_node ? x->reuses_node : "");
                if (streq(nd->role, "master"))
                        f->c.masters++;
                else
                        f->c.workers++;
                if (x->host) {
                        vm->found = true;
                        strscpy(vm->host, sizeof(vm->host), x->host);
                        strscpy(vm->bmc, sizeof(vm->bmc), x->bmc ? x->bmc : "");
                        strscpy(vm->uuid, sizeof(vm->uuid), x->uuid);
                        strscpy(vm->root_disk, sizeof(vm->root_disk), x->root_disk ? x->root_disk : "");
                        strscpy(vm->guest_name, sizeof(vm->guest_name), x->guest ? x->guest : "");
                        strscpy(vm->domain, sizeof(vm->domain), x->domain ? x->domain : "");
                        vm->firmware = x->firmware;
                }
                strscpy(vm->note, sizeof(vm->note), x->note ? x->note : "");
        }
        f->in = (struct export_input){
                .cluster = &f->c, .networks = f->netp, .n_networks = f->c.n_networks, .vms = f->vms};
}

/* After a struct copy, the pointers into the fixture point at the copy. */
static void fixture_relink(struct fixture *f) {
        f->c.nodes = f->nodes;
        for (size_t k = 0; k < f->c.n_networks; k++)
                f->netp[k] = &f->nets[k];
        f->in.cluster = &f->c;
        f->in.networks = f->netp;
        f->in.vms = f->vms;
}

enum { FX_SNO4, FX_COMPACT4, FX_MNO6, FX_DUAL, FX_CLUSTER1, FX_HUB, FX_UNKNOWN, N_FIXTURES };
static struct fixture fixtures[N_FIXTURES];

#define SNO_MAC "52:54:00:00:0a:01"
#define SNO_UUID "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01"
#define SNO_DISK "/dev/disk/by-path/pci-0000:04:00.0"
#define IDRAC_URL "idrac-virtualmedia+https://198.51.100.50/redfish/v1/Systems/System.Embedded.1"
#define IDRAC_DISK "/dev/disk/by-path/pci-0000:18:00.0-scsi-0:2:0:0"
#define NOVM_NOTE "no VM on a libvirt host has MAC 52:54:00:00:0e:21"
#define C1 "6d1f0e2a-3b4c-4d5e-8f60-7a8b9c0d00"
#define HV1_BMC "redfish-virtualmedia+http://192.0.2.250:8000"
#define VIRTIO_DISK "/dev/disk/by-path/pci-0000:04:00.0"
#define SATA_DISK "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0"

static void fixtures_init(void) {
        fixture_init(&fixtures[FX_SNO4], "sno4", "sno", "lab.example", TOPOLOGY_SNO,
                     (const struct net_fixture[]){
                             {"lab", "192.0.2.0/24", "192.0.2.1", NULL, "192.0.2.10", "192.0.2.10"}, {0}},
                     (const struct node_fixture[]){{"master-0",
                                                    SNO_MAC,
                                                    {"192.0.2.10"},
                                                    "hv1",
                                                    "192.0.2.1:8000",
                                                    SNO_UUID,
                                                    SNO_DISK,
                                                    "enp1s0",
                                                    "sno-master-0",
                                                    VM_FIRMWARE_EFI},
                                                   {0}});

        /* master-0: secure boot behind an HTTPS BMC; master-1: SeaBIOS and a
         * SATA disk behind a plain-HTTP sushy-tools; master-2: bare metal,
         * known only by `node set` */
        fixture_init(
                &fixtures[FX_COMPACT4], "compact4", "compact", "lab.example", TOPOLOGY_COMPACT,
                (const struct net_fixture[]){
                        {"lab", "192.0.2.0/24", "192.0.2.1", NULL, "192.0.2.23", "192.0.2.24"}, {0}},
                (const struct node_fixture[]){{"master-0",
                                               "52:54:00:00:0a:20",
                                               {"192.0.2.20"},
                                               "hv1",
                                               "redfish-virtualmedia+https://hv1.lab.example:8000",
                                               "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e20",
                                               "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0",
                                               "enp1s0",
                                               "compact-master-0",
                                               VM_FIRMWARE_EFI_SECURE},
                                              {"master-1",
                                               "52:54:00:00:0a:21",
                                               {"192.0.2.21"},
                                               "hv2",
                                               "redfish-virtualmedia+http://192.0.2.2:8000",
                                               "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e21",
                                               "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0",
                                               "enp2s0",
                                               "compact-master-1",
                                               VM_FIRMWARE_BIOS},
                                              {"master-2",
                                               "b8:ca:3a:00:0a:22",
                                               {"192.0.2.22"},
                                               .note = "no VM on a libvirt host has MAC b8:ca:3a:00:0a:22",
                                               .bmc_address = IDRAC_URL,
                                               .root_fact = IDRAC_DISK,
                                               .boot_mode = NODE_BOOT_MODE_UEFI},
                                              {0}});

        /* the BMC is an IPv6 literal; worker-1's facts win over its VM */
        fixture_init(
                &fixtures[FX_MNO6], "mno6", "mno6", "v6.example", TOPOLOGY_MNO,
                (const struct net_fixture[]){
                        {"v6", "2001:db8::/64", "2001:db8::1", NULL, "2001:db8::15", "2001:db8::16"}, {0}},
                (const struct node_fixture[]){{"master-0",
                                               "52:54:00:00:06:10",
                                               {"2001:db8::10"},
                                               "hv1",
                                               "[2001:db8::2]:8000",
                                               "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b10",
                                               VIRTIO_DISK,
                                               "enp1s0",
                                               "mno6-master-0",
                                               VM_FIRMWARE_EFI},
                                              {"master-1",
                                               "52:54:00:00:06:11",
                                               {"2001:db8::11"},
                                               "hv1",
                                               "[2001:db8::2]:8000",
                                               "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b11",
                                               "/dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:0:0",
                                               "enp1s0",
                                               "mno6-master-1",
                                               VM_FIRMWARE_EFI},
                                              {"master-2",
                                               "52:54:00:00:06:12",
                                               {"2001:db8::12"},
                                               "hv2",
                                               "[2001:db8::3]:8000",
                                               "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b12",
                                               "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0",
                                               "enp1s0",
                                               "mno6-master-2",
                                               VM_FIRMWARE_EFI},
                                              {"worker-0",
                                               "02:00:00:00:06:13",
                                               {"2001:db8::13"},
                                               "hv2",
                                               "[2001:db8::3]:8000",
                                               "eb6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b13",
                                               VIRTIO_DISK,
                                               "ens3",
                                               "mno6-worker-0",
                                               VM_FIRMWARE_BIOS},
                                              {"worker-1",
                                               "52:54:00:00:06:14",
                                               {"2001:db8::14"},
                                               "hv2",
                                               "[2001:db8::3]:8000",
                                               "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b14",
                                               NULL,
                                               NULL,
                                               "mno6-worker-1",
                                               VM_FIRMWARE_EFI,
                                               "vda has no PCI address",
                                               .root_fact = "/dev/vdb",
                                               .boot_mode = NODE_BOOT_MODE_LEGACY},
                                              {0}});

        /* dual-stack, IPv4 primary: one address of each family per node,
         * VIPs of each family */
        fixture_init(&fixtures[FX_DUAL], "dual", "dual", "lab.example", TOPOLOGY_COMPACT,
                     (const struct net_fixture[]){
                             {"lab4", "192.0.2.0/24", "192.0.2.1", NULL, "192.0.2.33", "192.0.2.34"},
                             {"lab6", "2001:db8:1::/64", "2001:db8:1::1", NULL, "2001:db8:1::33",
                              "2001:db8:1::34"},
                             {0}},
                     (const struct node_fixture[]){{"master-0",
                                                    "52:54:00:00:0d:30",
                                                    {"192.0.2.30", "2001:db8:1::30"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    "1a2b3c4d-0000-4000-8000-0000000d0030",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "dual-master-0",
                                                    VM_FIRMWARE_EFI},
                                                   {"master-1",
                                                    "52:54:00:00:0d:31",
                                                    {"192.0.2.31", "2001:db8:1::31"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    "1a2b3c4d-0000-4000-8000-0000000d0031",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "dual-master-1",
                                                    VM_FIRMWARE_EFI},
                                                   {"master-2",
                                                    "52:54:00:00:0d:32",
                                                    {"192.0.2.32", "2001:db8:1::32"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    "1a2b3c4d-0000-4000-8000-0000000d0032",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "dual-master-2",
                                                    VM_FIRMWARE_EFI},
                                                   {0}});

        /* seed 003: cluster1 (3 masters, 4 workers, /24) on the VMs of
         * tests/data/libvirt/hv-ztp.xml ... */
        fixture_init(&fixtures[FX_CLUSTER1], "cluster1", "cluster1", "our.lab", TOPOLOGY_MNO,
                     (const struct net_fixture[]){
                             {"lab", "192.0.2.0/24", "192.0.2.1", NULL, "192.0.2.18", "192.0.2.19"}, {0}},
                     (const struct node_fixture[]){{"master-0",
                                                    "52:54:00:03:00:10",
                                                    {"192.0.2.20"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "10",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "cluster1-master-0",
                                                    VM_FIRMWARE_EFI},
                                                   {"master-1",
                                                    "52:54:00:03:00:11",
                                                    {"192.0.2.21"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "11",
                                                    "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0",
                                                    "enp1s0",
                                                    "cluster1-master-1",
                                                    VM_FIRMWARE_EFI_SECURE},
                                                   {"master-2",
                                                    "52:54:00:03:00:12",
                                                    {"192.0.2.22"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "12",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "cluster1-master-2",
                                                    VM_FIRMWARE_EFI},
                                                   {"worker-0",
                                                    "52:54:00:03:00:13",
                                                    {"192.0.2.23"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "13",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "cluster1-worker-0",
                                                    VM_FIRMWARE_BIOS},
                                                   {"worker-1",
                                                    "52:54:00:03:00:14",
                                                    {"192.0.2.24"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "14",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "cluster1-worker-1",
                                                    VM_FIRMWARE_BIOS},
                                                   {"worker-2",
                                                    "52:54:00:03:00:15",
                                                    {"192.0.2.25"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "15",
                                                    VIRTIO_DISK,
                                                    "enp1s0",
                                                    "cluster1-worker-2",
                                                    VM_FIRMWARE_BIOS},
                                                   {"worker-3",
                                                    "52:54:00:03:00:16",
                                                    {"192.0.2.26"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "16",
                                                    SATA_DISK,
                                                    "enp1s0",
                                                    "cluster1-worker-3",
                                                    VM_FIRMWARE_EFI_SECURE},
                                                   {0}});

        /* ... and the SNO hub: worker-3's machine, isolated by a /32 */
        fixture_init(&fixtures[FX_HUB], "hub", "hub", "our.lab", TOPOLOGY_SNO,
                     (const struct net_fixture[]){{"lab", "192.0.2.0/24", "192.0.2.1", "192.0.2.26/32",
                                                   "192.0.2.26", "192.0.2.26"},
                                                  {0}},
                     (const struct node_fixture[]){{"master-0",
                                                    "52:54:00:03:00:16",
                                                    {"192.0.2.26"},
                                                    "hv1",
                                                    HV1_BMC,
                                                    C1 "16",
                                                    SATA_DISK,
                                                    "enp1s0",
                                                    "cluster1-worker-3",
                                                    VM_FIRMWARE_EFI_SECURE,
                                                    .reuses_cluster = "cluster1",
                                                    .reuses_node = "worker-3"},
                                                   {0}});

        /* master-1 has no VM, master-2's host has no --bmc: ClusterInstance
         * and SiteConfig refuse it unless --allow-incomplete */
        fixture_init(&fixtures[FX_UNKNOWN], "unknown", "unknown", "lab.example", TOPOLOGY_COMPACT,
                     (const struct net_fixture[]){
                             {"lab", "192.0.2.0/24", "192.0.2.1", NULL, "192.0.2.53", "192.0.2.54"}, {0}},
                     (const struct node_fixture[]){
                             {"master-0",
                              "52:54:00:00:0e:20",
                              {"192.0.2.50"},
                              "hv1",
                              "192.0.2.1:8000",
                              "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e50",
                              VIRTIO_DISK,
                              "enp1s0",
                              "unknown-master-0",
                              VM_FIRMWARE_EFI},
                             {"master-1", "52:54:00:00:0e:21", {"192.0.2.51"}, .note = NOVM_NOTE},
                             {"master-2",
                              "52:54:00:00:0e:22",
                              {"192.0.2.52"},
                              "hv2",
                              NULL,
                              "a4e0c9d2-7f3b-4c1a-9e5d-6b2f8a0c1e52",
                              "/dev/disk/by-path/pci-0000:05:00.0",
                              "enp2s0",
                              "unknown-master-2",
                              VM_FIRMWARE_BIOS},
                             {0}});
}

/* The exports of a fixture, one golden each. */
struct kind {
        const char *suffix;
        enum export_format fmt;
        enum export_inventory_format inv;
};
static const struct kind kinds[] = {
        {"clusterinstance", EXPORT_CLUSTERINSTANCE, 0},
        {"siteconfig", EXPORT_SITECONFIG, 0},
        {"inventory-dci-abi", EXPORT_INVENTORY, EXPORT_INVENTORY_DCI_ABI},
        {"inventory-dci-ipi", EXPORT_INVENTORY, EXPORT_INVENTORY_DCI_IPI},
        {"dnsmasq", EXPORT_DNSMASQ, 0},
};

static int try_render(const struct fixture *f, const struct kind *k, char **ret, struct netd_error *err) {
        struct export_input in = f->in;

        in.inventory = k->inv;
        return export_render(k->fmt, &in, ret, err);
}

static char *render_kind(const struct fixture *f, const struct kind *k) {
        struct netd_error err = {};
        char *text = NULL;

        if (try_render(f, k, &text, &err) < 0)
                fail_msg("%s %s: %s", f->id, k->suffix, err.message);
        assert_non_null(text);
        return text;
}

static char *render(const struct fixture *f, enum export_format fmt) {
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
                if (kinds[i].fmt == fmt)
                        return render_kind(f, &kinds[i]);
        fail();
        return NULL;
}

static char *render_ipi(const struct fixture *f) {
        return render_kind(f, &kinds[3]);
}

/* ---- golden files ---- */

/* Compares text with tests/data/export/NAME.ok. */
static void golden_check(const char *name, const char *text) {
        golden_check_in("export", name, text);
}

/* ---- reading YAML back ---- */

/* Runs libyaml's parser over the whole text: one document, no error.
 * Returns the number of scalars. */
static size_t yaml_parse_events(const char *what, const char *text) {
        yaml_parser_t p;
        size_t scalars = 0, documents = 0;
        bool done = false;

        assert_true(yaml_parser_initialize(&p));
        yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
        while (!done) {
                yaml_event_t ev;

                if (!yaml_parser_parse(&p, &ev))
                        fail_msg("%s: libyaml cannot parse the export: %s at line %zu", what,
                                 p.problem ? p.problem : "?", p.problem_mark.line + 1);
                if (ev.type == YAML_SCALAR_EVENT)
                        scalars++;
                if (ev.type == YAML_DOCUMENT_START_EVENT)
                        documents++;
                done = ev.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&p);
        assert_int_equal(documents, 1);
        return scalars;
}

struct doc {
        yaml_document_t d;
};

static void doc_load(struct doc *doc, const char *text) {
        yaml_parser_t p;

        assert_true(yaml_parser_initialize(&p));
        yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
        assert_true(yaml_parser_load(&p, &doc->d));
        assert_non_null(yaml_document_get_root_node(&doc->d));
        yaml_parser_delete(&p);
}

static void doc_free(struct doc *doc) {
        yaml_document_delete(&doc->d);
}

static const char *scalar_of(yaml_node_t *n) {
        return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The node at a dotted path ("spec.nodes.0.bootMACAddress"); numbers index
 * sequences. NULL when absent. */
static yaml_node_t *doc_get(struct doc *doc, const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        yaml_node_t *n = yaml_document_get_root_node(&doc->d);
        char *save = NULL;

        assert_non_null(copy);
        for (char *part = strtok_r(copy, ".", &save); part && n; part = strtok_r(NULL, ".", &save)) {
                yaml_node_t *next = NULL;

                if (n->type == YAML_MAPPING_NODE) {
                        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
                             pr < n->data.mapping.pairs.top; pr++)
                                if (streq(scalar_of(yaml_document_get_node(&doc->d, pr->key)), part))
                                        next = yaml_document_get_node(&doc->d, pr->value);
                } else if (n->type == YAML_SEQUENCE_NODE) {
                        long idx = strtol(part, NULL, 10);
                        long len = n->data.sequence.items.top - n->data.sequence.items.start;
                        if (idx >= 0 && idx < len)
                                next = yaml_document_get_node(&doc->d, n->data.sequence.items.start[idx]);
                }
                n = next;
        }
        return n;
}

/* A string value: present and, when it could read as another type, quoted. */
static void assert_str(struct doc *doc, const char *path, const char *expected) {
        yaml_node_t *n = doc_get(doc, path);

        if (!n || n->type != YAML_SCALAR_NODE)
                fail_msg("%s: missing", path);
        if (!streq(scalar_of(n), expected))
                fail_msg("%s: \"%s\", expected \"%s\"", path, scalar_of(n), expected);
}

static void assert_quoted(struct doc *doc, const char *path, const char *expected) {
        assert_str(doc, path, expected);
        assert_int_not_equal(doc_get(doc, path)->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
}

/* A plain (typed) value such as an integer or a boolean. */
static void assert_plain(struct doc *doc, const char *path, const char *expected) {
        assert_str(doc, path, expected);
        assert_int_equal(doc_get(doc, path)->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
}

static void assert_absent(struct doc *doc, const char *path) {
        if (doc_get(doc, path))
                fail_msg("%s: present, expected absent", path);
}

static size_t seq_len(struct doc *doc, const char *path) {
        yaml_node_t *n = doc_get(doc, path);

        if (!n || n->type != YAML_SEQUENCE_NODE)
                fail_msg("%s: not a sequence", path);
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* What a YAML 1.1 loader (PyYAML's resolver, which also covers 1.2's core
 * schema for our values) would read as something other than a string. */
static bool yaml11_is_typed(const char *s) {
        static const char *const words[] = {"y", "n", "yes", "no", "true", "false", "on",    "off", "null",
                                            "~", "",  "<<",  "=",  ".inf", "-.inf", "+.inf", ".nan"};
        for (size_t i = 0; i < ARRAY_SIZE(words); i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        /* numbers of every base, sexagesimals, floats and timestamps all
         * start with a digit, a sign or a dot followed by a digit */
        if (isdigit((unsigned char)s[0]))
                return true;
        if ((s[0] == '-' || s[0] == '+' || s[0] == '.') && (isdigit((unsigned char)s[1]) || s[1] == '.'))
                return true;
        return false;
}

/* Keys whose values netd means as booleans or integers. */
static bool key_is_typed(const char *key) {
        static const char *const keys[] = {"holdInstallation",
                                           "enabled",
                                           "dhcp",
                                           "autoconf",
                                           "prefix-length",
                                           "ipmi_port",
                                           "redfish_port",
                                           "nummasters",
                                           "numworkers",
                                           "vip_dhcp_allocation",
                                           "setup_vms",
                                           "secure",
                                           "ipv6_enabled",
                                           "ipv4_baremetal",
                                           "dualstack_baremetal",
                                           "dualstack_vips",
                                           "enable_virtualmedia",
                                           "enable_redfish"};
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                if (streq(key, keys[i]))
                        return true;
        return false;
}

/* Every plain scalar that a loader would type must be a value netd meant
 * typed; every other value must read back as a string. */
static void types_check(const char *what, struct doc *doc, yaml_node_t *n, const char *key) {
        switch (n->type) {
        case YAML_SCALAR_NODE: {
                const char *s = scalar_of(n);
                bool typed = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && yaml11_is_typed(s);
                if (typed != (key && key_is_typed(key)))
                        fail_msg("%s: %s: \"%s\" would read back as %s", what, key ? key : "(key)", s,
                                 typed ? "a non-string" : "a string");
                break;
        }
        case YAML_SEQUENCE_NODE:
                for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
                     it++)
                        types_check(what, doc, yaml_document_get_node(&doc->d, *it), key);
                break;
        case YAML_MAPPING_NODE:
                for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
                     pr++) {
                        yaml_node_t *k = yaml_document_get_node(&doc->d, pr->key);
                        types_check(what, doc, k, NULL);
                        types_check(what, doc, yaml_document_get_node(&doc->d, pr->value), scalar_of(k));
                }
                break;
        default:
                fail_msg("%s: unexpected node type %d", what, (int)n->type);
        }
}

/* The comment block comes first, then YAML only; every line printable. */
static void lines_check(const char *what, const char *text) {
        bool in_comments = true;

        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');

                assert_non_null(nl);
                for (const char *q = p; q < nl; q++)
                        if (*q < 0x20 || *q > 0x7e)
                                fail_msg("%s: byte 0x%02x in \"%.*s\"", what, (unsigned char)*q,
                                         (int)(nl - p), p);
                if (*p == '#') {
                        if (!in_comments)
                                fail_msg("%s: comment after the YAML: %.*s", what, (int)(nl - p), p);
                } else {
                        in_comments = false;
                }
                p = nl + 1;
        }
}

/* ---- tests ---- */

static void test_goldens(void **state) {
        (void)state;
        for (size_t i = 0; i < N_FIXTURES; i++)
                for (size_t j = 0; j < ARRAY_SIZE(kinds); j++) {
                        struct fixture f = fixtures[i];
                        _cleanup_free_ char *text = NULL, *again = NULL, *name = NULL;
                        bool ztp =
                                kinds[j].fmt == EXPORT_CLUSTERINSTANCE || kinds[j].fmt == EXPORT_SITECONFIG;

                        fixture_relink(&f);
                        /* what netd does not know is refused, or a placeholder */
                        f.in.allow_incomplete = i == FX_UNKNOWN && ztp;
                        text = render_kind(&f, &kinds[j]);
                        again = render_kind(&f, &kinds[j]);
                        assert_true(asprintf(&name, "%s-%s%s", f.id, kinds[j].suffix,
                                             f.in.allow_incomplete ? "-allow-incomplete" : "") > 0);
                        golden_check(name, text);
                        /* deterministic: no timestamps, no addresses of memory */
                        assert_string_equal(text, again);
                        assert_true(text[strlen(text) - 1] == '\n');
                }
}

static void test_parse_and_types(void **state) {
        (void)state;
        for (size_t i = 0; i < N_FIXTURES; i++)
                for (size_t j = 0; j < ARRAY_SIZE(kinds); j++) {
                        struct fixture f = fixtures[i];
                        _cleanup_free_ char *text = NULL, *what = NULL;
                        struct doc doc;

                        if (kinds[j].fmt == EXPORT_DNSMASQ)
                                continue;
                        fixture_relink(&f);
                        f.in.allow_incomplete = true;
                        text = render_kind(&f, &kinds[j]);
                        assert_true(asprintf(&what, "%s %s", f.id, kinds[j].suffix) > 0);
                        assert_true(yaml_parse_events(what, text) > 10);
                        lines_check(what, text);
                        assert_true(text[0] == '#');
                        doc_load(&doc, text);
                        types_check(what, &doc, yaml_document_get_root_node(&doc.d), NULL);
                        doc_free(&doc);
                }
}

static void test_clusterinstance_sno(void **state) {
        (void)state;
        _cleanup_free_ char *text = render(&fixtures[FX_SNO4], EXPORT_CLUSTERINSTANCE);
        struct doc doc;

        doc_load(&doc, text);
        assert_str(&doc, "apiVersion", "siteconfig.open-cluster-management.io/v1alpha1");
        assert_str(&doc, "kind", "ClusterInstance");
        assert_str(&doc, "metadata.name", "sno");
        assert_str(&doc, "metadata.namespace", "sno");
        assert_str(&doc, "spec.clusterName", "sno");
        assert_str(&doc, "spec.baseDomain", "lab.example");
        assert_str(&doc, "spec.pullSecretRef.name", "assisted-deployment-pull-secret");
        assert_str(&doc, "spec.networkType", "OVNKubernetes");
        assert_int_equal(seq_len(&doc, "spec.machineNetwork"), 1);
        assert_quoted(&doc, "spec.machineNetwork.0.cidr", "192.0.2.0/24");
        /* SNO: the node's address is the API */
        assert_absent(&doc, "spec.apiVIPs");
        assert_absent(&doc, "spec.ingressVIPs");
        assert_str(&doc, "spec.templateRefs.0.name", "ai-cluster-templates-v1");
        assert_str(&doc, "spec.templateRefs.0.namespace", "open-cluster-management");
        assert_plain(&doc, "spec.holdInstallation", "false");
        assert_int_equal(seq_len(&doc, "spec.nodes"), 1);
        assert_str(&doc, "spec.nodes.0.hostName", "master-0.sno.lab.example");
        assert_str(&doc, "spec.nodes.0.role", "master");
        assert_str(&doc, "spec.nodes.0.bmcAddress",
                   "redfish-virtualmedia://192.0.2.1:8000/redfish/v1/Systems/" SNO_UUID);
        assert_str(&doc, "spec.nodes.0.bmcCredentialsName.name", "master-0-bmc-secret");
        assert_quoted(&doc, "spec.nodes.0.bootMACAddress", SNO_MAC);
        assert_str(&doc, "spec.nodes.0.bootMode", "UEFI");
        assert_str(&doc, "spec.nodes.0.rootDeviceHints.deviceName", SNO_DISK);
        assert_str(&doc, "spec.nodes.0.templateRefs.0.name", "ai-node-templates-v1");
        assert_str(&doc, "spec.nodes.0.templateRefs.0.namespace", "open-cluster-management");
        assert_str(&doc, "spec.nodes.0.nodeNetwork.interfaces.0.name", "enp1s0");
        assert_quoted(&doc, "spec.nodes.0.nodeNetwork.interfaces.0.macAddress", SNO_MAC);
        assert_str(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.name", "enp1s0");
        assert_plain(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.ipv4.enabled", "true");
        assert_plain(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.ipv4.dhcp", "true");
        assert_plain(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.ipv6.enabled", "false");
        /* IPv4 takes its address by DHCP: no static routes or resolver */
        assert_absent(&doc, "spec.nodes.0.nodeNetwork.config.routes");
        assert_absent(&doc, "spec.nodes.0.nodeNetwork.config.dns-resolver");
        doc_free(&doc);
        /* placeholders of the hub's values are named in the comment block */
        assert_non_null(strstr(text, "# Generated by netd for cluster sno (sno) on network lab.\n"));
        assert_non_null(strstr(text, "CHANGE-ME-cluster-image-set"));
        assert_non_null(strstr(text, "CHANGE-ME-ssh-public-key"));
        assert_non_null(strstr(text, "Create Secret NODE-bmc-secret in namespace sno"));
        /* everything is known: no node is named in a comment */
        assert_null(strstr(text, "# master-0:"));
}

/* Firmware, BMC schemes, SATA names, and a bare-metal node by its facts. */
static void test_compact_firmware_and_facts(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_COMPACT4];
        _cleanup_free_ char *ci = render(&fixtures[FX_COMPACT4], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *sc = render(&fixtures[FX_COMPACT4], EXPORT_SITECONFIG);
        _cleanup_free_ char *abi = render(&fixtures[FX_COMPACT4], EXPORT_INVENTORY);
        _cleanup_free_ char *ipi = render_ipi(&fixtures[FX_COMPACT4]);
        _cleanup_free_ char *compat = NULL;
        struct doc doc;

        doc_load(&doc, ci);
        assert_quoted(&doc, "spec.apiVIPs.0", "192.0.2.23");
        assert_quoted(&doc, "spec.ingressVIPs.0", "192.0.2.24");
        assert_str(&doc, "spec.nodes.0.bmcAddress",
                   "redfish-virtualmedia+https://hv1.lab.example:8000/redfish/v1/Systems/"
                   "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e20");
        assert_str(&doc, "spec.nodes.0.bootMode", "UEFISecureBoot");
        assert_str(&doc, "spec.nodes.1.bmcAddress",
                   "redfish-virtualmedia+http://192.0.2.2:8000/redfish/v1/Systems/"
                   "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e21");
        assert_str(&doc, "spec.nodes.1.bootMode", "legacy");
        /* systemd >= 250's primary name of a SATA disk */
        assert_str(&doc, "spec.nodes.1.rootDeviceHints.deviceName",
                   "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0");
        assert_str(&doc, "spec.nodes.1.nodeNetwork.interfaces.0.name", "enp2s0");
        /* bare metal: `node set` says everything */
        assert_str(&doc, "spec.nodes.2.bmcAddress", IDRAC_URL);
        assert_str(&doc, "spec.nodes.2.bmcCredentialsName.name", "master-2-bmc-secret");
        assert_str(&doc, "spec.nodes.2.rootDeviceHints.deviceName", IDRAC_DISK);
        assert_str(&doc, "spec.nodes.2.bootMode", "UEFI");
        assert_quoted(&doc, "spec.nodes.2.bootMACAddress", "b8:ca:3a:00:0a:22");
        doc_free(&doc);
        assert_non_null(strstr(ci, "\n# master-2: the guest's interface name is unknown - enp1s0 assumed"));

        doc_load(&doc, sc);
        assert_str(&doc, "apiVersion", "ran.openshift.io/v1");
        assert_str(&doc, "kind", "SiteConfig");
        assert_int_equal(seq_len(&doc, "spec.clusters"), 1);
        assert_str(&doc, "spec.clusters.0.clusterName", "compact");
        assert_quoted(&doc, "spec.clusters.0.apiVIPs.0", "192.0.2.23");
        assert_quoted(&doc, "spec.clusters.0.machineNetwork.0.cidr", "192.0.2.0/24");
        assert_str(&doc, "spec.clusters.0.nodes.0.bootMode", "UEFISecureBoot");
        assert_str(&doc, "spec.clusters.0.nodes.2.bmcAddress", IDRAC_URL);
        assert_absent(&doc, "spec.clusters.0.nodes.0.templateRefs");
        doc_free(&doc);

        doc_load(&doc, abi);
        assert_str(&doc, "all.vars.install_type", "abi");
        assert_str(&doc, "all.vars.cluster_name", "compact");
        assert_str(&doc, "all.vars.base_dns_domain", "lab.example");
        assert_quoted(&doc, "all.vars.api_vip", "192.0.2.23");
        assert_quoted(&doc, "all.vars.machine_network_cidr", "192.0.2.0/24");
        assert_str(&doc, "all.vars.vm_node_prefix", "compact-");
        /* one BMC speaks HTTPS, the other HTTP: the flow has one setting */
        assert_absent(&doc, "all.vars.secure");
        assert_str(&doc, "all.children.nodes.children.masters.vars.role", "master");
        assert_absent(&doc, "all.children.nodes.children.workers");
        const char *m = "all.children.nodes.children.masters.hosts";
        char path[160];
#define AT(suffix) (snprintf(path, sizeof(path), "%s.%s", m, suffix), path)
        assert_quoted(&doc, AT("master-0.ansible_host"), "192.0.2.20");
        assert_quoted(&doc, AT("master-0.mac"), "52:54:00:00:0a:20");
        assert_str(&doc, AT("master-0.bmc_address"), "hv1.lab.example:8000");
        assert_str(&doc, AT("master-0.vendor"), "KVM");
        assert_str(&doc, AT("master-1.root_device_hints.deviceName"),
                   "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0");
        assert_quoted(&doc, AT("master-2.bmc_address"), "198.51.100.50");
        assert_absent(&doc, AT("master-2.vendor"));
#undef AT
        doc_free(&doc);
        assert_non_null(strstr(abi, "\n# master-2: not a VM netd found - vendor left out"));
        assert_non_null(strstr(abi, "secure left out"));
        assert_non_null(strstr(abi, "bmc_user and bmc_password"));

        doc_load(&doc, ipi);
        assert_str(&doc, "all.vars.install_type", "ipi");
        assert_str(&doc, "all.vars.cluster", "compact");
        assert_str(&doc, "all.vars.domain", "lab.example");
        assert_quoted(&doc, "all.vars.extcidrnet", "192.0.2.0/24");
        assert_plain(&doc, "all.vars.nummasters", "3");
        assert_plain(&doc, "all.vars.numworkers", "0");
        assert_absent(&doc, "all.vars.bootmode");
        assert_str(&doc, "all.children.masters.hosts.master-0.ipmi_address", "hv1.lab.example");
        assert_plain(&doc, "all.children.masters.hosts.master-0.ipmi_port", "8000");
        assert_plain(&doc, "all.children.masters.hosts.master-0.redfish_port", "8000");
        assert_quoted(&doc, "all.children.masters.hosts.master-0.kvm_uuid",
                      "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e20");
        assert_quoted(&doc, "all.children.masters.hosts.master-0.provision_mac", "52:54:00:00:0a:20");
        assert_str(&doc, "all.children.masters.hosts.master-0.root_device_hint", "deviceName");
        assert_str(&doc, "all.children.masters.hosts.master-0.root_device_hint_value",
                   "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0");
        assert_quoted(&doc, "all.children.masters.hosts.master-2.ipmi_address", "198.51.100.50");
        assert_absent(&doc, "all.children.masters.hosts.master-2.ipmi_port");
        assert_absent(&doc, "all.children.masters.hosts.master-2.kvm_uuid");
        assert_non_null(doc_get(&doc, "all.children.kvm_hosts_redfish.hosts.master-0"));
        assert_non_null(doc_get(&doc, "all.children.kvm_hosts_redfish.hosts.master-1"));
        assert_absent(&doc, "all.children.kvm_hosts_redfish.hosts.master-2");
        doc_free(&doc);
        assert_non_null(strstr(ipi, "master-1: its BMC speaks plain HTTP"));
        assert_non_null(strstr(ipi, "bootmode left out"));
        assert_non_null(strstr(ipi, "\n# master-2: the installer role writes redfish-virtualmedia://"));

        /* --udev-compat: the VM's SATA disk by its compatibility name; a
         * path `node set` gave stays as given */
        fixture_relink(&f);
        f.in.udev_compat = true;
        compat = render(&f, EXPORT_CLUSTERINSTANCE);
        doc_load(&doc, compat);
        assert_str(&doc, "spec.nodes.1.rootDeviceHints.deviceName",
                   "/dev/disk/by-path/pci-0000:00:1f.2-ata-1");
        assert_str(&doc, "spec.nodes.0.rootDeviceHints.deviceName",
                   "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0");
        assert_str(&doc, "spec.nodes.2.rootDeviceHints.deviceName", IDRAC_DISK);
        doc_free(&doc);
}

static void test_mno_v6(void **state) {
        (void)state;
        _cleanup_free_ char *ci = render(&fixtures[FX_MNO6], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *ipi = render_ipi(&fixtures[FX_MNO6]);
        struct doc doc;

        doc_load(&doc, ci);
        assert_quoted(&doc, "spec.machineNetwork.0.cidr", "2001:db8::/64");
        assert_quoted(&doc, "spec.apiVIPs.0", "2001:db8::15");
        assert_quoted(&doc, "spec.ingressVIPs.0", "2001:db8::16");
        assert_int_equal(seq_len(&doc, "spec.nodes"), 5);
        assert_str(&doc, "spec.nodes.0.bmcAddress",
                   "redfish-virtualmedia://[2001:db8::2]:8000/redfish/v1/Systems/"
                   "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b10");
        assert_str(&doc, "spec.nodes.3.role", "worker");
        assert_str(&doc, "spec.nodes.3.bootMode", "legacy");
        assert_str(&doc, "spec.nodes.3.nodeNetwork.interfaces.0.name", "ens3");

        const char *cfg = "spec.nodes.1.nodeNetwork.config";
        char path[160];
#define AT(suffix) (snprintf(path, sizeof(path), "%s.%s", cfg, suffix), path)
        assert_plain(&doc, AT("interfaces.0.ipv4.enabled"), "false");
        assert_absent(&doc, AT("interfaces.0.ipv4.dhcp"));
        assert_plain(&doc, AT("interfaces.0.ipv6.enabled"), "true");
        assert_plain(&doc, AT("interfaces.0.ipv6.dhcp"), "false");
        assert_quoted(&doc, AT("interfaces.0.ipv6.address.0.ip"), "2001:db8::11");
        assert_plain(&doc, AT("interfaces.0.ipv6.address.0.prefix-length"), "64");
        assert_quoted(&doc, AT("dns-resolver.config.server.0"), "2001:db8::1");
        assert_quoted(&doc, AT("routes.config.0.destination"), "::/0");
        assert_quoted(&doc, AT("routes.config.0.next-hop-address"), "2001:db8::1");
#undef AT
        /* worker-1: `node set` wins over what its VM says (EFI, no disk) */
        assert_str(&doc, "spec.nodes.4.rootDeviceHints.deviceName", "/dev/vdb");
        assert_str(&doc, "spec.nodes.4.bootMode", "legacy");
        assert_str(&doc, "spec.nodes.4.nodeNetwork.interfaces.0.name", "enp1s0");
        doc_free(&doc);
        assert_null(strstr(ci, "# worker-0:"));

        doc_load(&doc, ipi);
        assert_plain(&doc, "all.vars.ipv6_enabled", "true");
        assert_plain(&doc, "all.vars.ipv4_baremetal", "false");
        assert_plain(&doc, "all.vars.dualstack_baremetal", "false");
        assert_quoted(&doc, "all.vars.extcidrnet", "2001:db8::/64");
        assert_quoted(&doc, "all.vars.apivip", "2001:db8::15");
        assert_quoted(&doc, "all.children.workers.hosts.worker-0.kvm_uuid",
                      "eb6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b13");
        assert_quoted(&doc, "all.children.workers.hosts.worker-0.ipmi_address", "2001:db8::3");
        assert_str(&doc, "all.children.workers.hosts.worker-1.root_device_hint_value", "/dev/vdb");
        /* masters UEFI, workers legacy: the flow has one boot mode */
        assert_absent(&doc, "all.vars.bootmode");
        doc_free(&doc);
}

static void test_dual_stack(void **state) {
        (void)state;
        _cleanup_free_ char *ci = render(&fixtures[FX_DUAL], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *sc = render(&fixtures[FX_DUAL], EXPORT_SITECONFIG);
        _cleanup_free_ char *abi = render(&fixtures[FX_DUAL], EXPORT_INVENTORY);
        _cleanup_free_ char *ipi = render_ipi(&fixtures[FX_DUAL]);
        struct doc doc;

        doc_load(&doc, ci);
        assert_int_equal(seq_len(&doc, "spec.machineNetwork"), 2);
        assert_quoted(&doc, "spec.machineNetwork.0.cidr", "192.0.2.0/24");
        assert_quoted(&doc, "spec.machineNetwork.1.cidr", "2001:db8:1::/64");
        assert_int_equal(seq_len(&doc, "spec.apiVIPs"), 2);
        assert_quoted(&doc, "spec.apiVIPs.0", "192.0.2.33");
        assert_quoted(&doc, "spec.apiVIPs.1", "2001:db8:1::33");
        assert_quoted(&doc, "spec.ingressVIPs.1", "2001:db8:1::34");
        assert_plain(&doc, "spec.nodes.2.nodeNetwork.config.interfaces.0.ipv4.dhcp", "true");
        assert_quoted(&doc, "spec.nodes.2.nodeNetwork.config.interfaces.0.ipv6.address.0.ip",
                      "2001:db8:1::32");
        assert_quoted(&doc, "spec.nodes.2.nodeNetwork.config.routes.config.0.next-hop-address",
                      "2001:db8:1::1");
        doc_free(&doc);
        assert_non_null(
                strstr(ci, "# Generated by netd for cluster dual (compact) on networks lab4 and lab6.\n"));

        doc_load(&doc, sc);
        assert_int_equal(seq_len(&doc, "spec.clusters.0.machineNetwork"), 2);
        assert_quoted(&doc, "spec.clusters.0.ingressVIPs.1", "2001:db8:1::34");
        doc_free(&doc);

        doc_load(&doc, abi);
        assert_quoted(&doc, "all.vars.api_vip", "192.0.2.33");
        assert_quoted(&doc, "all.vars.extra_api_vip", "2001:db8:1::33");
        assert_quoted(&doc, "all.vars.extra_ingress_vip", "2001:db8:1::34");
        assert_quoted(&doc, "all.vars.extra_machine_networks.0.cidr", "2001:db8:1::/64");
        assert_plain(&doc, "all.vars.secure", "false");
        doc_free(&doc);

        doc_load(&doc, ipi);
        assert_plain(&doc, "all.vars.dualstack_baremetal", "true");
        assert_plain(&doc, "all.vars.dualstack_vips", "true");
        assert_quoted(&doc, "all.vars.extcidrnet", "192.0.2.0/24");
        assert_quoted(&doc, "all.vars.extcidrnet6", "2001:db8:1::/64");
        assert_quoted(&doc, "all.vars.apivip6", "2001:db8:1::33");
        assert_quoted(&doc, "all.vars.ingressvip6", "2001:db8:1::34");
        assert_str(&doc, "all.vars.bootmode", "UEFI");
        doc_free(&doc);
}

/* Seed 003: the hub is cluster1's worker-3, isolated by a /32. */
static void test_seed003(void **state) {
        (void)state;
        _cleanup_free_ char *hub = render(&fixtures[FX_HUB], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *w3 = render(&fixtures[FX_CLUSTER1], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *hub_abi = render(&fixtures[FX_HUB], EXPORT_INVENTORY);
        _cleanup_free_ char *c1_abi = render(&fixtures[FX_CLUSTER1], EXPORT_INVENTORY);
        struct doc doc;

        doc_load(&doc, hub);
        assert_quoted(&doc, "spec.machineNetwork.0.cidr", "192.0.2.26/32");
        assert_absent(&doc, "spec.apiVIPs");
        assert_str(&doc, "spec.nodes.0.hostName", "master-0.hub.our.lab");
        assert_quoted(&doc, "spec.nodes.0.bootMACAddress", "52:54:00:03:00:16");
        assert_str(&doc, "spec.nodes.0.bootMode", "UEFISecureBoot");
        assert_str(&doc, "spec.nodes.0.rootDeviceHints.deviceName", SATA_DISK);
        assert_str(&doc, "spec.nodes.0.bmcAddress", HV1_BMC "/redfish/v1/Systems/" C1 "16");
        doc_free(&doc);
        assert_non_null(
                strstr(hub, "\n# master-0 is node worker-3 of cluster cluster1: the same machine.\n"));

        doc_load(&doc, w3);
        assert_int_equal(seq_len(&doc, "spec.nodes"), 7);
        assert_quoted(&doc, "spec.machineNetwork.0.cidr", "192.0.2.0/24");
        assert_str(&doc, "spec.nodes.6.bmcAddress", HV1_BMC "/redfish/v1/Systems/" C1 "16");
        assert_str(&doc, "spec.nodes.3.bootMode", "legacy");
        doc_free(&doc);

        doc_load(&doc, hub_abi);
        assert_quoted(&doc, "all.vars.machine_network_cidr", "192.0.2.26/32");
        assert_quoted(&doc, "all.vars.api_vip", "192.0.2.26");
        /* the VM is cluster1-worker-3, not PREFIX + master-0 */
        assert_absent(&doc, "all.vars.vm_node_prefix");
        assert_plain(&doc, "all.vars.secure", "false");
        doc_free(&doc);
        assert_non_null(strstr(hub_abi, "vm_node_prefix left out"));

        doc_load(&doc, c1_abi);
        assert_str(&doc, "all.vars.vm_node_prefix", "cluster1-");
        assert_str(&doc, "all.children.nodes.children.workers.vars.role", "worker");
        assert_str(&doc, "all.children.nodes.children.workers.hosts.worker-3.bmc_address",
                   "192.0.2.250:8000");
        doc_free(&doc);
}

/* Values netd does not know: refused, naming each node and field, or
 * placeholders with --allow-incomplete. */
static void test_incomplete(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_UNKNOWN];
        _cleanup_free_ char *ci = NULL, *sc = NULL, *abi = NULL;
        struct doc doc;

        fixture_relink(&f);
        for (size_t j = 0; j < 2; j++) {
                struct netd_error err = {};
                char *text = NULL;

                assert_int_equal(try_render(&f, &kinds[j], &text, &err), NETD_EINVALID);
                assert_null(text);
                assert_non_null(strstr(err.message,
                                       "cluster unknown: node master-1: bmcAddress, rootDeviceHints and "
                                       "bootMode unknown (" NOVM_NOTE ")"));
                assert_non_null(
                        strstr(err.message, "; node master-2: bmcAddress unknown (host hv2 has no --bmc)"));
                assert_null(strstr(err.message, "master-0"));
                assert_non_null(strstr(err.message, "--allow-incomplete"));
        }
        /* the inventories name what they leave out */
        abi = render(&f, EXPORT_INVENTORY);
        assert_non_null(strstr(abi, "\n# master-1: " NOVM_NOTE
                                    " - bmc_address, root_device_hints and vendor left out.\n"));
        assert_non_null(strstr(abi, "\n# master-2: host hv2 has no --bmc - bmc_address left out.\n"));

        f.in.allow_incomplete = true;
        ci = render(&f, EXPORT_CLUSTERINSTANCE);
        sc = render(&f, EXPORT_SITECONFIG);
        assert_non_null(strstr(ci,
                               "\n# master-1: " NOVM_NOTE " - placeholders (CHANGE-ME-...) for bmcAddress, "
                               "rootDeviceHints and bootMode: set them before use.\n"));
        assert_non_null(strstr(ci, "\n# master-2: host hv2 has no --bmc - placeholders (CHANGE-ME-...) for "
                                   "bmcAddress: set them before use.\n"));
        doc_load(&doc, ci);
        assert_str(&doc, "spec.nodes.1.bmcAddress", "CHANGE-ME-bmc-address");
        assert_str(&doc, "spec.nodes.1.bmcCredentialsName.name", "master-1-bmc-secret");
        assert_str(&doc, "spec.nodes.1.bootMode", "CHANGE-ME-boot-mode");
        assert_str(&doc, "spec.nodes.1.rootDeviceHints.deviceName", "CHANGE-ME-root-device");
        assert_str(&doc, "spec.nodes.2.bmcAddress", "CHANGE-ME-bmc-address");
        assert_str(&doc, "spec.nodes.2.bootMode", "legacy");
        assert_str(&doc, "spec.nodes.2.rootDeviceHints.deviceName", "/dev/disk/by-path/pci-0000:05:00.0");
        doc_free(&doc);
        doc_load(&doc, sc);
        assert_str(&doc, "spec.clusters.0.nodes.1.bmcAddress", "CHANGE-ME-bmc-address");
        doc_free(&doc);

        /* without anything from libvirt, every node is unknown */
        f.in.allow_incomplete = false;
        f.in.vms = NULL;
        {
                struct netd_error err = {};
                char *text = NULL;

                assert_int_equal(try_render(&f, &kinds[0], &text, &err), NETD_EINVALID);
                assert_non_null(strstr(err.message,
                                       "node master-0: bmcAddress, rootDeviceHints and bootMode unknown "
                                       "(no VM on a libvirt host has MAC 52:54:00:00:0e:20)"));
        }
}

/* A many-node cluster: the message stays one line and says how many more. */
static void test_incomplete_many(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_CLUSTER1];
        struct netd_error err = {};
        char *text = NULL;

        fixture_relink(&f);
        f.in.vms = NULL;
        assert_int_equal(export_render(EXPORT_SITECONFIG, &f.in, &text, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "node master-0:"));
        assert_non_null(strstr(err.message, " more node"));
        assert_non_null(strstr(err.message, "--allow-incomplete"));
}

static void test_hostname_label(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_SNO4];
        _cleanup_free_ char *inv = NULL;

        fixture_relink(&f);
        /* master-0.sno. + 50 = 63: still fits */
        strscpy(f.c.domain, sizeof(f.c.domain), "aaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb");
        free(render(&f, EXPORT_CLUSTERINSTANCE));
        strscpy(f.c.domain, sizeof(f.c.domain), "aaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbb");
        for (size_t j = 0; j < 2; j++) {
                struct netd_error err = {};
                char *text = NULL;

                assert_int_equal(try_render(&f, &kinds[j], &text, &err), NETD_EINVALID);
                assert_null(text);
                assert_non_null(strstr(err.message, "node master-0: hostName master-0.sno.aaaa"));
                assert_non_null(strstr(err.message, "is 64 characters long"));
        }
        /* the inventories have no such rule */
        inv = render(&f, EXPORT_INVENTORY);
}

static void test_template_namespace(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_SNO4];
        _cleanup_free_ char *ci = NULL;
        struct netd_error err = {};
        char *text = NULL;
        struct doc doc;

        fixture_relink(&f);
        f.in.template_namespace = "ztp-templates";
        ci = render(&f, EXPORT_CLUSTERINSTANCE);
        doc_load(&doc, ci);
        assert_str(&doc, "spec.templateRefs.0.namespace", "ztp-templates");
        assert_str(&doc, "spec.nodes.0.templateRefs.0.namespace", "ztp-templates");
        doc_free(&doc);
        f.in.template_namespace = "Bad\nNamespace";
        assert_int_equal(export_render(EXPORT_CLUSTERINSTANCE, &f.in, &text, &err), NETD_EINVALID);
        assert_null(text);
        assert_null(strchr(err.message, '\n'));
}

static void test_dnsmasq(void **state) {
        (void)state;
        for (size_t i = 0; i < N_FIXTURES; i++) {
                _cleanup_free_ char *text = render(&fixtures[i], EXPORT_DNSMASQ);
                _cleanup_free_ char *direct = dnsmasq_conf_cluster(&fixtures[i].c);

                assert_non_null(direct);
                assert_string_equal(text, direct);
        }
}

/* Renders with one field of one node spoiled; every YAML format refuses. */
static void assert_refused(struct fixture *f, const char *what) {
        for (size_t j = 0; j < ARRAY_SIZE(kinds); j++) {
                struct netd_error err = {};
                char *text = NULL;
                int r;

                if (kinds[j].fmt == EXPORT_DNSMASQ)
                        continue;
                r = try_render(f, &kinds[j], &text, &err);
                if (r != NETD_EINVALID)
                        fail_msg("%s %s: %s accepted (r=%d):\n%s", f->id, kinds[j].suffix, what, r,
                                 text ? text : "");
                assert_null(text);
                assert_true(err.message[0] != '\0');
                /* the message itself never carries the raw byte */
                assert_null(strchr(err.message, '\n'));
        }
}

static void test_hostile(void **state) {
        (void)state;
        static const char *const notes[] = {
                "no VM\n- name: injected", "no VM\r# injected",     "tab\there",
                "escape \x1b[31m",         "ellipsis \xe2\x80\xa6",
        };
        struct fixture *f = &fixtures[FX_UNKNOWN];
        struct export_vm saved;

        f->in.allow_incomplete = true;
        /* the note of a node without VM lands in a comment */
        saved = f->vms[1];
        for (size_t i = 0; i < ARRAY_SIZE(notes); i++) {
                strscpy(f->vms[1].note, sizeof(f->vms[1].note), notes[i]);
                assert_refused(f, "a hostile note");
        }
        f->vms[1] = saved;

        saved = f->vms[0];
        strscpy(f->vms[0].guest_name, sizeof(f->vms[0].guest_name), "enp1s0\n#x");
        assert_refused(f, "a hostile guest name");
        f->vms[0] = saved;
        strscpy(f->vms[0].bmc, sizeof(f->vms[0].bmc), "192.0.2.1:8000/x?y");
        assert_refused(f, "a hostile BMC");
        f->vms[0] = saved;
        strscpy(f->vms[0].bmc, sizeof(f->vms[0].bmc), "gopher://192.0.2.1:8000");
        assert_refused(f, "a BMC scheme that is not redfish");
        f->vms[0] = saved;
        strscpy(f->vms[0].uuid, sizeof(f->vms[0].uuid), "../../etc/passwd");
        assert_refused(f, "a hostile UUID");
        f->vms[0] = saved;
        strscpy(f->vms[0].root_disk, sizeof(f->vms[0].root_disk), "/dev/vda\n#x");
        assert_refused(f, "a hostile root disk");
        f->vms[0] = saved;
        strscpy(f->vms[0].domain, sizeof(f->vms[0].domain), "vm\n#x");
        assert_refused(f, "a hostile VM name");
        f->vms[0] = saved;

        struct node node = f->nodes[0];
        strscpy(f->nodes[0].name, sizeof(f->nodes[0].name), "master-0\n# x");
        assert_refused(f, "a hostile node name");
        f->nodes[0] = node;
        strscpy(f->nodes[0].role, sizeof(f->nodes[0].role), "boss");
        assert_refused(f, "an unknown role");
        f->nodes[0] = node;
        f->nodes[0].ips[0] = ip("2001:db8::20");
        assert_refused(f, "an address of the wrong family");
        f->nodes[0] = node;
        strscpy(f->nodes[0].bmc_address, sizeof(f->nodes[0].bmc_address), "https://x\n#/y");
        assert_refused(f, "a hostile node BMC address");
        f->nodes[0] = node;
        strscpy(f->nodes[0].root_disk, sizeof(f->nodes[0].root_disk), "vda");
        assert_refused(f, "a node root disk that is not a /dev path");
        f->nodes[0] = node;
        strscpy(f->nodes[0].reuses_cluster, sizeof(f->nodes[0].reuses_cluster), "c1\n#");
        strscpy(f->nodes[0].reuses_node, sizeof(f->nodes[0].reuses_node), "w3");
        assert_refused(f, "a hostile reused node");
        f->nodes[0] = node;

        struct cluster c = f->c;
        strscpy(f->c.domain, sizeof(f->c.domain), "lab.example\n# x");
        assert_refused(f, "a hostile domain");
        f->c = c;
        strscpy(f->c.networks[0].name, sizeof(f->c.networks[0].name), "other");
        assert_refused(f, "a network that is not the cluster's");
        f->c = c;
        f->c.networks[0].machine_network = cidr("2001:db8::/64");
        assert_refused(f, "a machine network of another family");
        f->c = c;

        /* restored: renders again */
        free(render(f, EXPORT_CLUSTERINSTANCE));
        f->in.allow_incomplete = false;
}

static void test_format_names(void **state) {
        (void)state;
        enum export_format f;
        enum export_inventory_format inv;

        for (enum export_format i = 0; i < EXPORT_FORMAT_MAX; i++) {
                assert_int_equal(export_format_from_string(export_format_to_string(i), &f), 0);
                assert_int_equal(f, i);
        }
        assert_string_equal(export_format_to_string(EXPORT_CLUSTERINSTANCE), "clusterinstance");
        assert_string_equal(export_format_to_string(EXPORT_SITECONFIG), "siteconfig");
        assert_string_equal(export_format_to_string(EXPORT_INVENTORY), "inventory");
        assert_string_equal(export_format_to_string(EXPORT_DNSMASQ), "dnsmasq");
        assert_null(export_format_to_string(EXPORT_FORMAT_MAX));
        assert_int_equal(export_format_from_string("yaml", &f), NETD_EINVALID);
        assert_int_equal(export_format_from_string(NULL, &f), NETD_EINVALID);
        assert_int_equal(export_inventory_format_from_string("dci-abi", &inv), 0);
        assert_int_equal(inv, EXPORT_INVENTORY_DCI_ABI);
        assert_int_equal(export_inventory_format_from_string("dci-ipi", &inv), 0);
        assert_int_equal(inv, EXPORT_INVENTORY_DCI_IPI);
        assert_string_equal(export_inventory_format_to_string(EXPORT_INVENTORY_DCI_IPI), "dci-ipi");
        assert_int_equal(export_inventory_format_from_string("ipi", &inv), NETD_EINVALID);
        assert_null(export_inventory_format_to_string(EXPORT_INVENTORY_FORMAT_MAX));
}

static int setup(void **state) {
        (void)state;
        fixtures_init();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_goldens),
                cmocka_unit_test(test_parse_and_types),
                cmocka_unit_test(test_clusterinstance_sno),
                cmocka_unit_test(test_compact_firmware_and_facts),
                cmocka_unit_test(test_mno_v6),
                cmocka_unit_test(test_dual_stack),
                cmocka_unit_test(test_seed003),
                cmocka_unit_test(test_incomplete),
                cmocka_unit_test(test_incomplete_many),
                cmocka_unit_test(test_hostname_label),
                cmocka_unit_test(test_template_namespace),
                cmocka_unit_test(test_dnsmasq),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_format_names),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
