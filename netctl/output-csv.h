/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CSV back end's one building block: RFC 4180 fields. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* Print `s` as a field, quoted only when it must be, then "," or, after
 * the `last` field of a row, a newline. */
void output_csv_field(FILE *out, const char *s, bool last);
