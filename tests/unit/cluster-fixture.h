/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the tests of networks, clusters, nodes and the address pool:
 * the usual lab network and clusters allocated in it. */
#pragma once

#include "db/capacity.h"
#include "db/cluster.h"
#include "db/network.h"
#include "store-fixture.h"

static inline void net_add(struct store *s, const char *name, const char *cidr, const char *reserve) {
        struct network_spec spec = {.name = name, .cidr = cidr, .domain = "lab.example"};
        struct netd_error err = {};

        if (reserve) {
                spec.reserve = &reserve;
                spec.n_reserve = 1;
        }
        if (network_add(s, &spec, NULL, &err) < 0)
                fail_msg("network_add %s: %s", name, err.message);
}

/* The usual lab: 192.0.2.0/24, gateway .1, .2-.9 reserved: the first node
 * gets .10. */
static inline void lab_add(struct store *s) {
        net_add(s, "lab", "192.0.2.0/24", "192.0.2.2-192.0.2.9");
}

static inline struct cluster *alloc_spec(struct store *s, const struct cluster_spec *spec,
                                         bool want_created) {
        struct netd_error err = {};
        struct cluster *c = NULL;
        bool created = !want_created;

        if (cluster_allocate(s, spec, &c, &created, &err) < 0)
                fail_msg("cluster_allocate %s: %s", spec->name, err.message);
        assert_int_equal(created, want_created);
        return c;
}

static inline struct cluster *alloc(struct store *s, const char *name, const char *topology, int masters,
                                    int workers) {
        struct cluster_spec spec = {
                .name = name, .topology = topology, .masters = masters, .workers = workers};

        return alloc_spec(s, &spec, true);
}

static inline int alloc_fail(struct store *s, const struct cluster_spec *spec, struct netd_error *err) {
        struct cluster *c = NULL;
        bool created = false;
        int r = cluster_allocate(s, spec, &c, &created, err);

        assert_true(r < 0);
        assert_null(c);
        assert_int_equal(err->code, r);
        return r;
}

static inline u128 allocated_count(struct store *s) {
        struct netd_error err = {};
        struct capacity lab;

        assert_int_equal(capacity_report(s, NULL, 0, NULL, NULL, &lab, &err), 0);
        return lab.allocated;
}

static inline void assert_node(const struct cluster *c, size_t i, const char *name, const char *role,
                               const char *ip) {
        assert_true(i < c->n_nodes);
        assert_string_equal(c->nodes[i].name, name);
        assert_string_equal(c->nodes[i].role, role);
        assert_addr(&c->nodes[i].ip, ip);
        /* Generated MACs: 52:54:00:xx:xx:xx. */
        assert_true(c->nodes[i].mac >> 24 == 0x525400);
}
