/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl: the command line client of netd. Everything but main() lives in
 * the core library (commands.c, output.c, client.c). */
#include "commands.h"

int main(int argc, char *argv[]) {
        struct netd_error err = {0};
        struct cli cli;
        int r;

        if (commands_check(&err) < 0) {
                fprintf(stderr, "netctl: internal: %s\n", err.message);
                return EXIT_FAILED;
        }
        if (cli_parse(argc, argv, &cli, stderr) < 0)
                return EXIT_USAGE;
        switch (cli.action) {
        case CLI_HELP:
                cli_help(&cli, stdout);
                r = EXIT_SUCCESS;
                break;
        case CLI_VERSION:
                printf("netctl %s\n", NETD_VERSION);
                r = EXIT_SUCCESS;
                break;
        default:
                r = cli_run(&cli, stdout, stderr);
        }
        cli_done(&cli);
        return r;
}
