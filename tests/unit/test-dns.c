/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DNS wire helpers: queries built by netd answered by the wildcard
 * responder and parsed back, packets captured from dnsmasq 2.90, and
 * malformed input (every truncation, compression loops, oversized names,
 * random corruption) that must be refused without reading out of bounds.
 * Run under ASan/UBSan to make the last point meaningful. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>

#include "netd/dnsmasq/dns.h"

/* ---- a lookup table standing in for netd's clusters ---- */

struct lookup_state {
        char last_name[256];
        int calls;
};

static struct addr ip(const char *s) {
        struct addr a;
        assert_int_equal(addr_parse(s, &a, NULL), 0);
        return a;
}

static bool name_under(const char *name, const char *zone) {
        size_t n = strlen(name), z = strlen(zone);
        return streq(name, zone) || (n > z && name[n - z - 1] == '.' && streq(name + n - z, zone));
}

/* apps.sno.lab.example: IPv4 only; apps.six.v6.example: IPv6 only;
 * apps.dual.lab.example: both. */
static int lookup(const char *name, int family, struct addr *ret, void *userdata) {
        struct lookup_state *st = userdata;

        st->calls++;
        strscpy(st->last_name, sizeof(st->last_name), name);
        if (name_under(name, "apps.sno.lab.example")) {
                if (family != AF_INET)
                        return 0;
                *ret = ip("192.0.2.10");
                return 1;
        }
        if (name_under(name, "apps.six.v6.example")) {
                if (family != AF_INET6)
                        return 0;
                *ret = ip("2001:db8::10");
                return 1;
        }
        if (name_under(name, "apps.dual.lab.example")) {
                *ret = family == AF_INET ? ip("198.51.100.7") : ip("2001:db8::7");
                return 1;
        }
        return -1;
}

/* A lookup that answers with the wrong family: must never reach the wire. */
static int lookup_confused(const char *name, int family, struct addr *ret, void *userdata) {
        (void)name;
        (void)userdata;
        *ret = family == AF_INET ? ip("2001:db8::1") : ip("192.0.2.1");
        return 1;
}

static uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* Builds a query, answers it and parses the answer. */
static void round_trip(const char *name, uint16_t qtype, struct lookup_state *st, struct dns_result *res,
                       uint8_t resp[DNS_MAX_PACKET], int *ret_len) {
        uint8_t q[DNS_MAX_PACKET];
        int qlen, rlen;

        qlen = dns_query_build(0x5a5a, name, qtype, q, sizeof(q));
        assert_true(qlen > 0);
        rlen = dns_answer(q, (size_t)qlen, lookup, st, 30, resp, DNS_MAX_PACKET);
        assert_true(rlen > 0);
        assert_int_equal(dns_response_parse(resp, (size_t)rlen, res), 0);
        assert_int_equal(res->id, 0x5a5a);
        /* the question is echoed as asked, case included */
        assert_memory_equal(resp + 12, q + 12, (size_t)qlen - 12);
        *ret_len = rlen;
}

/* ---- tests ---- */

static void test_query_build(void **state) {
        (void)state;
        uint8_t buf[DNS_MAX_PACKET];
        static const uint8_t expected[] = {
                0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* RD, one question */
                0x03, 'a',  'p',  'i',  0x03, 's',  'n',  'o',  0x03, 'l',  'a',  'b',  0x07,
                'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x00, 0x00, 0x1c, 0x00, 0x01, /* AAAA, IN */
        };

        assert_int_equal(dns_query_build(0x1234, "api.sno.lab.example", DNS_TYPE_AAAA, buf, sizeof(buf)),
                         sizeof(expected));
        assert_memory_equal(buf, expected, sizeof(expected));
        /* one trailing dot is the same name */
        assert_int_equal(dns_query_build(0x1234, "api.sno.lab.example.", DNS_TYPE_AAAA, buf, sizeof(buf)),
                         sizeof(expected));
        assert_memory_equal(buf, expected, sizeof(expected));
        /* exactly enough room, then one byte less */
        assert_int_equal(dns_query_build(0x1234, "api.sno.lab.example", DNS_TYPE_AAAA, buf, sizeof(expected)),
                         sizeof(expected));
        for (size_t size = 0; size < sizeof(expected); size++)
                assert_int_equal(dns_query_build(0x1234, "api.sno.lab.example", DNS_TYPE_AAAA, buf, size),
                                 -ENOSPC);
}

