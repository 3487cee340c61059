/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts: add, get, list and remove; validation of every field; removal
 * refused while anything is kept on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

/* One underlay in a host_spec or host_change. */
#define U(a) .underlays = (const char *const[]){a}, .n_underlays = 1
#define U2(a, b) .underlays = (const char *const[]){a, b}, .n_underlays = 2

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-host");
}

static void test_host_crud(void **state) {
        struct store *s = fixture_store(state);
        struct host_spec spec = {.name = "hv1",
                                 .connect = "ssh -o BatchMode=yes root@hv1",
                                 U("198.51.100.11"),
                                 .libvirt = "qemu+ssh://root@hv1/system",
                                 .bmc = "hv1-bmc.lab.example:623"};
        struct host_spec local = {.name = "jump", .connect = CONNECT_LOCAL, U("2001:db8::1")};
        struct host_spec other = {.name = "hv2", .connect = "local", U("198.51.100.11")};
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
        assert_string_equal(addr_format(&got->underlay[HOST_UNDERLAY_IPV4], a, sizeof(a)), "198.51.100.11");
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
        assert_string_equal(addr_format(&l[1]->underlay[HOST_UNDERLAY_IPV6], a, sizeof(a)), "2001:db8::1");
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
                {{.name = "HV1", .connect = "local", U("198.51.100.1")}, "host name"},
                {{.name = "hv_1", .connect = "local", U("198.51.100.1")}, "host name"},
                {{.name = "-hv", .connect = "local", U("198.51.100.1")}, "host name"},
                {{.name = "hv1\n", .connect = "local", U("198.51.100.1")}, "\\x0a"},
                {{.name = "hv1;rm", .connect = "local", U("198.51.100.1")}, "host name"},
                {{.name = NULL, .connect = "local", U("198.51.100.1")}, "host name is missing"},
                {{.name = "hv1", .connect = NULL, U("198.51.100.1")}, "connect command is missing"},
                {{.name = "hv1", .connect = "", U("198.51.100.1")}, "connect command is empty"},
                {{.name = "hv1", .connect = "ssh hv1\nreboot", U("198.51.100.1")}, "\\x0a at position 8"},
                {{.name = "hv1", .connect = "ssh\thv1", U("198.51.100.1")}, "printable ASCII"},
                {{.name = "hv1", .connect = "ssh \x1b[2Jhv1", U("198.51.100.1")}, "printable ASCII"},
                {{.name = "hv1", .connect = "ssh h\xc3\xa9", U("198.51.100.1")}, "printable ASCII"},
                {{.name = "hv1", .connect = long_connect, U("198.51.100.1")}, "too long"},
                {{.name = "hv1", .connect = "local", .n_underlays = 0}, "underlay address is missing"},
                {{.name = "hv1", .connect = "local", U("hv1")}, "underlay address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.300")}, "underlay address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.0/24")}, "underlay address"},
                {{.name = "hv1", .connect = "local", U("0.0.0.0")}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", U("224.0.0.1")}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", U("ff02::1")}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", U("::")}, "not a unicast address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .libvirt = "qemu:///system x"},
                 "must not contain spaces"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .libvirt = "qemu:///sys\ntem"},
                 "printable ASCII"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .libvirt = ""},
                 "libvirt URI is empty"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc1"}, "expected HOST:PORT"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc1:"}, "the port"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc1:0"}, "the port"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc1:65536"}, "the port"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc1:62a3"}, "the port"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc1:+623"}, "the port"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = ":623"}, "expected HOST:PORT"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc_1:623"},
                 "neither a domain name nor an IP address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "bmc 1:623"},
                 "neither a domain name nor an IP address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "198.51.100.300:623"},
                 "is not an IPv4 address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "2001:db8::1:623"},
                 "goes in brackets"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "[2001:db8::1]623"},
                 "expected [IPV6]:PORT"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "[198.51.100.1]:623"},
                 "not an IPv6 address"},
                {{.name = "hv1", .connect = "local", U("198.51.100.1"), .bmc = "[]:623"},
                 "expected [IPV6]:PORT"},
        };
        const struct host_spec good[] = {
                {.name = "a", .connect = "local", U("198.51.100.1"), .bmc = "[2001:db8::1]:623"},
                {.name = "b", .connect = "local", U("198.51.100.2"), .bmc = "198.51.100.200:8000"},
                {.name = "c", .connect = "local", U("198.51.100.3"), .bmc = "bmc.lab.example:65535"},
                {.name = "d", .connect = "ip netns exec d", U("2001:db8::d"), .libvirt = "test:///default"},
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
        struct host_spec longest = {.name = "e", .connect = long_connect, U("198.51.100.5")};
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

/* Two underlays, one per family; the agent's program. */
static void test_host_underlays_agent(void **state) {
        struct store *s = fixture_store(state);
        struct host_spec two = {.name = "hv1",
                                .connect = "ssh hv1",
                                .agent = "/opt/netd/bin/netd",
                                U2("2001:db8::11", "198.51.100.11")};
        struct host_spec taken6 = {.name = "hv2", .connect = "local", U2("198.51.100.12", "2001:db8::11")};
        _cleanup_host_ struct host *h = NULL, *plain = NULL;
        struct netd_error err = {};
        char a[ADDR_STRLEN];
        int r;
        const struct {
                struct host_spec spec;
                const char *part;
        } bad[] = {
                {{.name = "x", .connect = "local", U2("198.51.100.1", "198.51.100.2")},
                 "two ipv4 underlay addresses (198.51.100.1 and 198.51.100.2)"},
                {{.name = "x", .connect = "local", U2("2001:db8::1", "2001:db8::2")}, "two ipv6 underlay"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = ""}, "agent path is empty"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "bin/netd"}, "absolute path"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "/opt/../netd"}, "\"..\""},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "/opt/netd;reboot"},
                 "only the"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "net d"}, "only the"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "$PATH/netd"}, "only the"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "-oProxyCommand=x"},
                 "only the"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "-x"}, "absolute path"},
                {{.name = "x", .connect = "local", U("198.51.100.1"), .agent = "/opt/netd/"},
                 "absolute path"},
        };

        for (size_t i = 0; i < N(bad); i++) {
                err = (struct netd_error){};
                r = host_add(s, &bad[i].spec, NULL, &err);
                if (r != NETD_EINVALID || !strstr(err.message, bad[i].part))
                        fail_msg("bad host %zu: got %d \"%s\", want invalid with \"%s\"", i, r, err.message,
                                 bad[i].part);
        }
        err = (struct netd_error){};
        assert_int_equal(host_add(s, &two, &h, &err), 0);
        assert_string_equal(addr_format(&h->underlay[HOST_UNDERLAY_IPV4], a, sizeof(a)), "198.51.100.11");
        assert_string_equal(addr_format(&h->underlay[HOST_UNDERLAY_IPV6], a, sizeof(a)), "2001:db8::11");
        assert_string_equal(h->agent, "/opt/netd/bin/netd");
        r = host_add(s, &taken6, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT,
                     "host hv2: underlay address 2001:db8::11 is already used by host hv1");

        /* The default agent is "netd"; one family alone is fine. */
        struct host_spec one = {.name = "hv3", .connect = "local", U("2001:db8::13")};
        assert_int_equal(host_add(s, &one, &plain, &err), 0);
        assert_string_equal(plain->agent, "netd");
        assert_int_equal(plain->underlay[HOST_UNDERLAY_IPV4].family, 0);
}

