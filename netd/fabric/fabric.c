/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reconciler: each pass of a host deletes what the removal queue holds
 * for it, then pushes its whole desired state, every object through the
 * transport that accepts its kind; on agent (re)connect, on `fabric sync`,
 * after every change that concerns the host, and periodically. */
#include "db/desired.h"
#include "db/garbage.h"
#include "db/host.h"
#include "fabric-private.h"
#include "netd/core/log.h"

#define RECONCILE_INTERVAL_S 30

/* ---- routing ---------------------------------------------------------- */

int fabric_parts_route(const struct fabric_host *h, const struct fobj *objs, size_t n,
                       struct fabric_parts *ret) {
        *ret = (struct fabric_parts){0};
        for (size_t i = 0; i < h->n_transports; i++)
                if (!(ret->objs[i] = calloc(n ? n : 1, sizeof(*objs)))) {
                        fabric_parts_clear(ret);
                        return NETD_EINTERNAL;
                }
        for (size_t k = 0; k < n; k++)
                for (size_t i = 0; i < h->n_transports; i++)
                        if (transport_accepts(h->transports[i], objs[k].kind)) {
                                ret->objs[i][ret->n[i]++] = objs[k];
                                break;
                        }
        return 0;
}

void fabric_parts_clear(struct fabric_parts *p) {
        for (size_t i = 0; i < FABRIC_TRANSPORTS_MAX; i++)
                free(p->objs[i]);
        *p = (struct fabric_parts){0};
}

/* ---- the end of a pass -------------------------------------------------- */

void fabric_pass_finish(struct fabric_host *h, struct pass_waiter *l, struct json_object *results,
                        const char *error) {
        while (l) {
                struct pass_waiter *w = l;
                l = w->next;
                w->fn(h, results, error, w->userdata);
                free(w);
        }
}

static void pass_end(struct fabric_host *h, struct json_object *results, const char *error) {
        struct pass_waiter *done = h->waiting;

        fabric_parts_clear(&h->pass_parts);
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
        fabric_pass_finish(h, done, results, error);
        if (h->again || h->next_pass) {
                h->again = false;
                fabric_pass_start(h);
        }
}

static void log_results(struct fabric_host *h, struct json_object *results) {
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

/* ---- apply: every transport in order, each with its objects ------------ */

static void pass_apply_next(struct fabric_host *h);

/* An optional transport's failure does not fail the pass (the bridges are
 * fine); it shows in that transport's state. */
static void on_apply(struct json_object *reply, const char *error, void *userdata) {
        struct fabric_host *h = userdata;
        struct transport *t = h->transports[h->pass_step];
        struct json_object *results =
                agent_proto_reply_payload(reply, AGENT_PROTO_APPLY, &error, t->ops->bad_reply);

        if (results) {
                log_results(h, results);
                fabric_results_detail(h, results, h->pass_parts.objs[h->pass_step],
                                      h->pass_parts.n[h->pass_step]);
                for (size_t i = 0; i < json_object_array_length(results); i++)
                        json_object_array_add(h->pass_results,
                                              json_object_get(json_object_array_get_idx(results, i)));
        } else if (h->pass_step == 0) {
                log_warn("host %s: reconcile failed: %s", h->name, error);
                json_object_put(h->pass_results);
                h->pass_results = NULL;
                pass_end(h, NULL, error);
                return;
        } else
                log_warn("host %s: %s: %s", h->name, t->ops->name, error);
        h->pass_step++;
        pass_apply_next(h);
}

/* Every pass reaches every transport, objects or not: that opens a
 * connection made on demand and notices when it died. */
static void pass_apply_next(struct fabric_host *h) {
        size_t i = h->pass_step;

        if (i == h->n_transports || !h->in_pass) {
                struct json_object *results = h->pass_results;

                h->pass_results = NULL;
                pass_end(h, results, NULL);
                json_object_put(results);
                return;
        }
        fabric_host_call(
                h, i,
                agent_proto_request_objects(AGENT_PROTO_APPLY, h->pass_parts.objs[i], h->pass_parts.n[i]),
                on_apply, h);
}

static void pass_apply(struct fabric_host *h) {
        struct fobj *objs = NULL;
        size_t n = 0;
        struct netd_error err = {0};

        fabric_parts_clear(&h->pass_parts);
        if (desired_list(h->f->store, h->name, &objs, &n, &err) < 0 ||
            fabric_parts_route(h, objs, n, &h->pass_parts) < 0) {
                free(objs);
                log_error("host %s: %s", h->name, err.message[0] ? err.message : "out of memory");
                pass_end(h, NULL, err.message[0] ? err.message : "out of memory");
                return;
        }
        free(objs);
        h->pass_results = json_object_new_array();
        h->pass_step = 0;
        pass_apply_next(h);
}

/* ---- removal: the queue, every transport its part, the last first ------- */

/* Removed objects are forgotten once the host has deleted them (or never
 * had them); a failure keeps them queued for the next pass. */
static void garbage_results(struct fabric_host *h, struct json_object *results, const struct fobj *objs) {
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
                if (garbage_done(h->f->store, h->name, &objs[i], &err) < 0)
                        log_error("host %s: %s", h->name, err.message);
                else if (streq(state, "conflict"))
                        log_info("host %s: %s is not netd's: left alone", h->name, label);
                else if (streq(state, "missing"))
                        log_debug("host %s: %s was already gone", h->name, label);
                else
                        log_info("host %s: removed %s", h->name, label);
        }
}

