/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_VETH: a veth pair `name` <-> `peer`, each end optionally enslaved
 * (master, peer_master), MTU on both, both up. Both ends carry the owner
 * alias. */
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "netlink-private.h"

/* Reads both ends: 1 = both ends' state read (an end may be absent, see
 * *ret_has), 0 = *ret_state decided (conflict), < 0 = error. */
static int veth_read(struct nl_ctx *ctx, const struct fobj *want, struct nl_link_info *a,
                     struct nl_link_info *p, bool *ret_has_a, bool *ret_has_p, enum fobj_state *ret_state,
                     char *detail, size_t size, struct netd_error *err) {
        int r;

        r = nl_link_get(ctx, want->name, 0, a, err);
        if (r < 0 && r != NETD_ENOTFOUND)
                return r;
        *ret_has_a = r == 0;
        r = nl_link_get(ctx, want->peer, 0, p, err);
        if (r < 0 && r != NETD_ENOTFOUND)
                return r;
        *ret_has_p = r == 0;
        if (*ret_has_a && !nl_link_is_ours(a)) {
                *ret_state = FOBJ_CONFLICT;
                nl_detail_conflict(detail, size, want->name);
                return 0;
        }
        if (*ret_has_p && !nl_link_is_ours(p)) {
                *ret_state = FOBJ_CONFLICT;
                nl_detail_conflict(detail, size, want->peer);
                return 0;
        }
        return 1;
}

/* True when `a` is a veth whose other end is `p`. */
static bool veth_paired(const struct nl_link_info *a, bool has_p, const struct nl_link_info *p) {
        return streq(a->kind, "veth") && has_p && a->link == p->ifindex && p->link == a->ifindex;
}

static int veth_compare_end(struct nl_ctx *ctx, const struct nl_link_info *li, unsigned mtu,
                            const char *master, const char *prefix, char *d, size_t size,
                            struct netd_error *err) {
        if (mtu && li->mtu != mtu)
                nl_detail_add(d, size, "%smtu %u, want %u", prefix, li->mtu, mtu);
        if (!(li->flags & IFF_UP))
                nl_detail_add(d, size, "%sdown", prefix);
        return nl_link_compare_master(ctx, li, master, prefix, d, size, err);
}

static int veth_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                      size_t size, struct netd_error *err) {
        char d[NL_DETAIL_MAX] = "", prefix[IFNAMSIZ + 4];
        struct nl_link_info a, p;
        bool has_a, has_p;
        int r;

        nl_detail_copy(detail, size, "");
        r = veth_read(ctx, want, &a, &p, &has_a, &has_p, ret_state, detail, size, err);
        if (r <= 0)
                return r;
        if (!has_a) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (!streq(a.kind, "veth"))
                nl_detail_add(d, sizeof(d), "type %s, want veth", isempty(a.kind) ? "unknown" : a.kind);
        else if (!veth_paired(&a, has_p, &p)) {
                char cur[IFNAMSIZ + 8] = "none";
                struct nl_link_info q;

                /* Only for the message: the peer may be in another namespace. */
                if (a.link && nl_link_get(ctx, NULL, a.link, &q, NULL) == 0)
                        strscpy(cur, sizeof(cur), q.name);
                else if (a.link)
                        snprintf(cur, sizeof(cur), "#%d", a.link);
                nl_detail_add(d, sizeof(d), "peer %s, want %s", cur, want->peer);
        } else {
                r = veth_compare_end(ctx, &a, want->mtu, want->master, "", d, sizeof(d), err);
                if (r < 0)
                        return r;
                snprintf(prefix, sizeof(prefix), "%s: ", want->peer);
                r = veth_compare_end(ctx, &p, want->mtu, want->peer_master, prefix, d, sizeof(d), err);
                if (r < 0)
                        return r;
        }
        *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        nl_detail_copy(detail, size, d);
        return 0;
}

