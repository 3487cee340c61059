/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a cluster is allocated on: dual-stack clusters (one network per
 * family, all or nothing), machine networks, and nodes that reuse another
 * cluster's machine (seed 003's hub on worker-3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster-fixture.h"
#include "db/node.h"
#include "db/store-private.h"
#include "netd/core/mac.h"
#include "netd/core/prefix.h"

#define NETS(...)                                                                                            \
        .networks = (const char *const[]){__VA_ARGS__}, .n_networks = N(((const char *[]){__VA_ARGS__}))

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-cluster-plan");
}

/* lab (192.0.2.0/24, first node .10) and lab6 (2001:db8::/64, first
 * node ::10). */
static void dual_lab_add(struct store *s) {
        lab_add(s);
        net_add(s, "lab6", "2001:db8::/64", "2001:db8::2-2001:db8::f");
}

static void assert_prefix(const struct prefix *p, const char *want) {
        char buf[PREFIX_STRLEN];

        assert_string_equal(prefix_format(p, buf, sizeof(buf)), want);
}

static void test_dual_stack(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};

        dual_lab_add(s);
        struct cluster_spec spec = {
                .name = "ds", NETS("lab", "lab6"), .topology = "compact", .masters = -1, .workers = -1};
        _cleanup_cluster_ struct cluster *c = alloc_spec(s, &spec, true);

        assert_int_equal(c->n_networks, 2);
        assert_string_equal(c->network, "lab");
        assert_string_equal(c->networks[0].name, "lab");
        assert_string_equal(c->networks[1].name, "lab6");
        assert_prefix(&c->networks[0].machine_network, "192.0.2.0/24");
        assert_prefix(&c->networks[1].machine_network, "2001:db8::/64");
        for (size_t i = 0; i < 3; i++) {
                char v4[32], v6[32];

                snprintf(v4, sizeof(v4), "192.0.2.%zu", 10 + i);
                snprintf(v6, sizeof(v6), "2001:db8::%zx", 0x10 + i);
                assert_int_equal(c->nodes[i].n_ips, 2);
                assert_addr(&c->nodes[i].ip, v4);
                assert_addr(&c->nodes[i].ips[0], v4);
                assert_addr(&c->nodes[i].ips[1], v6);
        }
        assert_addr(&c->api_vip, "192.0.2.13");
        assert_addr(&c->networks[0].api_vip, "192.0.2.13");
        assert_addr(&c->networks[0].ingress_vip, "192.0.2.14");
        assert_addr(&c->networks[1].api_vip, "2001:db8::13");
        assert_addr(&c->networks[1].ingress_vip, "2001:db8::14");
        assert_true(allocated_count(s) == 10);

        /* The same again: the same cluster; listed on either network. */
        cluster_free(alloc_spec(s, &spec, false));
        struct cluster **l = NULL;
        size_t n = 0;
        assert_int_equal(cluster_list(s, "lab6", &l, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(l[0]->n_networks, 2);
        assert_int_equal(l[0]->nodes[2].n_ips, 2);
        cluster_list_free(l, n);

        /* Primary family first: IPv6 primary is its own order. */
        struct cluster_spec v6first = {.name = "six", NETS("lab6", "lab"), .masters = -1, .workers = -1};
        _cleanup_cluster_ struct cluster *six = alloc_spec(s, &v6first, true);
        assert_string_equal(six->network, "lab6");
        assert_addr(&six->nodes[0].ip, "2001:db8::15");
        assert_addr(&six->nodes[0].ips[1], "192.0.2.15");
        /* sno: the VIPs are the node's own addresses, on each family. */
        assert_addr(&six->networks[0].api_vip, "2001:db8::15");
        assert_addr(&six->networks[1].ingress_vip, "192.0.2.15");

        /* Day 2: a node gets one address per network. */
        _cleanup_cluster_ struct cluster *after = NULL;
        assert_int_equal(node_allocate(s, "ds", "worker-0", NULL, &after, NULL, &err), 0);
        const struct node *w = cluster_find_node(after, "worker-0");
        assert_non_null(w);
        assert_addr(&w->ips[0], "192.0.2.16");
        assert_addr(&w->ips[1], "2001:db8::16");
        _cleanup_cluster_ struct cluster *before = NULL;
        assert_int_equal(node_release(s, "ds", "worker-0", &before, &err), 0);
        assert_true(allocated_count(s) == 12);

        /* A different network list is a conflict. */
        struct cluster_spec differ = spec;
        differ.networks = (const char *const[]){"lab"};
        differ.n_networks = 1;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "networks lab and lab6, not lab"));

        /* Either network is held by the cluster. */
        err = (struct netd_error){};
        assert_error(network_remove(s, "lab6", &err), &err, NETD_ECONFLICT,
                     "network lab6 is used by 2 clusters (ds, six); release them first");
        assert_int_equal(cluster_release(s, "ds", NULL, &err), 0);
        assert_true(allocated_count(s) == 2);
}

