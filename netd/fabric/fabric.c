/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <signal.h>
#include <sys/socket.h>

#include "netd/agent/agent.h"
#include "db/fabric.h"
#include "db/host.h"
#include "fabric.h"
#include "netd/core/log.h"
#include "netd/netlink/netlink.h"
#include "netd/loop/proc.h"
#include "netd/virt/virt.h"

#define RECONCILE_INTERVAL_S 30
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000
#define HELLO_TIMEOUT_S 20

struct hostconn;

/* A request sent to an agent, answered in order. */
typedef void (*call_fn)(struct hostconn *h, struct json_object *reply, const char *error, void *userdata);

struct call {
        struct call *next;
        call_fn fn;
        void *userdata;
};

/* Someone waiting for the end of a reconcile pass of one host. */
struct pass_waiter {
        struct pass_waiter *next;
        void (*fn)(struct hostconn *h, struct json_object *results, const char *error, void *userdata);
        void *userdata;
};

struct hostconn {
        struct hostconn *next;
        struct fabric *f;
        char name[NAME_MAX_LEN + 1];
        char *connect;
        bool local;
        bool connected;
        char error[512];
        pid_t pid;
        struct bufferevent *bev;
        unsigned backoff_ms;
        struct event *restart_ev, *hello_ev;
        struct call *calls, **calls_tail;
        bool in_pass, again;
        struct pass_waiter *waiting;   /* served by the pass in flight */
        struct pass_waiter *next_pass; /* need a pass started after now */
        /* Its libvirt connection (--libvirt): libvirt-network objects go
         * there, everything else to the agent. */
        struct virt_conn *virt;
        /* The pass in flight: agent garbage waiting for the libvirt
         * removals, libvirt objects waiting for the agent's apply, and the
         * agent's results to merge with libvirt's. */
        struct fobj *pass_garbage, *pass_virt;
        size_t n_pass_garbage, n_pass_virt;
        struct json_object *pass_results;
        bool closing; /* being freed: no more calls */
        /* What the last finished pass found before repairing (metrics). */
        unsigned last_states[FOBJ_STATE_MAX];
        time_t last_pass;
};

struct fabric {
        struct event_base *base;
        struct store *store;
        unsigned libvirt_timeout_s;
        struct nl_ctx *nl; /* for --connect local */
        struct hostconn *hosts;
        struct event *tick;
};

static void host_connect(struct hostconn *h);
static void waiters_finish(struct hostconn *h, struct pass_waiter *l, struct json_object *results,
                           const char *error);
static void host_pass_start(struct hostconn *h);

/* ---- agent calls ------------------------------------------------------- */

static void call_fail_all(struct hostconn *h, const char *error) {
        while (h->calls) {
                struct call *c = h->calls;
                h->calls = c->next;
                if (!h->calls)
                        h->calls_tail = &h->calls;
                c->fn(h, NULL, error, c->userdata);
                free(c);
        }
}

/* Send one request to the host's agent; `fn` runs with its reply, or with
 * an error when the host is not connected or the agent went away. */
static void host_call(struct hostconn *h, struct json_object *req, call_fn fn, void *userdata) {
        struct call *c;
        const char *text;

        if (h->closing) {
                json_object_put(req);
                fn(h, NULL, "host removed", userdata);
                return;
        }
        if (h->local) {
                struct json_object *reply = agent_handle(h->f->nl, req);
                json_object_put(req);
                fn(h, reply, reply ? NULL : "out of memory", userdata);
                json_object_put(reply);
                return;
        }
        if (!h->bev) {
                json_object_put(req);
                fn(h, NULL, h->error[0] ? h->error : "agent not running", userdata);
                return;
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
                json_object_put(req);
                fn(h, NULL, "out of memory", userdata);
                return;
        }
        c->fn = fn;
        c->userdata = userdata;
        *h->calls_tail = c;
        h->calls_tail = &c->next;
        text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        bufferevent_write(h->bev, text, strlen(text));
        bufferevent_write(h->bev, "\n", 1);
        json_object_put(req);
}

static void host_disconnect(struct hostconn *h, const char *why) {
        if (h->error[0] == '\0' || h->connected)
                snprintf(h->error, sizeof(h->error), "%s", why);
        if (h->connected)
                log_warn("host %s: agent lost: %s", h->name, why);
        h->connected = false;
        if (h->bev) {
                bufferevent_free(h->bev);
                h->bev = NULL;
        }
        event_del(h->hello_ev);
        if (h->pid > 0) {
                kill(h->pid, SIGTERM);
                proc_forget(h->pid);
                h->pid = 0;
        }
        call_fail_all(h, h->error);
        if (!h->in_pass && h->next_pass) {
                struct pass_waiter *w = h->next_pass;
                h->next_pass = NULL;
                waiters_finish(h, w, NULL, h->error);
        }
        if (!evtimer_pending(h->restart_ev, NULL)) {
                struct timeval tv = {h->backoff_ms / 1000, (h->backoff_ms % 1000) * 1000};
                evtimer_add(h->restart_ev, &tv);
                h->backoff_ms = h->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : h->backoff_ms * 2;
        }
}

