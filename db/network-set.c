/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `network set`: a network's MTU, DHCP range, reserved ranges, boot
 * settings and DHCP options changed in one transaction. A range that would
 * take addresses clusters already hold is a conflict naming them. */
#include <inttypes.h>
#include <sys/socket.h>

#include "network-private.h"
#include "netd/core/range.h"

/* How many clusters, and addresses of each, a conflict names. */
#define CONFLICT_CLUSTERS 3
#define CONFLICT_ADDRESSES 3

/* The network as the change leaves it. */
struct network_next {
        unsigned mtu;
        bool has_dhcp_range;
        struct range dhcp_range;
        struct range *reserved; /* when the change has reserve ranges */
        size_t n_reserved;
        struct network_boot boot;
        struct dhcp_option options[DHCP_OPTION_TYPE_MAX];
        size_t n_options;
};

/* "none", or a decimal MTU in the family's bounds. */
static int mtu_parse(const struct network *n, const char *s, unsigned *ret, struct netd_error *err) {
        char q[64];
        size_t len = strspn(s, "0123456789");

        if (streq(s, "none")) {
                *ret = 0;
                return 0;
        }
        /* Six digits are more than any MTU, and never overflow. */
        if (len == 0 || len > 6 || s[len] != '\0')
                return error_set(err, NETD_EINVALID, "network %s: MTU \"%s\" is not a number or \"none\"",
                                 n->name, error_quote_untrusted(s, q, sizeof(q)));
        *ret = (unsigned)strtoul(s, NULL, 10);
        return network_mtu_check(n->name, n->cidr.base.family, (int64_t)*ret, err);
}

static int ranges_parse(const struct network *n, const struct network_change *ch, struct network_next *next,
                        struct netd_error *err) {
        char what[NAME_MAX_LEN + 32];
        int r;

        if (ch->dhcp_range && streq(ch->dhcp_range, "none"))
                next->has_dhcp_range = false;
        else if (ch->dhcp_range) {
                snprintf(what, sizeof(what), "network %s: DHCP range", n->name);
                r = range_parse(ch->dhcp_range, &n->cidr, what, &next->dhcp_range, err);
                if (r < 0)
                        return r;
                next->has_dhcp_range = true;
        }
        if (!ch->has_reserve)
                return 0;
        snprintf(what, sizeof(what), "network %s: reserve range", n->name);
        return network_ranges_parse(what, &n->cidr, ch->reserve, ch->n_reserve, &next->reserved,
                                    &next->n_reserved, err);
}

/* Drop the options --no-dhcp-option names; NETD_EINVALID for a name that
 * is no option or that the same change also sets. */
static int options_remove(const struct network *n, const struct network_change *ch, struct network_next *next,
                          struct netd_error *err) {
        char what[NAME_MAX_LEN + 16];

        snprintf(what, sizeof(what), "network %s", n->name);
        for (size_t i = 0; i < ch->n_no_dhcp_option; i++) {
                struct netd_error inner = {};
                enum dhcp_option_type t;
                size_t k;

                if (dhcp_option_type_from_name(ch->no_dhcp_option[i], &t, &inner) < 0)
                        return store_error_wrap(err, &inner, what);
                for (size_t j = 0; j < ch->n_dhcp_option; j++) {
                        const char *spec = ch->dhcp_option[j], *name = dhcp_option_name(t);

                        if (spec && strncmp(spec, name, strlen(name)) == 0 && spec[strlen(name)] == '=')
                                return error_set(err, NETD_EINVALID,
                                                 "network %s: DHCP option %s is both set and removed",
                                                 n->name, name);
                }
                /* Removing an option that is not set changes nothing. */
                for (k = 0; k < next->n_options && next->options[k].type != t; k++)
                        ;
                if (k == next->n_options)
                        continue;
                memmove(&next->options[k], &next->options[k + 1],
                        (next->n_options - k - 1) * sizeof(next->options[0]));
                next->n_options--;
        }
        return 0;
}

/* Every field of the change parsed and checked against network `n`,
 * into *next (which starts as `n`). */
static int change_parse(const struct network *n, const struct network_change *ch, struct network_next *next,
                        struct netd_error *err) {
        const struct network_boot_text boot = {
                .file = ch->boot_file,
                .file_efi = ch->boot_file_efi,
                .server = ch->boot_server,
                .tftp_root = ch->tftp_root,
                .ipxe_script = ch->ipxe_script,
        };
        int r;

        next->mtu = n->mtu;
        next->has_dhcp_range = n->has_dhcp_range;
        next->dhcp_range = n->dhcp_range;
        next->boot = n->boot;
        if (n->n_dhcp_options > DHCP_OPTION_TYPE_MAX)
                return error_set(err, NETD_EINTERNAL, "network %s: too many DHCP options", n->name);
        for (size_t i = 0; i < n->n_dhcp_options; i++)
                next->options[next->n_options++] = n->dhcp_options[i];

        if (ch->mtu) {
                r = mtu_parse(n, ch->mtu, &next->mtu, err);
                if (r < 0)
                        return r;
        }
        r = ranges_parse(n, ch, next, err);
        if (r < 0)
                return r;
        /* --no-boot first, then what is given; options removed, then set. */
        if (ch->no_boot)
                next->boot = (struct network_boot){};
        r = options_remove(n, ch, next, err);
        if (r < 0)
                return r;
        return network_dhcp_parse(n->name, n->cidr.base.family, &boot, ch->dhcp_option, ch->n_dhcp_option,
                                  &next->boot, next->options, &next->n_options, err);
}

