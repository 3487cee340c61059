/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "api-private.h"

static const struct {
        const struct api_handler *handlers;
        const size_t *n;
} tables[] = {
        {api_ipam_handlers, &api_ipam_n_handlers},
        {api_fabric_handlers, &api_fabric_n_handlers},
        {api_virt_handlers, &api_virt_n_handlers},
};

static const struct api_handler *api_find(const char *name) {
        for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
                for (size_t i = 0; i < *tables[t].n; i++)
                        if (streq(tables[t].handlers[i].command, name))
                                return &tables[t].handlers[i];
        return NULL;
}

bool api_handles(const char *name) {
        return api_find(name) != NULL;
}

void api_dispatch(struct api *api, struct request *r, const struct proto_command *cmd,
                  struct json_object *args) {
        const struct api_handler *h = api_find(cmd->name);

        if (!h) {
                request_reply_error(r, NETD_EINTERNAL, "command not handled by this netd");
                return;
        }
        h->handler(api, r, args);
}
