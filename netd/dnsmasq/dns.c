/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>

#include "dns.h"
#include "netd/core/util.h"

#define HEADER_LEN 12
#define FLAG_QR 0x8000
#define FLAG_AA 0x0400
#define FLAG_RD 0x0100
#define OPCODE(flags) (((flags) >> 11) & 0xf)
#define CLASS_IN 1
#define MAX_LABEL 63
#define MAX_NAME_TEXT 253 /* dotted, without the trailing dot */
#define MAX_NAME_WIRE 255
/* A name has at most 127 labels, so more pointer hops than that can only
 * be a loop. */
#define MAX_POINTER_HOPS 127

static uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
        put16(p, (uint16_t)(v >> 16));
        put16(p + 2, (uint16_t)v);
}

/* Encodes dotted `name` (one trailing dot allowed) as wire labels into buf;
 * returns the wire length or -EINVAL / -ENOSPC. */
static int name_encode(const char *name, uint8_t *buf, size_t size) {
        size_t len = strlen(name), off = 0;

        if (len > 0 && name[len - 1] == '.')
                len--;
        /* after the one trailing dot, another would be an empty label */
        if (len == 0 || len > MAX_NAME_TEXT || name[len - 1] == '.')
                return -EINVAL;
        for (size_t i = 0; i < len;) {
                size_t n = 0;
                while (i + n < len && name[i + n] != '.')
                        n++;
                if (n == 0 || n > MAX_LABEL)
                        return -EINVAL;
                for (size_t k = 0; k < n; k++)
                        /* printable, no space: anything else is not a name we ask for */
                        if (name[i + k] <= ' ' || name[i + k] > '~')
                                return -EINVAL;
                if (off + 1 + n > size)
                        return -ENOSPC;
                buf[off++] = (uint8_t)n;
                memcpy(buf + off, name + i, n);
                off += n;
                i += n + 1;
        }
        if (off + 1 > size)
                return -ENOSPC;
        buf[off++] = 0;
        return (int)off;
}

int dns_query_build(uint16_t id, const char *name, uint16_t qtype, uint8_t *buf, size_t size) {
        int r;

        if (!name || !buf)
                return -EINVAL;
        if (size < HEADER_LEN)
                return -ENOSPC;
        r = name_encode(name, buf + HEADER_LEN, size - HEADER_LEN);
        if (r < 0)
                return r;
        if ((size_t)r + HEADER_LEN + 4 > size)
                return -ENOSPC;
        memset(buf, 0, HEADER_LEN);
        put16(buf, id);
        put16(buf + 2, FLAG_RD);
        put16(buf + 4, 1);
        put16(buf + HEADER_LEN + r, qtype);
        put16(buf + HEADER_LEN + r + 2, CLASS_IN);
        return HEADER_LEN + r + 4;
}

/* Reads the name at *off. On return *off is just past the name as it sits
 * there (after its first pointer, or its terminating zero). When `text` is
 * given, the dotted name goes there (no trailing dot, "" for the root);
 * then a label byte that cannot be shown as plain dotted text ('.', space,
 * control or non-ASCII) is refused, because callers compare names with
 * our own. Returns 0 or -EBADMSG. */
static int name_read(const uint8_t *pkt, size_t len, size_t *off, char *text, size_t text_size) {
        size_t pos = *off, wire = 0, t = 0, end = 0;
        unsigned hops = 0;
        bool jumped = false;

        if (text && text_size == 0)
                return -EBADMSG;

        for (;;) {
                if (pos >= len)
                        return -EBADMSG;
                uint8_t b = pkt[pos];
                if ((b & 0xc0) == 0xc0) {
                        if (pos + 1 >= len || ++hops > MAX_POINTER_HOPS)
                                return -EBADMSG;
                        if (!jumped)
                                end = pos + 2;
                        jumped = true;
                        pos = (size_t)(b & 0x3f) << 8 | pkt[pos + 1];
                        continue;
                }
                if (b & 0xc0) /* 0x40 and 0x80 label types are obsolete */
                        return -EBADMSG;
                wire += 1 + (size_t)b;
                if (wire > MAX_NAME_WIRE)
                        return -EBADMSG;
                if (b == 0) {
                        pos++;
                        break;
                }
                if (pos + 1 + b > len)
                        return -EBADMSG;
                if (text) {
                        /* room for the separator, the label and the final NUL */
                        if (t + (t > 0) + b + 1 > text_size)
                                return -EBADMSG;
                        if (t > 0)
                                text[t++] = '.';
                        for (size_t k = 0; k < b; k++) {
                                uint8_t ch = pkt[pos + 1 + k];
                                if (ch <= ' ' || ch > '~' || ch == '.')
                                        return -EBADMSG;
                                text[t++] = (char)ch;
                        }
                }
                pos += 1 + (size_t)b;
        }
        if (text)
                text[t] = '\0';
        *off = jumped ? end : pos;
        return 0;
}

static void addr_from_bytes(int family, const uint8_t *p, struct addr *ret) {
        size_t n = family == AF_INET ? 4 : 16;

        ret->family = family;
        ret->value = 0;
        for (size_t i = 0; i < n; i++)
                ret->value = ret->value << 8 | p[i];
}

static void addr_to_bytes(const struct addr *a, uint8_t *p) {
        size_t n = a->family == AF_INET ? 4 : 16;

        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)(a->value >> (8 * (n - 1 - i)));
}

