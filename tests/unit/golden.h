/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Golden files of the unit tests: tests/data/DIR/NAME.ok, found through
 * NETD_TEST_DATA; NETD_TEST_REGENERATE=1 rewrites them instead of
 * comparing. Include after <cmocka.h>. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "netd/core/file.h"
#include "netd/core/util.h"

/* The core's file helpers for tests: every failure fails the test (a
 * missing file reads as NULL). */
static inline char *test_path_join(const char *dir, const char *name) {
        char *p = file_path_join(dir, name);
        assert_non_null(p);
        return p;
}

static inline void test_file_write(const char *path, const char *text) {
        assert_int_equal(file_write(path, text, NULL), 0);
}

static inline char *test_file_read(const char *path) {
        char *text = NULL;
        return file_read(path, &text, NULL) < 0 ? NULL : text;
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
        dir = file_path_join(data, subdir);
        assert_true(asprintf(&file, "%s.ok", name) > 0);
        path = file_path_join(dir, file);
        assert_non_null(path);
        if (streq(getenv("NETD_TEST_REGENERATE"), "1")) {
                (void)mkdir(dir, 0755);
                assert_int_equal(file_write(path, text, NULL), 0);
                return;
        }
        if (file_read(path, &expected, NULL) < 0)
                fail_msg("%s: missing golden file (run with NETD_TEST_REGENERATE=1)", path);
        if (!streq(expected, text))
                fail_msg("%s differs from the generated text:\n--- expected\n%s--- got\n%s", path, expected,
                         text);
}
