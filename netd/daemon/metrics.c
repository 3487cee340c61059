/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <inttypes.h>
#include <stdarg.h>

#include "db/capacity.h"
#include "netd/fabric/fabric.h"
#include "netd/core/config.h"
#include "netd/core/log.h"
#include "metrics.h"
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

struct metrics {
        struct store *store;
        struct fabric *fabric;
        struct evhttp *http;
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

        if (capacity_report(m->store, NULL, &caps, &n, &lab, &err) < 0) {
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

static void on_metrics(struct evhttp_request *req, void *arg) {
        struct metrics *m = arg;
        _cleanup_free_ char *text = metrics_render(m);
        struct evbuffer *out;

        if (!text) {
                evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
                return;
        }
        out = evbuffer_new();
        if (!out) {
                evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
                return;
        }
        evbuffer_add(out, text, strlen(text));
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "text/plain; version=0.0.4; charset=utf-8");
        evhttp_send_reply(req, HTTP_OK, "OK", out);
        evbuffer_free(out);
}

static void on_other(struct evhttp_request *req, void *arg _unused_) {
        evhttp_send_error(req, HTTP_NOTFOUND, "netd serves /metrics only");
}

int metrics_new(struct event_base *base, const char *listen, struct store *store, struct fabric *fabric,
                struct metrics **ret, struct netd_error *err) {
        struct metrics *m;
        char host[ADDR_STRLEN];
        unsigned port;
        int r;

        *ret = NULL;
        if (isempty(listen))
                return 0;
        r = config_listen_parse(listen, host, sizeof(host), &port, err);
        if (r < 0)
                return r;
        m = calloc(1, sizeof(*m));
        if (!m || !(m->http = evhttp_new(base))) {
                free(m);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        m->store = store;
        m->fabric = fabric;
        evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
        evhttp_set_max_headers_size(m->http, 8192);
        evhttp_set_max_body_size(m->http, 0);
        evhttp_set_timeout(m->http, 10);
        evhttp_set_cb(m->http, "/metrics", on_metrics, m);
        evhttp_set_gencb(m->http, on_other, m);
        if (!evhttp_bind_socket_with_handle(m->http, host, (ev_uint16_t)port)) {
                r = error_set(err, NETD_EUNAVAILABLE, "metrics: cannot listen on %s: %s", listen,
                              strerror(errno));
                metrics_free(m);
                return r;
        }
        log_info("metrics: serving http://%s/metrics", listen);
        *ret = m;
        return 0;
}

void metrics_free(struct metrics *m) {
        if (!m)
                return;
        evhttp_free(m->http);
        free(m);
}
