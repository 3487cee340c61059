/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>
#include <stdarg.h>
#include <time.h>

#include "api-private.h"
#include "db/attachment.h"
#include "db/capacity.h"
#include "db/cluster.h"
#include "db/network.h"
#include "db/node.h"
#include "json.h"
#include "netd/core/log.h"
#include "netd/fabric/fabric.h"

/* A request whose reply waits until dnsmasq serves its change. */
struct pending {
        struct request *r;
        struct json_object *data;
        char what[NAME_MAX_LEN * 2 + 32];
};

static void pending_done(int code, const char *message, void *userdata) {
        struct pending *p = userdata;

        if (code == 0) {
                log_info("%s: served", p->what);
                request_reply_ok(p->r, p->data);
        } else {
                log_error("%s: %s", p->what, message);
                json_object_put(p->data);
                request_reply_error(p->r, code, message);
        }
        free(p);
}

static struct pending *pending_new(struct request *r, struct json_object *data, const char *fmt, ...)
        _printf_(3, 4);

static struct pending *pending_new(struct request *r, struct json_object *data, const char *fmt, ...) {
        struct pending *p = calloc(1, sizeof(*p));
        va_list ap;

        if (!p) {
                json_object_put(data);
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return NULL;
        }
        p->r = r;
        p->data = data;
        va_start(ap, fmt);
        vsnprintf(p->what, sizeof(p->what), fmt, ap);
        va_end(ap);
        return p;
}

/* The store has committed; a failure to even start making the change live
 * is reported, the change itself stands (netd serves it after a restart). */
static void pending_start_failed(struct pending *p, const struct netd_error *err) {
        char msg[600];

        snprintf(msg, sizeof(msg), "stored, but not served: %s", err->message);
        pending_done(NETD_EINTERNAL, msg, p);
}

static void reply_error(struct request *r, const struct netd_error *err) {
        request_reply_error(r, err->code ? err->code : NETD_EINTERNAL, err->message);
}

static void cmd_ping(struct api *api _unused_, struct request *r, struct json_object *args _unused_) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "version", json_object_new_string(NETD_VERSION));
        request_reply_ok(r, o);
}

static void network_changed(struct api *api, struct request *r, struct json_object *data, const char *what,
                            const char *name) {
        struct netd_error err = {0};
        struct pending *p = pending_new(r, data, "network %s", name);

        if (!p)
                return;
        log_info("network %s: %s", name, what);
        if (dnsmasq_sync(api->dnsmasq, api->store, false, pending_done, p, &err) < 0)
                pending_start_failed(p, &err);
}

