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
                          " (SELECT count(*) FROM clusters c WHERE c.network_id = n.id)"
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

int capacity_report(struct store *s, const char *network, struct capacity **ret, size_t *ret_n,
                    struct capacity *ret_lab, struct netd_error *err) {
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
        if (network) {
                nets = calloc(1, sizeof(*nets));
                ids = calloc(1, sizeof(*ids));
                if (!nets || !ids) {
                        r = error_set(err, NETD_EINTERNAL, "out of memory");
                        goto out;
                }
                r = network_find(s, network, &nets[0], &ids[0], err);
                if (r < 0)
                        goto out;
                n = 1;
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
                lab.clusters = add_saturating(lab.clusters, caps[i].clusters);
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
