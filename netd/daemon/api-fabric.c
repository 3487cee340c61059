/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Handlers of the hosts and fabric commands. A change is stored first, then
 * every host it concerns is reconciled; the answer waits for those passes,
 * so "attached" means the bridge exists on the host. */
#include "api-private.h"
#include "db/attachment.h"
#include "db/host.h"
#include "db/link.h"
#include "db/network.h"
#include "db/route.h"
#include "netd/fabric/fabric.h"
#include "netd/core/log.h"

static void reply_error(struct request *r, const struct netd_error *err) {
        request_reply_error(r, err->code ? err->code : NETD_EINTERNAL, err->message);
}

static struct json_object *string_or_null(const char *s) {
        return isempty(s) ? NULL : json_object_new_string(s);
}

/* A host as stored, with its connection's state from the fabric:
 * "underlay" is its first underlay (IPv4 before IPv6), "underlays" all. */
static struct json_object *host_json(struct api *api, const struct host *h) {
        struct json_object *o = json_object_new_object(), *underlays = json_object_new_array();
        enum fabric_host_state state = FABRIC_HOST_CONNECTING;
        const char *first = NULL;
        char a[ADDR_STRLEN], error[700] = "";

        for (size_t k = 0; k < HOST_UNDERLAY_MAX; k++) {
                if (!h->underlay[k].family)
                        continue;
                json_object_array_add(underlays,
                                      json_object_new_string(addr_format(&h->underlay[k], a, sizeof(a))));
                if (!first)
                        first = json_object_get_string(json_object_array_get_idx(underlays, 0));
        }
        if (fabric_host_status(api->fabric, h->name, error, sizeof(error), &state) < 0)
                snprintf(error, sizeof(error), "host %s: not started", h->name);
        json_object_object_add(o, "name", json_object_new_string(h->name));
        json_object_object_add(o, "connect", json_object_new_string(h->connect));
        json_object_object_add(o, "agent", json_object_new_string(h->agent));
        json_object_object_add(o, "underlay", first ? json_object_new_string(first) : NULL);
        json_object_object_add(o, "underlays", underlays);
        json_object_object_add(o, "libvirt", string_or_null(h->libvirt));
        json_object_object_add(o, "bmc", string_or_null(h->bmc));
        json_object_object_add(
                o, "state",
                json_object_new_string(fabric_host_state_to_string(error[0] ? FABRIC_HOST_FAILED : state)));
        json_object_object_add(o, "error", string_or_null(error));
        return o;
}

static struct json_object *attachment_json(const struct attachment *at) {
        struct json_object *o = json_object_new_object();
        char a[ADDR_STRLEN], buf[ADDR_STRLEN + 8];

        json_object_object_add(o, "network", json_object_new_string(at->network));
        json_object_object_add(o, "host", json_object_new_string(at->host));
        json_object_object_add(o, "bridge", json_object_new_string(at->bridge));
        json_object_object_add(o, "uplink", string_or_null(at->uplink));
        if (at->has_address)
                snprintf(buf, sizeof(buf), "%s/%u", addr_format(&at->address, a, sizeof(a)), at->prefixlen);
        json_object_object_add(o, "address", at->has_address ? json_object_new_string(buf) : NULL);
        return o;
}

/* ---- waiting for reconcile passes ---------------------------------------- */

/* A stored change whose answer waits for the passes of the hosts it
 * concerns; `host` is the one whose objects decide success. */
struct change {
        struct request *r;
        struct json_object *data;
        char host[NAME_MAX_LEN + 1];
        char what[160];
};

/* The host's pass decides: not connected → unavailable; an object in
 * conflict → conflict; one still missing (e.g. an uplink that does not
 * exist) → not-found; another object error → internal. */
