/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The removal queue (table fabric_garbage) and the change bracket that
 * fills it.
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

#include "desired-private.h"
#include "garbage.h"
#include "netd/core/prefix.h"

/* "addr:" + device + ":" + address, the longest identity. */
#define KEY_LEN (16 + NAME_MAX_LEN + ADDR_STRLEN)

/* ---- identities ---- */

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
static bool fobj_overlaps(const struct fobj *o, const struct fobj_vec *objs) {
        char mine[2][KEY_LEN], theirs[2][KEY_LEN];
        size_t n_mine = fobj_keys(o, mine);

        for (size_t i = 0; i < objs->n; i++) {
                size_t n_theirs = fobj_keys(&objs->v[i], theirs);

                for (size_t a = 0; a < n_mine; a++)
                        for (size_t b = 0; b < n_theirs; b++)
                                if (streq(mine[a], theirs[b]))
                                        return true;
        }
        return false;
}

/* ---- the queue ---- */

static int garbage_queue(struct store *s, int64_t host_id, const struct fobj *o, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ char *json = NULL;
        char label[128];
        int r;

        r = fobj_json_text(o, &json, err);
        if (r < 0)
                return r;
        r = store_prepare_int(s,
                              "INSERT INTO fabric_garbage (host_id, kind, name, json) VALUES (?, ?, ?, ?)"
                              " ON CONFLICT (host_id, json) DO NOTHING",
                              host_id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, fobj_kind_to_string(o->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, fobj_label(o, label, sizeof(label)), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 4, json, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

/* The queue of host `h` in the order it was filled, with the row ids in
 * *ret_ids when asked. */
static int garbage_load(struct store *s, const struct host_ref *h, struct fobj_vec *out, int64_t **ret_ids,
                        struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        size_t cap_ids = 0;
        int r;

        r = store_prepare_int(s, "SELECT id, json FROM fabric_garbage WHERE host_id = ? ORDER BY id", h->id,
                              &stmt, err);
        if (r < 0)
                return r;
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
                        r = store_grow(&ids, &cap_ids, out->n - 1, sizeof(*ids), err);
                        if (r < 0)
                                return r;
                        ids[out->n - 1] = sqlite3_column_int64(stmt, 0);
                }
        }
        if (r < 0)
                return r;
        if (ret_ids)
                *ret_ids = TAKE_PTR(ids);
        return 0;
}

/* Drop from the queue of `h` every object sharing an identity with one of
 * `desired`: the host must keep it, not delete it. */
static int garbage_forget_desired(struct store *s, const struct host_ref *h, const struct fobj_vec *desired,
                                  struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        struct fobj_vec queued = {};
        int r;

        r = garbage_load(s, h, &queued, &ids, err);
        if (r >= 0 && queued.n > 0)
                r = store_prepare(s, "DELETE FROM fabric_garbage WHERE id = ?", &del, err);
        for (size_t i = 0; r >= 0 && i < queued.n; i++) {
                if (!fobj_overlaps(&queued.v[i], desired))
                        continue;
                sqlite3_reset(del);
                sqlite3_bind_int64(del, 1, ids[i]);
                r = store_step(s, del, err);
        }
        free(queued.v);
        return r < 0 ? r : 0;
}

/* Dependents first: flood entries and addresses before their devices,
 * devices before the bridges they are enslaved to. */
static int garbage_load_sorted(struct store *s, const struct host_ref *h, struct fobj_vec *out,
                               struct netd_error *err) {
        int r;

        r = garbage_load(s, h, out, NULL, err);
        if (r < 0)
                return r;
        return fobj_vec_sort(out, true, err);
}

int garbage_list(struct store *s, const char *host, struct fobj **ret, size_t *ret_n,
                 struct netd_error *err) {
        return fobj_vec_read(s, host, garbage_load_sorted, ret, ret_n, err);
}

int garbage_done(struct store *s, const char *host, const struct fobj *o, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
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
        r = store_prepare_int(s, "DELETE FROM fabric_garbage WHERE host_id = ? AND json = ?", h.id, &del,
                              err);
        if (r < 0)
                return r;
        sqlite3_bind_text(del, 2, json, -1, SQLITE_TRANSIENT);
        r = store_step(s, del, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}

/* ---- changes ---- */

/* The hosts whose desired state a change can alter, with that state
 * before the change. */
struct change_hosts {
        struct change_host {
                struct host_ref host;
                struct fobj_vec before;
        } * v;
        size_t n, cap;
};

static void change_hosts_free(struct change_hosts *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->v[i].before.v);
        free(c->v);
}

/* Record host `host_id` and, for a change of an attachment to network
 * `network_id` (0: none), every host attached to it: their flood entries
 * point at each other. */
static int change_begin(struct store *s, int64_t host_id, int64_t network_id, bool neighbours,
                        struct change_hosts *ret, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char sql[1024];
        int r;

        snprintf(sql, sizeof(sql),
                 "%s WHERE id = ?1 OR id IN (SELECT host_id FROM attachments WHERE network_id = ?2)"
                 " OR (?3 AND id IN (SELECT b.host_id FROM attachments a JOIN attachments b"
                 " ON b.network_id = a.network_id WHERE a.host_id = ?1))"
                 " ORDER BY name",
                 host_ref_columns);
        r = store_prepare_int(s, sql, host_id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 2, network_id);
        sqlite3_bind_int(stmt, 3, neighbours);
        while ((r = store_step(s, stmt, err)) > 0) {
                struct change_host *ch;

                r = store_grow(&ret->v, &ret->cap, ret->n, sizeof(*ret->v), err);
                if (r < 0)
                        return r;
                ch = &ret->v[ret->n++];
                *ch = (struct change_host){};
                host_ref_from_row(stmt, &ch->host);
                r = desired_compute(s, &ch->host, &ch->before, err);
                if (r < 0)
                        return r;
        }
        return r;
}

/* Host `id` as it is now (a change may have changed its underlays). */
static int host_ref_reload(struct store *s, int64_t id, struct host_ref *ret, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char sql[512];
        int r;

        snprintf(sql, sizeof(sql), "%s WHERE id = ?", host_ref_columns);
        r = store_prepare_int(s, sql, id, &stmt, err);
        if (r < 0)
                return r;
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        if (r == 0)
                return error_set(err, NETD_EINTERNAL, "host %" PRId64 " vanished during a change", id);
        host_ref_from_row(stmt, ret);
        return 0;
}

/* Queue what each recorded host no longer needs; unqueue what it needs
 * again. A host that lost its libvirt URI can no longer delete its libvirt
 * networks: they are left to libvirt, not queued for ever. */
static int change_finish(struct store *s, const struct change_hosts *c, int64_t host_id,
                         struct fobj_vec *queued, struct netd_error *err) {
        int r = 0;

        for (size_t i = 0; r >= 0 && i < c->n; i++) {
                const struct change_host *ch = &c->v[i];
                struct fobj_vec after = {};
                struct host_ref now;

                r = host_ref_reload(s, ch->host.id, &now, err);
                if (r >= 0)
                        r = desired_compute(s, &now, &after, err);
                for (size_t j = 0; r >= 0 && j < ch->before.n; j++) {
                        const struct fobj *o = &ch->before.v[j];

                        if (fobj_overlaps(o, &after) || (fobj_kind_is_libvirt(o->kind) && !now.libvirt))
                                continue;
                        r = garbage_queue(s, ch->host.id, o, err);
                        if (r >= 0 && queued && ch->host.id == host_id)
                                r = fobj_vec_push(queued, o, err);
                }
                if (r >= 0)
                        r = garbage_forget_desired(s, &now, &after, err);
                free(after.v);
        }
        return r;
}

int garbage_change_run(struct store *s, struct garbage_change *c, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_network_ struct network *net = NULL;
        _cleanup_(change_hosts_free) struct change_hosts hosts = {};
        int r;

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        if (c->network) {
                r = network_find(s, c->network, &net, &c->network_id, err);
                if (r < 0)
                        return r;
                c->net = net;
        }
        r = host_ref_find(s, c->host, &c->h, err);
        if (r < 0)
                return r;
        r = c->check ? c->check(s, c, err) : 0;
        if (r < 0)
                return r;
        if (r == 0) {
                r = change_begin(s, c->h.id, c->network_id, c->neighbours, &hosts, err);
                if (r >= 0)
                        r = c->apply(s, c, err);
                if (r >= 0)
                        r = change_finish(s, &hosts, c->h.id, c->queued, err);
                if (r < 0)
                        return r;
        }
        return store_tx_commit(&tx, err);
}
