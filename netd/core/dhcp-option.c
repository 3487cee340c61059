/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/socket.h>

#include "addr.h"
#include "dhcp-option.h"
#include "prefix.h"
#include "validate.h"

#define QUOTE_SIZE 128
/* The longest item: "DEST/PREFIX via GW" of IPv4 addresses. */
#define ITEM_MAX (DHCP_OPTION_VALUE_MAX + 1)

enum item_kind {
        ITEM_IPV4,           /* a dotted quad */
        ITEM_DOMAIN,         /* validate_domain() */
        ITEM_ROUTE,          /* "DEST/PREFIX via GW" */
        ITEM_IPV4_OR_DOMAIN, /* either of the first two */
};

static const struct {
        const char *name;
        enum item_kind kind;
        size_t max_items;
} option_types[] = {
        [DHCP_OPTION_NTP_SERVER] = {"ntp-server", ITEM_IPV4, DHCP_OPTION_ITEMS_MAX},
        [DHCP_OPTION_DNS_SERVER] = {"dns-server", ITEM_IPV4, DHCP_OPTION_ITEMS_MAX},
        [DHCP_OPTION_ROUTER] = {"router", ITEM_IPV4, DHCP_OPTION_ITEMS_MAX},
        [DHCP_OPTION_DOMAIN_SEARCH] = {"domain-search", ITEM_DOMAIN, DHCP_OPTION_ITEMS_MAX},
        [DHCP_OPTION_CLASSLESS_STATIC_ROUTE] = {"classless-static-route", ITEM_ROUTE, DHCP_OPTION_ITEMS_MAX},
        [DHCP_OPTION_LOG_SERVER] = {"log-server", ITEM_IPV4, DHCP_OPTION_ITEMS_MAX},
        /* Option 66 is one text: a single server. */
        [DHCP_OPTION_TFTP_SERVER] = {"tftp-server", ITEM_IPV4_OR_DOMAIN, 1},
};

_Static_assert(ARRAY_SIZE(option_types) == DHCP_OPTION_TYPE_MAX, "one entry per option type");

const char *dhcp_option_name(enum dhcp_option_type t) {
        if ((size_t)t >= ARRAY_SIZE(option_types))
                return NULL;
        return option_types[t].name;
}

int dhcp_option_type_from_name(const char *name, enum dhcp_option_type *ret, struct netd_error *err) {
        char q[QUOTE_SIZE], known[256] = "";
        size_t o = 0;

        for (size_t i = 0; i < ARRAY_SIZE(option_types); i++)
                if (streq(name, option_types[i].name)) {
                        *ret = (enum dhcp_option_type)i;
                        return 0;
                }
        for (size_t i = 0; i < ARRAY_SIZE(option_types) && o < sizeof(known); i++)
                o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s", i ? ", " : "",
                                      option_types[i].name);
        return error_set(err, NETD_EINVALID, "unknown DHCP option \"%s\" (known: %s)",
                         error_quote_untrusted(name, q, sizeof(q)), known);
}

/* A dotted quad (inet_pton: exactly four decimal parts). */
static bool ipv4_parse(const char *s, struct addr *ret) {
        return addr_parse(s, ret, NULL) == 0 && ret->family == AF_INET;
}

/* "DEST/PREFIX via GW": DEST the network address of an IPv4 prefix. */
static int route_parse(const char *opt, const char *item, char *buf, size_t size, struct netd_error *err) {
        static const char via[] = " via ";
        char q[QUOTE_SIZE], dest[ITEM_MAX], p[PREFIX_STRLEN], g[ADDR_STRLEN];
        const char *sep = strstr(item, via);
        struct netd_error inner = {};
        struct prefix prefix;
        struct addr gw;

        if (!sep || (size_t)(sep - item) >= sizeof(dest))
                return error_set(err, NETD_EINVALID, "DHCP option %s: \"%s\" is not DEST/PREFIX via GW", opt,
                                 error_quote_untrusted(item, q, sizeof(q)));
        memcpy(dest, item, (size_t)(sep - item));
        dest[sep - item] = '\0';
        if (prefix_parse(dest, &prefix, &inner) < 0)
                return error_set(err, NETD_EINVALID, "DHCP option %s: route \"%s\": %s", opt,
                                 error_quote_untrusted(item, q, sizeof(q)), inner.message);
        if (prefix.base.family != AF_INET)
                return error_set(err, NETD_EINVALID, "DHCP option %s: route \"%s\": %s is not an IPv4 prefix",
                                 opt, error_quote_untrusted(item, q, sizeof(q)),
                                 prefix_format(&prefix, p, sizeof(p)));
        if (!ipv4_parse(sep + strlen(via), &gw))
                return error_set(err, NETD_EINVALID,
                                 "DHCP option %s: route \"%s\": the gateway is not an IPv4 address", opt,
                                 error_quote_untrusted(item, q, sizeof(q)));
        snprintf(buf, size, "%s via %s", prefix_format(&prefix, p, sizeof(p)),
                 addr_format(&gw, g, sizeof(g)));
        return 0;
}

