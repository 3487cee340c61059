/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "u128.h"

#define U128_MAX (~(u128)0)

const char *u128_format(u128 v, char *buf, size_t size) {
        char digits[U128_DECLEN];
        size_t n = 0, len;

        do {
                digits[n++] = (char)('0' + (unsigned)(v % 10));
                v /= 10;
        } while (v);
        if (size == 0)
                return buf;
        len = n < size ? n : size - 1;
        for (size_t i = 0; i < len; i++)
                buf[i] = digits[n - 1 - i];
        buf[len] = '\0';
        return buf;
}

bool u128_parse(const char *s, u128 *ret) {
        u128 v = 0;

        if (isempty(s))
                return false;
        for (; *s; s++) {
                unsigned d;

                if (*s < '0' || *s > '9')
                        return false;
                d = (unsigned)(*s - '0');
                if (v > (U128_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}
