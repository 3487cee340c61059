/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BMC addresses: a host's --bmc (HOST:PORT, SCHEME://HOST:PORT) and a
 * node's --bmc-address URL, and the bmcAddress made of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netd/core/bmc.h"

#define UUID "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01"

static void assert_system_url(const char *bmc, const char *want) {
        struct netd_error err = {};
        char url[BMC_URL_MAX];
        struct bmc b;

        if (bmc_parse("host hv1: BMC", bmc, &b, &err) < 0)
                fail_msg("%s: %s", bmc, err.message);
        assert_int_equal(bmc_system_url(&b, UUID, url, sizeof(url), &err), 0);
        assert_string_equal(url, want);
}

static void test_host_bmc(void **state) {
        (void)state;
        /* HOST:PORT keeps v1's meaning: redfish-virtualmedia (HTTPS for metal3) */
        assert_system_url("192.0.2.1:8000", "redfish-virtualmedia://192.0.2.1:8000/redfish/v1/Systems/" UUID);
        assert_system_url("[2001:db8::2]:8000",
                          "redfish-virtualmedia://[2001:db8::2]:8000/redfish/v1/Systems/" UUID);
        assert_system_url("bmc.lab.example:443",
                          "redfish-virtualmedia://bmc.lab.example:443/redfish/v1/Systems/" UUID);
        /* sushy-tools serves plain HTTP by default */
        assert_system_url("redfish-virtualmedia+http://192.0.2.1:8000",
                          "redfish-virtualmedia+http://192.0.2.1:8000/redfish/v1/Systems/" UUID);
        assert_system_url("redfish-virtualmedia+https://192.0.2.1:8000",
                          "redfish-virtualmedia+https://192.0.2.1:8000/redfish/v1/Systems/" UUID);
        assert_system_url("redfish://192.0.2.1:8000", "redfish://192.0.2.1:8000/redfish/v1/Systems/" UUID);
        assert_system_url("redfish+http://[2001:db8::2]:8000",
                          "redfish+http://[2001:db8::2]:8000/redfish/v1/Systems/" UUID);
        assert_system_url("redfish+https://192.0.2.1:8000",
                          "redfish+https://192.0.2.1:8000/redfish/v1/Systems/" UUID);
}

static void test_schemes(void **state) {
        static const struct {
                const char *bmc;
                bool https, vmedia;
        } cases[] = {
                {"192.0.2.1:1", true, true},
                {"redfish-virtualmedia://192.0.2.1:1", true, true},
                {"redfish-virtualmedia+http://192.0.2.1:1", false, true},
                {"redfish-virtualmedia+https://192.0.2.1:1", true, true},
                {"redfish://192.0.2.1:1", true, false},
                {"redfish+http://192.0.2.1:1", false, false},
                {"redfish+https://192.0.2.1:65535", true, false},
        };
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct bmc b;
                char auth[64];

                assert_int_equal(bmc_parse("bmc", cases[i].bmc, &b, NULL), 0);
                assert_int_equal(bmc_is_https(&b), cases[i].https);
                assert_int_equal(bmc_is_virtualmedia(&b), cases[i].vmedia);
                assert_int_equal(bmc_authority(&b, auth, sizeof(auth)), 0);
                assert_true(strstr(cases[i].bmc, auth) != NULL);
        }
        assert_string_equal(bmc_scheme_to_string(BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTP),
                            "redfish-virtualmedia+http");
        assert_null(bmc_scheme_to_string(BMC_SCHEME_OTHER));
}

static void assert_refused(const char *bmc, const char *words) {
        struct netd_error err = {};
        struct bmc b;

        if (bmc_parse("host hv1: BMC address", bmc, &b, &err) != NETD_EINVALID)
                fail_msg("\"%s\" accepted", bmc);
        if (!strstr(err.message, words))
                fail_msg("\"%s\": \"%s\" does not say \"%s\"", bmc, err.message, words);
        assert_non_null(strstr(err.message, "host hv1: BMC address"));
        assert_null(strchr(err.message, '\n'));
}

