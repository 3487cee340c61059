/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netd/core/validate.h"
#include "netd/core/mac.h"

/* Inputs no name, domain or interface may ever be. */
static const char *const hostile[] = {
        "",      "a\nb",       "a,b",   "a b",  "a/b",  "../x",  "a\tb",
        "a\rb",  "a;b",        "a=b",   "a\"b", "a\\b", "a\x01", "\xc3\xa9t\xc3\xa9",
        "a#b",   "a$(reboot)", "a`id`", "a*",   "-",    "a:b",   "a@b",
        "a\x7f",
};

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);

        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

/* A rejected value's message is one line naming `what`. */
static void assert_rejected(int r, const struct netd_error *err, const char *what) {
        assert_int_equal(r, NETD_EINVALID);
        assert_int_equal(err->code, NETD_EINVALID);
        assert_non_null(strstr(err->message, what));
        assert_null(strchr(err->message, '\n'));
        assert_null(strchr(err->message, '\r'));
}

static void assert_name_bad(const char *s) {
        struct netd_error err = {};

        assert_false(validate_name(s));
        assert_rejected(validate_name_check("cluster name", s, &err), &err, "cluster name");
}

static void assert_name_good(const char *s) {
        struct netd_error err = {};

        assert_true(validate_name(s));
        assert_int_equal(validate_name_check("cluster name", s, &err), 0);
        assert_int_equal(err.code, 0);
}

static void test_name(void **state) {
        _cleanup_free_ char *n63 = repeat('a', 63), *n64 = repeat('a', 64);

        (void)state;
        assert_name_good("a");
        assert_name_good("0");
        assert_name_good("lab");
        assert_name_good("sno-1");
        assert_name_good("a-b-c");
        assert_name_good("1abc");
        assert_name_good("a--b");
        assert_name_good(n63);

        assert_name_bad(NULL);
        assert_name_bad(n64);
        assert_name_bad("Lab");
        assert_name_bad("LAB");
        assert_name_bad("-lab");
        assert_name_bad("lab-");
        assert_name_bad("lab.internal");
        assert_name_bad("..");
        assert_name_bad(".");
        assert_name_bad("_lab");
        for (size_t i = 0; i < ARRAY_SIZE(hostile); i++)
                assert_name_bad(hostile[i]);
}

static void test_name_messages(void **state) {
        _cleanup_free_ char *n64 = repeat('a', 64);
        struct netd_error err = {};

        (void)state;
        assert_int_equal(validate_name_check("cluster name", "evil\nnetctl: ok: forged", &err),
                         NETD_EINVALID);
        assert_string_equal(err.message,
                            "cluster name \"evil\\x0anetctl: ok: forged\": only lowercase letters, "
                            "digits and '-' are allowed");
        err = (struct netd_error){};
        validate_name_check("network name", "", &err);
        assert_string_equal(err.message, "network name is empty");
        err = (struct netd_error){};
        validate_name_check("network name", n64, &err);
        assert_non_null(strstr(err.message, "is too long (64 characters, at most 63)"));
        err = (struct netd_error){};
        validate_name_check("node name", "-x", &err);
        assert_non_null(strstr(err.message, "must start and end with a letter or digit"));
        err = (struct netd_error){};
        validate_name_check("node name", NULL, &err);
        assert_string_equal(err.message, "node name is missing");
}

