/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capacity arithmetic: totals, reserved unions and fits, on 128-bit
 * counts, never by enumerating addresses. */
#pragma once

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

/* One entry per network (ordered by name), or only `network` if given
 * (NETD_ENOTFOUND when absent). `ret_lab` gets the sums. */
int capacity_report(struct store *s, const char *network, struct capacity **ret, size_t *ret_n,
                    struct capacity *ret_lab, struct netd_error *err);

/* Fill utilization and fits from total/reserved/allocated. */
void capacity_finish(struct capacity *c);
