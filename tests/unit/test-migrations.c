/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The schema and its migrations: the version, WAL, reopening, a newer
 * schema refused, the rules the schema enforces by itself, a database of
 * schema 1 gaining the fabric tables and one of schema 2 the boot tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cluster-fixture.h"
#include "db/node.h"
#include "fabric-fixture.h"

static int fixture_setup(void **state) {
        return fixture_setup_prefix(state, "netd-test-migrations");
}

/* Run raw SQL on the file, as another program could, and return its code. */
static int raw_exec(sqlite3 *db, const char *sql, const char *want_message) {
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

        if (want_message && !strstr(sqlite3_errmsg(db), want_message))
                fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        return rc & 0xff;
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

/* A database of schema 1 with networks gains the fabric tables. */
static void test_migration_from_v1(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        sqlite3 *db;

        net_add_fabric(f->s, "lab", "192.0.2.0/24", 100, 0, NULL);
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

/* A database of schema 2 gains boot settings and DHCP options, and keeps
 * what it had. */
static void test_migration_from_v2(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        sqlite3 *db;

        lab_add(f->s);
        cluster_free(alloc(f->s, "c", "compact", -1, -1));
        store_close(f->s);
        f->s = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db,
                                      "DROP TABLE node_boot; DROP TABLE network_dhcp_options;"
                                      " DROP TABLE network_boot; PRAGMA user_version = 2",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        assert_int_equal(store_open(f->path, &f->s, &err), 0);
        _cleanup_network_ struct network *n = NULL;
        assert_int_equal(network_get(f->s, "lab", &n, &err), 0);
        assert_false(n->has_boot);
        assert_int_equal(n->n_dhcp_options, 0);
        assert_int_equal(n->n_reserved, 1);
        const char *opt[] = {"router=192.0.2.1"};
        struct network_change ch = {
                .name = "lab", .ipxe_script = "http://h/a.ipxe", .dhcp_option = opt, .n_dhcp_option = 1};
        assert_int_equal(network_set(f->s, &ch, NULL, NULL, &err), 0);
        struct node_change nc = {.cluster = "c", .node = "master-0", .boot_file = "a.efi"};
        _cleanup_cluster_ struct cluster *c = NULL;
        assert_int_equal(node_set(f->s, &nc, NULL, &c, &err), 0);
        assert_int_equal(c->n_nodes, 3);
        assert_int_equal(cluster_find_node(c, "master-0")->boot, NODE_BOOT_FILE);
}

/* The boot and option tables hold their rules by themselves. */
static void test_schema_constraints_boot(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        sqlite3_stmt *stmt;
        sqlite3 *db;

        lab_add(f->s);
        cluster_free(alloc(f->s, "c", NULL, -1, -1));
        const char *opts[] = {"router=192.0.2.1", "ntp-server=192.0.2.5"};
        struct network_change ch = {.name = "lab", .boot_file = "a", .dhcp_option = opts, .n_dhcp_option = 2};
        assert_int_equal(network_set(f->s, &ch, NULL, NULL, &err), 0);
        struct node_change nc = {.cluster = "c", .node = "master-0", .boot_file = "a"};
        assert_int_equal(node_set(f->s, &nc, NULL, NULL, &err), 0);

        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        assert_int_equal(raw_exec(db, "PRAGMA foreign_keys = ON", NULL), SQLITE_OK);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO network_dhcp_options (network_id, name, value, position)"
                                  " SELECT id, 'router', '192.0.2.2', 9 FROM networks",
                                  "UNIQUE constraint failed"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO network_dhcp_options (network_id, name, value, position)"
                                  " SELECT id, 'log-server', '192.0.2.2', 0 FROM networks",
                                  "UNIQUE constraint failed"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db, "UPDATE network_boot SET file = NULL", "CHECK constraint failed"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db, "UPDATE node_boot SET kind = 'pxe'", "CHECK constraint failed"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db, "UPDATE node_boot SET value = ''", "CHECK constraint failed"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db,
                                  "INSERT INTO node_boot (node_id, kind, value) VALUES (999, 'file', 'a')",
                                  "FOREIGN KEY constraint failed"),
                         SQLITE_CONSTRAINT);
        sqlite3_close(db);

        /* They go with their network and node. */
        assert_int_equal(cluster_release(f->s, "c", NULL, &err), 0);
        assert_int_equal(network_remove(f->s, "lab", &err), 0);
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT (SELECT count(*) FROM network_boot) +"
                                            " (SELECT count(*) FROM network_dhcp_options) +"
                                            " (SELECT count(*) FROM node_boot)",
                                            -1, &stmt, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(stmt, 0), 0);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_migrations_and_reopen), T(test_schema_constraints),      T(test_migration_from_v1),
                T(test_migration_from_v2),     T(test_schema_constraints_boot),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
