/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "db/capacity.h"
#include "db/cluster.h"
#include "db/network.h"
#include "db/store.h"

#include "store-fixture.h"
#include "netd/core/u128.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-capacity");
}

static void net_add(struct store *s, const struct network_spec *spec) {
        struct netd_error err = {};

        if (network_add(s, spec, NULL, &err) < 0)
                fail_msg("network_add %s: %s", spec->name, err.message);
}

static void alloc(struct store *s, const char *name, const char *network, const char *topology) {
        struct cluster_spec spec = {.name = name,
                                    .networks = &network,
                                    .n_networks = network ? 1 : 0,
                                    .topology = topology,
                                    .masters = -1,
                                    .workers = -1};
        struct netd_error err = {};

        if (cluster_allocate(s, &spec, NULL, NULL, &err) < 0)
                fail_msg("cluster_allocate %s: %s", name, err.message);
}

static void assert_u128(u128 v, const char *want) {
        char buf[U128_DECLEN];

        assert_string_equal(u128_format(v, buf, sizeof(buf)), want);
}

/* total, reserved, allocated, free, clusters and fits as decimal text. */
static void assert_capacity(const struct capacity *c, const char *total, const char *reserved,
                            const char *allocated, const char *free, const char *clusters,
                            const char *fits_sno, const char *fits_compact, const char *fits_mno) {
        assert_u128(c->total, total);
        assert_u128(c->reserved, reserved);
        assert_u128(c->allocated, allocated);
        assert_u128(c->free, free);
        assert_u128(c->clusters, clusters);
        assert_u128(c->fits_sno, fits_sno);
        assert_u128(c->fits_compact, fits_compact);
        assert_u128(c->fits_mno, fits_mno);
}

static void test_finish(void **state) {
        struct capacity c = {.total = 10, .reserved = 3, .allocated = 2};
        struct capacity none = {.total = 1, .reserved = 1};

        (void)state;
        capacity_finish(&c);
        assert_capacity(&c, "10", "3", "2", "5", "0", "5", "1", "0");
        assert_true(c.utilization > 2.0 / 7 - 1e-12 && c.utilization < 2.0 / 7 + 1e-12);
        capacity_finish(&none);
        assert_u128(none.free, "0");
        assert_true(none.utilization == 0.0);
}

