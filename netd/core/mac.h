/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MAC addresses as 48-bit integers. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define MAC_STRLEN 18

/* A 48-bit MAC as an integer (first octet in the high bits). */
typedef uint64_t mac_t;

/* "xx:xx:xx:xx:xx:xx", hex of either case, unicast and not all-zero. */
int mac_parse(const char *s, mac_t *ret, struct netd_error *err);
/* Lowercase "xx:xx:xx:xx:xx:xx" into buf (MAC_STRLEN bytes). */
const char *mac_format(mac_t mac, char *buf, size_t size);
