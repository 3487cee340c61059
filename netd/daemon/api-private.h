/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The handler tables of api-ipam.c, api-fabric.c and api-virt.c, joined
 * by api.c. */
#pragma once

#include "api.h"

typedef void (*api_handler_fn)(struct api *api, struct request *r, struct json_object *args);

struct api_handler {
        const char *command; /* the protocol command (netd/core/proto.c) */
        api_handler_fn handler;
};

/* Networks, clusters, nodes, capacity, ping. */
extern const struct api_handler api_ipam_handlers[];
extern const size_t api_ipam_n_handlers;
/* Hosts, attachments, links, routes, fabric status and sync. */
extern const struct api_handler api_fabric_handlers[];
extern const size_t api_fabric_n_handlers;
/* VM discovery and exports. */
extern const struct api_handler api_virt_handlers[];
extern const size_t api_virt_n_handlers;
