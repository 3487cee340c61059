/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <sys/socket.h>

#include "network-private.h"
#include "netd/core/range.h"
#include "netd/core/prefix.h"

#define VNI_MAX 16777215
#define MTU_MIN 68
#define MTU_MIN_IPV6 1280
#define MTU_MAX 65535

void network_free(struct network *n) {
        if (!n)
                return;
        free(n->reserved);
        free(n->dhcp_options);
        free(n);
}

STORE_DEFINE_LIST_FREE(network)

static const char network_columns[] =
        "SELECT n.id, n.name, n.family, n.prefix, n.prefix_len, n.gateway, n.domain, n.interface,"
        " n.vni, n.bridge, n.mtu, n.dhcp_start, n.dhcp_end,"
        " b.file, b.file_efi, b.server, b.tftp_root, b.ipxe_script, n.underlay_family"
        " FROM networks n LEFT JOIN network_boot b ON b.network_id = n.id";
/* The column of network_columns where the boot settings start. */
#define COLUMN_BOOT 13

static int reserved_load(struct store *s, int64_t id, struct network *n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int family = n->cidr.base.family;
        size_t cap = 0;
        int r;

        r = store_prepare_int(
                s, "SELECT start_addr, end_addr FROM reserved_ranges WHERE network_id = ? ORDER BY seq", id,
                &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                r = store_grow(&n->reserved, &cap, n->n_reserved, sizeof(*n->reserved), err);
                if (r < 0)
                        return r;
                store_column_addr(stmt, 0, family, &n->reserved[n->n_reserved].start);
                store_column_addr(stmt, 1, family, &n->reserved[n->n_reserved].end);
                n->n_reserved++;
        }
        return r;
}

/* One row of network_columns, with its reserve ranges and DHCP options. */
static int network_from_row(struct store *s, sqlite3_stmt *stmt, struct network **ret, int64_t *ret_id,
                            struct netd_error *err) {
        _cleanup_network_ struct network *n = NULL;
        int64_t id = sqlite3_column_int64(stmt, 0);
        int family = store_family_from_db(sqlite3_column_int(stmt, 2));
        int r;

        n = calloc(1, sizeof(*n));
        if (!n)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        store_column_string(stmt, 1, n->name, sizeof(n->name));
        store_column_addr(stmt, 3, family, &n->cidr.base);
        n->cidr.len = (unsigned)sqlite3_column_int(stmt, 4);
        store_column_addr(stmt, 5, family, &n->gateway);
        store_column_string(stmt, 6, n->domain, sizeof(n->domain));
        store_column_string(stmt, 7, n->interface, sizeof(n->interface));
        n->has_vni = sqlite3_column_type(stmt, 8) != SQLITE_NULL;
        n->vni = (uint32_t)sqlite3_column_int64(stmt, 8);
        store_column_string(stmt, 9, n->bridge, sizeof(n->bridge));
        n->mtu = (unsigned)sqlite3_column_int(stmt, 10);
        n->underlay_family = store_family_from_db(sqlite3_column_int(stmt, COLUMN_BOOT + 5));
        n->has_dhcp_range = sqlite3_column_type(stmt, 11) != SQLITE_NULL;
        if (n->has_dhcp_range) {
                store_column_addr(stmt, 11, family, &n->dhcp_range.start);
                store_column_addr(stmt, 12, family, &n->dhcp_range.end);
        }
        network_boot_from_row(stmt, COLUMN_BOOT, &n->boot);
        n->has_boot = network_boot_is_set(&n->boot);
        r = reserved_load(s, id, n, err);
        if (r < 0)
                return r;
        r = network_options_load(s, id, n, err);
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = id;
        *ret = TAKE_PTR(n);
        return 0;
}

int network_find(struct store *s, const char *name, struct network **ret, int64_t *ret_id,
                 struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_find_named(s, network_columns, "network", name, &stmt, err);
        if (r < 0)
                return r;
        return network_from_row(s, stmt, ret, ret_id, err);
}

