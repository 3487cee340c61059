/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Accepting connections within limits (the control socket, /metrics):
 *  - at most `max_total` connections, and `max_per_uid` per peer uid (Unix
 *    sockets, SO_PEERCRED). A connection past a cap makes room by closing
 *    the least recently active idle one (idle for at least
 *    LISTENER_IDLE_GRACE_MS, so that a client that just connected is not
 *    taken for an idle one); when none is idle it is refused with a reason.
 *  - Out of descriptors (EMFILE, ENFILE), the least recently active idle
 *    connection of any listener is closed to make room; when there is none,
 *    accepting pauses instead of spinning, and resumes on a timer or as soon
 *    as any connection closes. A reserve descriptor (/dev/null, kept open)
 *    lets one connection of uid 0 through meanwhile, so that a root netctl
 *    still gets an answer; the others waiting are told why and closed.
 *  - Repeated failures are logged at most once a second per kind. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "netd/core/error.h"

#define LISTENER_IDLE_GRACE_MS 1000
#define LISTENER_NO_UID ((uid_t)-1)

struct listener;

/* Embedded in each connection a listener accepted. */
struct listener_conn {
        struct listener_conn *prev, *next; /* least recently active first */
        struct listener *l;
        uid_t uid;          /* the peer's; LISTENER_NO_UID on TCP */
        uint64_t active_ms; /* last activity, CLOCK_MONOTONIC */
};

struct listener_ops {
        /* Set up a connection on `fd` (peer `cred`, NULL on TCP). Returns its
         * listener_conn, or NULL (the listener then closes fd). */
        struct listener_conn *(*accept)(void *userdata, int fd, const struct ucred *cred);
        /* Whether closing the connection loses nothing: no request being
         * answered, no reply unsent, no partial request. */
        bool (*idle)(struct listener_conn *c);
        /* Close it now (room is needed); it calls listener_conn_release(). */
        void (*evict)(struct listener_conn *c);
        /* Tell the peer on `fd` why it is refused (a write that does not
         * block); the listener closes fd. */
        void (*refuse)(void *userdata, int fd, const char *why);
};

struct listener_limits {
        const char *name; /* "control", "metrics": log lines start with it */
        unsigned max_total;
        unsigned max_per_uid; /* 0: none */
        bool root_reserve;    /* Unix socket: the reserve lets uid 0 through */
};

/* Accept on the listening socket `fd` (taken, closed by listener_free()). */
int listener_new(struct event_base *base, int fd, const struct listener_limits *limits,
                 const struct listener_ops *ops, void *userdata, struct listener **ret,
                 struct netd_error *err);
/* Stop accepting and close the socket; connections stay with their owner,
 * who releases them first. */
void listener_free(struct listener *l);
/* Connections accepted and not yet released. */
unsigned listener_count(const struct listener *l);

/* The peer did something (sent bytes, was answered): not idle since now. */
void listener_conn_touch(struct listener_conn *c);
/* The connection is closed: its descriptor is free again (a paused
 * listener resumes, the reserve is taken back). Accepts NULL lists. */
void listener_conn_release(struct listener_conn *c);
