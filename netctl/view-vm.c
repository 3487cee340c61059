/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VMs of the libvirt hosts, matched to cluster nodes by MAC. */
#include "output-json.h"
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

static int vm_list_check(struct json_object *data, struct netd_error *err) {
        struct json_object *list = reply_array(data, "vms"), *un = NULL;

        if (!list)
                return reply_malformed(err, "no \"vms\" list");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *vm = json_object_array_get_idx(list, i), *ifaces;

                if (!json_object_is_type(vm, json_type_object) || !reply_text(vm, "host") ||
                    !reply_text(vm, "name"))
                        return reply_malformed(err, "a VM without host or name");
                ifaces = reply_array(vm, "interfaces");
                for (size_t k = 0; ifaces && k < json_object_array_length(ifaces); k++)
                        if (!json_object_is_type(json_object_array_get_idx(ifaces, k), json_type_object))
                                return reply_malformed(err, "a VM interface that is no object");
        }
        if (json_object_object_get_ex(data, "unreachable", &un) && un &&
            !json_object_is_type(un, json_type_array))
                return reply_malformed(err, "\"unreachable\" is no list");
        return 0;
}

/* One row per interface; the VM's own columns only on its first. */
static void vm_rows(struct table *t, struct json_object *vm) {
        struct json_object *ifaces = reply_array(vm, "interfaces");
        size_t n_if = ifaces ? json_object_array_length(ifaces) : 0;
        const char *disk = reply_text(vm, "root_disk");

        for (size_t k = 0; k < (n_if ? n_if : 1); k++) {
                struct json_object *f = n_if ? json_object_array_get_idx(ifaces, k) : NULL;

                if (k == 0)
                        table_row(t, reply_text(vm, "host"), reply_text(vm, "name"), reply_text(vm, "state"),
                                  reply_text(vm, "uuid"), reply_text(vm, "cluster"), reply_text(vm, "node"),
                                  f ? reply_text(f, "mac") : NULL, f ? reply_text(f, "source") : NULL,
                                  disk ? disk : reply_text(vm, "root_disk_note"));
                else
                        table_row(t, "", "", "", "", "", "", reply_text(f, "mac"), reply_text(f, "source"),
                                  "");
        }
}

/* Hosts that did not answer follow the table, so a partial list is never
 * taken for the whole lab. */
int view_vm_list_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                      struct netd_error *err) {
        static const char *const headers[] = {"HOST", "NAME", "STATE",  "UUID",      "CLUSTER",
                                              "NODE", "MAC",  "SOURCE", "ROOT DISK", NULL};
        struct json_object *list = reply_array(data, "vms"), *un = NULL;
        size_t n_managed = 0, n;
        struct table t;
        int r = vm_list_check(data, err);

        if (r < 0)
                return r;
        n = json_object_array_length(list);
        json_object_object_get_ex(data, "unreachable", &un);
        if (n == 0)
                fputs("no VMs\n", out);
        else {
                table_init(&t, headers);
                for (size_t i = 0; i < n; i++) {
                        struct json_object *vm = json_object_array_get_idx(list, i);

                        n_managed += reply_text(vm, "cluster") != NULL;
                        vm_rows(&t, vm);
                }
                r = table_print(&t, out, err);
                if (r < 0)
                        return r;
                fprintf(out, "\n%zu %s, %zu in clusters\n", n, text_plural(n, "VM", "VMs"), n_managed);
        }
        for (size_t i = 0; un && i < json_object_array_length(un); i++) {
                struct json_object *h = json_object_array_get_idx(un, i);
                fprintf(out, "host %s: not listed: %s\n", text_or_dash(reply_text(h, "host")),
                        text_or_dash(reply_text(h, "error")));
        }
        return 0;
}

/* The VMs as they come, once their shape is checked. */
int view_vm_list_json(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err) {
        int r = vm_list_check(data, err);

        if (r < 0)
                return r;
        return output_json_data(out, data, args, err);
}
