/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's help, written from the command table: a synopsis wrapped at
 * 80 columns, the options of a command, the list of commands. */
#include <ctype.h>
#include <stdarg.h>

#include "cli.h"
#include "client.h"
#include "help.h"

#define HELP_WIDTH 80

/* Appends synopsis pieces, breaking lines before HELP_WIDTH and indenting
 * continuation lines under the first piece after the prefix. */
struct wrapper {
        FILE *out;
        size_t col, indent;
};

static void wrap_piece(struct wrapper *w, const char *fmt, ...) _printf_(2, 3);
static void wrap_piece(struct wrapper *w, const char *fmt, ...) {
        char piece[256];
        va_list ap;
        size_t n;

        va_start(ap, fmt);
        vsnprintf(piece, sizeof(piece), fmt, ap);
        va_end(ap);
        n = strlen(piece);
        if (w->col > w->indent && w->col + 1 + n > HELP_WIDTH) {
                fprintf(w->out, "\n%*s", (int)w->indent, "");
                w->col = w->indent;
        } else if (w->col > 0) {
                fputc(' ', w->out);
                w->col++;
        }
        fputs(piece, w->out);
        w->col += n;
}

/* "--flag METAVAR": the left column of the options, a member of a group. */
static void option_format(const struct command_flag *f, char *buf, size_t size) {
        snprintf(buf, size, "--%s%s%s", f->name, f->metavar ? " " : "", f->metavar ? f->metavar : "");
}

static void flag_synopsis(const struct command *c, const struct command_flag *f, char *buf, size_t size) {
        bool required = f->field && command_field_required(c, f->field);

        switch (f->type) {
        case FLAG_BOOL:
        case FLAG_FORMAT:
                snprintf(buf, size, "%s--%s%s", required ? "" : "[", f->name, required ? "" : "]");
                break;
        case FLAG_STRINGS:
                snprintf(buf, size, "%s--%s %s%s", required ? "" : "[", f->name, f->metavar,
                         required ? "" : "]...");
                break;
        default:
                snprintf(buf, size, "%s--%s %s%s", required ? "" : "[", f->name, f->metavar,
                         required ? "" : "]");
        }
}

static void synopsis_print(const struct command *c, FILE *out) {
        struct wrapper w = {.out = out};
        char piece[160];

        wrap_piece(&w, "Usage: netctl");
        for (size_t i = 0; i < command_n_words(c); i++)
                wrap_piece(&w, "%s", c->words[i]);
        w.indent = w.col + 1;
        for (size_t i = 0; i < command_n_args(c); i++)
                wrap_piece(&w, command_field_required(c, c->args[i].field) ? "%s" : "[%s]",
                           c->args[i].metavar);
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                /* Alternatives read best as one group: [--json | --csv],
                 * [--ipxe-script URL | --boot network]. */
                if (f[1].name && command_flags_alternative(f, &f[1])) {
                        size_t len = (size_t)snprintf(piece, sizeof(piece), "[");
                        for (;; f++) {
                                if (len < sizeof(piece))
                                        option_format(f, piece + len, sizeof(piece) - len);
                                len = strlen(piece);
                                if (!f[1].name || !command_flags_alternative(f, &f[1]))
                                        break;
                                len += (size_t)snprintf(piece + len, sizeof(piece) - len, " | ");
                        }
                        if (len < sizeof(piece))
                                snprintf(piece + len, sizeof(piece) - len, "]");
                } else
                        flag_synopsis(c, f, piece, sizeof(piece));
                wrap_piece(&w, "%s", piece);
        }
        fputc('\n', out);
}

static void brief_format(const struct command *c, char *buf, size_t size) {
        size_t len;

        command_name(c, buf, size);
        len = strlen(buf);
        for (size_t i = 0; i < command_n_args(c) && len < size; i++)
                len += (size_t)snprintf(buf + len, size - len,
                                        command_field_required(c, c->args[i].field) ? " %s" : " [%s]",
                                        c->args[i].metavar);
}

static void commands_print(FILE *out, const char *const *words, size_t n_words) {
        char brief[128];
        int width = 0;

        for (const struct command *c = command_table; c->words[0]; c++)
                if (command_has_prefix(c, words, n_words)) {
                        brief_format(c, brief, sizeof(brief));
                        if ((int)strlen(brief) > width)
                                width = (int)strlen(brief);
                }
        for (const struct command *c = command_table; c->words[0]; c++)
                if (command_has_prefix(c, words, n_words)) {
                        brief_format(c, brief, sizeof(brief));
                        fprintf(out, "  %-*s  %s\n", width, brief, c->help);
                }
}

static void global_options_print(FILE *out) {
        fprintf(out,
                "Global options (also accepted after the command words):\n"
                "  --socket PATH      netd's control socket (default: $NETD_SOCKET, else %s)\n"
                "  --timeout SECONDS  how long to wait for netd's answer (default: $NETD_TIMEOUT,\n"
                "                     else %d)\n"
                "  --json, -o json    print the reply as JSON\n"
                "  -o text            print the reply as text (the default)\n"
                "  --help, -h         show help (netctl COMMAND --help for one command)\n"
                "  --version          show the version\n",
                NETD_DEFAULT_SOCKET, CLI_TIMEOUT_DEFAULT);
}

void help_command(const struct command *c, FILE *out) {
        char piece[160];
        int width = 0;

        synopsis_print(c, out);
        fprintf(out, "\n%c%s.\n", toupper((unsigned char)c->help[0]), c->help + 1);
        if (c->flags && c->flags[0].name) {
                for (const struct command_flag *f = c->flags; f->name; f++) {
                        option_format(f, piece, sizeof(piece));
                        if ((int)strlen(piece) > width)
                                width = (int)strlen(piece);
                }
                fprintf(out, "\nOptions:\n");
                for (const struct command_flag *f = c->flags; f->name; f++) {
                        option_format(f, piece, sizeof(piece));
                        fprintf(out, "  %-*s  %s\n", width, piece, f->help);
                }
        }
        fprintf(out, "\nGlobal options: --socket PATH, --timeout SECONDS, --json, -o json|text (see 'netctl "
                     "--help').\n");
}

void help_commands(const char *const *words, size_t n_words, FILE *out) {
        if (n_words == 0)
                fprintf(out,
                        "Usage: netctl [--socket PATH] [--timeout SECONDS] [--json | -o json|text] COMMAND "
                        "...\n\n"
                        "netctl asks netd, the lab's network control plane, to allocate and\n"
                        "release addresses and MACs of networks and clusters, and to build the\n"
                        "networks' bridges, veth pairs and VXLAN fabric on the lab's hosts.\n\n");
        fprintf(out, "Commands:\n");
        commands_print(out, words, n_words);
        fputc('\n', out);
        global_options_print(out);
}
