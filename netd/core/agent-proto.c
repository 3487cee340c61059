/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "agent-proto.h"
#include "prefix.h"

static const struct agent_proto_op_info ops[AGENT_PROTO_OP_MAX] = {
        [AGENT_PROTO_HELLO] = {"hello", AGENT_PROTO_AGENT, NULL, false, NULL},
        [AGENT_PROTO_CHECK] = {"check", AGENT_PROTO_AGENT | AGENT_PROTO_LIBVIRT, "objects", true, "results"},
        [AGENT_PROTO_APPLY] = {"apply", AGENT_PROTO_AGENT | AGENT_PROTO_LIBVIRT, "objects", true, "results"},
        [AGENT_PROTO_REMOVE] = {"remove", AGENT_PROTO_AGENT | AGENT_PROTO_LIBVIRT, "objects", true,
                                "results"},
        [AGENT_PROTO_PORTS] = {"ports", AGENT_PROTO_AGENT, "bridge", false, "ports"},
        [AGENT_PROTO_DOMAINS] = {"domains", AGENT_PROTO_LIBVIRT, NULL, false, "domains"},
};

const struct agent_proto_op_info *agent_proto_op_info(enum agent_proto_op op) {
        return &ops[op];
}

const char *agent_proto_op_to_string(enum agent_proto_op op) {
        return ops[op].name;
}

const char *agent_proto_reply_key(enum agent_proto_op op) {
        return ops[op].reply_key;
}

/* ---- requests ---- */

struct json_object *agent_proto_request_new(enum agent_proto_op op, struct json_object *arg) {
        struct json_object *req = json_object_new_object();

        json_object_object_add(req, "op", json_object_new_string(ops[op].name));
        if (ops[op].arg)
                json_object_object_add(req, ops[op].arg, arg);
        else
                json_object_put(arg);
        return req;
}

struct json_object *agent_proto_request_objects(enum agent_proto_op op, const struct fobj *objs, size_t n) {
        struct json_object *list = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(list, fobj_to_json(&objs[i]));
        return agent_proto_request_new(op, list);
}

int agent_proto_request_parse(struct json_object *request, unsigned server, enum agent_proto_op *ret,
                              struct netd_error *err) {
        struct json_object *v;
        const char *name;
        char q[64];
        unsigned i;

        if (!json_object_is_type(request, json_type_object))
                return error_set(err, NETD_EINVALID, "malformed request: not a JSON object");
        if (!json_object_object_get_ex(request, "op", &v) || !json_object_is_type(v, json_type_string))
                return error_set(err, NETD_EINVALID, "malformed request: no \"op\" string");
        name = json_object_get_string(v);
        for (i = 0; i < AGENT_PROTO_OP_MAX; i++)
                if ((ops[i].servers & server) && streq(ops[i].name, name) &&
                    strlen(name) == (size_t)json_object_get_string_len(v))
                        break;
        if (i == AGENT_PROTO_OP_MAX)
                return error_set(err, NETD_EINVALID, "unknown op \"%s\"",
                                 error_quote_untrusted(name, q, sizeof(q)));
        json_object_object_foreach(request, key, val) {
                (void)val;
                if (!streq(key, "op") && !streq(key, ops[i].arg))
                        return error_set(err, NETD_EINVALID, "%s: unknown key \"%s\"", ops[i].name,
                                         error_quote_untrusted(key, q, sizeof(q)));
        }
        *ret = (enum agent_proto_op)i;
        return 0;
}

/* ---- replies ---- */

struct json_object *agent_proto_reply_new(enum agent_proto_op op, struct json_object *payload) {
        struct json_object *r = json_object_new_object();

        json_object_object_add(r, "result", json_object_new_string("ok"));
        if (ops[op].reply_key && payload)
                json_object_object_add(r, ops[op].reply_key, payload);
        else
                json_object_put(payload);
        return r;
}

static struct json_object *error_json(int code, const char *message) {
        struct json_object *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(error_code_name(code)));
        json_object_object_add(e, "message", json_object_new_string(message));
        return e;
}

struct json_object *agent_proto_reply_error(int code, const char *message) {
        struct json_object *r = json_object_new_object();

        json_object_object_add(r, "result", json_object_new_string("error"));
        json_object_object_add(r, "error", error_json(code, message));
        return r;
}

struct json_object *agent_proto_reply_payload(struct json_object *reply, enum agent_proto_op op,
                                              const char **error, const char *fallback) {
        struct json_object *v;
        bool ok = reply && json_object_object_get_ex(reply, "result", &v) &&
                  streq(json_object_get_string(v), "ok");

        /* Every payload is a list: a peer's reply is checked before callers
         * walk it (a malformed one is an error, never a crash). */
        if (ok && ops[op].reply_key && json_object_object_get_ex(reply, ops[op].reply_key, &v) &&
            json_object_is_type(v, json_type_array))
                return v;
        if (ok && !ops[op].reply_key)
                return reply;
        if (reply && json_object_object_get_ex(reply, "error", &v) &&
            json_object_object_get_ex(v, "message", &v))
                *error = json_object_get_string(v);
        if (!*error)
                *error = fallback;
        return NULL;
}

/* ---- check, apply, remove ---- */

/* What "name" reports: the interface, the device, the destination or the
 * libvirt network. */
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

static struct json_object *object_error(const struct netd_error *err, int code) {
        return error_json(err->code ? err->code : code, err->message[0] ? err->message : "failed");
}

