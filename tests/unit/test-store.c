/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/capacity.h"
#include "db/cluster.h"
#include "db/network.h"
#include "db/store.h"

#include "store-fixture.h"
#include "netd/core/range.h"
#include "netd/core/prefix.h"
#include "netd/core/mac.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-store");
}

static void assert_addr(const struct addr *a, const char *want) {
        char buf[ADDR_STRLEN];

        assert_string_equal(addr_format(a, buf, sizeof(buf)), want);
}

static void net_add(struct store *s, const char *name, const char *cidr, const char *reserve) {
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
static void lab_add(struct store *s) {
        net_add(s, "lab", "192.0.2.0/24", "192.0.2.2-192.0.2.9");
}

static struct cluster *alloc_spec(struct store *s, const struct cluster_spec *spec, bool want_created) {
        struct netd_error err = {};
        struct cluster *c = NULL;
        bool created = !want_created;

        if (cluster_allocate(s, spec, &c, &created, &err) < 0)
                fail_msg("cluster_allocate %s: %s", spec->name, err.message);
        assert_int_equal(created, want_created);
        return c;
}

static struct cluster *alloc(struct store *s, const char *name, const char *topology, int masters,
                             int workers) {
        struct cluster_spec spec = {
                .name = name, .topology = topology, .masters = masters, .workers = workers};

        return alloc_spec(s, &spec, true);
}

static int alloc_fail(struct store *s, const struct cluster_spec *spec, struct netd_error *err) {
        struct cluster *c = NULL;
        bool created = false;
        int r = cluster_allocate(s, spec, &c, &created, err);

        assert_true(r < 0);
        assert_null(c);
        assert_int_equal(err->code, r);
        return r;
}

static u128 allocated_count(struct store *s) {
        struct netd_error err = {};
        struct capacity lab;

        assert_int_equal(capacity_report(s, NULL, NULL, NULL, &lab, &err), 0);
        return lab.allocated;
}

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

struct bad_network {
        struct network_spec spec;
        int code;
        const char *message; /* a part of the message */
};

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

static void assert_node(const struct cluster *c, size_t i, const char *name, const char *role,
                        const char *ip) {
        assert_true(i < c->n_nodes);
        assert_string_equal(c->nodes[i].name, name);
        assert_string_equal(c->nodes[i].role, role);
        assert_addr(&c->nodes[i].ip, ip);
        /* Generated MACs: 52:54:00:xx:xx:xx. */
        assert_true(c->nodes[i].mac >> 24 == 0x525400);
}

static void test_cluster_topologies(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_cluster_ struct cluster *sno = NULL, *compact = NULL, *mno = NULL, *big = NULL;
        char name[16];

        lab_add(s);
        sno = alloc(s, "sno", NULL, -1, -1);
        assert_string_equal(sno->name, "sno");
        assert_string_equal(sno->network, "lab");
        assert_string_equal(sno->domain, "lab.example");
        assert_int_equal(sno->topology, TOPOLOGY_SNO);
        assert_int_equal(sno->masters, 1);
        assert_int_equal(sno->workers, 0);
        assert_int_equal(sno->n_nodes, 1);
        assert_node(sno, 0, "master-0", "master", "192.0.2.10");
        assert_addr(&sno->api_vip, "192.0.2.10");
        assert_addr(&sno->ingress_vip, "192.0.2.10");

        compact = alloc(s, "compact", "compact", -1, -1);
        assert_int_equal(compact->topology, TOPOLOGY_COMPACT);
        assert_int_equal(compact->n_nodes, 3);
        assert_node(compact, 0, "master-0", "master", "192.0.2.11");
        assert_node(compact, 1, "master-1", "master", "192.0.2.12");
        assert_node(compact, 2, "master-2", "master", "192.0.2.13");
        assert_addr(&compact->api_vip, "192.0.2.14");
        assert_addr(&compact->ingress_vip, "192.0.2.15");

        mno = alloc(s, "mno", "mno", -1, -1);
        assert_int_equal(mno->masters, 3);
        assert_int_equal(mno->workers, 2);
        assert_int_equal(mno->n_nodes, 5);
        assert_node(mno, 0, "master-0", "master", "192.0.2.16");
        assert_node(mno, 2, "master-2", "master", "192.0.2.18");
        assert_node(mno, 3, "worker-0", "worker", "192.0.2.19");
        assert_node(mno, 4, "worker-1", "worker", "192.0.2.20");
        assert_addr(&mno->api_vip, "192.0.2.21");
        assert_addr(&mno->ingress_vip, "192.0.2.22");

        /* Overridden counts; nodes ordered by number, worker-10 after worker-9. */
        big = alloc(s, "big", "mno", 5, 12);
        assert_int_equal(big->n_nodes, 17);
        for (unsigned i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "master-%u", i);
                assert_string_equal(big->nodes[i].name, name);
        }
        for (unsigned i = 0; i < 12; i++) {
                snprintf(name, sizeof(name), "worker-%u", i);
                assert_string_equal(big->nodes[5 + i].name, name);
        }
        assert_addr(&big->nodes[16].ip, "192.0.2.39");
        assert_addr(&big->ingress_vip, "192.0.2.41");
        for (size_t i = 0; i < big->n_nodes; i++)
                for (size_t j = i + 1; j < big->n_nodes; j++)
                        assert_true(big->nodes[i].mac != big->nodes[j].mac);

        /* get and list give the same. */
        _cleanup_cluster_ struct cluster *got = NULL;
        struct netd_error err = {};
        struct cluster **l;
        size_t n;
        assert_int_equal(cluster_get(s, "mno", &got, &err), 0);
        assert_int_equal(got->n_nodes, 5);
        assert_int_equal(got->nodes[4].mac, mno->nodes[4].mac);
        assert_addr(&got->ingress_vip, "192.0.2.22");
        assert_non_null(cluster_find_node(got, "worker-1"));
        assert_null(cluster_find_node(got, "worker-2"));
        assert_int_equal(cluster_list(s, NULL, &l, &n, &err), 0);
        assert_int_equal(n, 4);
        assert_string_equal(l[0]->name, "big");
        assert_string_equal(l[3]->name, "sno");
        assert_addr(&l[3]->api_vip, "192.0.2.10");
        assert_int_equal(l[1]->n_nodes, 3);
        cluster_list_free(l, n);
        assert_int_equal(cluster_list(s, "lab", &l, &n, &err), 0);
        assert_int_equal(n, 4);
        cluster_list_free(l, n);
        assert_int_equal(cluster_list(s, "nope", &l, &n, &err), NETD_ENOTFOUND);
        err = (struct netd_error){};
        assert_int_equal(cluster_get(s, "nope", &got, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster nope not found");
        assert_int_equal(allocated_count(s), 1 + 5 + 7 + 19);
}

static void test_cluster_network_choice(void **state) {
        struct store *s = fixture_store(state);
        struct cluster_spec spec = {.name = "c", .masters = -1, .workers = -1};
        struct netd_error err = {};

        assert_int_equal(alloc_fail(s, &spec, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster c: no network exists; add one with 'netctl network add'");

        net_add(s, "b", "198.51.100.0/24", NULL);
        net_add(s, "a", "203.0.113.0/24", NULL);
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &spec, &err), NETD_EINVALID);
        assert_string_equal(err.message, "cluster c: several networks exist (a, b); pass --network");

        spec.network = "nope";
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &spec, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "network nope not found");

        spec.network = "b";
        _cleanup_cluster_ struct cluster *c = alloc_spec(s, &spec, true);
        assert_string_equal(c->network, "b");
        assert_addr(&c->nodes[0].ip, "198.51.100.2");
        assert_string_equal(c->domain, "lab.example");
}

static void test_cluster_invalid(void **state) {
        struct store *s = fixture_store(state);
        const struct node_mac unknown[] = {{"worker-0", "52:54:00:00:00:01"}};
        const struct node_mac beyond[] = {{"worker-2", "52:54:00:00:00:01"}};
        const struct node_mac padded[] = {{"master-00", "52:54:00:00:00:01"}};
        const struct node_mac twice[] = {{"master-0", "52:54:00:00:00:01"},
                                         {"master-1", "52:54:00:00:00:01"}};
        const struct node_mac node_twice[] = {{"master-0", "52:54:00:00:00:01"},
                                              {"master-0", "52:54:00:00:00:02"}};
        const struct node_mac multicast[] = {{"master-0", "01:54:00:00:00:01"}};
        const struct node_mac hostile[] = {{"master-0\n", "52:54:00:00:00:01"}};
        const struct {
                struct cluster_spec spec;
                int code;
                const char *message;
        } cases[] = {
                {{.name = "Big", .masters = -1, .workers = -1}, NETD_EINVALID, "cluster name \"Big\""},
                {{.name = "a\nb", .masters = -1, .workers = -1}, NETD_EINVALID, "cluster name \"a\\x0ab\""},
                {{.name = "c", .network = "la b", .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "network name \"la b\""},
                {{.name = "c", .topology = "ha", .masters = -1, .workers = -1},
                 NETD_EINVALID,
                 "cluster c: unknown topology \"ha\""},
                {{.name = "c", .topology = "mno", .masters = 0, .workers = -1},
                 NETD_EINVALID,
                 "masters 0 is not in 1-1000"},
                {{.name = "c", .topology = "mno", .masters = 1001, .workers = -1},
                 NETD_EINVALID,
                 "masters 1001"},
                {{.name = "c", .topology = "mno", .masters = -1, .workers = 1001},
                 NETD_EINVALID,
                 "workers 1001"},
                {{.name = "c", .topology = "mno", .masters = -1, .workers = -2}, NETD_EINVALID, "workers -2"},
                {{.name = "c", .topology = "sno", .masters = 3, .workers = -1},
                 NETD_EINVALID,
                 "sno has exactly 1 master"},
                {{.name = "c", .masters = -1, .workers = -1, .macs = unknown, .n_macs = 1},
                 NETD_EINVALID,
                 "cluster c: MAC given for node \"worker-0\", which the cluster does not have"},
                {{.name = "c", .topology = "mno", .masters = -1, .workers = -1, .macs = beyond, .n_macs = 1},
                 NETD_EINVALID,
                 "node \"worker-2\""},
                {{.name = "c", .masters = -1, .workers = -1, .macs = padded, .n_macs = 1},
                 NETD_EINVALID,
                 "node \"master-00\""},
                {{.name = "c",
                  .topology = "compact",
                  .masters = -1,
                  .workers = -1,
                  .macs = twice,
                  .n_macs = 2},
                 NETD_EINVALID,
                 "cluster c: MAC 52:54:00:00:00:01 is given for two nodes"},
                {{.name = "c",
                  .topology = "compact",
                  .masters = -1,
                  .workers = -1,
                  .macs = node_twice,
                  .n_macs = 2},
                 NETD_EINVALID,
                 "node master-0 is given a MAC twice"},
                {{.name = "c", .masters = -1, .workers = -1, .macs = multicast, .n_macs = 1},
                 NETD_EINVALID,
                 "cluster c: node master-0: MAC 01:54:00:00:00:01 is a multicast address"},
                {{.name = "c", .masters = -1, .workers = -1, .macs = hostile, .n_macs = 1},
                 NETD_EINVALID,
                 "node \"master-0\\x0a\""},
        };

        lab_add(s);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct netd_error err = {};
                int r = alloc_fail(s, &cases[i].spec, &err);

                if (r != cases[i].code || !strstr(err.message, cases[i].message))
                        fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, r, err.message, cases[i].code,
                                 cases[i].message);
                assert_null(strchr(err.message, '\n'));
        }
        assert_true(allocated_count(s) == 0);
}