/* host set: each field alone, "none", nothing changed on a refusal. */
static void test_host_set(void **state) {
        struct store *s = fixture_store(state);
        struct host_spec spec = {.name = "hv1",
                                 .connect = "ssh hv1",
                                 U("198.51.100.11"),
                                 .libvirt = "qemu+ssh://hv1/system",
                                 .bmc = "bmc1:623"};
        struct host_spec other = {.name = "hv2", .connect = "local", U2("198.51.100.12", "2001:db8::12")};
        _cleanup_host_ struct host *before = NULL, *after = NULL, *again = NULL;
        struct netd_error err = {};
        char a[ADDR_STRLEN];
        int r;

        assert_int_equal(host_add(s, &spec, NULL, &err), 0);
        assert_int_equal(host_add(s, &other, NULL, &err), 0);

        struct host_spec agent = {.name = "hv1", .agent = "/usr/local/bin/netd", .libvirt = "none"};
        assert_int_equal(host_set(s, &agent, &before, &after, &err), 0);
        assert_string_equal(before->agent, "netd");
        assert_string_equal(before->libvirt, "qemu+ssh://hv1/system");
        assert_string_equal(after->agent, "/usr/local/bin/netd");
        assert_string_equal(after->libvirt, "");
        assert_string_equal(after->connect, "ssh hv1");
        assert_string_equal(after->bmc, "bmc1:623");

        /* An IPv6 underlay joins the IPv4 one; a new IPv4 one replaces it. */
        struct host_spec v6 = {.name = "hv1",
                               U2("2001:db8::11", "198.51.100.21"),
                               .bmc = "none",
                               .connect = "ssh -p 2222 hv1"};
        assert_int_equal(host_set(s, &v6, NULL, &again, &err), 0);
        assert_string_equal(addr_format(&again->underlay[HOST_UNDERLAY_IPV4], a, sizeof(a)), "198.51.100.21");
        assert_string_equal(addr_format(&again->underlay[HOST_UNDERLAY_IPV6], a, sizeof(a)), "2001:db8::11");
        assert_string_equal(again->bmc, "");
        assert_string_equal(again->connect, "ssh -p 2222 hv1");

        /* Refusals change nothing. */
        const struct {
                struct host_spec change;
                int code;
                const char *part;
        } bad[] = {
                {{.name = "hv1", U("2001:db8::12"), .agent = "/x"},
                 NETD_ECONFLICT,
                 "already used by host hv2"},
                {{.name = "hv1", U("198.51.100.12")},
                 NETD_ECONFLICT,
                 "198.51.100.12 is already used by host hv2"},
                {{.name = "hv1", .agent = "a b"}, NETD_EINVALID, "agent path"},
                {{.name = "hv1", .connect = "ssh\nx"}, NETD_EINVALID, "printable"},
                {{.name = "hv1", .bmc = "nope"}, NETD_EINVALID, "BMC address"},
                {{.name = "hv1", .libvirt = "a b"}, NETD_EINVALID, "libvirt URI"},
                {{.name = "hv1", U2("198.51.100.1", "198.51.100.2")}, NETD_EINVALID, "two ipv4"},
                {{.name = "hv9", .agent = "/x"}, NETD_ENOTFOUND, "host hv9 not found"},
        };
        for (size_t i = 0; i < N(bad); i++) {
                _cleanup_host_ struct host *now = NULL;

                err = (struct netd_error){};
                r = host_set(s, &bad[i].change, NULL, NULL, &err);
                if (r != bad[i].code || !strstr(err.message, bad[i].part))
                        fail_msg("bad change %zu: got %d \"%s\", want %d with \"%s\"", i, r, err.message,
                                 bad[i].code, bad[i].part);
                assert_int_equal(host_get(s, "hv1", &now, &err), 0);
                assert_memory_equal(now, again, sizeof(*now));
        }
}

