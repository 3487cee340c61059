/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "addr.h"
#include "bmc.h"

#define PORT_MAX 65535u
#define QUOTE_SIZE 128

static const char *const scheme_names[] = {
        [BMC_SCHEME_REDFISH_VIRTUALMEDIA] = "redfish-virtualmedia",
        [BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTP] = "redfish-virtualmedia+http",
        [BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTPS] = "redfish-virtualmedia+https",
        [BMC_SCHEME_REDFISH] = "redfish",
        [BMC_SCHEME_REDFISH_HTTP] = "redfish+http",
        [BMC_SCHEME_REDFISH_HTTPS] = "redfish+https",
};

const char *bmc_scheme_to_string(enum bmc_scheme s) {
        if ((size_t)s >= ARRAY_SIZE(scheme_names))
                return NULL;
        return scheme_names[s];
}

static enum bmc_scheme scheme_from_string(const char *s) {
        for (size_t i = 0; i < ARRAY_SIZE(scheme_names); i++)
                if (streq(s, scheme_names[i]))
                        return (enum bmc_scheme)i;
        return BMC_SCHEME_OTHER;
}

bool bmc_is_https(const struct bmc *b) {
        size_t n = strlen(b->scheme_name);

        return !(n >= 5 && streq(b->scheme_name + n - 5, "+http"));
}

bool bmc_is_virtualmedia(const struct bmc *b) {
        return b->scheme == BMC_SCHEME_REDFISH_VIRTUALMEDIA ||
               b->scheme == BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTP ||
               b->scheme == BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTPS;
}

/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), kept lowercase. */
static bool scheme_is_valid(const char *s, size_t len) {
        if (len == 0 || len > BMC_SCHEME_MAX_LEN || !(s[0] >= 'a' && s[0] <= 'z'))
                return false;
        for (size_t i = 1; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("+-.", s[i])))
                        return false;
        return true;
}

/* 1-65535 in decimal, nothing else. */
static bool port_parse(const char *s, size_t len, unsigned *ret) {
        unsigned v = 0;

        if (len == 0 || len > 5)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v < 1 || v > PORT_MAX)
                return false;
        *ret = v;
        return true;
}

/* HOST[:PORT] of s..end into ret; port_required for a host's --bmc. */
static int authority_parse(const char *what, const char *q, const char *s, const char *end,
                           bool port_required, struct bmc *ret, struct netd_error *err) {
        const char *host = s, *host_end, *port = NULL;
        struct addr a;
        size_t len;

        if (s < end && s[0] == '[') {
                const char *close = memchr(s, ']', (size_t)(end - s));

                if (!close || (close + 1 < end && close[1] != ':'))
                        return error_set(err, NETD_EINVALID, "%s \"%s\": expected [IPV6]:PORT", what, q);
                host = s + 1;
                host_end = close;
                if (close + 1 < end)
                        port = close + 2;
                ret->host_is_ipv6 = true;
        } else {
                const char *colon = NULL;

                for (const char *p = s; p < end; p++)
                        if (*p == ':') {
                                if (colon)
                                        return error_set(err, NETD_EINVALID,
                                                         "%s \"%s\": an IPv6 address goes in brackets, e.g. "
                                                         "[2001:db8::1]:8000",
                                                         what, q);
                                colon = p;
                        }
                host_end = colon ? colon : end;
                if (colon)
                        port = colon + 1;
        }
        len = (size_t)(host_end - host);
        if (len == 0 || len >= sizeof(ret->host))
                return error_set(err, NETD_EINVALID, "%s \"%s\": expected %s", what, q,
                                 ret->host_is_ipv6 ? "[IPV6]:PORT" : "HOST:PORT");
        memcpy(ret->host, host, len);
        ret->host[len] = '\0';

        if (ret->host_is_ipv6) {
                if (addr_parse(ret->host, &a, NULL) < 0 || a.family != AF_INET6)
                        return error_set(err, NETD_EINVALID,
                                         "%s \"%s\": the part in brackets is not an IPv6 address", what, q);
        } else if (ret->host[strspn(ret->host, "0123456789.")] == '\0') {
                /* all digits and dots reads as an IPv4 address, never as a name */
                if (addr_parse(ret->host, &a, NULL) < 0 || a.family != AF_INET)
                        return error_set(err, NETD_EINVALID, "%s \"%s\": %s is not an IPv4 address", what, q,
                                         ret->host);
        } else if (!validate_domain(ret->host))
                return error_set(err, NETD_EINVALID,
                                 "%s \"%s\": the host is neither a domain name nor an IP address", what, q);

        if (!port) {
                if (port_required)
                        return error_set(err, NETD_EINVALID, "%s \"%s\": expected HOST:PORT", what, q);
                return 0;
        }
        if (!port_parse(port, (size_t)(end - port), &ret->port))
                return error_set(err, NETD_EINVALID, "%s \"%s\": the port must be a number in 1-%u", what, q,
                                 PORT_MAX);
        return 0;
}

/* SCHEME:// at the start of s: its length (without "://"), or 0. */
static size_t scheme_prefix(const char *s) {
        const char *sep = strstr(s, "://");

        return sep ? (size_t)(sep - s) : 0;
}

