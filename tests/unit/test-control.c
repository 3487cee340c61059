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
#include <sys/resource.h>
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
        size_t n_dispatched;
        size_t network_list_at; /* n_dispatched when a network.list came */
};

static void on_dispatch(struct request *r, const struct proto_command *cmd, struct json_object *args,
                        void *userdata) {
        struct fixture *f = userdata;

        (void)args;
        f->n_dispatched++;
        if (streq(cmd->name, "network.list"))
                f->network_list_at = f->n_dispatched;
        if (f->n_seen < ARRAY_SIZE(f->seen))
                strscpy(f->seen[f->n_seen++], sizeof(f->seen[0]), cmd->name);
        if (f->keep_next && streq(cmd->name, "cluster.show")) {
                f->keep_next = false;
                f->kept = r;
                return;
        }
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "command", json_object_new_string(cmd->name));
        /* Big replies: 512 KiB for export.dnsmasq, 6 MiB for export.inventory. */
        if (streq(cmd->name, "export.dnsmasq") || streq(cmd->name, "export.inventory")) {
                size_t n = streq(cmd->name, "export.dnsmasq") ? 512 * 1024 : 6 * 1024 * 1024;
                char *big = malloc(n + 1);

                assert_non_null(big);
                memset(big, 'x', n);
                big[n] = '\0';
                json_object_object_add(o, "text", json_object_new_string(big));
                free(big);
        }
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

static size_t count_lines(const char *s) {
        size_t n = 0;

        for (; (s = strchr(s, '\n')); s++)
                n++;
        return n;
}

/* A client that sends requests and never reads: closed once its unread
 * replies pass 4 MiB, with what it did not read dropped. */
static void test_unread_replies_close(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        _cleanup_free_ char *buf = malloc(16 * 1024 * 1024);
        int rcvbuf = 4096;
        bool eof;

        assert_non_null(buf);
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
        for (int i = 0; i < 40; i++) {
                static const char req[] = "{\"command\":\"export.dnsmasq\",\"args\":{\"cluster\":\"a\"}}\n";

                if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
                        break; /* closed by netd */
                for (int j = 0; j < 5; j++)
                        event_base_loop(f->base, EVLOOP_NONBLOCK);
        }
        /* Closed long before the 40 replies (20 MiB) were all queued. */
        assert_true(f->n_seen < 16);
        client_read(f, fd, buf, 16 * 1024 * 1024, -1, &eof);
        assert_true(eof);
        assert_true(count_lines(buf) < 16);
}

/* One reply bigger than the limit still goes out whole to a client that
 * reads it. */
static void test_one_big_reply_goes_out(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int fd = client_connect(f);
        _cleanup_free_ char *buf = malloc(8 * 1024 * 1024);
        bool eof;

        assert_non_null(buf);
        client_send(fd, "{\"command\":\"export.inventory\",\"args\":{\"cluster\":\"a\"}}\n");
        client_read(f, fd, buf, 8 * 1024 * 1024, 1, &eof);
        assert_false(eof);
        assert_true(strlen(buf) > 6 * 1024 * 1024);
        assert_int_equal(count_lines(buf), 1);
}

/* A client that pipelines many requests does not hold up another: its
 * requests are answered a few at a time, the others' in between. */
static void test_pipelining_client_takes_turns(void **state) {
        struct fixture *f = *state;
        _cleanup_close_ int a = client_connect(f), b = client_connect(f);
        _cleanup_free_ char *many = malloc(1000 * 32);
        char buf[4096];
        size_t len = 0;
        bool eof;

        assert_non_null(many);
        for (int i = 0; i < 1000; i++)
                len += (size_t)sprintf(many + len, "{\"command\":\"ping\"}\n");
        for (int i = 0; i < 10; i++)
                event_base_loop(f->base, EVLOOP_NONBLOCK);
        client_send(a, many);
        client_send(b, "{\"command\":\"network.list\",\"args\":{}}\n");
        client_read(f, b, buf, sizeof(buf), 1, &eof);
        assert_non_null(strstr(buf, "\"command\":\"network.list\""));
        /* b had its turn after at most a few of a's thousand requests. */
        assert_in_range(f->network_list_at, 1, 3 * 32);
        {
                _cleanup_free_ char *got = malloc(1000 * 64);
                size_t n = 0;

                assert_non_null(got);
                client_read(f, a, got, 1000 * 64, 1000, &eof);
                for (const char *p = got; (p = strstr(p, "\"ping\"")); p++)
                        n++;
                assert_int_equal(n, 1000);
        }
}

