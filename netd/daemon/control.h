/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket: a Unix stream socket (mode 0660, group netd) speaking
 * the protocol of proto.h. Peers are checked with SO_PEERCRED: uid 0 or
 * members of group `netd` may call, everyone else gets `denied`. Requests
 * of one connection are answered in order; a request may be answered later
 * (after dnsmasq serves its change) without blocking other connections. */
#pragma once

#include <json-c/json.h>

#include "daemon.h"

struct request;

/* Bind and listen on cfg->socket_path. */
int control_new(struct daemon *d, struct control **ret, struct netd_error *err);
/* Close every connection and remove the socket file. */
void control_free(struct control *c);

/* Send the replies held back while a write batch was open (it has now
 * committed). */
void control_release_held(struct control *c);

/* Answer a request (exactly once); it is freed here. Takes `data`. If the
 * client has gone, the answer is dropped. */
void request_reply_ok(struct request *r, struct json_object *data);
void request_reply_error(struct request *r, int code, const char *message);
