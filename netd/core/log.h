/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr, one line per event, with a level. Callers name the
 * object first ("cluster sno: allocated 1 node"). Untrusted text is never
 * logged unquoted (see error_quote_untrusted()). */
#pragma once

#include <stdint.h>

#include "util.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error|warn|info|debug"; -1 for anything else. */
int log_level_from_string(const char *s);
const char *log_level_to_string(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* A rate limit for one kind of repeated line (a peer flooding, accept
 * failing): at most one line per interval; the lines held back are counted
 * and the next line that goes out says how many. One static struct per
 * call site: `static struct log_ratelimit rl = LOG_RATELIMIT_INIT;`. */
struct log_ratelimit {
        uint64_t interval_ms; /* 0: LOG_RATELIMIT_INTERVAL_MS */
        uint64_t last_ms;     /* when the last line went out */
        bool started;
        uint64_t suppressed; /* held back since then */
};
#define LOG_RATELIMIT_INTERVAL_MS 1000
#define LOG_RATELIMIT_INIT                                                                                   \
        { 0 }

/* Whether a line may go out at `now_ms` (any monotonic clock): true at
 * most once per interval, with *ret_suppressed the lines held back since
 * the last one (then reset); false counts this one as held back. */
bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_ms, uint64_t *ret_suppressed);

/* log_msg() through `rl`: a line that goes out after some were held back
 * ends with "(N similar lines suppressed)". Lines below the log level
 * neither go out nor count. */
void log_msg_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...) _printf_(3, 4);

#define log_warn_ratelimited(rl, ...) log_msg_ratelimited(rl, LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info_ratelimited(rl, ...) log_msg_ratelimited(rl, LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug_ratelimited(rl, ...) log_msg_ratelimited(rl, LOG_LEVEL_DEBUG, __VA_ARGS__)
