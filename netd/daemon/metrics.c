/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>
#include <sys/socket.h>

#include "db/capacity.h"
#include "netd/fabric/fabric.h"
#include "netd/core/config.h"
#include "listener.h"
#include "netd/core/log.h"
#include "metrics.h"
#include "netd/loop/loop.h"
#include "netd/core/stats.h"
#include "netd/core/u128.h"

static const struct {
        const char *name, *help;
} histogram_info[STATS_HISTOGRAM_MAX] = {
        [STATS_ALLOCATION] = {"netd_allocation_duration_seconds",
                              "Allocate requests (cluster and node), from reading the request to the reply."},
        [STATS_DNSMASQ_CHANGE] = {"netd_dnsmasq_change_duration_seconds",
                                  "A change of the allocations until dnsmasq serves it (or the reload "
                                  "command finished)."},
};

/* Scrapers: a few at a time; past this the least recently active idle one
 * makes room (listener.h). */
#define METRICS_MAX_CONNECTIONS 64
#define METRICS_MAX_HEADERS 8192
/* A scraper that sends nothing, or does not read its reply, for this long
 * is closed. */
#define METRICS_TIMEOUT_S 10

struct mconn;

struct metrics {
        struct event_base *base;
        struct store *store;
        struct fabric *fabric;
        struct listener *listener;
        struct mconn *conns;
};

/* One HTTP connection: requests are answered one at a time, the next read
 * only once the reply before it has gone out, so a scraper that does not
 * read holds at most one reply. */
struct mconn {
        struct listener_conn lc;
        struct mconn *prev, *next;
        struct metrics *m;
        struct bufferevent *bev;
        bool closing; /* close once the reply is written */
};

/* ---- rendering ---- */

static void family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values are netd names (validated), but escape as the format says
 * so that nothing can break a line. */
