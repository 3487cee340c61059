/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "netlink-private.h"

static const struct fobj_ops *const ops_table[FOBJ_KIND_MAX] = {
        [FOBJ_BRIDGE] = &bridge_ops, [FOBJ_VETH] = &veth_ops,       [FOBJ_VXLAN] = &vxlan_ops,
        [FOBJ_PORT] = &port_ops,     [FOBJ_ADDRESS] = &address_ops, [FOBJ_ROUTE] = &route_ops,
        [FOBJ_FDB] = &fdb_ops,
};

const struct fobj_ops *fobj_ops(enum fobj_kind kind) {
        if ((unsigned)kind >= FOBJ_KIND_MAX)
                return NULL;
        return ops_table[kind];
}

/* ---- errors ---- */

static int code_from_errno(int e) {
        switch (e) {
        case EPERM:
        case EACCES:
                return NETD_EDENIED;
        case EEXIST:
                return NETD_EEXISTS;
        case ENODEV:
        case ENOENT:
        case ESRCH:
        case ENXIO:
        case EADDRNOTAVAIL:
                return NETD_ENOTFOUND;
        case EINVAL:
        case ERANGE:
        case EOPNOTSUPP:
        case EAFNOSUPPORT:
        case EPROTONOSUPPORT:
        case EMSGSIZE:
        case E2BIG:
        case ENAMETOOLONG:
        case ENETUNREACH:
        case ELOOP:
                return NETD_EINVALID;
        case EBUSY:
        case EADDRINUSE:
        case ENOTEMPTY:
                return NETD_ECONFLICT;
        case ENOBUFS:
        case ENOMEM:
        case EAGAIN:
        case EINTR:
                return NETD_EUNAVAILABLE;
        default:
                return NETD_EINTERNAL;
        }
}

static int code_from_nle(int nlerr) {
        switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_PERM:
        case NLE_NOACCESS:
                return NETD_EDENIED;
        case NLE_EXIST:
                return NETD_EEXISTS;
        case NLE_OBJ_NOTFOUND:
        case NLE_NODEV:
        case NLE_NOADDR:
                return NETD_ENOTFOUND;
        case NLE_INVAL:
        case NLE_RANGE:
        case NLE_OPNOTSUPP:
        case NLE_AF_NOSUPPORT:
        case NLE_AF_MISMATCH:
        case NLE_MSGSIZE:
        case NLE_ATTRSIZE:
        case NLE_MISSING_ATTR:
                return NETD_EINVALID;
        case NLE_BUSY:
                return NETD_ECONFLICT;
        case NLE_NOMEM:
        case NLE_AGAIN:
        case NLE_INTR:
        case NLE_BAD_SOCK:
        case NLE_DUMP_INTR:
                return NETD_EUNAVAILABLE;
        default:
                return NETD_EINTERNAL;
        }
}

int nl_error_code(struct nl_ctx *ctx, int nlerr) {
        /* libnl folds several errnos into one NLE code; the kernel's own
         * errno, when there was one, is the more precise reason. */
        if (ctx && ctx->last_errno)
                return code_from_errno(ctx->last_errno);
        return code_from_nle(nlerr);
}

int nl_error(struct nl_ctx *ctx, struct netd_error *err, int nlerr, const char *fmt, ...) {
        char what[256], ebuf[128], q[sizeof(ctx->last_extack) + 32];
        const char *reason;
        va_list ap;
        int code = nl_error_code(ctx, nlerr), r;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (ctx && ctx->last_errno)
                reason = strerror_r(ctx->last_errno, ebuf, sizeof(ebuf));
        else
                reason = nl_geterror(nlerr);
        if (ctx && ctx->last_extack[0])
                r = error_set(err, code, "%s: %s (%s)", what, reason,
                              error_quote_untrusted(ctx->last_extack, q, sizeof(q)));
        else
                r = error_set(err, code, "%s: %s", what, reason);
        if (ctx) {
                ctx->last_errno = 0;
                ctx->last_extack[0] = '\0';
        }
        return r;
}