/* One cluster a conflict names, with the first addresses it holds. */
struct holder {
        char name[NAME_MAX_LEN + 1];
        char addrs[CONFLICT_ADDRESSES * (ADDR_STRLEN + 2) + 8];
        size_t n_addrs;
};

/* NETD_ECONFLICT naming the clusters and their addresses when range `rg`
 * of network `n` (row `id`) covers addresses they hold (node addresses or
 * VIPs), e.g. "network lab: 192.0.2.10-192.0.2.20 covers addresses
 * allocated to clusters sno (192.0.2.10), hub (192.0.2.12, 192.0.2.13)". */
static int range_check_free(struct store *s, const struct network *n, int64_t id, const struct range *rg,
                            struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct holder holders[CONFLICT_CLUSTERS] = {};
        size_t n_holders = 0;
        bool more = false;
        char text[CONFLICT_CLUSTERS * sizeof(struct holder) + 16] = "", rtext[2 * ADDR_STRLEN + 2];
        int r;

        r = store_prepare_int(s,
                              "SELECT c.name, a.addr FROM addresses a JOIN clusters c ON c.id = a.cluster_id"
                              " WHERE a.network_id = ? AND a.addr BETWEEN ? AND ? ORDER BY a.addr",
                              id, &stmt, err);
        if (r < 0)
                return r;
        store_bind_addr(stmt, 2, &rg->start);
        store_bind_addr(stmt, 3, &rg->end);
        while ((r = store_step(s, stmt, err)) > 0) {
                const char *cluster = (const char *)sqlite3_column_text(stmt, 0);
                char a[ADDR_STRLEN];
                struct addr addr;
                size_t k;

                for (k = 0; k < n_holders && !streq(holders[k].name, cluster); k++)
                        ;
                if (k == n_holders) {
                        if (n_holders == CONFLICT_CLUSTERS) {
                                more = true;
                                continue;
                        }
                        strscpy(holders[k].name, sizeof(holders[k].name), cluster);
                        n_holders++;
                }
                store_column_addr(stmt, 1, n->cidr.base.family, &addr);
                if (holders[k].n_addrs < CONFLICT_ADDRESSES)
                        store_append(holders[k].addrs, sizeof(holders[k].addrs), "%s%s",
                                     holders[k].n_addrs ? ", " : "", addr_format(&addr, a, sizeof(a)));
                else if (holders[k].n_addrs == CONFLICT_ADDRESSES)
                        store_append(holders[k].addrs, sizeof(holders[k].addrs), ", ...");
                holders[k].n_addrs++;
        }
        if (r < 0)
                return r;
        if (n_holders == 0)
                return 0;
        for (size_t k = 0; k < n_holders; k++)
                store_append(text, sizeof(text), "%s%s (%s)", k ? ", " : "", holders[k].name,
                             holders[k].addrs);
        return error_set(err, NETD_ECONFLICT, "network %s: %s covers addresses allocated to cluster%s %s%s",
                         n->name, range_format(rg, rtext, sizeof(rtext)), n_holders > 1 || more ? "s" : "",
                         text, more ? ", ..." : "");
}

/* The new DHCP range and reserved ranges take no held address. */
static int change_check_free(struct store *s, const struct network *n, int64_t id,
                             const struct network_change *ch, const struct network_next *next,
                             struct netd_error *err) {
        int r;

        if (ch->dhcp_range && next->has_dhcp_range) {
                r = range_check_free(s, n, id, &next->dhcp_range, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; ch->has_reserve && i < next->n_reserved; i++) {
                r = range_check_free(s, n, id, &next->reserved[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int change_write(struct store *s, int64_t id, const struct network_change *ch,
                        const struct network_next *next, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, "UPDATE networks SET mtu = ?2, dhcp_start = ?3, dhcp_end = ?4 WHERE id = ?1",
                              id, &stmt, err);
        if (r < 0)
                return r;
        if (next->mtu)
                sqlite3_bind_int64(stmt, 2, next->mtu);
        if (next->has_dhcp_range) {
                store_bind_addr(stmt, 3, &next->dhcp_range.start);
                store_bind_addr(stmt, 4, &next->dhcp_range.end);
        }
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        r = network_boot_store(s, id, &next->boot, err);
        if (r < 0)
                return r;
        if (ch->has_reserve) {
                r = network_reserved_store(s, id, next->reserved, next->n_reserved, err);
                if (r < 0)
                        return r;
        }
        return network_options_store(s, id, next->options, next->n_options, err);
}

int network_set(struct store *s, const struct network_change *change, struct network **ret_before,
                struct network **ret, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_network_ struct network *before = NULL;
        struct network_next next = {};
        int64_t id;
        int r;

        r = validate_name_check("network name", change->name, err);
        if (r < 0)
                return r;
        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = network_find(s, change->name, &before, &id, err);
        if (r < 0)
                goto out;
        r = change_parse(before, change, &next, err);
        if (r < 0)
                goto out;
        r = change_check_free(s, before, id, change, &next, err);
        if (r < 0)
                goto out;
        r = change_write(s, id, change, &next, err);
        if (r < 0)
                goto out;
        r = network_commit_get(&tx, change->name, ret, err);
        if (r < 0)
                goto out;
        if (ret_before)
                *ret_before = TAKE_PTR(before);
out:
        free(next.reserved);
        return r;
}
