/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent protocol, agent → netd: a reply line as netd's stdio
 * transport reads it (netd/fabric/transport-stdio.c: json_tokener_parse of
 * the line), picked apart by agent_proto_reply_payload() for each op, then
 * walked the way netd's consumers walk it (netd/fabric/fabric.c
 * log_results, fabric-status.c, netd/daemon/api-fabric.c on_detach_ports,
 * api-virt.c): they take the payload of "check"/"apply"/"remove" ("results"),
 * "ports" and "domains" as an array and call json_object_array_length() on
 * it, which aborts on anything else. An agent is a process on another
 * host: whatever it sends must not stop netd. Invariants:
 * - the payload is NULL (with the reason in *error) or, for those ops,
 *   an array;
 * - "hello" is answered only by an "ok" reply. */
#include "fuzz.h"
#include "netd/core/agent-proto.h"

#define BAD_REPLY "the agent sent a malformed reply"

/* What fabric.c's log_results() and api-fabric.c read of each result. */
static void walk_results(struct json_object *results) {
        for (size_t i = 0; i < json_object_array_length(results); i++) {
                struct json_object *r = json_object_array_get_idx(results, i), *v, *e;
                char line[1024];

                snprintf(line, sizeof(line), "%s %s %s",
                         json_object_object_get_ex(r, "state", &v) && v ? json_object_get_string(v) : "",
                         json_object_object_get_ex(r, "label", &v) && v ? json_object_get_string(v) : "?",
                         json_object_object_get_ex(r, "detail", &v) && v ? json_object_get_string(v) : "");
                if (json_object_object_get_ex(r, "error", &e) && e &&
                    json_object_object_get_ex(e, "message", &v))
                        snprintf(line, sizeof(line), "%s",
                                 json_object_get_string(v) ? json_object_get_string(v) : "");
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *line = fuzz_string(data, size);
        struct json_object *reply = json_tokener_parse(line);

        for (int op = 0; op < AGENT_PROTO_OP_MAX; op++) {
                const char *key = agent_proto_reply_key((enum agent_proto_op)op), *error = NULL;
                struct json_object *payload =
                        agent_proto_reply_payload(reply, (enum agent_proto_op)op, &error, BAD_REPLY);
                struct json_object *v;

                if (!payload) {
                        FUZZ_ASSERT(error, "op %s: no payload and no reason", agent_proto_op_to_string(op));
                        continue;
                }
                if (!key) {
                        FUZZ_ASSERT(json_object_object_get_ex(reply, "result", &v) &&
                                            strcmp(json_object_get_string(v), "ok") == 0,
                                    "op %s: taken as answered: %s", agent_proto_op_to_string(op), line);
                        continue;
                }
                FUZZ_ASSERT(json_object_is_type(payload, json_type_array),
                            "op %s: the \"%s\" payload is not an array, netd's consumers abort on it: %s",
                            agent_proto_op_to_string(op), key, line);
                walk_results(payload);
        }
        json_object_put(reply);
        free(line);
        return 0;
}
