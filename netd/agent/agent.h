/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The stateless fabric agent: `netd agent --stdio` on each lab host (started
 * by netd as `CMD netd agent --stdio` through /bin/sh -c), and the same
 * operations in-process for `--connect local`.
 *
 * Framing: one JSON object per line each way; one request, one reply, in
 * order. A line longer than AGENT_MAX_LINE is refused; a malformed line gets
 * an error reply and the agent goes on; EOF on its input ends it (exit 0).
 *
 *   {"op": "hello"}
 *       -> {"result": "ok", "version": "0.1.0", "agent": true}
 *   {"op": "check" | "apply" | "remove", "objects": [fobj, ...]}
 *       -> {"result": "ok", "results": [{"kind", "name", "label", "state",
 *           "after", "detail", "error": null | {"code", "message"}}, ...]}
 *   {"op": "ports", "bridge": "br-lab"}
 *       -> {"result": "ok", "ports": ["vnet0", ...]}
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
 * when nothing does. "name" is the interface, the device (address, fdb) or
 * the destination (route).
 *
 * The op, the object count (<= AGENT_MAX_OBJECTS) and every object
 * (fobj_from_json) are validated before the kernel is touched. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "netd/core/fobj.h"

#define AGENT_MAX_LINE (1024 * 1024)
#define AGENT_MAX_OBJECTS 4096

struct nl_ctx;

/* Serve requests read from in_fd, replies to out_fd, until EOF. Returns 0
 * at EOF, 1 when reading or writing failed (e.g. netd went away). */
int agent_run_stdio(int in_fd, int out_fd);

/* Handle one request in-process; returns a new reply object (never NULL
 * unless out of memory). `ctx` may be NULL when netlink is unavailable:
 * "hello" still answers, kernel operations fail with "unavailable". */
struct json_object *agent_handle(struct nl_ctx *ctx, struct json_object *request);

/* What executes check/apply/remove for a set of kinds: the netlink layer
 * in the agent, libvirt in netd's per-host libvirt worker (netd/virt.c). */
struct agent_backend {
        void *ctx;               /* NULL: the back end is unavailable */
        const char *unavailable; /* the error then */
        bool (*accepts)(enum fobj_kind kind);
        int (*check)(void *ctx, const struct fobj *want, enum fobj_state *ret_state, char *detail,
                     size_t size, struct netd_error *err);
        int (*ensure)(void *ctx, const struct fobj *want, struct netd_error *err);
        int (*remove)(void *ctx, const struct fobj *want, struct netd_error *err);
};

/* Handle a "check", "apply" or "remove" request with back end `b`, with the
 * same validation and reply as above; objects of kinds `b` does not accept
 * are refused before anything is done. */
struct json_object *agent_objects_handle(const struct agent_backend *b, struct json_object *request);

/* {"result": "error", "error": {"code", "message"}}: a new object. */
struct json_object *agent_reply_error(int code, const char *message);

/* Build a request for `op` carrying n objects (op "check", "apply" or
 * "remove"); a new object. */
struct json_object *agent_request_new(const char *op, const struct fobj *objs, size_t n);