static int scheme_set(const char *what, const char *q, const char *s, size_t len, bool known_only,
                      struct bmc *ret, struct netd_error *err) {
        if (!scheme_is_valid(s, len))
                return error_set(err, NETD_EINVALID, "%s \"%s\": the scheme is not valid", what, q);
        memcpy(ret->scheme_name, s, len);
        ret->scheme_name[len] = '\0';
        ret->scheme = scheme_from_string(ret->scheme_name);
        if (known_only && ret->scheme == BMC_SCHEME_OTHER)
                return error_set(
                        err, NETD_EINVALID,
                        "%s \"%s\": the scheme must be one of redfish-virtualmedia, "
                        "redfish-virtualmedia+http, redfish-virtualmedia+https, redfish, redfish+http, "
                        "redfish+https",
                        what, q);
        return 0;
}

/* Control bytes and non-ASCII are refused as a whole; a space reaches the
 * host or path check, which names the part it spoils. */
static bool text_is_printable(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
                        return false;
        return true;
}

int bmc_parse(const char *what, const char *s, struct bmc *ret, struct netd_error *err) {
        char q[QUOTE_SIZE];
        size_t slen;
        int r;

        *ret = (struct bmc){0};
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        error_quote_untrusted(s, q, sizeof(q));
        slen = strlen(s);
        if (slen > BMC_URL_MAX - 64 || !text_is_printable(s))
                return error_set(err, NETD_EINVALID, "%s \"%s\" is not HOST:PORT or SCHEME://HOST:PORT", what,
                                 q);
        if (scheme_prefix(s) > 0) {
                size_t n = scheme_prefix(s);

                r = scheme_set(what, q, s, n, true, ret, err);
                if (r < 0)
                        return r;
                s += n + 3;
        } else {
                ret->scheme = BMC_SCHEME_REDFISH_VIRTUALMEDIA;
                strscpy(ret->scheme_name, sizeof(ret->scheme_name), scheme_names[ret->scheme]);
        }
        if (strchr(s, '/'))
                return error_set(err, NETD_EINVALID,
                                 "%s \"%s\": nothing may follow the port (netd adds the path)", what, q);
        return authority_parse(what, q, s, s + strlen(s), true, ret, err);
}

static bool path_char_ok(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               strchr("/._~:@%+=,-", c);
}

int bmc_url_parse(const char *what, const char *s, struct bmc *ret, struct netd_error *err) {
        char q[QUOTE_SIZE];
        const char *auth, *slash;
        size_t n;
        int r;

        *ret = (struct bmc){0};
        if (!s)
                return error_set(err, NETD_EINVALID, "%s is missing", what);
        error_quote_untrusted(s, q, sizeof(q));
        if (strlen(s) > BMC_URL_MAX || !text_is_printable(s))
                return error_set(err, NETD_EINVALID, "%s \"%s\" is not a BMC URL", what, q);
        n = scheme_prefix(s);
        if (n == 0)
                return error_set(err, NETD_EINVALID, "%s \"%s\": expected SCHEME://HOST[:PORT][/PATH]", what,
                                 q);
        r = scheme_set(what, q, s, n, false, ret, err);
        if (r < 0)
                return r;
        auth = s + n + 3;
        slash = strchr(auth, '/');
        if (slash) {
                for (const char *p = slash; *p; p++)
                        if (!path_char_ok(*p))
                                return error_set(err, NETD_EINVALID,
                                                 "%s \"%s\": the path may hold only [A-Za-z0-9/._~:@%%+=,-]",
                                                 what, q);
                if (!strscpy(ret->path, sizeof(ret->path), slash))
                        return error_set(err, NETD_EINVALID, "%s \"%s\": the path is too long", what, q);
        }
        return authority_parse(what, q, auth, slash ? slash : auth + strlen(auth), false, ret, err);
}

int bmc_authority(const struct bmc *b, char *buf, size_t size) {
        int n;

        if (b->port)
                n = snprintf(buf, size, b->host_is_ipv6 ? "[%s]:%u" : "%s:%u", b->host, b->port);
        else
                n = snprintf(buf, size, b->host_is_ipv6 ? "[%s]" : "%s", b->host);
        return n < 0 || (size_t)n >= size ? NETD_EINVALID : 0;
}

bool bmc_uuid_is_valid(const char *s) {
        if (!s || strlen(s) != 36)
                return false;
        for (size_t i = 0; s[i]; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;

                if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        }
        return true;
}

int bmc_system_url(const struct bmc *b, const char *uuid, char *buf, size_t size, struct netd_error *err) {
        char auth[DOMAIN_MAX_LEN + 16];
        int n;

        if (!bmc_uuid_is_valid(uuid))
                return error_set(err, NETD_EINVALID, "BMC %s: the system's UUID is not valid", b->host);
        if (bmc_authority(b, auth, sizeof(auth)) < 0)
                return error_set(err, NETD_EINVALID, "BMC %s: the address is too long", b->host);
        n = snprintf(buf, size, "%s://%s/redfish/v1/Systems/%s", b->scheme_name, auth, uuid);
        if (n < 0 || (size_t)n >= size)
                return error_set(err, NETD_EINVALID, "BMC %s: the system's URL is too long", b->host);
        return 0;
}
