/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Networks: add, get, list and remove; every invalid spec; removal while
 * clusters use them; one VNI per network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cluster-fixture.h"
#include "netd/core/prefix.h"
#include "netd/core/range.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-network");
}

struct bad_network {
        struct network_spec spec;
        int code;
        const char *message; /* a part of the message */
};

static void test_network_add_get_list_remove(void **state) {
        struct store *s = fixture_store(state);
        const char *reserve[] = {"192.0.2.2-192.0.2.9", "192.0.2.200-192.0.2.210"};
        struct network_spec spec = {
                .name = "lab",
                .cidr = "192.0.2.0/24",
                .domain = "lab.example",
                .interface = "eth1",
                .reserve = reserve,
                .n_reserve = 2,
                .dhcp_range = "192.0.2.100-192.0.2.150",
                .bridge = "br-lab",
                .has_vni = true,
                .vni = 100,
                .has_mtu = true,
                .mtu = 1450,
        };
        _cleanup_network_ struct network *added = NULL, *got = NULL, *v6 = NULL;
        struct netd_error err = {};
        struct network **l = NULL;
        char buf[2 * ADDR_STRLEN];
        size_t n = 0;

        (void)state;
        assert_int_equal(network_add(s, &spec, &added, &err), 0);
        assert_string_equal(added->name, "lab");
        assert_int_equal(network_get(s, "lab", &got, &err), 0);
        assert_string_equal(prefix_format(&got->cidr, buf, sizeof(buf)), "192.0.2.0/24");
        assert_addr(&got->gateway, "192.0.2.1");
        assert_string_equal(got->domain, "lab.example");
        assert_string_equal(got->interface, "eth1");
        assert_string_equal(got->bridge, "br-lab");
        assert_true(got->has_vni);
        assert_int_equal(got->vni, 100);
        assert_int_equal(got->mtu, 1450);
        assert_int_equal(got->n_reserved, 2);
        assert_string_equal(range_format(&got->reserved[0], buf, sizeof(buf)), "192.0.2.2-192.0.2.9");
        assert_string_equal(range_format(&got->reserved[1], buf, sizeof(buf)), "192.0.2.200-192.0.2.210");
        assert_true(got->has_dhcp_range);
        assert_string_equal(range_format(&got->dhcp_range, buf, sizeof(buf)), "192.0.2.100-192.0.2.150");

        /* Defaults: gateway = first usable, domain lab.internal, nothing else. */
        struct network_spec minimal = {.name = "alpha", .cidr = "2001:db8::/64", .gateway = "2001:db8::fffe"};
        assert_int_equal(network_add(s, &minimal, &v6, &err), 0);
        assert_addr(&v6->gateway, "2001:db8::fffe");
        assert_string_equal(v6->domain, DEFAULT_DOMAIN);
        assert_string_equal(v6->interface, "");
        assert_string_equal(v6->bridge, "");
        assert_false(v6->has_vni);
        assert_int_equal(v6->mtu, 0);
        assert_int_equal(v6->n_reserved, 0);
        assert_false(v6->has_dhcp_range);
        net_add(s, "lab2", "198.51.100.0/24", NULL);

        assert_int_equal(network_list(s, &l, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(l[0]->name, "alpha");
        assert_string_equal(l[1]->name, "lab");
        assert_string_equal(l[2]->name, "lab2");
        assert_int_equal(l[1]->n_reserved, 2);
        network_list_free(l, n);

        assert_int_equal(network_remove(s, "lab2", &err), 0);
        network_free(got);
        got = NULL;
        assert_int_equal(network_get(s, "lab2", &got, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "network lab2 not found");
        err = (struct netd_error){};
        assert_int_equal(network_remove(s, "lab2", &err), NETD_ENOTFOUND);
        err = (struct netd_error){};
        assert_int_equal(network_get(s, "Lab\n", &got, &err), NETD_EINVALID);
        assert_null(strchr(err.message, '\n'));
        assert_int_equal(network_list(s, &l, &n, &err), 0);
        assert_int_equal(n, 2);
        network_list_free(l, n);
}

static void test_network_errors(void **state) {
        struct store *s = fixture_store(state);
        const char *outside[] = {"192.0.2.250-192.0.3.1"};
        const char *reversed[] = {"192.0.2.9-192.0.2.2"};
        const char *junk[] = {"192.0.2.9"};
        const struct bad_network cases[] = {
                {{.name = "lab", .cidr = "192.0.2.0/24"}, NETD_EEXISTS, "network lab already exists"},
                {{.name = "lab2", .cidr = "192.0.2.0/25"},
                 NETD_ECONFLICT,
                 "network lab2: 192.0.2.0/25 overlaps network lab (192.0.2.0/24)"},
                {{.name = "lab2", .cidr = "0.0.0.0/0"},
                 NETD_ECONFLICT,
                 "overlaps network lab (192.0.2.0/24)"},
                {{.name = "Lab2", .cidr = "198.51.100.0/24"}, NETD_EINVALID, "network name \"Lab2\""},
                {{.name = "", .cidr = "198.51.100.0/24"}, NETD_EINVALID, "network name is empty"},
                {{.name = "lab2"}, NETD_EINVALID, "network lab2: a CIDR is required"},
                {{.name = "lab2", .cidr = "198.51.100.1/24"}, NETD_EINVALID, "did you mean 198.51.100.0/24?"},
                {{.name = "lab2", .cidr = "198.51.100.0/33"}, NETD_EINVALID, "network lab2: prefix"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .gateway = "203.0.113.1"},
                 NETD_EINVALID,
                 "gateway 203.0.113.1 is not a usable host address of 198.51.100.0/24"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .gateway = "198.51.100.0"},
                 NETD_EINVALID,
                 "gateway 198.51.100.0 is not a usable"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .gateway = "198.51.100.255"},
                 NETD_EINVALID,
                 "gateway 198.51.100.255 is not a usable"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .gateway = "2001:db8::1"},
                 NETD_EINVALID,
                 "gateway"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .gateway = "x"},
                 NETD_EINVALID,
                 "network lab2: gateway"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .domain = "Lab..x"},
                 NETD_EINVALID,
                 "network lab2: domain"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .interface = "eth0\n"},
                 NETD_EINVALID,
                 "network lab2: interface \"eth0\\x0a\""},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .bridge = "br-this-is-too-long"},
                 NETD_EINVALID,
                 "network lab2: bridge"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .reserve = outside, .n_reserve = 1},
                 NETD_EINVALID,
                 "is not inside 198.51.100.0/24"},
                {{.name = "lab2", .cidr = "192.0.2.0/24", .reserve = reversed, .n_reserve = 1},
                 NETD_EINVALID,
                 "start is after the end"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .reserve = junk, .n_reserve = 1},
                 NETD_EINVALID,
                 "network lab2: reserve range \"192.0.2.9\": expected START-END"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .dhcp_range = "198.51.100.10-198.51.101.10"},
                 NETD_EINVALID,
                 "network lab2: DHCP range"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .dhcp_range = "2001:db8::1-2001:db8::2"},
                 NETD_EINVALID,
                 "network lab2: DHCP range"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .has_vni = true, .vni = 0},
                 NETD_EINVALID,
                 "VNI 0"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .has_vni = true, .vni = 16777216},
                 NETD_EINVALID,
                 "VNI 16777216 is not in 1-16777215"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .has_mtu = true, .mtu = 67},
                 NETD_EINVALID,
                 "MTU 67"},
                {{.name = "lab2", .cidr = "198.51.100.0/24", .has_mtu = true, .mtu = 65536},
                 NETD_EINVALID,
                 "MTU 65536"},
                {{.name = "lab6", .cidr = "2001:db8::/64", .has_mtu = true, .mtu = 1279},
                 NETD_EINVALID,
                 "MTU 1279 is not in 1280-65535"},
                {{.name = "lab6", .cidr = "2001:db8::/128", .gateway = "2001:db8::"},
                 NETD_EINVALID,
                 "is not a usable host address"},
        };
        struct network **l;
        size_t n;

        lab_add(s);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct netd_error err = {};
                struct network *ret = NULL;
                int r = network_add(s, &cases[i].spec, &ret, &err);

                if (r != cases[i].code || !strstr(err.message, cases[i].message))
                        fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, r, err.message, cases[i].code,
                                 cases[i].message);
                assert_null(ret);
        }
        struct netd_error err = {};
        assert_int_equal(network_list(s, &l, &n, &err), 0);
        assert_int_equal(n, 1);
        network_list_free(l, n);

        /* Bounds that are fine. */
        net_add(s, "edge", "203.0.113.0/31", NULL);
        struct network_spec ok6 = {.name = "lab6",
                                   .cidr = "2001:db8::/64",
                                   .has_mtu = true,
                                   .mtu = 1280,
                                   .has_vni = true,
                                   .vni = 16777215,
                                   .dhcp_range = "2001:db8::1000-2001:db8::1fff"};
        assert_int_equal(network_add(s, &ok6, NULL, &err), 0);
        /* A network without a usable address is allowed; it has no gateway. */
        struct network_spec host = {.name = "host6", .cidr = "2001:db8:1::1/128"};
        _cleanup_network_ struct network *h = NULL;
        assert_int_equal(network_add(s, &host, &h, &err), 0);
        assert_int_equal(h->gateway.family, 0);
}

