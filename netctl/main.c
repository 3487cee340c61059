/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl: the command line client of netd. Everything but main() lives in
 * netctl's library (cli.c and below). */
#include "cli.h"

int main(int argc, char *argv[]) {
        return cli_main(argc, argv, stdout, stderr);
}
