/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's command table against its man page (docs/netctl.1.scd).
 *
 * The COMMANDS section of the page has one synopsis paragraph per command,
 * starting at the first column with *netctl WORD...*; then come the
 * positional metavars and the flags with their metavars, optional ones in
 * brackets, repeatable ones followed by "...". A synopsis ends at a blank
 * line, an indented line or a line ending in "++". Below it, each flag is
 * described on a line starting with one tab and *--flag*. Both directions
 * are checked: every row of the table must be on the page exactly as it is
 * parsed, and the page may document nothing the table lacks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl/command.h"
#include "netd/core/proto.h"

#define PAGE_MAX_ENTRIES 128
#define ENTRY_MAX_DOCS 32
#define TOKEN_MAX 128

struct token {
        char text[TOKEN_MAX]; /* without markup: "--cidr", "START-END" */
        bool optional;        /* inside brackets */
        bool repeat;          /* its group is followed by "..." */
};

/* One synopsis of the page and the flags described below it. */
struct entry {
        unsigned line;
        char words[128];                  /* "network add" */
        char rest[1024];                  /* the synopsis after the bold words */
        const char *docs[ENTRY_MAX_DOCS]; /* "--cidr": points into the page */
        size_t doc_len[ENTRY_MAX_DOCS];
        size_t n_docs;
        bool matched;
};

struct page {
        const char *name;
        struct entry entries[PAGE_MAX_ENTRIES];
        size_t n_entries;
        FILE *out; /* one line per disagreement */
        unsigned findings;
};

static void finding(struct page *p, unsigned line, const char *fmt, ...) _printf_(3, 4);
static void finding(struct page *p, unsigned line, const char *fmt, ...) {
        va_list ap;

        fprintf(p->out, "%s:%u: ", p->name, line);
        va_start(ap, fmt);
        vfprintf(p->out, fmt, ap);
        va_end(ap);
        fputc('\n', p->out);
        p->findings++;
}

static bool flag_takes_value(const struct command_flag *f) {
        return f->type == FLAG_STRING || f->type == FLAG_INT || f->type == FLAG_STRINGS;
}

/* Appends `s` (n bytes) to buf with a separating space. */
static void append(char *buf, size_t size, const char *s, size_t n) {
        size_t len = strlen(buf);

        snprintf(buf + len, size - len, "%s%.*s", len ? " " : "", (int)n, s);
}

/* Reads the COMMANDS section into p->entries. */
static void page_parse(struct page *p, const char *text) {
        const char *s = text;
        bool in_section = false, in_synopsis = false, in_block = false;
        size_t group = 0; /* first entry of the synopses sharing the next block */
        unsigned line = 0;

        for (; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s)) {
                size_t n = strcspn(s, "\n");
                struct entry *e;

                line++;
                if (n >= 2 && s[0] == '#' && s[1] == ' ') {
                        in_section = n == 10 && strncmp(s, "# COMMANDS", n) == 0;
                        in_synopsis = in_block = false;
                        group = p->n_entries;
                        continue;
                }
                if (!in_section)
                        continue;
                if (n > 9 && strncmp(s, "*netctl ", 8) == 0) {
                        const char *end = memchr(s + 8, '*', n - 8);

                        if (p->n_entries == PAGE_MAX_ENTRIES) {
                                finding(p, line, "more than %d synopses", PAGE_MAX_ENTRIES);
                                return;
                        }
                        if (in_block)
                                group = p->n_entries;
                        in_block = false;
                        e = &p->entries[p->n_entries++];
                        *e = (struct entry){.line = line};
                        if (!end) {
                                finding(p, line, "synopsis without the closing '*' of its words");
                                end = s + n;
                        }
                        snprintf(e->words, sizeof(e->words), "%.*s", (int)(end - s - 8), s + 8);
                        end = end < s + n ? end + 1 : end;
                        in_synopsis = true;
                        n -= (size_t)(end - s);
                        s = end;
                } else if (n == 0 || s[0] == '\t') {
                        in_synopsis = false;
                } else if (!in_synopsis) {
                        /* Prose at the first column closes the synopses' block. */
                        in_block = false;
                        group = p->n_entries;
                        continue;
                }
                if (in_synopsis) {
                        bool brk = n >= 2 && s[n - 2] == '+' && s[n - 1] == '+';

                        e = &p->entries[p->n_entries - 1];
                        append(e->rest, sizeof(e->rest), s, brk ? n - 2 : n);
                        if (brk)
                                in_synopsis = false;
                        continue;
                }
                if (n == 0)
                        continue;
                in_block = true;
                if (n > 4 && s[0] == '\t' && strncmp(s + 1, "*--", 3) == 0) {
                        const char *name = s + 2, *end = memchr(name, '*', n - 2);
                        size_t len = end ? (size_t)(end - name) : 0;

                        if (!end) {
                                finding(p, line, "flag description without its closing '*'");
                                continue;
                        }
                        if (group == p->n_entries) {
                                finding(p, line, "description of %.*s outside a command", (int)len, name);
                                continue;
                        }
                        for (size_t i = group; i < p->n_entries; i++) {
                                e = &p->entries[i];
                                if (e->n_docs < ENTRY_MAX_DOCS) {
                                        e->docs[e->n_docs] = name;
                                        e->doc_len[e->n_docs++] = len;
                                }
                        }
                }
        }
}

