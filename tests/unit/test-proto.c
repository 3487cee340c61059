/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control protocol: request checking against the field table, and
 * reply round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netd/core/proto.h"

static int parse(const char *line, const struct proto_command **cmd, struct json_object **args,
                 struct netd_error *err) {
        *err = (struct netd_error){0};
        return proto_request_parse(line, strlen(line), cmd, args, err);
}

static void test_valid_request(void **state) {
        const struct proto_command *cmd;
        struct json_object *args;
        struct netd_error err;
        const char **macs;
        size_t n;
        int64_t masters;

        (void)state;
        assert_int_equal(parse("{\"command\":\"cluster.allocate\",\"args\":{\"name\":\"sno\",\"masters\":3,"
                               "\"mac\":[\"master-0=52:54:00:00:00:01\"]}}",
                               &cmd, &args, &err),
                         0);
        assert_string_equal(cmd->name, "cluster.allocate");
        assert_string_equal(proto_arg_string(args, "name"), "sno");
        assert_null(proto_arg_string(args, "network"));
        assert_true(proto_arg_int(args, "masters", &masters));
        assert_int_equal(masters, 3);
        assert_false(proto_arg_int(args, "workers", &masters));
        macs = proto_arg_strings(args, "mac", &n);
        assert_int_equal(n, 1);
        assert_string_equal(macs[0], "master-0=52:54:00:00:00:01");
        free(macs);
        json_object_put(args);
}

static void test_args_optional_when_none_required(void **state) {
        const struct proto_command *cmd;
        struct json_object *args;
        struct netd_error err;

        (void)state;
        assert_int_equal(parse("{\"command\":\"network.list\"}", &cmd, &args, &err), 0);
        assert_int_equal(json_object_object_length(args), 0);
        json_object_put(args);
}

static void test_rejections(void **state) {
        static const struct {
                const char *line, *message_part;
        } cases[] = {
                {"", "not a JSON object"},
                {"garbage\x01\x02", "not a JSON object"},
                {"[1,2]", "not a JSON object"},
                {"{\"command\":1}", "no \"command\""},
                {"{\"command\":\"reboot\"}", "unknown command"},
                {"{\"command\":\"network.show\"}", "missing argument \"name\""},
                {"{\"command\":\"network.show\",\"args\":{\"name\":5}}", "wrong type"},
                {"{\"command\":\"network.show\",\"args\":{\"name\":\"a\",\"x\":1}}", "unknown argument"},
                {"{\"command\":\"network.show\",\"args\":[]}", "must be an object"},
                {"{\"command\":\"network.add\",\"args\":{\"name\":\"a\",\"cidr\":\"x\",\"reserve\":[1]}}",
                 "wrong type"},
                {"{\"command\":\"network.list\"} trailing", "not a JSON object"},
                {"{\"command\":\"network.show\",\"args\":{\"name\":\"a\\u0000b\"}}", "wrong type"},
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct proto_command *cmd = NULL;
                struct json_object *args = NULL;
                struct netd_error err;

                assert_int_equal(parse(cases[i].line, &cmd, &args, &err), NETD_EINVALID);
                assert_int_equal(err.code, NETD_EINVALID);
                if (!strstr(err.message, cases[i].message_part))
                        fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message,
                                 cases[i].message_part);
                assert_null(args);
        }
}

/* json-c keeps the last of repeated keys: the parser must refuse them at
 * every level, whatever their spelling, and only them. */
