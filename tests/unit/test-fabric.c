/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reconciler without a daemon: a host of a real store with two fake
 * transports in place of its agent and its libvirt worker. Objects go to
 * the transport that accepts their kind, ops to the one that serves them;
 * a pass removes the queue (the last transport first) and then applies the
 * desired state (the first transport first); an optional transport's
 * failure does not fail a pass, the agent's does; status shows each
 * transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "db/attachment.h"
#include "db/garbage.h"
#include "db/host.h"
#include "db/network.h"
#include "netd/fabric/fabric-private.h"
#include "store-fixture.h"

/* ---- fake transports ---- */

struct fake {
        struct transport t;
        const char *fail; /* answer every call with this error */
        bool down;        /* not connected */
        bool connecting;  /* not connected, no error yet */
        bool hold;        /* keep calls unanswered until freed */
        unsigned calls;
        transport_done_fn held_done;
        void *held_userdata;
};

static char calls_log[1024]; /* "NAME OP KIND...;" per call */

/* The back end behind both fakes: an object is there once ensured. */
static char ensured[16][160];
static size_t n_ensured;

static int fake_check(void *ctx _unused_, const struct fobj *o, enum fobj_state *ret_state,
                      char *detail _unused_, size_t size _unused_, struct netd_error *err _unused_) {
        char label[160];

        fobj_label(o, label, sizeof(label));
        *ret_state = FOBJ_MISSING;
        for (size_t i = 0; i < n_ensured; i++)
                if (streq(ensured[i], label))
                        *ret_state = FOBJ_OK;
        return 0;
}

static int fake_ensure(void *ctx _unused_, const struct fobj *o, struct netd_error *err _unused_) {
        assert_true(n_ensured < ARRAY_SIZE(ensured));
        fobj_label(o, ensured[n_ensured++], sizeof(ensured[0]));
        return 0;
}

static int fake_remove(void *ctx _unused_, const struct fobj *o _unused_, struct netd_error *err _unused_) {
        return 0;
}

static void fake_call(struct transport *t, struct json_object *req, transport_done_fn done, void *userdata) {
        struct fake *f = (struct fake *)t;
        const struct agent_proto_backend b = {.ctx = f,
                                              .accepts = t->ops->accepts,
                                              .check = fake_check,
                                              .ensure = fake_ensure,
                                              .remove = fake_remove};
        struct json_object *v, *reply;
        struct netd_error err = {0};
        enum agent_proto_op op;
        size_t n = strlen(calls_log);

        f->calls++;
        assert_int_equal(agent_proto_request_parse(req, t->ops->server, &op, &err), 0);
        n += (size_t)snprintf(calls_log + n, sizeof(calls_log) - n, "%s %s", t->ops->name,
                              agent_proto_op_to_string(op));
        if (json_object_object_get_ex(req, "objects", &v))
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        struct json_object *kind;

                        json_object_object_get_ex(json_object_array_get_idx(v, i), "kind", &kind);
                        n += (size_t)snprintf(calls_log + n, sizeof(calls_log) - n, " %s",
                                              json_object_get_string(kind));
                }
        snprintf(calls_log + n, sizeof(calls_log) - n, ";");
        if (f->hold) {
                assert_null(f->held_done);
                f->held_done = done;
                f->held_userdata = userdata;
                json_object_put(req);
                return;
        }
        if (f->fail) {
                json_object_put(req);
                done(NULL, f->fail, userdata);
                return;
        }
        if (op == AGENT_PROTO_PORTS || op == AGENT_PROTO_DOMAINS) {
                v = json_object_new_array();
                json_object_array_add(v, json_object_new_string(op == AGENT_PROTO_PORTS ? "vnet0" : "vm1"));
                reply = agent_proto_reply_new(op, v);
        } else
                reply = agent_proto_objects_handle(&b, op, req);
        json_object_put(req);
        done(reply, NULL, userdata);
        json_object_put(reply);
}

static bool fake_state(struct transport *t, char *error, size_t size) {
        struct fake *f = (struct fake *)t;

        strscpy(error, size, f->down ? "agent exited" : "");
        return !f->down && !f->connecting;
}

static int fake_connect(struct transport *t) {
        struct fake *f = (struct fake *)t;

        return f->down ? NETD_EUNAVAILABLE : f->connecting ? 0 : 1;
}

