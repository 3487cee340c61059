/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "validate.h"

#define QUOTE_SIZE 128

unsigned addr_bits(int family) {
        switch (family) {
        case AF_INET:
                return 32;
        case AF_INET6:
                return 128;
        default:
                return 0;
        }
}

static u128 be_to_u128(const uint8_t *b, size_t n) {
        u128 v = 0;

        for (size_t i = 0; i < n; i++)
                v = (v << 8) | b[i];
        return v;
}

static void u128_to_be(u128 v, uint8_t *b, size_t n) {
        for (size_t i = n; i > 0; i--) {
                b[i - 1] = (uint8_t)v;
                v >>= 8;
        }
}

int addr_parse(const char *s, struct addr *ret, struct netd_error *err) {
        uint8_t b[16];
        char q[QUOTE_SIZE];

        if (s && inet_pton(AF_INET, s, b) == 1) {
                *ret = (struct addr){.family = AF_INET, .value = be_to_u128(b, 4)};
                return 0;
        }
        if (s && inet_pton(AF_INET6, s, b) == 1) {
                *ret = (struct addr){.family = AF_INET6, .value = be_to_u128(b, 16)};
                return 0;
        }
        return error_set(err, NETD_EINVALID, "\"%s\" is not an IPv4 or IPv6 address",
                         error_quote_untrusted(s, q, sizeof(q)));
}

const char *addr_format(const struct addr *a, char *buf, size_t size) {
        uint8_t b[16];

        if (size == 0)
                return buf;
        buf[0] = '\0';
        switch (a->family) {
        case AF_INET:
                u128_to_be(a->value, b, 4);
                if (!inet_ntop(AF_INET, b, buf, size))
                        buf[0] = '\0';
                break;
        case AF_INET6:
                /* glibc prints ::/96 in the deprecated IPv4-compatible form
                 * (::1:2 as ::0.1.0.2); RFC 5952 wants hexadecimal there. */
                if (a->value >> 32 == 0 && a->value > 0xffff) {
                        snprintf(buf, size, "::%x:%x", (unsigned)(a->value >> 16) & 0xffff,
                                 (unsigned)a->value & 0xffff);
                        break;
                }
                u128_to_be(a->value, b, 16);
                if (!inet_ntop(AF_INET6, b, buf, size))
                        buf[0] = '\0';
                break;
        default:
                break;
        }
        return buf;
}

int addr_cmp(const struct addr *a, const struct addr *b) {
        if (a->family != b->family)
                return a->family < b->family ? -1 : 1;
        if (a->value != b->value)
                return a->value < b->value ? -1 : 1;
        return 0;
}

void addr_to_blob(const struct addr *a, uint8_t ret[16]) {
        u128_to_be(a->value, ret, 16);
}

void addr_from_blob(int family, const uint8_t blob[16], struct addr *ret) {
        *ret = (struct addr){.family = family, .value = be_to_u128(blob, 16)};
}

/* A prefix length: plain decimal digits, no sign, no leading zero. */
