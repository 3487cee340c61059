/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network attachments: a network's bridge on a host. Every change goes
 * through garbage_change_run(), which queues what the hosts concerned no
 * longer need (db/garbage.c). */
#include "attachment.h"
#include "desired-private.h"
#include "host.h"

/* ---- rows ---- */

static const char attachment_columns[] =
        "SELECT a.network_id, n.name, h.name, n.bridge, a.uplink, a.address, a.address_family, a.prefixlen,"
        " n.vni, n.mtu, n.underlay_family FROM attachments a JOIN networks n ON n.id = a.network_id"
        " JOIN hosts h ON h.id = a.host_id";

static void attachment_from_row(sqlite3_stmt *stmt, struct attachment_row *ret) {
        char bridge[IFNAME_MAX_LEN + 1];

        *ret = (struct attachment_row){};
        ret->network_id = sqlite3_column_int64(stmt, 0);
        store_column_string(stmt, 1, ret->a.network, sizeof(ret->a.network));
        store_column_string(stmt, 2, ret->a.host, sizeof(ret->a.host));
        store_column_string(stmt, 3, bridge, sizeof(bridge));
        desired_bridge_name(ret->a.network, bridge, ret->a.bridge);
        store_column_string(stmt, 4, ret->a.uplink, sizeof(ret->a.uplink));
        ret->a.has_address = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
        if (ret->a.has_address) {
                store_column_addr(stmt, 5, store_family_from_db(sqlite3_column_int(stmt, 6)),
                                  &ret->a.address);
                ret->a.prefixlen = (unsigned)sqlite3_column_int(stmt, 7);
        }
        if (sqlite3_column_type(stmt, 8) != SQLITE_NULL) {
                ret->vni = (uint32_t)sqlite3_column_int64(stmt, 8);
                desired_vxlan_name(ret->vni, ret->vxlan);
        }
        ret->mtu = (unsigned)sqlite3_column_int(stmt, 9);
        ret->underlay_family = store_family_from_db(sqlite3_column_int(stmt, 10));
}

int attachment_rows_load(struct store *s, const char *where, int64_t p1, int64_t p2,
                         struct attachment_row **ret, size_t *ret_n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ struct attachment_row *v = NULL;
        char sql[sizeof(attachment_columns) + 128];
        size_t n = 0, cap = 0;
        int r;

        snprintf(sql, sizeof(sql), "%s %s", attachment_columns, where);
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        if (sqlite3_bind_parameter_count(stmt) >= 1)
                sqlite3_bind_int64(stmt, 1, p1);
        if (sqlite3_bind_parameter_count(stmt) >= 2)
                sqlite3_bind_int64(stmt, 2, p2);
        while ((r = store_step(s, stmt, err)) > 0) {
                r = store_grow(&v, &cap, n, sizeof(*v), err);
                if (r < 0)
                        return r;
                attachment_from_row(stmt, &v[n++]);
        }
        if (r < 0)
                return r;
        *ret = v;
        *ret_n = n;
        v = NULL;
        return 0;
}

/* The attachment of network `network` (row id `network_id`) to `h`. */
static int attachment_find(struct store *s, int64_t network_id, const struct host_ref *h, const char *network,
                           struct attachment_row *ret, struct netd_error *err) {
        _cleanup_free_ struct attachment_row *rows = NULL;
        size_t n = 0;
        int r;

        r = attachment_rows_load(s, "WHERE a.network_id = ?1 AND a.host_id = ?2", network_id, h->id, &rows,
                                 &n, err);
        if (r < 0)
                return r;
        if (n == 0)
                return error_set(err, NETD_ENOTFOUND, "network %s is not attached to host %s", network,
                                 h->name);
        *ret = rows[0];
        return 0;
}

/* ---- set and remove ---- */

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

/* What `network attach` asks for, parsed, and the attachment it made. */
struct attachment_edit {
        char what[2 * NAME_MAX_LEN + 32]; /* "network NET on host HOST" */
        const char *uplink;
        bool has_address;
        struct addr address;
        unsigned prefixlen;
        struct attachment_row *ret;
};

/* The host needs an underlay of the family the network's VXLAN runs over. */
static int attachment_family_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        const char *family;
        int r;

        r = store_prepare_int(s, "SELECT underlay_family FROM networks WHERE id = ?", c->network_id, &stmt,
                              err);
        if (r < 0)
                return r;
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r < 0 ? r : error_set(err, NETD_ENOTFOUND, "network %s not found", c->network);
        family = host_family_to_string(store_family_from_db(sqlite3_column_int(stmt, 0)));
        if (c->h.underlay[host_underlay_index(store_family_from_db(sqlite3_column_int(stmt, 0)))].family)
                return 0;
        return error_set(err, NETD_EINVALID,
                         "network %s on host %s: host %s has no %s underlay, and network %s runs its VXLAN"
                         " over %s (netctl host set %s --underlay IP)",
                         c->network, c->host, c->host, family, c->network, family, c->host);
}