static void test_dual_stack_invalid(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};

        dual_lab_add(s);
        net_add(s, "other", "198.51.100.0/24", NULL);
        const struct {
                struct cluster_spec spec;
                int code;
                const char *message;
        } cases[] = {
                {{.name = "c", NETS("lab", "other"), .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "cluster c: networks lab and other are both IPv4; a dual-stack cluster has one network per "
                 "family"},
                {{.name = "c", NETS("lab", "lab"), .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "cluster c: network lab is given twice"},
                {{.name = "c", NETS("lab", "lab6", "other"), .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "cluster c: 3 networks given"},
                {{.name = "c", NETS("lab", "nope"), .masters = -1, .workers = -1},
                 NETD_ENOTFOUND,
                 "network nope not found"},
                {{.name = "c", NETS("lab", "la b"), .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "cluster c: network name \"la b\""},
        };
        for (size_t i = 0; i < N(cases); i++) {
                err = (struct netd_error){};
                assert_int_equal(alloc_fail(s, &cases[i].spec, &err), cases[i].code);
                assert_non_null(strstr(err.message, cases[i].message));
        }
        assert_true(allocated_count(s) == 0);
}

/* All or nothing across both networks: the IPv6 pool too small leaves the
 * IPv4 one untouched. */
static void test_dual_stack_exhausted(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};

        lab_add(s);
        net_add(s, "tiny6", "2001:db8::/126", NULL);
        struct cluster_spec spec = {
                .name = "big", NETS("lab", "tiny6"), .topology = "compact", .masters = -1, .workers = -1};
        assert_int_equal(alloc_fail(s, &spec, &err), NETD_EEXHAUSTED);
        assert_non_null(strstr(err.message, "network tiny6 has"));
        assert_true(allocated_count(s) == 0);
}

static void test_machine_network(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};

        dual_lab_add(s);
        struct cluster_spec hub = {.name = "hub",
                                   NETS("lab"),
                                   .machine_networks = (const char *const[]){"192.0.2.10/32"},
                                   .n_machine_networks = 1,
                                   .masters = -1,
                                   .workers = -1};
        _cleanup_cluster_ struct cluster *c = alloc_spec(s, &hub, true);
        assert_prefix(&c->networks[0].machine_network, "192.0.2.10/32");
        assert_prefix(&c->networks[0].prefix, "192.0.2.0/24");
        cluster_free(alloc_spec(s, &hub, false));
        struct cluster_spec other = hub;
        other.machine_networks = (const char *const[]){"192.0.2.0/25"};
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &other, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "machine network 192.0.2.10/32, not 192.0.2.0/25"));

        const struct {
                const char *machine;
                int code;
                const char *message;
        } cases[] = {
                {"198.51.100.0/24", NETD_EINVALID,
                 "cluster m: machine network 198.51.100.0/24 is not inside network lab (192.0.2.0/24)"},
                {"192.0.0.0/16", NETD_EINVALID, "is not inside network lab"},
                {"2001:db8::/64", NETD_EINVALID,
                 "cluster m: machine network 2001:db8::/64 is IPv6, and the cluster has no IPv6 network"},
                {"192.0.2.200/32", NETD_EINVALID,
                 "cluster m: machine network 192.0.2.200/32 does not contain master-0's address 192.0.2.11"},
                {"192.0.2.1/24", NETD_EINVALID, "has host bits set"},
                {"192.0.2.0/24\n", NETD_EINVALID, "cluster m: machine network"},
        };
        for (size_t i = 0; i < N(cases); i++) {
                struct cluster_spec m = {.name = "m",
                                         NETS("lab"),
                                         .machine_networks = &cases[i].machine,
                                         .n_machine_networks = 1,
                                         .masters = -1,
                                         .workers = -1};

                err = (struct netd_error){};
                assert_int_equal(alloc_fail(s, &m, &err), cases[i].code);
                assert_non_null(strstr(err.message, cases[i].message));
        }
        struct cluster_spec two = {.name = "m",
                                   NETS("lab", "lab6"),
                                   .machine_networks = (const char *const[]){"192.0.2.0/25", "192.0.2.0/26"},
                                   .n_machine_networks = 2,
                                   .masters = -1,
                                   .workers = -1};
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &two, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "two machine networks of one family"));
        assert_true(allocated_count(s) == 1);
}

