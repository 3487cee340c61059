/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Networks: add, get, list and remove; every invalid spec; removal while
 * clusters use them; one VNI per network; boot settings and DHCP options;
 * network set, all or nothing, and its conflicts with allocations. */
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

/* ---- boot settings and DHCP options ------------------------------------ */

static void assert_option(const struct network *n, size_t i, enum dhcp_option_type type, const char *value) {
        assert_true(i < n->n_dhcp_options);
        assert_int_equal(n->dhcp_options[i].type, type);
        assert_string_equal(n->dhcp_options[i].value, value);
}

static void test_network_boot_and_options(void **state) {
        struct fixture *f = *state;
        const char *options[] = {"ntp-server=192.0.2.5,192.0.2.6", "domain-search=lab.example,example.com",
                                 "classless-static-route=198.51.100.0/24 via 192.0.2.1"};
        struct network_spec spec = {
                .name = "lab",
                .cidr = "192.0.2.0/24",
                .boot_file = "undionly.kpxe",
                .boot_file_efi = "ipxe.efi",
                .boot_server = "192.0.2.9",
                .tftp_root = f->dir,
                .ipxe_script = "http://192.0.2.9:8080/lab.ipxe",
                .dhcp_option = options,
                .n_dhcp_option = N(options),
        };
        struct network_spec uefi = {.name = "uefi", .cidr = "198.51.100.0/24", .boot_file_efi = "ipxe.efi"};
        _cleanup_network_ struct network *added = NULL, *got = NULL, *plain = NULL;
        struct netd_error err = {};
        struct network **l = NULL;
        size_t n = 0;

        assert_int_equal(network_add(f->s, &spec, &added, &err), 0);
        assert_int_equal(network_get(f->s, "lab", &got, &err), 0);
        assert_true(got->has_boot);
        assert_string_equal(got->boot.file, "undionly.kpxe");
        assert_string_equal(got->boot.file_efi, "ipxe.efi");
        assert_true(got->boot.has_server);
        assert_addr(&got->boot.server, "192.0.2.9");
        assert_string_equal(got->boot.tftp_root, f->dir);
        assert_string_equal(got->boot.ipxe_script, "http://192.0.2.9:8080/lab.ipxe");
        assert_int_equal(got->n_dhcp_options, 3);
        assert_option(got, 0, DHCP_OPTION_NTP_SERVER, "192.0.2.5,192.0.2.6");
        assert_option(got, 1, DHCP_OPTION_DOMAIN_SEARCH, "lab.example,example.com");
        assert_option(got, 2, DHCP_OPTION_CLASSLESS_STATIC_ROUTE, "198.51.100.0/24 via 192.0.2.1");
        assert_int_equal(added->n_dhcp_options, 3);

        /* One boot field is a boot setting; the others stay unset. */
        assert_int_equal(network_add(f->s, &uefi, NULL, &err), 0);
        net_add(f->s, "plain", "203.0.113.0/24", NULL);
        assert_int_equal(network_get(f->s, "plain", &plain, &err), 0);
        assert_false(plain->has_boot);
        assert_int_equal(plain->n_dhcp_options, 0);
        assert_null(plain->dhcp_options);

        assert_int_equal(network_list(f->s, &l, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(l[0]->name, "lab");
        assert_int_equal(l[0]->n_dhcp_options, 3);
        assert_true(l[0]->has_boot);
        assert_false(l[1]->has_boot);
        assert_true(l[2]->has_boot);
        assert_string_equal(l[2]->boot.file, "");
        assert_string_equal(l[2]->boot.file_efi, "ipxe.efi");
        assert_false(l[2]->boot.has_server);
        network_list_free(l, n);

        /* Boot and options go with their network. */
        assert_int_equal(network_remove(f->s, "lab", &err), 0);
        net_add(f->s, "lab", "192.0.2.0/24", NULL);
        network_free(got);
        got = NULL;
        assert_int_equal(network_get(f->s, "lab", &got, &err), 0);
        assert_false(got->has_boot);
        assert_int_equal(got->n_dhcp_options, 0);
}

static void test_network_boot_errors(void **state) {
        struct fixture *f = *state;
        const char *twice[] = {"ntp-server=192.0.2.5", "router=192.0.2.1", "ntp-server=192.0.2.6"};
        const char *unknown[] = {"hostname=evil"};
        const char *hostile[] = {"dns-server=192.0.2.1\ndhcp-option=3,6.6.6.6"};
        const char *route[] = {"classless-static-route=198.51.100.1/24 via 192.0.2.1"};
        const char *v6opt[] = {"ntp-server=192.0.2.5"};
        const struct bad_network cases[] = {
                {{.name = "lab6", .cidr = "2001:db8::/64", .boot_file = "undionly.kpxe"},
                 NETD_EINVALID,
                 "network lab6 is IPv6: DHCP boot and options are IPv4 settings"},
                {{.name = "lab6", .cidr = "2001:db8::/64", .dhcp_option = v6opt, .n_dhcp_option = 1},
                 NETD_EINVALID,
                 "network lab6 is IPv6: DHCP boot and options are IPv4 settings"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .boot_file = "../etc/shadow"},
                 NETD_EINVALID,
                 "network lab: boot file \"../etc/shadow\""},
                {{.name = "lab", .cidr = "192.0.2.0/24", .boot_file = "a b"},
                 NETD_EINVALID,
                 "network lab: boot file \"a b\""},
                {{.name = "lab", .cidr = "192.0.2.0/24", .boot_file_efi = "/ipxe.efi"},
                 NETD_EINVALID,
                 "network lab: UEFI boot file \"/ipxe.efi\" must be relative"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .boot_file = ""},
                 NETD_EINVALID,
                 "network lab: boot file is empty"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .boot_server = "2001:db8::1"},
                 NETD_EINVALID,
                 "network lab: boot server 2001:db8::1 is not an IPv4 address"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .boot_server = "server"},
                 NETD_EINVALID,
                 "network lab: boot server: \"server\" is not an IPv4 or IPv6 address"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .tftp_root = "srv/tftp"},
                 NETD_EINVALID,
                 "network lab: TFTP root \"srv/tftp\" must be an absolute path"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .tftp_root = "/nonexistent/netd-tftp"},
                 NETD_EINVALID,
                 "network lab: TFTP root /nonexistent/netd-tftp is not an existing directory"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .tftp_root = f->path},
                 NETD_EINVALID,
                 "is not a directory"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .tftp_root = "/"},
                 NETD_EINVALID,
                 "network lab: TFTP root / would serve the whole file system"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .tftp_root = "/tmp/../etc"},
                 NETD_EINVALID,
                 "network lab: TFTP root"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .ipxe_script = "ftp://192.0.2.9/x"},
                 NETD_EINVALID,
                 "network lab: iPXE script \"ftp://192.0.2.9/x\" must start with"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .ipxe_script = "http://h/x\nenable-tftp"},
                 NETD_EINVALID,
                 "network lab: iPXE script \"http://h/x\\x0aenable-tftp\""},
                {{.name = "lab", .cidr = "192.0.2.0/24", .ipxe_script = "http://h/x,y"},
                 NETD_EINVALID,
                 "network lab: iPXE script"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .dhcp_option = twice, .n_dhcp_option = 3},
                 NETD_EINVALID,
                 "network lab: DHCP option ntp-server is given twice"},
                {{.name = "lab", .cidr = "192.0.2.0/24", .dhcp_option = unknown, .n_dhcp_option = 1},
                 NETD_EINVALID,
                 "network lab: unknown DHCP option \"hostname\""},
                {{.name = "lab", .cidr = "192.0.2.0/24", .dhcp_option = hostile, .n_dhcp_option = 1},
                 NETD_EINVALID,
                 "network lab: DHCP option dns-server: \"192.0.2.1\\x0adhcp-option=3\""},
                {{.name = "lab", .cidr = "192.0.2.0/24", .dhcp_option = route, .n_dhcp_option = 1},
                 NETD_EINVALID,
                 "did you mean 198.51.100.0/24?"},
        };
        struct network **l;
        size_t n;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct netd_error err = {};
                struct network *ret = NULL;
                int r = network_add(f->s, &cases[i].spec, &ret, &err);

                if (r != cases[i].code || !strstr(err.message, cases[i].message) || strchr(err.message, '\n'))
                        fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, r, err.message, cases[i].code,
                                 cases[i].message);
                assert_null(ret);
        }
        struct netd_error err = {};
        assert_int_equal(network_list(f->s, &l, &n, &err), 0);
        assert_int_equal(n, 0);
        network_list_free(l, n);
}

