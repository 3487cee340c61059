/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters: allocation of a whole cluster in one transaction, release,
 * and reading clusters with their nodes. A cluster's nodes (names, MACs,
 * day-2 allocate and release) are in db/node.c. */
#include "cluster-private.h"
#include "cluster.h"
#include "pool.h"
#include "store-private.h"
#include "netd/core/mac.h"

/* A sane bound on --masters and --workers. */
#define NODES_MAX 1000
/* How many networks a "pass --network" message names. */
#define NETWORKS_LISTED 4

static const char *const topology_names[] = {
        [TOPOLOGY_SNO] = "sno",
        [TOPOLOGY_COMPACT] = "compact",
        [TOPOLOGY_MNO] = "mno",
};

/* Default node counts; sno's VIPs are its master's own address. */
static const struct {
        unsigned masters, workers, vips;
} topology_shapes[] = {
        [TOPOLOGY_SNO] = {1, 0, 0},
        [TOPOLOGY_COMPACT] = {3, 0, 2},
        [TOPOLOGY_MNO] = {3, 2, 2},
};

const char *cluster_topology_to_string(enum topology t) {
        if ((size_t)t >= ARRAY_SIZE(topology_names))
                return NULL;
        return topology_names[t];
}

int cluster_topology_from_string(const char *s, enum topology *ret) {
        for (size_t i = 0; i < ARRAY_SIZE(topology_names); i++)
                if (streq(s, topology_names[i])) {
                        *ret = (enum topology)i;
                        return 0;
                }
        return NETD_EINVALID;
}

void cluster_free(struct cluster *c) {
        if (!c)
                return;
        free(c->nodes);
        free(c);
}

STORE_DEFINE_LIST_FREE(cluster)

const struct node *cluster_find_node(const struct cluster *c, const char *name) {
        for (size_t i = 0; i < c->n_nodes; i++)
                if (streq(c->nodes[i].name, name))
                        return &c->nodes[i];
        return NULL;
}

enum cluster_filter {
        FILTER_ALL,
        FILTER_ID,      /* clusters.id = ?1 */
        FILTER_NETWORK, /* clusters.network_id = ?1 */
};

/* One query per table for any number of clusters; the filter picks the
 * WHERE clause, never text from the request. */
static const char *const clusters_sql[] = {
        [FILTER_ALL] = "SELECT c.id, c.name, n.name, n.family, c.domain, c.topology, c.masters, c.workers"
                       " FROM clusters c JOIN networks n ON n.id = c.network_id ORDER BY c.name",
        [FILTER_ID] = "SELECT c.id, c.name, n.name, n.family, c.domain, c.topology, c.masters, c.workers"
                      " FROM clusters c JOIN networks n ON n.id = c.network_id WHERE c.id = ?1",
        [FILTER_NETWORK] = "SELECT c.id, c.name, n.name, n.family, c.domain, c.topology, c.masters, c.workers"
                           " FROM clusters c JOIN networks n ON n.id = c.network_id WHERE c.network_id = ?1"
                           " ORDER BY c.name",
};
#define ADDRESSES_SELECT                                                                                     \
        "SELECT a.cluster_id, a.kind, a.addr, nd.name, nd.role, nd.mac, nb.kind, nb.value"                   \
        " FROM addresses a LEFT JOIN nodes nd ON nd.id = a.node_id LEFT JOIN node_boot nb ON nb.node_id = "  \
        "nd.id"
static const char *const addresses_sql[] = {
        [FILTER_ALL] = ADDRESSES_SELECT,
        [FILTER_ID] = ADDRESSES_SELECT " WHERE a.cluster_id = ?1",
        [FILTER_NETWORK] = ADDRESSES_SELECT " WHERE a.network_id = ?1",
};

struct cluster_row {
        int64_t id;
        int family;
        struct cluster *c;
        size_t cap_nodes;
};

static int row_cmp_id(const void *a, const void *b) {
        const struct cluster_row *x = a, *y = b;

        return x->id < y->id ? -1 : x->id > y->id;
}

