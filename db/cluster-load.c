/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading clusters: their networks, nodes and addresses, for one cluster,
 * the clusters of one network or all, in one query per table whatever
 * their number. */
#include "cluster-private.h"
#include "cluster.h"
#include "store-private.h"

enum cluster_filter {
        FILTER_ALL,
        FILTER_ID,      /* the cluster with row id ?1 */
        FILTER_NETWORK, /* the clusters on network ?1 (either family) */
};

/* The WHERE clause each filter puts on a column holding a cluster id;
 * never text from the request. */
#define ON_NETWORK(col) col " IN (SELECT cluster_id FROM cluster_networks WHERE network_id = ?1)"
#define FILTERED(select, col, order)                                                                         \
        {                                                                                                    \
                [FILTER_ALL] = select order, [FILTER_ID] = select " WHERE " col " = ?1" order,               \
                [FILTER_NETWORK] = select " WHERE " ON_NETWORK(col) order,                                   \
        }

static const char *const clusters_sql[] =
        FILTERED("SELECT c.id, c.name, c.domain, c.topology, c.masters, c.workers FROM clusters c", "c.id",
                 " ORDER BY c.name");
static const char *const networks_sql[] =
        FILTERED("SELECT cn.cluster_id, cn.position, cn.network_id, n.name, n.family, n.prefix, n.prefix_len,"
                 " cn.machine_prefix, cn.machine_prefix_len"
                 " FROM cluster_networks cn JOIN networks n ON n.id = cn.network_id",
                 "cn.cluster_id", "");
/* A node that reuses another shows its owner's MAC, names the owner. */
static const char *const nodes_sql[] = FILTERED(
        "SELECT nd.cluster_id, nd.id, nd.name, nd.role, COALESCE(nd.mac, o.mac), nb.kind, nb.value,"
        " oc.name, o.name, nd.bmc_address, nd.root_disk, nd.boot_mode"
        " FROM nodes nd LEFT JOIN nodes o ON o.id = nd.reuses LEFT JOIN clusters oc ON oc.id = o.cluster_id"
        " LEFT JOIN node_boot nb ON nb.node_id = nd.id",
        "nd.cluster_id", "");
/* Node addresses (a reusing node's are its owner's), then the VIPs. */
static const char *const addresses_sql[] =
        FILTERED("SELECT nd.cluster_id, nd.id, a.network_id, a.addr FROM nodes nd"
                 " JOIN addresses a ON a.node_id = COALESCE(nd.reuses, nd.id)",
                 "nd.cluster_id", "");
#define VIPS_SELECT                                                                                          \
        "SELECT a.cluster_id, a.kind, a.network_id, a.addr FROM addresses a WHERE a.node_id IS NULL"
static const char *const vips_sql[] = {
        [FILTER_ALL] = VIPS_SELECT,
        [FILTER_ID] = VIPS_SELECT " AND a.cluster_id = ?1",
        [FILTER_NETWORK] = VIPS_SELECT " AND " ON_NETWORK("a.cluster_id"),
};

struct cluster_row {
        int64_t id;
        int64_t network_ids[CLUSTER_NETWORKS_MAX];
        struct cluster *c;
        int64_t *node_ids; /* parallel to c->nodes while loading */
        size_t cap_nodes;
};

static int row_cmp_id(const void *a, const void *b) {
        const struct cluster_row *x = a, *y = b;

        return x->id < y->id ? -1 : x->id > y->id;
}

static struct cluster_row *row_find(struct cluster_row *rows, size_t n, int64_t id) {
        struct cluster_row key = {.id = id};

        return bsearch(&key, rows, n, sizeof(*rows), row_cmp_id);
}

/* The position of network `id` in the row's cluster, or -1. */
static int row_network(const struct cluster_row *row, int64_t id) {
        for (size_t i = 0; i < row->c->n_networks; i++)
                if (row->network_ids[i] == id)
                        return (int)i;
        return -1;
}

