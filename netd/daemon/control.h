/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket: a Unix stream socket (mode 0660, group netd) speaking
 * the protocol of netd/core/proto.h. It only frames: it reads bounded
 * lines, checks the peer (SO_PEERCRED: uid 0 or members of group `netd`;
 * everyone else gets `denied`), parses each line against the protocol's
 * field table and hands the parsed request to the dispatch callback; it
 * never knows the handlers. Requests of one connection are answered in
 * order; a request may be answered later (after dnsmasq serves its change)
 * without blocking other connections. */
#pragma once

#include <event2/event.h>
#include <json-c/json.h>

#include "netd/core/error.h"
#include "netd/core/proto.h"
#include "request.h"

struct control;

/* One parsed request: `args` is borrowed (checked against `cmd`'s field
 * table); `r` must be answered exactly once (request.h). */
typedef void (*control_dispatch_fn)(struct request *r, const struct proto_command *cmd,
                                    struct json_object *args, void *userdata);

/* Bind and listen on `path`. */
int control_new(struct event_base *base, const char *path, control_dispatch_fn dispatch, void *userdata,
                struct control **ret, struct netd_error *err);
/* Close every connection and remove the socket file. */
void control_free(struct control *c);

/* Hold every reply from now on (a write batch is open: no answer may leave
 * before the changes it reports are durable) ... */
void control_hold(struct control *c);
/* ... and send them now that the batch has committed. */
void control_release_held(struct control *c);
/* ... or, when its COMMIT failed, send this error instead of every held
 * success (and internal or unavailable error); other errors as they were. */
void control_fail_held(struct control *c, int code, const char *message);