static void test_query_build_invalid(void **state) {
        (void)state;
        uint8_t buf[DNS_MAX_PACKET];
        char label64[65], long_name[300];
        static const char *const bad[] = {
                "", ".", "a..b", ".a", "a.b..", "a b.example", "a\nb.example", "a\tb", "caf\xc3\xa9.example"};

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                assert_int_equal(dns_query_build(1, bad[i], DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);
        assert_int_equal(dns_query_build(1, NULL, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);

        memset(label64, 'a', 64);
        label64[64] = '\0';
        assert_int_equal(dns_query_build(1, label64, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);
        label64[63] = '\0';
        assert_true(dns_query_build(1, label64, DNS_TYPE_A, buf, sizeof(buf)) > 0);

        /* 253 characters is the longest name, 254 is too long */
        memset(long_name, 'a', 253);
        long_name[253] = '\0';
        for (size_t i = 1; i <= 3; i++)
                long_name[i * 64 - 1] = '.'; /* three 63-byte labels and one of 61 */
        assert_int_equal(strlen(long_name), 253);
        assert_true(dns_query_build(1, long_name, DNS_TYPE_A, buf, sizeof(buf)) > 0);
        strcat(long_name, "a");
        assert_int_equal(dns_query_build(1, long_name, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);
}

static void test_answer_found(void **state) {
        (void)state;
        struct lookup_state st = {0};
        struct dns_result res;
        uint8_t resp[DNS_MAX_PACKET];
        char buf[ADDR_STRLEN];
        int len;

        round_trip("Console-OpenShift-Console.APPS.sno.lab.example", DNS_TYPE_A, &st, &res, resp, &len);
        /* the lookup sees the name folded to lowercase */
        assert_string_equal(st.last_name, "console-openshift-console.apps.sno.lab.example");
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_addrs, 1);
        assert_int_equal(res.addrs[0].family, AF_INET);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "192.0.2.10");
        /* QR, AA and the copied RD; no recursion offered */
        assert_int_equal(get16(resp + 2), 0x8000 | 0x0400 | 0x0100);
        /* one answer whose name points at the question, TTL as given */
        assert_int_equal(get16(resp + 6), 1);
        size_t ans = (size_t)len - 16;
        assert_int_equal(get16(resp + ans), 0xc00c);
        assert_int_equal(get16(resp + ans + 2), DNS_TYPE_A);
        assert_int_equal(get16(resp + ans + 6) << 16 | get16(resp + ans + 8), 30);

        round_trip("x.apps.six.v6.example", DNS_TYPE_AAAA, &st, &res, resp, &len);
        assert_int_equal(res.n_addrs, 1);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "2001:db8::10");

        /* the zone apex itself is under the wildcard too */
        round_trip("apps.dual.lab.example", DNS_TYPE_AAAA, &st, &res, resp, &len);
        assert_int_equal(res.n_addrs, 1);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "2001:db8::7");
}

static void test_answer_nodata_nxdomain(void **state) {
        (void)state;
        struct lookup_state st = {0};
        struct dns_result res;
        uint8_t resp[DNS_MAX_PACKET];
        int len;

        /* known name, other family: NOERROR without answers */
        round_trip("a.apps.sno.lab.example", DNS_TYPE_AAAA, &st, &res, resp, &len);
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_addrs, 0);
        assert_int_equal(get16(resp + 6), 0);
        assert_int_equal(get16(resp + 2) & 0x0400, 0x0400);

        /* known name, another type */
        round_trip("a.apps.sno.lab.example", 15 /* MX */, &st, &res, resp, &len);
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_addrs, 0);
        round_trip("a.apps.sno.lab.example", DNS_TYPE_PTR, &st, &res, resp, &len);
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_names, 0);

        /* unknown name, whatever the type */
        round_trip("apps.other.lab.example", DNS_TYPE_A, &st, &res, resp, &len);
        assert_int_equal(res.rcode, DNS_RCODE_NXDOMAIN);
        assert_int_equal(res.n_addrs, 0);
        round_trip("xapps.sno.lab.example", 16 /* TXT */, &st, &res, resp, &len);
        assert_int_equal(res.rcode, DNS_RCODE_NXDOMAIN);
}

