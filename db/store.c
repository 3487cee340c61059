/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "netd/core/file.h"
#include "netd/core/log.h"
#include "store-private.h"

/* How long store_open() waits for another process's lock (the loop does
 * not run yet); once serving, a write never waits, and a read (which in
 * WAL mode needs no lock but may meet another process recovering the WAL)
 * waits at most STORE_BUSY_READ_MS. */
#define STORE_BUSY_OPEN_MS 5000
#define STORE_BUSY_READ_MS 50
#define STORE_BUSY_STEP_MS 2

/* The files SQLite keeps beside the database. */
static const char *const store_suffixes[] = {"", "-wal", "-shm", "-journal"};

/* Convert `rc` of `op` (a short statement, or NULL). */
static int store_error_op(struct store *s, int rc, const char *op, struct netd_error *err) {
        const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
        const char *path = s && s->path ? s->path : "(not open)";
        int e = s && s->db ? sqlite3_system_errno(s->db) : 0;
        char what[64] = "";
        int r;

        if (op)
                snprintf(what, sizeof(what), "%s failed: ", op);
        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                if (s && s->locking)
                        return error_set(err, NETD_EUNAVAILABLE,
                                         "database is busy: another process holds the write lock on %s",
                                         path);
                return error_set(err, NETD_EUNAVAILABLE, "database is busy: %s: %s", path, msg);
        case SQLITE_FULL:
                r = error_set(err, NETD_EUNAVAILABLE,
                              "database %s: %sthe disk is full%s%s%s; nothing was stored", path, what,
                              e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
                break;
        case SQLITE_IOERR:
                r = error_set(err, NETD_EUNAVAILABLE, "database %s: %sI/O error (%s%s%s)", path, what, msg,
                              e ? ": " : "", e ? strerror(e) : "");
                break;
        case SQLITE_READONLY:
                r = error_set(err, NETD_EUNAVAILABLE, "database %s: %sthe file is read-only (%s)", path, what,
                              msg);
                break;
        case SQLITE_CANTOPEN:
                r = error_set(err, NETD_EUNAVAILABLE, "database %s: %scannot open a file of it (%s%s%s)",
                              path, what, msg, e ? ": " : "", e ? strerror(e) : "");
                break;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return error_set(err, NETD_EINTERNAL, "database %s is corrupted: %s", path, msg);
        case SQLITE_CONSTRAINT:
                return error_set(err, NETD_ECONFLICT, "database constraint: %s", msg);
        default:
                return error_set(err, NETD_EINTERNAL, "database: %s", msg);
        }
        /* SQLite may have rolled the whole batch back on its own: the
         * requests that shared it learn why at its commit. */
        if (s && s->batch && sqlite3_get_autocommit(s->db) && !s->batch_error && err)
                s->batch_error = strdup(err->message);
        return r;
}

int store_error(struct store *s, int rc, struct netd_error *err) {
        return store_error_op(s, rc, NULL, err);
}

/* SQLite's busy handler: `count` earlier calls for this lock. */
static int store_busy(void *userdata, int count) {
        struct store *s = userdata;
        int budget = !s->serving ? STORE_BUSY_OPEN_MS : s->locking ? 0 : STORE_BUSY_READ_MS;

        if (count * STORE_BUSY_STEP_MS >= budget)
                return 0;
        usleep(STORE_BUSY_STEP_MS * 1000);
        return 1;
}

/* Take the write lock: "BEGIN IMMEDIATE", never waiting once serving. */
static int store_lock(struct store *s, struct netd_error *err) {
        int rc, r;

        s->locking = true;
        rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        r = rc == SQLITE_OK ? 0 : store_error(s, rc, err);
        s->locking = false;
        return r;
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret, struct netd_error *err) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);

        if (rc != SQLITE_OK)
                return store_error(s, rc, err);
        return 0;
}

int store_prepare_int(struct store *s, const char *sql, int64_t v, sqlite3_stmt **ret,
                      struct netd_error *err) {
        int r = store_prepare(s, sql, ret, err);

        if (r < 0)
                return r;
        sqlite3_bind_int64(*ret, 1, v);
        return 0;
}

int store_step(struct store *s, sqlite3_stmt *stmt, struct netd_error *err) {
        int rc = sqlite3_step(stmt);

        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return store_error(s, rc, err);
}

int store_exec(struct store *s, const char *sql, struct netd_error *err) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

        if (rc != SQLITE_OK)
                return store_error_op(s, rc, strlen(sql) < 24 ? sql : NULL, err);
        return 0;
}

int store_exec_id(struct store *s, const char *sql, int64_t id, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, sql, id, &stmt, err);
        if (r < 0)
                return r;
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

int store_query(struct store *s, const char *sql, sqlite3_stmt **ret, struct netd_error *err) {
        int r = store_prepare(s, sql, ret, err);

        return r < 0 ? r : store_step(s, *ret, err);
}