int network_find_all(struct store *s, struct network ***ret, int64_t **ret_ids, size_t *ret_n,
                     struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        struct network **l = NULL;
        char sql[sizeof(network_columns) + 32];
        size_t n = 0, cap = 0, cap_ids = 0;
        int r;

        snprintf(sql, sizeof(sql), "%s ORDER BY name", network_columns);
        r = store_prepare(s, sql, &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                r = store_grow(&l, &cap, n, sizeof(*l), err);
                if (r >= 0)
                        r = store_grow(&ids, &cap_ids, n, sizeof(*ids), err);
                if (r >= 0)
                        r = network_from_row(s, stmt, &l[n], &ids[n], err);
                if (r < 0)
                        break;
                n++;
        }
        if (r < 0) {
                network_list_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        if (ret_ids)
                *ret_ids = TAKE_PTR(ids);
        return 0;
}

STORE_DEFINE_GET(network)

int network_list(struct store *s, struct network ***ret, size_t *ret_n, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        struct network **l;
        size_t n;
        int r;

        r = store_tx_begin(s, false, &tx, err);
        if (r < 0)
                return r;
        r = network_find_all(s, &l, NULL, &n, err);
        if (r < 0)
                return r;
        r = store_tx_commit(&tx, err);
        if (r < 0) {
                network_list_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* A network_spec parsed and validated; the text fields point into the spec. */
struct network_input {
        struct prefix cidr;
        struct addr gateway; /* family 0: the prefix has no usable address */
        const char *domain;
        struct range *reserved;
        size_t n_reserved;
        bool has_dhcp_range;
        struct range dhcp_range;
        struct network_boot boot;
        struct dhcp_option options[DHCP_OPTION_TYPE_MAX];
        size_t n_options;
};

int network_ranges_parse(const char *what, const struct prefix *cidr, const char *const *specs, size_t n,
                         struct range **ret, size_t *ret_n, struct netd_error *err) {
        _cleanup_free_ struct range *l = NULL;
        int r;

        if (n > 0) {
                l = calloc(n, sizeof(*l));
                if (!l)
                        return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                r = range_parse(specs[i], cidr, what, &l[i], err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

int network_mtu_check(const char *name, int family, int64_t mtu, struct netd_error *err) {
        int64_t min = family == AF_INET6 ? MTU_MIN_IPV6 : MTU_MIN;

        if (mtu < min || mtu > MTU_MAX)
                return error_set(err, NETD_EINVALID, "network %s: MTU %" PRId64 " is not in %" PRId64 "-%d",
                                 name, mtu, min, MTU_MAX);
        return 0;
}

/* Boot settings and DHCP options. */
static int network_input_dhcp(const struct network_spec *spec, struct network_input *in,
                              struct netd_error *err) {
        const struct network_boot_text boot = {
                .file = spec->boot_file,
                .file_efi = spec->boot_file_efi,
                .server = spec->boot_server,
                .tftp_root = spec->tftp_root,
                .ipxe_script = spec->ipxe_script,
        };

        return network_dhcp_parse(spec->name, in->cidr.base.family, &boot, spec->dhcp_option,
                                  spec->n_dhcp_option, &in->boot, in->options, &in->n_options, err);
}

static int network_input_parse(const struct network_spec *spec, struct network_input *in,
                               struct netd_error *err) {
        char what[NAME_MAX_LEN + 64], p[PREFIX_STRLEN], a[ADDR_STRLEN];
        const char *name = spec->name;
        struct netd_error inner = {};
        u128 lo, hi;
        int r;

        r = validate_name_check("network name", name, err);
        if (r < 0)
                return r;
        if (!spec->cidr)
                return error_set(err, NETD_EINVALID, "network %s: a CIDR is required", name);
        snprintf(what, sizeof(what), "network %s", name);
        if (prefix_parse(spec->cidr, &in->cidr, &inner) < 0)
                return store_error_wrap(err, &inner, what);
        prefix_format(&in->cidr, p, sizeof(p));

        if (spec->gateway) {
                if (addr_parse(spec->gateway, &in->gateway, &inner) < 0) {
                        snprintf(what, sizeof(what), "network %s: gateway", name);
                        return store_error_wrap(err, &inner, what);
                }
                if (!prefix_host_range(&in->cidr, &lo, &hi) || in->gateway.family != in->cidr.base.family ||
                    in->gateway.value < lo || in->gateway.value > hi)
                        return error_set(err, NETD_EINVALID,
                                         "network %s: gateway %s is not a usable host address of %s", name,
                                         addr_format(&in->gateway, a, sizeof(a)), p);
        } else if (prefix_host_range(&in->cidr, &lo, &hi))
                in->gateway = (struct addr){.family = in->cidr.base.family, .value = lo};

        in->domain = spec->domain ? spec->domain : DEFAULT_DOMAIN;
        snprintf(what, sizeof(what), "network %s: domain", name);
        r = validate_domain_check(what, in->domain, err);
        if (r < 0)
                return r;
        if (spec->interface) {
                snprintf(what, sizeof(what), "network %s: interface", name);
                r = validate_ifname_check(what, spec->interface, err);
                if (r < 0)
                        return r;
        }
        if (spec->bridge) {
                snprintf(what, sizeof(what), "network %s: bridge", name);
                r = validate_ifname_check(what, spec->bridge, err);
                if (r < 0)
                        return r;
        }

        snprintf(what, sizeof(what), "network %s: reserve range", name);
        r = network_ranges_parse(what, &in->cidr, spec->reserve, spec->n_reserve, &in->reserved,
                                 &in->n_reserved, err);
        if (r < 0)
                return r;
        if (spec->dhcp_range) {
                snprintf(what, sizeof(what), "network %s: DHCP range", name);
                r = range_parse(spec->dhcp_range, &in->cidr, what, &in->dhcp_range, err);
                if (r < 0)
                        return r;
                in->has_dhcp_range = true;
        }

        if (spec->has_vni && (spec->vni < 1 || spec->vni > VNI_MAX))
                return error_set(err, NETD_EINVALID, "network %s: VNI %" PRId64 " is not in 1-%d", name,
                                 spec->vni, VNI_MAX);
        if (spec->has_mtu) {
                r = network_mtu_check(name, in->cidr.base.family, spec->mtu, err);
                if (r < 0)
                        return r;
        }
        if (spec->underlay_family && !streq(spec->underlay_family, "ipv4") &&
            !streq(spec->underlay_family, "ipv6"))
                return error_set(err, NETD_EINVALID, "network %s: underlay family \"%s\" is not ipv4 or ipv6",
                                 name, error_quote_untrusted(spec->underlay_family, a, sizeof(a)));
        return network_input_dhcp(spec, in, err);
}

/* NETD_EEXISTS for a taken name, NETD_ECONFLICT for an overlapping CIDR. */
static int network_check_unique(struct store *s, const char *name, const struct prefix *cidr,
                                struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        char p[PREFIX_STRLEN], q[PREFIX_STRLEN];
        int r;

        r = store_prepare(s, "SELECT name, family, prefix, prefix_len FROM networks", &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                const char *other = (const char *)sqlite3_column_text(stmt, 0);
                struct prefix o;

                if (streq(other, name))
                        return error_set(err, NETD_EEXISTS, "network %s already exists", name);
                store_column_addr(stmt, 2, store_family_from_db(sqlite3_column_int(stmt, 1)), &o.base);
                o.len = (unsigned)sqlite3_column_int(stmt, 3);
                if (prefix_overlaps(cidr, &o))
                        return error_set(err, NETD_ECONFLICT, "network %s: %s overlaps network %s (%s)", name,
                                         prefix_format(cidr, p, sizeof(p)), other,
                                         prefix_format(&o, q, sizeof(q)));
        }
        return r;
}

/* The VXLAN device is named after the VNI, so one VNI serves one network. */
static int network_check_vni(struct store *s, const char *name, int64_t vni, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, "SELECT name FROM networks WHERE vni = ?", vni, &stmt, err);
        if (r < 0)
                return r;
        r = store_step(s, stmt, err);
        if (r <= 0)
                return r;
        return error_set(err, NETD_ECONFLICT, "network %s: VNI %" PRId64 " is already used by network %s",
                         name, vni, sqlite3_column_text(stmt, 0));
}

int network_reserved_store(struct store *s, int64_t id, const struct range *ranges, size_t n,
                           struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_exec_id(s, "DELETE FROM reserved_ranges WHERE network_id = ?", id, err);
        if (r < 0)
                return r;
        r = store_prepare_int(
                s, "INSERT INTO reserved_ranges (network_id, seq, start_addr, end_addr) VALUES (?, ?, ?, ?)",
                id, &stmt, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(stmt);
                sqlite3_bind_int64(stmt, 2, (int64_t)i);
                store_bind_addr(stmt, 3, &ranges[i].start);
                store_bind_addr(stmt, 4, &ranges[i].end);
                r = store_step(s, stmt, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int network_insert(struct store *s, const struct network_spec *spec, const struct network_input *in,
                          struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int64_t id;
        int r;

        r = store_prepare(
                s,
                "INSERT INTO networks (name, family, prefix, prefix_len, gateway, domain, interface,"
                " vni, bridge, mtu, dhcp_start, dhcp_end, underlay_family)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_int(stmt, 13, spec->underlay_family && streq(spec->underlay_family, "ipv6") ? 6 : 4);
        sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(stmt, 2, store_family_to_db(in->cidr.base.family));
        store_bind_addr(stmt, 3, &in->cidr.base);
        sqlite3_bind_int(stmt, 4, (int)in->cidr.len);
        if (in->gateway.family)
                store_bind_addr(stmt, 5, &in->gateway);
        sqlite3_bind_text(stmt, 6, in->domain, -1, SQLITE_TRANSIENT);
        store_bind_text_or_null(stmt, 7, spec->interface);
        if (spec->has_vni)
                sqlite3_bind_int64(stmt, 8, spec->vni);
        store_bind_text_or_null(stmt, 9, spec->bridge);
        if (spec->has_mtu)
                sqlite3_bind_int64(stmt, 10, spec->mtu);
        if (in->has_dhcp_range) {
                store_bind_addr(stmt, 11, &in->dhcp_range.start);
                store_bind_addr(stmt, 12, &in->dhcp_range.end);
        }
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(s->db);
        r = network_reserved_store(s, id, in->reserved, in->n_reserved, err);
        if (r < 0)
                return r;
        r = network_boot_store(s, id, &in->boot, err);
        if (r < 0)
                return r;
        return network_options_store(s, id, in->options, in->n_options, err);
}

int network_add(struct store *s, const struct network_spec *spec, struct network **ret,
                struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        struct network_input in = {};
        int r;

        r = network_input_parse(spec, &in, err);
        if (r < 0)
                goto out;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                goto out;
        r = network_check_unique(s, spec->name, &in.cidr, err);
        if (r < 0)
                goto out;
        if (spec->has_vni) {
                r = network_check_vni(s, spec->name, spec->vni, err);
                if (r < 0)
                        goto out;
        }
        r = network_insert(s, spec, &in, err);
        if (r < 0)
                goto out;
        r = network_commit_get(&tx, spec->name, ret, err);
out:
        free(in.reserved);
        return r;
}

int network_remove(struct store *s, const char *name, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_network_ struct network *n = NULL;
        char users[STORE_USERS_LEN];
        int64_t id, n_users;
        int r;

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = network_find(s, name, &n, &id, err);
        if (r < 0)
                return r;

        r = store_users(s,
                        "SELECT c.name, count(*) OVER () FROM cluster_networks cn JOIN clusters c ON c.id = "
                        "cn.cluster_id"
                        " WHERE cn.network_id = ? ORDER BY c.name LIMIT ?",
                        id, "cluster", users, sizeof(users), &n_users, err);
        if (r < 0)
                return r;
        if (n_users > 0)
                return error_set(err, NETD_ECONFLICT, "network %s is used by %s; release %s first", name,
                                 users, n_users == 1 ? "it" : "them");

        /* Hosts it is attached to hold its bridges: detach first. */
        r = store_users(s,
                        "SELECT h.name, count(*) OVER () FROM attachments a JOIN hosts h ON h.id = a.host_id"
                        " WHERE a.network_id = ? ORDER BY h.name LIMIT ?",
                        id, "host", users, sizeof(users), &n_users, err);
        if (r < 0)
                return r;
        if (n_users > 0)
                return error_set(err, NETD_ECONFLICT, "network %s is attached to %s; detach it first", name,
                                 users);

        r = store_exec_id(s, "DELETE FROM networks WHERE id = ?", id, err);
        if (r < 0)
                return r;
        return store_tx_commit(&tx, err);
}
