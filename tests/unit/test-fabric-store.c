/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fabric's store: hosts, attachments, links, routes, the desired state
 * computed from them and the garbage queue, on a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/fabric.h"
#include "db/host.h"
#include "db/network.h"
#include "db/store.h"

#include "store-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-fabric");
}

/* ---- helpers ---- */

static void net_add(struct store *s, const char *name, const char *cidr, uint32_t vni, unsigned mtu,
                    const char *bridge) {
        struct network_spec spec = {.name = name,
                                    .cidr = cidr,
                                    .bridge = bridge,
                                    .has_vni = vni != 0,
                                    .vni = vni,
                                    .has_mtu = mtu != 0,
                                    .mtu = mtu};
        struct netd_error err = {};

        if (network_add(s, &spec, NULL, &err) < 0)
                fail_msg("network_add %s: %s", name, err.message);
}

static void host_new(struct store *s, const char *name, const char *underlay) {
        struct host_spec spec = {.name = name, .connect = "ip netns exec x", .underlay = underlay};
        struct netd_error err = {};

        if (host_add(s, &spec, NULL, &err) < 0)
                fail_msg("host_add %s: %s", name, err.message);
}

static void attach(struct store *s, const char *network, const char *host, const char *uplink,
                   const char *address) {
        struct netd_error err = {};

        if (attachment_set(s, network, host, uplink, address, NULL, &err) < 0)
                fail_msg("attach %s %s: %s", network, host, err.message);
}

static void detach(struct store *s, const char *network, const char *host) {
        struct netd_error err = {};

        if (attachment_remove(s, network, host, &err) < 0)
                fail_msg("detach %s %s: %s", network, host, err.message);
}

/* The agent protocol's text of an object: what the expectations are written in. */
static char *json_text(const struct fobj *o) {
        struct json_object *j = fobj_to_json(o);
        char *t;

        assert_non_null(j);
        t = strdup(
                json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(j);
        assert_non_null(t);
        return t;
}

/* Exactly these objects in this order, each of them valid. */
static void assert_objects(const struct fobj *objs, size_t n, const char *const *want, size_t n_want) {
        for (size_t i = 0; i < n && i < n_want; i++) {
                struct netd_error err = {};
                char *t = json_text(&objs[i]);

                if (!streq(t, want[i])) {
                        print_error("object %zu:\n  got  %s\n  want %s\n", i, t, want[i]);
                        free(t);
                        fail();
                }
                free(t);
                if (fobj_validate(&objs[i], &err) < 0)
                        fail_msg("object %zu is invalid: %s", i, err.message);
        }
        if (n != n_want) {
                for (size_t i = 0; i < n; i++) {
                        char *t = json_text(&objs[i]);

                        print_error("  %s\n", t);
                        free(t);
                }
                fail_msg("%zu objects, want %zu", n, n_want);
        }
}

static void assert_desired(struct store *s, const char *host, const char *const *want, size_t n_want) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        if (fabric_desired(s, host, &objs, &n, &err) < 0)
                fail_msg("fabric_desired %s: %s", host, err.message);
        assert_objects(objs, n, want, n_want);
        free(objs);
}

static void assert_garbage(struct store *s, const char *host, const char *const *want, size_t n_want) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        if (fabric_garbage_list(s, host, &objs, &n, &err) < 0)
                fail_msg("fabric_garbage_list %s: %s", host, err.message);
        assert_objects(objs, n, want, n_want);
        free(objs);
}

/* Confirm every queued object of `host` as deleted. */
static void garbage_clear(struct store *s, const char *host) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        assert_int_equal(fabric_garbage_list(s, host, &objs, &n, &err), 0);
        for (size_t i = 0; i < n; i++)
                if (fabric_garbage_done(s, host, &objs[i], &err) < 0)
                        fail_msg("fabric_garbage_done %s: %s", host, err.message);
        free(objs);
}

static size_t garbage_count(struct store *s, const char *host) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        assert_int_equal(fabric_garbage_list(s, host, &objs, &n, &err), 0);
        free(objs);
        return n;
}

