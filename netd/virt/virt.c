/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <time.h>

#include "netd/core/agent-proto.h"
#include "netd/core/log.h"
#include "virt-network.h"
#include "virt.h"
#include "vm.h"

/* libvirt closes a remote connection after this many seconds without an
 * answer to its keepalives (interval × (count + 1)). */
#define KEEPALIVE_INTERVAL_S 5
#define KEEPALIVE_COUNT 3

/* ---- libvirt process state ---- */

static void quiet(void *userdata _unused_, virErrorPtr error _unused_) {
        /* Errors are read with virGetLastError() and reported by netd. */
}

static void *event_thread(void *arg _unused_) {
        /* libvirt requires its event loop to run for as long as the
         * process lives once registered. */
        for (;;)
                if (virEventRunDefaultImpl() < 0)
                        sleep(1);
        return NULL;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char init_error[256];

static void init_run(void) {
        pthread_t t;
        int r;

        /* libxml2 wants its one-time set-up on one thread before workers parse. */
        xmlInitParser();
        if (virInitialize() < 0) {
                snprintf(init_error, sizeof(init_error), "libvirt: cannot initialize: %s", virt_last_error());
                return;
        }
        virSetErrorFunc(NULL, quiet);
        if (virEventRegisterDefaultImpl() < 0) {
                snprintf(init_error, sizeof(init_error), "libvirt: no event loop: %s", virt_last_error());
                return;
        }
        r = pthread_create(&t, NULL, event_thread, NULL);
        if (r != 0) {
                snprintf(init_error, sizeof(init_error), "libvirt: event thread: %s", strerror(r));
                return;
        }
        pthread_detach(t);
}

int virt_init(struct netd_error *err) {
        pthread_once(&init_once, init_run);
        if (init_error[0])
                return error_set(err, NETD_EINTERNAL, "%s", init_error);
        return 0;
}

const char *virt_last_error(void) {
        const char *m = virGetLastErrorMessage();

        return m ? m : "unknown error";
}

/* ---- requests on an open connection ---- */

struct virt_ctx {
        virConnectPtr conn;
        const char *host;
};

bool virt_accepts(enum fobj_kind kind) {
        return fobj_kind_is_libvirt(kind);
}

static int net_check(void *ctx, const struct fobj *o, enum fobj_state *ret_state, char *detail, size_t size,
                     struct netd_error *err) {
        const struct virt_ctx *v = ctx;
        return virt_network_check(v->conn, v->host, o, ret_state, detail, size, err);
}

static int net_ensure(void *ctx, const struct fobj *o, struct netd_error *err) {
        const struct virt_ctx *v = ctx;
        return virt_network_ensure(v->conn, v->host, o, err);
}

static int net_remove(void *ctx, const struct fobj *o, struct netd_error *err) {
        const struct virt_ctx *v = ctx;
        return virt_network_remove(v->conn, v->host, o, err);
}

/* One domain; a domain netd cannot read is still listed, with the reason. */
static struct json_object *domain_json(virDomainPtr dom) {
        _cleanup_free_ char *xml = virDomainGetXMLDesc(dom, 0);
        struct netd_error err = {0};
        struct json_object *j;
        struct vm vm = {0};
        int state = VIR_DOMAIN_NOSTATE, reason;

        if (!xml || vm_parse_xml(xml, strlen(xml), &vm, &err) < 0) {
                const char *name = virDomainGetName(dom);

                vm_clear(&vm);
                strscpy(vm.name, sizeof(vm.name), name ? name : "");
                if (virDomainGetUUIDString(dom, vm.uuid) < 0)
                        vm.uuid[0] = '\0';
                snprintf(vm.root_disk_note, sizeof(vm.root_disk_note), "domain XML not understood: %.170s",
                         xml ? err.message : virt_last_error());
        }
        if (virDomainGetState(dom, &state, &reason, 0) < 0)
                state = VIR_DOMAIN_NOSTATE;
        strscpy(vm.state, sizeof(vm.state), vm_state_to_string(state));
        j = vm_to_json(&vm);
        vm_clear(&vm);
        return j;
}

static struct json_object *domains_list(virConnectPtr conn) {
        virDomainPtr *doms = NULL;
        struct json_object *list;
        char msg[300];
        int n = virConnectListAllDomains(conn, &doms, 0);

        if (n < 0) {
                snprintf(msg, sizeof(msg), "cannot list domains: %s", virt_last_error());
                return agent_proto_reply_error(NETD_EUNAVAILABLE, msg);
        }
        list = json_object_new_array();
        for (int i = 0; i < n; i++) {
                json_object_array_add(list, domain_json(doms[i]));
                virDomainFree(doms[i]);
        }
        free(doms);
        return agent_proto_reply_new(AGENT_PROTO_DOMAINS, list);
}

struct json_object *virt_handle(virConnectPtr conn, const char *host, struct json_object *req) {
        struct virt_ctx ctx = {.conn = conn, .host = host};
        const struct agent_proto_backend b = {
                .ctx = &ctx,
                .unavailable = "no libvirt connection",
                .accepts = virt_accepts,
                .check = net_check,
                .ensure = net_ensure,
                .remove = net_remove,
        };
        struct netd_error err = {0};
        enum agent_proto_op op;

        if (agent_proto_request_parse(req, AGENT_PROTO_LIBVIRT, &op, &err) < 0)
                return agent_proto_reply_error(err.code, err.message);
        if (op == AGENT_PROTO_DOMAINS)
                return domains_list(conn);
        return agent_proto_objects_handle(&b, op, req);
}

/* A URI as netd may print it: a password in its user part is masked
 * (qemu+ssh://root:secret@hv1/system → qemu+ssh://root:***@hv1/system). */
static void uri_redact(const char *uri, char *buf, size_t size) {
        const char *scheme = strstr(uri, "://"), *at, *colon;

        strscpy(buf, size, uri);
        if (!scheme)
                return;
        scheme += 3;
        at = strchr(scheme, '@');
        colon = at ? memchr(scheme, ':', (size_t)(at - scheme)) : NULL;
        if (!colon || strcspn(scheme, "/?") < (size_t)(at - scheme))
                return;
        snprintf(buf, size, "%.*s:***%s", (int)(colon - uri), uri, at);
}

/* ---- the worker ---- */

struct job {
        struct job *next;         /* in the worker's queue or done list */
        struct job *pending_next; /* in the connection's list of unanswered jobs */
        struct json_object *req, *reply;
        char error[512];
        virt_done_fn done;
        void *userdata;
        struct event *timer;
        bool answered;    /* the callback ran (timeout): drop the reply */
        struct worker *w; /* for the timeout's state */
};

/* Shared by the loop and the worker thread; everything under `mu`, except
 * `conn`, which only the worker touches. */
struct worker {
        pthread_mutex_t mu;
        pthread_cond_t cv;
        int refs;
        bool quit;
        struct job *queue, **queue_tail;
        struct job *done, **done_tail;
        struct job *running;
        struct timespec running_since;
        bool connected;
        char error[512];
        int notify_fd; /* write end; -1 once the loop side is gone */
        char host[NAME_MAX_LEN + 1];
        char *uri;   /* what libvirt is given */
        char *shown; /* what messages say (uri_redact) */
        virConnectPtr conn;
};

struct virt_conn {
        struct worker *w;
        /* c->uri below is the redacted form, for messages and status. */
        struct event_base *base;
        struct event *notify_ev;
        int notify_fd; /* read end */
        unsigned timeout_s;
        bool closing;
        struct job *pending;
        char *uri;
};

static void job_free(struct job *j) {
        if (!j)
                return;
        if (j->timer)
                event_free(j->timer);
        json_object_put(j->req);
        json_object_put(j->reply);
        free(j);
}

static void worker_unref(struct worker *w) {
        bool last;

        pthread_mutex_lock(&w->mu);
        last = --w->refs == 0;
        pthread_mutex_unlock(&w->mu);
        if (!last)
                return;
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w->uri);
        free(w->shown);
        free(w);
}