static void on_agent_read(struct bufferevent *bev, void *arg) {
        struct hostconn *h = arg;
        struct evbuffer *in = bufferevent_get_input(bev);

        for (;;) {
                size_t len;
                char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
                struct json_object *reply;
                struct call *c;

                if (!line) {
                        if (evbuffer_get_length(in) > AGENT_MAX_LINE)
                                host_disconnect(h, "agent sent an oversized line");
                        return;
                }
                reply = json_tokener_parse(line);
                free(line);
                c = h->calls;
                if (!c) {
                        json_object_put(reply);
                        host_disconnect(h, "agent sent an unrequested reply");
                        return;
                }
                h->calls = c->next;
                if (!h->calls)
                        h->calls_tail = &h->calls;
                c->fn(h, reply, reply ? NULL : "agent sent malformed JSON", c->userdata);
                free(c);
                json_object_put(reply);
                if (!h->bev)
                        return; /* the callback disconnected */
        }
}

static void on_agent_event(struct bufferevent *bev _unused_, short what, void *arg) {
        struct hostconn *h = arg;

        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
                host_disconnect(h, what & BEV_EVENT_EOF ? "agent exited (see netd's log for its messages)"
                                                        : "agent connection failed");
}

static void on_agent_exit(pid_t pid, int status, void *arg) {
        struct hostconn *h = arg;
        char how[64], msg[160];

        if (h->pid != pid)
                return;
        h->pid = 0;
        snprintf(msg, sizeof(msg), "agent %s", proc_status_string(status, how, sizeof(how)));
        host_disconnect(h, msg);
}

static void on_hello_timeout(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        host_disconnect(arg, "agent did not answer within 20 s");
}

static void on_hello(struct hostconn *h, struct json_object *reply, const char *error,
                     void *userdata _unused_) {
        struct json_object *v;

        event_del(h->hello_ev);
        if (!reply || !json_object_object_get_ex(reply, "result", &v) ||
            !streq(json_object_get_string(v), "ok")) {
                char msg[300];
                snprintf(msg, sizeof(msg), "agent handshake failed: %s", error ? error : "unexpected reply");
                host_disconnect(h, msg);
                return;
        }
        h->connected = true;
        h->error[0] = '\0';
        h->backoff_ms = BACKOFF_MIN_MS;
        log_info("host %s: agent connected", h->name);
        /* A (re)connected host may have lost anything: push it all. */
        host_pass_start(h);
}

static void host_connect(struct hostconn *h) {
        _cleanup_free_ char *cmd = NULL;
        struct netd_error err = {0};
        int sv[2];

        if (h->local) {
                h->connected = h->f->nl != NULL;
                if (!h->connected)
                        snprintf(h->error, sizeof(h->error), "netlink unavailable in netd's namespace");
                else
                        host_pass_start(h);
                return;
        }
        if (h->bev || h->pid > 0)
                return;
        if (asprintf(&cmd, "%s netd agent --stdio", h->connect) < 0)
                return;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                snprintf(h->error, sizeof(h->error), "socketpair: %s", strerror(errno));
                return;
        }
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        if (proc_spawn_stdio(argv, sv[1], PROC_DIE_WITH_PARENT, on_agent_exit, h, &h->pid, &err) < 0) {
                close(sv[0]);
                close(sv[1]);
                host_disconnect(h, err.message);
                return;
        }
        close(sv[1]);
        evutil_make_socket_nonblocking(sv[0]);
        h->bev = bufferevent_socket_new(h->f->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
        if (!h->bev) {
                close(sv[0]);
                host_disconnect(h, "out of memory");
                return;
        }
        bufferevent_setcb(h->bev, on_agent_read, NULL, on_agent_event, h);
        bufferevent_enable(h->bev, EV_READ | EV_WRITE);
        log_debug("host %s: started agent: %s", h->name, cmd);
        struct timeval hello_tv = {HELLO_TIMEOUT_S, 0};
        evtimer_add(h->hello_ev, &hello_tv);
        struct json_object *hello = json_object_new_object();
        json_object_object_add(hello, "op", json_object_new_string("hello"));
        host_call(h, hello, on_hello, NULL);
}

static void on_restart(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        host_connect(arg);
}

/* ---- reconcile passes -------------------------------------------------- */

static void waiters_finish(struct hostconn *h, struct pass_waiter *l, struct json_object *results,
                           const char *error) {
        while (l) {
                struct pass_waiter *w = l;
                l = w->next;
                w->fn(h, results, error, w->userdata);
                free(w);
        }
}

