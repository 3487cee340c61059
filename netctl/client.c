/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "client.h"
#include "netd/core/proto.h"

/* A reply holds every cluster of the lab for `cluster list`; a thousand
 * clusters of many nodes fit easily, a runaway peer does not. */
#define CLIENT_MAX_REPLY (64 * 1024 * 1024)
#define CLIENT_BUFFER_START (64 * 1024)

/* The whole call (connect, send, reply) has until the deadline. */
struct deadline {
        struct timespec at; /* CLOCK_MONOTONIC */
        unsigned seconds;   /* as given, for the message */
};

static void deadline_start(struct deadline *d, unsigned seconds) {
        clock_gettime(CLOCK_MONOTONIC, &d->at);
        d->at.tv_sec += seconds;
        d->seconds = seconds;
}

/* Milliseconds left, rounded up; 0 once the deadline has passed. */
static int deadline_left_ms(const struct deadline *d) {
        struct timespec now;
        int64_t ms;

        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = (int64_t)(d->at.tv_sec - now.tv_sec) * 1000 + (d->at.tv_nsec - now.tv_nsec + 999999) / 1000000;
        return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int deadline_passed(const struct deadline *d, struct netd_error *err) {
        return error_set(err, NETD_EUNAVAILABLE, "no answer from netd within %u s", d->seconds);
}

/* Blocking connect() and send() on a Unix socket wait at most the socket's
 * send timeout (a connect waits there while netd's listen queue is full):
 * set it to what is left. */
static int deadline_arm(int fd, const struct deadline *d, struct netd_error *err) {
        int ms = deadline_left_ms(d);
        struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

        if (ms == 0)
                return deadline_passed(d, err);
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
                return error_set(err, NETD_EINTERNAL, "setsockopt: %s", strerror(errno));
        return 0;
}

/* A connect() interrupted by a signal goes on in the background: wait for
 * its outcome instead of starting another. */
static int connect_finish(int fd, const struct deadline *d) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        socklen_t len = sizeof(int);
        int e = 0, n;

        while ((n = poll(&p, 1, deadline_left_ms(d))) <= 0) {
                if (n == 0)
                        return -EAGAIN;
                if (errno != EINTR)
                        return -errno;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
                return -errno;
        return -e;
}

static int client_connect(const char *path, const struct deadline *d, int *ret_fd, struct netd_error *err) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -1;
        int r = 0;

        if (!strscpy(sa.sun_path, sizeof(sa.sun_path), path))
                return error_set(err, NETD_EINVALID, "socket path %s: longer than %zu bytes", path,
                                 sizeof(sa.sun_path) - 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set(err, NETD_EINTERNAL, "socket: %s", strerror(errno));
        r = deadline_arm(fd, d, err);
        if (r < 0)
                return r;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                r = errno == EINTR ? connect_finish(fd, d) : -errno;
        switch (r) {
        case 0:
                break;
        case -EAGAIN:
                /* The send timeout ran out while netd's listen queue was full. */
                return deadline_passed(d, err);
        case -EACCES:
        case -EPERM:
                return error_set(err, NETD_EDENIED,
                                 "cannot connect to netd at %s: %s (root or group netd needed)", path,
                                 strerror(-r));
        case -ENOENT:
        case -ECONNREFUSED:
                return error_set(err, NETD_EUNAVAILABLE,
                                 "cannot connect to netd at %s: %s (is netd running?)", path, strerror(-r));
        default:
                return error_set(err, NETD_EUNAVAILABLE, "cannot connect to netd at %s: %s", path,
                                 strerror(-r));
        }
        *ret_fd = fd;
        fd = -1;
        return 0;
}

static int send_all(int fd, const char *buf, size_t len, const char *path, const struct deadline *d,
                    struct netd_error *err) {
        while (len > 0) {
                ssize_t n;
                int r = deadline_arm(fd, d, err);

                if (r < 0)
                        return r;
                /* MSG_NOSIGNAL: a daemon gone away is an error to report, not SIGPIPE. */
                n = send(fd, buf, len, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return deadline_passed(d, err);
                        return error_set(err, NETD_EUNAVAILABLE, "sending to netd at %s: %s", path,
                                         strerror(errno));
                }
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Read up to the first newline; *ret_len excludes it. */
static int receive_line(int fd, char **ret, size_t *ret_len, const char *path, const struct deadline *d,
                        struct netd_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, len = 0;
        char *nl = NULL;

        while (!nl) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                ssize_t n;
                int k;

                if (len == size) {
                        size_t want = size ? size * 2 : CLIENT_BUFFER_START;
                        char *b;

                        if (size == CLIENT_MAX_REPLY)
                                return error_set(err, NETD_EINTERNAL, "reply from netd exceeds %d MiB",
                                                 CLIENT_MAX_REPLY / (1024 * 1024));
                        if (want > CLIENT_MAX_REPLY)
                                want = CLIENT_MAX_REPLY;
                        b = realloc(buf, want);
                        if (!b)
                                return error_set(err, NETD_EINTERNAL, "out of memory");
                        buf = b;
                        size = want;
                }
                k = poll(&p, 1, deadline_left_ms(d));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return error_set(err, NETD_EUNAVAILABLE, "reading from netd at %s: %s", path,
                                         strerror(errno));
                if (k == 0)
                        return deadline_passed(d, err);
                n = recv(fd, buf + len, size - len, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                                continue;
                        return error_set(err, NETD_EUNAVAILABLE, "reading from netd at %s: %s", path,
                                         strerror(errno));
                }
                if (n == 0)
                        return error_set(err, NETD_EUNAVAILABLE,
                                         len ? "netd at %s closed the connection in the middle of its reply"
                                             : "netd at %s closed the connection without replying",
                                         path);
                nl = memchr(buf + len, '\n', (size_t)n);
                len += (size_t)n;
        }
        *ret_len = (size_t)(nl - buf);
        *ret = buf;
        buf = NULL;
        return 0;
}

int client_call(const char *socket_path, unsigned timeout, const char *command, struct json_object *args,
                struct json_object **ret_data, struct netd_error *err) {
        _cleanup_free_ char *request = proto_request_format(command, args);
        _cleanup_free_ char *reply = NULL;
        _cleanup_close_ int fd = -1;
        struct netd_error send_err = {0};
        struct deadline d;
        size_t len = 0;
        int r;

        *ret_data = NULL;
        if (!request)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        deadline_start(&d, timeout);
        r = client_connect(socket_path, &d, &fd, err);
        if (r < 0)
                return r;
        r = send_all(fd, request, strlen(request), socket_path, &d, &send_err);
        if (r < 0) {
                /* netd may have refused the connection before reading the
                 * request (too many connections, out of descriptors): its
                 * reason, when it sent one, says more than "Broken pipe". */
                struct netd_error ignored = {0};

                if (receive_line(fd, &reply, &len, socket_path, &d, &ignored) < 0) {
                        *err = send_err;
                        return r;
                }
                return proto_reply_parse(reply, len, ret_data, err);
        }
        r = receive_line(fd, &reply, &len, socket_path, &d, err);
        if (r < 0)
                return r;
        return proto_reply_parse(reply, len, ret_data, err);
}