static void cmd_network_add(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_network_ struct network *n = NULL;
        _cleanup_free_ const char **reserve = NULL, **dhcp_options = NULL;
        struct netd_error err = {0};
        struct network_spec spec = {
                .name = proto_arg_string(args, "name"),
                .cidr = proto_arg_string(args, "cidr"),
                .gateway = proto_arg_string(args, "gateway"),
                .domain = proto_arg_string(args, "domain"),
                .interface = proto_arg_string(args, "interface"),
                .dhcp_range = proto_arg_string(args, "dhcp_range"),
                .bridge = proto_arg_string(args, "bridge"),
                .boot_file = proto_arg_string(args, "boot_file"),
                .boot_file_efi = proto_arg_string(args, "boot_file_efi"),
                .boot_server = proto_arg_string(args, "boot_server"),
                .tftp_root = proto_arg_string(args, "tftp_root"),
                .ipxe_script = proto_arg_string(args, "ipxe_script"),
                .underlay_family = proto_arg_string(args, "underlay_family"),
        };

        reserve = proto_arg_strings(args, "reserve", &spec.n_reserve);
        spec.reserve = reserve;
        spec.has_vni = proto_arg_int(args, "vni", &spec.vni);
        spec.has_mtu = proto_arg_int(args, "mtu", &spec.mtu);
        dhcp_options = proto_arg_strings(args, "dhcp_option", &spec.n_dhcp_option);
        spec.dhcp_option = dhcp_options;
        if (network_add(api->store, &spec, &n, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        network_changed(api, r, json_network(n), "added", n->name);
}

static void on_mtu_synced(struct json_object *hosts, int code, const char *message, void *userdata) {
        if (code != 0)
                log_warn("network %s: MTU: %s", (const char *)userdata, message);
        json_object_put(hosts);
        free(userdata);
}

/* The bridges of network `name` carry its MTU: its hosts' passes set the
 * new one now rather than at their next periodic pass. */
static void network_mtu_push(struct api *api, const char *name) {
        _cleanup_free_ struct attachment *ats = NULL;
        _cleanup_free_ const char **hosts = NULL;
        struct netd_error err = {0};
        char *userdata;
        size_t n = 0;

        if (attachment_list(api->store, name, &ats, &n, &err) < 0) {
                log_warn("network %s: MTU: %s", name, err.message);
                return;
        }
        if (n == 0)
                return;
        hosts = calloc(n, sizeof(*hosts));
        userdata = strdup(name);
        if (!hosts || !userdata) {
                free(userdata);
                log_warn("network %s: MTU: out of memory", name);
                return;
        }
        for (size_t i = 0; i < n; i++)
                hosts[i] = ats[i].host;
        fabric_sync(api->fabric, hosts, n, on_mtu_synced, userdata);
}

static void cmd_network_set(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_network_ struct network *before = NULL, *after = NULL;
        _cleanup_free_ const char **reserve = NULL, **dhcp_options = NULL, **no_dhcp_options = NULL;
        struct netd_error err = {0};
        struct network_change change = {
                .name = proto_arg_string(args, "name"),
                .mtu = proto_arg_string(args, "mtu"),
                .dhcp_range = proto_arg_string(args, "dhcp_range"),
                .boot_file = proto_arg_string(args, "boot_file"),
                .boot_file_efi = proto_arg_string(args, "boot_file_efi"),
                .boot_server = proto_arg_string(args, "boot_server"),
                .tftp_root = proto_arg_string(args, "tftp_root"),
                .ipxe_script = proto_arg_string(args, "ipxe_script"),
                .no_boot = proto_arg_bool(args, "no_boot"),
                .has_reserve = json_object_object_get_ex(args, "reserve", NULL),
        };

        reserve = proto_arg_strings(args, "reserve", &change.n_reserve);
        change.reserve = reserve;
        dhcp_options = proto_arg_strings(args, "dhcp_option", &change.n_dhcp_option);
        change.dhcp_option = dhcp_options;
        no_dhcp_options = proto_arg_strings(args, "no_dhcp_option", &change.n_no_dhcp_option);
        change.no_dhcp_option = no_dhcp_options;
        if (network_set(api->store, &change, &before, &after, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        if (after->mtu != before->mtu)
                network_mtu_push(api, after->name);
        network_changed(api, r, json_network(after), "changed", after->name);
}

static void cmd_network_list(struct api *api, struct request *r, struct json_object *args _unused_) {
        struct network **l = NULL;
        size_t n = 0;
        struct netd_error err = {0};
        struct json_object *o, *a;

        if (network_list(api->store, &l, &n, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        o = json_object_new_object();
        a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_network(l[i]));
        json_object_object_add(o, "networks", a);
        network_list_free(l, n);
        request_reply_ok(r, o);
}

static void cmd_network_show(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_network_ struct network *n = NULL;
        struct netd_error err = {0};

        if (network_get(api->store, proto_arg_string(args, "name"), &n, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        request_reply_ok(r, json_network(n));
}

static void cmd_network_remove(struct api *api, struct request *r, struct json_object *args) {
        const char *name = proto_arg_string(args, "name");
        struct netd_error err = {0};
        struct json_object *o;

        if (network_remove(api->store, name, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(name));
        network_changed(api, r, o, "removed", name);
}

/* Parse "NODE=MAC" arguments into spec pairs pointing into `args`' strings
 * (copied, since they must be split). */
static int node_macs_parse(const char **raw, size_t n, struct node_mac **ret, char ***ret_copies,
                           struct netd_error *err) {
        struct node_mac *m = calloc(n + 1, sizeof(*m));
        char **copies = calloc(n + 1, sizeof(*copies));

        if (!m || !copies) {
                free(m);
                free(copies);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                char *eq, q[80];

                copies[i] = strdup(raw[i]);
                eq = copies[i] ? strchr(copies[i], '=') : NULL;
                if (!eq) {
                        for (size_t j = 0; j <= i; j++)
                                free(copies[j]);
                        free(copies);
                        free(m);
                        return error_set(err, NETD_EINVALID, "--mac %s: expected NODE=MAC",
                                         error_quote_untrusted(raw[i], q, sizeof(q)));
                }
                *eq = '\0';
                m[i].node = copies[i];
                m[i].mac = eq + 1;
        }
        *ret = m;
        *ret_copies = copies;
        return 0;
}

static void strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
}

static void cluster_changed(struct api *api, struct request *r, const struct cluster *now,
                            const struct cluster *before, struct json_object *data, const char *what) {
        struct netd_error err = {0};
        const char *name = now ? now->name : before->name;
        struct pending *p = pending_new(r, data, "cluster %s", name);
        int rc;

        if (!p)
                return;
        log_info("cluster %s: %s", name, what);
        rc = now ? dnsmasq_cluster_set(api->dnsmasq, now, before, pending_done, p, &err)
                 : dnsmasq_cluster_remove(api->dnsmasq, before, pending_done, p, &err);
        if (rc < 0)
                pending_start_failed(p, &err);
}

/* --reuse NODE=CLUSTER/NODE, split in the copies node_macs_parse() made
 * of "NODE=VALUE". */
static int node_reuses_parse(const char **raw, size_t n, struct node_reuse **ret, char ***ret_copies,
                             struct netd_error *err) {
        _cleanup_free_ struct node_mac *pairs = NULL;
        struct node_reuse *ru;
        char **copies = NULL;
        int r;

        r = node_macs_parse(raw, n, &pairs, &copies, err);
        if (r < 0)
                return error_set(err, r, "--reuse: expected NODE=CLUSTER/NODE");
        ru = calloc(n + 1, sizeof(*ru));
        if (!ru) {
                strv_free(copies);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                char *slash = strchr(pairs[i].mac, '/'), q[80];

                if (!slash) {
                        error_quote_untrusted(raw[i], q, sizeof(q));
                        strv_free(copies);
                        free(ru);
                        return error_set(err, NETD_EINVALID, "--reuse %s: expected NODE=CLUSTER/NODE", q);
                }
                *slash = '\0';
                ru[i] = (struct node_reuse){
                        .node = pairs[i].node, .of_cluster = pairs[i].mac, .of_node = slash + 1};
        }
        *ret = ru;
        *ret_copies = copies;
        return 0;
}

/* --network: the v1 single string, or the list (dual-stack). */
static const char **networks_arg(struct json_object *args, const char *one, const char *list, size_t *ret_n,
                                 const char **buf) {
        const char *single = proto_arg_string(args, one);

        if (single && !json_object_object_get_ex(args, list, NULL)) {
                buf[0] = single;
                *ret_n = 1;
                return NULL;
        }
        return proto_arg_strings(args, list, ret_n);
}

static void cmd_cluster_allocate(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_cluster_ struct cluster *c = NULL;
        _cleanup_free_ const char **raw = NULL, **raw_reuse = NULL, **nets = NULL, **machines = NULL;
        _cleanup_free_ struct node_mac *macs = NULL;
        _cleanup_free_ struct node_reuse *reuses = NULL;
        const char *one_net[1] = {NULL};
        char **copies = NULL, **reuse_copies = NULL, what[160];
        struct netd_error err = {0};
        int64_t masters = -1, workers = -1;
        size_t n_raw = 0, n_reuse = 0;
        bool created = false;
        struct cluster_spec spec = {
                .name = proto_arg_string(args, "name"),
                .topology = proto_arg_string(args, "topology"),
        };

        if (proto_arg_string(args, "network") && json_object_object_get_ex(args, "networks", NULL)) {
                request_reply_error(r, NETD_EINVALID, "cluster: give \"network\" or \"networks\", not both");
                return;
        }
        nets = networks_arg(args, "network", "networks", &spec.n_networks, one_net);
        spec.networks = nets ? nets : one_net;
        machines = proto_arg_strings(args, "machine_network", &spec.n_machine_networks);
        spec.machine_networks = machines;
        raw = proto_arg_strings(args, "mac", &n_raw);
        if (node_macs_parse(raw, n_raw, &macs, &copies, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        raw_reuse = proto_arg_strings(args, "reuse", &n_reuse);
        if (node_reuses_parse(raw_reuse, n_reuse, &reuses, &reuse_copies, &err) < 0) {
                strv_free(copies);
                reply_error(r, &err);
                return;
        }
        /* -1 in the spec means "from the topology": a negative count given by
         * the client must not turn into that. */
        if ((proto_arg_int(args, "masters", &masters) && (masters < 0 || masters > INT_MAX)) ||
            (proto_arg_int(args, "workers", &workers) && (workers < 0 || workers > INT_MAX))) {
                strv_free(copies);
                strv_free(reuse_copies);
                request_reply_error(r, NETD_EINVALID,
                                    "cluster: --masters and --workers must be counts (0 or more)");
                return;
        }
        spec.masters = (int)masters;
        spec.workers = (int)workers;
        spec.macs = macs;
        spec.n_macs = n_raw;
        spec.reuses = reuses;
        spec.n_reuses = n_reuse;
        if (cluster_allocate(api->store, &spec, &c, &created, &err) < 0) {
                strv_free(copies);
                strv_free(reuse_copies);
                reply_error(r, &err);
                return;
        }
        strv_free(copies);
        strv_free(reuse_copies);
        snprintf(what, sizeof(what), "%s on network%s %s%s%s (%zu nodes)",
                 created ? "allocated" : "already allocated", c->n_networks > 1 ? "s" : "", c->network,
                 c->n_networks > 1 ? " and " : "", c->n_networks > 1 ? c->networks[1].name : "", c->n_nodes);
        /* Also for an unchanged cluster: an identical request in flight may
         * not have been served yet, and the answer must mean "live". */
        cluster_changed(api, r, c, NULL, json_cluster(c), what);
}

static void cmd_cluster_release(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_cluster_ struct cluster *before = NULL;
        struct netd_error err = {0};

        if (cluster_release(api->store, proto_arg_string(args, "name"), &before, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        cluster_changed(api, r, NULL, before, json_cluster(before), "released");
}

static void cmd_cluster_list(struct api *api, struct request *r, struct json_object *args) {
        struct cluster **l = NULL;
        size_t n = 0;
        struct netd_error err = {0};
        struct json_object *o, *a;

        if (cluster_list(api->store, proto_arg_string(args, "network"), &l, &n, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        o = json_object_new_object();
        a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_cluster(l[i]));
        json_object_object_add(o, "clusters", a);
        cluster_list_free(l, n);
        request_reply_ok(r, o);
}

static void cmd_cluster_show(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_cluster_ struct cluster *c = NULL;
        struct netd_error err = {0};

        if (cluster_get(api->store, proto_arg_string(args, "name"), &c, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        request_reply_ok(r, json_cluster(c));
}

static void cmd_node_allocate(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_cluster_ struct cluster *c = NULL;
        struct netd_error err = {0};
        const char *node = proto_arg_string(args, "node");
        bool created = false;
        char what[128];

        if (node_allocate(api->store, proto_arg_string(args, "cluster"), node, proto_arg_string(args, "mac"),
                          &c, &created, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "node %s %s", node, created ? "allocated" : "already allocated");
        cluster_changed(api, r, c, NULL, json_cluster(c), what);
}

static void cmd_node_release(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_cluster_ struct cluster *before = NULL, *after = NULL;
        struct netd_error err = {0};
        const char *cluster = proto_arg_string(args, "cluster"), *node = proto_arg_string(args, "node");
        char what[128];

        if (node_release(api->store, cluster, node, &before, &err) < 0 ||
            cluster_get(api->store, cluster, &after, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        snprintf(what, sizeof(what), "node %s released", node);
        cluster_changed(api, r, after, before, json_cluster(after), what);
}

static void cmd_node_set(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_cluster_ struct cluster *before = NULL, *after = NULL;
        struct netd_error err = {0};
        struct node_change change = {
                .cluster = proto_arg_string(args, "cluster"),
                .node = proto_arg_string(args, "node"),
                .ipxe_script = proto_arg_string(args, "ipxe_script"),
                .boot_file = proto_arg_string(args, "boot_file"),
                .boot = proto_arg_string(args, "boot"),
                .bmc_address = proto_arg_string(args, "bmc_address"),
                .root_disk = proto_arg_string(args, "root_disk"),
                .boot_mode = proto_arg_string(args, "boot_mode"),
        };
        const struct node *nd;
        char what[128];

        if (node_set(api->store, &change, &before, &after, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        nd = cluster_find_node(after, change.node);
        snprintf(what, sizeof(what), "node %s boots %s", change.node,
                 !nd || nd->boot == NODE_BOOT_NETWORK ? "as its network says"
                 : nd->boot == NODE_BOOT_FILE         ? "its own file"
                                                      : "its own iPXE script");
        cluster_changed(api, r, after, before, json_cluster(after), what);
}

static void cmd_report_capacity(struct api *api, struct request *r, struct json_object *args) {
        _cleanup_free_ struct capacity *caps = NULL;
        _cleanup_free_ const char **nets = NULL;
        const char *one_net[1] = {NULL};
        struct capacity lab = {0};
        struct netd_error err = {0};
        size_t n = 0, n_nets = 0;

        nets = networks_arg(args, "network", "networks", &n_nets, one_net);
        if (capacity_report(api->store, nets ? nets : one_net, n_nets, &caps, &n, &lab, &err) < 0) {
                reply_error(r, &err);
                return;
        }
        request_reply_ok(r, json_capacity(caps, n, &lab, time(NULL)));
}

const struct api_handler api_ipam_handlers[] = {
        {"ping", cmd_ping},
        {"network.add", cmd_network_add},
        {"network.list", cmd_network_list},
        {"network.show", cmd_network_show},
        {"network.set", cmd_network_set},
        {"network.remove", cmd_network_remove},
        {"cluster.allocate", cmd_cluster_allocate},
        {"cluster.release", cmd_cluster_release},
        {"cluster.list", cmd_cluster_list},
        {"cluster.show", cmd_cluster_show},
        {"node.allocate", cmd_node_allocate},
        {"node.release", cmd_node_release},
        {"node.set", cmd_node_set},
        {"report.capacity", cmd_report_capacity},
};

const size_t api_ipam_n_handlers = ARRAY_SIZE(api_ipam_handlers);