/* The query of table `sql` for filter `f`, `id` bound. */
static int filter_prepare(struct store *s, const char *const sql[], enum cluster_filter f, int64_t id,
                          sqlite3_stmt **ret, struct netd_error *err) {
        if (f == FILTER_ALL)
                return store_prepare(s, sql[f], ret, err);
        return store_prepare_int(s, sql[f], id, ret, err);
}

static int node_append(struct cluster_row *row, const struct node *nd, struct netd_error *err) {
        struct cluster *c = row->c;
        int r = store_grow(&c->nodes, &row->cap_nodes, c->n_nodes, sizeof(*c->nodes), err);

        if (r < 0)
                return r;
        c->nodes[c->n_nodes++] = *nd;
        return 0;
}

static int addresses_load(struct store *s, enum cluster_filter f, int64_t id, struct cluster_row *rows,
                          size_t n_rows, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = filter_prepare(s, addresses_sql, f, id, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                struct cluster_row key = {.id = sqlite3_column_int64(stmt, 0)};
                struct cluster_row *row = bsearch(&key, rows, n_rows, sizeof(*rows), row_cmp_id);
                const char *kind = (const char *)sqlite3_column_text(stmt, 1);
                struct addr a;

                if (!row)
                        continue;
                store_column_addr(stmt, 2, row->family, &a);
                if (streq(kind, "api-vip"))
                        row->c->api_vip = a;
                else if (streq(kind, "ingress-vip"))
                        row->c->ingress_vip = a;
                else {
                        struct node nd = {.mac = (mac_t)sqlite3_column_int64(stmt, 5), .ip = a};

                        strscpy(nd.name, sizeof(nd.name), (const char *)sqlite3_column_text(stmt, 3));
                        strscpy(nd.role, sizeof(nd.role), (const char *)sqlite3_column_text(stmt, 4));
                        nd.boot = node_boot_from_db((const char *)sqlite3_column_text(stmt, 6));
                        store_column_string(stmt, 7, nd.boot_value, sizeof(nd.boot_value));
                        r = node_append(row, &nd, err);
                        if (r < 0)
                                return r;
                }
        }
        return r;
}

/* Load the clusters the filter selects (`id`: the cluster's or the
 * network's row id), ordered by name, with their nodes. */
static int clusters_load(struct store *s, enum cluster_filter f, int64_t id, struct cluster ***ret,
                         size_t *ret_n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ struct cluster_row *rows = NULL;
        struct cluster **l = NULL;
        size_t n = 0, cap = 0, cap_rows = 0;
        int r;

        r = filter_prepare(s, clusters_sql, f, id, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                struct cluster *c;

                r = store_grow(&l, &cap, n, sizeof(*l), err);
                if (r >= 0)
                        r = store_grow(&rows, &cap_rows, n, sizeof(*rows), err);
                if (r < 0)
                        goto fail;
                c = calloc(1, sizeof(*c));
                if (!c) {
                        r = error_set(err, NETD_EINTERNAL, "out of memory");
                        goto fail;
                }
                l[n] = c;
                rows[n] = (struct cluster_row){
                        .id = sqlite3_column_int64(stmt, 0),
                        .family = store_family_from_db(sqlite3_column_int(stmt, 3)),
                        .c = c,
                };
                n++;
                strscpy(c->name, sizeof(c->name), (const char *)sqlite3_column_text(stmt, 1));
                strscpy(c->network, sizeof(c->network), (const char *)sqlite3_column_text(stmt, 2));
                strscpy(c->domain, sizeof(c->domain), (const char *)sqlite3_column_text(stmt, 4));
                if (cluster_topology_from_string((const char *)sqlite3_column_text(stmt, 5), &c->topology) <
                    0) {
                        r = error_set(err, NETD_EINTERNAL, "cluster %s: unknown topology in the database",
                                      c->name);
                        goto fail;
                }
                c->masters = (unsigned)sqlite3_column_int(stmt, 6);
                c->workers = (unsigned)sqlite3_column_int(stmt, 7);
        }
        if (r < 0)
                goto fail;

        if (n > 0) {
                qsort(rows, n, sizeof(*rows), row_cmp_id);
                r = addresses_load(s, f, id, rows, n, err);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                struct cluster *c = l[i];
                const struct node *m;

                if (c->n_nodes > 1)
                        qsort(c->nodes, c->n_nodes, sizeof(*c->nodes), node_cmp);
                /* sno has no VIP rows: both VIPs are master-0's own address,
                 * which node_release() never lets go. */
                if (c->topology == TOPOLOGY_SNO && (m = cluster_find_node(c, "master-0")))
                        c->api_vip = c->ingress_vip = m->ip;
        }
        *ret = l;
        *ret_n = n;
        return 0;

fail:
        cluster_list_free(l, n);
        return r;
}