static void state_set(struct worker *w, bool connected, const char *error) {
        pthread_mutex_lock(&w->mu);
        w->connected = connected;
        strscpy(w->error, sizeof(w->error), error ? error : "");
        pthread_mutex_unlock(&w->mu);
}

/* Open the connection if needed, run the request. */
static struct json_object *worker_run(struct worker *w, struct json_object *req) {
        struct json_object *reply;
        char msg[512];

        if (w->conn && virConnectIsAlive(w->conn) != 1) {
                virConnectClose(w->conn);
                w->conn = NULL;
        }
        if (!w->conn) {
                w->conn = virConnectOpen(w->uri);
                if (!w->conn) {
                        snprintf(msg, sizeof(msg), "cannot connect to libvirt at %s: %s", w->shown,
                                 virt_last_error());
                        state_set(w, false, msg);
                        return agent_proto_reply_error(NETD_EUNAVAILABLE, msg);
                }
                /* Local drivers have no keepalive; that is fine. */
                virConnectSetKeepAlive(w->conn, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
                virResetLastError();
                state_set(w, true, NULL);
        }
        reply = virt_handle(w->conn, w->host, req);
        if (virConnectIsAlive(w->conn) != 1) {
                snprintf(msg, sizeof(msg), "libvirt connection to %s lost", w->shown);
                state_set(w, false, msg);
        }
        return reply;
}

static void *worker_main(void *arg) {
        struct worker *w = arg;

        pthread_mutex_lock(&w->mu);
        for (;;) {
                struct job *j;

                while (!w->queue && !w->quit)
                        pthread_cond_wait(&w->cv, &w->mu);
                if (w->quit)
                        break;
                j = w->queue;
                w->queue = j->next;
                if (!w->queue)
                        w->queue_tail = &w->queue;
                j->next = NULL;
                w->running = j;
                clock_gettime(CLOCK_MONOTONIC, &w->running_since);
                pthread_mutex_unlock(&w->mu);

                struct json_object *reply = worker_run(w, j->req);

                pthread_mutex_lock(&w->mu);
                w->running = NULL;
                if (w->quit) {
                        /* The loop side let go of this job (and its timer). */
                        json_object_put(reply);
                        json_object_put(j->req);
                        free(j);
                        break;
                }
                j->reply = reply;
                if (!reply)
                        snprintf(j->error, sizeof(j->error), "out of memory");
                *w->done_tail = j;
                w->done_tail = &j->next;
                if (w->notify_fd >= 0 && write(w->notify_fd, "x", 1) < 0 && errno != EAGAIN)
                        log_warn("host %s: libvirt worker cannot wake netd: %s", w->host, strerror(errno));
        }
        pthread_mutex_unlock(&w->mu);
        if (w->conn)
                virConnectClose(w->conn);
        w->conn = NULL;
        worker_unref(w);
        return NULL;
}

/* ---- the loop side ---- */

static void pending_remove(struct virt_conn *c, struct job *j) {
        for (struct job **p = &c->pending; *p; p = &(*p)->pending_next)
                if (*p == j) {
                        *p = j->pending_next;
                        return;
                }
}

static void on_notify(evutil_socket_t fd, short what _unused_, void *arg) {
        struct virt_conn *c = arg;
        struct job *list;
        char buf[64];

        while (read(fd, buf, sizeof(buf)) > 0)
                ;
        pthread_mutex_lock(&c->w->mu);
        list = c->w->done;
        c->w->done = NULL;
        c->w->done_tail = &c->w->done;
        pthread_mutex_unlock(&c->w->mu);
        while (list) {
                struct job *j = list;

                list = j->next;
                pending_remove(c, j);
                if (!j->answered)
                        j->done(j->reply, j->reply ? NULL : j->error, j->userdata);
                job_free(j);
        }
}

/* The job stays with the worker; its reply, if it ever comes, is dropped. */
static void on_timeout(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct job *j = arg;

        j->answered = true;
        /* Until the worker gets through, status says what is going on. */
        pthread_mutex_lock(&j->w->mu);
        if (!j->w->connected || j->w->running == j)
                strscpy(j->w->error, sizeof(j->w->error), j->error);
        j->w->connected = false;
        pthread_mutex_unlock(&j->w->mu);
        j->done(NULL, j->error, j->userdata);
}

int virt_conn_new(struct event_base *base, const char *host, const char *uri, unsigned timeout_s,
                  struct virt_conn **ret, struct netd_error *err) {
        struct virt_conn *c = calloc(1, sizeof(*c));
        struct worker *w = calloc(1, sizeof(*w));
        int fds[2] = {-1, -1}, r;
        pthread_t t;

