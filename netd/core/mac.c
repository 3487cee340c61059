/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "error.h"
#include "mac.h"

#define QUOTE_SIZE 128

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int mac_parse(const char *s, mac_t *ret, struct netd_error *err) {
        char q[QUOTE_SIZE], f[MAC_STRLEN];
        mac_t mac = 0;

        if (!s || strlen(s) != MAC_STRLEN - 1)
                goto bad_form;
        for (size_t i = 0; i < MAC_STRLEN - 1; i++) {
                if (i % 3 == 2) {
                        if (s[i] != ':')
                                goto bad_form;
                        continue;
                }
                int v = hex_value(s[i]);
                if (v < 0)
                        goto bad_form;
                mac = (mac << 4) | (mac_t)v;
        }
        if (mac == 0)
                return error_set(err, NETD_EINVALID, "MAC %s is all zeros", mac_format(mac, f, sizeof(f)));
        if ((mac >> 40) & 1)
                return error_set(err, NETD_EINVALID, "MAC %s is a multicast address",
                                 mac_format(mac, f, sizeof(f)));
        *ret = mac;
        return 0;

bad_form:
        return error_set(err, NETD_EINVALID, "MAC \"%s\" is not of the form xx:xx:xx:xx:xx:xx",
                         error_quote_untrusted(s, q, sizeof(q)));
}

const char *mac_format(mac_t mac, char *buf, size_t size) {
        snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(mac >> 40) & 0xff,
                 (unsigned)(mac >> 32) & 0xff, (unsigned)(mac >> 24) & 0xff, (unsigned)(mac >> 16) & 0xff,
                 (unsigned)(mac >> 8) & 0xff, (unsigned)mac & 0xff);
        return buf;
}
