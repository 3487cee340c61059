/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_VXLAN: a VXLAN device with a VNI, a local underlay address (IPv4 or
 * IPv6), a destination port and no multicast group — flooding goes to the
 * unicast remotes of FOBJ_FDB objects — enslaved to a bridge, up. */
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>

#include "netlink-private.h"

/* The effective destination port (0 means the default). */
static uint16_t vxlan_dstport(const struct fobj *o) {
        return o->dstport ? o->dstport : VXLAN_DSTPORT;
}

static const char *addr_text(const struct addr *a, char *buf, size_t size) {
        if (!a->family)
                return "none";
        return addr_format(a, buf, size);
}

/* The attributes the kernel cannot change in place (VNI, addresses, port):
 * a difference means delete and recreate. */
static void vxlan_compare_fixed(const struct nl_link_info *li, const struct fobj *want, char *d,
                                size_t size) {
        char have[ADDR_STRLEN], wanted[ADDR_STRLEN];

        if (!streq(li->kind, "vxlan")) {
                nl_detail_add(d, size, "type %s, want vxlan", isempty(li->kind) ? "unknown" : li->kind);
                return;
        }
        if (!li->has_vni || li->vni != want->vni)
                nl_detail_add(d, size, "vni %u, want %u", li->vni, want->vni);
        if (addr_cmp(&li->local, &want->local) != 0)
                nl_detail_add(d, size, "local %s, want %s", addr_text(&li->local, have, sizeof(have)),
                              addr_text(&want->local, wanted, sizeof(wanted)));
        if (li->group.family)
                nl_detail_add(d, size, "group %s, want none", addr_text(&li->group, have, sizeof(have)));
        if (li->dstport != vxlan_dstport(want))
                nl_detail_add(d, size, "dstport %u, want %u", li->dstport, vxlan_dstport(want));
}

/* What VXLAN adds to every frame it carries: the inner Ethernet header
 * (14), the VXLAN header (8), UDP (8) and the outer IP header (20 or 40). A
 * frame of the network's MTU larger than the underlay's MTU minus this is
 * dropped or fragmented on the way. */
#define VXLAN_OVERHEAD_IPV4 50u
#define VXLAN_OVERHEAD_IPV6 70u

struct underlay_find {
        const struct addr *local;
        int ifindex; /* the first interface holding `local`; 0 = none */
};

static int on_underlay_addr(struct nl_msg *msg, void *arg) {
        struct underlay_find *f = arg;
        struct addr have;
        unsigned prefixlen;
        int ifindex;

        if (f->ifindex || !nl_address_msg_read(msg, f->local->family, &ifindex, &have, &prefixlen))
                return NL_OK;
        if (addr_cmp(&have, f->local) == 0)
                f->ifindex = ifindex;
        return NL_OK;
}

static void underlay_find_reset(void *arg) {
        struct underlay_find *f = arg;

        f->ifindex = 0;
}

/* The interface holding the VXLAN's local address, whose MTU bounds the
 * encapsulated frames; NETD_ENOTFOUND (no message) when none holds it. */
static int underlay_get(struct nl_ctx *ctx, const struct fobj *want, struct nl_link_info *ret,
                        struct netd_error *err) {
        struct ifaddrmsg ifa = {.ifa_family = (uint8_t)want->local.family};
        struct underlay_find f = {.local = &want->local};
        int r;

        r = nl_ctx_dump(ctx, RTM_GETADDR, &ifa, sizeof(ifa), on_underlay_addr, underlay_find_reset, &f, err,
                        "vxlan %s: cannot list addresses", want->name);
        if (r < 0)
                return r;
        if (!f.ifindex)
                return NETD_ENOTFOUND;
        /* Gone since the dump: as if never there. */
        return nl_link_get(ctx, NULL, f.ifindex, ret, err);
}

/* Append a warning to `d` when the underlay cannot carry frames of `mtu`.
 * Only a warning: the VXLAN itself matches what was asked, and netd does
 * not own the underlay to fix it. */
