/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the fabric answers: the state of several hosts after a pass
 * (`fabric sync`) or read without change (`fabric status`), a bridge's
 * foreign ports, the hosts' domains, and the metrics. */
#include "db/desired.h"
#include "db/host.h"
#include "fabric-private.h"

/* ---- what each object is ------------------------------------------- */

/* The host whose underlay is `a` ("" when none). */
static const char *peer_name(struct host *const *hosts, size_t n, const struct addr *a) {
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < HOST_UNDERLAY_MAX; k++)
                        if (hosts[i]->underlay[k].family == a->family &&
                            hosts[i]->underlay[k].value == a->value)
                                return hosts[i]->name;
        return "";
}

/* What tells `o` apart from the other objects of its kind and name: the
 * peer of a flood entry, the address on a device, a route's gateway. */
static void fobj_identity(const struct fobj *o, struct host *const *hosts, size_t n, char *buf, size_t size) {
        char a[ADDR_STRLEN];
        const char *peer;

        buf[0] = '\0';
        switch (o->kind) {
        case FOBJ_FDB:
                peer = peer_name(hosts, n, &o->addr);
                snprintf(buf, size, "to %s%s%s", peer, peer[0] ? " " : "",
                         addr_format(&o->addr, a, sizeof(a)));
                break;
        case FOBJ_VXLAN:
                snprintf(buf, size, "vni %u, local %s", o->vni, addr_format(&o->local, a, sizeof(a)));
                break;
        case FOBJ_ADDRESS:
                snprintf(buf, size, "%s/%u", addr_format(&o->addr, a, sizeof(a)), o->prefixlen);
                break;
        case FOBJ_ROUTE:
                snprintf(buf, size, "via %s%s%s", addr_format(&o->addr, a, sizeof(a)),
                         o->dev[0] ? " dev " : "", o->dev);
                break;
        case FOBJ_PORT:
                snprintf(buf, size, "in %s", o->master);
                break;
        case FOBJ_VETH:
                snprintf(buf, size, "peer %s", o->peer);
                break;
        case FOBJ_LIBVIRT_NETWORK:
                snprintf(buf, size, "bridge %s", o->master);
                break;
        default:
                break;
        }
}

void fabric_results_detail(struct fabric_host *h, struct json_object *results, const struct fobj *objs,
                           size_t n) {
        struct host **hosts = NULL;
        size_t n_hosts = 0;
        struct netd_error err = {0};

        if (!results)
                return;
        if (host_list(h->f->store, &hosts, &n_hosts, &err) < 0)
                n_hosts = 0;
        for (size_t i = 0; i < json_object_array_length(results) && i < n; i++) {
                struct json_object *r = json_object_array_get_idx(results, i), *v;
                const char *drift =
                        json_object_object_get_ex(r, "detail", &v) ? json_object_get_string(v) : "";
                char id[160], detail[600];

                fobj_identity(&objs[i], hosts, n_hosts, id, sizeof(id));
                snprintf(detail, sizeof(detail), "%s%s%s", id, id[0] && !isempty(drift) ? "; " : "",
                         drift ? drift : "");
                json_object_object_add(r, "detail", json_object_new_string(detail));
        }
        host_list_free(hosts, n_hosts);
}

/* ---- multi-host answers ---------------------------------------------- */

struct gather {
        fabric_done_fn done;
        void *userdata;
        size_t pending;
        size_t n;
        struct json_object **hosts; /* in order */
        struct fabric_host **conns;
        bool after; /* report the state after an apply */
};

static struct json_object *objects_json(struct json_object *results, bool after) {
        struct json_object *list = json_object_new_array();

        for (size_t i = 0; results && i < json_object_array_length(results); i++) {
                struct json_object *r = json_object_array_get_idx(results, i), *o = json_object_new_object(),
                                   *v, *e;
                const char *keys[] = {"kind", "name", "label", "detail"};

                for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
                        if (json_object_object_get_ex(r, keys[k], &v))
                                json_object_object_add(o, keys[k], json_object_get(v));
                if (after && json_object_object_get_ex(r, "after", &v) && v)
                        json_object_object_add(o, "state", json_object_get(v));
                else if (json_object_object_get_ex(r, "state", &v))
                        json_object_object_add(o, "state", json_object_get(v));
                if (json_object_object_get_ex(r, "error", &e) && e &&
                    json_object_object_get_ex(e, "message", &v)) {
                        json_object_object_add(o, "error", json_object_get(v));
                        if (json_object_object_get_ex(e, "code", &v))
                                json_object_object_add(o, "error_code", json_object_get(v));
                }
                json_object_array_add(list, o);
        }
        return list;
}

