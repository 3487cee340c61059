/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prefixes: parsing, host ranges and counts, containment and overlap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/addr.h"
#include "netd/core/prefix.h"
#include "netd/core/u128.h"

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefix_parse),
                cmocka_unit_test(test_host_counts),
                cmocka_unit_test(test_prefix_contains_overlaps),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
