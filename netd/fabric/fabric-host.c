/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One lab host of the fabric: its transports (transport-private.h), the
 * calls routed to them, and what its agent's connection means for its
 * passes. */
#include "db/host.h"
#include "fabric-private.h"

/* The agent connected: a (re)connected host may have lost anything. */
static void on_up(void *userdata) {
        fabric_pass_start(userdata);
}

/* The agent went away: those waiting for a pass that cannot start now are
 * told why. */
static void on_down(void *userdata) {
        struct fabric_host *h = userdata;

        if (!h->in_pass && h->next_pass) {
                struct pass_waiter *w = h->next_pass;
                h->next_pass = NULL;
                fabric_pass_finish(h, w, NULL, fabric_host_why(h));
        }
}

/* The transports of host `h` as the store has it now. */
static int fabric_host_transports(struct fabric_host *h, struct transport **ret, size_t *ret_n,
                                  struct netd_error *err) {
        _cleanup_(host_freep) struct host *rec = NULL;
        int r;

        r = host_get(h->f->store, h->name, &rec, err);
        if (r < 0)
                return r;
        return transport_host_new(&h->f->env, rec, &(struct transport_events){on_up, on_down, h}, ret,
                                  FABRIC_TRANSPORTS_MAX, ret_n, err);
}

/* A host of the store, its transports created; not connected yet. */
static int fabric_host_create(struct fabric *f, const char *name, struct fabric_host **ret,
                              struct netd_error *err) {
        struct fabric_host *h;
        int r;

        h = calloc(1, sizeof(*h));
        if (!h)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        h->f = f;
        strscpy(h->name, sizeof(h->name), name);
        r = fabric_host_transports(h, h->transports, &h->n_transports, err);
        if (r < 0) {
                free(h);
                return r;
        }
        *ret = h;
        return 0;
}

/* Free the transports of `h`, the last first, so that what the callbacks
 * of one look at (the transports before it) is still there. Their calls
 * in flight are answered with `why`. */
static void fabric_host_transports_free(struct fabric_host *h, const char *why) {
        h->closing = true;
        strscpy(h->closing_why, sizeof(h->closing_why), why);
        while (h->n_transports > 0) {
                transport_free(h->transports[h->n_transports - 1]);
                h->transports[--h->n_transports] = NULL;
        }
}

/* Connect the host's agent; a pass starts once it is connected. */
static void fabric_host_connect(struct fabric_host *h) {
        struct transport *agent = h->transports[0];

        if (!agent->ops->connect || agent->ops->connect(agent) > 0)
                fabric_pass_start(h);
}

void fabric_host_free(struct fabric_host *h) {
        /* Callbacks that run from here on must not start anything new. */
        fabric_host_transports_free(h, "host removed");
        h->restarting = false;
        fabric_pass_finish(h, h->waiting, NULL, "host removed");
        fabric_pass_finish(h, h->next_pass, NULL, "host removed");
        fabric_parts_clear(&h->pass_parts);
        json_object_put(h->pass_results);
        free(h);
}

int fabric_host_start(struct fabric *f, const char *name, struct netd_error *err) {
        struct fabric_host *h;
        int r;

        if (fabric_host_find(f, name))
                return 0;
        r = fabric_host_create(f, name, &h, err);
        if (r < 0)
                return r;
        h->next = f->hosts;
        f->hosts = h;
        fabric_host_connect(h);
        return 0;
}

int fabric_host_restart(struct fabric *f, const char *name, struct netd_error *err) {
        struct fabric_host *h = fabric_host_find(f, name);
        struct transport *t[FABRIC_TRANSPORTS_MAX] = {0};
        size_t n = 0;
        int r;

        if (!h)
                return fabric_host_start(f, name, err);
        /* The new transports first: when they cannot be made, the old
         * ones go on. */
        r = fabric_host_transports(h, t, &n, err);
        if (r < 0)
                return r;
        /* Passes asked for meanwhile wait for the new agent. */
        h->restarting = true;
        fabric_host_transports_free(h, "host changed: its agent restarts");
        memcpy(h->transports, t, sizeof(t));
        h->n_transports = n;
        h->closing = false;
        h->restarting = false;
        fabric_host_connect(h);
        return 0;
}

void fabric_host_stop(struct fabric *f, const char *name) {
        for (struct fabric_host **p = &f->hosts; *p; p = &(*p)->next)
                if (streq((*p)->name, name)) {
                        struct fabric_host *h = *p;
                        *p = h->next;
                        fabric_host_free(h);
                        return;
                }
}

struct fabric_host *fabric_host_find(struct fabric *f, const char *name) {
        for (struct fabric_host *h = f->hosts; h; h = h->next)
                if (streq(h->name, name))
                        return h;
        return NULL;
}

bool fabric_host_connected(struct fabric_host *h) {
        char error[8];

        return !h->closing && h->transports[0]->ops->state(h->transports[0], error, sizeof(error));
}

const char *fabric_host_error(struct fabric_host *h) {
        char why[sizeof(h->error) - NAME_MAX_LEN - 8];

        if (h->closing)
                strscpy(why, sizeof(why), h->closing_why);
        else
                h->transports[0]->ops->state(h->transports[0], why, sizeof(why));
        if (why[0])
                snprintf(h->error, sizeof(h->error), "host %s: %s", h->name, why);
        else
                h->error[0] = '\0';
        return h->error;
}

enum fabric_host_state fabric_host_state(struct fabric_host *h) {
        if (fabric_host_connected(h))
                return FABRIC_HOST_CONNECTED;
        return fabric_host_error(h)[0] ? FABRIC_HOST_FAILED : FABRIC_HOST_CONNECTING;
}

const char *fabric_host_why(struct fabric_host *h) {
        if (fabric_host_error(h)[0])
                return h->error;
        snprintf(h->error, sizeof(h->error), "host %s: connecting (its agent has not answered yet)", h->name);
        return h->error;
}

const char *fabric_host_state_to_string(enum fabric_host_state s) {
        static const char *const names[] = {"connecting", "connected", "failed"};

        return s < ARRAY_SIZE(names) ? names[s] : "failed";
}

int fabric_host_status(struct fabric *f, const char *name, char *error, size_t size,
                       enum fabric_host_state *ret) {
        struct fabric_host *h = fabric_host_find(f, name);

        if (!h)
                return NETD_ENOTFOUND;
        *ret = fabric_host_state(h);
        strscpy(error, size, *ret == FABRIC_HOST_FAILED ? fabric_host_error(h) : "");
        return 0;
}

void fabric_host_call(struct fabric_host *h, size_t i, struct json_object *req, transport_done_fn done,
                      void *userdata) {
        if (h->closing || i >= h->n_transports) {
                json_object_put(req);
                done(NULL, h->closing ? h->closing_why : "host removed", userdata);
                return;
        }
        h->transports[i]->ops->call(h->transports[i], req, done, userdata);
}

int fabric_host_transport_for(const struct fabric_host *h, enum agent_proto_op op) {
        for (size_t i = 0; i < h->n_transports; i++)
                if (transport_serves(h->transports[i], op))
                        return (int)i;
        return -1;
}
