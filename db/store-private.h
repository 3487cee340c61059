/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the files of db/: the store handle, SQLite helpers,
 * transactions and the one conversion of SQLite codes to NETD_E* codes. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "netd/core/addr.h"
#include "network.h"
#include "store.h"

struct store {
        sqlite3 *db;
        bool batch; /* inside store_batch_begin(): transactions are savepoints */
};

static inline void sqlite3_finalizep(sqlite3_stmt **stmt) {
        sqlite3_finalize(*stmt);
}
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

/* Convert SQLite result `rc` into a NETD_E* code (busy/locked: unavailable,
 * constraint: conflict, anything else: internal) with SQLite's message. */
int store_error(struct store *s, int rc, struct netd_error *err);

/* Prepare fixed SQL text; values always go in through sqlite3_bind_*(). */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret, struct netd_error *err);
/* Step once: 1 for a row, 0 when done, or a NETD_E* code. */
int store_step(struct store *s, sqlite3_stmt *stmt, struct netd_error *err);
/* Run fixed SQL text without parameters or rows. */
int store_exec(struct store *s, const char *sql, struct netd_error *err);

/* A transaction that rolls back when it goes out of scope uncommitted. */
struct store_tx {
        struct store *store;
        bool savepoint;
};
/* BEGIN IMMEDIATE for `write` (the write lock is taken up front, waiting out
 * the busy timeout), else a deferred BEGIN for a consistent read. */
int store_tx_begin(struct store *s, bool write, struct store_tx *ret, struct netd_error *err);
int store_tx_commit(struct store_tx *tx, struct netd_error *err);
void store_tx_rollbackp(struct store_tx *tx);
#define _cleanup_tx_ _cleanup_(store_tx_rollbackp)

/* Addresses travel as 16-byte big-endian blobs and families as 4 or 6. */
int store_bind_addr(sqlite3_stmt *stmt, int idx, const struct addr *a);
void store_column_addr(sqlite3_stmt *stmt, int col, int family, struct addr *ret);
int store_family_to_db(int family);
int store_family_from_db(int v);

/* Set `err` to `inner` behind "PREFIX: "; returns inner's code. */
int store_error_wrap(struct netd_error *err, const struct netd_error *inner, const char *prefix);

/* The schema migrations, applied by store_open() (db/migrations.c). */
int migrations_apply(struct store *s, struct netd_error *err);

/* A network with its row id; NETD_ENOTFOUND when absent (db/network.c). */
int network_find(struct store *s, const char *name, struct network **ret, int64_t *ret_id,
                 struct netd_error *err);
/* A host with its row id; NETD_ENOTFOUND when absent (db/host.c). `ret`
 * may be NULL when only the id is wanted. */
struct host;
int host_find(struct store *s, const char *name, struct host **ret, int64_t *ret_id, struct netd_error *err);
/* Every network ordered by name, with their ids in *ret_ids. */
int network_find_all(struct store *s, struct network ***ret, int64_t **ret_ids, size_t *ret_n,
                     struct netd_error *err);
