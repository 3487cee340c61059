/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "error.h"

static const char *const code_names[] = {
        [-NETD_OK] = "ok",
        [-NETD_EINVALID] = "invalid",
        [-NETD_ENOTFOUND] = "not-found",
        [-NETD_EEXISTS] = "exists",
        [-NETD_ECONFLICT] = "conflict",
        [-NETD_EEXHAUSTED] = "exhausted",
        [-NETD_EUNAVAILABLE] = "unavailable",
        [-NETD_EDENIED] = "denied",
        [-NETD_EINTERNAL] = "internal",
};

int error_set(struct netd_error *err, int code, const char *fmt, ...) {
        va_list ap;

        if (!err || err->code != 0)
                return code;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return code;
}

const char *error_code_name(int code) {
        if (code > 0 || -code >= (int)ARRAY_SIZE(code_names))
                return "internal";
        return code_names[-code];
}

int error_code_from_name(const char *name) {
        for (size_t i = 1; i < ARRAY_SIZE(code_names); i++)
                if (streq(code_names[i], name))
                        return -(int)i;
        return NETD_EINTERNAL;
}

const char *error_quote_untrusted(const char *s, char *buf, size_t size) {
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
