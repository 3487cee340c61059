/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's network views (netctl/view-network.c) against golden files in
 * tests/data/netctl: replies recorded from netd, rendered as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

static void test_network_list(void **state _unused_) {
        netctl_check(view_network_list_text, "network-list", "{}", "network-list");
        netctl_check_json(view_network_list_text, "{\"networks\": []}", "{}", "network-list-empty");
        netctl_check_malformed(view_network_list_text, "{\"networks\": {}}",
                               "malformed reply from netd: no \"networks\" list");
        netctl_check_malformed(view_network_list_text, "null",
                               "malformed reply from netd: no \"networks\" list");
}

/* Ranges with their sizes, an IPv6 /64 with its 2^64-1 usable addresses,
 * a /30, absent values as "-". */
static void test_network_show(void **state _unused_) {
        netctl_check(view_network_text, "network-show-lab", "{\"name\": \"lab\"}", "network-show-lab");
        netctl_check(view_network_text, "network-show-v6", "{\"name\": \"v6\"}", "network-show-v6");
        netctl_check(view_network_text, "network-show-tiny", "{\"name\": \"tiny\"}", "network-show-tiny");
        netctl_check_malformed(view_network_text, "[]", "malformed reply from netd: no network object");
}

/* Boot settings and DHCP options, only when the network has some: every
 * boot setting with the values aligned after the option names; a boot
 * file for BIOS and UEFI alike with the default next server (what
 * network set shows after a change); none left after --no-boot. */
static void test_network_boot(void **state _unused_) {
        netctl_check(view_network_text, "network-show-pxe", "{\"name\": \"lab\"}", "network-show-pxe");
        netctl_check(view_network_text, "network-set-boot",
                     "{\"name\": \"lab\", \"boot_file\": \"undionly.kpxe\", \"tftp_root\": \"/srv/tftp\"}",
                     "network-set-boot");
        netctl_check(view_network_text, "network-set-none",
                     "{\"name\": \"lab\", \"mtu\": \"none\", \"no_boot\": true}", "network-set-none");
        netctl_check_json(view_network_text,
                          "{\"name\": \"uefi\", \"cidr\": \"198.51.100.0/24\", \"boot\": {\"file\": null, "
                          "\"file_efi\": \"ipxe.efi\", \"server\": \"198.51.100.9\", \"tftp_root\": null, "
                          "\"ipxe_script\": null}, \"dhcp_options\": []}",
                          "{\"name\": \"uefi\"}", "network-show-uefi-only");
}

/* The name from the reply, else as it was asked for. */
static void test_network_removed(void **state _unused_) {
        netctl_check(view_network_removed_text, "network-removed", "{\"name\": \"tiny\"}", "network-removed");
        netctl_check_json(view_network_removed_text, "null", "{\"name\": \"tiny\"}", "network-removed");
}

/* The details in parentheses are the ones the attachment has. */
static void test_network_attach(void **state _unused_) {
        netctl_check(view_network_attached_text, "network-attached-hv1",
                     "{\"network\": \"lab\", \"host\": \"hv1\", \"address\": \"192.0.2.2/24\"}",
                     "network-attached-hv1");
        netctl_check(view_network_attached_text, "network-attached-hv2",
                     "{\"network\": \"lab\", \"host\": \"hv2\"}", "network-attached-hv2");
        netctl_check_json(
                view_network_attached_text,
                "{\"network\": \"lab\", \"host\": \"jump\", \"bridge\": \"br-lab\", \"uplink\": \"eno2\", "
                "\"address\": \"192.0.2.1/24\"}",
                "{\"network\": \"lab\", \"host\": \"jump\"}", "network-attached-uplink");
        netctl_check(view_network_detached_text, "network-detached",
                     "{\"network\": \"lab\", \"host\": \"hv2\"}", "network-detached");
        netctl_check_malformed(view_network_detached_text, "\"lab\"",
                               "malformed reply from netd: no attachment object");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_network_list),   cmocka_unit_test(test_network_show),
                cmocka_unit_test(test_network_boot),   cmocka_unit_test(test_network_removed),
                cmocka_unit_test(test_network_attach),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
