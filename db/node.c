/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nodes of a cluster: their names and roles, their MACs (given or
 * generated, unique lab-wide), their rows, day-2 allocation and release
 * of one node, and a node's own boot instructions. */
#include <errno.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "cluster-private.h"
#include "node.h"
#include "pool.h"
#include "store-private.h"

/* Locally administered, unicast: the prefix libvirt and QEMU use. */
#define MAC_GENERATED_PREFIX ((mac_t)0x525400 << 24)
#define MAC_GENERATE_ATTEMPTS 64

/* NAME is PREFIX followed by one or more digits. */
static bool has_number_suffix(const char *name, const char *prefix) {
        size_t len = strlen(prefix);

        return strncmp(name, prefix, len) == 0 && name[len] != '\0' &&
               name[len + strspn(name + len, "0123456789")] == '\0';
}

/* As plan_node_name() in db/cluster.c writes it. */
bool node_number(const char *name, const char *prefix, unsigned *ret) {
        const char *d = name + strlen(prefix);

        /* More digits than a cluster's 1000 nodes have cannot name a node (and
         * cannot overflow). */
        if (!has_number_suffix(name, prefix) || (d[0] == '0' && d[1] != '\0') || strlen(d) > 4)
                return false;
        *ret = (unsigned)strtoul(d, NULL, 10);
        return true;
}

static const char *node_role(const char *name) {
        return has_number_suffix(name, "master-") ? "master" : "worker";
}

int node_cmp(const void *a, const void *b) {
        const struct node *x = a, *y = b;
        const char *dx, *dy;
        int r = strcmp(x->role, y->role);

        if (r != 0)
                return r;
        dx = strrchr(x->name, '-');
        dy = strrchr(y->name, '-');
        if (dx && dy && dx - x->name == dy - y->name &&
            strncmp(x->name, y->name, (size_t)(dx - x->name)) == 0) {
                size_t lx = strspn(dx + 1, "0123456789"), ly = strspn(dy + 1, "0123456789");

                if (lx > 0 && ly > 0 && dx[1 + lx] == '\0' && dy[1 + ly] == '\0' && lx != ly)
                        return lx < ly ? -1 : 1;
        }
        return strcmp(x->name, y->name);
}

/* The node holding `mac`, if any: 1 with its cluster and name, else 0. */
static int mac_holder(struct store *s, mac_t mac, char *ret_cluster, char *ret_node, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s,
                              "SELECT c.name, nd.name FROM nodes nd JOIN clusters c ON c.id = nd.cluster_id "
                              "WHERE nd.mac = ?",
                              (int64_t)mac, &stmt, err);
        if (r < 0)
                return r;
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r;
        if (ret_cluster)
                strscpy(ret_cluster, NAME_MAX_LEN + 1, (const char *)sqlite3_column_text(stmt, 0));
        if (ret_node)
                strscpy(ret_node, NAME_MAX_LEN + 1, (const char *)sqlite3_column_text(stmt, 1));
        return 1;
}

int node_mac_check_free(struct store *s, const char *cluster, const char *node, mac_t mac,
                        struct netd_error *err) {
        char holder_cluster[NAME_MAX_LEN + 1], holder_node[NAME_MAX_LEN + 1], m[MAC_STRLEN];
        int r = mac_holder(s, mac, holder_cluster, holder_node, err);

        if (r <= 0)
                return r;
        return error_set(err, NETD_ECONFLICT,
                         "cluster %s: MAC %s for %s is already used by node %s of cluster %s", cluster,
                         mac_format(mac, m, sizeof(m)), node, holder_node, holder_cluster);
}

bool node_mac_in(const mac_t *macs, size_t n, mac_t mac) {
        for (size_t i = 0; i < n; i++)
                if (macs[i] == mac)
                        return true;
        return false;
}

/* The UNIQUE constraint on nodes.mac stays the real guard. */
int node_mac_generate(struct store *s, const mac_t *taken, size_t n_taken, mac_t *ret,
                      struct netd_error *err) {
        for (int attempt = 0; attempt < MAC_GENERATE_ATTEMPTS; attempt++) {
                uint8_t b[3];
                mac_t mac;
                int r;

                if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
                        return error_set(err, NETD_EINTERNAL, "getrandom: %s", strerror(errno));
                mac = MAC_GENERATED_PREFIX | (mac_t)b[0] << 16 | (mac_t)b[1] << 8 | b[2];
                if (node_mac_in(taken, n_taken, mac))
                        continue;
                r = mac_holder(s, mac, NULL, NULL, err);
                if (r < 0)
                        return r;
                if (r == 0) {
                        *ret = mac;
                        return 0;
                }
        }
        return error_set(err, NETD_EEXHAUSTED, "no free MAC in 52:54:00:00:00:00/24 after %d attempts",
                         MAC_GENERATE_ATTEMPTS);
}

