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

static const struct command_flag flags_group_apart[] = {
        {"ipxe-script", "ipxe_script", FLAG_STRING, "URL", "script", .group = "boot"},
        {"boot-file", "boot_file", FLAG_STRING, "FILE", "file"},
        {"boot", "boot", FLAG_STRING, "network", "network", .group = "boot"},
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

/* A group's flags stand together (help prints them as one [--a | --b]);
 * a change command has flags to give. */
static void test_command_check_groups(void **state _unused_) {
        const struct command apart = {.words = {"node", "set"},
                                      .args = {{"CLUSTER", "cluster"}, {"NODE", "node"}},
                                      .flags = flags_group_apart,
                                      .needs_flag = true,
                                      .proto = "node.set"};
        const struct command no_flags = {.words = {"network", "set"},
                                         .args = {{"NAME", "name"}},
                                         .needs_flag = true,
                                         .proto = "network.set"};
        const struct command format_only = {.words = {"host", "list"},
                                            .flags = flags_format_only,
                                            .needs_flag = true,
                                            .proto = "host.list"};

        check_fails(&apart, "command 'node set': the flags of group boot are not together");
        check_fails(&no_flags, "command 'network set': needs a flag but has none");
        check_fails(&format_only, "command 'host list': needs a flag but has none");
}

/* Alternatives: output formats among themselves, flags of one group. */
static void test_command_flags(void **state _unused_) {
        const struct command *set = find("node", "set"), *capacity = find("report", "capacity"),
                             *network_set = find("network", "set");
        struct json_object *args = json_tokener_parse("{\"boot\": \"network\", \"boot_file\": \"f\"}");
        char buf[256];

        assert_true(command_flags_alternative(&set->flags[0], &set->flags[1]));
        assert_true(command_flags_alternative(&capacity->flags[1], &capacity->flags[2]));
        assert_false(command_flags_alternative(&capacity->flags[0], &capacity->flags[1]));
        assert_false(command_flags_alternative(&network_set->flags[0], &network_set->flags[1]));
        assert_true(set->needs_flag && network_set->needs_flag);

        assert_int_equal(command_flags_list(set, "boot", NULL, " or ", buf, sizeof(buf)), 3);
        assert_string_equal(buf, "--ipxe-script, --boot-file or --boot");
        assert_int_equal(command_flags_list(set, "boot", args, " and ", buf, sizeof(buf)), 2);
        assert_string_equal(buf, "--boot-file and --boot");
        assert_int_equal(command_flags_list(set, "nosuch", NULL, " or ", buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        /* Flags that send nothing (output formats) are never listed. */
        assert_int_equal(command_flags_list(capacity, NULL, NULL, " or ", buf, sizeof(buf)), 1);
        assert_string_equal(buf, "--network");
        /* Cut to the buffer, still a string. */
        assert_int_equal(command_flags_list(set, NULL, NULL, " or ", buf, 8), 1);
        assert_string_equal(buf, "--ipxe-");
        json_object_put(args);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_commands_match_protocol), cmocka_unit_test(test_command_row),
                cmocka_unit_test(test_command_check),           cmocka_unit_test(test_command_check_groups),
                cmocka_unit_test(test_command_flags),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