int cluster_find(struct store *s, const char *name, struct cluster **ret, int64_t *ret_id,
                 struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct cluster **l;
        int64_t id;
        size_t n;
        int r;

        r = store_find_named(s, "SELECT id FROM clusters", "cluster", name, &stmt, err);
        if (r < 0)
                return r;
        id = sqlite3_column_int64(stmt, 0);
        if (ret_id)
                *ret_id = id;
        if (!ret)
                return 0;
        r = clusters_load(s, FILTER_ID, id, &l, &n, err);
        if (r < 0)
                return r;
        if (n == 0) {
                free(l);
                return error_set(err, NETD_ENOTFOUND, "cluster %s not found", name);
        }
        *ret = l[0];
        free(l);
        return 0;
}

int cluster_address_insert(struct store *s, int64_t network_id, int64_t cluster_id, int64_t node_id,
                           const char *kind, const struct addr *a, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(
                s,
                "INSERT INTO addresses (network_id, addr, cluster_id, node_id, kind) VALUES (?, ?, ?, ?, ?)",
                network_id, &stmt, err);
        if (r < 0)
                return r;
        store_bind_addr(stmt, 2, a);
        sqlite3_bind_int64(stmt, 3, cluster_id);
        if (node_id > 0)
                sqlite3_bind_int64(stmt, 4, node_id);
        sqlite3_bind_text(stmt, 5, kind, -1, SQLITE_STATIC);
        return store_step(s, stmt, err);
}

/* A cluster_spec resolved: counts from the topology, given MACs per node
 * (0 = generate), node i being master-i for i < masters, then the workers. */
struct cluster_plan {
        enum topology topology;
        unsigned masters, workers;
        mac_t *macs;
};

