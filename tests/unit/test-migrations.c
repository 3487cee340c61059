/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The schema and its migrations: the version, WAL, reopening, a newer
 * schema refused, the rules the schema enforces by itself, a database of
 * schema 1 gaining the fabric tables and one of schema 2 the boot tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cluster-fixture.h"
#include "db/node.h"
#include "db/store-private.h"
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

/* Replace the fixture's database with one exactly as a netd of schema
 * `version` left it: built by migrations 1 to `version` themselves, then
 * `rows` (that schema's SQL). */
static void old_database(struct fixture *f, int version, const char *rows) {
        sqlite3 *db;

        store_close(f->s);
        f->s = NULL;
        assert_int_equal(unlink(f->path), 0);
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        for (int v = 1; v <= version; v++)
                assert_int_equal(raw_exec(db, migrations_sql(v), NULL), SQLITE_OK);
        assert_int_equal(raw_exec(db, rows, NULL), SQLITE_OK);
        sqlite3_close(db);
}

#define V4(last) "X'000000000000000000000000C00002" last "'"
#define V4_LAB                                                                                               \
        "INSERT INTO networks (id, name, family, prefix, prefix_len, gateway, domain, vni)"                  \
        " VALUES (1, 'lab', 4, " V4("00") ", 24, " V4("01") ", 'lab.example', 100);"

/* A database of schema 1 with networks gains the fabric tables. */
static void test_migration_from_v1(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};

        old_database(f, 1, V4_LAB "PRAGMA user_version = 1");
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

        old_database(
                f, 2,
                V4_LAB "INSERT INTO reserved_ranges VALUES (1, 0, " V4("02") ", " V4(
                        "09") ");"
                              "INSERT INTO clusters VALUES (1, 'c', 1, 'lab.example', 'compact', 3, 0);"
                              "INSERT INTO nodes VALUES (1, 1, 'master-0', 'master', 90520730730497),"
                              " (2, 1, 'master-1', 'master', 90520730730498),"
                              " (3, 1, 'master-2', 'master', 90520730730499);"
                              "INSERT INTO addresses (network_id, addr, cluster_id, node_id, kind) VALUES"
                              " (1, " V4("0A") ", 1, 1, 'node'), (1, " V4(
                                      "0B") ", 1, 2, 'node'),"
                                            " (1, " V4("0C") ", 1, 3, 'node'), (1, " V4(
                                                    "0D") ", 1, NULL, 'api-vip'),"
                                                          " (1, " V4("0E") ", 1, NULL, 'ingress-vip');"
                                                                           "PRAGMA user_version = 2");
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
        assert_addr(&c->api_vip, "192.0.2.13");
}

/* A database exactly as netd with schema 3 left it (built by migrations
 * 1-3 themselves): an sno and a compact cluster with a node's own boot
 * file. Migration 4 keeps every address, MAC and VIP, puts each cluster on
 * its network, and the clusters work on: day-2 nodes, release,
 * dual-stack. */
