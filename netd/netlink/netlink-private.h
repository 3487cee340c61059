/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the netlink layer's files only. Reads parse just the attributes
 * netd compares, straight from the kernel's replies; writes use libnl's
 * object builders, except where libnl 3.7 cannot express the request
 * (bridge STP, VXLAN FDB remotes), which are built as raw messages. Every
 * request goes through nl_ctx_talk() or nl_ctx_query() so the kernel's errno
 * and extended-ack text are recorded for nl_ctx_error().
 *
 * Names: netlink_* is the layer's public face (netlink.h); nl_<object>_*
 * is shared inside the layer and lives in nl-<object>.c (nl_detail_* in
 * netlink.c). */
#pragma once

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "netlink.h"

struct nl_ctx {
        struct nl_sock *sock;
        int last_errno;        /* errno of the kernel's last error reply, 0 = none */
        char last_extack[256]; /* its extended ack message, "" = none */
};

/* ---- requests and errors (nl-ctx.c) ---- */

/* Convert a libnl error (and the errno/extack recorded in ctx, if any)
 * into a NETD_E* code with the message "WHAT: reason[ (kernel's text)]". */
int nl_ctx_error(struct nl_ctx *ctx, struct netd_error *err, int nlerr, const char *fmt, ...) _printf_(4, 5);

/* The NETD_E* code nl_ctx_error() would choose for this libnl error. */
int nl_ctx_error_code(struct nl_ctx *ctx, int nlerr);

/* Forget the recorded kernel error (after treating it as expected). */
void nl_ctx_clear(struct nl_ctx *ctx);

/* Send a request and wait for its ack; a libnl error code (< 0) or 0. The
 * caller keeps `msg`. */
int nl_ctx_talk(struct nl_ctx *ctx, struct nl_msg *msg);

/* Send a get or dump request; every reply message goes to `fn`. A dump
 * the kernel marks as interrupted (the table changed meanwhile) is retried
 * a few times, calling `reset` (may be NULL) before each new pass. A libnl
 * error code (< 0) or 0. */
int nl_ctx_query(struct nl_ctx *ctx, struct nl_msg *msg, int (*fn)(struct nl_msg *, void *),
                 void (*reset)(void *), void *arg);

/* A new request of `type` with `flags` and the fixed header hdr[0..len);
 * NULL with err set ("netlink: out of memory"). */
struct nl_msg *nl_ctx_msg_new(int type, int flags, const void *hdr, size_t len, struct netd_error *err);

/* Dump a table: a request of `type` with only the header hdr[0..len),
 * replies to `fn` as in nl_ctx_query(). A failure is reported as the
 * formatted text plus the reason ("vxlan v: cannot list addresses: ..."). */
int nl_ctx_dump(struct nl_ctx *ctx, int type, const void *hdr, size_t len, int (*fn)(struct nl_msg *, void *),
                void (*reset)(void *), void *arg, struct netd_error *err, const char *fmt, ...)
        _printf_(9, 10);

/* Send a change request built by libnl (`built` is what the builder
 * returned: < 0 is "WHAT: cannot build the request") or by hand (0), wait
 * for its ack and free `msg`. A failure is "WHAT: cannot VERB: reason";
 * with `absent_ok` (a delete) a target that is already gone is success. */
int nl_ctx_change(struct nl_ctx *ctx, int built, struct nl_msg *msg, const char *what, const char *verb,
                  bool absent_ok, struct netd_error *err);

/* ---- interfaces (nl-link.c) ---- */

/* What netd compares of an interface. */
struct nl_link_info {
        int ifindex;
        char name[IFNAMSIZ];
        char kind[32];   /* IFLA_INFO_KIND; "" for none */
        char alias[256]; /* IFLA_IFALIAS; "" for none */
        unsigned mtu;
        unsigned flags; /* IFF_* */
        int master;     /* 0 = none */
        int link;       /* IFLA_LINK: a veth's peer */
        int stp_state;  /* bridge; -1 = not reported */
        bool has_vni;
        uint32_t vni;
        struct addr local; /* vxlan; family 0 = none */
        struct addr group; /* vxlan; family 0 = none */
        uint16_t dstport;  /* vxlan, host order; 0 = not reported */
};

/* Read one interface by name (or by index when name is NULL). Absent is
 * NETD_ENOTFOUND with no message set; other failures set err. */
int nl_link_get(struct nl_ctx *ctx, const char *name, int ifindex, struct nl_link_info *ret,
                struct netd_error *err);

/* Fill `li` from one RTM_NEWLINK message; false if it is not one. */
bool nl_link_info_parse(struct nl_msg *msg, struct nl_link_info *li);

static inline bool nl_link_is_ours(const struct nl_link_info *li) {
        return streq(li->alias, FOBJ_OWNER_ALIAS);
}

/* NETD_ECONFLICT: "interface NAME exists and was not created by netd". */
int nl_link_conflict(struct netd_error *err, const char *name);

