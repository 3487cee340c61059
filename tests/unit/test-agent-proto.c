/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent protocol, defined once: its op table, building and checking
 * requests, replies, and the check/apply/remove handler both back ends
 * share, here with a fake back end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/agent-proto.h"
#include "netd/core/prefix.h"

static struct json_object *parse(const char *json) {
        struct json_object *j = json_tokener_parse(json);

        assert_non_null(j);
        return j;
}

static const char *text(struct json_object *j) {
        return json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static const char *str(struct json_object *o, const char *a, const char *b) {
        struct json_object *v = o;

        if (a && !json_object_object_get_ex(v, a, &v))
                return NULL;
        if (b && !json_object_object_get_ex(v, b, &v))
                return NULL;
        return v ? json_object_get_string(v) : NULL;
}

static struct fobj bridge(const char *name) {
        struct fobj o = {.kind = FOBJ_BRIDGE};

        strscpy(o.name, sizeof(o.name), name);
        return o;
}

/* ---- the table ---- */

static void test_table(void **state _unused_) {
        static const char *const names[AGENT_PROTO_OP_MAX] = {"hello",  "check", "apply",
                                                              "remove", "ports", "domains"};

        for (unsigned i = 0; i < AGENT_PROTO_OP_MAX; i++) {
                const struct agent_proto_op_info *info = agent_proto_op_info(i);

                assert_string_equal(agent_proto_op_to_string(i), names[i]);
                assert_string_equal(info->name, names[i]);
                assert_int_not_equal(info->servers, 0);
                /* An op with objects carries them under "objects" and
                 * answers "results". */
                assert_int_equal(info->objects, streq(info->arg, "objects"));
                if (info->objects)
                        assert_string_equal(agent_proto_reply_key(i), "results");
                for (unsigned k = 0; k < i; k++)
                        assert_string_not_equal(names[k], info->name);
        }
        assert_null(agent_proto_reply_key(AGENT_PROTO_HELLO));
        assert_string_equal(agent_proto_reply_key(AGENT_PROTO_PORTS), "ports");
        assert_string_equal(agent_proto_reply_key(AGENT_PROTO_DOMAINS), "domains");
        assert_string_equal(agent_proto_op_info(AGENT_PROTO_PORTS)->arg, "bridge");
        /* Who answers what. */
        assert_int_equal(agent_proto_op_info(AGENT_PROTO_HELLO)->servers, AGENT_PROTO_AGENT);
        assert_int_equal(agent_proto_op_info(AGENT_PROTO_PORTS)->servers, AGENT_PROTO_AGENT);
        assert_int_equal(agent_proto_op_info(AGENT_PROTO_DOMAINS)->servers, AGENT_PROTO_LIBVIRT);
        assert_int_equal(agent_proto_op_info(AGENT_PROTO_APPLY)->servers,
                         AGENT_PROTO_AGENT | AGENT_PROTO_LIBVIRT);
}

/* ---- requests ---- */

static void test_request_new(void **state _unused_) {
        struct fobj objs[2] = {bridge("br-a"), bridge("br-b")};
        struct json_object *r;

        r = agent_proto_request_new(AGENT_PROTO_HELLO, NULL);
        assert_string_equal(text(r), "{\"op\":\"hello\"}");
        json_object_put(r);
        /* An argument for an op without one is dropped. */
        r = agent_proto_request_new(AGENT_PROTO_DOMAINS, json_object_new_int(1));
        assert_string_equal(text(r), "{\"op\":\"domains\"}");
        json_object_put(r);
        r = agent_proto_request_new(AGENT_PROTO_PORTS, json_object_new_string("br-lab"));
        assert_string_equal(text(r), "{\"op\":\"ports\",\"bridge\":\"br-lab\"}");
        json_object_put(r);
        r = agent_proto_request_objects(AGENT_PROTO_REMOVE, objs, 2);
        assert_string_equal(text(r),
                            "{\"op\":\"remove\",\"objects\":[{\"kind\":\"bridge\",\"name\":\"br-a\"},"
                            "{\"kind\":\"bridge\",\"name\":\"br-b\"}]}");
        json_object_put(r);
        r = agent_proto_request_objects(AGENT_PROTO_CHECK, NULL, 0);
        assert_string_equal(text(r), "{\"op\":\"check\",\"objects\":[]}");
        json_object_put(r);
}

static void test_request_parse(void **state _unused_) {
        static const struct {
                const char *req;
                unsigned server;
                int op; /* -1: refused with `message` */
                const char *message;
        } cases[] = {
                {"{\"op\":\"hello\"}", AGENT_PROTO_AGENT, AGENT_PROTO_HELLO, NULL},
                {"{\"op\":\"check\",\"objects\":[]}", AGENT_PROTO_AGENT, AGENT_PROTO_CHECK, NULL},
                {"{\"op\":\"apply\",\"objects\":[]}", AGENT_PROTO_LIBVIRT, AGENT_PROTO_APPLY, NULL},
                {"{\"op\":\"remove\"}", AGENT_PROTO_AGENT, AGENT_PROTO_REMOVE, NULL},
                {"{\"op\":\"ports\",\"bridge\":\"br0\"}", AGENT_PROTO_AGENT, AGENT_PROTO_PORTS, NULL},
                {"{\"op\":\"domains\"}", AGENT_PROTO_LIBVIRT, AGENT_PROTO_DOMAINS, NULL},
                {"[]", AGENT_PROTO_AGENT, -1, "malformed request: not a JSON object"},
                {"{}", AGENT_PROTO_AGENT, -1, "malformed request: no \"op\" string"},
                {"{\"op\":1}", AGENT_PROTO_AGENT, -1, "malformed request: no \"op\" string"},
                {"{\"op\":\"reboot\"}", AGENT_PROTO_AGENT, -1, "unknown op \"reboot\""},
                {"{\"op\":\"re\\nboot\"}", AGENT_PROTO_AGENT, -1, "unknown op \"re\\x0aboot\""},
                {"{\"op\":\"hello\\u0000x\"}", AGENT_PROTO_AGENT, -1, "unknown op \"hello\""},
                /* An op of the other side is unknown here. */
                {"{\"op\":\"domains\"}", AGENT_PROTO_AGENT, -1, "unknown op \"domains\""},
                {"{\"op\":\"ports\",\"bridge\":\"br0\"}", AGENT_PROTO_LIBVIRT, -1, "unknown op \"ports\""},
                {"{\"op\":\"check\",\"objects\":[],\"x\":1}", AGENT_PROTO_AGENT, -1,
                 "check: unknown key \"x\""},
                {"{\"op\":\"hello\",\"objects\":[]}", AGENT_PROTO_AGENT, -1,
                 "hello: unknown key \"objects\""},
                {"{\"op\":\"domains\",\"extra\":1}", AGENT_PROTO_LIBVIRT, -1,
                 "domains: unknown key \"extra\""},
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct json_object *req = parse(cases[i].req);
                struct netd_error err = {0};
                enum agent_proto_op op = AGENT_PROTO_OP_MAX;
                int r = agent_proto_request_parse(req, cases[i].server, &op, &err);

                if (cases[i].op >= 0) {
                        assert_int_equal(r, 0);
                        assert_int_equal(op, cases[i].op);
                } else {
                        if (!streq(err.message, cases[i].message))
                                print_error("case %zu: %s\n", i, err.message);
                        assert_int_equal(r, NETD_EINVALID);
                        assert_string_equal(err.message, cases[i].message);
                }
                json_object_put(req);
        }
}

/* ---- replies ---- */

static void test_replies(void **state _unused_) {
        struct json_object *r, *list = json_object_new_array(), *v;
        const char *error;

        json_object_array_add(list, json_object_new_string("vnet0"));
        r = agent_proto_reply_new(AGENT_PROTO_PORTS, list);
        assert_string_equal(text(r), "{\"result\":\"ok\",\"ports\":[\"vnet0\"]}");
        error = NULL;
        v = agent_proto_reply_payload(r, AGENT_PROTO_PORTS, &error, "bad reply");
        assert_ptr_equal(v, list);
        assert_null(error);
        /* The payload of another op is not there. */
        v = agent_proto_reply_payload(r, AGENT_PROTO_DOMAINS, &error, "bad reply");
        assert_null(v);
        assert_string_equal(error, "bad reply");
        json_object_put(r);

        r = agent_proto_reply_new(AGENT_PROTO_HELLO, json_object_new_int(1));
        assert_string_equal(text(r), "{\"result\":\"ok\"}");
        error = NULL;
        assert_ptr_equal(agent_proto_reply_payload(r, AGENT_PROTO_HELLO, &error, NULL), r);
        json_object_put(r);

        r = agent_proto_reply_error(NETD_ECONFLICT, "br0: busy");
        assert_string_equal(
                text(r),
                "{\"result\":\"error\",\"error\":{\"code\":\"conflict\",\"message\":\"br0: busy\"}}");
        /* The reply's own message wins over the transport's. */
        error = "agent exited";
        assert_null(agent_proto_reply_payload(r, AGENT_PROTO_CHECK, &error, "bad reply"));
        assert_string_equal(error, "br0: busy");
        error = NULL;
        assert_null(agent_proto_reply_payload(r, AGENT_PROTO_HELLO, &error, "unexpected"));
        assert_string_equal(error, "br0: busy");
        json_object_put(r);

        /* No reply: the transport's reason, else the fallback. */
        error = "agent exited";
        assert_null(agent_proto_reply_payload(NULL, AGENT_PROTO_CHECK, &error, "bad reply"));
        assert_string_equal(error, "agent exited");
        error = NULL;
        assert_null(agent_proto_reply_payload(NULL, AGENT_PROTO_CHECK, &error, "bad reply"));
        assert_string_equal(error, "bad reply");
}

/* ---- check, apply, remove with a fake back end ---- */

/* The fake's objects are bridges named for how they behave. */
struct fake {
        char ensured[8][16];
        size_t n_ensured;
        char removed[8][16];
        size_t n_removed;
};

static bool fake_ensured(const struct fake *f, const char *name) {
        for (size_t i = 0; i < f->n_ensured; i++)
                if (streq(f->ensured[i], name))
                        return true;
        return false;
}

static bool fake_accepts(enum fobj_kind kind) {
        return kind != FOBJ_LIBVIRT_NETWORK;
}

static int fake_check(void *ctx, const struct fobj *o, enum fobj_state *ret_state, char *detail, size_t size,
                      struct netd_error *err) {
        struct fake *f = ctx;

        if (streq(o->name, "br-broken"))
                return error_set(err, NETD_EUNAVAILABLE, "br-broken: cannot read");
        if (streq(o->name, "br-ok") || (fake_ensured(f, o->name) && !streq(o->name, "br-stuck")))
                *ret_state = FOBJ_OK;
        else if (streq(o->name, "br-foreign")) {
                *ret_state = FOBJ_CONFLICT;
                snprintf(detail, size, "interface br-foreign exists and was not created by netd");
        } else if (streq(o->name, "br-drift") || streq(o->name, "br-stuck")) {
                *ret_state = FOBJ_DRIFTED;
                snprintf(detail, size, "mtu 1400, want 1450");
        } else
                *ret_state = FOBJ_MISSING;
        return 0;
}

static int fake_ensure(void *ctx, const struct fobj *o, struct netd_error *err) {
        struct fake *f = ctx;

        if (streq(o->name, "br-fail"))
                return error_set(err, NETD_EDENIED, "bridge br-fail: cannot create: Operation not permitted");
        strscpy(f->ensured[f->n_ensured++], sizeof(f->ensured[0]), o->name);
        return 0;
}

static int fake_remove(void *ctx, const struct fobj *o, struct netd_error *err) {
        struct fake *f = ctx;

        if (streq(o->name, "br-foreign"))
                return error_set(err, NETD_ECONFLICT,
                                 "interface br-foreign exists and was not created by netd");
        strscpy(f->removed[f->n_removed++], sizeof(f->removed[0]), o->name);
        return 0;
}

static struct json_object *handle(struct fake *f, const char *json) {
        const struct agent_proto_backend b = {
                .ctx = f,
                .unavailable = "fake is away",
                .accepts = fake_accepts,
                .check = fake_check,
                .ensure = fake_ensure,
                .remove = fake_remove,
        };
        struct json_object *req = parse(json), *reply;
        struct netd_error err = {0};
        enum agent_proto_op op;

        assert_int_equal(agent_proto_request_parse(req, AGENT_PROTO_AGENT, &op, &err), 0);
        reply = agent_proto_objects_handle(
                f ? &b
                  : &(struct agent_proto_backend){.unavailable = "fake is away", .accepts = fake_accepts},
                op, req);
        json_object_put(req);
        return reply;
}

static struct json_object *result(struct json_object *reply, size_t i) {
        struct json_object *results;

        assert_string_equal(str(reply, "result", NULL), "ok");
        assert_true(json_object_object_get_ex(reply, "results", &results));
        return json_object_array_get_idx(results, i);
}

#define OBJ(name) "{\"kind\":\"bridge\",\"name\":\"" name "\"}"

static void test_objects_apply(void **state _unused_) {
        struct fake f = {0};
        struct json_object *reply, *r;

        reply = handle(
                &f,
                "{\"op\":\"apply\",\"objects\":[" OBJ("br-ok") "," OBJ("br-new") "," OBJ("br-drift") "," OBJ(
                        "br-foreign") "," OBJ("br-fail") "," OBJ("br-stuck") "," OBJ("br-broken") "]}");
        /* ok: nothing to do. */
        r = result(reply, 0);
        assert_string_equal(text(r),
                            "{\"kind\":\"bridge\",\"name\":\"br-ok\",\"label\":\"br-ok\",\"state\":\"ok\","
                            "\"after\":\"ok\",\"detail\":\"\",\"error\":null}");
        /* missing, drifted: ensured, then read again. */
        r = result(reply, 1);
        assert_string_equal(str(r, "state", NULL), "missing");
        assert_string_equal(str(r, "after", NULL), "ok");
        assert_null(str(r, "error", NULL));
        r = result(reply, 2);
        assert_string_equal(str(r, "state", NULL), "drifted");
        assert_string_equal(str(r, "detail", NULL), "mtu 1400, want 1450");
        assert_string_equal(str(r, "after", NULL), "ok");
        /* A conflict is not touched, and is an error. */
        r = result(reply, 3);
        assert_string_equal(str(r, "after", NULL), "conflict");
        assert_string_equal(str(r, "error", "code"), "conflict");
        assert_string_equal(str(r, "error", "message"),
                            "interface br-foreign exists and was not created by netd");
        /* ensure's own error. */
        r = result(reply, 4);
        assert_string_equal(str(r, "after", NULL), "missing");
        assert_string_equal(str(r, "error", "code"), "denied");
        assert_string_equal(str(r, "error", "message"),
                            "bridge br-fail: cannot create: Operation not permitted");
        /* Ensure said yes, the back end still disagrees. */
        r = result(reply, 5);
        assert_string_equal(str(r, "after", NULL), "drifted");
        assert_string_equal(str(r, "error", "code"), "internal");
        assert_string_equal(str(r, "error", "message"),
                            "br-stuck: still drifted after ensure: mtu 1400, want 1450");
        /* A check that fails: no state, and nothing else tried. */
        r = result(reply, 6);
        assert_null(str(r, "state", NULL));
        assert_null(str(r, "after", NULL));
        assert_string_equal(str(r, "error", "code"), "unavailable");
        assert_string_equal(str(r, "error", "message"), "br-broken: cannot read");
        json_object_put(reply);
        assert_int_equal(f.n_ensured, 3); /* br-new, br-drift, br-stuck */
        assert_int_equal(f.n_removed, 0);
}

static void test_objects_check_remove(void **state _unused_) {
        struct fake f = {0};
        struct json_object *reply, *r;

        reply = handle(&f, "{\"op\":\"check\",\"objects\":[" OBJ("br-new") "," OBJ("br-drift") "]}");
        r = result(reply, 0);
        assert_string_equal(str(r, "state", NULL), "missing");
        assert_null(str(r, "after", NULL));
        r = result(reply, 1);
        assert_string_equal(str(r, "state", NULL), "drifted");
        assert_string_equal(str(r, "detail", NULL), "mtu 1400, want 1450");
        json_object_put(reply);
        assert_int_equal(f.n_ensured, 0);

        reply = handle(&f, "{\"op\":\"remove\",\"objects\":[" OBJ("br-foreign") "," OBJ("br-old") "]}");
        r = result(reply, 0);
        assert_string_equal(str(r, "state", NULL), "conflict");
        assert_null(str(r, "after", NULL));
        assert_string_equal(str(r, "error", "code"), "conflict");
        r = result(reply, 1);
        assert_string_equal(str(r, "state", NULL), "missing");
        assert_null(str(r, "error", NULL));
        json_object_put(reply);
        assert_int_equal(f.n_removed, 1);
        assert_string_equal(f.removed[0], "br-old");
}

/* "name" is what the object is known by on the host. */
static void test_objects_names(void **state _unused_) {
        struct fake f = {0};
        struct json_object *reply;

        reply = handle(&f,
                       "{\"op\":\"check\",\"objects\":["
                       "{\"kind\":\"address\",\"dev\":\"br-a\",\"address\":\"192.0.2.1\",\"prefixlen\":24},"
                       "{\"kind\":\"route\",\"dst\":\"198.51.100.0/24\",\"gateway\":\"192.0.2.254\"},"
                       "{\"kind\":\"fdb\",\"dev\":\"vx-a\",\"remote\":\"198.51.100.2\"},"
                       "{\"kind\":\"veth\",\"name\":\"ve-a\",\"peer\":\"ve-b\"}]}");
        if (!streq(str(reply, "result", NULL), "ok"))
                print_error("%s\n", text(reply));
        assert_string_equal(str(result(reply, 0), "name", NULL), "br-a");
        assert_string_equal(str(result(reply, 1), "name", NULL), "198.51.100.0/24");
        assert_string_equal(str(result(reply, 2), "name", NULL), "vx-a");
        assert_string_equal(str(result(reply, 3), "name", NULL), "ve-a");
        assert_string_equal(str(result(reply, 2), "kind", NULL), "fdb");
        json_object_put(reply);
}

/* The whole request is refused, before anything is touched. */
static void test_objects_refused(void **state _unused_) {
        static const struct {
                const char *req, *code, *message;
        } cases[] = {
                {"{\"op\":\"check\"}", "invalid", "malformed request: no \"objects\" array"},
                {"{\"op\":\"apply\",\"objects\":{}}", "invalid", "malformed request: no \"objects\" array"},
                {"{\"op\":\"apply\",\"objects\":[" OBJ(
                         "br-new") ",{\"kind\":\"bridge\",\"name\":\"bad\\nname\"}]}",
                 "invalid", "apply: object 1: bridge name \"bad\\x0aname\""},
                {"{\"op\":\"apply\",\"objects\":[" OBJ(
                         "br-new") ",{\"kind\":\"libvirt-network\",\"network\":\"lab\","
                                   "\"master\":\"br-lab\"}]}",
                 "invalid", "apply: object 1: kind libvirt-network is not handled here"},
                {"{\"op\":\"hello\"}", "invalid", "malformed request: not a check, apply or remove"},
        };
        struct fake f = {0};

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct json_object *reply = handle(&f, cases[i].req);

                if (!str(reply, "error", "message") ||
                    !strstr(str(reply, "error", "message"), cases[i].message))
                        print_error("case %zu: %s\n", i, text(reply));
                assert_string_equal(str(reply, "result", NULL), "error");
                assert_string_equal(str(reply, "error", "code"), cases[i].code);
                assert_non_null(strstr(str(reply, "error", "message"), cases[i].message));
                json_object_put(reply);
        }
        assert_int_equal(f.n_ensured, 0);

        /* Too many objects. */
        {
                struct json_object *req = json_object_new_object(), *list = json_object_new_array(), *reply;
                const struct agent_proto_backend b = {.ctx = &f, .accepts = fake_accepts};

                for (int i = 0; i <= AGENT_PROTO_MAX_OBJECTS; i++)
                        json_object_array_add(list, json_object_new_object());
                json_object_object_add(req, "op", json_object_new_string("check"));
                json_object_object_add(req, "objects", list);
                reply = agent_proto_objects_handle(&b, AGENT_PROTO_CHECK, req);
                assert_string_equal(str(reply, "error", "message"),
                                    "check: too many objects (4097, limit 4096)");
                json_object_put(reply);
                json_object_put(req);
        }

        /* A back end that is not there: valid objects, then "unavailable". */
        {
                struct json_object *reply =
                        handle(NULL, "{\"op\":\"check\",\"objects\":[" OBJ("br-new") "]}");

                assert_string_equal(str(reply, "error", "code"), "unavailable");
                assert_string_equal(str(reply, "error", "message"), "fake is away");
                json_object_put(reply);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),         cmocka_unit_test(test_request_new),
                cmocka_unit_test(test_request_parse), cmocka_unit_test(test_replies),
                cmocka_unit_test(test_objects_apply), cmocka_unit_test(test_objects_check_remove),
                cmocka_unit_test(test_objects_names), cmocka_unit_test(test_objects_refused),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
