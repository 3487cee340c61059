/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>

#include "agent.h"
#include "netd/netlink/netlink.h"
#include "netd/core/prefix.h"

/* The port list of one bridge: a lab host has at most a few hundred. */
#define PORTS_BUF_SIZE (64 * 1024)

enum agent_op {
        OP_HELLO,
        OP_CHECK,
        OP_APPLY,
        OP_REMOVE,
        OP_PORTS,
};

static const struct {
        const char *name;
        enum agent_op op;
        const char *keys[3]; /* allowed besides "op" */
} ops[] = {
        {"hello", OP_HELLO, {NULL}},
        {"check", OP_CHECK, {"objects", NULL}},
        {"apply", OP_APPLY, {"objects", NULL}},
        {"remove", OP_REMOVE, {"objects", NULL}},
        {"ports", OP_PORTS, {"bridge", NULL}},
};

static struct json_object *reply_error(int code, const char *message) {
        struct json_object *r = json_object_new_object(), *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(error_code_name(code)));
        json_object_object_add(e, "message", json_object_new_string(message));
        json_object_object_add(r, "result", json_object_new_string("error"));
        json_object_object_add(r, "error", e);
        return r;
}

struct json_object *agent_reply_error(int code, const char *message) {
        return reply_error(code, message);
}

static struct json_object *reply_ok(void) {
        struct json_object *r = json_object_new_object();

        json_object_object_add(r, "result", json_object_new_string("ok"));
        return r;
}

static struct json_object *error_json(const struct netd_error *err, int code) {
        struct json_object *e = json_object_new_object();

        json_object_object_add(e, "code",
                               json_object_new_string(error_code_name(err->code ? err->code : code)));
        json_object_object_add(e, "message",
                               json_object_new_string(err->message[0] ? err->message : "failed"));
        return e;
}

/* What "name" reports: the interface, the device, or the destination. */
static const char *object_name(const struct fobj *o, char *buf, size_t size) {
        switch (o->kind) {
        case FOBJ_ADDRESS:
        case FOBJ_FDB:
                return o->dev;
        case FOBJ_ROUTE:
                return prefix_format(&o->dst, buf, size);
        case FOBJ_LIBVIRT_NETWORK:
                return o->network;
        default:
                return o->name;
        }
}

static struct json_object *state_json(int r, enum fobj_state s) {
        return r < 0 ? NULL : json_object_new_string(fobj_state_to_string(s));
}

static struct json_object *handle_object(const struct agent_backend *b, enum agent_op op,
                                         const struct fobj *o) {
        struct json_object *res = json_object_new_object(), *error = NULL, *after = NULL;
        char label[160], name[PREFIX_STRLEN], detail[512] = "", after_detail[512];
        enum fobj_state state = FOBJ_MISSING, now = FOBJ_MISSING;
        struct netd_error err = {0};
        int checked;

        json_object_object_add(res, "kind", json_object_new_string(fobj_kind_to_string(o->kind)));
        json_object_object_add(res, "name", json_object_new_string(object_name(o, name, sizeof(name))));
        json_object_object_add(res, "label", json_object_new_string(fobj_label(o, label, sizeof(label))));

        checked = b->check(b->ctx, o, &state, detail, sizeof(detail), &err);
        if (checked < 0)
                error = error_json(&err, checked);
        else if (op == OP_APPLY) {
                if (state == FOBJ_OK)
                        after = json_object_new_string(fobj_state_to_string(state));
                else if (state == FOBJ_CONFLICT) {
                        after = json_object_new_string(fobj_state_to_string(state));
                        error_set(&err, NETD_ECONFLICT, "%s", detail[0] ? detail : "conflict");
                        error = error_json(&err, NETD_ECONFLICT);
                } else {
                        int e = b->ensure(b->ctx, o, &err);
                        struct netd_error err2 = {0};
                        int c = b->check(b->ctx, o, &now, after_detail, sizeof(after_detail), &err2);

                        after = state_json(c, now);
                        if (e < 0)
                                error = error_json(&err, e);
                        else if (c < 0)
                                error = error_json(&err2, c);
                        else if (now != FOBJ_OK) {
                                /* Ensure claimed success but the kernel does
                                 * not show it: say so rather than hide it. */
                                error_set(&err2, NETD_EINTERNAL, "%s: still %s after ensure%s%s", label,
                                          fobj_state_to_string(now), after_detail[0] ? ": " : "",
                                          after_detail);
                                error = error_json(&err2, NETD_EINTERNAL);
                        }
                }
        } else if (op == OP_REMOVE) {
                int r = b->remove(b->ctx, o, &err);

                if (r < 0)
                        error = error_json(&err, r);
        }
        json_object_object_add(res, "state", state_json(checked, state));
        json_object_object_add(res, "after", after);
        json_object_object_add(res, "detail", json_object_new_string(detail));
        json_object_object_add(res, "error", error);
        return res;
}

