/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hosts of the fabric: the list, one host, its removal. A host's state
 * (connecting, connected, failed) and, when failed, why. */
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

/* The underlays of a host, IPv4 first, joined by ", " ("underlay" alone
 * from an older netd). */
static const char *host_underlays(struct json_object *h, char *buf, size_t size) {
        struct json_object *l = reply_array(h, "underlays");
        size_t used = 0;

        buf[0] = '\0';
        if (!l)
                return reply_text(h, "underlay");
        for (size_t i = 0; i < json_object_array_length(l) && used < size; i++) {
                const char *a = json_object_get_string(json_object_array_get_idx(l, i));

                used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", a ? a : "");
        }
        return buf[0] ? buf : NULL;
}

int view_host_list_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                        struct netd_error *err) {
        static const char *const headers[] = {"NAME",    "STATE", "CONNECT", "AGENT", "UNDERLAY",
                                              "LIBVIRT", "BMC",   "ERROR",   NULL};
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
                char underlays[2 * 64];

                table_row(&t, reply_text(h, "name"), reply_text(h, "state"), reply_text(h, "connect"),
                          reply_text(h, "agent"), host_underlays(h, underlays, sizeof(underlays)),
                          reply_text(h, "libvirt"), reply_text(h, "bmc"), reply_text(h, "error"));
        }
        return table_print(&t, out, err);
}

int view_host_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                   struct netd_error *err) {
        char underlays[2 * 64];

        if (!json_object_is_type(data, json_type_object))
                return reply_malformed(err, "no host object");
        text_kv(out, "host:", "%s", text_or_dash(reply_text(data, "name")));
        text_kv(out, "state:", "%s", text_or_dash(reply_text(data, "state")));
        if (reply_text(data, "error"))
                text_kv(out, "error:", "%s", reply_text(data, "error"));
        text_kv(out, "connect:", "%s", text_or_dash(reply_text(data, "connect")));
        text_kv(out, "agent:", "%s", text_or_dash(reply_text(data, "agent")));
        text_kv(out, "underlay:", "%s", text_or_dash(host_underlays(data, underlays, sizeof(underlays))));
        text_kv(out, "libvirt:", "%s", text_or_dash(reply_text(data, "libvirt")));
        text_kv(out, "bmc:", "%s", text_or_dash(reply_text(data, "bmc")));
        return 0;
}

int view_host_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                           struct netd_error *err _unused_) {
        fprintf(out, "removed host %s\n", reply_or_arg(data, args, "name"));
        return 0;
}
