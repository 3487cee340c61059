/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts. What is kept on them lives in db/attachment.c, db/link.c and
 * db/route.c; the desired state computed from it in db/desired.c. */
#include <inttypes.h>
#include <sys/socket.h>

#include "desired-private.h"
#include "host.h"
#include "netd/core/bmc.h"

#define PORT_MAX 65535

const char *host_family_to_string(int family) {
        return family == AF_INET6 ? "ipv6" : "ipv4";
}

int host_family_from_string(const char *s) {
        if (streq(s, "ipv4"))
                return AF_INET;
        if (streq(s, "ipv6"))
                return AF_INET6;
        return 0;
}

void host_free(struct host *h) {
        free(h);
}

STORE_DEFINE_LIST_FREE(host)

/* ---- validation ---- */

/* One line of printable ASCII, at most CONNECT_MAX_LEN characters: the
 * connect command goes through /bin/sh -c and the URI to libvirt, where a
 * newline or a control character would start something else. */
static int printable_check(const char *what, const char *s, bool spaces, struct netd_error *err) {
        size_t n = strlen(s);
        char q[128];

        error_quote_untrusted(s, q, sizeof(q));
        if (n == 0)
                return error_set(err, NETD_EINVALID, "%s is empty", what);
        if (n > CONNECT_MAX_LEN)
                return error_set(err, NETD_EINVALID, "%s \"%s\" is too long (%zu characters, at most %d)",
                                 what, q, n, CONNECT_MAX_LEN);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c < 0x20 || c > 0x7e)
                        return error_set(err, NETD_EINVALID,
                                         "%s \"%s\": only printable ASCII characters are allowed"
                                         " (\\x%02x at position %zu)",
                                         what, q, c, i + 1);
                if (!spaces && c == ' ')
                        return error_set(err, NETD_EINVALID, "%s \"%s\" must not contain spaces", what, q);
        }
        return 0;
}

static bool addr_is_multicast(const struct addr *a) {
        if (a->family == AF_INET)
                return (a->value >> 28) == 0xe;
        return (a->value >> 120) == 0xff;
}

/* The VXLAN endpoint: a unicast address of either family. */
static int underlay_parse(const char *what, const char *s, struct addr *ret, struct netd_error *err) {
        struct netd_error inner = {};
        char a[ADDR_STRLEN];

        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        if (addr_parse(s, ret, &inner) < 0)
                return store_error_wrap(err, &inner, what);
        if (ret->value == 0 || addr_is_multicast(ret))
                return error_set(err, NETD_EINVALID, "%s %s is not a unicast address", what,
                                 addr_format(ret, a, sizeof(a)));
        return 0;
}

/* An absolute path or a bare program name of [A-Za-z0-9_./-]: it becomes
 * one word of a shell command, so nothing else may reach it. */
static int agent_check(const char *host, const char *s, struct netd_error *err) {
        char q[128];
        size_t n = strlen(s);

        error_quote_untrusted(s, q, sizeof(q));
        if (n == 0)
                return error_set(err, NETD_EINVALID, "host %s: agent path is empty", host);
        if (n > HOST_AGENT_MAX_LEN)
                return error_set(err, NETD_EINVALID, "host %s: agent path \"%s\" is too long (at most %d)",
                                 host, q, HOST_AGENT_MAX_LEN);
        if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") != n)
                return error_set(err, NETD_EINVALID,
                                 "host %s: agent path \"%s\": only the characters A-Z a-z 0-9 _ . / - are"
                                 " allowed",
                                 host, q);
        if (strstr(s, ".."))
                return error_set(err, NETD_EINVALID, "host %s: agent path \"%s\" must not contain \"..\"",
                                 host, q);
        if (s[0] == '-' || (s[0] != '/' && strchr(s, '/')) || s[n - 1] == '/' || streq(s, "."))
                return error_set(err, NETD_EINVALID,
                                 "host %s: agent path \"%s\" must be an absolute path (/usr/local/bin/netd)"
                                 " or a program name (netd)",
                                 host, q);
        return 0;
}