static void host_pass_end(struct hostconn *h, struct json_object *results, const char *error) {
        struct pass_waiter *done = h->waiting;

        if (results) {
                memset(h->last_states, 0, sizeof(h->last_states));
                for (size_t i = 0; i < json_object_array_length(results); i++) {
                        struct json_object *v;
                        for (unsigned k = 0; k < FOBJ_STATE_MAX; k++)
                                if (json_object_object_get_ex(json_object_array_get_idx(results, i), "state",
                                                              &v) &&
                                    streq(json_object_get_string(v), fobj_state_to_string(k)))
                                        h->last_states[k]++;
                }
                h->last_pass = time(NULL);
        }
        h->waiting = NULL;
        h->in_pass = false;
        waiters_finish(h, done, results, error);
        if (h->again || h->next_pass) {
                h->again = false;
                host_pass_start(h);
        }
}

static void log_results(struct hostconn *h, struct json_object *results) {
        for (size_t i = 0; i < json_object_array_length(results); i++) {
                struct json_object *r = json_object_array_get_idx(results, i), *v, *e;
                const char *state =
                        json_object_object_get_ex(r, "state", &v) ? json_object_get_string(v) : "";
                const char *label =
                        json_object_object_get_ex(r, "label", &v) ? json_object_get_string(v) : "?";

                const char *detail =
                        json_object_object_get_ex(r, "detail", &v) ? json_object_get_string(v) : "";

                if (json_object_object_get_ex(r, "error", &e) && e &&
                    json_object_object_get_ex(e, "message", &v))
                        log_warn("host %s: %s: %s", h->name, label, json_object_get_string(v));
                else if (!streq(state, "ok"))
                        log_info("host %s: %s was %s%s%s%s, repaired", h->name, label, state,
                                 isempty(detail) ? "" : " (", detail, isempty(detail) ? "" : ")");
                else if (!isempty(detail))
                        log_warn("host %s: %s: %s", h->name, label, detail);
        }
}

/* Move the objects of libvirt kinds out of objs[0..*n) into a new array. */
static int split_libvirt(struct fobj *objs, size_t *n, struct fobj **ret, size_t *ret_n) {
        size_t keep = 0, nv = 0;
        struct fobj *v = calloc(*n ? *n : 1, sizeof(*v));

        *ret = NULL;
        *ret_n = 0;
        if (!v)
                return NETD_EINTERNAL;
        for (size_t i = 0; i < *n; i++) {
                if (fobj_kind_is_libvirt(objs[i].kind))
                        v[nv++] = objs[i];
                else
                        objs[keep++] = objs[i];
        }
        *n = keep;
        *ret = v;
        *ret_n = nv;
        return 0;
}

/* The libvirt part of a reply: its results, or the whole request's error. */
static struct json_object *virt_results(struct json_object *reply, const char **error) {
        struct json_object *results = NULL, *v;

        if (reply && json_object_object_get_ex(reply, "results", &results))
                return results;
        if (reply && json_object_object_get_ex(reply, "error", &v) &&
            json_object_object_get_ex(v, "message", &v))
                *error = json_object_get_string(v);
        if (!*error)
                *error = "bad reply";
        return NULL;
}

static void pass_virt_clear(struct hostconn *h) {
        free(h->pass_virt);
        h->pass_virt = NULL;
        h->n_pass_virt = 0;
}

/* The end of a pass: the agent's results plus libvirt's. A libvirt failure
 * does not fail the pass (the bridges are fine); it shows in the host's
 * libvirt state. */
static void on_virt_apply(struct json_object *reply, const char *error, void *userdata) {
        struct hostconn *h = userdata;
        struct json_object *merged = h->pass_results, *results = virt_results(reply, &error);

        h->pass_results = NULL;
        pass_virt_clear(h);
        if (results) {
                log_results(h, results);
                for (size_t i = 0; i < json_object_array_length(results); i++)
                        json_object_array_add(merged, json_object_get(json_object_array_get_idx(results, i)));
        } else
                log_warn("host %s: libvirt: %s", h->name, error);
        host_pass_end(h, merged, NULL);
        json_object_put(merged);
}

static void on_apply(struct hostconn *h, struct json_object *reply, const char *error,
                     void *userdata _unused_) {
        struct json_object *results = NULL, *v;

        if (reply && json_object_object_get_ex(reply, "results", &results)) {
                log_results(h, results);
                if (h->virt && h->in_pass) {
                        /* Every pass reaches libvirt, objects or not: that
                         * opens the connection and notices when it died. */
                        h->pass_results = json_object_get(results);
                        virt_conn_call(h->virt, agent_request_new("apply", h->pass_virt, h->n_pass_virt),
                                       on_virt_apply, h);
                        return;
                }
                pass_virt_clear(h);
                host_pass_end(h, results, NULL);
                return;
        }
        pass_virt_clear(h);
        if (reply && json_object_object_get_ex(reply, "error", &v) &&
            json_object_object_get_ex(v, "message", &v))
                error = json_object_get_string(v);
        log_warn("host %s: reconcile failed: %s", h->name, error ? error : "bad agent reply");
        host_pass_end(h, NULL, error ? error : "bad agent reply");
}

