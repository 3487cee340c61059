/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the fabric's files only:
 *   fabric.c         the reconciler: passes, periodic ticks; the fabric
 *   fabric-host.c    the lab hosts: their transports, calls routed to them
 *   fabric-status.c  the answers: sync, status, ports, domains, metrics
 *   transport*.c     how requests reach a host (transport-private.h) */
#pragma once

#include <time.h>

#include "db/store.h"
#include "fabric.h"
#include "transport-private.h"

/* A host's agent and its libvirt worker. */
#define FABRIC_TRANSPORTS_MAX 2

struct fabric_host;

/* The end of a reconcile pass of host `h`: its results, or NULL and why. */
typedef void (*fabric_pass_fn)(struct fabric_host *h, struct json_object *results, const char *error,
                               void *userdata);

/* Someone waiting for the end of a pass. */
struct pass_waiter {
        struct pass_waiter *next;
        fabric_pass_fn fn;
        void *userdata;
};

/* Objects shared out among a host's transports: objs[i] go to its
 * transports[i]. */
struct fabric_parts {
        struct fobj *objs[FABRIC_TRANSPORTS_MAX];
        size_t n[FABRIC_TRANSPORTS_MAX];
};

struct fabric_host {
        struct fabric_host *next;
        struct fabric *f;
        char name[NAME_MAX_LEN + 1];
        /* [0] is the host's agent (over stdio, or local): its connection is
         * the host's, and its failure fails a pass. Any other (the libvirt
         * worker) is optional: its failures are logged and shown in its
         * own status, and leave its objects out. */
        struct transport *transports[FABRIC_TRANSPORTS_MAX];
        size_t n_transports;
        char error[600]; /* fabric_host_error()'s */
        bool closing;    /* its transports are being freed: no more calls */
        bool restarting; /* ... and new ones follow: passes asked for wait */
        char closing_why[64];
        /* The pass in flight. */
        bool in_pass, again;
        struct pass_waiter *waiting;   /* served by the pass in flight */
        struct pass_waiter *next_pass; /* need a pass started after now */
        struct fabric_parts pass_parts;
        size_t pass_step;                 /* the transport being called */
        struct json_object *pass_results; /* gathered so far */
        /* What the last finished pass found before repairing (metrics). */
        unsigned last_states[FOBJ_STATE_MAX];
        time_t last_pass;
};

struct fabric {
        struct event_base *base;
        struct store *store;
        struct transport_env env;
        struct fabric_host *hosts;
        struct event *tick;
};

/* ---- fabric.c: the reconciler ---- */

/* Start a pass of `h` now (one in flight is followed by another). */
void fabric_pass_start(struct fabric_host *h);
/* Run `fn` after a pass started from now on; connects the host first if
 * it is not (at once, not after its backoff). */
void fabric_pass_request(struct fabric_host *h, fabric_pass_fn fn, void *userdata);
/* Answer a list of waiters. */
void fabric_pass_finish(struct fabric_host *h, struct pass_waiter *l, struct json_object *results,
                        const char *error);
/* Share objs[0..n) out among h's transports: each to the first that
 * accepts its kind; one no transport accepts is left out. */
int fabric_parts_route(const struct fabric_host *h, const struct fobj *objs, size_t n,
                       struct fabric_parts *ret);
void fabric_parts_clear(struct fabric_parts *p);

/* ---- fabric-status.c ---- */

/* Give each of `results` (the answers about objs[0..n), in order) its
 * "detail": what tells the object apart (the peer of a flood entry, by
 * name and address; an address; a route's gateway), then how it drifted. */
void fabric_results_detail(struct fabric_host *h, struct json_object *results, const struct fobj *objs,
                           size_t n);

/* ---- fabric-host.c: one host ---- */

/* fabric_host_start() and fabric_host_stop() (fabric.h) live here too. */
/* Answers every call and waiter with "host removed", then frees. */
void fabric_host_free(struct fabric_host *h);
struct fabric_host *fabric_host_find(struct fabric *f, const char *name);
/* Whether the host's agent is connected. */
bool fabric_host_connected(struct fabric_host *h);
/* Why it is not: "host NAME: why", "" while connected or connecting. */
const char *fabric_host_error(struct fabric_host *h);
/* The error, or that it is still connecting. */
const char *fabric_host_why(struct fabric_host *h);
enum fabric_host_state fabric_host_state(struct fabric_host *h);
/* Send `req` (taken) to transport i; `done` gets its reply, or why not. */
void fabric_host_call(struct fabric_host *h, size_t i, struct json_object *req, transport_done_fn done,
                      void *userdata);
/* The index of the transport that answers `op`; -1: none. */
int fabric_host_transport_for(const struct fabric_host *h, enum agent_proto_op op);
