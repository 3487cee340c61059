/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What db/network.c, db/network-dhcp.c and db/network-set.c share: the
 * checks `network add` and `network set` both make, and the rows of boot
 * settings, DHCP options and reserved ranges. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network.h"
#include "store-private.h"

/* ---- db/network.c ---- */

/* Parse the START-END ranges specs[] (each inside `cidr`) into a new array
 * *ret of *ret_n ranges (NULL when there are none); `what` names them. */
int network_ranges_parse(const char *what, const struct prefix *cidr, const char *const *specs, size_t n,
                         struct range **ret, size_t *ret_n, struct netd_error *err);
/* NETD_EINVALID unless `mtu` suits a network of `family`. */
int network_mtu_check(const char *name, int family, int64_t mtu, struct netd_error *err);
/* Replace the reserved ranges of network `id` with ranges[]. */
int network_reserved_store(struct store *s, int64_t id, const struct range *ranges, size_t n,
                           struct netd_error *err);

/* ---- db/network-dhcp.c ---- */

/* The boot fields of a request, as text (NULL: not given). */
struct network_boot_text {
        const char *file;
        const char *file_efi;
        const char *server;
        const char *tftp_root;
        const char *ipxe_script;
};

/* Parse and check the boot fields given in `t` into *boot, leaving the
 * others as they are (file names, an IPv4 next server, a TFTP root that is
 * an existing directory, an iPXE URL), and set each NAME=VALUE of specs[]
 * in opts[] (one slot per dhcp_option_type: a name already there keeps its
 * place with the new value, a new one goes last; a name given twice is
 * NETD_EINVALID). Boot settings and DHCP options are IPv4 settings for
 * now: giving any on a network of another family is NETD_EINVALID. */
int network_dhcp_parse(const char *name, int family, const struct network_boot_text *t,
                       const char *const *specs, size_t n, struct network_boot *boot,
                       struct dhcp_option opts[DHCP_OPTION_TYPE_MAX], size_t *n_opts, struct netd_error *err);
bool network_boot_is_set(const struct network_boot *b);
/* Store *b as the boot settings of network `id` (none when nothing is set). */
int network_boot_store(struct store *s, int64_t id, const struct network_boot *b, struct netd_error *err);
/* Read the five columns of network_boot (file, file_efi, server, tftp_root,
 * ipxe_script; NULL when the network has no row) from column `col` on. */
void network_boot_from_row(sqlite3_stmt *stmt, int col, struct network_boot *ret);

/* Store opts[] as the DHCP options of network `id`, replacing its own. */
int network_options_store(struct store *s, int64_t id, const struct dhcp_option *opts, size_t n,
                          struct netd_error *err);
/* Load the DHCP options of network `id` into n->dhcp_options. */
int network_options_load(struct store *s, int64_t id, struct network *n, struct netd_error *err);