static void apply_desired(struct hostconn *h) {
        struct fobj *objs = NULL;
        size_t n = 0;
        struct netd_error err = {0};

        if (fabric_desired(h->f->store, h->name, &objs, &n, &err) < 0 ||
            split_libvirt(objs, &n, &h->pass_virt, &h->n_pass_virt) < 0) {
                free(objs);
                log_error("host %s: %s", h->name, err.message[0] ? err.message : "out of memory");
                host_pass_end(h, NULL, err.message[0] ? err.message : "out of memory");
                return;
        }
        host_call(h, agent_request_new("apply", objs, n), on_apply, NULL);
        free(objs);
}

/* Removed objects are forgotten once the host has deleted them (or never
 * had them); a failure keeps them queued for the next pass. */
static void garbage_results(struct hostconn *h, struct json_object *results, const struct fobj *objs) {
        for (size_t i = 0; results && i < json_object_array_length(results); i++) {
                struct json_object *r = json_object_array_get_idx(results, i), *e = NULL, *v;
                struct netd_error err = {0};
                const char *state;
                char label[128];

                json_object_object_get_ex(r, "error", &e);
                if (e && json_object_object_get_ex(e, "message", &v)) {
                        log_warn("host %s: cannot remove %s: %s", h->name,
                                 fobj_label(&objs[i], label, sizeof(label)), json_object_get_string(v));
                        continue;
                }
                fobj_label(&objs[i], label, sizeof(label));
                state = json_object_object_get_ex(r, "state", &v) && v ? json_object_get_string(v) : "";
                if (fabric_garbage_done(h->f->store, h->name, &objs[i], &err) < 0)
                        log_error("host %s: %s", h->name, err.message);
                else if (streq(state, "conflict"))
                        log_info("host %s: %s is not netd's: left alone", h->name, label);
                else if (streq(state, "missing"))
                        log_debug("host %s: %s was already gone", h->name, label);
                else
                        log_info("host %s: removed %s", h->name, label);
        }
}

static void on_garbage(struct hostconn *h, struct json_object *reply, const char *error _unused_,
                       void *userdata) {
        struct fobj *objs = userdata;
        struct json_object *results = NULL;

        if (reply)
                json_object_object_get_ex(reply, "results", &results);
        garbage_results(h, results, objs);
        free(objs);
        if (h->in_pass)
                apply_desired(h);
}

/* The agent's part of the removals (libvirt's went first). */
static void agent_garbage(struct hostconn *h) {
        struct fobj *garbage = h->pass_garbage;
        size_t n = h->n_pass_garbage;

        h->pass_garbage = NULL;
        h->n_pass_garbage = 0;
        if (n == 0) {
                free(garbage);
                apply_desired(h);
                return;
        }
        /* The queue comes dependents first (fdb … bridges). */
        host_call(h, agent_request_new("remove", garbage, n), on_garbage, garbage);
}

static void on_virt_garbage(struct json_object *reply, const char *error, void *userdata) {
        struct hostconn *h = userdata;
        struct json_object *results = virt_results(reply, &error);

        if (!results)
                log_warn("host %s: libvirt: %s", h->name, error);
        garbage_results(h, results, h->pass_virt);
        pass_virt_clear(h);
        if (h->in_pass)
                agent_garbage(h);
}

/* One pass: delete what is no longer wanted (newest kinds first: libvirt
 * networks before the bridges they name), then push the whole desired
 * state. */
static void host_pass_start(struct hostconn *h) {
        struct fobj *garbage = NULL;
        size_t n = 0;
        struct netd_error err = {0};

        if (h->in_pass) {
                h->again = true;
                return;
        }
        /* Waiters for "a pass started after now" are served by this one. */
        h->waiting = h->next_pass;
        h->next_pass = NULL;
        if (!h->connected) {
                struct pass_waiter *w = h->waiting;
                h->waiting = NULL;
                waiters_finish(h, w, NULL, h->error[0] ? h->error : "not connected");
                return;
        }
        h->in_pass = true;
        if (fabric_garbage_list(h->f->store, h->name, &garbage, &n, &err) < 0) {
                log_error("host %s: %s", h->name, err.message);
                n = 0;
        }
        if (split_libvirt(garbage, &n, &h->pass_virt, &h->n_pass_virt) < 0)
                n = 0;
        h->pass_garbage = garbage;
        h->n_pass_garbage = n;
        if (h->n_pass_virt > 0 && h->virt) {
                virt_conn_call(h->virt, agent_request_new("remove", h->pass_virt, h->n_pass_virt),
                               on_virt_garbage, h);
                return;
        }
        pass_virt_clear(h);
        agent_garbage(h);
}

