/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters: allocation of each topology, the network chosen, invalid specs,
 * idempotence and MAC conflicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster-fixture.h"
#include "netd/core/mac.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-cluster");
}

static void test_cluster_topologies(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_cluster_ struct cluster *sno = NULL, *compact = NULL, *mno = NULL, *big = NULL;
        char name[16];

        lab_add(s);
        sno = alloc(s, "sno", NULL, -1, -1);
        assert_string_equal(sno->name, "sno");
        assert_string_equal(sno->network, "lab");
        assert_string_equal(sno->domain, "lab.example");
        assert_int_equal(sno->topology, TOPOLOGY_SNO);
        assert_int_equal(sno->masters, 1);
        assert_int_equal(sno->workers, 0);
        assert_int_equal(sno->n_nodes, 1);
        assert_node(sno, 0, "master-0", "master", "192.0.2.10");
        assert_addr(&sno->api_vip, "192.0.2.10");
        assert_addr(&sno->ingress_vip, "192.0.2.10");

        compact = alloc(s, "compact", "compact", -1, -1);
        assert_int_equal(compact->topology, TOPOLOGY_COMPACT);
        assert_int_equal(compact->n_nodes, 3);
        assert_node(compact, 0, "master-0", "master", "192.0.2.11");
        assert_node(compact, 1, "master-1", "master", "192.0.2.12");
        assert_node(compact, 2, "master-2", "master", "192.0.2.13");
        assert_addr(&compact->api_vip, "192.0.2.14");
        assert_addr(&compact->ingress_vip, "192.0.2.15");

        mno = alloc(s, "mno", "mno", -1, -1);
        assert_int_equal(mno->masters, 3);
        assert_int_equal(mno->workers, 2);
        assert_int_equal(mno->n_nodes, 5);
        assert_node(mno, 0, "master-0", "master", "192.0.2.16");
        assert_node(mno, 2, "master-2", "master", "192.0.2.18");
        assert_node(mno, 3, "worker-0", "worker", "192.0.2.19");
        assert_node(mno, 4, "worker-1", "worker", "192.0.2.20");
        assert_addr(&mno->api_vip, "192.0.2.21");
        assert_addr(&mno->ingress_vip, "192.0.2.22");

        /* Overridden counts; nodes ordered by number, worker-10 after worker-9. */
        big = alloc(s, "big", "mno", 5, 12);
        assert_int_equal(big->n_nodes, 17);
        for (unsigned i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "master-%u", i);
                assert_string_equal(big->nodes[i].name, name);
        }
        for (unsigned i = 0; i < 12; i++) {
                snprintf(name, sizeof(name), "worker-%u", i);
                assert_string_equal(big->nodes[5 + i].name, name);
        }
        assert_addr(&big->nodes[16].ip, "192.0.2.39");
        assert_addr(&big->ingress_vip, "192.0.2.41");
        for (size_t i = 0; i < big->n_nodes; i++)
                for (size_t j = i + 1; j < big->n_nodes; j++)
                        assert_true(big->nodes[i].mac != big->nodes[j].mac);

        /* get and list give the same. */
        _cleanup_cluster_ struct cluster *got = NULL;
        struct netd_error err = {};
        struct cluster **l;
        size_t n;
        assert_int_equal(cluster_get(s, "mno", &got, &err), 0);
        assert_int_equal(got->n_nodes, 5);
        assert_int_equal(got->nodes[4].mac, mno->nodes[4].mac);
        assert_addr(&got->ingress_vip, "192.0.2.22");
        assert_non_null(cluster_find_node(got, "worker-1"));
        assert_null(cluster_find_node(got, "worker-2"));
        assert_int_equal(cluster_list(s, NULL, &l, &n, &err), 0);
        assert_int_equal(n, 4);
        assert_string_equal(l[0]->name, "big");
        assert_string_equal(l[3]->name, "sno");
        assert_addr(&l[3]->api_vip, "192.0.2.10");
        assert_int_equal(l[1]->n_nodes, 3);
        cluster_list_free(l, n);
        assert_int_equal(cluster_list(s, "lab", &l, &n, &err), 0);
        assert_int_equal(n, 4);
        cluster_list_free(l, n);
        assert_int_equal(cluster_list(s, "nope", &l, &n, &err), NETD_ENOTFOUND);
        err = (struct netd_error){};
        assert_int_equal(cluster_get(s, "nope", &got, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster nope not found");
        assert_int_equal(allocated_count(s), 1 + 5 + 7 + 19);
}

static void test_cluster_network_choice(void **state) {
        struct store *s = fixture_store(state);
        struct cluster_spec spec = {.name = "c", .masters = -1, .workers = -1};
        struct netd_error err = {};

        assert_int_equal(alloc_fail(s, &spec, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster c: no network exists; add one with 'netctl network add'");

        net_add(s, "b", "198.51.100.0/24", NULL);
        net_add(s, "a", "203.0.113.0/24", NULL);
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &spec, &err), NETD_EINVALID);
        assert_string_equal(err.message, "cluster c: several networks exist (a, b); pass --network");

        spec.networks = (const char *const[]){"nope"};
        spec.n_networks = 1;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &spec, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "network nope not found");

        spec.networks = (const char *const[]){"b"};
        spec.n_networks = 1;
        _cleanup_cluster_ struct cluster *c = alloc_spec(s, &spec, true);
        assert_string_equal(c->network, "b");
        assert_addr(&c->nodes[0].ip, "198.51.100.2");
        assert_string_equal(c->domain, "lab.example");
}

