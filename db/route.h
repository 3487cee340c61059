/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Static routes netd keeps on a host, one per destination. */
#pragma once

#include "store.h"

/* `route add HOST DEST/PREFIX --via GW [--dev IFACE]`. The same route again
 * is idempotent; NETD_ECONFLICT for the destination via another gateway. */
int route_add(struct store *s, const char *host, const char *dest, const char *via, const char *dev,
              struct netd_error *err);
/* NETD_ENOTFOUND when the host has no route to `dest`. */
int route_remove(struct store *s, const char *host, const char *dest, struct netd_error *err);