        char shown[1024];

        uri_redact(uri, shown, sizeof(shown));
        if (!c || !w || !(w->uri = strdup(uri)) || !(w->shown = strdup(shown)) || !(c->uri = strdup(shown)))
                goto oom;
        r = virt_init(err);
        if (r < 0)
                goto fail;
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
                r = error_set(err, NETD_EINTERNAL, "pipe: %s", strerror(errno));
                goto fail;
        }
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        w->refs = 2;
        w->queue_tail = &w->queue;
        w->done_tail = &w->done;
        w->notify_fd = fds[1];
        strscpy(w->host, sizeof(w->host), host);
        snprintf(w->error, sizeof(w->error), "not connected yet");
        c->w = w;
        c->base = base;
        c->notify_fd = fds[0];
        c->timeout_s = timeout_s ? timeout_s : 30;
        c->notify_ev = event_new(base, fds[0], EV_READ | EV_PERSIST, on_notify, c);
        if (!c->notify_ev || event_add(c->notify_ev, NULL) < 0) {
                r = error_set(err, NETD_EINTERNAL, "out of memory");
                goto fail_locks;
        }
        r = pthread_create(&t, NULL, worker_main, w);
        if (r != 0) {
                r = error_set(err, NETD_EINTERNAL, "host %s: cannot start its libvirt thread: %s", host,
                              strerror(r));
                goto fail_locks;
        }
        pthread_detach(t);
        *ret = c;
        return 0;

fail_locks:
        if (c->notify_ev)
                event_free(c->notify_ev);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        goto fail;
oom:
        r = error_set(err, NETD_EINTERNAL, "out of memory");
fail:
        if (fds[0] >= 0) {
                close(fds[0]);
                close(fds[1]);
        }
        if (w) {
                free(w->uri);
                free(w->shown);
        }
        free(w);
        if (c)
                free(c->uri);
        free(c);
        return r;
}

