/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The three back ends, each a table of the views' renderers, and the
 * calls that pick one and show a reply or a failure with it. */
#include "output-json.h"
#include "output.h"
#include "view.h"

static const struct output output_text = {
        .name = "text",
        .render =
                {
                        [VIEW_NETWORK_LIST] = view_network_list_text,
                        [VIEW_NETWORK] = view_network_text,
                        [VIEW_NETWORK_REMOVED] = view_network_removed_text,
                        [VIEW_CLUSTER_LIST] = view_cluster_list_text,
                        [VIEW_CLUSTER] = view_cluster_text,
                        [VIEW_CLUSTER_RELEASED] = view_cluster_released_text,
                        [VIEW_NODE_RELEASED] = view_cluster_node_released_text,
                        [VIEW_NODE_SET] = view_cluster_node_set_text,
                        [VIEW_CAPACITY] = view_capacity_text,
                        [VIEW_HOST_LIST] = view_host_list_text,
                        [VIEW_HOST] = view_host_text,
                        [VIEW_HOST_REMOVED] = view_host_removed_text,
                        [VIEW_ATTACHED] = view_network_attached_text,
                        [VIEW_DETACHED] = view_network_detached_text,
                        [VIEW_LINK_ADDED] = view_fabric_link_added_text,
                        [VIEW_LINK_REMOVED] = view_fabric_link_removed_text,
                        [VIEW_ROUTE_ADDED] = view_fabric_route_added_text,
                        [VIEW_ROUTE_REMOVED] = view_fabric_route_removed_text,
                        [VIEW_FABRIC_STATUS] = view_fabric_status_text,
                        [VIEW_FABRIC_SYNCED] = view_fabric_synced_text,
                        [VIEW_VM_LIST] = view_vm_list_text,
                        [VIEW_EXPORT] = view_export_text,
                },
};

/* One view a line: clang-format would pack these short entries in pairs. */
/* clang-format off */
static const struct output output_json = {
        .name = "json",
        .render =
                {
                        [VIEW_NETWORK_LIST] = output_json_data,
                        [VIEW_NETWORK] = output_json_data,
                        [VIEW_NETWORK_REMOVED] = output_json_data,
                        [VIEW_CLUSTER_LIST] = output_json_data,
                        [VIEW_CLUSTER] = output_json_data,
                        [VIEW_CLUSTER_RELEASED] = output_json_data,
                        [VIEW_NODE_RELEASED] = output_json_data,
                        [VIEW_NODE_SET] = output_json_data,
                        [VIEW_CAPACITY] = view_capacity_json,
                        [VIEW_HOST_LIST] = output_json_data,
                        [VIEW_HOST] = output_json_data,
                        [VIEW_HOST_REMOVED] = output_json_data,
                        [VIEW_ATTACHED] = output_json_data,
                        [VIEW_DETACHED] = output_json_data,
                        [VIEW_LINK_ADDED] = output_json_data,
                        [VIEW_LINK_REMOVED] = output_json_data,
                        [VIEW_ROUTE_ADDED] = output_json_data,
                        [VIEW_ROUTE_REMOVED] = output_json_data,
                        [VIEW_FABRIC_STATUS] = view_fabric_json,
                        [VIEW_FABRIC_SYNCED] = view_fabric_json,
                        [VIEW_VM_LIST] = view_vm_list_json,
                        [VIEW_EXPORT] = output_json_data,
                },
        .error = output_json_error,
};
/* clang-format on */

static const struct output output_csv = {
        .name = "csv",
        .render =
                {
                        [VIEW_CAPACITY] = view_capacity_csv,
                },
};

const struct output *output_get(enum output_format format) {
        switch (format) {
        case OUTPUT_JSON:
                return &output_json;
        case OUTPUT_CSV:
                return &output_csv;
        default:
                return &output_text;
        }
}

int output_result(const struct output *o, enum output_view view, struct json_object *data,
                  struct json_object *args, FILE *out, struct netd_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (view >= _VIEW_MAX || !o->render[view])
                return error_set(err, NETD_EINTERNAL, "no %s output for this reply", o->name);
        /* Render aside so that a malformed reply leaves stdout untouched. */
        f = open_memstream(&buf, &size);
        if (!f)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = o->render[view](f, data, args, err);
        if (fclose(f) != 0 && r >= 0)
                r = error_set(err, NETD_EINTERNAL, "out of memory");
        if (r < 0)
                return r;
        if (fwrite(buf, 1, size, out) != size)
                return error_set(err, NETD_EINTERNAL, "writing the output failed");
        return 0;
}

void output_error(const struct output *o, int code, const char *message, FILE *out, FILE *errf) {
        /* The message comes from the daemon: keep it on one line whatever it holds. */
        fprintf(errf, "netctl: %s: ", error_code_name(code));
        for (const unsigned char *s = (const unsigned char *)message; *s; s++) {
                if (*s < 0x20 || *s == 0x7f)
                        fprintf(errf, "\\x%02x", *s);
                else
                        fputc(*s, errf);
        }
        fputc('\n', errf);
        if (o->error)
                o->error(out, code, message);
}
