/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP options by name: every type's values, their canonical form, the
 * dnsmasq form, and every hostile value refused before it could reach a
 * generated file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netd/core/dhcp-option.h"

static char *repeat_items(const char *item, size_t n) {
        size_t len = (strlen(item) + 1) * n + 1;
        char *s = malloc(len);

        assert_non_null(s);
        s[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strcat(s, ",");
                strcat(s, item);
        }
        return s;
}

/* `spec` parses into `type` with canonical value `want`. */
static void assert_good(const char *spec, enum dhcp_option_type type, const char *want) {
        struct dhcp_option o = {};
        struct netd_error err = {};

        if (dhcp_option_parse(spec, &o, &err) < 0)
                fail_msg("\"%s\": %s", spec, err.message);
        assert_int_equal(o.type, type);
        assert_string_equal(o.value, want);
        /* The canonical value reads back as itself. */
        struct dhcp_option again = {};
        assert_int_equal(dhcp_option_from_value(type, o.value, &again, &err), 0);
        assert_string_equal(again.value, want);
}

/* `spec` is refused, with a one-line message containing `part`. */
static void assert_bad(const char *spec, const char *part) {
        struct dhcp_option o = {};
        struct netd_error err = {};
        int r = dhcp_option_parse(spec, &o, &err);

        if (r != NETD_EINVALID || err.code != NETD_EINVALID || !strstr(err.message, part))
                fail_msg("\"%s\": got %d \"%s\", want invalid with \"%s\"", spec ? spec : "(null)", r,
                         err.message, part);
        assert_null(strchr(err.message, '\n'));
        assert_null(strchr(err.message, '\r'));
}

static void test_names(void **state) {
        enum dhcp_option_type t;
        struct netd_error err = {};

        (void)state;
        for (int i = 0; i < DHCP_OPTION_TYPE_MAX; i++) {
                const char *name = dhcp_option_name((enum dhcp_option_type)i);

                assert_non_null(name);
                assert_true(strlen(name) <= DHCP_OPTION_NAME_MAX);
                assert_int_equal(dhcp_option_type_from_name(name, &t, &err), 0);
                assert_int_equal(t, i);
        }
        assert_string_equal(dhcp_option_name(DHCP_OPTION_CLASSLESS_STATIC_ROUTE), "classless-static-route");
        assert_null(dhcp_option_name(DHCP_OPTION_TYPE_MAX));
        assert_null(dhcp_option_name((enum dhcp_option_type) - 1));

        const char *unknown[] = {"hostname", "mtu",           "NTP-server", "ntp-server ",
                                 "",         "option:router", "router\n",   "66"};
        for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
                err = (struct netd_error){};
                assert_int_equal(dhcp_option_type_from_name(unknown[i], &t, &err), NETD_EINVALID);
                assert_non_null(strstr(err.message, "unknown DHCP option"));
                assert_non_null(strstr(err.message, "ntp-server, dns-server, router, domain-search, "
                                                    "classless-static-route, log-server, tftp-server"));
                assert_null(strchr(err.message, '\n'));
        }
        err = (struct netd_error){};
        assert_int_equal(dhcp_option_type_from_name(NULL, &t, &err), NETD_EINVALID);
}

static void test_values(void **state) {
        _cleanup_free_ char *sixteen = repeat_items("192.0.2.1", DHCP_OPTION_ITEMS_MAX);

        (void)state;
        assert_good("ntp-server=192.0.2.5", DHCP_OPTION_NTP_SERVER, "192.0.2.5");
        assert_good("ntp-server=192.0.2.5,192.0.2.6", DHCP_OPTION_NTP_SERVER, "192.0.2.5,192.0.2.6");
        assert_good("dns-server=192.0.2.53,0.0.0.0", DHCP_OPTION_DNS_SERVER, "192.0.2.53,0.0.0.0");
        assert_good("router=192.0.2.2", DHCP_OPTION_ROUTER, "192.0.2.2");
        assert_good("log-server=192.0.2.7", DHCP_OPTION_LOG_SERVER, "192.0.2.7");
        assert_good("domain-search=lab.example,sno.lab.example", DHCP_OPTION_DOMAIN_SEARCH,
                    "lab.example,sno.lab.example");
        assert_good("classless-static-route=203.0.113.0/24 via 192.0.2.254,0.0.0.0/0 via 192.0.2.1",
                    DHCP_OPTION_CLASSLESS_STATIC_ROUTE,
                    "203.0.113.0/24 via 192.0.2.254,0.0.0.0/0 via 192.0.2.1");
        assert_good("classless-static-route=192.0.2.7/32 via 192.0.2.1", DHCP_OPTION_CLASSLESS_STATIC_ROUTE,
                    "192.0.2.7/32 via 192.0.2.1");
        assert_good("tftp-server=192.0.2.1", DHCP_OPTION_TFTP_SERVER, "192.0.2.1");
        assert_good("tftp-server=tftp.lab.example", DHCP_OPTION_TFTP_SERVER, "tftp.lab.example");
        /* At most DHCP_OPTION_ITEMS_MAX items. */
        char spec[600];
        snprintf(spec, sizeof(spec), "ntp-server=%s", sixteen);
        assert_good(spec, DHCP_OPTION_NTP_SERVER, sixteen);
        /* The value after the first '=' is the value. */
        assert_bad("ntp-server==192.0.2.5", "is not an IPv4 address");
}