static void on_change_synced(struct json_object *hosts, int code, const char *message, void *userdata) {
        struct change *c = userdata;
        char msg[700];

        for (size_t i = 0; hosts && code == 0 && i < json_object_array_length(hosts); i++) {
                struct json_object *h = json_object_array_get_idx(hosts, i), *v, *objs;

                if (!json_object_object_get_ex(h, "name", &v) || !streq(json_object_get_string(v), c->host))
                        continue;
                if (json_object_object_get_ex(h, "error", &v) && v) {
                        snprintf(msg, sizeof(msg),
                                 "%s stored, but not applied: %s; netd applies it when the host answers"
                                 " again",
                                 c->what, json_object_get_string(v));
                        code = NETD_EUNAVAILABLE;
                        message = msg;
                        break;
                }
                json_object_object_get_ex(h, "objects", &objs);
                for (size_t k = 0; objs && k < json_object_array_length(objs); k++) {
                        struct json_object *o = json_object_array_get_idx(objs, k), *e, *st, *lb, *ec;

                        if (!json_object_object_get_ex(o, "error", &e) || !e)
                                continue;
                        json_object_object_get_ex(o, "state", &st);
                        json_object_object_get_ex(o, "label", &lb);
                        snprintf(msg, sizeof(msg), "host %s: %s: %s", c->host, json_object_get_string(lb),
                                 json_object_get_string(e));
                        /* The host's own word first (a bridge it lacks is not-found). */
                        if (json_object_object_get_ex(o, "error_code", &ec) && ec)
                                code = error_code_from_name(json_object_get_string(ec));
                        else
                                code = streq(json_object_get_string(st), "conflict") ? NETD_ECONFLICT
                                                                                     : NETD_ENOTFOUND;
                        message = msg;
                        break;
                }
        }
        json_object_put(hosts);
        if (code == 0) {
                log_info("%s: applied", c->what);
                request_reply_ok(c->r, c->data);
        } else {
                log_warn("%s: %s", c->what, message);
                json_object_put(c->data);
                request_reply_error(c->r, code, message);
        }
        free(c);
}

static void on_others_synced(struct json_object *hosts, int code _unused_, const char *message _unused_,
                             void *userdata _unused_) {
        json_object_put(hosts);
}

/* Reconcile names[0..n): the answer waits for names[0] alone, whose pass
 * decides it; the others (their flood entries) go on in parallel, so one
 * stalled host never holds up a change of another. */
static void change_sync(struct api *api, const char *const *names, size_t n, struct change *c) {
        fabric_sync(api->fabric, names, 1, on_change_synced, c);
        if (n > 1)
                fabric_sync(api->fabric, names + 1, n - 1, on_others_synced, NULL);
}

/* Reconcile names[0..n) (names[0] decides), then answer with `data`. */
static void change_apply_hosts(struct api *api, struct request *r, struct json_object *data,
                               const char *const *names, size_t n, const char *what) {
        struct change *c = calloc(1, sizeof(*c));

        if (!c) {
                json_object_put(data);
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return;
        }
        c->r = r;
        c->data = data;
        strscpy(c->host, sizeof(c->host), names[0]);
        strscpy(c->what, sizeof(c->what), what);
        change_sync(api, names, n, c);
}

/* Reconcile `host` and every host attached to `network` (when given, for
 * their flood entries), then answer with `data`. */
static void change_apply(struct api *api, struct request *r, struct json_object *data, const char *host,
                         const char *network, const char *what) {
        struct change *c = calloc(1, sizeof(*c));
        struct attachment *ats = NULL;
        size_t n = 0, k = 0;
        struct netd_error err = {0};
        const char **names;

        if (!c) {
                json_object_put(data);
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return;
        }
        c->r = r;
        c->data = data;
        strscpy(c->host, sizeof(c->host), host);
        strscpy(c->what, sizeof(c->what), what);
        if (network && attachment_list(api->store, network, &ats, &n, &err) < 0)
                log_warn("%s: %s", what, err.message);
        names = calloc(n + 1, sizeof(*names));
        if (!names) {
                free(ats);
                on_change_synced(NULL, NETD_EINTERNAL, "out of memory", c);
                return;
        }
        names[k++] = host;
        for (size_t i = 0; i < n; i++)
                if (!streq(ats[i].host, host))
                        names[k++] = ats[i].host;
        change_sync(api, names, k, c);
        free(names);
        free(ats);
}

/* ---- hosts ----------------------------------------------------------------- */

/* What host.add and host.set carry; *ret_underlays is the caller's to free. */
static struct host_spec host_spec_from_args(struct json_object *args, const char ***ret_underlays) {
        struct host_spec spec = {
                .name = proto_arg_string(args, "name"),
                .connect = proto_arg_string(args, "connect"),
                .agent = proto_arg_string(args, "agent"),
                .libvirt = proto_arg_string(args, "libvirt"),
                .bmc = proto_arg_string(args, "bmc"),
        };

