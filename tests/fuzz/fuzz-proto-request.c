/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control protocol's request parser (netd/core/proto.c) on one line
 * as netd's control socket hands it over. Invariants:
 * - a text that repeats a key in any object (json-oracle.c, a reader of
 *   its own) is refused, and a strict text without one is not refused
 *   for a repeated key;
 * - an accepted request names a command of the table, and its args hold
 *   only that command's fields, the required ones all there, each read
 *   back by the typed accessors handlers use (proto_arg_*), strings
 *   without NUL;
 * - formatting an accepted request and parsing it again gives the same
 *   command and the same args. */
#include "fuzz.h"
#include "json-oracle.h"
#include "netd/core/proto.h"

/* proto_json_check_keys()'s refusal */
#define REPEATED "malformed request: a key is repeated"

/* What the handlers read through the typed accessors is what the field
 * table promises: every present field of its type, strings without NUL. */
static void check_field(const struct proto_command *cmd, struct json_object *args,
                        const struct proto_field *f) {
        struct json_object *v;
        const char **l;
        const char *s;
        int64_t i;
        size_t n;

        if (!json_object_object_get_ex(args, f->name, &v)) {
                FUZZ_ASSERT(!f->required, "%s: required argument %s missing", cmd->name, f->name);
                return;
        }
        switch (f->type) {
        case PROTO_STRING:
                s = proto_arg_string(args, f->name);
                FUZZ_ASSERT(s && strlen(s) == (size_t)json_object_get_string_len(v), "%s: %s", cmd->name,
                            f->name);
                break;
        case PROTO_INT:
                FUZZ_ASSERT(proto_arg_int(args, f->name, &i), "%s: %s is not an integer", cmd->name, f->name);
                break;
        case PROTO_BOOL:
                FUZZ_ASSERT(json_object_is_type(v, json_type_boolean), "%s: %s", cmd->name, f->name);
                break;
        case PROTO_STRING_ARRAY:
                l = proto_arg_strings(args, f->name, &n);
                FUZZ_ASSERT(n == json_object_array_length(v) && (l || n == 0), "%s: %s", cmd->name, f->name);
                for (size_t k = 0; k < n; k++)
                        FUZZ_ASSERT(l[k] && strlen(l[k]) == (size_t)json_object_get_string_len(
                                                                    json_object_array_get_idx(v, k)),
                                    "%s: %s[%zu]", cmd->name, f->name, k);
                free(l);
                break;
        }
}

static void check_accepted(const struct proto_command *cmd, struct json_object *args) {
        size_t known = 0;

        FUZZ_ASSERT(cmd && proto_command_find(cmd->name) == cmd, "command not in the table");
        FUZZ_ASSERT(json_object_is_type(args, json_type_object), "args is not an object");
        for (const struct proto_field *f = cmd->fields; f->name; f++) {
                check_field(cmd, args, f);
                known += json_object_object_get_ex(args, f->name, NULL);
        }
        FUZZ_ASSERT(known == (size_t)json_object_object_length(args), "%s: an unknown argument accepted",
                    cmd->name);
}

static void check_round_trip(const struct proto_command *cmd, struct json_object *args) {
        const struct proto_command *cmd2 = NULL;
        struct json_object *args2 = NULL;
        struct netd_error err = {0};
        char *line = proto_request_format(cmd->name, json_object_get(args));
        size_t n;
        int r;

        FUZZ_ASSERT(line, "formatting failed");
        n = strlen(line);
        FUZZ_ASSERT(n > 0 && line[n - 1] == '\n' && !memchr(line, '\n', n - 1), "not one line: %s", line);
        r = proto_request_parse(line, n - 1, &cmd2, &args2, &err);
        FUZZ_ASSERT(r == 0, "own request refused: %s: %s", line, err.message);
        FUZZ_ASSERT(cmd2 == cmd, "another command after the round trip: %s", line);
        FUZZ_ASSERT(json_object_equal(args, args2), "other args after the round trip: %s", line);
        json_object_put(args2);
        free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const struct proto_command *cmd = NULL;
        struct json_object *args = NULL;
        struct netd_error err = {0};
        enum json_oracle keys;
        int r;

        if (size > PROTO_MAX_MESSAGE + 1)
                return 0;
        r = proto_request_parse((const char *)data, size, &cmd, &args, &err);
        keys = json_oracle_keys((const char *)data, size);
        FUZZ_ASSERT(keys != JSON_ORACLE_REPEATED || r < 0, "a repeated key was accepted");
        FUZZ_ASSERT(keys != JSON_ORACLE_UNIQUE || r == 0 || strcmp(err.message, REPEATED) != 0,
                    "no key is repeated, yet: %s", err.message);
        if (r < 0) {
                FUZZ_ASSERT(err.code == r && err.message[0], "refused without a message");
                return 0;
        }
        check_accepted(cmd, args);
        check_round_trip(cmd, args);
        json_object_put(args);
        return 0;
}
