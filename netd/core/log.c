/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <time.h>

#include "log.h"

static enum log_level current = LOG_LEVEL_INFO;

static const char *const names[] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARN] = "warn",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
};

void log_set_level(enum log_level level) {
        current = level;
}

enum log_level log_get_level(void) {
        return current;
}

int log_level_from_string(const char *s) {
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (streq(names[i], s))
                        return (int)i;
        return -1;
}

const char *log_level_to_string(enum log_level level) {
        return names[level];
}

static void log_vmsg(enum log_level level, const char *suffix, const char *fmt, va_list ap) {
        char line[1024];
        int n;

        n = snprintf(line, sizeof(line), "netd[%d]: %s: ", (int)getpid(), names[level]);
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        /* One event, one line, written in one call. */
        for (char *p = line + n; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        fprintf(stderr, "%s%s\n", line, suffix);
}

void log_msg(enum log_level level, const char *fmt, ...) {
        va_list ap;

        if (level > current)
                return;
        va_start(ap, fmt);
        log_vmsg(level, "", fmt, ap);
        va_end(ap);
}

bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_ms, uint64_t *ret_suppressed) {
        uint64_t interval = rl->interval_ms ? rl->interval_ms : LOG_RATELIMIT_INTERVAL_MS;

        if (rl->started && now_ms - rl->last_ms < interval) {
                rl->suppressed++;
                return false;
        }
        rl->started = true;
        rl->last_ms = now_ms;
        *ret_suppressed = rl->suppressed;
        rl->suppressed = 0;
        return true;
}

void log_msg_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...) {
        struct timespec now;
        uint64_t suppressed;
        char suffix[64] = "";
        va_list ap;

        if (level > current)
                return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!log_ratelimit_allow(rl, (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000,
                                 &suppressed))
                return;
        if (suppressed > 0)
                snprintf(suffix, sizeof(suffix), " (%llu similar lines suppressed)",
                         (unsigned long long)suppressed);
        va_start(ap, fmt);
        log_vmsg(level, suffix, fmt, ap);
        va_end(ap);
}
