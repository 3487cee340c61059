/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Veth links netd keeps on a host. */
#pragma once

#include "store.h"

/* `link add HOST veth NAME --peer PEER [--master BR] [--peer-master BR]`.
 * The same link again is idempotent; NETD_EEXISTS when a name is an end of
 * another link, NETD_ECONFLICT when an attachment's device has it. */
int link_add(struct store *s, const char *host, const char *kind, const char *name, const char *peer,
             const char *master, const char *peer_master, struct netd_error *err);
/* NETD_ENOTFOUND when the host has no link `name` (or it is a peer). */
int link_remove(struct store *s, const char *host, const char *name, struct netd_error *err);
