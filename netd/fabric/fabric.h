/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fabric side of netd: one connection per lab host (its agent, started
 * as `CMD netd agent --stdio` through /bin/sh -c, or in-process for
 * `--connect local`), and the reconciler that pushes each host's whole
 * desired state (db/desired.h) on agent (re)connect, on `fabric sync`, after
 * every change that concerns the host, and periodically. */
#pragma once

#include <time.h>

#include <event2/event.h>

#include "db/store.h"
#include "netd/core/fobj.h"

struct fabric;

/* Start connections to every host in `store`; libvirt requests are bounded
 * by `libvirt_timeout_s`. */
int fabric_new(struct event_base *base, struct store *store, unsigned libvirt_timeout_s, struct fabric **ret,
               struct netd_error *err);
/* Stop every agent; pending callbacks are dropped. */
void fabric_free(struct fabric *f);

#include <json-c/json.h>

/* Answer of a multi-host operation: `hosts` is a new array of
 * {"name","connected","state","error","objects":[{"kind","name","label",
 * "state","detail"}]} (NULL when code != 0). */
typedef void (*fabric_done_fn)(struct json_object *hosts, int code, const char *message, void *userdata);
/* Ports found on a bridge: a new array of names, or NULL with code/message. */
typedef void (*fabric_ports_fn)(struct json_object *ports, int code, const char *message, void *userdata);

/* A host was added / removed in the store: start / stop its agent. */
int fabric_host_start(struct fabric *f, const char *host, struct netd_error *err);
void fabric_host_stop(struct fabric *f, const char *host);
/* A host was changed in the store: its transports are made anew (the
 * agent restarts with the new command); passes asked for meanwhile wait
 * for the new agent. */
int fabric_host_restart(struct fabric *f, const char *host, struct netd_error *err);

/* A host's connection: connecting (not failed yet: the first start, or
 * since a change), connected, or failed with an error. */
enum fabric_host_state {
        FABRIC_HOST_CONNECTING,
        FABRIC_HOST_CONNECTED,
        FABRIC_HOST_FAILED,
};
const char *fabric_host_state_to_string(enum fabric_host_state s);
/* The state of `host` and, when failed, why ("host NAME: ..." into
 * `error`, else ""); NETD_ENOTFOUND when the fabric has no such host. */
int fabric_host_status(struct fabric *f, const char *host, char *error, size_t size,
                       enum fabric_host_state *ret);

/* Reconcile `hosts` (n == 0: every host) now; `done` gets each host's state
 * after the pass. A pass in flight is followed by a new one, so the answer
 * always reflects the store as it is now. Hosts that are not connected are
 * reported with their error (and their agent is restarted at once). */
void fabric_sync(struct fabric *f, const char *const *hosts, size_t n, fabric_done_fn done, void *userdata);
/* Read every host's actual state against its desired state (no change). */
void fabric_status(struct fabric *f, fabric_done_fn done, void *userdata);
/* The ports of `bridge` on `host` that netd did not create. */
void fabric_foreign_ports(struct fabric *f, const char *host, const char *bridge, fabric_ports_fn done,
                          void *userdata);

/* The domains of every host with a libvirt URI (`host` non-NULL: only that
 * one), in host name order: `done` gets (borrowed) an array of {"host", "domains":
 * [vm_to_json...] or null, "error": null or why the host did not answer}. */
typedef void (*fabric_domains_fn)(struct json_object *hosts, void *userdata);
void fabric_domains(struct fabric *f, const char *host, fabric_domains_fn done, void *userdata);

/* Each host's state for metrics, in no particular order. */
struct fabric_host_stats {
        const char *name;
        bool connected;
        bool has_libvirt, libvirt_connected;
        unsigned objects[FOBJ_STATE_MAX]; /* states found by the last pass, before repair */
        time_t last_pass;                 /* 0: none yet */
};
typedef void (*fabric_stats_fn)(const struct fabric_host_stats *s, void *userdata);
void fabric_stats(struct fabric *f, fabric_stats_fn fn, void *userdata);
