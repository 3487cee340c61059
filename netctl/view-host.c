/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hosts of the fabric: the list, one host, its removal. */
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

int view_host_list_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                        struct netd_error *err) {
        static const char *const headers[] = {"NAME", "CONNECT", "UNDERLAY", "LIBVIRT", "BMC", NULL};
        struct json_object *list = reply_array(data, "hosts");
        struct table t;

        if (!list)
                return reply_malformed(err, "no \"hosts\" list");
        if (json_object_array_length(list) == 0) {
                fputs("no hosts\n", out);
                return 0;
        }
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *h = json_object_array_get_idx(list, i);
                table_row(&t, reply_text(h, "name"), reply_text(h, "connect"), reply_text(h, "underlay"),
                          reply_text(h, "libvirt"), reply_text(h, "bmc"));
        }
        return table_print(&t, out, err);
}

int view_host_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                   struct netd_error *err) {
        if (!json_object_is_type(data, json_type_object))
                return reply_malformed(err, "no host object");
        text_kv(out, "host:", "%s", text_or_dash(reply_text(data, "name")));
        text_kv(out, "connect:", "%s", text_or_dash(reply_text(data, "connect")));
        text_kv(out, "underlay:", "%s", text_or_dash(reply_text(data, "underlay")));
        text_kv(out, "libvirt:", "%s", text_or_dash(reply_text(data, "libvirt")));
        text_kv(out, "bmc:", "%s", text_or_dash(reply_text(data, "bmc")));
        return 0;
}

int view_host_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                           struct netd_error *err _unused_) {
        fprintf(out, "removed host %s\n", reply_or_arg(data, args, "name"));
        return 0;
}
