/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One request of a client, as the handlers see it: answer it exactly once,
 * now or later (once its change is live). Whoever read it (the control
 * socket) gets the formatted reply line through its finish callback; a
 * request whose client went away is answered into the void. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

struct request;

/* Takes `line` (a malloc'd reply line). */
typedef void (*request_finish_fn)(void *owner, struct request *r, char *line);

/* A request for protocol command `command` (a static name); NULL when out
 * of memory. */
struct request *request_new(const char *command, request_finish_fn finish, void *owner);
/* The owner has gone: the answer, when it comes, is dropped. */
void request_detach(struct request *r);
const char *request_command(const struct request *r);

/* Answer and free the request. reply_ok takes `data`. */
void request_reply_ok(struct request *r, struct json_object *data);
void request_reply_error(struct request *r, int code, const char *message);