static void test_cluster_invalid(void **state) {
        struct store *s = fixture_store(state);
        const struct node_mac unknown[] = {{"worker-0", "52:54:00:00:00:01"}};
        const struct node_mac beyond[] = {{"worker-2", "52:54:00:00:00:01"}};
        const struct node_mac padded[] = {{"master-00", "52:54:00:00:00:01"}};
        const struct node_mac twice[] = {{"master-0", "52:54:00:00:00:01"},
                                         {"master-1", "52:54:00:00:00:01"}};
        const struct node_mac node_twice[] = {{"master-0", "52:54:00:00:00:01"},
                                              {"master-0", "52:54:00:00:00:02"}};
        const struct node_mac multicast[] = {{"master-0", "01:54:00:00:00:01"}};
        const struct node_mac hostile[] = {{"master-0\n", "52:54:00:00:00:01"}};
        const struct {
                struct cluster_spec spec;
                int code;
                const char *message;
        } cases[] = {
                {{.name = "Big", .masters = -1, .workers = -1}, NETD_EINVALID, "cluster name \"Big\""},
                {{.name = "a\nb", .masters = -1, .workers = -1}, NETD_EINVALID, "cluster name \"a\\x0ab\""},
                {{.name = "c",
                  .networks = (const char *const[]){"la b"},
                  .n_networks = 1,
                  .masters = -1,
                  .workers = -1},
                 NETD_EINVALID,
                 "network name \"la b\""},
                {{.name = "c", .topology = "ha", .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "cluster c: unknown topology \"ha\""},
                {{.name = "c", .topology = "mno", .masters = 0, .workers = -1},
                 NETD_EINVALID,
                 "masters 0 is not in 1-1000"},
                {{.name = "c", .topology = "mno", .masters = 1001, .workers = -1},
                 NETD_EINVALID,
                 "masters 1001"},
                {{.name = "c", .topology = "mno", .masters = -1, .workers = 1001},
                 NETD_EINVALID,
                 "workers 1001"},
                {{.name = "c", .topology = "mno", .masters = -1, .workers = -2}, NETD_EINVALID, "workers -2"},
                {{.name = "c", .topology = "sno", .masters = 3, .workers = -1},
                 NETD_EINVALID,
                 "sno has exactly 1 master"},
                {{.name = "c", .masters = -1, .workers = -1, .macs = unknown, .n_macs = 1},
                 NETD_EINVALID,
                 "cluster c: MAC given for node \"worker-0\", which the cluster does not have"},
                {{.name = "c", .topology = "mno", .masters = -1, .workers = -1, .macs = beyond, .n_macs = 1},
                 NETD_EINVALID,
                 "node \"worker-2\""},
                {{.name = "c", .masters = -1, .workers = -1, .macs = padded, .n_macs = 1},
                 NETD_EINVALID,
                 "node \"master-00\""},
                {{.name = "c",
                  .topology = "compact",
                  .masters = -1,
                  .workers = -1,
                  .macs = twice,
                  .n_macs = 2},
                 NETD_EINVALID,
                 "cluster c: MAC 52:54:00:00:00:01 is given for two nodes"},
                {{.name = "c",
                  .topology = "compact",
                  .masters = -1,
                  .workers = -1,
                  .macs = node_twice,
                  .n_macs = 2},
                 NETD_EINVALID,
                 "node master-0 is given a MAC twice"},
                {{.name = "c", .masters = -1, .workers = -1, .macs = multicast, .n_macs = 1},
                 NETD_EINVALID,
                 "cluster c: node master-0: MAC 01:54:00:00:00:01 is a multicast address"},
                {{.name = "c", .masters = -1, .workers = -1, .macs = hostile, .n_macs = 1},
                 NETD_EINVALID,
                 "node \"master-0\\x0a\""},
        };

        lab_add(s);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct netd_error err = {};
                int r = alloc_fail(s, &cases[i].spec, &err);

                if (r != cases[i].code || !strstr(err.message, cases[i].message))
                        fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, r, err.message, cases[i].code,
                                 cases[i].message);
                assert_null(strchr(err.message, '\n'));
        }
        assert_true(allocated_count(s) == 0);
}

