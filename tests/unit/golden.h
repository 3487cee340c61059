/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Golden files of the unit tests: tests/data/DIR/NAME.ok, found through
 * NETD_TEST_DATA; NETD_TEST_REGENERATE=1 rewrites them instead of
 * comparing. Include after <cmocka.h>. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "netd/core/util.h"

static inline char *path_join(const char *dir, const char *name) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static inline void file_write(const char *path, const char *text) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
}

static inline char *file_read(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0, n = 0;

        if (!f)
                return NULL;
        for (;;) {
                if (size - n < 2) {
                        size = size ? 2 * size : 4096;
                        buf = realloc(buf, size);
                        assert_non_null(buf);
                }
                size_t r = fread(buf + n, 1, size - n - 1, f);
                n += r;
                if (r == 0)
                        break;
        }
        assert_false(ferror(f));
        buf[n] = '\0';
        return buf;
}

/* Compares text with tests/data/SUBDIR/NAME.ok, or rewrites that file
 * when NETD_TEST_REGENERATE=1. */
static inline void golden_check_in(const char *subdir, const char *name, const char *text) {
        const char *data = getenv("NETD_TEST_DATA");
        _cleanup_free_ char *dir = NULL, *file = NULL, *path = NULL, *expected = NULL;

        assert_non_null(text);
        if (!data) {
                fail_msg("NETD_TEST_DATA is not set");
                return;
        }
        dir = path_join(data, subdir);
        assert_true(asprintf(&file, "%s.ok", name) > 0);
        path = path_join(dir, file);
        if (streq(getenv("NETD_TEST_REGENERATE"), "1")) {
                (void)mkdir(dir, 0755);
                file_write(path, text);
                return;
        }
        expected = file_read(path);
        if (!expected)
                fail_msg("%s: missing golden file (run with NETD_TEST_REGENERATE=1)", path);
        if (!streq(expected, text))
                fail_msg("%s differs from the generated text:\n--- expected\n%s--- got\n%s", path, expected,
                         text);
}
