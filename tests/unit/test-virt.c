/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libvirt side against libvirt's real in-process test driver, loaded
 * from tests/data/libvirt/hv1.xml: the libvirt network lifecycle (define,
 * start, autostart, drift and repair, a foreign network left alone,
 * removal), the agent-protocol requests of virt_handle(), and the worker
 * thread (answers on the event loop, a host that never answers is reported
 * after the timeout and does not hold up later requests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <limits.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>

#include "netd/virt/virt-network.h"
#include "netd/virt/virt.h"

static char uri[PATH_MAX + 16];

static int setup(void **state _unused_) {
        const char *data = getenv("NETD_TEST_DATA");
        struct netd_error err = {0};

        assert_non_null(data);
        snprintf(uri, sizeof(uri), "test://%s/libvirt/hv1.xml", data);
        assert_int_equal(virt_init(&err), 0);
        return 0;
}

static virConnectPtr open_hv1(void) {
        virConnectPtr c = virConnectOpen(uri);

        if (!c)
                fail_msg("cannot open %s: %s", uri, virt_last_error());
        return c;
}

static struct fobj lnet(const char *network, const char *bridge) {
        struct fobj o = {.kind = FOBJ_LIBVIRT_NETWORK};

        strscpy(o.network, sizeof(o.network), network);
        strscpy(o.master, sizeof(o.master), bridge);
        return o;
}

static enum fobj_state state_of(virConnectPtr c, const struct fobj *o, char *detail, size_t size) {
        struct netd_error err = {0};
        enum fobj_state st = FOBJ_STATE_MAX;
        int r = virt_network_check(c, "hv1", o, &st, detail, size, &err);

        if (r < 0)
                fail_msg("check: %s", err.message);
        return st;
}

static void test_uuid(void **state _unused_) {
        char a[VM_UUID_STRLEN], b[VM_UUID_STRLEN], c[VM_UUID_STRLEN];

        virt_network_uuid("hv1", "lab", a);
        virt_network_uuid("hv1", "lab", b);
        assert_string_equal(a, b);
        assert_int_equal(strlen(a), 36);
        assert_int_equal(a[14], '5'); /* a name-based (SHA-1) UUID */
        virt_network_uuid("hv2", "lab", c);
        assert_string_not_equal(a, c);
        virt_network_uuid("hv1", "lab2", c);
        assert_string_not_equal(a, c);
}

static void test_lifecycle(void **state _unused_) {
        virConnectPtr c = open_hv1();
        struct fobj lab = lnet("lab", "br-lab");
        struct netd_error err = {0};
        char detail[256], uuid[VM_UUID_STRLEN], want_uuid[VM_UUID_STRLEN];
        virNetworkPtr net;
        char *xml;
        int autostart = 0;

        assert_int_equal(state_of(c, &lab, detail, sizeof(detail)), FOBJ_MISSING);
        assert_int_equal(virt_network_ensure(c, "hv1", &lab, &err), 0);
        assert_int_equal(state_of(c, &lab, detail, sizeof(detail)), FOBJ_OK);
        assert_string_equal(detail, "");

        /* What libvirt itself says. */
        net = virNetworkLookupByName(c, "lab");
        assert_non_null(net);
        assert_int_equal(virNetworkIsActive(net), 1);
        assert_int_equal(virNetworkGetAutostart(net, &autostart), 0);
        assert_int_equal(autostart, 1);
        assert_int_equal(virNetworkGetUUIDString(net, uuid), 0);
        virt_network_uuid("hv1", "lab", want_uuid);
        assert_string_equal(uuid, want_uuid);
        xml = virNetworkGetXMLDesc(net, 0);
        assert_non_null(strstr(xml, "<forward mode='bridge'/>"));
        assert_non_null(strstr(xml, "<bridge name='br-lab'/>"));
        free(xml);

        /* Drift: stopped, autostart off → drifted, repaired. */
        assert_int_equal(virNetworkDestroy(net), 0);
        assert_int_equal(virNetworkSetAutostart(net, 0), 0);
        assert_int_equal(state_of(c, &lab, detail, sizeof(detail)), FOBJ_DRIFTED);
        assert_non_null(strstr(detail, "inactive"));
        assert_non_null(strstr(detail, "autostart off"));
        assert_int_equal(virt_network_ensure(c, "hv1", &lab, &err), 0);
        assert_int_equal(state_of(c, &lab, detail, sizeof(detail)), FOBJ_OK);
        virNetworkFree(net);

        /* The bridge changed in the store: redefined on the new one. */
        struct fobj moved = lnet("lab", "br-lab2");
        assert_int_equal(state_of(c, &moved, detail, sizeof(detail)), FOBJ_DRIFTED);
        assert_string_equal(detail, "bridge br-lab, want br-lab2");
        assert_int_equal(virt_network_ensure(c, "hv1", &moved, &err), 0);
        assert_int_equal(state_of(c, &moved, detail, sizeof(detail)), FOBJ_OK);

        /* Removed, and removing again is fine. */
        assert_int_equal(virt_network_remove(c, "hv1", &moved, &err), 0);
        assert_int_equal(state_of(c, &moved, detail, sizeof(detail)), FOBJ_MISSING);
        assert_null(virNetworkLookupByName(c, "lab"));
        assert_int_equal(virt_network_remove(c, "hv1", &moved, &err), 0);
        virConnectClose(c);
}

static void test_foreign(void **state _unused_) {
        virConnectPtr c = open_hv1();
        struct fobj foreign = lnet("foreign", "br-lab");
        struct netd_error err = {0};
        char detail[256];
        virNetworkPtr net;

        assert_int_equal(state_of(c, &foreign, detail, sizeof(detail)), FOBJ_CONFLICT);
        assert_non_null(strstr(detail, "not defined by netd"));
        assert_int_equal(virt_network_ensure(c, "hv1", &foreign, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "foreign"));
        /* remove leaves it alone */
        assert_int_equal(virt_network_remove(c, "hv1", &foreign, &err), 0);
        net = virNetworkLookupByName(c, "foreign");
        assert_non_null(net);
        assert_int_equal(virNetworkIsActive(net), 1);
        virNetworkFree(net);
        /* A network netd made on another host is not ours here either. */
        struct fobj lab = lnet("lab", "br-lab");
        assert_int_equal(virt_network_ensure(c, "hv2", &lab, &err), 0);
        assert_int_equal(state_of(c, &lab, detail, sizeof(detail)), FOBJ_CONFLICT);
        virConnectClose(c);
}

static struct json_object *request(const char *json) {
        struct json_object *j = json_tokener_parse(json);

        assert_non_null(j);
        return j;
}

static const char *result_field(struct json_object *reply, size_t i, const char *key) {
        struct json_object *results, *v;

        assert_true(json_object_object_get_ex(reply, "results", &results));
        assert_true(json_object_object_get_ex(json_object_array_get_idx(results, i), key, &v));
        return v ? json_object_get_string(v) : NULL;
}

static void test_handle(void **state _unused_) {
        virConnectPtr c = open_hv1();
        struct json_object *req, *reply, *v, *domains;

        req = request("{\"op\":\"apply\",\"objects\":[{\"kind\":\"libvirt-network\",\"network\":\"lab\","
                      "\"master\":\"br-lab\"},{\"kind\":\"libvirt-network\",\"network\":\"foreign\","
                      "\"master\":\"br-foreign\"}]}");
        reply = virt_handle(c, "hv1", req);
        assert_string_equal(result_field(reply, 0, "state"), "missing");
        assert_string_equal(result_field(reply, 0, "after"), "ok");
        assert_string_equal(result_field(reply, 0, "label"), "libvirt network lab on br-lab");
        assert_string_equal(result_field(reply, 1, "state"), "conflict");
        assert_non_null(result_field(reply, 1, "error"));
        json_object_put(req);
        json_object_put(reply);

        /* The agent's kinds are not libvirt's business. */
        req = request("{\"op\":\"apply\",\"objects\":[{\"kind\":\"bridge\",\"name\":\"br-lab\"}]}");
        reply = virt_handle(c, "hv1", req);
        assert_true(json_object_object_get_ex(reply, "result", &v));
        assert_string_equal(json_object_get_string(v), "error");
        json_object_put(req);
        json_object_put(reply);

        req = request("{\"op\":\"domains\"}");
        reply = virt_handle(c, "hv1", req);
        assert_true(json_object_object_get_ex(reply, "domains", &domains));
        assert_int_equal(json_object_array_length(domains), 3);
        json_object_put(req);
        json_object_put(reply);

        req = request("{\"op\":\"domains\",\"extra\":1}");
        reply = virt_handle(c, "hv1", req);
        assert_true(json_object_object_get_ex(reply, "result", &v));
        assert_string_equal(json_object_get_string(v), "error");
        json_object_put(req);
        json_object_put(reply);
        virConnectClose(c);
}

/* ---- the worker ---- */

struct answer {
        struct event_base *base;
        int calls;
        bool ok;
        char error[600];
        size_t n_domains;
};

static void on_answer(struct json_object *reply, const char *error, void *userdata) {
        struct answer *a = userdata;
        struct json_object *domains, *v;

        a->calls++;
        a->ok = reply && json_object_object_get_ex(reply, "result", &v) &&
                streq(json_object_get_string(v), "ok");
        if (reply && json_object_object_get_ex(reply, "error", &v) &&
            json_object_object_get_ex(v, "message", &v))
                error = json_object_get_string(v);
        snprintf(a->error, sizeof(a->error), "%s", error ? error : "");
        if (reply && json_object_object_get_ex(reply, "domains", &domains))
                a->n_domains = json_object_array_length(domains);
        event_base_loopbreak(a->base);
}

static void wait_answer(struct answer *a, int calls) {
        struct timeval limit = {20, 0};

        event_base_loopexit(a->base, &limit);
        while (a->calls < calls)
                if (event_base_dispatch(a->base) != 0 || a->calls < calls) {
                        if (a->calls >= calls)
                                break;
                        /* loopexit fired: give up */
                        fail_msg("no answer from the worker");
                }
}

static struct json_object *domains_req(void) {
        return request("{\"op\":\"domains\"}");
}

static void test_worker(void **state _unused_) {
        struct event_base *base = event_base_new();
        struct answer a = {.base = base};
        struct virt_conn *c;
        struct netd_error err = {0};
        char error[512];

        assert_int_equal(virt_conn_new(base, "hv1", uri, 5, &c, &err), 0);
        assert_false(virt_conn_state(c, error, sizeof(error)));
        virt_conn_call(c, domains_req(), on_answer, &a);
        wait_answer(&a, 1);
        assert_true(a.ok);
        assert_int_equal(a.n_domains, 3);
        assert_true(virt_conn_state(c, error, sizeof(error)));
        assert_string_equal(virt_conn_uri(c), uri);
        virt_conn_free(c);
        event_base_free(base);
}

static void test_worker_bad_uri(void **state _unused_) {
        struct event_base *base = event_base_new();
        struct answer a = {.base = base};
        struct virt_conn *c;
        struct netd_error err = {0};
        char error[512];

        assert_int_equal(virt_conn_new(base, "hv9", "test:///nonexistent/netd-test/hv9.xml", 5, &c, &err), 0);
        virt_conn_call(c, domains_req(), on_answer, &a);
        wait_answer(&a, 1);
        assert_false(a.ok);
        assert_non_null(strstr(a.error, "cannot connect to libvirt at test:///nonexistent"));
        assert_false(virt_conn_state(c, error, sizeof(error)));
        assert_non_null(strstr(error, "cannot connect"));
        virt_conn_free(c);
        event_base_free(base);
}

/* A remote host that accepts the connection and never answers: the ext
 * transport runs a command that swallows libvirt's RPC. */
static void test_worker_hung(void **state _unused_) {
        struct event_base *base = event_base_new();
        struct answer a = {.base = base}, b = {.base = base};
        char script[] = "/tmp/netd-test-virt-hang-XXXXXX", hung[PATH_MAX + 64];
        struct virt_conn *c;
        struct netd_error err = {0};
        int fd = mkstemp(script);
        FILE *f;

        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        fputs("#!/bin/sh\nexec cat >/dev/null\n", f);
        fclose(f);
        chmod(script, 0700);
        snprintf(hung, sizeof(hung), "qemu+ext:///system?command=%s", script);

        assert_int_equal(virt_conn_new(base, "hv9", hung, 1, &c, &err), 0);
        virt_conn_call(c, domains_req(), on_answer, &a);
        wait_answer(&a, 1);
        assert_false(a.ok);
        assert_non_null(strstr(a.error, "did not answer within 1 s"));
        {
                char st[512];
                assert_false(virt_conn_state(c, st, sizeof(st)));
                assert_non_null(strstr(st, "did not answer within 1 s"));
        }
        /* The worker is still stuck: the next request fails at once. */
        virt_conn_call(c, domains_req(), on_answer, &b);
        assert_int_equal(b.calls, 1);
        assert_non_null(strstr(b.error, "has not answered for"));
        /* Freeing does not wait for the stuck worker. */
        virt_conn_free(c);
        event_base_free(base);
        unlink(script);
}

/* A password in a URI never reaches a message or the status. */
static void test_uri_redacted(void **state _unused_) {
        struct event_base *base = event_base_new();
        struct answer a = {.base = base};
        struct virt_conn *c;
        struct netd_error err = {0};
        char error[512];

        assert_int_equal(virt_conn_new(base, "hv9", "test://root:s3cret@nowhere/x.xml", 5, &c, &err), 0);
        assert_string_equal(virt_conn_uri(c), "test://root:***@nowhere/x.xml");
        virt_conn_call(c, domains_req(), on_answer, &a);
        wait_answer(&a, 1);
        assert_false(a.ok);
        assert_null(strstr(a.error, "s3cret"));
        assert_non_null(strstr(a.error, "root:***@nowhere"));
        virt_conn_state(c, error, sizeof(error));
        assert_null(strstr(error, "s3cret"));
        virt_conn_free(c);
        event_base_free(base);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_uuid),        cmocka_unit_test(test_lifecycle),
                cmocka_unit_test(test_foreign),     cmocka_unit_test(test_handle),
                cmocka_unit_test(test_worker),      cmocka_unit_test(test_worker_bad_uri),
                cmocka_unit_test(test_worker_hung), cmocka_unit_test(test_uri_redacted),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
