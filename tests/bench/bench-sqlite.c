/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The floor under netd's allocation rate: one writer doing durable SQLite
 * commits with the store's pragmas (WAL, synchronous=FULL, foreign keys),
 * one INSERT per BEGIN IMMEDIATE transaction, into a table shaped like an
 * allocation (unique name, unique address per network, unique MAC).
 *
 *   bench-sqlite --db PATH --count N [--seconds S]
 *
 * Prints one JSON object: commits, wall time, commits per second. */
#include <getopt.h>
#include <sqlite3.h>
#include <time.h>

#include "netd/core/util.h"

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec_sql(sqlite3 *db, const char *sql) {
        char *msg = NULL;

        if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
                fprintf(stderr, "bench-sqlite: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
                sqlite3_free(msg);
                return -1;
        }
        return 0;
}

static const char schema[] = "PRAGMA journal_mode=WAL;"
                             "PRAGMA synchronous=FULL;"
                             "PRAGMA foreign_keys=ON;"
                             "CREATE TABLE IF NOT EXISTS network ("
                             "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
                             "CREATE TABLE IF NOT EXISTS allocation ("
                             "  id INTEGER PRIMARY KEY,"
                             "  network_id INTEGER NOT NULL REFERENCES network(id),"
                             "  cluster TEXT NOT NULL UNIQUE,"
                             "  ip BLOB NOT NULL,"
                             "  mac TEXT NOT NULL UNIQUE,"
                             "  UNIQUE (network_id, ip));"
                             "INSERT OR IGNORE INTO network (id, name) VALUES (1, 'lab');";

static int run(const char *path, long count, double seconds) {
        sqlite3 *db = NULL;
        sqlite3_stmt *ins = NULL;
        double start, elapsed;
        long done = 0;
        int r = -1;

        if (sqlite3_open(path, &db) != SQLITE_OK) {
                fprintf(stderr, "bench-sqlite: open %s: %s\n", path, sqlite3_errmsg(db));
                goto out;
        }
        if (exec_sql(db, schema) < 0)
                goto out;
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO allocation (network_id, cluster, ip, mac) VALUES (1, ?1, ?2, ?3)",
                               -1, &ins, NULL) != SQLITE_OK) {
                fprintf(stderr, "bench-sqlite: prepare: %s\n", sqlite3_errmsg(db));
                goto out;
        }

        start = now_s();
        for (long i = 0; i < count; i++) {
                unsigned char ip[16] = {0x20, 0x01, 0x0d, 0xb8};
                char name[32], mac[18];

                if (seconds > 0 && now_s() - start >= seconds)
                        break;
                snprintf(name, sizeof(name), "c%ld", i);
                snprintf(mac, sizeof(mac), "52:54:00:%02lx:%02lx:%02lx", (i >> 16) & 0xff, (i >> 8) & 0xff,
                         i & 0xff);
                ip[13] = (unsigned char)(i >> 16);
                ip[14] = (unsigned char)(i >> 8);
                ip[15] = (unsigned char)i;
                if (exec_sql(db, "BEGIN IMMEDIATE") < 0)
                        goto out;
                sqlite3_bind_text(ins, 1, name, -1, SQLITE_TRANSIENT);
                sqlite3_bind_blob(ins, 2, ip, sizeof(ip), SQLITE_TRANSIENT);
                sqlite3_bind_text(ins, 3, mac, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(ins) != SQLITE_DONE) {
                        fprintf(stderr, "bench-sqlite: insert %s: %s\n", name, sqlite3_errmsg(db));
                        goto out;
                }
                sqlite3_reset(ins);
                if (exec_sql(db, "COMMIT") < 0)
                        goto out;
                done++;
        }
        elapsed = now_s() - start;
        printf("{\"commits\":%ld,\"seconds\":%.4f,\"rate_per_s\":%.2f}\n", done, elapsed,
               elapsed > 0 ? (double)done / elapsed : 0);
        r = 0;
out:
        sqlite3_finalize(ins);
        sqlite3_close(db);
        return r;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                {"db", required_argument, NULL, 'd'},
                {"count", required_argument, NULL, 'n'},
                {"seconds", required_argument, NULL, 'S'},
                {NULL, 0, NULL, 0},
        };
        const char *path = NULL;
        double seconds = 0;
        long count = 0;
        int o;

        while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (o) {
                case 'd':
                        path = optarg;
                        break;
                case 'n':
                        count = strtol(optarg, NULL, 10);
                        break;
                case 'S':
                        seconds = strtod(optarg, NULL);
                        break;
                default:
                        fputs("usage: bench-sqlite --db PATH --count N [--seconds S]\n", stderr);
                        return 2;
                }
        }
        if (!path || count <= 0 || optind != argc) {
                fputs("usage: bench-sqlite --db PATH --count N [--seconds S]\n", stderr);
                return 2;
        }
        return run(path, count, seconds) < 0 ? 1 : 0;
}
