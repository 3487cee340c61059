/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt connections of the lab hosts. libvirt's API blocks (a qemu+ssh
 * host that went away can hold a call for as long as ssh waits), so each
 * host with a --libvirt URI gets a worker thread that owns its
 * virConnectPtr; the event loop hands it requests and gets replies through
 * a pipe, and never waits for it.
 *
 * The connection is opened on the first request, kept open, and re-opened
 * on the next request once libvirt reports it dead (keepalive, driven by
 * libvirt's own event loop thread). A request that gets no answer within
 * the timeout is answered with an error; while the worker is stuck in such
 * a call, new requests fail at once, so `fabric status` and `vm list`
 * report a dead host instead of waiting for it.
 *
 * Requests use the agent protocol (netd/core/agent-proto.h), the ops
 * served by AGENT_PROTO_LIBVIRT: check, apply and remove of
 * libvirt-network objects, and domains (-> [vm_to_json...]).
 */
#pragma once

#include <event2/event.h>
#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "netd/core/error.h"
#include "netd/core/fobj.h"

struct virt_conn;

/* `reply` is the worker's reply (borrowed), or NULL with `error` set. */
typedef void (*virt_done_fn)(struct json_object *reply, const char *error, void *userdata);

/* libvirt's last error of this thread, for messages ("unknown error" when none). */
const char *virt_last_error(void);

/* Once per process, before any connection: keep libvirt from printing its
 * errors, and run its event loop in a thread of its own for keepalives. */
int virt_init(struct netd_error *err);

/* A connection to `uri` for host `host`; nothing is opened until the first
 * request. `timeout_s` bounds every request. */
int virt_conn_new(struct event_base *base, const char *host, const char *uri, unsigned timeout_s,
                  struct virt_conn **ret, struct netd_error *err);
/* Callbacks of requests not yet answered run now with "host removed"; a
 * worker stuck in libvirt is left to finish on its own and then exits. */
void virt_conn_free(struct virt_conn *c);

/* Queue `req` (ownership taken); `done` runs on the event loop. */
void virt_conn_call(struct virt_conn *c, struct json_object *req, virt_done_fn done, void *userdata);

/* The connection as last seen: true when open; else `error` (may be "") says why. */
bool virt_conn_state(struct virt_conn *c, char *error, size_t size);
/* The URI as shown in messages: a password in it is masked. */
const char *virt_conn_uri(const struct virt_conn *c);

/* Whether the libvirt worker applies objects of `kind` (libvirt networks). */
bool virt_accepts(enum fobj_kind kind);

/* Run one request on an open connection (the worker's body, public for
 * tests). A new reply object. */
struct json_object *virt_handle(virConnectPtr conn, const char *host, struct json_object *req);
