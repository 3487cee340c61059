/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts: add, get, list and remove; validation of every field; removal
 * refused while anything is kept on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-host");
}

static void test_host_crud(void **state) {
        struct store *s = fixture_store(state);
        struct host_spec spec = {.name = "hv1",
                                 .connect = "ssh -o BatchMode=yes root@hv1",
                                 .underlay = "198.51.100.11",
                                 .libvirt = "qemu+ssh://root@hv1/system",
                                 .bmc = "hv1-bmc.lab.example:623"};
        struct host_spec local = {.name = "jump", .connect = CONNECT_LOCAL, .underlay = "2001:db8::1"};
        struct host_spec other = {.name = "hv2", .connect = "local", .underlay = "198.51.100.11"};
        _cleanup_host_ struct host *added = NULL, *got = NULL;
        struct netd_error err = {};
        struct host **l = NULL;
        char a[ADDR_STRLEN];
        size_t n = 0;
        int r;

        assert_int_equal(host_add(s, &spec, &added, &err), 0);
        assert_string_equal(added->name, "hv1");
        assert_int_equal(host_get(s, "hv1", &got, &err), 0);
        assert_string_equal(got->connect, "ssh -o BatchMode=yes root@hv1");
        assert_string_equal(addr_format(&got->underlay, a, sizeof(a)), "198.51.100.11");
        assert_string_equal(got->libvirt, "qemu+ssh://root@hv1/system");
        assert_string_equal(got->bmc, "hv1-bmc.lab.example:623");

        r = host_add(s, &spec, NULL, &err);
        assert_error(r, &err, NETD_EEXISTS, "host hv1 already exists");
        err = (struct netd_error){};
        r = host_add(s, &other, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "198.51.100.11 is already used by host hv1");

        assert_int_equal(host_add(s, &local, NULL, &err), 0);
        assert_int_equal(host_list(s, &l, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(l[0]->name, "hv1");
        assert_string_equal(l[1]->name, "jump");
        assert_string_equal(l[1]->connect, "local");
        assert_string_equal(addr_format(&l[1]->underlay, a, sizeof(a)), "2001:db8::1");
        assert_string_equal(l[1]->libvirt, "");
        assert_string_equal(l[1]->bmc, "");
        host_list_free(l, n);

        assert_int_equal(host_remove(s, "hv1", &err), 0);
        host_free(got);
        got = NULL;
        err = (struct netd_error){};
        r = host_get(s, "hv1", &got, &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 not found");
        err = (struct netd_error){};
        r = host_remove(s, "hv1", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 not found");
        /* The underlay address is free again. */
        assert_int_equal(host_add(s, &other, NULL, &err), 0);
}

static void test_host_validation(void **state) {
        struct store *s = fixture_store(state);
        char long_connect[CONNECT_MAX_LEN + 2];
        const struct {
                struct host_spec spec;
                const char *part;
        } bad[] = {
                {{.name = "HV1", .connect = "local", .underlay = "198.51.100.1"}, "host name"},
                {{.name = "hv_1", .connect = "local", .underlay = "198.51.100.1"}, "host name"},
                {{.name = "-hv", .connect = "local", .underlay = "198.51.100.1"}, "host name"},
                {{.name = "hv1\n", .connect = "local", .underlay = "198.51.100.1"}, "\\x0a"},
                {{.name = "hv1;rm", .connect = "local", .underlay = "198.51.100.1"}, "host name"},
                {{.name = NULL, .connect = "local", .underlay = "198.51.100.1"}, "host name is missing"},
                {{.name = "hv1", .connect = NULL, .underlay = "198.51.100.1"}, "connect command is missing"},
                {{.name = "hv1", .connect = "", .underlay = "198.51.100.1"}, "connect command is empty"},
                {{.name = "hv1", .connect = "ssh hv1\nreboot", .underlay = "198.51.100.1"},
                 "\\x0a at position 8"},
                {{.name = "hv1", .connect = "ssh\thv1", .underlay = "198.51.100.1"}, "printable ASCII"},
                {{.name = "hv1", .connect = "ssh \x1b[2Jhv1", .underlay = "198.51.100.1"}, "printable ASCII"},
                {{.name = "hv1", .connect = "ssh h\xc3\xa9", .underlay = "198.51.100.1"}, "printable ASCII"},
                {{.name = "hv1", .connect = long_connect, .underlay = "198.51.100.1"}, "too long"},
                {{.name = "hv1", .connect = "local", .underlay = NULL}, "underlay address is missing"},
                {{.name = "hv1", .connect = "local", .underlay = "hv1"}, "underlay address"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.300"}, "underlay address"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.0/24"}, "underlay address"},
                {{.name = "hv1", .connect = "local", .underlay = "0.0.0.0"}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", .underlay = "224.0.0.1"}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", .underlay = "ff02::1"}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", .underlay = "::"}, "not a unicast address"},
                {{.name = "hv1",
                  .connect = "local",
                  .underlay = "198.51.100.1",
                  .libvirt = "qemu:///system x"},
                 "must not contain spaces"},
                {{.name = "hv1",
                  .connect = "local",
                  .underlay = "198.51.100.1",
                  .libvirt = "qemu:///sys\ntem"},
                 "printable ASCII"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .libvirt = ""},
                 "libvirt URI is empty"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc1"},
                 "expected HOST:PORT"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc1:"}, "the port"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc1:0"},
                 "the port"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc1:65536"},
                 "the port"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc1:62a3"},
                 "the port"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc1:+623"},
                 "the port"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = ":623"},
                 "expected HOST:PORT"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc_1:623"},
                 "neither a domain name nor an IP address"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "bmc 1:623"},
                 "neither a domain name nor an IP address"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "198.51.100.300:623"},
                 "is not an IPv4 address"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "2001:db8::1:623"},
                 "goes in brackets"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "[2001:db8::1]623"},
                 "expected [IPV6]:PORT"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "[198.51.100.1]:623"},
                 "not an IPv6 address"},
                {{.name = "hv1", .connect = "local", .underlay = "198.51.100.1", .bmc = "[]:623"},
                 "expected [IPV6]:PORT"},
        };
        const struct host_spec good[] = {
                {.name = "a", .connect = "local", .underlay = "198.51.100.1", .bmc = "[2001:db8::1]:623"},
                {.name = "b", .connect = "local", .underlay = "198.51.100.2", .bmc = "198.51.100.200:8000"},
                {.name = "c", .connect = "local", .underlay = "198.51.100.3", .bmc = "bmc.lab.example:65535"},
                {.name = "d",
                 .connect = "ip netns exec d",
                 .underlay = "2001:db8::d",
                 .libvirt = "test:///default"},
        };
        struct netd_error err = {};
        struct host **l = NULL;
        size_t n = 0;

        memset(long_connect, 'x', sizeof(long_connect) - 1);
        long_connect[sizeof(long_connect) - 1] = '\0';
        for (size_t i = 0; i < N(bad); i++) {
                int r;

                err = (struct netd_error){};
                r = host_add(s, &bad[i].spec, NULL, &err);
                if (r != NETD_EINVALID || !strstr(err.message, bad[i].part))
                        fail_msg("bad host %zu: got %d \"%s\", want invalid with \"%s\"", i, r, err.message,
                                 bad[i].part);
        }
        /* A message never carries the raw control character. */
        err = (struct netd_error){};
        assert_int_equal(host_add(s, &bad[8].spec, NULL, &err), NETD_EINVALID);
        assert_null(strchr(err.message, '\n'));

        for (size_t i = 0; i < N(good); i++)
                if (host_add(s, &good[i], NULL, &err) < 0)
                        fail_msg("good host %zu: %s", i, err.message);
        /* Exactly 1024 characters is fine. */
        long_connect[CONNECT_MAX_LEN] = '\0';
        struct host_spec longest = {.name = "e", .connect = long_connect, .underlay = "198.51.100.5"};
        assert_int_equal(host_add(s, &longest, NULL, &err), 0);

        assert_int_equal(host_list(s, &l, &n, &err), 0);
        assert_int_equal(n, N(good) + 1);
        assert_string_equal(l[4]->connect, long_connect);
        host_list_free(l, n);
}

