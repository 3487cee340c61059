/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_FDB: a unicast flood entry on a VXLAN device netd made — the
 * all-zero MAC towards one remote underlay address, permanent, on the
 * device itself (NTF_SELF), one per remote, appended so several coexist:
 * `bridge fdb append 00:00:00:00:00:00 dev VX dst REMOTE`.
 *
 * libnl 3.7's rtnl_neigh cannot express this: for AF_BRIDGE it never sends
 * NDA_DST, and rtnl_neigh_set_dst() refuses an IPv4 address on an AF_BRIDGE
 * object. So requests are built by hand and dumps parsed directly. */
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "netlink-private.h"

#define ETH_ALEN_ 6

static const char *fdb_what(const struct fobj *o, char *buf, size_t size) {
        char a[ADDR_STRLEN];

        snprintf(buf, size, "fdb %s on %s", addr_format(&o->addr, a, sizeof(a)), o->dev);
        return buf;
}

struct fdb_find {
        int ifindex;
        const struct addr *remote;
        bool found;
};

static struct nla_policy fdb_policy[NDA_MAX + 1] = {
        [NDA_LLADDR] = {.minlen = ETH_ALEN_},
        [NDA_DST] = {.minlen = 4},
};

/* One entry of a bridge FDB dump: device `ifindex`'s entry with a MAC and
 * a remote; false for anything else. */
struct fdb_entry {
        const uint8_t *mac;
        struct addr remote;
        bool permanent;
};

static bool fdb_entry_parse(struct nl_msg *msg, int ifindex, struct fdb_entry *ret) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *tb[NDA_MAX + 1];
        struct ndmsg *ndm;
        int len;

        if (h->nlmsg_type != RTM_NEWNEIGH || nlmsg_parse(h, sizeof(*ndm), tb, NDA_MAX, fdb_policy) < 0)
                return false;
        ndm = nlmsg_data(h);
        if (ndm->ndm_family != AF_BRIDGE || ndm->ndm_ifindex != ifindex || !tb[NDA_LLADDR] || !tb[NDA_DST] ||
            nla_len(tb[NDA_LLADDR]) != ETH_ALEN_)
                return false;
        /* The remote's family is known only from the attribute's size. */
        len = nla_len(tb[NDA_DST]);
        if (len != 4 && len != 16)
                return false;
        nl_address_from_bytes(len == 4 ? AF_INET : AF_INET6, nla_data(tb[NDA_DST]), &ret->remote);
        ret->mac = nla_data(tb[NDA_LLADDR]);
        ret->permanent = ndm->ndm_state & NUD_PERMANENT;
        return true;
}

static int on_fdb(struct nl_msg *msg, void *arg) {
        struct fdb_find *f = arg;
        struct fdb_entry e;

        /* The flood entry: the all-zero MAC to the remote. */
        if (fdb_entry_parse(msg, f->ifindex, &e) && memcmp(e.mac, "\0\0\0\0\0\0", ETH_ALEN_) == 0 &&
            addr_cmp(&e.remote, f->remote) == 0)
                f->found = true;
        return NL_OK;
}

static void fdb_find_reset(void *arg) {
        ((struct fdb_find *)arg)->found = false;
}

static int fdb_find(struct nl_ctx *ctx, const char *what, int ifindex, const struct addr *remote, bool *ret,
                    struct netd_error *err) {
        /* An ifinfomsg header (not an ndmsg) asks the kernel to dump the
         * entries of this one device only. */
        struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = ifindex};
        struct fdb_find f = {.ifindex = ifindex, .remote = remote};
        int r;

        r = nl_ctx_dump(ctx, RTM_GETNEIGH, &ifi, sizeof(ifi), on_fdb, fdb_find_reset, &f, err,
                        "%s: cannot list flood entries", what);
        *ret = f.found;
        return r;
}

