/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses: parsing, canonical text, order and the store's blob form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/addr.h"

static struct addr parse_ok(const char *s) {
        struct netd_error err = {};
        struct addr a = {};

        assert_int_equal(addr_parse(s, &a, &err), 0);
        return a;
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_addr_parse),
                cmocka_unit_test(test_addr_parse_message_quotes),
                cmocka_unit_test(test_addr_format),
                cmocka_unit_test(test_addr_cmp_blob),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
