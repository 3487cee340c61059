/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the files of db/: the store handle, SQLite helpers,
 * transactions, the one conversion of SQLite codes to NETD_E* codes, and
 * the lookups every kind of object repeats (find by name, get in a read
 * transaction of its own, who still uses a row). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "netd/core/addr.h"
#include "network.h"
#include "store.h"

struct store {
        sqlite3 *db;
        char *path;
        bool batch;        /* inside store_batch_begin(): transactions are savepoints */
        bool serving;      /* opened: never wait for another process's lock */
        bool locking;      /* taking the write lock (BEGIN IMMEDIATE) */
        char *batch_error; /* why SQLite rolled the batch back by itself */
};

static inline void sqlite3_finalizep(sqlite3_stmt **stmt) {
        sqlite3_finalize(*stmt);
}
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

/* Convert SQLite result `rc` into a NETD_E* code with SQLite's message:
 * busy/locked, a full disk, an I/O error, a read-only file: unavailable
 * (the database's path and the reason; the change was not stored);
 * constraint: conflict; corruption: internal, naming the file; anything
 * else: internal. */
int store_error(struct store *s, int rc, struct netd_error *err);

/* Prepare fixed SQL text; values always go in through sqlite3_bind_*(). */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret, struct netd_error *err);
/* Prepare fixed SQL text with the integer `v` (mostly a row id) bound as
 * its first parameter. */
int store_prepare_int(struct store *s, const char *sql, int64_t v, sqlite3_stmt **ret,
                      struct netd_error *err);
/* Step once: 1 for a row, 0 when done, or a NETD_E* code. */
int store_step(struct store *s, sqlite3_stmt *stmt, struct netd_error *err);
/* Run fixed SQL text without parameters or rows. */
int store_exec(struct store *s, const char *sql, struct netd_error *err);
/* Run fixed SQL text whose one parameter is the row id `id`. */
int store_exec_id(struct store *s, const char *sql, int64_t id, struct netd_error *err);
/* Prepare fixed SQL text without parameters and step to its first row:
 * 1 with *ret on that row, 0 when there is none. */
int store_query(struct store *s, const char *sql, sqlite3_stmt **ret, struct netd_error *err);

/* A transaction that rolls back when it goes out of scope uncommitted. */
struct store_tx {
        struct store *store;
        bool savepoint;
};
/* BEGIN IMMEDIATE for `write` (the write lock is taken up front; once the
 * store serves, a lock held by another process is "unavailable: database
 * is busy" at once instead of a wait), else a deferred BEGIN for a
 * consistent read (WAL: readers need no lock). */
int store_tx_begin(struct store *s, bool write, struct store_tx *ret, struct netd_error *err);
int store_tx_commit(struct store_tx *tx, struct netd_error *err);
void store_tx_rollbackp(struct store_tx *tx);
#define _cleanup_tx_ _cleanup_(store_tx_rollbackp)

/* Work done inside one transaction; what it reads goes into `userdata`. */
typedef int (*store_tx_fn)(struct store *s, void *userdata, struct netd_error *err);
/* Run `fn` in a read transaction of its own (a deferred BEGIN: one
 * consistent snapshot), committed when fn succeeds. Returns fn's error or
 * the COMMIT's; what fn put into `userdata` is the caller's to free. */
int store_read(struct store *s, store_tx_fn fn, void *userdata, struct netd_error *err);

/* Define TYPE_get() of db/TYPE.h, TYPE_find() (by name, with its row id;
 * NETD_ENOTFOUND when absent) in a read transaction of its own, and
 * TYPE_commit_get(), which commits a transaction after reading TYPE `name`
 * back into *ret (when `ret` is not NULL): the end of TYPE_get() and of the
 * writes that answer with what they stored. */
#define STORE_DEFINE_GET(type)                                                                               \
        int type##_commit_get(struct store_tx *tx, const char *name, struct type **ret,                      \
                              struct netd_error *err) {                                                      \
                _cleanup_(type##_freep) struct type *o = NULL;                                               \
                int r;                                                                                       \
                                                                                                             \
                if (ret) {                                                                                   \
                        r = type##_find(tx->store, name, &o, NULL, err);                                     \
                        if (r < 0)                                                                           \
                                return r;                                                                    \
                }                                                                                            \
                r = store_tx_commit(tx, err);                                                                \
                if (r < 0)                                                                                   \
                        return r;                                                                            \
                if (ret)                                                                                     \
                        *ret = TAKE_PTR(o);                                                                  \
                return 0;                                                                                    \
        }                                                                                                    \
                                                                                                             \
        int type##_get(struct store *s, const char *name, struct type **ret, struct netd_error *err) {       \
                _cleanup_tx_ struct store_tx tx = {};                                                        \
                int r;                                                                                       \
                                                                                                             \
                r = store_tx_begin(s, false, &tx, err);                                                      \
                if (r < 0)                                                                                   \
                        return r;                                                                            \
                return type##_commit_get(&tx, name, ret, err);                                               \
        }

