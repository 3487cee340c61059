/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netd's DNS responder (netd/dnsmasq/dnsmasq-responder.c): what its zone
 * answers for the names dnsmasq forwards (the `*.apps` wildcards, the
 * other family of a known name, both families of a dual-stack name, the
 * names of reused nodes, the readiness name), the longest cluster
 * suffix winning, zones replaced and removed; and a round trip over UDP on
 * 127.0.0.1, where a packet not worth answering gets no reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "netd/dnsmasq/dns.h"
#include "netd/dnsmasq/dnsmasq-private.h"

static struct addr ip(const char *s) {
        struct addr a;
        assert_int_equal(addr_parse(s, &a, NULL), 0);
        return a;
}

struct cluster_fixture {
        struct cluster c;
        struct node nodes[3];
};

/* c1.lab.example: two nodes, the VIPs apart. */
static void c1_init(struct cluster_fixture *f, const char *ingress) {
        memset(f, 0, sizeof(*f));
        strscpy(f->c.name, sizeof(f->c.name), "c1");
        strscpy(f->c.domain, sizeof(f->c.domain), "lab.example");
        strscpy(f->nodes[0].name, sizeof(f->nodes[0].name), "master-0");
        f->nodes[0].ip = ip("192.0.2.10");
        strscpy(f->nodes[1].name, sizeof(f->nodes[1].name), "master-1");
        f->nodes[1].ip = ip("192.0.2.11");
        f->c.api_vip = ip("192.0.2.20");
        f->c.ingress_vip = ip(ingress);
        f->c.nodes = f->nodes;
        f->c.n_nodes = 2;
}

/* x.c1.lab.example: a cluster whose domain lies inside c1's names; IPv6. */
static void x_init(struct cluster_fixture *f) {
        memset(f, 0, sizeof(*f));
        strscpy(f->c.name, sizeof(f->c.name), "x");
        strscpy(f->c.domain, sizeof(f->c.domain), "c1.lab.example");
        strscpy(f->nodes[0].name, sizeof(f->nodes[0].name), "master-0");
        f->nodes[0].ip = ip("2001:db8::10");
        f->c.api_vip = ip("2001:db8::10");
        f->c.ingress_vip = ip("2001:db8::11");
        f->c.nodes = f->nodes;
        f->c.n_nodes = 1;
}

/* ds.lab.example: dual-stack compact (IPv6 primary), and master-2 the
 * machine of another cluster's node (`--reuse`, no hosts line: the
 * responder answers its names). */
static void ds_init(struct cluster_fixture *f) {
        static const char *const v4[] = {"192.0.2.40", "192.0.2.41", "198.51.100.7"};
        static const char *const v6[] = {"2001:db8::40", "2001:db8::41", "2001:db8::7"};

        memset(f, 0, sizeof(*f));
        strscpy(f->c.name, sizeof(f->c.name), "ds");
        strscpy(f->c.domain, sizeof(f->c.domain), "lab.example");
        for (size_t i = 0; i < 3; i++) {
                struct node *nd = &f->nodes[i];

                snprintf(nd->name, sizeof(nd->name), "master-%zu", i);
                nd->ip = nd->ips[0] = ip(v6[i]);
                nd->ips[1] = ip(v4[i]);
                nd->n_ips = 2;
        }
        strscpy(f->nodes[2].reuses_cluster, sizeof(f->nodes[2].reuses_cluster), "other");
        strscpy(f->nodes[2].reuses_node, sizeof(f->nodes[2].reuses_node), "worker-0");
        f->c.api_vip = f->c.networks[0].api_vip = ip("2001:db8::50");
        f->c.ingress_vip = f->c.networks[0].ingress_vip = ip("2001:db8::51");
        f->c.networks[1].api_vip = ip("192.0.2.50");
        f->c.networks[1].ingress_vip = ip("192.0.2.51");
        f->c.n_networks = 2;
        f->c.nodes = f->nodes;
        f->c.n_nodes = 3;
}

