/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP option values (netd/core/dhcp-option.c): the input as typed after
 * --dhcp-option ("NAME=VALUE") and as a stored value of every type.
 * Invariants:
 * - an accepted value is canonical: read again as a stored value of its
 *   type, and typed again as NAME=VALUE, it stays the same text;
 * - it holds only lowercase letters, digits and ".-,/" (and " via " in
 *   routes), at most DHCP_OPTION_VALUE_MAX bytes: nothing that could end a
 *   dnsmasq line or start another option;
 * - its dnsmasq form has no space and is refused, not cut, when the
 *   buffer is too small;
 * - every error message is printable ASCII. */
#include "fuzz.h"
#include "netd/core/dhcp-option.h"

#define ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789.-,/"

static void check_message(const struct netd_error *err) {
        FUZZ_ASSERT(err->code < 0 && err->message[0], "an error without a message");
        for (const char *p = err->message; *p; p++)
                FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f, "unprintable byte 0x%02x in \"%s\"", (unsigned char)*p,
                            err->message);
}

static void check_option(const struct dhcp_option *o) {
        const char *name = dhcp_option_name(o->type);
        size_t len = strlen(o->value);
        struct dhcp_option again;
        char spec[DHCP_OPTION_NAME_MAX + DHCP_OPTION_VALUE_MAX + 2], dnsmasq[DHCP_OPTION_VALUE_MAX + 1];
        struct netd_error err = {0};

        FUZZ_ASSERT(name && len > 0 && len <= DHCP_OPTION_VALUE_MAX, "type %d, %zu bytes", (int)o->type, len);
        FUZZ_ASSERT(strspn(o->value,
                           o->type == DHCP_OPTION_CLASSLESS_STATIC_ROUTE ? ALPHABET " " : ALPHABET) == len,
                    "%s: byte outside the alphabet in \"%s\"", name, o->value);
        FUZZ_ASSERT(dhcp_option_from_value(o->type, o->value, &again, &err) == 0, "%s=%s read again: %s",
                    name, o->value, err.message);
        FUZZ_ASSERT(again.type == o->type && strcmp(again.value, o->value) == 0, "%s=%s is not canonical: %s",
                    name, o->value, again.value);
        snprintf(spec, sizeof(spec), "%s=%s", name, o->value);
        FUZZ_ASSERT(dhcp_option_parse(spec, &again, &err) == 0 && strcmp(again.value, o->value) == 0,
                    "%s typed again: %s", spec, err.message);
        FUZZ_ASSERT(dhcp_option_dnsmasq_value(o, dnsmasq, sizeof(dnsmasq)), "%s: no dnsmasq value", spec);
        FUZZ_ASSERT(!strchr(dnsmasq, ' ') && strlen(dnsmasq) <= len, "%s: dnsmasq value \"%s\"", spec,
                    dnsmasq);
        /* one byte short of the value and its NUL: refused */
        FUZZ_ASSERT(!dhcp_option_dnsmasq_value(o, dnsmasq, strlen(dnsmasq)), "%s: cut dnsmasq value", spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct dhcp_option o;
        struct netd_error err = {0};
        char *s;

        if (size > 2 * DHCP_OPTION_VALUE_MAX)
                return 0;
        s = fuzz_string(data, size);
        if (dhcp_option_parse(s, &o, &err) == 0)
                check_option(&o);
        else
                check_message(&err);
        for (int t = 0; t < DHCP_OPTION_TYPE_MAX; t++) {
                struct netd_error e = {0};

                if (dhcp_option_from_value((enum dhcp_option_type)t, s, &o, &e) == 0)
                        check_option(&o);
                else
                        check_message(&e);
        }
        free(s);
        return 0;
}