static void host_pass_request(struct hostconn *h,
                              void (*fn)(struct hostconn *, struct json_object *, const char *, void *),
                              void *userdata) {
        struct pass_waiter *w = calloc(1, sizeof(*w)), **p;

        if (!w) {
                fn(h, NULL, "out of memory", userdata);
                return;
        }
        w->fn = fn;
        w->userdata = userdata;
        for (p = &h->next_pass; *p; p = &(*p)->next)
                ;
        *p = w;
        if (!h->connected && !h->local) {
                /* Try now rather than at the end of the backoff. */
                h->backoff_ms = BACKOFF_MIN_MS;
                event_del(h->restart_ev);
                host_connect(h);
                if (!h->connected && !h->bev) {
                        host_pass_start(h);
                        return;
                }
                if (!h->connected)
                        return; /* the handshake starts the pass */
        }
        host_pass_start(h);
}

static void on_tick(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct fabric *f = arg;

        for (struct hostconn *h = f->hosts; h; h = h->next)
                if (h->connected)
                        host_pass_start(h);
}

/* ---- hosts --------------------------------------------------------------- */

static struct hostconn *host_find(struct fabric *f, const char *name) {
        for (struct hostconn *h = f->hosts; h; h = h->next)
                if (streq(h->name, name))
                        return h;
        return NULL;
}

static void hostconn_free(struct hostconn *h) {
        struct virt_conn *virt = h->virt;

        /* Callbacks that run from here on must not start anything new. */
        h->closing = true;
        h->connected = false;
        h->virt = NULL;
        snprintf(h->error, sizeof(h->error), "host removed");
        if (h->bev)
                bufferevent_free(h->bev);
        h->bev = NULL;
        if (h->pid > 0) {
                proc_forget(h->pid);
                kill(h->pid, SIGTERM);
        }
        call_fail_all(h, "host removed");
        virt_conn_free(virt);
        waiters_finish(h, h->waiting, NULL, "host removed");
        waiters_finish(h, h->next_pass, NULL, "host removed");
        free(h->pass_garbage);
        free(h->pass_virt);
        json_object_put(h->pass_results);
        event_free(h->restart_ev);
        event_free(h->hello_ev);
        free(h->connect);
        free(h);
}