/* `r` is `code` with a message containing `part`. */
static void assert_error(int r, const struct netd_error *err, int code, const char *part) {
        if (r != code || err->code != code || !strstr(err->message, part))
                fail_msg("got %d (%s) \"%s\", want %d (%s) with \"%s\"", r, error_code_name(r), err->message,
                         code, error_code_name(code), part);
}

#define N(a) ARRAY_SIZE(a)

/* ---- hosts ---- */

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

/* ---- attachments ---- */

static void test_attach_detach(void **state) {
        struct store *s = fixture_store(state);
        struct attachment at = {}, *l = NULL;
        struct netd_error err = {};
        char a[ADDR_STRLEN];
        size_t n = 0;
        int r;

        net_add(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        net_add(s, "infra", "203.0.113.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.11");
        host_new(s, "hv2", "198.51.100.12");

        assert_int_equal(attachment_set(s, "lab", "hv1", "eth1", "192.0.2.1/24", &at, &err), 0);
        assert_string_equal(at.network, "lab");
        assert_string_equal(at.host, "hv1");
        assert_string_equal(at.bridge, "br-lab");
        assert_string_equal(at.uplink, "eth1");
        assert_true(at.has_address);
        assert_string_equal(addr_format(&at.address, a, sizeof(a)), "192.0.2.1");
        assert_int_equal(at.prefixlen, 24);
        /* Again, the same: nothing changes, nothing is queued. */
        assert_int_equal(attachment_set(s, "lab", "hv1", "eth1", "192.0.2.1/24", NULL, &err), 0);
        assert_int_equal(garbage_count(s, "hv1"), 0);
        /* Other options update it; an address of another family is allowed. */
        assert_int_equal(attachment_set(s, "lab", "hv1", NULL, "2001:db8::1/64", &at, &err), 0);
        assert_string_equal(at.uplink, "");
        assert_string_equal(addr_format(&at.address, a, sizeof(a)), "2001:db8::1");
        assert_int_equal(at.prefixlen, 64);
        attach(s, "infra", "hv1", NULL, NULL);
        attach(s, "lab", "hv2", NULL, NULL);

        at = (struct attachment){};
        assert_int_equal(attachment_get(s, "infra", "hv1", &at, &err), 0);
        assert_string_equal(at.bridge, "br-infra");
        assert_false(at.has_address);
        assert_string_equal(at.uplink, "");

        assert_int_equal(attachment_list(s, "lab", &l, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(l[0].host, "hv1");
        assert_string_equal(l[1].host, "hv2");
        free(l);
        assert_int_equal(attachment_list(s, NULL, &l, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(l[0].network, "infra");
        assert_string_equal(l[1].network, "lab");
        assert_string_equal(l[1].host, "hv1");
        assert_string_equal(l[2].host, "hv2");
        free(l);

        detach(s, "lab", "hv1");
        r = attachment_get(s, "lab", "hv1", &at, &err);
        assert_error(r, &err, NETD_ENOTFOUND, "network lab is not attached to host hv1");
        err = (struct netd_error){};
        r = attachment_remove(s, "lab", "hv1", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "network lab is not attached to host hv1");
        assert_int_equal(attachment_list(s, "lab", &l, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(l[0].host, "hv2");
        free(l);
}

static void test_attach_errors(void **state) {
        struct store *s = fixture_store(state);
        const struct {
                const char *network, *host, *uplink, *address;
                int code;
                const char *part;
        } bad[] = {
                {"nope", "hv1", NULL, NULL, NETD_ENOTFOUND, "network nope not found"},
                {"lab", "nope", NULL, NULL, NETD_ENOTFOUND, "host nope not found"},
                {"Lab", "hv1", NULL, NULL, NETD_EINVALID, "network name"},
                {"lab", "hv1;x", NULL, NULL, NETD_EINVALID, "host name"},
                {"lab", "hv1", "eth1 eth2", NULL, NETD_EINVALID, "network lab on host hv1: uplink"},
                {"lab", "hv1", "averyveryverylongname", NULL, NETD_EINVALID, "uplink"},
                {"lab", "hv1", "", NULL, NETD_EINVALID, "uplink"},
                {"lab", "hv1", "br-lab", NULL, NETD_EINVALID, "a device of the network itself"},
                {"lab", "hv1", NULL, "192.0.2.1", NETD_EINVALID, "must be IP/PREFIX"},
                {"lab", "hv1", NULL, "192.0.2.1/33", NETD_EINVALID, "prefix length"},
                {"lab", "hv1", NULL, "192.0.2.1/0", NETD_EINVALID, "prefix length"},
                {"lab", "hv1", NULL, "192.0.2.1/2x", NETD_EINVALID, "prefix length"},
                {"lab", "hv1", NULL, "192.0.2.1/", NETD_EINVALID, "prefix length"},
                {"lab", "hv1", NULL, "2001:db8::1/129", NETD_EINVALID, "1-128"},
                {"lab", "hv1", NULL, "lab/24", NETD_EINVALID, "network lab on host hv1: address"},
                {"lab", "hv1", NULL, "/24", NETD_EINVALID, "address"},
        };
        struct attachment *l = NULL;
        struct netd_error err = {};
        size_t n = 0;

        net_add(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.11");
        for (size_t i = 0; i < N(bad); i++) {
                int r;

                err = (struct netd_error){};
                r = attachment_set(s, bad[i].network, bad[i].host, bad[i].uplink, bad[i].address, NULL, &err);
                if (r != bad[i].code || !strstr(err.message, bad[i].part))
                        fail_msg("bad attachment %zu: got %d \"%s\", want %d with \"%s\"", i, r, err.message,
                                 bad[i].code, bad[i].part);
        }
        assert_int_equal(attachment_list(s, NULL, &l, &n, &err), 0);
        assert_int_equal(n, 0);
        free(l);
        err = (struct netd_error){};
        assert_error(attachment_remove(s, "lab", "nope", &err), &err, NETD_ENOTFOUND, "host nope not found");
        err = (struct netd_error){};
        assert_error(attachment_remove(s, "nope", "hv1", &err), &err, NETD_ENOTFOUND,
                     "network nope not found");
}

/* Interface names are per host: two things on one host cannot share one. */
static void test_attach_name_clashes(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};
        int r;

        net_add(s, "lab", "192.0.2.0/24", 100, 0, "br0");
        net_add(s, "other", "198.51.100.0/24", 0, 0, "br0");
        net_add(s, "third", "203.0.113.0/24", 0, 0, "vx100");
        net_add(s, "fourth", "2001:db8::/64", 0, 0, NULL);
        host_new(s, "hv1", "2001:db8::11");
        host_new(s, "hv2", "2001:db8::12");
        attach(s, "lab", "hv1", "eth1", NULL);

        r = attachment_set(s, "other", "hv1", NULL, NULL, NULL, &err);
        assert_error(
                r, &err, NETD_ECONFLICT,
                "network other on host hv1: bridge br0 is already the bridge of network lab on host hv1");
        err = (struct netd_error){};
        r = attachment_set(s, "third", "hv1", NULL, NULL, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "bridge vx100 is already the VXLAN device of network lab");
        err = (struct netd_error){};
        r = attachment_set(s, "fourth", "hv1", "eth1", NULL, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "uplink eth1 is already the uplink of network lab");
        err = (struct netd_error){};
        r = attachment_set(s, "fourth", "hv1", "br0", NULL, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "uplink br0 is already the bridge of network lab");
        /* Re-attaching a network does not clash with itself; another host
         * has names of its own. */
        attach(s, "lab", "hv1", "eth1", NULL);
        attach(s, "other", "hv2", "eth1", NULL);
        attach(s, "fourth", "hv1", "eth2", NULL);
}

/* ---- the desired state ---- */

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

        net_add(s, "lab", "192.0.2.0/24", 100, 1450, NULL);
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
        assert_int_equal(fabric_desired(s, "hv4", &objs, &n, &err), 0);
        assert_int_equal(n, 0);
        free(objs);
        r = fabric_desired(s, "hv9", &objs, &n, &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv9 not found");
}

static void test_desired_ipv6_underlay(void **state) {
        struct store *s = fixture_store(state);
        const char *const hv6[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\"}",
                "{\"kind\":\"vxlan\",\"name\":\"vx7\",\"master\":\"br-lab\",\"vni\":7,\"local\":\"2001:db8::"
                "6\","
                "\"dstport\":4789}",
                "{\"kind\":\"fdb\",\"dev\":\"vx7\",\"remote\":\"2001:db8::7\"}",
        };
        const char *const hv1[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\"}",
                "{\"kind\":\"vxlan\",\"name\":\"vx7\",\"master\":\"br-lab\",\"vni\":7,\"local\":\"198.51.100."
                "1\","
                "\"dstport\":4789}",
                "{\"kind\":\"fdb\",\"dev\":\"vx7\",\"remote\":\"198.51.100.2\"}",
        };

        net_add(s, "lab", "192.0.2.0/24", 7, 0, NULL);
        host_new(s, "hv1", "198.51.100.1");
        host_new(s, "hv2", "198.51.100.2");
        host_new(s, "hv6", "2001:db8::6");
        host_new(s, "hv7", "2001:db8::7");
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "lab", "hv2", NULL, NULL);
        attach(s, "lab", "hv6", NULL, NULL);
        attach(s, "lab", "hv7", NULL, NULL);
        assert_desired(s, "hv6", hv6, N(hv6));
        assert_desired(s, "hv1", hv1, N(hv1));
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
        net_add(s, "jumbo", "192.0.2.0/25", 16777215, 9000, NULL);
        net_add(s, "bm", "192.0.2.128/25", 0, 9000, "baremetal");
        net_add(s, "abcdefghijklmnop", "203.0.113.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.1");
        attach(s, "jumbo", "hv1", NULL, NULL);
        attach(s, "bm", "hv1", NULL, NULL);
        assert_int_equal(attachment_set(s, "abcdefghijklmnop", "hv1", NULL, NULL, &at, &err), 0);
        assert_string_equal(at.bridge, "br-abcdefghijkl");
        assert_int_equal(strlen(at.bridge), IFNAME_MAX_LEN);
        assert_desired(s, "hv1", hv1, N(hv1));
}

static void test_links_and_routes(void **state) {
        struct store *s = fixture_store(state);
        const char *const hv1[] = {
                "{\"kind\":\"bridge\",\"name\":\"br-lab\"}",
                "{\"kind\":\"veth\",\"name\":\"patch0\",\"peer\":\"patch1\"}",
                "{\"kind\":\"veth\",\"name\":\"v-bm\",\"peer\":\"v-virbr\",\"master\":\"br-lab\","
                "\"peer_master\":\"virbr0\"}",
                "{\"kind\":\"route\",\"dev\":\"br-lab\",\"dst\":\"198.51.100.0/"
                "24\",\"gateway\":\"192.0.2.254\"}",
                "{\"kind\":\"route\",\"dst\":\"203.0.113.0/24\",\"gateway\":\"192.0.2.253\"}",
                "{\"kind\":\"route\",\"dst\":\"2001:db8:1::/48\",\"gateway\":\"2001:db8::1\"}",
        };
        const struct {
                const char *host, *kind, *name, *peer, *master, *peer_master;
                int code;
                const char *part;
        } bad[] = {
                {"hv1", "bridge", "x0", "x1", NULL, NULL, NETD_EINVALID, "kind \"bridge\" is not supported"},
                {"hv1", NULL, "x0", "x1", NULL, NULL, NETD_EINVALID, "is not supported"},
                {"hv1", "veth", "x0", "x0", NULL, NULL, NETD_EINVALID, "another name"},
                {"hv1", "veth", "x0", NULL, NULL, NULL, NETD_EINVALID, "peer is missing"},
                {"hv1", "veth", "x 0", "x1", NULL, NULL, NETD_EINVALID, "link name"},
                {"hv1", "veth", "x0", "x1;", NULL, NULL, NETD_EINVALID, "peer"},
                {"hv1", "veth", "x0", "x1", "averyverylongbridge", NULL, NETD_EINVALID, "master"},
                {"hv1", "veth", "x0", "x1", NULL, "x1", NETD_EINVALID, "cannot be a master"},
                {"nope", "veth", "x0", "x1", NULL, NULL, NETD_ENOTFOUND, "host nope not found"},
                /* Names taken by other links, as name or as peer. */
                {"hv1", "veth", "v-bm", "x1", NULL, NULL, NETD_EEXISTS,
                 "link v-bm already exists (peer v-virbr"},
                {"hv1", "veth", "v-bm", "v-virbr", "br-x", NULL, NETD_EEXISTS, "link v-bm already exists"},
                {"hv1", "veth", "x0", "v-virbr", NULL, NULL, NETD_EEXISTS,
                 "v-virbr is already an end of link v-bm"},
                {"hv1", "veth", "v-virbr", "x1", NULL, NULL, NETD_EEXISTS,
                 "v-virbr is already an end of link v-bm"},
                {"hv1", "veth", "patch1", "patch0", NULL, NULL, NETD_EEXISTS, "already"},
                /* Names of the attachments' devices. */
                {"hv1", "veth", "br-lab", "x1", NULL, NULL, NETD_ECONFLICT,
                 "br-lab is already the bridge of network lab"},
        };
        const struct {
                const char *host, *dest, *via, *dev;
                int code;
                const char *part;
        } bad_routes[] = {
                {"hv1", "198.51.100.1/24", "192.0.2.254", NULL, NETD_EINVALID, "route destination"},
                {"hv1", "198.51.100.0", "192.0.2.254", NULL, NETD_EINVALID, "route destination"},
                {"hv1", "198.51.100.0/24", "2001:db8::1", NULL, NETD_EINVALID,
                 "not of the destination's family"},
                {"hv1", "198.51.100.0/24", "gw", NULL, NETD_EINVALID, "route to 198.51.100.0/24"},
                {"hv1", "198.51.100.0/24", NULL, NULL, NETD_EINVALID, "a gateway (--via) is required"},
                {"hv1", "198.51.100.0/24", "192.0.2.254", "a b", NETD_EINVALID, "device"},
                {"nope", "198.51.100.0/24", "192.0.2.254", NULL, NETD_ENOTFOUND, "host nope not found"},
                {"hv1", "198.51.100.0/24", "192.0.2.1", "br-lab", NETD_ECONFLICT,
                 "route to 198.51.100.0/24 already exists (via 192.0.2.254 dev br-lab)"},
                {"hv1", "198.51.100.0/24", "192.0.2.254", NULL, NETD_ECONFLICT, "already exists"},
        };
        struct netd_error err = {};
        int r;

        net_add(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        host_new(s, "hv1", "198.51.100.1");
        host_new(s, "hv2", "198.51.100.2");
        attach(s, "lab", "hv1", NULL, NULL);
        assert_int_equal(link_add(s, "hv1", "veth", "v-bm", "v-virbr", "br-lab", "virbr0", &err), 0);
        assert_int_equal(link_add(s, "hv1", "veth", "patch0", "patch1", NULL, NULL, &err), 0);
        /* The same link again changes nothing. */
        assert_int_equal(link_add(s, "hv1", "veth", "v-bm", "v-virbr", "br-lab", "virbr0", &err), 0);
        /* Names are per host. */
        assert_int_equal(link_add(s, "hv2", "veth", "v-bm", "v-virbr", NULL, NULL, &err), 0);
        assert_int_equal(route_add(s, "hv1", "198.51.100.0/24", "192.0.2.254", "br-lab", &err), 0);
        assert_int_equal(route_add(s, "hv1", "2001:db8:1::/48", "2001:db8::1", NULL, &err), 0);
        assert_int_equal(route_add(s, "hv1", "203.0.113.0/24", "192.0.2.253", NULL, &err), 0);
        assert_int_equal(route_add(s, "hv1", "198.51.100.0/24", "192.0.2.254", "br-lab", &err), 0);

        for (size_t i = 0; i < N(bad); i++) {
                err = (struct netd_error){};
                r = link_add(s, bad[i].host, bad[i].kind, bad[i].name, bad[i].peer, bad[i].master,
                             bad[i].peer_master, &err);
                if (r != bad[i].code || !strstr(err.message, bad[i].part))
                        fail_msg("bad link %zu: got %d \"%s\", want %d with \"%s\"", i, r, err.message,
                                 bad[i].code, bad[i].part);
        }
        for (size_t i = 0; i < N(bad_routes); i++) {
                err = (struct netd_error){};
                r = route_add(s, bad_routes[i].host, bad_routes[i].dest, bad_routes[i].via, bad_routes[i].dev,
                              &err);
                if (r != bad_routes[i].code || !strstr(err.message, bad_routes[i].part))
                        fail_msg("bad route %zu: got %d \"%s\", want %d with \"%s\"", i, r, err.message,
                                 bad_routes[i].code, bad_routes[i].part);
        }
        assert_desired(s, "hv1", hv1, N(hv1));

        /* A network whose bridge a link already uses cannot be attached. */
        net_add(s, "patch", "203.0.113.0/24", 0, 0, "patch1");
        err = (struct netd_error){};
        r = attachment_set(s, "patch", "hv1", NULL, NULL, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "bridge patch1 is already an end of link patch0");

        err = (struct netd_error){};
        r = link_remove(s, "hv1", "nope0", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 has no link nope0");
        err = (struct netd_error){};
        r = link_remove(s, "hv1", "patch1", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "patch1 is the peer of link patch0");
        err = (struct netd_error){};
        r = route_remove(s, "hv1", "192.0.2.0/24", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 has no route to 192.0.2.0/24");
        err = (struct netd_error){};
        r = route_remove(s, "hv1", "192.0.2.1/24", &err);
        assert_error(r, &err, NETD_EINVALID, "route destination");
}

/* ---- garbage ---- */

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

        net_add(s, "lab", "192.0.2.0/24", 100, 0, NULL);
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
        assert_int_equal(fabric_garbage_done(s, "hv1", &stranger, &err), 0);
        err = (struct netd_error){};
        assert_error(fabric_garbage_done(s, "nope", &stranger, &err), &err, NETD_ENOTFOUND, "host nope");

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

        net_add(s, "lab", "192.0.2.0/24", 0, 0, NULL);
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

/* ---- removal and uniqueness ---- */

static void test_host_remove_in_use(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;
        int r;

        net_add(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        net_add(s, "infra", "203.0.113.0/24", 0, 0, NULL);
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
        assert_int_equal(fabric_garbage_list(s, "hv1", &objs, &n, &err), 0);
        assert_int_equal(n, 0);
        free(objs);
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

/* A database of schema 1 with networks gains the fabric tables. */
static void test_migration_from_v1(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        sqlite3 *db;

        net_add(f->s, "lab", "192.0.2.0/24", 100, 0, NULL);
        store_close(f->s);
        f->s = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db,
                                      "DROP TABLE fabric_garbage; DROP TABLE routes; DROP TABLE links;"
                                      " DROP TABLE attachments; DROP TABLE hosts; DROP INDEX networks_vni;"
                                      " PRAGMA user_version = 1",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        assert_int_equal(store_open(f->path, &f->s, &err), 0);
        host_new(f->s, "hv1", "198.51.100.1");
        attach(f->s, "lab", "hv1", NULL, NULL);
        struct network_spec dup = {.name = "b", .cidr = "198.51.100.0/24", .has_vni = true, .vni = 100};
        assert_int_equal(network_add(f->s, &dup, NULL, &err), NETD_ECONFLICT);
        assert_int_equal(garbage_count(f->s, "hv1"), 0);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_host_crud),
                T(test_host_validation),
                T(test_attach_detach),
                T(test_attach_errors),
                T(test_attach_name_clashes),
                T(test_desired_vxlan_three_hosts),
                T(test_desired_ipv6_underlay),
                T(test_desired_mtu_and_bridge_names),
                T(test_links_and_routes),
                T(test_garbage_on_detach),
                T(test_garbage_on_update_link_route),
                T(test_host_remove_in_use),
                T(test_duplicate_vni),
                T(test_migration_from_v1),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
