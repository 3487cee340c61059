/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's framing, without handlers: a real Unix socket and a
 * libevent loop, a dispatch callback that records what reached it. Lines
 * are answered in order, a late answer holds back the requests behind it,
 * bad lines get an error and the connection goes on, an oversized line
 * closes it, a half-closed client still gets its answers, and held replies
 * leave only when released. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <cmocka.h>
#include <event2/event.h>

#include "netd/core/util.h"
#include "netd/daemon/control.h"

struct fixture {
        struct event_base *base;
        struct control *ctl;
        char dir[64];
        char path[128];
        /* what dispatch saw, and a request it keeps for a late answer */
        char seen[16][32];
        size_t n_seen;
        struct request *kept;
        bool keep_next; /* keep (do not answer) the next cluster.show */
};

static void on_dispatch(struct request *r, const struct proto_command *cmd, struct json_object *args,
                        void *userdata) {
        struct fixture *f = userdata;

        (void)args;
        if (f->n_seen < ARRAY_SIZE(f->seen))
                strscpy(f->seen[f->n_seen++], sizeof(f->seen[0]), cmd->name);
        if (f->keep_next && streq(cmd->name, "cluster.show")) {
                f->keep_next = false;
                f->kept = r;
                return;
        }
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "command", json_object_new_string(cmd->name));
        request_reply_ok(r, o);
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        struct netd_error err = {0};

        assert_non_null(f);
        strscpy(f->dir, sizeof(f->dir), "/tmp/netd-test-control.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/sub/netd.sock", f->dir);
        f->base = event_base_new();
        assert_non_null(f->base);
        assert_int_equal(event_base_priority_init(f->base, 3), 0);
        assert_int_equal(control_new(f->base, f->path, on_dispatch, f, &f->ctl, &err), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        char sub[96];

        control_free(f->ctl);
        event_base_free(f->base);
        snprintf(sub, sizeof(sub), "%s/sub", f->dir);
        rmdir(sub);
        rmdir(f->dir);
        free(f);
        return 0;
}

static int client_connect(struct fixture *f) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        strscpy(sa.sun_path, sizeof(sa.sun_path), f->path);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
        return fd;
}

static void client_send(int fd, const char *s) {
        assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Run the loop and read until `lines` reply lines arrived (-1: until EOF),
 * the peer closed, or `ms` passed. Returns the bytes read. */
static size_t client_read_for(struct fixture *f, int fd, char *buf, size_t size, int lines, long ms,
                              bool *ret_eof) {
        struct timespec t0, t;
        size_t len = 0;

        *ret_eof = false;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                int got = 0;
                ssize_t n;

                event_base_loop(f->base, EVLOOP_NONBLOCK);
                n = read(fd, buf + len, size - 1 - len);
                if (n > 0)
                        len += (size_t)n;
                else if (n == 0 || errno == ECONNRESET) {
                        /* closed (with our unread bytes dropped: a reset) */
                        *ret_eof = true;
                        break;
                } else
                        assert_true(errno == EAGAIN);
                buf[len] = '\0';
                for (const char *p = buf; (p = strchr(p, '\n')); p++)
                        got++;
                if (lines >= 0 && got >= lines)
                        break;
                clock_gettime(CLOCK_MONOTONIC, &t);
                if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
                        break;
                usleep(1000);
        }
        buf[len] = '\0';
        return len;
}

static size_t client_read(struct fixture *f, int fd, char *buf, size_t size, int lines, bool *ret_eof) {
        return client_read_for(f, fd, buf, size, lines, 5000, ret_eof);
}

