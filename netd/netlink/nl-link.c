/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interfaces, whatever their kind: read one (just what netd compares),
 * change, create (marked as netd's) and delete one, and the ownership
 * rules every owned kind starts its check, ensure and remove with. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "netlink-private.h"

static struct nla_policy link_policy[IFLA_MAX + 1] = {
        [IFLA_IFNAME] = {.type = NLA_STRING}, [IFLA_IFALIAS] = {.type = NLA_STRING},
        [IFLA_MTU] = {.type = NLA_U32},       [IFLA_MASTER] = {.type = NLA_U32},
        [IFLA_LINK] = {.type = NLA_U32},      [IFLA_LINKINFO] = {.type = NLA_NESTED},
};
static struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
        [IFLA_INFO_KIND] = {.type = NLA_STRING},
        [IFLA_INFO_DATA] = {.type = NLA_NESTED},
};
static struct nla_policy vxlan_policy[IFLA_VXLAN_MAX + 1] = {
        [IFLA_VXLAN_ID] = {.type = NLA_U32},  [IFLA_VXLAN_LOCAL] = {.minlen = 4},
        [IFLA_VXLAN_LOCAL6] = {.minlen = 16}, [IFLA_VXLAN_GROUP] = {.minlen = 4},
        [IFLA_VXLAN_GROUP6] = {.minlen = 16}, [IFLA_VXLAN_PORT] = {.type = NLA_U16},
};
static struct nla_policy bridge_policy[IFLA_BR_MAX + 1] = {
        [IFLA_BR_STP_STATE] = {.type = NLA_U32},
};

static bool is_zero(const void *p, size_t n) {
        const uint8_t *b = p;

        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

static void vxlan_info_parse(struct nlattr *data, struct nl_link_info *li) {
        struct nlattr *tb[IFLA_VXLAN_MAX + 1];

        if (nla_parse_nested(tb, IFLA_VXLAN_MAX, data, vxlan_policy) < 0)
                return;
        if (tb[IFLA_VXLAN_ID]) {
                li->has_vni = true;
                li->vni = nla_get_u32(tb[IFLA_VXLAN_ID]);
        }
        /* The kernel reports an unset address as all zeros. */
        if (tb[IFLA_VXLAN_LOCAL] && !is_zero(nla_data(tb[IFLA_VXLAN_LOCAL]), 4))
                nl_address_from_bytes(AF_INET, nla_data(tb[IFLA_VXLAN_LOCAL]), &li->local);
        if (tb[IFLA_VXLAN_LOCAL6] && !is_zero(nla_data(tb[IFLA_VXLAN_LOCAL6]), 16))
                nl_address_from_bytes(AF_INET6, nla_data(tb[IFLA_VXLAN_LOCAL6]), &li->local);
        if (tb[IFLA_VXLAN_GROUP] && !is_zero(nla_data(tb[IFLA_VXLAN_GROUP]), 4))
                nl_address_from_bytes(AF_INET, nla_data(tb[IFLA_VXLAN_GROUP]), &li->group);
        if (tb[IFLA_VXLAN_GROUP6] && !is_zero(nla_data(tb[IFLA_VXLAN_GROUP6]), 16))
                nl_address_from_bytes(AF_INET6, nla_data(tb[IFLA_VXLAN_GROUP6]), &li->group);
        if (tb[IFLA_VXLAN_PORT])
                li->dstport = ntohs(nla_get_u16(tb[IFLA_VXLAN_PORT]));
}

bool nl_link_info_parse(struct nl_msg *msg, struct nl_link_info *li) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
        struct ifinfomsg *ifi;

        if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, link_policy) < 0)
                return false;
        ifi = nlmsg_data(h);
        *li = (struct nl_link_info){.ifindex = ifi->ifi_index, .flags = ifi->ifi_flags, .stp_state = -1};
        if (tb[IFLA_IFNAME])
                nla_strlcpy(li->name, tb[IFLA_IFNAME], sizeof(li->name));
        if (tb[IFLA_IFALIAS])
                nla_strlcpy(li->alias, tb[IFLA_IFALIAS], sizeof(li->alias));
        if (tb[IFLA_MTU])
                li->mtu = nla_get_u32(tb[IFLA_MTU]);
        if (tb[IFLA_MASTER])
                li->master = (int)nla_get_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_LINK])
                li->link = (int)nla_get_u32(tb[IFLA_LINK]);
        if (!tb[IFLA_LINKINFO] || nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], info_policy) < 0)
                return true;
        if (info[IFLA_INFO_KIND])
                nla_strlcpy(li->kind, info[IFLA_INFO_KIND], sizeof(li->kind));
        if (!info[IFLA_INFO_DATA])
                return true;
        if (streq(li->kind, "vxlan"))
                vxlan_info_parse(info[IFLA_INFO_DATA], li);
        else if (streq(li->kind, "bridge")) {
                struct nlattr *br[IFLA_BR_MAX + 1];

                if (nla_parse_nested(br, IFLA_BR_MAX, info[IFLA_INFO_DATA], bridge_policy) == 0 &&
                    br[IFLA_BR_STP_STATE])
                        li->stp_state = (int)nla_get_u32(br[IFLA_BR_STP_STATE]);
        }
        return true;
}

