/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "error.h"
#include "prefix.h"
#include "range.h"

#define QUOTE_SIZE 128

int range_parse(const char *s, const struct prefix *within, const char *what, struct range *ret,
                struct netd_error *err) {
        char q[QUOTE_SIZE], part[ADDR_STRLEN], w[PREFIX_STRLEN];
        const char *dash = s ? strchr(s, '-') : NULL;
        struct range r;

        if (!what)
                what = "range";
        if (!dash || (size_t)(dash - s) >= sizeof(part) || strlen(dash + 1) >= sizeof(part))
                return error_set(err, NETD_EINVALID, "%s \"%s\": expected START-END", what,
                                 error_quote_untrusted(s, q, sizeof(q)));
        memcpy(part, s, (size_t)(dash - s));
        part[dash - s] = '\0';
        if (addr_parse(part, &r.start, NULL) < 0 || addr_parse(dash + 1, &r.end, NULL) < 0)
                return error_set(err, NETD_EINVALID, "%s \"%s\": expected START-END of two addresses", what,
                                 error_quote_untrusted(s, q, sizeof(q)));
        if (r.start.family != r.end.family)
                return error_set(err, NETD_EINVALID, "%s \"%s\": start and end are of different families",
                                 what, error_quote_untrusted(s, q, sizeof(q)));
        if (within && (!prefix_contains(within, &r.start) || !prefix_contains(within, &r.end)))
                return error_set(err, NETD_EINVALID, "%s \"%s\" is not inside %s", what,
                                 error_quote_untrusted(s, q, sizeof(q)), prefix_format(within, w, sizeof(w)));
        if (r.start.value > r.end.value)
                return error_set(err, NETD_EINVALID, "%s \"%s\": the start is after the end", what,
                                 error_quote_untrusted(s, q, sizeof(q)));
        *ret = r;
        return 0;
}

const char *range_format(const struct range *r, char *buf, size_t size) {
        char a[ADDR_STRLEN], b[ADDR_STRLEN];

        snprintf(buf, size, "%s-%s", addr_format(&r->start, a, sizeof(a)),
                 addr_format(&r->end, b, sizeof(b)));
        return buf;
}
