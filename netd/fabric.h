/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fabric side of netd: one connection per lab host (its agent, started
 * as `CMD netd agent --stdio` through /bin/sh -c, or in-process for
 * `--connect local`), and the reconciler that pushes each host's whole
 * desired state (db/fabric.h) on agent (re)connect, on `fabric sync`, after
 * every change that concerns the host, and periodically. */
#pragma once

#include "daemon.h"

/* Start connections to every host in the store. */
int fabric_new(struct daemon *d, struct fabric **ret, struct netd_error *err);
/* Stop every agent; pending callbacks are dropped. */
void fabric_free(struct fabric *f);
