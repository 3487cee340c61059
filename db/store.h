/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The allocation store: one SQLite file, netd its only writer.
 *
 * store_open() applies the pragmas (WAL, foreign keys, synchronous=FULL)
 * and the numbered migrations (PRAGMA user_version) in db/migrations.c.
 * Every write runs in one BEGIN IMMEDIATE transaction, so an acknowledged
 * change is on disk and a failed one left nothing behind. Uniqueness
 * (addresses per network, MACs lab-wide, cluster names, node names per
 * cluster) is enforced by UNIQUE constraints in the schema, not only by
 * the code.
 *
 * The event loop never waits for SQLite: once open, a write lock held by
 * another process answers "unavailable: database is busy" at once, and a
 * full disk or an I/O error answers "unavailable" with the database's path
 * and the reason; reads go on (WAL), and the next write after space
 * returns succeeds. */
#pragma once

#include "netd/core/error.h"

struct store;

/* Open (creating if needed) and migrate the database at `path`. The file
 * and its -wal/-shm/-journal must not be symlinks (refused, naming the
 * path); they get FILE_MODE and group netd (netd/core/file.h). Opening an
 * up-to-date database writes nothing, so a full disk still serves what is
 * stored. Waits for another process's lock only here (up to 5 s). */
int store_open(const char *path, struct store **ret, struct netd_error *err);
void store_close(struct store *s);
static inline void store_closep(struct store **s) {
        store_close(*s);
}
#define _cleanup_store_ _cleanup_(store_closep)

/* Group commit: between these two calls every write transaction becomes a
 * savepoint of one BEGIN IMMEDIATE transaction, so several changes share one
 * durable COMMIT. Nothing written in a batch may be acknowledged before
 * store_batch_commit() has returned 0. */
int store_batch_begin(struct store *s, struct netd_error *err);
int store_batch_commit(struct store *s, struct netd_error *err);

/* The schema version this build writes (the highest migration). */
int store_schema_version(void);
