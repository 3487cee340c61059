/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4/IPv6 addresses and prefixes as 128-bit integers.
 *
 * An address is its family plus its numeric value (IPv4 in the low 32
 * bits). All range work — usable host ranges, counts, overlap, the free
 * address search — is arithmetic on these values; nothing ever walks an
 * address space. Values are stored in the database as 16-byte big-endian
 * blobs, which order numerically under memcmp(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef unsigned __int128 u128;

#define ADDR_STRLEN 46   /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN 50 /* address + "/128" */
#define U128_DECLEN 40   /* 2^128 has 39 digits */

struct addr {
        int family; /* AF_INET or AF_INET6; 0 = unset */
        u128 value;
};

struct prefix {
        struct addr base; /* host bits are zero */
        unsigned len;
};

/* An inclusive range of addresses of one family. */
struct range {
        struct addr start, end;
};

/* Parse an IPv4 or IPv6 address; NETD_EINVALID on anything else. */
int addr_parse(const char *s, struct addr *ret, struct netd_error *err);
/* Canonical text (RFC 5952 for IPv6) into buf (ADDR_STRLEN bytes). */
const char *addr_format(const struct addr *a, char *buf, size_t size);
int addr_cmp(const struct addr *a, const struct addr *b);
/* Big-endian 16-byte blob form used by the store. */
void addr_to_blob(const struct addr *a, uint8_t ret[16]);
void addr_from_blob(int family, const uint8_t blob[16], struct addr *ret);
/* Width in bits of the family: 32 or 128. */
unsigned addr_bits(int family);

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

/* Parse "START-END" (inclusive); both inside `within` when it is given,
 * start <= end; else NETD_EINVALID naming `what`. */
int range_parse(const char *s, const struct prefix *within, const char *what, struct range *ret,
                struct netd_error *err);
const char *range_format(const struct range *r, char *buf, size_t size);

/* Decimal text of a 128-bit count into buf (U128_DECLEN bytes). */
const char *u128_format(u128 v, char *buf, size_t size);
/* Parse a decimal count; false on junk or overflow. */
bool u128_parse(const char *s, u128 *ret);
