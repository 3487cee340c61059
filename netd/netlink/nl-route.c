/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_ROUTE: dst via gateway [dev], in the main table. Routes are asked
 * for explicitly, so any device will do. netd installs them with its own
 * protocol number (FOBJ_ROUTE_PROTOCOL) and only such a route is its own:
 * compared, replaced, and deleted (with exactly its destination, gateway
 * and device). Any other route to the destination is foreign: while netd
 * has none that is exactly right, the object is a conflict and nothing is
 * changed; a remove leaves foreign routes alone. */
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/route.h>

#include "netd/core/prefix.h"
#include "netlink-private.h"

struct route_find {
        const struct fobj *want;
        int oif;    /* wanted device, 0 = any */
        bool found; /* netd's routes (FOBJ_ROUTE_PROTOCOL) only, here to first_oif */
        bool exact;
        struct addr gateway; /* of the first route to dst; family 0 = none */
        int first_oif;
        bool multipath;
        bool foreign;              /* a route to dst with another protocol */
        unsigned foreign_protocol; /* the first one's */
};

static struct nla_policy route_policy[RTA_MAX + 1] = {
        [RTA_DST] = {.minlen = 4},
        [RTA_GATEWAY] = {.minlen = 4},
        [RTA_OIF] = {.type = NLA_U32},
        [RTA_TABLE] = {.type = NLA_U32},
};

static int on_route(struct nl_msg *msg, void *arg) {
        struct route_find *f = arg;
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *tb[RTA_MAX + 1];
        const struct prefix *dst = &f->want->dst;
        struct addr have = {0}, gw = {0};
        size_t n = dst->base.family == AF_INET ? 4 : 16;
        struct rtmsg *rtm;
        uint32_t table;
        int oif;

        if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, route_policy) < 0)
                return NL_OK;
        rtm = nlmsg_data(h);
        table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
        if (rtm->rtm_family != dst->base.family || table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST ||
            rtm->rtm_dst_len != dst->len)
                return NL_OK;
        if (tb[RTA_DST]) {
                if ((size_t)nla_len(tb[RTA_DST]) < n)
                        return NL_OK;
                nl_address_from_bytes(dst->base.family, nla_data(tb[RTA_DST]), &have);
        } else
                have.family = dst->base.family;
        if (addr_cmp(&have, &dst->base) != 0)
                return NL_OK;
        if (rtm->rtm_protocol != FOBJ_ROUTE_PROTOCOL) {
                if (!f->foreign)
                        f->foreign_protocol = rtm->rtm_protocol;
                f->foreign = true;
                return NL_OK;
        }
        if (tb[RTA_GATEWAY] && (size_t)nla_len(tb[RTA_GATEWAY]) >= n)
                nl_address_from_bytes(dst->base.family, nla_data(tb[RTA_GATEWAY]), &gw);
        oif = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
        if (!f->found) {
                f->found = true;
                f->gateway = gw;
                f->first_oif = oif;
                f->multipath = tb[RTA_MULTIPATH] != NULL;
        }
        /* IPv6 may hold several routes to dst with different metrics: any
         * one that is exactly ours will do. */
        if (gw.family && addr_cmp(&gw, &f->want->addr) == 0 && (!f->oif || oif == f->oif))
                f->exact = true;
        return NL_OK;
}

static void route_find_reset(void *arg) {
        struct route_find *f = arg;

        *f = (struct route_find){.want = f->want, .oif = f->oif};
}

static int route_find(struct nl_ctx *ctx, const char *what, const struct fobj *want, int oif,
                      struct route_find *ret, struct netd_error *err) {
        struct rtmsg rtm = {.rtm_family = (uint8_t)want->dst.base.family};

        *ret = (struct route_find){.want = want, .oif = oif};
        return nl_ctx_dump(ctx, RTM_GETROUTE, &rtm, sizeof(rtm), on_route, route_find_reset, ret, err,
                           "%s: cannot list routes", what);
}

static const char *route_what(const struct fobj *o, char *buf, size_t size) {
        char label[128];

        snprintf(buf, size, "route %s", fobj_label(o, label, sizeof(label)));
        return buf;
}

/* The wanted device's index in *ret (0 when none is wanted);
 * NETD_ENOTFOUND, with no message, when it does not exist. */
static int route_dev(struct nl_ctx *ctx, const struct fobj *want, int *ret, struct netd_error *err) {
        struct nl_link_info li;
        int r;

        *ret = 0;
        if (isempty(want->dev))
                return 0;
        r = nl_link_get(ctx, want->dev, 0, &li, err);
        if (r < 0)
                return r;
        *ret = li.ifindex;
        return 0;
}

