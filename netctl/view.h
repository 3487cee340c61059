/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's views: for each kind of reply (output.h, enum output_view) the
 * renderers that show it, one file per object (view-network.c,
 * view-cluster.c, ...), named view_OBJECT_WHAT_FORMAT. The back ends in
 * output.c pick them; views without a JSON renderer of their own are
 * printed as they come (output_json_data).
 *
 * Every renderer takes the reply's data (may be NULL) and the request's
 * arguments (for messages that name what was asked for), checks the shape
 * it needs and returns 0, or NETD_EINTERNAL with err filled ("malformed
 * reply from netd: ...") when the reply does not have it. The caller
 * renders into a buffer, so a failure leaves stdout untouched. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "netd/core/error.h"

/* view-network.c: networks and their attachments to hosts. */
int view_network_list_text(FILE *out, struct json_object *data, struct json_object *args,
                           struct netd_error *err);
int view_network_text(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_network_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                              struct netd_error *err);
int view_network_attached_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err);
int view_network_detached_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err);

/* view-cluster.c: clusters and their nodes. */
int view_cluster_list_text(FILE *out, struct json_object *data, struct json_object *args,
                           struct netd_error *err);
int view_cluster_text(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_cluster_released_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err);
int view_cluster_node_released_text(FILE *out, struct json_object *data, struct json_object *args,
                                    struct netd_error *err);
int view_cluster_node_set_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err);

/* view-capacity.c: the capacity report, whose counts come as decimal
 * strings and leave as exact JSON numbers. */
int view_capacity_text(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_capacity_json(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_capacity_csv(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);

/* view-host.c: the hosts of the fabric. */
int view_host_list_text(FILE *out, struct json_object *data, struct json_object *args,
                        struct netd_error *err);
int view_host_text(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_host_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                           struct netd_error *err);

/* view-fabric.c: the fabric's status and sync, links and routes. */
int view_fabric_status_text(FILE *out, struct json_object *data, struct json_object *args,
                            struct netd_error *err);
int view_fabric_synced_text(FILE *out, struct json_object *data, struct json_object *args,
                            struct netd_error *err);
int view_fabric_json(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_fabric_link_added_text(FILE *out, struct json_object *data, struct json_object *args,
                                struct netd_error *err);
int view_fabric_link_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                                  struct netd_error *err);
int view_fabric_route_added_text(FILE *out, struct json_object *data, struct json_object *args,
                                 struct netd_error *err);
int view_fabric_route_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                                   struct netd_error *err);

/* view-vm.c: the VMs of the libvirt hosts. */
int view_vm_list_text(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
int view_vm_list_json(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);

/* view-export.c: an export's text, printed as it is. */
int view_export_text(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err);