int fabric_host_start(struct fabric *f, const char *name, struct netd_error *err) {
        _cleanup_(host_freep) struct host *rec = NULL;
        struct hostconn *h;
        int r;

        if (host_find(f, name))
                return 0;
        r = host_get(f->store, name, &rec, err);
        if (r < 0)
                return r;
        h = calloc(1, sizeof(*h));
        if (!h || !(h->connect = strdup(rec->connect))) {
                free(h);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        h->f = f;
        strscpy(h->name, sizeof(h->name), name);
        h->local = streq(rec->connect, CONNECT_LOCAL);
        h->backoff_ms = BACKOFF_MIN_MS;
        h->calls_tail = &h->calls;
        h->restart_ev = evtimer_new(f->base, on_restart, h);
        h->hello_ev = evtimer_new(f->base, on_hello_timeout, h);
        if (!isempty(rec->libvirt)) {
                r = virt_conn_new(f->base, name, rec->libvirt, f->libvirt_timeout_s, &h->virt, err);
                if (r < 0) {
                        event_free(h->restart_ev);
                        event_free(h->hello_ev);
                        free(h->connect);
                        free(h);
                        return r;
                }
        }
        h->next = f->hosts;
        f->hosts = h;
        host_connect(h);
        return 0;
}

void fabric_host_stop(struct fabric *f, const char *name) {
        for (struct hostconn **p = &f->hosts; *p; p = &(*p)->next)
                if (streq((*p)->name, name)) {
                        struct hostconn *h = *p;
                        *p = h->next;
                        hostconn_free(h);
                        return;
                }
}

int fabric_new(struct event_base *base, struct store *store, unsigned libvirt_timeout_s, struct fabric **ret,
               struct netd_error *err) {
        struct fabric *f = calloc(1, sizeof(*f));
        struct host **hosts = NULL;
        size_t n = 0;
        struct netd_error nlerr = {0};
        int r;

        if (!f)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        f->base = base;
        f->store = store;
        f->libvirt_timeout_s = libvirt_timeout_s;
        if (nl_ctx_open(&f->nl, &nlerr) < 0) {
                log_warn("fabric: %s; hosts with --connect local cannot be managed", nlerr.message);
                f->nl = NULL;
        }
        f->tick = event_new(base, -1, EV_PERSIST, on_tick, f);
        struct timeval tick = {RECONCILE_INTERVAL_S, 0};
        if (!f->tick || event_add(f->tick, &tick) < 0) {
                fabric_free(f);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        r = host_list(store, &hosts, &n, err);
        if (r < 0) {
                fabric_free(f);
                return r;
        }
        for (size_t i = 0; i < n && r == 0; i++)
                r = fabric_host_start(f, hosts[i]->name, err);
        host_list_free(hosts, n);
        if (r < 0) {
                fabric_free(f);
                return r;
        }
        *ret = f;
        return 0;
}

void fabric_free(struct fabric *f) {
        if (!f)
                return;
        while (f->hosts) {
                struct hostconn *h = f->hosts;
                f->hosts = h->next;
                hostconn_free(h);
        }
        if (f->tick)
                event_free(f->tick);
        if (f->nl)
                nl_ctx_close(f->nl);
        free(f);
}

/* ---- multi-host answers --------------------------------------------------- */

struct gather {
        fabric_done_fn done;
        void *userdata;
        size_t pending;
        size_t n;
        struct json_object **hosts; /* in order */
        struct hostconn **conns;
        bool after; /* report the state after an apply */
};

static struct json_object *objects_json(struct json_object *results, bool after) {
        struct json_object *list = json_object_new_array();

        for (size_t i = 0; results && i < json_object_array_length(results); i++) {
                struct json_object *r = json_object_array_get_idx(results, i), *o = json_object_new_object(),
                                   *v;
                const char *keys[] = {"kind", "name", "label", "detail"};

                for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
                        if (json_object_object_get_ex(r, keys[k], &v))
                                json_object_object_add(o, keys[k], json_object_get(v));
                if (after && json_object_object_get_ex(r, "after", &v) && v)
                        json_object_object_add(o, "state", json_object_get(v));
                else if (json_object_object_get_ex(r, "state", &v))
                        json_object_object_add(o, "state", json_object_get(v));
                if (json_object_object_get_ex(r, "error", &v) && v &&
                    json_object_object_get_ex(v, "message", &v))
                        json_object_object_add(o, "error", json_object_get(v));
                json_object_array_add(list, o);
        }
        return list;
}

/* {"uri","connected","error"} of a host's libvirt connection; NULL without one. */
static struct json_object *libvirt_json(struct hostconn *h, char *error, size_t size) {
        struct json_object *o;
        bool up;

        error[0] = '\0';
        if (!h->virt)
                return NULL;
        up = virt_conn_state(h->virt, error, size);
        o = json_object_new_object();
        json_object_object_add(o, "uri", json_object_new_string(virt_conn_uri(h->virt)));
        json_object_object_add(o, "connected", json_object_new_boolean(up));
        json_object_object_add(o, "error", up || !error[0] ? NULL : json_object_new_string(error));
        if (up)
                error[0] = '\0';
        return o;
}

static void gather_one(struct gather *g, struct hostconn *h, struct json_object *results, const char *error) {
        struct json_object *o = json_object_new_object();
        char lv_error[512], msg[600];
        struct json_object *lv = libvirt_json(h, lv_error, sizeof(lv_error));

        /* A host whose agent is fine but whose libvirt is not still says so. */
        if (!error && lv_error[0]) {
                snprintf(msg, sizeof(msg), "libvirt: %s", lv_error);
                error = msg;
        }
        json_object_object_add(o, "name", json_object_new_string(h->name));
        json_object_object_add(o, "connected", json_object_new_boolean(h->connected));
        json_object_object_add(o, "error", error ? json_object_new_string(error) : NULL);
        json_object_object_add(o, "objects", objects_json(results, g->after));
        if (lv)
                json_object_object_add(o, "libvirt", lv);
        for (size_t i = 0; i < g->n; i++)
                if (g->conns[i] == h && !g->hosts[i]) {
                        g->hosts[i] = o;
                        break;
                }
        if (--g->pending > 0)
                return;
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < g->n; i++)
                json_object_array_add(arr, g->hosts[i]);
        g->done(arr, 0, NULL, g->userdata);
        free(g->hosts);
        free(g->conns);
        free(g);
}

static void on_gather_pass(struct hostconn *h, struct json_object *results, const char *error,
                           void *userdata) {
        gather_one(userdata, h, results, error);
}

/* A status check of one host: the agent's part, then libvirt's. */
struct status_call {
        struct gather *g;
        struct hostconn *h;
        struct fobj *virt;
        size_t n_virt;
        struct json_object *results;
};

static void status_call_end(struct status_call *sc, const char *error) {
        struct gather *g = sc->g;
        struct hostconn *h = sc->h;
        struct json_object *results = sc->results;

        free(sc->virt);
        free(sc);
        gather_one(g, h, error ? NULL : results, error);
        json_object_put(results);
}

static void on_status_virt(struct json_object *reply, const char *error, void *userdata) {
        struct status_call *sc = userdata;
        struct json_object *results = virt_results(reply, &error);

        /* Without an answer from libvirt its objects are left out; the
         * host's libvirt state says why. */
        for (size_t i = 0; results && i < json_object_array_length(results); i++)
                json_object_array_add(sc->results, json_object_get(json_object_array_get_idx(results, i)));
        status_call_end(sc, NULL);
}

static void on_gather_check(struct hostconn *h, struct json_object *reply, const char *error,
                            void *userdata) {
        struct status_call *sc = userdata;
        struct json_object *results = NULL, *v;

        if (reply && !json_object_object_get_ex(reply, "results", &results) &&
            json_object_object_get_ex(reply, "error", &v) && json_object_object_get_ex(v, "message", &v))
                error = json_object_get_string(v);
        if (!results) {
                status_call_end(sc, error ? error : "bad agent reply");
                return;
        }
        sc->results = json_object_get(results);
        if (!h->virt) {
                status_call_end(sc, NULL);
                return;
        }
        virt_conn_call(h->virt, agent_request_new("check", sc->virt, sc->n_virt), on_status_virt, sc);
}

/* Insert h into v[0..*n), kept in name order (the store's order is reverse
 * insertion; answers list hosts by name). */
static void insert_by_name(struct hostconn **v, size_t *n, struct hostconn *h) {
        size_t pos = (*n)++;

        while (pos > 0 && strcmp(v[pos - 1]->name, h->name) > 0) {
                v[pos] = v[pos - 1];
                pos--;
        }
        v[pos] = h;
}

static size_t host_count(const struct fabric *f) {
        size_t n = 0;

        for (const struct hostconn *h = f->hosts; h; h = h->next)
                n++;
        return n;
}

static struct gather *gather_new(struct fabric *f, const char *const *names, size_t n, fabric_done_fn done,
                                 void *userdata) {
        struct gather *g = calloc(1, sizeof(*g));
        size_t count = host_count(f);

        if (!g || !(g->hosts = calloc(count + 1, sizeof(*g->hosts))) ||
            !(g->conns = calloc(count + 1, sizeof(*g->conns)))) {
                if (g)
                        free(g->hosts);
                free(g);
                done(NULL, NETD_EINTERNAL, "out of memory", userdata);
                return NULL;
        }
        g->done = done;
        g->userdata = userdata;
        for (struct hostconn *h = f->hosts; h; h = h->next) {
                bool wanted = n == 0;
                for (size_t i = 0; i < n && !wanted; i++)
                        wanted = streq(names[i], h->name);
                if (wanted)
                        insert_by_name(g->conns, &g->n, h);
        }
        g->pending = g->n;
        if (g->n == 0) {
                done(json_object_new_array(), 0, NULL, userdata);
                free(g->hosts);
                free(g->conns);
                free(g);
                return NULL;
        }
        return g;
}

void fabric_sync(struct fabric *f, const char *const *names, size_t n, fabric_done_fn done, void *userdata) {
        struct gather *g = gather_new(f, names, n, done, userdata);
        size_t count;

        if (!g)
                return;
        g->after = true;
        count = g->n;
        /* Copy: a host may answer at once (local) and free g on the last one. */
        _cleanup_free_ struct hostconn **conns = malloc(count * sizeof(*conns));
        if (!conns)
                return;
        memcpy(conns, g->conns, count * sizeof(*conns));
        for (size_t i = 0; i < count; i++)
                host_pass_request(conns[i], on_gather_pass, g);
}

void fabric_status(struct fabric *f, fabric_done_fn done, void *userdata) {
        struct gather *g = gather_new(f, NULL, 0, done, userdata);
        size_t count;

        if (!g)
                return;
        count = g->n;
        _cleanup_free_ struct hostconn **conns = malloc(count * sizeof(*conns));
        if (!conns)
                return;
        memcpy(conns, g->conns, count * sizeof(*conns));
        for (size_t i = 0; i < count; i++) {
                struct hostconn *h = conns[i];
                struct fobj *objs = NULL;
                size_t n = 0;
                struct netd_error err = {0};
                struct status_call *sc;

                if (!h->connected) {
                        gather_one(g, h, NULL, h->error[0] ? h->error : "not connected");
                        continue;
                }
                if (fabric_desired(f->store, h->name, &objs, &n, &err) < 0) {
                        gather_one(g, h, NULL, err.message);
                        continue;
                }
                sc = calloc(1, sizeof(*sc));
                if (!sc || split_libvirt(objs, &n, &sc->virt, &sc->n_virt) < 0) {
                        free(sc);
                        free(objs);
                        gather_one(g, h, NULL, "out of memory");
                        continue;
                }
                sc->g = g;
                sc->h = h;
                host_call(h, agent_request_new("check", objs, n), on_gather_check, sc);
                free(objs);
        }
}

struct ports_call {
        fabric_ports_fn done;
        void *userdata;
};

static void on_ports(struct hostconn *h _unused_, struct json_object *reply, const char *error,
                     void *userdata) {
        struct ports_call *pc = userdata;
        struct json_object *ports, *v;

        if (reply && json_object_object_get_ex(reply, "ports", &ports))
                pc->done(json_object_get(ports), 0, NULL, pc->userdata);
        else {
                if (reply && json_object_object_get_ex(reply, "error", &v) &&
                    json_object_object_get_ex(v, "message", &v))
                        error = json_object_get_string(v);
                pc->done(NULL, NETD_EUNAVAILABLE, error ? error : "bad agent reply", pc->userdata);
        }
        free(pc);
}

void fabric_foreign_ports(struct fabric *f, const char *host, const char *bridge, fabric_ports_fn done,
                          void *userdata) {
        struct hostconn *h = host_find(f, host);
        struct ports_call *pc;
        struct json_object *req;

        if (!h || !h->connected) {
                done(NULL, NETD_EUNAVAILABLE, h && h->error[0] ? h->error : "host not connected", userdata);
                return;
        }
        pc = calloc(1, sizeof(*pc));
        req = json_object_new_object();
        if (!pc || !req) {
                free(pc);
                json_object_put(req);
                done(NULL, NETD_EINTERNAL, "out of memory", userdata);
                return;
        }
        pc->done = done;
        pc->userdata = userdata;
        json_object_object_add(req, "op", json_object_new_string("ports"));
        json_object_object_add(req, "bridge", json_object_new_string(bridge));
        host_call(h, req, on_ports, pc);
}

/* ---- libvirt domains ---- */

struct domains_gather {
        fabric_domains_fn done;
        void *userdata;
        size_t pending;
        struct json_object *hosts; /* in order, filled as answers come */
};

struct domains_call {
        struct domains_gather *g;
        size_t index;
};

static void on_domains(struct json_object *reply, const char *error, void *userdata) {
        struct domains_call *dc = userdata;
        struct domains_gather *g = dc->g;
        struct json_object *entry = json_object_array_get_idx(g->hosts, dc->index), *domains = NULL, *v;

        if (reply && json_object_object_get_ex(reply, "domains", &domains))
                json_object_object_add(entry, "domains", json_object_get(domains));
        else {
                if (reply && json_object_object_get_ex(reply, "error", &v) &&
                    json_object_object_get_ex(v, "message", &v))
                        error = json_object_get_string(v);
                json_object_object_add(entry, "error", json_object_new_string(error ? error : "bad reply"));
        }
        free(dc);
        if (--g->pending > 0)
                return;
        g->done(g->hosts, g->userdata);
        json_object_put(g->hosts);
        free(g);
}

void fabric_domains(struct fabric *f, const char *host, fabric_domains_fn done, void *userdata) {
        struct domains_gather *g = calloc(1, sizeof(*g));
        _cleanup_free_ struct hostconn **order = calloc(host_count(f) + 1, sizeof(*order));
        size_t n = 0;

        if (!g || !order) {
                struct json_object *none = json_object_new_array();

                free(g);
                done(none, userdata);
                json_object_put(none);
                return;
        }
        for (struct hostconn *h = f->hosts; h; h = h->next)
                if (h->virt && (!host || streq(host, h->name)))
                        insert_by_name(order, &n, h);
        g->done = done;
        g->userdata = userdata;
        g->hosts = json_object_new_array();
        g->pending = 1; /* held until every call is queued */
        for (size_t i = 0; i < n; i++) {
                struct json_object *entry = json_object_new_object();

                json_object_object_add(entry, "host", json_object_new_string(order[i]->name));
                json_object_object_add(entry, "domains", NULL);
                json_object_object_add(entry, "error", NULL);
                json_object_array_add(g->hosts, entry);
        }
        for (size_t i = 0; i < n; i++) {
                struct domains_call *dc = calloc(1, sizeof(*dc));
                struct json_object *req = json_object_new_object();

                json_object_object_add(req, "op", json_object_new_string("domains"));
                if (!dc) {
                        json_object_put(req);
                        json_object_object_add(json_object_array_get_idx(g->hosts, i), "error",
                                               json_object_new_string("out of memory"));
                        continue;
                }
                g->pending++;
                dc->g = g;
                dc->index = i;
                virt_conn_call(order[i]->virt, req, on_domains, dc);
        }
        if (--g->pending == 0) {
                done(g->hosts, userdata);
                json_object_put(g->hosts);
                free(g);
        }
}

void fabric_stats(struct fabric *f, fabric_stats_fn fn, void *userdata) {
        for (struct hostconn *h = f->hosts; h; h = h->next) {
                struct fabric_host_stats st = {.name = h->name,
                                               .connected = h->connected,
                                               .has_libvirt = h->virt != NULL,
                                               .last_pass = h->last_pass};
                char error[8];

                if (h->virt)
                        st.libvirt_connected = virt_conn_state(h->virt, error, sizeof(error));
                memcpy(st.objects, h->last_states, sizeof(st.objects));
                fn(&st, userdata);
        }
}
