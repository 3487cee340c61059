/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command line: parse argv against the command table, then show
 * help, the version, or send the request and show its reply. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "command.h"
#include "output.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* How long netctl waits for netd's answer, in seconds: --timeout, else
 * $NETD_TIMEOUT, else the default; 1 to CLI_TIMEOUT_MAX. */
#define CLI_TIMEOUT_DEFAULT 60
#define CLI_TIMEOUT_MAX 86400

enum cli_action {
        CLI_RUN,
        CLI_HELP, /* for `cmd`, else for the commands starting with `words` */
        CLI_VERSION,
};

/* What the command line asks for. */
struct cli {
        enum cli_action action;
        const char *socket; /* from --socket, else NULL */
        unsigned timeout;   /* seconds (--timeout, $NETD_TIMEOUT, CLI_TIMEOUT_DEFAULT) */
        enum output_format format;
        const struct command *cmd;
        struct json_object *args;             /* the request's arguments */
        const char *words[COMMAND_MAX_WORDS]; /* the command words typed (help, hints) */
        size_t n_words;
};

/* Parse argv into *ret. Returns 0, or -1 after printing a usage error
 * ("netctl: usage: ..." and a hint) on `errf`. Release with cli_done(). */
int cli_parse(int argc, char *const *argv, struct cli *ret, FILE *errf);
void cli_done(struct cli *cli);

/* Print the help asked for by a CLI_HELP command line. */
void cli_help(const struct cli *cli, FILE *out);

/* Send the request, show the reply. Returns the exit code. */
int cli_run(struct cli *cli, FILE *out, FILE *errf);

/* All of netctl: check the command table, parse argv, then help, version
 * or run. Returns the exit code (0, EXIT_FAILED or EXIT_USAGE). */
int cli_main(int argc, char *const *argv, FILE *out, FILE *errf);
