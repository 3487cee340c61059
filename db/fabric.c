/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What netd keeps on each host (network attachments, veth links, routes),
 * the desired fabric computed from it, and the queue of objects a host must
 * still delete (fabric_garbage).
 *
 * Every change computes, in its transaction, the desired state of the hosts
 * it concerns before and after: what a host no longer needs is queued, and
 * queued objects it needs again are dropped from the queue. Queued objects
 * are compared by identity (an interface name, an address on a device, a
 * route's destination, a flood entry), not by all attributes: deleting an
 * object after its successor was made under the same identity would delete
 * the successor. The queue stores the JSON text of fobj_to_json(), whose
 * keys come in a fixed order, so one object always has one text. */
#include <inttypes.h>

#include "fabric.h"
#include "host.h"
#include "store-private.h"
#include "netd/core/prefix.h"

#define BRIDGE_PREFIX "br-"
/* "addr:" + device + ":" + address, the longest identity. */
#define KEY_LEN (16 + NAME_MAX_LEN + ADDR_STRLEN)

/* ---- small helpers ---- */

struct fobj_vec {
        struct fobj *v;
        size_t n, cap;
};

static int fobj_vec_push(struct fobj_vec *vec, const struct fobj *o, struct netd_error *err) {
        if (vec->n == vec->cap) {
                size_t ncap = vec->cap ? vec->cap * 2 : 16;
                struct fobj *nv = reallocarray(vec->v, ncap, sizeof(*nv));

                if (!nv)
                        return error_set(err, NETD_EINTERNAL, "out of memory");
                vec->v = nv;
                vec->cap = ncap;
        }
        vec->v[vec->n++] = *o;
        return 0;
}

/* Reorder by kind (ascending, or descending for deletion order), keeping
 * the order of the objects within a kind. */
static int fobj_vec_sort(struct fobj_vec *vec, bool descending, struct netd_error *err) {
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

static void column_string(sqlite3_stmt *stmt, int col, char *buf, size_t size) {
        const char *v = (const char *)sqlite3_column_text(stmt, col);

        strscpy(buf, size, v ? v : "");
}

static void bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *v) {
        if (!isempty(v))
                sqlite3_bind_text(stmt, idx, v, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(stmt, idx);
}

static const char *empty_if_null(const char *s) {
        return s ? s : "";
}

/* The queue's text of an object. */
static int fobj_json_text(const struct fobj *o, char **ret, struct netd_error *err) {
        struct json_object *j = fobj_to_json(o);
        char *copy = NULL;

        if (j) {
                const char *t = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
                                                                          JSON_C_TO_STRING_NOSLASHESCAPE);

                copy = t ? strdup(t) : NULL;
        }
        json_object_put(j);
        if (!copy)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        *ret = copy;
        return 0;
}

/* The identities an object occupies on its host (a veth pair: two names). */
static size_t fobj_keys(const struct fobj *o, char keys[2][KEY_LEN]) {
        char a[PREFIX_STRLEN];

        switch (o->kind) {
        case FOBJ_BRIDGE:
        case FOBJ_VXLAN:
                snprintf(keys[0], KEY_LEN, "if:%s", o->name);
                return 1;
        case FOBJ_VETH:
                snprintf(keys[0], KEY_LEN, "if:%s", o->name);
                snprintf(keys[1], KEY_LEN, "if:%s", o->peer);
                return 2;
        case FOBJ_PORT:
                snprintf(keys[0], KEY_LEN, "port:%s", o->name);
                return 1;
        case FOBJ_ADDRESS:
                snprintf(keys[0], KEY_LEN, "addr:%s:%s", o->dev, addr_format(&o->addr, a, sizeof(a)));
                return 1;
        case FOBJ_ROUTE:
                snprintf(keys[0], KEY_LEN, "route:%s", prefix_format(&o->dst, a, sizeof(a)));
                return 1;
        case FOBJ_FDB:
                snprintf(keys[0], KEY_LEN, "fdb:%s:%s", o->dev, addr_format(&o->addr, a, sizeof(a)));
                return 1;
        case FOBJ_LIBVIRT_NETWORK:
                snprintf(keys[0], KEY_LEN, "libvirt-network:%s", o->network);
                return 1;
        default:
                return 0;
        }
}

/* Whether `o` shares an identity with one of `objs`. */
static bool fobj_overlaps(const struct fobj *o, const struct fobj *objs, size_t n) {
        char mine[2][KEY_LEN], theirs[2][KEY_LEN];
        size_t n_mine = fobj_keys(o, mine);

        for (size_t i = 0; i < n; i++) {
                size_t n_theirs = fobj_keys(&objs[i], theirs);

                for (size_t a = 0; a < n_mine; a++)
                        for (size_t b = 0; b < n_theirs; b++)
                                if (streq(mine[a], theirs[b]))
                                        return true;
        }
        return false;
}

/* ---- hosts ---- */

struct host_ref {
        int64_t id;
        char name[NAME_MAX_LEN + 1];
        struct addr underlay;
        bool libvirt; /* has a libvirt URI */
};

static const char host_ref_columns[] =
        "SELECT id, name, underlay, underlay_family, coalesce(libvirt, '') <> '' FROM hosts";

static void host_ref_from_row(sqlite3_stmt *stmt, struct host_ref *ret) {
        ret->id = sqlite3_column_int64(stmt, 0);
        column_string(stmt, 1, ret->name, sizeof(ret->name));
        store_column_addr(stmt, 2, store_family_from_db(sqlite3_column_int(stmt, 3)), &ret->underlay);
        ret->libvirt = sqlite3_column_int(stmt, 4) != 0;
}

static int host_ref_find(struct store *s, const char *name, struct host_ref *ret, struct netd_error *err) {
        _cleanup_host_ struct host *h = NULL;
        int r = host_find(s, name, &h, &ret->id, err);

        if (r < 0)
                return r;
        strscpy(ret->name, sizeof(ret->name), h->name);
        ret->underlay = h->underlay;
        ret->libvirt = !isempty(h->libvirt);
        return 0;
}

/* ---- attachments ---- */

/* An attachment with what the fabric needs of its network. */
struct att_row {
        struct attachment a;
        int64_t network_id;
        unsigned mtu;                   /* 0 = the network has none */
        uint32_t vni;                   /* 0 = none */
        char vxlan[IFNAME_MAX_LEN + 1]; /* "" without a VNI */
};

static const char att_columns[] =
        "SELECT a.network_id, n.name, h.name, n.bridge, a.uplink, a.address, a.address_family, a.prefixlen,"
        " n.vni, n.mtu FROM attachments a JOIN networks n ON n.id = a.network_id"
        " JOIN hosts h ON h.id = a.host_id";

static void bridge_name(const char *network, const char *bridge, char ret[IFNAME_MAX_LEN + 1]) {
        if (!isempty(bridge))
                strscpy(ret, IFNAME_MAX_LEN + 1, bridge);
        else {
                /* Cut to the kernel's 15 characters, like the contract says. */
                strscpy(ret, IFNAME_MAX_LEN + 1, BRIDGE_PREFIX);
                strscpy(ret + strlen(BRIDGE_PREFIX), IFNAME_MAX_LEN + 1 - strlen(BRIDGE_PREFIX), network);
        }
}

static void vxlan_name(uint32_t vni, char ret[IFNAME_MAX_LEN + 1]) {
        snprintf(ret, IFNAME_MAX_LEN + 1, "vx%" PRIu32, vni);
}

static void att_from_row(sqlite3_stmt *stmt, struct att_row *ret) {
        char bridge[IFNAME_MAX_LEN + 1];

        *ret = (struct att_row){};
        ret->network_id = sqlite3_column_int64(stmt, 0);
        column_string(stmt, 1, ret->a.network, sizeof(ret->a.network));
        column_string(stmt, 2, ret->a.host, sizeof(ret->a.host));
        column_string(stmt, 3, bridge, sizeof(bridge));
        bridge_name(ret->a.network, bridge, ret->a.bridge);
        column_string(stmt, 4, ret->a.uplink, sizeof(ret->a.uplink));
        ret->a.has_address = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
        if (ret->a.has_address) {
                store_column_addr(stmt, 5, store_family_from_db(sqlite3_column_int(stmt, 6)),
                                  &ret->a.address);
                ret->a.prefixlen = (unsigned)sqlite3_column_int(stmt, 7);
        }
        if (sqlite3_column_type(stmt, 8) != SQLITE_NULL) {
                ret->vni = (uint32_t)sqlite3_column_int64(stmt, 8);
                vxlan_name(ret->vni, ret->vxlan);
        }
        ret->mtu = (unsigned)sqlite3_column_int(stmt, 9);
}

/* The attachments selected by `where` (a WHERE/ORDER BY clause using ?1
 * and ?2, bound to p1 and p2). */
static int att_load(struct store *s, const char *where, int64_t p1, int64_t p2, struct att_row **ret,
                    size_t *ret_n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ struct att_row *v = NULL;
        char sql[sizeof(att_columns) + 128];
        size_t n = 0, cap = 0;
        int r;

        snprintf(sql, sizeof(sql), "%s %s", att_columns, where);
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        if (sqlite3_bind_parameter_count(stmt) >= 1)
                sqlite3_bind_int64(stmt, 1, p1);
        if (sqlite3_bind_parameter_count(stmt) >= 2)
                sqlite3_bind_int64(stmt, 2, p2);
        while ((r = store_step(s, stmt, err)) > 0) {
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 8;
                        struct att_row *nv = reallocarray(v, ncap, sizeof(*nv));

                        if (!nv)
                                return error_set(err, NETD_EINTERNAL, "out of memory");
                        v = nv;
                        cap = ncap;
                }
                att_from_row(stmt, &v[n++]);
        }
        if (r < 0)
                return r;
        *ret = v;
        *ret_n = n;
        v = NULL;
        return 0;
}

