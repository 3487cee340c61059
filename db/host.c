/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts. What is kept on them lives in db/attachment.c, db/link.c and
 * db/route.c; the desired state computed from it in db/desired.c. */
#include <inttypes.h>
#include <sys/socket.h>

#include "host.h"
#include "store-private.h"

#define PORT_MAX 65535

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

/* 1-65535 in decimal, nothing else. */
static bool port_parse(const char *s, unsigned *ret) {
        unsigned v = 0;
        size_t n = strlen(s);

        if (n == 0 || n > 5)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v < 1 || v > PORT_MAX)
                return false;
        *ret = v;
        return true;
}

static bool is_dotted_digits(const char *s) {
        return s[strspn(s, "0123456789.")] == '\0';
}

/* HOST:PORT with HOST a domain name, an IPv4 address or [IPv6]. */
static int bmc_check(const char *what, const char *s, size_t max, struct netd_error *err) {
        char q[128], hostpart[DOMAIN_MAX_LEN + 1];
        const char *port;
        struct addr a;
        unsigned p;
        size_t len;

        error_quote_untrusted(s, q, sizeof(q));
        if (strlen(s) > max)
                return error_set(err, NETD_EINVALID, "%s \"%s\" is too long (at most %zu characters)", what,
                                 q, max);
        if (s[0] == '[') {
                const char *close = strchr(s, ']');

                if (!close || close[1] != ':')
                        return error_set(err, NETD_EINVALID, "%s \"%s\": expected [IPV6]:PORT", what, q);
                len = (size_t)(close - s - 1);
                if (len == 0 || len >= sizeof(hostpart))
                        return error_set(err, NETD_EINVALID, "%s \"%s\": expected [IPV6]:PORT", what, q);
                memcpy(hostpart, s + 1, len);
                hostpart[len] = '\0';
                if (addr_parse(hostpart, &a, NULL) < 0 || a.family != AF_INET6)
                        return error_set(err, NETD_EINVALID,
                                         "%s \"%s\": the part in brackets is not an IPv6 address", what, q);
                port = close + 2;
        } else {
                const char *colon = strrchr(s, ':');

                if (!colon)
                        return error_set(err, NETD_EINVALID, "%s \"%s\": expected HOST:PORT", what, q);
                len = (size_t)(colon - s);
                if (len == 0 || len >= sizeof(hostpart))
                        return error_set(err, NETD_EINVALID, "%s \"%s\": expected HOST:PORT", what, q);
                memcpy(hostpart, s, len);
                hostpart[len] = '\0';
                if (strchr(hostpart, ':'))
                        return error_set(
                                err, NETD_EINVALID,
                                "%s \"%s\": an IPv6 address goes in brackets, e.g. [2001:db8::1]:623", what,
                                q);
                /* All digits and dots reads as an IPv4 address, never as a name. */
                if (is_dotted_digits(hostpart)) {
                        if (addr_parse(hostpart, &a, NULL) < 0 || a.family != AF_INET)
                                return error_set(err, NETD_EINVALID, "%s \"%s\": %s is not an IPv4 address",
                                                 what, q, hostpart);
                } else if (!validate_domain(hostpart))
                        return error_set(err, NETD_EINVALID,
                                         "%s \"%s\": the host is neither a domain name nor an IP address",
                                         what, q);
                port = colon + 1;
        }
        if (!port_parse(port, &p))
                return error_set(err, NETD_EINVALID, "%s \"%s\": the port must be a number in 1-%d", what, q,
                                 PORT_MAX);
        return 0;
}

static int host_spec_check(const struct host_spec *spec, struct addr *ret_underlay, struct netd_error *err) {
        char what[NAME_MAX_LEN + 32];
        int r;

        r = validate_name_check("host name", spec->name, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "host %s: connect command", spec->name);
        if (!spec->connect)
                return error_set(err, NETD_EINVALID, "%s is missing (\"%s\" or a command prefix)", what,
                                 CONNECT_LOCAL);
        r = printable_check(what, spec->connect, true, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "host %s: underlay address", spec->name);
        r = underlay_parse(what, spec->underlay, ret_underlay, err);
        if (r < 0)
                return r;
        if (spec->libvirt) {
                snprintf(what, sizeof(what), "host %s: libvirt URI", spec->name);
                r = printable_check(what, spec->libvirt, false, err);
                if (r < 0)
                        return r;
        }
        if (spec->bmc) {
                snprintf(what, sizeof(what), "host %s: BMC address", spec->name);
                r = bmc_check(what, spec->bmc, sizeof(((struct host *)NULL)->bmc) - 1, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- rows ---- */

static const char host_columns[] =
        "SELECT id, name, connect, underlay, underlay_family, libvirt, bmc FROM hosts";

static int host_from_row(sqlite3_stmt *stmt, struct host **ret, struct netd_error *err) {
        struct host *h = calloc(1, sizeof(*h));

        if (!h)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        store_column_string(stmt, 1, h->name, sizeof(h->name));
        store_column_string(stmt, 2, h->connect, sizeof(h->connect));
        store_column_addr(stmt, 3, store_family_from_db(sqlite3_column_int(stmt, 4)), &h->underlay);
        store_column_string(stmt, 5, h->libvirt, sizeof(h->libvirt));
        store_column_string(stmt, 6, h->bmc, sizeof(h->bmc));
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

const char host_ref_columns[] =
        "SELECT id, name, underlay, underlay_family, coalesce(libvirt, '') <> '' FROM hosts";

void host_ref_from_row(sqlite3_stmt *stmt, struct host_ref *ret) {
        ret->id = sqlite3_column_int64(stmt, 0);
        store_column_string(stmt, 1, ret->name, sizeof(ret->name));
        store_column_addr(stmt, 2, store_family_from_db(sqlite3_column_int(stmt, 3)), &ret->underlay);
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

/* NETD_EEXISTS for a taken name, NETD_ECONFLICT for an underlay address
 * of another host: both would receive the same flood traffic. */
static int host_check_unique(struct store *s, const char *name, const struct addr *underlay,
                             struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char a[ADDR_STRLEN];
        int r;

        r = store_prepare(s,
                          "SELECT name FROM hosts WHERE name = ?1"
                          " OR (underlay_family = ?2 AND underlay = ?3) ORDER BY name <> ?1",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(stmt, 2, store_family_to_db(underlay->family));
        store_bind_addr(stmt, 3, underlay);
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r;
        if (streq((const char *)sqlite3_column_text(stmt, 0), name))
                return error_set(err, NETD_EEXISTS, "host %s already exists", name);
        return error_set(err, NETD_ECONFLICT, "host %s: underlay address %s is already used by host %s", name,
                         addr_format(underlay, a, sizeof(a)), sqlite3_column_text(stmt, 0));
}

int host_add(struct store *s, const struct host_spec *spec, struct host **ret, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct addr underlay;
        int r;

        r = host_spec_check(spec, &underlay, err);
        if (r < 0)
                return r;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = host_check_unique(s, spec->name, &underlay, err);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "INSERT INTO hosts (name, connect, underlay, underlay_family, libvirt, bmc)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                          &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, spec->connect, -1, SQLITE_TRANSIENT);
        store_bind_addr(stmt, 3, &underlay);
        sqlite3_bind_int(stmt, 4, store_family_to_db(underlay.family));
        store_bind_text_or_null(stmt, 5, spec->libvirt);
        store_bind_text_or_null(stmt, 6, spec->bmc);
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        return host_commit_get(&tx, spec->name, ret, err);
}

STORE_DEFINE_GET(host)

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
