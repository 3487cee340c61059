/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store itself: a new file opened and migrated by many writers at
 * once, their transactions serialised without losing or doubling an address
 * or a MAC. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster-fixture.h"
#include "netd/core/mac.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-store");
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
                T(test_concurrent_writers),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
