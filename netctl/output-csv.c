/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "output-csv.h"

void output_csv_field(FILE *out, const char *s, bool last) {
        if (strpbrk(s, ",\"\r\n")) {
                fputc('"', out);
                for (; *s; s++) {
                        if (*s == '"')
                                fputc('"', out);
                        fputc(*s, out);
                }
                fputc('"', out);
        } else
                fputs(s, out);
        fputs(last ? "\n" : ",", out);
}
