/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Request handlers: one per protocol command, found through one table
 * (api.c). Arguments arrive checked against the command's field table;
 * values are validated by the store before anything is written. Handlers
 * see only what they act on: the store, dnsmasq and the fabric. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "db/store.h"
#include "netd/core/proto.h"
#include "netd/dnsmasq/dnsmasq.h"
#include "netd/fabric/fabric.h"
#include "request.h"

struct api {
        struct store *store;
        struct dnsmasq *dnsmasq;
        struct fabric *fabric;
};

/* Run the handler of `cmd` for `r` (answered now or once its change is
 * live). `args` is borrowed. */
void api_dispatch(struct api *api, struct request *r, const struct proto_command *cmd,
                  struct json_object *args);
/* Whether a handler exists for the protocol command `name`. */
bool api_handles(const char *name);
