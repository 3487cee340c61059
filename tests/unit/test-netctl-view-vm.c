/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's VM list (netctl/view-vm.c) against golden files in
 * tests/data/netctl: replies recorded from netd with libvirt's test driver
 * (a VM with two interfaces, one whose root disk has no by-path name, a
 * host that did not answer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

/* One row per interface, the VM's columns on its first; the hosts that did
 * not answer follow the table. */
static void test_vm_list_text(void **state _unused_) {
        netctl_check(view_vm_list_text, "vm-list", "{}", "vm-list");
        netctl_check(view_vm_list_text, "vm-list-hv1", "{\"host\": \"hv1\"}", "vm-list-hv1");
        netctl_check_json(view_vm_list_text,
                          "{\"vms\": [], \"unreachable\": [{\"host\": \"hv3\", \"error\": \"libvirt at "
                          "qemu+ssh://root@hv3/system did not answer within 30 s\"}]}",
                          "{}", "vm-list-none-unreachable");
        netctl_check_json(
                view_vm_list_text,
                "{\"vms\": [{\"host\": \"hv1\", \"name\": \"bare\", \"state\": \"shutoff\", \"uuid\": null, "
                "\"interfaces\": [], \"root_disk\": null, \"root_disk_note\": null, \"cluster\": null, "
                "\"node\": null}], \"unreachable\": []}",
                "{}", "vm-list-no-interfaces");
}

static void test_vm_list_json(void **state _unused_) {
        netctl_check(view_vm_list_json, "vm-list", "{}", "vm-list-json");
}

static void test_vm_list_malformed(void **state _unused_) {
        static const output_render_fn renderers[] = {view_vm_list_text, view_vm_list_json};

        for (size_t i = 0; i < ARRAY_SIZE(renderers); i++) {
                netctl_check_malformed(renderers[i], "{\"unreachable\": []}",
                                       "malformed reply from netd: no \"vms\" list");
                netctl_check_malformed(renderers[i], "{\"vms\": [{\"name\": \"x\"}]}",
                                       "malformed reply from netd: a VM without host or name");
                netctl_check_malformed(
                        renderers[i],
                        "{\"vms\": [{\"host\": \"hv1\", \"name\": \"x\", \"interfaces\": [1]}]}",
                        "malformed reply from netd: a VM interface that is no object");
                netctl_check_malformed(renderers[i], "{\"vms\": [], \"unreachable\": {}}",
                                       "malformed reply from netd: \"unreachable\" is no list");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vm_list_text),
                cmocka_unit_test(test_vm_list_json),
                cmocka_unit_test(test_vm_list_malformed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
