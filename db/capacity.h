/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capacity arithmetic: totals, reserved unions and fits, on 128-bit
 * counts, never by enumerating addresses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netd/core/addr.h"
#include "netd/core/validate.h"
#include "store.h"

/* Addresses a cluster of each default shape needs. */
#define FITS_SNO 1
#define FITS_COMPACT 5
#define FITS_MNO 7

struct capacity {
        char name[NAME_MAX_LEN + 1];
        struct prefix cidr;
        u128 total;     /* usable host addresses */
        u128 reserved;  /* gateway ∪ reserve ranges ∪ dhcp range, within total */
        u128 allocated; /* held by clusters */
        u128 free;      /* total - reserved - allocated */
        u128 clusters;
        double utilization; /* allocated / (total - reserved), 0 if that is 0 */
        u128 fits_sno, fits_compact, fits_mno;
};

struct capacity_fits {
        u128 sno, compact, mno;
};

/* One entry per network (ordered by name), or one per network named in
 * `networks` (in that order; NETD_ENOTFOUND for an unknown one). `ret_lab`
 * gets the sums. */
int capacity_report(struct store *s, const char *const *networks, size_t n_networks, struct capacity **ret,
                    size_t *ret_n, struct capacity *ret_lab, struct netd_error *err);
/* When `caps` is one IPv4 and one IPv6 network: the dual-stack clusters of
 * each shape they still hold together (the fewer of the two), and true. */
bool capacity_dual_stack(const struct capacity *caps, size_t n, struct capacity_fits *ret);

/* Fill utilization and fits from total/reserved/allocated. */
void capacity_finish(struct capacity *c);