static void test_network_remove_in_use(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};
        char name[16];

        lab_add(s);
        for (int i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "c%d", i);
                cluster_free(alloc(s, name, NULL, -1, -1));
        }
        assert_int_equal(network_remove(s, "lab", &err), NETD_ECONFLICT);
        assert_string_equal(err.message,
                            "network lab is used by 5 clusters (c0, c1, c2, ...); release them first");
        for (int i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "c%d", i);
                assert_int_equal(cluster_release(s, name, NULL, &err), 0);
        }
        assert_int_equal(network_remove(s, "lab", &err), 0);
        /* The released history went with the network: a new one starts afresh. */
        lab_add(s);
        _cleanup_cluster_ struct cluster *c = alloc(s, "again", NULL, -1, -1);
        assert_addr(&c->nodes[0].ip, "192.0.2.10");
}

static void test_duplicate_vni(void **state) {
        struct fixture *f = *state;
        struct network_spec a = {.name = "a", .cidr = "192.0.2.0/24", .has_vni = true, .vni = 100};
        struct network_spec b = {.name = "b", .cidr = "198.51.100.0/24", .has_vni = true, .vni = 100};
        struct network_spec c = {.name = "c", .cidr = "203.0.113.0/24"};
        struct network_spec d = {.name = "d", .cidr = "2001:db8::/64"};
        struct netd_error err = {};
        struct network **l = NULL;
        size_t n = 0;
        sqlite3 *db;
        int r;

        assert_int_equal(network_add(f->s, &a, NULL, &err), 0);
        r = network_add(f->s, &b, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "network b: VNI 100 is already used by network a");
        /* Networks without a VNI do not clash with each other. */
        assert_int_equal(network_add(f->s, &c, NULL, &err), 0);
        assert_int_equal(network_add(f->s, &d, NULL, &err), 0);
        b.vni = 101;
        assert_int_equal(network_add(f->s, &b, NULL, &err), 0);
        assert_int_equal(network_list(f->s, &l, &n, &err), 0);
        assert_int_equal(n, 4);
        network_list_free(l, n);

        /* The schema holds the rule too, whatever the code does. */
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "UPDATE networks SET vni = 100 WHERE name = 'b'", NULL, NULL, NULL),
                         SQLITE_CONSTRAINT);
        assert_int_equal(sqlite3_exec(db, "UPDATE networks SET vni = 102 WHERE name = 'b'", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_network_add_get_list_remove),
                T(test_network_errors),
                T(test_network_remove_in_use),
                T(test_duplicate_vni),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