static struct json_object *state_json(int r, enum fobj_state s) {
        return r < 0 ? NULL : json_object_new_string(fobj_state_to_string(s));
}

/* "apply" of one object whose state was read: ensure, then read again.
 * Sets *ret_after and returns the object's error (NULL: none). */
static struct json_object *object_apply(const struct agent_proto_backend *b, const struct fobj *o,
                                        const char *label, enum fobj_state state, const char *detail,
                                        struct json_object **ret_after) {
        struct netd_error err = {0}, err2 = {0};
        enum fobj_state now = FOBJ_MISSING;
        char after_detail[512] = "";
        int e, c;

        if (state == FOBJ_OK) {
                *ret_after = json_object_new_string(fobj_state_to_string(state));
                return NULL;
        }
        if (state == FOBJ_CONFLICT) {
                *ret_after = json_object_new_string(fobj_state_to_string(state));
                error_set(&err, NETD_ECONFLICT, "%s", detail[0] ? detail : "conflict");
                return object_error(&err, NETD_ECONFLICT);
        }
        e = b->ensure(b->ctx, o, &err);
        c = b->check(b->ctx, o, &now, after_detail, sizeof(after_detail), &err2);
        *ret_after = state_json(c, now);
        if (e < 0)
                return object_error(&err, e);
        if (c < 0)
                return object_error(&err2, c);
        if (now != FOBJ_OK) {
                /* Ensure claimed success but the back end does not show it:
                 * say so rather than hide it. */
                error_set(&err2, NETD_EINTERNAL, "%s: still %s after ensure%s%s", label,
                          fobj_state_to_string(now), after_detail[0] ? ": " : "", after_detail);
                return object_error(&err2, NETD_EINTERNAL);
        }
        return NULL;
}

static struct json_object *object_handle(const struct agent_proto_backend *b, enum agent_proto_op op,
                                         const struct fobj *o) {
        struct json_object *res = json_object_new_object(), *error = NULL, *after = NULL;
        char label[160], name[PREFIX_STRLEN], detail[512] = "";
        enum fobj_state state = FOBJ_MISSING;
        struct netd_error err = {0};
        int checked;

        json_object_object_add(res, "kind", json_object_new_string(fobj_kind_to_string(o->kind)));
        json_object_object_add(res, "name", json_object_new_string(object_name(o, name, sizeof(name))));
        json_object_object_add(res, "label", json_object_new_string(fobj_label(o, label, sizeof(label))));

        checked = b->check(b->ctx, o, &state, detail, sizeof(detail), &err);
        if (checked < 0)
                error = object_error(&err, checked);
        else if (op == AGENT_PROTO_APPLY)
                error = object_apply(b, o, label, state, detail, &after);
        else if (op == AGENT_PROTO_REMOVE) {
                int r = b->remove(b->ctx, o, &err);

                if (r < 0)
                        error = object_error(&err, r);
        }
        json_object_object_add(res, "state", state_json(checked, state));
        json_object_object_add(res, "after", after);
        json_object_object_add(res, "detail", json_object_new_string(detail));
        json_object_object_add(res, "error", error);
        return res;
}

/* Read and validate every object of the request into *ret. */
static int objects_parse(const struct agent_proto_backend *b, enum agent_proto_op op,
                         struct json_object *request, struct fobj **ret, size_t *ret_n,
                         struct netd_error *err) {
        struct json_object *objects = NULL;
        _cleanup_free_ struct fobj *objs = NULL;
        const char *name = ops[op].name;
        size_t n;

        if (!json_object_object_get_ex(request, "objects", &objects) ||
            !json_object_is_type(objects, json_type_array))
                return error_set(err, NETD_EINVALID, "malformed request: no \"objects\" array");
        n = json_object_array_length(objects);
        if (n > AGENT_PROTO_MAX_OBJECTS)
                return error_set(err, NETD_EINVALID, "%s: too many objects (%zu, limit %d)", name, n,
                                 AGENT_PROTO_MAX_OBJECTS);
        objs = calloc(n ? n : 1, sizeof(*objs));
        if (!objs)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        for (size_t k = 0; k < n; k++) {
                struct netd_error oerr = {0};

                if (fobj_from_json(json_object_array_get_idx(objects, k), &objs[k], &oerr) < 0)
                        return error_set(err, NETD_EINVALID, "%s: object %zu: %s", name, k, oerr.message);
                if (!b->accepts(objs[k].kind))
                        return error_set(err, NETD_EINVALID, "%s: object %zu: kind %s is not handled here",
                                         name, k, fobj_kind_to_string(objs[k].kind));
        }
        *ret = objs;
        objs = NULL;
        *ret_n = n;
        return 0;
}

struct json_object *agent_proto_objects_handle(const struct agent_proto_backend *b, enum agent_proto_op op,
                                               struct json_object *request) {
        _cleanup_free_ struct fobj *objs = NULL;
        struct json_object *results;
        struct netd_error err = {0};
        size_t n = 0;

        if (!ops[op].objects)
                return agent_proto_reply_error(NETD_EINVALID,
                                               "malformed request: not a check, apply or remove");
        if (objects_parse(b, op, request, &objs, &n, &err) < 0)
                return agent_proto_reply_error(err.code, err.message);
        if (!b->ctx)
                return agent_proto_reply_error(NETD_EUNAVAILABLE, b->unavailable);

        results = json_object_new_array();
        for (size_t k = 0; k < n; k++)
                json_object_array_add(results, object_handle(b, op, &objs[k]));
        return agent_proto_reply_new(op, results);
}
