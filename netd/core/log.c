/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

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

void log_msg(enum log_level level, const char *fmt, ...) {
        char line[1024];
        va_list ap;
        int n;

        if (level > current)
                return;
        n = snprintf(line, sizeof(line), "netd[%d]: %s: ", (int)getpid(), names[level]);
        va_start(ap, fmt);
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        va_end(ap);
        /* One event, one line, written in one call. */
        for (char *p = line + n; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        fprintf(stderr, "%s\n", line);
}