static void label_value(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        fprintf(f, "\\%c", *s);
                else if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

static void sample_u128(FILE *f, const char *name, const char *l1, const char *v1, const char *l2,
                        const char *v2, u128 value) {
        char buf[U128_DECLEN];

        fprintf(f, "%s{%s=\"", name, l1);
        label_value(f, v1);
        fputc('"', f);
        if (l2) {
                fprintf(f, ",%s=\"", l2);
                label_value(f, v2);
                fputc('"', f);
        }
        fprintf(f, "} %s\n", u128_format(value, buf, sizeof(buf)));
}

static void render_networks(struct metrics *m, FILE *f) {
        _cleanup_free_ struct capacity *caps = NULL;
        struct capacity lab;
        struct netd_error err = {0};
        size_t n = 0;

        if (capacity_report(m->store, NULL, 0, &caps, &n, &lab, &err) < 0) {
                log_warn("metrics: %s", err.message);
                return;
        }
        family(f, "netd_network_addresses", "gauge",
               "Addresses of a network: total usable, reserved (gateway, --reserve, --dhcp-range), "
               "allocated to clusters, free.");
        for (size_t i = 0; i < n; i++) {
                sample_u128(f, "netd_network_addresses", "network", caps[i].name, "state", "total",
                            caps[i].total);
                sample_u128(f, "netd_network_addresses", "network", caps[i].name, "state", "reserved",
                            caps[i].reserved);
                sample_u128(f, "netd_network_addresses", "network", caps[i].name, "state", "allocated",
                            caps[i].allocated);
                sample_u128(f, "netd_network_addresses", "network", caps[i].name, "state", "free",
                            caps[i].free);
        }
        family(f, "netd_network_clusters", "gauge", "Clusters allocated on a network.");
        for (size_t i = 0; i < n; i++)
                sample_u128(f, "netd_network_clusters", "network", caps[i].name, NULL, NULL,
                            caps[i].clusters);
}

struct host_list {
        struct fabric_host_stats *v;
        size_t n;
};

static void collect_host(const struct fabric_host_stats *s, void *userdata) {
        struct host_list *l = userdata;
        struct fabric_host_stats *n = reallocarray(l->v, l->n + 1, sizeof(*n));

        if (!n)
                return;
        l->v = n;
        l->v[l->n++] = *s;
}

static int host_cmp(const void *a, const void *b) {
        return strcmp(((const struct fabric_host_stats *)a)->name,
                      ((const struct fabric_host_stats *)b)->name);
}

static void render_hosts(struct metrics *m, FILE *f) {
        struct host_list l = {0};

        if (!m->fabric)
                return;
        fabric_stats(m->fabric, collect_host, &l);
        if (l.n > 1)
                qsort(l.v, l.n, sizeof(*l.v), host_cmp);
        family(f, "netd_host_connected", "gauge", "1 when the host's agent is connected.");
        for (size_t i = 0; i < l.n; i++)
                sample_u128(f, "netd_host_connected", "host", l.v[i].name, NULL, NULL, l.v[i].connected);
        family(f, "netd_host_libvirt_connected", "gauge",
               "1 when the libvirt connection of a host with --libvirt is open.");
        for (size_t i = 0; i < l.n; i++)
                if (l.v[i].has_libvirt)
                        sample_u128(f, "netd_host_libvirt_connected", "host", l.v[i].name, NULL, NULL,
                                    l.v[i].libvirt_connected);
        family(f, "netd_host_objects", "gauge",
               "Fabric objects of a host by the state its last reconcile pass found (before repairing).");
        for (size_t i = 0; i < l.n; i++)
                for (unsigned s = 0; s < FOBJ_STATE_MAX; s++)
                        sample_u128(f, "netd_host_objects", "host", l.v[i].name, "state",
                                    fobj_state_to_string(s), l.v[i].objects[s]);
        family(f, "netd_host_last_pass_timestamp_seconds", "gauge",
               "When the host's last reconcile pass finished (0: none yet).");
        for (size_t i = 0; i < l.n; i++)
                sample_u128(f, "netd_host_last_pass_timestamp_seconds", "host", l.v[i].name, NULL, NULL,
                            (u128)l.v[i].last_pass);
        free(l.v);
}

static void render_histograms(FILE *f) {
        for (unsigned h = 0; h < STATS_HISTOGRAM_MAX; h++) {
                const struct stats_histogram_value *x = stats_histogram_get(h);
                const char *name = histogram_info[h].name;
                uint64_t cumulative = 0;

                family(f, name, "histogram", histogram_info[h].help);
                for (size_t i = 0; i < STATS_N_BUCKETS; i++) {
                        cumulative += x->counts[i];
                        fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, stats_buckets[i], cumulative);
                }
                fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, x->count);
                fprintf(f, "%s_sum %.9g\n%s_count %" PRIu64 "\n", name, x->sum, name, x->count);
        }
}

static void render_requests(FILE *f) {
        size_t n_requests;
        const struct stats_request_count *requests = stats_requests_get(&n_requests);

        family(f, "netd_requests_total", "counter", "Requests answered, by command and result.");
        for (size_t i = 0; i < n_requests; i++) {
                fprintf(f, "netd_requests_total{command=\"%s\",result=\"ok\"} %" PRIu64 "\n",
                        requests[i].command, requests[i].ok);
                fprintf(f, "netd_requests_total{command=\"%s\",result=\"error\"} %" PRIu64 "\n",
                        requests[i].command, requests[i].error);
        }
}

char *metrics_render(struct metrics *m) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        render_networks(m, f);
        render_hosts(m, f);
        render_histograms(f);
        render_requests(f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* ---- HTTP ---- */

static void mconn_free(struct mconn *c) {
        if (c->prev)
                c->prev->next = c->next;
        else
                c->m->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        bufferevent_free(c->bev);
        listener_conn_release(&c->lc);
        free(c);
}

static void reply(struct mconn *c, int status, const char *reason, const char *type, const char *body,
                  bool head_only) {
        size_t len = strlen(body);

        evbuffer_add_printf(bufferevent_get_output(c->bev),
                            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n", status,
                            reason, type, len, c->closing ? "Connection: close\r\n" : "");
        if (!head_only)
                bufferevent_write(c->bev, body, len);
}

static void reply_error(struct mconn *c, int status, const char *reason, const char *body) {
        reply(c, status, reason, "text/plain; charset=utf-8", body, false);
}

/* The value of header `name` in the header block `h` (lines after the
 * request line), or NULL. */
static const char *header(char *h, const char *name, char *buf, size_t size) {
        size_t n = strlen(name);

        for (char *line = h; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);

                if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
                        const char *v = line + n + 1;
                        size_t vlen = len - n - 1;

                        while (vlen && (*v == ' ' || *v == '\t'))
                                v++, vlen--;
                        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                                vlen--;
                        if (vlen >= size)
                                vlen = size - 1;
                        memcpy(buf, v, vlen);
                        buf[vlen] = '\0';
                        return buf;
                }
        }
        return NULL;
}

