/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Networks: an IPv4 or IPv6 CIDR with its gateway, domain, reserved
 * ranges, optional DHCP dynamic range and fabric attributes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netd/core/addr.h"
#include "netd/core/validate.h"
#include "store.h"

#define DEFAULT_DOMAIN "lab.internal"

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
        struct range *reserved;          /* --reserve ranges, as given */
        size_t n_reserved;
        bool has_dhcp_range;
        struct range dhcp_range;
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
};

/* Validate and store a network. NETD_EINVALID for bad input,
 * NETD_EEXISTS for a taken name, NETD_ECONFLICT for an overlapping CIDR.
 * On success *ret (if non-NULL) holds the stored network. */
int network_add(struct store *s, const struct network_spec *spec, struct network **ret,
                struct netd_error *err);
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
