/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's cluster views (netctl/view-cluster.c) against golden files in
 * tests/data/netctl: replies recorded from netd, rendered as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

static void test_cluster_list(void **state _unused_) {
        netctl_check(view_cluster_list_text, "cluster-list", "{}", "cluster-list");
        netctl_check_json(view_cluster_list_text, "{\"clusters\": []}", "{\"network\": \"lab\"}",
                          "cluster-list-empty");
        netctl_check_malformed(view_cluster_list_text, "{}",
                               "malformed reply from netd: no \"clusters\" list");
}

/* The header (topology counted, the names the VIPs answer for) and the
 * nodes: MNO with a day-2 worker, SNO whose VIPs are its node's address,
 * IPv6 compact. */
static void test_cluster_show(void **state _unused_) {
        netctl_check(view_cluster_text, "cluster-show-big", "{\"name\": \"big\"}", "cluster-show-big");
        netctl_check(view_cluster_text, "cluster-show-sno", "{\"name\": \"sno\"}", "cluster-show-sno");
        netctl_check(view_cluster_text, "cluster-show-six", "{\"name\": \"six\"}", "cluster-show-six");
        /* Dual-stack: both families, primary first; a hub that reuses
         * another cluster's worker (REUSES) on a /32 machine network, with
         * the facts node set recorded. */
        netctl_check(view_cluster_text, "cluster-show-dual", "{\"name\": \"ds\"}", "cluster-show-dual");
        netctl_check(view_cluster_text, "node-set-facts", "{\"name\": \"hub\"}", "cluster-show-hub");
        netctl_check_malformed(view_cluster_text, "{\"name\": \"big\"}",
                               "malformed reply from netd: no cluster object");
}

/* A BOOT column once a node has boot instructions of its own: an iPXE
 * script, a boot file, and "network" for the node that has none. */
static void test_cluster_show_boot(void **state _unused_) {
        netctl_check(view_cluster_text, "cluster-show-boot", "{\"name\": \"cmp\"}", "cluster-show-boot");
        /* No column when no node has any (cluster-show-sno has no "boot" at all). */
        netctl_check(view_cluster_text, "node-set-network", "{\"name\": \"sno\"}",
                     "cluster-show-sno-no-boot");
}

/* One line for the node that was set, read from the cluster after. */
static void test_cluster_node_set(void **state _unused_) {
        netctl_check(view_cluster_node_set_text, "node-set-ipxe",
                     "{\"cluster\": \"sno\", \"node\": \"master-0\", \"ipxe_script\": "
                     "\"http://192.0.2.9:8080/reinstall.ipxe\"}",
                     "node-set-ipxe");
        netctl_check(view_cluster_node_set_text, "node-set-file",
                     "{\"cluster\": \"sno\", \"node\": \"master-0\", \"boot_file\": \"undionly.kpxe\"}",
                     "node-set-file");
        netctl_check(view_cluster_node_set_text, "node-set-network",
                     "{\"cluster\": \"sno\", \"node\": \"master-0\", \"boot\": \"network\"}",
                     "node-set-network");
        netctl_check(view_cluster_node_set_text, "node-set-facts",
                     "{\"cluster\": \"hub\", \"node\": \"master-0\", \"boot_mode\": \"uefi\"}",
                     "node-set-facts");
        netctl_check_json(view_cluster_node_set_text,
                          "{\"name\": \"sno\", \"nodes\": [{\"name\": \"master-0\"}]}",
                          "{\"cluster\": \"sno\", \"node\": \"master-0\", \"boot\": \"network\"}",
                          "node-set-no-network");
        netctl_check_malformed(view_cluster_node_set_text, "{\"name\": \"sno\", \"nodes\": []}",
                               "malformed reply from netd: no node - in the cluster");
        netctl_check_malformed(view_cluster_node_set_text, "{\"name\": \"sno\"}",
                               "malformed reply from netd: no cluster object");
}

/* Addresses counted once each: SNO's VIPs are its node's address. */
static void test_cluster_released(void **state _unused_) {
        netctl_check(view_cluster_released_text, "cluster-released-cmp", "{\"name\": \"cmp\"}",
                     "cluster-released-cmp");
        netctl_check(view_cluster_released_text, "cluster-released-sno", "{\"name\": \"sno\"}",
                     "cluster-released-sno");
        /* Both families; a hub's reused address stays with its owner. */
        netctl_check(view_cluster_released_text, "cluster-released-dual", "{\"name\": \"ds\"}",
                     "cluster-released-dual");
        netctl_check(view_cluster_released_text, "cluster-released-hub", "{\"name\": \"hub\"}",
                     "cluster-released-hub");
        netctl_check_malformed(view_cluster_released_text, "{\"nodes\": 3}",
                               "malformed reply from netd: no cluster object");
}

/* The reply is the cluster after the release; one that still lists the
 * node (the state before) names its address and does not count it. */
static void test_cluster_node_released(void **state _unused_) {
        netctl_check(view_cluster_node_released_text, "cluster-node-released",
                     "{\"cluster\": \"big\", \"node\": \"worker-2\"}", "cluster-node-released");
        netctl_check(view_cluster_node_released_text, "cluster-show-big",
                     "{\"cluster\": \"big\", \"node\": \"worker-2\"}", "cluster-node-released-before");
        netctl_check_malformed(view_cluster_node_released_text, "null",
                               "malformed reply from netd: no cluster object");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cluster_list),      cmocka_unit_test(test_cluster_show),
                cmocka_unit_test(test_cluster_show_boot), cmocka_unit_test(test_cluster_node_set),
                cmocka_unit_test(test_cluster_released),  cmocka_unit_test(test_cluster_node_released),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