static struct json_object *fake_status(struct transport *t, char *error, size_t size) {
        struct json_object *o = json_object_new_object();
        bool up = fake_state(t, error, size);

        json_object_object_add(o, "uri", json_object_new_string("fake:///"));
        json_object_object_add(o, "connected", json_object_new_boolean(up));
        return o;
}

static void fake_stats(struct transport *t, struct fabric_host_stats *st) {
        st->has_libvirt = true;
        st->libvirt_connected = !((struct fake *)t)->down;
}

static void fake_free(struct transport *t) {
        struct fake *f = (struct fake *)t;

        if (f->held_done)
                f->held_done(NULL, "host removed", f->held_userdata);
        free(t);
}

static bool is_libvirt(enum fobj_kind kind) {
        return fobj_kind_is_libvirt(kind);
}

static bool is_not_libvirt(enum fobj_kind kind) {
        return !fobj_kind_is_libvirt(kind);
}

static const struct transport_ops agent_ops = {
        .name = "agent",
        .bad_reply = "bad agent reply",
        .server = AGENT_PROTO_AGENT,
        .accepts = is_not_libvirt,
        .connect = fake_connect,
        .call = fake_call,
        .state = fake_state,
        .free = fake_free,
};

static const struct transport_ops libvirt_ops = {
        .name = "libvirt",
        .bad_reply = "bad reply",
        .server = AGENT_PROTO_LIBVIRT,
        .accepts = is_libvirt,
        .call = fake_call,
        .state = fake_state,
        .status = fake_status,
        .stats = fake_stats,
        .free = fake_free,
};

/* ---- the lab: hv1 with network lab attached ---- */

struct lab {
        struct fixture *fx;
        struct fabric f;
        struct fabric_host *h;
        struct fake *agent, *libvirt;
};

static int setup(void **state) {
        struct host_spec spec = {.name = "hv1",
                                 .connect = "ip netns exec hv1",
                                 .underlays = (const char *const[]){"198.51.100.1"},
                                 .n_underlays = 1,
                                 .libvirt = "test:///default"};
        struct network_spec net = {.name = "lab", .cidr = "192.0.2.0/24"};
        struct netd_error err = {0};
        struct lab *l = calloc(1, sizeof(*l));

        assert_non_null(l);
        assert_int_equal(fixture_setup_prefix(state, "test-fabric"), 0);
        l->fx = *state;
        if (network_add(l->fx->s, &net, NULL, &err) < 0 || host_add(l->fx->s, &spec, NULL, &err) < 0 ||
            attachment_set(l->fx->s, "lab", "hv1", NULL, "192.0.2.1/24", NULL, &err) < 0)
                fail_msg("%s", err.message);
        l->f.store = l->fx->s;
        l->h = calloc(1, sizeof(*l->h));
        l->agent = calloc(1, sizeof(*l->agent));
        l->libvirt = calloc(1, sizeof(*l->libvirt));
        assert_true(l->h && l->agent && l->libvirt);
        l->agent->t.ops = &agent_ops;
        l->libvirt->t.ops = &libvirt_ops;
        l->h->f = &l->f;
        strscpy(l->h->name, sizeof(l->h->name), "hv1");
        l->h->transports[0] = &l->agent->t;
        l->h->transports[1] = &l->libvirt->t;
        l->h->n_transports = 2;
        l->f.hosts = l->h;
        calls_log[0] = '\0';
        n_ensured = 0;
        *state = l;
        return 0;
}

static int teardown(void **state) {
        struct lab *l = *state;

        if (l->h)
                fabric_host_free(l->h);
        *state = l->fx;
        free(l);
        return fixture_teardown(state);
}

struct answer {
        int calls;
        char error[256];
        size_t n;
        char states[256];
};

static void on_pass(struct fabric_host *h _unused_, struct json_object *results, const char *error,
                    void *userdata) {
        struct answer *a = userdata;

        a->calls++;
        snprintf(a->error, sizeof(a->error), "%s", error ? error : "");
        a->n = results ? json_object_array_length(results) : 0;
        a->states[0] = '\0';
        for (size_t i = 0; i < a->n; i++) {
                struct json_object *k, *s, *r = json_object_array_get_idx(results, i);
                size_t len = strlen(a->states);

                json_object_object_get_ex(r, "kind", &k);
                json_object_object_get_ex(r, "after", &s);
                snprintf(a->states + len, sizeof(a->states) - len, "%s%s=%s", i ? " " : "",
                         json_object_get_string(k), json_object_get_string(s));
        }
}