static void test_socket_mode(void **state) {
        struct fixture *f = *state;
        struct stat st;

        assert_int_equal(stat(f->path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0660);
}

static void test_in_order_and_bad_lines(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        char buf[4096];
        bool eof;

        client_send(fd, "{\"command\":\"ping\",\"args\":{}}\n"
                        "not json\n"
                        "\n"
                        "{\"command\":\"no.such\",\"args\":{}}\n"
                        "{\"command\":\"cluster.show\",\"args\":{\"name\":\"sno\"}}\r\n");
        client_read(f, fd, buf, sizeof(buf), 4, &eof);
        assert_false(eof);
        /* Only well-formed requests reach the handlers, in order. */
        assert_int_equal(f->n_seen, 2);
        assert_string_equal(f->seen[0], "ping");
        assert_string_equal(f->seen[1], "cluster.show");
        char *l1 = buf, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
        assert_true(strstr(l1, "\"command\":\"ping\"") && strstr(l1, "\"ok\"") < l2);
        assert_true(strstr(l2, "\"invalid\"") && strstr(l2, "\"invalid\"") < l3);
        assert_true(strstr(l3, "\"invalid\"") && strstr(l3, "\"invalid\"") < l4);
        assert_non_null(strstr(l4, "\"command\":\"cluster.show\""));
}

static void test_late_answer_holds_back_the_next(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        char buf[4096];
        bool eof;

        f->keep_next = true;
        client_send(fd, "{\"command\":\"cluster.show\",\"args\":{\"name\":\"a\"}}\n"
                        "{\"command\":\"ping\",\"args\":{}}\n");
        client_read_for(f, fd, buf, sizeof(buf), 1, 300, &eof);
        /* No answer: the ping waits behind the kept request. */
        assert_int_equal(strlen(buf), 0);
        assert_int_equal(f->n_seen, 1);
        assert_non_null(f->kept);
        request_reply_error(f->kept, NETD_ENOTFOUND, "cluster a: not found");
        f->kept = NULL;
        client_read(f, fd, buf, sizeof(buf), 2, &eof);
        assert_int_equal(f->n_seen, 2);
        assert_string_equal(f->seen[1], "ping");
        assert_true(strstr(buf, "not-found") < strstr(buf, "\"command\":\"ping\""));
}

static void test_client_gone_before_answer(void **state) {
        struct fixture *f = *state;
        int fd = client_connect(f);
        char buf[256];
        bool eof;

        f->keep_next = true;
        client_send(fd, "{\"command\":\"cluster.show\",\"args\":{\"name\":\"a\"}}\n");
        client_read_for(f, fd, buf, sizeof(buf), 1, 300, &eof);
        assert_non_null(f->kept);
        close(fd);
        for (int i = 0; i < 50; i++)
                event_base_loop(f->base, EVLOOP_NONBLOCK);
        /* The answer goes nowhere, and nothing breaks (ASan watches). */
        request_reply_ok(f->kept, json_object_new_object());
        f->kept = NULL;
}

static void test_oversized_line_closes(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        size_t n = PROTO_MAX_MESSAGE + 16;
        _cleanup_free_ char *big = malloc(n + 1);
        char buf[4096];
        size_t sent = 0;
        bool eof;

        memset(big, 'x', n);
        big[n] = '\0';
        while (sent < n) {
                ssize_t w = write(fd, big + sent, n - sent);
                if (w > 0)
                        sent += (size_t)w;
                event_base_loop(f->base, EVLOOP_NONBLOCK);
        }
        client_read(f, fd, buf, sizeof(buf), -1, &eof);
        assert_true(eof);
        assert_non_null(strstr(buf, "request too large"));
        assert_int_equal(f->n_seen, 0);
}

static void test_half_closed_client_gets_answers(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        char buf[4096];
        bool eof;

        /* The last request without its newline, then EOF. */
        client_send(fd, "{\"command\":\"ping\",\"args\":{}}\n{\"command\":\"ping\",\"args\":{}}");
        assert_int_equal(shutdown(fd, SHUT_WR), 0);
        client_read(f, fd, buf, sizeof(buf), -1, &eof);
        assert_true(eof);
        assert_int_equal(f->n_seen, 2);
        assert_non_null(strstr(strchr(buf, '\n') + 1, "\"command\":\"ping\""));
}

static void test_held_replies(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        char buf[4096];
        bool eof;

        control_hold(f->ctl);
        client_send(fd, "{\"command\":\"ping\",\"args\":{}}\n");
        client_read_for(f, fd, buf, sizeof(buf), 1, 300, &eof);
        assert_int_equal(f->n_seen, 1);
        assert_int_equal(strlen(buf), 0); /* answered, but held */
        control_release_held(f->ctl);
        client_read(f, fd, buf, sizeof(buf), 1, &eof);
        assert_non_null(strstr(buf, "\"command\":\"ping\""));
}

static void test_second_listener_refused(void **state) {
        struct fixture *f = *state;
        struct control *other = NULL;
        struct netd_error err = {0};

        assert_int_equal(control_new(f->base, f->path, on_dispatch, f, &other, &err), NETD_ECONFLICT);
        assert_null(other);
        assert_non_null(strstr(err.message, "another netd is listening there"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_socket_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_in_order_and_bad_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(test_late_answer_holds_back_the_next, setup, teardown),
                cmocka_unit_test_setup_teardown(test_client_gone_before_answer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_oversized_line_closes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_half_closed_client_gets_answers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_held_replies, setup, teardown),
                cmocka_unit_test_setup_teardown(test_second_listener_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