/* ---- network set --------------------------------------------------------- */

static int set(struct store *s, const struct network_change *ch, struct network **ret,
               struct netd_error *err) {
        *err = (struct netd_error){};
        return network_set(s, ch, NULL, ret, err);
}

static void test_network_set_fields(void **state) {
        struct fixture *f = *state;
        struct store *s = f->s;
        _cleanup_network_ struct network *before = NULL, *after = NULL;
        struct network *n = NULL;
        struct netd_error err = {};
        char buf[2 * ADDR_STRLEN];

        lab_add(s);
        /* Nothing to change: the network as it is. */
        struct network_change nothing = {.name = "lab"};
        assert_int_equal(network_set(s, &nothing, &before, &after, &err), 0);
        assert_int_equal(after->mtu, 0);
        assert_int_equal(after->n_reserved, 1);

        /* MTU: a number in bounds, or none. */
        struct network_change mtu = {.name = "lab", .mtu = "1450"};
        assert_int_equal(set(s, &mtu, &n, &err), 0);
        assert_int_equal(n->mtu, 1450);
        network_free(n);
        const char *bad_mtu[] = {"67",  "65536", "abc", "-1", "", "1450 ", "0x100", "99999999999999999999",
                                 "None"};
        for (size_t i = 0; i < N(bad_mtu); i++) {
                mtu.mtu = bad_mtu[i];
                assert_error(set(s, &mtu, NULL, &err), &err, NETD_EINVALID, "network lab: MTU");
        }
        mtu.mtu = "67";
        assert_error(set(s, &mtu, NULL, &err), &err, NETD_EINVALID, "network lab: MTU 67 is not in 68-65535");
        mtu.mtu = "abc";
        assert_error(set(s, &mtu, NULL, &err), &err, NETD_EINVALID,
                     "network lab: MTU \"abc\" is not a number or \"none\"");
        mtu.mtu = "none";
        assert_int_equal(set(s, &mtu, &n, &err), 0);
        assert_int_equal(n->mtu, 0);
        network_free(n);

        /* DHCP range: inside the CIDR, or none. */
        struct network_change range = {.name = "lab", .dhcp_range = "192.0.2.200-192.0.2.250"};
        assert_int_equal(set(s, &range, &n, &err), 0);
        assert_true(n->has_dhcp_range);
        assert_string_equal(range_format(&n->dhcp_range, buf, sizeof(buf)), "192.0.2.200-192.0.2.250");
        network_free(n);
        range.dhcp_range = "192.0.2.200-192.0.3.10";
        assert_error(set(s, &range, NULL, &err), &err, NETD_EINVALID,
                     "network lab: DHCP range \"192.0.2.200-192.0.3.10\" is not inside 192.0.2.0/24");
        range.dhcp_range = "192.0.2.250-192.0.2.200";
        assert_error(set(s, &range, NULL, &err), &err, NETD_EINVALID, "the start is after the end");
        range.dhcp_range = "2001:db8::1-2001:db8::2";
        assert_error(set(s, &range, NULL, &err), &err, NETD_EINVALID, "network lab: DHCP range");
        range.dhcp_range = "none";
        assert_int_equal(set(s, &range, &n, &err), 0);
        assert_false(n->has_dhcp_range);
        network_free(n);

        /* Reserve: the given ranges replace the old ones; none given: none left. */
        const char *reserve[] = {"192.0.2.100-192.0.2.110", "192.0.2.2-192.0.2.3"};
        struct network_change res = {.name = "lab", .reserve = reserve, .n_reserve = 2, .has_reserve = true};
        assert_int_equal(set(s, &res, &n, &err), 0);
        assert_int_equal(n->n_reserved, 2);
        assert_string_equal(range_format(&n->reserved[0], buf, sizeof(buf)), "192.0.2.100-192.0.2.110");
        assert_string_equal(range_format(&n->reserved[1], buf, sizeof(buf)), "192.0.2.2-192.0.2.3");
        network_free(n);
        const char *outside[] = {"198.51.100.1-198.51.100.2"};
        res.reserve = outside;
        res.n_reserve = 1;
        assert_error(set(s, &res, NULL, &err), &err, NETD_EINVALID,
                     "network lab: reserve range \"198.51.100.1-198.51.100.2\" is not inside 192.0.2.0/24");
        res.n_reserve = 0;
        assert_int_equal(set(s, &res, &n, &err), 0);
        assert_int_equal(n->n_reserved, 0);
        network_free(n);
        /* The freed addresses are allocatable again, lowest first. */
        _cleanup_cluster_ struct cluster *c = alloc(s, "sno", NULL, -1, -1);
        assert_addr(&c->nodes[0].ip, "192.0.2.2");

        /* Unknown or invalid names. */
        struct network_change ghost = {.name = "ghost", .mtu = "1400"};
        assert_error(set(s, &ghost, NULL, &err), &err, NETD_ENOTFOUND, "network ghost not found");
        ghost.name = "Lab\n";
        assert_error(set(s, &ghost, NULL, &err), &err, NETD_EINVALID, "network name \"Lab\\x0a\"");
        ghost.name = NULL;
        assert_error(set(s, &ghost, NULL, &err), &err, NETD_EINVALID, "network name is missing");
}

