/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the tests that run against the real kernel, in a private
 * network namespace made by the test process (it vanishes with it): the
 * netlink layer (test-netlink.c) and the agent (test-agent.c). Out-of-band
 * changes and independent verification use `ip` and `bridge`. */
#pragma once

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "netd/core/fobj.h"
#include "netd/core/prefix.h"
#include "netd/netlink/netlink.h"

static inline int sh_status(const char *fmt, ...) _printf_(1, 2);
static inline int sh_status(const char *fmt, ...) {
        char cmd[1024];
        va_list ap;
        int r;

        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        r = system(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

#define sh(...) assert_int_equal(sh_status(__VA_ARGS__), 0)

/* The JSON output of a command (ip -j ...). */
static inline struct json_object *sh_json(const char *fmt, ...) _printf_(1, 2);
static inline struct json_object *sh_json(const char *fmt, ...) {
        char cmd[1024], out[65536];
        struct json_object *j;
        size_t n = 0, k;
        va_list ap;
        FILE *f;

        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        f = popen(cmd, "r");
        assert_non_null(f);
        while ((k = fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
                n += k;
        out[n] = '\0';
        pclose(f);
        j = json_tokener_parse(out);
        assert_non_null(j);
        return j;
}

/* `ip -d link show dev NAME` as a JSON object (the array's one element). */
static inline struct json_object *ip_link(const char *name) {
        struct json_object *a = sh_json("ip -j -d link show dev %s", name), *o;

        assert_int_equal(json_object_array_length(a), 1);
        o = json_object_get(json_object_array_get_idx(a, 0));
        json_object_put(a);
        return o;
}

static inline struct json_object *path(struct json_object *o, const char *a, const char *b, const char *c) {
        struct json_object *v = o;

        if (a && !json_object_object_get_ex(v, a, &v))
                return NULL;
        if (b && !json_object_object_get_ex(v, b, &v))
                return NULL;
        if (c && !json_object_object_get_ex(v, c, &v))
                return NULL;
        return v;
}

static inline const char *link_str(struct json_object *o, const char *a, const char *b, const char *c) {
        struct json_object *v = path(o, a, b, c);

        return v ? json_object_get_string(v) : "";
}

static inline int64_t link_int(struct json_object *o, const char *a, const char *b, const char *c) {
        struct json_object *v = path(o, a, b, c);

        return v ? json_object_get_int64(v) : -1;
}

static inline bool link_up(struct json_object *o) {
        struct json_object *flags = path(o, "flags", NULL, NULL);

        for (size_t i = 0; flags && i < json_object_array_length(flags); i++)
                if (streq(json_object_get_string(json_object_array_get_idx(flags, i)), "UP"))
                        return true;
        return false;
}

static inline bool link_exists(const char *name) {
        return sh_status("ip link show dev %s >/dev/null 2>&1", name) == 0;
}

static inline struct fobj bridge(const char *name, unsigned mtu) {
        struct fobj o = {.kind = FOBJ_BRIDGE, .mtu = mtu};

        strscpy(o.name, sizeof(o.name), name);
        return o;
}

static inline struct fobj veth(const char *name, const char *peer, const char *master,
                               const char *peer_master, unsigned mtu) {
        struct fobj o = {.kind = FOBJ_VETH, .mtu = mtu};

        strscpy(o.name, sizeof(o.name), name);
        strscpy(o.peer, sizeof(o.peer), peer);
        strscpy(o.master, sizeof(o.master), master);
        strscpy(o.peer_master, sizeof(o.peer_master), peer_master);
        return o;
}

static inline struct fobj vxlan(const char *name, uint32_t vni, const char *local, const char *master,
                                unsigned mtu) {
        struct fobj o = {.kind = FOBJ_VXLAN, .vni = vni, .mtu = mtu, .dstport = VXLAN_DSTPORT};

        strscpy(o.name, sizeof(o.name), name);
        strscpy(o.master, sizeof(o.master), master);
        assert_int_equal(addr_parse(local, &o.local, NULL), 0);
        return o;
}

static inline struct fobj port(const char *name, const char *master) {
        struct fobj o = {.kind = FOBJ_PORT};

        strscpy(o.name, sizeof(o.name), name);
        strscpy(o.master, sizeof(o.master), master);
        return o;
}

static inline struct fobj address(const char *dev, const char *a, unsigned prefixlen) {
        struct fobj o = {.kind = FOBJ_ADDRESS, .prefixlen = prefixlen};

        strscpy(o.dev, sizeof(o.dev), dev);
        assert_int_equal(addr_parse(a, &o.addr, NULL), 0);
        return o;
}

static inline struct fobj route(const char *dst, const char *gw, const char *dev) {
        struct fobj o = {.kind = FOBJ_ROUTE};

        strscpy(o.dev, sizeof(o.dev), dev);
        assert_int_equal(prefix_parse(dst, &o.dst, NULL), 0);
        assert_int_equal(addr_parse(gw, &o.addr, NULL), 0);
        return o;
}

static inline struct fobj fdb(const char *dev, const char *remote) {
        struct fobj o = {.kind = FOBJ_FDB};

        strscpy(o.dev, sizeof(o.dev), dev);
        assert_int_equal(addr_parse(remote, &o.addr, NULL), 0);
        return o;
}

/* The netlink socket of the test's namespace, opened by netlink_setup(). */
static struct nl_ctx *ctx;

static inline int netlink_setup(void **state) {
        struct netd_error err = {0};

        (void)state;
        if (netlink_open(&ctx, &err) < 0) {
                fprintf(stderr, "%s\n", err.message);
                return -1;
        }
        return 0;
}

static inline int netlink_teardown(void **state) {
        (void)state;
        netlink_close(ctx);
        return 0;
}

/* Run `tests` in a network namespace of their own. Needs root; skips (77)
 * only when namespaces are refused outside CI. */
static inline int netns_run_group_tests(const char *name, const struct CMUnitTest *tests, size_t n,
                                        CMFixtureFunction setup, CMFixtureFunction teardown) {
        if (unshare(CLONE_NEWNET) < 0) {
                int e = errno;

                if (e == EPERM && !streq(getenv("CI"), "true")) {
                        fprintf(stderr, "%s: cannot make a network namespace (%s), skipping\n", name,
                                strerror(e));
                        return 77;
                }
                fprintf(stderr, "%s: unshare(CLONE_NEWNET): %s\n", name, strerror(e));
                return 1;
        }
        if (sh_status("ip link set lo up") != 0) {
                fprintf(stderr, "%s: cannot bring lo up (is iproute2 installed?)\n", name);
                return 1;
        }
        return _cmocka_run_group_tests(name, tests, n, setup, teardown);
}
