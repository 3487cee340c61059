/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command table (netctl/command.c, netctl/command-table.c): the
 * table against netd's protocol table, and the checker of one row, fed
 * rows that are wrong in each way it must catch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl/command.h"

/* netctl's command table against netd's protocol table: a row naming an
 * unknown command or field, a wrong type, a required field never sent or
 * a view without a text renderer is caught here rather than by a user. */
static void test_commands_match_protocol(void **state _unused_) {
        struct netd_error err = {};
        int r = command_table_check(&err);

        if (r < 0)
                fail_msg("%s", err.message);
        assert_int_equal(r, 0);
}

static const struct command *find(const char *a, const char *b) {
        const char *words[] = {a, b};

        for (const struct command *c = command_table; c->words[0]; c++)
                if (command_n_words(c) == 2 && command_has_prefix(c, words, 2))
                        return c;
        fail_msg("no command '%s %s'", a, b);
        return NULL;
}

static void test_command_row(void **state _unused_) {
        const struct command *c = find("allocate", "node");
        const char *allocate[] = {"allocate"}, *nothing[] = {"frob"}, *too_long[] = {"allocate", "node", "x"};
        char name[64];

        assert_int_equal(command_n_words(c), 2);
        assert_int_equal(command_n_args(c), 2);
        command_name(c, name, sizeof(name));
        assert_string_equal(name, "allocate node");
        command_name(c, name, 6);
        assert_string_equal(name, "alloc");
        assert_true(command_has_prefix(c, allocate, 1));
        assert_true(command_has_prefix(c, allocate, 0));
        assert_false(command_has_prefix(c, nothing, 1));
        assert_false(command_has_prefix(c, too_long, 3));
        assert_true(command_table_has_prefix(allocate, 1));
        assert_false(command_table_has_prefix(nothing, 1));
        /* Required or not is the protocol's word. */
        assert_true(command_field_required(c, "cluster"));
        assert_false(command_field_required(c, "mac"));
        assert_false(command_field_required(c, "no-such-field"));
        assert_false(command_field_required(find("fabric", "sync"), "host"));
}

static const struct command_flag flags_wrong_type[] = {
        {"cidr", "cidr", FLAG_INT, "N", "prefix as a number"},
        {NULL},
};

static const struct command_flag flags_unknown_field[] = {
        {"cidr", "cidr", FLAG_STRING, "CIDR", "prefix"},
        {"colour", "colour", FLAG_STRING, "C", "no such field"},
        {NULL},
};

static const struct command_flag flags_format_only[] = {
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {NULL},
};

static void check_fails(const struct command *c, const char *message) {
        struct netd_error err = {};

        assert_int_equal(command_check(c, &err), NETD_EINTERNAL);
        assert_string_equal(err.message, message);
}

static void test_command_check(void **state _unused_) {
        const struct command good = {
                .words = {"host", "list"}, .flags = flags_format_only, .proto = "host.list"};
        const struct command unknown = {.words = {"host", "frob"}, .proto = "host.frob"};
        const struct command no_cidr = {
                .words = {"network", "add"}, .args = {{"NAME", "name"}}, .proto = "network.add"};
        const struct command wrong_type = {.words = {"network", "add"},
                                           .args = {{"NAME", "name"}},
                                           .flags = flags_wrong_type,
                                           .proto = "network.add"};
        const struct command unknown_field = {.words = {"network", "add"},
                                              .args = {{"NAME", "name"}},
                                              .flags = flags_unknown_field,
                                              .proto = "network.add"};
        const struct command arg_not_string = {.words = {"network", "add"},
                                               .args = {{"NAME", "name"}, {"N", "vni"}},
                                               .flags = flags_unknown_field,
                                               .proto = "network.add"};
        const struct command optional_first = {
                .words = {"node", "allocate"},
                .args = {{"MAC", "mac"}, {"CLUSTER", "cluster"}, {"NODE", "node"}},
                .proto = "node.allocate"};
        struct netd_error err = {};

        assert_int_equal(command_check(&good, &err), 0);
        check_fails(&unknown, "command 'host frob': unknown protocol command host.frob");
        check_fails(&no_cidr, "command 'network add': never sends required field cidr");
        check_fails(&wrong_type, "command 'network add': --cidr does not match a field of network.add");
        check_fails(&unknown_field, "command 'network add': --colour does not match a field of network.add");
        check_fails(&arg_not_string, "command 'network add': N is no string field of network.add");
        check_fails(&optional_first,
                    "command 'node allocate': required CLUSTER follows an optional argument");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_commands_match_protocol),
                cmocka_unit_test(test_command_row),
                cmocka_unit_test(test_command_check),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
