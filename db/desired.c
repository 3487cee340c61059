/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The desired fabric of a host, computed from what netd keeps on it
 * (db/attachment.c, db/link.c, db/route.c), and the naming policy that
 * turns a network into device names. */
#include <inttypes.h>

#include "desired-private.h"
#include "desired.h"
#include "host.h"

#define BRIDGE_PREFIX "br-"

/* ---- lists of fabric objects ---- */

int fobj_vec_push(struct fobj_vec *vec, const struct fobj *o, struct netd_error *err) {
        int r = store_grow(&vec->v, &vec->cap, vec->n, sizeof(*vec->v), err);

        if (r < 0)
                return r;
        vec->v[vec->n++] = *o;
        return 0;
}

int fobj_vec_sort(struct fobj_vec *vec, bool descending, struct netd_error *err) {
        struct fobj *sorted;
        size_t k = 0;

        if (vec->n == 0)
                return 0;
        sorted = calloc(vec->n, sizeof(*sorted));
        if (!sorted)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        for (unsigned i = 0; i < FOBJ_KIND_MAX; i++) {
                enum fobj_kind kind =
                        descending ? (enum fobj_kind)(FOBJ_KIND_MAX - 1 - i) : (enum fobj_kind)i;

                for (size_t j = 0; j < vec->n; j++)
                        if (vec->v[j].kind == kind)
                                sorted[k++] = vec->v[j];
        }
        free(vec->v);
        vec->v = sorted;
        vec->cap = vec->n;
        return 0;
}

struct fobj_vec_query {
        const char *host;
        int (*load)(struct store *s, const struct host_ref *h, struct fobj_vec *out, struct netd_error *err);
        struct fobj_vec out;
};

static int fobj_vec_read_tx(struct store *s, void *userdata, struct netd_error *err) {
        struct fobj_vec_query *q = userdata;
        struct host_ref h;
        int r;

        r = host_ref_find(s, q->host, &h, err);
        if (r < 0)
                return r;
        return q->load(s, &h, &q->out, err);
}

int fobj_vec_read(struct store *s, const char *host,
                  int (*load)(struct store *s, const struct host_ref *h, struct fobj_vec *out,
                              struct netd_error *err),
                  struct fobj **ret, size_t *ret_n, struct netd_error *err) {
        struct fobj_vec_query q = {.host = host, .load = load};
        int r;

        r = store_read(s, fobj_vec_read_tx, &q, err);
        if (r < 0) {
                free(q.out.v);
                return r;
        }
        *ret = q.out.v;
        *ret_n = q.out.n;
        return 0;
}

/* ---- the naming policy ---- */

void desired_bridge_name(const char *network, const char *bridge, char ret[IFNAME_MAX_LEN + 1]) {
        if (!isempty(bridge))
                strscpy(ret, IFNAME_MAX_LEN + 1, bridge);
        else {
                /* Cut to the kernel's 15 characters, like the contract says. */
                strscpy(ret, IFNAME_MAX_LEN + 1, BRIDGE_PREFIX);
                strscpy(ret + strlen(BRIDGE_PREFIX), IFNAME_MAX_LEN + 1 - strlen(BRIDGE_PREFIX), network);
        }
}

void desired_vxlan_name(uint32_t vni, char ret[IFNAME_MAX_LEN + 1]) {
        snprintf(ret, IFNAME_MAX_LEN + 1, "vx%" PRIu32, vni);
}

int desired_ifname_user(struct store *s, int64_t host_id, int64_t skip_network_id, const char *ifname,
                        unsigned flags, char *ret, size_t size, struct netd_error *err) {
        _cleanup_free_ struct attachment_row *rows = NULL;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        size_t n = 0;
        int r;

        ret[0] = '\0';
        r = attachment_rows_load(s, "WHERE a.host_id = ?1 ORDER BY n.name", host_id, 0, &rows, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const struct attachment_row *row = &rows[i];

                if (row->network_id == skip_network_id)
                        continue;
                if (streq(row->a.bridge, ifname))
                        snprintf(ret, size, "the bridge of network %s", row->a.network);
                else if (streq(row->vxlan, ifname))
                        snprintf(ret, size, "the VXLAN device of network %s", row->a.network);
                else if ((flags & DESIRED_USER_UPLINKS) && streq(row->a.uplink, ifname))
                        snprintf(ret, size, "the uplink of network %s", row->a.network);
                if (ret[0])
                        return 0;
        }
        if (!(flags & DESIRED_USER_LINKS))
                return 0;
        r = store_prepare_int(s, "SELECT name FROM links WHERE host_id = ?1 AND (name = ?2 OR peer = ?2)",
                              host_id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, ifname, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r > 0)
                snprintf(ret, size, "an end of link %s", sqlite3_column_text(stmt, 0));
        return r < 0 ? r : 0;
}

/* ---- the desired state ---- */

