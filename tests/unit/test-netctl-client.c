/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's socket (netctl/client.c) against fake servers made by this
 * process: one that answers, one that accepts and never answers, one whose
 * listen queue is full. Past --timeout netctl gives up with "netctl:
 * unavailable: no answer from netd within N s" and exit code 1. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "netctl/cli.h"
#include "netctl/client.h"

#define ARGV(...) ((char *const[]){"netctl", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *const[]){"netctl", __VA_ARGS__}) / sizeof(char *)))

static char dir[] = "/tmp/netctl-client.XXXXXX";
static char sock_path[128];

/* A listening socket at sock_path with `backlog`. */
static int listener(int backlog) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        unlink(sock_path);
        strscpy(sa.sun_path, sizeof(sa.sun_path), sock_path);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, backlog), 0);
        return fd;
}

/* A child that accepts one connection, reads the request line and then
 * answers `reply` (NULL: never answers, holds the connection open). */
static pid_t server(int fd, const char *reply) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                char buf[4096];
                int c = accept(fd, NULL, NULL);
                ssize_t n;

                if (c < 0)
                        _exit(1);
                while ((n = read(c, buf, sizeof(buf))) > 0 && !memchr(buf, '\n', (size_t)n))
                        ;
                if (reply && write(c, reply, strlen(reply)) != (ssize_t)strlen(reply))
                        _exit(1);
                for (;;)
                        pause();
        }
        return pid;
}

static void server_stop(pid_t pid) {
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* Runs netctl; returns its exit code, stderr in err_text (freed by caller). */
static int netctl(char **err_text, int argc, char *const *argv) {
        size_t size = 0;
        FILE *errf = open_memstream(err_text, &size), *out = fopen("/dev/null", "w");
        int r;

        assert_non_null(errf);
        assert_non_null(out);
        r = cli_main(argc, argv, out, errf);
        fclose(errf);
        fclose(out);
        return r;
}

static void test_client_answer(void **state _unused_) {
        int fd = listener(8);
        pid_t pid = server(fd, "{\"result\":\"ok\",\"data\":[]}\n");
        struct json_object *data = NULL;
        struct netd_error err = {0};

        assert_int_equal(client_call(sock_path, 5, "network.list", NULL, &data, &err), 0);
        assert_true(json_object_is_type(data, json_type_array));
        json_object_put(data);
        server_stop(pid);
        close(fd);
}

/* Accepted, read, never answered. */
static void test_client_timeout_no_answer(void **state _unused_) {
        int fd = listener(8);
        pid_t pid = server(fd, NULL);
        _cleanup_free_ char *text = NULL;
        struct json_object *data = NULL;
        struct netd_error err = {0};

        unsetenv("NETD_TIMEOUT");
        assert_int_equal(netctl(&text, ARGC("--socket", sock_path, "--timeout", "1", "network", "list"),
                                ARGV("--socket", sock_path, "--timeout", "1", "network", "list")),
                         EXIT_FAILED);
        assert_string_equal(text, "netctl: unavailable: no answer from netd within 1 s\n");
        server_stop(pid);

        /* From the environment, and with a reply started but not finished. */
        pid = server(fd, "{\"result\":");
        setenv("NETD_TIMEOUT", "2", 1);
        free(text);
        text = NULL;
        assert_int_equal(netctl(&text, ARGC("--socket", sock_path, "network", "list"),
                                ARGV("--socket", sock_path, "network", "list")),
                         EXIT_FAILED);
        unsetenv("NETD_TIMEOUT");
        assert_string_equal(text, "netctl: unavailable: no answer from netd within 2 s\n");
        server_stop(pid);

        pid = server(fd, NULL);
        assert_int_equal(client_call(sock_path, 1, "network.list", NULL, &data, &err), NETD_EUNAVAILABLE);
        assert_string_equal(err.message, "no answer from netd within 1 s");
        assert_null(data);
        server_stop(pid);
        close(fd);
}

/* Nobody accepts and the listen queue is full: connect() itself waits. */
static void test_client_timeout_queue_full(void **state _unused_) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = listener(0), filler[4];
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        strscpy(sa.sun_path, sizeof(sa.sun_path), sock_path);
        /* Fill the queue (its length is the backlog + 1). */
        for (; n < ARRAY_SIZE(filler); n++) {
                filler[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                assert_true(filler[n] >= 0);
                if (connect(filler[n], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                        assert_int_equal(errno, EAGAIN);
                        break;
                }
        }
        assert_true(n < ARRAY_SIZE(filler));
        assert_int_equal(netctl(&text, ARGC("--socket", sock_path, "--timeout=1", "network", "list"),
                                ARGV("--socket", sock_path, "--timeout=1", "network", "list")),
                         EXIT_FAILED);
        assert_string_equal(text, "netctl: unavailable: no answer from netd within 1 s\n");
        for (size_t i = 0; i <= n; i++)
                close(filler[i]);
        close(fd);
}

static int setup(void **state _unused_) {
        if (!mkdtemp(dir))
                return -1;
        snprintf(sock_path, sizeof(sock_path), "%s/netd.sock", dir);
        return 0;
}

static int teardown(void **state _unused_) {
        unlink(sock_path);
        rmdir(dir);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_client_answer),
                cmocka_unit_test(test_client_timeout_no_answer),
                cmocka_unit_test(test_client_timeout_queue_full),
        };

        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, setup, teardown);
}
