/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The free-address search: all or nothing when a network is exhausted,
 * never-used addresses before released ones, IPv6 prefixes walked
 * arithmetically. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster-fixture.h"
#include "db/node.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-pool");
}

static void test_exhaustion_atomic(void **state) {
        struct store *s = fixture_store(state);
        struct cluster_spec big = {.name = "big", .topology = "mno", .masters = -1, .workers = -1};
        struct cluster_spec one = {.name = "one", .masters = -1, .workers = -1};
        _cleanup_cluster_ struct cluster *c = NULL, *missing = NULL;
        struct netd_error err = {};

        /* 192.0.2.0/29: hosts .1-.6, gateway .1: 5 free. */
        net_add(s, "small", "192.0.2.0/29", NULL);
        assert_int_equal(alloc_fail(s, &big, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster big: network small has 5 free addresses, 7 needed");
        err = (struct netd_error){};
        assert_int_equal(cluster_get(s, "big", &missing, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 0);

        /* Exactly enough. */
        c = alloc(s, "fits", "compact", -1, -1);
        assert_addr(&c->nodes[0].ip, "192.0.2.2");
        assert_addr(&c->ingress_vip, "192.0.2.6");
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &one, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster one: network small has 0 free addresses, 1 needed");
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "fits", "worker-0", NULL, NULL, NULL, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message,
                            "cluster fits: node worker-0: network small has 0 free addresses, 1 needed");
        assert_true(allocated_count(s) == 5);

        /* A prefix without usable addresses exhausts at once. */
        net_add(s, "host6", "2001:db8:1::/128", NULL);
        one.networks = (const char *const[]){"host6"};
        one.n_networks = 1;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &one, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster one: network host6 has 0 free addresses, 1 needed");
}

static void test_never_used_first(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_cluster_ struct cluster *s4 = NULL, *c = NULL, *d = NULL, *s5 = NULL;
        struct cluster_spec s6 = {.name = "s6", .masters = -1, .workers = -1};
        struct netd_error err = {};

        /* 192.0.2.0/28: hosts .1-.14, gateway .1: .2-.14 are free (13). */
        net_add(s, "lab", "192.0.2.0/28", NULL);
        cluster_free(alloc(s, "s1", NULL, -1, -1)); /* .2 */
        cluster_free(alloc(s, "s2", NULL, -1, -1)); /* .3 */
        cluster_free(alloc(s, "s3", NULL, -1, -1)); /* .4 */
        assert_int_equal(cluster_release(s, "s2", NULL, &err), 0);
        assert_int_equal(cluster_release(s, "s1", NULL, &err), 0);

        /* Never-used first... */
        s4 = alloc(s, "s4", NULL, -1, -1);
        assert_addr(&s4->nodes[0].ip, "192.0.2.5");
        c = alloc(s, "c", "compact", -1, -1);
        assert_addr(&c->nodes[0].ip, "192.0.2.6");
        assert_addr(&c->ingress_vip, "192.0.2.10");
        /* ...then, in the same pass, the longest released (.3 before .2). */
        d = alloc(s, "d", "compact", -1, -1);
        assert_addr(&d->nodes[0].ip, "192.0.2.11");
        assert_addr(&d->api_vip, "192.0.2.14");
        assert_addr(&d->ingress_vip, "192.0.2.3");
        s5 = alloc(s, "s5", NULL, -1, -1);
        assert_addr(&s5->nodes[0].ip, "192.0.2.2");
        assert_int_equal(alloc_fail(s, &s6, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster s6: network lab has 0 free addresses, 1 needed");

        /* A day-2 node released and added again gets the next released one. */
        assert_int_equal(cluster_release(s, "s4", NULL, &err), 0);         /* .5 */
        assert_int_equal(node_release(s, "c", "master-1", NULL, &err), 0); /* .7 */
        struct cluster *r = NULL;
        assert_int_equal(node_allocate(s, "c", "master-1", NULL, &r, NULL, &err), 0);
        assert_addr(&cluster_find_node(r, "master-1")->ip, "192.0.2.5");
        cluster_free(r);
}

static void test_ipv6(void **state) {
        struct store *s = fixture_store(state);
        const char *reserve[] = {"2001:db8::2-2001:db8::ff"};
        struct network_spec spec = {.name = "v6",
                                    .cidr = "2001:db8::/64",
                                    .reserve = reserve,
                                    .n_reserve = 1,
                                    .dhcp_range = "2001:db8::100-2001:db8::1ff"};
        _cleanup_cluster_ struct cluster *c = NULL, *w = NULL;
        struct netd_error err = {};
        struct cluster *r = NULL;

        assert_int_equal(network_add(s, &spec, NULL, &err), 0);
        c = alloc(s, "c", "mno", -1, -1);
        assert_node(c, 0, "master-0", "master", "2001:db8::200");
        assert_node(c, 4, "worker-1", "worker", "2001:db8::204");
        assert_addr(&c->api_vip, "2001:db8::205");
        assert_addr(&c->ingress_vip, "2001:db8::206");
        assert_int_equal(node_allocate(s, "c", "worker-2", NULL, &r, NULL, &err), 0);
        assert_addr(&cluster_find_node(r, "worker-2")->ip, "2001:db8::207");
        cluster_free(r);
        w = alloc(s, "wide", "mno", 3, 1000);
        assert_int_equal(w->n_nodes, 1003);
        assert_addr(&w->nodes[0].ip, "2001:db8::208");
        assert_addr(&w->ingress_vip, "2001:db8::5f4");

        /* A /48 reserved but for its last two addresses: the walk jumps the
         * 2^80-wide reserved span arithmetically. */
        const char *most[] = {"2001:db8:ffff::2-2001:db8:ffff:ffff:ffff:ffff:ffff:fffd"};
        struct network_spec top = {
                .name = "top", .cidr = "2001:db8:ffff::/48", .reserve = most, .n_reserve = 1};
        assert_int_equal(network_add(s, &top, NULL, &err), 0);
        struct cluster_spec spec2 = {.name = "t",
                                     .networks = (const char *const[]){"top"},
                                     .n_networks = 1,
                                     .topology = "compact",
                                     .masters = -1,
                                     .workers = -1};
        assert_int_equal(alloc_fail(s, &spec2, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster t: network top has 2 free addresses, 5 needed");
        spec2.topology = "sno";
        _cleanup_cluster_ struct cluster *t = alloc_spec(s, &spec2, true);
        assert_addr(&t->nodes[0].ip, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe");
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_exhaustion_atomic),
                T(test_never_used_first),
                T(test_ipv6),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
