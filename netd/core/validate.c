/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "validate.h"

#define QUOTE_SIZE 128

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

enum label_problem {
        LABEL_OK,
        LABEL_EMPTY,
        LABEL_TOO_LONG,
        LABEL_BAD_CHAR,
        LABEL_BAD_EDGE,
};

static enum label_problem label_check(const char *s, size_t n) {
        if (n == 0)
                return LABEL_EMPTY;
        if (n > NAME_MAX_LEN)
                return LABEL_TOO_LONG;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return LABEL_BAD_CHAR;
        if (s[0] == '-' || s[n - 1] == '-')
                return LABEL_BAD_EDGE;
        return LABEL_OK;
}

bool validate_name(const char *s) {
        return s && label_check(s, strlen(s)) == LABEL_OK;
}

int validate_name_check(const char *what, const char *s, struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        error_quote_untrusted(s, q, sizeof(q));
        switch (label_check(s, strlen(s))) {
        case LABEL_OK:
                return 0;
        case LABEL_EMPTY:
                return error_set(err, NETD_EINVALID, "%s is empty", what);
        case LABEL_TOO_LONG:
                return error_set(err, NETD_EINVALID, "%s \"%s\" is too long (%zu characters, at most %d)",
                                 what, q, strlen(s), NAME_MAX_LEN);
        case LABEL_BAD_CHAR:
                return error_set(err, NETD_EINVALID,
                                 "%s \"%s\": only lowercase letters, digits and '-' are allowed", what, q);
        case LABEL_BAD_EDGE:
                return error_set(err, NETD_EINVALID, "%s \"%s\" must start and end with a letter or digit",
                                 what, q);
        }
        return error_set(err, NETD_EINTERNAL, "%s: unexpected validation result", what);
}

/* The first problem of a domain, or LABEL_OK. */
static enum label_problem domain_problem(const char *s) {
        size_t n = strlen(s);
        const char *p = s, *end = s + n;

        if (n == 0)
                return LABEL_EMPTY;
        if (n > DOMAIN_MAX_LEN)
                return LABEL_TOO_LONG;
        for (;;) {
                const char *dot = memchr(p, '.', (size_t)(end - p));
                const char *label_end = dot ? dot : end;
                enum label_problem r = label_check(p, (size_t)(label_end - p));

                if (r != LABEL_OK)
                        return r;
                if (!dot)
                        return LABEL_OK;
                p = dot + 1;
        }
}

bool validate_domain(const char *s) {
        return s && domain_problem(s) == LABEL_OK;
}

int validate_domain_check(const char *what, const char *s, struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        error_quote_untrusted(s, q, sizeof(q));
        switch (domain_problem(s)) {
        case LABEL_OK:
                return 0;
        case LABEL_EMPTY:
                if (!*s)
                        return error_set(err, NETD_EINVALID, "%s is empty", what);
                return error_set(err, NETD_EINVALID, "%s \"%s\" has an empty label", what, q);
        case LABEL_TOO_LONG:
                if (strlen(s) > DOMAIN_MAX_LEN)
                        return error_set(err, NETD_EINVALID,
                                         "%s \"%s\" is too long (%zu characters, at most %d)", what, q,
                                         strlen(s), DOMAIN_MAX_LEN);
                return error_set(err, NETD_EINVALID, "%s \"%s\" has a label longer than %d characters", what,
                                 q, NAME_MAX_LEN);
        case LABEL_BAD_CHAR:
                return error_set(err, NETD_EINVALID,
                                 "%s \"%s\": only lowercase letters, digits, '-' and '.' are allowed", what,
                                 q);
        case LABEL_BAD_EDGE:
                return error_set(err, NETD_EINVALID,
                                 "%s \"%s\": each label must start and end with a letter or digit", what, q);
        }
        return error_set(err, NETD_EINTERNAL, "%s: unexpected validation result", what);
}

bool validate_ifname(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > IFNAME_MAX_LEN || streq(s, ".") || streq(s, ".."))
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!is_lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '_' && c != '.' && c != '-')
                        return false;
        }
        return true;
}

int validate_ifname_check(const char *what, const char *s, struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (validate_ifname(s))
                return 0;
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        return error_set(err, NETD_EINVALID,
                         "%s \"%s\": an interface name is 1-%d characters of A-Z, a-z, 0-9, '_', '.' and '-'",
                         what, error_quote_untrusted(s, q, sizeof(q)), IFNAME_MAX_LEN);
}
