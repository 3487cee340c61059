/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the tests of the dnsmasq back ends share: a store fixture
 * (store-fixture.h) whose directory is netd's state directory, netd's
 * configuration, an event loop that reaps children like the daemon's, and
 * running that loop until a change is called back. One test at a time
 * (cmocka runs them in order), so the state is a static. Include after
 * <cmocka.h>. */
#pragma once

#include <event2/event.h>
#include <ftw.h>
#include <time.h>

#include "db/cluster.h"
#include "db/network.h"
#include "netd/core/config.h"
#include "netd/dnsmasq/dnsmasq.h"
#include "netd/loop/loop.h"
#include "netd/loop/proc.h"
#include "store-fixture.h"

struct done_state {
        int calls;
        int code;
        char message[512];
};

static struct dnsmasq_test {
        struct fixture *f;
        struct config cfg;
        struct event_base *base;
        struct event *tick;
        struct dnsmasq *d;
} dt;

static inline void dt_done(int code, const char *message, void *userdata) {
        struct done_state *st = userdata;

        st->calls++;
        st->code = code;
        strscpy(st->message, sizeof(st->message), message ? message : "");
}

static inline void dt_on_tick(evutil_socket_t fd _unused_, short what _unused_, void *arg _unused_) {
}

static inline int dt_setup(void **state, const char *prefix) {
        struct timeval tv = {.tv_usec = 50000};

        if (fixture_setup_prefix(state, prefix) < 0)
                return -1;
        dt = (struct dnsmasq_test){.f = *state};
        config_init(&dt.cfg);
        if (config_set(&dt.cfg, "state-dir", dt.f->dir, NULL) < 0)
                return -1;
        dt.base = event_base_new();
        if (!dt.base || event_base_priority_init(dt.base, PRIO_COUNT) < 0 || proc_init(dt.base) < 0)
                return -1;
        /* the loop never sleeps for long, so a wait can check its deadline */
        dt.tick = event_new(dt.base, -1, EV_PERSIST, dt_on_tick, NULL);
        if (!dt.tick || event_add(dt.tick, &tv) < 0)
                return -1;
        return 0;
}

static inline int dt_rm_entry(const char *path, const struct stat *st _unused_, int flag _unused_,
                              struct FTW *ftw) {
        return ftw->level > 0 ? remove(path) : 0;
}

static inline int dt_teardown(void **state) {
        dnsmasq_free(dt.d);
        if (dt.tick)
                event_free(dt.tick);
        proc_done();
        if (dt.base)
                event_base_free(dt.base);
        config_done(&dt.cfg);
        nftw(dt.f->dir, dt_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        dt = (struct dnsmasq_test){0};
        return fixture_teardown(state);
}

/* STATE_DIR/NAME, malloc'ed. */
static inline char *dt_path(const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dt.f->dir, name) > 0);
        return p;
}

static inline void dt_config(const char *key, const char *value) {
        struct netd_error err = {0};

        if (config_set(&dt.cfg, key, value, &err) < 0)
                fail_msg("config %s: %s", key, err.message);
}

static inline void dt_new(void) {
        struct netd_error err = {0};

        if (dnsmasq_new(dt.base, &dt.cfg, &dt.d, &err) < 0)
                fail_msg("dnsmasq_new: %s", err.message);
}

/* Run the loop until `*count` reaches `want` (15 s at most: longer than a
 * change may take). */
static inline void dt_run_until(const int *count, int want) {
        time_t deadline = time(NULL) + 15;

        while (*count < want) {
                if (time(NULL) > deadline)
                        fail_msg("timed out waiting for %d events (have %d)", want, *count);
                event_base_loop(dt.base, EVLOOP_ONCE);
        }
}

/* The change's callback ran, with `code`. */
static inline void dt_wait_done(struct done_state *st, int code) {
        int want = st->calls + 1;

        dt_run_until(&st->calls, want);
        if (st->code != code)
                fail_msg("change ended with %d (%s), not %d", st->code, st->message, code);
}

static inline void dt_sync(bool clusters, struct done_state *st, int code) {
        struct netd_error err = {0};

        if (dnsmasq_sync(dt.d, dt.f->s, clusters, dt_done, st, &err) < 0)
                fail_msg("dnsmasq_sync: %s", err.message);
        dt_wait_done(st, code);
}

static inline void dt_network_add(const char *name, const char *cidr, const char *domain, const char *iface) {
        struct network_spec spec = {.name = name, .cidr = cidr, .domain = domain, .interface = iface};
        struct netd_error err = {0};

        if (network_add(dt.f->s, &spec, NULL, &err) < 0)
                fail_msg("network_add %s: %s", name, err.message);
}

/* Allocate cluster `name` (sno, compact or mno) on `network`, with fixed
 * MACs so that the text is the same on every run. */
static inline struct cluster *dt_cluster_allocate(const char *name, const char *network, const char *topology,
                                                  const struct node_mac *macs, size_t n_macs) {
        struct cluster_spec spec = {.name = name,
                                    .networks = &network,
                                    .n_networks = network ? 1 : 0,
                                    .topology = topology,
                                    .masters = -1,
                                    .workers = -1,
                                    .macs = macs,
                                    .n_macs = n_macs};
        struct netd_error err = {0};
        struct cluster *c = NULL;
        bool created = false;

        if (cluster_allocate(dt.f->s, &spec, &c, &created, &err) < 0)
                fail_msg("cluster_allocate %s: %s", name, err.message);
        assert_true(created);
        return c;
}

/* The same, for a cluster the test does not look at. */
static inline void dt_cluster_add(const char *name, const char *network, const char *topology,
                                  const struct node_mac *macs, size_t n_macs) {
        cluster_free(dt_cluster_allocate(name, network, topology, macs, n_macs));
}

static inline struct cluster *dt_cluster_release(const char *name) {
        struct netd_error err = {0};
        struct cluster *c = NULL;

        if (cluster_release(dt.f->s, name, &c, &err) < 0)
                fail_msg("cluster_release %s: %s", name, err.message);
        return c;
}

static inline bool dt_exists(const char *path) {
        return access(path, F_OK) == 0;
}

/* Replace every `from` in malloc'ed `text` by `to`. */
static inline char *dt_replace(char *text, const char *from, const char *to) {
        size_t lf = strlen(from), lt = strlen(to), n = 0;
        char *out, *o;

        for (const char *s = strstr(text, from); s; s = strstr(s + lf, from))
                n++;
        out = malloc(strlen(text) + n * lt + 1);
        assert_non_null(out);
        o = out;
        for (const char *s = text, *hit; *s; s = hit + lf) {
                hit = strstr(s, from);
                if (!hit) {
                        strcpy(o, s);
                        o += strlen(s);
                        break;
                }
                memcpy(o, s, (size_t)(hit - s));
                o += hit - s;
                memcpy(o, to, lt);
                o += lt;
        }
        *o = '\0';
        free(text);
        return out;
}
