/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 128-bit counts as decimal text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/u128.h"

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
                cmocka_unit_test(test_u128),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