        *ret_underlays = proto_arg_strings(args, "underlay", &spec.n_underlays);
        spec.underlays = *ret_underlays;
        return spec;
}

/* Answers at once: the agent may still be logging in ("connecting"). */
static void cmd_host_add(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_(host_freep) struct host *h = NULL;
        struct netd_error err = {0};
        _cleanup_free_ const char **underlays = NULL;
        struct host_spec spec = host_spec_from_args(args, &underlays);

        if (host_add(api->store, &spec, &h, &err) < 0 || fabric_host_start(api->fabric, h->name, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        log_info("host %s: added (%s)", h->name, streq(h->connect, CONNECT_LOCAL) ? "local" : "agent");
        request_reply_ok(r, host_json(api, h));
}

/* The hosts sharing a network with `host` (and it), for their flood entries. */
static const char **host_neighbours(struct api *api, const char *host, size_t *ret_n) {
        struct attachment *ats = NULL;
        struct netd_error err = {0};
        const char **names;
        size_t n = 0, k = 0;

        if (attachment_list(api->store, NULL, &ats, &n, &err) < 0)
                log_warn("host %s: %s", host, err.message);
        names = calloc(n + 2, sizeof(*names));
        if (!names) {
                free(ats);
                return NULL;
        }
        names[k++] = host;
        for (size_t i = 0; i < n; i++) {
                bool shares = false, listed = false;

                for (size_t j = 0; j < n && !shares; j++)
                        shares = streq(ats[j].host, host) && streq(ats[j].network, ats[i].network);
                for (size_t j = 0; j < k && !listed; j++)
                        listed = streq(names[j], ats[i].host);
                if (shares && !listed && (names[k] = strdup(ats[i].host)))
                        k++;
        }
        free(ats);
        *ret_n = k;
        return names;
}

/* Stored, then the agent restarts with the new command (when it changed)
 * and the host and its neighbours are reconciled; the answer waits. */
static void cmd_host_set(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_(host_freep) struct host *before = NULL;
        _cleanup_(host_freep) struct host *h = NULL;
        struct netd_error err = {0};
        size_t n_names = 0;
        _cleanup_free_ const char **underlays = NULL;
        struct host_spec change = host_spec_from_args(args, &underlays);
        const char **names;
        char what[160];

        if (host_set(api->store, &change, &before, &h, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        if ((!streq(before->connect, h->connect) || !streq(before->agent, h->agent) ||
             !streq(before->libvirt, h->libvirt)) &&
            fabric_host_restart(api->fabric, h->name, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        log_info("host %s: changed", h->name);
        snprintf(what, sizeof(what), "host %s changed", h->name);
        names = host_neighbours(api, h->name, &n_names);
        if (!names) {
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return;
        }
        change_apply_hosts(api, r, host_json(api, h), names, n_names, what);
        for (size_t i = 1; i < n_names; i++)
                free((char *)names[i]);
        free(names);
}

static void cmd_host_list(struct api *api, struct request *r, struct json_object *args _unused_) {
        struct host **l = NULL;
        size_t n = 0;
        struct netd_error err = {0};
        struct json_object *o, *a;

        if (host_list(api->store, &l, &n, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        o = json_object_new_object();
        a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, host_json(api, l[i]));
        json_object_object_add(o, "hosts", a);
        host_list_free(l, n);
        request_reply_ok(r, o);
}

static void cmd_host_show(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_(host_freep) struct host *h = NULL;
        struct netd_error err = {0};

        if (host_get(api->store, proto_arg_string(args, "name"), &h, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        request_reply_ok(r, host_json(api, h));
}

static void cmd_host_remove(struct api *api, struct request *r, struct json_object *args) {
        const char *name = proto_arg_string(args, "name");
        struct netd_error err = {0};
        struct json_object *o;

        if (host_remove(api->store, name, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        fabric_host_stop(api->fabric, name);
        log_info("host %s: removed", name);
        o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(name));
        request_reply_ok(r, o);
}

/* ---- attach / detach ------------------------------------------------------ */

static void cmd_network_attach(struct api *api, struct request *r, struct json_object *args) {
        const char *net = proto_arg_string(args, "network"), *host = proto_arg_string(args, "host");
        struct attachment at = {0};
        struct netd_error err = {0};
        char what[160];

        if (attachment_set(api->store, net, host, proto_arg_string(args, "uplink"),
                           proto_arg_string(args, "address"), &at, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "network %s on host %s", net, host);
        change_apply(api, r, attachment_json(&at), host, net, what);
}

struct detach {
        struct api *api;
        struct request *r;
        struct attachment at;
        bool force;
        struct json_object *ports; /* forced: the foreign ports that lose their bridge */
};

static void detach_free(struct detach *dt) {
        json_object_put(dt->ports);
        free(dt);
}

/* The labels of objs[0..n) as a JSON array. */
static struct json_object *labels_json(const struct fobj *objs, size_t n) {
        struct json_object *a = json_object_new_array();
        char label[160];

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_object_new_string(fobj_label(&objs[i], label, sizeof(label))));
        return a;
}

/* Stored, then reconciled; the answer says what the host loses: "removed"
 * (what netd deletes there) and, forced, "ports" (ports netd did not make,
 * e.g. VM taps, left without a bridge). */
static void detach_now(struct detach *dt) {
        struct netd_error err = {0};
        struct json_object *data;
        struct fobj *removed = NULL;
        size_t n = 0;
        char what[160];

        if (attachment_detach(dt->api->store, dt->at.network, dt->at.host, dt->force, &removed, &n, &err) <
            0) {
                reply_error(dt->r, &err);
                detach_free(dt);
                return;
        }
        data = attachment_json(&dt->at);
        json_object_object_add(data, "removed", labels_json(removed, n));
        if (dt->force)
                json_object_object_add(data, "ports",
                                       dt->ports ? json_object_get(dt->ports) : json_object_new_array());
        if (n > 0) {
                char label[160];

                for (size_t i = 0; i < n; i++)
                        log_info("network %s detached from host %s%s: removes %s", dt->at.network,
                                 dt->at.host, dt->force ? " (forced)" : "",
                                 fobj_label(&removed[i], label, sizeof(label)));
        }
        free(removed);
        snprintf(what, sizeof(what), "network %s detached from host %s", dt->at.network, dt->at.host);
        change_apply(dt->api, dt->r, data, dt->at.host, dt->at.network, what);
        detach_free(dt);
}

/* Ports netd did not make (VM taps) keep the bridge: refuse unless forced
 * (then they are named in the answer). The uplink is foreign too, but it is
 * the attachment's own. A forced detach goes on without the list when the
 * host does not answer. */
static void on_detach_ports(struct json_object *ports, int code, const char *message, void *userdata) {
        struct detach *dt = userdata;
        char list[400] = "", msg[1024];
        size_t used = 0, foreign = 0;

        if (code < 0 && !dt->force) {
                snprintf(msg, sizeof(msg),
                         "network %s on host %s: cannot list the ports of %s: %s (use --force)",
                         dt->at.network, dt->at.host, dt->at.bridge, message);
                request_reply_error(dt->r, code, msg);
                detach_free(dt);
                return;
        }
        dt->ports = json_object_new_array();
        for (size_t i = 0; ports && i < json_object_array_length(ports); i++) {
                const char *p = json_object_get_string(json_object_array_get_idx(ports, i));
                if (streq(p, dt->at.uplink))
                        continue;
                foreign++;
                json_object_array_add(dt->ports, json_object_new_string(p));
                if (used < sizeof(list) - 1)
                        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                                                 foreign > 1 ? ", " : "", p);
        }
        json_object_put(ports);
        if (foreign > 0 && !dt->force) {
                snprintf(msg, sizeof(msg),
                         "network %s on host %s: bridge %s has ports netd did not create (%s); detach "
                         "--force removes it anyway",
                         dt->at.network, dt->at.host, dt->at.bridge, list);
                request_reply_error(dt->r, NETD_ECONFLICT, msg);
                detach_free(dt);
                return;
        }
        detach_now(dt);
}

static void cmd_network_detach(struct api *api, struct request *r, struct json_object *args) {
        struct detach *dt = calloc(1, sizeof(*dt));
        struct netd_error err = {0};

        if (!dt) {
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return;
        }
        dt->api = api;
        dt->r = r;
        dt->force = proto_arg_bool(args, "force");
        if (attachment_get(api->store, proto_arg_string(args, "network"), proto_arg_string(args, "host"),
                           &dt->at, &err) < 0) {
                reply_error(r, &err);
                detach_free(dt);
                return;
        }
        fabric_foreign_ports(api->fabric, dt->at.host, dt->at.bridge, on_detach_ports, dt);
}

/* ---- links and routes --------------------------------------------------- */

static struct json_object *args_copy(struct json_object *args, const char *const *keys, size_t n) {
        struct json_object *o = json_object_new_object(), *v;

        for (size_t i = 0; i < n; i++)
                json_object_object_add(
                        o, keys[i], json_object_object_get_ex(args, keys[i], &v) ? json_object_get(v) : NULL);
        return o;
}

static void cmd_link_add(struct api *api, struct request *r, struct json_object *args) {
        static const char *const keys[] = {"host", "kind", "name", "peer", "master", "peer_master"};
        const char *host = proto_arg_string(args, "host"), *name = proto_arg_string(args, "name");
        struct netd_error err = {0};
        char what[160];

        if (link_add(api->store, host, proto_arg_string(args, "kind"), name, proto_arg_string(args, "peer"),
                     proto_arg_string(args, "master"), proto_arg_string(args, "peer_master"), &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "link %s on host %s", name, host);
        change_apply(api, r, args_copy(args, keys, ARRAY_SIZE(keys)), host, NULL, what);
}

static void cmd_link_remove(struct api *api, struct request *r, struct json_object *args) {
        static const char *const keys[] = {"host", "name"};
        const char *host = proto_arg_string(args, "host"), *name = proto_arg_string(args, "name");
        struct netd_error err = {0};
        char what[160];

        if (link_remove(api->store, host, name, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "link %s removed from host %s", name, host);
        change_apply(api, r, args_copy(args, keys, ARRAY_SIZE(keys)), host, NULL, what);
}

static void cmd_route_add(struct api *api, struct request *r, struct json_object *args) {
        static const char *const keys[] = {"host", "dest", "via", "dev"};
        const char *host = proto_arg_string(args, "host"), *dest = proto_arg_string(args, "dest");
        struct netd_error err = {0};
        char what[160];

        if (route_add(api->store, host, dest, proto_arg_string(args, "via"), proto_arg_string(args, "dev"),
                      &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "route %s on host %s", dest, host);
        change_apply(api, r, args_copy(args, keys, ARRAY_SIZE(keys)), host, NULL, what);
}

static void cmd_route_remove(struct api *api, struct request *r, struct json_object *args) {
        static const char *const keys[] = {"host", "dest"};
        const char *host = proto_arg_string(args, "host"), *dest = proto_arg_string(args, "dest");
        struct netd_error err = {0};
        char what[160];

        if (route_remove(api->store, host, dest, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "route %s removed from host %s", dest, host);
        change_apply(api, r, args_copy(args, keys, ARRAY_SIZE(keys)), host, NULL, what);
}

/* ---- status and sync ------------------------------------------------------ */

static void on_hosts(struct json_object *hosts, int code, const char *message, void *userdata) {
        struct request *r = userdata;
        struct json_object *o;

        if (code < 0) {
                request_reply_error(r, code, message);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "hosts", hosts);
        request_reply_ok(r, o);
}

static void cmd_fabric_status(struct api *api, struct request *r, struct json_object *args _unused_) {
        fabric_status(api->fabric, on_hosts, r);
}

static void cmd_fabric_sync(struct api *api, struct request *r, struct json_object *args) {
        const char *host = proto_arg_string(args, "host");
        _cleanup_(host_freep) struct host *h = NULL;
        struct netd_error err = {0};

        if (host && host_get(api->store, host, &h, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        fabric_sync(api->fabric, host ? &host : NULL, host ? 1 : 0, on_hosts, r);
}

const struct api_handler api_fabric_handlers[] = {
        {"host.add", cmd_host_add},
        {"host.set", cmd_host_set},
        {"host.list", cmd_host_list},
        {"host.show", cmd_host_show},
        {"host.remove", cmd_host_remove},
        {"network.attach", cmd_network_attach},
        {"network.detach", cmd_network_detach},
        {"link.add", cmd_link_add},
        {"link.remove", cmd_link_remove},
        {"route.add", cmd_route_add},
        {"route.remove", cmd_route_remove},
        {"fabric.status", cmd_fabric_status},
        {"fabric.sync", cmd_fabric_sync},
};

const size_t api_fabric_n_handlers = ARRAY_SIZE(api_fabric_handlers);
