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
        parse_ok(&cli, "{\"networks\":[\"lab\"]}",
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

/* Boot settings and DHCP options: network add takes them, network set
 * changes them ("none" is a value like any other, --no-boot a flag, the
 * repeatable ones in the order typed), node set takes one way to boot. */
static void test_cli_parse_boot(void **state _unused_) {
        struct cli cli;

        parse_ok(&cli,
                 "{\"name\":\"lab\",\"cidr\":\"192.0.2.0\\/"
                 "24\",\"boot_file_efi\":\"ipxe.efi\",\"ipxe_script\":"
                 "\"http:\\/\\/192.0.2.9\\/lab.ipxe\",\"boot_server\":\"192.0.2.9\",\"tftp_root\":\"\\/srv\\/"
                 "tftp\",\"dhcp_option\":[\"domain-search=lab.example,example.com\"]}",
                 ARGC("network", "add", "lab", "--cidr", "192.0.2.0/24", "--boot-file-efi", "ipxe.efi",
                      "--ipxe-script", "http://192.0.2.9/lab.ipxe", "--boot-server=192.0.2.9", "--tftp-root",
                      "/srv/tftp", "--dhcp-option", "domain-search=lab.example,example.com"),
                 ARGV("network", "add", "lab", "--cidr", "192.0.2.0/24", "--boot-file-efi", "ipxe.efi",
                      "--ipxe-script", "http://192.0.2.9/lab.ipxe", "--boot-server=192.0.2.9", "--tftp-root",
                      "/srv/tftp", "--dhcp-option", "domain-search=lab.example,example.com"));
        assert_string_equal(cli.cmd->proto, "network.add");
        cli_done(&cli);

        parse_ok(&cli,
                 "{\"name\":\"lab\",\"mtu\":\"none\",\"reserve\":[\"192.0.2.2-192.0.2.9\",\"192.0.2.250-"
                 "192.0.2.254\"],\"no_boot\":true,\"boot_file\":\"undionly.kpxe\",\"dhcp_option\":[\"ntp-"
                 "server="
                 "192.0.2.1\",\"dns-server=192.0.2.53\"],\"no_dhcp_option\":[\"router\"],\"dhcp_range\":"
                 "\"none\"}",
                 ARGC("network", "set", "lab", "--mtu", "none", "--reserve", "192.0.2.2-192.0.2.9",
                      "--reserve", "192.0.2.250-192.0.2.254", "--no-boot", "--boot-file", "undionly.kpxe",
                      "--dhcp-option", "ntp-server=192.0.2.1", "--dhcp-option=dns-server=192.0.2.53",
                      "--no-dhcp-option", "router", "--dhcp-range=none"),
                 ARGV("network", "set", "lab", "--mtu", "none", "--reserve", "192.0.2.2-192.0.2.9",
                      "--reserve", "192.0.2.250-192.0.2.254", "--no-boot", "--boot-file", "undionly.kpxe",
                      "--dhcp-option", "ntp-server=192.0.2.1", "--dhcp-option=dns-server=192.0.2.53",
                      "--no-dhcp-option", "router", "--dhcp-range=none"));
        assert_string_equal(cli.cmd->proto, "network.set");
        assert_int_equal(cli.cmd->view, VIEW_NETWORK);
        cli_done(&cli);

        /* A single change is enough. */
        parse_ok(&cli, "{\"name\":\"lab\",\"no_boot\":true}", ARGC("network", "set", "lab", "--no-boot"),
                 ARGV("network", "set", "lab", "--no-boot"));
        cli_done(&cli);

        parse_ok(&cli, "{\"cluster\":\"sno\",\"node\":\"master-0\",\"boot\":\"network\"}",
                 ARGC("node", "set", "sno", "master-0", "--boot", "network"),
                 ARGV("node", "set", "sno", "master-0", "--boot", "network"));
        assert_string_equal(cli.cmd->proto, "node.set");
        assert_int_equal(cli.cmd->view, VIEW_NODE_SET);
        cli_done(&cli);
        parse_ok(&cli,
                 "{\"cluster\":\"sno\",\"ipxe_script\":\"http:\\/\\/192.0.2.9\\/reinstall.ipxe\",\"node\":"
                 "\"master-0\"}",
                 ARGC("node", "set", "--json", "sno", "--ipxe-script=http://192.0.2.9/reinstall.ipxe",
                      "master-0"),
                 ARGV("node", "set", "--json", "sno", "--ipxe-script=http://192.0.2.9/reinstall.ipxe",
                      "master-0"));
        assert_int_equal(cli.format, OUTPUT_JSON);
        cli_done(&cli);
        parse_ok(&cli, "{\"cluster\":\"sno\",\"node\":\"master-0\",\"boot_file\":\"undionly.kpxe\"}",
                 ARGC("node", "set", "sno", "master-0", "--boot-file", "undionly.kpxe"),
                 ARGV("node", "set", "sno", "master-0", "--boot-file", "undionly.kpxe"));
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

/* --timeout SECONDS, else $NETD_TIMEOUT, else 60; anything but whole
 * seconds from 1 to a day is a usage error. */
static void test_cli_timeout(void **state _unused_) {
        struct cli cli;

        unsetenv("NETD_TIMEOUT");
        parse_ok(&cli, "{}", ARGC("network", "list"), ARGV("network", "list"));
        assert_int_equal(cli.timeout, CLI_TIMEOUT_DEFAULT);
        assert_int_equal(cli.timeout, 60);
        cli_done(&cli);
        parse_ok(&cli, "{}", ARGC("--timeout", "5", "network", "list"),
                 ARGV("--timeout", "5", "network", "list"));
        assert_int_equal(cli.timeout, 5);
        cli_done(&cli);
        parse_ok(&cli, "{}", ARGC("network", "list", "--timeout=86400"),
                 ARGV("network", "list", "--timeout=86400"));
        assert_int_equal(cli.timeout, 86400);
        cli_done(&cli);

        setenv("NETD_TIMEOUT", "7", 1);
        parse_ok(&cli, "{}", ARGC("network", "list"), ARGV("network", "list"));
        assert_int_equal(cli.timeout, 7);
        cli_done(&cli);
        /* The flag wins over the environment. */
        parse_ok(&cli, "{}", ARGC("network", "list", "--timeout", "3"),
                 ARGV("network", "list", "--timeout", "3"));
        assert_int_equal(cli.timeout, 3);
        cli_done(&cli);
        setenv("NETD_TIMEOUT", "", 1);
        parse_ok(&cli, "{}", ARGC("network", "list"), ARGV("network", "list"));
        assert_int_equal(cli.timeout, 60);
        cli_done(&cli);

        setenv("NETD_TIMEOUT", "soon", 1);
        FAILS("netctl: usage: network list: NETD_TIMEOUT expects whole seconds from 1 to 86400, not 'soon'\n"
              "Try 'netctl network list --help'.\n",
              "network", "list");
        unsetenv("NETD_TIMEOUT");
        static char *const bad[] = {"0", "-1", "1.5", "x", "", "86401", "99999999999999999999", " 5", "5s"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char want[256], opt[64];

                snprintf(want, sizeof(want),
                         "netctl: usage: network list: --timeout expects whole seconds from 1 to 86400, not "
                         "'%s'\nTry 'netctl network list --help'.\n",
                         bad[i]);
                snprintf(opt, sizeof(opt), "--timeout=%s", bad[i]);
                parse_fails(want, ARGC("network", "list", opt), ARGV("network", "list", opt));
                parse_fails(want, ARGC("network", "list", "--timeout", bad[i]),
                            ARGV("network", "list", "--timeout", bad[i]));
        }
        FAILS("netctl: usage: network list: --timeout needs a value\nTry 'netctl network list --help'.\n",
              "network", "list", "--timeout");
        /* main() turns a usage error into exit code 2. */
        {
                _cleanup_free_ char *text = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&text, &size);

                assert_int_equal(cli_main(ARGC("--timeout", "0", "network", "list"),
                                          ARGV("--timeout", "0", "network", "list"), stdout, f),
                                 EXIT_USAGE);
                fclose(f);
        }
}

/* --help and --version win over a missing command or argument. */
/* A change needs something to change; node set takes one way to boot,
 * and names the ways when given none or several. */
static void test_cli_usage_errors_set(void **state _unused_) {
        FAILS("netctl: usage: network set: nothing to change: give at least one of --mtu, --dhcp-range, "
              "--reserve, --boot-file, --boot-file-efi, --boot-server, --tftp-root, --ipxe-script, "
              "--no-boot, "
              "--dhcp-option or --no-dhcp-option\nTry 'netctl network set --help'.\n",
              "network", "set", "lab");
        FAILS("netctl: usage: network set: nothing to change: give at least one of --mtu, --dhcp-range, "
              "--reserve, --boot-file, --boot-file-efi, --boot-server, --tftp-root, --ipxe-script, "
              "--no-boot, "
              "--dhcp-option or --no-dhcp-option\nTry 'netctl network set --help'.\n",
              "--json", "network", "set", "lab", "-o", "text");
        FAILS("netctl: usage: network set: missing NAME\nTry 'netctl network set --help'.\n", "network",
              "set", "--mtu", "1400");
        FAILS("netctl: usage: network set: --dhcp-option needs a value\nTry 'netctl network set --help'.\n",
              "network", "set", "lab", "--dhcp-option");
        FAILS("netctl: usage: network set: --no-boot takes no value\nTry 'netctl network set --help'.\n",
              "network", "set", "lab", "--no-boot=yes");
        FAILS("netctl: usage: network set: --mtu given twice\nTry 'netctl network set --help'.\n", "network",
              "set", "lab", "--mtu", "1400", "--mtu=none");
        FAILS("netctl: usage: network add: --mtu expects an integer, not 'none'\nTry 'netctl network add "
              "--help'.\n",
              "network", "add", "lab", "--cidr", "192.0.2.0/24", "--mtu", "none");
        FAILS("netctl: usage: network add: --boot-server needs a value\nTry 'netctl network add --help'.\n",
              "network", "add", "lab", "--cidr", "192.0.2.0/24", "--boot-server");
        FAILS("netctl: usage: node set: nothing to change: give at least one of --ipxe-script, --boot-file, "
              "--boot, --bmc-address, --root-disk or --boot-mode\nTry 'netctl node set --help'.\n",
              "node", "set", "sno", "master-0");
        FAILS("netctl: usage: node set: --ipxe-script and --boot exclude each other: give one of "
              "--ipxe-script, "
              "--boot-file or --boot\nTry 'netctl node set --help'.\n",
              "node", "set", "sno", "master-0", "--boot", "network", "--ipxe-script",
              "http://192.0.2.9/x.ipxe");
        FAILS("netctl: usage: node set: --ipxe-script, --boot-file and --boot exclude each other: give one "
              "of "
              "--ipxe-script, --boot-file or --boot\nTry 'netctl node set --help'.\n",
              "node", "set", "sno", "master-0", "--boot-file", "f", "--boot", "network", "--ipxe-script",
              "u");
        FAILS("netctl: usage: node set: --boot needs a value\nTry 'netctl node set --help'.\n", "node", "set",
              "sno", "master-0", "--boot");
        FAILS("netctl: usage: node set: missing NODE\nTry 'netctl node set --help'.\n", "node", "set", "sno",
              "--boot", "network");
        FAILS("netctl: usage: 'node' needs a subcommand\nTry 'netctl node --help'.\n", "node");
}

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
        HELP("help-network-set", "network", "set", "--help");
        HELP("help-node-set", "node", "set", "-h");
        HELP("help-report-capacity", "report", "capacity", "-h");
        HELP("help-fabric-sync", "fabric", "sync", "--help");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cli_parse),        cmocka_unit_test(test_cli_parse_boot),
                cmocka_unit_test(test_cli_usage_errors), cmocka_unit_test(test_cli_usage_errors_set),
                cmocka_unit_test(test_cli_actions),      cmocka_unit_test(test_cli_timeout),
                cmocka_unit_test(test_cli_help),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
