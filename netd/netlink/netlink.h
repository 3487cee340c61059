/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The netlink layer (libnl-3): the only code that changes the kernel's
 * network state. One file per object kind (link-bridge.c, link-veth.c,
 * link-vxlan.c, link-port.c, nl-address.c, nl-route.c, nl-fdb.c), each
 * exporting the same three operations, so the reconciler treats every kind
 * alike. libnl's NLE_* codes and the kernel's errno are converted here, once,
 * into NETD_E* codes with messages naming the interface and the reason.
 *
 * Ownership: interfaces created here carry FOBJ_OWNER_ALIAS; an existing
 * interface without it is reported as FOBJ_CONFLICT and never modified. */
#pragma once

#include "netd/core/fobj.h"

struct nl_ctx;

/* Open a route netlink socket in the current network namespace. */
int netlink_open(struct nl_ctx **ret, struct netd_error *err);
void netlink_close(struct nl_ctx *ctx);

struct netlink_ops {
        enum fobj_kind kind;
        /* Read the actual state and compare: *ret_state, and in `detail` what
         * differs ("mtu 1400, want 1450"). */
        int (*check)(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                     size_t size, struct netd_error *err);
        /* Create or repair to match `want`. NETD_ECONFLICT for a foreign
         * interface of that name. */
        int (*ensure)(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err);
        /* Delete (only if ours); absent is success. */
        int (*remove)(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err);
};

/* The operations of `kind`; NULL for a kind the kernel does not hold
 * (a libvirt network). */
const struct netlink_ops *netlink_kind_ops(enum fobj_kind kind);

/* Ports of `bridge` not created by netd (VM taps, foreign links): their
 * names, comma-separated, into buf ("" when none). */
int netlink_foreign_ports(struct nl_ctx *ctx, const char *bridge, char *buf, size_t size,
                          struct netd_error *err);
