/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The removal queue: what a detach, an update or a removal leaves to delete,
 * in deletion order, and what is unqueued when it is desired again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-garbage");
}

static void test_garbage_on_detach(void **state) {
        struct store *s = fixture_store(state);
        const char *const hv2_gone[] = {
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.11\"}",
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.13\"}",
                "{\"kind\":\"address\",\"dev\":\"br-lab\",\"address\":\"192.0.2.2\",\"prefixlen\":24}",
                "{\"kind\":\"port\",\"name\":\"eth1\",\"master\":\"br-lab\"}",
                "{\"kind\":\"vxlan\",\"name\":\"vx100\",\"master\":\"br-lab\",\"vni\":100,"
                "\"local\":\"198.51.100.12\",\"dstport\":4789}",
                "{\"kind\":\"bridge\",\"name\":\"br-lab\"}",
        };
        const char *const fdb_hv2[] = {
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.12\"}",
        };
        const char *const hv1_left[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\"}",
                "{\"kind\":\"vxlan\",\"name\":\"vx100\",\"master\":\"br-lab\",\"vni\":100,"
                "\"local\":\"198.51.100.11\",\"dstport\":4789}",
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.13\"}",
        };
        struct fobj stranger = {.kind = FOBJ_BRIDGE, .name = "br-none"};
        struct netd_error err = {};

        net_add_fabric(s, "lab", "192.0.2.0/24", 100, 0, NULL);
        host_new(s, "hv1", "198.51.100.11");
        host_new(s, "hv2", "198.51.100.12");
        host_new(s, "hv3", "198.51.100.13");
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "lab", "hv2", "eth1", "192.0.2.2/24");
        attach(s, "lab", "hv3", NULL, NULL);
        assert_int_equal(garbage_count(s, "hv1") + garbage_count(s, "hv2") + garbage_count(s, "hv3"), 0);

        detach(s, "lab", "hv2");
        /* Deletion order: dependents before what they depend on. */
        assert_garbage(s, "hv2", hv2_gone, N(hv2_gone));
        assert_garbage(s, "hv1", fdb_hv2, N(fdb_hv2));
        assert_garbage(s, "hv3", fdb_hv2, N(fdb_hv2));
        assert_desired(s, "hv1", hv1_left, N(hv1_left));

        /* Confirmed deletions leave the queue; unknown objects are no error. */
        garbage_clear(s, "hv1");
        assert_int_equal(garbage_count(s, "hv1"), 0);
        assert_garbage(s, "hv3", fdb_hv2, N(fdb_hv2));
        assert_int_equal(garbage_done(s, "hv1", &stranger, &err), 0);
        err = (struct netd_error){};
        assert_error(garbage_done(s, "nope", &stranger, &err), &err, NETD_ENOTFOUND, "host nope");

        /* Attached again: what is desired again is no longer garbage, on
         * this host and on the others. */
        attach(s, "lab", "hv2", "eth1", "192.0.2.2/24");
        assert_int_equal(garbage_count(s, "hv2"), 0);
        assert_int_equal(garbage_count(s, "hv3"), 0);
        assert_int_equal(garbage_count(s, "hv1"), 0);
}

static void test_garbage_on_update_link_route(void **state) {
        struct store *s = fixture_store(state);
        const char *const old_address[] = {
                "{\"kind\":\"address\",\"dev\":\"br-lab\",\"address\":\"192.0.2.2\",\"prefixlen\":24}",
        };
        const char *const newer_address[] = {
                "{\"kind\":\"address\",\"dev\":\"br-lab\",\"address\":\"192.0.2.3\",\"prefixlen\":24}",
        };
        const char *const link_and_route[] = {
                "{\"kind\":\"route\",\"dev\":\"br-lab\",\"dst\":\"203.0.113.0/"
                "24\",\"gateway\":\"192.0.2.254\"}",
                "{\"kind\":\"veth\",\"name\":\"v0\",\"peer\":\"v1\",\"master\":\"br-lab\"}",
        };
        struct netd_error err = {};

        net_add_fabric(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.11");
        attach(s, "lab", "hv1", NULL, "192.0.2.2/24");

        /* A new prefix length keeps the address: nothing to delete. */
        attach(s, "lab", "hv1", NULL, "192.0.2.2/25");
        assert_int_equal(garbage_count(s, "hv1"), 0);
        attach(s, "lab", "hv1", NULL, "192.0.2.2/24");
        /* Another address: the old one goes. */
        attach(s, "lab", "hv1", NULL, "192.0.2.3/24");
        assert_garbage(s, "hv1", old_address, N(old_address));
        /* And back: .2 must not be deleted after all, .3 must. */
        attach(s, "lab", "hv1", NULL, "192.0.2.2/24");
        assert_garbage(s, "hv1", newer_address, N(newer_address));
        garbage_clear(s, "hv1");

        assert_int_equal(link_add(s, "hv1", "veth", "v0", "v1", "br-lab", NULL, &err), 0);
        assert_int_equal(route_add(s, "hv1", "203.0.113.0/24", "192.0.2.254", "br-lab", &err), 0);
        assert_int_equal(garbage_count(s, "hv1"), 0);
        assert_int_equal(link_remove(s, "hv1", "v0", &err), 0);
        assert_int_equal(route_remove(s, "hv1", "203.0.113.0/24", &err), 0);
        assert_garbage(s, "hv1", link_and_route, N(link_and_route));
        /* The route made again via another gateway and device: the old one must not be
         * deleted behind it; the link made again with the other end first. */
        assert_int_equal(route_add(s, "hv1", "203.0.113.0/24", "192.0.2.253", NULL, &err), 0);
        assert_int_equal(link_add(s, "hv1", "veth", "v1", "v2", NULL, NULL, &err), 0);
        assert_int_equal(garbage_count(s, "hv1"), 0);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_garbage_on_detach),
                T(test_garbage_on_update_link_route),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
