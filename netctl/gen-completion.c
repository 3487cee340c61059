/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints netctl's bash completion, generated from its command table at
 * build time: the command words, each command's positional arguments and
 * flags, and how their values complete. Names of networks, clusters and
 * hosts are asked from netd when the user presses TAB, so the script stays
 * the same whatever the lab holds. */
#include <ctype.h>
#include <errno.h>

#include "command.h"
#include "netd/core/dhcp-option.h"

/* Words that make an object rather than name an existing one: the NAME of
 * `network add` is new, the NAME of `network show` is not. */
static const char *const creating_verbs[] = {"add", "allocate"};

/* Metavars that abbreviate a kind of object, or name a local file. */
static const struct {
        const char *metavar, *kind;
} metavar_kinds[] = {
        {"NET", "network"},
        {"DIR", "path"},
};

static const char script_head[] =
        "# bash completion for netctl(1).\n"
        "# Generated from netctl's command table by netctl/gen-completion; do not edit.\n"
        "\n"
        "# Prints the names of the networks, clusters or hosts ($1) netd knows: the\n"
        "# \"name\" members of the objects listed by `netctl --json KIND list` (the\n"
        "# nodes of a cluster have names too, one level deeper). Prints nothing when\n"
        "# netd cannot be reached. _netctl_prog and _netctl_socket come from _netctl.\n"
        "_netctl_names()\n"
        "{\n"
        "\tlocal -a cmd=(\"$_netctl_prog\")\n"
        "\n"
        "\t[[ -n $_netctl_socket ]] && cmd+=(--socket \"$_netctl_socket\")\n"
        "\t# A stopped netd must not hang the shell.\n"
        "\tcmd+=(--timeout 5)\n"
        "\ttype -P timeout >/dev/null && cmd=(timeout 5 \"${cmd[@]}\")\n"
        "\t\"${cmd[@]}\" --json \"$1\" list 2>/dev/null </dev/null | awk '\n"
        "\tBEGIN {\n"
        "\t\tq = sprintf(\"%c\", 34)\n"
        "\t\tbs = sprintf(\"%c\", 92)\n"
        "\t}\n"
        "\t{\n"
        "\t\tn = length($0)\n"
        "\t\tfor (i = 1; i <= n; i++) {\n"
        "\t\t\tc = substr($0, i, 1)\n"
        "\t\t\tif (c == q) {\n"
        "\t\t\t\ts = \"\"\n"
        "\t\t\t\tfor (i++; i <= n; i++) {\n"
        "\t\t\t\t\tc = substr($0, i, 1)\n"
        "\t\t\t\t\tif (c == bs) {\n"
        "\t\t\t\t\t\ti++\n"
        "\t\t\t\t\t\tcontinue\n"
        "\t\t\t\t\t}\n"
        "\t\t\t\t\tif (c == q)\n"
        "\t\t\t\t\t\tbreak\n"
        "\t\t\t\t\ts = s c\n"
        "\t\t\t\t}\n"
        "\t\t\t\tif (colon && depth == 3 && key == \"name\")\n"
        "\t\t\t\t\tprint s\n"
        "\t\t\t\tif (!colon)\n"
        "\t\t\t\t\tkey = s\n"
        "\t\t\t\tcolon = 0\n"
        "\t\t\t} else if (c == \"{\" || c == \"[\") {\n"
        "\t\t\t\tdepth++\n"
        "\t\t\t\tcolon = 0\n"
        "\t\t\t} else if (c == \"}\" || c == \"]\") {\n"
        "\t\t\t\tdepth--\n"
        "\t\t\t\tcolon = 0\n"
        "\t\t\t} else if (c == \":\") {\n"
        "\t\t\t\tcolon = 1\n"
        "\t\t\t} else if (c == \",\") {\n"
        "\t\t\t\tcolon = 0\n"
        "\t\t\t}\n"
        "\t\t}\n"
        "\t}' 2>/dev/null\n"
        "}\n"
        "\n"
        "# Sets COMPREPLY to the values of kind $1 that start with $2. Kinds: \".\"\n"
        "# takes no value, \"?\" any value, network/cluster/host a name netd knows,\n"
        "# \"=a|b\" one of these words, \"path\" a file; a trailing \"*\" marks a\n"
        "# repeatable flag.\n"
        "_netctl_value()\n"
        "{\n"
        "\tlocal kind=${1%\\*} words\n"
        "\n"
        "\tcase $kind in\n"
        "\tnetwork | cluster | host)\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -W \"$(_netctl_names \"$kind\")\" -- \"$2\")\n"
        "\t\t;;\n"
        "\tpath)\n"
        "\t\tcompopt -o filenames 2>/dev/null\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$2\")\n"
        "\t\t;;\n"
        "\t=*)\n"
        "\t\twords=${kind#=}\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -W \"${words//|/ }\" -- \"$2\")\n"
        "\t\t;;\n"
        "\tesac\n"
        "}\n"
        "\n"
        "# Sets kind to the value kind of flag $1 of the command in flags/values;\n"
        "# fails for an unknown flag.\n"
        "_netctl_flag_kind()\n"
        "{\n"
        "\tlocal j\n"
        "\n"
        "\tcase $1 in\n"
        "\t--socket)\n"
        "\t\tkind=path\n"
        "\t\treturn 0\n"
        "\t\t;;\n"
        "\t--timeout)\n"
        "\t\tkind='?'\n"
        "\t\treturn 0\n"
        "\t\t;;\n"
        "\t-o)\n"
        "\t\tkind='=json|text'\n"
        "\t\treturn 0\n"
        "\t\t;;\n"
        "\tesac\n"
        "\tfor ((j = 0; j < ${#flags[@]}; j++)); do\n"
        "\t\tif [[ ${flags[j]} == \"$1\" ]]; then\n"
        "\t\t\tkind=${values[j]}\n"
        "\t\t\treturn 0\n"
        "\t\tfi\n"
        "\tdone\n"
        "\treturn 1\n"
        "}\n";

