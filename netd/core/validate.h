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
#define VALIDATE_URL_MAX 255
#define VALIDATE_BOOT_FILE_MAX 128
#define VALIDATE_PATH_MAX 255

/* Lowercase RFC 1123 label: [a-z0-9]([a-z0-9-]*[a-z0-9])?, <= 63 chars. */
bool validate_name(const char *s);
int validate_name_check(const char *what, const char *s, struct netd_error *err);

/* Dot-separated labels as above, <= 253 characters in all. */
bool validate_domain(const char *s);
int validate_domain_check(const char *what, const char *s, struct netd_error *err);

/* 1-15 characters of [A-Za-z0-9_.-], not "." or "..". */
bool validate_ifname(const char *s);
int validate_ifname_check(const char *what, const char *s, struct netd_error *err);

/* An http://, https:// or tftp:// URL of at most VALIDATE_URL_MAX
 * characters: printable ASCII without space, '"', '#', ',', '\\' or
 * control bytes (it lands in a dnsmasq option). */
bool validate_url(const char *s);
int validate_url_check(const char *what, const char *s, struct netd_error *err);

/* A boot file name as TFTP serves it: [A-Za-z0-9._+/-], at most
 * VALIDATE_BOOT_FILE_MAX characters, no "..", not starting with '/'. */
bool validate_boot_file(const char *s);
int validate_boot_file_check(const char *what, const char *s, struct netd_error *err);

/* An absolute directory path of [A-Za-z0-9._+/-], at most
 * VALIDATE_PATH_MAX characters, no "." or ".." component. */
bool validate_path(const char *s);
int validate_path_check(const char *what, const char *s, struct netd_error *err);
