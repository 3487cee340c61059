/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The free-address search of a network, by interval arithmetic.
 *
 * The taken addresses of a network — gateway, reserve ranges, DHCP range,
 * held addresses and released ones — are walked once, in address order,
 * over the usable host range; the gaps between them are the never-used
 * free addresses. Nothing walks the address space itself, so an IPv6 /64
 * costs what a /24 costs. Released addresses are reused, oldest release
 * first, only when the never-used ones run out. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "netd/core/addr.h"
#include "network.h"
#include "store.h"

/* An inclusive interval of address values of one network. */
struct pool_span {
        u128 first, last;
};

/* The never-allocatable addresses of `n` (gateway ∪ reserve ranges ∪ DHCP
 * range) clipped to its usable host range, sorted and merged. *ret is NULL
 * when there are none; caller frees. */
int pool_reserved_spans(const struct network *n, struct pool_span **ret, size_t *ret_n,
                        struct netd_error *err);
/* Number of addresses in those spans, each counted once. */
int pool_reserved_count(const struct network *n, u128 *ret, struct netd_error *err);

/* Pick `k` free addresses of network `n` (row id `network_id`) into ret[],
 * lowest never-used first, then released ones oldest first. Call inside a
 * write transaction and hold them by inserting them there. Fewer than `k`
 * free is NETD_EEXHAUSTED, the message starting with `who` (e.g.
 * "cluster big: network lab has 3 free addresses, 7 needed"). */
int pool_take(struct store *s, const struct network *n, int64_t network_id, size_t k, const char *who,
              struct addr *ret, struct netd_error *err);