static const char script_tail[] =
        "\n"
        "_netctl()\n"
        "{\n"
        "\tlocal _netctl_prog=${COMP_WORDS[0]} _netctl_socket=''\n"
        "\tlocal cur=${COMP_WORDS[COMP_CWORD]} current w c kind key='' expect='' list='' i\n"
        "\tlocal options=1 glue=0\n"
        "\tlocal -a words=() typed=() pos=() args=() flags=() values=() used=()\n"
        "\tlocal globals='--socket --timeout --json -o --help -h --version'\n"
        "\n"
        "\t[[ $_netctl_prog == \\~/* ]] && _netctl_prog=$HOME/${_netctl_prog#\\~/}\n"
        "\t# bash splits words at '=' and ':' (COMP_WORDBREAKS): glue --flag=value,\n"
        "\t# NODE=MAC and addresses back together.\n"
        "\tfor ((i = 1; i <= COMP_CWORD; i++)); do\n"
        "\t\tw=${COMP_WORDS[i]}\n"
        "\t\tif [[ $w =~ ^[=:]+$ && ${#words[@]} -gt 0 ]]; then\n"
        "\t\t\twords[${#words[@]} - 1]+=$w\n"
        "\t\t\tglue=1\n"
        "\t\telif ((glue)); then\n"
        "\t\t\twords[${#words[@]} - 1]+=$w\n"
        "\t\t\tglue=0\n"
        "\t\telse\n"
        "\t\t\twords+=(\"$w\")\n"
        "\t\tfi\n"
        "\tdone\n"
        "\tcurrent=${words[${#words[@]} - 1]}\n"
        "\tunset \"words[${#words[@]} - 1]\"\n"
        "\t# What readline replaces is the part after the last '=' or ':'.\n"
        "\t[[ $cur =~ ^[=:]+$ ]] && cur=\n"
        "\n"
        "\tfor w in \"${words[@]}\"; do\n"
        "\t\tif [[ -n $expect ]]; then\n"
        "\t\t\t[[ $expect == --socket ]] && _netctl_socket=$w\n"
        "\t\t\texpect=\n"
        "\t\t\tcontinue\n"
        "\t\tfi\n"
        "\t\tif ((options)) && [[ $w == -?* ]]; then\n"
        "\t\t\tcase $w in\n"
        "\t\t\t--)\n"
        "\t\t\t\t[[ -n $key ]] && options=0\n"
        "\t\t\t\t;;\n"
        "\t\t\t--socket=*)\n"
        "\t\t\t\t_netctl_socket=${w#*=}\n"
        "\t\t\t\t;;\n"
        "\t\t\t--*=* | -o?*) ;;\n"
        "\t\t\t*)\n"
        "\t\t\t\tif _netctl_flag_kind \"$w\" && [[ $kind != . ]]; then\n"
        "\t\t\t\t\texpect=$w\n"
        "\t\t\t\tfi\n"
        "\t\t\t\t;;\n"
        "\t\t\tesac\n"
        "\t\t\tused+=(\"${w%%=*}\")\n"
        "\t\t\tcontinue\n"
        "\t\tfi\n"
        "\t\tif [[ -z $key ]]; then\n"
        "\t\t\ttyped+=(\"$w\")\n"
        "\t\t\t_netctl_command \"${typed[*]}\" && key=${typed[*]}\n"
        "\t\telse\n"
        "\t\t\tpos+=(\"$w\")\n"
        "\t\tfi\n"
        "\tdone\n"
        "\n"
        "\tCOMPREPLY=()\n"
        "\tif [[ -n $expect ]]; then\n"
        "\t\t_netctl_flag_kind \"$expect\" && _netctl_value \"$kind\" \"$cur\"\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\tif ((options)) && [[ $current == -?*=* ]]; then\n"
        "\t\t_netctl_flag_kind \"${current%%=*}\" && _netctl_value \"$kind\" \"$cur\"\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\tif ((options)) && [[ $current == -* ]]; then\n"
        "\t\tlist=$globals\n"
        "\t\tfor ((i = 0; i < ${#flags[@]}; i++)); do\n"
        "\t\t\t# A flag given once is not offered again, unless repeatable.\n"
        "\t\t\t[[ \" ${used[*]} \" == *\" ${flags[i]} \"* && ${values[i]} != *\\* ]] && continue\n"
        "\t\t\tlist+=\" ${flags[i]}\"\n"
        "\t\tdone\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -W \"$list\" -- \"$current\")\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\tif [[ -z $key ]]; then\n"
        "\t\t# The next word of the commands that start with what was typed.\n"
        "\t\tfor c in \"${_netctl_commands[@]}\"; do\n"
        "\t\t\tif ((${#typed[@]} == 0)); then\n"
        "\t\t\t\tw=${c%% *}\n"
        "\t\t\telif [[ $c == \"${typed[*]} \"* ]]; then\n"
        "\t\t\t\tw=${c#\"${typed[*]} \"}\n"
        "\t\t\t\tw=${w%% *}\n"
        "\t\t\telse\n"
        "\t\t\t\tcontinue\n"
        "\t\t\tfi\n"
        "\t\t\t[[ \" $list \" == *\" $w \"* ]] || list+=\" $w\"\n"
        "\t\tdone\n"
        "\t\tmapfile -t COMPREPLY < <(compgen -W \"$list\" -- \"$current\")\n"
        "\t\treturn 0\n"
        "\tfi\n"
        "\t((${#pos[@]} < ${#args[@]})) && _netctl_value \"${args[${#pos[@]}]}\" \"$cur\"\n"
        "\treturn 0\n"
        "}\n"
        "\n"
        "complete -F _netctl netctl\n";

