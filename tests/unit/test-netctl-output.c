/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's output layer (netctl/output.c and its JSON and CSV back ends):
 * which back end shows which view, a reply rendered aside so that a
 * malformed one leaves stdout clean, failures as one stderr line (and the
 * error object with JSON), the JSON printer and CSV fields. Goldens in
 * tests/data/netctl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netctl-golden.h"
#include "netctl/output-csv.h"
#include "netctl/output-json.h"

/* Text and JSON show every view; CSV only the capacity report. */
static void test_output_back_ends(void **state _unused_) {
        const struct output *text = output_get(OUTPUT_TEXT), *json = output_get(OUTPUT_JSON),
                            *csv = output_get(OUTPUT_CSV);

        assert_string_equal(text->name, "text");
        assert_string_equal(json->name, "json");
        assert_string_equal(csv->name, "csv");
        for (int v = 0; v < _VIEW_MAX; v++) {
                assert_non_null(text->render[v]);
                assert_non_null(json->render[v]);
                if (v == VIEW_CAPACITY)
                        assert_non_null(csv->render[v]);
                else
                        assert_null(csv->render[v]);
        }
        assert_null(text->error);
        assert_null(csv->error);
        assert_non_null(json->error);
}

/* Renders `data_text` through output_result() into a fresh stream. */
static int result(enum output_format format, enum output_view view, struct json_object *data,
                  const char *args_text, char **ret_text, struct netd_error *err) {
        struct json_object *args = netctl_json(args_text);
        size_t size = 0;
        FILE *f = open_memstream(ret_text, &size);
        int r;

        assert_non_null(f);
        r = output_result(output_get(format), view, data, args, f, err);
        assert_int_equal(fclose(f), 0);
        json_object_put(args);
        return r;
}

/* The JSON back end prints a reply as it comes: members in netd's order,
 * null kept, two-space indent. */
static void test_output_result_json(void **state _unused_) {
        struct json_object *data = netctl_reply_file("network-show-lab");
        struct netd_error err = {0};
        _cleanup_free_ char *text = NULL, *none = NULL, *list = NULL;

        assert_int_equal(result(OUTPUT_JSON, VIEW_NETWORK, data, "{\"name\": \"lab\"}", &text, &err), 0);
        golden_check_in("netctl", "network-show-lab-json", text);
        json_object_put(data);

        data = netctl_reply_file("network-list");
        assert_int_equal(result(OUTPUT_JSON, VIEW_NETWORK_LIST, data, "{}", &list, &err), 0);
        golden_check_in("netctl", "network-list-json", list);
        json_object_put(data);

        /* A reply without data is an empty object. */
        assert_int_equal(result(OUTPUT_JSON, VIEW_HOST_REMOVED, NULL, "{\"name\": \"hv3\"}", &none, &err), 0);
        assert_string_equal(none, "{}\n");
}

/* Boot settings, DHCP options and a node's own boot reach --json as netd
 * sends them: network set shows the network, node set the cluster. */
static void test_output_result_json_boot(void **state _unused_) {
        struct json_object *data = netctl_reply_file("network-show-pxe");
        struct netd_error err = {0};
        _cleanup_free_ char *network = NULL, *node = NULL, *text = NULL;

        assert_int_equal(result(OUTPUT_JSON, VIEW_NETWORK, data, "{\"name\": \"lab\", \"mtu\": \"1450\"}",
                                &network, &err),
                         0);
        golden_check_in("netctl", "network-show-pxe-json", network);
        json_object_put(data);

        data = netctl_reply_file("node-set-ipxe");
        assert_int_equal(result(OUTPUT_JSON, VIEW_NODE_SET, data,
                                "{\"cluster\": \"sno\", \"node\": \"master-0\", \"ipxe_script\": "
                                "\"http://192.0.2.9:8080/reinstall.ipxe\"}",
                                &node, &err),
                         0);
        golden_check_in("netctl", "node-set-ipxe-json", node);
        assert_int_equal(result(OUTPUT_TEXT, VIEW_NODE_SET, data,
                                "{\"cluster\": \"sno\", \"node\": \"master-0\"}", &text, &err),
                         0);
        golden_check_in("netctl", "node-set-ipxe", text);
        json_object_put(data);
}

static void test_output_result_text(void **state _unused_) {
        struct json_object *data = netctl_reply_file("cluster-show-big");
        struct netd_error err = {0};
        _cleanup_free_ char *text = NULL;

        assert_int_equal(result(OUTPUT_TEXT, VIEW_CLUSTER, data, "{\"name\": \"big\"}", &text, &err), 0);
        golden_check_in("netctl", "cluster-show-big", text);
        json_object_put(data);
}