/* The contract's example: 192.0.2.0/24, .2-.9 reserved, an sno and an mno. */
static void test_contract_example(void **state) {
        struct store *s = ((struct fixture *)*state)->s;
        const char *reserve[] = {"192.0.2.2-192.0.2.9"};
        struct network_spec lab = {.name = "lab", .cidr = "192.0.2.0/24", .reserve = reserve, .n_reserve = 1};
        _cleanup_free_ struct capacity *caps = NULL;
        struct netd_error err = {};
        struct capacity total;
        size_t n;

        net_add(s, &lab);
        alloc(s, "sno", NULL, NULL);
        alloc(s, "mno", NULL, "mno");
        assert_int_equal(capacity_report(s, NULL, 0, &caps, &n, &total, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(caps[0].name, "lab");
        assert_capacity(&caps[0], "254", "9", "8", "237", "2", "237", "47", "33");
        assert_true(caps[0].utilization > 0.03265 && caps[0].utilization < 0.03266);
        assert_capacity(&total, "254", "9", "8", "237", "2", "237", "47", "33");

        /* A release gives its addresses back to free. */
        assert_int_equal(cluster_release(s, "mno", NULL, &err), 0);
        free(caps);
        caps = NULL;
        assert_int_equal(capacity_report(s, (const char *const[]){"lab"}, 1, &caps, &n, NULL, &err), 0);
        assert_capacity(&caps[0], "254", "9", "1", "244", "1", "244", "48", "34");
}

static void test_overlapping_reserved(void **state) {
        struct store *s = ((struct fixture *)*state)->s;
        /* .10-.20 ∪ .15-.30 ∪ .30 ∪ .31-.40 (adjacent) ∪ dhcp .35-.50 ∪ the
         * gateway .12 = .10-.50: 41. .0-.5 and .250-.255 count only their
         * usable host part: .1-.5 and .250-.254, 5 each. */
        const char *reserve[] = {"198.51.100.15-198.51.100.30", "198.51.100.10-198.51.100.20",
                                 "198.51.100.30-198.51.100.30", "198.51.100.31-198.51.100.40",
                                 "198.51.100.0-198.51.100.5",   "198.51.100.250-198.51.100.255"};
        struct network_spec spec = {.name = "over",
                                    .cidr = "198.51.100.0/24",
                                    .gateway = "198.51.100.12",
                                    .reserve = reserve,
                                    .n_reserve = ARRAY_SIZE(reserve),
                                    .dhcp_range = "198.51.100.35-198.51.100.50"};
        _cleanup_free_ struct capacity *caps = NULL;
        _cleanup_cluster_ struct cluster *c = NULL;
        struct netd_error err = {};
        size_t n;

        net_add(s, &spec);
        assert_int_equal(capacity_report(s, (const char *const[]){"over"}, 1, &caps, &n, NULL, &err), 0);
        assert_int_equal(n, 1);
        assert_capacity(&caps[0], "254", "51", "0", "203", "0", "203", "40", "29");
        assert_true(caps[0].utilization == 0.0);

        /* And the allocator skips exactly those. */
        alloc(s, "c", "over", "mno");
        assert_int_equal(cluster_get(s, "c", &c, &err), 0);
        char a[ADDR_STRLEN];
        assert_string_equal(addr_format(&c->nodes[0].ip, a, sizeof(a)), "198.51.100.6");
        assert_string_equal(addr_format(&c->nodes[4].ip, a, sizeof(a)), "198.51.100.51");
        assert_string_equal(addr_format(&c->ingress_vip, a, sizeof(a)), "198.51.100.53");
}

/* A dual-stack cluster holds one address per node on each network; each
 * network counts it once, the lab once; what fits dual-stack is the fewer
 * of the two. */
static void test_dual_stack(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_free_ struct capacity *caps = NULL;
        struct capacity lab = {};
        struct capacity_fits fits;
        struct netd_error err = {};
        size_t n = 0;

        net_add(s, &(struct network_spec){.name = "v4", .cidr = "192.0.2.0/28", .domain = "lab.example"});
        net_add(s, &(struct network_spec){.name = "v6", .cidr = "2001:db8::/64", .domain = "lab.example"});
        struct cluster_spec ds = {.name = "ds",
                                  .networks = (const char *const[]){"v4", "v6"},
                                  .n_networks = 2,
                                  .topology = "compact",
                                  .masters = -1,
                                  .workers = -1};
        assert_int_equal(cluster_allocate(s, &ds, NULL, NULL, &err), 0);
        alloc(s, "one", "v4", NULL);

        assert_int_equal(capacity_report(s, (const char *const[]){"v4", "v6"}, 2, &caps, &n, &lab, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(caps[0].name, "v4");
        assert_true(caps[0].allocated == 6);
        assert_true(caps[0].clusters == 2);
        assert_true(caps[1].allocated == 5);
        assert_true(caps[1].clusters == 1);
        assert_true(lab.clusters == 2);
        /* v4: 14 usable, 1 gateway, 6 held: 7 free. */
        assert_true(caps[0].free == 7);
        assert_true(capacity_dual_stack(caps, n, &fits));
        assert_true(fits.sno == 7 && fits.compact == 1 && fits.mno == 1);
        assert_false(capacity_dual_stack(caps, 1, &fits));
        free(caps);
        caps = NULL;

        /* Two IPv4 networks are no dual-stack shape; a name twice is invalid. */
        net_add(s, &(struct network_spec){.name = "w4", .cidr = "198.51.100.0/24", .domain = "lab.example"});
        assert_int_equal(capacity_report(s, (const char *const[]){"v4", "w4"}, 2, &caps, &n, NULL, &err), 0);
        assert_false(capacity_dual_stack(caps, n, &fits));
        free(caps);
        caps = NULL;
        assert_int_equal(capacity_report(s, (const char *const[]){"v4", "v4"}, 2, &caps, &n, NULL, &err),
                         NETD_EINVALID);
        assert_string_equal(err.message, "network v4 is given twice");
}

static void test_ipv6_48_and_lab(void **state) {
        struct store *s = ((struct fixture *)*state)->s;
        const char *reserve4[] = {"192.0.2.2-192.0.2.9"};
        const char *reserve6[] = {"2001:db8:1::2-2001:db8:1::ffff"};
        struct network_spec lab = {
                .name = "lab", .cidr = "192.0.2.0/24", .reserve = reserve4, .n_reserve = 1};
        struct network_spec over = {
                .name = "over", .cidr = "198.51.100.0/24", .dhcp_range = "198.51.100.1-198.51.100.51"};
        struct network_spec v6 = {.name = "v6",
                                  .cidr = "2001:db8:1::/48",
                                  .reserve = reserve6,
                                  .n_reserve = 1,
                                  .dhcp_range = "2001:db8:1:1::-2001:db8:1:1::ffff:ffff"};
        struct network_spec none = {.name = "none", .cidr = "2001:db8:2::/128"};
        struct network_spec one = {.name = "one", .cidr = "203.0.113.7/32"};
        _cleanup_free_ struct capacity *caps = NULL;
        struct netd_error err = {};
        struct capacity total;
        size_t n;

        net_add(s, &lab);
        net_add(s, &over);
        net_add(s, &v6);
        net_add(s, &none);
        net_add(s, &one);
        alloc(s, "sno", "lab", NULL);
        alloc(s, "mno", "lab", "mno");
        alloc(s, "c6", "v6", "compact");

        assert_int_equal(capacity_report(s, NULL, 0, &caps, &n, &total, &err), 0);
        assert_int_equal(n, 5);
        /* Ordered by name: lab, none, one, over, v6. */
        assert_string_equal(caps[0].name, "lab");
        assert_capacity(&caps[0], "254", "9", "8", "237", "2", "237", "47", "33");
        assert_string_equal(caps[1].name, "none");
        assert_capacity(&caps[1], "0", "0", "0", "0", "0", "0", "0", "0");
        assert_true(caps[1].utilization == 0.0);
        assert_string_equal(caps[2].name, "one");
        assert_capacity(&caps[2], "1", "1", "0", "0", "0", "0", "0", "0");
        assert_true(caps[2].utilization == 0.0);
        assert_string_equal(caps[3].name, "over");
        /* The gateway .1 lies inside the DHCP range .1-.51: 51 reserved. */
        assert_capacity(&caps[3], "254", "51", "0", "203", "0", "203", "40", "29");
        assert_string_equal(caps[4].name, "v6");
        /* 2^80 - 1 usable; gateway + 65534 reserved + 2^32 DHCP. */
        assert_capacity(&caps[4], "1208925819614629174706175", "4295032831", "5", "1208925819614624879673339",
                        "1", "1208925819614624879673339", "241785163922924975934667",
                        "172703688516374982810477");
        assert_true(caps[4].utilization > 0 && caps[4].utilization < 1e-20);

        assert_capacity(&total, "1208925819614629174706684", "4295032892", "13", "1208925819614624879673779",
                        "3", "1208925819614624879673779", "241785163922924975934755",
                        "172703688516374982810539");

        err = (struct netd_error){};
        assert_int_equal(capacity_report(s, (const char *const[]){"nope"}, 1, &caps, &n, &total, &err),
                         NETD_ENOTFOUND);
        assert_string_equal(err.message, "network nope not found");
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_finish), T(test_contract_example), T(test_overlapping_reserved),
                T(test_ipv6_48_and_lab),       T(test_dual_stack),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
