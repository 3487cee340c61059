/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's export view (netctl/view-export.c): netd renders the export,
 * netctl prints its text as it is (replies recorded from netd). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

static void test_export(void **state _unused_) {
        netctl_check(view_export_text, "export-dnsmasq", "{\"cluster\": \"sno\"}", "export-dnsmasq");
        netctl_check(view_export_text, "export-inventory", "{\"cluster\": \"sno\"}", "export-inventory");
        netctl_check_malformed(view_export_text, "{\"cluster\": \"sno\", \"format\": \"dnsmasq\"}",
                               "malformed reply from netd: no \"text\" in the export");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_export),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
