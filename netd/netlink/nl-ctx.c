/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Requests to the kernel and their errors: every netlink request of the
 * layer goes through here, so the kernel's errno and extended-ack text are
 * recorded and turned into one NETD_E* code and message. */
#include <errno.h>
#include <linux/netlink.h>
#include <netlink/msg.h>
#include <stdarg.h>

#include "netlink-private.h"

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

int nl_ctx_error_code(struct nl_ctx *ctx, int nlerr) {
        /* libnl folds several errnos into one NLE code; the kernel's own
         * errno, when there was one, is the more precise reason. */
        if (ctx && ctx->last_errno)
                return code_from_errno(ctx->last_errno);
        return code_from_nle(nlerr);
}

int nl_ctx_error(struct nl_ctx *ctx, struct netd_error *err, int nlerr, const char *fmt, ...) {
        char what[256], ebuf[128], q[sizeof(ctx->last_extack) + 32];
        const char *reason;
        va_list ap;
        int code = nl_ctx_error_code(ctx, nlerr), r;

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
        if (ctx)
                nl_ctx_clear(ctx);
        return r;
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

struct nl_msg *nl_ctx_msg_new(int type, int flags, const void *hdr, size_t len, struct netd_error *err) {
        struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

        if (!msg) {
                error_set(err, NETD_EINTERNAL, "netlink: out of memory");
                return NULL;
        }
        if (nlmsg_append(msg, (void *)hdr, len, NLMSG_ALIGNTO) < 0) {
                nlmsg_free(msg);
                error_set(err, NETD_EINTERNAL, "netlink: message too large");
                return NULL;
        }
        return msg;
}

int nl_ctx_dump(struct nl_ctx *ctx, int type, const void *hdr, size_t len, int (*fn)(struct nl_msg *, void *),
                void (*reset)(void *), void *arg, struct netd_error *err, const char *fmt, ...) {
        struct nl_msg *msg = nl_ctx_msg_new(type, NLM_F_DUMP, hdr, len, err);
        char what[256];
        va_list ap;
        int r;

        if (!msg)
                return NETD_EINTERNAL;
        r = nl_ctx_query(ctx, msg, fn, reset, arg);
        nlmsg_free(msg);
        if (r >= 0)
                return 0;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return nl_ctx_error(ctx, err, r, "%s", what);
}

int nl_ctx_change(struct nl_ctx *ctx, int built, struct nl_msg *msg, const char *what, const char *verb,
                  bool absent_ok, struct netd_error *err) {
        int r;

        if (built < 0) {
                nlmsg_free(msg);
                return nl_ctx_error(NULL, err, built, "%s: cannot build the request", what);
        }
        r = nl_ctx_talk(ctx, msg);
        nlmsg_free(msg);
        if (r < 0 && absent_ok && nl_ctx_error_code(ctx, r) == NETD_ENOTFOUND) {
                nl_ctx_clear(ctx);
                return 0;
        }
        if (r < 0)
                return nl_ctx_error(ctx, err, r, "%s: cannot %s", what, verb);
        return 0;
}
