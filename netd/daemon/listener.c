/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <time.h>

#include "listener.h"
#include "netd/core/log.h"
#include "netd/loop/loop.h"

/* Paused accepting is retried this often even when no connection closes
 * (descriptors held elsewhere may have been freed). */
#define LISTENER_RESUME_MS 250
/* Peers waiting in the queue that the reserve refuses in one go. */
#define LISTENER_RESERVE_DRAIN 512

struct listener {
        struct listener *next; /* every listener of the process */
        struct listener_limits limits;
        const struct listener_ops *ops;
        void *userdata;
        struct evconnlistener *el;
        struct event *resume_ev;
        bool paused;
        bool is_unix;
        struct listener_conn *head, *tail; /* least recently active first */
        unsigned n;
        struct log_ratelimit rl_fds, rl_other, rl_cap, rl_evict, rl_reserve;
};

/* Out of descriptors, any listener may close another's idle connection and
 * a closed connection resumes them all. */
static struct listener *listeners;
static int reserve_fd = -1;

static uint64_t now_ms(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void reserve_take(void) {
        if (reserve_fd < 0)
                reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void conn_unlink(struct listener_conn *c) {
        struct listener *l = c->l;

        if (c->prev)
                c->prev->next = c->next;
        else
                l->head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else
                l->tail = c->prev;
        c->prev = c->next = NULL;
}

static void conn_append(struct listener *l, struct listener_conn *c) {
        c->l = l;
        c->next = NULL;
        c->prev = l->tail;
        if (l->tail)
                l->tail->next = c;
        else
                l->head = c;
        l->tail = c;
}

void listener_conn_touch(struct listener_conn *c) {
        if (!c->l)
                return;
        c->active_ms = now_ms();
        if (c->l->tail != c) {
                struct listener *l = c->l;

                conn_unlink(c);
                conn_append(l, c);
        }
}

static void listener_resume(struct listener *l) {
        if (!l->paused)
                return;
        l->paused = false;
        evtimer_del(l->resume_ev);
        evconnlistener_enable(l->el);
}

static void listener_pause(struct listener *l) {
        struct timeval tv = {.tv_sec = 0, .tv_usec = LISTENER_RESUME_MS * 1000};

        if (l->paused)
                return;
        l->paused = true;
        evconnlistener_disable(l->el);
        evtimer_add(l->resume_ev, &tv);
}

void listener_conn_release(struct listener_conn *c) {
        if (!c->l)
                return;
        conn_unlink(c);
        c->l->n--;
        c->l = NULL;
        /* A descriptor is free: the reserve first, then whoever waits. */
        reserve_take();
        for (struct listener *l = listeners; l; l = l->next)
                listener_resume(l);
}

unsigned listener_count(const struct listener *l) {
        return l->n;
}

/* The least recently active connection of `l` that is idle and has been for
 * the grace period (of peer `uid` unless LISTENER_NO_UID). */
static struct listener_conn *oldest_idle(struct listener *l, uid_t uid, uint64_t now) {
        for (struct listener_conn *c = l->head; c; c = c->next) {
                if (now - c->active_ms < LISTENER_IDLE_GRACE_MS)
                        return NULL; /* the rest are younger */
                if ((uid == LISTENER_NO_UID || c->uid == uid) && l->ops->idle(c))
                        return c;
        }
        return NULL;
}

static bool evict(struct listener_conn *c, const char *why) {
        struct listener *l;

        if (!c)
                return false;
        l = c->l;
        if (c->uid == LISTENER_NO_UID)
                log_info_ratelimited(&l->rl_evict,
                                     "%s: %s: closing the least recently active idle connection",
                                     l->limits.name, why);
        else
                log_info_ratelimited(&l->rl_evict,
                                     "%s: %s: closing the least recently active idle connection (uid %u)",
                                     l->limits.name, why, (unsigned)c->uid);
        l->ops->evict(c);
        return true;
}

/* Out of descriptors: the least recently active idle connection of any
 * listener. */
static bool evict_any(void) {
        struct listener_conn *best = NULL;
        uint64_t now = now_ms();

        for (struct listener *l = listeners; l; l = l->next) {
                struct listener_conn *c = oldest_idle(l, LISTENER_NO_UID, now);

                if (c && (!best || c->active_ms < best->active_ms))
                        best = c;
        }
        return best && evict(best, "out of descriptors");
}

static uint32_t count_uid(const struct listener *l, uid_t uid) {
        uint32_t n = 0;

        for (const struct listener_conn *c = l->head; c; c = c->next)
                n += c->uid == uid;
        return n;
}

static void refuse(struct listener *l, int fd, const char *why) {
        l->ops->refuse(l->userdata, fd, why);
        close(fd);
}

/* A new connection, within the caps. */
static void admit(struct listener *l, int fd, const struct ucred *cred) {
        uid_t uid = cred ? cred->uid : LISTENER_NO_UID;
        struct listener_conn *c;
        uint64_t now = now_ms();

        if (l->n >= l->limits.max_total && !evict(oldest_idle(l, LISTENER_NO_UID, now), "connection limit")) {
                log_warn_ratelimited(&l->rl_cap, "%s: %u connections, none idle: refusing a new one",
                                     l->limits.name, l->n);
                refuse(l, fd, "too many connections to netd");
                return;
        }
        if (cred && l->limits.max_per_uid && count_uid(l, uid) >= l->limits.max_per_uid &&
            !evict(oldest_idle(l, uid, now), "per-uid connection limit")) {
                log_warn_ratelimited(&l->rl_cap,
                                     "%s: uid %u has %u connections, none idle: refusing a new one",
                                     l->limits.name, (unsigned)uid, l->limits.max_per_uid);
                refuse(l, fd, "too many connections to netd from this user");
                return;
        }
        c = l->ops->accept(l->userdata, fd, cred);
        if (!c) {
                close(fd);
                return;
        }
        c->uid = uid;
        c->active_ms = now;
        conn_append(l, c);
        l->n++;
}

static void on_accept(struct evconnlistener *el _unused_, evutil_socket_t fd, struct sockaddr *sa _unused_,
                      int salen _unused_, void *arg) {
        struct listener *l = arg;
        struct ucred cred;
        socklen_t len = sizeof(cred);

        if (!l->is_unix) {
                admit(l, fd, NULL);
                return;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                close(fd);
                return;
        }
        admit(l, fd, &cred);
}

/* Out of descriptors with nothing to close: the reserve descriptor makes
 * room for one connection of uid 0; everyone else waiting is told why. */
static void reserve_use(struct listener *l) {
        unsigned refused = 0;

        if (reserve_fd < 0)
                return;
        close(reserve_fd);
        reserve_fd = -1;
        for (unsigned i = 0; i < LISTENER_RESERVE_DRAIN; i++) {
                int fd = accept4(evconnlistener_get_fd(l->el), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                struct ucred cred;
                socklen_t len = sizeof(cred);

                if (fd < 0)
                        break;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0) {
                        log_warn_ratelimited(&l->rl_reserve,
                                             "%s: out of descriptors: the reserve lets uid 0 (pid %d) in, "
                                             "%u others refused",
                                             l->limits.name, (int)cred.pid, refused);
                        admit(l, fd, &cred);
                        break;
                }
                refuse(l, fd, "netd is out of file descriptors");
                refused++;
        }
        /* Fails while uid 0's connection holds the slot: taken back when a
         * connection closes. */
        reserve_take();
}

static void on_accept_error(struct evconnlistener *el _unused_, void *arg) {
        struct listener *l = arg;
        int e = EVUTIL_SOCKET_ERROR();

        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
                log_warn_ratelimited(&l->rl_fds, "%s: cannot accept: %s", l->limits.name, strerror(e));
                /* Room made: the next accept takes it. */
                if (evict_any())
                        return;
                if (l->limits.root_reserve)
                        reserve_use(l);
        } else
                log_warn_ratelimited(&l->rl_other, "%s: accept: %s", l->limits.name, strerror(e));
        /* The socket stays readable: without a pause the loop would spin. */
        listener_pause(l);
}

static void on_resume(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        listener_resume(arg);
}

int listener_new(struct event_base *base, int fd, const struct listener_limits *limits,
                 const struct listener_ops *ops, void *userdata, struct listener **ret,
                 struct netd_error *err) {
        struct listener *l = calloc(1, sizeof(*l));
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        if (!l) {
                close(fd);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        l->limits = *limits;
        l->ops = ops;
        l->userdata = userdata;
        l->is_unix = getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_UNIX;
        l->resume_ev = evtimer_new(base, on_resume, l);
        l->el = evconnlistener_new(base, on_accept, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128,
                                   fd);
        if (!l->resume_ev || !l->el) {
                if (!l->el)
                        close(fd);
                listener_free(l);
                return error_set(err, NETD_EINTERNAL, "%s: cannot listen", limits->name);
        }
        evconnlistener_set_error_cb(l->el, on_accept_error);
        event_priority_set(l->resume_ev, PRIO_IO);
        reserve_take();
        l->next = listeners;
        listeners = l;
        *ret = l;
        return 0;
}

void listener_free(struct listener *l) {
        if (!l)
                return;
        for (struct listener **p = &listeners; *p; p = &(*p)->next)
                if (*p == l) {
                        *p = l->next;
                        break;
                }
        if (l->el)
                evconnlistener_free(l->el);
        if (l->resume_ev)
                event_free(l->resume_ev);
        /* Connections still open outlive the listener: no more links to it. */
        for (struct listener_conn *c = l->head, *next; c; c = next) {
                next = c->next;
                c->prev = c->next = NULL;
                c->l = NULL;
        }
        if (!listeners && reserve_fd >= 0) {
                close(reserve_fd);
                reserve_fd = -1;
        }
        free(l);
}
