/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small pieces of text output shared by the views: key/value blocks,
 * placeholders, plurals and the "(label value, ...)" tail of a one-line
 * message. Text output never depends on the terminal. */
#pragma once

#include <stdio.h>

#include "netd/core/u128.h"
#include "netd/core/util.h"

/* Keys of a key/value block are padded to this width. */
#define TEXT_KEY_WIDTH 13

/* One line of a key/value block: "key:        value". */
void text_kv(FILE *out, const char *key, const char *fmt, ...) _printf_(3, 4);

/* `s`, or "-" when it is NULL. */
const char *text_or_dash(const char *s);

/* `one` when n is 1, else `many`. */
const char *text_plural(u128 n, const char *one, const char *many);

/* The " (label value, label value)" tail of a one-line message, each part
 * only when the reply has its value. Start with {""}. */
struct text_details {
        char buf[512];
        size_t len;
};

/* Append "label value" when value is not NULL. */
void text_details_add(struct text_details *d, const char *label, const char *value);
/* Close the tail; returns it ("" when nothing was added). */
const char *text_details_end(struct text_details *d);
