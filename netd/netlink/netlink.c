/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The layer's public face: the kinds' operation tables, the socket, the
 * foreign ports of a bridge; and the check details every kind builds. */
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "netlink-private.h"

static const struct netlink_ops *const ops_table[FOBJ_KIND_MAX] = {
        [FOBJ_BRIDGE] = &link_bridge_ops, [FOBJ_VETH] = &link_veth_ops,     [FOBJ_VXLAN] = &link_vxlan_ops,
        [FOBJ_PORT] = &link_port_ops,     [FOBJ_ADDRESS] = &nl_address_ops, [FOBJ_ROUTE] = &nl_route_ops,
        [FOBJ_FDB] = &nl_fdb_ops,
};

const struct netlink_ops *netlink_kind_ops(enum fobj_kind kind) {
        if ((unsigned)kind >= FOBJ_KIND_MAX)
                return NULL;
        return ops_table[kind];
}

/* ---- the socket ---- */

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

int netlink_open(struct nl_ctx **ret, struct netd_error *err) {
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
                r = nl_ctx_error(NULL, err, r, "netlink: cannot open a route socket");
                netlink_close(ctx);
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

void netlink_close(struct nl_ctx *ctx) {
        if (!ctx)
                return;
        nl_socket_free(ctx->sock);
        free(ctx);
}

/* ---- check details ---- */

void nl_detail_copy(char *detail, size_t size, const char *d) {
        if (detail && size)
                strscpy(detail, size, d);
}

void nl_detail_add(char *detail, size_t size, const char *fmt, ...) {
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

void nl_detail_conflict(char *detail, size_t size, const char *name) {
        if (detail && size)
                snprintf(detail, size, "interface %s exists and was not created by netd", name);
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
        struct nl_link_info li;
        size_t n;

        /* The kernel filters the dump by master; check again in case an old
         * kernel ignored the filter. */
        if (!nl_link_info_parse(msg, &li) || li.master != a->bridge || nl_link_is_ours(&li))
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

int netlink_foreign_ports(struct nl_ctx *ctx, const char *bridge, char *buf, size_t size,
                          struct netd_error *err) {
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
        struct ports_arg a = {.buf = buf, .size = size};
        struct nl_link_info br;
        struct nl_msg *msg;
        int r;

        if (size == 0)
                return error_set(err, NETD_EINTERNAL, "bridge %s: no room for the port list", bridge);
        buf[0] = '\0';
        r = nl_link_get(ctx, bridge, 0, &br, err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        a.bridge = br.ifindex;
        msg = nl_ctx_msg_new(RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi), err);
        if (!msg)
                return NETD_EINTERNAL;
        if (nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 ||
            nla_put_u32(msg, IFLA_MASTER, (uint32_t)br.ifindex) < 0) {
                nlmsg_free(msg);
                return error_set(err, NETD_EINTERNAL, "netlink: message too large");
        }
        r = nl_ctx_query(ctx, msg, on_port, ports_reset, &a);
        nlmsg_free(msg);
        if (r < 0)
                return nl_ctx_error(ctx, err, r, "bridge %s: cannot list ports", bridge);
        if (a.overflow)
                return error_set(err, NETD_EINTERNAL, "bridge %s: too many ports for the list (%zu bytes)",
                                 bridge, size);
        return 0;
}
