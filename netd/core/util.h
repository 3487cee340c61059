/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every part of netd: cleanup attributes, string
 * comparison, array sizes. Destructors used with _cleanup_ accept NULL. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline bool streq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static inline bool isempty(const char *s) {
        return !s || !*s;
}

static inline void freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* The value of pointer `p`, which is cleared: an object owned by a cleanup
 * attribute handed over to the caller. */
#define TAKE_PTR(p)                                                                                          \
        ({                                                                                                   \
                typeof(p) _taken = (p);                                                                      \
                (p) = NULL;                                                                                  \
                _taken;                                                                                      \
        })

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Copy a NUL-terminated string into a fixed buffer; returns false when it
 * did not fit (the buffer then holds a truncated, terminated copy). */
static inline bool strscpy(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);
        if (size == 0)
                return false;
        if (n >= size) {
                memcpy(dst, src, size - 1);
                dst[size - 1] = '\0';
                return false;
        }
        memcpy(dst, src, n + 1);
        return true;
}
