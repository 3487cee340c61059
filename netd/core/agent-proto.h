/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent protocol, defined once: what netd says to a host's agent
 * (`netd agent --stdio`, or in-process for `--connect local`) and to a
 * host's libvirt worker (netd/virt), and what they answer.
 *
 * Framing: one JSON object per line each way; one request, one reply, in
 * order. A line longer than AGENT_PROTO_MAX_LINE is refused; a malformed
 * line gets an error reply and the agent goes on; EOF on its input ends it.
 *
 *   {"op": "hello"}                                          agent
 *       -> {"result": "ok", "version": "0.1.0", "agent": true}
 *   {"op": "check" | "apply" | "remove", "objects": [fobj, ...]}
 *                                                            agent, libvirt
 *       -> {"result": "ok", "results": [{"kind", "name", "label", "state",
 *           "after", "detail", "error": null | {"code", "message"}}, ...]}
 *   {"op": "ports", "bridge": "br-lab"}                      agent
 *       -> {"result": "ok", "ports": ["vnet0", ...]}
 *   {"op": "domains"}                                        libvirt
 *       -> {"result": "ok", "domains": [vm_to_json...]}
 *   any failure of the request as a whole
 *       -> {"result": "error", "error": {"code", "message"}}
 *
 * "check" only reads: "state" is the object's state, "after" null. "apply"
 * applies the objects in the given order (the kinds' dependency order is
 * the caller's business): "state" before, ensure unless ok or conflict,
 * then "after" from a fresh check; "error" when ensure failed, for a
 * conflict, or when the object is still not ok afterwards. "remove":
 * "state" before, then remove; "after" null. One object's failure never
 * stops the others. "detail" says how "state" differs from the wanted one
 * ("mtu 1400, want 1450"; for a conflict, which interface is foreign), ""
 * when nothing does. "name" is the interface, the device (address, fdb),
 * the destination (route) or the libvirt network.
 *
 * The op, its keys, the object count (<= AGENT_PROTO_MAX_OBJECTS) and every
 * object (fobj_from_json) are validated before anything is touched. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "fobj.h"

#define AGENT_PROTO_MAX_LINE (1024 * 1024)
#define AGENT_PROTO_MAX_OBJECTS 4096

enum agent_proto_op {
        AGENT_PROTO_HELLO,
        AGENT_PROTO_CHECK,
        AGENT_PROTO_APPLY,
        AGENT_PROTO_REMOVE,
        AGENT_PROTO_PORTS,
        AGENT_PROTO_DOMAINS,
        AGENT_PROTO_OP_MAX,
};

/* Who answers an op (a bit set). */
enum agent_proto_server {
        AGENT_PROTO_AGENT = 1 << 0,   /* the agent: netd/agent, over stdio or in-process */
        AGENT_PROTO_LIBVIRT = 1 << 1, /* a host's libvirt worker: netd/virt */
};

struct agent_proto_op_info {
        const char *name;      /* the "op" on the wire */
        unsigned servers;      /* AGENT_PROTO_AGENT | AGENT_PROTO_LIBVIRT */
        const char *arg;       /* the one key allowed besides "op"; NULL: none */
        bool objects;          /* arg is the "objects" array of fabric objects */
        const char *reply_key; /* what an "ok" reply carries; NULL: nothing to pick */
};

/* The table's row of `op` (op < AGENT_PROTO_OP_MAX). */
const struct agent_proto_op_info *agent_proto_op_info(enum agent_proto_op op);
/* The wire name of `op` ("check"). */
const char *agent_proto_op_to_string(enum agent_proto_op op);
/* The key of what an "ok" answer to `op` carries ("results", "ports",
 * "domains"); NULL for "hello". */
const char *agent_proto_reply_key(enum agent_proto_op op);

/* A new request {"op": name} with `arg` (ownership taken; NULL for ops
 * without one) under the op's argument key. */
struct json_object *agent_proto_request_new(enum agent_proto_op op, struct json_object *arg);
/* A new "check", "apply" or "remove" request carrying objs[0..n). */
struct json_object *agent_proto_request_objects(enum agent_proto_op op, const struct fobj *objs, size_t n);

/* Check a request's shape: a JSON object with an "op" string naming an op
 * that `server` answers, and no key but "op" and the op's argument.
 * NETD_EINVALID with the reply's message otherwise. */
int agent_proto_request_parse(struct json_object *request, unsigned server, enum agent_proto_op *ret,
                              struct netd_error *err);

/* {"result": "ok"} with `payload` (ownership taken) under the op's reply
 * key (NULL, and an op without one: nothing more): a new object. */
struct json_object *agent_proto_reply_new(enum agent_proto_op op, struct json_object *payload);
/* {"result": "error", "error": {"code", "message"}}: a new object. */
struct json_object *agent_proto_reply_error(int code, const char *message);
/* What an answer to `op` carries under the op's reply key (borrowed), or
 * NULL with *error set: the reply's own error message, else `error` as
 * given (why no reply came) or `fallback`. */
struct json_object *agent_proto_reply_payload(struct json_object *reply, enum agent_proto_op op,
                                              const char **error, const char *fallback);

/* What executes check/apply/remove for a set of kinds: the netlink layer
 * in the agent, libvirt in a host's libvirt worker. */
struct agent_proto_backend {
        void *ctx;               /* NULL: the back end is unavailable */
        const char *unavailable; /* the error then */
        bool (*accepts)(enum fobj_kind kind);
        int (*check)(void *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                     size_t size, struct netd_error *err);
        int (*ensure)(void *ctx, const struct fobj *want, struct netd_error *err);
        int (*remove)(void *ctx, const struct fobj *want, struct netd_error *err);
};

/* Answer a parsed "check", "apply" or "remove" request (see above) with
 * back end `b`: every object is validated first; objects of kinds `b`
 * does not accept are refused before anything is done. A new reply. */
struct json_object *agent_proto_objects_handle(const struct agent_proto_backend *b, enum agent_proto_op op,
                                               struct json_object *request);