/* Define TYPE_list_free() of db/TYPE.h: TYPE_free() on every object of a
 * list, then the list itself. */
#define STORE_DEFINE_LIST_FREE(type)                                                                         \
        void type##_list_free(struct type **l, size_t n) {                                                   \
                if (!l)                                                                                      \
                        return;                                                                              \
                for (size_t i = 0; i < n; i++)                                                               \
                        type##_free(l[i]);                                                                   \
                free(l);                                                                                     \
        }

/* The row of `select` ("SELECT ... FROM table") whose name is `name`, after
 * checking it as a "KIND name": 0 with *ret on that row, NETD_ENOTFOUND
 * "KIND NAME not found" when there is none. */
int store_find_named(struct store *s, const char *select, const char *kind, const char *name,
                     sqlite3_stmt **ret, struct netd_error *err);

/* How many names store_users() lists, and room for its phrase. */
#define STORE_USERS_LISTED 3
#define STORE_USERS_LEN (STORE_USERS_LISTED * (NAME_MAX_LEN + 2) + 64)
/* What still uses row `id`, as a phrase: `sql` takes the id and a limit and
 * returns a name and the total count per row; *ret_n is that count and
 * `buf` says e.g. "5 clusters (c0, c1, c2, ...)" ("" when none). */
int store_users(struct store *s, const char *sql, int64_t id, const char *kind, char *buf, size_t size,
                int64_t *ret_n, struct netd_error *err);

/* Make room for element `n` in the array *array of *cap elements of `size`
 * bytes, doubling it as needed ("out of memory" when that fails). */
int store_grow(void *array, size_t *cap, size_t n, size_t size, struct netd_error *err);

/* Text columns come out as "" for NULL, cut to `size`. */
void store_column_string(sqlite3_stmt *stmt, int col, char *buf, size_t size);
/* Bind `v`, or NULL for a missing or empty value. */
void store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *v);
/* Addresses travel as 16-byte big-endian blobs and families as 4 or 6. */
int store_bind_addr(sqlite3_stmt *stmt, int idx, const struct addr *a);
void store_column_addr(sqlite3_stmt *stmt, int col, int family, struct addr *ret);
int store_family_to_db(int family);
int store_family_from_db(int v);

/* Set `err` to `inner` behind "PREFIX: "; returns inner's code. */
int store_error_wrap(struct netd_error *err, const struct netd_error *inner, const char *prefix);
/* Append formatted text to the string in `buf`, cut to `size`. */
void store_append(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);

/* The schema migrations, applied by store_open() (db/migrations.c). */
int migrations_apply(struct store *s, struct netd_error *err);
/* The SQL of migration `version` (1 to store_schema_version()), for tests
 * that build a database as an older netd left it; NULL out of range. */
const char *migrations_sql(int version);

/* A network with its row id; NETD_ENOTFOUND when absent (db/network.c). */
int network_find(struct store *s, const char *name, struct network **ret, int64_t *ret_id,
                 struct netd_error *err);
/* Commit `tx`, reading network `name` back into *ret first (STORE_DEFINE_GET). */
int network_commit_get(struct store_tx *tx, const char *name, struct network **ret, struct netd_error *err);
/* Every network ordered by name, with their ids in *ret_ids. */
int network_find_all(struct store *s, struct network ***ret, int64_t **ret_ids, size_t *ret_n,
                     struct netd_error *err);

/* A host with its row id; NETD_ENOTFOUND when absent (db/host.c). `ret`
 * may be NULL when only the id is wanted. */
struct host;
int host_find(struct store *s, const char *name, struct host **ret, int64_t *ret_id, struct netd_error *err);
/* Commit `tx`, reading host `name` back into *ret first (STORE_DEFINE_GET). */
int host_commit_get(struct store_tx *tx, const char *name, struct host **ret, struct netd_error *err);

/* What the fabric needs of a host: its row id, name, underlay addresses and
 * whether libvirt manages its networks (db/host.c). */
struct host_ref {
        int64_t id;
        char name[NAME_MAX_LEN + 1];
        struct addr underlay[2]; /* [0] IPv4, [1] IPv6; family 0 = none */
        bool libvirt;            /* has a libvirt URI */
};
/* The columns host_ref_from_row() reads: "SELECT ... FROM hosts". */
extern const char host_ref_columns[];
void host_ref_from_row(sqlite3_stmt *stmt, struct host_ref *ret);
/* NETD_ENOTFOUND when absent. */
int host_ref_find(struct store *s, const char *name, struct host_ref *ret, struct netd_error *err);
