/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The desired state of a host: bridges, VXLAN devices and their flood
 * entries per underlay family, MTUs and the naming policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-desired");
}

static void test_desired_vxlan_three_hosts(void **state) {
        struct store *s = fixture_store(state);
        const char *const hv2[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\",\"mtu\":1450}",
                "{\"kind\":\"vxlan\",\"name\":\"vx100\",\"master\":\"br-lab\",\"mtu\":1450,\"vni\":100,"
                "\"local\":\"198.51.100.12\",\"dstport\":4789}",
                "{\"kind\":\"port\",\"name\":\"eth1\",\"master\":\"br-lab\"}",
                "{\"kind\":\"address\",\"dev\":\"br-lab\",\"address\":\"192.0.2.2\",\"prefixlen\":24}",
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.11\"}",
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.13\"}",
        };
        const char *const hv1[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\",\"mtu\":1450}",
                "{\"kind\":\"vxlan\",\"name\":\"vx100\",\"master\":\"br-lab\",\"mtu\":1450,\"vni\":100,"
                "\"local\":\"198.51.100.11\",\"dstport\":4789}",
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.12\"}",
                "{\"kind\":\"fdb\",\"dev\":\"vx100\",\"remote\":\"198.51.100.13\"}",
        };
        const char *const hv3_alone[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\",\"mtu\":1450}",
                "{\"kind\":\"vxlan\",\"name\":\"vx100\",\"master\":\"br-lab\",\"mtu\":1450,\"vni\":100,"
                "\"local\":\"198.51.100.13\",\"dstport\":4789}",
        };
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;
        int r;

        net_add_fabric(s, "lab", "192.0.2.0/24", 100, 1450, NULL);
        /* Names out of underlay order: flood entries follow host names. */
        host_new(s, "hv3", "198.51.100.13");
        host_new(s, "hv1", "198.51.100.11");
        host_new(s, "hv2", "198.51.100.12");

        attach(s, "lab", "hv3", NULL, NULL);
        assert_desired(s, "hv3", hv3_alone, N(hv3_alone));
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "lab", "hv2", "eth1", "192.0.2.2/24");
        assert_desired(s, "hv2", hv2, N(hv2));
        assert_desired(s, "hv1", hv1, N(hv1));

        /* A host attached to nothing wants nothing. */
        host_new(s, "hv4", "198.51.100.14");
        assert_int_equal(desired_list(s, "hv4", &objs, &n, &err), 0);
        assert_int_equal(n, 0);
        free(objs);
        r = desired_list(s, "hv9", &objs, &n, &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv9 not found");
}

/* A network's VXLAN runs over the underlays of its family: a host with
 * both families floods over IPv4 on one network and over IPv6 on the
 * other; a host without the family cannot attach. */
static void test_desired_ipv6_underlay(void **state) {
        struct store *s = fixture_store(state);
        const char *const hv6[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\"}",
                "{\"kind\":\"bridge\",\"name\":\"br-lab6\"}",
                "{\"kind\":\"vxlan\",\"name\":\"vx7\",\"master\":\"br-lab\",\"vni\":7,\"local\":\"198.51.100."
                "6\",\"dstport\":4789}",
                "{\"kind\":\"vxlan\",\"name\":\"vx8\",\"master\":\"br-lab6\",\"vni\":8,\"local\":\"2001:db8::"
                "6\",\"dstport\":4789}",
                "{\"kind\":\"fdb\",\"dev\":\"vx7\",\"remote\":\"198.51.100.1\"}",
                "{\"kind\":\"fdb\",\"dev\":\"vx8\",\"remote\":\"2001:db8::7\"}",
        };
        const char *const hv7[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab6\"}",
                "{\"kind\":\"vxlan\",\"name\":\"vx8\",\"master\":\"br-lab6\",\"vni\":8,\"local\":\"2001:db8::"
                "7\",\"dstport\":4789}",
                "{\"kind\":\"fdb\",\"dev\":\"vx8\",\"remote\":\"2001:db8::6\"}",
        };
        struct netd_error err = {};
        int r;

        net_add_underlay(s, "lab", "192.0.2.0/24", 7, "ipv4");
        net_add_underlay(s, "lab6", "203.0.113.0/24", 8, "ipv6");
        host_new(s, "hv1", "198.51.100.1");
        host_new2(s, "hv6", "198.51.100.6", "2001:db8::6");
        host_new(s, "hv7", "2001:db8::7");
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "lab", "hv6", NULL, NULL);
        attach(s, "lab6", "hv6", NULL, NULL);
        attach(s, "lab6", "hv7", NULL, NULL);
        assert_desired(s, "hv6", hv6, N(hv6));
        assert_desired(s, "hv7", hv7, N(hv7));

        r = attachment_set(s, "lab", "hv7", NULL, NULL, NULL, &err);
        assert_error(r, &err, NETD_EINVALID,
                     "network lab on host hv7: host hv7 has no ipv4 underlay, and network lab runs its VXLAN"
                     " over ipv4");
        err = (struct netd_error){};
        r = attachment_set(s, "lab6", "hv1", NULL, NULL, NULL, &err);
        assert_error(r, &err, NETD_EINVALID, "host hv1 has no ipv6 underlay");
        /* Nothing changed. */
        assert_desired(s, "hv7", hv7, N(hv7));

        /* An IPv6 underlay added later makes it possible. */
        struct host_spec add6 = {
                .name = "hv1", .underlays = (const char *const[]){"2001:db8::1"}, .n_underlays = 1};
        assert_int_equal(host_set(s, &add6, NULL, NULL, &err), 0);
        attach(s, "lab6", "hv1", NULL, NULL);
}

static void test_desired_mtu_and_bridge_names(void **state) {
        struct store *s = fixture_store(state);
        const char *const hv1[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-abcdefghijkl\"}",
                "{\"kind\":\"bridge\",\"name\":\"baremetal\",\"mtu\":9000}",
                "{\"kind\":\"bridge\",\"name\":\"br-jumbo\",\"mtu\":9000}",
                "{\"kind\":\"vxlan\",\"name\":\"vx16777215\",\"master\":\"br-jumbo\",\"mtu\":9000,"
                "\"vni\":16777215,\"local\":\"198.51.100.1\",\"dstport\":4789}",
        };
        struct attachment at;
        struct netd_error err = {};

        /* Attachments come in network name order, whatever the bridges are called. */
        net_add_fabric(s, "jumbo", "192.0.2.0/25", 16777215, 9000, NULL);
        net_add_fabric(s, "bm", "192.0.2.128/25", 0, 9000, "baremetal");
        net_add_fabric(s, "abcdefghijklmnop", "203.0.113.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.1");
        attach(s, "jumbo", "hv1", NULL, NULL);
        attach(s, "bm", "hv1", NULL, NULL);
        assert_int_equal(attachment_set(s, "abcdefghijklmnop", "hv1", NULL, NULL, &at, &err), 0);
        assert_string_equal(at.bridge, "br-abcdefghijkl");
        assert_int_equal(strlen(at.bridge), IFNAME_MAX_LEN);
        assert_desired(s, "hv1", hv1, N(hv1));
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_desired_vxlan_three_hosts),
                T(test_desired_ipv6_underlay),
                T(test_desired_mtu_and_bridge_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