static void test_domain(void **state) {
        _cleanup_free_ char *label63 = repeat('a', 63), *label64 = repeat('b', 64);
        char d253[254], d254[255];
        struct netd_error err = {};

        (void)state;
        /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
        snprintf(d253, sizeof(d253), "%s.%s.%s.%.*s", label63, label63, label63, 61, label63);
        snprintf(d254, sizeof(d254), "%s.%s.%s.%.*s", label63, label63, label63, 62, label63);
        assert_int_equal(strlen(d253), 253);
        assert_int_equal(strlen(d254), 254);

        assert_true(validate_domain("lab.internal"));
        assert_true(validate_domain("lab"));
        assert_true(validate_domain("a.b-c.d0"));
        assert_true(validate_domain(label63));
        assert_true(validate_domain(d253));
        assert_int_equal(validate_domain_check("domain", "lab.example", &err), 0);

        const char *bad[] = {
                NULL,
                "",
                ".",
                "..",
                "lab..internal",
                ".lab",
                "lab.",
                "Lab.internal",
                "lab.-x",
                "lab.x-",
                "a_b",
                "lab internal",
                "lab,internal",
                "lab/internal",
                "lab\ninternal",
                label64,
                d254,
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                err = (struct netd_error){};
                assert_false(validate_domain(bad[i]));
                assert_rejected(validate_domain_check("domain", bad[i], &err), &err, "domain");
        }
        for (size_t i = 1; i < ARRAY_SIZE(hostile); i++) {
                err = (struct netd_error){};
                assert_false(validate_domain(hostile[i]));
                assert_rejected(validate_domain_check("domain", hostile[i], &err), &err, "domain");
        }
        err = (struct netd_error){};
        validate_domain_check("domain", "lab..internal", &err);
        assert_non_null(strstr(err.message, "empty label"));
        err = (struct netd_error){};
        validate_domain_check("domain", d254, &err);
        assert_non_null(strstr(err.message, "at most 253"));
}

static void test_ifname(void **state) {
        struct netd_error err = {};

        (void)state;
        const char *good[] = {"eth0",   "br-lab", "vxlan.100",       "enp0s31f6",
                              "BR_LAB", "a",      "123456789012345", "..a"};
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                assert_true(validate_ifname(good[i]));
                assert_int_equal(validate_ifname_check("interface", good[i], &err), 0);
        }
        const char *bad[] = {NULL,     "",        ".",      "..", "1234567890123456", "eth0:1", "br lab",
                             "br/lab", "br\nlab", "br,lab", "é"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                err = (struct netd_error){};
                assert_false(validate_ifname(bad[i]));
                assert_rejected(validate_ifname_check("interface", bad[i], &err), &err, "interface");
        }
}

static void test_url(void **state) {
        _cleanup_free_ char *path = repeat('a', VALIDATE_URL_MAX - strlen("http://h/"));
        _cleanup_free_ char *path_long = repeat('a', VALIDATE_URL_MAX - strlen("http://h/") + 1);
        char max[VALIDATE_URL_MAX + 2], over[VALIDATE_URL_MAX + 2];
        struct netd_error err = {};

        (void)state;
        snprintf(max, sizeof(max), "http://h/%s", path);
        snprintf(over, sizeof(over), "http://h/%s", path_long);
        const char *good[] = {
                "http://192.0.2.1/boot.ipxe",
                "https://boot.lab.example:8443/x/y.ipxe?node=master-0&v=1",
                "tftp://192.0.2.1/ipxe.efi",
                "http://[2001:db8::1]/s.ipxe",
                "http://h",
                max,
        };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                err = (struct netd_error){};
                assert_true(validate_url(good[i]));
                assert_int_equal(validate_url_check("iPXE script", good[i], &err), 0);
        }
        const char *bad[] = {
                NULL,
                "",
                over,
                "ftp://h/x",
                "file:///etc/passwd",
                "HTTP://h/x",
                "//h/x",
                "h/x",
                "http://",
                "http:///x",
                "http://h/a#frag",
                "http://h/a,b",
                "http://h/a b",
                "http://h/a\"b",
                "http://h/a\\b",
                "http://h/a\nb",
                "http://h/a\rb",
                "http://h/a\tb",
                "http://h/\x01",
                "http://h/\x7f",
                "http://h/\xc3\xa9",
                "http://h/x\ndhcp-option=3,6.6.6.6",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                err = (struct netd_error){};
                assert_false(validate_url(bad[i]));
                assert_rejected(validate_url_check("iPXE script", bad[i], &err), &err, "iPXE script");
        }
        err = (struct netd_error){};
        validate_url_check("iPXE script", "http://h/a#b", &err);
        assert_string_equal(err.message,
                            "iPXE script \"http://h/a#b\" may not contain spaces, control bytes, "
                            "'\"', '#', ',' or '\\'");
        err = (struct netd_error){};
        validate_url_check("iPXE script", "ftp://h/x", &err);
        assert_non_null(strstr(err.message, "must start with http://, https:// or tftp://"));
        err = (struct netd_error){};
        validate_url_check("iPXE script", over, &err);
        assert_non_null(strstr(err.message, "is too long (256 characters, at most 255)"));
        err = (struct netd_error){};
        validate_url_check("iPXE script", NULL, &err);
        assert_string_equal(err.message, "iPXE script is missing");
}

