/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: levels, one line per event, and the rate limit of repeated
 * lines (at most one per interval, the held-back ones counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "netd/core/log.h"

static void test_ratelimit_window(void **state) {
        struct log_ratelimit rl = LOG_RATELIMIT_INIT;
        uint64_t suppressed = 99;

        (void)state;
        /* The first line goes out at once, whatever the clock says. */
        assert_true(log_ratelimit_allow(&rl, 5000, &suppressed));
        assert_int_equal(suppressed, 0);
        /* The rest of that second is held back, and counted. */
        for (uint64_t t = 5000; t < 6000; t += 10)
                assert_false(log_ratelimit_allow(&rl, t, &suppressed));
        /* The next one says how many were held back, then the count restarts. */
        assert_true(log_ratelimit_allow(&rl, 6000, &suppressed));
        assert_int_equal(suppressed, 100);
        assert_false(log_ratelimit_allow(&rl, 6999, &suppressed));
        assert_true(log_ratelimit_allow(&rl, 60000, &suppressed));
        assert_int_equal(suppressed, 1);
        assert_true(log_ratelimit_allow(&rl, 61000, &suppressed));
        assert_int_equal(suppressed, 0);
}

static void test_ratelimit_interval(void **state) {
        struct log_ratelimit rl = {.interval_ms = 100};
        uint64_t suppressed, out = 0;

        (void)state;
        /* A flood of one line a millisecond for 10 s: one line per interval. */
        for (uint64_t t = 0; t < 10000; t++)
                if (log_ratelimit_allow(&rl, t, &suppressed))
                        out++;
        assert_int_equal(out, 100);
        /* Each limiter is its own kind: another one is not held back. */
        struct log_ratelimit other = LOG_RATELIMIT_INIT;
        assert_true(log_ratelimit_allow(&other, 9999, &suppressed));
}

/* The lines themselves: stderr goes to a file for the test. */
static char *capture(void (*fn)(void)) {
        FILE *f = tmpfile();
        int saved = dup(STDERR_FILENO);
        char *buf = calloc(1, 65536);
        size_t n;

        assert_non_null(f);
        assert_non_null(buf);
        fflush(stderr);
        assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
        fn();
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        rewind(f);
        n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static size_t count_lines(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                n += *s == '\n';
        return n;
}

static void flood_ratelimited(void) {
        static struct log_ratelimit rl = LOG_RATELIMIT_INIT;

        for (int i = 0; i < 100000; i++)
                log_warn_ratelimited(&rl, "control: accept: out of descriptors (%d)", i);
}

static void flood_below_level(void) {
        static struct log_ratelimit rl = LOG_RATELIMIT_INIT;

        log_set_level(LOG_LEVEL_WARN);
        for (int i = 0; i < 1000; i++)
                log_debug_ratelimited(&rl, "not shown %d", i);
        log_set_level(LOG_LEVEL_DEBUG);
        /* Lines below the level were not counted as held back. */
        log_debug_ratelimited(&rl, "shown once");
}

static void one_line_per_event(void) {
        log_warn("peer sent \"a\nb\rc\"");
}

static void test_ratelimited_lines(void **state) {
        _cleanup_free_ char *flood = NULL, *below = NULL, *one = NULL;

        (void)state;
        flood = capture(flood_ratelimited);
        /* 100,000 calls in well under a few seconds: a handful of lines. */
        assert_in_range(count_lines(flood), 1, 5);
        assert_non_null(strstr(flood, ": warn: control: accept: out of descriptors (0)\n"));

        below = capture(flood_below_level);
        assert_int_equal(count_lines(below), 1);
        assert_non_null(strstr(below, "shown once\n"));
        assert_null(strstr(below, "suppressed"));

        one = capture(one_line_per_event);
        assert_int_equal(count_lines(one), 1);
        assert_non_null(strstr(one, "peer sent \"a b c\""));
}

static void flood_two_seconds(void) {
        static struct log_ratelimit rl = {.interval_ms = 50};
        struct timespec end, now;

        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_nsec += 120 * 1000000L;
        if (end.tv_nsec >= 1000000000L) {
                end.tv_sec++;
                end.tv_nsec -= 1000000000L;
        }
        do {
                log_warn_ratelimited(&rl, "repeated");
                clock_gettime(CLOCK_MONOTONIC, &now);
        } while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
}

static void test_ratelimited_count(void **state) {
        _cleanup_free_ char *out = NULL;

        (void)state;
        out = capture(flood_two_seconds);
        /* 120 ms at one line per 50 ms: 3 lines, the later ones counting
         * what they held back. */
        assert_in_range(count_lines(out), 2, 4);
        assert_non_null(strstr(out, "repeated ("));
        assert_non_null(strstr(out, " similar lines suppressed)\n"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ratelimit_window),
                cmocka_unit_test(test_ratelimit_interval),
                cmocka_unit_test(test_ratelimited_lines),
                cmocka_unit_test(test_ratelimited_count),
        };

        log_set_level(LOG_LEVEL_DEBUG);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
