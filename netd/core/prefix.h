/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IP prefixes (struct prefix, addr.h): parsing, bounds, usable host ranges
 * and counts, all by arithmetic. */
#pragma once

#include "addr.h"

/* Parse "ADDR/LEN". Host bits set is NETD_EINVALID (the message suggests
 * the network address). */
int prefix_parse(const char *s, struct prefix *ret, struct netd_error *err);
const char *prefix_format(const struct prefix *p, char *buf, size_t size);
/* First and last address of the whole prefix. */
u128 prefix_first(const struct prefix *p);
u128 prefix_last(const struct prefix *p);
bool prefix_contains(const struct prefix *p, const struct addr *a);
bool prefix_overlaps(const struct prefix *a, const struct prefix *b);
/* The addresses usable by hosts: IPv4 excludes network and broadcast
 * (a /31 has 2, a /32 has 1); IPv6 excludes the subnet-router anycast
 * address. Returns false when there is none (an IPv6 /128). */
bool prefix_host_range(const struct prefix *p, u128 *ret_first, u128 *ret_last);
/* Number of usable host addresses (0 .. 2^128-1). */
u128 prefix_host_count(const struct prefix *p);