/* Records the kernel's errno and extended ack text of an error reply; the
 * message header precedes the nlmsgerr libnl hands us. */
static int on_error_reply(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg) {
        struct nl_ctx *ctx = arg;
        const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
        struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
        size_t off = sizeof(*e);

        (void)who;
        ctx->last_errno = -e->error;
        ctx->last_extack[0] = '\0';
        if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
                return NL_STOP;
        if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
                if (e->msg.nlmsg_len < NLMSG_HDRLEN)
                        return NL_STOP;
                off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
        }
        if (h->nlmsg_len <= NLMSG_HDRLEN + off)
                return NL_STOP;
        if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
                      (int)(h->nlmsg_len - NLMSG_HDRLEN - off), NULL) == 0 &&
            tb[NLMSGERR_ATTR_MSG])
                nla_strlcpy(ctx->last_extack, tb[NLMSGERR_ATTR_MSG], sizeof(ctx->last_extack));
        return NL_STOP;
}

/* ---- the socket ---- */

int nl_ctx_open(struct nl_ctx **ret, struct netd_error *err) {
        struct nl_ctx *ctx;
        struct nl_cb *cb;
        int one = 1, r;

        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!cb) {
                free(ctx);
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        }
        nl_cb_err(cb, NL_CB_CUSTOM, on_error_reply, ctx);
        ctx->sock = nl_socket_alloc_cb(cb);
        nl_cb_put(cb);
        if (!ctx->sock) {
                free(ctx);
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        }
        r = nl_connect(ctx->sock, NETLINK_ROUTE);
        if (r < 0) {
                r = nl_error(NULL, err, r, "netlink: cannot open a route socket");
                nl_ctx_close(ctx);
                return r;
        }
        /* The kernel's own words ("Cannot change VNI") make better messages;
         * capped acks keep it from echoing each request back. Both are
         * optional, so failures are ignored. */
        (void)setsockopt(nl_socket_get_fd(ctx->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        (void)setsockopt(nl_socket_get_fd(ctx->sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
        *ret = ctx;
        return 0;
}

void nl_ctx_close(struct nl_ctx *ctx) {
        if (!ctx)
                return;
        nl_socket_free(ctx->sock);
        free(ctx);
}

void nl_ctx_clear(struct nl_ctx *ctx) {
        ctx->last_errno = 0;
        ctx->last_extack[0] = '\0';
}

int nl_ctx_talk(struct nl_ctx *ctx, struct nl_msg *msg) {
        int r;

        nl_ctx_clear(ctx);
        r = nl_send_auto(ctx->sock, msg);
        if (r < 0)
                return r;
        return nl_wait_for_ack(ctx->sock);
}

#define DUMP_ATTEMPTS 3

int nl_ctx_query(struct nl_ctx *ctx, struct nl_msg *msg, int (*fn)(struct nl_msg *, void *),
                 void (*reset)(void *), void *arg) {
        struct nl_cb *base, *cb;
        int r;

        base = nl_socket_get_cb(ctx->sock);
        cb = nl_cb_clone(base);
        nl_cb_put(base);
        if (!cb)
                return -NLE_NOMEM;
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
        for (int attempt = 1;; attempt++) {
                nl_ctx_clear(ctx);
                /* A resent message needs a fresh sequence number, or libnl
                 * rejects the replies as out of order. */
                nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
                r = nl_send_auto(ctx->sock, msg);
                if (r < 0)
                        break;
                r = nl_recvmsgs(ctx->sock, cb);
                if (r != -NLE_DUMP_INTR || attempt == DUMP_ATTEMPTS)
                        break;
                if (reset)
                        reset(arg);
        }
        nl_cb_put(cb);
        /* A dump ends with NLMSG_DONE; a single get is answered by its reply
         * and then the ack libnl asked for, which must be consumed here or
         * the next request would read it. */
        if (r >= 0 && !(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP))
                r = nl_wait_for_ack(ctx->sock);
        return r;
}

/* ---- addresses ---- */

size_t addr_to_bytes(const struct addr *a, uint8_t buf[16]) {
        uint8_t blob[16];

        addr_to_blob(a, blob);
        if (a->family == AF_INET) {
                memcpy(buf, blob + 12, 4);
                return 4;
        }
        memcpy(buf, blob, 16);
        return 16;
}

void addr_from_bytes(int family, const void *bytes, struct addr *ret) {
        uint8_t blob[16] = {0};

        if (family == AF_INET)
                memcpy(blob + 12, bytes, 4);
        else
                memcpy(blob, bytes, 16);
        addr_from_blob(family, blob, ret);
}

struct nl_addr *nladdr_from_addr(const struct addr *a, unsigned prefixlen) {
        uint8_t buf[16];
        size_t n = addr_to_bytes(a, buf);
        struct nl_addr *na = nl_addr_build(a->family, buf, n);

        if (na)
                nl_addr_set_prefixlen(na, (int)prefixlen);
        return na;
}

static struct nla_policy ifaddr_policy[IFA_MAX + 1] = {
        [IFA_ADDRESS] = {.minlen = 4},
        [IFA_LOCAL] = {.minlen = 4},
};

bool nl_addr_msg_read(struct nl_msg *msg, int family, int *ret_ifindex, struct addr *ret_addr,
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
        addr_from_bytes(ifa->ifa_family, nla_data(a), ret_addr);
        *ret_ifindex = (int)ifa->ifa_index;
        *ret_prefixlen = ifa->ifa_prefixlen;
        return true;
}

/* ---- links ---- */

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

static void vxlan_info_parse(struct nlattr *data, struct link_info *li) {
        struct nlattr *tb[IFLA_VXLAN_MAX + 1];

        if (nla_parse_nested(tb, IFLA_VXLAN_MAX, data, vxlan_policy) < 0)
                return;
        if (tb[IFLA_VXLAN_ID]) {
                li->has_vni = true;
                li->vni = nla_get_u32(tb[IFLA_VXLAN_ID]);
        }
        /* The kernel reports an unset address as all zeros. */
        if (tb[IFLA_VXLAN_LOCAL] && !is_zero(nla_data(tb[IFLA_VXLAN_LOCAL]), 4))
                addr_from_bytes(AF_INET, nla_data(tb[IFLA_VXLAN_LOCAL]), &li->local);
        if (tb[IFLA_VXLAN_LOCAL6] && !is_zero(nla_data(tb[IFLA_VXLAN_LOCAL6]), 16))
                addr_from_bytes(AF_INET6, nla_data(tb[IFLA_VXLAN_LOCAL6]), &li->local);
        if (tb[IFLA_VXLAN_GROUP] && !is_zero(nla_data(tb[IFLA_VXLAN_GROUP]), 4))
                addr_from_bytes(AF_INET, nla_data(tb[IFLA_VXLAN_GROUP]), &li->group);
        if (tb[IFLA_VXLAN_GROUP6] && !is_zero(nla_data(tb[IFLA_VXLAN_GROUP6]), 16))
                addr_from_bytes(AF_INET6, nla_data(tb[IFLA_VXLAN_GROUP6]), &li->group);
        if (tb[IFLA_VXLAN_PORT])
                li->dstport = ntohs(nla_get_u16(tb[IFLA_VXLAN_PORT]));
}

bool link_info_parse(struct nl_msg *msg, struct link_info *li) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
        struct ifinfomsg *ifi;

        if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, link_policy) < 0)
                return false;
        ifi = nlmsg_data(h);
        *li = (struct link_info){.ifindex = ifi->ifi_index, .flags = ifi->ifi_flags, .stp_state = -1};
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
        struct link_info *li;
        bool found;
};