static void test_answer_flags(void **state) {
        (void)state;
        struct lookup_state st = {0};
        uint8_t q[DNS_MAX_PACKET], resp[DNS_MAX_PACKET];
        int qlen, rlen;

        qlen = dns_query_build(7, "a.apps.sno.lab.example", DNS_TYPE_A, q, sizeof(q));
        assert_true(qlen > 0);
        q[2] &= (uint8_t)~0x01; /* RD clear: the answer does not set it */
        rlen = dns_answer(q, (size_t)qlen, lookup, &st, 5, resp, sizeof(resp));
        assert_true(rlen > 0);
        assert_int_equal(get16(resp), 7);
        assert_int_equal(get16(resp + 2), 0x8400);

        /* room for exactly the response, then one byte less */
        assert_int_equal(dns_answer(q, (size_t)qlen, lookup, &st, 5, resp, (size_t)rlen), rlen);
        assert_int_equal(dns_answer(q, (size_t)qlen, lookup, &st, 5, resp, (size_t)rlen - 1), -ENOSPC);
        assert_int_equal(dns_answer(q, (size_t)qlen, lookup, &st, 5, resp, 11), -ENOSPC);
}

static void test_answer_edns_query(void **state) {
        (void)state;
        struct lookup_state st = {0};
        struct dns_result res;
        uint8_t q[DNS_MAX_PACKET], resp[DNS_MAX_PACKET];
        /* an OPT record as dnsmasq adds when forwarding: root, type 41, 1232-byte UDP */
        static const uint8_t opt[] = {0x00, 0x00, 0x29, 0x04, 0xd0, 0, 0, 0, 0, 0x00, 0x00};
        int qlen, rlen;

        qlen = dns_query_build(9, "www.apps.dual.lab.example", DNS_TYPE_A, q, sizeof(q));
        memcpy(q + qlen, opt, sizeof(opt));
        q[11] = 1; /* ARCOUNT */
        rlen = dns_answer(q, (size_t)qlen + sizeof(opt), lookup, &st, 30, resp, sizeof(resp));
        assert_true(rlen > 0);
        assert_int_equal(get16(resp + 10), 0); /* answered without EDNS */
        assert_int_equal(dns_response_parse(resp, (size_t)rlen, &res), 0);
        assert_int_equal(res.n_addrs, 1);
}

static void test_answer_wrong_family_lookup(void **state) {
        (void)state;
        uint8_t q[DNS_MAX_PACKET], resp[DNS_MAX_PACKET];
        struct dns_result res;
        int qlen, rlen;

        qlen = dns_query_build(3, "x.apps.sno.lab.example", DNS_TYPE_AAAA, q, sizeof(q));
        rlen = dns_answer(q, (size_t)qlen, lookup_confused, NULL, 30, resp, sizeof(resp));
        assert_true(rlen > 0);
        assert_int_equal(dns_response_parse(resp, (size_t)rlen, &res), 0);
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_addrs, 0);
}

static void assert_query_refused(const uint8_t *q, size_t len) {
        struct lookup_state st = {0};
        uint8_t resp[DNS_MAX_PACKET];

        assert_int_equal(dns_answer(q, len, lookup, &st, 30, resp, sizeof(resp)), -EBADMSG);
        assert_int_equal(st.calls, 0);
}

