/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One row of the command table: its words and positionals, and how it
 * matches the protocol's table. */
#include "command.h"
#include "netd/core/proto.h"

static const struct proto_field *field_find(const struct proto_command *pc, const char *name) {
        for (const struct proto_field *f = pc->fields; f->name; f++)
                if (streq(f->name, name))
                        return f;
        return NULL;
}

bool command_field_required(const struct command *c, const char *field) {
        const struct proto_command *pc = proto_command_find(c->proto);
        const struct proto_field *f = pc ? field_find(pc, field) : NULL;

        return f && f->required;
}

size_t command_n_words(const struct command *c) {
        size_t n = 0;

        while (n < COMMAND_MAX_WORDS && c->words[n])
                n++;
        return n;
}

size_t command_n_args(const struct command *c) {
        size_t n = 0;

        while (n < COMMAND_MAX_ARGS && c->args[n].metavar)
                n++;
        return n;
}

void command_words_join(const char *const *words, size_t n, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n && len < size; i++)
                len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", words[i]);
}

void command_name(const struct command *c, char *buf, size_t size) {
        command_words_join(c->words, command_n_words(c), buf, size);
}

bool command_has_prefix(const struct command *c, const char *const *words, size_t n) {
        if (n > command_n_words(c))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(c->words[i], words[i]))
                        return false;
        return true;
}

static bool field_is_asked(const struct command *c, const char *field) {
        for (size_t i = 0; i < command_n_args(c); i++)
                if (streq(c->args[i].field, field))
                        return true;
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (streq(f->field, field))
                        return true;
        return false;
}

int command_check(const struct command *c, struct netd_error *err) {
        static const enum proto_type flag_proto_type[] = {
                [FLAG_STRING] = PROTO_STRING,
                [FLAG_INT] = PROTO_INT,
                [FLAG_STRINGS] = PROTO_STRING_ARRAY,
                [FLAG_BOOL] = PROTO_BOOL,
        };
        const struct proto_command *pc = proto_command_find(c->proto);
        const struct proto_field *pf;
        bool optional_seen = false;
        char name[64];

        command_name(c, name, sizeof(name));
        if (!pc)
                return error_set(err, NETD_EINTERNAL, "command '%s': unknown protocol command %s", name,
                                 c->proto);
        if (!output_get(OUTPUT_TEXT)->render[c->view])
                return error_set(err, NETD_EINTERNAL, "command '%s': its view has no text renderer", name);
        for (size_t i = 0; i < command_n_args(c); i++) {
                pf = field_find(pc, c->args[i].field);
                if (!pf || pf->type != PROTO_STRING)
                        return error_set(err, NETD_EINTERNAL, "command '%s': %s is no string field of %s",
                                         name, c->args[i].metavar, c->proto);
                /* Positionals are matched in order: an optional one can only be last. */
                if (optional_seen && pf->required)
                        return error_set(err, NETD_EINTERNAL,
                                         "command '%s': required %s follows an optional argument", name,
                                         c->args[i].metavar);
                optional_seen = !pf->required;
        }
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                if (f->type == FLAG_FORMAT)
                        continue;
                pf = field_find(pc, f->field);
                if (!pf || pf->type != flag_proto_type[f->type])
                        return error_set(err, NETD_EINTERNAL,
                                         "command '%s': --%s does not match a field of %s", name, f->name,
                                         c->proto);
        }
        for (pf = pc->fields; pf->name; pf++)
                if (pf->required && !field_is_asked(c, pf->name))
                        return error_set(err, NETD_EINTERNAL, "command '%s': never sends required field %s",
                                         name, pf->name);
        return 0;
}