/* Nothing reaches the stream when the reply or the format does not fit. */
static void test_output_result_refused(void **state _unused_) {
        struct json_object *data = netctl_reply_file("network-list");
        struct netd_error err = {0}, err2 = {0};
        _cleanup_free_ char *csv = NULL, *bad = NULL;

        assert_int_equal(result(OUTPUT_CSV, VIEW_NETWORK_LIST, data, "{}", &csv, &err), NETD_EINTERNAL);
        assert_string_equal(err.message, "no csv output for this reply");
        assert_string_equal(csv, "");
        assert_int_equal(result(OUTPUT_TEXT, VIEW_CLUSTER_LIST, data, "{}", &bad, &err2), NETD_EINTERNAL);
        assert_string_equal(err2.message, "malformed reply from netd: no \"clusters\" list");
        assert_string_equal(bad, "");
        json_object_put(data);
}

static void error_run(enum output_format format, int code, const char *message, char **ret_out,
                      char **ret_err) {
        size_t n1 = 0, n2 = 0;
        FILE *out = open_memstream(ret_out, &n1), *errf = open_memstream(ret_err, &n2);

        assert_non_null(out);
        assert_non_null(errf);
        output_error(output_get(format), code, message, out, errf);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(fclose(errf), 0);
}

/* One stderr line "netctl: CODE: message"; JSON adds the error object on
 * stdout. Messages recorded from netd. */
static void test_output_error(void **state _unused_) {
        _cleanup_free_ char *out = NULL, *errs = NULL, *jout = NULL, *jerr = NULL, *cout = NULL, *cerr = NULL;

        error_run(OUTPUT_TEXT, NETD_ECONFLICT, "network lab is used by 1 cluster (big); release it first",
                  &out, &errs);
        assert_string_equal(out, "");
        assert_string_equal(errs,
                            "netctl: conflict: network lab is used by 1 cluster (big); release it first\n");

        error_run(OUTPUT_JSON, NETD_ENOTFOUND, "network nosuch not found", &jout, &jerr);
        golden_check_in("netctl", "error-not-found-json", jout);
        assert_string_equal(jerr, "netctl: not-found: network nosuch not found\n");

        error_run(
                OUTPUT_CSV, NETD_EUNAVAILABLE,
                "cannot connect to netd at /run/netd/netd.sock: No such file or directory (is netd running?)",
                &cout, &cerr);
        assert_string_equal(cout, "");
        assert_string_equal(cerr,
                            "netctl: unavailable: cannot connect to netd at /run/netd/netd.sock: No such "
                            "file or directory (is netd running?)\n");
}

/* The daemon's message stays on one line whatever it holds; the JSON
 * object carries it as it is. */
static void test_output_error_escaped(void **state _unused_) {
        _cleanup_free_ char *out = NULL, *errs = NULL;

        error_run(OUTPUT_JSON, NETD_EINVALID, "bad\nname\t\"x\"\x7f/", &out, &errs);
        assert_string_equal(errs, "netctl: invalid: bad\\x0aname\\x09\"x\"\\x7f/\n");
        assert_string_equal(out, "{\n"
                                 "  \"error\": {\n"
                                 "    \"code\": \"invalid\",\n"
                                 "    \"message\": \"bad\\nname\\t\\\"x\\\"\x7f/\"\n"
                                 "  }\n"
                                 "}\n");
}

static void test_output_json_print(void **state _unused_) {
        struct json_object *o =
                netctl_json("{\"empty\": {}, \"none\": [], \"list\": [1, \"a/b\", null, true, {\"k\": 2.5}], "
                            "\"utf8\": \"caf\\u00e9\"}");
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        output_json_print(f, o);
        output_json_print(f, NULL);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(text, "{\n"
                                  "  \"empty\": {},\n"
                                  "  \"none\": [],\n"
                                  "  \"list\": [\n"
                                  "    1,\n"
                                  "    \"a/b\",\n"
                                  "    null,\n"
                                  "    true,\n"
                                  "    {\n"
                                  "      \"k\": 2.5\n"
                                  "    }\n"
                                  "  ],\n"
                                  "  \"utf8\": \"caf\xc3\xa9\"\n"
                                  "}\n"
                                  "null\n");
        json_object_put(o);
}

/* RFC 4180: quoted only when it must be, quotes doubled. */
static void test_output_csv_field(void **state _unused_) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        output_csv_field(f, "lab", false);
        output_csv_field(f, "", false);
        output_csv_field(f, "a,b", false);
        output_csv_field(f, "say \"hi\"", false);
        output_csv_field(f, "two\nlines", false);
        output_csv_field(f, "cr\r", true);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(text, "lab,,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_output_back_ends),        cmocka_unit_test(test_output_result_json),
                cmocka_unit_test(test_output_result_json_boot), cmocka_unit_test(test_output_result_text),
                cmocka_unit_test(test_output_result_refused),   cmocka_unit_test(test_output_error),
                cmocka_unit_test(test_output_error_escaped),    cmocka_unit_test(test_output_json_print),
                cmocka_unit_test(test_output_csv_field),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