/* One host's entry: its agent's state and objects, then the status of
 * each optional transport under its name. A host whose agent is fine but
 * whose other transport is not still says so in its error. Every error
 * names the host. */
static struct json_object *host_json(struct fabric_host *h, struct json_object *results, const char *error,
                                     bool after) {
        struct json_object *o = json_object_new_object(), *status[FABRIC_TRANSPORTS_MAX] = {0};
        enum fabric_host_state state = fabric_host_state(h);
        char t_error[512], msg[700], named[800], prefix[NAME_MAX_LEN + 8];

        snprintf(prefix, sizeof(prefix), "host %s: ", h->name);
        if (!error && state == FABRIC_HOST_FAILED)
                error = fabric_host_error(h);
        for (size_t i = 1; i < h->n_transports && !h->closing; i++) {
                struct transport *t = h->transports[i];

                if (!t->ops->status)
                        continue;
                t_error[0] = '\0';
                status[i] = t->ops->status(t, t_error, sizeof(t_error));
                if (!error && t_error[0]) {
                        snprintf(msg, sizeof(msg), "%s%s: %s", prefix, t->ops->name, t_error);
                        error = msg;
                }
        }
        if (error && strncmp(error, prefix, strlen(prefix)) != 0) {
                snprintf(named, sizeof(named), "%s%s", prefix, error);
                error = named;
        }
        json_object_object_add(o, "name", json_object_new_string(h->name));
        json_object_object_add(o, "connected", json_object_new_boolean(state == FABRIC_HOST_CONNECTED));
        json_object_object_add(o, "state", json_object_new_string(fabric_host_state_to_string(state)));
        json_object_object_add(o, "error", error ? json_object_new_string(error) : NULL);
        json_object_object_add(o, "objects", objects_json(results, after));
        for (size_t i = 1; i < h->n_transports; i++)
                if (status[i])
                        json_object_object_add(o, h->transports[i]->ops->name, status[i]);
        return o;
}