static void pass_remove_next(struct fabric_host *h);

static void on_remove(struct json_object *reply, const char *error, void *userdata) {
        struct fabric_host *h = userdata;
        size_t i = h->pass_step;
        struct transport *t = h->transports[i];
        struct json_object *results =
                agent_proto_reply_payload(reply, AGENT_PROTO_REMOVE, &error, t->ops->bad_reply);

        /* The agent's failure shows in the pass that follows. */
        if (!results && i > 0)
                log_warn("host %s: %s: %s", h->name, t->ops->name, error);
        garbage_results(h, results, h->pass_parts.objs[i]);
        h->pass_parts.n[i] = 0;
        if (h->in_pass)
                pass_remove_next(h);
}

/* The transports are asked last first, newest kinds first: libvirt
 * networks before the bridges they name. The queue itself comes dependents
 * first (fdb … bridges). */
static void pass_remove_next(struct fabric_host *h) {
        size_t i = h->pass_step;

        while (i > 0 && h->pass_parts.n[i - 1] == 0)
                i--;
        if (i == 0) {
                pass_apply(h);
                return;
        }
        h->pass_step = --i;
        fabric_host_call(
                h, i,
                agent_proto_request_objects(AGENT_PROTO_REMOVE, h->pass_parts.objs[i], h->pass_parts.n[i]),
                on_remove, h);
}

void fabric_pass_start(struct fabric_host *h) {
        struct fobj *garbage = NULL;
        size_t n = 0;
        struct netd_error err = {0};

        if (h->in_pass) {
                h->again = true;
                return;
        }
        /* The new agent's handshake starts it. */
        if (h->restarting)
                return;
        /* Waiters for "a pass started after now" are served by this one. */
        h->waiting = h->next_pass;
        h->next_pass = NULL;
        if (!fabric_host_connected(h)) {
                struct pass_waiter *w = h->waiting;
                h->waiting = NULL;
                fabric_pass_finish(h, w, NULL, fabric_host_why(h));
                return;
        }
        h->in_pass = true;
        if (garbage_list(h->f->store, h->name, &garbage, &n, &err) < 0) {
                log_error("host %s: %s", h->name, err.message);
                n = 0;
        }
        if (fabric_parts_route(h, garbage, n, &h->pass_parts) < 0)
                h->pass_parts = (struct fabric_parts){0};
        free(garbage);
        h->pass_step = h->n_transports;
        pass_remove_next(h);
}

void fabric_pass_request(struct fabric_host *h, fabric_pass_fn fn, void *userdata) {
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
        if (!fabric_host_connected(h) && !h->closing) {
                struct transport *agent = h->transports[0];

                if (agent->ops->connect && agent->ops->connect(agent) == 0)
                        return; /* the handshake starts the pass */
        }
        fabric_pass_start(h);
}

static void on_tick(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct fabric *f = arg;

        for (struct fabric_host *h = f->hosts; h; h = h->next)
                if (fabric_host_connected(h))
                        fabric_pass_start(h);
}

/* ---- the fabric -------------------------------------------------------- */

int fabric_new(struct event_base *base, struct store *store, unsigned libvirt_timeout_s, struct fabric **ret,
               struct netd_error *err) {
        struct fabric *f = calloc(1, sizeof(*f));
        struct host **hosts = NULL;
        size_t n = 0;
        int r;

        if (!f)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        f->base = base;
        f->store = store;
        transport_env_init(&f->env, base, libvirt_timeout_s);
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
                struct fabric_host *h = f->hosts;
                f->hosts = h->next;
                fabric_host_free(h);
        }
        if (f->tick)
                event_free(f->tick);
        transport_env_clear(&f->env);
        free(f);
}