static void fail_now(virt_done_fn done, void *userdata, const char *fmt, ...) _printf_(3, 4);
static void fail_now(virt_done_fn done, void *userdata, const char *fmt, ...) {
        char msg[600];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        done(NULL, msg, userdata);
}

void virt_conn_call(struct virt_conn *c, struct json_object *req, virt_done_fn done, void *userdata) {
        struct worker *w = c->w;
        struct timespec now;
        struct job *j;
        long stuck_s = 0;

        if (c->closing) {
                json_object_put(req);
                done(NULL, "host removed", userdata);
                return;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&w->mu);
        if (w->running)
                stuck_s = (long)(now.tv_sec - w->running_since.tv_sec);
        pthread_mutex_unlock(&w->mu);
        if (stuck_s >= (long)c->timeout_s) {
                json_object_put(req);
                fail_now(done, userdata, "libvirt at %s has not answered for %ld s", c->uri, stuck_s);
                return;
        }
        j = calloc(1, sizeof(*j));
        if (!j) {
                json_object_put(req);
                done(NULL, "out of memory", userdata);
                return;
        }
        j->req = req;
        j->w = w;
        j->done = done;
        j->userdata = userdata;
        snprintf(j->error, sizeof(j->error), "libvirt at %s did not answer within %u s", c->uri,
                 c->timeout_s);
        j->timer = evtimer_new(c->base, on_timeout, j);
        struct timeval tv = {c->timeout_s, 0};
        if (!j->timer || evtimer_add(j->timer, &tv) < 0) {
                job_free(j);
                done(NULL, "out of memory", userdata);
                return;
        }
        j->pending_next = c->pending;
        c->pending = j;
        pthread_mutex_lock(&w->mu);
        *w->queue_tail = j;
        w->queue_tail = &j->next;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
}

void virt_conn_free(struct virt_conn *c) {
        struct worker *w;
        struct job *running, *list;
        int wfd;

        if (!c)
                return;
        w = c->w;
        c->closing = true;
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        running = w->running;
        wfd = w->notify_fd;
        w->notify_fd = -1;
        /* Jobs not started and replies not yet delivered are ours again. */
        w->queue = NULL;
        w->queue_tail = &w->queue;
        w->done = NULL;
        w->done_tail = &w->done;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        close(wfd);

        list = c->pending;
        c->pending = NULL;
        while (list) {
                struct job *j = list;

                list = j->pending_next;
                if (!j->answered)
                        j->done(NULL, "host removed", j->userdata);
                if (j == running) {
                        /* The worker frees it when libvirt returns. */
                        event_free(j->timer);
                        j->timer = NULL;
                } else
                        job_free(j);
        }
        event_free(c->notify_ev);
        close(c->notify_fd);
        free(c->uri);
        free(c);
        worker_unref(w);
}

bool virt_conn_state(struct virt_conn *c, char *error, size_t size) {
        bool connected;

        pthread_mutex_lock(&c->w->mu);
        connected = c->w->connected;
        strscpy(error, size, c->w->error);
        pthread_mutex_unlock(&c->w->mu);
        return connected;
}

const char *virt_conn_uri(const struct virt_conn *c) {
        return c->uri;
}