static void test_migration_from_v3(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};

        old_database(
                f, 3,
                "INSERT INTO networks (id, name, family, prefix, prefix_len, gateway, domain)"
                " VALUES (1, 'lab', 4, " V4("00") ", 24, " V4(
                        "01") ", 'lab.example');"
                              "INSERT INTO clusters VALUES (1, 'sno', 1, 'lab.example', 'sno', 1, 0),"
                              " (2, 'c', 1, 'lab.example', 'compact', 3, 0);"
                              "INSERT INTO nodes VALUES (1, 1, 'master-0', 'master', 90520730730497),"
                              " (2, 2, 'master-0', 'master', 90520730730498), (3, 2, 'master-1', 'master', "
                              "90520730730499), (4, 2, 'master-2', 'master', 90520730730500);"
                              "INSERT INTO addresses (network_id, addr, cluster_id, node_id, kind) VALUES"
                              " (1, " V4("0A") ", 1, 1, 'node'), (1, " V4(
                                      "0B") ", 2, 2, 'node'),"
                                            " (1, " V4("0C") ", 2, 3, 'node'), (1, " V4(
                                                    "0D") ", 2, 4, 'node'),"
                                                          " (1, " V4("0E") ", 2, NULL, 'api-vip'), (1, " V4(
                                                                  "0F") ", 2, NULL, 'ingress-vip');"
                                                                        "INSERT INTO node_boot VALUES (3, "
                                                                        "'file', 'undionly.kpxe');"
                                                                        "PRAGMA user_version = 3");

        assert_int_equal(store_open(f->path, &f->s, &err), 0);
        _cleanup_cluster_ struct cluster *c = NULL, *sno = NULL;
        assert_int_equal(cluster_get(f->s, "c", &c, &err), 0);
        assert_int_equal(c->n_networks, 1);
        assert_string_equal(c->network, "lab");
        assert_int_equal(c->n_nodes, 3);
        assert_addr(&c->nodes[1].ip, "192.0.2.12");
        assert_int_equal(c->nodes[1].n_ips, 1);
        assert_true(c->nodes[1].mac == 90520730730499ULL);
        assert_int_equal(c->nodes[1].boot, NODE_BOOT_FILE);
        assert_string_equal(c->nodes[1].boot_value, "undionly.kpxe");
        assert_addr(&c->api_vip, "192.0.2.14");
        assert_addr(&c->networks[0].ingress_vip, "192.0.2.15");
        assert_int_equal(cluster_get(f->s, "sno", &sno, &err), 0);
        assert_addr(&sno->ingress_vip, "192.0.2.10");

        /* The clusters work on: a day-2 node takes the next free address. */
        _cleanup_cluster_ struct cluster *after = NULL;
        assert_int_equal(node_allocate(f->s, "c", "worker-0", NULL, &after, NULL, &err), 0);
        assert_addr(&cluster_find_node(after, "worker-0")->ip, "192.0.2.2");
        assert_int_equal(cluster_release(f->s, "c", NULL, &err), 0);
        assert_true(allocated_count(f->s) == 1);
        net_add(f->s, "lab6", "2001:db8::/64", NULL);
        struct cluster_spec ds = {.name = "ds",
                                  .networks = (const char *const[]){"lab", "lab6"},
                                  .n_networks = 2,
                                  .masters = -1,
                                  .workers = -1};
        cluster_free(alloc_spec(f->s, &ds, true));
        assert_true(allocated_count(f->s) == 3);
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

#define UL4(last) "X'000000000000000000000000C63364" last "'"
#define UL6(last) "X'20010DB80000000000000000000000" last "'"

/* A database of schema 4 with hosts of one underlay each (IPv4 or IPv6)
 * attached to VXLAN networks: migration 5 moves the underlays into their
 * own table (one per family and host, an address one host's), gives every
 * host the default agent, and runs a network whose hosts all had IPv6
 * underlays over IPv6; the fabric computed from it is what it was. */
