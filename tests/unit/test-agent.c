/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent (`netd agent --stdio` and in-process) against the real kernel,
 * in a private network namespace made by this process: requests handled
 * in-process, their validation, and the line framing over pipes. Needs
 * root; skips (77) only when namespaces are refused outside CI. */
#include "netd/agent/agent.h"
#include "netd/core/agent-proto.h"
#include "netd/netlink/netlink.h"
#include "netlink-fixture.h"

static struct json_object *objects_json(const struct fobj *objs, size_t n, enum agent_proto_op op) {
        return agent_proto_request_objects(op, objs, n);
}

static void assert_results(struct json_object *reply, const char *key, const char *value, size_t n) {
        struct json_object *results;

        assert_string_equal(link_str(reply, "result", NULL, NULL), "ok");
        assert_true(json_object_object_get_ex(reply, "results", &results));
        assert_int_equal(json_object_array_length(results), n);
        for (size_t i = 0; i < n; i++) {
                struct json_object *r = json_object_array_get_idx(results, i);

                if (!streq(link_str(r, key, NULL, NULL), value))
                        print_error("result %zu: %s\n", i, json_object_to_json_string(r));
                assert_string_equal(link_str(r, key, NULL, NULL), value);
                assert_null(path(r, "error", NULL, NULL));
        }
}

static const struct fobj *lab_objects(size_t *ret_n) {
        static struct fobj objs[9];

        objs[0] = bridge("br-ag", 1450);
        objs[1] = bridge("br-ag2", 0);
        objs[2] = veth("ag-a", "ag-b", "br-ag", "br-ag2", 1450);
        objs[3] = vxlan("vx-ag", 77, "192.0.2.1", "br-ag", 1450);
        objs[4] = port("ag-up", "br-ag2");
        objs[5] = address("br-ag", "192.0.2.1", 24);
        objs[6] = route("198.51.100.0/24", "192.0.2.254", "");
        objs[7] = fdb("vx-ag", "198.51.100.2");
        objs[8] = fdb("vx-ag", "198.51.100.3");
        *ret_n = ARRAY_SIZE(objs);
        return objs;
}

static void test_agent_handle(void **state) {
        struct json_object *req, *reply, *results, *r;
        size_t n;
        const struct fobj *objs = lab_objects(&n);

        (void)state;
        sh("ip link add ag-up type veth peer name ag-upp");
        req = objects_json(objs, n, AGENT_PROTO_CHECK);
        reply = agent_handle(ctx, req);
        json_object_put(req);
        assert_string_equal(link_str(reply, "result", NULL, NULL), "ok");
        json_object_put(reply);

        req = objects_json(objs, n, AGENT_PROTO_APPLY);
        reply = agent_handle(ctx, req);
        json_object_put(req);
        assert_results(reply, "after", "ok", n);
        r = json_object_array_get_idx(path(reply, "results", NULL, NULL), 3);
        assert_string_equal(link_str(r, "kind", NULL, NULL), "vxlan");
        assert_string_equal(link_str(r, "name", NULL, NULL), "vx-ag");
        assert_string_equal(link_str(r, "state", NULL, NULL), "missing");
        r = json_object_array_get_idx(path(reply, "results", NULL, NULL), 7);
        assert_string_equal(link_str(r, "label", NULL, NULL), "fdb 198.51.100.2 on vx-ag");
        json_object_put(reply);

        req = objects_json(objs, n, AGENT_PROTO_CHECK);
        reply = agent_handle(ctx, req);
        assert_results(reply, "state", "ok", n);
        json_object_put(reply);

        sh("ip link set br-ag mtu 1400");
        reply = agent_handle(ctx, req);
        json_object_put(req);
        results = path(reply, "results", NULL, NULL);
        r = json_object_array_get_idx(results, 0);
        assert_string_equal(link_str(r, "state", NULL, NULL), "drifted");
        assert_string_equal(link_str(r, "detail", NULL, NULL), "mtu 1400, want 1450");
        assert_null(path(r, "after", NULL, NULL));
        json_object_put(reply);

        /* A conflict fails its object only; the others are applied. */
        sh("ip link add br-agf type bridge");
        {
                struct fobj mix[3] = {bridge("br-agf", 0), objs[0], bridge("br-ag3", 0)};

                req = objects_json(mix, 3, AGENT_PROTO_APPLY);
                reply = agent_handle(ctx, req);
                json_object_put(req);
                results = path(reply, "results", NULL, NULL);
                r = json_object_array_get_idx(results, 0);
                assert_string_equal(link_str(r, "state", NULL, NULL), "conflict");
                assert_string_equal(link_str(r, "after", NULL, NULL), "conflict");
                assert_string_equal(link_str(r, "error", "code", NULL), "conflict");
                assert_string_equal(link_str(r, "error", "message", NULL),
                                    "interface br-agf exists and was not created by netd");
                r = json_object_array_get_idx(results, 1);
                assert_string_equal(link_str(r, "state", NULL, NULL), "drifted");
                assert_string_equal(link_str(r, "after", NULL, NULL), "ok");
                r = json_object_array_get_idx(results, 2);
                assert_string_equal(link_str(r, "after", NULL, NULL), "ok");
                json_object_put(reply);
                sh("ip link del br-agf");
        }

        req = json_tokener_parse("{\"op\":\"ports\",\"bridge\":\"br-ag2\"}");
        reply = agent_handle(ctx, req);
        json_object_put(req);
        assert_string_equal(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN),
                            "{\"result\":\"ok\",\"ports\":[\"ag-up\"]}");
        json_object_put(reply);

        /* Removal in reverse order leaves nothing of ours; the uplink stays. */
        {
                struct fobj rev[10];

                for (size_t i = 0; i < n; i++)
                        rev[i] = objs[n - 1 - i];
                rev[n] = bridge("br-ag3", 0);
                req = objects_json(rev, n + 1, AGENT_PROTO_REMOVE);
                reply = agent_handle(ctx, req);
                json_object_put(req);
                results = path(reply, "results", NULL, NULL);
                for (size_t i = 0; i < n + 1; i++)
                        assert_null(path(json_object_array_get_idx(results, i), "error", NULL, NULL));
                json_object_put(reply);
        }
        assert_false(link_exists("br-ag"));
        assert_false(link_exists("vx-ag"));
        assert_false(link_exists("ag-a"));
        assert_true(link_exists("ag-up"));
        sh("ip link del ag-up");
}

