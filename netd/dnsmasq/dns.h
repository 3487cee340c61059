/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Just enough of the DNS wire format for netd: building the queries that
 * verify dnsmasq serves a change, parsing their answers, and answering
 * A/AAAA queries for the `*.apps` wildcard domains that dnsmasq forwards
 * to netd. Every parser is bounded by the packet length; compression
 * pointers are followed with a hop limit. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "netd/core/addr.h"

#define DNS_TYPE_A 1
#define DNS_TYPE_PTR 12
#define DNS_TYPE_AAAA 28
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_REFUSED 5
#define DNS_MAX_PACKET 512

/* Build a recursive query for `name` (dotted, no trailing dot needed) and
 * `qtype` into buf. Returns the packet length or -EINVAL / -ENOSPC. */
int dns_query_build(uint16_t id, const char *name, uint16_t qtype, uint8_t *buf, size_t size);

struct dns_result {
        uint16_t id;
        int rcode;
        size_t n_addrs; /* A/AAAA answers found (others are skipped) */
        struct addr addrs[8];
        size_t n_names; /* PTR answers found */
        char names[4][256];
};

/* Parse a response. Returns 0 or -EBADMSG for a malformed packet. */
int dns_response_parse(const uint8_t *pkt, size_t len, struct dns_result *ret);

/* Looks up the address served for `name` (lowercase, no trailing dot) of
 * family AF_INET/AF_INET6: 1 = found (*ret set), 0 = name known but no
 * address of that family, -1 = unknown name. */
typedef int (*dns_lookup_fn)(const char *name, int family, struct addr *ret, void *userdata);

/* Answer one query packet. Writes a response into out and returns its
 * length, or -EBADMSG when the packet is not worth answering (then send
 * nothing). Unknown names get NXDOMAIN; other query types NODATA. */
int dns_answer(const uint8_t *query, size_t len, dns_lookup_fn lookup, void *userdata, uint32_t ttl,
               uint8_t *out, size_t size);