static void test_cluster_idempotent(void **state) {
        struct store *s = fixture_store(state);
        const struct node_mac macs[] = {{"worker-1", "52:54:00:AA:bb:01"}};
        const struct node_mac other_mac[] = {{"worker-1", "52:54:00:aa:bb:02"}};
        struct cluster_spec spec = {
                .name = "c", .topology = "mno", .masters = -1, .workers = -1, .macs = macs, .n_macs = 1};
        _cleanup_cluster_ struct cluster *first = NULL, *again = NULL, *again2 = NULL;
        struct netd_error err = {};
        mac_t m0;

        lab_add(s);
        first = alloc_spec(s, &spec, true);
        assert_int_equal(first->nodes[4].mac, 0x525400aabb01ULL);
        m0 = first->nodes[0].mac;

        again = alloc_spec(s, &spec, false);
        assert_int_equal(again->n_nodes, first->n_nodes);
        for (size_t i = 0; i < first->n_nodes; i++) {
                assert_int_equal(again->nodes[i].mac, first->nodes[i].mac);
                assert_int_equal(addr_cmp(&again->nodes[i].ip, &first->nodes[i].ip), 0);
        }
        assert_int_equal(addr_cmp(&again->api_vip, &first->api_vip), 0);

        /* Explicit network, explicit counts equal to the defaults, no MACs. */
        struct cluster_spec same = {.name = "c",
                                    .networks = (const char *const[]){"lab"},
                                    .n_networks = 1,
                                    .topology = "mno",
                                    .masters = 3,
                                    .workers = 2};
        again2 = alloc_spec(s, &same, false);
        assert_int_equal(again2->nodes[0].mac, m0);
        assert_true(allocated_count(s) == 7);

        struct cluster_spec differ = spec;
        differ.topology = "compact";
        differ.n_macs = 0;
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster c already exists with a different spec: topology mno, not "
                                         "compact; 2 workers, not 0");
        differ = spec;
        differ.workers = 3;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "2 workers, not 3"));
        differ = spec;
        differ.macs = other_mac;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "worker-1 has MAC 52:54:00:aa:bb:01, not 52:54:00:aa:bb:02"));
        net_add(s, "lab2", "198.51.100.0/24", NULL);
        differ = spec;
        differ.networks = (const char *const[]){"lab2"};
        differ.n_networks = 1;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "network lab, not lab2"));
        assert_true(allocated_count(s) == 7);
}

static void test_cluster_mac_conflict(void **state) {
        struct store *s = fixture_store(state);
        const struct node_mac mac[] = {{"master-0", "52:54:00:aa:bb:cc"}};
        const struct node_mac same_mac[] = {{"master-1", "52:54:00:AA:BB:CC"}};
        struct cluster_spec a = {.name = "a", .masters = -1, .workers = -1, .macs = mac, .n_macs = 1};
        struct cluster_spec b = {.name = "b",
                                 .topology = "compact",
                                 .masters = -1,
                                 .workers = -1,
                                 .macs = same_mac,
                                 .n_macs = 1};
        _cleanup_cluster_ struct cluster *ca = NULL, *missing = NULL;
        struct netd_error err = {};

        lab_add(s);
        ca = alloc_spec(s, &a, true);
        assert_int_equal(ca->nodes[0].mac, 0x525400aabbccULL);
        assert_int_equal(alloc_fail(s, &b, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster b: MAC 52:54:00:aa:bb:cc for master-1 is already used by "
                                         "node master-0 of cluster a");
        /* Nothing of b is held. */
        err = (struct netd_error){};
        assert_int_equal(cluster_get(s, "b", &missing, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 1);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_cluster_topologies), T(test_cluster_network_choice), T(test_cluster_invalid),
                T(test_cluster_idempotent), T(test_cluster_mac_conflict),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
