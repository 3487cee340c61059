/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_ADDRESS: addr/prefixlen on `dev`, a device netd made. */
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>

#include "netlink-private.h"

struct addr_find {
        int ifindex;
        const struct addr *want;
        bool found;
        unsigned prefixlen; /* of the first entry with the wanted address */
        bool exact;         /* an entry with the wanted prefixlen too */
        unsigned want_len;
};

static int on_addr(struct nl_msg *msg, void *arg) {
        struct addr_find *f = arg;
        struct addr have;
        unsigned prefixlen;
        int ifindex;

        if (!nl_addr_msg_read(msg, f->want->family, &ifindex, &have, &prefixlen) || ifindex != f->ifindex)
                return NL_OK;
        if (addr_cmp(&have, f->want) != 0)
                return NL_OK;
        if (!f->found) {
                f->found = true;
                f->prefixlen = prefixlen;
        }
        if (prefixlen == f->want_len)
                f->exact = true;
        return NL_OK;
}

static void addr_find_reset(void *arg) {
        struct addr_find *f = arg;

        f->found = f->exact = false;
        f->prefixlen = 0;
}

static int addr_find(struct nl_ctx *ctx, const char *what, int ifindex, const struct fobj *want,
                     struct addr_find *ret, struct netd_error *err) {
        struct ifaddrmsg ifa = {.ifa_family = (uint8_t)want->addr.family, .ifa_index = (uint32_t)ifindex};
        struct nl_msg *msg;
        int r;

        *ret = (struct addr_find){.ifindex = ifindex, .want = &want->addr, .want_len = want->prefixlen};
        msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
        if (!msg)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        r = nl_ctx_query(ctx, msg, on_addr, addr_find_reset, ret);
        nlmsg_free(msg);
        if (r < 0)
                return nl_error(ctx, err, r, "%s: cannot list addresses", what);
        return 0;
}

static const char *address_what(const struct fobj *o, char *buf, size_t size) {
        char a[ADDR_STRLEN];

        snprintf(buf, size, "address %s/%u on %s", addr_format(&o->addr, a, sizeof(a)), o->prefixlen, o->dev);
        return buf;
}

static int address_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state,
                         char *detail, size_t size, struct netd_error *err) {
        char what[96], d[DETAIL_MAX] = "";
        struct link_info dev;
        struct addr_find f;
        int r;

        detail_copy(detail, size, "");
        r = link_read_owned(ctx, want->dev, &dev, ret_state, detail, size, err);
        if (r <= 0)
                return r;
        r = addr_find(ctx, address_what(want, what, sizeof(what)), dev.ifindex, want, &f, err);
        if (r < 0)
                return r;
        if (!f.found) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (!f.exact)
                detail_add(d, sizeof(d), "prefixlen %u, want %u", f.prefixlen, want->prefixlen);
        *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        detail_copy(detail, size, d);
        return 0;
}

/* Add (cmd RTM_NEWADDR) or delete the address with the given prefixlen. */
static int address_request(struct nl_ctx *ctx, const char *what, bool add, int ifindex, const struct addr *a,
                           unsigned prefixlen, struct netd_error *err) {
        struct rtnl_addr *ra = rtnl_addr_alloc();
        struct nl_addr *local = nladdr_from_addr(a, prefixlen);
        struct nl_msg *msg = NULL;
        int r;

        if (!ra || !local) {
                rtnl_addr_put(ra);
                nl_addr_put(local);
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        }
        rtnl_addr_set_ifindex(ra, ifindex);
        r = rtnl_addr_set_local(ra, local);
        nl_addr_put(local);
        if (r >= 0) {
                rtnl_addr_set_prefixlen(ra, (int)prefixlen);
                /* Services (dnsmasq) bind to these addresses right away; an
                 * IPv6 address held tentative by DAD would refuse them. */
                if (a->family == AF_INET6)
                        rtnl_addr_set_flags(ra, IFA_F_NODAD);
                r = add ? rtnl_addr_build_add_request(ra, NLM_F_CREATE | NLM_F_REPLACE, &msg)
                        : rtnl_addr_build_delete_request(ra, 0, &msg);
        }
        rtnl_addr_put(ra);
        if (r < 0)
                return nl_error(NULL, err, r, "%s: cannot build the request", what);
        r = nl_ctx_talk(ctx, msg);
        nlmsg_free(msg);
        if (r < 0 && !add && nl_error_code(ctx, r) == NETD_ENOTFOUND) {
                nl_ctx_clear(ctx);
                return 0;
        }
        if (r < 0)
                return nl_error(ctx, err, r, "%s: cannot %s", what, add ? "add" : "delete");
        return 0;
}

static int address_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct link_info dev;
        struct addr_find f;
        char what[96];
        int r;

        address_what(want, what, sizeof(what));
        r = link_get(ctx, want->dev, 0, &dev, err);
        if (r == NETD_ENOTFOUND)
                return error_set(err, NETD_ENOTFOUND, "%s: interface %s does not exist", what, want->dev);
        if (r < 0)
                return r;
        if (!link_is_ours(&dev))
                return link_conflict(err, want->dev);
        r = addr_find(ctx, what, dev.ifindex, want, &f, err);
        if (r < 0)
                return r;
        if (f.exact)
                return 0;
        /* The same address with another prefix length is a separate entry
         * to the kernel; replace it rather than add a second one. */
        if (f.found) {
                r = address_request(ctx, what, false, dev.ifindex, &want->addr, f.prefixlen, err);
                if (r < 0)
                        return r;
        }
        return address_request(ctx, what, true, dev.ifindex, &want->addr, want->prefixlen, err);
}

static int address_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct link_info dev;
        char what[96];
        int r;

        address_what(want, what, sizeof(what));
        r = link_get(ctx, want->dev, 0, &dev, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        if (!link_is_ours(&dev))
                return link_conflict(err, want->dev);
        return address_request(ctx, what, false, dev.ifindex, &want->addr, want->prefixlen, err);
}

const struct fobj_ops address_ops = {
        .kind = FOBJ_ADDRESS,
        .check = address_check,
        .ensure = address_ensure,
        .remove = address_remove,
};
