/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Static routes netd keeps on a host. Every change goes through
 * garbage_change_run() (db/garbage.c). */
#include "desired-private.h"
#include "netd/core/prefix.h"
#include "route.h"

void route_from_row(sqlite3_stmt *stmt, struct fobj *ret) {
        int family = store_family_from_db(sqlite3_column_int(stmt, 1));

        *ret = (struct fobj){.kind = FOBJ_ROUTE};
        store_column_addr(stmt, 0, family, &ret->dst.base);
        ret->dst.len = (unsigned)sqlite3_column_int(stmt, 2);
        store_column_addr(stmt, 3, family, &ret->addr);
        store_column_string(stmt, 4, ret->dev, sizeof(ret->dev));
}

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

/* Run `sql` with the route's key as ?1-?4 and, for an insert, its gateway
 * and device as ?5 and ?6. */
static int route_exec(struct store *s, const char *sql, const struct garbage_change *c, bool insert,
                      struct netd_error *err) {
        const struct fobj *want = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        route_bind_key(stmt, c->h.id, &want->dst);
        if (insert) {
                store_bind_addr(stmt, 5, &want->addr);
                store_bind_text_or_null(stmt, 6, want->dev);
        }
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

/* "host HOST: route to DEST" */
static void route_what(const struct garbage_change *c, char *buf, size_t size) {
        const struct fobj *want = c->userdata;
        char p[PREFIX_STRLEN];

        snprintf(buf, size, "host %s: route to %s", c->host, prefix_format(&want->dst, p, sizeof(p)));
}

/* 1 when the same route exists, NETD_ECONFLICT when the destination is
 * routed otherwise. */
static int route_add_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct fobj *want = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *have = NULL;
        char what[NAME_MAX_LEN + PREFIX_STRLEN + 32], a[ADDR_STRLEN], old_dev[IFNAME_MAX_LEN + 1];
        struct addr old_via;
        int r;

        r = store_prepare(s,
                          "SELECT via, dev FROM routes WHERE host_id = ?1 AND dest_family = ?2 AND dest = ?3"
                          " AND dest_len = ?4",
                          &have, err);
        if (r < 0)
                return r;
        route_bind_key(have, c->h.id, &want->dst);
        r = store_step(s, have, err);
        if (r <= 0)
                return r;
        store_column_addr(have, 0, want->dst.base.family, &old_via);
        store_column_string(have, 1, old_dev, sizeof(old_dev));
        if (addr_cmp(&old_via, &want->addr) == 0 && streq(old_dev, want->dev))
                return 1;
        route_what(c, what, sizeof(what));
        return error_set(err, NETD_ECONFLICT, "%s already exists (via %s%s%s); remove it first", what,
                         addr_format(&old_via, a, sizeof(a)), old_dev[0] ? " dev " : "", old_dev);
}

static int route_add_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        return route_exec(s,
                          "INSERT INTO routes (host_id, dest_family, dest, dest_len, via, dev)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          c, true, err);
}

int route_add(struct store *s, const char *host, const char *dest, const char *via, const char *dev,
              struct netd_error *err) {
        struct fobj want = {.kind = FOBJ_ROUTE};
        struct garbage_change c = {
                .host = host, .check = route_add_check, .apply = route_add_apply, .userdata = &want};
        char what[NAME_MAX_LEN + PREFIX_STRLEN + 32], a[ADDR_STRLEN];
        struct netd_error inner = {};
        int r;

        r = route_dest_parse(host, dest, &want.dst, err);
        if (r < 0)
                return r;
        route_what(&c, what, sizeof(what));
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
        return garbage_change_run(s, &c, err);
}

static int route_remove_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct fobj *want = c->userdata;
        char p[PREFIX_STRLEN];
        int r;

        r = route_exec(
                s,
                "DELETE FROM routes WHERE host_id = ?1 AND dest_family = ?2 AND dest = ?3 AND dest_len = ?4",
                c, false, err);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, NETD_ENOTFOUND, "host %s has no route to %s", c->host,
                                 prefix_format(&want->dst, p, sizeof(p)));
        return 0;
}

int route_remove(struct store *s, const char *host, const char *dest, struct netd_error *err) {
        struct fobj want = {.kind = FOBJ_ROUTE};
        struct garbage_change c = {.host = host, .apply = route_remove_apply, .userdata = &want};
        int r;

        r = route_dest_parse(host, dest, &want.dst, err);
        if (r < 0)
                return r;
        return garbage_change_run(s, &c, err);
}