static void test_repeated_keys(void **state) {
        static const char *const refused[] = {
                "{\"command\":\"ping\",\"command\":\"cluster.release\",\"args\":{\"name\":\"sno\"}}",
                "{\"command\":\"cluster.release\",\"args\":{\"name\":\"a\",\"name\":\"b\"}}",
                "{\"command\":\"cluster.release\",\"args\":{\"name\":\"a\"},\"args\":{\"name\":\"b\"}}",
                /* Escapes decode to the same key. */
                "{\"comm\\u0061nd\":\"cluster.release\",\"command\":\"ping\",\"args\":{\"name\":\"a\"}}",
                "{\"command\":\"ping\",\"comm\\u0061nd\":\"cluster.release\",\"args\":{\"name\":\"a\"}}",
                "{\"command\":\"network.show\",\"args\":{\"n\\u0061me\":\"a\",\"name\":\"b\"}}",
                /* An embedded NUL cuts a key short: the same key to json-c. */
                "{\"command\\u0000x\":\"cluster.release\",\"command\":\"ping\",\"args\":{\"name\":\"a\"}}",
                /* Deeper objects too (inside an unknown top-level key and an array). */
                "{\"command\":\"ping\",\"x\":{\"a\":1,\"a\":2}}",
                "{\"command\":\"ping\",\"x\":[{\"a\":1},{\"b\":1,\"b\":1}]}",
                /* The second value an object whose own keys would make up the count. */
                "{\"command\":\"ping\",\"x\":1,\"x\":{\"y\":1}}",
        };
        static const char *const not_plain[] = {
                "{\"command\":\"ping\" /* \"command\":\"cluster.release\" */}",
                "{'command':'ping'}",
                "{\"command\":\"ping\"}//",
        };
        const struct proto_command *cmd;
        struct json_object *args = NULL;
        struct netd_error err;

        (void)state;
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                if (parse(refused[i], &cmd, &args, &err) != NETD_EINVALID ||
                    !strstr(err.message, "malformed request: a key is repeated"))
                        fail_msg("case %zu: not refused as a repeated key: \"%s\"", i, err.message);
                assert_null(args);
        }
        for (size_t i = 0; i < sizeof(not_plain) / sizeof(not_plain[0]); i++) {
                assert_int_equal(parse(not_plain[i], &cmd, &args, &err), NETD_EINVALID);
                assert_null(args);
        }

        /* Keys that only look alike are different keys. */
        assert_int_equal(parse("{\"command\":\"network.show\",\"args\":{\"name\":\"a\",\"Name\":\"b\"}}",
                               &cmd, &args, &err),
                         NETD_EINVALID);
        assert_non_null(strstr(err.message, "unknown argument \"Name\""));
        assert_int_equal(parse("{\"command\":\"ping\",\"Command\":\"cluster.release\",\"command \":1}", &cmd,
                               &args, &err),
                         0);
        assert_string_equal(cmd->name, "ping");
        json_object_put(args);
        /* Colons, quotes and braces inside strings are not structure. */
        assert_int_equal(parse("{\"command\":\"network.show\",\"args\":{\"name\":\"a:\\\"b\\\\\\\":{'/\"}}",
                               &cmd, &args, &err),
                         0);
        assert_string_equal(proto_arg_string(args, "name"), "a:\"b\\\":{'/");
        json_object_put(args);
        assert_int_equal(parse("{\"command\":\"network.list\",\"args\":{}}", &cmd, &args, &err), 0);
        json_object_put(args);

        /* The shared check on its own. */
        {
                const char *t = "{\"a\":{\"b\":1},\"c\":[{\"d\":2}]}";
                struct json_object *doc = json_tokener_parse(t);

                err = (struct netd_error){0};
                assert_int_equal(proto_json_check_keys(t, strlen(t), doc, &err), 0);
                json_object_put(doc);
                t = "{\"a\":{\"b\":1,\"b\":2}}";
                doc = json_tokener_parse(t);
                assert_int_equal(proto_json_check_keys(t, strlen(t), doc, &err), NETD_EINVALID);
                json_object_put(doc);
        }
}

static void test_too_large(void **state) {
        size_t n = PROTO_MAX_MESSAGE + 10;
        char *big = malloc(n + 1);
        const struct proto_command *cmd;
        struct json_object *args = NULL;
        struct netd_error err = {0};

        (void)state;
        memset(big, ' ', n);
        big[n] = '\0';
        assert_int_equal(proto_request_parse(big, n, &cmd, &args, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "too large"));
        free(big);
}

static void test_every_command_has_fields(void **state) {
        (void)state;
        for (const struct proto_command *c = proto_commands; c->name; c++) {
                assert_non_null(c->fields);
                assert_ptr_equal(proto_command_find(c->name), c);
        }
        assert_null(proto_command_find("nope"));
}

