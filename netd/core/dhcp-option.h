/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP options a network may hand out besides address, router of the
 * network, MTU and boot (`--dhcp-option NAME=VALUE`): a fixed set of names,
 * each value checked for its type and kept in one canonical text form.
 * The names are dnsmasq's own option names, so the generators can use them
 * as they are; nothing a user types reaches a generated file unchecked.
 *
 *   ntp-server, dns-server, router, log-server   IPv4 addresses, comma-separated
 *   domain-search                                 domains, comma-separated
 *   classless-static-route                        "DEST/PREFIX via GW", comma-separated
 *   tftp-server                                   one IPv4 address or a domain
 *
 * Canonical value: items joined by "," with no spaces, addresses in
 * canonical form, routes as "DEST/PREFIX via GW". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DHCP_OPTION_NAME_MAX 24
#define DHCP_OPTION_VALUE_MAX 512
#define DHCP_OPTION_ITEMS_MAX 16

enum dhcp_option_type {
        DHCP_OPTION_NTP_SERVER,
        DHCP_OPTION_DNS_SERVER,
        DHCP_OPTION_ROUTER,
        DHCP_OPTION_DOMAIN_SEARCH,
        DHCP_OPTION_CLASSLESS_STATIC_ROUTE,
        DHCP_OPTION_LOG_SERVER,
        DHCP_OPTION_TFTP_SERVER,
        DHCP_OPTION_TYPE_MAX,
};

struct dhcp_option {
        enum dhcp_option_type type;
        char value[DHCP_OPTION_VALUE_MAX + 1]; /* canonical */
};

/* "ntp-server" ... ; NULL for an out-of-range type. */
const char *dhcp_option_name(enum dhcp_option_type t);
/* NETD_EINVALID (listing the known names) for any other name. */
int dhcp_option_type_from_name(const char *name, enum dhcp_option_type *ret, struct netd_error *err);

/* Parse "NAME=VALUE" (as typed after --dhcp-option) into its canonical
 * form; NETD_EINVALID naming the option and what is wrong with the value. */
int dhcp_option_parse(const char *spec, struct dhcp_option *ret, struct netd_error *err);
/* Parse a stored (canonical) value again, e.g. when reading the store. */
int dhcp_option_from_value(enum dhcp_option_type t, const char *value, struct dhcp_option *ret,
                           struct netd_error *err);

/* The value as dnsmasq's dhcp-option= takes it (routes as "DEST/PREFIX,GW"
 * pairs); false when it does not fit in `size`. */
bool dhcp_option_dnsmasq_value(const struct dhcp_option *o, char *buf, size_t size);
