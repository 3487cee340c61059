/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "text.h"

void text_kv(FILE *out, const char *key, const char *fmt, ...) {
        va_list ap;

        /* A key as long as the column still gets its blank. */
        fprintf(out, "%-*s%s", TEXT_KEY_WIDTH, key, strlen(key) >= TEXT_KEY_WIDTH ? " " : "");
        va_start(ap, fmt);
        vfprintf(out, fmt, ap);
        va_end(ap);
        fputc('\n', out);
}

const char *text_or_dash(const char *s) {
        return s ? s : "-";
}

const char *text_plural(u128 n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

void text_details_add(struct text_details *d, const char *label, const char *value) {
        if (!value || d->len >= sizeof(d->buf))
                return;
        d->len += (size_t)snprintf(d->buf + d->len, sizeof(d->buf) - d->len, "%s%s %s", d->len ? ", " : " (",
                                   label, value);
}

const char *text_details_end(struct text_details *d) {
        if (d->len > 0 && d->len < sizeof(d->buf))
                snprintf(d->buf + d->len, sizeof(d->buf) - d->len, ")");
        return d->buf;
}