static void test_cluster_idempotent(void **state) {
        struct store *s = fixture_store(state);
        const struct node_mac macs[] = {{"worker-1", "52:54:00:AA:bb:01"}};
        const struct node_mac other_mac[] = {{"worker-1", "52:54:00:aa:bb:02"}};
        struct cluster_spec spec = {
                .name = "c", .topology = "mno", .masters = -1, .workers = -1, .macs = macs, .n_macs = 1};
        _cleanup_cluster_ struct cluster *first = NULL, *again = NULL, *again2 = NULL;
        struct netd_error err = {};
        mac_t m0;

        lab_add(s);
        first = alloc_spec(s, &spec, true);
        assert_int_equal(first->nodes[4].mac, 0x525400aabb01ULL);
        m0 = first->nodes[0].mac;

        again = alloc_spec(s, &spec, false);
        assert_int_equal(again->n_nodes, first->n_nodes);
        for (size_t i = 0; i < first->n_nodes; i++) {
                assert_int_equal(again->nodes[i].mac, first->nodes[i].mac);
                assert_int_equal(addr_cmp(&again->nodes[i].ip, &first->nodes[i].ip), 0);
        }
        assert_int_equal(addr_cmp(&again->api_vip, &first->api_vip), 0);

        /* Explicit network, explicit counts equal to the defaults, no MACs. */
        struct cluster_spec same = {
                .name = "c", .network = "lab", .topology = "mno", .masters = 3, .workers = 2};
        again2 = alloc_spec(s, &same, false);
        assert_int_equal(again2->nodes[0].mac, m0);
        assert_true(allocated_count(s) == 7);

        struct cluster_spec differ = spec;
        differ.topology = "compact";
        differ.n_macs = 0;
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster c already exists with a different spec: topology mno, not "
                                         "compact; 2 workers, not 0");
        differ = spec;
        differ.workers = 3;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "2 workers, not 3"));
        differ = spec;
        differ.macs = other_mac;
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "worker-1 has MAC 52:54:00:aa:bb:01, not 52:54:00:aa:bb:02"));
        net_add(s, "lab2", "198.51.100.0/24", NULL);
        differ = spec;
        differ.network = "lab2";
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &differ, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "network lab, not lab2"));
        assert_true(allocated_count(s) == 7);
}

