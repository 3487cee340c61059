/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Networks: the list, one network (shown by network show, add and set),
 * its removal, and its attachment to a host (network attach/detach). */
#include "netd/core/addr.h"
#include "netd/core/prefix.h"
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

int view_network_list_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                           struct netd_error *err) {
        static const char *const headers[] = {"NAME", "CIDR", "GATEWAY", "DOMAIN", "INTERFACE", ">VNI", NULL};
        struct json_object *list = reply_array(data, "networks");
        struct table t;

        if (!list)
                return reply_malformed(err, "no \"networks\" list");
        if (json_object_array_length(list) == 0) {
                fputs("no networks\n", out);
                return 0;
        }
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i);
                table_row(&t, reply_text(n, "name"), reply_text(n, "cidr"), reply_text(n, "gateway"),
                          reply_text(n, "domain"), reply_text(n, "interface"), reply_text(n, "vni"));
        }
        return table_print(&t, out, err);
}

/* "START-END (N addresses)", the count only when both ends parse. */
static void range_text(struct json_object *range, char *buf, size_t size) {
        const char *start = reply_text(range, "start"), *end = reply_text(range, "end");
        struct addr a, b;
        char n[U128_DECLEN];

        if (start && end && addr_parse(start, &a, NULL) == 0 && addr_parse(end, &b, NULL) == 0 &&
            a.family == b.family && a.value <= b.value && b.value - a.value + 1 != 0) {
                u128 count = b.value - a.value + 1;
                snprintf(buf, size, "%s-%s (%s %s)", start, end, u128_format(count, n, sizeof(n)),
                         text_plural(count, "address", "addresses"));
        } else
                snprintf(buf, size, "%s-%s", text_or_dash(start), text_or_dash(end));
}

/* How the network's DHCP clients boot: rows only for what is set, and
 * none at all without boot settings. */
static void boot_text(FILE *out, struct json_object *boot) {
        const char *file = reply_text(boot, "file"), *efi = reply_text(boot, "file_efi"),
                   *server = reply_text(boot, "server"), *v;

        if (!boot)
                return;
        if (file && efi)
                text_kv(out, "boot file:", "%s (BIOS), %s (UEFI)", file, efi);
        else if (file || efi)
                text_kv(out, "boot file:", "%s (%s)", file ? file : efi, file ? "BIOS and UEFI" : "UEFI");
        if ((v = reply_text(boot, "ipxe_script")))
                text_kv(out, "ipxe script:", "%s", v);
        text_kv(out, "boot server:", "%s", server ? server : "the jumphost's own address");
        if ((v = reply_text(boot, "tftp_root")))
                text_kv(out, "tftp root:", "%s", v);
}

/* One row per DHCP option, the values aligned after the names. */
static void dhcp_options_text(FILE *out, struct json_object *options) {
        size_t n = options ? json_object_array_length(options) : 0;
        int width = 0;

        for (size_t i = 0; i < n; i++) {
                const char *name = text_or_dash(reply_text(json_object_array_get_idx(options, i), "name"));
                if ((int)strlen(name) > width)
                        width = (int)strlen(name);
        }
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(options, i);
                text_kv(out, i == 0 ? "dhcp option:" : "", "%-*s  %s", width,
                        text_or_dash(reply_text(o, "name")), text_or_dash(reply_text(o, "value")));
        }
}

int view_network_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                      struct netd_error *err) {
        const char *cidr = reply_text(data, "cidr");
        struct json_object *reserved = reply_array(data, "reserved"),
                           *dhcp = reply_object(data, "dhcp_range");
        struct prefix p;
        char buf[160], n[U128_DECLEN];

        if (!json_object_is_type(data, json_type_object))
                return reply_malformed(err, "no network object");
        text_kv(out, "network:", "%s", text_or_dash(reply_text(data, "name")));
        if (cidr && prefix_parse(cidr, &p, NULL) == 0) {
                u128 hosts = prefix_host_count(&p);
                text_kv(out, "cidr:", "%s (%s usable %s)", cidr, u128_format(hosts, n, sizeof(n)),
                        text_plural(hosts, "address", "addresses"));
        } else
                text_kv(out, "cidr:", "%s", text_or_dash(cidr));
        text_kv(out, "gateway:", "%s", text_or_dash(reply_text(data, "gateway")));
        text_kv(out, "domain:", "%s", text_or_dash(reply_text(data, "domain")));
        text_kv(out, "interface:", "%s", text_or_dash(reply_text(data, "interface")));
        text_kv(out, "vni:", "%s", text_or_dash(reply_text(data, "vni")));
        text_kv(out, "bridge:", "%s", text_or_dash(reply_text(data, "bridge")));
        text_kv(out, "mtu:", "%s", text_or_dash(reply_text(data, "mtu")));
        if (!reserved || json_object_array_length(reserved) == 0)
                text_kv(out, "reserved:", "-");
        for (size_t i = 0; reserved && i < json_object_array_length(reserved); i++) {
                range_text(json_object_array_get_idx(reserved, i), buf, sizeof(buf));
                text_kv(out, i == 0 ? "reserved:" : "", "%s", buf);
        }
        if (dhcp)
                range_text(dhcp, buf, sizeof(buf));
        text_kv(out, "dhcp range:", "%s", dhcp ? buf : "-");
        boot_text(out, reply_object(data, "boot"));
        dhcp_options_text(out, reply_array(data, "dhcp_options"));
        return 0;
}

int view_network_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                              struct netd_error *err _unused_) {
        fprintf(out, "removed network %s\n", reply_or_arg(data, args, "name"));
        return 0;
}

static int attachment_text(FILE *out, struct json_object *data, struct json_object *args, bool attached,
                           struct netd_error *err) {
        struct text_details d = {""};

        if (!json_object_is_type(data, json_type_object))
                return reply_malformed(err, "no attachment object");
        text_details_add(&d, "bridge", reply_text(data, "bridge"));
        text_details_add(&d, "uplink", reply_text(data, "uplink"));
        text_details_add(&d, "address", reply_text(data, "address"));
        fprintf(out, "%s network %s %s %s%s\n", attached ? "attached" : "detached",
                reply_or_arg(data, args, "network"), attached ? "to" : "from",
                reply_or_arg(data, args, "host"), text_details_end(&d));
        return 0;
}

int view_network_attached_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err) {
        return attachment_text(out, data, args, true, err);
}

/* One line per entry of data's `key` list, after `what`. */
static void detached_list(FILE *out, struct json_object *data, const char *key, const char *what) {
        struct json_object *l = reply_array(data, key);

        for (size_t i = 0; l && i < json_object_array_length(l); i++)
                fprintf(out, "  %s %s\n", what, json_object_get_string(json_object_array_get_idx(l, i)));
}

/* What the host loses: netd's objects, and (forced) the ports of others. */
int view_network_detached_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err) {
        int r = attachment_text(out, data, args, false, err);

        if (r < 0)
                return r;
        detached_list(out, data, "removed", "removed");
        detached_list(out, data, "ports", "left without a bridge:");
        return 0;
}