struct responder_state {
        struct event_base *base;
        struct dnsmasq_responder *r;
};

static int setup(void **state) {
        struct responder_state *st = calloc(1, sizeof(*st));
        struct netd_error err = {0};

        if (!st)
                return -1;
        *state = st;
        st->base = event_base_new();
        if (!st->base || dnsmasq_responder_new(st->base, &st->r, &err) < 0) {
                fprintf(stderr, "dnsmasq_responder_new: %s\n", err.message);
                return -1;
        }
        return 0;
}

static int teardown(void **state) {
        struct responder_state *st = *state;

        dnsmasq_responder_free(st->r);
        if (st->base)
                event_base_free(st->base);
        free(st);
        return 0;
}

/* The answer for `name`: "-" unknown, "" no address of that family, or
 * the address. */
static const char *lookup(struct dnsmasq_responder *r, const char *name, int family) {
        static char buf[ADDR_STRLEN];
        struct addr a = {0};
        int n = dnsmasq_responder_lookup(r, name, family, &a);

        if (n < 0)
                return "-";
        if (n == 0)
                return "";
        assert_int_equal(n, 1);
        assert_int_equal(a.family, family);
        return addr_format(&a, buf, sizeof(buf));
}

static void test_lookup(void **state) {
        struct dnsmasq_responder *r = ((struct responder_state *)*state)->r;
        struct netd_error err = {0};
        struct cluster_fixture c1;

        c1_init(&c1, "192.0.2.21");
        assert_int_equal(dnsmasq_responder_zone_set(r, &c1.c, &err), 0);

        /* the wildcard, at any depth */
        assert_string_equal(lookup(r, "x.apps.c1.lab.example", AF_INET), "192.0.2.21");
        assert_string_equal(lookup(r, "apps.c1.lab.example", AF_INET), "192.0.2.21");
        assert_string_equal(lookup(r, "a.b.apps.c1.lab.example", AF_INET), "192.0.2.21");
        assert_string_equal(lookup(r, "console.apps.c1.lab.example", AF_INET6), "");
        assert_string_equal(lookup(r, "xapps.c1.lab.example", AF_INET), "-");
        /* the API names and the nodes: the other family is NODATA */
        assert_string_equal(lookup(r, "api.c1.lab.example", AF_INET), "192.0.2.20");
        assert_string_equal(lookup(r, "api-int.c1.lab.example", AF_INET), "192.0.2.20");
        assert_string_equal(lookup(r, "master-1.c1.lab.example", AF_INET), "192.0.2.11");
        assert_string_equal(lookup(r, "master-1.c1.lab.example", AF_INET6), "");
        /* unknown names */
        assert_string_equal(lookup(r, "master-7.c1.lab.example", AF_INET), "-");
        assert_string_equal(lookup(r, "c1.lab.example", AF_INET), "-");
        assert_string_equal(lookup(r, "lab.example", AF_INET), "-");
        assert_string_equal(lookup(r, "master-0.c2.lab.example", AF_INET), "-");
        assert_string_equal(lookup(r, "", AF_INET), "-");
        /* netd's readiness name, on loopback */
        assert_string_equal(lookup(r, DNSMASQ_RESPONDER_READY_NAME, AF_INET), "127.0.0.1");
        assert_string_equal(lookup(r, DNSMASQ_RESPONDER_READY_NAME, AF_INET6), "");
}

/* The responder of the test, serving c1 and x. */
static struct dnsmasq_responder *zones_c1_x(void **state, struct cluster_fixture *c1,
                                            struct cluster_fixture *x) {
        struct dnsmasq_responder *r = ((struct responder_state *)*state)->r;
        struct netd_error err = {0};

        c1_init(c1, "192.0.2.21");
        x_init(x);
        assert_int_equal(dnsmasq_responder_zone_set(r, &c1->c, &err), 0);
        assert_int_equal(dnsmasq_responder_zone_set(r, &x->c, &err), 0);
        return r;
}

