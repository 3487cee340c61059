/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The desired fabric of a host, computed from the database: the list the
 * reconciler pushes whole to the host's agent on every pass. */
#pragma once

#include <stddef.h>

#include "netd/core/fobj.h"
#include "store.h"

/* Every object `host` must have, in dependency order (bridges, veths,
 * vxlans, ports, addresses, routes, fdb entries): for each attached
 * network its bridge (STP off, the network's MTU), the uplink port, the
 * bridge address, and when the network has a VNI one VXLAN device
 * "vx<VNI>" on the bridge (local = the host's underlay, dstport 4789, the
 * network's MTU) with one flood entry per other attached host whose
 * underlay is of the same family; then its veth links and routes. */
int desired_list(struct store *s, const char *host, struct fobj **ret, size_t *ret_n, struct netd_error *err);