/* Seed 003: worker-3 of MNO cluster1 is also the SNO hub. */
static void test_reuse(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};

        lab_add(s);
        struct cluster_spec c1 = {
                .name = "cluster1", NETS("lab"), .topology = "mno", .masters = -1, .workers = 4};
        _cleanup_cluster_ struct cluster *one = alloc_spec(s, &c1, true);
        const struct node *w3 = cluster_find_node(one, "worker-3");
        char ip[ADDR_STRLEN], machine[PREFIX_STRLEN + 4];
        assert_non_null(w3);
        snprintf(machine, sizeof(machine), "%s/32", addr_format(&w3->ip, ip, sizeof(ip)));
        u128 held = allocated_count(s);

        const struct node_reuse reuse = {"master-0", "cluster1", "worker-3"};
        const char *machines[] = {machine};
        struct cluster_spec hub = {.name = "hub",
                                   NETS("lab"),
                                   .reuses = &reuse,
                                   .n_reuses = 1,
                                   .machine_networks = machines,
                                   .n_machine_networks = 1,
                                   .masters = -1,
                                   .workers = -1};
        _cleanup_cluster_ struct cluster *h = alloc_spec(s, &hub, true);
        assert_int_equal(h->n_nodes, 1);
        assert_true(h->nodes[0].mac == w3->mac);
        assert_addr(&h->nodes[0].ip, ip);
        assert_addr(&h->api_vip, ip);
        assert_string_equal(h->nodes[0].reuses_cluster, "cluster1");
        assert_string_equal(h->nodes[0].reuses_node, "worker-3");
        assert_true(allocated_count(s) == held);
        /* Idempotent, and the owner is unchanged. */
        cluster_free(alloc_spec(s, &hub, false));
        _cleanup_cluster_ struct cluster *again = NULL;
        assert_int_equal(cluster_get(s, "cluster1", &again, &err), 0);
        assert_string_equal(cluster_find_node(again, "worker-3")->reuses_cluster, "");

        /* The owner cannot go while reused. */
        err = (struct netd_error){};
        assert_error(cluster_release(s, "cluster1", NULL, &err), &err, NETD_ECONFLICT,
                     "cluster cluster1: node worker-3 is reused by node master-0 of cluster hub; release "
                     "cluster hub first");
        err = (struct netd_error){};
        assert_error(node_release(s, "cluster1", "worker-3", NULL, &err), &err, NETD_ECONFLICT,
                     "reused by node master-0 of cluster hub");
        assert_true(allocated_count(s) == held);
        /* Other nodes of the owner go as usual. */
        assert_int_equal(node_release(s, "cluster1", "worker-0", NULL, &err), 0);

        const struct {
                struct node_reuse ru;
                const char *mac;
                int code;
                const char *message;
        } cases[] = {
                {{"worker-0", "cluster1", "worker-3"},
                 NULL,
                 NETD_EINVALID,
                 "cluster r: --reuse for node \"worker-0\", which the cluster does not have"},
                {{"master-0", "nope", "worker-3"},
                 NULL,
                 NETD_ENOTFOUND,
                 "cluster r: node master-0: cluster nope not found"},
                {{"master-0", "cluster1", "worker-9"},
                 NULL,
                 NETD_ENOTFOUND,
                 "cluster r: node master-0: cluster cluster1 has no node worker-9"},
                {{"master-0", "hub", "master-0"},
                 NULL,
                 NETD_EINVALID,
                 "cluster r: node master-0: hub/master-0 itself reuses cluster1/worker-3; reuse that node "
                 "instead"},
                {{"master-0", "r", "master-0"},
                 NULL,
                 NETD_EINVALID,
                 "cluster r: node master-0 cannot reuse a node of its own cluster"},
                {{"master-0", "cluster1", "worker-3"},
                 "52:54:00:00:00:99",
                 NETD_EINVALID,
                 "cluster r: node master-0 reuses cluster1/worker-3 and has its MAC; give no --mac for it"},
                {{"master-0", "Bad", "worker-3"}, NULL, NETD_EINVALID, "reuses a cluster named \"Bad\""},
        };
        for (size_t i = 0; i < N(cases); i++) {
                const struct node_mac mac = {"master-0", cases[i].mac};
                struct cluster_spec r = {.name = "r",
                                         NETS("lab"),
                                         .reuses = &cases[i].ru,
                                         .n_reuses = 1,
                                         .macs = &mac,
                                         .n_macs = cases[i].mac ? 1 : 0,
                                         .masters = -1,
                                         .workers = -1};

                err = (struct netd_error){};
                assert_int_equal(alloc_fail(s, &r, &err), cases[i].code);
                assert_non_null(strstr(err.message, cases[i].message));
        }

        /* A machine keeps its addresses: no IPv6 address, no dual-stack reuse. */
        net_add(s, "lab6", "2001:db8::/64", NULL);
        struct cluster_spec ds = {.name = "ds",
                                  NETS("lab", "lab6"),
                                  .reuses = &reuse,
                                  .n_reuses = 1,
                                  .masters = -1,
                                  .workers = -1};
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &ds, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "cluster1/worker-3 has no address on network lab6"));

        /* Once the hub is gone, the owner can go. */
        assert_int_equal(cluster_release(s, "hub", NULL, &err), 0);
        assert_true(allocated_count(s) == held - 1);
        assert_int_equal(cluster_release(s, "cluster1", NULL, &err), 0);
        assert_true(allocated_count(s) == 0);
}