static void test_boot_file(void **state) {
        _cleanup_free_ char *max = repeat('a', VALIDATE_BOOT_FILE_MAX),
                            *over = repeat('a', VALIDATE_BOOT_FILE_MAX + 1);
        struct netd_error err = {};

        (void)state;
        const char *good[] = {"pxelinux.0",
                              "undionly.kpxe",
                              "ipxe/ipxe.efi",
                              "EFI/BOOT/BOOTX64.EFI",
                              "grub_x64+sb-1.efi",
                              ".hidden",
                              max};
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                err = (struct netd_error){};
                assert_true(validate_boot_file(good[i]));
                assert_int_equal(validate_boot_file_check("boot file", good[i], &err), 0);
        }
        const char *bad[] = {
                NULL,    "",       over,  "/pxelinux.0",  "../etc/shadow", "a/../../b", "a/..", "a..b",
                "ipxe/", "a b",    "a,b", "a#b",          "a\"b",          "a\\b",      "a\nb", "a;b",
                "a:b",   "a$(id)", "a*",  "\xc3\xa9.efi", "http://h/x"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                err = (struct netd_error){};
                assert_false(validate_boot_file(bad[i]));
                assert_rejected(validate_boot_file_check("boot file", bad[i], &err), &err, "boot file");
        }
        err = (struct netd_error){};
        validate_boot_file_check("boot file", "/pxelinux.0", &err);
        assert_non_null(strstr(err.message, "no leading '/'"));
        err = (struct netd_error){};
        validate_boot_file_check("boot file", "a/../b", &err);
        assert_non_null(strstr(err.message, "may not contain \"..\""));
        err = (struct netd_error){};
        validate_boot_file_check("boot file", "a\nb", &err);
        assert_string_equal(err.message,
                            "boot file \"a\\x0ab\" may only contain A-Z, a-z, 0-9, '.', '_', '+', "
                            "'-' and '/'");
}

static void test_path(void **state) {
        _cleanup_free_ char *long_name = repeat('a', VALIDATE_PATH_MAX - 1);
        _cleanup_free_ char *longer_name = repeat('a', VALIDATE_PATH_MAX);
        char max[VALIDATE_PATH_MAX + 2], over[VALIDATE_PATH_MAX + 2];
        struct netd_error err = {};

        (void)state;
        snprintf(max, sizeof(max), "/%s", long_name);
        snprintf(over, sizeof(over), "/%s", longer_name);
        const char *good[] = {"/srv/tftp", "/srv/tftp/", "/var/lib/netd/tftp-root", "/a", "/", "/srv/.tftp",
                              "/srv/t..p", max};
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                err = (struct netd_error){};
                assert_true(validate_path(good[i]));
                assert_int_equal(validate_path_check("TFTP root", good[i], &err), 0);
        }
        const char *bad[] = {NULL,         "",
                             over,         "srv/tftp",
                             "./srv",      "/srv/../etc",
                             "/srv/..",    "/srv/.",
                             "/./srv",     "/srv//tftp",
                             "//srv",      "/srv/tftp//",
                             "/srv/a b",   "/srv/a,b",
                             "/srv/a#b",   "/srv/a\"b",
                             "/srv/a\\b",  "/srv/a\nb",
                             "/srv/\x01",  "/srv/\xc3\xa9",
                             "/srv/$(id)", "/srv/a:b"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                err = (struct netd_error){};
                assert_false(validate_path(bad[i]));
                assert_rejected(validate_path_check("TFTP root", bad[i], &err), &err, "TFTP root");
        }
        err = (struct netd_error){};
        validate_path_check("TFTP root", "srv/tftp", &err);
        assert_non_null(strstr(err.message, "must be an absolute path"));
        err = (struct netd_error){};
        validate_path_check("TFTP root", "/srv/../etc", &err);
        assert_non_null(strstr(err.message, "\"..\" component"));
}