/* The names an attachment makes or takes must be free on the host. */
static int attachment_set_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct attachment_edit *e = c->userdata;
        char bridge[IFNAME_MAX_LEN + 1], vxlan[IFNAME_MAX_LEN + 1] = "", user[NAME_MAX_LEN + 64];
        const struct {
                const char *role, *name;
                unsigned flags;
        } names[] = {
                {"bridge", bridge, DESIRED_USER_UPLINKS | DESIRED_USER_LINKS},
                {"VXLAN device", vxlan, DESIRED_USER_UPLINKS | DESIRED_USER_LINKS},
                /* A veth end may well serve as an uplink. */
                {"uplink", e->uplink, DESIRED_USER_UPLINKS},
        };
        int r;

        r = attachment_family_check(s, c, err);
        if (r < 0)
                return r;
        desired_bridge_name(c->net->name, c->net->bridge, bridge);
        if (c->net->has_vni)
                desired_vxlan_name(c->net->vni, vxlan);
        if (e->uplink && (streq(e->uplink, bridge) || streq(e->uplink, vxlan)))
                return error_set(err, NETD_EINVALID, "%s: uplink %s is a device of the network itself",
                                 e->what, e->uplink);
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                if (isempty(names[i].name))
                        continue;
                r = desired_ifname_user(s, c->h.id, c->network_id, names[i].name, names[i].flags, user,
                                        sizeof(user), err);
                if (r < 0)
                        return r;
                if (user[0])
                        return error_set(err, NETD_ECONFLICT, "%s: %s %s is already %s on host %s", e->what,
                                         names[i].role, names[i].name, user, c->h.name);
        }
        return 0;
}

static int attachment_set_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct attachment_edit *e = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(
                s,
                "INSERT INTO attachments (network_id, host_id, uplink, address, address_family,"
                " prefixlen) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (network_id, host_id) DO UPDATE"
                " SET uplink = excluded.uplink, address = excluded.address,"
                " address_family = excluded.address_family, prefixlen = excluded.prefixlen",
                c->network_id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(stmt, 2, c->h.id);
        store_bind_text_or_null(stmt, 3, e->uplink);
        if (e->has_address) {
                store_bind_addr(stmt, 4, &e->address);
                sqlite3_bind_int(stmt, 5, store_family_to_db(e->address.family));
                sqlite3_bind_int(stmt, 6, (int)e->prefixlen);
        }
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        return e->ret ? attachment_find(s, c->network_id, &c->h, c->network, e->ret, err) : 0;
}

int attachment_set(struct store *s, const char *network, const char *host, const char *uplink,
                   const char *address, struct attachment *ret, struct netd_error *err) {
        struct attachment_row row;
        struct attachment_edit e = {
                .uplink = uplink, .has_address = address != NULL, .ret = ret ? &row : NULL};
        struct garbage_change c = {.host = host,
                                   .network = network,
                                   .check = attachment_set_check,
                                   .apply = attachment_set_apply,
                                   .userdata = &e};
        char field[sizeof(e.what) + 16];
        int r;

        r = validate_name_check("network name", network, err);
        if (r < 0)
                return r;
        r = validate_name_check("host name", host, err);
        if (r < 0)
                return r;
        snprintf(e.what, sizeof(e.what), "network %s on host %s", network, host);
        if (uplink) {
                snprintf(field, sizeof(field), "%s: uplink", e.what);
                r = validate_ifname_check(field, uplink, err);
                if (r < 0)
                        return r;
        }
        if (address) {
                snprintf(field, sizeof(field), "%s: address", e.what);
                r = address_parse(field, address, &e.address, &e.prefixlen, err);
                if (r < 0)
                        return r;
        }
        r = garbage_change_run(s, &c, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = row.a;
        return 0;
}

/* The links of the host whose master or peer master is the network's
 * bridge: "link vlv (peer vbm)", "" when none; with `force` they go. */
static int attachment_links(struct store *s, struct garbage_change *c, bool force, char *ret, size_t size,
                            struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char bridge[IFNAME_MAX_LEN + 1];
        size_t n = 0;
        int r;

        ret[0] = '\0';
        desired_bridge_name(c->net->name, c->net->bridge, bridge);
        r = store_prepare_int(
                s,
                force ? "DELETE FROM links WHERE host_id = ?1 AND (master = ?2 OR peer_master = ?2)"
                        " RETURNING name, peer"
                      : "SELECT name, peer FROM links WHERE host_id = ?1"
                        " AND (master = ?2 OR peer_master = ?2) ORDER BY name",
                c->h.id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, bridge, -1, SQLITE_TRANSIENT);
        while ((r = store_step(s, stmt, err)) > 0)
                store_append(ret, size, "%slink %s (peer %s)", n++ ? ", " : "", sqlite3_column_text(stmt, 0),
                             sqlite3_column_text(stmt, 1));
        return r;
}

/* Whether the detach may go on: no link on the bridge unless forced. */
static int attachment_remove_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const bool *force = c->userdata;
        char links[512], bridge[IFNAME_MAX_LEN + 1];
        int r;

        if (*force)
                return 0;
        r = attachment_links(s, c, false, links, sizeof(links), err);
        if (r < 0 || !links[0])
                return r;
        desired_bridge_name(c->net->name, c->net->bridge, bridge);
        return error_set(err, NETD_ECONFLICT,
                         "network %s on host %s: bridge %s carries %s; remove %s first (netctl link remove %s"
                         " NAME), or detach --force removes them too",
                         c->network, c->host, bridge, links, strchr(links, ',') ? "them" : "it", c->host);
}