static void test_answer_malformed(void **state) {
        (void)state;
        uint8_t good[DNS_MAX_PACKET], q[DNS_MAX_PACKET];
        int len = dns_query_build(0x77, "a.apps.sno.lab.example", DNS_TYPE_A, good, sizeof(good));
        assert_true(len > 0);

        /* every truncation of a good query */
        for (int n = 0; n < len; n++)
                assert_query_refused(good, (size_t)n);

#define MUTATE(off, val)                                                                                     \
        do {                                                                                                 \
                memcpy(q, good, (size_t)len);                                                                \
                q[off] = (val);                                                                              \
                assert_query_refused(q, (size_t)len);                                                        \
        } while (0)
        MUTATE(2, 0x81);        /* QR set: a response */
        MUTATE(2, 0x01 | 0x08); /* opcode 1 */
        MUTATE(2, 0x01 | 0x10); /* opcode 2 */
        MUTATE(5, 0);           /* no question */
        MUTATE(5, 2);           /* two questions */
        MUTATE(7, 1);           /* an answer record in a query */
        MUTATE(9, 1);           /* an authority record */
        MUTATE(len - 1, 3);     /* class CH */
        MUTATE(14, '.');        /* a dot inside a label */
        MUTATE(14, ' ');
        MUTATE(14, 0x80);
        MUTATE(12, 0x40); /* reserved label type */
        MUTATE(12, 0x3f); /* label runs past the packet */
#undef MUTATE

        /* compression loop in the question: a pointer to itself */
        static const uint8_t loop[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1};
        assert_query_refused(loop, sizeof(loop));
        /* a pointer past the end */
        static const uint8_t past[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0, 1, 0, 1};
        assert_query_refused(past, sizeof(past));
        /* the root name is not worth an answer */
        static const uint8_t root[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
        assert_query_refused(root, sizeof(root));
}

/* Captured from dnsmasq 2.90 answering netd's managed configuration:
 * PTR 10.2.0.192.in-addr.arpa (a hosts line "192.0.2.10 master-0.sno...
 * api.sno... api-int.sno...": only the node name answers) and A for
 * api.sno.lab.example. */
static const uint8_t dnsmasq_ptr[] = {
        0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x31, 0x30, 0x01,
        0x32, 0x01, 0x30, 0x03, 0x31, 0x39, 0x32, 0x07, 0x69, 0x6e, 0x2d, 0x61, 0x64, 0x64, 0x72, 0x04,
        0x61, 0x72, 0x70, 0x61, 0x00, 0x00, 0x0c, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x1a, 0x08, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0x2d, 0x30, 0x03, 0x73,
        0x6e, 0x6f, 0x03, 0x6c, 0x61, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x00,
};
static const uint8_t dnsmasq_a[] = {
        0xbe, 0xef, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x61,
        0x70, 0x69, 0x03, 0x73, 0x6e, 0x6f, 0x03, 0x6c, 0x61, 0x62, 0x07, 0x65, 0x78, 0x61,
        0x6d, 0x70, 0x6c, 0x65, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x0a,
};

/* Hand-made: question A master-0.sno.lab.example; answers CNAME (skipped),
 * A with a compressed owner, PTR whose name is "api" + a pointer to
 * "sno.lab.example" inside the question, AAAA. */
static const uint8_t crafted[] = {
        0xab,
        0xcd,
        0x81,
        0x80,
        0x00,
        0x01,
        0x00,
        0x04,
        0x00,
        0x00,
        0x00,
        0x00,
        /* 12: question */
        0x08,
        'm',
        'a',
        's',
        't',
        'e',
        'r',
        '-',
        '0',
        /* 21: */ 0x03,
        's',
        'n',
        'o',
        0x03,
        'l',
        'a',
        'b',
        0x07,
        'e',
        'x',
        'a',
        'm',
        'p',
        'l',
        'e',
        0x00,
        0x00,
        0x01,
        0x00,
        0x01,
        /* CNAME, rdata a pointer */
        0xc0,
        0x0c,
        0x00,
        0x05,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x3c,
        0x00,
        0x02,
        0xc0,
        0x15,
        /* A */
        0xc0,
        0x0c,
        0x00,
        0x01,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x3c,
        0x00,
        0x04,
        198,
        51,
        100,
        9,
        /* PTR: "api" + pointer to offset 21 */
        0xc0,
        0x0c,
        0x00,
        0x0c,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x3c,
        0x00,
        0x06,
        0x03,
        'a',
        'p',
        'i',
        0xc0,
        0x15,
        /* AAAA */
        0xc0,
        0x0c,
        0x00,
        0x1c,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x3c,
        0x00,
        0x10,
        0x20,
        0x01,
        0x0d,
        0xb8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0x09,
};

static void assert_truncations_refused(const uint8_t *pkt, size_t len) {
        struct dns_result res;

        for (size_t n = 0; n < len; n++) {
                /* a copy of exactly n bytes so ASan sees any read past it */
                uint8_t *copy = malloc(n ? n : 1);
                assert_non_null(copy);
                memcpy(copy, pkt, n);
                assert_int_equal(dns_response_parse(copy, n, &res), -EBADMSG);
                free(copy);
        }
}

static void test_parse_dnsmasq_packets(void **state) {
        (void)state;
        struct dns_result res;
        char buf[ADDR_STRLEN];

        assert_int_equal(dns_response_parse(dnsmasq_ptr, sizeof(dnsmasq_ptr), &res), 0);
        assert_int_equal(res.id, 0x1234);
        assert_int_equal(res.rcode, DNS_RCODE_NOERROR);
        assert_int_equal(res.n_names, 1);
        assert_string_equal(res.names[0], "master-0.sno.lab.example");
        assert_int_equal(res.n_addrs, 0);

        assert_int_equal(dns_response_parse(dnsmasq_a, sizeof(dnsmasq_a), &res), 0);
        assert_int_equal(res.id, 0xbeef);
        assert_int_equal(res.n_addrs, 1);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "192.0.2.10");

        assert_truncations_refused(dnsmasq_ptr, sizeof(dnsmasq_ptr));
        assert_truncations_refused(dnsmasq_a, sizeof(dnsmasq_a));
}

