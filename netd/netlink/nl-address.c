/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses in the kernel's forms (bytes, libnl's nl_addr, RTM_NEWADDR
 * messages), and FOBJ_ADDRESS: addr/prefixlen on `dev`, a device netd made. */
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>

#include "netlink-private.h"

/* ---- netd's addresses and the kernel's ---- */

size_t nl_address_to_bytes(const struct addr *a, uint8_t buf[16]) {
        uint8_t blob[16];

        addr_to_blob(a, blob);
        if (a->family == AF_INET) {
                memcpy(buf, blob + 12, 4);
                return 4;
        }
        memcpy(buf, blob, 16);
        return 16;
}

void nl_address_from_bytes(int family, const void *bytes, struct addr *ret) {
        uint8_t blob[16] = {0};

        if (family == AF_INET)
                memcpy(blob + 12, bytes, 4);
        else
                memcpy(blob, bytes, 16);
        addr_from_blob(family, blob, ret);
}

struct nl_addr *nl_address_to_nladdr(const struct addr *a, unsigned prefixlen) {
        uint8_t buf[16];
        size_t n = nl_address_to_bytes(a, buf);
        struct nl_addr *na = nl_addr_build(a->family, buf, n);

        if (na)
                nl_addr_set_prefixlen(na, (int)prefixlen);
        return na;
}

static struct nla_policy ifaddr_policy[IFA_MAX + 1] = {
        [IFA_ADDRESS] = {.minlen = 4},
        [IFA_LOCAL] = {.minlen = 4},
};

bool nl_address_msg_read(struct nl_msg *msg, int family, int *ret_ifindex, struct addr *ret_addr,
                         unsigned *ret_prefixlen) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *tb[IFA_MAX + 1], *a;
        struct ifaddrmsg *ifa;

        if (h->nlmsg_type != RTM_NEWADDR || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, ifaddr_policy) < 0)
                return false;
        ifa = nlmsg_data(h);
        if (ifa->ifa_family != family)
                return false;
        /* IPv4 keeps the interface's own address in IFA_LOCAL (IFA_ADDRESS is
         * the peer on point-to-point links); IPv6 has only IFA_ADDRESS. */
        a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        if (!a || (size_t)nla_len(a) < (ifa->ifa_family == AF_INET ? 4u : 16u))
                return false;
        nl_address_from_bytes(ifa->ifa_family, nla_data(a), ret_addr);
        *ret_ifindex = (int)ifa->ifa_index;
        *ret_prefixlen = ifa->ifa_prefixlen;
        return true;
}

/* ---- FOBJ_ADDRESS ---- */

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

        if (!nl_address_msg_read(msg, f->want->family, &ifindex, &have, &prefixlen) || ifindex != f->ifindex)
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

        *ret = (struct addr_find){.ifindex = ifindex, .want = &want->addr, .want_len = want->prefixlen};
        return nl_ctx_dump(ctx, RTM_GETADDR, &ifa, sizeof(ifa), on_addr, addr_find_reset, ret, err,
                           "%s: cannot list addresses", what);
}

static const char *address_what(const struct fobj *o, char *buf, size_t size) {
        char a[ADDR_STRLEN];

        snprintf(buf, size, "address %s/%u on %s", addr_format(&o->addr, a, sizeof(a)), o->prefixlen, o->dev);
        return buf;
}

static int address_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state,
                         char *detail, size_t size, struct netd_error *err) {
        char what[96], d[NL_DETAIL_MAX] = "";
        struct nl_link_info dev;
        struct addr_find f;
        int r;

        nl_detail_copy(detail, size, "");
        r = nl_link_read_owned(ctx, want->dev, &dev, ret_state, detail, size, err);
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
                nl_detail_add(d, sizeof(d), "prefixlen %u, want %u", f.prefixlen, want->prefixlen);
        *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        nl_detail_copy(detail, size, d);
        return 0;
}

/* Add (cmd RTM_NEWADDR) or delete the address with the given prefixlen. */
static int address_request(struct nl_ctx *ctx, const char *what, bool add, int ifindex, const struct addr *a,
                           unsigned prefixlen, struct netd_error *err) {
        struct rtnl_addr *ra = rtnl_addr_alloc();
        struct nl_addr *local = nl_address_to_nladdr(a, prefixlen);
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
        return nl_ctx_change(ctx, r, msg, what, add ? "add" : "delete", !add, err);
}

static int address_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_info dev;
        struct addr_find f;
        char what[96];
        int r;

        address_what(want, what, sizeof(what));
        r = nl_link_get_owned(ctx, what, want->dev, true, &dev, err);
        if (r < 0)
                return r;
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
        struct nl_link_info dev;
        char what[96];
        int r;

        address_what(want, what, sizeof(what));
        r = nl_link_get_owned(ctx, what, want->dev, false, &dev, err);
        if (r != 0)
                return r < 0 ? r : 0;
        return address_request(ctx, what, false, dev.ifindex, &want->addr, want->prefixlen, err);
}

const struct netlink_ops nl_address_ops = {
        .kind = FOBJ_ADDRESS,
        .check = address_check,
        .ensure = address_ensure,
        .remove = address_remove,
};
