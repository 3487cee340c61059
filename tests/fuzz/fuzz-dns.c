/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DNS wire format (netd/dnsmasq/dns.c): a query as the `*.apps`
 * responder (dnsmasq-responder.c) receives it, answered by dns_answer()
 * with the responder's own lookup over two clusters (one IPv4, one IPv6
 * whose domain lies inside the first's names); and the same bytes read by
 * dns_response_parse() as netd reads its dnsmasq's answers when it
 * verifies a change. Invariants:
 * - an answer is a well-formed response: dns_response_parse() reads it,
 *   with the query's id, NOERROR or NXDOMAIN, at most one address, of the
 *   family asked for, and one the zones hold;
 * - an output buffer one byte short of that answer gives -ENOSPC and no
 *   write past its end (the buffer is allocated to size);
 * - dns_response_parse() never reports more than it has room for. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>

#include "fuzz.h"
#include "netd/dnsmasq/dns.h"
#include "netd/dnsmasq/dnsmasq-private.h"

#define TTL 5

static struct dnsmasq_responder *responder;
static struct node nodes[3];
static struct cluster clusters[2];

static struct addr ip(const char *s) {
        struct addr a;

        if (addr_parse(s, &a, NULL) < 0)
                abort();
        return a;
}

static void cluster_init(struct cluster *c, const char *name, const char *domain, const char *api,
                         const char *ingress, struct node *n, size_t n_nodes) {
        strscpy(c->name, sizeof(c->name), name);
        strscpy(c->domain, sizeof(c->domain), domain);
        c->api_vip = ip(api);
        c->ingress_vip = ip(ingress);
        c->nodes = n;
        c->n_nodes = n_nodes;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        struct event_base *base = event_base_new();
        struct netd_error err = {0};

        (void)argc;
        (void)argv;
        if (!base || dnsmasq_responder_new(base, &responder, &err) < 0) {
                fprintf(stderr, "fuzz-dns: %s\n", err.message);
                abort();
        }
        strscpy(nodes[0].name, sizeof(nodes[0].name), "master-0");
        nodes[0].ip = ip("192.0.2.10");
        strscpy(nodes[1].name, sizeof(nodes[1].name), "master-1");
        nodes[1].ip = ip("192.0.2.11");
        strscpy(nodes[2].name, sizeof(nodes[2].name), "master-0");
        nodes[2].ip = ip("2001:db8::10");
        cluster_init(&clusters[0], "c1", "lab.example", "192.0.2.20", "192.0.2.21", nodes, 2);
        cluster_init(&clusters[1], "x", "c1.lab.example", "2001:db8::20", "2001:db8::21", nodes + 2, 1);
        for (size_t i = 0; i < 2; i++)
                if (dnsmasq_responder_zone_set(responder, &clusters[i], &err) < 0)
                        abort();
        return 0;
}

static int lookup(const char *name, int family, struct addr *ret, void *userdata) {
        return dnsmasq_responder_lookup(userdata, name, family, ret);
}

static bool served(const struct addr *a) {
        struct addr loopback = {.family = AF_INET, .value = INADDR_LOOPBACK};

        if (addr_cmp(a, &loopback) == 0)
                return true;
        for (size_t i = 0; i < 2; i++) {
                if (addr_cmp(a, &clusters[i].api_vip) == 0 || addr_cmp(a, &clusters[i].ingress_vip) == 0)
                        return true;
                for (size_t k = 0; k < clusters[i].n_nodes; k++)
                        if (addr_cmp(a, &clusters[i].nodes[k].ip) == 0)
                                return true;
        }
        return false;
}

static void check_answer(const uint8_t *query, size_t size, const uint8_t *out, int len) {
        uint16_t qtype;
        struct dns_result res;
        uint8_t *tight;
        int r;

        FUZZ_ASSERT(len >= 12 && len <= DNS_MAX_PACKET, "answer of %d bytes", len);
        FUZZ_ASSERT(dns_response_parse(out, (size_t)len, &res) == 0, "own answer unreadable");
        FUZZ_ASSERT(res.id == (query[0] << 8 | query[1]), "answer id %u", res.id);
        FUZZ_ASSERT(res.rcode == DNS_RCODE_NOERROR || res.rcode == DNS_RCODE_NXDOMAIN, "rcode %d", res.rcode);
        FUZZ_ASSERT(res.n_addrs <= 1 && res.n_names == 0, "%zu addresses, %zu names", res.n_addrs,
                    res.n_names);
        /* the question's type follows its name, re-encoded without compression */
        size_t off = 12;
        while (off < (size_t)len && out[off])
                off += 1 + out[off];
        FUZZ_ASSERT(off + 4 < (size_t)len, "the question does not fit the answer");
        qtype = (uint16_t)(out[off + 1] << 8 | out[off + 2]);
        if (res.n_addrs == 1) {
                FUZZ_ASSERT(res.rcode == DNS_RCODE_NOERROR, "an address with NXDOMAIN");
                FUZZ_ASSERT(res.addrs[0].family == (qtype == DNS_TYPE_A ? AF_INET : AF_INET6) &&
                                    (qtype == DNS_TYPE_A || qtype == DNS_TYPE_AAAA),
                            "an address of another family than type %u", qtype);
                FUZZ_ASSERT(served(&res.addrs[0]), "an address no zone holds");
        }
        tight = malloc((size_t)len - 1);
        FUZZ_ASSERT(tight, "malloc");
        r = dns_answer(query, size, lookup, responder, TTL, tight, (size_t)len - 1);
        FUZZ_ASSERT(r == -ENOSPC, "%d with one byte less room", r);
        free(tight);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t out[DNS_MAX_PACKET];
        struct dns_result res;
        int len;

        if (!responder)
                LLVMFuzzerInitialize(NULL, NULL);
        len = dns_answer(data, size, lookup, responder, TTL, out, sizeof(out));
        FUZZ_ASSERT(len >= 0 || len == -EBADMSG || len == -ENOSPC, "dns_answer returned %d", len);
        if (len >= 0)
                check_answer(data, size, out, len);

        if (dns_response_parse(data, size, &res) == 0) {
                FUZZ_ASSERT(res.n_addrs <= sizeof(res.addrs) / sizeof(res.addrs[0]) &&
                                    res.n_names <= sizeof(res.names) / sizeof(res.names[0]),
                            "counts past the arrays");
                for (size_t i = 0; i < res.n_names; i++)
                        FUZZ_ASSERT(memchr(res.names[i], '\0', sizeof(res.names[i])), "name not terminated");
        }
        return 0;
}