/* The one place a BMC address is checked, for add and set: HOST:PORT or
 * SCHEME://HOST:PORT (netd/core/bmc.h). */
static int host_bmc_validate(const char *host, const char *bmc, struct netd_error *err) {
        char what[NAME_MAX_LEN + 32];
        struct bmc b;

        snprintf(what, sizeof(what), "host %s: BMC address", host);
        if (strlen(bmc) >= sizeof(((struct host *)NULL)->bmc))
                return error_set(err, NETD_EINVALID, "%s is too long (at most %zu characters)", what,
                                 sizeof(((struct host *)NULL)->bmc) - 1);
        return bmc_parse(what, bmc, &b, err);
}

/* Parse up to one underlay per family into ret[] (family 0 where none is
 * given). */
static int underlays_parse(const char *host, const char *const *l, size_t n,
                           struct addr ret[HOST_UNDERLAY_MAX], struct netd_error *err) {
        char what[NAME_MAX_LEN + 32], a[ADDR_STRLEN];
        int r;

        memset(ret, 0, sizeof(struct addr) * HOST_UNDERLAY_MAX);
        snprintf(what, sizeof(what), "host %s: underlay address", host);
        for (size_t i = 0; i < n; i++) {
                struct addr u;
                size_t k;

                r = underlay_parse(what, l[i], &u, err);
                if (r < 0)
                        return r;
                k = host_underlay_index(u.family);
                if (ret[k].family)
                        return error_set(err, NETD_EINVALID,
                                         "host %s: two %s underlay addresses (%s and %s); at most one per"
                                         " family",
                                         host, host_family_to_string(u.family),
                                         addr_format(&ret[k], what, sizeof(what)),
                                         addr_format(&u, a, sizeof(a)));
                ret[k] = u;
        }
        return 0;
}

