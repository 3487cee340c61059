/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Ansible inventory. */
#include "export-private.h"

static void inventory_group(struct emitter *e, const struct view *v, const char *group, const char *role) {
        emit_str(e, group);
        emit_map_start(e);
        emit_str(e, "hosts");
        emit_map_start(e);
        for (size_t i = 0; i < v->n_nodes; i++) {
                const struct node_view *nv = &v->nodes[i];

                if (!streq(nv->node->role, role))
                        continue;
                emit_str(e, nv->node->name);
                emit_map_start(e);
                emit_kv_str(e, "name", nv->node->name);
                emit_kv_str(e, "role", nv->node->role);
                emit_kv_quoted(e, "mac", nv->mac);
                emit_kv_str(e, "ip", nv->ip);
                emit_kv_str(e, "fqdn", nv->fqdn);
                if (nv->bmc_url)
                        emit_kv_str(e, "bmc_address", nv->bmc_url);
                if (nv->uuid)
                        emit_kv_quoted(e, "system_uuid", nv->uuid);
                if (nv->root_disk)
                        emit_kv_str(e, "root_device", nv->root_disk);
                emit_map_end(e);
        }
        emit_map_end(e);
        emit_map_end(e);
}

void export_inventory_emit(struct emitter *e, const struct view *v) {
        emit_map_start(e);
        emit_str(e, "all");
        emit_map_start(e);
        emit_str(e, "vars");
        emit_map_start(e);
        emit_kv_str(e, "cluster", v->c->name);
        emit_kv_str(e, "domain", v->c->domain);
        emit_kv_str(e, "api_vip", v->api);
        emit_kv_str(e, "ingress_vip", v->ingress);
        emit_kv_str(e, "machine_network", v->cidr);
        emit_map_end(e);
        emit_str(e, "children");
        emit_map_start(e);
        inventory_group(e, v, "masters", "master");
        inventory_group(e, v, "workers", "worker");
        emit_map_end(e);
        emit_map_end(e);
        emit_map_end(e);
}
