/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command line: parsed against the command table into a
 * request, sent, and its reply shown with the chosen back end. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "cli.h"
#include "client.h"
#include "help.h"

/* ---- parsing ---- */

struct parser {
        int argc;
        char *const *argv;
        int i;
        struct cli *cli;
        bool help, version;
        char error[512]; /* the first usage error */
};

static void parser_error(struct parser *p, const char *fmt, ...) _printf_(2, 3);
static void parser_error(struct parser *p, const char *fmt, ...) {
        va_list ap;

        if (p->error[0])
                return;
        va_start(ap, fmt);
        vsnprintf(p->error, sizeof(p->error), fmt, ap);
        va_end(ap);
}

/* The value of an option: after '=' in the same word, else the next word. */
static const char *option_value(struct parser *p, const char *option, const char *inline_value) {
        if (inline_value)
                return inline_value;
        if (p->i + 1 >= p->argc) {
                parser_error(p, "%s needs a value", option);
                return NULL;
        }
        return p->argv[++p->i];
}

static void format_option(struct parser *p, const char *value) {
        if (!value)
                return;
        if (streq(value, "json"))
                p->cli->format = OUTPUT_JSON;
        else if (streq(value, "text"))
                p->cli->format = OUTPUT_TEXT;
        else
                parser_error(p, "-o expects json or text, not '%s'", value);
}

/* A timeout: whole seconds, 1 to CLI_TIMEOUT_MAX; 0 when `s` is not one. */
static unsigned timeout_parse(const char *s) {
        unsigned long v;
        char *end;

        if (*s < '0' || *s > '9')
                return 0;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > CLI_TIMEOUT_MAX)
                return 0;
        return (unsigned)v;
}

static void timeout_option(struct parser *p, const char *value) {
        if (!value)
                return;
        p->cli->timeout = timeout_parse(value);
        if (!p->cli->timeout)
                parser_error(p, "--timeout expects whole seconds from 1 to %d, not '%s'", CLI_TIMEOUT_MAX,
                             value);
}

/* Handles argv[p->i] when it is a global option; returns false otherwise. */
static bool global_option(struct parser *p) {
        const char *t = p->argv[p->i], *eq;
        size_t len;

        if (streq(t, "-h")) {
                p->help = true;
                return true;
        }
        if (strncmp(t, "-o", 2) == 0) {
                format_option(p, option_value(p, "-o", t[2] == '=' ? t + 3 : t[2] ? t + 2 : NULL));
                return true;
        }
        if (strncmp(t, "--", 2) != 0)
                return false;
        eq = strchr(t, '=');
        len = eq ? (size_t)(eq - t) : strlen(t);
        if (len == 8 && strncmp(t, "--socket", len) == 0) {
                const char *v = option_value(p, "--socket", eq ? eq + 1 : NULL);
                if (v && !*v)
                        parser_error(p, "--socket needs a path");
                else if (v)
                        p->cli->socket = v;
                return true;
        }
        if (len == 9 && strncmp(t, "--timeout", len) == 0) {
                timeout_option(p, option_value(p, "--timeout", eq ? eq + 1 : NULL));
                return true;
        }
        if ((len == 6 && strncmp(t, "--json", len) == 0) || (len == 6 && strncmp(t, "--help", len) == 0) ||
            (len == 9 && strncmp(t, "--version", len) == 0)) {
                if (eq)
                        parser_error(p, "%.*s takes no value", (int)len, t);
                else if (t[2] == 'j')
                        p->cli->format = OUTPUT_JSON;
                else if (t[2] == 'h')
                        p->help = true;
                else
                        p->version = true;
                return true;
        }
        return false;
}

static bool int_parse(const char *s, int64_t *ret) {
        const char *d = s[0] == '-' ? s + 1 : s;
        char *end;
        long long v;

        if (*d < '0' || *d > '9')
                return false;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return false;
        *ret = v;
        return true;
}

static void flag_parse(struct parser *p, const struct command_flag *f, const char *inline_value) {
        struct json_object *args = p->cli->args, *v, *list;
        const char *value;
        char option[64];
        int64_t n;

        if (f->type == FLAG_BOOL || f->type == FLAG_FORMAT) {
                if (inline_value)
                        parser_error(p, "--%s takes no value", f->name);
                else if (f->type == FLAG_FORMAT)
                        p->cli->format = f->format;
                else
                        json_object_object_add(args, f->field, json_object_new_boolean(true));
                return;
        }
        if (f->type != FLAG_STRINGS && json_object_object_get_ex(args, f->field, NULL)) {
                parser_error(p, "--%s given twice", f->name);
                return;
        }
        snprintf(option, sizeof(option), "--%s", f->name);
        value = option_value(p, option, inline_value);
        if (!value)
                return;
        switch (f->type) {
        case FLAG_INT:
                if (!int_parse(value, &n)) {
                        parser_error(p, "--%s expects an integer, not '%s'", f->name, value);
                        return;
                }
                v = json_object_new_int64(n);
                break;
        case FLAG_STRINGS:
                if (!json_object_object_get_ex(args, f->field, &list)) {
                        list = json_object_new_array();
                        json_object_object_add(args, f->field, list);
                }
                json_object_array_add(list, json_object_new_string(value));
                return;
        default:
                v = json_object_new_string(value);
        }
        json_object_object_add(args, f->field, v);
}

