/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <grp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "control.h"
#include "listener.h"
#include "netd/core/file.h"
#include "netd/core/log.h"
#include "netd/loop/loop.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

#define NETD_GROUP "netd"
#define NETD_ADMIN_GROUP "netd-admin"

/* Connections: far above what netctl and scripts need at once, far below
 * the unit's LimitNOFILE. Past a cap, the least recently active idle
 * connection makes room (listener.h). */
#define CONTROL_MAX_CONNECTIONS 1024
#define CONTROL_MAX_PER_UID 256
/* Replies a peer has not read: past this (beyond the one reply it is
 * reading) the peer is closed; a reply of any size still goes out whole. */
#define CONTROL_MAX_UNREAD (4 * 1024 * 1024)
/* All peers together; looked at once one holds more than CONTROL_UNREAD_SUM_FROM. */
#define CONTROL_MAX_UNREAD_TOTAL (64 * 1024 * 1024)
#define CONTROL_UNREAD_SUM_FROM (256 * 1024)
/* Requests a client pipelined are answered this many at a time; then the
 * others get their turn (the loop polls) before the next ones. */
#define CONTROL_LINES_PER_TURN 32

struct conn;

struct control {
        struct event_base *base;
        control_dispatch_fn dispatch;
        void *userdata;
        bool holding; /* replies wait in `held` until control_release_held() */
        struct listener *listener;
        char *path;
        bool has_group, has_admin_group;
        gid_t group, admin_group;
        struct conn *conns;
        struct log_ratelimit rl_denied, rl_bad, rl_unread;
};

struct conn {
        struct listener_conn lc; /* the listener's caps and idle order */
        struct conn *next;
        struct control *ctl;
        struct bufferevent *bev;
        struct ucred peer;
        enum proto_access access; /* what the peer may run */
        bool closing;             /* close once the output is written */
        bool eof;                 /* the peer has shut down its side */
        bool processing;          /* inside conn_process() */
        bool aborted;             /* does not read its replies: close now */
        bool more;                /* lines left for its next turn */
        struct event *next_turn;
        struct evbuffer *held;   /* replies waiting for the batch's COMMIT */
        struct request *pending; /* the request being answered */
};

static struct conn *conn_of(struct listener_conn *lc) {
        return (struct conn *)((char *)lc - offsetof(struct conn, lc));
}

static void conn_process(struct conn *c);