static void test_agent_validation(void **state) {
        static const struct {
                const char *req, *message_part;
        } cases[] = {
                {"[]", "not a JSON object"},
                {"{}", "no \"op\""},
                {"{\"op\":\"reboot\"}", "unknown op \"reboot\""},
                {"{\"op\":\"check\"}", "no \"objects\" array"},
                {"{\"op\":\"check\",\"objects\":{}}", "no \"objects\" array"},
                {"{\"op\":\"check\",\"objects\":[],\"x\":1}", "unknown key \"x\""},
                {"{\"op\":\"hello\",\"objects\":[]}", "unknown key \"objects\""},
                {"{\"op\":\"ports\"}", "\"bridge\" must be a string"},
                {"{\"op\":\"ports\",\"bridge\":\"a/b\"}", "interface name"},
                {"{\"op\":\"apply\",\"objects\":[{\"kind\":\"bridge\",\"name\":\"br-nv\"},"
                 "{\"kind\":\"bridge\",\"name\":\"bad\\nname\"}]}",
                 "apply: object 1: bridge name \"bad\\x0aname\""},
        };
        struct json_object *req, *reply;

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                req = json_tokener_parse(cases[i].req);
                assert_non_null(req);
                reply = agent_handle(ctx, req);
                json_object_put(req);
                if (!strstr(link_str(reply, "error", "message", NULL), cases[i].message_part))
                        print_error("case %zu: %s\n", i, json_object_to_json_string(reply));
                assert_string_equal(link_str(reply, "result", NULL, NULL), "error");
                assert_string_equal(link_str(reply, "error", "code", NULL), "invalid");
                assert_non_null(strstr(link_str(reply, "error", "message", NULL), cases[i].message_part));
                json_object_put(reply);
        }
        /* Validation came before the kernel: the valid first object was not
         * applied either. */
        assert_false(link_exists("br-nv"));

        /* More objects than allowed. */
        req = json_object_new_object();
        json_object_object_add(req, "op", json_object_new_string("check"));
        json_object_object_add(req, "objects", json_object_new_array());
        for (int i = 0; i <= AGENT_PROTO_MAX_OBJECTS; i++)
                json_object_array_add(path(req, "objects", NULL, NULL), json_object_new_object());
        reply = agent_handle(ctx, req);
        json_object_put(req);
        assert_non_null(
                strstr(link_str(reply, "error", "message", NULL), "too many objects (4097, limit 4096)"));
        json_object_put(reply);

        req = json_tokener_parse("{\"op\":\"hello\"}");
        reply = agent_handle(NULL, req);
        json_object_put(req);
        assert_string_equal(link_str(reply, "result", NULL, NULL), "ok");
        assert_true(json_object_get_boolean(path(reply, "agent", NULL, NULL)));
        assert_string_equal(link_str(reply, "version", NULL, NULL), NETD_VERSION);
        json_object_put(reply);
        req = json_tokener_parse("{\"op\":\"check\",\"objects\":[]}");
        reply = agent_handle(NULL, req);
        json_object_put(req);
        assert_string_equal(link_str(reply, "error", "code", NULL), "unavailable");
        json_object_put(reply);
}

/* A check's detail travels in apply's results (moved here from
 * test-netlink.c's underlay test). */