int store_tx_begin(struct store *s, bool write, struct store_tx *ret, struct netd_error *err) {
        int r;

        /* SQLite rolled the batch back (a full disk): a SAVEPOINT now would
         * open a transaction of its own, outside the batch. */
        if (s->batch && sqlite3_get_autocommit(s->db))
                return error_set(err, NETD_EUNAVAILABLE, "%s",
                                 s->batch_error ? s->batch_error : "database: the batch was rolled back");
        /* In a batch, each change is a savepoint: still all or nothing on its
         * own, made durable by the batch's single COMMIT. */
        if (s->batch)
                r = store_exec(s, "SAVEPOINT tx", err);
        else if (write)
                r = store_lock(s, err);
        else
                r = store_exec(s, "BEGIN", err);
        if (r < 0)
                return r;
        ret->store = s;
        ret->savepoint = s->batch;
        return 0;
}

int store_tx_commit(struct store_tx *tx, struct netd_error *err) {
        int r = store_exec(tx->store, tx->savepoint ? "RELEASE tx" : "COMMIT", err);

        /* A failed COMMIT leaves the transaction open; the cleanup rolls it back. */
        if (r == 0)
                tx->store = NULL;
        return r;
}

void store_tx_rollbackp(struct store_tx *tx) {
        /* SQLite may already have rolled back by itself (e.g. on SQLITE_FULL). */
        if (tx->store && !sqlite3_get_autocommit(tx->store->db))
                sqlite3_exec(tx->store->db, tx->savepoint ? "ROLLBACK TO tx; RELEASE tx" : "ROLLBACK", NULL,
                             NULL, NULL);
        tx->store = NULL;
}

