/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BMC addresses: a host's `--bmc` (HOST:PORT or SCHEME://HOST:PORT, the
 * Redfish emulator that serves its VMs, e.g. sushy-tools) and a node's
 * `--bmc-address` URL (`node set`, a bare-metal BMC). The exports turn them
 * into a bmcAddress (metal3's syntax) or into the HOST:PORT and port
 * variables the DCI inventories read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "validate.h"

/* metal3's Redfish schemes. Without "+http"/"+https" metal3 speaks HTTPS;
 * sushy-tools serves plain HTTP unless it is given a certificate. */
enum bmc_scheme {
        BMC_SCHEME_REDFISH_VIRTUALMEDIA, /* the default of HOST:PORT */
        BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTP,
        BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTPS,
        BMC_SCHEME_REDFISH,
        BMC_SCHEME_REDFISH_HTTP,
        BMC_SCHEME_REDFISH_HTTPS,
        BMC_SCHEME_OTHER, /* a URL's scheme netd has no name for (bmc_url_parse only) */
        BMC_SCHEME_MAX,
};

#define BMC_SCHEME_MAX_LEN 32
#define BMC_PATH_MAX 200
/* "redfish-virtualmedia+https://[v6]:65535/redfish/v1/Systems/UUID" fits */
#define BMC_URL_MAX 320

struct bmc {
        enum bmc_scheme scheme;
        char scheme_name[BMC_SCHEME_MAX_LEN + 1]; /* as written, lowercase */
        char host[DOMAIN_MAX_LEN + 1];            /* a name or an address, without brackets */
        bool host_is_ipv6;
        unsigned port;               /* 0: none given (URLs only) */
        char path[BMC_PATH_MAX + 1]; /* "/redfish/v1/Systems/1" or ""; URLs only */
};

/* A host's --bmc: HOST:PORT, [IPV6]:PORT or SCHEME://HOST:PORT with SCHEME
 * one of the six redfish schemes; HOST a domain name or an address; PORT
 * 1-65535; nothing after the port. NETD_EINVALID naming `what`. */
int bmc_parse(const char *what, const char *s, struct bmc *ret, struct netd_error *err);

/* A whole BMC URL (`node set --bmc-address`): SCHEME://HOST[:PORT][/PATH],
 * any RFC 3986 scheme (idrac-virtualmedia, ilo5-redfish, ... are
 * BMC_SCHEME_OTHER), a path of [A-Za-z0-9/._~:@%+=,-] only, at most
 * BMC_URL_MAX characters. NETD_EINVALID naming `what`. */
int bmc_url_parse(const char *what, const char *s, struct bmc *ret, struct netd_error *err);

/* "redfish-virtualmedia", ..., NULL for BMC_SCHEME_OTHER. */
const char *bmc_scheme_to_string(enum bmc_scheme s);

/* Whether the BMC speaks HTTPS (metal3's rule: no "+http" suffix). */
bool bmc_is_https(const struct bmc *b);

/* Whether the scheme mounts virtual media (redfish-virtualmedia*). */
bool bmc_is_virtualmedia(const struct bmc *b);

/* "HOST:PORT", "[IPV6]:PORT", or "HOST" when no port was given. */
int bmc_authority(const struct bmc *b, char *buf, size_t size);

/* The bmcAddress of the VM with `uuid` behind a host's BMC:
 * "SCHEME://HOST:PORT/redfish/v1/Systems/UUID" (sushy-tools names systems by
 * their libvirt UUID). NETD_EINVALID when uuid is not a canonical lowercase
 * UUID or the URL does not fit. */
int bmc_system_url(const struct bmc *b, const char *uuid, char *buf, size_t size, struct netd_error *err);

/* Whether s is a canonical lowercase 8-4-4-4-12 UUID. */
bool bmc_uuid_is_valid(const char *s);