static void test_network_set_boot_options(void **state) {
        struct fixture *f = *state;
        struct store *s = f->s;
        _cleanup_network_ struct network *before = NULL;
        struct network *n = NULL;
        struct netd_error err = {};

        lab_add(s);
        struct network_change boot = {
                .name = "lab", .boot_file = "undionly.kpxe", .ipxe_script = "http://h/a.ipxe"};
        assert_int_equal(set(s, &boot, &n, &err), 0);
        assert_true(n->has_boot);
        assert_string_equal(n->boot.file, "undionly.kpxe");
        assert_string_equal(n->boot.ipxe_script, "http://h/a.ipxe");
        network_free(n);

        /* Each field given is set; the others stay. */
        struct network_change more = {
                .name = "lab", .boot_server = "192.0.2.9", .tftp_root = f->dir, .boot_file_efi = "ipxe.efi"};
        assert_int_equal(network_set(s, &more, &before, &n, &err), 0);
        assert_false(before->boot.has_server);
        assert_string_equal(before->boot.file_efi, "");
        assert_string_equal(n->boot.file, "undionly.kpxe");
        assert_string_equal(n->boot.file_efi, "ipxe.efi");
        assert_addr(&n->boot.server, "192.0.2.9");
        assert_string_equal(n->boot.tftp_root, f->dir);
        assert_string_equal(n->boot.ipxe_script, "http://h/a.ipxe");
        network_free(n);

        /* --no-boot clears everything first, then what is given is set. */
        struct network_change renew = {.name = "lab", .no_boot = true, .ipxe_script = "https://h/b.ipxe"};
        assert_int_equal(set(s, &renew, &n, &err), 0);
        assert_true(n->has_boot);
        assert_string_equal(n->boot.file, "");
        assert_false(n->boot.has_server);
        assert_string_equal(n->boot.tftp_root, "");
        assert_string_equal(n->boot.ipxe_script, "https://h/b.ipxe");
        network_free(n);
        struct network_change none = {.name = "lab", .no_boot = true};
        assert_int_equal(set(s, &none, &n, &err), 0);
        assert_false(n->has_boot);
        network_free(n);

        /* Options: a new name goes last, a set name keeps its place. */
        const char *first[] = {"ntp-server=192.0.2.5", "router=192.0.2.1", "log-server=192.0.2.7"};
        struct network_change opts = {.name = "lab", .dhcp_option = first, .n_dhcp_option = 3};
        assert_int_equal(set(s, &opts, &n, &err), 0);
        assert_int_equal(n->n_dhcp_options, 3);
        network_free(n);
        const char *second[] = {"dns-server=192.0.2.53", "ntp-server=192.0.2.6,192.0.2.5"};
        const char *remove[] = {"router", "tftp-server"}; /* tftp-server is not set: nothing to do */
        struct network_change change = {.name = "lab",
                                        .dhcp_option = second,
                                        .n_dhcp_option = 2,
                                        .no_dhcp_option = remove,
                                        .n_no_dhcp_option = 2};
        assert_int_equal(set(s, &change, &n, &err), 0);
        assert_int_equal(n->n_dhcp_options, 3);
        assert_option(n, 0, DHCP_OPTION_NTP_SERVER, "192.0.2.6,192.0.2.5");
        assert_option(n, 1, DHCP_OPTION_LOG_SERVER, "192.0.2.7");
        assert_option(n, 2, DHCP_OPTION_DNS_SERVER, "192.0.2.53");
        network_free(n);

        /* Invalid changes, each refused whole. */
        const char *dup[] = {"router=192.0.2.1", "router=192.0.2.2"};
        const char *bad[] = {"router=192.0.2.1/24"};
        const char *v[] = {"router=192.0.2.1"};
        const char *unknown[] = {"hostname"};
        const char *log[] = {"log-server"};
        struct network_change invalid[] = {
                {.name = "lab", .dhcp_option = dup, .n_dhcp_option = 2},
                {.name = "lab", .dhcp_option = bad, .n_dhcp_option = 1},
                {.name = "lab", .no_dhcp_option = unknown, .n_no_dhcp_option = 1},
                {.name = "lab",
                 .dhcp_option = v,
                 .n_dhcp_option = 1,
                 .no_dhcp_option = (const char *[]){"router"},
                 .n_no_dhcp_option = 1},
                {.name = "lab", .boot_file = "../x", .no_dhcp_option = log, .n_no_dhcp_option = 1},
                {.name = "lab", .tftp_root = "/nonexistent/netd-tftp", .mtu = "1400"},
                {.name = "lab", .boot_server = "2001:db8::9"},
        };
        const char *messages[] = {
                "network lab: DHCP option router is given twice",
                "network lab: DHCP option router: \"192.0.2.1/24\" is not an IPv4 address",
                "network lab: unknown DHCP option \"hostname\"",
                "network lab: DHCP option router is both set and removed",
                "network lab: boot file \"../x\"",
                "network lab: TFTP root /nonexistent/netd-tftp is not an existing directory",
                "network lab: boot server 2001:db8::9 is not an IPv4 address",
        };
        for (size_t i = 0; i < N(invalid); i++)
                assert_error(set(s, &invalid[i], NULL, &err), &err, NETD_EINVALID, messages[i]);
        assert_int_equal(network_get(s, "lab", &n, &err), 0);
        assert_int_equal(n->mtu, 0);
        assert_false(n->has_boot);
        assert_int_equal(n->n_dhcp_options, 3);
        assert_option(n, 1, DHCP_OPTION_LOG_SERVER, "192.0.2.7");
        network_free(n);

        /* IPv6: no DHCP boot or options (yet); clearing them is harmless. */
        struct network_spec v6 = {.name = "lab6", .cidr = "2001:db8::/64"};
        assert_int_equal(network_add(s, &v6, NULL, &err), 0);
        struct network_change v6boot = {.name = "lab6", .ipxe_script = "http://h/a.ipxe"};
        assert_error(set(s, &v6boot, NULL, &err), &err, NETD_EINVALID,
                     "network lab6 is IPv6: DHCP boot and options are IPv4 settings");
        struct network_change v6opt = {.name = "lab6", .dhcp_option = v, .n_dhcp_option = 1};
        assert_error(set(s, &v6opt, NULL, &err), &err, NETD_EINVALID,
                     "network lab6 is IPv6: DHCP boot and options are IPv4 settings");
        struct network_change v6clear = {
                .name = "lab6", .no_boot = true, .no_dhcp_option = log, .n_no_dhcp_option = 1, .mtu = "1280"};
        assert_int_equal(set(s, &v6clear, &n, &err), 0);
        assert_int_equal(n->mtu, 1280);
        network_free(n);
        v6clear.mtu = "1279";
        assert_error(set(s, &v6clear, NULL, &err), &err, NETD_EINVALID,
                     "network lab6: MTU 1279 is not in 1280-65535");
}

