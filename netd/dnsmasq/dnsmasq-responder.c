/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netd's small DNS responder on 127.0.0.1. In managed mode dnsmasq forwards
 * here every name of the lab domains its hosts files do not answer: the
 * `*.apps.C.D` wildcards (dnsmasq cannot reload address= lines without a
 * restart), the other address family of a known name (which must be
 * NODATA, not NXDOMAIN), and the names of reused nodes (`--reuse`), which
 * get no hosts line so that their address keeps the owning node's PTR.
 * Its zone is one entry per cluster, keyed "C.D"; a dual-stack name
 * answers A and AAAA. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dns.h"
#include "dnsmasq-conf.h"
#include "dnsmasq-private.h"

#define RESPONDER_TTL 5

/* What the responder knows of a cluster: its names under C.D. */
struct zone_entry {
        struct cluster *c;
        char key[NAME_MAX_LEN + DOMAIN_MAX_LEN + 2]; /* "C.D" */
};

struct dnsmasq_responder {
        int fd;
        unsigned port;
        struct event *ev;
        struct zone_entry *zones; /* sorted by key */
        size_t n_zones;
};

static int zone_cmp(const void *a, const void *b) {
        return strcmp(((const struct zone_entry *)a)->key, ((const struct zone_entry *)b)->key);
}

static struct cluster *cluster_dup(const struct cluster *c) {
        struct cluster *n = malloc(sizeof(*n));

        if (!n)
                return NULL;
        *n = *c;
        n->nodes = c->n_nodes ? malloc(c->n_nodes * sizeof(*c->nodes)) : NULL;
        if (c->n_nodes && !n->nodes) {
                free(n);
                return NULL;
        }
        if (c->n_nodes)
                memcpy(n->nodes, c->nodes, c->n_nodes * sizeof(*c->nodes));
        return n;
}

void dnsmasq_responder_zone_remove(struct dnsmasq_responder *r, const char *cluster) {
        for (size_t i = 0; i < r->n_zones; i++)
                if (streq(r->zones[i].c->name, cluster)) {
                        cluster_free(r->zones[i].c);
                        memmove(&r->zones[i], &r->zones[i + 1], (r->n_zones - i - 1) * sizeof(*r->zones));
                        r->n_zones--;
                        return;
                }
}

int dnsmasq_responder_zone_set(struct dnsmasq_responder *r, const struct cluster *c, struct netd_error *err) {
        struct zone_entry e = {0}, *n;

        dnsmasq_responder_zone_remove(r, c->name);
        e.c = cluster_dup(c);
        if (!e.c)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        snprintf(e.key, sizeof(e.key), "%s.%s", c->name, c->domain);
        n = realloc(r->zones, (r->n_zones + 1) * sizeof(*n));
        if (!n) {
                cluster_free(e.c);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        r->zones = n;
        r->zones[r->n_zones++] = e;
        qsort(r->zones, r->n_zones, sizeof(*r->zones), zone_cmp);
        return 0;
}

void dnsmasq_responder_zones_clear(struct dnsmasq_responder *r) {
        for (size_t i = 0; i < r->n_zones; i++)
                cluster_free(r->zones[i].c);
        free(r->zones);
        r->zones = NULL;
        r->n_zones = 0;
}

static int answer_addr(const struct addr *a, int family, struct addr *ret) {
        if (a->family != family)
                return 0;
        *ret = *a;
        return 1;
}

/* The one of `n` addresses that is of `family` (a dual-stack name has one
 * of each). */
static int answer_addrs(const struct addr *a, size_t n, int family, struct addr *ret) {
        for (size_t k = 0; k < n; k++)
                if (answer_addr(&a[k], family, ret) > 0)
                        return 1;
        return 0;
}

int dnsmasq_responder_lookup(const struct dnsmasq_responder *r, const char *name, int family,
                             struct addr *ret) {
        if (streq(name, DNSMASQ_RESPONDER_READY_NAME))
                return answer_addr(&(struct addr){.family = AF_INET, .value = INADDR_LOOPBACK}, family, ret);
        /* The longest known suffix C.D of the name is its cluster. */
        for (const char *s = name; s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL) {
                struct zone_entry key = {0}, *e;
                const struct cluster *c;
                struct dnsmasq_conf_vips v;
                char host[DOMAIN_MAX_LEN + 1];
                size_t hlen;

                if (s == name || strlen(s) >= sizeof(key.key))
                        continue;
                strcpy(key.key, s);
                /* bsearch() wants a non-NULL array even when it is empty */
                e = r->n_zones ? bsearch(&key, r->zones, r->n_zones, sizeof(*r->zones), zone_cmp) : NULL;
                if (!e)
                        continue;
                c = e->c;
                hlen = (size_t)(s - name) - 1;
                if (hlen >= sizeof(host))
                        return -1;
                memcpy(host, name, hlen);
                host[hlen] = '\0';
                dnsmasq_conf_vips(c, &v);
                if (streq(host, "apps") || (hlen > 5 && streq(host + hlen - 5, ".apps")))
                        return answer_addrs(v.ingress, v.n, family, ret);
                if (streq(host, "api") || streq(host, "api-int"))
                        return answer_addrs(v.api, v.n, family, ret);
                for (size_t i = 0; i < c->n_nodes; i++)
                        if (streq(host, c->nodes[i].name)) {
                                const struct addr *ips;
                                size_t n = dnsmasq_conf_node_ips(&c->nodes[i], &ips);

                                return answer_addrs(ips, n, family, ret);
                        }
                return -1;
        }
        return -1;
}

static int lookup(const char *name, int family, struct addr *ret, void *userdata) {
        return dnsmasq_responder_lookup(userdata, name, family, ret);
}

static void on_query(evutil_socket_t fd, short what _unused_, void *arg) {
        struct dnsmasq_responder *r = arg;

        for (;;) {
                uint8_t in[DNS_MAX_PACKET], out[DNS_MAX_PACKET];
                struct sockaddr_storage from;
                socklen_t fromlen = sizeof(from);
                ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fromlen);
                int len;

                if (n < 0)
                        return;
                len = dns_answer(in, (size_t)n, lookup, r, RESPONDER_TTL, out, sizeof(out));
                if (len > 0)
                        sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&from, fromlen);
        }
}

int dnsmasq_responder_new(struct event_base *base, struct dnsmasq_responder **ret, struct netd_error *err) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        struct dnsmasq_responder *r = calloc(1, sizeof(*r));

        if (!r)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (r->fd < 0) {
                free(r);
                return error_set(err, NETD_EINTERNAL, "socket: %s", strerror(errno));
        }
        if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            getsockname(r->fd, (struct sockaddr *)&sa, &len) < 0) {
                int e = errno;
                dnsmasq_responder_free(r);
                return error_set(err, NETD_EINTERNAL, "dns responder on 127.0.0.1: %s (is lo up?)",
                                 strerror(e));
        }
        r->port = ntohs(sa.sin_port);
        r->ev = event_new(base, r->fd, EV_READ | EV_PERSIST, on_query, r);
        if (!r->ev) {
                dnsmasq_responder_free(r);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        event_add(r->ev, NULL);
        *ret = r;
        return 0;
}

void dnsmasq_responder_free(struct dnsmasq_responder *r) {
        if (!r)
                return;
        if (r->ev)
                event_free(r->ev);
        if (r->fd >= 0)
                close(r->fd);
        dnsmasq_responder_zones_clear(r);
        free(r);
}

unsigned dnsmasq_responder_port(const struct dnsmasq_responder *r) {
        return r->port;
}