static void test_migration_from_v4_hosts(void **state) {
        struct fixture *f = *state;
        struct netd_error err = {};
        _cleanup_host_ struct host *hv1 = NULL, *hv6 = NULL;
        _cleanup_network_ struct network *lab = NULL, *lab6 = NULL;
        struct fobj *objs = NULL;
        size_t n = 0;
        sqlite3 *db;

        old_database(
                f, 4,
                V4_LAB
                "INSERT INTO networks (id, name, family, prefix, prefix_len, gateway, domain, vni)"
                " VALUES (2, 'lab6', 4, X'000000000000000000000000CB007100', 24,"
                " X'000000000000000000000000CB007101', 'lab6.example', 200);"
                "INSERT INTO hosts (id, name, connect, underlay, underlay_family, libvirt, bmc)"
                " VALUES (1, 'hv1', 'ssh hv1', " UL4(
                        "0B") ", 4, 'qemu+ssh://hv1/system', 'bmc1:623'),"
                              " (2, 'hv2', 'ssh hv2', " UL4(
                                      "0C") ", 4, NULL, NULL),"
                                            " (3, 'hv6', 'ssh hv6', " UL6(
                                                    "06") ", 6, NULL, NULL),"
                                                          " (4, 'hv7', 'ssh hv7', " UL6(
                                                                  "07") ", 6, NULL, NULL);"
                                                                        "INSERT INTO attachments "
                                                                        "(network_id, host_id) VALUES (1, "
                                                                        "1), (1, 2), (2, 3), (2, 4);"
                                                                        "INSERT INTO links (host_id, kind, "
                                                                        "name, peer, peer_master) VALUES"
                                                                        " (1, 'veth', 'vlv', 'vbm', "
                                                                        "'br-lab');"
                                                                        "PRAGMA user_version = 4");
        assert_int_equal(store_open(f->path, &f->s, &err), 0);

        assert_int_equal(host_get(f->s, "hv1", &hv1, &err), 0);
        assert_string_equal(hv1->agent, "netd");
        assert_string_equal(hv1->connect, "ssh hv1");
        assert_string_equal(hv1->libvirt, "qemu+ssh://hv1/system");
        assert_string_equal(hv1->bmc, "bmc1:623");
        assert_addr(&hv1->underlay[HOST_UNDERLAY_IPV4], "198.51.100.11");
        assert_int_equal(hv1->underlay[HOST_UNDERLAY_IPV6].family, 0);
        assert_int_equal(host_get(f->s, "hv6", &hv6, &err), 0);
        assert_addr(&hv6->underlay[HOST_UNDERLAY_IPV6], "2001:db8::6");
        assert_int_equal(network_get(f->s, "lab", &lab, &err), 0);
        assert_int_equal(lab->underlay_family, AF_INET);
        assert_int_equal(network_get(f->s, "lab6", &lab6, &err), 0);
        assert_int_equal(lab6->underlay_family, AF_INET6);

        assert_int_equal(desired_list(f->s, "hv6", &objs, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_addr(&objs[1].local, "2001:db8::6");
        assert_addr(&objs[2].addr, "2001:db8::7");
        free(objs);
        assert_int_equal(desired_list(f->s, "hv1", &objs, &n, &err), 0);
        assert_int_equal(n, 5); /* with its libvirt network, last */
        assert_int_equal(objs[1].kind, FOBJ_VETH);
        assert_int_equal(objs[4].kind, FOBJ_LIBVIRT_NETWORK);
        assert_addr(&objs[2].local, "198.51.100.11");
        assert_addr(&objs[3].addr, "198.51.100.12");
        free(objs);

        /* The schema holds an underlay address to one host, one per family. */
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        assert_int_equal(raw_exec(db, "INSERT INTO host_underlays VALUES (2, 6, " UL6("06") ")",
                                  "UNIQUE constraint failed: host_underlays.family, host_underlays.addr"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db, "INSERT INTO host_underlays VALUES (2, 4, " UL4("0D") ")",
                                  "UNIQUE constraint failed: host_underlays.host_id, host_underlays.family"),
                         SQLITE_CONSTRAINT);
        assert_int_equal(raw_exec(db, "UPDATE networks SET underlay_family = 5", "CHECK constraint failed"),
                         SQLITE_CONSTRAINT);
        sqlite3_close(db);

        /* And it works on: a second underlay, a removal that cascades. */
        struct host_spec add6 = {
                .name = "hv1", .underlays = (const char *const[]){"2001:db8::1"}, .n_underlays = 1};
        assert_int_equal(host_set(f->s, &add6, NULL, NULL, &err), 0);
        detach(f->s, "lab6", "hv7");
        assert_int_equal(host_remove(f->s, "hv7", &err), 0);
        host_new(f->s, "hv8", "2001:db8::7");
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
        const struct CMUnitTest tests[] = {
                T(test_migrations_and_reopen),   T(test_schema_constraints),      T(test_migration_from_v1),
                T(test_migration_from_v2),       T(test_schema_constraints_boot), T(test_migration_from_v3),
                T(test_migration_from_v4_hosts),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