static int route_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                       size_t size, struct netd_error *err) {
        char what[160], d[NL_DETAIL_MAX] = "", have[ADDR_STRLEN], wanted[ADDR_STRLEN], dst[PREFIX_STRLEN];
        struct route_find f;
        struct nl_link_info li;
        int oif, r;

        nl_detail_copy(detail, size, "");
        route_what(want, what, sizeof(what));
        r = route_dev(ctx, want, &oif, err);
        if (r == NETD_ENOTFOUND) {
                /* Without its device the route cannot exist. */
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (r < 0)
                return r;
        r = route_find(ctx, what, want, oif, &f, err);
        if (r < 0)
                return r;
        if (f.foreign && !f.exact) {
                *ret_state = FOBJ_CONFLICT;
                nl_detail_add(d, sizeof(d), "route to %s exists and was not created by netd (proto %u)",
                              prefix_format(&want->dst, dst, sizeof(dst)), f.foreign_protocol);
                nl_detail_copy(detail, size, d);
                return 0;
        }
        if (!f.found) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (!f.exact) {
                if (f.multipath)
                        nl_detail_add(d, sizeof(d), "multipath, want via %s",
                                      addr_format(&want->addr, wanted, sizeof(wanted)));
                else if (addr_cmp(&f.gateway, &want->addr) != 0)
                        nl_detail_add(d, sizeof(d), "via %s, want via %s",
                                      f.gateway.family ? addr_format(&f.gateway, have, sizeof(have)) : "none",
                                      addr_format(&want->addr, wanted, sizeof(wanted)));
                else if (nl_link_get(ctx, NULL, f.first_oif, &li, NULL) == 0)
                        nl_detail_add(d, sizeof(d), "dev %s, want dev %s", li.name, want->dev);
                else
                        nl_detail_add(d, sizeof(d), "dev #%d, want dev %s", f.first_oif, want->dev);
        }
        *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        nl_detail_copy(detail, size, d);
        return 0;
}

/* Add (replacing a route to the same destination) or delete ours. */
static int route_request(struct nl_ctx *ctx, const char *what, bool add, const struct fobj *want, int oif,
                         struct netd_error *err) {
        struct rtnl_route *rt = rtnl_route_alloc();
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        struct nl_addr *dst = nl_address_to_nladdr(&want->dst.base, want->dst.len);
        struct nl_addr *gw = nl_address_to_nladdr(&want->addr, addr_bits(want->addr.family));
        struct nl_msg *msg = NULL;
        int r;

        if (!rt || !nh || !dst || !gw) {
                rtnl_route_put(rt);
                rtnl_route_nh_free(nh);
                nl_addr_put(dst);
                nl_addr_put(gw);
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        }
        rtnl_route_set_family(rt, (uint8_t)want->dst.base.family);
        r = rtnl_route_set_dst(rt, dst);
        rtnl_route_set_table(rt, RT_TABLE_MAIN);
        /* A delete names the protocol too: the kernel then matches only
         * netd's routes. */
        rtnl_route_set_protocol(rt, FOBJ_ROUTE_PROTOCOL);
        rtnl_route_set_type(rt, RTN_UNICAST);
        rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
        rtnl_route_nh_set_gateway(nh, gw);
        if (oif)
                rtnl_route_nh_set_ifindex(nh, oif);
        rtnl_route_add_nexthop(rt, nh);
        nl_addr_put(dst);
        nl_addr_put(gw);
        if (r >= 0)
                r = add ? rtnl_route_build_add_request(rt, NLM_F_CREATE | NLM_F_REPLACE, &msg)
                        : rtnl_route_build_del_request(rt, 0, &msg);
        rtnl_route_put(rt);
        return nl_ctx_change(ctx, r, msg, what, add ? "add" : "delete", !add, err);
}

/* The route as messages name it (into `what`), the wanted device's index
 * and the routes to dst; NETD_ENOTFOUND, with no message, when the wanted
 * device does not exist. */
static int route_lookup(struct nl_ctx *ctx, const struct fobj *want, char *what, size_t size, int *ret_oif,
                        struct route_find *ret, struct netd_error *err) {
        int r;

        route_what(want, what, size);
        r = route_dev(ctx, want, ret_oif, err);
        if (r < 0)
                return r;
        return route_find(ctx, what, want, *ret_oif, ret, err);
}

static int route_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct route_find f;
        char what[160];
        int oif, r;

        r = route_lookup(ctx, want, what, sizeof(what), &oif, &f, err);
        if (r == NETD_ENOTFOUND)
                return error_set(err, NETD_ENOTFOUND, "%s: interface %s does not exist", what, want->dev);
        if (r < 0)
                return r;
        if (f.exact)
                return 0;
        if (f.foreign)
                return error_set(
                        err, NETD_ECONFLICT,
                        "%s: a route to its destination exists and was not created by netd (proto %u)", what,
                        f.foreign_protocol);
        return route_request(ctx, what, true, want, oif, err);
}

static int route_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct route_find f;
        char what[160];
        int oif, r;

        r = route_lookup(ctx, want, what, sizeof(what), &oif, &f, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        /* None of netd's: whatever else leads there is left alone. */
        if (!f.found)
                return 0;
        return route_request(ctx, what, false, want, oif, err);
}

const struct netlink_ops nl_route_ops = {
        .kind = FOBJ_ROUTE,
        .check = route_check,
        .ensure = route_ensure,
        .remove = route_remove,
};
