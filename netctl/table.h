/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text table of netctl's views: rows of cells, each column as wide as
 * its header and its widest cell, columns two blanks apart, no blanks at
 * the end of a line. A header starting with '>' is a right-aligned
 * (numeric) column; the '>' is not printed. An absent (NULL) cell prints
 * "-", an empty one nothing. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "netd/core/error.h"

#define TABLE_MAX_COLS 16

struct table {
        size_t n_cols;
        const char *headers[TABLE_MAX_COLS];
        char **cells; /* n_rows * n_cols, row by row */
        size_t n_rows, n_alloc;
        bool failed; /* out of memory: table_print() reports it */
};

/* Start a table with the NULL-terminated `headers` (not copied). */
void table_init(struct table *t, const char *const *headers);

/* Add a row: exactly one `const char *` per column (copied). */
void table_row(struct table *t, ...);
/* Add a row from an array of `n` cells (copied); missing ones are NULL. */
void table_row_cells(struct table *t, const char *const *cells, size_t n);

/* The width of every column, into width[TABLE_MAX_COLS]. */
void table_widths(const struct table *t, size_t *width);

/* Print the header and rows [from, to) with the given widths: a table
 * printed in sections keeps the widths of the whole, so they line up. */
void table_print_rows(const struct table *t, const size_t *width, size_t from, size_t to, FILE *out);

/* Print the whole table and release it. Returns 0, or NETD_EINTERNAL with
 * err filled when a row could not be stored (nothing is printed then). */
int table_print(struct table *t, FILE *out, struct netd_error *err);

/* Release the rows; the table is empty afterwards. */
void table_free(struct table *t);