/* Splits a synopsis into tokens without markup: "\[*--vni* _N_]" is
 * "--vni" and "N", both optional. */
static size_t synopsis_tokens(const char *rest, struct token *tokens, size_t max) {
        size_t n = 0;
        int depth = 0;

        for (const char *s = rest; *s;) {
                char raw[TOKEN_MAX], *t = raw;
                size_t len = 0, k = 0;
                struct token tok = {};

                s += strspn(s, " \t");
                if (!*s)
                        break;
                /* A backslash only escapes the next character from scdoc. */
                while (s[len] && s[len] != ' ' && s[len] != '\t') {
                        if (s[len] == '\\' && s[len + 1])
                                len++;
                        if (k + 1 < sizeof(raw))
                                raw[k++] = s[len];
                        len++;
                }
                raw[k] = '\0';
                s += len;
                while (*t == '[') {
                        depth++;
                        t++;
                }
                if (k >= 3 && strcmp(raw + k - 3, "...") == 0) {
                        tok.repeat = true;
                        raw[k -= 3] = '\0';
                }
                tok.optional = depth > 0;
                while (k > 0 && raw[k - 1] == ']') {
                        depth--;
                        raw[--k] = '\0';
                }
                for (k = 0; *t; t++)
                        if (*t != '*' && *t != '_' && k + 1 < sizeof(tok.text))
                                tok.text[k++] = *t;
                tok.text[k] = '\0';
                if (k == 0 || streq(tok.text, "|")) {
                        /* "]..." after a group repeats the group's flag. */
                        if (tok.repeat && n > 0)
                                tokens[n - 1].repeat = true;
                        continue;
                }
                if (n < max)
                        tokens[n++] = tok;
        }
        return n;
}

static const struct command_flag *flag_find(const struct command *c, const char *name) {
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (streq(f->name, name))
                        return f;
        return NULL;
}