static void test_hostile(void **state) {
        _cleanup_free_ char *seventeen = repeat_items("192.0.2.1", DHCP_OPTION_ITEMS_MAX + 1);
        _cleanup_free_ char *long_domains = repeat_items("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", 14);
        char spec[1200];

        (void)state;
        /* The shape of the spec. */
        assert_bad(NULL, "expected NAME=VALUE");
        assert_bad("", "expected NAME=VALUE");
        assert_bad("ntp-server", "expected NAME=VALUE");
        assert_bad("=192.0.2.1", "unknown DHCP option \"\"");
        assert_bad("hostname=evil", "unknown DHCP option \"hostname\"");
        assert_bad("ntp-server\n=192.0.2.1", "unknown DHCP option \"ntp-server\\x0a\"");
        assert_bad("option:router=192.0.2.1", "unknown DHCP option");
        assert_bad("ntp-server=", "the value is empty");

        /* Addresses: dotted quads only, nothing around them. */
        const char *not_ipv4[] = {"ntp.example",  "192.0.2.300", "2001:db8::1", "[2001:db8::1]",
                                  "192.0.2.7/24", "192.0.2",     "192.0.2.1.1", "0x7f.0.0.1",
                                  "192.000.2.1",  " 192.0.2.1",  "192.0.2.1 ",  "\"192.0.2.1\"",
                                  "192.0.2.1#x",  "192.0.2.1\n", "192.0.2.1\\", "192.0.2.1\x01"};
        for (size_t i = 0; i < ARRAY_SIZE(not_ipv4); i++) {
                snprintf(spec, sizeof(spec), "ntp-server=%s", not_ipv4[i]);
                assert_bad(spec, "DHCP option ntp-server: \"");
                snprintf(spec, sizeof(spec), "router=%s", not_ipv4[i]);
                assert_bad(spec, "DHCP option router");
        }
        assert_bad("dns-server=192.0.2.1\nserver=/x/1.2.3.4", "is not an IPv4 address");
        assert_bad("log-server=192.0.2.7/24", "is not an IPv4 address");

        /* Empty items: leading, trailing, doubled commas. */
        assert_bad("ntp-server=,192.0.2.1", "has an empty item");
        assert_bad("ntp-server=192.0.2.1,", "has an empty item");
        assert_bad("ntp-server=192.0.2.1,,192.0.2.2", "has an empty item");
        assert_bad("domain-search=,", "has an empty item");
        /* Too many items, too long. */
        snprintf(spec, sizeof(spec), "ntp-server=%s", seventeen);
        assert_bad(spec, "more than 16 values");
        snprintf(spec, sizeof(spec), "domain-search=%s", long_domains);
        assert_bad(spec, "the value is too long");

        /* Domains: validate_domain, one per item. */
        const char *not_domain[] = {"bad_name!.example", "-bad.example", "Lab.example", "a..b",
                                    "\"x.example",       "x.example#c",  "x example",   "x\\.example",
                                    "x.example\n",       "x.example\r",  "x\tb"};
        for (size_t i = 0; i < ARRAY_SIZE(not_domain); i++) {
                snprintf(spec, sizeof(spec), "domain-search=lab.example,%s", not_domain[i]);
                assert_bad(spec, "DHCP option domain-search: \"");
        }
        /* Quotes cannot let a comma into an item. */
        assert_bad("domain-search=\"x.example, y\"", "is not a domain name");

        /* Routes: "DEST/PREFIX via GW", DEST a network address, IPv4 only. */
        assert_bad("classless-static-route=203.0.113.0/24,192.0.2.254", "is not DEST/PREFIX via GW");
        assert_bad("classless-static-route=foo,bar", "is not DEST/PREFIX via GW");
        assert_bad("classless-static-route=203.0.113.0/24  via 192.0.2.254", "route");
        assert_bad("classless-static-route=203.0.113.0/24 via  192.0.2.254", "the gateway is not");
        assert_bad("classless-static-route=203.0.113.0/24\tvia 192.0.2.254", "is not DEST/PREFIX via GW");
        assert_bad("classless-static-route=203.0.113.1/24 via 192.0.2.254", "did you mean 203.0.113.0/24?");
        assert_bad("classless-static-route=203.0.113.0/33 via 192.0.2.254", "the length must be 0-32");
        assert_bad("classless-static-route=203.0.113.0 via 192.0.2.254", "route");
        assert_bad("classless-static-route=2001:db8::/64 via 192.0.2.254", "is not an IPv4 prefix");
        assert_bad("classless-static-route=203.0.113.0/24 via 2001:db8::1", "the gateway is not");
        assert_bad("classless-static-route=203.0.113.0/24 via gw.example", "the gateway is not");
        assert_bad("classless-static-route=203.0.113.0/24 via 192.0.2.254 via 192.0.2.1",
                   "the gateway is not");
        assert_bad("classless-static-route=203.0.113.0/24 via 192.0.2.254\n", "the gateway is not");
        assert_bad("classless-static-route=203.0.113.0/24 via 192.0.2.254#", "the gateway is not");

        /* tftp-server: one address or one host name. */
        assert_bad("tftp-server=192.0.2.1,192.0.2.2", "more than 1 value");
        assert_bad("tftp-server=192.0.2.300", "is not an IPv4 address");
        assert_bad("tftp-server=192.0.2", "is not an IPv4 address");
        assert_bad("tftp-server=tftp lab", "is not an IPv4 address or a domain name");
        assert_bad("tftp-server=tftp\"lab", "is not an IPv4 address or a domain name");
}

