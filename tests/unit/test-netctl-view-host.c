/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's host views (netctl/view-host.c) against golden files in
 * tests/data/netctl: replies recorded from netd, rendered as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

static void test_host_list(void **state _unused_) {
        netctl_check(view_host_list_text, "host-list", "{}", "host-list");
        netctl_check_json(view_host_list_text, "{\"hosts\": []}", "{}", "host-list-empty");
        netctl_check_malformed(view_host_list_text, "{\"hosts\": null}",
                               "malformed reply from netd: no \"hosts\" list");
}

/* With libvirt and a BMC, and without either ("-"). */
static void test_host_show(void **state _unused_) {
        netctl_check(view_host_text, "host-show-hv1", "{\"name\": \"hv1\"}", "host-show-hv1");
        netctl_check(view_host_text, "host-show-hv2", "{\"name\": \"hv2\"}", "host-show-hv2");
        netctl_check_malformed(view_host_text, "null", "malformed reply from netd: no host object");
}

static void test_host_removed(void **state _unused_) {
        netctl_check(view_host_removed_text, "host-removed", "{\"name\": \"hv3\"}", "host-removed");
        netctl_check_json(view_host_removed_text, "{}", "{\"name\": \"hv3\"}", "host-removed");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_host_list),
                cmocka_unit_test(test_host_show),
                cmocka_unit_test(test_host_removed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