static int on_link(struct nl_msg *msg, void *arg) {
        struct link_get_arg *a = arg;

        if (!a->found && link_info_parse(msg, a->li))
                a->found = true;
        return NL_OK;
}

int link_get(struct nl_ctx *ctx, const char *name, int ifindex, struct link_info *ret,
             struct netd_error *err) {
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = name ? 0 : ifindex};
        struct link_get_arg a = {.li = ret};
        struct nl_msg *msg;
        int r;

        msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
        if (!msg)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
            (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
            nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        r = nl_ctx_query(ctx, msg, on_link, NULL, &a);
        nlmsg_free(msg);
        if (r < 0) {
                if (nl_error_code(ctx, r) == NETD_ENOTFOUND) {
                        nl_ctx_clear(ctx);
                        return NETD_ENOTFOUND;
                }
                if (name)
                        return nl_error(ctx, err, r, "interface %s: cannot read", name);
                return nl_error(ctx, err, r, "interface #%d: cannot read", ifindex);
        }
        return a.found ? 0 : NETD_ENOTFOUND;
}

int link_conflict(struct netd_error *err, const char *name) {
        return error_set(err, NETD_ECONFLICT, "interface %s exists and was not created by netd", name);
}

int link_master_index(struct nl_ctx *ctx, const char *who, const char *master, int *ret,
                      struct netd_error *err) {
        struct link_info li;
        int r;

        *ret = 0;
        if (isempty(master))
                return 0;
        r = link_get(ctx, master, 0, &li, err);
        if (r == NETD_ENOTFOUND)
                return error_set(err, NETD_ENOTFOUND, "%s: bridge %s does not exist", who, master);
        if (r < 0)
                return r;
        if (!streq(li.kind, "bridge"))
                return error_set(err, NETD_EINVALID, "%s: master %s is not a bridge", who, master);
        *ret = li.ifindex;
        return 0;
}

