/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_BRIDGE: a Linux bridge, STP off, MTU as wanted, up. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "netlink-private.h"

static void bridge_compare(const struct nl_link_info *li, const struct fobj *want, char *d, size_t size) {
        if (!streq(li->kind, "bridge")) {
                nl_detail_add(d, size, "type %s, want bridge", isempty(li->kind) ? "unknown" : li->kind);
                return;
        }
        if (want->mtu && li->mtu != want->mtu)
                nl_detail_add(d, size, "mtu %u, want %u", li->mtu, want->mtu);
        if (li->stp_state > 0)
                nl_detail_add(d, size, "stp on, want off");
        if (!(li->flags & IFF_UP))
                nl_detail_add(d, size, "down");
}

static int bridge_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                        size_t size, struct netd_error *err) {
        char d[NL_DETAIL_MAX] = "";
        struct nl_link_info li;
        int r;

        nl_detail_copy(detail, size, "");
        r = nl_link_read_owned(ctx, want->name, &li, ret_state, detail, size, err);
        if (r <= 0)
                return r;
        bridge_compare(&li, want, d, sizeof(d));
        *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        nl_detail_copy(detail, size, d);
        return 0;
}

/* libnl 3.7 has no setter for IFLA_BR_STP_STATE, so this request is built
 * by hand. */
static int bridge_stp_off(struct nl_ctx *ctx, const char *what, int ifindex, struct netd_error *err) {
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
        struct nlattr *info, *data;
        struct nl_msg *msg;

        msg = nl_ctx_msg_new(RTM_NEWLINK, 0, &ifi, sizeof(ifi), err);
        if (!msg)
                return NETD_EINTERNAL;
        if (!(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
            nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
            !(data = nla_nest_start(msg, IFLA_INFO_DATA)) || nla_put_u32(msg, IFLA_BR_STP_STATE, 0) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        return nl_ctx_change(ctx, 0, msg, what, "turn STP off", false, err);
}

static int bridge_create(struct nl_ctx *ctx, const char *what, const struct fobj *want,
                         struct netd_error *err) {
        struct nl_link_change extra = NL_LINK_CHANGE_INIT;
        struct rtnl_link *l = rtnl_link_bridge_alloc();
        int r;

        if (!l)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        rtnl_link_set_name(l, want->name);
        rtnl_link_set_flags(l, IFF_UP);
        /* A bridge adopts the smallest MTU of its ports unless its MTU was
         * set by a change request; an MTU given at creation does not count.
         * So it goes with the marking request. The kernel creates bridges
         * with STP off. */
        extra.mtu = want->mtu;
        r = nl_link_create(ctx, what, l, want->name, &extra, err);
        rtnl_link_put(l);
        return r;
}

static int bridge_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_change c = NL_LINK_CHANGE_INIT;
        struct nl_link_info li;
        char what[IFNAMSIZ + 16];
        int r;

        snprintf(what, sizeof(what), "bridge %s", want->name);
        r = nl_link_get(ctx, want->name, 0, &li, err);
        if (r == NETD_ENOTFOUND)
                return bridge_create(ctx, what, want, err);
        if (r < 0)
                return r;
        if (!nl_link_is_ours(&li))
                return nl_link_conflict(err, want->name);
        if (!streq(li.kind, "bridge")) {
                /* Ours but of another kind: only a delete can fix that. */
                r = nl_link_delete(ctx, what, li.ifindex, err);
                return r < 0 ? r : bridge_create(ctx, what, want, err);
        }
        if (want->mtu && li.mtu != want->mtu)
                c.mtu = want->mtu;
        c.up = !(li.flags & IFF_UP);
        if (c.mtu || c.up) {
                r = nl_link_change(ctx, what, NULL, li.ifindex, &c, err);
                if (r < 0)
                        return r;
        }
        if (li.stp_state > 0)
                return bridge_stp_off(ctx, what, li.ifindex, err);
        return 0;
}

static int bridge_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        return nl_link_remove_owned(ctx, "bridge", want->name, err);
}

const struct netlink_ops link_bridge_ops = {
        .kind = FOBJ_BRIDGE,
        .check = bridge_check,
        .ensure = bridge_ensure,
        .remove = bridge_remove,
};
