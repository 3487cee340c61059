/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inclusive address ranges (struct range, addr.h). */
#pragma once

#include "addr.h"

/* Parse "START-END" (inclusive); both inside `within` when it is given,
 * start <= end; else NETD_EINVALID naming `what`. */
int range_parse(const char *s, const struct prefix *within, const char *what, struct range *ret,
                struct netd_error *err);
const char *range_format(const struct range *r, char *buf, size_t size);