static void test_mac(void **state) {
        struct netd_error err = {};
        char buf[MAC_STRLEN];
        mac_t m;

        (void)state;
        assert_int_equal(mac_parse("52:54:00:8a:01:02", &m, &err), 0);
        assert_true(m == 0x5254008a0102ULL);
        assert_string_equal(mac_format(m, buf, sizeof(buf)), "52:54:00:8a:01:02");
        assert_int_equal(mac_parse("52:54:00:AB:cd:EF", &m, &err), 0);
        assert_string_equal(mac_format(m, buf, sizeof(buf)), "52:54:00:ab:cd:ef");
        assert_int_equal(mac_parse("fe:ff:ff:ff:ff:ff", &m, &err), 0);
        assert_int_equal(mac_parse("00:00:00:00:00:01", &m, &err), 0);

        const char *bad[] = {
                NULL,
                "",
                "52:54:00:8a:01",
                "52:54:00:8a:01:02:03",
                "52-54-00-8a-01-02",
                "5254.008a.0102",
                "5254008a0102",
                "52:54:00:8a:01:0g",
                "52:54:00:8a:1:02",
                "52:54:00:8a:01:002",
                " 52:54:00:8a:01:02",
                "52:54:00:8a:01:02\n",
                "01:00:5e:00:00:01", /* multicast */
                "ff:ff:ff:ff:ff:ff", /* broadcast */
                "33:33:00:00:00:01", /* IPv6 multicast */
                "00:00:00:00:00:00",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                err = (struct netd_error){};
                assert_rejected(mac_parse(bad[i], &m, &err), &err, "MAC");
        }
        err = (struct netd_error){};
        mac_parse("01:00:5E:00:00:01", &m, &err);
        assert_string_equal(err.message, "MAC 01:00:5e:00:00:01 is a multicast address");
        err = (struct netd_error){};
        mac_parse("00:00:00:00:00:00", &m, &err);
        assert_string_equal(err.message, "MAC 00:00:00:00:00:00 is all zeros");
}

static void test_quote(void **state) {
        char buf[32], tiny[6];

        (void)state;
        assert_string_equal(error_quote_untrusted("lab-1", buf, sizeof(buf)), "lab-1");
        assert_string_equal(error_quote_untrusted("a\nb", buf, sizeof(buf)), "a\\x0ab");
        assert_string_equal(error_quote_untrusted("a\"b\\c", buf, sizeof(buf)), "a\\x22b\\x5cc");
        assert_string_equal(error_quote_untrusted("\x01\x7f\xff", buf, sizeof(buf)), "\\x01\\x7f\\xff");
        assert_string_equal(error_quote_untrusted("a b/c,d", buf, sizeof(buf)), "a b/c,d");
        assert_string_equal(error_quote_untrusted("", buf, sizeof(buf)), "");
        assert_string_equal(error_quote_untrusted(NULL, buf, sizeof(buf)), "(null)");

        /* Cut to fit, marked, never inside an escape. */
        assert_string_equal(error_quote_untrusted("abcdefghijklmnopqrstuvwxyz0123456789", buf, sizeof(buf)),
                            "abcdefghijklmnopqrstuvwxyz01...");
        assert_string_equal(error_quote_untrusted("abcdefghijklmnopqrstuvwxyz01234", buf, sizeof(buf)),
                            "abcdefghijklmnopqrstuvwxyz01234");
        assert_string_equal(error_quote_untrusted("ab\n\n\n\n\n", tiny, sizeof(tiny)), "ab...");
        assert_string_equal(error_quote_untrusted("\n\n", tiny, sizeof(tiny)), "...");
        assert_string_equal(error_quote_untrusted("abc", tiny, 3), "ab");
        assert_string_equal(error_quote_untrusted("\n", tiny, 3), "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name),   cmocka_unit_test(test_name_messages),
                cmocka_unit_test(test_domain), cmocka_unit_test(test_ifname),
                cmocka_unit_test(test_url),    cmocka_unit_test(test_boot_file),
                cmocka_unit_test(test_path),   cmocka_unit_test(test_mac),
                cmocka_unit_test(test_quote),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