static void test_longest_suffix(void **state) {
        struct cluster_fixture c1, x;
        struct dnsmasq_responder *r = zones_c1_x(state, &c1, &x);

        assert_string_equal(lookup(r, "master-0.x.c1.lab.example", AF_INET6), "2001:db8::10");
        assert_string_equal(lookup(r, "master-0.x.c1.lab.example", AF_INET), "");
        assert_string_equal(lookup(r, "w.apps.x.c1.lab.example", AF_INET6), "2001:db8::11");
        assert_string_equal(lookup(r, "master-0.c1.lab.example", AF_INET), "192.0.2.10");
        /* without x, its names are c1's unknown hosts */
        dnsmasq_responder_zone_remove(r, "x");
        assert_string_equal(lookup(r, "master-0.x.c1.lab.example", AF_INET6), "-");
        assert_string_equal(lookup(r, "master-0.c1.lab.example", AF_INET), "192.0.2.10");
}

static void test_zone_replace_remove(void **state) {
        struct netd_error err = {0};
        struct cluster_fixture c1, x;
        struct dnsmasq_responder *r = zones_c1_x(state, &c1, &x);

        /* the zone keeps its own copy */
        c1.nodes[0].ip = ip("192.0.2.99");
        assert_string_equal(lookup(r, "master-0.c1.lab.example", AF_INET), "192.0.2.10");
        /* set again: the new names replace the old ones */
        c1_init(&c1, "192.0.2.30");
        c1.c.n_nodes = 1;
        assert_int_equal(dnsmasq_responder_zone_set(r, &c1.c, &err), 0);
        assert_string_equal(lookup(r, "x.apps.c1.lab.example", AF_INET), "192.0.2.30");
        assert_string_equal(lookup(r, "master-1.c1.lab.example", AF_INET), "-");
        assert_string_equal(lookup(r, "master-0.x.c1.lab.example", AF_INET6), "2001:db8::10");

        dnsmasq_responder_zone_remove(r, "c1");
        dnsmasq_responder_zone_remove(r, "c1"); /* gone already: nothing */
        assert_string_equal(lookup(r, "x.apps.c1.lab.example", AF_INET), "-");
        assert_string_equal(lookup(r, "master-0.x.c1.lab.example", AF_INET6), "2001:db8::10");
        dnsmasq_responder_zones_clear(r);
        assert_string_equal(lookup(r, "master-0.x.c1.lab.example", AF_INET6), "-");
        assert_string_equal(lookup(r, DNSMASQ_RESPONDER_READY_NAME, AF_INET), "127.0.0.1");
}

/* Dual-stack names answer A and AAAA, reused nodes' names like the rest. */
static void test_dualstack_reuse(void **state) {
        struct dnsmasq_responder *r = ((struct responder_state *)*state)->r;
        struct netd_error err = {0};
        struct cluster_fixture ds;

        ds_init(&ds);
        assert_int_equal(dnsmasq_responder_zone_set(r, &ds.c, &err), 0);
        assert_string_equal(lookup(r, "master-1.ds.lab.example", AF_INET6), "2001:db8::41");
        assert_string_equal(lookup(r, "master-1.ds.lab.example", AF_INET), "192.0.2.41");
        assert_string_equal(lookup(r, "master-2.ds.lab.example", AF_INET6), "2001:db8::7");
        assert_string_equal(lookup(r, "master-2.ds.lab.example", AF_INET), "198.51.100.7");
        assert_string_equal(lookup(r, "api.ds.lab.example", AF_INET6), "2001:db8::50");
        assert_string_equal(lookup(r, "api-int.ds.lab.example", AF_INET), "192.0.2.50");
        assert_string_equal(lookup(r, "console.apps.ds.lab.example", AF_INET6), "2001:db8::51");
        assert_string_equal(lookup(r, "console.apps.ds.lab.example", AF_INET), "192.0.2.51");
        assert_string_equal(lookup(r, "master-3.ds.lab.example", AF_INET), "-");
        /* one family only: the other is NODATA */
        ds.c.n_networks = 1;
        ds.nodes[0].n_ips = 1;
        assert_int_equal(dnsmasq_responder_zone_set(r, &ds.c, &err), 0);
        assert_string_equal(lookup(r, "master-0.ds.lab.example", AF_INET6), "2001:db8::40");
        assert_string_equal(lookup(r, "master-0.ds.lab.example", AF_INET), "");
        assert_string_equal(lookup(r, "x.apps.ds.lab.example", AF_INET), "");
        assert_string_equal(lookup(r, "api.ds.lab.example", AF_INET), "");
}

