/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address ranges: parsing inside a prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/addr.h"
#include "netd/core/prefix.h"
#include "netd/core/range.h"

static struct prefix prefix_ok(const char *s) {
        struct netd_error err = {};
        struct prefix p = {};

        assert_int_equal(prefix_parse(s, &p, &err), 0);
        return p;
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_range_parse),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
