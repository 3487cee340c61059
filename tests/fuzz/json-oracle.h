/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An independent answer to "does this JSON text repeat a key in one of
 * its objects?" for the fuzz targets of the control and agent protocols,
 * which must refuse repeated keys (json-c would keep the last one). It is
 * a strict RFC 8259 reader of its own, written apart from netd's check
 * (proto_json_check_keys counts separators), so the two can be compared;
 * keys are compared after their escapes are decoded ("\u0063" is "c"). */
#pragma once

#include <stddef.h>

enum json_oracle {
        JSON_ORACLE_UNKNOWN,  /* not one strict JSON value, or a key json-c would read otherwise
                                 (a \u0000 or a surrogate escape): no answer */
        JSON_ORACLE_UNIQUE,   /* every object's keys are distinct */
        JSON_ORACLE_REPEATED, /* some object has a key twice */
};

enum json_oracle json_oracle_keys(const char *text, size_t len);