/* One item of an option of kind `kind`, canonical into buf. */
static int item_parse(const char *opt, enum item_kind kind, const char *item, char *buf, size_t size,
                      struct netd_error *err) {
        char q[QUOTE_SIZE];
        struct addr a;

        switch (kind) {
        case ITEM_ROUTE:
                return route_parse(opt, item, buf, size, err);
        case ITEM_IPV4:
        case ITEM_IPV4_OR_DOMAIN:
                if (ipv4_parse(item, &a)) {
                        addr_format(&a, buf, size);
                        return 0;
                }
                /* Digits and dots that are no address are no host name either. */
                if (kind == ITEM_IPV4 || item[strspn(item, "0123456789.")] == '\0')
                        return error_set(err, NETD_EINVALID, "DHCP option %s: \"%s\" is not an IPv4 address",
                                         opt, error_quote_untrusted(item, q, sizeof(q)));
                break;
        case ITEM_DOMAIN:
                break;
        }
        if (!validate_domain(item))
                return error_set(err, NETD_EINVALID, "DHCP option %s: \"%s\" is not %s", opt,
                                 error_quote_untrusted(item, q, sizeof(q)),
                                 kind == ITEM_DOMAIN ? "a domain name" : "an IPv4 address or a domain name");
        strscpy(buf, size, item);
        return 0;
}

int dhcp_option_from_value(enum dhcp_option_type t, const char *value, struct dhcp_option *ret,
                           struct netd_error *err) {
        char q[QUOTE_SIZE], out[DHCP_OPTION_VALUE_MAX + 1] = "";
        const char *opt = dhcp_option_name(t), *p;
        size_t n_items = 0, o = 0;

        if (!opt)
                return error_set(err, NETD_EINVALID, "unknown DHCP option type %d", (int)t);
        if (!value || !*value)
                return error_set(err, NETD_EINVALID, "DHCP option %s: the value is empty", opt);
        if (strlen(value) > DHCP_OPTION_VALUE_MAX)
                return error_set(err, NETD_EINVALID,
                                 "DHCP option %s: the value is too long (%zu characters, at most %d)", opt,
                                 strlen(value), DHCP_OPTION_VALUE_MAX);
        for (p = value;; n_items++) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                char item[ITEM_MAX], canon[ITEM_MAX];
                int r;

                if (len == 0)
                        return error_set(err, NETD_EINVALID, "DHCP option %s: \"%s\" has an empty item", opt,
                                         error_quote_untrusted(value, q, sizeof(q)));
                if (n_items == option_types[t].max_items)
                        return error_set(err, NETD_EINVALID, "DHCP option %s: more than %zu value%s", opt,
                                         option_types[t].max_items,
                                         option_types[t].max_items == 1 ? "" : "s");
                memcpy(item, p, len);
                item[len] = '\0';
                r = item_parse(opt, option_types[t].kind, item, canon, sizeof(canon), err);
                if (r < 0)
                        return r;
                if (o + (n_items ? 1 : 0) + strlen(canon) >= sizeof(out))
                        return error_set(err, NETD_EINVALID, "DHCP option %s: the value is too long", opt);
                o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", n_items ? "," : "", canon);
                if (!comma)
                        break;
                p = comma + 1;
        }
        ret->type = t;
        memcpy(ret->value, out, o + 1);
        return 0;
}

int dhcp_option_parse(const char *spec, struct dhcp_option *ret, struct netd_error *err) {
        const char *eq = spec ? strchr(spec, '=') : NULL;
        _cleanup_free_ char *name = NULL;
        enum dhcp_option_type t;
        char q[QUOTE_SIZE];
        int r;

        if (!eq)
                return error_set(err, NETD_EINVALID, "DHCP option \"%s\": expected NAME=VALUE",
                                 error_quote_untrusted(spec, q, sizeof(q)));
        name = strndup(spec, (size_t)(eq - spec));
        if (!name)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = dhcp_option_type_from_name(name, &t, err);
        if (r < 0)
                return r;
        return dhcp_option_from_value(t, eq + 1, ret, err);
}

bool dhcp_option_dnsmasq_value(const struct dhcp_option *o, char *buf, size_t size) {
        struct dhcp_option again;
        size_t n = 0;

        /* Whoever filled `o`, only a value of its type goes out. */
        if (!o || dhcp_option_from_value(o->type, o->value, &again, NULL) < 0 || size == 0)
                return false;
        for (const char *p = again.value; *p; p++) {
                const char *rest = p;

                /* "DEST/PREFIX via GW" -> "DEST/PREFIX,GW" */
                if (option_types[o->type].kind == ITEM_ROUTE && strncmp(p, " via ", 5) == 0) {
                        rest = ",";
                        p += 4;
                }
                if (n + 1 >= size)
                        return false;
                buf[n++] = *rest;
        }
        buf[n] = '\0';
        return true;
}
