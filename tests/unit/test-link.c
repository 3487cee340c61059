/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Veth links: add (idempotent), invalid specs, names taken by other links
 * or by an attachment's devices, remove. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-link");
}

/* Links on a host with an attachment and routes: invalid specs and names
 * taken leave the desired state as it was. */
static void test_links(void **state) {
        struct store *s = fixture_store(state);
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
        struct netd_error err = {};
        int r;

        links_and_routes_add(s);
        for (size_t i = 0; i < N(bad); i++) {
                err = (struct netd_error){};
                r = link_add(s, bad[i].host, bad[i].kind, bad[i].name, bad[i].peer, bad[i].master,
                             bad[i].peer_master, &err);
                if (r != bad[i].code || !strstr(err.message, bad[i].part))
                        fail_msg("bad link %zu: got %d \"%s\", want %d with \"%s\"", i, r, err.message,
                                 bad[i].code, bad[i].part);
        }
        links_and_routes_assert_desired(s);

        /* A network whose bridge a link already uses cannot be attached. */
        net_add_fabric(s, "patch", "203.0.113.0/24", 0, 0, "patch1");
        err = (struct netd_error){};
        r = attachment_set(s, "patch", "hv1", NULL, NULL, NULL, &err);
        assert_error(r, &err, NETD_ECONFLICT, "bridge patch1 is already an end of link patch0");

        err = (struct netd_error){};
        r = link_remove(s, "hv1", "nope0", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 has no link nope0");
        err = (struct netd_error){};
        r = link_remove(s, "hv1", "patch1", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "patch1 is the peer of link patch0");
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_links),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
