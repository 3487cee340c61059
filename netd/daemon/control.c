/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "control.h"
#include "netd/core/file.h"
#include "netd/core/log.h"
#include "netd/loop/loop.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

#define NETD_GROUP "netd"

struct conn;

struct control {
        struct event_base *base;
        control_dispatch_fn dispatch;
        void *userdata;
        bool holding; /* replies wait in `held` until control_release_held() */
        struct evconnlistener *listener;
        char *path;
        bool has_group;
        gid_t group;
        struct conn *conns;
};

struct conn {
        struct conn *next;
        struct control *ctl;
        struct bufferevent *bev;
        struct ucred peer;
        bool denied;
        bool closing;            /* close once the output is written */
        bool eof;                /* the peer has shut down its side */
        bool processing;         /* inside conn_process() */
        struct evbuffer *held;   /* replies waiting for the batch's COMMIT */
        struct request *pending; /* the request being answered */
};

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
        bufferevent_free(c->bev);
        free(c);
}

static void conn_write(struct conn *c, char *line) {
        if (line) {
                /* No answer may leave before the changes it reports are durable. */
                if (c->ctl->holding && c->held)
                        evbuffer_add(c->held, line, strlen(line));
                else
                        bufferevent_write(c->bev, line, strlen(line));
        }
        free(line);
}

static bool conn_idle(struct conn *c) {
        return evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 && evbuffer_get_length(c->held) == 0;
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

static void on_request_finish(void *owner, struct request *r _unused_, char *line) {
        struct conn *c = owner;

        c->pending = NULL;
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
        if (conn_idle(c) && !c->processing)
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
        if (c->eof && !c->pending && !c->closing)
                conn_close_after_write(c);
        else if (c->closing && conn_idle(c))
                conn_free(c);
}

static void conn_process_lines(struct conn *c) {
        struct evbuffer *in = bufferevent_get_input(c->bev);

        while (!c->pending && !c->closing) {
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
                if (c->denied) {
                        free(line);
                        log_warn("control: denied request from uid %u pid %d", (unsigned)c->peer.uid,
                                 (int)c->peer.pid);
                        conn_reply_error_and_close(
                                c, NETD_EDENIED,
                                "permission denied: only root and members of group netd may call netd");
                        return;
                }
                if (proto_request_parse(line, len, &cmd, &args, &err) < 0) {
                        free(line);
                        log_debug("control: bad request from pid %d: %s", (int)c->peer.pid, err.message);
                        conn_write(c, proto_reply_format_error(err.code, err.message));
                        continue;
                }
                free(line);
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

static void on_read(struct bufferevent *bev _unused_, void *arg) {
        conn_process(arg);
}

static void on_write(struct bufferevent *bev _unused_, void *arg) {
        struct conn *c = arg;

        if (c->closing && conn_idle(c))
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

static bool peer_allowed(struct control *ctl, int fd, const struct ucred *cred) {
        gid_t groups[256];
        socklen_t len = sizeof(groups);

        if (cred->uid == 0)
                return true;
        if (!ctl->has_group)
                return false;
        if (cred->gid == ctl->group)
                return true;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
                return false;
        for (size_t i = 0; i < len / sizeof(gid_t); i++)
                if (groups[i] == ctl->group)
                        return true;
        return false;
}

static void on_accept(struct evconnlistener *l _unused_, evutil_socket_t fd, struct sockaddr *sa _unused_,
                      int salen _unused_, void *arg) {
        struct control *ctl = arg;
        struct conn *c = calloc(1, sizeof(*c));
        socklen_t len = sizeof(c->peer);

        if (!c) {
                close(fd);
                return;
        }
        c->ctl = ctl;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0) {
                free(c);
                close(fd);
                return;
        }
        c->denied = !peer_allowed(ctl, fd, &c->peer);
        c->bev = bufferevent_socket_new(ctl->base, fd, BEV_OPT_CLOSE_ON_FREE);
        c->held = evbuffer_new();
        if (!c->bev || !c->held) {
                if (c->bev)
                        bufferevent_free(c->bev);
                if (c->held)
                        evbuffer_free(c->held);
                free(c);
                close(fd);
                return;
        }
        bufferevent_priority_set(c->bev, PRIO_IO);
        /* Bounded reads: stop pulling bytes once a line cannot be valid. */
        bufferevent_setwatermark(c->bev, EV_READ, 0, PROTO_MAX_MESSAGE + 2);
        bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
        bufferevent_enable(c->bev, EV_READ | EV_WRITE);
        c->next = ctl->conns;
        ctl->conns = c;
}

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
        ctl->listener = evconnlistener_new(base, on_accept, ctl,
                                           LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128, fd);
        if (!ctl->listener) {
                close(fd);
                unlink(sa.sun_path);
                control_free(ctl);
                return error_set(err, NETD_EINTERNAL, "socket %s: cannot listen", sa.sun_path);
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
                evconnlistener_free(ctl->listener);
                unlink(ctl->path);
        }
        free(ctl->path);
        free(ctl);
}
