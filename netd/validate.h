/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Validation of every kind of user input, done before a value reaches SQL,
 * netlink or a generated file. Each *_check() returns 0 or NETD_EINVALID
 * with a message naming `what` (e.g. "cluster name") and the reason. The
 * offending value is quoted with non-printable bytes escaped, so a hostile
 * name cannot forge a log or error line. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define NAME_MAX_LEN 63
#define DOMAIN_MAX_LEN 253
#define IFNAME_MAX_LEN 15
#define MAC_STRLEN 18

/* Lowercase RFC 1123 label: [a-z0-9]([a-z0-9-]*[a-z0-9])?, <= 63 chars. */
bool name_is_valid(const char *s);
int name_check(const char *what, const char *s, struct netd_error *err);

/* Dot-separated labels as above, <= 253 characters in all. */
bool domain_is_valid(const char *s);
int domain_check(const char *what, const char *s, struct netd_error *err);

/* 1-15 characters of [A-Za-z0-9_.-], not "." or "..". */
bool ifname_is_valid(const char *s);
int ifname_check(const char *what, const char *s, struct netd_error *err);

/* A 48-bit MAC as an integer (first octet in the high bits). */
typedef uint64_t mac_t;

/* "xx:xx:xx:xx:xx:xx", hex of either case, unicast and not all-zero. */
int mac_parse(const char *s, mac_t *ret, struct netd_error *err);
/* Lowercase "xx:xx:xx:xx:xx:xx" into buf (MAC_STRLEN bytes). */
const char *mac_format(mac_t mac, char *buf, size_t size);

/* Quote an untrusted string for a message: printable ASCII as is, the rest
 * as \xNN, cut to fit. Returns buf. */
const char *quote_untrusted(const char *s, char *buf, size_t size);