/* Fields of `host add` and `host set` (name checked by the caller). */
static int host_fields_check(const char *name, const char *connect, const char *agent, const char *libvirt,
                             const char *bmc, bool none_allowed, struct netd_error *err) {
        char what[NAME_MAX_LEN + 32];
        int r;

        if (connect) {
                snprintf(what, sizeof(what), "host %s: connect command", name);
                r = printable_check(what, connect, true, err);
                if (r < 0)
                        return r;
        }
        if (agent) {
                r = agent_check(name, agent, err);
                if (r < 0)
                        return r;
        }
        if (libvirt && !(none_allowed && streq(libvirt, HOST_NONE))) {
                snprintf(what, sizeof(what), "host %s: libvirt URI", name);
                r = printable_check(what, libvirt, false, err);
                if (r < 0)
                        return r;
        }
        if (bmc && !(none_allowed && streq(bmc, HOST_NONE))) {
                r = host_bmc_validate(name, bmc, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int host_spec_check(const struct host_spec *spec, struct addr ret_underlay[HOST_UNDERLAY_MAX],
                           struct netd_error *err) {
        int r;

        r = validate_name_check("host name", spec->name, err);
        if (r < 0)
                return r;
        if (!spec->connect)
                return error_set(err, NETD_EINVALID,
                                 "host %s: connect command is missing (\"%s\" or a command prefix)",
                                 spec->name, CONNECT_LOCAL);
        r = host_fields_check(spec->name, spec->connect, spec->agent, spec->libvirt, spec->bmc, false, err);
        if (r < 0)
                return r;
        if (spec->n_underlays == 0)
                return error_set(err, NETD_EINVALID, "host %s: underlay address is missing", spec->name);
        return underlays_parse(spec->name, spec->underlays, spec->n_underlays, ret_underlay, err);
}

/* ---- rows ---- */

#define UNDERLAY_COLUMN(family)                                                                              \
        "(SELECT addr FROM host_underlays u WHERE u.host_id = hosts.id AND u.family = " #family ")"

static const char host_columns[] = "SELECT id, name, connect, agent, " UNDERLAY_COLUMN(
        4) ", " UNDERLAY_COLUMN(6) ", libvirt, bmc FROM hosts";

static void underlay_column(sqlite3_stmt *stmt, int col, int family, struct addr *ret) {
        *ret = (struct addr){0};
        if (sqlite3_column_type(stmt, col) != SQLITE_NULL)
                store_column_addr(stmt, col, family, ret);
}

static int host_from_row(sqlite3_stmt *stmt, struct host **ret, struct netd_error *err) {
        struct host *h = calloc(1, sizeof(*h));

        if (!h)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        store_column_string(stmt, 1, h->name, sizeof(h->name));
        store_column_string(stmt, 2, h->connect, sizeof(h->connect));
        store_column_string(stmt, 3, h->agent, sizeof(h->agent));
        underlay_column(stmt, 4, AF_INET, &h->underlay[HOST_UNDERLAY_IPV4]);
        underlay_column(stmt, 5, AF_INET6, &h->underlay[HOST_UNDERLAY_IPV6]);
        store_column_string(stmt, 6, h->libvirt, sizeof(h->libvirt));
        store_column_string(stmt, 7, h->bmc, sizeof(h->bmc));
        *ret = h;
        return 0;
}

int host_find(struct store *s, const char *name, struct host **ret, int64_t *ret_id, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_find_named(s, host_columns, "host", name, &stmt, err);
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_column_int64(stmt, 0);
        return ret ? host_from_row(stmt, ret, err) : 0;
}

const char host_ref_columns[] = "SELECT id, name, " UNDERLAY_COLUMN(4) ", " UNDERLAY_COLUMN(
        6) ", coalesce(libvirt, '') <> '' FROM hosts";

void host_ref_from_row(sqlite3_stmt *stmt, struct host_ref *ret) {
        ret->id = sqlite3_column_int64(stmt, 0);
        store_column_string(stmt, 1, ret->name, sizeof(ret->name));
        underlay_column(stmt, 2, AF_INET, &ret->underlay[HOST_UNDERLAY_IPV4]);
        underlay_column(stmt, 3, AF_INET6, &ret->underlay[HOST_UNDERLAY_IPV6]);
        ret->libvirt = sqlite3_column_int(stmt, 4) != 0;
}

int host_ref_find(struct store *s, const char *name, struct host_ref *ret, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_find_named(s, host_ref_columns, "host", name, &stmt, err);
        if (r < 0)
                return r;
        host_ref_from_row(stmt, ret);
        return 0;
}

/* Run `stmt` once with family ?2 and address ?3 of `u` (when it is set):
 * store_step()'s answer, 0 for an unset one. */
static int underlay_step(struct store *s, sqlite3_stmt *stmt, const struct addr *u, struct netd_error *err) {
        if (!u->family)
                return 0;
        sqlite3_reset(stmt);
        sqlite3_bind_int(stmt, 2, store_family_to_db(u->family));
        store_bind_addr(stmt, 3, u);
        return store_step(s, stmt, err);
}

/* NETD_ECONFLICT for an underlay address of a host other than `id`
 * (0: none): both would receive the same flood traffic. The UNIQUE
 * constraint stands behind this message. */
static int underlays_check_unique(struct store *s, const char *name, int64_t id,
                                  const struct addr underlay[HOST_UNDERLAY_MAX], struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char a[ADDR_STRLEN];
        int r;

        r = store_prepare_int(s,
                              "SELECT h.name FROM host_underlays u JOIN hosts h ON h.id = u.host_id"
                              " WHERE u.host_id <> ?1 AND u.family = ?2 AND u.addr = ?3",
                              id, &stmt, err);
        if (r < 0)
                return r;
        for (size_t k = 0; k < HOST_UNDERLAY_MAX; k++) {
                r = underlay_step(s, stmt, &underlay[k], err);
                if (r < 0)
                        return r;
                if (r > 0)
                        return error_set(err, NETD_ECONFLICT,
                                         "host %s: underlay address %s is already used by host %s", name,
                                         addr_format(&underlay[k], a, sizeof(a)),
                                         sqlite3_column_text(stmt, 0));
        }
        return 0;
}

/* Store the given underlays of host `id`, each replacing its family's. */
static int underlays_store(struct store *s, int64_t id, const struct addr underlay[HOST_UNDERLAY_MAX],
                           struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s,
                              "INSERT INTO host_underlays (host_id, family, addr) VALUES (?, ?, ?)"
                              " ON CONFLICT (host_id, family) DO UPDATE SET addr = excluded.addr",
                              id, &stmt, err);
        if (r < 0)
                return r;
        for (size_t k = 0; k < HOST_UNDERLAY_MAX && r >= 0; k++)
                r = underlay_step(s, stmt, &underlay[k], err);
        return r < 0 ? r : 0;
}

int host_add(struct store *s, const struct host_spec *spec, struct host **ret, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct addr underlay[HOST_UNDERLAY_MAX];
        struct netd_error inner = {};
        int r;

        r = host_spec_check(spec, underlay, err);
        if (r < 0)
                return r;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_find(s, spec->name, NULL, NULL, &inner);
        if (r >= 0)
                return error_set(err, NETD_EEXISTS, "host %s already exists", spec->name);
        if (r != NETD_ENOTFOUND)
                return store_error_wrap(err, &inner, "host");
        r = underlays_check_unique(s, spec->name, 0, underlay, err);
        if (r < 0)
                return r;
        r = store_prepare(s, "INSERT INTO hosts (name, connect, agent, libvirt, bmc) VALUES (?, ?, ?, ?, ?)",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, spec->connect, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, spec->agent ? spec->agent : HOST_AGENT_DEFAULT, -1, SQLITE_TRANSIENT);
        store_bind_text_or_null(stmt, 4, spec->libvirt);
        store_bind_text_or_null(stmt, 5, spec->bmc);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        r = underlays_store(s, sqlite3_last_insert_rowid(s->db), underlay, err);
        if (r < 0)
                return r;
        return host_commit_get(&tx, spec->name, ret, err);
}

STORE_DEFINE_GET(host)

/* ---- set ---- */

struct host_edit {
        const struct host_spec *change;
        struct addr underlay[HOST_UNDERLAY_MAX];
        struct host **ret_before;
};

static int host_set_check(struct store *s, struct garbage_change *c, struct netd_error *err) {
        struct host_edit *e = (struct host_edit *)c->userdata;
        int r;

        r = underlays_check_unique(s, c->host, c->h.id, e->underlay, err);
        if (r < 0)
                return r;
        return e->ret_before ? host_find(s, c->host, e->ret_before, NULL, err) : 0;
}

/* Bind `v` at `idx`: NULL for HOST_NONE, else the value. */
static void bind_or_none(sqlite3_stmt *stmt, int idx, const char *v) {
        if (streq(v, HOST_NONE))
                sqlite3_bind_null(stmt, idx);
        else
                sqlite3_bind_text(stmt, idx, v, -1, SQLITE_TRANSIENT);
}

static int host_set_apply(struct store *s, struct garbage_change *c, struct netd_error *err) {
        const struct host_edit *e = c->userdata;
        const struct host_spec *ch = e->change;
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        /* Every column keeps its value unless given (?N IS NULL). */
        r = store_prepare_int(s,
                              "UPDATE hosts SET connect = coalesce(?2, connect), agent = coalesce(?3, agent),"
                              " libvirt = CASE WHEN ?4 THEN ?5 ELSE libvirt END,"
                              " bmc = CASE WHEN ?6 THEN ?7 ELSE bmc END WHERE id = ?1",
                              c->h.id, &stmt, err);
        if (r < 0)
                return r;
        store_bind_text_or_null(stmt, 2, ch->connect);
        store_bind_text_or_null(stmt, 3, ch->agent);
        sqlite3_bind_int(stmt, 4, ch->libvirt != NULL);
        if (ch->libvirt)
                bind_or_none(stmt, 5, ch->libvirt);
        sqlite3_bind_int(stmt, 6, ch->bmc != NULL);
        if (ch->bmc)
                bind_or_none(stmt, 7, ch->bmc);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        return underlays_store(s, c->h.id, e->underlay, err);
}

int host_set(struct store *s, const struct host_spec *change, struct host **ret_before, struct host **ret,
             struct netd_error *err) {
        struct host_edit e = {.change = change, .ret_before = ret_before};
        struct garbage_change c = {.host = change->name,
                                   .neighbours = true,
                                   .check = host_set_check,
                                   .apply = host_set_apply,
                                   .userdata = &e};
        int r;

        r = validate_name_check("host name", change->name, err);
        if (r < 0)
                return r;
        r = host_fields_check(change->name, change->connect, change->agent, change->libvirt, change->bmc,
                              true, err);
        if (r < 0)
                return r;
        r = underlays_parse(change->name, change->underlays, change->n_underlays, e.underlay, err);
        if (r < 0)
                return r;
        if (ret_before)
                *ret_before = NULL;
        r = garbage_change_run(s, &c, err);
        if (r < 0) {
                if (ret_before) {
                        host_free(*ret_before);
                        *ret_before = NULL;
                }
                return r;
        }
        return ret ? host_get(s, change->name, ret, err) : 0;
}

int host_list(struct store *s, struct host ***ret, size_t *ret_n, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char sql[sizeof(host_columns) + 32];
        struct host **l = NULL;
        size_t n = 0, cap = 0;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        snprintf(sql, sizeof(sql), "%s ORDER BY name", host_columns);
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                r = store_grow(&l, &cap, n, sizeof(*l), err);
                if (r >= 0)
                        r = host_from_row(stmt, &l[n], err);
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0)
                r = store_tx_commit(&tx, err);
        if (r < 0) {
                host_list_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* Describe what keeps host `id` in use into `buf` ("" when nothing). */
static int host_users(struct store *s, int64_t id, char *buf, size_t size, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *counts = NULL;
        char nets[STORE_USERS_LEN];
        int64_t n_nets, n_links, n_routes;
        int r;

        buf[0] = '\0';
        r = store_users(s,
                        "SELECT n.name, count(*) OVER () FROM attachments a JOIN networks n"
                        " ON n.id = a.network_id WHERE a.host_id = ? ORDER BY n.name LIMIT ?",
                        id, "network", nets, sizeof(nets), &n_nets, err);
        if (r < 0)
                return r;
        r = store_prepare_int(s,
                              "SELECT (SELECT count(*) FROM links WHERE host_id = ?1),"
                              " (SELECT count(*) FROM routes WHERE host_id = ?1)",
                              id, &counts, err);
        if (r < 0)
                return r;
        r = store_step(s, counts, err);
        if (r < 0)
                return r;
        n_links = sqlite3_column_int64(counts, 0);
        n_routes = sqlite3_column_int64(counts, 1);

        if (n_nets > 0)
                store_append(buf, size, "attached to %s", nets);
        if (n_links > 0)
                store_append(buf, size, "%s%" PRId64 " link%s", *buf ? ", " : "", n_links,
                             n_links == 1 ? "" : "s");
        if (n_routes > 0)
                store_append(buf, size, "%s%" PRId64 " route%s", *buf ? ", " : "", n_routes,
                             n_routes == 1 ? "" : "s");
        return 0;
}

int host_remove(struct store *s, const char *name, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        char users[256 + STORE_USERS_LEN];
        int64_t id;
        int r;

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_find(s, name, NULL, &id, err);
        if (r < 0)
                return r;
        r = host_users(s, id, users, sizeof(users), err);
        if (r < 0)
                return r;
        if (users[0])
                return error_set(err, NETD_ECONFLICT,
                                 "host %s is in use: %s; detach its networks and remove its links and routes"
                                 " first",
                                 name, users);
        r = store_exec_id(s, "DELETE FROM hosts WHERE id = ?", id, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}