int link_compare_master(struct nl_ctx *ctx, const struct link_info *li, const char *want, const char *prefix,
                        char *detail, size_t size, struct netd_error *err) {
        struct link_info m;
        char cur[IFNAMSIZ + 8];
        int want_index = 0, r;

        if (!isempty(want)) {
                r = link_get(ctx, want, 0, &m, err);
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
                r = link_get(ctx, NULL, li->master, &m, err);
                if (r < 0 && r != NETD_ENOTFOUND)
                        return r;
                if (r == 0)
                        strscpy(cur, sizeof(cur), m.name);
                else
                        snprintf(cur, sizeof(cur), "#%d", li->master);
        }
        detail_add(detail, size, "%smaster %s, want %s", prefix, cur, isempty(want) ? "none" : want);
        return 0;
}

int link_change(struct nl_ctx *ctx, const char *what, const char *name, int ifindex,
                const struct link_change *c, struct netd_error *err) {
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
        if (r < 0)
                return nl_error(NULL, err, r, "%s: cannot build the request", what);
        r = nl_ctx_talk(ctx, msg);
        nlmsg_free(msg);
        if (r < 0)
                return nl_error(ctx, err, r, "%s: cannot change", what);
        return 0;
}

int link_delete(struct nl_ctx *ctx, const char *what, int ifindex, struct netd_error *err) {
        struct rtnl_link *l = rtnl_link_alloc();
        struct nl_msg *msg = NULL;
        int r;

        if (!l)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        rtnl_link_set_ifindex(l, ifindex);
        r = rtnl_link_build_delete_request(l, &msg);
        rtnl_link_put(l);
        if (r < 0)
                return nl_error(NULL, err, r, "%s: cannot build the request", what);
        r = nl_ctx_talk(ctx, msg);
        nlmsg_free(msg);
        if (r < 0 && nl_error_code(ctx, r) == NETD_ENOTFOUND) {
                nl_ctx_clear(ctx);
                return 0;
        }
        if (r < 0)
                return nl_error(ctx, err, r, "%s: cannot delete", what);
        return 0;
}

int link_create(struct nl_ctx *ctx, const char *what, struct rtnl_link *link, const char *name,
                const struct link_change *extra, struct netd_error *err) {
        struct link_change mark = LINK_CHANGE_INIT;
        struct nl_msg *msg = NULL;
        struct link_info li;
        int r;

        r = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
        if (r < 0)
                return nl_error(NULL, err, r, "%s: cannot build the request", what);
        r = nl_ctx_talk(ctx, msg);
        nlmsg_free(msg);
        if (r < 0)
                return nl_error(ctx, err, r, "%s: cannot create", what);
        if (extra)
                mark = *extra;
        mark.alias = FOBJ_OWNER_ALIAS;
        r = link_change(ctx, what, name, 0, &mark, err);
        if (r < 0 && link_get(ctx, name, 0, &li, NULL) == 0)
                (void)link_delete(ctx, what, li.ifindex, NULL);
        return r;
}