static void conn_free(struct conn *c) {
        for (struct conn **p = &c->ctl->conns; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        if (c->pending)
                request_detach(c->pending);
        if (c->held)
                evbuffer_free(c->held);
        if (c->next_turn)
                event_free(c->next_turn);
        bufferevent_free(c->bev);
        listener_conn_release(&c->lc);
        free(c);
}

/* Reply bytes the peer has not read yet (beyond the socket's buffer). */
static size_t conn_unread(struct conn *c) {
        return evbuffer_get_length(bufferevent_get_output(c->bev)) + evbuffer_get_length(c->held);
}

static bool conn_idle(struct conn *c) {
        return conn_unread(c) == 0;
}

/* Closing, and nothing left to write (or no one to read it). */
static bool conn_done(struct conn *c) {
        return c->aborted || (c->closing && conn_idle(c));
}

static size_t control_unread(struct control *ctl) {
        size_t n = 0;

        for (struct conn *c = ctl->conns; c; c = c->next)
                n += conn_unread(c);
        return n;
}

/* A peer that does not read its replies: drop what it did not read and
 * close it (freed by the caller's path, once nothing uses it any more). */
static void conn_abort_unread(struct conn *c, size_t unread, const char *limit) {
        log_warn_ratelimited(&c->ctl->rl_unread,
                             "control: peer uid %u pid %d does not read its replies (%zu KiB unread, %s): "
                             "closing the connection",
                             (unsigned)c->peer.uid, (int)c->peer.pid, unread / 1024, limit);
        evbuffer_drain(c->held, evbuffer_get_length(c->held));
        bufferevent_disable(c->bev, EV_READ | EV_WRITE);
        c->closing = true;
        c->aborted = true;
}

static void conn_write(struct conn *c, char *line) {
        size_t before, unread;

        if (!line)
                return;
        if (c->aborted) {
                free(line); /* nobody reads it */
                return;
        }
        before = conn_unread(c);
        /* No answer may leave before the changes it reports are durable. */
        if (c->ctl->holding && c->held)
                evbuffer_add(c->held, line, strlen(line));
        else
                bufferevent_write(c->bev, line, strlen(line));
        free(line);
        unread = conn_unread(c);
        if (before > 0 && unread > CONTROL_MAX_UNREAD)
                conn_abort_unread(c, unread, "limit 4 MiB");
        else if (unread > CONTROL_UNREAD_SUM_FROM && control_unread(c->ctl) > CONTROL_MAX_UNREAD_TOTAL)
                conn_abort_unread(c, unread, "all peers together past 64 MiB");
}

void control_hold(struct control *ctl) {
        ctl->holding = true;
}

void control_release_held(struct control *ctl) {
        if (!ctl)
                return;
        ctl->holding = false;
        for (struct conn *c = ctl->conns; c; c = c->next)
                if (evbuffer_get_length(c->held) > 0)
                        bufferevent_write_buffer(c->bev, c->held);
}

void control_fail_held(struct control *ctl, int code, const char *message) {
        if (!ctl)
                return;
        ctl->holding = false;
        for (struct conn *c = ctl->conns; c; c = c->next) {
                char *line;
                size_t len;

                /* A success would report what was rolled back, an internal
                 * or unavailable error may be the same failure seen
                 * earlier (a file that did not fit); other errors (invalid,
                 * conflict, ...) stay as they were. */
                while ((line = evbuffer_readln(c->held, &len, EVBUFFER_EOL_LF))) {
                        struct json_object *data = NULL;
                        int rc = proto_reply_parse(line, len, &data, NULL);

                        json_object_put(data);
                        if (rc == 0 || rc == NETD_EINTERNAL || rc == NETD_EUNAVAILABLE) {
                                free(line);
                                line = proto_reply_format_error(code, message);
                                if (line)
                                        bufferevent_write(c->bev, line, strlen(line));
                        } else {
                                bufferevent_write(c->bev, line, len);
                                bufferevent_write(c->bev, "\n", 1);
                        }
                        free(line);
                }
        }
}

static void on_request_finish(void *owner, struct request *r _unused_, char *line) {
        struct conn *c = owner;

        c->pending = NULL;
        listener_conn_touch(&c->lc);
        conn_write(c, line);
        /* Requests the client pipelined behind this one (unless the loop in
         * conn_process() that called us goes on with them). */
        if (!c->processing)
                conn_process(c);
}

/* Close once everything queued for the peer is written. */
static void conn_close_after_write(struct conn *c) {
        c->closing = true;
        bufferevent_disable(c->bev, EV_READ);
        if (conn_done(c) && !c->processing)
                conn_free(c);
}

static void conn_reply_error_and_close(struct conn *c, int code, const char *message) {
        conn_write(c, proto_reply_format_error(code, message));
        conn_close_after_write(c);
}

/* Answer every complete line in the input, one at a time: a request that
 * waits for dnsmasq holds back the ones behind it on this connection. */
static void conn_process_lines(struct conn *c);

static void conn_process(struct conn *c) {
        c->processing = true;
        conn_process_lines(c);
        c->processing = false;
        if (c->eof && !c->pending && !c->closing && !c->more)
                conn_close_after_write(c);
        else if (conn_done(c))
                conn_free(c);
}

/* A command without a level is run as the most privileged one. */
static bool conn_may_run(const struct conn *c, const struct proto_command *cmd) {
        enum proto_access need = cmd->access == PROTO_ACCESS_NONE ? PROTO_ACCESS_ADMIN : cmd->access;

        return c->access >= need;
}

static void conn_process_lines(struct conn *c) {
        struct evbuffer *in = bufferevent_get_input(c->bev);
        unsigned n = 0;

        while (!c->pending && !c->closing) {
                if (n++ == CONTROL_LINES_PER_TURN) {
                        struct timeval now = {0};

                        c->more = true;
                        evtimer_add(c->next_turn, &now);
                        return;
                }
                struct evbuffer_ptr eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
                const struct proto_command *cmd;
                struct json_object *args;
                struct netd_error err = {0};
                struct request *r;
                size_t len;
                char *line;

                if (eol.pos < 0) {
                        len = evbuffer_get_length(in);
                        if (len > PROTO_MAX_MESSAGE) {
                                conn_reply_error_and_close(c, NETD_EINVALID, "request too large");
                                return;
                        }
                        if (!c->eof || len == 0)
                                return;
                        /* A last request without its newline: take the rest. */
                        line = malloc(len + 1);
                        if (!line || evbuffer_remove(in, line, len) != (int)len) {
                                free(line);
                                conn_reply_error_and_close(c, NETD_EINTERNAL, "out of memory");
                                return;
                        }
                        line[len] = '\0';
                } else if ((size_t)eol.pos > PROTO_MAX_MESSAGE) {
                        conn_reply_error_and_close(c, NETD_EINVALID, "request too large");
                        return;
                } else {
                        line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
                        if (!line)
                                return;
                }
                if (len == 0 || (len == 1 && line[0] == '\r')) {
                        free(line);
                        continue;
                }
                if (c->access == PROTO_ACCESS_NONE) {
                        free(line);
                        log_warn_ratelimited(&c->ctl->rl_denied, "control: denied request from uid %u pid %d",
                                             (unsigned)c->peer.uid, (int)c->peer.pid);
                        conn_reply_error_and_close(
                                c, NETD_EDENIED,
                                "permission denied: only root and members of group netd may call netd");
                        return;
                }
                if (proto_request_parse(line, len, &cmd, &args, &err) < 0) {
                        free(line);
                        log_debug_ratelimited(&c->ctl->rl_bad, "control: bad request from uid %u pid %d: %s",
                                              (unsigned)c->peer.uid, (int)c->peer.pid, err.message);
                        conn_write(c, proto_reply_format_error(err.code, err.message));
                        continue;
                }
                free(line);
                if (!conn_may_run(c, cmd)) {
                        json_object_put(args);
                        log_warn_ratelimited(&c->ctl->rl_denied,
                                             "control: uid %u pid %d may not run %s: denied",
                                             (unsigned)c->peer.uid, (int)c->peer.pid, cmd->name);
                        error_set(&err, NETD_EDENIED, "permission denied: %s needs root or group %s",
                                  cmd->name, NETD_ADMIN_GROUP);
                        conn_write(c, proto_reply_format_error(err.code, err.message));
                        continue;
                }
                r = request_new(cmd->name, on_request_finish, c);
                if (!r) {
                        json_object_put(args);
                        conn_reply_error_and_close(c, NETD_EINTERNAL, "out of memory");
                        return;
                }
                c->pending = r;
                c->ctl->dispatch(r, cmd, args, c->ctl->userdata);
                json_object_put(args);
        }
}

static void on_next_turn(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct conn *c = arg;

        c->more = false;
        conn_process(c);
}

static void on_read(struct bufferevent *bev _unused_, void *arg) {
        struct conn *c = arg;

        listener_conn_touch(&c->lc);
        conn_process(c);
}

static void on_write(struct bufferevent *bev _unused_, void *arg) {
        struct conn *c = arg;

        if (conn_done(c))
                conn_free(c);
}

static void on_event(struct bufferevent *bev _unused_, short what, void *arg) {
        struct conn *c = arg;

        if (what & BEV_EVENT_ERROR) {
                conn_free(c);
                return;
        }
        if (what & BEV_EVENT_EOF) {
                /* A half-closed peer still gets the answers it asked for. */
                c->eof = true;
                conn_process(c);
        }
}

static bool gid_in(gid_t g, const gid_t *groups, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (groups[i] == g)
                        return true;
        return false;
}

/* What the peer may run: from its uid, and its groups as they were when it
 * connected (SO_PEERGROUPS: the primary group and the supplementary ones). */
static enum proto_access peer_access(struct control *ctl, int fd, const struct ucred *cred) {
        _cleanup_free_ gid_t *groups = NULL;
        socklen_t len = 64 * sizeof(gid_t);
        size_t n;

        if (cred->uid == 0)
                return PROTO_ACCESS_ADMIN;
        if (!ctl->has_group && !ctl->has_admin_group)
                return PROTO_ACCESS_NONE;
        for (;;) {
                gid_t *g = realloc(groups, len + sizeof(gid_t));

                if (!g)
                        return PROTO_ACCESS_NONE;
                groups = g;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
                        break;
                if (errno != ERANGE)
                        return PROTO_ACCESS_NONE;
        }
        n = len / sizeof(gid_t);
        groups[n++] = cred->gid;
        if (ctl->has_admin_group && gid_in(ctl->admin_group, groups, n))
                return PROTO_ACCESS_ADMIN;
        if (ctl->has_group && gid_in(ctl->group, groups, n))
                return PROTO_ACCESS_NETD;
        return PROTO_ACCESS_NONE;
}

static struct listener_conn *on_accept(void *userdata, int fd, const struct ucred *cred) {
        struct control *ctl = userdata;
        struct conn *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->ctl = ctl;
        c->peer = *cred;
        c->access = peer_access(ctl, fd, cred);
        c->bev = bufferevent_socket_new(ctl->base, fd, BEV_OPT_CLOSE_ON_FREE);
        c->held = evbuffer_new();
        c->next_turn = evtimer_new(ctl->base, on_next_turn, c);
        if (!c->bev || !c->held || !c->next_turn) {
                /* The listener closes fd. */
                if (c->bev) {
                        bufferevent_setfd(c->bev, -1);
                        bufferevent_free(c->bev);
                }
                if (c->held)
                        evbuffer_free(c->held);
                if (c->next_turn)
                        event_free(c->next_turn);
                free(c);
                return NULL;
        }
        /* After fresh input of every peer, and with the batch's commit. */
        event_priority_set(c->next_turn, PRIO_COMMIT);
        bufferevent_priority_set(c->bev, PRIO_IO);
        /* Bounded reads: stop pulling bytes once a line cannot be valid. */
        bufferevent_setwatermark(c->bev, EV_READ, 0, PROTO_MAX_MESSAGE + 2);
        bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
        bufferevent_enable(c->bev, EV_READ | EV_WRITE);
        c->next = ctl->conns;
        ctl->conns = c;
        return &c->lc;
}

/* Nothing in flight: no request being answered, no partial request, no
 * reply unsent. */
static bool conn_evictable(struct listener_conn *lc) {
        struct conn *c = conn_of(lc);

        return !c->pending && !c->closing && !c->processing && conn_idle(c) &&
               evbuffer_get_length(bufferevent_get_input(c->bev)) == 0;
}

static void conn_evict(struct listener_conn *lc) {
        conn_free(conn_of(lc));
}

static void conn_refuse(void *userdata _unused_, int fd, const char *why) {
        _cleanup_free_ char *line = proto_reply_format_error(NETD_EUNAVAILABLE, why);

        if (line && send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
                /* The peer learns it from the closed connection. */
        }
}

static const struct listener_ops control_listener_ops = {
        .accept = on_accept,
        .idle = conn_evictable,
        .evict = conn_evict,
        .refuse = conn_refuse,
};

static const struct listener_limits control_limits = {
        .name = "control",
        .max_total = CONTROL_MAX_CONNECTIONS,
        .max_per_uid = CONTROL_MAX_PER_UID,
        .root_reserve = true,
};

/* The directory of the socket, with its parents. */
static int socket_dir_make(const char *path, struct netd_error *err) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;

        if (!dir)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        if (!slash || slash == dir)
                return 0;
        *slash = '\0';
        if (file_mkdir_p(dir, 0755, NULL) < 0)
                return error_set(err, NETD_EINTERNAL, "socket %s: cannot create its directory: %s", path,
                                 strerror(errno));
        return 0;
}