static void test_parse_compression(void **state) {
        (void)state;
        struct dns_result res;
        char buf[ADDR_STRLEN];

        assert_int_equal(dns_response_parse(crafted, sizeof(crafted), &res), 0);
        assert_int_equal(res.id, 0xabcd);
        assert_int_equal(res.n_addrs, 2);
        assert_int_equal(res.addrs[0].family, AF_INET);
        assert_string_equal(addr_format(&res.addrs[0], buf, sizeof(buf)), "198.51.100.9");
        assert_int_equal(res.addrs[1].family, AF_INET6);
        assert_string_equal(addr_format(&res.addrs[1], buf, sizeof(buf)), "2001:db8::9");
        assert_int_equal(res.n_names, 1);
        assert_string_equal(res.names[0], "api.sno.lab.example");
        assert_truncations_refused(crafted, sizeof(crafted));
}

/* A response header with one answer whose owner name starts at offset 12. */
static size_t response_with_name(uint8_t *pkt, const uint8_t *name, size_t name_len) {
        static const uint8_t hdr[] = {0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0};
        static const uint8_t rr[] = {0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1};

        memcpy(pkt, hdr, sizeof(hdr));
        memcpy(pkt + 12, name, name_len);
        memcpy(pkt + 12 + name_len, rr, sizeof(rr));
        return 12 + name_len + sizeof(rr);
}

static void test_parse_malformed(void **state) {
        (void)state;
        struct dns_result res;
        uint8_t pkt[1024], copy[sizeof(crafted)];
        size_t len;

        /* pointer to itself, and two pointers pointing at each other */
        len = response_with_name(pkt, (const uint8_t[]){0xc0, 0x0c}, 2);
        assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        len = response_with_name(pkt, (const uint8_t[]){0x01, 'a', 0xc0, 0x10, 0xc0, 0x0c}, 6);
        pkt[12 + 2] = 0xc0;
        pkt[12 + 3] = 0x10; /* "a" then -> 16 -> 12 -> ... */
        assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        /* a label growing the name on every hop */
        {
                uint8_t name[66];
                name[0] = 63;
                memset(name + 1, 'a', 63);
                name[64] = 0xc0;
                name[65] = 0x0c;
                len = response_with_name(pkt, name, sizeof(name));
                assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        }
        /* five 63-byte labels in a row: 321 bytes, over the 255 limit */
        {
                uint8_t name[5 * 64 + 1];
                for (size_t i = 0; i < 5; i++) {
                        name[i * 64] = 63;
                        memset(name + i * 64 + 1, 'b', 63);
                }
                name[5 * 64] = 0;
                len = response_with_name(pkt, name, sizeof(name));
                assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        }
        /* four 63-byte labels: 257 bytes, still over */
        {
                uint8_t name[4 * 64 + 1];
                for (size_t i = 0; i < 4; i++) {
                        name[i * 64] = 63;
                        memset(name + i * 64 + 1, 'c', 63);
                }
                name[4 * 64] = 0;
                len = response_with_name(pkt, name, sizeof(name));
                assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        }
        /* a pointer past the end, and a reserved label type */
        len = response_with_name(pkt, (const uint8_t[]){0xc1, 0x00}, 2);
        assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        len = response_with_name(pkt, (const uint8_t[]){0x80, 0x00}, 2);
        assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        /* the plain case parses: the helper itself is sound */
        len = response_with_name(pkt, (const uint8_t[]){0x01, 'a', 0x00}, 3);
        assert_int_equal(dns_response_parse(pkt, len, &res), 0);
        assert_int_equal(res.n_addrs, 1);
        /* an A record of 5 bytes */
        pkt[len - 5] = 5;
        pkt[len] = 0;
        assert_int_equal(dns_response_parse(pkt, len + 1, &res), -EBADMSG);
        /* rdata longer than the packet */
        len = response_with_name(pkt, (const uint8_t[]){0x01, 'a', 0x00}, 3);
        pkt[len - 5] = 200;
        assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);
        /* not a response */
        len = response_with_name(pkt, (const uint8_t[]){0x01, 'a', 0x00}, 3);
        pkt[2] = 0x01;
        assert_int_equal(dns_response_parse(pkt, len, &res), -EBADMSG);

        /* PTR rdata longer than its name */
        memcpy(copy, crafted, sizeof(crafted));
        copy[73 + 11] = 7;
        assert_int_equal(dns_response_parse(copy, sizeof(copy), &res), -EBADMSG);
        /* a PTR name that cannot be shown as dotted text */
        memcpy(copy, crafted, sizeof(crafted));
        copy[73 + 14] = '.';
        assert_int_equal(dns_response_parse(copy, sizeof(copy), &res), -EBADMSG);
}

