/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network attachments: set (idempotent, or an update), get, list and
 * remove; invalid input; interface names taken on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-attachment");
}

static void test_attach_detach(void **state) {
        struct store *s = fixture_store(state);
        struct attachment at = {}, *l = NULL;
        struct netd_error err = {};
        char a[ADDR_STRLEN];
        size_t n = 0;
        int r;

        net_add_fabric(s, "lab", "192.0.2.0/24", 0, 0, NULL);
        net_add_fabric(s, "infra", "203.0.113.0/24", 0, 0, NULL);
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

        net_add_fabric(s, "lab", "192.0.2.0/24", 0, 0, NULL);
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

        net_add_fabric(s, "lab", "192.0.2.0/24", 100, 0, "br0");
        net_add_fabric(s, "other", "198.51.100.0/24", 0, 0, "br0");
        net_add_fabric(s, "third", "203.0.113.0/24", 0, 0, "vx100");
        net_add_fabric(s, "fourth", "2001:db8::/64", 0, 0, NULL);
        host_new2(s, "hv1", "198.51.100.11", "2001:db8::11");
        host_new2(s, "hv2", "198.51.100.12", "2001:db8::12");
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

/* A veth patch on the network's bridge holds the detach back (nothing
 * changes); forced, the link goes too, and what the host loses is said. */
static void test_detach_links(void **state) {
        struct store *s = fixture_store(state);
        struct netd_error err = {};
        struct fobj *removed = NULL, *objs = NULL;
        size_t n = 0, n_before = 0, n_after = 0;
        char label[128];
        int r;

        net_add_fabric(s, "lab", "192.0.2.0/24", 100, 0, "brlab");
        net_add_fabric(s, "other", "203.0.113.0/24", 0, 0, "brother");
        host_new(s, "hv1", "198.51.100.11");
        host_new(s, "hv2", "198.51.100.12");
        attach(s, "lab", "hv1", NULL, NULL);
        attach(s, "lab", "hv2", NULL, NULL);
        attach(s, "other", "hv1", NULL, NULL);
        assert_int_equal(link_add(s, "hv1", "veth", "vlv", "vbm", "brother", "brlab", &err), 0);
        assert_int_equal(desired_list(s, "hv1", &objs, &n_before, &err), 0);
        free(objs);

        r = attachment_remove(s, "lab", "hv1", &err);
        assert_error(r, &err, NETD_ECONFLICT,
                     "network lab on host hv1: bridge brlab carries link vlv (peer vbm); remove it first");
        err = (struct netd_error){};
        r = attachment_detach(s, "other", "hv1", false, &removed, &n, &err);
        assert_error(r, &err, NETD_ECONFLICT, "bridge brother carries link vlv (peer vbm)");
        /* Nothing changed: still attached, the same desired state, no queue. */
        assert_int_equal(desired_list(s, "hv1", &objs, &n_after, &err), 0);
        free(objs);
        assert_int_equal(n_after, n_before);
        assert_int_equal(garbage_count(s, "hv1"), 0);

        err = (struct netd_error){};
        assert_int_equal(attachment_detach(s, "lab", "hv1", true, &removed, &n, &err), 0);
        /* Dependents first: the flood entry, the VXLAN device, the link, the bridge. */
        assert_int_equal(n, 4);
        assert_string_equal(fobj_label(&removed[0], label, sizeof(label)), "fdb 198.51.100.12 on vx100");
        assert_string_equal(fobj_label(&removed[1], label, sizeof(label)), "vx100");
        assert_string_equal(fobj_label(&removed[2], label, sizeof(label)), "vlv peer vbm");
        assert_string_equal(fobj_label(&removed[3], label, sizeof(label)), "brlab");
        free(removed);
        r = link_remove(s, "hv1", "vlv", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 has no link vlv");
        /* brother is now free of links: an ordinary detach. */
        err = (struct netd_error){};
        assert_int_equal(attachment_detach(s, "other", "hv1", false, &removed, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(removed[0].kind, FOBJ_BRIDGE);
        free(removed);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_attach_detach),
                T(test_attach_errors),
                T(test_attach_name_clashes),
                T(test_detach_links),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
