/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control protocol between netctl and netd, defined once.
 *
 * Framing: one JSON object per line on a Unix stream socket (json-c never
 * emits a raw newline inside a document). A connection may carry several
 * requests; each gets exactly one reply, in order. A line longer than
 * PROTO_MAX_MESSAGE is refused and the connection closed.
 *
 *   request: {"command": "cluster.allocate", "args": {...}}
 *   reply:   {"data": {...}, "result": "ok"}
 *            {"error": {"code": "invalid", "message": "..."}, "result": "error"}
 *
 * Every reply carries "result". Arguments are checked against the command's
 * field table (names, types, required) before any handler sees them.
 * Counts that may exceed 2^64 (capacity) travel as decimal strings. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "error.h"

#define PROTO_MAX_MESSAGE (64 * 1024)

enum proto_type {
        PROTO_STRING,
        PROTO_INT,
        PROTO_BOOL,
        PROTO_STRING_ARRAY,
};

struct proto_field {
        const char *name;
        enum proto_type type;
        bool required;
};

/* Who may run a command (contract, "Privileges, limits, time"); netd checks
 * it against the peer's credentials (uid, groups) before the handler runs. */
enum proto_access {
        PROTO_ACCESS_NONE,  /* a peer that may run nothing; never a command's
                             * level (a row without one counts as ADMIN) */
        PROTO_ACCESS_NETD,  /* uid 0, groups netd and netd-admin: queries,
                             * allocate, release, node set */
        PROTO_ACCESS_ADMIN, /* uid 0 and group netd-admin: commands that run a
                             * program or change a host's kernel or libvirt */
};

struct proto_command {
        const char *name;                 /* "network.add" */
        const struct proto_field *fields; /* terminated by a NULL name */
        bool mutating;                    /* changes the store */
        enum proto_access access;         /* who may run it */
};

/* NULL-terminated table of every command netd understands. */
extern const struct proto_command proto_commands[];

const struct proto_command *proto_command_find(const char *name);

/* Parse one request line: known command, args an object whose keys and
 * value types match the field table. *ret_args is a new reference (an empty
 * object when args were absent). */
int proto_request_parse(const char *line, size_t len, const struct proto_command **ret_cmd,
                        struct json_object **ret_args, struct netd_error *err);

/* json-c keeps the last of repeated keys ({"command":"ping","command":
 * "cluster.release"} would run the release): check that `doc`, parsed by
 * json-c from exactly text[0..len), lost no key in any of its objects (the
 * count of key separators in the text equals the count of keys parsed).
 * Text json-c takes beyond JSON (comments, single quotes) is refused too,
 * as the count could not be trusted. Linear in len; NETD_EINVALID with
 * "malformed request: ..." otherwise. */
int proto_json_check_keys(const char *text, size_t len, struct json_object *doc, struct netd_error *err);

/* Serialize a request line (with trailing newline); caller frees. Takes
 * ownership of `args` (may be NULL). */
char *proto_request_format(const char *command, struct json_object *args);

/* Serialize replies (with trailing newline); caller frees. The ok form
 * takes ownership of `data` (may be NULL). */
char *proto_reply_format_ok(struct json_object *data);
char *proto_reply_format_error(int code, const char *message);

/* Parse a reply line. On "ok" returns 0 and *ret_data is a new reference
 * (may be NULL); on "error" returns the error's code with err filled. */
int proto_reply_parse(const char *line, size_t len, struct json_object **ret_data, struct netd_error *err);

/* Typed accessors for checked args: NULL / false when absent. */
const char *proto_arg_string(struct json_object *args, const char *name);
bool proto_arg_int(struct json_object *args, const char *name, int64_t *ret);
bool proto_arg_bool(struct json_object *args, const char *name);
/* Strings of an array argument; *ret_n = 0 when absent. Caller frees the
 * array (not the strings, which belong to args). */
const char **proto_arg_strings(struct json_object *args, const char *name, size_t *ret_n);
