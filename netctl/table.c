/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "table.h"

void table_init(struct table *t, const char *const *headers) {
        *t = (struct table){0};
        while (headers[t->n_cols] && t->n_cols < TABLE_MAX_COLS) {
                t->headers[t->n_cols] = headers[t->n_cols];
                t->n_cols++;
        }
}

/* Room for one more row; false (and the table failed) without. */
static bool row_reserve(struct table *t) {
        if (t->failed)
                return false;
        if (t->n_rows == t->n_alloc) {
                size_t n = t->n_alloc ? t->n_alloc * 2 : 16;
                char **c = reallocarray(t->cells, n * t->n_cols, sizeof(*c));
                if (!c) {
                        t->failed = true;
                        return false;
                }
                t->cells = c;
                t->n_alloc = n;
        }
        return true;
}

static void cell_set(struct table *t, size_t col, const char *s) {
        char **cell = &t->cells[t->n_rows * t->n_cols + col];

        *cell = strdup(s ? s : "-");
        t->failed = t->failed || !*cell;
}

void table_row(struct table *t, ...) {
        va_list ap;

        if (!row_reserve(t))
                return;
        va_start(ap, t);
        for (size_t i = 0; i < t->n_cols; i++)
                cell_set(t, i, va_arg(ap, const char *));
        va_end(ap);
        t->n_rows++;
}

void table_row_cells(struct table *t, const char *const *cells, size_t n) {
        if (!row_reserve(t))
                return;
        for (size_t i = 0; i < t->n_cols; i++)
                cell_set(t, i, i < n ? cells[i] : NULL);
        t->n_rows++;
}

static bool column_is_right(const struct table *t, size_t col) {
        return t->headers[col][0] == '>';
}

static const char *column_header(const struct table *t, size_t col) {
        return t->headers[col] + column_is_right(t, col);
}

/* Padding is held back until more text follows, so no line ends in blanks. */
static void table_line(const struct table *t, const size_t *width, const char *const *cells, FILE *out) {
        size_t pending = 0;

        for (size_t i = 0; i < t->n_cols; i++) {
                size_t len = strlen(cells[i]), pad = width[i] - len;

                if (i > 0)
                        pending += 2;
                if (column_is_right(t, i))
                        pending += pad;
                if (len > 0) {
                        fprintf(out, "%*s%s", (int)pending, "", cells[i]);
                        pending = 0;
                }
                if (!column_is_right(t, i))
                        pending += pad;
        }
        fputc('\n', out);
}

void table_widths(const struct table *t, size_t *width) {
        for (size_t i = 0; i < t->n_cols; i++) {
                width[i] = strlen(column_header(t, i));
                for (size_t row = 0; row < t->n_rows; row++)
                        if (strlen(t->cells[row * t->n_cols + i]) > width[i])
                                width[i] = strlen(t->cells[row * t->n_cols + i]);
        }
}

void table_print_rows(const struct table *t, const size_t *width, size_t from, size_t to, FILE *out) {
        const char *header[TABLE_MAX_COLS];

        for (size_t i = 0; i < t->n_cols; i++)
                header[i] = column_header(t, i);
        table_line(t, width, header, out);
        for (size_t row = from; row < to; row++)
                table_line(t, width, (const char *const *)&t->cells[row * t->n_cols], out);
}

int table_print(struct table *t, FILE *out, struct netd_error *err) {
        size_t width[TABLE_MAX_COLS];
        int r = 0;

        if (t->failed) {
                r = error_set(err, NETD_EINTERNAL, "out of memory");
                goto out;
        }
        table_widths(t, width);
        table_print_rows(t, width, 0, t->n_rows, out);
out:
        table_free(t);
        return r;
}

void table_free(struct table *t) {
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->cells);
        t->cells = NULL;
        t->n_rows = t->n_alloc = 0;
}
