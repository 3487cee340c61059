/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's side of the control protocol: connect to netd's socket, send
 * one request, read its reply. */
#pragma once

#include <json-c/json.h>

#include "netd/core/error.h"

#define NETD_DEFAULT_SOCKET "/run/netd/netd.sock"

/* Send `command` with `args` (ownership taken, may be NULL) to the daemon
 * at `socket_path` and wait at most `timeout` seconds (> 0) for the whole
 * exchange. Returns 0 with *ret_data (new reference, may be NULL),
 * NETD_EUNAVAILABLE when the daemon cannot be reached or has not answered
 * in time ("no answer from netd within N s"), NETD_EDENIED when the socket
 * refuses us, or the daemon's error code, with err filled. */
int client_call(const char *socket_path, unsigned timeout, const char *command, struct json_object *args,
                struct json_object **ret_data, struct netd_error *err);