static void test_agent_underlay_mtu(void **state) {
        struct fobj vx = vxlan("vx-m", 500, "198.51.100.1", "", 1500);
        struct json_object *req, *reply, *r;

        (void)state;
        sh("ip link add ulm-a mtu 1500 type veth peer name ulm-b");
        sh("ip addr add 198.51.100.1/24 dev ulm-a && ip link set ulm-a up");
        req = objects_json(&vx, 1, AGENT_PROTO_APPLY);
        json_object_put(agent_handle(ctx, req));
        sh("ip link set vx-m mtu 1400");

        /* The agent reports it in apply's results. */
        reply = agent_handle(ctx, req);
        json_object_put(req);
        r = json_object_array_get_idx(path(reply, "results", NULL, NULL), 0);
        assert_null(path(r, "error", NULL, NULL));
        assert_string_equal(link_str(r, "state", NULL, NULL), "drifted");
        assert_string_equal(link_str(r, "after", NULL, NULL), "ok");
        assert_non_null(strstr(link_str(r, "detail", NULL, NULL), "underlay ulm-a mtu 1500 cannot carry"));
        json_object_put(reply);

        req = objects_json(&vx, 1, AGENT_PROTO_REMOVE);
        json_object_put(agent_handle(ctx, req));
        json_object_put(req);
        assert_false(link_exists("vx-m"));
        sh("ip link del ulm-a");
}

static void write_str(int fd, const char *s) {
        size_t n = strlen(s);

        while (n > 0) {
                ssize_t w = write(fd, s, n);

                assert_true(w > 0);
                s += w;
                n -= (size_t)w;
        }
}

static void test_agent_stdio(void **state) {
        int to_agent[2], from_agent[2], status;
        struct json_object *req, *reply;
        char *big, line[1 << 16], *save = NULL, *l;
        size_t n, got = 0;
        const struct fobj *objs = lab_objects(&n);
        const char *apply, *expect_result[] = {"ok", "error", "error", "ok", "error", "ok", "ok"};
        ssize_t k;
        pid_t pid;
        int i;

        (void)state;
        sh("ip link add ag-up type veth peer name ag-upp");
        assert_int_equal(pipe(to_agent), 0);
        assert_int_equal(pipe(from_agent), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(to_agent[1]);
                close(from_agent[0]);
                _exit(agent_run_stdio(to_agent[0], from_agent[1]));
        }
        close(to_agent[0]);
        close(from_agent[1]);

        write_str(to_agent[1], "{\"op\":\"hello\"}\n");
        write_str(to_agent[1], "{\"op\": \"check\", garbage\n");
        /* A repeated key: json-c would keep the last one. */
        write_str(to_agent[1], "{\"op\":\"hello\",\"op\":\"remove\",\"objects\":[]}\n");
        req = objects_json(objs, n, AGENT_PROTO_APPLY);
        apply = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
        write_str(to_agent[1], apply);
        write_str(to_agent[1], "\n");
        /* A line over the limit is answered once and skipped. */
        big = malloc(AGENT_PROTO_MAX_LINE + 100);
        assert_non_null(big);
        memset(big, 'x', AGENT_PROTO_MAX_LINE + 99);
        big[AGENT_PROTO_MAX_LINE + 99] = '\0';
        write_str(to_agent[1], big);
        write_str(to_agent[1], "\n");
        free(big);
        json_object_put(req);
        req = objects_json(objs, n, AGENT_PROTO_CHECK);
        write_str(to_agent[1], json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
        write_str(to_agent[1], "\n");
        json_object_put(req);
        /* The last request may lack its newline. */
        write_str(to_agent[1], "{\"op\":\"hello\"}");
        close(to_agent[1]);

        while ((k = read(from_agent[0], line + got, sizeof(line) - 1 - got)) > 0)
                got += (size_t)k;
        line[got] = '\0';
        close(from_agent[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        for (i = 0, l = strtok_r(line, "\n", &save); l; l = strtok_r(NULL, "\n", &save), i++) {
                assert_true(i < (int)ARRAY_SIZE(expect_result));
                reply = json_tokener_parse(l);
                assert_non_null(reply);
                assert_string_equal(link_str(reply, "result", NULL, NULL), expect_result[i]);
                if (i == 2)
                        assert_string_equal(link_str(reply, "error", "message", NULL),
                                            "malformed request: a key is repeated");
                if (i == 3)
                        assert_results(reply, "after", "ok", n);
                if (i == 4)
                        assert_non_null(
                                strstr(link_str(reply, "error", "message", NULL), "request too large"));
                if (i == 5)
                        assert_results(reply, "state", "ok", n);
                json_object_put(reply);
        }
        assert_int_equal(i, ARRAY_SIZE(expect_result));

        req = objects_json(objs, n, AGENT_PROTO_REMOVE);
        json_object_put(agent_handle(ctx, req));
        json_object_put(req);
        assert_false(link_exists("br-ag"));
        sh("ip link del ag-up");
        sh("ip route flush 198.51.100.0/24 2>/dev/null; true");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_agent_handle),
                cmocka_unit_test(test_agent_validation),
                cmocka_unit_test(test_agent_underlay_mtu),
                cmocka_unit_test(test_agent_stdio),
        };

        return netns_run_group_tests("test-agent", tests, ARRAY_SIZE(tests), netlink_setup, netlink_teardown);
}
