/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON back end: replies printed as they come, two-space indented, one
 * member a line, keys in the daemon's order. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "netd/core/error.h"

/* Print `o` as one JSON document and a newline. A NULL object prints null;
 * numbers made with json_object_new_double_s() keep their exact text. */
void output_json_print(FILE *out, struct json_object *o);

/* The renderer of most views: the reply's data as it is ({} when none). */
int output_json_data(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);

/* What a failure adds on stdout: {"error": {"code": CODE, "message": "..."}}. */
void output_json_error(FILE *out, int code, const char *message);