static void gather_one(struct gather *g, struct fabric_host *h, struct json_object *results,
                       const char *error) {
        struct json_object *o = host_json(h, results, error, g->after);

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

static void on_gather_pass(struct fabric_host *h, struct json_object *results, const char *error,
                           void *userdata) {
        gather_one(userdata, h, results, error);
}

/* Insert h into v[0..*n), kept in name order (the store's order is reverse
 * insertion; answers list hosts by name). */
static void insert_by_name(struct fabric_host **v, size_t *n, struct fabric_host *h) {
        size_t pos = (*n)++;

        while (pos > 0 && strcmp(v[pos - 1]->name, h->name) > 0) {
                v[pos] = v[pos - 1];
                pos--;
        }
        v[pos] = h;
}

static size_t host_count(const struct fabric *f) {
        size_t n = 0;

        for (const struct fabric_host *h = f->hosts; h; h = h->next)
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
        for (struct fabric_host *h = f->hosts; h; h = h->next) {
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

/* The hosts of g, copied: a host may answer at once (local) and free g on
 * the last one. */
static struct fabric_host **gather_hosts(const struct gather *g) {
        struct fabric_host **conns = malloc(g->n * sizeof(*conns));

        if (conns)
                memcpy(conns, g->conns, g->n * sizeof(*conns));
        return conns;
}

void fabric_sync(struct fabric *f, const char *const *names, size_t n, fabric_done_fn done, void *userdata) {
        struct gather *g = gather_new(f, names, n, done, userdata);
        _cleanup_free_ struct fabric_host **conns = NULL;
        size_t count;

        if (!g)
                return;
        g->after = true;
        count = g->n;
        conns = gather_hosts(g);
        for (size_t i = 0; conns && i < count; i++)
                fabric_pass_request(conns[i], on_gather_pass, g);
}

/* ---- status: every transport checks its objects, in order ------------- */

struct status_call {
        struct gather *g;
        struct fabric_host *h;
        struct fabric_parts parts;
        size_t step;
        struct json_object *results;
};

static void status_call_end(struct status_call *sc, const char *error) {
        struct gather *g = sc->g;
        struct fabric_host *h = sc->h;
        struct json_object *results = sc->results;

        fabric_parts_clear(&sc->parts);
        free(sc);
        gather_one(g, h, error ? NULL : results, error);
        json_object_put(results);
}

static void status_next(struct status_call *sc);

/* Without an answer from an optional transport its objects are left out;
 * its own state says why. */
static void on_status_check(struct json_object *reply, const char *error, void *userdata) {
        struct status_call *sc = userdata;
        struct transport *t = sc->h->transports[sc->step];
        struct json_object *results =
                agent_proto_reply_payload(reply, AGENT_PROTO_CHECK, &error, t->ops->bad_reply);

        if (!results && sc->step == 0) {
                status_call_end(sc, error);
                return;
        }
        fabric_results_detail(sc->h, results, sc->parts.objs[sc->step], sc->parts.n[sc->step]);
        for (size_t i = 0; results && i < json_object_array_length(results); i++)
                json_object_array_add(sc->results, json_object_get(json_object_array_get_idx(results, i)));
        sc->step++;
        status_next(sc);
}

static void status_next(struct status_call *sc) {
        size_t i = sc->step;

        if (i == sc->h->n_transports) {
                status_call_end(sc, NULL);
                return;
        }
        fabric_host_call(sc->h, i,
                         agent_proto_request_objects(AGENT_PROTO_CHECK, sc->parts.objs[i], sc->parts.n[i]),
                         on_status_check, sc);
}

static void status_start(struct gather *g, struct fabric_host *h) {
        struct fobj *objs = NULL;
        size_t n = 0;
        struct netd_error err = {0};
        struct status_call *sc;

        if (!fabric_host_connected(h)) {
                gather_one(g, h, NULL, NULL);
                return;
        }
        if (desired_list(h->f->store, h->name, &objs, &n, &err) < 0) {
                gather_one(g, h, NULL, err.message);
                return;
        }
        sc = calloc(1, sizeof(*sc));
        if (!sc || !(sc->results = json_object_new_array()) ||
            fabric_parts_route(h, objs, n, &sc->parts) < 0) {
                if (sc)
                        json_object_put(sc->results);
                free(sc);
                free(objs);
                gather_one(g, h, NULL, "out of memory");
                return;
        }
        free(objs);
        sc->g = g;
        sc->h = h;
        status_next(sc);
}

void fabric_status(struct fabric *f, fabric_done_fn done, void *userdata) {
        struct gather *g = gather_new(f, NULL, 0, done, userdata);
        _cleanup_free_ struct fabric_host **conns = NULL;
        size_t count;

        if (!g)
                return;
        count = g->n;
        conns = gather_hosts(g);
        for (size_t i = 0; conns && i < count; i++)
                status_start(g, conns[i]);
}

/* ---- a bridge's foreign ports ----------------------------------------- */

struct ports_call {
        fabric_ports_fn done;
        void *userdata;
        const char *bad_reply;
};

static void on_ports(struct json_object *reply, const char *error, void *userdata) {
        struct ports_call *pc = userdata;
        struct json_object *ports =
                agent_proto_reply_payload(reply, AGENT_PROTO_PORTS, &error, pc->bad_reply);

        if (ports)
                pc->done(json_object_get(ports), 0, NULL, pc->userdata);
        else
                pc->done(NULL, NETD_EUNAVAILABLE, error, pc->userdata);
        free(pc);
}

void fabric_foreign_ports(struct fabric *f, const char *host, const char *bridge, fabric_ports_fn done,
                          void *userdata) {
        struct fabric_host *h = fabric_host_find(f, host);
        struct ports_call *pc;
        int i;

        if (!h || !fabric_host_connected(h)) {
                done(NULL, NETD_EUNAVAILABLE, h ? fabric_host_why(h) : "host not found", userdata);
                return;
        }
        i = fabric_host_transport_for(h, AGENT_PROTO_PORTS);
        if (i < 0) {
                done(NULL, NETD_EUNAVAILABLE, "host has no agent", userdata);
                return;
        }
        pc = calloc(1, sizeof(*pc));
        if (!pc) {
                done(NULL, NETD_EINTERNAL, "out of memory", userdata);
                return;
        }
        pc->done = done;
        pc->userdata = userdata;
        pc->bad_reply = h->transports[i]->ops->bad_reply;
        fabric_host_call(h, (size_t)i,
                         agent_proto_request_new(AGENT_PROTO_PORTS, json_object_new_string(bridge)), on_ports,
                         pc);
}

/* ---- domains ---------------------------------------------------------- */

struct domains_gather {
        fabric_domains_fn done;
        void *userdata;
        size_t pending;
        struct json_object *hosts; /* in order, filled as answers come */
};

struct domains_call {
        struct domains_gather *g;
        size_t index;
        const char *bad_reply;
};

static void domains_gather_end(struct domains_gather *g) {
        if (--g->pending > 0)
                return;
        g->done(g->hosts, g->userdata);
        json_object_put(g->hosts);
        free(g);
}

static void on_domains(struct json_object *reply, const char *error, void *userdata) {
        struct domains_call *dc = userdata;
        struct domains_gather *g = dc->g;
        struct json_object *entry = json_object_array_get_idx(g->hosts, dc->index);
        struct json_object *domains =
                agent_proto_reply_payload(reply, AGENT_PROTO_DOMAINS, &error, dc->bad_reply);

        if (domains)
                json_object_object_add(entry, agent_proto_reply_key(AGENT_PROTO_DOMAINS),
                                       json_object_get(domains));
        else
                json_object_object_add(entry, "error", json_object_new_string(error));
        free(dc);
        domains_gather_end(g);
}

void fabric_domains(struct fabric *f, const char *host, fabric_domains_fn done, void *userdata) {
        struct domains_gather *g = calloc(1, sizeof(*g));
        _cleanup_free_ struct fabric_host **order = calloc(host_count(f) + 1, sizeof(*order));
        size_t n = 0;

        if (!g || !order) {
                struct json_object *none = json_object_new_array();

                free(g);
                done(none, userdata);
                json_object_put(none);
                return;
        }
        for (struct fabric_host *h = f->hosts; h; h = h->next)
                if (fabric_host_transport_for(h, AGENT_PROTO_DOMAINS) >= 0 && (!host || streq(host, h->name)))
                        insert_by_name(order, &n, h);
        g->done = done;
        g->userdata = userdata;
        g->hosts = json_object_new_array();
        g->pending = 1; /* held until every call is queued */
        for (size_t i = 0; i < n; i++) {
                struct json_object *entry = json_object_new_object();

                json_object_object_add(entry, "host", json_object_new_string(order[i]->name));
                json_object_object_add(entry, agent_proto_reply_key(AGENT_PROTO_DOMAINS), NULL);
                json_object_object_add(entry, "error", NULL);
                json_object_array_add(g->hosts, entry);
        }
        for (size_t i = 0; i < n; i++) {
                struct domains_call *dc = calloc(1, sizeof(*dc));
                int k = fabric_host_transport_for(order[i], AGENT_PROTO_DOMAINS);

                if (!dc) {
                        json_object_object_add(json_object_array_get_idx(g->hosts, i), "error",
                                               json_object_new_string("out of memory"));
                        continue;
                }
                g->pending++;
                dc->g = g;
                dc->index = i;
                dc->bad_reply = order[i]->transports[k]->ops->bad_reply;
                fabric_host_call(order[i], (size_t)k, agent_proto_request_new(AGENT_PROTO_DOMAINS, NULL),
                                 on_domains, dc);
        }
        domains_gather_end(g);
}

/* ---- metrics ---------------------------------------------------------- */

void fabric_stats(struct fabric *f, fabric_stats_fn fn, void *userdata) {
        for (struct fabric_host *h = f->hosts; h; h = h->next) {
                struct fabric_host_stats st = {
                        .name = h->name, .connected = fabric_host_connected(h), .last_pass = h->last_pass};

                for (size_t i = 0; i < h->n_transports; i++)
                        if (h->transports[i]->ops->stats)
                                h->transports[i]->ops->stats(h->transports[i], &st);
                memcpy(st.objects, h->last_states, sizeof(st.objects));
                fn(&st, userdata);
        }
}
