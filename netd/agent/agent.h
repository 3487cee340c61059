/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The stateless fabric agent: `netd agent --stdio` on each lab host (started
 * by netd as `CMD netd agent --stdio` through /bin/sh -c), and the same
 * operations in-process for `--connect local`. It answers the agent
 * protocol's ops served by AGENT_PROTO_AGENT (netd/core/agent-proto.h: the
 * ops, the framing, the replies) with the netlink layer as the back end of
 * check/apply/remove. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "netd/core/fobj.h"

struct nl_ctx;

/* Whether the agent applies objects of `kind` (every kind the kernel
 * holds; not a libvirt network). */
bool agent_accepts(enum fobj_kind kind);

/* Serve requests read from in_fd, replies to out_fd, until EOF. Returns 0
 * at EOF, 1 when reading or writing failed (e.g. netd went away). */
int agent_run_stdio(int in_fd, int out_fd);

/* Handle one request in-process; returns a new reply object (never NULL
 * unless out of memory). `ctx` may be NULL when netlink is unavailable:
 * "hello" still answers, kernel operations fail with "unavailable". */
struct json_object *agent_handle(struct nl_ctx *ctx, struct json_object *request);