static int desired_attachment(struct store *s, const struct host_ref *h, const struct attachment_row *row,
                              sqlite3_stmt *peers, struct fobj_vec *out, struct netd_error *err) {
        const struct addr *local = &h->underlay[host_underlay_index(row->underlay_family)];
        struct fobj o = {.kind = FOBJ_BRIDGE, .mtu = row->mtu};
        int r;

        strscpy(o.name, sizeof(o.name), row->a.bridge);
        r = fobj_vec_push(out, &o, err);
        if (r < 0)
                return r;
        if (h->libvirt) {
                /* VMs attach with --network network=NET: libvirt's name for the bridge. */
                o = (struct fobj){.kind = FOBJ_LIBVIRT_NETWORK};
                strscpy(o.network, sizeof(o.network), row->a.network);
                strscpy(o.master, sizeof(o.master), row->a.bridge);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        if (row->a.uplink[0]) {
                o = (struct fobj){.kind = FOBJ_PORT};
                strscpy(o.name, sizeof(o.name), row->a.uplink);
                strscpy(o.master, sizeof(o.master), row->a.bridge);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        if (row->a.has_address) {
                o = (struct fobj){
                        .kind = FOBJ_ADDRESS, .addr = row->a.address, .prefixlen = row->a.prefixlen};
                strscpy(o.dev, sizeof(o.dev), row->a.bridge);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        /* No underlay of the network's family (refused by attach): no VXLAN. */
        if (!row->vni || !local->family)
                return 0;
        o = (struct fobj){.kind = FOBJ_VXLAN,
                          .vni = row->vni,
                          .local = *local,
                          .dstport = VXLAN_DSTPORT,
                          .mtu = row->mtu};
        strscpy(o.name, sizeof(o.name), row->vxlan);
        strscpy(o.master, sizeof(o.master), row->a.bridge);
        r = fobj_vec_push(out, &o, err);
        if (r < 0)
                return r;

        /* One flood entry per other host, to its underlay of the network's family. */
        sqlite3_reset(peers);
        sqlite3_bind_int64(peers, 1, row->network_id);
        sqlite3_bind_int64(peers, 2, h->id);
        sqlite3_bind_int(peers, 3, store_family_to_db(local->family));
        while ((r = store_step(s, peers, err)) > 0) {
                o = (struct fobj){.kind = FOBJ_FDB};
                strscpy(o.dev, sizeof(o.dev), row->vxlan);
                store_column_addr(peers, 0, local->family, &o.addr);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        return r;
}

/* One object per row of `sql` (the host's id as its parameter), read by `from_row`. */
static int desired_rows(struct store *s, const char *sql, const struct host_ref *h,
                        void (*from_row)(sqlite3_stmt *stmt, struct fobj *ret), struct fobj_vec *out,
                        struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, sql, h->id, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                struct fobj o;

                from_row(stmt, &o);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        return r;
}

int desired_compute(struct store *s, const struct host_ref *h, struct fobj_vec *out, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *peers = NULL;
        _cleanup_free_ struct attachment_row *rows = NULL;
        struct netd_error inner = {};
        char what[NAME_MAX_LEN + 16];
        size_t n_rows = 0;
        int r;

        r = attachment_rows_load(s, "WHERE a.host_id = ?1 ORDER BY n.name", h->id, 0, &rows, &n_rows, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "SELECT u.addr FROM attachments a JOIN hosts h ON h.id = a.host_id"
                          " JOIN host_underlays u ON u.host_id = a.host_id AND u.family = ?3"
                          " WHERE a.network_id = ?1 AND a.host_id <> ?2 ORDER BY h.name",
                          &peers, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_rows && r >= 0; i++)
                r = desired_attachment(s, h, &rows[i], peers, out, err);
        if (r >= 0)
                r = desired_rows(s,
                                 "SELECT name, peer, master, peer_master FROM links WHERE host_id = ?"
                                 " ORDER BY name",
                                 h, link_from_row, out, err);
        if (r >= 0)
                r = desired_rows(s,
                                 "SELECT dest, dest_family, dest_len, via, dev FROM routes WHERE host_id = ?"
                                 " ORDER BY dest_family, dest, dest_len",
                                 h, route_from_row, out, err);
        if (r >= 0)
                r = fobj_vec_sort(out, false, err);
        /* The store checked every value on the way in; a failure here means
         * rows that bypassed it. */
        for (size_t i = 0; r >= 0 && i < out->n; i++)
                if (fobj_validate(&out->v[i], &inner) < 0) {
                        snprintf(what, sizeof(what), "host %s", h->name);
                        r = store_error_wrap(err, &inner, what);
                }
        return r < 0 ? r : 0;
}

int desired_list(struct store *s, const char *host, struct fobj **ret, size_t *ret_n,
                 struct netd_error *err) {
        return fobj_vec_read(s, host, desired_compute, ret, ret_n, err);
}
