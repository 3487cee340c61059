/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The front of netd's dnsmasq side: the public API, the waiters and their
 * callbacks, and the one place that picks a back end by mode. */
#include <dirent.h>
#include <time.h>

#include "dnsmasq-private.h"
#include "netd/core/file.h"
#include "netd/core/log.h"
#include "netd/core/stats.h"
#include "netd/loop/loop.h"

static const struct dnsmasq_ops *ops_for(enum dnsmasq_mode mode) {
        switch (mode) {
        case DNSMASQ_MANAGED:
                return &dnsmasq_managed_ops;
        case DNSMASQ_EXTERNAL:
                return &dnsmasq_external_ops;
        case DNSMASQ_OFF:
                break;
        }
        return &dnsmasq_off_ops;
}

uint64_t dnsmasq_now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void dnsmasq_timer_arm(struct event *ev, uint64_t usec) {
        struct timeval tv = {.tv_sec = (time_t)(usec / 1000000), .tv_usec = (suseconds_t)(usec % 1000000)};

        evtimer_add(ev, &tv);
}

void dnsmasq_flush_schedule(struct dnsmasq *d) {
        event_active(d->flush_ev, 0, 0);
}

/* ---- waiters ----------------------------------------------------------- */

static void waiter_free(struct dnsmasq_waiter *w) {
        if (!w)
                return;
        if (w->d->ops->waiter_done)
                w->d->ops->waiter_done(w);
        free(w);
}

static void waiter_unlink(struct dnsmasq_waiter *w) {
        for (struct dnsmasq_waiter **p = &w->d->waiters; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        return;
                }
}

void dnsmasq_waiter_finish(struct dnsmasq_waiter *w, int code, const char *message) {
        dnsmasq_done_fn done = w->done;
        void *userdata = w->userdata;

        waiter_unlink(w);
        log_debug("dnsmasq: change %s after %.1f ms", code ? "failed" : "served",
                  (double)(dnsmasq_now_us() - w->started_us) / 1000.0);
        if (!code)
                stats_observe(STATS_DNSMASQ_CHANGE, (double)(dnsmasq_now_us() - w->started_us) / 1e6);
        waiter_free(w);
        if (done)
                done(code, message, userdata);
}

static struct dnsmasq_waiter *waiter_new(struct dnsmasq *d, dnsmasq_done_fn done, void *userdata) {
        struct dnsmasq_waiter *w = calloc(1, d->ops->waiter_size);

        if (!w)
                return NULL;
        w->d = d;
        w->state = DNSMASQ_WAITER_QUEUED;
        w->started_us = dnsmasq_now_us();
        w->deadline_us = w->started_us + DNSMASQ_CHANGE_TIMEOUT_US;
        w->done = done;
        w->userdata = userdata;
        return w;
}

/* After the back end's part: `r` says whether `w` waits (0), is done (1)
 * or failed (< 0, nothing is called back). */
static int waiter_start(struct dnsmasq_waiter *w, int r) {
        struct dnsmasq_waiter **p = &w->d->waiters;

        if (r < 0) {
                waiter_free(w);
                return r;
        }
        if (r > 0) {
                dnsmasq_done_fn done = w->done;
                void *userdata = w->userdata;

                waiter_free(w);
                done(0, NULL, userdata);
                return 0;
        }
        while (*p)
                p = &(*p)->next;
        *p = w;
        dnsmasq_flush_schedule(w->d);
        return 0;
}

static void on_flush(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct dnsmasq *d = arg;

        if (d->ops->flush)
                d->ops->flush(d);
}

/* ---- services for the back ends ------------------------------------------ */

int dnsmasq_store_load(struct dnsmasq *d, struct store *s, bool clusters, struct cluster ***ret_cl,
                       size_t *ret_n, struct netd_error *err) {
        int r;

        *ret_cl = NULL;
        *ret_n = 0;
        network_list_free(d->networks, d->n_networks);
        d->networks = NULL;
        d->n_networks = 0;
        r = network_list(s, &d->networks, &d->n_networks, err);
        if (r < 0 || !clusters)
                return r;
        return cluster_list(s, NULL, ret_cl, ret_n, err);
}

bool dnsmasq_clusters_have(const struct dnsmasq_clusters *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->cl[i]->name, name))
                        return true;
        return false;
}

void dnsmasq_dir_prune(const char *dir, dnsmasq_keep_fn keep, void *userdata) {
        DIR *dh = opendir(dir);
        struct dirent *de;

        if (!dh)
                return;
        while ((de = readdir(dh))) {
                _cleanup_free_ char *path = NULL;

                if (de->d_name[0] == '.' && !file_name_is_temp(de->d_name))
                        continue;
                path = file_path_join(dir, de->d_name);
                if (!path || keep(de->d_name, path, userdata))
                        continue;
                log_info("dnsmasq: removing stale %s", path);
                unlink(path);
        }
        closedir(dh);
}

/* ---- the public API ------------------------------------------------------ */

int dnsmasq_new(struct event_base *base, const struct config *cfg, struct dnsmasq **ret,
                struct netd_error *err) {
        const struct dnsmasq_ops *ops = ops_for(cfg->dnsmasq_mode);
        struct dnsmasq *d = calloc(1, ops->object_size);
        int r;

        if (!d)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        d->ops = ops;
        d->base = base;
        d->cfg = cfg;
        d->flush_ev = event_new(base, -1, 0, on_flush, d);
        if (!d->flush_ev) {
                free(d);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        /* The flush runs after every request handled in the same iteration. */
        event_priority_set(d->flush_ev, PRIO_FLUSH);
        r = ops->init ? ops->init(d, err) : 0;
        if (r < 0) {
                dnsmasq_free(d);
                return r;
        }
        *ret = d;
        return 0;
}

void dnsmasq_free(struct dnsmasq *d) {
        if (!d)
                return;
        if (d->ops->done)
                d->ops->done(d);
        while (d->waiters) {
                struct dnsmasq_waiter *w = d->waiters;
                d->waiters = w->next;
                waiter_free(w);
        }
        event_free(d->flush_ev);
        network_list_free(d->networks, d->n_networks);
        free(d);
}

void dnsmasq_cancel(struct dnsmasq *d, void *userdata) {
        for (struct dnsmasq_waiter *w = d->waiters; w; w = w->next)
                if (w->userdata == userdata)
                        w->done = NULL;
}

static int change(struct dnsmasq *d, const struct cluster *c, const struct cluster *old, dnsmasq_done_fn done,
                  void *userdata, struct netd_error *err) {
        struct dnsmasq_waiter *w = waiter_new(d, done, userdata);

        if (!w)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        return waiter_start(w, d->ops->change(d, c, old, w, err));
}

int dnsmasq_cluster_set(struct dnsmasq *d, const struct cluster *c, const struct cluster *old,
                        dnsmasq_done_fn done, void *userdata, struct netd_error *err) {
        return change(d, c, old, done, userdata, err);
}

int dnsmasq_cluster_remove(struct dnsmasq *d, const struct cluster *old, dnsmasq_done_fn done, void *userdata,
                           struct netd_error *err) {
        return change(d, NULL, old, done, userdata, err);
}

int dnsmasq_sync(struct dnsmasq *d, struct store *s, bool clusters, dnsmasq_done_fn done, void *userdata,
                 struct netd_error *err) {
        struct dnsmasq_waiter *w = waiter_new(d, done, userdata);

        if (!w)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        return waiter_start(w, d->ops->sync(d, s, clusters, w, err));
}
