/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside netd/dnsmasq: the front (dnsmasq.c) and the back ends behind it,
 * one file per mode (config.h's --dnsmasq):
 *
 *   dnsmasq-managed.c   netd's own dnsmasq: hostsdir files, SIGHUP or restart, with
 *     dnsmasq-managed-verify.c  probes asking dnsmasq, then dhcp_release(6)
 *     dnsmasq-child.c           the supervised dnsmasq process
 *     dnsmasq-responder.c       netd's DNS responder for `*.apps` and the rest
 *   dnsmasq-external.c  conf-dir snippets, `dnsmasq --test`, reload command
 *   dnsmasq-off.c       nothing; every change is done at once
 *
 * The text of every file comes from dnsmasq-conf.c (network level) and
 * dnsmasq-conf-cluster.c (a cluster's lines), the DNS wire format from
 * dns.c.
 *
 * The front owns the public API, the network list and the waiters: one
 * waiter per change, finished (its callback run) when the back end has made
 * the change live. A back end's object begins with `struct dnsmasq` and its
 * waiters with `struct dnsmasq_waiter`; the ops table gives their sizes. */
#pragma once

#include <stdint.h>

#include "db/network.h"
#include "dnsmasq.h"

#define DNSMASQ_CHANGE_TIMEOUT_US (10 * 1000 * 1000)

enum dnsmasq_waiter_state {
        DNSMASQ_WAITER_TESTING,   /* external: `dnsmasq --test` of a new snippet runs */
        DNSMASQ_WAITER_QUEUED,    /* files written; waits for the next SIGHUP/reload */
        DNSMASQ_WAITER_PROBING,   /* managed: asking dnsmasq until it serves the change */
        DNSMASQ_WAITER_RELEASING, /* managed: dhcp_release(6) runs / leases disappear */
        DNSMASQ_WAITER_RELOADING, /* external: the reload command runs */
};

struct dnsmasq_waiter {
        struct dnsmasq_waiter *next;
        struct dnsmasq *d;
        enum dnsmasq_waiter_state state;
        uint64_t started_us, deadline_us;
        unsigned procs; /* children still running for this waiter */
        dnsmasq_done_fn done;
        void *userdata;
};

struct dnsmasq {
        const struct dnsmasq_ops *ops;
        struct event_base *base;
        const struct config *cfg;
        struct network **networks; /* as of the last dnsmasq_sync() */
        size_t n_networks;
        struct event *flush_ev;
        struct dnsmasq_waiter *waiters; /* oldest first */
};

struct dnsmasq_ops {
        size_t object_size; /* the back end's object, starting with struct dnsmasq */
        size_t waiter_size; /* its waiter, starting with struct dnsmasq_waiter */
        /* Set up after the front (may be NULL); `done` runs even when it failed. */
        int (*init)(struct dnsmasq *d, struct netd_error *err);
        /* Stop children and free what init made (may be NULL). */
        void (*done)(struct dnsmasq *d);
        /* The back end's part of dnsmasq_sync() and of a cluster change
         * (`c` NULL: `old` was released). Each returns 0 when `w` must wait
         * (the front queues it), 1 when the change is done already (the
         * front runs the callback at once), or a negative NETD_E*. */
        int (*sync)(struct dnsmasq *d, struct store *s, bool clusters, struct dnsmasq_waiter *w,
                    struct netd_error *err);
        int (*change)(struct dnsmasq *d, const struct cluster *c, const struct cluster *old,
                      struct dnsmasq_waiter *w, struct netd_error *err);
        /* Make the queued waiters' changes live; runs after every request of
         * a loop iteration (PRIO_FLUSH). May be NULL when nothing queues. */
        void (*flush)(struct dnsmasq *d);
        /* Free the back end's part of a waiter (may be NULL). */
        void (*waiter_done)(struct dnsmasq_waiter *w);
};

extern const struct dnsmasq_ops dnsmasq_managed_ops;
extern const struct dnsmasq_ops dnsmasq_external_ops;
extern const struct dnsmasq_ops dnsmasq_off_ops;

/* ---- what the front offers the back ends ---- */

uint64_t dnsmasq_now_us(void);
void dnsmasq_timer_arm(struct event *ev, uint64_t usec);

/* Reload d->networks from the store and, when `clusters`, list every
 * cluster into *ret_cl (else *ret_cl = NULL, *ret_n = 0). */
int dnsmasq_store_load(struct dnsmasq *d, struct store *s, bool clusters, struct cluster ***ret_cl,
                       size_t *ret_n, struct netd_error *err);

/* A list of clusters (from cluster_list()), and whether it has `name`. */
struct dnsmasq_clusters {
        struct cluster *const *cl;
        size_t n;
};
bool dnsmasq_clusters_have(const struct dnsmasq_clusters *l, const char *name);

/* Remove the files of `dir` that `keep` does not want: the files of
 * clusters released while netd was down. Dotfiles are skipped, except
 * the temporary files of an interrupted atomic write. */
typedef bool (*dnsmasq_keep_fn)(const char *name, const char *path, void *userdata);
void dnsmasq_dir_prune(const char *dir, dnsmasq_keep_fn keep, void *userdata);

/* Make the front run the back end's flush in this loop iteration. */
void dnsmasq_flush_schedule(struct dnsmasq *d);
/* Unlink `w`, run its callback (unless cancelled) and free it. */
void dnsmasq_waiter_finish(struct dnsmasq_waiter *w, int code, const char *message);

/* ---- the responder (dnsmasq-responder.c), used by the managed mode ---- */

/* The name netd asks its own dnsmasq for to learn that it is up and forwards
 * to the responder; the responder answers it with 127.0.0.1. */
#define DNSMASQ_RESPONDER_READY_NAME "ready.netd.invalid"

struct dnsmasq_responder;

/* Answer on 127.0.0.1 (a free port) from the loop of `base`. */
int dnsmasq_responder_new(struct event_base *base, struct dnsmasq_responder **ret, struct netd_error *err);
void dnsmasq_responder_free(struct dnsmasq_responder *r);
unsigned dnsmasq_responder_port(const struct dnsmasq_responder *r);
/* Serve the names of cluster `c` (a copy is kept), replacing its old ones. */
int dnsmasq_responder_zone_set(struct dnsmasq_responder *r, const struct cluster *c, struct netd_error *err);
void dnsmasq_responder_zone_remove(struct dnsmasq_responder *r, const char *cluster);
void dnsmasq_responder_zones_clear(struct dnsmasq_responder *r);
/* What the responder answers for `name` (lowercase, no trailing dot), as a
 * dns_lookup_fn: 1 = *ret set, 0 = no address of that family, -1 = unknown. */
int dnsmasq_responder_lookup(const struct dnsmasq_responder *r, const char *name, int family,
                             struct addr *ret);

/* ---- the managed mode's dnsmasq process (dnsmasq-child.c) ---- */

struct dnsmasq_child;

/* Stops a dnsmasq an earlier netd left running on `conf_path`; starts none. */
int dnsmasq_child_new(struct event_base *base, const struct config *cfg, const char *conf_path,
                      const char *pid_path, struct dnsmasq_child **ret, struct netd_error *err);
/* Stops the child and waits for it. */
void dnsmasq_child_free(struct dnsmasq_child *c);
bool dnsmasq_child_running(const struct dnsmasq_child *c);
/* Start it unless it runs; a failed start is retried from a timer. */
void dnsmasq_child_start(struct dnsmasq_child *c);
/* Stop it and start it again (it re-reads dnsmasq.conf and every file),
 * at once: no back-off. */
void dnsmasq_child_restart(struct dnsmasq_child *c);
/* Which start of the child answers now (1 for the first, 2 after a
 * restart, ...); 0 while none does (stopped, or a restart is under way). */
unsigned dnsmasq_child_generation(const struct dnsmasq_child *c);
/* The generation that answers once the restarts asked for are done. */
unsigned dnsmasq_child_generation_next(const struct dnsmasq_child *c);
/* Its version (read once, at start) survives a SIGHUP with tagged DHCP
 * hosts: 2.91 or later. False until the version is known. */
bool dnsmasq_child_hup_safe(const struct dnsmasq_child *c);
/* SIGHUP it now, or once it has answered a query (before, it would die). */
void dnsmasq_child_hup(struct dnsmasq_child *c);
/* It answered a query: from now on it survives a SIGHUP. */
void dnsmasq_child_answered(struct dnsmasq_child *c);