static void entry_check(struct page *p, const struct entry *e, const struct command *c) {
        struct token tokens[64];
        size_t n = synopsis_tokens(e->rest, tokens, ARRAY_SIZE(tokens)), n_pos = 0;
        bool seen[64] = {};
        char name[128];

        command_name(c, name, sizeof(name));
        for (size_t i = 0; i < n; i++) {
                const struct token *t = &tokens[i];
                const struct command_flag *f;
                bool required;

                if (strncmp(t->text, "--", 2) != 0) {
                        const struct command_arg *a = n_pos < COMMAND_MAX_ARGS ? &c->args[n_pos] : NULL;

                        if (!a || !a->metavar) {
                                finding(p, e->line,
                                        "'netctl %s': the page has an argument %s the table lacks", name,
                                        t->text);
                                continue;
                        }
                        n_pos++;
                        if (!streq(a->metavar, t->text))
                                finding(p, e->line,
                                        "'netctl %s': argument %zu is %s on the page, %s in the table", name,
                                        n_pos, t->text, a->metavar);
                        required = command_field_required(c, a->field);
                        if (t->optional == required)
                                finding(p, e->line, "'netctl %s': argument %s is %s, the page has it %s",
                                        name, a->metavar, required ? "required" : "optional",
                                        t->optional ? "in brackets" : "without brackets");
                        continue;
                }
                f = flag_find(c, t->text + 2);
                if (!f) {
                        finding(p, e->line, "'netctl %s': the page has %s, the table has no such flag", name,
                                t->text);
                        continue;
                }
                if ((size_t)(f - c->flags) >= ARRAY_SIZE(seen))
                        fail_msg("'netctl %s': more flags than this test tracks", name);
                seen[f - c->flags] = true;
                required = f->field && command_field_required(c, f->field);
                if (t->optional == required)
                        finding(p, e->line, "'netctl %s': %s is %s, the page has it %s", name, t->text,
                                required ? "required" : "optional",
                                t->optional ? "in brackets" : "without brackets");
                if (flag_takes_value(f)) {
                        if (i + 1 == n || strncmp(tokens[i + 1].text, "--", 2) == 0)
                                finding(p, e->line, "'netctl %s': %s takes %s, the page gives no value", name,
                                        t->text, f->metavar);
                        else if (!streq(tokens[++i].text, f->metavar))
                                finding(p, e->line, "'netctl %s': %s takes %s on the page, %s in the table",
                                        name, t->text, tokens[i].text, f->metavar);
                        t = &tokens[i];
                }
                if ((f->type == FLAG_STRINGS) != t->repeat)
                        finding(p, e->line, "'netctl %s': --%s is %s, the page %s it with \"...\"", name,
                                f->name, f->type == FLAG_STRINGS ? "repeatable" : "not repeatable",
                                t->repeat ? "marks" : "does not mark");
        }
        for (size_t i = n_pos; i < COMMAND_MAX_ARGS && c->args[i].metavar; i++)
                finding(p, e->line, "'netctl %s': argument %s is missing from the page", name,
                        c->args[i].metavar);
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                bool documented = false;

                if ((size_t)(f - c->flags) < ARRAY_SIZE(seen) && !seen[f - c->flags])
                        finding(p, e->line, "'netctl %s': --%s is missing from the page's synopsis", name,
                                f->name);
                for (size_t i = 0; i < e->n_docs && !documented; i++)
                        documented = e->doc_len[i] == strlen(f->name) + 2 &&
                                     strncmp(e->docs[i] + 2, f->name, e->doc_len[i] - 2) == 0;
                if (!documented)
                        finding(p, e->line, "'netctl %s': --%s has no description on the page", name,
                                f->name);
        }
        for (size_t i = 0; i < e->n_docs; i++) {
                char flag[64];

                snprintf(flag, sizeof(flag), "%.*s", (int)e->doc_len[i] - 2, e->docs[i] + 2);
                if (!flag_find(c, flag))
                        finding(p, e->line,
                                "'netctl %s': the page describes --%s, the table has no such flag", name,
                                flag);
        }
}

/* Checks the page text against `table`; writes one line per disagreement
 * to `out` and returns how many there are. */
static unsigned manpage_check(const char *name, const char *text, const struct command *table, FILE *out) {
        _cleanup_free_ struct page *p = calloc(1, sizeof(struct page));
        char words[128];

        assert_non_null(p);
        p->name = name;
        p->out = out;
        page_parse(p, text);
        if (p->n_entries == 0)
                finding(p, 0, "no synopsis in a COMMANDS section");
        for (const struct command *c = table; c->words[0]; c++) {
                struct entry *found = NULL;

                command_name(c, words, sizeof(words));
                for (size_t i = 0; i < p->n_entries; i++)
                        if (streq(p->entries[i].words, words)) {
                                if (found)
                                        finding(p, p->entries[i].line, "'netctl %s' is documented twice",
                                                words);
                                found = &p->entries[i];
                                found->matched = true;
                        }
                if (!found) {
                        finding(p, 0, "'netctl %s' is missing from the page", words);
                        continue;
                }
                entry_check(p, found, c);
        }
        for (size_t i = 0; i < p->n_entries; i++)
                if (!p->entries[i].matched)
                        finding(p, p->entries[i].line,
                                "the page documents 'netctl %s', the table has no such command",
                                p->entries[i].words);
        return p->findings;
}

/* ---- the checker on a small table, so that it is known to fail ---- */

static const struct command_flag fake_network_add_flags[] = {
        {"cidr", "cidr", FLAG_STRING, "CIDR", "prefix"},
        {"reserve", "reserve", FLAG_STRINGS, "START-END", "reserved range"},
        {"vni", "vni", FLAG_INT, "N", "VXLAN identifier"},
        {NULL},
};

