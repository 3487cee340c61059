/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/addr.h"
#include "netd/core/u128.h"
#include "netd/core/range.h"
#include "netd/core/prefix.h"

static struct addr parse_ok(const char *s) {
        struct netd_error err = {};
        struct addr a = {};

        assert_int_equal(addr_parse(s, &a, &err), 0);
        return a;
}

static struct prefix prefix_ok(const char *s) {
        struct netd_error err = {};
        struct prefix p = {};

        assert_int_equal(prefix_parse(s, &p, &err), 0);
        return p;
}

static void assert_format(const char *in, const char *want) {
        char buf[ADDR_STRLEN];
        struct addr a = parse_ok(in);

        assert_string_equal(addr_format(&a, buf, sizeof(buf)), want);
}

static void assert_addr_invalid(const char *s) {
        struct netd_error err = {};
        struct addr a = {};

        assert_int_equal(addr_parse(s, &a, &err), NETD_EINVALID);
        assert_int_equal(err.code, NETD_EINVALID);
        assert_non_null(strstr(err.message, "is not an IPv4 or IPv6 address"));
}

static void test_addr_parse(void **state) {
        struct addr a;

        (void)state;
        a = parse_ok("192.0.2.1");
        assert_int_equal(a.family, AF_INET);
        assert_true(a.value == 0xc0000201);
        a = parse_ok("0.0.0.0");
        assert_true(a.value == 0);
        a = parse_ok("255.255.255.255");
        assert_true(a.value == 0xffffffff);
        a = parse_ok("2001:db8::1");
        assert_int_equal(a.family, AF_INET6);
        assert_true(a.value == (((u128)0x20010db8 << 96) | 1));
        a = parse_ok("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert_true(a.value == ~(u128)0);

        assert_addr_invalid(NULL);
        assert_addr_invalid("");
        assert_addr_invalid("192.0.2");
        assert_addr_invalid("192.0.2.256");
        assert_addr_invalid("192.0.2.01");
        assert_addr_invalid(" 192.0.2.1");
        assert_addr_invalid("192.0.2.1 ");
        assert_addr_invalid("192.0.2.1x");
        assert_addr_invalid("192.0.2.1/24");
        assert_addr_invalid("fe80::1%eth0");
        assert_addr_invalid("2001:db8:::1");
        assert_addr_invalid("2001:db8::g");
        assert_addr_invalid("lab");
}

static void test_addr_parse_message_quotes(void **state) {
        struct netd_error err = {};
        struct addr a;

        (void)state;
        assert_int_equal(addr_parse("1.2.3.4\nforged: line", &a, &err), NETD_EINVALID);
        assert_null(strchr(err.message, '\n'));
        assert_non_null(strstr(err.message, "1.2.3.4\\x0aforged: line"));
}

static void test_addr_format(void **state) {
        (void)state;
        assert_format("192.0.2.1", "192.0.2.1");
        assert_format("0.0.0.0", "0.0.0.0");
        /* RFC 5952: lowercase, longest zero run compressed, first on a tie,
         * no compression of a single zero field. */
        assert_format("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
        assert_format("2001:db8:0:0:0:0:0:0", "2001:db8::");
        assert_format("2001:0db8::0001", "2001:db8::1");
        assert_format("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
        assert_format("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::");
        assert_format("::", "::");
        assert_format("::1", "::1");
        assert_format("::1:2", "::1:2");
        assert_format("::1:0", "::1:0");
        assert_format("::c000:201", "::c000:201");
        assert_format("::ffff:192.0.2.1", "::ffff:192.0.2.1");
}

static void test_addr_cmp_blob(void **state) {
        struct addr a = parse_ok("192.0.2.1"), b = parse_ok("192.0.2.2"), c = parse_ok("2001:db8::1"), d;
        uint8_t ba[16], bb[16];

        (void)state;
        assert_true(addr_cmp(&a, &b) < 0);
        assert_true(addr_cmp(&b, &a) > 0);
        assert_int_equal(addr_cmp(&a, &a), 0);
        assert_true(addr_cmp(&a, &c) != 0);

        addr_to_blob(&a, ba);
        addr_to_blob(&b, bb);
        assert_true(memcmp(ba, bb, 16) < 0);
        assert_int_equal(ba[12], 192);
        assert_int_equal(ba[15], 1);
        addr_from_blob(AF_INET, ba, &d);
        assert_int_equal(addr_cmp(&a, &d), 0);

        addr_to_blob(&c, ba);
        assert_int_equal(ba[0], 0x20);
        assert_int_equal(ba[3], 0xb8);
        addr_from_blob(AF_INET6, ba, &d);
        assert_int_equal(addr_cmp(&c, &d), 0);

        assert_int_equal(addr_bits(AF_INET), 32);
        assert_int_equal(addr_bits(AF_INET6), 128);
}

static void test_prefix_parse(void **state) {
        struct netd_error err = {};
        struct prefix p;
        char buf[PREFIX_STRLEN];

        (void)state;
        p = prefix_ok("192.0.2.0/24");
        assert_int_equal(p.len, 24);
        assert_string_equal(prefix_format(&p, buf, sizeof(buf)), "192.0.2.0/24");
        p = prefix_ok("0.0.0.0/0");
        assert_int_equal(p.len, 0);
        p = prefix_ok("192.0.2.7/32");
        assert_string_equal(prefix_format(&p, buf, sizeof(buf)), "192.0.2.7/32");
        p = prefix_ok("2001:DB8::/32");
        assert_string_equal(prefix_format(&p, buf, sizeof(buf)), "2001:db8::/32");
        p = prefix_ok("::/0");
        assert_int_equal(p.len, 0);
        p = prefix_ok("2001:db8::1/128");
        assert_int_equal(p.len, 128);

        assert_int_equal(prefix_parse("192.0.2.1/24", &p, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "did you mean 192.0.2.0/24?"));
        err = (struct netd_error){};
        assert_int_equal(prefix_parse("2001:db8::1/64", &p, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "did you mean 2001:db8::/64?"));
        err = (struct netd_error){};
        assert_int_equal(prefix_parse("2001:db8::/0", &p, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "did you mean ::/0?"));

        const char *bad[] = {
                NULL,
                "",
                "192.0.2.0",
                "192.0.2.0/",
                "192.0.2.0/33",
                "192.0.2.0/-1",
                "192.0.2.0/+8",
                "192.0.2.0/024",
                "192.0.2.0/24 ",
                "/24",
                "2001:db8::/129",
                "x/8",
                "192.0.2.0/2x",
                "192.0.2.0/24/8",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (struct netd_error){};
                assert_int_equal(prefix_parse(bad[i], &p, &err), NETD_EINVALID);
                assert_int_equal(err.code, NETD_EINVALID);
        }
}

static void assert_host_count(const char *cidr, const char *want) {
        char buf[U128_DECLEN];
        struct prefix p = prefix_ok(cidr);

        assert_string_equal(u128_format(prefix_host_count(&p), buf, sizeof(buf)), want);
}

static void assert_host_range(const char *cidr, const char *first, const char *last) {
        char a[ADDR_STRLEN], b[ADDR_STRLEN];
        struct prefix p = prefix_ok(cidr);
        struct addr f = {.family = p.base.family}, l = {.family = p.base.family};

        assert_true(prefix_host_range(&p, &f.value, &l.value));
        assert_string_equal(addr_format(&f, a, sizeof(a)), first);
        assert_string_equal(addr_format(&l, b, sizeof(b)), last);
}

static void test_host_counts(void **state) {
        struct prefix p;
        u128 f, l;

        (void)state;
        assert_host_count("192.0.2.0/24", "254");
        assert_host_count("192.0.2.0/30", "2");
        assert_host_count("192.0.2.0/31", "2");
        assert_host_count("192.0.2.1/32", "1");
        assert_host_count("0.0.0.0/0", "4294967294");
        assert_host_count("2001:db8::/64", "18446744073709551615");
        assert_host_count("2001:db8::/48", "1208925819614629174706175");
        assert_host_count("2001:db8::/127", "1");
        assert_host_count("2001:db8::/128", "0");
        assert_host_count("::/0", "340282366920938463463374607431768211455");

        assert_host_range("192.0.2.0/24", "192.0.2.1", "192.0.2.254");
        assert_host_range("192.0.2.0/30", "192.0.2.1", "192.0.2.2");
        assert_host_range("192.0.2.0/31", "192.0.2.0", "192.0.2.1");
        assert_host_range("192.0.2.1/32", "192.0.2.1", "192.0.2.1");
        assert_host_range("2001:db8::/64", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff");
        assert_host_range("2001:db8::/127", "2001:db8::1", "2001:db8::1");
        assert_host_range("::/0", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        p = prefix_ok("2001:db8::/128");
        assert_false(prefix_host_range(&p, &f, &l));
}

static void test_prefix_contains_overlaps(void **state) {
        struct prefix a = prefix_ok("192.0.2.0/24"), b = prefix_ok("192.0.2.128/25"),
                      c = prefix_ok("198.51.100.0/24");
        struct prefix all4 = prefix_ok("0.0.0.0/0"), v6 = prefix_ok("2001:db8::/32"),
                      v6b = prefix_ok("2001:db8:1::/48");
        struct prefix all6 = prefix_ok("::/0"), edge = prefix_ok("192.0.3.0/24");
        struct addr x;

        (void)state;
        x = parse_ok("192.0.2.0");
        assert_true(prefix_contains(&a, &x));
        x = parse_ok("192.0.2.255");
        assert_true(prefix_contains(&a, &x));
        x = parse_ok("192.0.3.0");
        assert_false(prefix_contains(&a, &x));
        x = parse_ok("::ffff:192.0.2.1");
        assert_false(prefix_contains(&a, &x));
        x = parse_ok("2001:db8:ffff::1");
        assert_true(prefix_contains(&v6, &x));
        assert_true(prefix_contains(&all6, &x));
        assert_false(prefix_contains(&v6b, &x));

        assert_true(prefix_overlaps(&a, &b));
        assert_true(prefix_overlaps(&b, &a));
        assert_false(prefix_overlaps(&a, &c));
        assert_false(prefix_overlaps(&a, &edge));
        assert_true(prefix_overlaps(&all4, &c));
        assert_true(prefix_overlaps(&v6, &v6b));
        assert_true(prefix_overlaps(&all6, &v6));
        assert_false(prefix_overlaps(&all6, &a));
        assert_false(prefix_overlaps(&v6, &all4));
}

static void assert_range_invalid(const char *s, const struct prefix *within, const char *needle) {
        struct netd_error err = {};
        struct range r;

        assert_int_equal(range_parse(s, within, "reserve range", &r, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "reserve range"));
        assert_non_null(strstr(err.message, needle));
}

static void test_range_parse(void **state) {
        struct prefix p = prefix_ok("192.0.2.0/24"), p6 = prefix_ok("2001:db8::/64");
        struct netd_error err = {};
        char buf[2 * ADDR_STRLEN];
        struct range r;

        (void)state;
        assert_int_equal(range_parse("192.0.2.2-192.0.2.9", &p, "reserve range", &r, &err), 0);
        assert_true(r.start.value == 0xc0000202 && r.end.value == 0xc0000209);
        assert_string_equal(range_format(&r, buf, sizeof(buf)), "192.0.2.2-192.0.2.9");
        assert_int_equal(range_parse("192.0.2.5-192.0.2.5", &p, "reserve range", &r, &err), 0);
        assert_int_equal(range_parse("2001:DB8::10-2001:db8::ffff", &p6, "dhcp range", &r, &err), 0);
        assert_string_equal(range_format(&r, buf, sizeof(buf)), "2001:db8::10-2001:db8::ffff");
        assert_int_equal(range_parse("198.51.100.1-198.51.100.2", NULL, NULL, &r, &err), 0);

        assert_range_invalid("192.0.2.9-192.0.2.2", &p, "start is after the end");
        assert_range_invalid("192.0.2.2-192.0.3.9", &p, "is not inside 192.0.2.0/24");
        assert_range_invalid("198.51.100.1-198.51.100.2", &p, "is not inside");
        assert_range_invalid("192.0.2.2-2001:db8::1", &p, "different families");
        assert_range_invalid("2001:db8::1-2001:db8::2", &p, "is not inside");
        assert_range_invalid("192.0.2.2", &p, "expected START-END");
        assert_range_invalid("192.0.2.2-", &p, "expected START-END");
        assert_range_invalid("-192.0.2.2", &p, "expected START-END");
        assert_range_invalid("192.0.2.2-192.0.2.3-192.0.2.4", &p, "expected START-END");
        assert_range_invalid("192.0.2.2 - 192.0.2.3", &p, "expected START-END");
        assert_range_invalid("", &p, "expected START-END");
        assert_range_invalid(NULL, &p, "expected START-END");
}

static void assert_u128_roundtrip(const char *s) {
        char buf[U128_DECLEN];
        u128 v;

        assert_true(u128_parse(s, &v));
        assert_string_equal(u128_format(v, buf, sizeof(buf)), s);
}

static void test_u128(void **state) {
        char buf[U128_DECLEN];
        u128 v;

        (void)state;
        assert_u128_roundtrip("0");
        assert_u128_roundtrip("1");
        assert_u128_roundtrip("18446744073709551615");
        assert_u128_roundtrip("18446744073709551616");
        assert_u128_roundtrip("340282366920938463463374607431768211455");
        assert_string_equal(u128_format(~(u128)0, buf, sizeof(buf)),
                            "340282366920938463463374607431768211455");
        assert_string_equal(u128_format((u128)1 << 64, buf, sizeof(buf)), "18446744073709551616");
        assert_true(u128_parse("340282366920938463463374607431768211455", &v) && v == ~(u128)0);

        assert_false(u128_parse("340282366920938463463374607431768211456", &v));
        assert_false(u128_parse("999999999999999999999999999999999999999", &v));
        assert_false(u128_parse("", &v));
        assert_false(u128_parse(NULL, &v));
        assert_false(u128_parse("-1", &v));
        assert_false(u128_parse("+1", &v));
        assert_false(u128_parse("12a", &v));
        assert_false(u128_parse(" 1", &v));

        /* A buffer too small keeps the leading digits, terminated. */
        assert_string_equal(u128_format(123456, buf, 4), "123");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_addr_parse),
                cmocka_unit_test(test_addr_parse_message_quotes),
                cmocka_unit_test(test_addr_format),
                cmocka_unit_test(test_addr_cmp_blob),
                cmocka_unit_test(test_prefix_parse),
                cmocka_unit_test(test_host_counts),
                cmocka_unit_test(test_prefix_contains_overlaps),
                cmocka_unit_test(test_range_parse),
                cmocka_unit_test(test_u128),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
