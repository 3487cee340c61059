/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dispatch table: every command of the protocol has exactly one
 * handler, and nothing else has one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netd/daemon/api-private.h"

static void test_every_command_handled(void **state) {
        size_t n = 0;

        (void)state;
        for (const struct proto_command *c = proto_commands; c->name; c++, n++)
                if (!api_handles(c->name))
                        fail_msg("protocol command %s has no handler", c->name);
        assert_true(n > 20);
}

static void check_table(const struct api_handler *h, size_t n, size_t *total) {
        for (size_t i = 0; i < n; i++) {
                if (!proto_command_find(h[i].command))
                        fail_msg("handler for %s, which the protocol does not have", h[i].command);
                assert_non_null(h[i].handler);
        }
        *total += n;
}

static void test_nothing_else_handled(void **state) {
        size_t handlers = 0, commands = 0;

        (void)state;
        check_table(api_ipam_handlers, api_ipam_n_handlers, &handlers);
        check_table(api_fabric_handlers, api_fabric_n_handlers, &handlers);
        check_table(api_virt_handlers, api_virt_n_handlers, &handlers);
        for (const struct proto_command *c = proto_commands; c->name; c++)
                commands++;
        /* one handler per command: no command twice */
        assert_int_equal(handlers, commands);
        assert_false(api_handles("export.nothing"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_command_handled),
                cmocka_unit_test(test_nothing_else_handled),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