static const struct command_flag fake_capacity_flags[] = {
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {"csv", NULL, FLAG_FORMAT, NULL, "print CSV", OUTPUT_CSV},
        {NULL},
};

static const struct command fake_table[] = {
        {.words = {"network", "add"},
         .args = {{"NAME", "name"}},
         .flags = fake_network_add_flags,
         .proto = "network.add"},
        {.words = {"fabric", "sync"}, .args = {{"HOST", "host"}}, .proto = "fabric.sync"},
        {.words = {"host", "list"}, .proto = "host.list"},
        {.words = {"report", "capacity"}, .flags = fake_capacity_flags, .proto = "report.capacity"},
        {},
};

static const char fake_page[] = "x(1)\n"
                                "\n"
                                "# COMMANDS\n"
                                "\n"
                                "## Networks\n"
                                "\n"
                                "*netctl network add* _NAME_ *--cidr* _CIDR_\n"
                                "\\[*--reserve* _START-END_]... [*--vni* _N_]\n"
                                "\tDefine a network.\n"
                                "\n"
                                "\t*--cidr* _CIDR_\n"
                                "\t\tThe prefix.\n"
                                "\n"
                                "\t*--reserve* _START-END_\n"
                                "\t\tA range.\n"
                                "\n"
                                "\t*--vni* _N_\n"
                                "\t\tThe VNI.\n"
                                "\n"
                                "*netctl fabric sync* [_HOST_]++\n"
                                "*netctl host list*\n"
                                "\tSync, list.\n"
                                "\n"
                                "The commands in a group share their description.\n"
                                "\n"
                                "*netctl report capacity* [*--json* | *--csv*]\n"
                                "\tReport.\n"
                                "\n"
                                "\t*--json*\n"
                                "\t\tJSON.\n"
                                "\n"
                                "\t*--csv*\n"
                                "\t\tCSV.\n"
                                "\n"
                                "# SEE ALSO\n"
                                "\n"
                                "*netctl fabric status*\n";

/* Runs the checker on fake_page with `from` replaced by `to`; returns the
 * findings as one string (caller frees). */
static char *check_edited(const char *from, const char *to, unsigned *ret_n) {
        const char *at = strstr(fake_page, from);
        _cleanup_free_ char *page = NULL;
        char *findings = NULL;
        size_t size = 0;
        FILE *out;

        assert_non_null(at);
        assert_true(asprintf(&page, "%.*s%s%s", (int)(at - fake_page), fake_page, to, at + strlen(from)) > 0);
        out = open_memstream(&findings, &size);
        assert_non_null(out);
        *ret_n = manpage_check("page", page, fake_table, out);
        fclose(out);
        return findings;
}

static void assert_finding(const char *from, const char *to, const char *expected) {
        unsigned n;
        _cleanup_free_ char *findings = check_edited(from, to, &n);

        if (n == 0 || !strstr(findings, expected))
                fail_msg("replacing \"%s\" by \"%s\": expected a finding with \"%s\", got %u:\n%s", from, to,
                         expected, n, findings);
}

static void test_fake_page_agrees(void **state _unused_) {
        unsigned n;
        _cleanup_free_ char *findings = check_edited("", "", &n);

        if (n != 0)
                fail_msg("%s", findings);
}

static void test_finds_missing_flag(void **state _unused_) {
        assert_finding(" [*--vni* _N_]", "",
                       "'netctl network add': --vni is missing from the page's synopsis");
        assert_finding("\t*--vni* _N_\n", "\tThe VNI\n", "'netctl network add': --vni has no description");
        assert_finding(" | *--csv*", "", "'netctl report capacity': --csv is missing");
}

static void test_finds_unknown_flag(void **state _unused_) {
        /* A description below a group of synopses is every member's. */
        assert_finding("\tSync, list.\n", "\tSync, list.\n\n\t*--force*\n\t\tForce.\n",
                       "'netctl host list': the page describes --force, the table has no such flag");
        assert_finding("[*--vni* _N_]", "[*--vni* _N_] [*--mtu* _N_]",
                       "'netctl network add': the page has --mtu, the table has no such flag");
        assert_finding("\t*--vni* _N_\n", "\t*--vni* _N_\n\n\t*--mtu* _N_\n",
                       "'netctl network add': the page describes --mtu, the table has no such flag");
}

