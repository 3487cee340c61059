/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading netd's replies for the views: members as text, lists, objects
 * and exact counts, each NULL when absent or of another type, so a view
 * checks the shape it needs and reports a malformed reply once. */
#pragma once

#include <json-c/json.h>

#include "netd/core/error.h"
#include "netd/core/u128.h"

/* Member `key` of `o` as text: strings as they are, numbers in decimal;
 * NULL when absent or null. */
const char *reply_text(struct json_object *o, const char *key);

/* Member `key` of `o` when it is an array (an object), else NULL. */
struct json_object *reply_array(struct json_object *o, const char *key);
struct json_object *reply_object(struct json_object *o, const char *key);

/* A count of the capacity report: a decimal string (it may exceed 2^64)
 * or a plain JSON integer; its text, with the value in *ret when ret is
 * not NULL. NULL when it is neither. */
const char *reply_count(struct json_object *o, const char *key, u128 *ret);

/* A name for a message: from the reply, else as it was asked for, else "-". */
const char *reply_or_arg(struct json_object *data, struct json_object *args, const char *key);

/* Fill err with "malformed reply from netd: WHAT"; returns NETD_EINTERNAL. */
int reply_malformed(struct netd_error *err, const char *what);
