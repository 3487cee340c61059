/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's output layer: one set of calls, one back end per format.
 *
 * A command's table entry names the view of its reply (what the data is:
 * a network, a list of clusters, a capacity report, ...). A back end
 * (output.c) holds one renderer per view; NULL means the format cannot
 * show that view. The renderers live with their object (view.h,
 * view-*.c), built from the text table (table.h) and the JSON and CSV
 * back ends' pieces (output-json.h, output-csv.h). Renderers check the
 * shape of the reply and print nothing when it is wrong, so a failure is
 * reported once and stdout stays clean. Text output never depends on the
 * terminal: no colors, no width probing. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "netd/core/error.h"

enum output_format {
        OUTPUT_TEXT,
        OUTPUT_JSON,
        OUTPUT_CSV,
};

enum output_view {
        VIEW_NETWORK_LIST,     /* {"networks": [network...]} */
        VIEW_NETWORK,          /* one network object */
        VIEW_NETWORK_REMOVED,  /* {"name"} */
        VIEW_CLUSTER_LIST,     /* {"clusters": [cluster...]} */
        VIEW_CLUSTER,          /* one cluster object */
        VIEW_CLUSTER_RELEASED, /* the cluster as it was */
        VIEW_NODE_RELEASED,    /* the cluster after the node left */
        VIEW_NODE_SET,         /* the cluster after a node changed */
        VIEW_CAPACITY,         /* the capacity report, counts as decimal strings */
        VIEW_HOST_LIST,        /* {"hosts": [host...]} */
        VIEW_HOST,             /* one host object */
        VIEW_HOST_REMOVED,     /* {"name"} */
        VIEW_ATTACHED,         /* one attachment {"network","host","bridge","uplink","address"} */
        VIEW_DETACHED,         /* the attachment as it was */
        VIEW_LINK_ADDED,       /* one link {"host","kind","name","peer","master","peer_master"} */
        VIEW_LINK_REMOVED,     /* the link as it was */
        VIEW_ROUTE_ADDED,      /* one route {"host","dest","via","dev"} */
        VIEW_ROUTE_REMOVED,    /* the route as it was */
        VIEW_FABRIC_STATUS,    /* {"hosts": [{"name","connected","error","objects": [...]}]} */
        VIEW_FABRIC_SYNCED,    /* the fabric status after a sync */
        VIEW_VM_LIST,          /* {"vms": [vm...], "unreachable": [{"host","error"}]} */
        VIEW_EXPORT,           /* {"cluster","format","text"}: text is printed as is */
        _VIEW_MAX,
};

/* `data` is the reply's data (may be NULL), `args` the request's
 * arguments (for messages that name what was asked for). */
typedef int (*output_render_fn)(FILE *out, struct json_object *data, struct json_object *args,
                                struct netd_error *err);

struct output {
        const char *name; /* "text", "json", "csv" */
        output_render_fn render[_VIEW_MAX];
        /* Everything a failure shows besides the stderr line. */
        void (*error)(FILE *out, int code, const char *message);
};

/* The back end of a format. */
const struct output *output_get(enum output_format format);

/* Show a successful reply with back end `o`. Returns 0, or NETD_EINTERNAL
 * with err filled when the data does not have the view's shape or the
 * back end cannot show the view (nothing is printed then). */
int output_result(const struct output *o, enum output_view view, struct json_object *data,
                  struct json_object *args, FILE *out, struct netd_error *err);

/* Report a failure: the single line "netctl: CODE: message" on `errf`
 * (control characters escaped) plus what the back end adds on `out` (JSON:
 * the error object). */
void output_error(const struct output *o, int code, const char *message, FILE *out, FILE *errf);