struct link_get_arg {
        struct nl_link_info *li;
        bool found;
};

static int on_link(struct nl_msg *msg, void *arg) {
        struct link_get_arg *a = arg;

        if (!a->found && nl_link_info_parse(msg, a->li))
                a->found = true;
        return NL_OK;
}

int nl_link_get(struct nl_ctx *ctx, const char *name, int ifindex, struct nl_link_info *ret,
                struct netd_error *err) {
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = name ? 0 : ifindex};
        struct link_get_arg a = {.li = ret};
        struct nl_msg *msg;
        int r;

        msg = nl_ctx_msg_new(RTM_GETLINK, 0, &ifi, sizeof(ifi), err);
        if (!msg)
                return NETD_EINTERNAL;
        if ((name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
            nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        r = nl_ctx_query(ctx, msg, on_link, NULL, &a);
        nlmsg_free(msg);
        if (r < 0) {
                if (nl_ctx_error_code(ctx, r) == NETD_ENOTFOUND) {
                        nl_ctx_clear(ctx);
                        return NETD_ENOTFOUND;
                }
                if (name)
                        return nl_ctx_error(ctx, err, r, "interface %s: cannot read", name);
                return nl_ctx_error(ctx, err, r, "interface #%d: cannot read", ifindex);
        }
        return a.found ? 0 : NETD_ENOTFOUND;
}

int nl_link_conflict(struct netd_error *err, const char *name) {
        return error_set(err, NETD_ECONFLICT, "interface %s exists and was not created by netd", name);
}

int nl_link_get_owned(struct nl_ctx *ctx, const char *what, const char *name, bool need,
                      struct nl_link_info *ret, struct netd_error *err) {
        int r = nl_link_get(ctx, name, 0, ret, err);

        if (r == NETD_ENOTFOUND && need)
                return error_set(err, NETD_ENOTFOUND, "%s: interface %s does not exist", what, name);
        if (r == NETD_ENOTFOUND)
                return 1;
        if (r < 0)
                return r;
        if (!nl_link_is_ours(ret))
                return nl_link_conflict(err, name);
        return 0;
}

int nl_link_master_index(struct nl_ctx *ctx, const char *who, const char *master, int *ret,
                         struct netd_error *err) {
        struct nl_link_info li;
        int r;

        *ret = 0;
        if (isempty(master))
                return 0;
        r = nl_link_get(ctx, master, 0, &li, err);
        if (r == NETD_ENOTFOUND)
                return error_set(err, NETD_ENOTFOUND, "%s: bridge %s does not exist", who, master);
        if (r < 0)
                return r;
        if (!streq(li.kind, "bridge"))
                return error_set(err, NETD_EINVALID, "%s: master %s is not a bridge", who, master);
        *ret = li.ifindex;
        return 0;
}

int nl_link_compare_master(struct nl_ctx *ctx, const struct nl_link_info *li, const char *want,
                           const char *prefix, char *detail, size_t size, struct netd_error *err) {
        struct nl_link_info m;
        char cur[IFNAMSIZ + 8];
        int want_index = 0, r;

        if (!isempty(want)) {
                r = nl_link_get(ctx, want, 0, &m, err);
                if (r < 0 && r != NETD_ENOTFOUND)
                        return r;
                /* A missing master can never be the current one. */
                want_index = r == 0 ? m.ifindex : -1;
        }
        if (li->master == want_index)
                return 0;
        if (li->master == 0)
                strscpy(cur, sizeof(cur), "none");
        else {
                r = nl_link_get(ctx, NULL, li->master, &m, err);
                if (r < 0 && r != NETD_ENOTFOUND)
                        return r;
                if (r == 0)
                        strscpy(cur, sizeof(cur), m.name);
                else
                        snprintf(cur, sizeof(cur), "#%d", li->master);
        }
        nl_detail_add(detail, size, "%smaster %s, want %s", prefix, cur, isempty(want) ? "none" : want);
        return 0;
}

int nl_link_change(struct nl_ctx *ctx, const char *what, const char *name, int ifindex,
                   const struct nl_link_change *c, struct netd_error *err) {
        struct rtnl_link *l = rtnl_link_alloc();
        struct nl_msg *msg = NULL;
        int r;

        if (!l)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        /* Without NLM_F_CREATE an RTM_NEWLINK only modifies an existing
         * interface, found by index, or by name when the index is 0. */
        if (ifindex > 0)
                rtnl_link_set_ifindex(l, ifindex);
        else
                rtnl_link_set_name(l, name);
        if (c->mtu)
                rtnl_link_set_mtu(l, c->mtu);
        if (c->master >= 0)
                rtnl_link_set_master(l, c->master);
        if (c->up)
                rtnl_link_set_flags(l, IFF_UP);
        if (c->alias)
                rtnl_link_set_ifalias(l, c->alias);
        r = rtnl_link_build_add_request(l, 0, &msg);
        rtnl_link_put(l);
        return nl_ctx_change(ctx, r, msg, what, "change", false, err);
}

int nl_link_delete(struct nl_ctx *ctx, const char *what, int ifindex, struct netd_error *err) {
        struct rtnl_link *l = rtnl_link_alloc();
        struct nl_msg *msg = NULL;
        int r;

        if (!l)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        rtnl_link_set_ifindex(l, ifindex);
        r = rtnl_link_build_delete_request(l, &msg);
        rtnl_link_put(l);
        return nl_ctx_change(ctx, r, msg, what, "delete", true, err);
}

int nl_link_create(struct nl_ctx *ctx, const char *what, struct rtnl_link *link, const char *name,
                   const struct nl_link_change *extra, struct netd_error *err) {
        struct nl_link_change mark = NL_LINK_CHANGE_INIT;
        struct nl_msg *msg = NULL;
        struct nl_link_info li;
        int r;

        r = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
        r = nl_ctx_change(ctx, r, msg, what, "create", false, err);
        if (r < 0)
                return r;
        if (extra)
                mark = *extra;
        mark.alias = FOBJ_OWNER_ALIAS;
        r = nl_link_change(ctx, what, name, 0, &mark, err);
        if (r < 0 && nl_link_get(ctx, name, 0, &li, NULL) == 0)
                (void)nl_link_delete(ctx, what, li.ifindex, NULL);
        return r;
}

int nl_link_read_owned(struct nl_ctx *ctx, const char *name, struct nl_link_info *li,
                       enum fobj_state *ret_state, char *detail, size_t size, struct netd_error *err) {
        int r = nl_link_get(ctx, name, 0, li, err);

        if (r == NETD_ENOTFOUND) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (r < 0)
                return r;
        if (!nl_link_is_ours(li)) {
                *ret_state = FOBJ_CONFLICT;
                nl_detail_conflict(detail, size, name);
                return 0;
        }
        return 1;
}

int nl_link_remove_owned(struct nl_ctx *ctx, const char *kind, const char *name, struct netd_error *err) {
        struct nl_link_info li;
        char what[IFNAMSIZ + 32];
        int r;

        r = nl_link_get_owned(ctx, kind, name, false, &li, err);
        if (r != 0)
                return r < 0 ? r : 0;
        snprintf(what, sizeof(what), "%s %s", kind, name);
        return nl_link_delete(ctx, what, li.ifindex, err);
}