static int attachment_remove_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const bool *force = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        char links[512];
        int r;

        r = store_prepare_int(s, "DELETE FROM attachments WHERE network_id = ? AND host_id = ?",
                              c->network_id, &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(del, 2, c->h.id);
        r = store_step(s, del, err);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, NETD_ENOTFOUND, "network %s is not attached to host %s", c->network,
                                 c->host);
        return *force ? attachment_links(s, c, true, links, sizeof(links), err) : 0;
}

int attachment_detach(struct store *s, const char *network, const char *host, bool force,
                      struct fobj **ret_removed, size_t *ret_n, struct netd_error *err) {
        struct fobj_vec queued = {};
        struct garbage_change c = {.host = host,
                                   .network = network,
                                   .check = attachment_remove_check,
                                   .apply = attachment_remove_apply,
                                   .userdata = &force,
                                   .queued = ret_removed ? &queued : NULL};
        int r;

        r = garbage_change_run(s, &c, err);
        if (r >= 0 && ret_removed)
                r = fobj_vec_sort(&queued, true, err);
        if (r < 0 || !ret_removed) {
                free(queued.v);
                return r;
        }
        *ret_removed = queued.v;
        *ret_n = queued.n;
        return 0;
}

int attachment_remove(struct store *s, const char *network, const char *host, struct netd_error *err) {
        return attachment_detach(s, network, host, false, NULL, NULL, err);
}

/* ---- get and list ---- */

/* One attachment (`host` given) or those of `network` (NULL: all). */
struct attachment_query {
        const char *network, *host;
        bool one;
        struct attachment_row row;
        struct attachment_row *rows;
        size_t n;
};

static int attachment_read(struct store *s, void *userdata, struct netd_error *err) {
        struct attachment_query *q = userdata;
        _cleanup_network_ struct network *n = NULL;
        int64_t network_id = 0;
        struct host_ref h;
        int r;

        if (q->one || q->network) {
                r = network_find(s, q->network, &n, &network_id, err);
                if (r < 0)
                        return r;
        }
        if (q->one) {
                r = host_ref_find(s, q->host, &h, err);
                if (r < 0)
                        return r;
                return attachment_find(s, network_id, &h, q->network, &q->row, err);
        }
        if (q->network)
                return attachment_rows_load(s, "WHERE a.network_id = ?1 ORDER BY h.name", network_id, 0,
                                            &q->rows, &q->n, err);
        return attachment_rows_load(s, "ORDER BY n.name, h.name", 0, 0, &q->rows, &q->n, err);
}

int attachment_get(struct store *s, const char *network, const char *host, struct attachment *ret,
                   struct netd_error *err) {
        struct attachment_query q = {.network = network, .host = host, .one = true};
        int r;

        r = store_read(s, attachment_read, &q, err);
        if (r < 0)
                return r;
        *ret = q.row.a;
        return 0;
}

int attachment_list(struct store *s, const char *network, struct attachment **ret, size_t *ret_n,
                    struct netd_error *err) {
        struct attachment_query q = {.network = network};
        struct attachment *l = NULL;
        int r;

        r = store_read(s, attachment_read, &q, err);
        if (r >= 0 && q.n > 0) {
                l = calloc(q.n, sizeof(*l));
                if (!l)
                        r = error_set(err, NETD_EINTERNAL, "out of memory");
                for (size_t i = 0; l && i < q.n; i++)
                        l[i] = q.rows[i].a;
        }
        free(q.rows);
        if (r < 0)
                return r;
        *ret = l;
        *ret_n = q.n;
        return 0;
}
