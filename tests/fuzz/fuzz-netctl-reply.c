/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl reading a reply line from netd: proto_reply_parse(), then the
 * data shown through every view of every output format (text, JSON, CSV),
 * as netctl/cli.c does, and failures through output_error(). Invariants:
 * - a parse failure and a render failure come with a message;
 * - a failed render writes nothing to the output (netctl renders aside);
 * - the error line on stderr is one line, whatever the message holds. */
#include "fuzz.h"
#include "netctl/output.h"
#include "netd/core/proto.h"

static struct json_object *args;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        /* What the views may name when the reply does not (reply_or_arg). */
        args = json_tokener_parse("{\"name\":\"lab\",\"network\":\"lab\",\"cluster\":\"sno\","
                                  "\"node\":\"master-0\",\"host\":\"hv1\",\"dest\":\"198.51.100.0/24\"}");
        return args ? 0 : 1;
}

static void check_error_line(const struct output *o, int code, const char *message) {
        char *out_buf = NULL, *err_buf = NULL;
        size_t out_size = 0, err_size = 0;
        FILE *out = open_memstream(&out_buf, &out_size), *errf = open_memstream(&err_buf, &err_size);

        FUZZ_ASSERT(out && errf, "open_memstream");
        output_error(o, code, message, out, errf);
        fclose(out);
        fclose(errf);
        FUZZ_ASSERT(err_size > 0 && err_buf[err_size - 1] == '\n' && !memchr(err_buf, '\n', err_size - 1),
                    "the error is not one line: %s", err_buf);
        free(out_buf);
        free(err_buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const enum output_format formats[] = {OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_CSV};
        struct json_object *reply = NULL;
        struct netd_error err = {0};
        int r;

        if (!args && LLVMFuzzerInitialize(NULL, NULL) != 0)
                abort();
        r = proto_reply_parse((const char *)data, size, &reply, &err);
        if (r < 0) {
                FUZZ_ASSERT(err.code == r, "code %d, error says %d", r, err.code);
                check_error_line(output_get(OUTPUT_TEXT), r, err.message);
                check_error_line(output_get(OUTPUT_JSON), r, err.message);
                return 0;
        }
        FUZZ_ASSERT(r == 0, "proto_reply_parse returned %d", r);
        for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
                const struct output *o = output_get(formats[f]);

                for (int v = 0; v < _VIEW_MAX; v++) {
                        struct netd_error rerr = {0};
                        bool seen = false;
                        char *buf = NULL;
                        size_t n = 0;
                        FILE *out;

                        /* many views share a renderer (JSON prints most as they come) */
                        for (int w = 0; w < v && !seen; w++)
                                seen = o->render[w] == o->render[v];
                        if (seen)
                                continue;
                        out = open_memstream(&buf, &n);
                        FUZZ_ASSERT(out, "open_memstream");
                        r = output_result(o, (enum output_view)v, reply, args, out, &rerr);
                        fclose(out);
                        if (r < 0) {
                                FUZZ_ASSERT(n == 0, "%s view %d failed after writing: %s", o->name, v, buf);
                                FUZZ_ASSERT(rerr.message[0], "%s view %d failed without a message", o->name,
                                            v);
                                check_error_line(o, r, rerr.message);
                        }
                        free(buf);
                }
        }
        json_object_put(reply);
        return 0;
}
