/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decimal text of 128-bit counts (u128, addr.h). */
#pragma once

#include "addr.h"

/* Decimal text of a 128-bit count into buf (U128_DECLEN bytes). */
const char *u128_format(u128 v, char *buf, size_t size);
/* Parse a decimal count; false on junk or overflow. */
bool u128_parse(const char *s, u128 *ret);
