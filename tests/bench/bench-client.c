/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Load generator for netd's control socket, used by the benchmarks.
 *
 *   bench-client allocate --socket PATH --prefix P --count N [--threads T]
 *                [--network NET] [--topology sno|compact|mno] [--seconds S]
 *       T threads, each on its own connection, allocate clusters P0..P(N-1)
 *       (each name exactly once) until N are done or S seconds have passed.
 *   bench-client repeat --socket PATH --command CMD [--args JSON] --count N
 *       One connection sends the same request N times, one at a time.
 *
 * Each prints one JSON object: completed requests, wall time, rate and
 * per-request latency percentiles. Every reply must be "ok": an error reply
 * is a broken run (exit 1), not a figure. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "netd/core/proto.h"

struct conn {
        int fd;
        char *buf; /* bytes received but not yet consumed */
        size_t len, size;
};

struct load {
        const char *socket_path;
        const char *command;
        const char *args_json; /* repeat: the request's args */
        const char *prefix;    /* allocate: cluster name prefix */
        const char *network;
        const char *topology;
        long count;
        double seconds; /* stop taking new requests after this; 0 = no limit */
        int threads;

        atomic_long next;   /* next request index to take */
        atomic_long done;   /* requests answered "ok" */
        atomic_bool failed; /* one failure stops every thread */
        double *latency_ms; /* indexed by request; < 0 when not run */
        double start;
};

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int conn_open(struct conn *c, const char *path) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        *c = (struct conn){.fd = -1};
        if (!strscpy(sa.sun_path, sizeof(sa.sun_path), path)) {
                fprintf(stderr, "bench-client: socket path too long: %s\n", path);
                return -1;
        }
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                fprintf(stderr, "bench-client: connect %s: %s\n", path, strerror(errno));
                return -1;
        }
        return 0;
}

static void conn_close(struct conn *c) {
        if (c->fd >= 0)
                close(c->fd);
        free(c->buf);
        *c = (struct conn){.fd = -1};
}

static int conn_write_all(struct conn *c, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        fprintf(stderr, "bench-client: send: %s\n", strerror(errno));
                        return -1;
                }
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

/* Read one reply line; *ret_len excludes the newline. The line stays valid
 * until the next call. */
static int conn_read_line(struct conn *c, char **ret_line, size_t *ret_len) {
        static const size_t limit = 16 * 1024 * 1024;
        size_t scanned = 0;

        for (;;) {
                char *nl = c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
                if (nl) {
                        *ret_line = c->buf;
                        *ret_len = (size_t)(nl - c->buf);
                        return 0;
                }
                scanned = c->len;
                if (c->len + 4096 > c->size) {
                        size_t size = c->size ? c->size * 2 : 65536;
                        char *b;
                        if (size > limit) {
                                fprintf(stderr, "bench-client: reply longer than %zu bytes\n", limit);
                                return -1;
                        }
                        b = realloc(c->buf, size);
                        if (!b)
                                return -1;
                        c->buf = b;
                        c->size = size;
                }
                ssize_t k = recv(c->fd, c->buf + c->len, c->size - c->len, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        fprintf(stderr, "bench-client: connection closed by netd%s%s\n", k < 0 ? ": " : "",
                                k < 0 ? strerror(errno) : "");
                        return -1;
                }
                c->len += (size_t)k;
        }
}

static void conn_consume(struct conn *c, size_t n) {
        memmove(c->buf, c->buf + n, c->len - n);
        c->len -= n;
}

/* One request/reply round trip; the reply must be "ok". */
static int conn_call(struct conn *c, const char *command, struct json_object *args) {
        _cleanup_free_ char *req = proto_request_format(command, args);
        struct json_object *data = NULL;
        struct netd_error err = {0};
        char *line;
        size_t len;
        int r;

        if (!req)
                return -1;
        if (conn_write_all(c, req, strlen(req)) < 0 || conn_read_line(c, &line, &len) < 0)
                return -1;
        r = proto_reply_parse(line, len, &data, &err);
        json_object_put(data);
        conn_consume(c, len + 1);
        if (r < 0) {
                fprintf(stderr, "bench-client: %s: %s: %s\n", command, error_code_name(r), err.message);
                return -1;
        }
        return 0;
}

static struct json_object *allocate_args(const struct load *l, long i) {
        struct json_object *a = json_object_new_object();
        char name[64];

        snprintf(name, sizeof(name), "%s%ld", l->prefix, i);
        json_object_object_add(a, "name", json_object_new_string(name));
        if (l->network)
                json_object_object_add(a, "network", json_object_new_string(l->network));
        if (l->topology)
                json_object_object_add(a, "topology", json_object_new_string(l->topology));
        return a;
}

