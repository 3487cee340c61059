/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output-json.h"

static void json_print(FILE *out, struct json_object *o, int depth) {
        size_t n;

        if (json_object_is_type(o, json_type_object)) {
                bool first = true;

                if (json_object_object_length(o) == 0) {
                        fputs("{}", out);
                        return;
                }
                fputs("{\n", out);
                json_object_object_foreach(o, key, val) {
                        struct json_object *k = json_object_new_string(key);

                        fprintf(out, "%s%*s%s: ", first ? "" : ",\n", (depth + 1) * 2, "",
                                json_object_to_json_string_ext(k, JSON_C_TO_STRING_NOSLASHESCAPE));
                        json_object_put(k);
                        json_print(out, val, depth + 1);
                        first = false;
                }
                fprintf(out, "\n%*s}", depth * 2, "");
        } else if (json_object_is_type(o, json_type_array)) {
                n = json_object_array_length(o);
                if (n == 0) {
                        fputs("[]", out);
                        return;
                }
                fputs("[\n", out);
                for (size_t i = 0; i < n; i++) {
                        fprintf(out, "%s%*s", i ? ",\n" : "", (depth + 1) * 2, "");
                        json_print(out, json_object_array_get_idx(o, i), depth + 1);
                }
                fprintf(out, "\n%*s]", depth * 2, "");
        } else
                fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE), out);
}

void output_json_print(FILE *out, struct json_object *o) {
        json_print(out, o, 0);
        fputc('\n', out);
}

int output_json_data(FILE *out, struct json_object *data, struct json_object *args _unused_,
                     struct netd_error *err _unused_) {
        if (data)
                output_json_print(out, data);
        else
                fputs("{}\n", out);
        return 0;
}

void output_json_error(FILE *out, int code, const char *message) {
        struct json_object *o = json_object_new_object(), *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(error_code_name(code)));
        json_object_object_add(e, "message", json_object_new_string(message));
        json_object_object_add(o, "error", e);
        output_json_print(out, o);
        json_object_put(o);
}
