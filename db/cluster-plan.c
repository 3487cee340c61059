/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `allocate cluster` asks for, resolved and checked: node counts and
 * names, given MACs, the networks (one per family, the first primary),
 * machine networks and reused nodes; and whether a stored cluster is what
 * a request asks for again. */
#include <sys/socket.h>

#include "cluster-private.h"
#include "cluster.h"
#include "store-private.h"
#include "netd/core/prefix.h"

/* A sane bound on --masters and --workers. */
#define NODES_MAX 1000
/* How many networks a "pass --network" message names. */
#define NETWORKS_LISTED 4

/* Default node counts; sno's VIPs are its master's own address. */
static const struct {
        unsigned masters, workers;
} topology_shapes[] = {
        [TOPOLOGY_SNO] = {1, 0},
        [TOPOLOGY_COMPACT] = {3, 0},
        [TOPOLOGY_MNO] = {3, 2},
};

void cluster_plan_node_name(const struct cluster_plan *p, size_t i, char *buf, size_t size) {
        if (i < p->masters)
                snprintf(buf, size, "master-%zu", i);
        else
                snprintf(buf, size, "worker-%zu", i - p->masters);
}

/* The index of generated node `node` in the plan, or -1. */
static int plan_node_index(const struct cluster_plan *p, const char *node) {
        unsigned idx;

        if (node_number(node, "worker-", &idx) && idx < p->workers)
                return (int)(idx + p->masters);
        if (node_number(node, "master-", &idx) && idx < p->masters)
                return (int)idx;
        return -1;
}

void cluster_plan_done(struct cluster_plan *p) {
        free(p->macs);
        free(p->reuse);
        free(p->reuse_ids);
        for (size_t i = 0; i < p->n_nets; i++)
                network_free(p->nets[i].net);
        *p = (struct cluster_plan){};
}

static int count_resolve(const char *cluster, const char *what, int given, unsigned dflt, unsigned min,
                         unsigned *ret, struct netd_error *err) {
        if (given == -1) {
                *ret = dflt;
                return 0;
        }
        if (given < (int)min || given > NODES_MAX)
                return error_set(err, NETD_EINVALID, "cluster %s: %s %d is not in %u-%d", cluster, what,
                                 given, min, NODES_MAX);
        *ret = (unsigned)given;
        return 0;
}

static int names_check(const struct cluster_spec *spec, struct netd_error *err) {
        char what[NAME_MAX_LEN + 32];
        int r;

        r = validate_name_check("cluster name", spec->name, err);
        if (r < 0)
                return r;
        if (spec->n_networks > CLUSTER_NETWORKS_MAX)
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: %zu networks given; a cluster has one, or two for dual-stack "
                                 "(one per family)",
                                 spec->name, spec->n_networks);
        snprintf(what, sizeof(what), "cluster %s: network name", spec->name);
        for (size_t i = 0; i < spec->n_networks; i++) {
                r = validate_name_check(what, spec->networks[i], err);
                if (r < 0)
                        return r;
                if (i > 0 && streq(spec->networks[0], spec->networks[i]))
                        return error_set(err, NETD_EINVALID, "cluster %s: network %s is given twice",
                                         spec->name, spec->networks[i]);
        }
        return 0;
}

static int macs_resolve(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err) {
        char q[NAME_MAX_LEN * 4 + 1], m[MAC_STRLEN];
        const char *name = spec->name;

        for (size_t i = 0; i < spec->n_macs; i++) {
                const char *node = spec->macs[i].node ? spec->macs[i].node : "";
                struct netd_error inner = {};
                int idx = plan_node_index(p, node);
                mac_t mac;

                if (idx < 0)
                        return error_set(
                                err, NETD_EINVALID,
                                "cluster %s: MAC given for node \"%s\", which the cluster does not have",
                                name, error_quote_untrusted(node, q, sizeof(q)));
                if (mac_parse(spec->macs[i].mac, &mac, &inner) < 0) {
                        char what[NAME_MAX_LEN * 2 + 32];

                        snprintf(what, sizeof(what), "cluster %s: node %s", name, node);
                        return store_error_wrap(err, &inner, what);
                }
                if (p->macs[idx] != 0)
                        return error_set(err, NETD_EINVALID, "cluster %s: node %s is given a MAC twice", name,
                                         node);
                if (node_mac_in(p->macs, p->masters + p->workers, mac))
                        return error_set(err, NETD_EINVALID, "cluster %s: MAC %s is given for two nodes",
                                         name, mac_format(mac, m, sizeof(m)));
                p->macs[idx] = mac;
        }
        return 0;
}

