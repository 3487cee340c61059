/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's text table (netctl/table.c): columns as wide as their widest
 * cell, two blanks apart, right-aligned numeric columns, "-" for absent
 * cells, no blanks at the end of a line, sections that line up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl/table.h"

/* Prints the table into a string (and releases it). */
static char *print(struct table *t, int *ret_r) {
        struct netd_error err = {0};
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        *ret_r = table_print(t, f, &err);
        assert_int_equal(fclose(f), 0);
        assert_null(t->cells);
        assert_int_equal(t->n_rows, 0);
        return buf;
}

static void test_table_align(void **state _unused_) {
        static const char *const headers[] = {"NAME", ">COUNT", "NOTE", NULL};
        _cleanup_free_ char *text = NULL;
        struct table t;
        int r;

        table_init(&t, headers);
        assert_int_equal(t.n_cols, 3);
        table_row(&t, "lab", "254", "a note");
        table_row(&t, "a-longer-name", "7", NULL);
        table_row(&t, "x", "1208925819614629174706175", "");
        text = print(&t, &r);
        assert_int_equal(r, 0);
        assert_string_equal(text, "NAME                               COUNT  NOTE\n"
                                  "lab                                  254  a note\n"
                                  "a-longer-name                          7  -\n"
                                  "x              1208925819614629174706175\n");
}

/* Empty cells and empty headers hold their place without trailing blanks;
 * a right-aligned column after them still lines up. */
static void test_table_empty_cells(void **state _unused_) {
        static const char *const headers[] = {"A", "", ">N", "", NULL};
        _cleanup_free_ char *text = NULL;
        struct table t;
        int r;

        table_init(&t, headers);
        table_row(&t, "TOTAL", "", "12", "");
        table_row(&t, "x", "[##]", "3", "tail");
        text = print(&t, &r);
        assert_int_equal(r, 0);
        assert_string_equal(text, "A             N\n"
                                  "TOTAL        12\n"
                                  "x      [##]   3  tail\n");
}

static void test_table_header_only(void **state _unused_) {
        static const char *const headers[] = {"KIND", "NAME", NULL};
        _cleanup_free_ char *text = NULL;
        struct table t;
        int r;

        table_init(&t, headers);
        text = print(&t, &r);
        assert_int_equal(r, 0);
        assert_string_equal(text, "KIND  NAME\n");
}

/* Sections printed with the widths of the whole table line up. */
static void test_table_sections(void **state _unused_) {
        static const char *const headers[] = {"KIND", "NAME", "STATE", NULL};
        size_t width[TABLE_MAX_COLS];
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        struct table t;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        table_init(&t, headers);
        table_row(&t, "bridge", "br-lab", "ok");
        table_row(&t, "libvirt-network", "lab", "missing");
        table_widths(&t, width);
        assert_int_equal(width[0], strlen("libvirt-network"));
        assert_int_equal(width[1], strlen("br-lab"));
        assert_int_equal(width[2], strlen("missing"));
        table_print_rows(&t, width, 0, 1, f);
        table_print_rows(&t, width, 1, 2, f);
        table_free(&t);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(text, "KIND             NAME    STATE\n"
                                  "bridge           br-lab  ok\n"
                                  "KIND             NAME    STATE\n"
                                  "libvirt-network  lab     missing\n");
}

/* Rows beyond the first allocation. */
static void test_table_many_rows(void **state _unused_) {
        static const char *const headers[] = {">N", NULL};
        _cleanup_free_ char *text = NULL;
        struct table t;
        char n[16];
        int r;

        table_init(&t, headers);
        for (int i = 0; i < 100; i++) {
                snprintf(n, sizeof(n), "%d", i);
                table_row(&t, n);
        }
        assert_int_equal(t.n_rows, 100);
        text = print(&t, &r);
        assert_int_equal(r, 0);
        assert_true(strncmp(text, " N\n 0\n 1\n", 9) == 0);
        assert_non_null(strstr(text, "\n99\n"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table_align),       cmocka_unit_test(test_table_empty_cells),
                cmocka_unit_test(test_table_header_only), cmocka_unit_test(test_table_sections),
                cmocka_unit_test(test_table_many_rows),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
