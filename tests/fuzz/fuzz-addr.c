/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses, prefixes, ranges, MACs and counts (netd/core/addr.c,
 * prefix.c, range.c, mac.c, u128.c): the input, as text, through every
 * parser. Invariants:
 * - parse → format → parse gives the same value, and the format is a
 *   fixed point (formatting the value parsed back gives the same text);
 * - a prefix has no host bits, contains its base, and its usable host
 *   count is the size of its usable host range;
 * - a range is of one family with start <= end, inside `within`;
 * - a MAC is unicast and not zero, formatted lowercase;
 * - every error message is printable ASCII (untrusted text is quoted). */
#include <sys/socket.h>

#include "fuzz.h"
#include "netd/core/mac.h"
#include "netd/core/prefix.h"
#include "netd/core/range.h"
#include "netd/core/u128.h"

static void check_message(const struct netd_error *err) {
        FUZZ_ASSERT(err->code < 0 && err->message[0], "an error without a message");
        for (const char *p = err->message; *p; p++)
                FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f, "unprintable byte 0x%02x in \"%s\"", (unsigned char)*p,
                            err->message);
}

static void check_addr(const char *s) {
        struct netd_error err = {0};
        struct addr a, b;
        char t[ADDR_STRLEN], t2[ADDR_STRLEN];
        uint8_t blob[16];

        if (addr_parse(s, &a, &err) < 0) {
                check_message(&err);
                return;
        }
        FUZZ_ASSERT(a.family == AF_INET || a.family == AF_INET6, "family %d", a.family);
        FUZZ_ASSERT(a.family == AF_INET6 || a.value >> 32 == 0, "IPv4 value over 32 bits");
        addr_format(&a, t, sizeof(t));
        FUZZ_ASSERT(addr_parse(t, &b, NULL) == 0 && addr_cmp(&a, &b) == 0, "%s -> %s -> another value", s, t);
        FUZZ_ASSERT(strcmp(addr_format(&b, t2, sizeof(t2)), t) == 0, "%s formats as %s, then as %s", s, t,
                    t2);
        addr_to_blob(&a, blob);
        addr_from_blob(a.family, blob, &b);
        FUZZ_ASSERT(addr_cmp(&a, &b) == 0, "%s: blob round trip", s);
}

static void check_prefix(const char *s) {
        struct netd_error err = {0};
        struct prefix p, q;
        char t[PREFIX_STRLEN], t2[PREFIX_STRLEN];
        u128 first, last;

        if (prefix_parse(s, &p, &err) < 0) {
                check_message(&err);
                return;
        }
        FUZZ_ASSERT(p.len <= addr_bits(p.base.family), "%s: length %u", s, p.len);
        FUZZ_ASSERT(prefix_first(&p) == p.base.value && prefix_first(&p) <= prefix_last(&p), "%s: bounds", s);
        FUZZ_ASSERT(prefix_contains(&p, &p.base) && prefix_overlaps(&p, &p), "%s: not inside itself", s);
        prefix_format(&p, t, sizeof(t));
        FUZZ_ASSERT(prefix_parse(t, &q, NULL) == 0 && addr_cmp(&p.base, &q.base) == 0 && p.len == q.len,
                    "%s -> %s -> another prefix", s, t);
        FUZZ_ASSERT(strcmp(prefix_format(&q, t2, sizeof(t2)), t) == 0, "%s formats as %s, then as %s", s, t,
                    t2);
        if (prefix_host_range(&p, &first, &last)) {
                FUZZ_ASSERT(first <= last && first >= prefix_first(&p) && last <= prefix_last(&p),
                            "%s: host range outside the prefix", s);
                FUZZ_ASSERT(prefix_host_count(&p) == last - first + 1, "%s: count is not the range's size",
                            s);
        } else
                FUZZ_ASSERT(prefix_host_count(&p) == 0, "%s: hosts without a host range", s);
}

static void check_range(const char *s, const struct prefix *within) {
        struct netd_error err = {0};
        struct range r, r2;
        char t[2 * ADDR_STRLEN + 2];

        if (range_parse(s, within, "fuzz range", &r, &err) < 0) {
                check_message(&err);
                return;
        }
        FUZZ_ASSERT(r.start.family == r.end.family && r.start.value <= r.end.value, "%s: bad range", s);
        FUZZ_ASSERT(!within || (prefix_contains(within, &r.start) && prefix_contains(within, &r.end)),
                    "%s: outside its prefix", s);
        range_format(&r, t, sizeof(t));
        FUZZ_ASSERT(range_parse(t, within, NULL, &r2, NULL) == 0 && addr_cmp(&r.start, &r2.start) == 0 &&
                            addr_cmp(&r.end, &r2.end) == 0,
                    "%s -> %s -> another range", s, t);
}

static void check_mac(const char *s) {
        struct netd_error err = {0};
        char t[MAC_STRLEN];
        mac_t m, m2;

        if (mac_parse(s, &m, &err) < 0) {
                check_message(&err);
                return;
        }
        FUZZ_ASSERT(m != 0 && m >> 48 == 0 && !((m >> 40) & 1), "%s: %llx", s, (unsigned long long)m);
        mac_format(m, t, sizeof(t));
        FUZZ_ASSERT(strlen(t) == MAC_STRLEN - 1 && strcspn(t, "ABCDEF") == MAC_STRLEN - 1, "%s -> %s", s, t);
        FUZZ_ASSERT(mac_parse(t, &m2, NULL) == 0 && m2 == m, "%s -> %s -> another MAC", s, t);
}

static void check_count(const char *s) {
        char t[U128_DECLEN], t2[U128_DECLEN];
        u128 v, v2;

        if (!u128_parse(s, &v))
                return;
        u128_format(v, t, sizeof(t));
        FUZZ_ASSERT(u128_parse(t, &v2) && v2 == v, "%s -> %s -> another count", s, t);
        FUZZ_ASSERT(strcmp(u128_format(v2, t2, sizeof(t2)), t) == 0, "%s -> %s -> %s", s, t, t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct prefix v4, v6;
        char *s;

        if (size > 256)
                return 0;
        if (!v4.len &&
            (prefix_parse("192.0.2.0/24", &v4, NULL) < 0 || prefix_parse("2001:db8::/32", &v6, NULL) < 0))
                abort();
        s = fuzz_string(data, size);
        check_addr(s);
        check_prefix(s);
        check_range(s, NULL);
        check_range(s, &v4);
        check_range(s, &v6);
        check_mac(s);
        check_count(s);
        free(s);
        return 0;
}