static int reuses_resolve(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err) {
        char q[NAME_MAX_LEN * 4 + 1], what[NAME_MAX_LEN * 2 + 48];
        const char *name = spec->name;
        int r;

        for (size_t i = 0; i < spec->n_reuses; i++) {
                const struct node_reuse *ru = &spec->reuses[i];
                int idx = plan_node_index(p, ru->node ? ru->node : "");

                if (idx < 0)
                        return error_set(
                                err, NETD_EINVALID,
                                "cluster %s: --reuse for node \"%s\", which the cluster does not have", name,
                                error_quote_untrusted(ru->node, q, sizeof(q)));
                snprintf(what, sizeof(what), "cluster %s: node %s reuses a cluster named", name, ru->node);
                r = validate_name_check(what, ru->of_cluster, err);
                if (r < 0)
                        return r;
                snprintf(what, sizeof(what), "cluster %s: node %s reuses a node named", name, ru->node);
                r = validate_name_check(what, ru->of_node, err);
                if (r < 0)
                        return r;
                if (streq(ru->of_cluster, name))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s cannot reuse a node of its own cluster", name,
                                         ru->node);
                if (p->reuse[idx])
                        return error_set(err, NETD_EINVALID, "cluster %s: node %s is given --reuse twice",
                                         name, ru->node);
                if (p->macs[idx] != 0)
                        return error_set(
                                err, NETD_EINVALID,
                                "cluster %s: node %s reuses %s/%s and has its MAC; give no --mac for "
                                "it",
                                name, ru->node, ru->of_cluster, ru->of_node);
                for (size_t j = 0; j < i; j++)
                        if (streq(spec->reuses[j].of_cluster, ru->of_cluster) &&
                            streq(spec->reuses[j].of_node, ru->of_node))
                                return error_set(err, NETD_EINVALID,
                                                 "cluster %s: nodes %s and %s both reuse %s/%s", name,
                                                 spec->reuses[j].node, ru->node, ru->of_cluster, ru->of_node);
                p->reuse[idx] = ru;
        }
        return 0;
}

static int machines_resolve(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err) {
        char what[NAME_MAX_LEN + 48];

        if (spec->n_machine_networks > CLUSTER_NETWORKS_MAX)
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: %zu machine networks given; at most one per family", spec->name,
                                 spec->n_machine_networks);
        snprintf(what, sizeof(what), "cluster %s: machine network", spec->name);
        for (size_t i = 0; i < spec->n_machine_networks; i++) {
                struct netd_error inner = {};

                if (prefix_parse(spec->machine_networks[i], &p->machine[i], &inner) < 0)
                        return store_error_wrap(err, &inner, what);
                if (i > 0 && p->machine[0].base.family == p->machine[i].base.family)
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: two machine networks of one family; at most one per "
                                         "family",
                                         spec->name);
        }
        p->n_machine = spec->n_machine_networks;
        return 0;
}