static struct json_object *handle_ports(struct nl_ctx *ctx, const char *bridge) {
        struct json_object *reply, *list;
        struct netd_error err = {0};
        _cleanup_free_ char *buf = malloc(PORTS_BUF_SIZE);
        char *p, *save = NULL;
        int r;

        if (!buf)
                return reply_error(NETD_EINTERNAL, "out of memory");
        r = bridge_foreign_ports(ctx, bridge, buf, PORTS_BUF_SIZE, &err);
        if (r < 0)
                return reply_error(r, err.message);
        list = json_object_new_array();
        for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
                json_object_array_add(list, json_object_new_string(p));
        reply = reply_ok();
        json_object_object_add(reply, "ports", list);
        return reply;
}

static bool key_allowed(size_t op_index, const char *key) {
        if (streq(key, "op"))
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(ops[op_index].keys) && ops[op_index].keys[i]; i++)
                if (streq(ops[op_index].keys[i], key))
                        return true;
        return false;
}

/* The op's index in ops[], after checking the request's shape and keys. */
static int request_op(struct json_object *request, size_t *ret, struct json_object **ret_error) {
        struct json_object *v;
        struct netd_error err = {0};
        const char *opname;
        char q[64];
        size_t i;

        if (!json_object_is_type(request, json_type_object)) {
                *ret_error = reply_error(NETD_EINVALID, "malformed request: not a JSON object");
                return -1;
        }
        if (!json_object_object_get_ex(request, "op", &v) || !json_object_is_type(v, json_type_string)) {
                *ret_error = reply_error(NETD_EINVALID, "malformed request: no \"op\" string");
                return -1;
        }
        opname = json_object_get_string(v);
        for (i = 0; i < ARRAY_SIZE(ops); i++)
                if (streq(ops[i].name, opname) && strlen(opname) == (size_t)json_object_get_string_len(v))
                        break;
        if (i == ARRAY_SIZE(ops)) {
                error_set(&err, NETD_EINVALID, "unknown op \"%s\"",
                          error_quote_untrusted(opname, q, sizeof(q)));
                *ret_error = reply_error(err.code, err.message);
                return -1;
        }
        json_object_object_foreach(request, key, val) {
                (void)val;
                if (!key_allowed(i, key)) {
                        error_set(&err, NETD_EINVALID, "%s: unknown key \"%s\"", ops[i].name,
                                  error_quote_untrusted(key, q, sizeof(q)));
                        *ret_error = reply_error(err.code, err.message);
                        return -1;
                }
        }
        *ret = i;
        return 0;
}

/* check/apply/remove, after the op was found: validate every object, then run each. */
static struct json_object *objects_handle(const struct agent_backend *b, size_t op_index,
                                          struct json_object *request) {
        struct json_object *objects = NULL, *reply, *results;
        _cleanup_free_ struct fobj *objs = NULL;
        struct netd_error err = {0};
        size_t n;

        if (!json_object_object_get_ex(request, "objects", &objects) ||
            !json_object_is_type(objects, json_type_array))
                return reply_error(NETD_EINVALID, "malformed request: no \"objects\" array");
        n = json_object_array_length(objects);
        if (n > AGENT_MAX_OBJECTS) {
                error_set(&err, NETD_EINVALID, "%s: too many objects (%zu, limit %d)", ops[op_index].name, n,
                          AGENT_MAX_OBJECTS);
                return reply_error(err.code, err.message);
        }
        objs = calloc(n ? n : 1, sizeof(*objs));
        if (!objs)
                return reply_error(NETD_EINTERNAL, "out of memory");
        for (size_t k = 0; k < n; k++) {
                struct netd_error oerr = {0};

                if (fobj_from_json(json_object_array_get_idx(objects, k), &objs[k], &oerr) < 0) {
                        error_set(&err, NETD_EINVALID, "%s: object %zu: %s", ops[op_index].name, k,
                                  oerr.message);
                        return reply_error(err.code, err.message);
                }
                if (!b->accepts(objs[k].kind)) {
                        error_set(&err, NETD_EINVALID, "%s: object %zu: kind %s is not handled here",
                                  ops[op_index].name, k, fobj_kind_to_string(objs[k].kind));
                        return reply_error(err.code, err.message);
                }
        }
        if (!b->ctx)
                return reply_error(NETD_EUNAVAILABLE, b->unavailable);

        results = json_object_new_array();
        for (size_t k = 0; k < n; k++)
                json_object_array_add(results, handle_object(b, ops[op_index].op, &objs[k]));
        reply = reply_ok();
        json_object_object_add(reply, "results", results);
        return reply;
}