/* ---- routing ---- */

static void test_route(void **state) {
        struct lab *l = *state;
        struct fobj objs[4] = {{.kind = FOBJ_BRIDGE},
                               {.kind = FOBJ_LIBVIRT_NETWORK},
                               {.kind = FOBJ_ROUTE},
                               {.kind = FOBJ_LIBVIRT_NETWORK}};
        struct fabric_parts p;

        strscpy(objs[0].name, sizeof(objs[0].name), "br-a");
        strscpy(objs[1].network, sizeof(objs[1].network), "a");
        strscpy(objs[3].network, sizeof(objs[3].network), "b");
        assert_int_equal(fabric_parts_route(l->h, objs, 4, &p), 0);
        assert_int_equal(p.n[0], 2);
        assert_int_equal(p.objs[0][0].kind, FOBJ_BRIDGE);
        assert_string_equal(p.objs[0][0].name, "br-a");
        assert_int_equal(p.objs[0][1].kind, FOBJ_ROUTE);
        assert_int_equal(p.n[1], 2);
        assert_string_equal(p.objs[1][0].network, "a");
        assert_string_equal(p.objs[1][1].network, "b");
        fabric_parts_clear(&p);

        /* Without the libvirt worker its objects go nowhere. */
        l->h->n_transports = 1;
        assert_int_equal(fabric_parts_route(l->h, objs, 4, &p), 0);
        assert_int_equal(p.n[0], 2);
        assert_int_equal(p.n[1], 0);
        fabric_parts_clear(&p);
        assert_int_equal(fabric_host_transport_for(l->h, AGENT_PROTO_DOMAINS), -1);
        l->h->n_transports = 2;

        /* Ops go to the transport that serves them. */
        assert_int_equal(fabric_host_transport_for(l->h, AGENT_PROTO_PORTS), 0);
        assert_int_equal(fabric_host_transport_for(l->h, AGENT_PROTO_HELLO), 0);
        assert_int_equal(fabric_host_transport_for(l->h, AGENT_PROTO_APPLY), 0);
        assert_int_equal(fabric_host_transport_for(l->h, AGENT_PROTO_DOMAINS), 1);
}

/* ---- passes ---- */

static void test_pass(void **state) {
        struct lab *l = *state;
        struct answer a = {0};
        struct netd_error err = {0};

        fabric_pass_request(l->h, on_pass, &a);
        assert_int_equal(a.calls, 1);
        assert_string_equal(a.error, "");
        /* The agent's objects first, then the libvirt network on its bridge. */
        assert_string_equal(calls_log, "agent apply bridge address;libvirt apply libvirt-network;");
        assert_string_equal(a.states, "bridge=ok address=ok libvirt-network=ok");
        assert_int_equal(l->h->last_states[FOBJ_MISSING], 3);
        assert_false(l->h->in_pass);

        /* Detached: the queue goes, libvirt first; every transport still
         * gets its (empty) apply. */
        assert_int_equal(attachment_remove(l->fx->s, "lab", "hv1", &err), 0);
        calls_log[0] = '\0';
        fabric_pass_request(l->h, on_pass, &a);
        assert_int_equal(a.calls, 2);
        assert_string_equal(calls_log, "libvirt remove libvirt-network;agent remove address bridge;"
                                       "agent apply;libvirt apply;");
        assert_int_equal(a.n, 0);
        {
                struct fobj *objs = NULL;
                size_t n = 9;

                assert_int_equal(garbage_list(l->fx->s, "hv1", &objs, &n, &err), 0);
                free(objs);
                assert_int_equal(n, 0);
        }
}

static void test_pass_failures(void **state) {
        struct lab *l = *state;
        struct answer a = {0};

        /* libvirt's failure leaves its objects out, not the pass. */
        l->libvirt->fail = "libvirt at test:///default did not answer within 1 s";
        fabric_pass_request(l->h, on_pass, &a);
        assert_int_equal(a.calls, 1);
        assert_string_equal(a.error, "");
        assert_string_equal(a.states, "bridge=ok address=ok");

        /* The agent's fails it, and libvirt is not asked. */
        l->libvirt->fail = NULL;
        l->agent->fail = "agent exited";
        l->libvirt->calls = 0;
        fabric_pass_request(l->h, on_pass, &a);
        assert_int_equal(a.calls, 2);
        assert_string_equal(a.error, "agent exited");
        assert_int_equal(a.n, 0);
        assert_int_equal(l->libvirt->calls, 0);

        /* Not connected: no call at all, the agent's reason. */
        l->agent->fail = NULL;
        l->agent->down = true;
        l->agent->calls = 0;
        fabric_pass_request(l->h, on_pass, &a);
        assert_int_equal(a.calls, 3);
        assert_string_equal(a.error, "host hv1: agent exited");
        assert_int_equal(l->agent->calls, 0);
        assert_false(fabric_host_connected(l->h));
}