/* The start of an ensure or remove that works on the device `name` netd
 * made: 0 with *ret read when it exists and is netd's; NETD_ECONFLICT for a
 * foreign one. An absent device is, with `need` (an ensure), NETD_ENOTFOUND
 * "WHAT: interface NAME does not exist"; without it (a remove) 1: nothing
 * to do. */
int nl_link_get_owned(struct nl_ctx *ctx, const char *what, const char *name, bool need,
                      struct nl_link_info *ret, struct netd_error *err);

/* Resolve a master bridge's name to its index; "" is 0. A missing master is
 * NETD_ENOTFOUND "WHO: bridge MASTER does not exist". */
int nl_link_master_index(struct nl_ctx *ctx, const char *who, const char *master, int *ret,
                         struct netd_error *err);

/* Compare an interface's master with the wanted one (by name, "" = none)
 * and append "master X, want Y" to detail when they differ. `prefix` names
 * the interface in the detail when it is not the object's main one. */
int nl_link_compare_master(struct nl_ctx *ctx, const struct nl_link_info *li, const char *want,
                           const char *prefix, char *detail, size_t size, struct netd_error *err);

/* In-place changes of an existing interface; fields left at their "keep"
 * value are not sent. */
struct nl_link_change {
        unsigned mtu;      /* 0 = keep */
        int master;        /* -1 = keep, 0 = none */
        bool up;           /* set IFF_UP */
        const char *alias; /* NULL = keep */
};
#define NL_LINK_CHANGE_INIT                                                                                  \
        { .master = -1 }

/* Apply `c` to the interface `ifindex` (or, when it is 0, the one named
 * `name`). */
int nl_link_change(struct nl_ctx *ctx, const char *what, const char *name, int ifindex,
                   const struct nl_link_change *c, struct netd_error *err);

/* Delete an interface by index; already gone is success. */
int nl_link_delete(struct nl_ctx *ctx, const char *what, int ifindex, struct netd_error *err);

/* Send an add request built from a libnl link object, then mark the new
 * interface `name` as netd's (the kernel ignores IFLA_IFALIAS on creation),
 * applying `extra` (may be NULL) in the same request. If marking fails the
 * new link is deleted, so no unmarked interface made by netd is left. */
int nl_link_create(struct nl_ctx *ctx, const char *what, struct rtnl_link *link, const char *name,
                   const struct nl_link_change *extra, struct netd_error *err);

/* The start of every owned link's check: reads `name` into li and returns
 * 1 when it exists and is netd's (compare on), or 0 with *ret_state set to
 * FOBJ_MISSING or FOBJ_CONFLICT (then the detail names the interface). */
int nl_link_read_owned(struct nl_ctx *ctx, const char *name, struct nl_link_info *li,
                       enum fobj_state *ret_state, char *detail, size_t size, struct netd_error *err);

/* Delete the interface `name` if it is netd's; absent is success, a
 * foreign one is NETD_ECONFLICT. `kind` names it in messages ("bridge"). */
int nl_link_remove_owned(struct nl_ctx *ctx, const char *kind, const char *name, struct netd_error *err);

/* ---- check details (netlink.c) ---- */

/* Checks build their detail here, then copy it out to the caller's buffer
 * (which may be small or NULL). */
#define NL_DETAIL_MAX 512
void nl_detail_copy(char *detail, size_t size, const char *d);

/* Append one "; "-separated item to a detail buffer. */
void nl_detail_add(char *detail, size_t size, const char *fmt, ...) _printf_(3, 4);

/* The detail of a FOBJ_CONFLICT, the same words as nl_link_conflict(). */
void nl_detail_conflict(char *detail, size_t size, const char *name);

/* ---- addresses (nl-address.c) ---- */

/* Addresses between netd's form and libnl's / the kernel's bytes; the
 * nl_addr carries `prefixlen` as given (a host: addr_bits()). */
struct nl_addr *nl_address_to_nladdr(const struct addr *a, unsigned prefixlen);
void nl_address_from_bytes(int family, const void *bytes, struct addr *ret);
/* The byte form of `a` (4 or 16 bytes) into buf; returns the length. */
size_t nl_address_to_bytes(const struct addr *a, uint8_t buf[16]);

/* Read one RTM_NEWADDR message of `family`: the interface, its own address
 * and prefix length; false if it is not one or carries no usable address. */
bool nl_address_msg_read(struct nl_msg *msg, int family, int *ret_ifindex, struct addr *ret_addr,
                         unsigned *ret_prefixlen);

/* ---- the kinds: one table each ---- */

extern const struct netlink_ops link_bridge_ops;
extern const struct netlink_ops link_veth_ops;
extern const struct netlink_ops link_vxlan_ops;
extern const struct netlink_ops link_port_ops;
extern const struct netlink_ops nl_address_ops;
extern const struct netlink_ops nl_route_ops;
extern const struct netlink_ops nl_fdb_ops;