static void test_network_set_conflicts(void **state) {
        struct fixture *f = *state;
        struct store *s = f->s;
        struct network *n = NULL;
        struct netd_error err = {};
        char name[16];

        lab_add(s);
        cluster_free(alloc(s, "sno", NULL, -1, -1));      /* .10 */
        cluster_free(alloc(s, "hub", "compact", -1, -1)); /* .11-.13, VIPs .14 .15 */

        const char *reserve[] = {"192.0.2.30-192.0.2.40", "192.0.2.10-192.0.2.20"};
        struct network_change res = {.name = "lab", .reserve = reserve, .n_reserve = 2, .has_reserve = true};
        assert_int_equal(set(s, &res, NULL, &err), NETD_ECONFLICT);
        assert_string_equal(err.message,
                            "network lab: 192.0.2.10-192.0.2.20 covers addresses allocated to "
                            "clusters sno (192.0.2.10), hub (192.0.2.11, 192.0.2.12, 192.0.2.13, ...)");

        struct network_change range = {.name = "lab", .dhcp_range = "192.0.2.13-192.0.2.15"};
        assert_int_equal(set(s, &range, NULL, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "network lab: 192.0.2.13-192.0.2.15 covers addresses allocated to "
                                         "cluster hub (192.0.2.13, 192.0.2.14, 192.0.2.15)");
        /* VIPs count as allocated. */
        range.dhcp_range = "192.0.2.15-192.0.2.15";
        assert_error(set(s, &range, NULL, &err), &err, NETD_ECONFLICT, "cluster hub (192.0.2.15)");

        /* A failed set changes nothing, whatever else it asked for. */
        const char *opt[] = {"ntp-server=192.0.2.5"};
        struct network_change all = {.name = "lab",
                                     .mtu = "1400",
                                     .dhcp_range = "192.0.2.200-192.0.2.250",
                                     .reserve = reserve,
                                     .n_reserve = 2,
                                     .has_reserve = true,
                                     .boot_file = "undionly.kpxe",
                                     .dhcp_option = opt,
                                     .n_dhcp_option = 1};
        assert_error(set(s, &all, NULL, &err), &err, NETD_ECONFLICT,
                     "covers addresses allocated to clusters");
        assert_int_equal(network_get(s, "lab", &n, &err), 0);
        assert_int_equal(n->mtu, 0);
        assert_false(n->has_dhcp_range);
        assert_int_equal(n->n_reserved, 1);
        assert_false(n->has_boot);
        assert_int_equal(n->n_dhcp_options, 0);
        network_free(n);

        /* Beside the allocations it is fine. */
        reserve[1] = "192.0.2.16-192.0.2.20";
        assert_int_equal(set(s, &all, &n, &err), 0);
        assert_int_equal(n->mtu, 1400);
        assert_int_equal(n->n_reserved, 2);
        assert_true(n->has_boot);
        assert_int_equal(n->n_dhcp_options, 1);
        network_free(n);
        _cleanup_cluster_ struct cluster *next = alloc(s, "next", NULL, -1, -1);
        assert_addr(&next->nodes[0].ip, "192.0.2.2");

        /* Many clusters: the first ones are named. */
        for (int i = 0; i < 4; i++) {
                snprintf(name, sizeof(name), "c%d", i);
                cluster_free(alloc(s, name, NULL, -1, -1)); /* .3 .4 .5 .6 */
        }
        const char *low[] = {"192.0.2.2-192.0.2.9"};
        res.reserve = low;
        res.n_reserve = 1;
        assert_int_equal(set(s, &res, NULL, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "network lab: 192.0.2.2-192.0.2.9 covers addresses allocated to "
                                         "clusters next (192.0.2.2), c0 (192.0.2.3), c1 (192.0.2.4), ...");
        assert_null(strchr(err.message, '\n'));
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_network_add_get_list_remove), T(test_network_errors),
                T(test_network_remove_in_use),       T(test_duplicate_vni),
                T(test_network_boot_and_options),    T(test_network_boot_errors),
                T(test_network_set_fields),          T(test_network_set_boot_options),
                T(test_network_set_conflicts),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
