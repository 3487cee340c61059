/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exports against golden files in tests/data/export
 * (NETD_TEST_REGENERATE=1 rewrites them), every YAML document read back by
 * libyaml's parser with its values and their types checked, and the refusal
 * of anything that could add a line to the comment block. Fixtures are
 * built by hand so the store is not involved. */
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

static void network_init(struct network *n, const char *name, const char *cidr, const char *gw,
                         const char *domain) {
        memset(n, 0, sizeof(*n));
        strscpy(n->name, sizeof(n->name), name);
        assert_int_equal(prefix_parse(cidr, &n->cidr, NULL), 0);
        n->gateway = ip(gw);
        strscpy(n->domain, sizeof(n->domain), domain);
}

/* One node and what libvirt knows of its VM; host NULL = no VM found. */
struct node_fixture {
        const char *name, *mac, *ip;
        const char *host, *bmc, *uuid, *root_disk, *guest, *note;
};

#define MAX_NODES 8

struct fixture {
        const char *id; /* golden file prefix */
        struct network net;
        struct cluster c;
        struct node nodes[MAX_NODES];
        struct export_vm vms[MAX_NODES];
        struct export_input in;
};

static void fixture_init(struct fixture *f, const char *id, const char *name, enum topology t,
                         const char *api, const char *ingress, const struct node_fixture *nodes) {
        memset(&f->c, 0, sizeof(f->c));
        memset(f->nodes, 0, sizeof(f->nodes));
        memset(f->vms, 0, sizeof(f->vms));
        f->id = id;
        strscpy(f->c.name, sizeof(f->c.name), name);
        strscpy(f->c.network, sizeof(f->c.network), f->net.name);
        strscpy(f->c.domain, sizeof(f->c.domain), f->net.domain);
        f->c.topology = t;
        f->c.api_vip = ip(api);
        f->c.ingress_vip = ip(ingress);
        f->c.nodes = f->nodes;
        for (size_t i = 0; nodes[i].name; i++) {
                struct node *nd = &f->nodes[f->c.n_nodes];
                struct export_vm *vm = &f->vms[f->c.n_nodes];

                assert_true(i < MAX_NODES);
                f->c.n_nodes++;
                strscpy(nd->name, sizeof(nd->name), nodes[i].name);
                strscpy(nd->role, sizeof(nd->role),
                        strncmp(nodes[i].name, "master-", 7) == 0 ? "master" : "worker");
                assert_int_equal(mac_parse(nodes[i].mac, &nd->mac, NULL), 0);
                nd->ip = ip(nodes[i].ip);
                if (streq(nd->role, "master"))
                        f->c.masters++;
                else
                        f->c.workers++;
                if (nodes[i].host) {
                        vm->found = true;
                        strscpy(vm->host, sizeof(vm->host), nodes[i].host);
                        strscpy(vm->bmc, sizeof(vm->bmc), nodes[i].bmc ? nodes[i].bmc : "");
                        strscpy(vm->uuid, sizeof(vm->uuid), nodes[i].uuid);
                        strscpy(vm->root_disk, sizeof(vm->root_disk),
                                nodes[i].root_disk ? nodes[i].root_disk : "");
                        strscpy(vm->guest_name, sizeof(vm->guest_name), nodes[i].guest ? nodes[i].guest : "");
                }
                strscpy(vm->note, sizeof(vm->note), nodes[i].note ? nodes[i].note : "");
        }
        f->in = (struct export_input){.cluster = &f->c, .network = &f->net, .vms = f->vms};
}

enum { FX_SNO4, FX_COMPACT4, FX_MNO6, N_FIXTURES };
static struct fixture fixtures[N_FIXTURES];

#define SNO_MAC "52:54:00:00:0a:01"
#define SNO_UUID "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01"
#define SNO_DISK "/dev/disk/by-path/pci-0000:04:00.0"
#define NOVM_NOTE "no VM on a libvirt host has MAC 52:54:00:00:0a:21"