static void test_cluster_mac_conflict(void **state) {
        struct store *s = fixture_store(state);
        const struct node_mac mac[] = {{"master-0", "52:54:00:aa:bb:cc"}};
        const struct node_mac same_mac[] = {{"master-1", "52:54:00:AA:BB:CC"}};
        struct cluster_spec a = {.name = "a", .masters = -1, .workers = -1, .macs = mac, .n_macs = 1};
        struct cluster_spec b = {.name = "b",
                                 .topology = "compact",
                                 .masters = -1,
                                 .workers = -1,
                                 .macs = same_mac,
                                 .n_macs = 1};
        _cleanup_cluster_ struct cluster *ca = NULL, *missing = NULL;
        struct netd_error err = {};

        lab_add(s);
        ca = alloc_spec(s, &a, true);
        assert_int_equal(ca->nodes[0].mac, 0x525400aabbccULL);
        assert_int_equal(alloc_fail(s, &b, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster b: MAC 52:54:00:aa:bb:cc for master-1 is already used by "
                                         "node master-0 of cluster a");
        /* Nothing of b is held. */
        err = (struct netd_error){};
        assert_int_equal(cluster_get(s, "b", &missing, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 1);
}

static void test_exhaustion_atomic(void **state) {
        struct store *s = fixture_store(state);
        struct cluster_spec big = {.name = "big", .topology = "mno", .masters = -1, .workers = -1};
        struct cluster_spec one = {.name = "one", .masters = -1, .workers = -1};
        _cleanup_cluster_ struct cluster *c = NULL, *missing = NULL;
        struct netd_error err = {};

        /* 192.0.2.0/29: hosts .1-.6, gateway .1: 5 free. */
        net_add(s, "small", "192.0.2.0/29", NULL);
        assert_int_equal(alloc_fail(s, &big, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster big: network small has 5 free addresses, 7 needed");
        err = (struct netd_error){};
        assert_int_equal(cluster_get(s, "big", &missing, &err), NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 0);

        /* Exactly enough. */
        c = alloc(s, "fits", "compact", -1, -1);
        assert_addr(&c->nodes[0].ip, "192.0.2.2");
        assert_addr(&c->ingress_vip, "192.0.2.6");
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &one, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster one: network small has 0 free addresses, 1 needed");
        err = (struct netd_error){};
        assert_int_equal(cluster_node_allocate(s, "fits", "worker-0", NULL, NULL, NULL, &err),
                         NETD_EEXHAUSTED);
        assert_string_equal(err.message,
                            "cluster fits: node worker-0: network small has 0 free addresses, 1 needed");
        assert_true(allocated_count(s) == 5);

        /* A prefix without usable addresses exhausts at once. */
        net_add(s, "host6", "2001:db8:1::/128", NULL);
        one.network = "host6";
        err = (struct netd_error){};
        assert_int_equal(alloc_fail(s, &one, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster one: network host6 has 0 free addresses, 1 needed");
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

        assert_int_equal(cluster_node_allocate(s, "c", "worker-2", NULL, &r, &created, &err), 0);
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
        assert_int_equal(cluster_node_allocate(s, "c", "worker-2", NULL, &r, &created, &err), 0);
        assert_false(created);
        assert_int_equal(cluster_find_node(r, "worker-2")->mac, mac);
        cluster_free(r);
        char m[MAC_STRLEN];
        mac_format(mac, m, sizeof(m));
        assert_int_equal(cluster_node_allocate(s, "c", "worker-2", m, &r, &created, &err), 0);
        assert_false(created);
        cluster_free(r);
        assert_int_equal(cluster_node_allocate(s, "c", "worker-2", "52:54:00:12:34:56", &r, &created, &err),
                         NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "cluster c: node worker-2 already exists with MAC"));

        /* Role from the name; a given MAC used elsewhere is a conflict. */
        err = (struct netd_error){};
        assert_int_equal(cluster_node_allocate(s, "c", "master-3", "52:54:00:12:34:56", &r, &created, &err),
                         0);
        assert_string_equal(cluster_find_node(r, "master-3")->role, "master");
        assert_string_equal(r->nodes[3].name, "master-3");
        cluster_free(r);
        assert_int_equal(cluster_node_allocate(s, "c", "infra-0", NULL, &r, &created, &err), 0);
        assert_string_equal(cluster_find_node(r, "infra-0")->role, "worker");
        cluster_free(r);
        assert_int_equal(cluster_node_allocate(s, "sno", "worker-0", "52:54:00:12:34:56", &r, &created, &err),
                         NETD_ECONFLICT);
        assert_string_equal(err.message, "cluster sno: MAC 52:54:00:12:34:56 for worker-0 is already used by "
                                         "node master-3 of cluster c");
        err = (struct netd_error){};
        assert_int_equal(cluster_node_allocate(s, "c", "Worker-9", NULL, &r, &created, &err), NETD_EINVALID);
        err = (struct netd_error){};
        assert_int_equal(cluster_node_allocate(s, "c", "worker-9", "zz", &r, &created, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "cluster c: node worker-9: MAC \"zz\""));
        err = (struct netd_error){};
        assert_int_equal(cluster_node_allocate(s, "nope", "worker-0", NULL, &r, &created, &err),
                         NETD_ENOTFOUND);
        assert_true(allocated_count(s) == 8 + 3);

        /* Release: *ret is the cluster as it was. */
        err = (struct netd_error){};
        assert_int_equal(cluster_node_release(s, "c", "worker-2", &r, &err), 0);
        assert_non_null(cluster_find_node(r, "worker-2"));
        cluster_free(r);
        assert_int_equal(cluster_get(s, "c", &r, &err), 0);
        assert_null(cluster_find_node(r, "worker-2"));
        assert_int_equal(r->n_nodes, 7);
        cluster_free(r);
        assert_int_equal(cluster_node_release(s, "c", "worker-2", &r, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "cluster c has no node worker-2");
        assert_true(allocated_count(s) == 8 + 2);

        /* sno keeps master-0: its address is the VIP. */
        err = (struct netd_error){};
        assert_int_equal(cluster_node_release(s, "sno", "master-0", &r, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "release the cluster instead"));
        /* Other clusters may drop their last node. */
        for (size_t i = 0; i < c->n_nodes; i++)
                assert_int_equal(cluster_node_release(s, "c", c->nodes[i].name, NULL, &err), 0);
        assert_int_equal(cluster_node_release(s, "c", "master-3", NULL, &err), 0);
        assert_int_equal(cluster_node_release(s, "c", "infra-0", NULL, &err), 0);
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

static void test_never_used_first(void **state) {
        struct store *s = fixture_store(state);
        _cleanup_cluster_ struct cluster *s4 = NULL, *c = NULL, *d = NULL, *s5 = NULL;
        struct cluster_spec s6 = {.name = "s6", .masters = -1, .workers = -1};
        struct netd_error err = {};

        /* 192.0.2.0/28: hosts .1-.14, gateway .1: .2-.14 are free (13). */
        net_add(s, "lab", "192.0.2.0/28", NULL);
        cluster_free(alloc(s, "s1", NULL, -1, -1)); /* .2 */
        cluster_free(alloc(s, "s2", NULL, -1, -1)); /* .3 */
        cluster_free(alloc(s, "s3", NULL, -1, -1)); /* .4 */
        assert_int_equal(cluster_release(s, "s2", NULL, &err), 0);
        assert_int_equal(cluster_release(s, "s1", NULL, &err), 0);

        /* Never-used first... */
        s4 = alloc(s, "s4", NULL, -1, -1);
        assert_addr(&s4->nodes[0].ip, "192.0.2.5");
        c = alloc(s, "c", "compact", -1, -1);
        assert_addr(&c->nodes[0].ip, "192.0.2.6");
        assert_addr(&c->ingress_vip, "192.0.2.10");
        /* ...then, in the same pass, the longest released (.3 before .2). */
        d = alloc(s, "d", "compact", -1, -1);
        assert_addr(&d->nodes[0].ip, "192.0.2.11");
        assert_addr(&d->api_vip, "192.0.2.14");
        assert_addr(&d->ingress_vip, "192.0.2.3");
        s5 = alloc(s, "s5", NULL, -1, -1);
        assert_addr(&s5->nodes[0].ip, "192.0.2.2");
        assert_int_equal(alloc_fail(s, &s6, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster s6: network lab has 0 free addresses, 1 needed");

        /* A day-2 node released and added again gets the next released one. */
        assert_int_equal(cluster_release(s, "s4", NULL, &err), 0);                 /* .5 */
        assert_int_equal(cluster_node_release(s, "c", "master-1", NULL, &err), 0); /* .7 */
        struct cluster *r = NULL;
        assert_int_equal(cluster_node_allocate(s, "c", "master-1", NULL, &r, NULL, &err), 0);
        assert_addr(&cluster_find_node(r, "master-1")->ip, "192.0.2.5");
        cluster_free(r);
}

static void test_ipv6(void **state) {
        struct store *s = fixture_store(state);
        const char *reserve[] = {"2001:db8::2-2001:db8::ff"};
        struct network_spec spec = {.name = "v6",
                                    .cidr = "2001:db8::/64",
                                    .reserve = reserve,
                                    .n_reserve = 1,
                                    .dhcp_range = "2001:db8::100-2001:db8::1ff"};
        _cleanup_cluster_ struct cluster *c = NULL, *w = NULL;
        struct netd_error err = {};
        struct cluster *r = NULL;

        assert_int_equal(network_add(s, &spec, NULL, &err), 0);
        c = alloc(s, "c", "mno", -1, -1);
        assert_node(c, 0, "master-0", "master", "2001:db8::200");
        assert_node(c, 4, "worker-1", "worker", "2001:db8::204");
        assert_addr(&c->api_vip, "2001:db8::205");
        assert_addr(&c->ingress_vip, "2001:db8::206");
        assert_int_equal(cluster_node_allocate(s, "c", "worker-2", NULL, &r, NULL, &err), 0);
        assert_addr(&cluster_find_node(r, "worker-2")->ip, "2001:db8::207");
        cluster_free(r);
        w = alloc(s, "wide", "mno", 3, 1000);
        assert_int_equal(w->n_nodes, 1003);
        assert_addr(&w->nodes[0].ip, "2001:db8::208");
        assert_addr(&w->ingress_vip, "2001:db8::5f4");

        /* A /48 reserved but for its last two addresses: the walk jumps the
         * 2^80-wide reserved span arithmetically. */
        const char *most[] = {"2001:db8:ffff::2-2001:db8:ffff:ffff:ffff:ffff:ffff:fffd"};
        struct network_spec top = {
                .name = "top", .cidr = "2001:db8:ffff::/48", .reserve = most, .n_reserve = 1};
        assert_int_equal(network_add(s, &top, NULL, &err), 0);
        struct cluster_spec spec2 = {
                .name = "t", .network = "top", .topology = "compact", .masters = -1, .workers = -1};
        assert_int_equal(alloc_fail(s, &spec2, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "cluster t: network top has 2 free addresses, 5 needed");
        spec2.topology = "sno";
        _cleanup_cluster_ struct cluster *t = alloc_spec(s, &spec2, true);
        assert_addr(&t->nodes[0].ip, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe");
}

static void test_migrations_and_reopen(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        struct store *again = NULL;
        sqlite3 *db;
        sqlite3_stmt *stmt;

        assert_true(store_schema_version() >= 1);
        lab_add(f->s);
        cluster_free(alloc(f->s, "c", "compact", -1, -1));

        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(stmt, 0), store_schema_version());
        sqlite3_finalize(stmt);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
        sqlite3_finalize(stmt);

        /* Reopening an existing, current database keeps everything. */
        store_close(f->s);
        f->s = NULL;
        assert_int_equal(store_open(f->path, &f->s, &err), 0);
        _cleanup_cluster_ struct cluster *c = NULL;
        assert_int_equal(cluster_get(f->s, "c", &c, &err), 0);
        assert_addr(&c->nodes[0].ip, "192.0.2.10");

        /* A database from a newer netd is refused, not damaged. */
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(store_open(f->path, &again, &err), NETD_EINTERNAL);
        assert_null(again);
        assert_non_null(strstr(err.message, "schema version 99 is newer"));
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
}

/* Run raw SQL on the file, as another program could, and return its code. */
static int raw_exec(sqlite3 *db, const char *sql, const char *want_message) {
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

        if (want_message && !strstr(sqlite3_errmsg(db), want_message))
                fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        return rc & 0xff;
}

static void test_schema_constraints(void **state) {
        struct fixture *f = *state;
        sqlite3 *db;

        lab_add(f->s);
        cluster_free(alloc(f->s, "a", "compact", -1, -1));
        cluster_free(alloc(f->s, "b", NULL, -1, -1));
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);

        /* One (network, address) UNIQUE over node IPs and VIPs alike. */
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO addresses (network_id, addr, cluster_id, node_id, kind)"
                                  " SELECT network_id, addr, (SELECT id FROM clusters WHERE name = 'b'), "
                                  "NULL, 'api-vip'"
                                  " FROM addresses WHERE kind = 'node' LIMIT 1",
                                  "UNIQUE constraint failed: addresses.network_id, addresses.addr"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO addresses (network_id, addr, cluster_id, node_id, kind)"
                                  " SELECT network_id, addr, (SELECT id FROM clusters WHERE name = 'b'), "
                                  "NULL, 'api-vip'"
                                  " FROM addresses WHERE kind = 'ingress-vip'",
                                  "UNIQUE constraint failed: addresses.network_id, addresses.addr"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO nodes (cluster_id, name, role, mac)"
                                  " SELECT cluster_id, 'worker-99', 'worker', mac FROM nodes LIMIT 1",
                                  "UNIQUE constraint failed: nodes.mac"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO nodes (cluster_id, name, role, mac)"
                                  " SELECT cluster_id, name, role, 1 FROM nodes LIMIT 1",
                                  "UNIQUE constraint failed: nodes.cluster_id, nodes.name"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(
                raw_exec(db,
                         "INSERT INTO clusters (name, network_id, domain, topology, masters, workers)"
                         " SELECT name, network_id, domain, topology, masters, workers FROM clusters LIMIT 1",
                         "UNIQUE constraint failed: clusters.name"),
                SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO networks (name, family, prefix, prefix_len, domain)"
                                  " SELECT name, family, prefix, prefix_len, domain FROM networks LIMIT 1",
                                  "UNIQUE constraint failed: networks.name"),
                         SQLITE_CONSTRAINT);
        /* network <- cluster is RESTRICT; cluster -> nodes and addresses cascade. */
        assert_int_equal(raw_exec(db, "PRAGMA foreign_keys = ON", NULL), SQLITE_OK);
        assert_int_equal(raw_exec(db, "DELETE FROM networks", "FOREIGN KEY constraint failed"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db, "DELETE FROM clusters WHERE name = 'a'", NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_true(allocated_count(f->s) == 1);
}

#define WRITERS 8
#define CLUSTERS_PER_WRITER 10

struct writer {
        const char *path;
        pthread_barrier_t *barrier;
        int id;
        int failures;
        char message[sizeof(((struct netd_error *)0)->message)];
};

static void *writer_run(void *p) {
        struct writer *w = p;
        struct netd_error err = {};
        struct store *s = NULL;
        char name[32];

        /* Every writer opens (and so migrates) the new file at once. */
        if (store_open(w->path, &s, &err) < 0) {
                w->failures++;
                strscpy(w->message, sizeof(w->message), err.message);
        }
        pthread_barrier_wait(w->barrier);
        if (s && w->id == 0) {
                struct network_spec spec = {.name = "lab", .cidr = "192.0.2.0/24"};
                if (network_add(s, &spec, NULL, &err) < 0) {
                        w->failures++;
                        strscpy(w->message, sizeof(w->message), err.message);
                }
        }
        pthread_barrier_wait(w->barrier);
        for (int i = 0; s && i < CLUSTERS_PER_WRITER; i++) {
                struct cluster_spec spec = {.name = name,
                                            .topology = w->id % 2 ? "compact" : "sno",
                                            .masters = -1,
                                            .workers = -1};
                struct cluster *c = NULL;
                bool created = false;

                snprintf(name, sizeof(name), "w%d-c%d", w->id, i);
                err = (struct netd_error){};
                if (cluster_allocate(s, &spec, &c, &created, &err) < 0 || !created) {
                        w->failures++;
                        strscpy(w->message, sizeof(w->message), err.message);
                }
                cluster_free(c);
        }
        store_close(s);
        return NULL;
}

static int addr_sort(const void *a, const void *b) {
        return addr_cmp(a, b);
}

static int mac_sort(const void *a, const void *b) {
        mac_t x = *(const mac_t *)a, y = *(const mac_t *)b;

        return x < y ? -1 : x > y;
}

static void test_concurrent_writers(void **state) {
        struct fixture *f = *state;
        struct writer writers[WRITERS];
        pthread_t threads[WRITERS];
        pthread_barrier_t barrier;
        struct netd_error err = {};
        struct cluster **l;
        size_t n, n_ips = 0, n_macs = 0;
        char path[sizeof(f->path) + 16];
        struct store *s;

        /* A new file, so that the writers also race to create the schema. */
        snprintf(path, sizeof(path), "%s/concurrent.db", f->dir);
        assert_int_equal(pthread_barrier_init(&barrier, NULL, WRITERS), 0);
        for (int i = 0; i < WRITERS; i++) {
                writers[i] = (struct writer){.path = path, .barrier = &barrier, .id = i};
                assert_int_equal(pthread_create(&threads[i], NULL, writer_run, &writers[i]), 0);
        }
        for (int i = 0; i < WRITERS; i++) {
                pthread_join(threads[i], NULL);
                if (writers[i].failures)
                        fail_msg("writer %d: %d failures, last: %s", i, writers[i].failures,
                                 writers[i].message);
        }
        pthread_barrier_destroy(&barrier);

        assert_int_equal(store_open(path, &s, &err), 0);
        assert_int_equal(cluster_list(s, NULL, &l, &n, &err), 0);
        assert_int_equal(n, WRITERS * CLUSTERS_PER_WRITER);
        /* sno: 1 address and MAC; compact: 5 addresses, 3 MACs. */
        struct addr ips[WRITERS * CLUSTERS_PER_WRITER * 5];
        mac_t macs[WRITERS * CLUSTERS_PER_WRITER * 3];
        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < l[i]->n_nodes; j++) {
                        ips[n_ips++] = l[i]->nodes[j].ip;
                        macs[n_macs++] = l[i]->nodes[j].mac;
                }
                if (l[i]->topology != TOPOLOGY_SNO) {
                        ips[n_ips++] = l[i]->api_vip;
                        ips[n_ips++] = l[i]->ingress_vip;
                }
        }
        cluster_list_free(l, n);
        assert_int_equal(n_ips, WRITERS * CLUSTERS_PER_WRITER * 3);
        assert_int_equal(n_macs, WRITERS * CLUSTERS_PER_WRITER * 2);
        qsort(ips, n_ips, sizeof(ips[0]), addr_sort);
        qsort(macs, n_macs, sizeof(macs[0]), mac_sort);
        for (size_t i = 1; i < n_ips; i++)
                assert_true(addr_cmp(&ips[i - 1], &ips[i]) != 0);
        for (size_t i = 1; i < n_macs; i++)
                assert_true(macs[i - 1] != macs[i]);
        /* The lowest addresses, no holes: .2 up to .241. */
        assert_addr(&ips[0], "192.0.2.2");
        assert_addr(&ips[n_ips - 1], "192.0.2.241");
        assert_true(allocated_count(s) == n_ips);
        store_close(s);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_network_add_get_list_remove),
                T(test_network_errors),
                T(test_network_remove_in_use),
                T(test_cluster_topologies),
                T(test_cluster_network_choice),
                T(test_cluster_invalid),
                T(test_cluster_idempotent),
                T(test_cluster_mac_conflict),
                T(test_exhaustion_atomic),
                T(test_day2),
                T(test_never_used_first),
                T(test_ipv6),
                T(test_migrations_and_reopen),
                T(test_schema_constraints),
                T(test_concurrent_writers),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