/* A kind of object whose names can be completed: one `KIND list` lists. */
static bool kind_listable(const char *kind, size_t len) {
        for (const struct command *c = command_table; c->words[0]; c++)
                if (command_n_words(c) == 2 && strlen(c->words[0]) == len &&
                    strncmp(c->words[0], kind, len) == 0 && streq(c->words[1], "list"))
                        return true;
        return false;
}

/* The completion kind (see _netctl_value in the script) of a positional
 * argument or a flag's value named `metavar` in command c. */
static void value_kind(const struct command *c, const char *metavar, bool positional, char *buf,
                       size_t size) {
        const char *dot = strchr(c->proto, '.');
        char lower[64];
        size_t len = strlen(metavar);
        bool literal = true;

        for (size_t i = 0; i < len; i++)
                if (!islower((unsigned char)metavar[i]) && metavar[i] != '|' && metavar[i] != '-')
                        literal = false;
        /* A lowercase metavar is typed as it is: "veth", "sno|compact|mno". */
        if (literal) {
                snprintf(buf, size, "=%s", metavar);
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(metavar_kinds); i++)
                if (streq(metavar, metavar_kinds[i].metavar)) {
                        snprintf(buf, size, "%s", metavar_kinds[i].kind);
                        return;
                }
        for (size_t i = 0; i < len && i < sizeof(lower); i++)
                lower[i] = (char)tolower((unsigned char)metavar[i]);
        if (len < sizeof(lower) && kind_listable(lower, len)) {
                lower[len] = '\0';
                snprintf(buf, size, "%s", lower);
                return;
        }
        /* The argument NAME is the object the command is about, named by its
         * protocol command: "network.show" shows a network. A flag's NAME
         * (--no-dhcp-option NAME) is something else. */
        if (positional && streq(metavar, "NAME") && dot &&
            kind_listable(c->proto, (size_t)(dot - c->proto))) {
                bool creating = false;

                for (size_t i = 0; i < ARRAY_SIZE(creating_verbs); i++)
                        creating = creating || streq(dot + 1, creating_verbs[i]);
                if (!creating) {
                        snprintf(buf, size, "%.*s", (int)(dot - c->proto), c->proto);
                        return;
                }
        }
        snprintf(buf, size, "?");
}

