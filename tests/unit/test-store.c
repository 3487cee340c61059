/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store itself: a new file opened and migrated by many writers at
 * once, their transactions serialised without losing or doubling an address
 * or a MAC; a lock held by another process, a full disk, planted symlinks
 * and a corrupted file, each a clear error that leaves the store usable. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster-fixture.h"
#include "db/store-private.h"
#include "netd/core/file.h"
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
                /* The store never waits for another connection's write
                 * lock: "busy" is answered at once, and a client retries. */
                for (int try = 0; try < 20000; try++) {
                        err = (struct netd_error){};
                        if (cluster_allocate(s, &spec, &c, &created, &err) != NETD_EUNAVAILABLE)
                                break;
                        usleep(500);
                }
                if (err.code < 0 || !created) {
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

static double now_s(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void network_lab(struct store *s) {
        struct network_spec spec = {.name = "lab", .cidr = "192.0.2.0/24"};
        struct netd_error err = {};

        assert_int_equal(network_add(s, &spec, NULL, &err), 0);
}

static int allocate(struct store *s, const char *name, struct netd_error *err) {
        struct cluster_spec spec = {.name = name, .topology = "sno", .masters = -1, .workers = -1};
        struct cluster *c = NULL;
        bool created = false;
        int r = cluster_allocate(s, &spec, &c, &created, err);

        cluster_free(c);
        return r;
}

static size_t clusters_count(struct store *s) {
        struct netd_error err = {};
        struct cluster **l;
        size_t n;

        assert_int_equal(cluster_list(s, NULL, &l, &n, &err), 0);
        cluster_list_free(l, n);
        return n;
}

/* Another process holds the write lock: a write is "unavailable: database
 * is busy" at once (it used to wait 5 s in SQLite's busy handler, and the
 * whole loop with it), reads go on, and the next write after the lock is
 * gone succeeds. */
static void test_busy_at_once(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        sqlite3 *other;
        double t0;

        network_lab(f->s);
        assert_int_equal(allocate(f->s, "before", &err), 0);
        assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
        assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

        t0 = now_s();
        assert_error(allocate(f->s, "during", &err), &err, NETD_EUNAVAILABLE, "database is busy");
        assert_non_null(strstr(err.message, f->path));
        err = (struct netd_error){};
        assert_error(store_batch_begin(f->s, &err), &err, NETD_EUNAVAILABLE, "database is busy");
        /* far below the 5 s of the old busy timeout */
        assert_true(now_s() - t0 < 2.0);
        assert_int_equal(clusters_count(f->s), 1);

        assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(other);
        err = (struct netd_error){};
        assert_int_equal(allocate(f->s, "during", &err), 0);
        assert_int_equal(store_batch_begin(f->s, &err), 0);
        assert_int_equal(allocate(f->s, "batched", &err), 0);
        assert_int_equal(store_batch_commit(f->s, &err), 0);
        assert_int_equal(clusters_count(f->s), 3);
}

/* Allocate clusters full-0, full-1, ... until the database is full:
 * returns how many went in, `err` holds the failure. */
static int allocate_until_full(struct store *s, struct netd_error *err) {
        char name[32];

        for (int i = 0; i < 200; i++) {
                snprintf(name, sizeof(name), "full-%d", i);
                *err = (struct netd_error){};
                if (allocate(s, name, err) < 0)
                        return i;
        }
        fail_msg("the database never filled up");
        return -1;
}

/* A full disk (SQLITE_FULL, made with max_page_count): "unavailable" with
 * the database's path and the reason, nothing half stored, reads go on, and
 * the same write succeeds once there is room again, without reopening. */
static void test_disk_full(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        sqlite3_stmt *stmt = NULL;
        char sql[64];
        int n;

        network_lab(f->s);
        assert_int_equal(store_query(f->s, "PRAGMA page_count", &stmt, &err), 1);
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", sqlite3_column_int(stmt, 0) + 1);
        sqlite3_finalize(stmt);
        assert_int_equal(store_exec(f->s, sql, &err), 0);

        n = allocate_until_full(f->s, &err);
        assert_error(err.code, &err, NETD_EUNAVAILABLE, "the disk is full");
        assert_non_null(strstr(err.message, f->path));
        assert_int_equal(clusters_count(f->s), (size_t)n);

        /* in a batch: the failed change is undone, the batch is still whole
         * or wholly gone, never half */
        assert_int_equal(store_batch_begin(f->s, &err), 0);
        err = (struct netd_error){};
        assert_error(allocate(f->s, "full-batch", &err), &err, NETD_EUNAVAILABLE, "the disk is full");
        err = (struct netd_error){};
        if (store_batch_commit(f->s, &err) < 0)
                assert_int_equal(err.code, NETD_EUNAVAILABLE);
        assert_int_equal(clusters_count(f->s), (size_t)n);

        assert_int_equal(store_exec(f->s, "PRAGMA max_page_count = 1000000", &err), 0);
        err = (struct netd_error){};
        assert_int_equal(allocate(f->s, "full-batch", &err), 0);
        assert_int_equal(clusters_count(f->s), (size_t)n + 1);
}

static char *path_with(const struct fixture *f, const char *name) {
        char *p = file_path_join(f->dir, name);

        assert_non_null(p);
        return p;
}

static void assert_file_text(const char *path, const char *want) {
        _cleanup_free_ char *text = NULL;

        assert_int_equal(file_read(path, &text, NULL), 0);
        assert_string_equal(text, want);
}

/* A symlink as the database or as its -wal/-shm: refused, naming the
 * path; the target is untouched. */
static void test_symlinks_refused(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *victim = path_with(f, "victim"), *db = path_with(f, "linked.db"),
                            *real = path_with(f, "real.db"), *wal = path_with(f, "real.db-wal"),
                            *shm = path_with(f, "real.db-shm");
        const char *const links[] = {wal, shm};
        struct netd_error err = {};
        struct store *s = NULL;

        assert_int_equal(file_write(victim, "precious\n", NULL), 0);
        assert_int_equal(symlink(victim, db), 0);
        assert_error(store_open(db, &s, &err), &err, NETD_EINVALID, "is a symbolic link");
        assert_non_null(strstr(err.message, db));
        assert_null(s);
        assert_file_text(victim, "precious\n");

        assert_int_equal(store_open(real, &s, &err), 0);
        store_close(s);
        s = NULL;
        for (size_t i = 0; i < N(links); i++) {
                unlink(links[i]);
                assert_int_equal(symlink(victim, links[i]), 0);
                err = (struct netd_error){};
                assert_error(store_open(real, &s, &err), &err, NETD_EINVALID, "is a symbolic link");
                assert_non_null(strstr(err.message, links[i]));
                assert_null(s);
                assert_file_text(victim, "precious\n");
                assert_int_equal(unlink(links[i]), 0);
        }
        assert_int_equal(store_open(real, &s, &err), 0);
        store_close(s);
}

/* The database and its WAL and shared memory are 0640, an older looser
 * file is tightened. */
static void test_file_modes(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *db = path_with(f, "modes.db"), *wal = path_with(f, "modes.db-wal"),
                            *shm = path_with(f, "modes.db-shm");
        const char *const files[] = {db, wal, shm};
        struct netd_error err = {};
        struct store *s = NULL;
        struct stat st;

        assert_int_equal(store_open(db, &s, &err), 0);
        network_lab(s);
        for (size_t i = 0; i < N(files); i++) {
                assert_int_equal(stat(files[i], &st), 0);
                assert_int_equal(st.st_mode & 0777, FILE_MODE);
                if (geteuid() == 0)
                        assert_int_equal(st.st_gid, file_group());
        }
        store_close(s);
        assert_int_equal(chmod(db, 0644), 0);
        assert_int_equal(store_open(db, &s, &err), 0);
        assert_int_equal(stat(db, &st), 0);
        assert_int_equal(st.st_mode & 0777, FILE_MODE);
        store_close(s);
}

/* A corrupted file: the error names it. */
static void test_corrupted(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *db = path_with(f, "corrupt.db");
        char junk[8192];
        struct netd_error err = {};
        struct store *s = NULL;

        memset(junk, 'x', sizeof(junk) - 1);
        junk[sizeof(junk) - 1] = '\0';
        assert_int_equal(file_write(db, junk, NULL), 0);
        assert_error(store_open(db, &s, &err), &err, NETD_EINTERNAL, "is corrupted");
        assert_non_null(strstr(err.message, db));
        assert_null(s);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_concurrent_writers), T(test_busy_at_once), T(test_disk_full),
                T(test_symlinks_refused),   T(test_file_modes),   T(test_corrupted),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