/* The database holds the rules too, whatever the code does. */
static void test_reuse_constraints(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};

        lab_add(s);
        cluster_free(alloc(s, "a", "compact", -1, -1));
        const struct node_reuse reuse = {"master-0", "a", "master-1"};
        struct cluster_spec b = {
                .name = "b", NETS("lab"), .reuses = &reuse, .n_reuses = 1, .masters = -1, .workers = -1};
        cluster_free(alloc_spec(s, &b, true));
        /* A raw delete of the reused node is refused by the schema. */
        assert_true(store_exec(s,
                               "DELETE FROM nodes WHERE name = 'master-1' AND cluster_id = "
                               "(SELECT id FROM clusters WHERE name = 'a')",
                               &err) < 0);
        /* A node with both a MAC and a reused machine, or neither, is refused. */
        err = (struct netd_error){};
        assert_true(store_exec(s, "UPDATE nodes SET mac = 5 WHERE reuses IS NOT NULL", &err) < 0);
        err = (struct netd_error){};
        assert_true(store_exec(s, "UPDATE nodes SET mac = NULL WHERE reuses IS NULL", &err) < 0);
        /* Two addresses of one node on one network. */
        err = (struct netd_error){};
        assert_true(store_exec(s,
                               "INSERT INTO addresses (network_id, addr, cluster_id, node_id, kind)"
                               " SELECT network_id, X'000000000000000000000000C00002C8', cluster_id, node_id,"
                               " kind FROM addresses WHERE kind = 'node' LIMIT 1",
                               &err) < 0);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_dual_stack),
                T(test_dual_stack_invalid),
                T(test_dual_stack_exhausted),
                T(test_machine_network),
                T(test_reuse),
                T(test_reuse_constraints),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
