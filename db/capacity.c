/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "capacity.h"
#include "pool.h"
#include "store-private.h"
#include "netd/core/prefix.h"

#define U128_MAX (~(u128)0)

static u128 add_saturating(u128 a, u128 b) {
        return a > U128_MAX - b ? U128_MAX : a + b;
}

void capacity_finish(struct capacity *c) {
        u128 usable = c->total > c->reserved ? c->total - c->reserved : 0;

        c->free = usable > c->allocated ? usable - c->allocated : 0;
        c->utilization = usable > 0 ? (double)c->allocated / (double)usable : 0.0;
        c->fits_sno = c->free / FITS_SNO;
        c->fits_compact = c->free / FITS_COMPACT;
        c->fits_mno = c->free / FITS_MNO;
}

/* Fill allocated and clusters of each entry (ids[i] is the row id of
 * caps[i]); the counts come from the network_id indexes, so the cost does
 * not grow with the size of the prefixes. */
static int counts_load(struct store *s, const int64_t *ids, struct capacity *caps, size_t n,
                       struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare(s,
                          "SELECT n.id,"
                          " (SELECT count(*) FROM addresses a WHERE a.network_id = n.id),"
                          " (SELECT count(*) FROM cluster_networks cn WHERE cn.network_id = n.id)"
                          " FROM networks n",
                          &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                int64_t id = sqlite3_column_int64(stmt, 0);

                for (size_t i = 0; i < n; i++)
                        if (ids[i] == id) {
                                caps[i].allocated = (u128)sqlite3_column_int64(stmt, 1);
                                caps[i].clusters = (u128)sqlite3_column_int64(stmt, 2);
                        }
        }
        return r;
}

/* Clusters on any of the networks `ids`, each once (a dual-stack one is
 * on two). */
static int clusters_count(struct store *s, const int64_t *ids, size_t n, u128 *ret, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ char *sql = NULL;
        size_t len = 128 + 2 * n;
        int r;

        sql = malloc(len);
        if (!sql)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        /* Placeholders only: the ids are bound. */
        snprintf(sql, len, "SELECT count(DISTINCT cluster_id) FROM cluster_networks WHERE network_id IN (");
        for (size_t i = 0; i < n; i++)
                strcat(sql, i ? ",?" : "?");
        strcat(sql, ")");
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                sqlite3_bind_int64(stmt, (int)i + 1, ids[i]);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        *ret = (u128)sqlite3_column_int64(stmt, 0);
        return 0;
}

bool capacity_dual_stack(const struct capacity *caps, size_t n, struct capacity_fits *ret) {
        const struct capacity *a = &caps[0], *b = &caps[1];

        if (n != 2 || a->cidr.base.family == b->cidr.base.family)
                return false;
        ret->sno = a->fits_sno < b->fits_sno ? a->fits_sno : b->fits_sno;
        ret->compact = a->fits_compact < b->fits_compact ? a->fits_compact : b->fits_compact;
        ret->mno = a->fits_mno < b->fits_mno ? a->fits_mno : b->fits_mno;
        return true;
}

int capacity_report(struct store *s, const char *const *networks, size_t n_networks, struct capacity **ret,
                    size_t *ret_n, struct capacity *ret_lab, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_free_ struct capacity *caps = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        struct network **nets = NULL;
        struct capacity lab = {};
        size_t n = 0;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        if (n_networks > 0) {
                nets = calloc(n_networks, sizeof(*nets));
                ids = calloc(n_networks, sizeof(*ids));
                if (!nets || !ids) {
                        r = error_set(err, NETD_EINTERNAL, "out of memory");
                        goto out;
                }
                for (; n < n_networks; n++) {
                        for (size_t j = 0; j < n; j++)
                                if (streq(nets[j]->name, networks[n])) {
                                        r = error_set(err, NETD_EINVALID, "network %s is given twice",
                                                      networks[n]);
                                        goto out;
                                }
                        r = network_find(s, networks[n], &nets[n], &ids[n], err);
                        if (r < 0)
                                goto out;
                }
        } else {
                r = network_find_all(s, &nets, &ids, &n, err);
                if (r < 0)
                        goto out;
        }

        caps = calloc(n ? n : 1, sizeof(*caps));
        if (!caps) {
                r = error_set(err, NETD_EINTERNAL, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                strscpy(caps[i].name, sizeof(caps[i].name), nets[i]->name);
                caps[i].cidr = nets[i]->cidr;
                caps[i].total = prefix_host_count(&nets[i]->cidr);
                r = pool_reserved_count(nets[i], &caps[i].reserved, err);
                if (r < 0)
                        goto out;
        }
        r = counts_load(s, ids, caps, n, err);
        if (r >= 0)
                r = clusters_count(s, ids, n, &lab.clusters, err);
        if (r < 0)
                goto out;
        r = store_tx_commit(&tx, err);
        if (r < 0)
                goto out;

        for (size_t i = 0; i < n; i++) {
                capacity_finish(&caps[i]);
                lab.total = add_saturating(lab.total, caps[i].total);
                lab.reserved = add_saturating(lab.reserved, caps[i].reserved);
                lab.allocated = add_saturating(lab.allocated, caps[i].allocated);
        }
        capacity_finish(&lab);
        if (ret_lab)
                *ret_lab = lab;
        if (ret)
                *ret = TAKE_PTR(caps);
        if (ret_n)
                *ret_n = n;
out:
        network_list_free(nets, n);
        return r;
}