/* The names --no-dhcp-option takes, from the core's list: "=ntp-server|...". */
static void dhcp_option_names(char *buf, size_t size) {
        size_t off = 0;

        buf[0] = '\0';
        for (unsigned t = 0; t < DHCP_OPTION_TYPE_MAX && off < size; t++) {
                int r = snprintf(buf + off, size - off, "%s%s", t ? "|" : "=", dhcp_option_name(t));
                if (r < 0)
                        break;
                off += (size_t)r;
        }
}

/* Everything the script quotes comes from the table; a quote there would
 * break out of the script's single quotes. */
static int quoted(FILE *out, const char *s) {
        if (strchr(s, '\'')) {
                fprintf(stderr, "gen-completion: a quote in the command table: %s\n", s);
                return -1;
        }
        fprintf(out, "'%s'", s);
        return 0;
}

static int command_print(const struct command *c, FILE *out) {
        char kind[192], name[128];
        int r = 0;

        command_name(c, name, sizeof(name));
        fputs("\t", out);
        r |= quoted(out, name);
        fputs(")\n\t\targs=(", out);
        for (size_t i = 0; i < COMMAND_MAX_ARGS && c->args[i].metavar; i++) {
                value_kind(c, c->args[i].metavar, true, kind, sizeof(kind));
                fputs(i ? " " : "", out);
                r |= quoted(out, kind);
        }
        fputs(")\n\t\tflags=(", out);
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                snprintf(kind, sizeof(kind), "--%s", f->name);
                fputs(f == c->flags ? "" : " ", out);
                r |= quoted(out, kind);
        }
        fputs(")\n\t\tvalues=(", out);
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                if (f->type == FLAG_BOOL || f->type == FLAG_FORMAT)
                        snprintf(kind, sizeof(kind), ".");
                else if (streq(f->name, "no-dhcp-option"))
                        dhcp_option_names(kind, sizeof(kind));
                else
                        value_kind(c, f->metavar, false, kind, sizeof(kind));
                if (f->type == FLAG_STRINGS)
                        strncat(kind, "*", sizeof(kind) - strlen(kind) - 1);
                fputs(f == c->flags ? "" : " ", out);
                r |= quoted(out, kind);
        }
        fputs(")\n\t\t;;\n", out);
        return r;
}

int main(void) {
        struct netd_error err = {0};
        char name[128];
        int r = 0;

        if (command_table_check(&err) < 0) {
                fprintf(stderr, "gen-completion: %s\n", err.message);
                return EXIT_FAILURE;
        }
        fputs(script_head, stdout);
        fputs("\n# Every command, as its words.\n_netctl_commands=(\n", stdout);
        for (const struct command *c = command_table; c->words[0]; c++) {
                command_name(c, name, sizeof(name));
                fputs("\t", stdout);
                r |= quoted(stdout, name);
                fputs("\n", stdout);
        }
        fputs(")\n\n"
              "# Sets args (the kinds of the positional arguments), flags and values\n"
              "# (the kinds of the flags' values) for the command $1; fails for an\n"
              "# unknown command.\n"
              "_netctl_command()\n"
              "{\n"
              "\tcase $1 in\n",
              stdout);
        for (const struct command *c = command_table; c->words[0]; c++)
                r |= command_print(c, stdout);
        fputs("\t*)\n\t\treturn 1\n\t\t;;\n\tesac\n}\n", stdout);
        fputs(script_tail, stdout);
        if (r < 0)
                return EXIT_FAILURE;
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "gen-completion: writing the script: %s\n", strerror(errno));
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
