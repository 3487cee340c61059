/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "validate.h"

#define U128_MAX (~(u128)0)
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

/* Mask of the host part of a prefix of length `len` in a `bits`-wide
 * family; a shift by 128 would be undefined, hence the explicit cases. */
static u128 host_mask(unsigned bits, unsigned len) {
        unsigned h = bits - len;

        if (h == 0)
                return 0;
        if (h >= 128)
                return U128_MAX;
        return ((u128)1 << h) - 1;
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
                         quote_untrusted(s, q, sizeof(q)));
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
static bool parse_len(const char *s, unsigned max, unsigned *ret) {
        unsigned v = 0;

        if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 3)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return false;
                v = v * 10 + (unsigned)(*s - '0');
        }
        if (v > max)
                return false;
        *ret = v;
        return true;
}

int prefix_parse(const char *s, struct prefix *ret, struct netd_error *err) {
        char q[QUOTE_SIZE], host[ADDR_STRLEN], net[PREFIX_STRLEN];
        const char *slash = s ? strchr(s, '/') : NULL;
        struct prefix p = {};
        unsigned bits;

        if (!slash || (size_t)(slash - s) >= sizeof(host))
                return error_set(err, NETD_EINVALID, "\"%s\" is not a prefix (ADDRESS/LENGTH)",
                                 quote_untrusted(s, q, sizeof(q)));
        memcpy(host, s, (size_t)(slash - s));
        host[slash - s] = '\0';
        if (addr_parse(host, &p.base, NULL) < 0)
                return error_set(err, NETD_EINVALID, "\"%s\" is not a prefix (ADDRESS/LENGTH)",
                                 quote_untrusted(s, q, sizeof(q)));
        bits = addr_bits(p.base.family);
        if (!parse_len(slash + 1, bits, &p.len))
                return error_set(err, NETD_EINVALID, "prefix \"%s\": the length must be 0-%u",
                                 quote_untrusted(s, q, sizeof(q)), bits);
        if (p.base.value & host_mask(bits, p.len)) {
                p.base.value &= ~host_mask(bits, p.len);
                return error_set(err, NETD_EINVALID, "prefix \"%s\" has host bits set; did you mean %s?",
                                 quote_untrusted(s, q, sizeof(q)), prefix_format(&p, net, sizeof(net)));
        }
        *ret = p;
        return 0;
}

const char *prefix_format(const struct prefix *p, char *buf, size_t size) {
        char a[ADDR_STRLEN];

        snprintf(buf, size, "%s/%u", addr_format(&p->base, a, sizeof(a)), p->len);
        return buf;
}

u128 prefix_first(const struct prefix *p) {
        return p->base.value;
}

u128 prefix_last(const struct prefix *p) {
        return p->base.value | host_mask(addr_bits(p->base.family), p->len);
}

bool prefix_contains(const struct prefix *p, const struct addr *a) {
        return a->family == p->base.family && a->value >= prefix_first(p) && a->value <= prefix_last(p);
}

bool prefix_overlaps(const struct prefix *a, const struct prefix *b) {
        return a->base.family == b->base.family && prefix_first(a) <= prefix_last(b) &&
               prefix_first(b) <= prefix_last(a);
}

bool prefix_host_range(const struct prefix *p, u128 *ret_first, u128 *ret_last) {
        u128 first = prefix_first(p), last = prefix_last(p);

        if (p->base.family == AF_INET) {
                /* RFC 3021 point-to-point /31 and host /32 have no network or
                 * broadcast address to exclude. */
                if (p->len < 31) {
                        first++;
                        last--;
                }
        } else {
                if (p->len == 128)
                        return false;
                first++;
        }
        *ret_first = first;
        *ret_last = last;
        return true;
}

u128 prefix_host_count(const struct prefix *p) {
        u128 first, last;

        if (!prefix_host_range(p, &first, &last))
                return 0;
        /* Cannot overflow: the IPv6 range always drops its first address. */
        return last - first + 1;
}

int range_parse(const char *s, const struct prefix *within, const char *what, struct range *ret,
                struct netd_error *err) {
        char q[QUOTE_SIZE], part[ADDR_STRLEN], w[PREFIX_STRLEN];
        const char *dash = s ? strchr(s, '-') : NULL;
        struct range r;

        if (!what)
                what = "range";
        if (!dash || (size_t)(dash - s) >= sizeof(part) || strlen(dash + 1) >= sizeof(part))
                return error_set(err, NETD_EINVALID, "%s \"%s\": expected START-END", what,
                                 quote_untrusted(s, q, sizeof(q)));
        memcpy(part, s, (size_t)(dash - s));
        part[dash - s] = '\0';
        if (addr_parse(part, &r.start, NULL) < 0 || addr_parse(dash + 1, &r.end, NULL) < 0)
                return error_set(err, NETD_EINVALID, "%s \"%s\": expected START-END of two addresses", what,
                                 quote_untrusted(s, q, sizeof(q)));
        if (r.start.family != r.end.family)
                return error_set(err, NETD_EINVALID, "%s \"%s\": start and end are of different families",
                                 what, quote_untrusted(s, q, sizeof(q)));
        if (within && (!prefix_contains(within, &r.start) || !prefix_contains(within, &r.end)))
                return error_set(err, NETD_EINVALID, "%s \"%s\" is not inside %s", what,
                                 quote_untrusted(s, q, sizeof(q)), prefix_format(within, w, sizeof(w)));
        if (r.start.value > r.end.value)
                return error_set(err, NETD_EINVALID, "%s \"%s\": the start is after the end", what,
                                 quote_untrusted(s, q, sizeof(q)));
        *ret = r;
        return 0;
}

const char *range_format(const struct range *r, char *buf, size_t size) {
        char a[ADDR_STRLEN], b[ADDR_STRLEN];

        snprintf(buf, size, "%s-%s", addr_format(&r->start, a, sizeof(a)),
                 addr_format(&r->end, b, sizeof(b)));
        return buf;
}

const char *u128_format(u128 v, char *buf, size_t size) {
        char digits[U128_DECLEN];
        size_t n = 0, len;

        do {
                digits[n++] = (char)('0' + (unsigned)(v % 10));
                v /= 10;
        } while (v);
        if (size == 0)
                return buf;
        len = n < size ? n : size - 1;
        for (size_t i = 0; i < len; i++)
                buf[i] = digits[n - 1 - i];
        buf[len] = '\0';
        return buf;
}

bool u128_parse(const char *s, u128 *ret) {
        u128 v = 0;

        if (isempty(s))
                return false;
        for (; *s; s++) {
                unsigned d;

                if (*s < '0' || *s > '9')
                        return false;
                d = (unsigned)(*s - '0');
                if (v > (U128_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}
