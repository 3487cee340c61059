/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command table: every command is one row (command-table.c)
 * with its words, its positional arguments and flags mapped to the
 * protocol's field names, the protocol command it sends, the view its
 * reply is shown with and a line of help. Parsing (cli.c), --help
 * (help.c), the bash completion and the man page test all read it.
 * Whether an argument or flag is required is not repeated here: it is
 * read from the protocol's field table (netd/core/proto.c). Values are not
 * checked beyond their type; netd validates everything. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "netd/core/error.h"
#include "output.h"

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
        /* Flags of one group are alternatives: at most one of them may be
         * given ("boot": --ipxe-script | --boot-file | --boot). They stand
         * next to each other in the table; NULL: no group. */
        const char *group;
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
        bool needs_flag;                  /* a change: at least one of its flags must be given */
        const char *proto;                /* "cluster.allocate" */
        enum output_view view;
        const char *help;
};

/* ---- one command (command.c) ---- */

/* Its words and positionals, counted. */
size_t command_n_words(const struct command *c);
size_t command_n_args(const struct command *c);

/* `n` words joined by spaces into buf: "network add". */
void command_words_join(const char *const *words, size_t n, char *buf, size_t size);
/* The command's words joined by spaces: "network add". */
void command_name(const struct command *c, char *buf, size_t size);

/* Whether its words begin with the `n` words of `words`. */
bool command_has_prefix(const struct command *c, const char *const *words, size_t n);

/* Whether flags a and b are shown as alternatives, [--a | --b]: two
 * output formats, or two flags of one group. */
bool command_flags_alternative(const struct command_flag *a, const struct command_flag *b);

/* The flags of c that belong to `group` (every flag that sends a field
 * when group is NULL) for a message: "--a, --b or --c" (`last` = "or"),
 * or only those given in `args` when args is not NULL. Returns how many
 * were written. */
size_t command_flags_list(const struct command *c, const char *group, struct json_object *args,
                          const char *last, char *buf, size_t size);

/* Whether the protocol requires `field` of the command (netd/core/proto.c). */
bool command_field_required(const struct command *c, const char *field);

/* Check one row against the protocol's table: the command and every field
 * exist with a matching type, every required field is asked for, the view
 * has a text renderer; and against itself: a group's flags stand together,
 * a command that needs a flag has some. Returns 0 or NETD_EINTERNAL naming
 * the mismatch. */
int command_check(const struct command *c, struct netd_error *err);

/* ---- the table (command-table.c) ---- */

/* Every command, terminated by a row without words. */
extern const struct command command_table[];

/* Whether some command's words begin with the `n` words of `words`. */
bool command_table_has_prefix(const char *const *words, size_t n);

/* Check every row (command_check()) and that no command's words begin
 * another's. Returns 0 or NETD_EINTERNAL naming the first mismatch. */
int command_table_check(struct netd_error *err);
