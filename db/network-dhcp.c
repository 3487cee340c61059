/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a network's DHCP hands out besides addresses: boot settings (PXE,
 * UEFI, iPXE, next server, TFTP root) and options by name, checked before
 * they reach SQL, stored and read back. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "network-private.h"

static int dhcp_family_check(const char *name, int family, bool given, struct netd_error *err) {
        if (!given || family == AF_INET)
                return 0;
        return error_set(err, NETD_EINVALID, "network %s is IPv6: DHCP boot and options are IPv4 settings",
                         name);
}

static bool boot_text_given(const struct network_boot_text *t) {
        return t->file || t->file_efi || t->server || t->tftp_root || t->ipxe_script;
}

bool network_boot_is_set(const struct network_boot *b) {
        return b->file[0] || b->file_efi[0] || b->has_server || b->tftp_root[0] || b->ipxe_script[0];
}

/* A directory dnsmasq may serve: an absolute path to an existing directory,
 * not the whole file system. */
static int tftp_root_check(const char *what, const char *dir, struct netd_error *err) {
        struct stat st;
        int r;

        r = validate_path_check(what, dir, err);
        if (r < 0)
                return r;
        if (dir[strspn(dir, "/")] == '\0')
                return error_set(err, NETD_EINVALID, "%s %s would serve the whole file system", what, dir);
        if (stat(dir, &st) < 0)
                return error_set(err, NETD_EINVALID, "%s %s is not an existing directory (%s)", what, dir,
                                 strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return error_set(err, NETD_EINVALID, "%s %s is not a directory", what, dir);
        return 0;
}

static int boot_parse(const char *name, const struct network_boot_text *t, struct network_boot *boot,
                      struct netd_error *err) {
        char what[NAME_MAX_LEN + 32], a[ADDR_STRLEN];
        struct netd_error inner = {};
        int r;

        if (t->file) {
                snprintf(what, sizeof(what), "network %s: boot file", name);
                r = validate_boot_file_check(what, t->file, err);
                if (r < 0)
                        return r;
                strscpy(boot->file, sizeof(boot->file), t->file);
        }
        if (t->file_efi) {
                snprintf(what, sizeof(what), "network %s: UEFI boot file", name);
                r = validate_boot_file_check(what, t->file_efi, err);
                if (r < 0)
                        return r;
                strscpy(boot->file_efi, sizeof(boot->file_efi), t->file_efi);
        }
        if (t->server) {
                struct addr server;

                snprintf(what, sizeof(what), "network %s: boot server", name);
                if (addr_parse(t->server, &server, &inner) < 0)
                        return store_error_wrap(err, &inner, what);
                if (server.family != AF_INET)
                        return error_set(err, NETD_EINVALID, "%s %s is not an IPv4 address", what,
                                         addr_format(&server, a, sizeof(a)));
                boot->has_server = true;
                boot->server = server;
        }
        if (t->tftp_root) {
                snprintf(what, sizeof(what), "network %s: TFTP root", name);
                r = tftp_root_check(what, t->tftp_root, err);
                if (r < 0)
                        return r;
                strscpy(boot->tftp_root, sizeof(boot->tftp_root), t->tftp_root);
        }
        if (t->ipxe_script) {
                snprintf(what, sizeof(what), "network %s: iPXE script", name);
                r = validate_url_check(what, t->ipxe_script, err);
                if (r < 0)
                        return r;
                strscpy(boot->ipxe_script, sizeof(boot->ipxe_script), t->ipxe_script);
        }
        return 0;
}

int network_boot_store(struct store *s, int64_t id, const struct network_boot *b, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_exec_id(s, "DELETE FROM network_boot WHERE network_id = ?", id, err);
        if (r < 0 || !network_boot_is_set(b))
                return r;
        r = store_prepare_int(
                s,
                "INSERT INTO network_boot (network_id, file, file_efi, server, tftp_root, ipxe_script)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                id, &stmt, err);
        if (r < 0)
                return r;
        store_bind_text_or_null(stmt, 2, b->file);
        store_bind_text_or_null(stmt, 3, b->file_efi);
        if (b->has_server)
                store_bind_addr(stmt, 4, &b->server);
        store_bind_text_or_null(stmt, 5, b->tftp_root);
        store_bind_text_or_null(stmt, 6, b->ipxe_script);
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

void network_boot_from_row(sqlite3_stmt *stmt, int col, struct network_boot *ret) {
        *ret = (struct network_boot){};
        store_column_string(stmt, col, ret->file, sizeof(ret->file));
        store_column_string(stmt, col + 1, ret->file_efi, sizeof(ret->file_efi));
        ret->has_server = sqlite3_column_type(stmt, col + 2) != SQLITE_NULL;
        if (ret->has_server)
                store_column_addr(stmt, col + 2, AF_INET, &ret->server);
        store_column_string(stmt, col + 3, ret->tftp_root, sizeof(ret->tftp_root));
        store_column_string(stmt, col + 4, ret->ipxe_script, sizeof(ret->ipxe_script));
}

static int options_set(const char *name, const char *const *specs, size_t n,
                       struct dhcp_option opts[DHCP_OPTION_TYPE_MAX], size_t *n_opts,
                       struct netd_error *err) {
        bool given[DHCP_OPTION_TYPE_MAX] = {};
        char what[NAME_MAX_LEN + 16];

        snprintf(what, sizeof(what), "network %s", name);
        for (size_t i = 0; i < n; i++) {
                struct netd_error inner = {};
                struct dhcp_option o;
                size_t k;

                if (dhcp_option_parse(specs[i], &o, &inner) < 0)
                        return store_error_wrap(err, &inner, what);
                if (given[o.type])
                        return error_set(err, NETD_EINVALID, "network %s: DHCP option %s is given twice",
                                         name, dhcp_option_name(o.type));
                given[o.type] = true;
                for (k = 0; k < *n_opts && opts[k].type != o.type; k++)
                        ;
                if (k == *n_opts) {
                        if (k == DHCP_OPTION_TYPE_MAX)
                                return error_set(err, NETD_EINTERNAL, "network %s: too many DHCP options",
                                                 name);
                        (*n_opts)++;
                }
                opts[k] = o;
        }
        return 0;
}

int network_dhcp_parse(const char *name, int family, const struct network_boot_text *t,
                       const char *const *specs, size_t n, struct network_boot *boot,
                       struct dhcp_option opts[DHCP_OPTION_TYPE_MAX], size_t *n_opts,
                       struct netd_error *err) {
        int r;

        r = dhcp_family_check(name, family, boot_text_given(t) || n > 0, err);
        if (r < 0)
                return r;
        r = boot_parse(name, t, boot, err);
        if (r < 0)
                return r;
        return options_set(name, specs, n, opts, n_opts, err);
}

int network_options_store(struct store *s, int64_t id, const struct dhcp_option *opts, size_t n,
                          struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_exec_id(s, "DELETE FROM network_dhcp_options WHERE network_id = ?", id, err);
        if (r < 0)
                return r;
        r = store_prepare_int(s,
                              "INSERT INTO network_dhcp_options (network_id, name, value, position)"
                              " VALUES (?, ?, ?, ?)",
                              id, &stmt, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(stmt);
                sqlite3_bind_text(stmt, 2, dhcp_option_name(opts[i].type), -1, SQLITE_STATIC);
                sqlite3_bind_text(stmt, 3, opts[i].value, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(stmt, 4, (int64_t)i);
                r = store_step(s, stmt, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int network_options_load(struct store *s, int64_t id, struct network *n, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        size_t cap = 0;
        int r;

        r = store_prepare_int(
                s, "SELECT name, value FROM network_dhcp_options WHERE network_id = ? ORDER BY position", id,
                &stmt, err);
        if (r < 0)
                return r;
        while ((r = store_step(s, stmt, err)) > 0) {
                const char *opt = (const char *)sqlite3_column_text(stmt, 0);
                struct netd_error inner = {};
                enum dhcp_option_type t;

                r = store_grow(&n->dhcp_options, &cap, n->n_dhcp_options, sizeof(*n->dhcp_options), err);
                if (r < 0)
                        return r;
                /* What the store holds was checked on the way in; check again
                 * on the way out to the generated files. */
                if (dhcp_option_type_from_name(opt, &t, &inner) < 0 ||
                    dhcp_option_from_value(t, (const char *)sqlite3_column_text(stmt, 1),
                                           &n->dhcp_options[n->n_dhcp_options], &inner) < 0)
                        return error_set(err, NETD_EINTERNAL, "network %s: DHCP option in the database: %s",
                                         n->name, inner.message);
                n->n_dhcp_options++;
        }
        return r;
}