/* One request: `req` is its request line and headers, NUL-terminated. */
static void mconn_answer(struct mconn *c, char *req) {
        char method[16], target[1024], version[16], v[64];
        char *headers = strchr(req, '\n'), *q;
        const char *conn, *length;

        if (headers)
                *headers++ = '\0';
        if (sscanf(req, "%15s %1023s %15s", method, target, version) != 3 ||
            strncmp(version, "HTTP/1.", 7) != 0) {
                c->closing = true;
                reply_error(c, 400, "Bad Request", "bad request\n");
                return;
        }
        conn = header(headers, "Connection", v, sizeof(v));
        if (streq(version, "HTTP/1.0") ? !(conn && strcasecmp(conn, "keep-alive") == 0)
                                       : conn && strcasecmp(conn, "close") == 0)
                c->closing = true;
        length = header(headers, "Content-Length", v, sizeof(v));
        if ((length && !streq(length, "0")) || header(headers, "Transfer-Encoding", v, sizeof(v))) {
                c->closing = true;
                reply_error(c, 413, "Payload Too Large", "no request body is accepted\n");
                return;
        }
        if (!streq(method, "GET") && !streq(method, "HEAD")) {
                reply_error(c, 501, "Not Implemented", "GET or HEAD only\n");
                return;
        }
        if ((q = strchr(target, '?')))
                *q = '\0';
        if (!streq(target, "/metrics")) {
                reply_error(c, 404, "Not Found", "netd serves /metrics only\n");
                return;
        }
        {
                _cleanup_free_ char *text = metrics_render(c->m);

                if (!text) {
                        reply_error(c, 500, "Internal Server Error", "out of memory\n");
                        return;
                }
                reply(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", text, streq(method, "HEAD"));
        }
}

/* The next request, once the reply before it has gone out. */
static void mconn_process(struct mconn *c) {
        struct evbuffer *in = bufferevent_get_input(c->bev);
        struct evbuffer_ptr end;
        size_t len;
        char *req;

        if (c->closing || evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
                return;
        end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
        len = end.pos < 0 ? 0 : (size_t)end.pos + 4;
        if (end.pos < 0) {
                end = evbuffer_search(in, "\n\n", 2, NULL);
                len = end.pos < 0 ? 0 : (size_t)end.pos + 2;
        }
        if (len == 0 || len > METRICS_MAX_HEADERS) {
                if (len > METRICS_MAX_HEADERS || evbuffer_get_length(in) > METRICS_MAX_HEADERS) {
                        c->closing = true;
                        reply_error(c, 431, "Request Header Fields Too Large", "request too large\n");
                }
                return;
        }
        req = malloc(len + 1);
        if (!req) {
                c->closing = true;
                reply_error(c, 500, "Internal Server Error", "out of memory\n");
                return;
        }
        evbuffer_remove(in, req, len);
        req[len] = '\0';
        mconn_answer(c, req);
        free(req);
}

static void mconn_on_read(struct bufferevent *bev _unused_, void *arg) {
        struct mconn *c = arg;

        listener_conn_touch(&c->lc);
        mconn_process(c);
        if (c->closing)
                bufferevent_disable(c->bev, EV_READ);
}

static void mconn_on_write(struct bufferevent *bev _unused_, void *arg) {
        struct mconn *c = arg;

        listener_conn_touch(&c->lc);
        if (c->closing) {
                mconn_free(c);
                return;
        }
        /* Requests the scraper sent while the reply was going out. */
        mconn_on_read(bev, c);
}

static void mconn_on_event(struct bufferevent *bev _unused_, short what, void *arg) {
        struct mconn *c = arg;

        if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
            evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
                /* Half closed: the reply it asked for still goes out. */
                c->closing = true;
                bufferevent_disable(c->bev, EV_READ);
                return;
        }
        mconn_free(c);
}

static struct listener_conn *mconn_accept(void *userdata, int fd, const struct ucred *cred _unused_) {
        struct metrics *m = userdata;
        struct timeval tv = {.tv_sec = METRICS_TIMEOUT_S};
        struct mconn *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->m = m;
        c->bev = bufferevent_socket_new(m->base, fd, BEV_OPT_CLOSE_ON_FREE);
        if (!c->bev) {
                free(c);
                return NULL;
        }
        bufferevent_priority_set(c->bev, PRIO_IO);
        bufferevent_setwatermark(c->bev, EV_READ, 0, METRICS_MAX_HEADERS + 4);
        bufferevent_set_timeouts(c->bev, &tv, &tv);
        bufferevent_setcb(c->bev, mconn_on_read, mconn_on_write, mconn_on_event, c);
        bufferevent_enable(c->bev, EV_READ | EV_WRITE);
        c->next = m->conns;
        if (m->conns)
                m->conns->prev = c;
        m->conns = c;
        return &c->lc;
}

static bool mconn_idle(struct listener_conn *lc) {
        struct mconn *c = (struct mconn *)((char *)lc - offsetof(struct mconn, lc));

        return !c->closing && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 &&
               evbuffer_get_length(bufferevent_get_input(c->bev)) == 0;
}

static void mconn_evict(struct listener_conn *lc) {
        mconn_free((struct mconn *)((char *)lc - offsetof(struct mconn, lc)));
}

static void mconn_refuse(void *userdata _unused_, int fd, const char *why _unused_) {
        static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                   "Connection: close\r\n\r\n";

        if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
                /* The scraper learns it from the closed connection. */
        }
}