static int vxlan_check_underlay(struct nl_ctx *ctx, const struct fobj *want, unsigned mtu, char *d,
                                size_t size, struct netd_error *err) {
        unsigned overhead = want->local.family == AF_INET6 ? VXLAN_OVERHEAD_IPV6 : VXLAN_OVERHEAD_IPV4;
        struct nl_link_info ul;
        int r;

        r = underlay_get(ctx, want, &ul, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        if (mtu + overhead > ul.mtu)
                nl_detail_add(d, size,
                              "underlay %s mtu %u cannot carry mtu %u + %u bytes of VXLAN encapsulation",
                              ul.name, ul.mtu, mtu, overhead);
        return 0;
}

static int vxlan_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                       size_t size, struct netd_error *err) {
        char d[NL_DETAIL_MAX] = "";
        struct nl_link_info li;
        unsigned mtu = want->mtu;
        int r;

        nl_detail_copy(detail, size, "");
        r = nl_link_read_owned(ctx, want->name, &li, ret_state, d, sizeof(d), err);
        if (r < 0)
                return r;
        if (r > 0) {
                vxlan_compare_fixed(&li, want, d, sizeof(d));
                if (streq(li.kind, "vxlan")) {
                        if (want->mtu && li.mtu != want->mtu)
                                nl_detail_add(d, sizeof(d), "mtu %u, want %u", li.mtu, want->mtu);
                        if (!(li.flags & IFF_UP))
                                nl_detail_add(d, sizeof(d), "down");
                        r = nl_link_compare_master(ctx, &li, want->master, "", d, sizeof(d), err);
                        if (r < 0)
                                return r;
                        if (!mtu)
                                mtu = li.mtu;
                }
                *ret_state = d[0] ? FOBJ_DRIFTED : FOBJ_OK;
        }
        /* A foreign interface is not this object: nothing to warn about. */
        if (*ret_state != FOBJ_CONFLICT && mtu) {
                r = vxlan_check_underlay(ctx, want, mtu, d, sizeof(d), err);
                if (r < 0)
                        return r;
        }
        nl_detail_copy(detail, size, d);
        return 0;
}

static int vxlan_create(struct nl_ctx *ctx, const char *what, const struct fobj *want, int master,
                        struct netd_error *err) {
        struct rtnl_link *l;
        struct nl_addr *local;
        int r;

        l = rtnl_link_vxlan_alloc();
        local = nl_address_to_nladdr(&want->local, addr_bits(want->local.family));
        if (!l || !local) {
                rtnl_link_put(l);
                nl_addr_put(local);
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        }
        rtnl_link_set_name(l, want->name);
        rtnl_link_vxlan_set_id(l, want->vni);
        rtnl_link_vxlan_set_local(l, local);
        /* Without an explicit port the kernel uses 8472, not IANA's 4789. */
        rtnl_link_vxlan_set_port(l, vxlan_dstport(want));
        rtnl_link_vxlan_set_learning(l, 1);
        if (want->mtu)
                rtnl_link_set_mtu(l, want->mtu);
        if (master)
                rtnl_link_set_master(l, master);
        rtnl_link_set_flags(l, IFF_UP);
        r = nl_link_create(ctx, what, l, want->name, NULL, err);
        nl_addr_put(local);
        rtnl_link_put(l);
        return r;
}

static int vxlan_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_change c = NL_LINK_CHANGE_INIT;
        char what[IFNAMSIZ + 16], d[NL_DETAIL_MAX] = "";
        struct nl_link_info li;
        bool found;
        int master, r;

        snprintf(what, sizeof(what), "vxlan %s", want->name);
        r = nl_link_get(ctx, want->name, 0, &li, err);
        if (r < 0 && r != NETD_ENOTFOUND)
                return r;
        found = r == 0;
        if (found && !nl_link_is_ours(&li))
                return nl_link_conflict(err, want->name);
        r = nl_link_master_index(ctx, what, want->master, &master, err);
        if (r < 0)
                return r;
        if (!found)
                return vxlan_create(ctx, what, want, master, err);
        vxlan_compare_fixed(&li, want, d, sizeof(d));
        if (d[0]) {
                /* Ours, and only a new device can change these. Its flood
                 * entries go with it; the FDB objects after it restore them. */
                r = nl_link_delete(ctx, what, li.ifindex, err);
                return r < 0 ? r : vxlan_create(ctx, what, want, master, err);
        }
        if (want->mtu && li.mtu != want->mtu)
                c.mtu = want->mtu;
        if (li.master != master)
                c.master = master;
        c.up = !(li.flags & IFF_UP);
        if (!c.mtu && c.master < 0 && !c.up)
                return 0;
        return nl_link_change(ctx, what, NULL, li.ifindex, &c, err);
}

static int vxlan_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        return nl_link_remove_owned(ctx, "vxlan", want->name, err);
}

const struct netlink_ops link_vxlan_ops = {
        .kind = FOBJ_VXLAN,
        .check = vxlan_check,
        .ensure = vxlan_ensure,
        .remove = vxlan_remove,
};