static int fdb_request(struct nl_ctx *ctx, const char *what, bool add, int ifindex, const struct addr *remote,
                       struct netd_error *err) {
        struct ndmsg ndm = {
                .ndm_family = AF_BRIDGE,
                .ndm_ifindex = ifindex,
                .ndm_state = NUD_PERMANENT,
                .ndm_flags = NTF_SELF,
        };
        static const uint8_t zero_mac[ETH_ALEN_];
        struct nl_msg *msg;
        uint8_t dst[16];
        size_t n = nl_address_to_bytes(remote, dst);

        msg = nl_ctx_msg_new(add ? RTM_NEWNEIGH : RTM_DELNEIGH, add ? NLM_F_CREATE | NLM_F_APPEND : 0, &ndm,
                             sizeof(ndm), err);
        if (!msg)
                return NETD_EINTERNAL;
        if (nla_put(msg, NDA_LLADDR, sizeof(zero_mac), zero_mac) < 0 ||
            nla_put(msg, NDA_DST, (int)n, dst) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        return nl_ctx_change(ctx, 0, msg, what, add ? "add" : "delete", !add, err);
}

static int fdb_check(struct nl_ctx *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                     size_t size, struct netd_error *err) {
        struct nl_link_info dev;
        char what[96];
        bool found = false;
        int r;

        nl_detail_copy(detail, size, "");
        r = nl_link_read_owned(ctx, want->dev, &dev, ret_state, detail, size, err);
        if (r <= 0)
                return r;
        /* Not (yet) a vxlan: the VXLAN object before this one rebuilds it,
         * and until then the entry cannot exist. */
        if (!streq(dev.kind, "vxlan")) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        r = fdb_find(ctx, fdb_what(want, what, sizeof(what)), dev.ifindex, &want->addr, &found, err);
        if (r < 0)
                return r;
        *ret_state = found ? FOBJ_OK : FOBJ_MISSING;
        return 0;
}

static int fdb_ensure(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_info dev;
        char what[96];
        int r;

        fdb_what(want, what, sizeof(what));
        r = nl_link_get_owned(ctx, what, want->dev, true, &dev, err);
        if (r < 0)
                return r;
        if (!streq(dev.kind, "vxlan"))
                return error_set(err, NETD_EINVALID, "%s: %s is not a vxlan device", what, want->dev);
        /* Appending a remote that is already there changes nothing, so no
         * dump is needed first. */
        return fdb_request(ctx, what, true, dev.ifindex, &want->addr, err);
}

/* MACs the device learned behind one remote (at most LEARNED_MAX a pass). */
#define LEARNED_MAX 256
struct fdb_learned {
        int ifindex;
        const struct addr *remote;
        uint8_t macs[LEARNED_MAX][ETH_ALEN_];
        size_t n;
};

static int on_fdb_learned(struct nl_msg *msg, void *arg) {
        struct fdb_learned *f = arg;
        struct fdb_entry e;

        if (f->n < LEARNED_MAX && fdb_entry_parse(msg, f->ifindex, &e) && !e.permanent &&
            addr_cmp(&e.remote, f->remote) == 0)
                memcpy(f->macs[f->n++], e.mac, ETH_ALEN_);
        return NL_OK;
}

static void fdb_learned_reset(void *arg) {
        ((struct fdb_learned *)arg)->n = 0;
}

/* Forget what the device learned behind a remote it no longer floods to
 * (a host left, or its underlay moved): else frames to those MACs keep
 * going to the old address until the entries age out. */
static int fdb_learned_flush(struct nl_ctx *ctx, const char *what, int ifindex, const struct addr *remote,
                             struct netd_error *err) {
        struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = ifindex};
        _cleanup_free_ struct fdb_learned *f = calloc(1, sizeof(*f));
        uint8_t dst[16];
        size_t n = nl_address_to_bytes(remote, dst);
        int r;

        if (!f)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        f->ifindex = ifindex;
        f->remote = remote;
        r = nl_ctx_dump(ctx, RTM_GETNEIGH, &ifi, sizeof(ifi), on_fdb_learned, fdb_learned_reset, f, err,
                        "%s: cannot list learned entries", what);
        for (size_t i = 0; r >= 0 && i < f->n; i++) {
                struct ndmsg ndm = {.ndm_family = AF_BRIDGE, .ndm_ifindex = ifindex, .ndm_flags = NTF_SELF};
                struct nl_msg *msg = nl_ctx_msg_new(RTM_DELNEIGH, 0, &ndm, sizeof(ndm), err);

                if (!msg)
                        return NETD_EINTERNAL;
                if (nla_put(msg, NDA_LLADDR, ETH_ALEN_, f->macs[i]) < 0 ||
                    nla_put(msg, NDA_DST, (int)n, dst) < 0) {
                        nlmsg_free(msg);
                        return error_set(err, NETD_EINTERNAL, "netlink: message too large");
                }
                r = nl_ctx_change(ctx, 0, msg, what, "forget a learned entry of", true, err);
        }
        return r;
}

static int fdb_remove(struct nl_ctx *ctx, const struct fobj *want, struct netd_error *err) {
        struct nl_link_info dev;
        char what[96];
        int r;

        fdb_what(want, what, sizeof(what));
        r = nl_link_get_owned(ctx, what, want->dev, false, &dev, err);
        if (r != 0 || !streq(dev.kind, "vxlan"))
                return r < 0 ? r : 0;
        r = fdb_request(ctx, what, false, dev.ifindex, &want->addr, err);
        if (r < 0)
                return r;
        return fdb_learned_flush(ctx, what, dev.ifindex, &want->addr, err);
}

const struct netlink_ops nl_fdb_ops = {
        .kind = FOBJ_FDB,
        .check = fdb_check,
        .ensure = fdb_ensure,
        .remove = fdb_remove,
};
