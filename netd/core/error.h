/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one error convention of netd.
 *
 * Every fallible function returns 0 on success or one of the negative
 * NETD_E* codes below, and fills an optional `struct netd_error` with a
 * message that names the object and the reason, e.g.
 *   network lab: 192.0.2.0/24 overlaps network infra (192.0.2.128/25)
 * The message is written once, by the layer that knows the user's words;
 * callers above only propagate. Foreign codes (SQLite, errno, libnl) are
 * converted at their wrappers. The codes map 1:1 to the contract's error
 * names ("invalid", "not-found", ...). */
#pragma once

#include "util.h"

enum {
        NETD_OK = 0,
        NETD_EINVALID = -1,
        NETD_ENOTFOUND = -2,
        NETD_EEXISTS = -3,
        NETD_ECONFLICT = -4,
        NETD_EEXHAUSTED = -5,
        NETD_EUNAVAILABLE = -6,
        NETD_EDENIED = -7,
        NETD_EINTERNAL = -8,
};

struct netd_error {
        int code;
        char message[512];
};

/* Record an error; returns `code` so callers can `return error_set(...)`.
 * `err` may be NULL. A second call does not overwrite the first message. */
int error_set(struct netd_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* The contract's name of a code ("invalid", "not-found", ...). */
const char *error_code_name(int code);

/* Inverse of error_code_name(); NETD_EINTERNAL for unknown names. */
int error_code_from_name(const char *name);

/* Quote an untrusted string for a message: printable ASCII as is, the rest
 * as \xNN, cut to fit. Returns buf. */
const char *error_quote_untrusted(const char *s, char *buf, size_t size);