static void plan_node_name(const struct cluster_plan *p, size_t i, char *buf, size_t size) {
        if (i < p->masters)
                snprintf(buf, size, "master-%zu", i);
        else
                snprintf(buf, size, "worker-%zu", i - p->masters);
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

static int plan_resolve(const struct cluster_spec *spec, struct cluster_plan *p, struct netd_error *err) {
        char q[NAME_MAX_LEN * 4 + 1], m[MAC_STRLEN];
        const char *name = spec->name;
        int r;

        r = validate_name_check("cluster name", name, err);
        if (r < 0)
                return r;
        if (spec->network) {
                char what[NAME_MAX_LEN + 32];

                snprintf(what, sizeof(what), "cluster %s: network name", name);
                r = validate_name_check(what, spec->network, err);
                if (r < 0)
                        return r;
        }
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

        p->macs = calloc(p->masters + p->workers, sizeof(*p->macs));
        if (!p->macs)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        for (size_t i = 0; i < spec->n_macs; i++) {
                const char *node = spec->macs[i].node ? spec->macs[i].node : "";
                struct netd_error inner = {};
                unsigned idx;
                mac_t mac;

                if (node_number(node, "worker-", &idx) && idx < p->workers)
                        idx += p->masters;
                else if (!node_number(node, "master-", &idx) || idx >= p->masters)
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

/* 0 when the stored cluster is what `spec` asks for, else NETD_ECONFLICT
 * saying what differs. */
static int cluster_compare(const struct cluster *c, const struct cluster_spec *spec,
                           const struct cluster_plan *p, struct netd_error *err) {
        char diff[400] = "", a[MAC_STRLEN], b[MAC_STRLEN];

        /* Without --network the request names no network to differ from. */
        if (spec->network && !streq(spec->network, c->network))
                store_append(diff, sizeof(diff), "; network %s, not %s", c->network, spec->network);
        if (p->topology != c->topology)
                store_append(diff, sizeof(diff), "; topology %s, not %s",
                             cluster_topology_to_string(c->topology),
                             cluster_topology_to_string(p->topology));
        if (p->masters != c->masters)
                store_append(diff, sizeof(diff), "; %u masters, not %u", c->masters, p->masters);
        if (p->workers != c->workers)
                store_append(diff, sizeof(diff), "; %u workers, not %u", c->workers, p->workers);
        for (size_t i = 0; i < p->masters + p->workers; i++) {
                char node[NAME_MAX_LEN + 1];
                const struct node *nd;

                if (p->macs[i] == 0)
                        continue;
                plan_node_name(p, i, node, sizeof(node));
                nd = cluster_find_node(c, node);
                if (!nd)
                        store_append(diff, sizeof(diff), "; it has no node %s", node);
                else if (nd->mac != p->macs[i])
                        store_append(diff, sizeof(diff), "; %s has MAC %s, not %s", node,
                                     mac_format(nd->mac, a, sizeof(a)), mac_format(p->macs[i], b, sizeof(b)));
        }
        if (diff[0] == '\0')
                return 0;
        return error_set(err, NETD_ECONFLICT, "cluster %s already exists with a different spec: %s", c->name,
                         diff + 2);
}

/* The network a new cluster goes on: the named one, else the only one. */
static int network_choose(struct store *s, const struct cluster_spec *spec, struct network **ret,
                          int64_t *ret_id, struct netd_error *err) {
        struct network **l = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        char names[NETWORKS_LISTED * (NAME_MAX_LEN + 2) + 8] = "";
        size_t n;
        int r;

        if (spec->network)
                return network_find(s, spec->network, ret, ret_id, err);
        r = network_find_all(s, &l, &ids, &n, err);
        if (r < 0)
                return r;
        if (n == 1) {
                *ret = l[0];
                *ret_id = ids[0];
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

int cluster_fqdn_check(const char *cluster, const char *host, const char *domain, struct netd_error *err) {
        static const char *const fixed[] = {"api-int", "x.apps"};
        size_t longest = strlen(host);

        for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
                if (strlen(fixed[i]) > longest)
                        longest = strlen(fixed[i]);
        if (longest + strlen(cluster) + strlen(domain) + 2 > DOMAIN_MAX_LEN)
                return error_set(
                        err, NETD_EINVALID,
                        "cluster %s: name %s.%s.%s would be longer than the %d characters DNS allows",
                        cluster, strlen(host) >= 7 ? host : "api-int", cluster, domain, DOMAIN_MAX_LEN);
        return 0;
}

static int cluster_create(struct store *s, const struct cluster_spec *spec, const struct cluster_plan *p,
                          struct netd_error *err) {
        _cleanup_network_ struct network *net = NULL;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ struct addr *addrs = NULL;
        _cleanup_free_ mac_t *macs = NULL;
        size_t n_nodes = p->masters + p->workers, k;
        char who[NAME_MAX_LEN + 16];
        int64_t network_id = 0, cluster_id = 0;
        int r;

        r = network_choose(s, spec, &net, &network_id, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_nodes; i++)
                if (p->macs[i] != 0) {
                        char node[NAME_MAX_LEN + 1];

                        plan_node_name(p, i, node, sizeof(node));
                        r = node_mac_check_free(s, spec->name, node, p->macs[i], err);
                        if (r < 0)
                                return r;
                }

        for (size_t i = 0; i < n_nodes; i++) {
                char node[NAME_MAX_LEN + 1];

                plan_node_name(p, i, node, sizeof(node));
                r = cluster_fqdn_check(spec->name, node, net->domain, err);
                if (r < 0)
                        return r;
        }
        k = n_nodes + topology_shapes[p->topology].vips;
        addrs = calloc(k, sizeof(*addrs));
        macs = calloc(n_nodes, sizeof(*macs));
        if (!addrs || !macs)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        snprintf(who, sizeof(who), "cluster %s", spec->name);
        r = pool_take(s, net, network_id, k, who, addrs, err);
        if (r < 0)
                return r;

        memcpy(macs, p->macs, n_nodes * sizeof(*macs));
        for (size_t i = 0; i < n_nodes; i++)
                if (macs[i] == 0) {
                        r = node_mac_generate(s, macs, n_nodes, &macs[i], err);
                        if (r < 0)
                                return r;
                }

        r = store_prepare(s,
                          "INSERT INTO clusters (name, network_id, domain, topology, masters, workers)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 2, network_id);
        sqlite3_bind_text(stmt, 3, net->domain, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 4, cluster_topology_to_string(p->topology), -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 5, (int)p->masters);
        sqlite3_bind_int(stmt, 6, (int)p->workers);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        cluster_id = sqlite3_last_insert_rowid(s->db);

        /* Address order: the nodes (masters, then workers), then the VIPs. */
        for (size_t i = 0; i < n_nodes; i++) {
                char node[NAME_MAX_LEN + 1];

                plan_node_name(p, i, node, sizeof(node));
                r = node_insert(s, network_id, cluster_id, node, i < p->masters ? "master" : "worker",
                                macs[i], &addrs[i], err);
                if (r < 0)
                        return r;
        }
        if (topology_shapes[p->topology].vips > 0) {
                r = cluster_address_insert(s, network_id, cluster_id, 0, "api-vip", &addrs[n_nodes], err);
                if (r < 0)
                        return r;
                r = cluster_address_insert(s, network_id, cluster_id, 0, "ingress-vip", &addrs[n_nodes + 1],
                                           err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cluster_allocate(struct store *s, const struct cluster_spec *spec, struct cluster **ret,
                     bool *ret_created, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_cluster_ struct cluster *c = NULL;
        struct netd_error lookup = {};
        struct cluster_plan p = {};
        bool created = false;
        int r;

        r = plan_resolve(spec, &p, err);
        if (r < 0)
                goto out;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                goto out;
        r = cluster_find(s, spec->name, &c, NULL, &lookup);
        if (r == 0) {
                r = cluster_compare(c, spec, &p, err);
                if (r < 0)
                        goto out;
        } else if (r != NETD_ENOTFOUND) {
                r = error_set(err, r, "%s", lookup.message);
                goto out;
        } else {
                r = cluster_create(s, spec, &p, err);
                if (r < 0)
                        goto out;
                created = true;
        }
        r = cluster_commit_get(&tx, spec->name, ret, err);
        if (r < 0)
                goto out;
        if (ret_created)
                *ret_created = created;
out:
        free(p.macs);
        return r;
}

int cluster_delete(struct store *s, const char *cluster, const char *node, const char *sql,
                   int (*check)(const struct cluster *c, const char *node, struct netd_error *err),
                   struct cluster **ret, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_cluster_ struct cluster *c = NULL;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = cluster_find(s, cluster, &c, NULL, err);
        if (r < 0)
                return r;
        if (check) {
                r = check(c, node, err);
                if (r < 0)
                        return r;
        }
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, cluster, -1, SQLITE_TRANSIENT);
        if (node)
                sqlite3_bind_text(stmt, 2, node, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        r = store_tx_commit(&tx, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(c);
        return 0;
}

int cluster_release(struct store *s, const char *name, struct cluster **ret, struct netd_error *err) {
        int r;

        r = validate_name_check("cluster name", name, err);
        if (r < 0)
                return r;
        return cluster_delete(s, name, NULL, "DELETE FROM clusters WHERE name = ?1", NULL, ret, err);
}

STORE_DEFINE_GET(cluster)

int cluster_list(struct store *s, const char *network, struct cluster ***ret, size_t *ret_n,
                 struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_network_ struct network *net = NULL;
        struct cluster **l;
        int64_t network_id = 0;
        size_t n;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        if (network) {
                r = network_find(s, network, &net, &network_id, err);
                if (r < 0)
                        return r;
        }
        r = clusters_load(s, network ? FILTER_NETWORK : FILTER_ALL, network_id, &l, &n, err);
        if (r < 0)
                return r;
        r = store_tx_commit(&tx, err);
        if (r < 0) {
                cluster_list_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}