static void test_host_remove_in_use(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;
        int r;

        net_add_fabric(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        net_add_fabric(s, "infra", "203.0.113.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.11");
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "infra", "hv1", NULL, NULL);
        assert_int_equal(link_add(s, "hv1", "veth", "v0", "v1", NULL, NULL, &err), 0);
        assert_int_equal(route_add(s, "hv1", "198.51.100.0/24", "192.0.2.254", NULL, &err), 0);

        r = host_remove(s, "hv1", &err);
        assert_error(r, &err, NETD_ECONFLICT,
                     "host hv1 is in use: attached to 2 networks (infra, lab), 1 link, 1 route");
        /* A network attached somewhere stays. */
        err = (struct netd_error){};
        r = network_remove(s, "lab", &err);
        assert_int_equal(r, NETD_ECONFLICT);

        detach(s, "lab", "hv1");
        detach(s, "infra", "hv1");
        err = (struct netd_error){};
        r = host_remove(s, "hv1", &err);
        assert_error(r, &err, NETD_ECONFLICT, "host hv1 is in use: 1 link, 1 route;");
        assert_int_equal(link_remove(s, "hv1", "v0", &err), 0);
        err = (struct netd_error){};
        r = host_remove(s, "hv1", &err);
        assert_error(r, &err, NETD_ECONFLICT, "host hv1 is in use: 1 route;");
        assert_int_equal(route_remove(s, "hv1", "198.51.100.0/24", &err), 0);
        assert_true(garbage_count(s, "hv1") > 0);
        assert_int_equal(host_remove(s, "hv1", &err), 0);
        assert_int_equal(network_remove(s, "lab", &err), 0);

        /* A new host of the same name inherits no queue. */
        host_new(s, "hv1", "198.51.100.11");
        assert_int_equal(garbage_list(s, "hv1", &objs, &n, &err), 0);
        assert_int_equal(n, 0);
        free(objs);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_host_crud),
                T(test_host_validation),
                T(test_host_remove_in_use),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