/* ---- the desired state ---- */

static int desired_attachment(struct store *s, const struct host_ref *h, const struct att_row *row,
                              sqlite3_stmt *peers, struct fobj_vec *out, struct netd_error *err) {
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
        if (!row->vni)
                return 0;
        o = (struct fobj){.kind = FOBJ_VXLAN,
                          .vni = row->vni,
                          .local = h->underlay,
                          .dstport = VXLAN_DSTPORT,
                          .mtu = row->mtu};
        strscpy(o.name, sizeof(o.name), row->vxlan);
        strscpy(o.master, sizeof(o.master), row->a.bridge);
        r = fobj_vec_push(out, &o, err);
        if (r < 0)
                return r;

        /* Unicast flooding reaches only the peers of the local address's family. */
        sqlite3_reset(peers);
        sqlite3_bind_int64(peers, 1, row->network_id);
        sqlite3_bind_int64(peers, 2, h->id);
        sqlite3_bind_int(peers, 3, store_family_to_db(h->underlay.family));
        while ((r = store_step(s, peers, err)) > 0) {
                o = (struct fobj){.kind = FOBJ_FDB};
                strscpy(o.dev, sizeof(o.dev), row->vxlan);
                store_column_addr(peers, 0, h->underlay.family, &o.addr);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        return r;
}

static int desired_links(struct store *s, const struct host_ref *h, struct fobj_vec *out,
                         struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare(s,
                          "SELECT name, peer, master, peer_master FROM links WHERE host_id = ? ORDER BY name",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, h->id);
        while ((r = store_step(s, stmt, err)) > 0) {
                struct fobj o = {.kind = FOBJ_VETH};

                column_string(stmt, 0, o.name, sizeof(o.name));
                column_string(stmt, 1, o.peer, sizeof(o.peer));
                column_string(stmt, 2, o.master, sizeof(o.master));
                column_string(stmt, 3, o.peer_master, sizeof(o.peer_master));
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        return r;
}

static int desired_routes(struct store *s, const struct host_ref *h, struct fobj_vec *out,
                          struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare(s,
                          "SELECT dest, dest_family, dest_len, via, dev FROM routes WHERE host_id = ?"
                          " ORDER BY dest_family, dest, dest_len",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, h->id);
        while ((r = store_step(s, stmt, err)) > 0) {
                struct fobj o = {.kind = FOBJ_ROUTE};
                int family = store_family_from_db(sqlite3_column_int(stmt, 1));

                store_column_addr(stmt, 0, family, &o.dst.base);
                o.dst.len = (unsigned)sqlite3_column_int(stmt, 2);
                store_column_addr(stmt, 3, family, &o.addr);
                column_string(stmt, 4, o.dev, sizeof(o.dev));
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
        }
        return r;
}

/* The desired state of host `h`, inside the caller's transaction. */
static int desired_compute(struct store *s, const struct host_ref *h, struct fobj **ret, size_t *ret_n,
                           struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *peers = NULL;
        _cleanup_free_ struct att_row *rows = NULL;
        struct fobj_vec out = {};
        struct netd_error inner = {};
        char what[NAME_MAX_LEN + 16];
        size_t n_rows = 0;
        int r;

        r = att_load(s, "WHERE a.host_id = ?1 ORDER BY n.name", h->id, 0, &rows, &n_rows, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "SELECT h.underlay FROM attachments a JOIN hosts h ON h.id = a.host_id"
                          " WHERE a.network_id = ?1 AND a.host_id <> ?2 AND h.underlay_family = ?3"
                          " ORDER BY h.name",
                          &peers, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_rows && r >= 0; i++)
                r = desired_attachment(s, h, &rows[i], peers, &out, err);
        if (r >= 0)
                r = desired_links(s, h, &out, err);
        if (r >= 0)
                r = desired_routes(s, h, &out, err);
        if (r >= 0)
                r = fobj_vec_sort(&out, false, err);
        /* The store checked every value on the way in; a failure here means
         * rows that bypassed it. */
        for (size_t i = 0; r >= 0 && i < out.n; i++)
                if (fobj_validate(&out.v[i], &inner) < 0) {
                        snprintf(what, sizeof(what), "host %s", h->name);
                        r = store_error_wrap(err, &inner, what);
                }
        if (r < 0) {
                free(out.v);
                return r;
        }
        *ret = out.v;
        *ret_n = out.n;
        return 0;
}

int fabric_desired(struct store *s, const char *host, struct fobj **ret, size_t *ret_n,
                   struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        struct host_ref h;
        struct fobj *v;
        size_t n;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = desired_compute(s, &h, &v, &n, err);
        if (r < 0)
                return r;
        r = store_tx_commit(&tx, err);
        if (r < 0) {
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- the garbage queue ---- */

static int garbage_queue(struct store *s, int64_t host_id, const struct fobj *o, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ char *json = NULL;
        char label[128];
        int r;

        r = fobj_json_text(o, &json, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "INSERT INTO fabric_garbage (host_id, kind, name, json) VALUES (?, ?, ?, ?)"
                          " ON CONFLICT (host_id, json) DO NOTHING",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, host_id);
        sqlite3_bind_text(stmt, 2, fobj_kind_to_string(o->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, fobj_label(o, label, sizeof(label)), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 4, json, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

static int garbage_delete(struct store *s, int64_t host_id, const char *json, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare(s, "DELETE FROM fabric_garbage WHERE host_id = ? AND json = ?", &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, host_id);
        sqlite3_bind_text(stmt, 2, json, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

/* The queue of host `h` in the order it was filled, with the row ids in
 * *ret_ids when asked. */
static int garbage_load(struct store *s, const struct host_ref *h, struct fobj_vec *out, int64_t **ret_ids,
                        struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        int r;

        r = store_prepare(s, "SELECT id, json FROM fabric_garbage WHERE host_id = ? ORDER BY id", &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, h->id);
        while ((r = store_step(s, stmt, err)) > 0) {
                const char *text = (const char *)sqlite3_column_text(stmt, 1);
                struct json_object *j = text ? json_tokener_parse(text) : NULL;
                struct netd_error inner = {};
                struct fobj o;

                r = j ? fobj_from_json(j, &o, &inner) : error_set(&inner, NETD_EINVALID, "not JSON");
                json_object_put(j);
                if (r < 0)
                        return error_set(err, NETD_EINTERNAL,
                                         "host %s: a queued fabric object is unreadable: %s", h->name,
                                         inner.message);
                r = fobj_vec_push(out, &o, err);
                if (r < 0)
                        return r;
                if (ret_ids) {
                        /* Grown alongside `out`, whose capacity only ever doubles. */
                        int64_t *nids = reallocarray(ids, out->cap, sizeof(*nids));

                        if (!nids)
                                return error_set(err, NETD_EINTERNAL, "out of memory");
                        ids = nids;
                        ids[out->n - 1] = sqlite3_column_int64(stmt, 0);
                }
        }
        if (r < 0)
                return r;
        if (ret_ids) {
                *ret_ids = ids;
                ids = NULL;
        }
        return 0;
}

/* Drop from the queue of `h` every object sharing an identity with one of
 * `desired`: the host must keep it, not delete it. */
static int garbage_forget_desired(struct store *s, const struct host_ref *h, const struct fobj *desired,
                                  size_t n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        struct fobj_vec queued = {};
        int r;

        r = garbage_load(s, h, &queued, &ids, err);
        if (r >= 0 && queued.n > 0)
                r = store_prepare(s, "DELETE FROM fabric_garbage WHERE id = ?", &del, err);
        for (size_t i = 0; r >= 0 && i < queued.n; i++) {
                if (!fobj_overlaps(&queued.v[i], desired, n))
                        continue;
                sqlite3_reset(del);
                sqlite3_bind_int64(del, 1, ids[i]);
                r = store_step(s, del, err);
        }
        free(queued.v);
        return r < 0 ? r : 0;
}

int fabric_garbage_list(struct store *s, const char *host, struct fobj **ret, size_t *ret_n,
                        struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        struct fobj_vec out = {};
        struct host_ref h;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = garbage_load(s, &h, &out, NULL, err);
        /* Dependents first: flood entries and addresses before their
         * devices, devices before the bridges they are enslaved to. */
        if (r >= 0)
                r = fobj_vec_sort(&out, true, err);
        if (r >= 0)
                r = store_tx_commit(&tx, err);
        if (r < 0) {
                free(out.v);
                return r;
        }
        *ret = out.v;
        *ret_n = out.n;
        return 0;
}

int fabric_garbage_done(struct store *s, const char *host, const struct fobj *o, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_free_ char *json = NULL;
        struct host_ref h;
        int r;

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = fobj_json_text(o, &json, err);
        if (r < 0)
                return r;
        r = garbage_delete(s, h.id, json, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

/* ---- changes ---- */

/* The hosts whose desired state a change can alter, with that state
 * before the change. */
struct change {
        struct change_host {
                struct host_ref host;
                struct fobj *before;
                size_t n_before;
        } * hosts;
        size_t n;
};

static void change_free(struct change *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->hosts[i].before);
        free(c->hosts);
        *c = (struct change){};
}
#define _cleanup_change_ _cleanup_(change_free)

/* Record host `host_id` and, for a change of an attachment to network
 * `network_id` (0: none), every host attached to it: their flood entries
 * point at each other. */
static int change_begin(struct store *s, int64_t host_id, int64_t network_id, struct change *ret,
                        struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char sql[sizeof(host_ref_columns) + 128];
        size_t cap = 0;
        int r;

        snprintf(sql, sizeof(sql),
                 "%s WHERE id = ?1 OR id IN (SELECT host_id FROM attachments WHERE network_id = ?2)"
                 " ORDER BY name",
                 host_ref_columns);
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, host_id);
        sqlite3_bind_int64(stmt, 2, network_id);
        while ((r = store_step(s, stmt, err)) > 0) {
                struct change_host *ch;

                if (ret->n == cap) {
                        size_t ncap = cap ? cap * 2 : 8;
                        struct change_host *nv = reallocarray(ret->hosts, ncap, sizeof(*nv));

                        if (!nv)
                                return error_set(err, NETD_EINTERNAL, "out of memory");
                        ret->hosts = nv;
                        cap = ncap;
                }
                ch = &ret->hosts[ret->n++];
                *ch = (struct change_host){};
                host_ref_from_row(stmt, &ch->host);
                r = desired_compute(s, &ch->host, &ch->before, &ch->n_before, err);
                if (r < 0)
                        return r;
        }
        return r;
}

/* Queue what each recorded host no longer needs; unqueue what it needs again. */
static int change_finish(struct store *s, struct change *c, struct netd_error *err) {
        int r = 0;

        for (size_t i = 0; r >= 0 && i < c->n; i++) {
                const struct change_host *ch = &c->hosts[i];
                _cleanup_free_ struct fobj *after = NULL;
                size_t n_after = 0;

                r = desired_compute(s, &ch->host, &after, &n_after, err);
                for (size_t j = 0; r >= 0 && j < ch->n_before; j++)
                        if (!fobj_overlaps(&ch->before[j], after, n_after))
                                r = garbage_queue(s, ch->host.id, &ch->before[j], err);
                if (r >= 0)
                        r = garbage_forget_desired(s, &ch->host, after, n_after, err);
        }
        return r;
}

/* ---- attachments: the API ---- */

/* Parse IP/PREFIX: an address with its prefix length, host bits allowed. */
static int address_parse(const char *what, const char *s, struct addr *ret, unsigned *ret_len,
                         struct netd_error *err) {
        const char *slash = strchr(s, '/');
        struct netd_error inner = {};
        char ip[ADDR_STRLEN], q[96];
        unsigned len = 0, bits;
        size_t n;

        error_quote_untrusted(s, q, sizeof(q));
        if (!slash)
                return error_set(err, NETD_EINVALID, "%s \"%s\" must be IP/PREFIX, e.g. 192.0.2.1/24", what,
                                 q);
        n = (size_t)(slash - s);
        if (n == 0 || n >= sizeof(ip))
                return error_set(err, NETD_EINVALID, "%s \"%s\" is not an IP address with a prefix length",
                                 what, q);
        memcpy(ip, s, n);
        ip[n] = '\0';
        if (addr_parse(ip, ret, &inner) < 0)
                return store_error_wrap(err, &inner, what);
        bits = addr_bits(ret->family);
        n = strlen(slash + 1);
        if (n == 0 || n > 3 || strspn(slash + 1, "0123456789") != n)
                return error_set(err, NETD_EINVALID, "%s \"%s\": the prefix length must be a number in 1-%u",
                                 what, q, bits);
        for (const char *p = slash + 1; *p; p++)
                len = len * 10 + (unsigned)(*p - '0');
        if (len < 1 || len > bits)
                return error_set(err, NETD_EINVALID, "%s \"%s\": the prefix length must be a number in 1-%u",
                                 what, q, bits);
        *ret_len = len;
        return 0;
}

enum {
        USER_UPLINKS = 1 << 0, /* also the uplinks of attachments */
        USER_LINKS = 1 << 1,   /* also both ends of veth links */
};

/* What on host `host_id` already uses the interface name `ifname`, as a
 * phrase for a message in `ret` ("" when nothing): the bridges and VXLAN
 * devices of its attachments other than to network `skip_network_id`, and
 * per `flags` their uplinks and the veth links. */
static int ifname_user(struct store *s, int64_t host_id, int64_t skip_network_id, const char *ifname,
                       unsigned flags, char *ret, size_t size, struct netd_error *err) {
        _cleanup_free_ struct att_row *rows = NULL;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        size_t n = 0;
        int r;

        ret[0] = '\0';
        r = att_load(s, "WHERE a.host_id = ?1 ORDER BY n.name", host_id, 0, &rows, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const struct att_row *row = &rows[i];

                if (row->network_id == skip_network_id)
                        continue;
                if (streq(row->a.bridge, ifname))
                        snprintf(ret, size, "the bridge of network %s", row->a.network);
                else if (streq(row->vxlan, ifname))
                        snprintf(ret, size, "the VXLAN device of network %s", row->a.network);
                else if ((flags & USER_UPLINKS) && streq(row->a.uplink, ifname))
                        snprintf(ret, size, "the uplink of network %s", row->a.network);
                if (ret[0])
                        return 0;
        }
        if (!(flags & USER_LINKS))
                return 0;
        r = store_prepare(s, "SELECT name FROM links WHERE host_id = ?1 AND (name = ?2 OR peer = ?2)", &stmt,
                          err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, host_id);
        sqlite3_bind_text(stmt, 2, ifname, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r > 0)
                snprintf(ret, size, "an end of link %s", sqlite3_column_text(stmt, 0));
        return r < 0 ? r : 0;
}

/* The names an attachment makes or takes must be free on the host. */
static int attachment_names_check(struct store *s, const char *what, const struct host_ref *h,
                                  int64_t network_id, const char *bridge, const char *vxlan,
                                  const char *uplink, struct netd_error *err) {
        const struct {
                const char *role, *name;
                unsigned flags;
        } names[] = {
                {"bridge", bridge, USER_UPLINKS | USER_LINKS},
                {"VXLAN device", vxlan, USER_UPLINKS | USER_LINKS},
                /* A veth end may well serve as an uplink. */
                {"uplink", uplink, USER_UPLINKS},
        };
        char user[NAME_MAX_LEN + 64];
        int r;

        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                if (isempty(names[i].name))
                        continue;
                r = ifname_user(s, h->id, network_id, names[i].name, names[i].flags, user, sizeof(user), err);
                if (r < 0)
                        return r;
                if (user[0])
                        return error_set(err, NETD_ECONFLICT, "%s: %s %s is already %s on host %s", what,
                                         names[i].role, names[i].name, user, h->name);
        }
        return 0;
}

static int attachment_find(struct store *s, int64_t network_id, const struct host_ref *h, const char *network,
                           struct att_row *ret, struct netd_error *err) {
        _cleanup_free_ struct att_row *rows = NULL;
        size_t n = 0;
        int r;

        r = att_load(s, "WHERE a.network_id = ?1 AND a.host_id = ?2", network_id, h->id, &rows, &n, err);
        if (r < 0)
                return r;
        if (n == 0)
                return error_set(err, NETD_ENOTFOUND, "network %s is not attached to host %s", network,
                                 h->name);
        *ret = rows[0];
        return 0;
}

int attachment_set(struct store *s, const char *network, const char *host, const char *uplink,
                   const char *address, struct attachment *ret, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_change_ struct change change = {};
        _cleanup_network_ struct network *n = NULL;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char what[2 * NAME_MAX_LEN + 32], field[sizeof(what) + 16];
        char bridge[IFNAME_MAX_LEN + 1], vxlan[IFNAME_MAX_LEN + 1] = "";
        struct addr addr = {};
        unsigned prefixlen = 0;
        struct att_row row;
        struct host_ref h;
        int64_t network_id;
        int r;

        r = validate_name_check("network name", network, err);
        if (r < 0)
                return r;
        r = validate_name_check("host name", host, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "network %s on host %s", network, host);
        if (uplink) {
                snprintf(field, sizeof(field), "%s: uplink", what);
                r = validate_ifname_check(field, uplink, err);
                if (r < 0)
                        return r;
        }
        if (address) {
                snprintf(field, sizeof(field), "%s: address", what);
                r = address_parse(field, address, &addr, &prefixlen, err);
                if (r < 0)
                        return r;
        }

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = network_find(s, network, &n, &network_id, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        bridge_name(n->name, n->bridge, bridge);
        if (n->has_vni)
                vxlan_name(n->vni, vxlan);
        if (uplink && (streq(uplink, bridge) || streq(uplink, vxlan)))
                return error_set(err, NETD_EINVALID, "%s: uplink %s is a device of the network itself", what,
                                 uplink);
        r = attachment_names_check(s, what, &h, network_id, bridge, vxlan, uplink, err);
        if (r < 0)
                return r;

        r = change_begin(s, h.id, network_id, &change, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "INSERT INTO attachments (network_id, host_id, uplink, address, address_family,"
                          " prefixlen) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (network_id, host_id) DO UPDATE"
                          " SET uplink = excluded.uplink, address = excluded.address,"
                          " address_family = excluded.address_family, prefixlen = excluded.prefixlen",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, network_id);
        sqlite3_bind_int64(stmt, 2, h.id);
        bind_text_or_null(stmt, 3, uplink);
        if (address) {
                store_bind_addr(stmt, 4, &addr);
                sqlite3_bind_int(stmt, 5, store_family_to_db(addr.family));
                sqlite3_bind_int(stmt, 6, (int)prefixlen);
        }
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        r = change_finish(s, &change, err);
        if (r < 0)
                return r;
        if (ret) {
                r = attachment_find(s, network_id, &h, network, &row, err);
                if (r < 0)
                        return r;
        }
        r = store_tx_commit(&tx, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = row.a;
        return 0;
}

int attachment_remove(struct store *s, const char *network, const char *host, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_change_ struct change change = {};
        _cleanup_network_ struct network *n = NULL;
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        struct host_ref h;
        int64_t network_id;
        int r;

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = network_find(s, network, &n, &network_id, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = change_begin(s, h.id, network_id, &change, err);
        if (r < 0)
                return r;
        r = store_prepare(s, "DELETE FROM attachments WHERE network_id = ? AND host_id = ?", &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(del, 1, network_id);
        sqlite3_bind_int64(del, 2, h.id);
        r = store_step(s, del, err);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, NETD_ENOTFOUND, "network %s is not attached to host %s", network, host);
        r = change_finish(s, &change, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

int attachment_get(struct store *s, const char *network, const char *host, struct attachment *ret,
                   struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_network_ struct network *n = NULL;
        struct att_row row;
        struct host_ref h;
        int64_t network_id;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        r = network_find(s, network, &n, &network_id, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = attachment_find(s, network_id, &h, network, &row, err);
        if (r < 0)
                return r;
        r = store_tx_commit(&tx, err);
        if (r < 0)
                return r;
        *ret = row.a;
        return 0;
}

int attachment_list(struct store *s, const char *network, struct attachment **ret, size_t *ret_n,
                    struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_network_ struct network *n = NULL;
        _cleanup_free_ struct att_row *rows = NULL;
        struct attachment *l = NULL;
        int64_t network_id = 0;
        size_t n_rows = 0;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        if (network) {
                r = network_find(s, network, &n, &network_id, err);
                if (r < 0)
                        return r;
                r = att_load(s, "WHERE a.network_id = ?1 ORDER BY h.name", network_id, 0, &rows, &n_rows,
                             err);
        } else
                r = att_load(s, "ORDER BY n.name, h.name", 0, 0, &rows, &n_rows, err);
        if (r < 0)
                return r;
        r = store_tx_commit(&tx, err);
        if (r < 0)
                return r;
        if (n_rows > 0) {
                l = calloc(n_rows, sizeof(*l));
                if (!l)
                        return error_set(err, NETD_EINTERNAL, "out of memory");
                for (size_t i = 0; i < n_rows; i++)
                        l[i] = rows[i].a;
        }
        *ret = l;
        *ret_n = n_rows;
        return 0;
}

/* ---- links ---- */

static int link_spec_check(const char *host, const char *kind, const char *name, const char *peer,
                           const char *master, const char *peer_master, struct fobj *ret,
                           struct netd_error *err) {
        char what[NAME_MAX_LEN + IFNAME_MAX_LEN + 48], q[64];
        struct netd_error inner = {};
        int r;

        r = validate_name_check("host name", host, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "host %s: link name", host);
        r = validate_ifname_check(what, name, err);
        if (r < 0)
                return r;
        if (!streq(kind, "veth"))
                return error_set(err, NETD_EINVALID,
                                 "host %s: link %s: kind \"%s\" is not supported (only veth)", host, name,
                                 error_quote_untrusted(empty_if_null(kind), q, sizeof(q)));
        snprintf(what, sizeof(what), "host %s: link %s: peer", host, name);
        r = validate_ifname_check(what, peer, err);
        if (r < 0)
                return r;
        if (master) {
                snprintf(what, sizeof(what), "host %s: link %s: master", host, name);
                r = validate_ifname_check(what, master, err);
                if (r < 0)
                        return r;
        }
        if (peer_master) {
                snprintf(what, sizeof(what), "host %s: link %s: peer master", host, name);
                r = validate_ifname_check(what, peer_master, err);
                if (r < 0)
                        return r;
        }
        *ret = (struct fobj){.kind = FOBJ_VETH};
        strscpy(ret->name, sizeof(ret->name), name);
        strscpy(ret->peer, sizeof(ret->peer), peer);
        strscpy(ret->master, sizeof(ret->master), empty_if_null(master));
        strscpy(ret->peer_master, sizeof(ret->peer_master), empty_if_null(peer_master));
        /* Same name for both ends, an end as a master, ... */
        if (fobj_validate(ret, &inner) < 0) {
                snprintf(what, sizeof(what), "host %s: link", host);
                return store_error_wrap(err, &inner, what);
        }
        return 0;
}

/* NETD_EEXISTS when a name of `want` is taken by another link; 1 when the
 * very same link exists already, else 0. */
static int link_check_taken(struct store *s, const struct host_ref *h, const struct fobj *want,
                            struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct fobj have = {.kind = FOBJ_VETH};
        const char *taken;
        int r;

        /* The row named like `want` first: only it can be the same link. */
        r = store_prepare(s,
                          "SELECT name, peer, master, peer_master FROM links WHERE host_id = ?1"
                          " AND (name IN (?2, ?3) OR peer IN (?2, ?3)) ORDER BY name <> ?2",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, h->id);
        sqlite3_bind_text(stmt, 2, want->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, want->peer, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r;
        column_string(stmt, 0, have.name, sizeof(have.name));
        column_string(stmt, 1, have.peer, sizeof(have.peer));
        column_string(stmt, 2, have.master, sizeof(have.master));
        column_string(stmt, 3, have.peer_master, sizeof(have.peer_master));
        if (streq(have.name, want->name) && streq(have.peer, want->peer) &&
            streq(have.master, want->master) && streq(have.peer_master, want->peer_master))
                return 1;
        if (streq(have.name, want->name))
                return error_set(err, NETD_EEXISTS, "host %s: link %s already exists (peer %s%s%s%s%s)",
                                 h->name, have.name, have.peer, have.master[0] ? ", master " : "",
                                 have.master, have.peer_master[0] ? ", peer master " : "", have.peer_master);
        taken = streq(have.name, want->peer) || streq(have.peer, want->peer) ? want->peer : want->name;
        return error_set(err, NETD_EEXISTS, "host %s: link %s: %s is already an end of link %s", h->name,
                         want->name, taken, have.name);
}

int link_add(struct store *s, const char *host, const char *kind, const char *name, const char *peer,
             const char *master, const char *peer_master, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_change_ struct change change = {};
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char user[NAME_MAX_LEN + 64];
        struct host_ref h;
        struct fobj want;
        int r;

        r = link_spec_check(host, kind, name, peer, master, peer_master, &want, err);
        if (r < 0)
                return r;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = link_check_taken(s, &h, &want, err);
        if (r < 0)
                return r;
        if (r > 0)
                return store_tx_commit(&tx, err);
        for (int i = 0; i < 2; i++) {
                const char *end = i == 0 ? want.name : want.peer;

                r = ifname_user(s, h.id, 0, end, 0, user, sizeof(user), err);
                if (r < 0)
                        return r;
                if (user[0])
                        return error_set(err, NETD_ECONFLICT, "host %s: link %s: %s is already %s", host,
                                         name, end, user);
        }

        r = change_begin(s, h.id, 0, &change, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "INSERT INTO links (host_id, kind, name, peer, master, peer_master)"
                          " VALUES (?, 'veth', ?, ?, ?, ?)",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, h.id);
        sqlite3_bind_text(stmt, 2, want.name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, want.peer, -1, SQLITE_TRANSIENT);
        bind_text_or_null(stmt, 4, want.master);
        bind_text_or_null(stmt, 5, want.peer_master);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        r = change_finish(s, &change, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

int link_remove(struct store *s, const char *host, const char *name, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_change_ struct change change = {};
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL, *del = NULL;
        struct host_ref h;
        int r;

        r = validate_ifname_check("link name", name, err);
        if (r < 0)
                return r;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = store_prepare(s, "SELECT name FROM links WHERE host_id = ?1 AND (name = ?2 OR peer = ?2)", &stmt,
                          err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 1, h.id);
        sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        if (r == 0)
                return error_set(err, NETD_ENOTFOUND, "host %s has no link %s", host, name);
        if (!streq((const char *)sqlite3_column_text(stmt, 0), name))
                return error_set(err, NETD_ENOTFOUND, "host %s: %s is the peer of link %s; remove %s instead",
                                 host, name, sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 0));

        r = change_begin(s, h.id, 0, &change, err);
        if (r < 0)
                return r;
        r = store_prepare(s, "DELETE FROM links WHERE host_id = ? AND name = ?", &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(del, 1, h.id);
        sqlite3_bind_text(del, 2, name, -1, SQLITE_TRANSIENT);
        r = store_step(s, del, err);
        if (r < 0)
                return r;
        r = change_finish(s, &change, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

/* ---- routes ---- */

static int route_dest_parse(const char *host, const char *dest, struct prefix *ret, struct netd_error *err) {
        struct netd_error inner = {};
        char what[NAME_MAX_LEN + 32];
        int r;

        r = validate_name_check("host name", host, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "host %s: route destination", host);
        if (!dest)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        if (prefix_parse(dest, ret, &inner) < 0)
                return store_error_wrap(err, &inner, what);
        return 0;
}

/* Bind host, family, destination and length as ?1-?4. */
static void route_bind_key(sqlite3_stmt *stmt, int64_t host_id, const struct prefix *dst) {
        sqlite3_bind_int64(stmt, 1, host_id);
        sqlite3_bind_int(stmt, 2, store_family_to_db(dst->base.family));
        store_bind_addr(stmt, 3, &dst->base);
        sqlite3_bind_int(stmt, 4, (int)dst->len);
}

int route_add(struct store *s, const char *host, const char *dest, const char *via, const char *dev,
              struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_change_ struct change change = {};
        _cleanup_stmt_ sqlite3_stmt *have = NULL, *ins = NULL;
        char what[NAME_MAX_LEN + PREFIX_STRLEN + 32], p[PREFIX_STRLEN], a[ADDR_STRLEN];
        struct netd_error inner = {};
        struct fobj want = {.kind = FOBJ_ROUTE};
        struct host_ref h;
        int r;

        r = route_dest_parse(host, dest, &want.dst, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "host %s: route to %s", host, prefix_format(&want.dst, p, sizeof(p)));
        if (!via)
                return error_set(err, NETD_EINVALID, "%s: a gateway (--via) is required", what);
        if (addr_parse(via, &want.addr, &inner) < 0)
                return store_error_wrap(err, &inner, what);
        if (want.addr.family != want.dst.base.family)
                return error_set(err, NETD_EINVALID, "%s: gateway %s is not of the destination's family",
                                 what, addr_format(&want.addr, a, sizeof(a)));
        if (dev) {
                char field[sizeof(what) + 16];

                snprintf(field, sizeof(field), "%s: device", what);
                r = validate_ifname_check(field, dev, err);
                if (r < 0)
                        return r;
                strscpy(want.dev, sizeof(want.dev), dev);
        }
        if (fobj_validate(&want, &inner) < 0)
                return store_error_wrap(err, &inner, what);

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "SELECT via, dev FROM routes WHERE host_id = ?1 AND dest_family = ?2 AND dest = ?3"
                          " AND dest_len = ?4",
                          &have, err);
        if (r < 0)
                return r;
        route_bind_key(have, h.id, &want.dst);
        r = store_step(s, have, err);
        if (r < 0)
                return r;
        if (r > 0) {
                struct addr old_via;
                char old_dev[IFNAME_MAX_LEN + 1];

                store_column_addr(have, 0, want.dst.base.family, &old_via);
                column_string(have, 1, old_dev, sizeof(old_dev));
                if (addr_cmp(&old_via, &want.addr) == 0 && streq(old_dev, want.dev))
                        return store_tx_commit(&tx, err);
                return error_set(err, NETD_ECONFLICT, "%s already exists (via %s%s%s); remove it first", what,
                                 addr_format(&old_via, a, sizeof(a)), old_dev[0] ? " dev " : "", old_dev);
        }

        r = change_begin(s, h.id, 0, &change, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "INSERT INTO routes (host_id, dest_family, dest, dest_len, via, dev)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          &ins, err);
        if (r < 0)
                return r;
        route_bind_key(ins, h.id, &want.dst);
        store_bind_addr(ins, 5, &want.addr);
        bind_text_or_null(ins, 6, want.dev);
        r = store_step(s, ins, err);
        if (r < 0)
                return r;
        r = change_finish(s, &change, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

int route_remove(struct store *s, const char *host, const char *dest, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_change_ struct change change = {};
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        char p[PREFIX_STRLEN];
        struct prefix dst;
        struct host_ref h;
        int r;

        r = route_dest_parse(host, dest, &dst, err);
        if (r < 0)
                return r;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_ref_find(s, host, &h, err);
        if (r < 0)
                return r;
        r = change_begin(s, h.id, 0, &change, err);
        if (r < 0)
                return r;
        r = store_prepare(
                s,
                "DELETE FROM routes WHERE host_id = ?1 AND dest_family = ?2 AND dest = ?3 AND dest_len = ?4",
                &del, err);
        if (r < 0)
                return r;
        route_bind_key(del, h.id, &dst);
        r = store_step(s, del, err);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, NETD_ENOTFOUND, "host %s has no route to %s", host,
                                 prefix_format(&dst, p, sizeof(p)));
        r = change_finish(s, &change, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}
