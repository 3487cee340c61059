/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command table and the command line parser generated from it.
 *
 * Every command is one row of a table in commands.c: its words, its
 * positional arguments and flags mapped to the protocol's field names, the
 * protocol command it sends, the view its reply is shown with and a line
 * of help. Parsing, --help and usage messages all come from that row.
 * Whether an argument or flag is required is not repeated here: it is read
 * from the protocol's field table (netd/proto.c). Values are not checked
 * beyond their type; netd validates everything. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "output.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

#define COMMAND_MAX_WORDS 3
#define COMMAND_MAX_ARGS 4

enum flag_type {
        FLAG_STRING,  /* --flag VALUE: a JSON string */
        FLAG_INT,     /* --flag N: a JSON integer */
        FLAG_STRINGS, /* --flag VALUE, repeatable: a JSON array of strings */
        FLAG_BOOL,    /* --flag: true */
        FLAG_FORMAT,  /* --flag: selects the output format, sends nothing */
};

struct command_flag {
        const char *name;  /* without the dashes: "dhcp-range" */
        const char *field; /* protocol field: "dhcp_range"; NULL for FLAG_FORMAT */
        enum flag_type type;
        const char *metavar; /* "START-END"; NULL for FLAG_BOOL and FLAG_FORMAT */
        const char *help;
        enum output_format format; /* FLAG_FORMAT only */
};

struct command_arg {
        const char *metavar; /* "CLUSTER" */
        const char *field;   /* "cluster" */
};

struct command {
        const char *words[COMMAND_MAX_WORDS + 1]; /* {"allocate", "cluster"} */
        /* Positionals in order, up to a NULL metavar; one whose field is
         * optional in the protocol may be left out (only at the end). */
        struct command_arg args[COMMAND_MAX_ARGS + 1];
        const struct command_flag *flags; /* terminated by a NULL name; may be NULL */
        const char *proto;                /* "cluster.allocate" */
        enum output_view view;
        const char *help;
};

/* NULL-terminated (no words) table of every command. */
extern const struct command commands[];

/* Its words and positionals, counted. */
size_t command_n_words(const struct command *c);
size_t command_n_args(const struct command *c);
/* Its words joined by spaces: "network add". */
void command_name(const struct command *c, char *buf, size_t size);
/* Whether the protocol requires `field` of the command (netd/proto.c). */
bool command_field_required(const struct command *c, const char *field);

/* Check the table against the protocol's: every command and field exists
 * with a matching type, every required field is asked for, every view has
 * a text renderer. Returns 0 or NETD_EINTERNAL naming the first mismatch. */
int commands_check(struct netd_error *err);

enum cli_action {
        CLI_RUN,
        CLI_HELP, /* for `cmd`, else for the commands starting with `words` */
        CLI_VERSION,
};

/* What the command line asks for. */
struct cli {
        enum cli_action action;
        const char *socket; /* from --socket, else NULL */
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
