/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Veth links netd keeps on a host. Every change goes through
 * garbage_change_run() (db/garbage.c). */
#include "desired-private.h"
#include "link.h"

void link_from_row(sqlite3_stmt *stmt, struct fobj *ret) {
        *ret = (struct fobj){.kind = FOBJ_VETH};
        store_column_string(stmt, 0, ret->name, sizeof(ret->name));
        store_column_string(stmt, 1, ret->peer, sizeof(ret->peer));
        store_column_string(stmt, 2, ret->master, sizeof(ret->master));
        store_column_string(stmt, 3, ret->peer_master, sizeof(ret->peer_master));
}

static const char *empty_if_null(const char *s) {
        return s ? s : "";
}

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
        struct fobj have;
        const char *taken;
        int r;

        /* The row named like `want` first: only it can be the same link. */
        r = store_prepare_int(s,
                              "SELECT name, peer, master, peer_master FROM links WHERE host_id = ?1"
                              " AND (name IN (?2, ?3) OR peer IN (?2, ?3)) ORDER BY name <> ?2",
                              h->id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, want->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, want->peer, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r;
        link_from_row(stmt, &have);
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

/* 1 when the same link exists; NETD_EEXISTS or NETD_ECONFLICT when a name
 * of it is taken. */
static int link_add_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct fobj *want = c->userdata;
        char user[NAME_MAX_LEN + 64];
        int r;

        r = link_check_taken(s, &c->h, want, err);
        if (r != 0)
                return r;
        for (int i = 0; i < 2; i++) {
                const char *end = i == 0 ? want->name : want->peer;

                r = desired_ifname_user(s, c->h.id, 0, end, 0, user, sizeof(user), err);
                if (r < 0)
                        return r;
                if (user[0])
                        return error_set(err, NETD_ECONFLICT, "host %s: link %s: %s is already %s", c->host,
                                         want->name, end, user);
        }
        return 0;
}

static int link_add_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct fobj *want = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s,
                              "INSERT INTO links (host_id, kind, name, peer, master, peer_master)"
                              " VALUES (?, 'veth', ?, ?, ?, ?)",
                              c->h.id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, want->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, want->peer, -1, SQLITE_TRANSIENT);
        store_bind_text_or_null(stmt, 4, want->master);
        store_bind_text_or_null(stmt, 5, want->peer_master);
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

int link_add(struct store *s, const char *host, const char *kind, const char *name, const char *peer,
             const char *master, const char *peer_master, struct netd_error *err) {
        struct fobj want;
        struct garbage_change c = {
                .host = host, .check = link_add_check, .apply = link_add_apply, .userdata = &want};
        int r;

        r = link_spec_check(host, kind, name, peer, master, peer_master, &want, err);
        if (r < 0)
                return r;
        return garbage_change_run(s, &c, err);
}

/* NETD_ENOTFOUND unless link `name` (not a peer) is on the host. */
static int link_remove_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const char *name = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, "SELECT name FROM links WHERE host_id = ?1 AND (name = ?2 OR peer = ?2)",
                              c->h.id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        if (r == 0)
                return error_set(err, NETD_ENOTFOUND, "host %s has no link %s", c->host, name);
        if (!streq((const char *)sqlite3_column_text(stmt, 0), name))
                return error_set(err, NETD_ENOTFOUND, "host %s: %s is the peer of link %s; remove %s instead",
                                 c->host, name, sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 0));
        return 0;
}

static int link_remove_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const char *name = c->userdata;
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        int r;

        r = store_prepare_int(s, "DELETE FROM links WHERE host_id = ? AND name = ?", c->h.id, &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(del, 2, name, -1, SQLITE_TRANSIENT);
        r = store_step(s, del, err);
        return r < 0 ? r : 0;
}

int link_remove(struct store *s, const char *host, const char *name, struct netd_error *err) {
        struct garbage_change c = {
                .host = host, .check = link_remove_check, .apply = link_remove_apply, .userdata = name};
        int r;

        r = validate_ifname_check("link name", name, err);
        if (r < 0)
                return r;
        return garbage_change_run(s, &c, err);
}
