/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "error.h"
#include "prefix.h"

#define U128_MAX (~(u128)0)
#define QUOTE_SIZE 128

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
                                 error_quote_untrusted(s, q, sizeof(q)));
        memcpy(host, s, (size_t)(slash - s));
        host[slash - s] = '\0';
        if (addr_parse(host, &p.base, NULL) < 0)
                return error_set(err, NETD_EINVALID, "\"%s\" is not a prefix (ADDRESS/LENGTH)",
                                 error_quote_untrusted(s, q, sizeof(q)));
        bits = addr_bits(p.base.family);
        if (!parse_len(slash + 1, bits, &p.len))
                return error_set(err, NETD_EINVALID, "prefix \"%s\": the length must be 0-%u",
                                 error_quote_untrusted(s, q, sizeof(q)), bits);
        if (p.base.value & host_mask(bits, p.len)) {
                p.base.value &= ~host_mask(bits, p.len);
                return error_set(err, NETD_EINVALID, "prefix \"%s\" has host bits set; did you mean %s?",
                                 error_quote_untrusted(s, q, sizeof(q)), prefix_format(&p, net, sizeof(net)));
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
