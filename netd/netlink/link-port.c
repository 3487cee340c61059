/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_PORT: an existing interface netd did not make (e.g. the uplink)
 * enslaved to a bridge and up. The only kind that acts on a foreign
 * interface, and then only on its master and up state, and only with a
 * bridge netd made: a bridge of that name without netd's alias makes the
 * port a conflict, never joined, never detached. A remove detaches the
 * port it names (the attachment's uplink) and only from netd's bridge;
 * other ports of that bridge are not named, so never touched. */
#include <netlink/route/link.h>

#include "netlink-private.h"

static int port_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                      size_t size, struct netd_error *err) {
        char d[NL_DETAIL_MAX] = "";
        struct nl_link_info li, br;
        int r;

        nl_detail_copy(detail, size, "");
        r = nl_link_get(ctx, want->name, 0, &li, err);
        if (r == NETD_ENOTFOUND) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (r < 0)
                return r;
        r = nl_link_get(ctx, want->master, 0, &br, err);
        if (r == 0 && !nl_link_is_ours(&br)) {
                *ret_state = FOBJ_CONFLICT;
                nl_detail_conflict(detail, size, want->master);
                return 0;
        }
        if (r < 0 && r != NETD_ENOTFOUND)
                return r;
        r = nl_link_compare_master(ctx, &li, want->master, "", d, sizeof(d), err);
        if (r < 0)
                return r;
        if (!(li.flags & IFF_UP))
                nl_detail_add(d, sizeof(d), "down");
        *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        nl_detail_copy(detail, size, d);
        return 0;
}

static int port_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_change c = NL_LINK_CHANGE_INIT;
        struct nl_link_info li, br;
        char what[IFNAMSIZ + 16];
        int master, r;

        snprintf(what, sizeof(what), "port %s", want->name);
        r = nl_link_get(ctx, want->name, 0, &li, err);
        if (r == NETD_ENOTFOUND)
                return error_set(err, NETD_ENOTFOUND, "%s: interface %s does not exist", what, want->name);
        if (r < 0)
                return r;
        r = nl_link_get(ctx, want->master, 0, &br, err);
        if (r == 0 && !nl_link_is_ours(&br))
                return nl_link_conflict(err, want->master);
        if (r < 0 && r != NETD_ENOTFOUND)
                return r;
        r = nl_link_master_index(ctx, what, want->master, &master, err);
        if (r < 0)
                return r;
        if (li.master != master)
                c.master = master;
        c.up = !(li.flags & IFF_UP);
        if (c.master < 0 && !c.up)
                return 0;
        return nl_link_change(ctx, what, NULL, li.ifindex, &c, err);
}

static int port_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_change c = NL_LINK_CHANGE_INIT;
        struct nl_link_info li, br;
        char what[IFNAMSIZ + 16];
        int r;

        r = nl_link_get(ctx, want->name, 0, &li, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        r = nl_link_get(ctx, want->master, 0, &br, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        /* A bridge netd did not make, or someone moved the port elsewhere
         * since: not ours to undo. */
        if (!nl_link_is_ours(&br) || li.master != br.ifindex)
                return 0;
        snprintf(what, sizeof(what), "port %s", want->name);
        c.master = 0;
        return nl_link_change(ctx, what, NULL, li.ifindex, &c, err);
}

const struct netlink_ops link_port_ops = {
        .kind = FOBJ_PORT,
        .check = port_check,
        .ensure = port_ensure,
        .remove = port_remove,
};