int cluster_plan_resolve(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err) {
        char q[NAME_MAX_LEN * 4 + 1];
        const char *name = spec->name;
        size_t n;
        int r;

        r = names_check(spec, err);
        if (r < 0)
                return r;
        if (!spec->topology)
                p->topology = TOPOLOGY_SNO;
        else if (cluster_topology_from_string(spec->topology, &p->topology) < 0)
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: unknown topology \"%s\" (sno, compact or mno)", name,
                                 error_quote_untrusted(spec->topology, q, sizeof(q)));
        r = count_resolve(name, "masters", spec->masters, topology_shapes[p->topology].masters, 1,
                          &p->masters, err);
        if (r < 0)
                return r;
        r = count_resolve(name, "workers", spec->workers, topology_shapes[p->topology].workers, 0,
                          &p->workers, err);
        if (r < 0)
                return r;
        /* The VIPs of a single-node cluster are its one master's address. */
        if (p->topology == TOPOLOGY_SNO && p->masters != 1)
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: sno has exactly 1 master, not %u (use compact or mno)", name,
                                 p->masters);

        n = p->masters + p->workers;
        p->macs = calloc(n, sizeof(*p->macs));
        p->reuse = calloc(n, sizeof(*p->reuse));
        p->reuse_ids = calloc(n, sizeof(*p->reuse_ids));
        if (!p->macs || !p->reuse || !p->reuse_ids)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = macs_resolve(spec, p, err);
        if (r < 0)
                return r;
        r = reuses_resolve(spec, p, err);
        if (r < 0)
                return r;
        return machines_resolve(spec, p, err);
}

/* No network named: the only one. */
static int network_only(struct store *s, const struct cluster_spec *spec, struct plan_network *ret,
                        struct netd_error *err) {
        struct network **l = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        char names[NETWORKS_LISTED * (NAME_MAX_LEN + 2) + 8] = "";
        size_t n;
        int r;

        r = network_find_all(s, &l, &ids, &n, err);
        if (r < 0)
                return r;
        if (n == 1) {
                ret->net = l[0];
                ret->id = ids[0];
                free(l);
                return 0;
        }
        for (size_t i = 0; i < n && i < NETWORKS_LISTED; i++)
                store_append(names, sizeof(names), "%s%s", i ? ", " : "", l[i]->name);
        network_list_free(l, n);
        if (n == 0)
                return error_set(err, NETD_ENOTFOUND,
                                 "cluster %s: no network exists; add one with 'netctl network add'",
                                 spec->name);
        return error_set(err, NETD_EINVALID, "cluster %s: several networks exist (%s%s); pass --network",
                         spec->name, names, n > NETWORKS_LISTED ? ", ..." : "");
}

static const char *family_name(int family) {
        return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Each machine network goes to the network of its family and lies in it. */
static int machines_place(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err) {
        char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

        for (size_t i = 0; i < p->n_machine; i++) {
                const struct prefix *m = &p->machine[i];
                struct plan_network *pn = NULL;

                for (size_t j = 0; j < p->n_nets; j++)
                        if (p->nets[j].net->cidr.base.family == m->base.family)
                                pn = &p->nets[j];
                if (!pn)
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: machine network %s is %s, and the cluster has no %s "
                                         "network",
                                         spec->name, prefix_format(m, a, sizeof(a)),
                                         family_name(m->base.family), family_name(m->base.family));
                if (m->len < pn->net->cidr.len || !prefix_contains(&pn->net->cidr, &m->base))
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: machine network %s is not inside network %s (%s)",
                                         spec->name, prefix_format(m, a, sizeof(a)), pn->net->name,
                                         prefix_format(&pn->net->cidr, b, sizeof(b)));
                pn->machine = *m;
                pn->machine_given = true;
        }
        return 0;
}

int cluster_plan_networks(struct store *s, const struct cluster_spec *spec, struct cluster_plan *p,
                          struct netd_error *err) {
        const char *names[CLUSTER_NETWORKS_MAX] = {};
        _cleanup_cluster_ struct cluster *owner = NULL;
        size_t n = spec->n_networks;
        int r;

        for (size_t i = 0; i < n; i++)
                names[i] = spec->networks[i];
        /* No --network: a cluster that reuses a machine is on its networks. */
        for (size_t i = 0; n == 0 && i < p->masters + p->workers; i++)
                if (p->reuse[i] && cluster_find(s, p->reuse[i]->of_cluster, &owner, NULL, NULL) >= 0) {
                        for (; n < owner->n_networks; n++)
                                names[n] = owner->networks[n].name;
                }
        if (n == 0) {
                r = network_only(s, spec, &p->nets[0], err);
                if (r < 0)
                        return r;
                p->n_nets = 1;
        }
        for (size_t i = 0; i < n; i++) {
                r = network_find(s, names[i], &p->nets[i].net, &p->nets[i].id, err);
                if (r < 0)
                        return r;
                p->n_nets = i + 1;
        }
        if (p->n_nets == 2 && p->nets[0].net->cidr.base.family == p->nets[1].net->cidr.base.family)
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: networks %s and %s are both %s; a dual-stack cluster has one "
                                 "network per family",
                                 spec->name, p->nets[0].net->name, p->nets[1].net->name,
                                 family_name(p->nets[0].net->cidr.base.family));
        return machines_place(spec, p, err);
}