static void test_reply_round_trip(void **state) {
        struct json_object *data = json_object_new_object(), *got = NULL;
        struct netd_error err = {0};
        char *line;

        (void)state;
        json_object_object_add(data, "name", json_object_new_string("line\nbreak"));
        line = proto_reply_format_ok(data);
        /* One line on the wire even when a value holds a newline. */
        assert_non_null(strchr(line, '\n'));
        assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
        assert_int_equal(proto_reply_parse(line, strlen(line), &got, &err), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(got, "name")), "line\nbreak");
        json_object_put(got);
        free(line);

        line = proto_reply_format_error(NETD_EEXHAUSTED, "network lab: 0 free addresses, 1 needed");
        assert_int_equal(proto_reply_parse(line, strlen(line), &got, &err), NETD_EEXHAUSTED);
        assert_string_equal(err.message, "network lab: 0 free addresses, 1 needed");
        free(line);

        err = (struct netd_error){0};
        assert_int_equal(proto_reply_parse("{}", 2, &got, &err), NETD_EINTERNAL);
}

static void test_request_format(void **state) {
        char *line = proto_request_format("network.list", NULL);
        const struct proto_command *cmd;
        struct json_object *args;
        struct netd_error err;

        (void)state;
        assert_int_equal(parse(line, &cmd, &args, &err), 0);
        assert_string_equal(cmd->name, "network.list");
        json_object_put(args);
        free(line);
}

static void test_error_names(void **state) {
        (void)state;
        for (int code = NETD_EINTERNAL; code <= NETD_EINVALID; code++)
                assert_int_equal(error_code_from_name(error_code_name(code)), code);
        assert_string_equal(error_code_name(NETD_ENOTFOUND), "not-found");
        assert_int_equal(error_code_from_name("bogus"), NETD_EINTERNAL);
}

/* Contract, "Privileges, limits, time": who may run what, one level per
 * command in the one table. */
static void test_every_command_has_a_level(void **state) {
        /* Commands that run a program or change a host's kernel or libvirt. */
        static const char *const admin[] = {
                "host.add",       "host.set",       "host.remove",    "network.add", "network.set",
                "network.remove", "network.attach", "network.detach", "link.add",    "link.remove",
                "route.add",      "route.remove",   "fabric.sync",
        };

        (void)state;
        for (const struct proto_command *c = proto_commands; c->name; c++) {
                bool is_admin = false;

                if (c->access != PROTO_ACCESS_NETD && c->access != PROTO_ACCESS_ADMIN)
                        fail_msg("command %s has no privilege level", c->name);
                for (size_t i = 0; i < ARRAY_SIZE(admin); i++)
                        is_admin |= streq(admin[i], c->name);
                /* Families the contract names as a whole. */
                is_admin |= strncmp(c->name, "link.", 5) == 0 || strncmp(c->name, "route.", 6) == 0 ||
                            (strncmp(c->name, "host.", 5) == 0 && !streq(c->name, "host.list") &&
                             !streq(c->name, "host.show"));
                if (is_admin && c->access != PROTO_ACCESS_ADMIN)
                        fail_msg("command %s must need root or group netd-admin", c->name);
                if (!is_admin && c->access != PROTO_ACCESS_NETD)
                        fail_msg(
                                "command %s is a query, allocate, release or node set: group netd may run it",
                                c->name);
        }
        /* A few by name, so that a renamed command cannot slip through. */
        assert_int_equal(proto_command_find("cluster.allocate")->access, PROTO_ACCESS_NETD);
        assert_int_equal(proto_command_find("node.set")->access, PROTO_ACCESS_NETD);
        assert_int_equal(proto_command_find("export.inventory")->access, PROTO_ACCESS_NETD);
        assert_int_equal(proto_command_find("host.add")->access, PROTO_ACCESS_ADMIN);
        assert_int_equal(proto_command_find("fabric.sync")->access, PROTO_ACCESS_ADMIN);
        assert_true(PROTO_ACCESS_NONE < PROTO_ACCESS_NETD && PROTO_ACCESS_NETD < PROTO_ACCESS_ADMIN);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_request),
                cmocka_unit_test(test_args_optional_when_none_required),
                cmocka_unit_test(test_rejections),
                cmocka_unit_test(test_repeated_keys),
                cmocka_unit_test(test_too_large),
                cmocka_unit_test(test_every_command_has_fields),
                cmocka_unit_test(test_every_command_has_a_level),
                cmocka_unit_test(test_reply_round_trip),
                cmocka_unit_test(test_request_format),
                cmocka_unit_test(test_error_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