static void *worker(void *userdata) {
        struct load *l = userdata;
        struct conn c;

        if (conn_open(&c, l->socket_path) < 0) {
                atomic_store(&l->failed, true);
                conn_close(&c);
                return NULL;
        }
        while (!atomic_load(&l->failed)) {
                struct json_object *args;
                double t0;
                long i;

                if (l->seconds > 0 && now_s() - l->start >= l->seconds)
                        break;
                i = atomic_fetch_add(&l->next, 1);
                if (i >= l->count)
                        break;
                if (l->prefix)
                        args = allocate_args(l, i);
                else {
                        args = json_tokener_parse(l->args_json ? l->args_json : "{}");
                        if (!args) {
                                fprintf(stderr, "bench-client: --args is not JSON\n");
                                atomic_store(&l->failed, true);
                                break;
                        }
                }
                t0 = now_s();
                if (conn_call(&c, l->command, args) < 0) {
                        atomic_store(&l->failed, true);
                        break;
                }
                l->latency_ms[i] = (now_s() - t0) * 1e3;
                atomic_fetch_add(&l->done, 1);
        }
        conn_close(&c);
        return NULL;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double percentile(const double *v, size_t n, double p) {
        size_t rank;

        if (n == 0)
                return 0;
        rank = (size_t)(p / 100.0 * (double)n + 0.999999);
        if (rank < 1)
                rank = 1;
        return v[(rank > n ? n : rank) - 1];
}

static int load_run(struct load *l) {
        _cleanup_free_ pthread_t *tids = calloc((size_t)l->threads, sizeof(pthread_t));
        _cleanup_free_ double *sorted = NULL;
        size_t n = 0;
        double elapsed;
        int started = 0;

        l->latency_ms = calloc((size_t)l->count, sizeof(double));
        if (!tids || !l->latency_ms)
                return -1;
        for (long i = 0; i < l->count; i++)
                l->latency_ms[i] = -1;
        l->start = now_s();
        for (; started < l->threads; started++)
                if (pthread_create(&tids[started], NULL, worker, l) != 0) {
                        atomic_store(&l->failed, true);
                        break;
                }
        for (int t = 0; t < started; t++)
                pthread_join(tids[t], NULL);
        elapsed = now_s() - l->start;

        sorted = malloc((size_t)l->count * sizeof(double));
        if (!sorted)
                return -1;
        for (long i = 0; i < l->count; i++)
                if (l->latency_ms[i] >= 0)
                        sorted[n++] = l->latency_ms[i];
        qsort(sorted, n, sizeof(double), cmp_double);
        free(l->latency_ms);
        l->latency_ms = NULL;
        if (atomic_load(&l->failed))
                return -1;
        printf("{\"command\":\"%s\",\"threads\":%d,\"n\":%ld,\"seconds\":%.4f,\"rate_per_s\":%.2f,"
               "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f}\n",
               l->command, l->threads, atomic_load(&l->done), elapsed,
               elapsed > 0 ? (double)atomic_load(&l->done) / elapsed : 0, percentile(sorted, n, 50),
               percentile(sorted, n, 90), n ? sorted[0] : 0, n ? sorted[n - 1] : 0);
        return 0;
}

static void usage(FILE *f) {
        fputs("usage: bench-client allocate --socket PATH --prefix P --count N [--threads T]\n"
              "                    [--network NET] [--topology T] [--seconds S]\n"
              "       bench-client repeat --socket PATH --command CMD [--args JSON] --count N\n",
              f);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                {"socket", required_argument, NULL, 's'},
                {"prefix", required_argument, NULL, 'p'},
                {"count", required_argument, NULL, 'n'},
                {"threads", required_argument, NULL, 't'},
                {"network", required_argument, NULL, 'N'},
                {"topology", required_argument, NULL, 'T'},
                {"seconds", required_argument, NULL, 'S'},
                {"command", required_argument, NULL, 'c'},
                {"args", required_argument, NULL, 'a'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        struct load l = {.threads = 1};
        const char *mode;
        int o;

        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        mode = argv[1];
        optind = 2;
        while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (o) {
                case 's':
                        l.socket_path = optarg;
                        break;
                case 'p':
                        l.prefix = optarg;
                        break;
                case 'n':
                        l.count = strtol(optarg, NULL, 10);
                        break;
                case 't':
                        l.threads = (int)strtol(optarg, NULL, 10);
                        break;
                case 'N':
                        l.network = optarg;
                        break;
                case 'T':
                        l.topology = optarg;
                        break;
                case 'S':
                        l.seconds = strtod(optarg, NULL);
                        break;
                case 'c':
                        l.command = optarg;
                        break;
                case 'a':
                        l.args_json = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (streq(mode, "allocate")) {
                l.command = "cluster.allocate";
                if (!l.prefix) {
                        usage(stderr);
                        return 2;
                }
        } else if (streq(mode, "repeat")) {
                if (!l.command || l.prefix) {
                        usage(stderr);
                        return 2;
                }
                l.threads = 1;
        } else {
                usage(stderr);
                return 2;
        }
        if (!l.socket_path || l.count <= 0 || l.threads <= 0 || optind != argc) {
                usage(stderr);
                return 2;
        }
        return load_run(&l) < 0 ? 1 : 0;
}
