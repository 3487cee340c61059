/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reply.h"

const char *reply_text(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !v)
                return NULL;
        return json_object_get_string(v);
}

struct json_object *reply_array(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        return v;
}

struct json_object *reply_object(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
                return NULL;
        return v;
}

const char *reply_count(struct json_object *o, const char *key, u128 *ret) {
        struct json_object *v;
        const char *s;
        u128 n;

        if (!json_object_object_get_ex(o, key, &v) ||
            !(json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int)))
                return NULL;
        s = json_object_get_string(v);
        if (!u128_parse(s, &n))
                return NULL;
        if (ret)
                *ret = n;
        return s;
}

const char *reply_or_arg(struct json_object *data, struct json_object *args, const char *key) {
        const char *s = reply_text(data, key);

        if (!s)
                s = reply_text(args, key);
        return s ? s : "-";
}

int reply_malformed(struct netd_error *err, const char *what) {
        return error_set(err, NETD_EINTERNAL, "malformed reply from netd: %s", what);
}
