/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl/commands.h"

/* netctl's command table against netd's protocol table: a row naming an
 * unknown command or field, a wrong type, a required field never sent or
 * a view without a text renderer is caught here rather than by a user. */
static void test_commands_match_protocol(void **state _unused_) {
        struct netd_error err = {};
        int r = commands_check(&err);

        if (r < 0)
                fail_msg("%s", err.message);
        assert_int_equal(r, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_commands_match_protocol),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