/* An existing socket file is stale unless something answers on it. */
static int socket_claim(const struct sockaddr_un *sa, struct netd_error *err) {
        struct stat st;
        int fd, r;

        if (lstat(sa->sun_path, &st) < 0)
                return 0;
        if (!S_ISSOCK(st.st_mode))
                return error_set(err, NETD_EINVALID, "socket %s: exists and is not a socket", sa->sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set(err, NETD_EINTERNAL, "socket: %s", strerror(errno));
        r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
        close(fd);
        if (r == 0)
                return error_set(err, NETD_ECONFLICT, "socket %s: another netd is listening there",
                                 sa->sun_path);
        unlink(sa->sun_path);
        return 0;
}

int control_new(struct event_base *base, const char *path, control_dispatch_fn dispatch, void *userdata,
                struct control **ret, struct netd_error *err) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct control *ctl;
        struct group *g;
        mode_t old;
        int fd, r;

        if (!strscpy(sa.sun_path, sizeof(sa.sun_path), path))
                return error_set(err, NETD_EINVALID, "socket %s: path too long", path);
        r = socket_dir_make(sa.sun_path, err);
        if (r < 0)
                return r;
        r = socket_claim(&sa, err);
        if (r < 0)
                return r;
        ctl = calloc(1, sizeof(*ctl));
        if (!ctl || !(ctl->path = strdup(sa.sun_path))) {
                free(ctl);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        ctl->base = base;
        ctl->dispatch = dispatch;
        ctl->userdata = userdata;
        g = getgrnam(NETD_GROUP);
        if (g) {
                ctl->has_group = true;
                ctl->group = g->gr_gid;
        }
        g = getgrnam(NETD_ADMIN_GROUP);
        if (g) {
                ctl->has_admin_group = true;
                ctl->admin_group = g->gr_gid;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                control_free(ctl);
                return error_set(err, NETD_EINTERNAL, "socket: %s", strerror(errno));
        }
        /* Created with mode 0660 from the start: no window where anyone
         * could connect. */
        old = umask(0117);
        r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0 || (ctl->has_group && chown(sa.sun_path, 0, ctl->group) < 0) ||
            chmod(sa.sun_path, 0660) < 0) {
                r = error_set(err, NETD_EINTERNAL, "socket %s: %s", sa.sun_path, strerror(errno));
                close(fd);
                control_free(ctl);
                return r;
        }
        r = listener_new(base, fd, &control_limits, &control_listener_ops, ctl, &ctl->listener, err);
        if (r < 0) {
                unlink(sa.sun_path);
                control_free(ctl);
                return r;
        }
        log_info("control: listening on %s", sa.sun_path);
        *ret = ctl;
        return 0;
}

void control_free(struct control *ctl) {
        if (!ctl)
                return;
        while (ctl->conns)
                conn_free(ctl->conns);
        if (ctl->listener) {
                listener_free(ctl->listener);
                unlink(ctl->path);
        }
        free(ctl->path);
        free(ctl);
}