static void test_from_value(void **state) {
        struct dhcp_option o = {};
        struct netd_error err = {};

        (void)state;
        assert_int_equal(dhcp_option_from_value(DHCP_OPTION_ROUTER, "192.0.2.1", &o, &err), 0);
        assert_int_equal(o.type, DHCP_OPTION_ROUTER);
        assert_string_equal(o.value, "192.0.2.1");
        assert_int_equal(dhcp_option_from_value(DHCP_OPTION_ROUTER, "lab.example", &o, &err), NETD_EINVALID);
        err = (struct netd_error){};
        assert_int_equal(dhcp_option_from_value(DHCP_OPTION_TYPE_MAX, "192.0.2.1", &o, &err), NETD_EINVALID);
        err = (struct netd_error){};
        assert_int_equal(dhcp_option_from_value(DHCP_OPTION_ROUTER, NULL, &o, &err), NETD_EINVALID);
}

static void test_dnsmasq_value(void **state) {
        struct dhcp_option o = {};
        struct netd_error err = {};
        char buf[DHCP_OPTION_VALUE_MAX + 1], tiny[8];

        (void)state;
        assert_int_equal(dhcp_option_parse("classless-static-route=203.0.113.0/24 via 192.0.2.254,"
                                           "0.0.0.0/0 via 192.0.2.1",
                                           &o, &err),
                         0);
        assert_true(dhcp_option_dnsmasq_value(&o, buf, sizeof(buf)));
        assert_string_equal(buf, "203.0.113.0/24,192.0.2.254,0.0.0.0/0,192.0.2.1");
        assert_false(dhcp_option_dnsmasq_value(&o, tiny, sizeof(tiny)));

        assert_int_equal(dhcp_option_parse("domain-search=lab.example,sno.lab.example", &o, &err), 0);
        assert_true(dhcp_option_dnsmasq_value(&o, buf, sizeof(buf)));
        assert_string_equal(buf, "lab.example,sno.lab.example");
        assert_int_equal(dhcp_option_parse("ntp-server=192.0.2.5", &o, &err), 0);
        assert_true(dhcp_option_dnsmasq_value(&o, buf, sizeof(buf)));
        assert_string_equal(buf, "192.0.2.5");
        /* Exactly fitting, and one byte short. */
        assert_true(dhcp_option_dnsmasq_value(&o, buf, strlen("192.0.2.5") + 1));
        assert_false(dhcp_option_dnsmasq_value(&o, buf, strlen("192.0.2.5")));

        /* A struct filled by hand with anything but a value of its type
         * never reaches dnsmasq. */
        struct dhcp_option forged = {.type = DHCP_OPTION_NTP_SERVER};
        strcpy(forged.value, "192.0.2.5\ndhcp-option=3,6.6.6.6");
        assert_false(dhcp_option_dnsmasq_value(&forged, buf, sizeof(buf)));
        forged = (struct dhcp_option){.type = DHCP_OPTION_TYPE_MAX};
        strcpy(forged.value, "192.0.2.5");
        assert_false(dhcp_option_dnsmasq_value(&forged, buf, sizeof(buf)));
        assert_false(dhcp_option_dnsmasq_value(NULL, buf, sizeof(buf)));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),         cmocka_unit_test(test_values),
                cmocka_unit_test(test_hostile),       cmocka_unit_test(test_from_value),
                cmocka_unit_test(test_dnsmasq_value),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