struct json_object *agent_objects_handle(const struct agent_backend *b, struct json_object *request) {
        struct json_object *error = NULL;
        size_t i;

        if (request_op(request, &i, &error) < 0)
                return error;
        if (ops[i].op != OP_CHECK && ops[i].op != OP_APPLY && ops[i].op != OP_REMOVE)
                return reply_error(NETD_EINVALID, "malformed request: not a check, apply or remove");
        return objects_handle(b, i, request);
}

/* The netlink layer as a back end: one fobj_ops table per kind. */
static bool nl_accepts(enum fobj_kind k) {
        return !fobj_kind_is_libvirt(k);
}

static int nl_check(void *ctx, const struct fobj *o, enum fobj_state *ret_state, char *detail, size_t size,
                    struct netd_error *err) {
        return fobj_ops(o->kind)->check(ctx, o, ret_state, detail, size, err);
}

static int nl_ensure(void *ctx, const struct fobj *o, struct netd_error *err) {
        return fobj_ops(o->kind)->ensure(ctx, o, err);
}

static int nl_remove(void *ctx, const struct fobj *o, struct netd_error *err) {
        return fobj_ops(o->kind)->remove(ctx, o, err);
}

struct json_object *agent_handle(struct nl_ctx *ctx, struct json_object *request) {
        const struct agent_backend nl = {
                .ctx = ctx,
                .unavailable = "netlink is not available on this host",
                .accepts = nl_accepts,
                .check = nl_check,
                .ensure = nl_ensure,
                .remove = nl_remove,
        };
        struct json_object *v, *reply, *error = NULL;
        struct netd_error err = {0};
        const char *bridge;
        size_t i;

        if (request_op(request, &i, &error) < 0)
                return error;
        switch (ops[i].op) {
        case OP_HELLO:
                reply = reply_ok();
                json_object_object_add(reply, "version", json_object_new_string(NETD_VERSION));
                json_object_object_add(reply, "agent", json_object_new_boolean(true));
                return reply;
        case OP_PORTS:
                if (!json_object_object_get_ex(request, "bridge", &v) ||
                    !json_object_is_type(v, json_type_string) ||
                    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
                        return reply_error(NETD_EINVALID, "ports: \"bridge\" must be a string");
                }
                bridge = json_object_get_string(v);
                if (validate_ifname_check("ports: bridge", bridge, &err) < 0)
                        return reply_error(err.code, err.message);
                if (!ctx)
                        return reply_error(NETD_EUNAVAILABLE, "netlink is not available on this host");
                return handle_ports(ctx, bridge);
        default:
                return objects_handle(&nl, i, request);
        }
}

struct json_object *agent_request_new(const char *op, const struct fobj *objs, size_t n) {
        struct json_object *req = json_object_new_object(), *list = json_object_new_array();

        json_object_object_add(req, "op", json_object_new_string(op));
        for (size_t i = 0; i < n; i++)
                json_object_array_add(list, fobj_to_json(&objs[i]));
        json_object_object_add(req, "objects", list);
        return req;
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

        tok = json_tokener_new();
        if (!tok)
                return reply_error(NETD_EINTERNAL, "out of memory");
        req = json_tokener_parse_ex(tok, line, (int)len);
        /* Trailing bytes after the document (but whitespace) make it more
         * than one request. */
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
                return reply_error(NETD_EINVALID, "malformed request: not one JSON object");
        reply = agent_handle(ctx, req);
        json_object_put(req);
        return reply;
}

static struct json_object *reply_too_large(void) {
        char msg[96];

        snprintf(msg, sizeof(msg), "request too large (limit %d bytes)", AGENT_MAX_LINE);
        return reply_error(NETD_EINVALID, msg);
}

int agent_run_stdio(int in_fd, int out_fd) {
        const size_t cap = AGENT_MAX_LINE + 1;
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
        if (nl_ctx_open(&ctx, &err) < 0)
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
        nl_ctx_close(ctx);
        return rc;
}
