/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "validate.h"

#define QUOTE_SIZE 128

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
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

bool name_is_valid(const char *s) {
        return s && label_check(s, strlen(s)) == LABEL_OK;
}

int name_check(const char *what, const char *s, struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        quote_untrusted(s, q, sizeof(q));
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

bool domain_is_valid(const char *s) {
        return s && domain_problem(s) == LABEL_OK;
}

int domain_check(const char *what, const char *s, struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        quote_untrusted(s, q, sizeof(q));
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

bool ifname_is_valid(const char *s) {
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

int ifname_check(const char *what, const char *s, struct netd_error *err) {
        char q[QUOTE_SIZE];

        if (ifname_is_valid(s))
                return 0;
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        return error_set(err, NETD_EINVALID,
                         "%s \"%s\": an interface name is 1-%d characters of A-Z, a-z, 0-9, '_', '.' and '-'",
                         what, quote_untrusted(s, q, sizeof(q)), IFNAME_MAX_LEN);
}

int mac_parse(const char *s, mac_t *ret, struct netd_error *err) {
        char q[QUOTE_SIZE], f[MAC_STRLEN];
        mac_t mac = 0;

        if (!s || strlen(s) != MAC_STRLEN - 1)
                goto bad_form;
        for (size_t i = 0; i < MAC_STRLEN - 1; i++) {
                if (i % 3 == 2) {
                        if (s[i] != ':')
                                goto bad_form;
                        continue;
                }
                int v = hex_value(s[i]);
                if (v < 0)
                        goto bad_form;
                mac = (mac << 4) | (mac_t)v;
        }
        if (mac == 0)
                return error_set(err, NETD_EINVALID, "MAC %s is all zeros", mac_format(mac, f, sizeof(f)));
        if ((mac >> 40) & 1)
                return error_set(err, NETD_EINVALID, "MAC %s is a multicast address",
                                 mac_format(mac, f, sizeof(f)));
        *ret = mac;
        return 0;

bad_form:
        return error_set(err, NETD_EINVALID, "MAC \"%s\" is not of the form xx:xx:xx:xx:xx:xx",
                         quote_untrusted(s, q, sizeof(q)));
}

const char *mac_format(mac_t mac, char *buf, size_t size) {
        snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(mac >> 40) & 0xff,
                 (unsigned)(mac >> 32) & 0xff, (unsigned)(mac >> 24) & 0xff, (unsigned)(mac >> 16) & 0xff,
                 (unsigned)(mac >> 8) & 0xff, (unsigned)mac & 0xff);
        return buf;
}

const char *quote_untrusted(const char *s, char *buf, size_t size) {
        static const char ellipsis[] = "...";
        size_t o = 0, cut = 0; /* cut: the last token boundary with room for the ellipsis */

        if (size == 0)
                return buf;
        if (!s)
                s = "(null)";
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                /* The backslash and the quote are escaped too, so that a quoted
                 * value cannot imitate an escape or end its quotes early. */
                bool plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '"';
                size_t need = plain ? 1 : 4;

                if (o + need + 1 > size) {
                        if (size >= sizeof(ellipsis)) {
                                memcpy(buf + cut, ellipsis, sizeof(ellipsis));
                                return buf;
                        }
                        break;
                }
                if (plain)
                        buf[o] = (char)c;
                else
                        snprintf(buf + o, size - o, "\\x%02x", c);
                o += need;
                if (o + sizeof(ellipsis) <= size)
                        cut = o;
        }
        buf[o] = '\0';
        return buf;
}