static int veth_create(struct nl_ctx *ctx, const char *what, const struct fobj *want, int master,
                       int peer_master, struct netd_error *err) {
        struct nl_link_change mark = NL_LINK_CHANGE_INIT;
        struct rtnl_link *l, *peer;
        int r;

        l = rtnl_link_veth_alloc();
        if (!l)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        peer = rtnl_link_veth_get_peer(l);
        rtnl_link_set_name(l, want->name);
        rtnl_link_set_name(peer, want->peer);
        if (want->mtu) {
                rtnl_link_set_mtu(l, want->mtu);
                rtnl_link_set_mtu(peer, want->mtu);
        }
        /* At creation the kernel brings the peer up before the pair is
         * linked (veth_open() then fails with ENOTCONN) and ignores the
         * peer's IFLA_MASTER: the peer is enslaved and brought up by its
         * marking request instead. */
        rtnl_link_set_flags(l, IFF_UP);
        if (master)
                rtnl_link_set_master(l, master);
        r = nl_link_create(ctx, what, l, want->name, NULL, err);
        rtnl_link_put(peer);
        rtnl_link_put(l);
        if (r < 0)
                return r;
        mark.alias = FOBJ_OWNER_ALIAS;
        mark.up = true;
        if (peer_master)
                mark.master = peer_master;
        r = nl_link_change(ctx, what, want->peer, 0, &mark, err);
        if (r < 0) {
                struct nl_link_info a;

                /* Deleting one end deletes the pair. */
                if (nl_link_get(ctx, want->name, 0, &a, NULL) == 0)
                        (void)nl_link_delete(ctx, what, a.ifindex, NULL);
        }
        return r;
}

static int veth_repair_end(struct nl_ctx *ctx, const char *what, const struct nl_link_info *li, unsigned mtu,
                           int master, struct netd_error *err) {
        struct nl_link_change c = NL_LINK_CHANGE_INIT;

        if (mtu && li->mtu != mtu)
                c.mtu = mtu;
        if (li->master != master)
                c.master = master;
        c.up = !(li->flags & IFF_UP);
        if (!c.mtu && c.master < 0 && !c.up)
                return 0;
        return nl_link_change(ctx, what, NULL, li->ifindex, &c, err);
}

static int veth_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        enum fobj_state state = FOBJ_OK;
        struct nl_link_info a, p;
        char what[2 * IFNAMSIZ + 16];
        bool has_a, has_p;
        int master, peer_master, r;

        snprintf(what, sizeof(what), "veth %s", want->name);
        r = veth_read(ctx, want, &a, &p, &has_a, &has_p, &state, NULL, 0, err);
        if (r < 0)
                return r;
        if (r == 0)
                return nl_link_conflict(err, has_a && !nl_link_is_ours(&a) ? want->name : want->peer);
        r = nl_link_master_index(ctx, what, want->master, &master, err);
        if (r < 0)
                return r;
        r = nl_link_master_index(ctx, what, want->peer_master, &peer_master, err);
        if (r < 0)
                return r;
        if (has_a && veth_paired(&a, has_p, &p)) {
                r = veth_repair_end(ctx, what, &a, want->mtu, master, err);
                if (r < 0)
                        return r;
                snprintf(what, sizeof(what), "veth %s", want->peer);
                return veth_repair_end(ctx, what, &p, want->mtu, peer_master, err);
        }
        /* Wrong kind, wrong peer or half a pair: all ours, so rebuild. */
        if (has_a) {
                r = nl_link_delete(ctx, what, a.ifindex, err);
                if (r < 0)
                        return r;
        }
        if (has_p && nl_link_get(ctx, want->peer, 0, &p, NULL) == 0) {
                r = nl_link_delete(ctx, what, p.ifindex, err);
                if (r < 0)
                        return r;
        }
        return veth_create(ctx, what, want, master, peer_master, err);
}

static int veth_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_info p;
        int r;

        r = nl_link_remove_owned(ctx, "veth", want->name, err);
        if (r < 0)
                return r;
        /* Normally the peer went with it; a lone peer of ours goes too, a
         * foreign interface of that name is not part of this pair. */
        r = nl_link_get(ctx, want->peer, 0, &p, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        if (!nl_link_is_ours(&p))
                return 0;
        return nl_link_remove_owned(ctx, "veth", want->peer, err);
}

const struct netlink_ops link_veth_ops = {
        .kind = FOBJ_VETH,
        .check = veth_check,
        .ensure = veth_ensure,
        .remove = veth_remove,
};