static const struct command_flag *flag_find(const struct command *c, const char *name, size_t len) {
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
                        return f;
        return NULL;
}

/* Reads the command words; sets cli->cmd when they name a command. */
static void words_parse(struct parser *p) {
        const char **words = p->cli->words;
        size_t *n_words = &p->cli->n_words;

        for (p->i = 1; p->i < p->argc; p->i++) {
                const char *t = p->argv[p->i];
                bool longer = false;

                if (global_option(p))
                        continue;
                if (t[0] == '-' && t[1] != '\0') {
                        parser_error(p, "unknown option %s", t);
                        continue;
                }
                if (*n_words == COMMAND_MAX_WORDS)
                        break;
                words[(*n_words)++] = t;
                for (const struct command *c = command_table; c->words[0]; c++) {
                        if (!command_has_prefix(c, words, *n_words))
                                continue;
                        if (command_n_words(c) == *n_words) {
                                p->cli->cmd = c;
                                p->i++;
                                return;
                        }
                        longer = true;
                }
                if (!longer)
                        return;
        }
}

/* Flags of one group given together, or a change with nothing to change. */
static void flags_check(struct parser *p, const struct command *c) {
        const char *group = c->flags ? c->flags[0].group : NULL;
        char given[256], all[512];
        size_t n_all;

        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                /* Each group once, at its first flag. */
                if (!f->group || (f != c->flags && streq(f[-1].group, f->group)))
                        continue;
                if (command_flags_list(c, f->group, p->cli->args, " and ", given, sizeof(given)) > 1) {
                        command_flags_list(c, f->group, NULL, " or ", all, sizeof(all));
                        parser_error(p, "%s exclude each other: give one of %s", given, all);
                }
        }
        if (!c->needs_flag || command_flags_list(c, NULL, p->cli->args, "", given, sizeof(given)) > 0)
                return;
        /* Flags that are all one group are "one of"; others "at least one of". */
        n_all = command_flags_list(c, NULL, NULL, " or ", all, sizeof(all));
        if (group && command_flags_list(c, group, NULL, " or ", given, sizeof(given)) == n_all)
                parser_error(p, "give one of %s", all);
        else
                parser_error(p, "nothing to change: give at least one of %s", all);
}

static void command_parse(struct parser *p) {
        const struct command *c = p->cli->cmd;
        size_t n_pos = 0, n_args = command_n_args(c);
        bool options = true;

        for (; p->i < p->argc; p->i++) {
                const char *t = p->argv[p->i];

                if (options && streq(t, "--")) {
                        options = false;
                        continue;
                }
                if (options && t[0] == '-' && t[1] != '\0') {
                        const struct command_flag *f = NULL;
                        const char *eq = strchr(t, '=');

                        if (t[1] == '-')
                                f = flag_find(c, t + 2, eq ? (size_t)(eq - t - 2) : strlen(t + 2));
                        if (f)
                                flag_parse(p, f, eq ? eq + 1 : NULL);
                        else if (!global_option(p))
                                parser_error(p, "unknown option %.*s", eq ? (int)(eq - t) : (int)strlen(t),
                                             t);
                        continue;
                }
                if (n_pos == n_args) {
                        parser_error(p, "unexpected argument '%s'", t);
                        continue;
                }
                json_object_object_add(p->cli->args, c->args[n_pos++].field, json_object_new_string(t));
        }
        for (size_t i = n_pos; i < n_args; i++)
                if (command_field_required(c, c->args[i].field)) {
                        parser_error(p, "missing %s", c->args[i].metavar);
                        break;
                }
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (f->field && command_field_required(c, f->field) &&
                    !json_object_object_get_ex(p->cli->args, f->field, NULL)) {
                        parser_error(p, "missing --%s %s", f->name, f->metavar ? f->metavar : "");
                        break;
                }
        flags_check(p, c);
        if (!output_get(p->cli->format)->render[c->view])
                parser_error(p, "no %s output for this command", output_get(p->cli->format)->name);
}

