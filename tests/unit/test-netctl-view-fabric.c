/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's fabric views (netctl/view-fabric.c) against golden files in
 * tests/data/netctl: fabric status and sync (replies recorded from netd
 * with a disconnected host, and fabric-drift.json with every state), the
 * links and routes added and removed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

/* Per host its connection, its libvirt and its objects, the tables of all
 * hosts in the same column widths; then the summary by state. */
static void test_fabric_status(void **state _unused_) {
        netctl_check(view_fabric_status_text, "fabric-status", "{}", "fabric-status");
        netctl_check(view_fabric_status_text, "fabric-drift", "{}", "fabric-drift");
        netctl_check_json(view_fabric_status_text, "{\"hosts\": []}", "{}", "fabric-status-empty");
        netctl_check_json(
                view_fabric_status_text,
                "{\"hosts\": [{\"name\": \"jump\", \"connected\": true, \"error\": null, \"objects\": []}]}",
                "{}", "fabric-status-no-objects");
}

static void test_fabric_synced(void **state _unused_) {
        netctl_check(view_fabric_synced_text, "fabric-synced", "{}", "fabric-synced");
        netctl_check(view_fabric_synced_text, "fabric-synced-hv1", "{\"host\": \"hv1\"}",
                     "fabric-synced-hv1");
        netctl_check_json(view_fabric_synced_text, "{\"hosts\": []}", "{}", "fabric-synced-empty");
}

/* JSON is the reply as it comes, but only once its shape is checked. */
static void test_fabric_json(void **state _unused_) {
        netctl_check(view_fabric_json, "fabric-status", "{}", "fabric-status-json");
}

/* What scripts poll must fail rather than pass for a status, in every format. */
static void test_fabric_malformed(void **state _unused_) {
        static const output_render_fn renderers[] = {view_fabric_status_text, view_fabric_synced_text,
                                                     view_fabric_json};

        for (size_t i = 0; i < ARRAY_SIZE(renderers); i++) {
                netctl_check_malformed(renderers[i], "{}", "malformed reply from netd: no \"hosts\" list");
                netctl_check_malformed(
                        renderers[i], "{\"hosts\": [{\"name\": \"hv1\"}]}",
                        "malformed reply from netd: a host of the fabric without name or connected");
                netctl_check_malformed(
                        renderers[i], "{\"hosts\": [{\"name\": \"hv1\", \"connected\": \"yes\"}]}",
                        "malformed reply from netd: a host of the fabric without name or connected");
                netctl_check_malformed(
                        renderers[i],
                        "{\"hosts\": [{\"name\": \"hv1\", \"connected\": true, \"objects\": {}}]}",
                        "malformed reply from netd: a host's \"objects\" is no list");
                netctl_check_malformed(
                        renderers[i],
                        "{\"hosts\": [{\"name\": \"hv1\", \"connected\": true, \"objects\": [{\"kind\": "
                        "\"bridge\", "
                        "\"name\": \"br-lab\"}]}]}",
                        "malformed reply from netd: an object of the fabric without kind, name or state");
        }
}

/* Links: the reply's details in parentheses; the kind, name and host from
 * the reply, else as asked for. */
static void test_fabric_links(void **state _unused_) {
        netctl_check(view_fabric_link_added_text, "link-added-patch0",
                     "{\"host\": \"hv1\", \"kind\": \"veth\", \"name\": \"patch0\", \"peer\": \"patch1\", "
                     "\"master\": \"br-lab\"}",
                     "link-added-patch0");
        netctl_check(view_fabric_link_added_text, "link-added-p0",
                     "{\"host\": \"hv2\", \"kind\": \"veth\", \"name\": \"p0\", \"peer\": \"p1\"}",
                     "link-added-p0");
        netctl_check_json(
                view_fabric_link_added_text,
                "{\"host\": \"hv1\", \"kind\": \"veth\", \"name\": \"patch0\", \"peer\": \"patch1\", "
                "\"master\": \"virbr0\", \"peer_master\": \"br-lab\"}",
                "{\"host\": \"hv1\", \"kind\": \"veth\", \"name\": \"patch0\"}", "link-added-peer-master");
        /* netd's link.remove answers with host and name only, so today the
         * kind shows as "-"; the link as it was (output.h) names it. */
        netctl_check(view_fabric_link_removed_text, "link-removed",
                     "{\"host\": \"hv1\", \"name\": \"patch0\"}", "link-removed");
        netctl_check_json(
                view_fabric_link_removed_text,
                "{\"host\": \"hv1\", \"kind\": \"veth\", \"name\": \"patch0\", \"peer\": \"patch1\", "
                "\"master\": \"br-lab\", \"peer_master\": null}",
                "{\"host\": \"hv1\", \"name\": \"patch0\"}", "link-removed-whole");
        netctl_check_malformed(view_fabric_link_removed_text, "[]",
                               "malformed reply from netd: no link object");
}

static void test_fabric_routes(void **state _unused_) {
        netctl_check(view_fabric_route_added_text, "route-added",
                     "{\"host\": \"hv1\", \"dest\": \"203.0.113.0/24\", \"via\": \"192.0.2.254\", \"dev\": "
                     "\"br-lab\"}",
                     "route-added");
        netctl_check(view_fabric_route_removed_text, "route-removed",
                     "{\"host\": \"hv1\", \"dest\": \"203.0.113.0/24\"}", "route-removed");
        netctl_check_malformed(view_fabric_route_added_text, "null",
                               "malformed reply from netd: no route object");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fabric_status), cmocka_unit_test(test_fabric_synced),
                cmocka_unit_test(test_fabric_json),   cmocka_unit_test(test_fabric_malformed),
                cmocka_unit_test(test_fabric_links),  cmocka_unit_test(test_fabric_routes),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
