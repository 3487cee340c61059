/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Static routes: add (idempotent), invalid specs, conflicts, remove. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-route");
}

/* Routes on a host with an attachment and links: invalid specs and
 * conflicts leave the desired state as it was. */
static void test_routes(void **state) {
        struct store *s = fixture_store(state);
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

        links_and_routes_add(s);
        for (size_t i = 0; i < N(bad_routes); i++) {
                err = (struct netd_error){};
                r = route_add(s, bad_routes[i].host, bad_routes[i].dest, bad_routes[i].via, bad_routes[i].dev,
                              &err);
                if (r != bad_routes[i].code || !strstr(err.message, bad_routes[i].part))
                        fail_msg("bad route %zu: got %d \"%s\", want %d with \"%s\"", i, r, err.message,
                                 bad_routes[i].code, bad_routes[i].part);
        }
        links_and_routes_assert_desired(s);

        err = (struct netd_error){};
        r = route_remove(s, "hv1", "192.0.2.0/24", &err);
        assert_error(r, &err, NETD_ENOTFOUND, "host hv1 has no route to 192.0.2.0/24");
        err = (struct netd_error){};
        r = route_remove(s, "hv1", "192.0.2.1/24", &err);
        assert_error(r, &err, NETD_EINVALID, "route destination");
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_routes),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
