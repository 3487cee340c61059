/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the tests of what netd keeps on hosts: hosts, attachments,
 * links, routes, the desired state and the removal queue. Objects are
 * compared as the agent protocol's JSON text. */
#pragma once

#include <stdint.h>

#include "db/attachment.h"
#include "db/desired.h"
#include "db/garbage.h"
#include "db/host.h"
#include "db/link.h"
#include "db/network.h"
#include "db/route.h"
#include "store-fixture.h"

/* A network with the fabric's attributes (0 and NULL: none). */
static inline void net_add_fabric(struct store *s, const char *name, const char *cidr, uint32_t vni,
                                  unsigned mtu, const char *bridge) {
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

/* A network with a VNI whose VXLAN runs over `family` ("ipv4", "ipv6"). */
static inline void net_add_underlay(struct store *s, const char *name, const char *cidr, uint32_t vni,
                                    const char *family) {
        struct network_spec spec = {
                .name = name, .cidr = cidr, .has_vni = true, .vni = vni, .underlay_family = family};
        struct netd_error err = {};

        if (network_add(s, &spec, NULL, &err) < 0)
                fail_msg("network_add %s: %s", name, err.message);
}

/* A host with one underlay, or two (`underlay6` non-NULL). */
static inline void host_new2(struct store *s, const char *name, const char *underlay, const char *underlay6) {
        const char *underlays[] = {underlay, underlay6};
        struct host_spec spec = {.name = name,
                                 .connect = "ip netns exec x",
                                 .underlays = underlays,
                                 .n_underlays = underlay6 ? 2 : 1};
        struct netd_error err = {};

        if (host_add(s, &spec, NULL, &err) < 0)
                fail_msg("host_add %s: %s", name, err.message);
}

static inline void host_new(struct store *s, const char *name, const char *underlay) {
        host_new2(s, name, underlay, NULL);
}

static inline void attach(struct store *s, const char *network, const char *host, const char *uplink,
                          const char *address) {
        struct netd_error err = {};

        if (attachment_set(s, network, host, uplink, address, NULL, &err) < 0)
                fail_msg("attach %s %s: %s", network, host, err.message);
}

static inline void detach(struct store *s, const char *network, const char *host) {
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
static inline void assert_objects(const struct fobj *objs, size_t n, const char *const *want, size_t n_want) {
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

static inline void assert_desired(struct store *s, const char *host, const char *const *want, size_t n_want) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        if (desired_list(s, host, &objs, &n, &err) < 0)
                fail_msg("desired_list %s: %s", host, err.message);
        assert_objects(objs, n, want, n_want);
        free(objs);
}

static inline void assert_garbage(struct store *s, const char *host, const char *const *want, size_t n_want) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        if (garbage_list(s, host, &objs, &n, &err) < 0)
                fail_msg("garbage_list %s: %s", host, err.message);
        assert_objects(objs, n, want, n_want);
        free(objs);
}

/* Confirm every queued object of `host` as deleted. */
static inline void garbage_clear(struct store *s, const char *host) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        assert_int_equal(garbage_list(s, host, &objs, &n, &err), 0);
        for (size_t i = 0; i < n; i++)
                if (garbage_done(s, host, &objs[i], &err) < 0)
                        fail_msg("garbage_done %s: %s", host, err.message);
        free(objs);
}

static inline size_t garbage_count(struct store *s, const char *host) {
        struct netd_error err = {};
        struct fobj *objs = NULL;
        size_t n = 0;

        assert_int_equal(garbage_list(s, host, &objs, &n, &err), 0);
        free(objs);
        return n;
}

/* The lab of test-link.c and test-route.c: network lab attached to hv1, two
 * veth links and three routes on hv1 (one of them twice), a link on hv2. */
static inline void links_and_routes_add(struct store *s) {
        struct netd_error err = {};

        net_add_fabric(s, "lab", "192.0.2.0/24", 0, 0, NULL);
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
}

/* What hv1 of links_and_routes_add() desires, whatever failed since. */
static inline void links_and_routes_assert_desired(struct store *s) {
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

        assert_desired(s, "hv1", hv1, N(hv1));
}