static void fixtures_init(void) {
        struct fixture *f;

        f = &fixtures[FX_SNO4];
        network_init(&f->net, "lab", "192.0.2.0/24", "192.0.2.1", "lab.example");
        fixture_init(f, "sno4", "sno", TOPOLOGY_SNO, "192.0.2.10", "192.0.2.10",
                     (const struct node_fixture[]){{"master-0", SNO_MAC, "192.0.2.10", "hv1",
                                                    "192.0.2.1:8000", SNO_UUID, SNO_DISK, "enp1s0", NULL},
                                                   {0}});

        /* master-1 has no VM, master-2's host has no --bmc */
        f = &fixtures[FX_COMPACT4];
        network_init(&f->net, "lab", "192.0.2.0/24", "192.0.2.1", "lab.example");
        fixture_init(f, "compact4", "compact", TOPOLOGY_COMPACT, "192.0.2.23", "192.0.2.24",
                     (const struct node_fixture[]){{"master-0", "52:54:00:00:0a:20", "192.0.2.20", "hv1",
                                                    "192.0.2.1:8000", "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e20",
                                                    "/dev/disk/by-path/pci-0000:04:00.0", "enp1s0", NULL},
                                                   {"master-1", "52:54:00:00:0a:21", "192.0.2.21", NULL, NULL,
                                                    NULL, NULL, NULL, NOVM_NOTE},
                                                   {"master-2", "52:54:00:00:0a:22", "192.0.2.22", "hv2",
                                                    NULL, "a4e0c9d2-7f3b-4c1a-9e5d-6b2f8a0c1e22",
                                                    "/dev/disk/by-path/pci-0000:05:00.0", "enp2s0",
                                                    "host hv2 has no --bmc"},
                                                   {0}});

        /* the BMC is an IPv6 literal; worker-1's NIC and disk are unknown */
        f = &fixtures[FX_MNO6];
        network_init(&f->net, "v6", "2001:db8::/64", "2001:db8::1", "v6.example");
        fixture_init(f, "mno6", "mno6", TOPOLOGY_MNO, "2001:db8::15", "2001:db8::16",
                     (const struct node_fixture[]){
                             {"master-0", "52:54:00:00:06:10", "2001:db8::10", "hv1", "[2001:db8::2]:8000",
                              "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b10", "/dev/disk/by-path/pci-0000:04:00.0",
                              "enp1s0", NULL},
                             {"master-1", "52:54:00:00:06:11", "2001:db8::11", "hv1", "[2001:db8::2]:8000",
                              "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b11",
                              "/dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:0:0", "enp1s0", NULL},
                             {"master-2", "52:54:00:00:06:12", "2001:db8::12", "hv2", "[2001:db8::3]:8000",
                              "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b12",
                              "/dev/disk/by-path/pci-0000:00:1f.2-ata-1", "enp1s0", NULL},
                             {"worker-0", "02:00:00:00:06:13", "2001:db8::13", "hv2", "[2001:db8::3]:8000",
                              "eb6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b13", "/dev/disk/by-path/pci-0000:04:00.0",
                              "ens3", NULL},
                             {"worker-1", "52:54:00:00:06:14", "2001:db8::14", "hv2", "[2001:db8::3]:8000",
                              "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b14", NULL, NULL, "vda has no PCI address"},
                             {0}});
}

static const enum export_format yaml_formats[] = {EXPORT_CLUSTERINSTANCE, EXPORT_SITECONFIG,
                                                  EXPORT_INVENTORY};

static char *render(const struct fixture *f, enum export_format fmt) {
        struct netd_error err = {};
        char *text = NULL;
        int r = export_render(fmt, &f->in, &text, &err);

        if (r < 0)
                fail_msg("%s %s: %s", f->id, export_format_to_string(fmt), err.message);
        assert_non_null(text);
        return text;
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
        static const char *const keys[] = {"holdInstallation", "enabled", "dhcp", "autoconf",
                                           "prefix-length"};
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
                for (enum export_format fmt = 0; fmt < EXPORT_FORMAT_MAX; fmt++) {
                        _cleanup_free_ char *text = render(&fixtures[i], fmt),
                                            *again = render(&fixtures[i], fmt);
                        _cleanup_free_ char *name = NULL;

                        assert_true(asprintf(&name, "%s-%s", fixtures[i].id, export_format_to_string(fmt)) >
                                    0);
                        golden_check(name, text);
                        /* deterministic: no timestamps, no addresses of memory */
                        assert_string_equal(text, again);
                        assert_true(text[strlen(text) - 1] == '\n');
                }
}