static void test_finds_missing_command(void **state _unused_) {
        assert_finding("*netctl fabric sync* [_HOST_]++\n", "",
                       "'netctl fabric sync' is missing from the page");
        assert_finding("*netctl host list*\n", "", "'netctl host list' is missing from the page");
        /* Outside COMMANDS a synopsis does not count. */
        assert_finding("# SEE ALSO\n", "", "page:36: the page documents 'netctl fabric status'");
        assert_finding("*netctl report capacity* [*--json* | *--csv*]\n\tReport.\n\n", "",
                       "'netctl report capacity' is missing from the page");
}

static void test_finds_unknown_command(void **state _unused_) {
        assert_finding("## Networks\n", "## Networks\n\n*netctl network frob* _NAME_\n\tFrob.\n",
                       "page:7: the page documents 'netctl network frob', the table has no such command");
        assert_finding("*netctl fabric sync* [_HOST_]++\n",
                       "*netctl fabric sync* [_HOST_]++\n*netctl fabric sync* [_HOST_]++\n",
                       "'netctl fabric sync' is documented twice");
}

static void test_finds_wrong_arguments(void **state _unused_) {
        assert_finding("add* _NAME_", "add* _NET_",
                       "'netctl network add': argument 1 is NET on the page, NAME");
        assert_finding("add* _NAME_", "add*", "'netctl network add': argument NAME is missing");
        assert_finding("[_HOST_]", "[_HOST_] [_NODE_]",
                       "'netctl fabric sync': the page has an argument NODE");
        assert_finding("[_HOST_]", "_HOST_",
                       "'netctl fabric sync': argument HOST is optional, the page has it "
                       "without brackets");
        assert_finding("add* _NAME_", "add* [_NAME_]",
                       "argument NAME is required, the page has it in brackets");
}

static void test_finds_wrong_flag_shape(void **state _unused_) {
        assert_finding("*--cidr* _CIDR_\n\\[", "*--cidr* _PREFIX_\n\\[",
                       "'netctl network add': --cidr takes PREFIX on the page, CIDR in the table");
        assert_finding("*--cidr* _CIDR_\n\\[", "[*--cidr* _CIDR_]\n\\[",
                       "'netctl network add': --cidr is required, the page has it in brackets");
        assert_finding("[*--vni* _N_]", "*--vni* _N_", "--vni is optional, the page has it without brackets");
        assert_finding("[*--vni* _N_]", "[*--vni*]",
                       "'netctl network add': --vni takes N, the page gives no value");
        assert_finding("_START-END_]...", "_START-END_]",
                       "'netctl network add': --reserve is repeatable, the page does not mark it");
        assert_finding("[*--vni* _N_]", "[*--vni* _N_]...",
                       "'netctl network add': --vni is not repeatable, the page marks it");
}

/* ---- the real page ---- */

static char *file_read(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;
        FILE *out;
        char buf[4096];
        size_t n;

        if (!f)
                fail_msg("%s: %s", path, strerror(errno));
        out = open_memstream(&text, &size);
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                fwrite(buf, 1, n, out);
        fclose(out);
        return text;
}

static void test_netctl_page_matches_table(void **state _unused_) {
        const char *data = getenv("NETD_TEST_DATA");
        _cleanup_free_ char *path = NULL, *text = NULL, *findings = NULL;
        size_t size = 0;
        unsigned n;
        FILE *out;

        if (isempty(data))
                fail_msg("NETD_TEST_DATA is not set (the tests/data directory of the source tree)");
        /* NETD_TEST_DATA is SOURCE/tests/data. */
        assert_true(asprintf(&path, "%s/../../docs/netctl.1.scd", data) > 0);
        text = file_read(path);
        out = open_memstream(&findings, &size);
        assert_non_null(out);
        n = manpage_check("docs/netctl.1.scd", text, command_table, out);
        fclose(out);
        if (n > 0)
                fail_msg("the man page and netctl's command table disagree (%u):\n%s", n, findings);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fake_page_agrees),
                cmocka_unit_test(test_finds_missing_flag),
                cmocka_unit_test(test_finds_unknown_flag),
                cmocka_unit_test(test_finds_missing_command),
                cmocka_unit_test(test_finds_unknown_command),
                cmocka_unit_test(test_finds_wrong_arguments),
                cmocka_unit_test(test_finds_wrong_flag_shape),
                cmocka_unit_test(test_netctl_page_matches_table),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
