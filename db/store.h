/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The allocation store: one SQLite file, netd its only writer.
 *
 * store_open() applies the pragmas (WAL, foreign keys, synchronous=FULL,
 * busy timeout) and the numbered migrations (PRAGMA user_version) in
 * db/migrations.c. Every write runs in one BEGIN IMMEDIATE transaction, so
 * an acknowledged change is on disk and a failed one left nothing behind.
 * Uniqueness (addresses per network, MACs lab-wide, cluster names, node
 * names per cluster) is enforced by UNIQUE constraints in the schema, not
 * only by the code. */
#pragma once

#include "netd/core/error.h"

struct store;

/* Open (creating if needed) and migrate the database at `path`. */
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