static void test_parse_and_types(void **state) {
        (void)state;
        for (size_t i = 0; i < N_FIXTURES; i++)
                for (size_t j = 0; j < ARRAY_SIZE(yaml_formats); j++) {
                        _cleanup_free_ char *text = render(&fixtures[i], yaml_formats[j]), *what = NULL;
                        struct doc doc;

                        assert_true(asprintf(&what, "%s %s", fixtures[i].id,
                                             export_format_to_string(yaml_formats[j])) > 0);
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
        assert_str(&doc, "spec.nodes.0.nodeNetwork.interfaces.0.name", "enp1s0");
        assert_quoted(&doc, "spec.nodes.0.nodeNetwork.interfaces.0.macAddress", SNO_MAC);
        assert_str(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.name", "enp1s0");
        assert_str(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.type", "ethernet");
        assert_str(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.state", "up");
        assert_plain(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.ipv4.enabled", "true");
        assert_plain(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.ipv4.dhcp", "true");
        assert_plain(&doc, "spec.nodes.0.nodeNetwork.config.interfaces.0.ipv6.enabled", "false");
        /* IPv4 takes its address by DHCP: no static routes or resolver */
        assert_absent(&doc, "spec.nodes.0.nodeNetwork.config.routes");
        assert_absent(&doc, "spec.nodes.0.nodeNetwork.config.dns-resolver");
        doc_free(&doc);
        /* placeholders are named in the comment block */
        assert_non_null(strstr(text, "# Generated by netd for cluster sno (sno) on network lab.\n"));
        assert_non_null(strstr(text, "CHANGE-ME-cluster-image-set"));
        assert_non_null(strstr(text, "CHANGE-ME-ssh-public-key"));
        /* everything is known: no node is named in a comment */
        assert_null(strstr(text, "# master-0:"));
}

static void test_compact_missing_vms(void **state) {
        (void)state;
        _cleanup_free_ char *ci = render(&fixtures[FX_COMPACT4], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *sc = render(&fixtures[FX_COMPACT4], EXPORT_SITECONFIG);
        _cleanup_free_ char *inv = render(&fixtures[FX_COMPACT4], EXPORT_INVENTORY);
        struct doc doc;

        assert_non_null(strstr(ci, "\n# master-1: " NOVM_NOTE
                                   " - bmcAddress, bmcCredentialsName and rootDeviceHints left out.\n"));
        assert_non_null(strstr(ci, "\n# master-1: the guest's interface name is unknown - enp1s0 assumed"));
        assert_non_null(strstr(ci, "\n# master-2: host hv2 has no --bmc - bmcAddress and bmcCredentialsName "
                                   "left out.\n"));
        assert_null(strstr(ci, "# master-0:"));
        assert_non_null(strstr(inv, "\n# master-1: " NOVM_NOTE
                                    " - bmc_address, system_uuid and root_device left out.\n"));
        assert_non_null(strstr(inv, "\n# master-2: host hv2 has no --bmc - bmc_address left out.\n"));

        doc_load(&doc, ci);
        assert_int_equal(seq_len(&doc, "spec.apiVIPs"), 1);
        assert_quoted(&doc, "spec.apiVIPs.0", "192.0.2.23");
        assert_quoted(&doc, "spec.ingressVIPs.0", "192.0.2.24");
        assert_int_equal(seq_len(&doc, "spec.nodes"), 3);
        assert_str(&doc, "spec.nodes.0.bmcAddress",
                   "redfish-virtualmedia://192.0.2.1:8000/redfish/v1/Systems/"
                   "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e20");
        /* no VM: network data stays, the VM's fields go */
        assert_str(&doc, "spec.nodes.1.hostName", "master-1.compact.lab.example");
        assert_quoted(&doc, "spec.nodes.1.bootMACAddress", "52:54:00:00:0a:21");
        assert_absent(&doc, "spec.nodes.1.bmcAddress");
        assert_absent(&doc, "spec.nodes.1.bmcCredentialsName");
        assert_absent(&doc, "spec.nodes.1.rootDeviceHints");
        assert_str(&doc, "spec.nodes.1.nodeNetwork.interfaces.0.name", "enp1s0");
        assert_quoted(&doc, "spec.nodes.1.nodeNetwork.interfaces.0.macAddress", "52:54:00:00:0a:21");
        /* host without --bmc: the disk is still known */
        assert_absent(&doc, "spec.nodes.2.bmcAddress");
        assert_absent(&doc, "spec.nodes.2.bmcCredentialsName");
        assert_str(&doc, "spec.nodes.2.rootDeviceHints.deviceName", "/dev/disk/by-path/pci-0000:05:00.0");
        assert_str(&doc, "spec.nodes.2.nodeNetwork.interfaces.0.name", "enp2s0");
        assert_str(&doc, "spec.nodes.2.nodeNetwork.config.interfaces.0.name", "enp2s0");
        doc_free(&doc);

        doc_load(&doc, sc);
        assert_str(&doc, "apiVersion", "ran.openshift.io/v1");
        assert_str(&doc, "kind", "SiteConfig");
        assert_str(&doc, "spec.baseDomain", "lab.example");
        assert_str(&doc, "spec.pullSecretRef.name", "assisted-deployment-pull-secret");
        assert_int_equal(seq_len(&doc, "spec.clusters"), 1);
        assert_str(&doc, "spec.clusters.0.clusterName", "compact");
        assert_quoted(&doc, "spec.clusters.0.apiVIPs.0", "192.0.2.23");
        assert_quoted(&doc, "spec.clusters.0.machineNetwork.0.cidr", "192.0.2.0/24");
        assert_int_equal(seq_len(&doc, "spec.clusters.0.nodes"), 3);
        assert_quoted(&doc, "spec.clusters.0.nodes.0.bootMACAddress", "52:54:00:00:0a:20");
        assert_str(&doc, "spec.clusters.0.nodes.0.bmcCredentialsName.name", "master-0-bmc-secret");
        assert_absent(&doc, "spec.clusters.0.nodes.0.templateRefs");
        assert_absent(&doc, "spec.clusters.0.nodes.1.bmcAddress");
        doc_free(&doc);

        doc_load(&doc, inv);
        assert_str(&doc, "all.vars.cluster", "compact");
        assert_str(&doc, "all.vars.domain", "lab.example");
        assert_quoted(&doc, "all.vars.api_vip", "192.0.2.23");
        assert_quoted(&doc, "all.vars.ingress_vip", "192.0.2.24");
        assert_quoted(&doc, "all.vars.machine_network", "192.0.2.0/24");
        assert_str(&doc, "all.children.masters.hosts.master-0.name", "master-0");
        assert_str(&doc, "all.children.masters.hosts.master-0.role", "master");
        assert_quoted(&doc, "all.children.masters.hosts.master-0.mac", "52:54:00:00:0a:20");
        assert_quoted(&doc, "all.children.masters.hosts.master-0.ip", "192.0.2.20");
        assert_str(&doc, "all.children.masters.hosts.master-0.fqdn", "master-0.compact.lab.example");
        assert_str(&doc, "all.children.masters.hosts.master-0.system_uuid",
                   "8c1d6a52-0b1e-4d7a-8f3e-2a6b9c0d1e20");
        assert_str(&doc, "all.children.masters.hosts.master-0.root_device",
                   "/dev/disk/by-path/pci-0000:04:00.0");
        assert_absent(&doc, "all.children.masters.hosts.master-1.bmc_address");
        assert_absent(&doc, "all.children.masters.hosts.master-1.system_uuid");
        assert_quoted(&doc, "all.children.masters.hosts.master-1.mac", "52:54:00:00:0a:21");
        assert_absent(&doc, "all.children.masters.hosts.master-2.bmc_address");
        assert_str(&doc, "all.children.masters.hosts.master-2.system_uuid",
                   "a4e0c9d2-7f3b-4c1a-9e5d-6b2f8a0c1e22");
        /* no workers: the group is still there, empty */
        yaml_node_t *hosts = doc_get(&doc, "all.children.workers.hosts");
        assert_non_null(hosts);
        assert_int_equal(hosts->type, YAML_MAPPING_NODE);
        assert_true(hosts->data.mapping.pairs.top == hosts->data.mapping.pairs.start);
        doc_free(&doc);
}

static void test_mno_v6(void **state) {
        (void)state;
        _cleanup_free_ char *ci = render(&fixtures[FX_MNO6], EXPORT_CLUSTERINSTANCE);
        _cleanup_free_ char *inv = render(&fixtures[FX_MNO6], EXPORT_INVENTORY);
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
        assert_str(&doc, "spec.nodes.3.hostName", "worker-0.mno6.v6.example");
        assert_quoted(&doc, "spec.nodes.3.bootMACAddress", "02:00:00:00:06:13");
        assert_str(&doc, "spec.nodes.3.nodeNetwork.interfaces.0.name", "ens3");

        const char *cfg = "spec.nodes.1.nodeNetwork.config";
        char path[160];
#define AT(suffix) (snprintf(path, sizeof(path), "%s.%s", cfg, suffix), path)
        assert_plain(&doc, AT("interfaces.0.ipv4.enabled"), "false");
        assert_absent(&doc, AT("interfaces.0.ipv4.dhcp"));
        assert_plain(&doc, AT("interfaces.0.ipv6.enabled"), "true");
        assert_plain(&doc, AT("interfaces.0.ipv6.dhcp"), "false");
        assert_plain(&doc, AT("interfaces.0.ipv6.autoconf"), "false");
        assert_quoted(&doc, AT("interfaces.0.ipv6.address.0.ip"), "2001:db8::11");
        assert_plain(&doc, AT("interfaces.0.ipv6.address.0.prefix-length"), "64");
        assert_quoted(&doc, AT("dns-resolver.config.server.0"), "2001:db8::1");
        assert_quoted(&doc, AT("routes.config.0.destination"), "::/0");
        assert_quoted(&doc, AT("routes.config.0.next-hop-address"), "2001:db8::1");
        assert_str(&doc, AT("routes.config.0.next-hop-interface"), "enp1s0");
#undef AT
        /* worker-1: NIC name unknown (assumed), disk unknown */
        assert_str(&doc, "spec.nodes.4.nodeNetwork.interfaces.0.name", "enp1s0");
        assert_str(&doc, "spec.nodes.4.nodeNetwork.config.routes.config.0.next-hop-interface", "enp1s0");
        assert_absent(&doc, "spec.nodes.4.rootDeviceHints");
        assert_non_null(doc_get(&doc, "spec.nodes.4.bmcAddress"));
        doc_free(&doc);
        assert_non_null(strstr(ci, "\n# worker-1: vda has no PCI address - rootDeviceHints left out.\n"));
        assert_non_null(strstr(ci, "\n# worker-1: the guest's interface name is unknown - enp1s0 assumed"));
        assert_null(strstr(ci, "# worker-0:"));

        doc_load(&doc, inv);
        assert_str(&doc, "all.children.workers.hosts.worker-0.role", "worker");
        /* quoted even when it starts with a letter */
        assert_quoted(&doc, "all.children.workers.hosts.worker-0.system_uuid",
                      "eb6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b13");
        assert_str(&doc, "all.children.workers.hosts.worker-1.bmc_address",
                   "redfish-virtualmedia://[2001:db8::3]:8000/redfish/v1/Systems/"
                   "0b6e2d1c-3a4f-4e5d-8c7b-1f2e3d4c5b14");
        assert_absent(&doc, "all.children.workers.hosts.worker-1.root_device");
        assert_absent(&doc, "all.children.masters.hosts.worker-0");
        assert_quoted(&doc, "all.children.masters.hosts.master-2.ip", "2001:db8::12");
        doc_free(&doc);
}

/* Without anything from libvirt every node keeps its network data and the
 * comment says why the rest is missing. */
static void test_no_vm_info(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_SNO4];
        _cleanup_free_ char *text = NULL;
        struct doc doc;

        f.c.nodes = f.nodes;
        f.in = (struct export_input){.cluster = &f.c, .network = &f.net, .vms = NULL};
        text = render(&f, EXPORT_CLUSTERINSTANCE);
        assert_non_null(strstr(text, "\n# master-0: no VM on a libvirt host has MAC " SNO_MAC
                                     " - bmcAddress, bmcCredentialsName and rootDeviceHints left out.\n"));
        /* no bmcAddress anywhere: no BMC secret to create */
        assert_null(strstr(text, "bmc-secret"));
        doc_load(&doc, text);
        assert_quoted(&doc, "spec.nodes.0.bootMACAddress", SNO_MAC);
        assert_str(&doc, "spec.nodes.0.nodeNetwork.interfaces.0.name", "enp1s0");
        assert_absent(&doc, "spec.nodes.0.bmcAddress");
        doc_free(&doc);
}

/* Without a note from the caller, the comment still names the reason. */
static void test_notes_derived(void **state) {
        (void)state;
        struct fixture f = fixtures[FX_COMPACT4];
        _cleanup_free_ char *ci = NULL, *inv = NULL;

        f.c.nodes = f.nodes;
        f.in = (struct export_input){.cluster = &f.c, .network = &f.net, .vms = f.vms};
        f.vms[1].note[0] = '\0';
        f.vms[2].note[0] = '\0';
        f.vms[2].root_disk[0] = '\0';
        ci = render(&f, EXPORT_CLUSTERINSTANCE);
        inv = render(&f, EXPORT_INVENTORY);
        assert_non_null(strstr(ci, "\n# master-1: " NOVM_NOTE
                                   " - bmcAddress, bmcCredentialsName and rootDeviceHints left out.\n"));
        assert_non_null(strstr(ci, "\n# master-2: host hv2 has no --bmc; the VM's root disk is unknown"
                                   " - bmcAddress, bmcCredentialsName and rootDeviceHints left out.\n"));
        assert_non_null(strstr(inv, "\n# master-2: host hv2 has no --bmc; the VM's root disk is unknown"
                                    " - bmc_address and root_device left out.\n"));
        f.vms[2].host[0] = '\0';
        free(ci);
        ci = render(&f, EXPORT_SITECONFIG);
        assert_non_null(strstr(ci, "\n# master-2: the VM's host has no --bmc; the VM's root disk is unknown"
                                   " - bmcAddress, bmcCredentialsName and rootDeviceHints left out.\n"));
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
        for (size_t j = 0; j < ARRAY_SIZE(yaml_formats); j++) {
                struct netd_error err = {};
                char *text = NULL;
                int r = export_render(yaml_formats[j], &f->in, &text, &err);

                if (r != NETD_EINVALID)
                        fail_msg("%s %s: %s accepted (r=%d):\n%s", f->id,
                                 export_format_to_string(yaml_formats[j]), what, r, text ? text : "");
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
        struct fixture *f = &fixtures[FX_COMPACT4];
        struct export_vm saved;

        /* the note of a node without VM lands in a comment */
        saved = f->vms[1];
        for (size_t i = 0; i < ARRAY_SIZE(notes); i++) {
                strscpy(f->vms[1].note, sizeof(f->vms[1].note), notes[i]);
                assert_refused(f, "a hostile note");
        }
        f->vms[1] = saved;

        /* and so does the note of a node whose host has no --bmc */
        saved = f->vms[2];
        strscpy(f->vms[2].note, sizeof(f->vms[2].note), "host hv2\n# has no --bmc");
        assert_refused(f, "a hostile note");
        f->vms[2] = saved;

        saved = f->vms[0];
        strscpy(f->vms[0].guest_name, sizeof(f->vms[0].guest_name), "enp1s0\n#x");
        assert_refused(f, "a hostile guest name");
        f->vms[0] = saved;
        strscpy(f->vms[0].bmc, sizeof(f->vms[0].bmc), "192.0.2.1:8000/x?y");
        assert_refused(f, "a hostile BMC");
        f->vms[0] = saved;
        strscpy(f->vms[0].uuid, sizeof(f->vms[0].uuid), "../../etc/passwd");
        assert_refused(f, "a hostile UUID");
        f->vms[0] = saved;
        strscpy(f->vms[0].root_disk, sizeof(f->vms[0].root_disk), "/dev/vda\n#x");
        assert_refused(f, "a hostile root disk");
        f->vms[0] = saved;

        struct node node = f->nodes[0];
        strscpy(f->nodes[0].name, sizeof(f->nodes[0].name), "master-0\n# x");
        assert_refused(f, "a hostile node name");
        f->nodes[0] = node;
        strscpy(f->nodes[0].role, sizeof(f->nodes[0].role), "boss");
        assert_refused(f, "an unknown role");
        f->nodes[0] = node;
        f->nodes[0].ip = ip("2001:db8::20");
        assert_refused(f, "an address of the wrong family");
        f->nodes[0] = node;

        struct cluster c = f->c;
        strscpy(f->c.domain, sizeof(f->c.domain), "lab.example\n# x");
        assert_refused(f, "a hostile domain");
        f->c = c;
        strscpy(f->c.network, sizeof(f->c.network), "other");
        assert_refused(f, "a network that is not the cluster's");
        f->c = c;

        /* restored: renders again */
        free(render(f, EXPORT_CLUSTERINSTANCE));
}

static void test_format_names(void **state) {
        (void)state;
        enum export_format f;

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
                cmocka_unit_test(test_compact_missing_vms),
                cmocka_unit_test(test_mno_v6),
                cmocka_unit_test(test_no_vm_info),
                cmocka_unit_test(test_notes_derived),
                cmocka_unit_test(test_dnsmasq),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_format_names),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