static const struct listener_ops metrics_listener_ops = {
        .accept = mconn_accept,
        .idle = mconn_idle,
        .evict = mconn_evict,
        .refuse = mconn_refuse,
};

static const struct listener_limits metrics_limits = {
        .name = "metrics",
        .max_total = METRICS_MAX_CONNECTIONS,
};

/* A listening TCP socket on the literal address `host`. */
static int metrics_socket(const char *host, unsigned port) {
        struct sockaddr_storage ss = {0};
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        socklen_t len;
        int fd, one = 1;

        if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)port);
                len = sizeof(*in4);
        } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                len = sizeof(*in6);
        } else {
                errno = EINVAL;
                return -1;
        }
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *)&ss, len) < 0) {
                int e = errno;

                close(fd);
                errno = e;
                return -1;
        }
        return fd;
}

int metrics_new(struct event_base *base, const char *listen, struct store *store, struct fabric *fabric,
                struct metrics **ret, struct netd_error *err) {
        struct metrics *m;
        char host[ADDR_STRLEN];
        unsigned port;
        int fd, r;

        *ret = NULL;
        if (isempty(listen))
                return 0;
        r = config_listen_parse(listen, host, sizeof(host), &port, err);
        if (r < 0)
                return r;
        fd = metrics_socket(host, port);
        if (fd < 0)
                return error_set(err, NETD_EUNAVAILABLE, "metrics: cannot listen on %s: %s", listen,
                                 strerror(errno));
        m = calloc(1, sizeof(*m));
        if (!m) {
                close(fd);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        m->base = base;
        m->store = store;
        m->fabric = fabric;
        r = listener_new(base, fd, &metrics_limits, &metrics_listener_ops, m, &m->listener, err);
        if (r < 0) {
                free(m);
                return r;
        }
        log_info("metrics: serving http://%s/metrics", listen);
        *ret = m;
        return 0;
}

void metrics_free(struct metrics *m) {
        if (!m)
                return;
        while (m->conns)
                mconn_free(m->conns);
        listener_free(m->listener);
        free(m);
}