/* Past the per-uid cap (256) the least recently active idle connection
 * makes room; one that just connected is not taken for an idle one. */
static void test_connection_cap_closes_oldest_idle(void **state) {
        struct fixture *f = *state;
        enum { N = 256 };
        int fds[N + 1];
        char buf[4096];
        bool eof;

        for (int i = 0; i < N; i++) {
                fds[i] = client_connect(f);
                event_base_loop(f->base, EVLOOP_NONBLOCK);
        }
        for (int i = 0; i < 10; i++)
                event_base_loop(f->base, EVLOOP_NONBLOCK);
        /* The first one did something recently: not the oldest idle one. */
        client_send(fds[0], "{\"command\":\"ping\",\"args\":{}}\n");
        client_read(f, fds[0], buf, sizeof(buf), 1, &eof);
        assert_false(eof);
        usleep(1100 * 1000); /* past the grace period */
        client_send(fds[0], "{\"command\":\"ping\",\"args\":{}}\n");
        client_read(f, fds[0], buf, sizeof(buf), 1, &eof);
        fds[N] = client_connect(f);
        client_send(fds[N], "{\"command\":\"ping\",\"args\":{}}\n");
        client_read(f, fds[N], buf, sizeof(buf), 1, &eof);
        assert_false(eof);
        assert_non_null(strstr(buf, "\"command\":\"ping\""));
        /* fds[1] was the least recently active idle one: closed. */
        client_read_for(f, fds[1], buf, sizeof(buf), -1, 500, &eof);
        assert_true(eof);
        client_read_for(f, fds[0], buf, sizeof(buf), -1, 100, &eof);
        assert_false(eof);
        client_read_for(f, fds[2], buf, sizeof(buf), -1, 100, &eof);
        assert_false(eof);
        for (int i = 0; i <= N; i++)
                close(fds[i]);
}

/* Out of descriptors: accepting pauses; the reserve descriptor lets a
 * connection of uid 0 in; once descriptors are free again, everyone is. */
static void test_out_of_descriptors(void **state) {
        struct fixture *f = *state;
        struct rlimit old, low;
        int fillers[64], n_fill = 0, a, b;
        char buf[4096];
        bool eof;

        assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
        /* Every descriptor but one taken: the client's socket gets it,
         * netd's accept has none. */
        low = old;
        low.rlim_cur = (rlim_t)dup(0);
        close((int)low.rlim_cur);
        low.rlim_cur += 1;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        a = client_connect(f);
        while (n_fill < 64 && (fillers[n_fill] = dup(0)) >= 0)
                n_fill++;
        assert_true(dup(0) < 0 && errno == EMFILE);
        /* Root (this test runs as root): let in on the reserve, answered. */
        client_send(a, "{\"command\":\"ping\",\"args\":{}}\n");
        client_read(f, a, buf, sizeof(buf), 1, &eof);
        assert_false(eof);
        assert_non_null(strstr(buf, "\"command\":\"ping\""));
        /* Descriptors free again: the next client is served too. */
        while (n_fill > 0)
                close(fillers[--n_fill]);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
        b = client_connect(f);
        client_send(b, "{\"command\":\"ping\",\"args\":{}}\n");
        client_read(f, b, buf, sizeof(buf), 1, &eof);
        assert_false(eof);
        assert_non_null(strstr(buf, "\"command\":\"ping\""));
        close(a);
        close(b);
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
                cmocka_unit_test_setup_teardown(test_unread_replies_close, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pipelining_client_takes_turns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_one_big_reply_goes_out, setup, teardown),
                cmocka_unit_test_setup_teardown(test_connection_cap_closes_oldest_idle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_out_of_descriptors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
