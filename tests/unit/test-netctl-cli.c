/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command line (netctl/cli.c, netctl/help.c): argv parsed into
 * the request's arguments, usage errors with their hint, the output format
 * options, and the help texts against golden files in tests/data/netctl.
 * Nothing here talks to netd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "golden.h"
#include "netctl/cli.h"

#define ARGV(...) ((char *const[]){"netctl", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *const[]){"netctl", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(cli, errf, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), cli, errf)

/* Parses a valid command line; its arguments as JSON must be `args`. */
static void parse_ok(struct cli *cli, const char *args, int argc, char *const *argv) {
        assert_int_equal(cli_parse(argc, argv, cli, stderr), 0);
        assert_int_equal(cli->action, CLI_RUN);
        assert_non_null(cli->cmd);
        assert_string_equal(json_object_to_json_string_ext(cli->args, JSON_C_TO_STRING_PLAIN), args);
}

static void test_cli_parse(void **state _unused_) {
        struct cli cli;

        parse_ok(&cli,
                 "{\"name\":\"lab\",\"cidr\":\"192.0.2.0\\/"
                 "24\",\"reserve\":[\"192.0.2.200-192.0.2.220\",\"192.0.2.250-"
                 "192.0.2.250\"],\"vni\":100}",
                 ARGC("network", "add", "lab", "--cidr", "192.0.2.0/24", "--reserve=192.0.2.200-192.0.2.220",
                      "--reserve", "192.0.2.250-192.0.2.250", "--vni", "100"),
                 ARGV("network", "add", "lab", "--cidr", "192.0.2.0/24", "--reserve=192.0.2.200-192.0.2.220",
                      "--reserve", "192.0.2.250-192.0.2.250", "--vni", "100"));
        assert_string_equal(cli.cmd->proto, "network.add");
        assert_int_equal(cli.format, OUTPUT_TEXT);
        cli_done(&cli);

        /* Global options anywhere; the output format from the command's own flag. */
        parse_ok(&cli, "{\"network\":\"lab\"}",
                 ARGC("--socket", "/tmp/s", "report", "capacity", "--csv", "--network", "lab"),
                 ARGV("--socket", "/tmp/s", "report", "capacity", "--csv", "--network", "lab"));
        assert_string_equal(cli.socket, "/tmp/s");
        assert_int_equal(cli.format, OUTPUT_CSV);
        cli_done(&cli);

        parse_ok(&cli, "{\"network\":\"lab\",\"host\":\"hv2\",\"force\":true}",
                 ARGC("network", "detach", "lab", "-o", "json", "hv2", "--force"),
                 ARGV("network", "detach", "lab", "-o", "json", "hv2", "--force"));
        assert_int_equal(cli.format, OUTPUT_JSON);
        cli_done(&cli);

        /* An optional positional left out; "--" ends the options. */
        parse_ok(&cli, "{}", ARGC("fabric", "sync"), ARGV("fabric", "sync"));
        cli_done(&cli);
        parse_ok(&cli, "{\"name\":\"-x\"}", ARGC("host", "show", "--", "-x"),
                 ARGV("host", "show", "--", "-x"));
        cli_done(&cli);
}

/* A usage error: cli_parse() fails and prints exactly `expected`. */
static void parse_fails(const char *expected, int argc, char *const *argv) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        struct cli cli;

        assert_non_null(f);
        assert_int_equal(cli_parse(argc, argv, &cli, f), -1);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(text, expected);
}

#define FAILS(expected, ...) parse_fails(expected, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_cli_usage_errors(void **state _unused_) {
        FAILS("netctl: usage: missing command\nTry 'netctl --help'.\n", "--json");
        FAILS("netctl: usage: unknown command 'frob'\nTry 'netctl --help'.\n", "frob");
        FAILS("netctl: usage: unknown command 'network frob'\nTry 'netctl network --help'.\n", "network",
              "frob", "--help");
        FAILS("netctl: usage: 'network' needs a subcommand\nTry 'netctl network --help'.\n", "network");
        FAILS("netctl: usage: network add: missing NAME\nTry 'netctl network add --help'.\n", "network",
              "add");
        FAILS("netctl: usage: network add: missing --cidr CIDR\nTry 'netctl network add --help'.\n",
              "network", "add", "lab");
        FAILS("netctl: usage: network add: --vni expects an integer, not 'x'\nTry 'netctl network add "
              "--help'.\n",
              "network", "add", "lab", "--cidr", "192.0.2.0/24", "--vni", "x");
        FAILS("netctl: usage: network add: --cidr given twice\nTry 'netctl network add --help'.\n", "network",
              "add", "lab", "--cidr", "a", "--cidr", "b");
        FAILS("netctl: usage: network add: --cidr needs a value\nTry 'netctl network add --help'.\n",
              "network", "add", "lab", "--cidr");
        FAILS("netctl: usage: network list: unexpected argument 'extra'\nTry 'netctl network list --help'.\n",
              "network", "list", "extra");
        FAILS("netctl: usage: network list: unknown option --csv\nTry 'netctl network list --help'.\n",
              "network", "list", "--csv");
        FAILS("netctl: usage: network list: -o expects json or text, not 'csv'\nTry 'netctl network list "
              "--help'.\n",
              "network", "list", "-o", "csv");
        FAILS("netctl: usage: network detach: --force takes no value\nTry 'netctl network detach --help'.\n",
              "network", "detach", "lab", "hv1", "--force=yes");
        FAILS("netctl: usage: --socket needs a path\nTry 'netctl network --help'.\n", "--socket=", "network");
}

/* --help and --version win over a missing command or argument. */
static void test_cli_actions(void **state _unused_) {
        struct cli cli;

        assert_int_equal(PARSE(&cli, stderr, "--version"), 0);
        assert_int_equal(cli.action, CLI_VERSION);
        cli_done(&cli);
        assert_int_equal(PARSE(&cli, stderr, "network", "add", "-h"), 0);
        assert_int_equal(cli.action, CLI_HELP);
        assert_string_equal(cli.cmd->proto, "network.add");
        cli_done(&cli);
        assert_int_equal(PARSE(&cli, stderr, "release", "--help"), 0);
        assert_int_equal(cli.action, CLI_HELP);
        assert_null(cli.cmd);
        assert_int_equal(cli.n_words, 1);
        cli_done(&cli);
}

static void help_check(const char *golden, int argc, char *const *argv) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        struct cli cli;

        assert_non_null(f);
        assert_int_equal(cli_parse(argc, argv, &cli, stderr), 0);
        assert_int_equal(cli.action, CLI_HELP);
        cli_help(&cli, f);
        cli_done(&cli);
        assert_int_equal(fclose(f), 0);
        golden_check_in("netctl", golden, text);
}

#define HELP(golden, ...) help_check(golden, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_cli_help(void **state _unused_) {
        HELP("help", "--help");
        HELP("help-network", "network", "--help");
        HELP("help-network-add", "network", "add", "--help");
        HELP("help-report-capacity", "report", "capacity", "-h");
        HELP("help-fabric-sync", "fabric", "sync", "--help");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cli_parse),
                cmocka_unit_test(test_cli_usage_errors),
                cmocka_unit_test(test_cli_actions),
                cmocka_unit_test(test_cli_help),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
