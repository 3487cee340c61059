/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of the fabric's part of the store share (db/attachment.c,
 * db/link.c, db/route.c, db/desired.c, db/garbage.c): lists of fabric
 * objects, the naming policy, the rows of attachments, the desired state of
 * one host, and the change bracket that keeps the removal queue right. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attachment.h"
#include "netd/core/fobj.h"
#include "store-private.h"

/* ---- db/desired.c ---- */

/* A growing list of fabric objects. */
struct fobj_vec {
        struct fobj *v;
        size_t n, cap;
};
int fobj_vec_push(struct fobj_vec *vec, const struct fobj *o, struct netd_error *err);
/* Reorder by kind (ascending, or descending for deletion order), keeping
 * the order of the objects within a kind. */
int fobj_vec_sort(struct fobj_vec *vec, bool descending, struct netd_error *err);
/* What `load` puts into a list for host `host` (NETD_ENOTFOUND when absent),
 * in a read transaction of its own; *ret is the caller's to free. */
int fobj_vec_read(struct store *s, const char *host,
                  int (*load)(struct store *s, const struct host_ref *h, struct fobj_vec *out,
                              struct netd_error *err),
                  struct fobj **ret, size_t *ret_n, struct netd_error *err);

/* The naming policy: a network's bridge is its --bridge, or "br-" and its
 * name cut to the kernel's 15 characters; its VXLAN device "vx<VNI>". */
void desired_bridge_name(const char *network, const char *bridge, char ret[IFNAME_MAX_LEN + 1]);
void desired_vxlan_name(uint32_t vni, char ret[IFNAME_MAX_LEN + 1]);

enum {
        DESIRED_USER_UPLINKS = 1 << 0, /* also the uplinks of attachments */
        DESIRED_USER_LINKS = 1 << 1,   /* also both ends of veth links */
};
/* What on host `host_id` already uses the interface name `ifname`, as a
 * phrase for a message in `ret` ("" when nothing): the bridges and VXLAN
 * devices of its attachments other than to network `skip_network_id`, and
 * per `flags` their uplinks and the veth links. */
int desired_ifname_user(struct store *s, int64_t host_id, int64_t skip_network_id, const char *ifname,
                        unsigned flags, char *ret, size_t size, struct netd_error *err);

/* The desired state of host `h` appended to `out`, inside the caller's
 * transaction (see desired_list()). */
int desired_compute(struct store *s, const struct host_ref *h, struct fobj_vec *out, struct netd_error *err);

/* ---- db/attachment.c ---- */

/* An attachment with what the fabric needs of its network. */
struct attachment_row {
        struct attachment a;
        int64_t network_id;
        unsigned mtu;                   /* 0 = the network has none */
        uint32_t vni;                   /* 0 = none */
        int underlay_family;            /* AF_INET or AF_INET6: its VXLAN's */
        char vxlan[IFNAME_MAX_LEN + 1]; /* "" without a VNI */
};
/* The attachments selected by `where` (a WHERE/ORDER BY clause using ?1
 * and ?2, bound to p1 and p2). */
int attachment_rows_load(struct store *s, const char *where, int64_t p1, int64_t p2,
                         struct attachment_row **ret, size_t *ret_n, struct netd_error *err);

/* ---- db/link.c, db/route.c ---- */

/* A veth link from the columns name, peer, master, peer_master. */
void link_from_row(sqlite3_stmt *stmt, struct fobj *ret);
/* A route from the columns dest, dest_family, dest_len, via, dev. */
void route_from_row(sqlite3_stmt *stmt, struct fobj *ret);

/* ---- db/garbage.c ---- */

/* One change of what netd keeps on a host (an attachment, a link, a
 * route), run by garbage_change_run(). */
struct garbage_change {
        const char *host;
        const char *network; /* an attachment's: the hosts attached to it change too; NULL: none */
        bool neighbours;     /* every host sharing a network with `host` changes too */
        /* Once the host (and network) are found: < 0 fails, > 0 when there
         * is nothing to change, 0 goes on. NULL: nothing to check. */
        int (*check)(struct store *s, struct garbage_change *c, struct netd_error *err);
        /* The change itself. */
        int (*apply)(struct store *s, struct garbage_change *c, struct netd_error *err);
        const void *userdata;
        /* When not NULL: gets the objects queued for deletion on `host`. */
        struct fobj_vec *queued;
        /* Found by garbage_change_run() for check and apply. */
        struct host_ref h;
        const struct network *net; /* with `network` */
        int64_t network_id;        /* 0 without */
};
/* In one write transaction: find the host (and network), check, compute
 * the desired state of every host the change concerns, apply, then queue
 * what they no longer need and unqueue what they need again. */
int garbage_change_run(struct store *s, struct garbage_change *c, struct netd_error *err);