/* The query of table `sql` for filter `f`, `id` bound. */
static int filter_prepare(struct store *s, const char *const sql[], enum cluster_filter f, int64_t id,
                          sqlite3_stmt **ret, struct netd_error *err) {
        if (f == FILTER_ALL)
                return store_prepare(s, sql[f], ret, err);
        return store_prepare_int(s, sql[f], id, ret, err);
}

static void column_prefix(sqlite3_stmt *stmt, int col, int family, struct prefix *ret) {
        store_column_addr(stmt, col, family, &ret->base);
        ret->len = (unsigned)sqlite3_column_int(stmt, col + 1);
}

static int networks_load(struct store *s, enum cluster_filter f, int64_t id, struct cluster_row *rows,
                         size_t n_rows, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = filter_prepare(s, networks_sql, f, id, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                struct cluster_row *row = row_find(rows, n_rows, sqlite3_column_int64(stmt, 0));
                int pos = sqlite3_column_int(stmt, 1);
                int family = store_family_from_db(sqlite3_column_int(stmt, 4));
                struct cluster_network *cn;

                if (!row || pos < 0 || pos >= CLUSTER_NETWORKS_MAX)
                        continue;
                cn = &row->c->networks[pos];
                row->network_ids[pos] = sqlite3_column_int64(stmt, 2);
                strscpy(cn->name, sizeof(cn->name), (const char *)sqlite3_column_text(stmt, 3));
                column_prefix(stmt, 5, family, &cn->prefix);
                if (sqlite3_column_type(stmt, 7) == SQLITE_NULL)
                        cn->machine_network = cn->prefix;
                else
                        column_prefix(stmt, 7, family, &cn->machine_network);
                if ((size_t)pos + 1 > row->c->n_networks)
                        row->c->n_networks = (size_t)pos + 1;
        }
        return r;
}

static enum node_boot_mode boot_mode_from_db(const char *s) {
        for (enum node_boot_mode m = NODE_BOOT_MODE_UEFI; m <= NODE_BOOT_MODE_LEGACY; m++)
                if (streq(s, cluster_boot_mode_to_string(m)))
                        return m;
        return NODE_BOOT_MODE_UNKNOWN;
}

static int nodes_load(struct store *s, enum cluster_filter f, int64_t id, struct cluster_row *rows,
                      size_t n_rows, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = filter_prepare(s, nodes_sql, f, id, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                struct cluster_row *row = row_find(rows, n_rows, sqlite3_column_int64(stmt, 0));
                struct cluster *c;
                struct node *nd;
                size_t cap;

                if (!row)
                        continue;
                c = row->c;
                cap = row->cap_nodes;
                r = store_grow(&c->nodes, &row->cap_nodes, c->n_nodes, sizeof(*c->nodes), err);
                if (r >= 0)
                        r = store_grow(&row->node_ids, &cap, c->n_nodes, sizeof(*row->node_ids), err);
                if (r < 0)
                        return r;
                row->node_ids[c->n_nodes] = sqlite3_column_int64(stmt, 1);
                nd = &c->nodes[c->n_nodes++];
                *nd = (struct node){.mac = (mac_t)sqlite3_column_int64(stmt, 4)};
                store_column_string(stmt, 2, nd->name, sizeof(nd->name));
                store_column_string(stmt, 3, nd->role, sizeof(nd->role));
                nd->boot = node_boot_from_db((const char *)sqlite3_column_text(stmt, 5));
                store_column_string(stmt, 6, nd->boot_value, sizeof(nd->boot_value));
                store_column_string(stmt, 7, nd->reuses_cluster, sizeof(nd->reuses_cluster));
                store_column_string(stmt, 8, nd->reuses_node, sizeof(nd->reuses_node));
                store_column_string(stmt, 9, nd->bmc_address, sizeof(nd->bmc_address));
                store_column_string(stmt, 10, nd->root_disk, sizeof(nd->root_disk));
                nd->boot_mode = boot_mode_from_db((const char *)sqlite3_column_text(stmt, 11));
        }
        return r;
}

