/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The removal queue: objects taken out of a host's desired state (detach,
 * link/route remove) that must still be deleted on their host; kept until
 * the host confirms. */
#pragma once

#include <stddef.h>

#include "netd/core/fobj.h"
#include "store.h"

/* The queue of `host` in deletion order: dependents first. */
int garbage_list(struct store *s, const char *host, struct fobj **ret, size_t *ret_n, struct netd_error *err);
/* Forget one queued object once the host deleted it (or it was absent). */
int garbage_done(struct store *s, const char *host, const struct fobj *o, struct netd_error *err);
