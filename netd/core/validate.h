/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Validation of every kind of user input, done before a value reaches SQL,
 * netlink or a generated file. Each validate_*_check() returns 0 or NETD_EINVALID
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

/* Lowercase RFC 1123 label: [a-z0-9]([a-z0-9-]*[a-z0-9])?, <= 63 chars. */
bool validate_name(const char *s);
int validate_name_check(const char *what, const char *s, struct netd_error *err);

/* Dot-separated labels as above, <= 253 characters in all. */
bool validate_domain(const char *s);
int validate_domain_check(const char *what, const char *s, struct netd_error *err);

/* 1-15 characters of [A-Za-z0-9_.-], not "." or "..". */
bool validate_ifname(const char *s);
int validate_ifname_check(const char *what, const char *s, struct netd_error *err);