int store_read(struct store *s, store_tx_fn fn, void *userdata, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        r = fn(s, userdata, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

int store_find_named(struct store *s, const char *select, const char *kind, const char *name,
                     sqlite3_stmt **ret, struct netd_error *err) {
        _cleanup_free_ char *sql = NULL;
        char what[32];
        int r;

        snprintf(what, sizeof(what), "%s name", kind);
        r = validate_name_check(what, name, err);
        if (r < 0)
                return r;
        if (asprintf(&sql, "%s WHERE name = ?", select) < 0) {
                sql = NULL;
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        r = store_prepare(s, sql, ret, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(*ret, 1, name, -1, SQLITE_TRANSIENT);
        r = store_step(s, *ret, err);
        if (r < 0)
                return r;
        if (r == 0)
                return error_set(err, NETD_ENOTFOUND, "%s %s not found", kind, name);
        return 0;
}

int store_users(struct store *s, const char *sql, int64_t id, const char *kind, char *buf, size_t size,
                int64_t *ret_n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char listed[STORE_USERS_LISTED * (NAME_MAX_LEN + 2) + 8] = "";
        int64_t n = 0;
        int r;

        buf[0] = '\0';
        r = store_prepare_int(s, sql, id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int(stmt, 2, STORE_USERS_LISTED);
        for (int i = 0; (r = store_step(s, stmt, err)) > 0; i++) {
                n = sqlite3_column_int64(stmt, 1);
                store_append(listed, sizeof(listed), "%s%s", i ? ", " : "", sqlite3_column_text(stmt, 0));
        }
        if (r < 0)
                return r;
        if (n > 0)
                snprintf(buf, size, "%" PRId64 " %s%s (%s%s)", n, kind, n == 1 ? "" : "s", listed,
                         n > STORE_USERS_LISTED ? ", ..." : "");
        *ret_n = n;
        return 0;
}

int store_grow(void *array, size_t *cap, size_t n, size_t size, struct netd_error *err) {
        void **v = array;
        size_t ncap;
        void *nv;

        if (n < *cap)
                return 0;
        ncap = *cap ? *cap * 2 : 8;
        nv = reallocarray(*v, ncap, size);
        if (!nv)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        *v = nv;
        *cap = ncap;
        return 0;
}

void store_column_string(sqlite3_stmt *stmt, int col, char *buf, size_t size) {
        const char *v = (const char *)sqlite3_column_text(stmt, col);

        strscpy(buf, size, v ? v : "");
}

void store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *v) {
        if (!isempty(v))
                sqlite3_bind_text(stmt, idx, v, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(stmt, idx);
}

void store_append(char *buf, size_t size, const char *fmt, ...) {
        size_t len = strlen(buf);
        va_list ap;

        if (len >= size)
                return;
        va_start(ap, fmt);
        vsnprintf(buf + len, size - len, fmt, ap);
        va_end(ap);
}

int store_batch_begin(struct store *s, struct netd_error *err) {
        int r = store_lock(s, err);

        if (r == 0) {
                s->batch = true;
                free(s->batch_error);
                s->batch_error = NULL;
        }
        return r;
}

int store_batch_commit(struct store *s, struct netd_error *err) {
        int r;

        s->batch = false;
        if (sqlite3_get_autocommit(s->db))
                return error_set(err, NETD_EUNAVAILABLE, "%s",
                                 s->batch_error
                                         ? s->batch_error
                                         : "database: the batch transaction was rolled back by SQLite");
        r = store_exec(s, "COMMIT", err);
        /* A failed COMMIT (a full disk) leaves the transaction open: roll it
         * back, so that the next write starts afresh once there is room. */
        if (r < 0 && !sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

int store_bind_addr(sqlite3_stmt *stmt, int idx, const struct addr *a) {
        uint8_t blob[16];

        addr_to_blob(a, blob);
        return sqlite3_bind_blob(stmt, idx, blob, sizeof(blob), SQLITE_TRANSIENT);
}

void store_column_addr(sqlite3_stmt *stmt, int col, int family, struct addr *ret) {
        const void *blob = sqlite3_column_blob(stmt, col);

        if (!blob || sqlite3_column_bytes(stmt, col) != 16) {
                *ret = (struct addr){};
                return;
        }
        addr_from_blob(family, blob, ret);
}

int store_family_to_db(int family) {
        return family == AF_INET6 ? 6 : 4;
}

int store_family_from_db(int v) {
        return v == 6 ? AF_INET6 : AF_INET;
}

int store_error_wrap(struct netd_error *err, const struct netd_error *inner, const char *prefix) {
        return error_set(err, inner->code, "%s: %s", prefix, inner->message);
}

/* WAL lets readers proceed beside the writer; the pragma reports the mode
 * it ended up in rather than failing, so check it. */
static int store_enable_wal(struct store *s, const char *path, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        const char *mode;
        int r;

        r = store_query(s, "PRAGMA journal_mode = WAL", &stmt, err);
        if (r < 0)
                return r;
        mode = r > 0 ? (const char *)sqlite3_column_text(stmt, 0) : NULL;
        if (!mode || strcasecmp(mode, "wal") != 0)
                return error_set(err, NETD_EINTERNAL, "database %s: cannot enable WAL (journal mode is %s)",
                                 path, mode ? mode : "unknown");
        return 0;
}

/* Refuse a symlink as the database or one of SQLite's files beside it (a
 * root netd would write through it); give them netd's mode and group. */
static int store_files_own(const char *path, struct netd_error *err) {
        for (size_t i = 0; i < ARRAY_SIZE(store_suffixes); i++) {
                _cleanup_free_ char *p = NULL;
                struct netd_error e = {0};
                int r;

                if (asprintf(&p, "%s%s", path, store_suffixes[i]) < 0) {
                        p = NULL;
                        return error_set(err, NETD_EINTERNAL, "out of memory");
                }
                /* The database itself is created here, so that SQLite gives
                 * its -wal and -shm the same mode and owner. */
                r = file_own(p, i == 0, &e);
                if (r == NETD_ENOTFOUND)
                        continue;
                if (r < 0)
                        return error_set(err, r, "database %s: %s", path, e.message);
        }
        return 0;
}

/* Open the connection and the WAL; with `exclusive`, in exclusive locking
 * mode, where SQLite keeps the WAL index in memory instead of the -shm
 * file. */
static int store_connect(struct store *s, bool exclusive, struct netd_error *err) {
        int rc = sqlite3_open_v2(s->path, &s->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                         SQLITE_OPEN_NOFOLLOW,
                                 NULL);
        int r;

        if (rc != SQLITE_OK)
                return store_error(s, rc, err);
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_handler(s->db, store_busy, s);
        r = exclusive ? store_exec(s, "PRAGMA locking_mode = EXCLUSIVE", err) : 0;
        /* journal_mode cannot change inside a transaction, so the pragmas come
         * before the migrations. */
        return r < 0 ? r : store_enable_wal(s, s->path, err);
}

int store_open(const char *path, struct store **ret, struct netd_error *err) {
        _cleanup_store_ struct store *s = NULL;
        struct netd_error e = {0};
        int r;

        r = store_files_own(path, err);
        if (r < 0)
                return r;
        s = calloc(1, sizeof(*s));
        if (!s || !(s->path = strdup(path)))
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = store_connect(s, false, &e);
        if (r < 0) {
                int rc = s->db ? sqlite3_errcode(s->db) & 0xff : SQLITE_NOMEM;

                if (rc != SQLITE_IOERR && rc != SQLITE_FULL && rc != SQLITE_CANTOPEN)
                        return error_set(err, e.code, "%s", e.message);
                /* The -shm file cannot be made (a full disk at start): still
                 * serve what is stored, the WAL index in memory, at the price
                 * of no other process reading the database until netd
                 * restarts. */
                sqlite3_close(s->db);
                s->db = NULL;
                r = store_connect(s, true, err);
                if (r < 0)
                        return r;
                log_warn("%s; serving it with an exclusive lock (no other process can read it until netd "
                         "restarts)",
                         e.message);
        }
        r = store_exec(s, "PRAGMA foreign_keys = ON", err);
        if (r >= 0)
                r = store_exec(s, "PRAGMA synchronous = FULL", err);
        if (r >= 0)
                r = migrations_apply(s, err);
        if (r < 0)
                return r;
        s->serving = true;
        *ret = TAKE_PTR(s);
        return 0;
}

void store_close(struct store *s) {
        if (!s)
                return;
        /* The last close checkpoints the WAL; on a full disk that fails and
         * the WAL stays, to be checkpointed by the next start: harmless. */
        sqlite3_close(s->db);
        free(s->batch_error);
        free(s->path);
        free(s);
}