/* ---- over UDP ---- */

static int client_socket(unsigned port) {
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                 .sin_port = htons((uint16_t)port)};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        return fd;
}

/* Send `pkt`, let the responder run, and return the reply's length (0 when
 * none came within 200 ms). */
static ssize_t exchange(struct responder_state *st, int fd, const uint8_t *pkt, size_t len, uint8_t *reply,
                        size_t size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};

        assert_int_equal(send(fd, pkt, len, 0), (ssize_t)len);
        event_base_loop(st->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        for (int i = 0; i < 20 && poll(&p, 1, 0) == 0; i++) {
                event_base_loop(st->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
                poll(&p, 1, 10);
        }
        if (!(p.revents & POLLIN))
                return 0;
        return recv(fd, reply, size, 0);
}

static void test_udp(void **state) {
        struct responder_state *st = *state;
        struct netd_error err = {0};
        struct cluster_fixture c1;
        uint8_t q[DNS_MAX_PACKET], a[DNS_MAX_PACKET];
        struct dns_result res;
        char buf[ADDR_STRLEN];
        _cleanup_close_ int fd = -1;
        int qlen;
        ssize_t n;

        assert_true(dnsmasq_responder_port(st->r) > 0);
        c1_init(&c1, "192.0.2.21");
        assert_int_equal(dnsmasq_responder_zone_set(st->r, &c1.c, &err), 0);
        fd = client_socket(dnsmasq_responder_port(st->r));

        qlen = dns_query_build(0x1234, "Console.Apps.c1.lab.example", DNS_TYPE_A, q, sizeof(q));
        assert_true(qlen > 0);
        n = exchange(st, fd, q, (size_t)qlen, a, sizeof(a));
        assert_true(n > 0);
        assert_int_equal(dns_response_parse(a, (size_t)n, &res), 0);
        assert_int_equal(res.id, 0x1234);
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_addrs, 1);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "192.0.2.21");

        qlen = dns_query_build(0x1235, "nope.c1.lab.example", DNS_TYPE_A, q, sizeof(q));
        n = exchange(st, fd, q, (size_t)qlen, a, sizeof(a));
        assert_true(n > 0);
        assert_int_equal(dns_response_parse(a, (size_t)n, &res), 0);
        assert_int_equal(res.id, 0x1235);
        assert_int_equal(res.rcode, DNS_RCODE_NXDOMAIN);

        /* garbage gets no answer, and the responder carries on */
        memset(q, 0xff, 8);
        assert_int_equal(exchange(st, fd, q, 8, a, sizeof(a)), 0);
        qlen = dns_query_build(0x1236, DNSMASQ_RESPONDER_READY_NAME, DNS_TYPE_A, q, sizeof(q));
        n = exchange(st, fd, q, (size_t)qlen, a, sizeof(a));
        assert_true(n > 0);
        assert_int_equal(dns_response_parse(a, (size_t)n, &res), 0);
        assert_int_equal(res.id, 0x1236);
        assert_int_equal(res.n_addrs, 1);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "127.0.0.1");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_longest_suffix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zone_replace_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dualstack_reuse, setup, teardown),
                cmocka_unit_test_setup_teardown(test_udp, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
