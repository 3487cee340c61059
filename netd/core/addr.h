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