/* A host removed in the middle of a pass: every call still in flight is
 * answered, the pass ends, its waiters are told. */
static void test_pass_host_removed(void **state) {
        struct lab *l = *state;
        struct answer a = {0}, b = {0};
        struct netd_error err = {0};

        /* At libvirt's apply, after the agent's. */
        l->libvirt->hold = true;
        fabric_pass_request(l->h, on_pass, &a);
        assert_int_equal(a.calls, 0);
        assert_true(l->h->in_pass);
        fabric_pass_request(l->h, on_pass, &b);
        fabric_host_free(l->h);
        l->h = NULL;
        assert_int_equal(a.calls, 1);
        assert_string_equal(a.error, "");
        assert_string_equal(a.states, "bridge=ok address=ok");
        assert_int_equal(b.calls, 1);
        assert_string_equal(b.error, "host hv1: host removed");
        l->f.hosts = NULL;

        /* At libvirt's removal, before the agent's. */
        teardown(state);
        assert_int_equal(setup(state), 0);
        l = *state;
        assert_int_equal(attachment_remove(l->fx->s, "lab", "hv1", &err), 0);
        l->libvirt->hold = true;
        a = (struct answer){0};
        fabric_pass_request(l->h, on_pass, &a);
        assert_string_equal(calls_log, "libvirt remove libvirt-network;");
        fabric_host_free(l->h);
        l->h = NULL;
        assert_int_equal(a.calls, 1);
        assert_string_equal(a.error, "host removed");
        assert_string_equal(calls_log, "libvirt remove libvirt-network;");
}

/* ---- answers ---- */

static void on_stats(const struct fabric_host_stats *st, void *userdata) {
        *(struct fabric_host_stats *)userdata = *st;
}

struct hosts_answer {
        int calls;
        char text[2048];
};

