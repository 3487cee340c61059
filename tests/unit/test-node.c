/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Day-2 nodes: one node allocated (role from its name, MAC given or
 * generated) and released, down to a cluster without nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster-fixture.h"
#include "db/node.h"
#include "netd/core/mac.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-node");
}

static void test_day2(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_cluster_ struct cluster *c = NULL, *sno = NULL;
        struct cluster *r = NULL;
        const struct node *nd;
        struct netd_error err = {};
        bool created = false;
        mac_t mac;

        lab_add(s);
        c = alloc(s, "c", "mno", -1, -1);    /* .10-.14 nodes, .15 .16 VIPs */
        sno = alloc(s, "sno", NULL, -1, -1); /* .17 */

        assert_int_equal(node_allocate(s, "c", "worker-2", NULL, &r, &created, &err), 0);
        assert_true(created);
        assert_int_equal(r->n_nodes, 6);
        nd = cluster_find_node(r, "worker-2");
        assert_non_null(nd);
        assert_string_equal(nd->role, "worker");
        assert_addr(&nd->ip, "192.0.2.18");
        assert_string_equal(r->nodes[5].name, "worker-2");
        assert_int_equal(r->workers, 2); /* the counts stay as requested */
        mac = nd->mac;
        cluster_free(r);

        /* Again, with no MAC or the same MAC: idempotent. */
        assert_int_equal(node_allocate(s, "c", "worker-2", NULL, &r, &created, &err), 0);
        assert_false(created);
        assert_int_equal(cluster_find_node(r, "worker-2")->mac, mac);
        cluster_free(r);
        char m[MAC_STRLEN];
        mac_format(mac, m, sizeof(m));
        assert_int_equal(node_allocate(s, "c", "worker-2", m, &r, &created, &err), 0);
        assert_false(created);
        cluster_free(r);
        assert_int_equal(node_allocate(s, "c", "worker-2", "52:54:00:12:34:56", &r, &created, &err),
                         NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "cluster c: node worker-2 already exists with MAC"));

        /* Role from the name; a given MAC used elsewhere is a conflict. */
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "c", "master-3", "52:54:00:12:34:56", &r, &created, &err), 0);
        assert_string_equal(cluster_find_node(r, "master-3")->role, "master");
        assert_string_equal(r->nodes[3].name, "master-3");
        cluster_free(r);
        assert_int_equal(node_allocate(s, "c", "infra-0", NULL, &r, &created, &err), 0);
        assert_string_equal(cluster_find_node(r, "infra-0")->role, "worker");
        cluster_free(r);
        assert_int_equal(node_allocate(s, "sno", "worker-0", "52:54:00:12:34:56", &r, &created, &err),
                         NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster sno: MAC 52:54:00:12:34:56 for worker-0 is already used by "
                                         "node master-3 of cluster c");
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "c", "Worker-9", NULL, &r, &created, &err), NETD_EINVALID);
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "c", "worker-9", "zz", &r, &created, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "cluster c: node worker-9: MAC \"zz\""));
        err = (struct netd_error){};
        assert_int_equal(node_allocate(s, "nope", "worker-0", NULL, &r, &created, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 8 + 3);

        /* Release: *ret is the cluster as it was. */
        err = (struct netd_error){};
        assert_int_equal(node_release(s, "c", "worker-2", &r, &err), 0);
        assert_non_null(cluster_find_node(r, "worker-2"));
        cluster_free(r);
        assert_int_equal(cluster_get(s, "c", &r, &err), 0);
        assert_null(cluster_find_node(r, "worker-2"));
        assert_int_equal(r->n_nodes, 7);
        cluster_free(r);
        assert_int_equal(node_release(s, "c", "worker-2", &r, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster c has no node worker-2");
        assert_true(allocated_count(s) == 8 + 2);

        /* sno keeps master-0: its address is the VIP. */
        err = (struct netd_error){};
        assert_int_equal(node_release(s, "sno", "master-0", &r, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "release the cluster instead"));
        /* Other clusters may drop their last node. */
        for (size_t i = 0; i < c->n_nodes; i++)
                assert_int_equal(node_release(s, "c", c->nodes[i].name, NULL, &err), 0);
        assert_int_equal(node_release(s, "c", "master-3", NULL, &err), 0);
        assert_int_equal(node_release(s, "c", "infra-0", NULL, &err), 0);
        assert_int_equal(cluster_get(s, "c", &r, &err), 0);
        assert_int_equal(r->n_nodes, 0);
        assert_addr(&r->api_vip, "192.0.2.15");
        cluster_free(r);

        assert_int_equal(cluster_release(s, "c", &r, &err), 0);
        assert_string_equal(r->name, "c");
        assert_int_equal(r->n_nodes, 0);
        cluster_free(r);
        assert_int_equal(cluster_release(s, "c", &r, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 1);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_day2),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
