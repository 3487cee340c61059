/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How requests of the agent protocol (netd/core/agent-proto.h) reach a lab
 * host: one transport per back end, one file each, behind one ops table.
 *
 *   transport-stdio.c    the agent, `/bin/sh -c "CMD netd agent --stdio"`
 *                        over a socketpair: hello, restart with backoff
 *   transport-local.c    the agent in-process, for `--connect local`
 *   transport-libvirt.c  the host's libvirt worker (--libvirt), netd/virt
 *
 * transport.c picks a host's transports from its record, the agent first.
 * The reconciler sends each object to the transport that accepts its kind
 * and each op to the transport that serves it; it never asks which one it
 * is. */
#pragma once

#include <event2/event.h>
#include <json-c/json.h>

#include "db/host.h"
#include "fabric.h"
#include "netd/core/agent-proto.h"

struct transport;
struct nl_ctx;

/* `reply` is the answer (borrowed), or NULL with `error` set. */
typedef void (*transport_done_fn)(struct json_object *reply, const char *error, void *userdata);

/* What a transport with a handshake (the agent over stdio) tells its host. */
struct transport_events {
        /* Connected: push the host's state. */
        void (*up)(void *userdata);
        /* Lost or failed to start; the calls in flight have been answered
         * with the reason, which transport_ops.state now reports. */
        void (*down)(void *userdata);
        void *userdata;
};

struct transport_ops {
        const char *name;      /* "agent", "libvirt": in logs and as the key of its status */
        const char *bad_reply; /* the error for an answer that is not the protocol's */
        unsigned server;       /* AGENT_PROTO_AGENT or AGENT_PROTO_LIBVIRT: the ops it serves */
        /* The object kinds it applies. */
        bool (*accepts)(enum fobj_kind kind);
        /* Connect now if not connected, without waiting out a backoff:
         * 1 when connected, 0 when a handshake is under way (up or down
         * follows), < 0 when it failed. NULL: connects on demand. */
        int (*connect)(struct transport *t);
        /* Send `req` (ownership taken); `done` runs with the reply, maybe
         * before this returns. */
        void (*call)(struct transport *t, struct json_object *req, transport_done_fn done, void *userdata);
        /* Whether it is connected; else `error` says why ("" unknown). */
        bool (*state)(struct transport *t, char *error, size_t size);
        /* Its own status object for `fabric status` ({"uri", "connected",
         * "error"}), `error` set as by state(); NULL: the host's is its. */
        struct json_object *(*status)(struct transport *t, char *error, size_t size);
        /* Fill its part of the host's metrics; NULL: none. */
        void (*stats)(struct transport *t, struct fabric_host_stats *st);
        /* Answer the calls in flight with "host removed", then free. */
        void (*free)(struct transport *t);
};

/* Every transport starts with this. */
struct transport {
        const struct transport_ops *ops;
};

/* What the transports of every host share. */
struct transport_env {
        struct event_base *base;
        struct nl_ctx *nl;          /* for --connect local; NULL: netlink unavailable */
        unsigned libvirt_timeout_s; /* bounds every libvirt request */
        unsigned agent_timeout_s;   /* bounds every agent request after the handshake */
};

/* Set up `env` (opens netd's own netlink socket; without it, local hosts
 * cannot be managed: logged, not an error). */
void transport_env_init(struct transport_env *env, struct event_base *base, unsigned libvirt_timeout_s);
void transport_env_clear(struct transport_env *env);

/* The transports host `rec` asks for, in order: its agent (local or over
 * stdio; not connected yet), then its libvirt worker when it has a
 * --libvirt URI. Up to `max` into ret[], their count in *ret_n. */
int transport_host_new(const struct transport_env *env, const struct host *rec,
                       const struct transport_events *ev, struct transport **ret, size_t max, size_t *ret_n,
                       struct netd_error *err);
void transport_free(struct transport *t);

/* Whether `t` applies objects of `kind` / answers `op`. */
bool transport_accepts(const struct transport *t, enum fobj_kind kind);
bool transport_serves(const struct transport *t, enum agent_proto_op op);

/* The back ends (one file each). */
/* `CONNECT AGENT agent --stdio` through /bin/sh -c. */
int transport_stdio_new(const struct transport_env *env, const char *host, const char *connect,
                        const char *agent, const struct transport_events *ev, struct transport **ret,
                        struct netd_error *err);
int transport_local_new(const struct transport_env *env, struct transport **ret, struct netd_error *err);
int transport_libvirt_new(const struct transport_env *env, const char *host, const char *uri,
                          struct transport **ret, struct netd_error *err);