static int addresses_load(struct store *s, enum cluster_filter f, int64_t id, struct cluster_row *rows,
                          size_t n_rows, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL, *vips = NULL;
        int r;

        r = filter_prepare(s, addresses_sql, f, id, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                struct cluster_row *row = row_find(rows, n_rows, sqlite3_column_int64(stmt, 0));
                int64_t node_id = sqlite3_column_int64(stmt, 1);
                int pos = row ? row_network(row, sqlite3_column_int64(stmt, 2)) : -1;

                if (pos < 0)
                        continue;
                for (size_t i = 0; i < row->c->n_nodes; i++)
                        if (row->node_ids[i] == node_id) {
                                struct node *nd = &row->c->nodes[i];

                                store_column_addr(stmt, 3, row->c->networks[pos].prefix.base.family,
                                                  &nd->ips[pos]);
                                break;
                        }
        }
        if (r < 0)
                return r;

        r = filter_prepare(s, vips_sql, f, id, &vips, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, vips, err)) > 0) {
                struct cluster_row *row = row_find(rows, n_rows, sqlite3_column_int64(vips, 0));
                const char *kind = (const char *)sqlite3_column_text(vips, 1);
                int pos = row ? row_network(row, sqlite3_column_int64(vips, 2)) : -1;
                struct cluster_network *cn;

                if (pos < 0)
                        continue;
                cn = &row->c->networks[pos];
                store_column_addr(vips, 3, cn->prefix.base.family,
                                  streq(kind, "api-vip") ? &cn->api_vip : &cn->ingress_vip);
        }
        return r;
}

/* What the loaded rows imply: the primary family's copies, node order,
 * sno's VIPs (its master's own addresses, which node_release() never lets
 * go). */
static void cluster_finish(struct cluster *c) {
        const struct node *m;

        for (size_t i = 0; i < c->n_nodes; i++) {
                struct node *nd = &c->nodes[i];

                nd->n_ips = c->n_networks;
                nd->ip = nd->ips[0];
        }
        if (c->n_nodes > 1)
                qsort(c->nodes, c->n_nodes, sizeof(*c->nodes), node_cmp);
        if (c->topology == TOPOLOGY_SNO && (m = cluster_find_node(c, "master-0")))
                for (size_t i = 0; i < c->n_networks; i++)
                        c->networks[i].api_vip = c->networks[i].ingress_vip = m->ips[i];
        strscpy(c->network, sizeof(c->network), c->networks[0].name);
        c->api_vip = c->networks[0].api_vip;
        c->ingress_vip = c->networks[0].ingress_vip;
}

static int rows_load(struct store *s, enum cluster_filter f, int64_t id, struct cluster_row *rows, size_t n,
                     struct netd_error *err) {
        int r;

        qsort(rows, n, sizeof(*rows), row_cmp_id);
        r = networks_load(s, f, id, rows, n, err);
        if (r >= 0)
                r = nodes_load(s, f, id, rows, n, err);
        if (r >= 0)
                r = addresses_load(s, f, id, rows, n, err);
        return r;
}

/* Load the clusters the filter selects (`id`: the cluster's or the
 * network's row id), ordered by name, with their networks and nodes. */
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
                rows[n] = (struct cluster_row){.id = sqlite3_column_int64(stmt, 0), .c = c};
                n++;
                store_column_string(stmt, 1, c->name, sizeof(c->name));
                store_column_string(stmt, 2, c->domain, sizeof(c->domain));
                if (cluster_topology_from_string((const char *)sqlite3_column_text(stmt, 3), &c->topology) <
                    0) {
                        r = error_set(err, NETD_EINTERNAL, "cluster %s: unknown topology in the database",
                                      c->name);
                        goto fail;
                }
                c->masters = (unsigned)sqlite3_column_int(stmt, 4);
                c->workers = (unsigned)sqlite3_column_int(stmt, 5);
        }
        if (r >= 0 && n > 0)
                r = rows_load(s, f, id, rows, n, err);
        for (size_t i = 0; i < n; i++)
                free(rows[i].node_ids);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < n; i++)
                cluster_finish(l[i]);
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