/* A changed underlay moves the VXLAN's local address on its host and the
 * flood entries of every other host; the old entries are queued. */
static void test_host_set_underlay_follows(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        net_add_fabric(s, "lab", "192.0.2.0/24", 100, 0, NULL);
        host_new(s, "hv1", "198.51.100.11");
        host_new(s, "hv2", "198.51.100.12");
        host_new(s, "hv3", "198.51.100.13");
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "lab", "hv2", NULL, NULL);

        struct host_spec move = {.name = "hv1", U("198.51.100.21")};
        assert_int_equal(host_set(s, &move, NULL, NULL, &err), 0);
        assert_int_equal(desired_list(s, "hv2", &objs, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(objs[2].kind, FOBJ_FDB);
        assert_addr(&objs[2].addr, "198.51.100.21");
        free(objs);
        assert_int_equal(garbage_list(s, "hv2", &objs, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(objs[0].kind, FOBJ_FDB);
        assert_addr(&objs[0].addr, "198.51.100.11");
        free(objs);
        assert_int_equal(desired_list(s, "hv1", &objs, &n, &err), 0);
        assert_int_equal(objs[1].kind, FOBJ_VXLAN);
        assert_addr(&objs[1].local, "198.51.100.21");
        free(objs);
        /* hv3 shares no network: nothing queued. */
        assert_int_equal(garbage_count(s, "hv3"), 0);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_host_crud),          T(test_host_validation),
                T(test_host_remove_in_use), T(test_host_underlays_agent),
                T(test_host_set),           T(test_host_set_underlay_follows),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
