/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Request handlers: one per protocol command. Arguments arrive checked
 * against the command's field table; values are validated by the store
 * before anything is written. */
#pragma once

#include <json-c/json.h>

#include "control.h"
#include "daemon.h"
#include "netd/core/proto.h"

/* Hosts and fabric commands (api-fabric.c); false when `cmd` is not one. */
bool api_fabric_handle(struct daemon *d, struct request *r, const struct proto_command *cmd,
                       struct json_object *args);

/* VM discovery and exports (api-virt.c); false when `cmd` is not one. */
bool api_virt_handle(struct daemon *d, struct request *r, const struct proto_command *cmd,
                     struct json_object *args);

/* Handle one request; answers it now or once its change is live. */
void api_handle(struct daemon *d, struct request *r, const struct proto_command *cmd,
                struct json_object *args);