int dns_response_parse(const uint8_t *pkt, size_t len, struct dns_result *ret) {
        size_t off = HEADER_LEN;
        uint16_t flags, qd, an;

        if (!pkt || !ret)
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        if (len < HEADER_LEN)
                return -EBADMSG;
        flags = get16(pkt + 2);
        if (!(flags & FLAG_QR))
                return -EBADMSG;
        ret->id = get16(pkt);
        ret->rcode = flags & 0xf;
        qd = get16(pkt + 4);
        an = get16(pkt + 6);

        for (unsigned i = 0; i < qd; i++) {
                if (name_read(pkt, len, &off, NULL, 0) < 0 || len - off < 4)
                        return -EBADMSG;
                off += 4;
        }
        for (unsigned i = 0; i < an; i++) {
                uint16_t type, class, rdlen;

                if (name_read(pkt, len, &off, NULL, 0) < 0 || len - off < 10)
                        return -EBADMSG;
                type = get16(pkt + off);
                class = get16(pkt + off + 2);
                rdlen = get16(pkt + off + 8);
                off += 10;
                if (len - off < rdlen)
                        return -EBADMSG;
                if (class == CLASS_IN && (type == DNS_TYPE_A || type == DNS_TYPE_AAAA)) {
                        int family = type == DNS_TYPE_A ? AF_INET : AF_INET6;
                        if (rdlen != (family == AF_INET ? 4 : 16))
                                return -EBADMSG;
                        /* more answers than slots are legal; keep the first ones */
                        if (ret->n_addrs < ARRAY_SIZE(ret->addrs))
                                addr_from_bytes(family, pkt + off, &ret->addrs[ret->n_addrs++]);
                } else if (class == CLASS_IN && type == DNS_TYPE_PTR) {
                        char name[sizeof(ret->names[0])];
                        size_t p = off;

                        if (name_read(pkt, len, &p, name, sizeof(name)) < 0 || p != off + rdlen)
                                return -EBADMSG;
                        if (ret->n_names < ARRAY_SIZE(ret->names))
                                memcpy(ret->names[ret->n_names++], name, sizeof(name));
                }
                off += rdlen;
        }
        /* authority and additional records carry nothing netd needs */
        return 0;
}

static void ascii_lower(char *s) {
        for (; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                        *s = (char)(*s - 'A' + 'a');
}

int dns_answer(const uint8_t *query, size_t len, dns_lookup_fn lookup, void *userdata, uint32_t ttl,
               uint8_t *out, size_t size) {
        char name[MAX_NAME_TEXT + 1];
        size_t off = HEADER_LEN;
        uint16_t flags, qtype, qclass, rflags;
        struct addr found = {0};
        int family = 0, r, rcode = DNS_RCODE_NOERROR, qlen;
        bool answer = false;

        if (!query || !lookup || !out)
                return -EINVAL;
        if (len < HEADER_LEN)
                return -EBADMSG;
        flags = get16(query + 2);
        /* a query: QR clear, standard opcode, one question and no answer or
         * authority records (an EDNS record in the additional section is
         * fine and ignored: we answer without EDNS) */
        if ((flags & FLAG_QR) || OPCODE(flags) != 0 || get16(query + 4) != 1 || get16(query + 6) != 0 ||
            get16(query + 8) != 0)
                return -EBADMSG;
        if (name_read(query, len, &off, name, sizeof(name)) < 0 || len - off < 4)
                return -EBADMSG;
        qtype = get16(query + off);
        qclass = get16(query + off + 2);
        if (qclass != CLASS_IN)
                return -EBADMSG;

        /* the question is re-encoded (not copied) so a compression pointer
         * in it cannot point into our response's header; the case is kept
         * as asked because some resolvers check it */
        if (size < HEADER_LEN)
                return -ENOSPC;
        qlen = name_encode(name, out + HEADER_LEN, size - HEADER_LEN);
        if (qlen < 0)
                return qlen == -ENOSPC ? -ENOSPC : -EBADMSG;
        if (HEADER_LEN + (size_t)qlen + 4 > size)
                return -ENOSPC;

        ascii_lower(name);
        if (qtype == DNS_TYPE_A || qtype == DNS_TYPE_AAAA) {
                family = qtype == DNS_TYPE_A ? AF_INET : AF_INET6;
                r = lookup(name, family, &found, userdata);
                /* an answer of the wrong family would be a lookup bug; never put it on the wire */
                answer = r > 0 && found.family == family;
        } else
                r = lookup(name, AF_INET, &found, userdata);
        if (r < 0)
                rcode = DNS_RCODE_NXDOMAIN;

        size_t pos = HEADER_LEN + (size_t)qlen;
        put16(out + pos, qtype);
        put16(out + pos + 2, CLASS_IN);
        pos += 4;
        if (answer) {
                size_t rdlen = family == AF_INET ? 4 : 16;
                if (pos + 12 + rdlen > size)
                        return -ENOSPC;
                put16(out + pos, 0xc000 | HEADER_LEN); /* the question's name */
                put16(out + pos + 2, qtype);
                put16(out + pos + 4, CLASS_IN);
                put32(out + pos + 6, ttl);
                put16(out + pos + 10, (uint16_t)rdlen);
                addr_to_bytes(&found, out + pos + 12);
                pos += 12 + rdlen;
        }
        rflags = FLAG_QR | FLAG_AA | (flags & FLAG_RD) | (uint16_t)rcode;
        put16(out, get16(query));
        put16(out + 2, rflags);
        put16(out + 4, 1);
        put16(out + 6, answer ? 1 : 0);
        put16(out + 8, 0);
        put16(out + 10, 0);
        return (int)pos;
}
