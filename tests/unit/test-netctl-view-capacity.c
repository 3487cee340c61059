/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's capacity report (netctl/view-capacity.c) against golden files
 * in tests/data/netctl: the text table with its bars and totals, JSON with
 * the counts as exact numbers, CSV with a header row. capacity.json is a
 * report recorded from netd (IPv6 counts beyond 2^64); capacity-edges.json
 * holds the utilizations that must not round to none or all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/view.h"

static void test_capacity_text(void **state _unused_) {
        netctl_check(view_capacity_text, "capacity", "{}", "capacity");
        netctl_check(view_capacity_text, "capacity-big6", "{\"network\": \"big6\"}", "capacity-big6");
        netctl_check(view_capacity_text, "capacity-edges", "{}", "capacity-edges");
        /* One IPv4 and one IPv6 network: what fits dual-stack on both. */
        netctl_check(view_capacity_text, "capacity-dual", "{\"networks\": [\"lab\", \"lab6\"]}",
                     "capacity-dual");
        netctl_check_json(view_capacity_text,
                          "{\"networks\": [], \"lab\": {\"total\": \"0\", \"reserved\": \"0\", "
                          "\"allocated\": \"0\", \"free\": \"0\", \"clusters\": \"0\"}}",
                          "{}", "capacity-empty");
}

static void test_capacity_json(void **state _unused_) {
        netctl_check(view_capacity_json, "capacity", "{}", "capacity-json");
        netctl_check(view_capacity_json, "capacity-edges", "{}", "capacity-edges-json");
        netctl_check(view_capacity_json, "capacity-dual", "{}", "capacity-dual-json");
}

static void test_capacity_csv(void **state _unused_) {
        netctl_check(view_capacity_csv, "capacity", "{}", "capacity-csv");
        netctl_check(view_capacity_csv, "capacity-edges", "{}", "capacity-edges-csv");
}

/* Every back end refuses a report it cannot read whole. */
static void test_capacity_malformed(void **state _unused_) {
        static const output_render_fn renderers[] = {view_capacity_text, view_capacity_json,
                                                     view_capacity_csv};
        static const char lab[] =
                "\"lab\": {\"total\": \"6\", \"reserved\": \"1\", \"allocated\": \"5\", \"free\": \"0\", "
                "\"clusters\": \"1\"}";
        char bad_count[512], bad_fits[512], bad_lab[512];

        snprintf(bad_count, sizeof(bad_count),
                 "{\"networks\": [{\"name\": \"x\", \"total\": \"6\", \"reserved\": \"1\", \"allocated\": "
                 "\"5\", "
                 "\"free\": \"-1\", \"clusters\": \"1\", \"fits\": {\"sno\": \"0\", \"compact\": \"0\", "
                 "\"mno\": \"0\"}}], %s}",
                 lab);
        snprintf(
                bad_fits, sizeof(bad_fits),
                "{\"networks\": [{\"name\": \"x\", \"total\": \"6\", \"reserved\": \"1\", \"allocated\": "
                "\"5\", "
                "\"free\": \"0\", \"clusters\": \"1\", \"fits\": {\"sno\": \"0\", \"compact\": \"0\"}}], %s}",
                lab);
        snprintf(bad_lab, sizeof(bad_lab), "{\"networks\": [], \"lab\": {\"total\": 1.5}}");
        for (size_t i = 0; i < ARRAY_SIZE(renderers); i++) {
                netctl_check_malformed(renderers[i], "{\"networks\": []}",
                                       "malformed reply from netd: no \"networks\" list or \"lab\" totals");
                netctl_check_malformed(renderers[i], bad_count,
                                       "malformed reply from netd: capacity of a network: bad \"free\"");
                netctl_check_malformed(renderers[i], bad_fits,
                                       "malformed reply from netd: capacity of a network: bad fits.mno");
                netctl_check_malformed(renderers[i], bad_lab,
                                       "malformed reply from netd: lab totals: bad \"total\"");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_capacity_text),
                cmocka_unit_test(test_capacity_json),
                cmocka_unit_test(test_capacity_csv),
                cmocka_unit_test(test_capacity_malformed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
