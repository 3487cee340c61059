/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>

#include "agent.h"
#include "netd/core/agent-proto.h"
#include "netd/core/proto.h"
#include "netd/netlink/netlink.h"

#define NETLINK_UNAVAILABLE "netlink is not available on this host"

/* The port list of one bridge: a lab host has at most a few hundred. */
#define PORTS_BUF_SIZE (64 * 1024)

static struct json_object *handle_hello(void) {
        struct json_object *reply = agent_proto_reply_new(AGENT_PROTO_HELLO, NULL);

        json_object_object_add(reply, "version", json_object_new_string(NETD_VERSION));
        json_object_object_add(reply, "agent", json_object_new_boolean(true));
        return reply;
}

static struct json_object *handle_ports(struct nl_ctx *ctx, struct json_object *request) {
        struct json_object *list, *v;
        struct netd_error err = {0};
        _cleanup_free_ char *buf = NULL;
        const char *bridge;
        char *p, *save = NULL;
        int r;

        if (!json_object_object_get_ex(request, agent_proto_op_info(AGENT_PROTO_PORTS)->arg, &v) ||
            !json_object_is_type(v, json_type_string) ||
            strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
                return agent_proto_reply_error(NETD_EINVALID, "ports: \"bridge\" must be a string");
        bridge = json_object_get_string(v);
        if (validate_ifname_check("ports: bridge", bridge, &err) < 0)
                return agent_proto_reply_error(err.code, err.message);
        if (!ctx)
                return agent_proto_reply_error(NETD_EUNAVAILABLE, NETLINK_UNAVAILABLE);
        buf = malloc(PORTS_BUF_SIZE);
        if (!buf)
                return agent_proto_reply_error(NETD_EINTERNAL, "out of memory");
        r = netlink_foreign_ports(ctx, bridge, buf, PORTS_BUF_SIZE, &err);
        if (r < 0)
                return agent_proto_reply_error(r, err.message);
        list = json_object_new_array();
        for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
                json_object_array_add(list, json_object_new_string(p));
        return agent_proto_reply_new(AGENT_PROTO_PORTS, list);
}

bool agent_accepts(enum fobj_kind kind) {
        return netlink_kind_ops(kind) != NULL;
}

/* The netlink layer as the back end of check/apply/remove: one ops table
 * per kind. */
static int nl_check(void *ctx, const struct fobj *o, enum fobj_state *ret_state, char *detail, size_t size,
                    struct netd_error *err) {
        return netlink_kind_ops(o->kind)->check(ctx, o, ret_state, detail, size, err);
}

static int nl_ensure(void *ctx, const struct fobj *o, struct netd_error *err) {
        return netlink_kind_ops(o->kind)->ensure(ctx, o, err);
}

static int nl_remove(void *ctx, const struct fobj *o, struct netd_error *err) {
        return netlink_kind_ops(o->kind)->remove(ctx, o, err);
}

struct json_object *agent_handle(struct nl_ctx *ctx, struct json_object *request) {
        const struct agent_proto_backend nl = {
                .ctx = ctx,
                .unavailable = NETLINK_UNAVAILABLE,
                .accepts = agent_accepts,
                .check = nl_check,
                .ensure = nl_ensure,
                .remove = nl_remove,
        };
        struct netd_error err = {0};
        enum agent_proto_op op;

        if (agent_proto_request_parse(request, AGENT_PROTO_AGENT, &op, &err) < 0)
                return agent_proto_reply_error(err.code, err.message);
        switch (op) {
        case AGENT_PROTO_HELLO:
                return handle_hello();
        case AGENT_PROTO_PORTS:
                return handle_ports(ctx, request);
        default:
                return agent_proto_objects_handle(&nl, op, request);
        }
}

/* ---- stdio ---- */

static int write_all(int fd, const char *s, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, s, n);

                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                s += w;
                n -= (size_t)w;
        }
        return 0;
}

static int reply_write(int fd, struct json_object *reply) {
        const char *s;
        _cleanup_free_ char *line = NULL;
        size_t n;

        if (!reply)
                return -1;
        s = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        n = strlen(s);
        line = malloc(n + 1);
        if (!line) {
                json_object_put(reply);
                return -1;
        }
        memcpy(line, s, n);
        line[n] = '\n';
        json_object_put(reply);
        return write_all(fd, line, n + 1);
}

static struct json_object *line_handle(struct nl_ctx *ctx, const char *line, size_t len) {
        struct json_tokener *tok;
        struct json_object *req, *reply;
        struct netd_error err = {0};

        tok = json_tokener_new();
        if (!tok)
                return agent_proto_reply_error(NETD_EINTERNAL, "out of memory");
        req = json_tokener_parse_ex(tok, line, (int)len);
        /* Trailing bytes after the document (but whitespace) make it more
         * than one request; a repeated key is refused as in the control
         * protocol. */
        if (req && proto_json_check_keys(line, (size_t)tok->char_offset, req, &err) < 0) {
                json_object_put(req);
                json_tokener_free(tok);
                return agent_proto_reply_error(err.code, err.message);
        }
        if (req) {
                for (size_t i = (size_t)tok->char_offset; i < len; i++)
                        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                                json_object_put(req);
                                req = NULL;
                                break;
                        }
        }
        json_tokener_free(tok);
        if (!req)
                return agent_proto_reply_error(NETD_EINVALID, "malformed request: not one JSON object");
        reply = agent_handle(ctx, req);
        json_object_put(req);
        return reply;
}

static struct json_object *reply_too_large(void) {
        char msg[96];

        snprintf(msg, sizeof(msg), "request too large (limit %d bytes)", AGENT_PROTO_MAX_LINE);
        return agent_proto_reply_error(NETD_EINVALID, msg);
}

int agent_run_stdio(int in_fd, int out_fd) {
        const size_t cap = AGENT_PROTO_MAX_LINE + 1;
        _cleanup_free_ char *buf = malloc(cap);
        struct nl_ctx *ctx = NULL;
        struct netd_error err = {0};
        bool discarding = false;
        size_t len = 0;
        int rc = 0;

        if (!buf)
                return 1;
        /* A vanished netd must end the agent through a failed write, not a
         * signal. */
        signal(SIGPIPE, SIG_IGN);
        if (netlink_open(&ctx, &err) < 0)
                fprintf(stderr, "netd agent: %s\n", err.message);

        for (;;) {
                ssize_t n = read(in_fd, buf + len, cap - len);
                size_t start = 0;
                char *nl;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        rc = 1;
                        break;
                }
                if (n == 0) {
                        /* A last request without its newline still counts. */
                        if (discarding)
                                rc = reply_write(out_fd, reply_too_large()) < 0;
                        else if (len > 0)
                                rc = reply_write(out_fd, line_handle(ctx, buf, len)) < 0;
                        break;
                }
                len += (size_t)n;
                while ((nl = memchr(buf + start, '\n', len - start))) {
                        size_t l = (size_t)(nl - (buf + start));
                        struct json_object *reply;

                        reply = discarding ? reply_too_large() : line_handle(ctx, buf + start, l);
                        discarding = false;
                        if (reply_write(out_fd, reply) < 0) {
                                rc = 1;
                                goto out;
                        }
                        start += l + 1;
                }
                memmove(buf, buf + start, len - start);
                len -= start;
                if (len == cap) {
                        /* No newline within the limit: drop this line up to
                         * its end, then answer it once. */
                        discarding = true;
                        len = 0;
                }
        }
out:
        netlink_close(ctx);
        return rc;
}