/* The row id of node `node` of cluster `cluster` that owns its machine. */
static int reused_find(struct store *s, const char *who, const struct node_reuse *ru,
                       const struct cluster_plan *p, int64_t *ret, struct netd_error *err) {
        _cleanup_cluster_ struct cluster *owner = NULL;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct netd_error inner = {};
        const struct node *nd;
        int r;

        r = cluster_find(s, ru->of_cluster, &owner, NULL, &inner);
        if (r < 0)
                return error_set(err, r, "%s: %s", who, inner.message);
        nd = cluster_find_node(owner, ru->of_node);
        if (!nd)
                return error_set(err, NETD_ENOTFOUND, "%s: cluster %s has no node %s", who, ru->of_cluster,
                                 ru->of_node);
        if (nd->reuses_cluster[0])
                return error_set(err, NETD_EINVALID, "%s: %s/%s itself reuses %s/%s; reuse that node instead",
                                 who, ru->of_cluster, ru->of_node, nd->reuses_cluster, nd->reuses_node);
        /* The machine keeps its addresses: each network of the new cluster
         * must be one the owner has an address on. */
        for (size_t i = 0; i < p->n_nets; i++) {
                bool found = false;

                for (size_t j = 0; j < owner->n_networks; j++)
                        found |= streq(owner->networks[j].name, p->nets[i].net->name);
                if (!found)
                        return error_set(err, NETD_EINVALID,
                                         "%s: %s/%s has no address on network %s; a reused node keeps its "
                                         "addresses",
                                         who, ru->of_cluster, ru->of_node, p->nets[i].net->name);
        }
        r = store_prepare(s,
                          "SELECT nd.id FROM nodes nd JOIN clusters c ON c.id = nd.cluster_id"
                          " WHERE c.name = ?1 AND nd.name = ?2",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, ru->of_cluster, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, ru->of_node, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        *ret = sqlite3_column_int64(stmt, 0);
        return 0;
}

int cluster_plan_reuses(struct store *s, const struct cluster_spec *spec, struct cluster_plan *p,
                        struct netd_error *err) {
        for (size_t i = 0; i < p->masters + p->workers; i++) {
                char node[NAME_MAX_LEN + 1], who[2 * NAME_MAX_LEN + 32];
                int r;

                if (!p->reuse[i])
                        continue;
                cluster_plan_node_name(p, i, node, sizeof(node));
                snprintf(who, sizeof(who), "cluster %s: node %s", spec->name, node);
                r = reused_find(s, who, p->reuse[i], p, &p->reuse_ids[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cluster_plan_compare(const struct cluster *c, const struct cluster_spec *spec,
                         const struct cluster_plan *p, struct netd_error *err) {
        char diff[512] = "", a[PREFIX_STRLEN], b[PREFIX_STRLEN];

        /* Without --network the request names no network to differ from. */
        if (spec->n_networks > 0) {
                bool same = spec->n_networks == c->n_networks;

                for (size_t i = 0; same && i < spec->n_networks; i++)
                        same = streq(spec->networks[i], c->networks[i].name);
                if (!same)
                        store_append(diff, sizeof(diff), "; network%s %s%s%s, not %s%s%s",
                                     c->n_networks > 1 ? "s" : "", c->networks[0].name,
                                     c->n_networks > 1 ? " and " : "",
                                     c->n_networks > 1 ? c->networks[1].name : "", spec->networks[0],
                                     spec->n_networks > 1 ? " and " : "",
                                     spec->n_networks > 1 ? spec->networks[1] : "");
        }
        for (size_t i = 0; i < p->n_machine; i++)
                for (size_t j = 0; j < c->n_networks; j++) {
                        const struct prefix *m = &c->networks[j].machine_network;

                        if (m->base.family == p->machine[i].base.family &&
                            (m->len != p->machine[i].len || m->base.value != p->machine[i].base.value))
                                store_append(diff, sizeof(diff), "; machine network %s, not %s",
                                             prefix_format(m, a, sizeof(a)),
                                             prefix_format(&p->machine[i], b, sizeof(b)));
                }
        if (p->topology != c->topology)
                store_append(diff, sizeof(diff), "; topology %s, not %s",
                             cluster_topology_to_string(c->topology),
                             cluster_topology_to_string(p->topology));
        if (p->masters != c->masters)
                store_append(diff, sizeof(diff), "; %u masters, not %u", c->masters, p->masters);
        if (p->workers != c->workers)
                store_append(diff, sizeof(diff), "; %u workers, not %u", c->workers, p->workers);
        for (size_t i = 0; i < p->masters + p->workers; i++) {
                char node[NAME_MAX_LEN + 1], ma[MAC_STRLEN], mb[MAC_STRLEN];
                const struct node *nd;

                if (p->macs[i] == 0 && !p->reuse[i])
                        continue;
                cluster_plan_node_name(p, i, node, sizeof(node));
                nd = cluster_find_node(c, node);
                if (!nd)
                        store_append(diff, sizeof(diff), "; it has no node %s", node);
                else if (p->macs[i] != 0 && nd->mac != p->macs[i])
                        store_append(diff, sizeof(diff), "; %s has MAC %s, not %s", node,
                                     mac_format(nd->mac, ma, sizeof(ma)),
                                     mac_format(p->macs[i], mb, sizeof(mb)));
                else if (p->reuse[i] && (!streq(nd->reuses_cluster, p->reuse[i]->of_cluster) ||
                                         !streq(nd->reuses_node, p->reuse[i]->of_node)))
                        store_append(diff, sizeof(diff), "; %s %s%s%s, not %s/%s", node,
                                     nd->reuses_cluster[0] ? "reuses " : "is a machine of its own",
                                     nd->reuses_cluster, nd->reuses_cluster[0] ? "/" : "",
                                     p->reuse[i]->of_cluster, p->reuse[i]->of_node);
        }
        if (diff[0] == '\0')
                return 0;
        return error_set(err, NETD_ECONFLICT, "cluster %s already exists with a different spec: %s", c->name,
                         diff + 2);
}

int cluster_machine_check(const struct cluster *c, struct netd_error *err) {
        char a[ADDR_STRLEN], b[ADDR_STRLEN], m[PREFIX_STRLEN];

        for (size_t i = 0; i < c->n_networks; i++) {
                const struct cluster_network *cn = &c->networks[i];

                for (size_t j = 0; j < c->n_nodes; j++)
                        if (!prefix_contains(&cn->machine_network, &c->nodes[j].ips[i]))
                                return error_set(
                                        err, NETD_EINVALID,
                                        "cluster %s: machine network %s does not contain %s's address "
                                        "%s",
                                        c->name, prefix_format(&cn->machine_network, m, sizeof(m)),
                                        c->nodes[j].name, addr_format(&c->nodes[j].ips[i], a, sizeof(a)));
                if (c->topology == TOPOLOGY_SNO)
                        continue;
                if (!prefix_contains(&cn->machine_network, &cn->api_vip) ||
                    !prefix_contains(&cn->machine_network, &cn->ingress_vip))
                        return error_set(
                                err, NETD_EINVALID,
                                "cluster %s: machine network %s does not contain the API and ingress "
                                "VIPs (%s, %s)",
                                c->name, prefix_format(&cn->machine_network, m, sizeof(m)),
                                addr_format(&cn->api_vip, a, sizeof(a)),
                                addr_format(&cn->ingress_vip, b, sizeof(b)));
        }
        return 0;
}
