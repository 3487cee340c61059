/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters: allocation of a whole cluster in one transaction, release,
 * and reading clusters with their nodes. A cluster's nodes (names, MACs,
 * day-2 allocate and release) are in db/node.c. */
#include "cluster-private.h"
#include "cluster.h"
#include "pool.h"
#include "store-private.h"
#include "netd/core/mac.h"

static const char *const topology_names[] = {
        [TOPOLOGY_SNO] = "sno",
        [TOPOLOGY_COMPACT] = "compact",
        [TOPOLOGY_MNO] = "mno",
};

static const char *const boot_mode_names[] = {
        [NODE_BOOT_MODE_UNKNOWN] = NULL,
        [NODE_BOOT_MODE_UEFI] = "uefi",
        [NODE_BOOT_MODE_UEFI_SECURE] = "uefi-secure",
        [NODE_BOOT_MODE_LEGACY] = "legacy",
};

const char *cluster_topology_to_string(enum topology t) {
        if ((size_t)t >= ARRAY_SIZE(topology_names))
                return NULL;
        return topology_names[t];
}

const char *cluster_boot_mode_to_string(enum node_boot_mode m) {
        return (size_t)m < ARRAY_SIZE(boot_mode_names) ? boot_mode_names[m] : NULL;
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

static int cluster_row_insert(struct store *s, const struct cluster_spec *spec, const struct cluster_plan *p,
                              int64_t *ret_id, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int64_t id;
        int r;

        r = store_prepare(s,
                          "INSERT INTO clusters (name, network_id, domain, topology, masters, workers)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 2, p->nets[0].id);
        sqlite3_bind_text(stmt, 3, p->nets[0].net->domain, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 4, cluster_topology_to_string(p->topology), -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 5, (int)p->masters);
        sqlite3_bind_int(stmt, 6, (int)p->workers);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(s->db);
        for (size_t i = 0; i < p->n_nets; i++) {
                _cleanup_stmt_ sqlite3_stmt *cn = NULL;

                r = store_prepare_int(
                        s,
                        "INSERT INTO cluster_networks (cluster_id, network_id, family, position,"
                        " machine_prefix, machine_prefix_len) VALUES (?, ?, ?, ?, ?, ?)",
                        id, &cn, err);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(cn, 2, p->nets[i].id);
                sqlite3_bind_int(cn, 3, store_family_to_db(p->nets[i].net->cidr.base.family));
                sqlite3_bind_int(cn, 4, (int)i);
                if (p->nets[i].machine_given) {
                        store_bind_addr(cn, 5, &p->nets[i].machine.base);
                        sqlite3_bind_int(cn, 6, (int)p->nets[i].machine.len);
                }
                r = store_step(s, cn, err);
                if (r < 0)
                        return r;
        }
        *ret_id = id;
        return 0;
}

/* The addresses a new cluster holds on each network: its own nodes' (not
 * the reused ones'), masters then workers, then the two VIPs (compact,
 * mno). */
static size_t plan_addresses(const struct cluster_plan *p) {
        size_t k = p->topology == TOPOLOGY_SNO ? 0 : 2;

        for (size_t i = 0; i < p->masters + p->workers; i++)
                k += !p->reuse[i];
        return k;
}

static int cluster_create(struct store *s, const struct cluster_spec *spec, struct cluster_plan *p,
                          struct netd_error *err) {
        struct addr *addrs[CLUSTER_NETWORKS_MAX] = {};
        _cleanup_free_ mac_t *macs = NULL;
        size_t n_nodes = p->masters + p->workers, k;
        char who[NAME_MAX_LEN + 16];
        int64_t cluster_id = 0, ids[CLUSTER_NETWORKS_MAX];
        int r;

        r = cluster_plan_networks(s, spec, p, err);
        if (r >= 0)
                r = cluster_plan_reuses(s, spec, p, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_nodes; i++) {
                char node[NAME_MAX_LEN + 1];

                cluster_plan_node_name(p, i, node, sizeof(node));
                if (p->macs[i] != 0) {
                        r = node_mac_check_free(s, spec->name, node, p->macs[i], err);
                        if (r < 0)
                                return r;
                }
                r = cluster_fqdn_check(spec->name, node, p->nets[0].net->domain, err);
                if (r < 0)
                        return r;
        }

        k = plan_addresses(p);
        snprintf(who, sizeof(who), "cluster %s", spec->name);
        for (size_t j = 0; j < p->n_nets; j++) {
                ids[j] = p->nets[j].id;
                addrs[j] = calloc(k + 1, sizeof(*addrs[j]));
                if (!addrs[j]) {
                        r = error_set(err, NETD_EINTERNAL, "out of memory");
                        goto out;
                }
                r = pool_take(s, p->nets[j].net, p->nets[j].id, k, who, addrs[j], err);
                if (r < 0)
                        goto out;
        }

        macs = calloc(n_nodes, sizeof(*macs));
        if (!macs) {
                r = error_set(err, NETD_EINTERNAL, "out of memory");
                goto out;
        }
        memcpy(macs, p->macs, n_nodes * sizeof(*macs));
        for (size_t i = 0; i < n_nodes; i++)
                if (macs[i] == 0 && !p->reuse[i]) {
                        r = node_mac_generate(s, macs, n_nodes, &macs[i], err);
                        if (r < 0)
                                goto out;
                }

        r = cluster_row_insert(s, spec, p, &cluster_id, err);
        if (r < 0)
                goto out;
        /* Address order on each network: the nodes (masters, then workers),
         * then the VIPs. */
        for (size_t i = 0, a = 0; i < n_nodes; i++) {
                char node[NAME_MAX_LEN + 1];
                struct addr ips[CLUSTER_NETWORKS_MAX] = {};

                cluster_plan_node_name(p, i, node, sizeof(node));
                for (size_t j = 0; j < p->n_nets && !p->reuse[i]; j++)
                        ips[j] = addrs[j][a];
                a += !p->reuse[i];
                r = node_insert(s, cluster_id, node, i < p->masters ? "master" : "worker", macs[i],
                                p->reuse_ids[i], ids, ips, p->reuse[i] ? 0 : p->n_nets, err);
                if (r < 0)
                        goto out;
        }
        for (size_t j = 0; j < p->n_nets && p->topology != TOPOLOGY_SNO; j++) {
                r = cluster_address_insert(s, ids[j], cluster_id, 0, "api-vip", &addrs[j][k - 2], err);
                if (r >= 0)
                        r = cluster_address_insert(s, ids[j], cluster_id, 0, "ingress-vip", &addrs[j][k - 1],
                                                   err);
                if (r < 0)
                        goto out;
        }
        r = 0;
out:
        for (size_t j = 0; j < CLUSTER_NETWORKS_MAX; j++)
                free(addrs[j]);
        return r;
}

int cluster_allocate(struct store *s, const struct cluster_spec *spec, struct cluster **ret,
                     bool *ret_created, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_cluster_ struct cluster *c = NULL;
        struct netd_error lookup = {};
        struct cluster_plan p = {};
        bool created = false;
        int r;

        r = cluster_plan_resolve(spec, &p, err);
        if (r < 0)
                goto out;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                goto out;
        r = cluster_find(s, spec->name, &c, NULL, &lookup);
        if (r == 0) {
                r = cluster_plan_compare(c, spec, &p, err);
                if (r < 0)
                        goto out;
        } else if (r != NETD_ENOTFOUND) {
                r = error_set(err, r, "%s", lookup.message);
                goto out;
        } else {
                r = cluster_create(s, spec, &p, err);
                if (r < 0)
                        goto out;
                /* What was allocated must lie in the machine networks. */
                r = cluster_find(s, spec->name, &c, NULL, err);
                if (r >= 0)
                        r = cluster_machine_check(c, err);
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
        cluster_plan_done(&p);
        return r;
}

int cluster_reused_check(struct store *s, const struct cluster *c, const char *node, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare(
                s,
                "SELECT nd.name, uc.name, u.name FROM nodes nd JOIN clusters c ON c.id = nd.cluster_id"
                " JOIN nodes u ON u.reuses = nd.id JOIN clusters uc ON uc.id = u.cluster_id"
                " WHERE c.name = ?1 AND (?2 IS NULL OR nd.name = ?2) ORDER BY uc.name, u.name LIMIT 1",
                &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, c->name, -1, SQLITE_TRANSIENT);
        if (node)
                sqlite3_bind_text(stmt, 2, node, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r;
        return error_set(
                err, NETD_ECONFLICT,
                "cluster %s: node %s is reused by node %s of cluster %s; release cluster %s first", c->name,
                (const char *)sqlite3_column_text(stmt, 0), (const char *)sqlite3_column_text(stmt, 2),
                (const char *)sqlite3_column_text(stmt, 1), (const char *)sqlite3_column_text(stmt, 1));
}

int cluster_delete(struct store *s, const char *cluster, const char *node, const char *sql,
                   int (*check)(struct store *s, const struct cluster *c, const char *node,
                                struct netd_error *err),
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
        r = check(s, c, node, err);
        if (r < 0)
                return r;
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
        return cluster_delete(s, name, NULL, "DELETE FROM clusters WHERE name = ?1", cluster_reused_check,
                              ret, err);
}
