/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Day-2 nodes: one node allocated (role from its name, MAC given or
 * generated) and released, down to a cluster without nodes; a node's own
 * boot instructions (node set). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cluster-fixture.h"
#include "db/node.h"
#include "netd/core/mac.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-node");
}

static void test_day2(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_cluster_ struct cluster *c = NULL, *sno = NULL;
        struct cluster *r = NULL;
        const struct node *nd;
        struct netd_error err = {};
        bool created = false;
        mac_t mac;

        lab_add(s);
        c = alloc(s, "c", "mno", -1, -1);    /* .10-.14 nodes, .15 .16 VIPs */
        sno = alloc(s, "sno", NULL, -1, -1); /* .17 */

        assert_int_equal(node_allocate(s, "c", "worker-2", NULL, &r, &created, &err), 0);
        assert_true(created);
        assert_int_equal(r->n_nodes, 6);
        nd = cluster_find_node(r, "worker-2");
        assert_non_null(nd);
        assert_string_equal(nd->role, "worker");
        assert_addr(&nd->ip, "192.0.2.18");
        assert_string_equal(r->nodes[5].name, "worker-2");
        assert_int_equal(r->workers, 2); /* the counts stay as requested */
        mac = nd->mac;
        cluster_free(r);

        /* Again, with no MAC or the same MAC: idempotent. */
        assert_int_equal(node_allocate(s, "c", "worker-2", NULL, &r, &created, &err), 0);
        assert_false(created);
        assert_int_equal(cluster_find_node(r, "worker-2")->mac, mac);
        cluster_free(r);
        char m[MAC_STRLEN];
        mac_format(mac, m, sizeof(m));
        assert_int_equal(node_allocate(s, "c", "worker-2", m, &r, &created, &err), 0);
        assert_false(created);
        cluster_free(r);
        assert_int_equal(node_allocate(s, "c", "worker-2", "52:54:00:12:34:56", &r, &created, &err),
                         NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "cluster c: node worker-2 already exists with MAC"));

        /* Role from the name; a given MAC used elsewhere is a conflict. */
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "c", "master-3", "52:54:00:12:34:56", &r, &created, &err), 0);
        assert_string_equal(cluster_find_node(r, "master-3")->role, "master");
        assert_string_equal(r->nodes[3].name, "master-3");
        cluster_free(r);
        assert_int_equal(node_allocate(s, "c", "infra-0", NULL, &r, &created, &err), 0);
        assert_string_equal(cluster_find_node(r, "infra-0")->role, "worker");
        cluster_free(r);
        assert_int_equal(node_allocate(s, "sno", "worker-0", "52:54:00:12:34:56", &r, &created, &err),
                         NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster sno: MAC 52:54:00:12:34:56 for worker-0 is already used by "
                                         "node master-3 of cluster c");
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "c", "Worker-9", NULL, &r, &created, &err), NETD_EINVALID);
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "c", "worker-9", "zz", &r, &created, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "cluster c: node worker-9: MAC \"zz\""));
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "nope", "worker-0", NULL, &r, &created, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 8 + 3);

        /* Release: *ret is the cluster as it was. */
        err = (struct netd_error){};
        assert_int_equal(node_release(s, "c", "worker-2", &r, &err), 0);
        assert_non_null(cluster_find_node(r, "worker-2"));
        cluster_free(r);
        assert_int_equal(cluster_get(s, "c", &r, &err), 0);
        assert_null(cluster_find_node(r, "worker-2"));
        assert_int_equal(r->n_nodes, 7);
        cluster_free(r);
        assert_int_equal(node_release(s, "c", "worker-2", &r, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster c has no node worker-2");
        assert_true(allocated_count(s) == 8 + 2);

        /* sno keeps master-0: its address is the VIP. */
        err = (struct netd_error){};
        assert_int_equal(node_release(s, "sno", "master-0", &r, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "release the cluster instead"));
        /* Other clusters may drop their last node. */
        for (size_t i = 0; i < c->n_nodes; i++)
                assert_int_equal(node_release(s, "c", c->nodes[i].name, NULL, &err), 0);
        assert_int_equal(node_release(s, "c", "master-3", NULL, &err), 0);
        assert_int_equal(node_release(s, "c", "infra-0", NULL, &err), 0);
        assert_int_equal(cluster_get(s, "c", &r, &err), 0);
        assert_int_equal(r->n_nodes, 0);
        assert_addr(&r->api_vip, "192.0.2.15");
        cluster_free(r);

        assert_int_equal(cluster_release(s, "c", &r, &err), 0);
        assert_string_equal(r->name, "c");
        assert_int_equal(r->n_nodes, 0);
        cluster_free(r);
        assert_int_equal(cluster_release(s, "c", &r, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 1);
}

/* ---- node set: a node's own boot instructions ------------------------- */

static int node_boot_rows(struct fixture *f) {
        sqlite3 *db;
        sqlite3_stmt *stmt;
        int n;

        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM node_boot", -1, &stmt, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        n = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return n;
}

static void assert_boot(struct store *s, const char *cluster, const char *node, enum node_boot boot,
                        const char *value) {
        _cleanup_cluster_ struct cluster *c = NULL;
        struct netd_error err = {};
        const struct node *nd;

        assert_int_equal(cluster_get(s, cluster, &c, &err), 0);
        nd = cluster_find_node(c, node);
        assert_non_null(nd);
        assert_int_equal(nd->boot, boot);
        assert_string_equal(nd->boot_value, value);
}

static void test_node_set_boot(void **state) {
        struct fixture *f = *state;
        struct store *s = f->s;
        _cleanup_cluster_ struct cluster *c = NULL, *sno = NULL;
        struct cluster *before = NULL, *after = NULL, **l = NULL;
        struct netd_error err = {};
        size_t n = 0;

        lab_add(s);
        c = alloc(s, "c", "compact", -1, -1);
        sno = alloc(s, "sno", NULL, -1, -1);
        for (size_t i = 0; i < c->n_nodes; i++)
                assert_int_equal(c->nodes[i].boot, NODE_BOOT_NETWORK);

        struct node_change ipxe = {
                .cluster = "c", .node = "master-1", .ipxe_script = "http://192.0.2.9/re.ipxe"};
        assert_int_equal(node_set(s, &ipxe, &before, &after, &err), 0);
        assert_int_equal(cluster_find_node(before, "master-1")->boot, NODE_BOOT_NETWORK);
        assert_int_equal(cluster_find_node(after, "master-1")->boot, NODE_BOOT_IPXE_SCRIPT);
        assert_string_equal(cluster_find_node(after, "master-1")->boot_value, "http://192.0.2.9/re.ipxe");
        assert_int_equal(cluster_find_node(after, "master-0")->boot, NODE_BOOT_NETWORK);
        assert_string_equal(cluster_find_node(after, "master-0")->boot_value, "");
        cluster_free(before);
        cluster_free(after);
        assert_boot(s, "c", "master-1", NODE_BOOT_IPXE_SCRIPT, "http://192.0.2.9/re.ipxe");

        /* Another instruction replaces it; lists carry it too. */
        struct node_change file = {.cluster = "c", .node = "master-1", .boot_file = "ipxe/undionly.kpxe"};
        assert_int_equal(node_set(s, &file, NULL, NULL, &err), 0);
        assert_boot(s, "c", "master-1", NODE_BOOT_FILE, "ipxe/undionly.kpxe");
        assert_int_equal(cluster_list(s, NULL, &l, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(cluster_find_node(l[0], "master-1")->boot, NODE_BOOT_FILE);
        cluster_list_free(l, n);
        assert_int_equal(cluster_list(s, "lab", &l, &n, &err), 0);
        assert_int_equal(cluster_find_node(l[0], "master-1")->boot, NODE_BOOT_FILE);
        cluster_list_free(l, n);
        assert_int_equal(node_boot_rows(f), 1);

        /* --boot network drops it, also when there is none. */
        struct node_change net = {.cluster = "c", .node = "master-1", .boot = "network"};
        assert_int_equal(node_set(s, &net, NULL, &after, &err), 0);
        assert_int_equal(cluster_find_node(after, "master-1")->boot, NODE_BOOT_NETWORK);
        cluster_free(after);
        assert_int_equal(node_set(s, &net, NULL, NULL, &err), 0);
        assert_int_equal(node_boot_rows(f), 0);

        /* The override goes with its node, and with its cluster. */
        ipxe.node = "master-2";
        assert_int_equal(node_set(s, &ipxe, NULL, NULL, &err), 0);
        struct node_change sno_file = {.cluster = "sno", .node = "master-0", .boot_file = "pxelinux.0"};
        assert_int_equal(node_set(s, &sno_file, NULL, NULL, &err), 0);
        assert_int_equal(node_boot_rows(f), 2);
        assert_int_equal(node_release(s, "c", "master-2", NULL, &err), 0);
        assert_int_equal(node_boot_rows(f), 1);
        assert_int_equal(node_allocate(s, "c", "master-2", NULL, NULL, NULL, &err), 0);
        assert_boot(s, "c", "master-2", NODE_BOOT_NETWORK, "");
        assert_int_equal(cluster_release(s, "sno", NULL, &err), 0);
        assert_int_equal(node_boot_rows(f), 0);
}

/* Facts about a node's machine, for the exports: set, kept apart from the
 * boot instructions, forgotten with none/auto. */
static void test_node_set_facts(void **state) {
        struct fixture *f = *state;
        struct store *s = f->s;
        struct netd_error err = {};

        lab_add(s);
        cluster_free(alloc(s, "c", "compact", -1, -1));
        struct node_change set = {.cluster = "c",
                                  .node = "master-1",
                                  .bmc_address =
                                          "redfish-virtualmedia+http://192.0.2.5:8000/redfish/v1/Systems/a1",
                                  .root_disk = "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0",
                                  .boot_mode = "uefi-secure"};
        _cleanup_cluster_ struct cluster *before = NULL, *after = NULL;
        assert_int_equal(node_set(s, &set, &before, &after, &err), 0);
        const struct node *nd = cluster_find_node(after, "master-1");
        assert_string_equal(nd->bmc_address, set.bmc_address);
        assert_string_equal(nd->root_disk, set.root_disk);
        assert_int_equal(nd->boot_mode, NODE_BOOT_MODE_UEFI_SECURE);
        assert_int_equal(nd->boot, NODE_BOOT_NETWORK);
        assert_string_equal(cluster_find_node(before, "master-1")->bmc_address, "");
        assert_string_equal(cluster_find_node(after, "master-0")->bmc_address, "");

        /* One fact at a time leaves the others; a boot change leaves them all. */
        struct node_change mode = {.cluster = "c",
                                   .node = "master-1",
                                   .boot_mode = "legacy",
                                   .ipxe_script = "http://192.0.2.9/re.ipxe"};
        _cleanup_cluster_ struct cluster *c2 = NULL;
        assert_int_equal(node_set(s, &mode, NULL, &c2, &err), 0);
        nd = cluster_find_node(c2, "master-1");
        assert_int_equal(nd->boot_mode, NODE_BOOT_MODE_LEGACY);
        assert_string_equal(nd->root_disk, set.root_disk);
        assert_int_equal(nd->boot, NODE_BOOT_IPXE_SCRIPT);

        /* Other metal3 schemes are BMCs too. */
        struct node_change idrac = {
                .cluster = "c",
                .node = "master-2",
                .bmc_address = "idrac-virtualmedia://192.0.2.6/redfish/v1/Systems/System.Embedded.1"};
        assert_int_equal(node_set(s, &idrac, NULL, NULL, &err), 0);

        struct node_change forget = {.cluster = "c",
                                     .node = "master-1",
                                     .bmc_address = "none",
                                     .root_disk = "none",
                                     .boot_mode = "auto"};
        _cleanup_cluster_ struct cluster *c3 = NULL;
        assert_int_equal(node_set(s, &forget, NULL, &c3, &err), 0);
        nd = cluster_find_node(c3, "master-1");
        assert_string_equal(nd->bmc_address, "");
        assert_string_equal(nd->root_disk, "");
        assert_int_equal(nd->boot_mode, NODE_BOOT_MODE_UNKNOWN);
        assert_int_equal(nd->boot, NODE_BOOT_IPXE_SCRIPT);
}

static void test_node_set_errors(void **state) {
        struct fixture *f = *state;
        struct store *s = f->s;
        struct netd_error err = {};

        lab_add(s);
        cluster_free(alloc(s, "c", "compact", -1, -1));
        struct node_change keep = {.cluster = "c", .node = "master-0", .ipxe_script = "http://h/keep.ipxe"};
        assert_int_equal(node_set(s, &keep, NULL, NULL, &err), 0);

        const struct {
                struct node_change ch;
                int code;
                const char *message;
        } cases[] = {
                {{.cluster = "c", .node = "master-0"},
                 NETD_EINVALID,
                 "cluster c: node master-0: nothing to change; give --ipxe-script, --boot-file, --boot "
                 "network, --bmc-address, --root-disk or --boot-mode"},
                {{.cluster = "c", .node = "master-0", .ipxe_script = "http://h/a", .boot_file = "a"},
                 NETD_EINVALID,
                 "give at most one of"},
                {{.cluster = "c", .node = "master-0", .boot = "network", .boot_file = "a"},
                 NETD_EINVALID,
                 "give at most one of"},
                {{.cluster = "c", .node = "master-0", .bmc_address = "http://192.0.2.9/redfish"},
                 NETD_EINVALID,
                 "cluster c: node master-0: BMC address \"http://192.0.2.9/redfish\": http is not a BMC "
                 "scheme "
                 "metal3 knows"},
                {{.cluster = "c", .node = "master-0", .bmc_address = "redfish+http://"},
                 NETD_EINVALID,
                 "cluster c: node master-0: BMC address"},
                {{.cluster = "c", .node = "master-0", .bmc_address = "redfish+http://h:1/x\nbmcAddress: y"},
                 NETD_EINVALID,
                 "cluster c: node master-0: BMC address"},
                {{.cluster = "c", .node = "master-0", .bmc_address = "redfish+ftp://h:1/x"},
                 NETD_EINVALID,
                 "redfish+ftp is not a BMC scheme metal3 knows"},
                {{.cluster = "c", .node = "master-0", .root_disk = "/etc/shadow"},
                 NETD_EINVALID,
                 "cluster c: node master-0: root disk \"/etc/shadow\" is not a device path"},
                {{.cluster = "c", .node = "master-0", .root_disk = "/dev/../etc/shadow"},
                 NETD_EINVALID,
                 "is not a device path"},
                {{.cluster = "c", .node = "master-0", .root_disk = "/dev/sda two"},
                 NETD_EINVALID,
                 "is not a device path"},
                {{.cluster = "c", .node = "master-0", .boot_mode = "bios"},
                 NETD_EINVALID,
                 "cluster c: node master-0: boot mode \"bios\" is not one of uefi, uefi-secure, legacy, "
                 "auto"},
                {{.cluster = "c", .node = "master-0", .boot_mode = "uefi", .boot_file = "/etc/shadow"},
                 NETD_EINVALID,
                 "boot file \"/etc/shadow\""},
                {{.cluster = "c", .node = "master-0", .boot = "pxe"},
                 NETD_EINVALID,
                 "cluster c: node master-0: --boot \"pxe\": the only value is \"network\""},
                {{.cluster = "c", .node = "master-0", .boot = "network\n"},
                 NETD_EINVALID,
                 "--boot \"network\\x0a\""},
                {{.cluster = "c", .node = "master-0", .ipxe_script = "http://h/a#b"},
                 NETD_EINVALID,
                 "cluster c: node master-0: iPXE script \"http://h/a#b\""},
                {{.cluster = "c", .node = "master-0", .ipxe_script = "http://h/a\ndhcp-boot=evil"},
                 NETD_EINVALID,
                 "cluster c: node master-0: iPXE script \"http://h/a\\x0adhcp-boot=evil\""},
                {{.cluster = "c", .node = "master-0", .ipxe_script = ""},
                 NETD_EINVALID,
                 "cluster c: node master-0: iPXE script is empty"},
                {{.cluster = "c", .node = "master-0", .boot_file = "/etc/shadow"},
                 NETD_EINVALID,
                 "cluster c: node master-0: boot file \"/etc/shadow\""},
                {{.cluster = "c", .node = "master-0", .boot_file = "a,b"},
                 NETD_EINVALID,
                 "cluster c: node master-0: boot file \"a,b\""},
                {{.cluster = "C", .node = "master-0", .boot = "network"},
                 NETD_EINVALID,
                 "cluster name \"C\""},
                {{.cluster = "c", .node = "master 0", .boot = "network"},
                 NETD_EINVALID,
                 "cluster c: node name \"master 0\""},
                {{.cluster = NULL, .node = "master-0", .boot = "network"},
                 NETD_EINVALID,
                 "cluster name is missing"},
                {{.cluster = "nope", .node = "master-0", .boot = "network"},
                 NETD_ENOTFOUND,
                 "cluster nope not found"},
                {{.cluster = "c", .node = "worker-9", .ipxe_script = "http://h/a"},
                 NETD_ENOTFOUND,
                 "cluster c has no node worker-9"},
        };
        for (size_t i = 0; i < N(cases); i++) {
                struct cluster *before = NULL, *after = NULL;

                err = (struct netd_error){};
                assert_error(node_set(s, &cases[i].ch, &before, &after, &err), &err, cases[i].code,
                             cases[i].message);
                assert_null(before);
                assert_null(after);
        }
        /* Nothing changed. */
        assert_boot(s, "c", "master-0", NODE_BOOT_IPXE_SCRIPT, "http://h/keep.ipxe");
        assert_int_equal(node_boot_rows(f), 1);

        /* IPv6 networks have no DHCP boot (yet). */
        struct network_spec v6 = {.name = "lab6", .cidr = "2001:db8::/64"};
        assert_int_equal(network_add(s, &v6, NULL, &err), 0);
        struct cluster_spec spec = {.name = "six",
                                    .networks = (const char *const[]){"lab6"},
                                    .n_networks = 1,
                                    .masters = -1,
                                    .workers = -1};
        cluster_free(alloc_spec(s, &spec, true));
        struct node_change v6boot = {.cluster = "six", .node = "master-0", .boot_file = "a"};
        err = (struct netd_error){};
        assert_error(node_set(s, &v6boot, NULL, NULL, &err), &err, NETD_EINVALID,
                     "network lab6 is IPv6: DHCP boot and options are IPv4 settings");
        err = (struct netd_error){};
        struct node_change v6net = {.cluster = "six", .node = "master-0", .boot = "network"};
        assert_int_equal(node_set(s, &v6net, NULL, NULL, &err), 0);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_day2),
                T(test_node_set_boot),
                T(test_node_set_errors),
                T(test_node_set_facts),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
