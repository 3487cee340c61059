/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Networks: an IPv4 or IPv6 CIDR with its gateway, domain, reserved
 * ranges, optional DHCP dynamic range and fabric attributes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netd/core/addr.h"
#include "netd/core/dhcp-option.h"
#include "netd/core/validate.h"
#include "store.h"

#define DEFAULT_DOMAIN "lab.internal"

/* How DHCP clients of a network boot (seed 004: PXE, then iPXE chain
 * loading). "" = not set. */
struct network_boot {
        char file[VALIDATE_BOOT_FILE_MAX + 1];     /* BIOS PXE clients: option 67 */
        char file_efi[VALIDATE_BOOT_FILE_MAX + 1]; /* client arch 7/9; "" = file */
        bool has_server;
        struct addr server;                     /* next server; unset = the jumphost's own address */
        char tftp_root[VALIDATE_PATH_MAX + 1];  /* served read-only by managed dnsmasq */
        char ipxe_script[VALIDATE_URL_MAX + 1]; /* clients whose user class is iPXE */
};

struct network {
        char name[NAME_MAX_LEN + 1];
        struct prefix cidr;
        struct addr gateway;
        char domain[DOMAIN_MAX_LEN + 1];
        char interface[IFNAME_MAX_LEN + 1]; /* "" = none */
        bool has_vni;
        uint32_t vni;
        char bridge[IFNAME_MAX_LEN + 1]; /* "" = none */
        unsigned mtu;                    /* 0 = none */
        int underlay_family;             /* AF_INET (default) or AF_INET6: the underlays of its VXLAN */
        struct range *reserved;          /* --reserve ranges, as given */
        size_t n_reserved;
        bool has_dhcp_range;
        struct range dhcp_range;
        bool has_boot; /* any field of `boot` set */
        struct network_boot boot;
        struct dhcp_option *dhcp_options; /* --dhcp-option, in the order given; one per name */
        size_t n_dhcp_options;
};

/* What `network add` asks for, as text straight from the request; every
 * field is parsed and validated by network_add(). NULL = not given. */
struct network_spec {
        const char *name;
        const char *cidr;
        const char *gateway;
        const char *domain;
        const char *interface;
        const char **reserve; /* START-END each */
        size_t n_reserve;
        const char *dhcp_range;
        const char *bridge;
        bool has_vni;
        int64_t vni;
        bool has_mtu;
        int64_t mtu;
        const char *underlay_family; /* "ipv4" (default) or "ipv6" */
        /* boot and DHCP options (NULL = not given) */
        const char *boot_file;
        const char *boot_file_efi;
        const char *boot_server;
        const char *tftp_root;
        const char *ipxe_script;
        const char **dhcp_option; /* NAME=VALUE each */
        size_t n_dhcp_option;
};

/* What `network set` changes, as text from the request; NULL / false /
 * 0 = leave as it is. */
struct network_change {
        const char *name;
        const char *mtu;        /* N or "none" */
        const char *dhcp_range; /* START-END or "none" */
        const char **reserve;   /* when has_reserve: the new --reserve ranges (replace the old) */
        size_t n_reserve;
        bool has_reserve;
        const char *boot_file; /* each boot field: set it */
        const char *boot_file_efi;
        const char *boot_server;
        const char *tftp_root;
        const char *ipxe_script;
        bool no_boot;             /* clear every boot field first */
        const char **dhcp_option; /* NAME=VALUE: set (replacing that NAME's value) */
        size_t n_dhcp_option;
        const char **no_dhcp_option; /* NAME: remove */
        size_t n_no_dhcp_option;
};

/* Validate and store a network. NETD_EINVALID for bad input,
 * NETD_EEXISTS for a taken name, NETD_ECONFLICT for an overlapping CIDR.
 * On success *ret (if non-NULL) holds the stored network. */
int network_add(struct store *s, const struct network_spec *spec, struct network **ret,
                struct netd_error *err);
/* Change a network in one transaction, all or nothing. NETD_EINVALID for
 * bad input; NETD_ECONFLICT naming the clusters and addresses when a new
 * reserve or DHCP range covers allocated addresses. *ret_before and *ret
 * (each may be NULL) get the network before and after. */
int network_set(struct store *s, const struct network_change *change, struct network **ret_before,
                struct network **ret, struct netd_error *err);
/* NETD_ENOTFOUND when absent. */
int network_get(struct store *s, const char *name, struct network **ret, struct netd_error *err);
/* All networks ordered by name. */
int network_list(struct store *s, struct network ***ret, size_t *ret_n, struct netd_error *err);
/* NETD_ECONFLICT while any cluster uses it. */
int network_remove(struct store *s, const char *name, struct netd_error *err);

void network_free(struct network *n);
void network_list_free(struct network **l, size_t n);
static inline void network_freep(struct network **n) {
        network_free(*n);
}
#define _cleanup_network_ _cleanup_(network_freep)