static void test_host_bmc_refused(void **state) {
        (void)state;
        assert_refused("192.0.2.1", "expected HOST:PORT");
        assert_refused("192.0.2.1:", "the port must be a number");
        assert_refused("192.0.2.1:0", "the port must be a number");
        assert_refused("192.0.2.1:65536", "the port must be a number");
        assert_refused("192.0.2.1:80a", "the port must be a number");
        assert_refused("2001:db8::2:8000", "an IPv6 address goes in brackets");
        assert_refused("[192.0.2.1]:8000", "not an IPv6 address");
        assert_refused("[2001:db8::2:8000", "expected [IPV6]:PORT");
        assert_refused("192.0.2.300:8000", "is not an IPv4 address");
        assert_refused("bad_host:8000", "neither a domain name nor an IP address");
        assert_refused(":8000", "expected HOST:PORT");
        assert_refused("https://192.0.2.1:8000", "the scheme must be one of");
        assert_refused("ipmi://192.0.2.1:623", "the scheme must be one of");
        assert_refused("Redfish://192.0.2.1:8000", "the scheme is not valid");
        assert_refused("redfish://192.0.2.1:8000/redfish/v1/Systems/1", "nothing may follow the port");
        assert_refused("192.0.2.1:8000\n#x", "is not HOST:PORT");
        assert_refused("192.0.2.1 :8000", "neither a domain name nor an IP address");
        assert_refused("[]:8000", "expected [IPV6]:PORT");
        assert_refused("", "expected HOST:PORT");
}

static void test_node_url(void **state) {
        struct netd_error err = {};
        char auth[64];
        struct bmc b;

        (void)state;
        assert_int_equal(
                bmc_url_parse("node m2: BMC address",
                              "idrac-virtualmedia+https://198.51.100.50/redfish/v1/Systems/System.Embedded.1",
                              &b, &err),
                0);
        assert_int_equal(b.scheme, BMC_SCHEME_OTHER);
        assert_string_equal(b.scheme_name, "idrac-virtualmedia+https");
        assert_string_equal(b.host, "198.51.100.50");
        assert_int_equal(b.port, 0);
        assert_string_equal(b.path, "/redfish/v1/Systems/System.Embedded.1");
        assert_true(bmc_is_https(&b));
        assert_int_equal(bmc_authority(&b, auth, sizeof(auth)), 0);
        assert_string_equal(auth, "198.51.100.50");

        assert_int_equal(bmc_url_parse("bmc",
                                       "redfish-virtualmedia+http://[2001:db8::5]:8000/redfish/v1/Systems/x",
                                       &b, &err),
                         0);
        assert_int_equal(b.scheme, BMC_SCHEME_REDFISH_VIRTUALMEDIA_HTTP);
        assert_int_equal(b.port, 8000);
        assert_true(b.host_is_ipv6);
        assert_int_equal(bmc_authority(&b, auth, sizeof(auth)), 0);
        assert_string_equal(auth, "[2001:db8::5]:8000");

        assert_int_equal(bmc_url_parse("bmc", "192.0.2.1:8000", &b, NULL), NETD_EINVALID);
        assert_int_equal(bmc_url_parse("bmc", "https://x/a b", &b, NULL), NETD_EINVALID);
        assert_int_equal(bmc_url_parse("bmc", "https://x/a\"b", &b, NULL), NETD_EINVALID);
        assert_int_equal(bmc_url_parse("bmc", "https://x/a?b", &b, NULL), NETD_EINVALID);
        assert_int_equal(bmc_url_parse("bmc", "https:///redfish", &b, NULL), NETD_EINVALID);
        assert_int_equal(bmc_url_parse("bmc", "1https://x/", &b, NULL), NETD_EINVALID);
        assert_int_equal(bmc_url_parse("bmc", NULL, &b, NULL), NETD_EINVALID);
}

static void test_uuid(void **state) {
        struct netd_error err = {};
        char url[BMC_URL_MAX];
        struct bmc b;

        (void)state;
        assert_true(bmc_uuid_is_valid(UUID));
        assert_false(bmc_uuid_is_valid("3F2A0C1E-5B7D-4E8A-9C61-0A1B2C3D4E01"));
        assert_false(bmc_uuid_is_valid("../../etc/passwd"));
        assert_false(bmc_uuid_is_valid(NULL));
        assert_int_equal(bmc_parse("bmc", "192.0.2.1:8000", &b, NULL), 0);
        assert_int_equal(bmc_system_url(&b, "x", url, sizeof(url), &err), NETD_EINVALID);
        assert_int_equal(bmc_system_url(&b, UUID, url, 20, &err), NETD_EINVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_host_bmc),
                cmocka_unit_test(test_schemes),
                cmocka_unit_test(test_host_bmc_refused),
                cmocka_unit_test(test_node_url),
                cmocka_unit_test(test_uuid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
