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

bool command_flags_alternative(const struct command_flag *a, const struct command_flag *b) {
        if (a->type == FLAG_FORMAT || b->type == FLAG_FORMAT)
                return a->type == b->type;
        return streq(a->group, b->group);
}

/* Whether flag f is one command_flags_list() names. */
static bool flag_listed(const struct command_flag *f, const char *group, struct json_object *args) {
        if (!f->field)
                return false;
        if (group && !streq(f->group, group))
                return false;
        return !args || json_object_object_get_ex(args, f->field, NULL);
}

size_t command_flags_list(const struct command *c, const char *group, struct json_object *args,
                          const char *last, char *buf, size_t size) {
        size_t n = 0, total = 0, len = 0;

        for (const struct command_flag *f = c->flags; f && f->name; f++)
                total += flag_listed(f, group, args);
        buf[0] = '\0';
        for (const struct command_flag *f = c->flags; f && f->name && len < size; f++) {
                const char *sep = ", ";

                if (!flag_listed(f, group, args))
                        continue;
                if (++n == 1)
                        sep = "";
                else if (n == total)
                        sep = last;
                len += (size_t)snprintf(buf + len, size - len, "%s--%s", sep, f->name);
        }
        return n;
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

/* The rows' own rules: help shows a group as one [--a | --b], so its
 * flags stand together; a command that needs a flag has one to give. */
static int command_check_flags(const struct command *c, const char *name, struct netd_error *err) {
        bool has_field = false;

        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                has_field = has_field || f->field;
                if (!f->group || (f != c->flags && streq(f[-1].group, f->group)))
                        continue;
                for (const struct command_flag *o = c->flags; o < f; o++)
                        if (streq(o->group, f->group))
                                return error_set(err, NETD_EINTERNAL,
                                                 "command '%s': the flags of group %s are not together", name,
                                                 f->group);
        }
        if (c->needs_flag && !has_field)
                return error_set(err, NETD_EINTERNAL, "command '%s': needs a flag but has none", name);
        return 0;
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
        return command_check_flags(c, name, err);
}