static void on_hosts(struct json_object *hosts, int code, const char *message _unused_, void *userdata) {
        struct hosts_answer *a = userdata;

        a->calls++;
        assert_int_equal(code, 0);
        snprintf(a->text, sizeof(a->text), "%s",
                 json_object_to_json_string_ext(hosts,
                                                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(hosts);
}

static void test_status(void **state) {
        struct lab *l = *state;
        struct hosts_answer a = {0};
        struct fabric_host_stats st = {0};

        fabric_status(&l->f, on_hosts, &a);
        assert_int_equal(a.calls, 1);
        assert_string_equal(calls_log, "agent check bridge address;libvirt check libvirt-network;");
        assert_non_null(strstr(a.text, "{\"name\":\"hv1\",\"connected\":true,\"state\":\"connected\","
                                       "\"error\":null,\"objects\":["
                                       "{\"kind\":\"bridge\",\"name\":\"br-lab\",\"label\":\"br-lab\","
                                       "\"detail\":\"\",\"state\":\"missing\"}"));
        /* What tells an object apart is its detail. */
        assert_non_null(strstr(a.text, "\"label\":\"192.0.2.1/24 on br-lab\",\"detail\":\"192.0.2.1/24\""));
        assert_non_null(strstr(a.text, "\"libvirt\":{\"uri\":\"fake:///\",\"connected\":true}}]"));

        /* A host whose agent is fine but whose libvirt is not says so. */
        l->libvirt->down = true;
        fabric_status(&l->f, on_hosts, &a);
        assert_int_equal(a.calls, 2);
        assert_non_null(strstr(a.text, "\"connected\":true,\"state\":\"connected\","
                                       "\"error\":\"host hv1: libvirt: agent exited\""));

        /* A libvirt call that fails leaves its objects out, nothing else. */
        l->libvirt->down = false;
        l->libvirt->fail = "libvirt did not answer within 1 s";
        fabric_status(&l->f, on_hosts, &a);
        assert_int_equal(a.calls, 3);
        assert_non_null(strstr(a.text, "\"label\":\"192.0.2.1/24 on br-lab\""));
        assert_null(strstr(a.text, "libvirt-network"));
        l->libvirt->fail = NULL;
        l->libvirt->down = true;

        fabric_stats(&l->f, on_stats, &st);
        assert_string_equal(st.name, "hv1");
        assert_true(st.connected);
        assert_true(st.has_libvirt);
        assert_false(st.libvirt_connected);
}

/* A host's state: connecting (no error yet), connected, failed with its
 * reason and its name; a status never waits for a connecting host. */
static void test_host_states(void **state) {
        struct lab *l = *state;
        struct hosts_answer a = {0};
        enum fabric_host_state st;
        char error[256];

        l->agent->connecting = true;
        assert_int_equal(fabric_host_status(&l->f, "hv1", error, sizeof(error), &st), 0);
        assert_int_equal(st, FABRIC_HOST_CONNECTING);
        assert_string_equal(error, "");
        fabric_status(&l->f, on_hosts, &a);
        assert_int_equal(a.calls, 1);
        assert_non_null(strstr(a.text, "\"connected\":false,\"state\":\"connecting\",\"error\":null"));
        assert_int_equal(l->agent->calls, 0);

        l->agent->connecting = false;
        l->agent->down = true;
        assert_int_equal(fabric_host_status(&l->f, "hv1", error, sizeof(error), &st), 0);
        assert_int_equal(st, FABRIC_HOST_FAILED);
        assert_string_equal(error, "host hv1: agent exited");
        assert_string_equal(fabric_host_state_to_string(st), "failed");
        fabric_status(&l->f, on_hosts, &a);
        assert_non_null(strstr(
                a.text, "\"connected\":false,\"state\":\"failed\",\"error\":\"host hv1: agent exited\""));

        l->agent->down = false;
        assert_int_equal(fabric_host_status(&l->f, "hv1", error, sizeof(error), &st), 0);
        assert_int_equal(st, FABRIC_HOST_CONNECTED);
        assert_int_equal(fabric_host_status(&l->f, "hv9", error, sizeof(error), &st), NETD_ENOTFOUND);
}

static void on_ports(struct json_object *ports, int code, const char *message, void *userdata) {
        struct hosts_answer *a = userdata;

        a->calls++;
        snprintf(a->text, sizeof(a->text), "%d %s", code,
                 ports ? json_object_to_json_string_ext(ports, JSON_C_TO_STRING_PLAIN) : message);
        json_object_put(ports);
}

static void on_domains(struct json_object *hosts, void *userdata) {
        struct hosts_answer *a = userdata;

        a->calls++;
        snprintf(a->text, sizeof(a->text), "%s",
                 json_object_to_json_string_ext(hosts,
                                                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* "ports" is the agent's business, "domains" libvirt's. */
static void test_ops(void **state) {
        struct lab *l = *state;
        struct hosts_answer a = {0};

        fabric_foreign_ports(&l->f, "hv1", "br-lab", on_ports, &a);
        assert_int_equal(a.calls, 1);
        assert_string_equal(a.text, "0 [\"vnet0\"]");
        assert_string_equal(calls_log, "agent ports;");
        fabric_foreign_ports(&l->f, "hv9", "br-lab", on_ports, &a);
        assert_string_equal(a.text, "-6 host not found");

        calls_log[0] = '\0';
        fabric_domains(&l->f, NULL, on_domains, &a);
        assert_int_equal(a.calls, 3);
        assert_string_equal(calls_log, "libvirt domains;");
        assert_string_equal(a.text, "[{\"host\":\"hv1\",\"domains\":[\"vm1\"],\"error\":null}]");
        l->libvirt->fail = "cannot connect to libvirt at test:///default";
        fabric_domains(&l->f, "hv1", on_domains, &a);
        assert_string_equal(a.text, "[{\"host\":\"hv1\",\"domains\":null,"
                                    "\"error\":\"cannot connect to libvirt at test:///default\"}]");
        /* A host without libvirt is not asked. */
        l->h->n_transports = 1;
        fabric_domains(&l->f, NULL, on_domains, &a);
        assert_string_equal(a.text, "[]");
        l->h->n_transports = 2;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_route, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pass, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pass_failures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pass_host_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_status, setup, teardown),
                cmocka_unit_test_setup_teardown(test_host_states, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ops, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
