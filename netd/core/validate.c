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

/* Bytes that may not appear in a URL that lands in a dnsmasq option: a
 * comma ends the option's value, a quote or backslash starts dnsmasq's own
 * quoting, '#' a comment; spaces and control bytes end the word. */
static bool url_byte_ok(unsigned char c) {
        return c > 0x20 && c < 0x7f && c != '"' && c != '#' && c != ',' && c != '\\';
}

static const char *const url_schemes[] = {"http://", "https://", "tftp://"};

/* The first problem of a URL, or NULL. */
static const char *url_problem(const char *s) {
        size_t n = strlen(s), scheme = 0;

        if (n == 0)
                return "is empty";
        if (n > VALIDATE_URL_MAX)
                return "is too long";
        for (size_t i = 0; i < ARRAY_SIZE(url_schemes); i++)
                if (strncmp(s, url_schemes[i], strlen(url_schemes[i])) == 0)
                        scheme = strlen(url_schemes[i]);
        if (scheme == 0)
                return "must start with http://, https:// or tftp://";
        for (size_t i = 0; i < n; i++)
                if (!url_byte_ok((unsigned char)s[i]))
                        return "may not contain spaces, control bytes, '\"', '#', ',' or '\\'";
        if (s[scheme] == '\0' || s[scheme] == '/')
                return "has no host";
        return NULL;
}

bool validate_url(const char *s) {
        return s && !url_problem(s);
}

/* The message for `problem` (NULL: none) of a value that may have at most
 * `limit` characters. */
static int problem_message(const char *what, const char *s, const char *problem, int limit,
                           struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (!problem)
                return 0;
        if (!*s)
                return error_set(err, NETD_EINVALID, "%s is empty", what);
        if (strlen(s) > (size_t)limit)
                return error_set(err, NETD_EINVALID, "%s \"%s\" is too long (%zu characters, at most %d)",
                                 what, error_quote_untrusted(s, q, sizeof(q)), strlen(s), limit);
        return error_set(err, NETD_EINVALID, "%s \"%s\" %s", what, error_quote_untrusted(s, q, sizeof(q)),
                         problem);
}

int validate_url_check(const char *what, const char *s, struct netd_error *err) {
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        return problem_message(what, s, url_problem(s), VALIDATE_URL_MAX, err);
}

/* The characters of boot files and directories: nothing a shell, dnsmasq
 * or TFTP gives a meaning to. */
static bool path_byte_ok(char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '+' || c == '-' ||
               c == '/';
}

static bool path_bytes_ok(const char *s) {
        for (; *s; s++)
                if (!path_byte_ok(*s))
                        return false;
        return true;
}

/* Component [s, s + n) is "." or "..". */
static bool is_dot_component(const char *s, size_t n) {
        return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

/* The first problem of a boot file name, or NULL. */
static const char *boot_file_problem(const char *s) {
        size_t n = strlen(s);

        if (n == 0)
                return "is empty";
        if (n > VALIDATE_BOOT_FILE_MAX)
                return "is too long";
        if (!path_bytes_ok(s))
                return "may only contain A-Z, a-z, 0-9, '.', '_', '+', '-' and '/'";
        if (s[0] == '/')
                return "must be relative to the TFTP root (no leading '/')";
        if (strstr(s, ".."))
                return "may not contain \"..\"";
        if (s[n - 1] == '/')
                return "names a directory (ends with '/')";
        return NULL;
}

bool validate_boot_file(const char *s) {
        return s && !boot_file_problem(s);
}

/* The first problem of an absolute directory path, or NULL. */
static const char *path_problem(const char *s) {
        size_t n = strlen(s);

        if (n == 0)
                return "is empty";
        if (n > VALIDATE_PATH_MAX)
                return "is too long";
        if (!path_bytes_ok(s))
                return "may only contain A-Z, a-z, 0-9, '.', '_', '+', '-' and '/'";
        if (s[0] != '/')
                return "must be an absolute path";
        /* Components between the slashes; one trailing slash is fine. */
        for (const char *p = s + 1; *p;) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t)(slash - p) : strlen(p);

                if (len == 0)
                        return "has an empty component (\"//\")";
                if (is_dot_component(p, len))
                        return "may not have a \".\" or \"..\" component";
                if (!slash)
                        break;
                p = slash + 1;
        }
        return NULL;
}

bool validate_path(const char *s) {
        return s && !path_problem(s);
}

int validate_boot_file_check(const char *what, const char *s, struct netd_error *err) {
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        return problem_message(what, s, boot_file_problem(s), VALIDATE_BOOT_FILE_MAX, err);
}

int validate_path_check(const char *what, const char *s, struct netd_error *err) {
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        return problem_message(what, s, path_problem(s), VALIDATE_PATH_MAX, err);
}