int node_insert(struct store *s, int64_t cluster_id, const char *name, const char *role, mac_t mac,
                int64_t reuses, const int64_t *network_ids, const struct addr *ips, size_t n,
                struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int64_t node_id;
        int r;

        r = store_prepare_int(
                s, "INSERT INTO nodes (cluster_id, name, role, mac, reuses) VALUES (?, ?, ?, ?, ?)",
                cluster_id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, role, -1, SQLITE_STATIC);
        if (reuses > 0)
                sqlite3_bind_int64(stmt, 5, reuses);
        else
                sqlite3_bind_int64(stmt, 4, (int64_t)mac);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        node_id = sqlite3_last_insert_rowid(s->db);
        for (size_t i = 0; i < n; i++) {
                r = cluster_address_insert(s, network_ids[i], cluster_id, node_id, "node", &ips[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Day-2: a new node with one new address on each of the cluster's
 * networks; `mac` 0 = generate one. */
static int node_create(struct store *s, const struct cluster *c, int64_t cluster_id, const char *node,
                       const char *who, mac_t mac, struct netd_error *err) {
        struct addr ips[CLUSTER_NETWORKS_MAX] = {};
        int64_t ids[CLUSTER_NETWORKS_MAX] = {};
        int r;

        if (mac != 0) {
                r = node_mac_check_free(s, c->name, node, mac, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_networks; i++) {
                _cleanup_network_ struct network *net = NULL;

                r = network_find(s, c->networks[i].name, &net, &ids[i], err);
                if (r >= 0)
                        r = pool_take(s, net, ids[i], 1, who, &ips[i], err);
                if (r < 0)
                        return r;
        }
        if (mac == 0) {
                r = node_mac_generate(s, NULL, 0, &mac, err);
                if (r < 0)
                        return r;
        }
        return node_insert(s, cluster_id, node, node_role(node), mac, 0, ids, ips, c->n_networks, err);
}

/* The name of node `node` of cluster `cluster`, and the cluster's. */
int node_names_check(const char *cluster, const char *node, struct netd_error *err) {
        char what[NAME_MAX_LEN + 32];
        int r;

        r = validate_name_check("cluster name", cluster, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "cluster %s: node name", cluster);
        return validate_name_check(what, node, err);
}

int node_allocate(struct store *s, const char *cluster, const char *node, const char *mac,
                  struct cluster **ret, bool *ret_created, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_cluster_ struct cluster *c = NULL;
        char who[2 * NAME_MAX_LEN + 32], a[MAC_STRLEN], b[MAC_STRLEN];
        const struct node *existing;
        struct netd_error inner = {};
        int64_t cluster_id;
        mac_t given = 0;
        bool created;
        int r;

        r = node_names_check(cluster, node, err);
        if (r < 0)
                return r;
        snprintf(who, sizeof(who), "cluster %s: node %s", cluster, node);
        if (mac && mac_parse(mac, &given, &inner) < 0)
                return store_error_wrap(err, &inner, who);

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = cluster_find(s, cluster, &c, &cluster_id, err);
        if (r < 0)
                return r;
        existing = cluster_find_node(c, node);
        if (existing && mac && existing->mac != given)
                return error_set(err, NETD_ECONFLICT, "%s already exists with MAC %s, not %s", who,
                                 mac_format(existing->mac, a, sizeof(a)), mac_format(given, b, sizeof(b)));
        created = !existing;
        if (created && (r = cluster_fqdn_check(cluster, node, c->domain, err)) < 0)
                return r;
        if (created) {
                r = node_create(s, c, cluster_id, node, who, given, err);
                if (r < 0)
                        return r;
        }
        r = cluster_commit_get(&tx, cluster, ret, err);
        if (r < 0)
                return r;
        if (ret_created)
                *ret_created = created;
        return 0;
}

static int node_release_check(struct store *s, const struct cluster *c, const char *node,
                              struct netd_error *err) {
        if (!cluster_find_node(c, node))
                return error_set(err, NETD_ENOTFOUND, "cluster %s has no node %s", c->name, node);
        if (c->topology == TOPOLOGY_SNO && streq(node, "master-0"))
                return error_set(err, NETD_ECONFLICT,
                                 "cluster %s: master-0 holds the API and ingress VIPs of this sno cluster;"
                                 " release the cluster instead",
                                 c->name);
        return cluster_reused_check(s, c, node, err);
}

int node_release(struct store *s, const char *cluster, const char *node, struct cluster **ret,
                 struct netd_error *err) {
        int r;

        r = node_names_check(cluster, node, err);
        if (r < 0)
                return r;
        /* The node's address goes with it (ON DELETE CASCADE), and into the
         * release history (trigger addresses_release). */
        return cluster_delete(
                s, cluster, node,
                "DELETE FROM nodes WHERE name = ?2 AND cluster_id = (SELECT id FROM clusters WHERE "
                "name = ?1)",
                node_release_check, ret, err);
}

static const char *const node_boot_names[] = {
        [NODE_BOOT_NETWORK] = NULL,
        [NODE_BOOT_IPXE_SCRIPT] = "ipxe-script",
        [NODE_BOOT_FILE] = "file",
};

enum node_boot node_boot_from_db(const char *s) {
        for (size_t i = 0; i < ARRAY_SIZE(node_boot_names); i++)
                if (streq(s, node_boot_names[i]))
                        return (enum node_boot)i;
        return NODE_BOOT_NETWORK;
}

const char *node_boot_to_db(enum node_boot b) {
        return (size_t)b < ARRAY_SIZE(node_boot_names) ? node_boot_names[b] : NULL;
}