/* Without a command, only --help and --version are left to do. */
static void no_command(struct parser *p) {
        struct cli *cli = p->cli;
        char typed[128];

        for (; p->i < p->argc; p->i++)
                if (!global_option(p))
                        parser_error(p, "unexpected argument '%s'", p->argv[p->i]);
        if (cli->n_words == 0) {
                if (!p->help && !p->version)
                        parser_error(p, "missing command");
                return;
        }
        command_words_join(cli->words, cli->n_words, typed, sizeof(typed));
        if (command_table_has_prefix(cli->words, cli->n_words)) {
                if (!p->help && !p->version)
                        parser_error(p, "'%s' needs a subcommand", typed);
                return;
        }
        /* An unknown command wins over everything; the hint points at
         * the longest known prefix of what was typed. */
        p->error[0] = '\0';
        parser_error(p, "unknown command '%s'", typed);
        p->help = p->version = false;
        while (cli->n_words > 0 && !command_table_has_prefix(cli->words, cli->n_words - 1))
                cli->n_words--;
        if (cli->n_words > 0)
                cli->n_words--;
}

int cli_parse(int argc, char *const *argv, struct cli *ret, FILE *errf) {
        struct parser p = {.argc = argc, .argv = argv, .cli = ret};
        char name[128];

        *ret = (struct cli){.format = OUTPUT_TEXT, .args = json_object_new_object()};
        if (!ret->args) {
                fprintf(errf, "netctl: internal: out of memory\n");
                return -1;
        }
        words_parse(&p);
        if (ret->cmd)
                command_parse(&p);
        else
                no_command(&p);
        if (!ret->timeout) {
                const char *env = getenv("NETD_TIMEOUT");

                ret->timeout = CLI_TIMEOUT_DEFAULT;
                if (!isempty(env) && !(ret->timeout = timeout_parse(env)))
                        parser_error(&p, "NETD_TIMEOUT expects whole seconds from 1 to %d, not '%s'",
                                     CLI_TIMEOUT_MAX, env);
        }
        if (p.help)
                ret->action = CLI_HELP;
        else if (p.version)
                ret->action = CLI_VERSION;
        else if (p.error[0]) {
                command_words_join(ret->words, ret->n_words, name, sizeof(name));
                fprintf(errf, "netctl: usage: %s%s%s\n", ret->cmd ? name : "", ret->cmd ? ": " : "", p.error);
                fprintf(errf, "Try 'netctl %s%s--help'.\n", name, ret->n_words ? " " : "");
                cli_done(ret);
                return -1;
        } else
                ret->action = CLI_RUN;
        return 0;
}

void cli_done(struct cli *cli) {
        json_object_put(cli->args);
        cli->args = NULL;
}

/* ---- running ---- */

int cli_run(struct cli *cli, FILE *out, FILE *errf) {
        const struct output *o = output_get(cli->format);
        struct netd_error err = {0};
        struct json_object *data = NULL;
        const char *socket_path = cli->socket;
        int r;

        if (!socket_path) {
                socket_path = getenv("NETD_SOCKET");
                if (isempty(socket_path))
                        socket_path = NETD_DEFAULT_SOCKET;
        }
        r = client_call(socket_path, cli->timeout ? cli->timeout : CLI_TIMEOUT_DEFAULT, cli->cmd->proto,
                        json_object_get(cli->args), &data, &err);
        if (r >= 0)
                r = output_result(o, cli->cmd->view, data, cli->args, out, &err);
        json_object_put(data);
        if (r >= 0 && fflush(out) != 0)
                r = error_set(&err, NETD_EINTERNAL, "writing the output: %s", strerror(errno));
        if (r < 0) {
                output_error(o, r, err.message, out, errf);
                fflush(out);
                return EXIT_FAILED;
        }
        return EXIT_SUCCESS;
}

void cli_help(const struct cli *cli, FILE *out) {
        if (cli->cmd)
                help_command(cli->cmd, out);
        else
                help_commands(cli->words, cli->n_words, out);
}

int cli_main(int argc, char *const *argv, FILE *out, FILE *errf) {
        struct netd_error err = {0};
        struct cli cli;
        int r;

        if (command_table_check(&err) < 0) {
                fprintf(errf, "netctl: internal: %s\n", err.message);
                return EXIT_FAILED;
        }
        if (cli_parse(argc, argv, &cli, errf) < 0)
                return EXIT_USAGE;
        switch (cli.action) {
        case CLI_HELP:
                cli_help(&cli, out);
                r = EXIT_SUCCESS;
                break;
        case CLI_VERSION:
                fprintf(out, "netctl %s\n", NETD_VERSION);
                r = EXIT_SUCCESS;
                break;
        default:
                r = cli_run(&cli, out, errf);
        }
        cli_done(&cli);
        return r;
}