void detail_conflict(char *detail, size_t size, const char *name) {
        if (detail && size)
                snprintf(detail, size, "interface %s exists and was not created by netd", name);
}

int link_read_owned(struct nl_ctx *ctx, const char *name, struct link_info *li, enum fobj_state *ret_state,
                    char *detail, size_t size, struct netd_error *err) {
        int r = link_get(ctx, name, 0, li, err);

        if (r == NETD_ENOTFOUND) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (r < 0)
                return r;
        if (!link_is_ours(li)) {
                *ret_state = FOBJ_CONFLICT;
                detail_conflict(detail, size, name);
                return 0;
        }
        return 1;
}

int link_remove_owned(struct nl_ctx *ctx, const char *kind, const char *name, struct netd_error *err) {
        struct link_info li;
        char what[IFNAMSIZ + 32];
        int r;

        r = link_get(ctx, name, 0, &li, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        if (!link_is_ours(&li))
                return link_conflict(err, name);
        snprintf(what, sizeof(what), "%s %s", kind, name);
        return link_delete(ctx, what, li.ifindex, err);
}

void detail_copy(char *detail, size_t size, const char *d) {
        if (detail && size)
                strscpy(detail, size, d);
}

void detail_add(char *detail, size_t size, const char *fmt, ...) {
        size_t n = strlen(detail);
        va_list ap;

        if (n > 0 && n + 2 < size) {
                memcpy(detail + n, "; ", 3);
                n += 2;
        }
        if (n + 1 >= size)
                return;
        va_start(ap, fmt);
        vsnprintf(detail + n, size - n, fmt, ap);
        va_end(ap);
}

/* ---- bridge ports ---- */

struct ports_arg {
        int bridge;
        char *buf;
        size_t size;
        bool overflow;
};

static void ports_reset(void *arg) {
        struct ports_arg *a = arg;

        a->buf[0] = '\0';
        a->overflow = false;
}

static int on_port(struct nl_msg *msg, void *arg) {
        struct ports_arg *a = arg;
        struct link_info li;
        size_t n;

        /* The kernel filters the dump by master; check again in case an old
         * kernel ignored the filter. */
        if (!link_info_parse(msg, &li) || li.master != a->bridge || link_is_ours(&li))
                return NL_OK;
        n = strlen(a->buf);
        if (n + strlen(li.name) + 2 > a->size) {
                a->overflow = true;
                return NL_OK;
        }
        if (n > 0)
                a->buf[n++] = ',';
        memcpy(a->buf + n, li.name, strlen(li.name) + 1);
        return NL_OK;
}

int bridge_foreign_ports(struct nl_ctx *ctx, const char *bridge, char *buf, size_t size,
                         struct netd_error *err) {
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
        struct ports_arg a = {.buf = buf, .size = size};
        struct link_info br;
        struct nl_msg *msg;
        int r;

        if (size == 0)
                return error_set(err, NETD_EINTERNAL, "bridge %s: no room for the port list", bridge);
        buf[0] = '\0';
        r = link_get(ctx, bridge, 0, &br, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        a.bridge = br.ifindex;
        msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
        if (!msg)
                return error_set(err, NETD_EINTERNAL, "netlink: out of memory");
        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
            nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 ||
            nla_put_u32(msg, IFLA_MASTER, (uint32_t)br.ifindex) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        r = nl_ctx_query(ctx, msg, on_port, ports_reset, &a);
        nlmsg_free(msg);
        if (r < 0)
                return nl_error(ctx, err, r, "bridge %s: cannot list ports", bridge);
        if (a.overflow)
                return error_set(err, NETD_EINTERNAL, "bridge %s: too many ports for the list (%zu bytes)",
                                 bridge, size);
        return 0;
}
