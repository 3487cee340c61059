/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent protocol, netd → agent (netd/core/agent-proto.c, fobj.c): one
 * request line read as the agent reads it (json-c, the repeated-key check
 * of the control protocol, nothing but blanks after the document), then
 * answered twice:
 * - by the real agent, agent_handle(NULL, ...): netlink unavailable, so
 *   every request is validated and nothing touches the kernel;
 * - by agent_proto_objects_handle() with an in-memory back end that takes
 *   every kind (the libvirt worker's view of "check"/"apply"/"remove"),
 *   so the per-object paths run: check, ensure, check again, remove.
 * Invariants: a repeated key (json-oracle.c) is refused; every reply is an
 * object with "result" "ok" or "error", errors with a contract code and a
 * message; an ok object reply has one result per object; every object the
 * back end sees is valid (fobj_validate) and survives fobj_to_json() →
 * fobj_from_json() unchanged. */
#include "fuzz.h"
#include "json-oracle.h"
#include "netd/agent/agent.h"
#include "netd/core/agent-proto.h"
#include "netd/core/proto.h"

/* The object last "ensured": the in-memory back end's whole state. */
static const struct fobj *ensured;
static char mem_ctx;

static void check_object(const struct fobj *o) {
        struct netd_error err = {0};
        struct json_object *j = fobj_to_json(o), *j2;
        struct fobj back;
        char label[160];

        FUZZ_ASSERT(fobj_validate(o, &err) == 0, "an invalid object reached the back end: %s", err.message);
        FUZZ_ASSERT(fobj_from_json(j, &back, &err) == 0, "own JSON of an object refused: %s: %s",
                    json_object_to_json_string(j), err.message);
        j2 = fobj_to_json(&back);
        FUZZ_ASSERT(json_object_equal(j, j2), "object changed in a round trip: %s -> %s",
                    json_object_to_json_string(j), json_object_to_json_string(j2));
        FUZZ_ASSERT(fobj_label(o, label, sizeof(label)) == label && memchr(label, '\0', sizeof(label)),
                    "label");
        json_object_put(j);
        json_object_put(j2);
}

static bool mem_accepts(enum fobj_kind kind) {
        return (unsigned)kind < FOBJ_KIND_MAX;
}

static int mem_check(void *ctx, const struct fobj *o, enum fobj_state *ret_state, char *detail, size_t size,
                     struct netd_error *err) {
        (void)ctx;
        check_object(o);
        if (o->name[0] == 'x')
                return error_set(err, NETD_EUNAVAILABLE, "check of %s failed", o->name);
        *ret_state = o == ensured ? FOBJ_OK : (enum fobj_state)(o->mtu % FOBJ_STATE_MAX);
        snprintf(detail, size, "%s", *ret_state == FOBJ_DRIFTED ? "mtu differs" : "");
        return 0;
}

static int mem_ensure(void *ctx, const struct fobj *o, struct netd_error *err) {
        (void)ctx;
        if (o->vni % 2)
                return error_set(err, NETD_EINTERNAL, "ensure of %s failed", o->name);
        if (o->dstport % 2 == 0)
                ensured = o;
        return 0;
}

static int mem_remove(void *ctx, const struct fobj *o, struct netd_error *err) {
        (void)ctx;
        return o->prefixlen % 2 ? error_set(err, NETD_EINTERNAL, "remove of %s failed", o->name) : 0;
}

static void check_reply(struct json_object *reply, struct json_object *request) {
        struct json_object *v, *e, *code, *msg, *objects;
        const char *result;

        FUZZ_ASSERT(json_object_is_type(reply, json_type_object), "the reply is not an object");
        FUZZ_ASSERT(json_object_object_get_ex(reply, "result", &v) &&
                            json_object_is_type(v, json_type_string),
                    "no result: %s", json_object_to_json_string(reply));
        result = json_object_get_string(v);
        if (strcmp(result, "error") == 0) {
                FUZZ_ASSERT(
                        json_object_object_get_ex(reply, "error", &e) &&
                                json_object_object_get_ex(e, "code", &code) &&
                                json_object_object_get_ex(e, "message", &msg) &&
                                strcmp(error_code_name(error_code_from_name(json_object_get_string(code))),
                                       json_object_get_string(code)) == 0 &&
                                json_object_get_string_len(msg) > 0,
                        "malformed error reply: %s", json_object_to_json_string(reply));
                return;
        }
        FUZZ_ASSERT(strcmp(result, "ok") == 0, "result %s", result);
        if (json_object_object_get_ex(reply, "results", &v)) {
                FUZZ_ASSERT(json_object_object_get_ex(request, "objects", &objects),
                            "results without objects");
                FUZZ_ASSERT(json_object_is_type(v, json_type_array) &&
                                    json_object_array_length(v) == json_object_array_length(objects),
                            "not one result per object: %s", json_object_to_json_string(reply));
        }
}

/* The agent's framing (netd/agent/agent.c): a document, its keys checked,
 * then only blanks. NULL when the agent would answer "malformed". */
static struct json_object *line_read(const char *line, size_t len) {
        struct json_tokener *tok = json_tokener_new();
        struct json_object *req;
        struct netd_error err = {0};

        FUZZ_ASSERT(tok, "json_tokener_new");
        req = json_tokener_parse_ex(tok, line, (int)len);
        if (req && proto_json_check_keys(line, (size_t)tok->char_offset, req, &err) < 0) {
                json_object_put(req);
                req = NULL;
        }
        for (size_t i = req ? (size_t)tok->char_offset : len; i < len; i++)
                if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                        json_object_put(req);
                        req = NULL;
                        break;
                }
        json_tokener_free(tok);
        return req;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const struct agent_proto_backend mem = {
                .ctx = &mem_ctx,
                .accepts = mem_accepts,
                .check = mem_check,
                .ensure = mem_ensure,
                .remove = mem_remove,
        };
        struct json_object *req, *reply;
        struct netd_error err = {0};
        enum agent_proto_op op;

        if (size > AGENT_PROTO_MAX_LINE)
                return 0;
        req = line_read((const char *)data, size);
        if (!req)
                return 0;
        FUZZ_ASSERT(json_oracle_keys((const char *)data, size) != JSON_ORACLE_REPEATED,
                    "a repeated key was accepted");

        reply = agent_handle(NULL, req);
        check_reply(reply, req);
        FUZZ_ASSERT(!strchr(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN), '\n'),
                    "the reply is not one line");
        json_object_put(reply);

        if (agent_proto_request_parse(req, AGENT_PROTO_AGENT | AGENT_PROTO_LIBVIRT, &op, &err) == 0) {
                FUZZ_ASSERT(op < AGENT_PROTO_OP_MAX, "op %d", (int)op);
                ensured = NULL;
                reply = agent_proto_objects_handle(&mem, op, req);
                check_reply(reply, req);
                json_object_put(reply);
        } else
                FUZZ_ASSERT(err.code == NETD_EINVALID && err.message[0], "refused without a message");
        json_object_put(req);
        return 0;
}
