/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's views against golden files: a reply as netd sends it (a JSON
 * file tests/data/netctl/NAME.json, or JSON text inline), rendered by one
 * renderer, compared with tests/data/netctl/GOLDEN.ok (NETD_TEST_REGENERATE=1
 * rewrites it). Include after <cmocka.h>. */
#pragma once

#include <json-c/json.h>

#include "golden.h"
#include "netctl/output.h"

/* The reply data of tests/data/netctl/NAME.json. */
static inline struct json_object *netctl_reply_file(const char *name) {
        const char *data = getenv("NETD_TEST_DATA");
        _cleanup_free_ char *path = NULL, *text = NULL;
        struct json_object *o;

        if (!data)
                fail_msg("NETD_TEST_DATA is not set");
        assert_true(asprintf(&path, "%s/netctl/%s.json", data, name) > 0);
        text = test_file_read(path);
        if (!text)
                fail_msg("%s: cannot read", path);
        o = json_tokener_parse(text);
        if (!o)
                fail_msg("%s: not JSON", path);
        return o;
}

/* Parsed inline JSON; NULL and "null" are NULL. */
static inline struct json_object *netctl_json(const char *text) {
        struct json_object *o;

        if (!text || streq(text, "null"))
                return NULL;
        o = json_tokener_parse(text);
        if (!o)
                fail_msg("not JSON: %s", text);
        return o;
}

/* Render `data` with `render` and the request's `args` (JSON text, may be
 * NULL); returns what it printed, *ret_r what it returned. */
static inline char *netctl_render(output_render_fn render, struct json_object *data, const char *args_text,
                                  int *ret_r, struct netd_error *err) {
        struct json_object *args = netctl_json(args_text);
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        *ret_r = render(f, data, args, err);
        assert_int_equal(fclose(f), 0);
        json_object_put(args);
        return buf;
}

/* The reply of tests/data/netctl/REPLY.json rendered, against GOLDEN.ok. */
static inline void netctl_check(output_render_fn render, const char *reply, const char *args_text,
                                const char *golden) {
        struct json_object *data = netctl_reply_file(reply);
        struct netd_error err = {0};
        _cleanup_free_ char *text = NULL;
        int r;

        text = netctl_render(render, data, args_text, &r, &err);
        json_object_put(data);
        if (r < 0)
                fail_msg("%s: %s", reply, err.message);
        golden_check_in("netctl", golden, text);
}

/* Like netctl_check() with the reply given inline. */
static inline void netctl_check_json(output_render_fn render, const char *data_text, const char *args_text,
                                     const char *golden) {
        struct json_object *data = netctl_json(data_text);
        struct netd_error err = {0};
        _cleanup_free_ char *text = NULL;
        int r;

        text = netctl_render(render, data, args_text, &r, &err);
        json_object_put(data);
        if (r < 0)
                fail_msg("%s: %s", golden, err.message);
        golden_check_in("netctl", golden, text);
}

/* A reply without the view's shape (JSON text, "null" for none): the
 * renderer prints nothing and fails with `message`. */
static inline void netctl_check_malformed(output_render_fn render, const char *data_text,
                                          const char *message) {
        struct json_object *data = netctl_json(data_text);
        struct netd_error err = {0};
        _cleanup_free_ char *text = NULL;
        int r;

        text = netctl_render(render, data, NULL, &r, &err);
        json_object_put(data);
        assert_int_equal(r, NETD_EINTERNAL);
        assert_string_equal(err.message, message);
        assert_string_equal(text, "");
}