static void test_parse_many_answers(void **state) {
        (void)state;
        uint8_t pkt[DNS_MAX_PACKET];
        struct dns_result res;
        size_t len = response_with_name(pkt, (const uint8_t[]){0x01, 'a', 0x00}, 3);
        const size_t rr_len = 16; /* pointer owner + fixed part + 4 bytes */
        const unsigned n = 12;

        for (unsigned i = 0; i < n; i++) {
                static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 0};
                memcpy(pkt + len, rr, rr_len);
                pkt[len + rr_len - 1] = (uint8_t)(100 + i);
                len += rr_len;
        }
        pkt[7] = 1 + n;
        assert_int_equal(dns_response_parse(pkt, len, &res), 0);
        assert_int_equal(res.n_addrs, ARRAY_SIZE(res.addrs));
        assert_int_equal((unsigned)(res.addrs[7].value & 0xff), 106);
}

static uint32_t rng_state = 0x2545f491;

static uint32_t rng(void) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 17;
        rng_state ^= rng_state << 5;
        return rng_state;
}

/* Random corruption of good packets: any result is fine as long as nothing
 * reads out of bounds (ASan) and the results stay within their arrays. */
static void test_fuzz(void **state) {
        (void)state;
        uint8_t query[DNS_MAX_PACKET];
        int qlen = dns_query_build(1, "abc.apps.dual.lab.example", DNS_TYPE_A, query, sizeof(query));
        const struct {
                const uint8_t *pkt;
                size_t len;
        } seeds[] = {
                {dnsmasq_ptr, sizeof(dnsmasq_ptr)},
                {dnsmasq_a, sizeof(dnsmasq_a)},
                {crafted, sizeof(crafted)},
                {query, (size_t)qlen},
        };

        for (unsigned iter = 0; iter < 50000; iter++) {
                const uint8_t *seed = seeds[iter % ARRAY_SIZE(seeds)].pkt;
                size_t len = seeds[iter % ARRAY_SIZE(seeds)].len;
                uint8_t resp[DNS_MAX_PACKET];
                struct lookup_state st = {0};
                struct dns_result res;
                uint8_t *p;

                if (rng() % 4 == 0)
                        len = rng() % (len + 1);
                p = malloc(len ? len : 1);
                assert_non_null(p);
                memcpy(p, seed, len);
                for (unsigned k = rng() % 4 + 1; k > 0 && len > 0; k--)
                        p[rng() % len] = (uint8_t)rng();
                if (dns_response_parse(p, len, &res) == 0) {
                        assert_true(res.n_addrs <= ARRAY_SIZE(res.addrs));
                        assert_true(res.n_names <= ARRAY_SIZE(res.names));
                        for (size_t i = 0; i < res.n_names; i++)
                                assert_true(memchr(res.names[i], '\0', sizeof(res.names[i])) != NULL);
                }
                int r = dns_answer(p, len, lookup, &st, 30, resp, sizeof(resp));
                assert_true(r == -EBADMSG || (r >= 12 && r <= (int)sizeof(resp)));
                if (r > 0)
                        assert_int_equal(dns_response_parse(resp, (size_t)r, &res), 0);
                free(p);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_query_build),
                cmocka_unit_test(test_query_build_invalid),
                cmocka_unit_test(test_answer_found),
                cmocka_unit_test(test_answer_nodata_nxdomain),
                cmocka_unit_test(test_answer_flags),
                cmocka_unit_test(test_answer_edns_query),
                cmocka_unit_test(test_answer_wrong_family_lookup),
                cmocka_unit_test(test_answer_malformed),
                cmocka_unit_test(test_parse_dnsmasq_packets),
                cmocka_unit_test(test_parse_compression),
                cmocka_unit_test(test_parse_malformed),
                cmocka_unit_test(test_parse_many_answers),
                cmocka_unit_test(test_fuzz),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
