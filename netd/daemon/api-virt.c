/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Handlers of `vm list` and the exports. Both ask every libvirt host for
 * its domains (netd/virt.c, off the event loop) and match the domains'
 * MACs to the allocations in the store. */
#include <ctype.h>
#include <uuid.h>

#include "api-private.h"
#include "db/cluster.h"
#include "db/host.h"
#include "db/network.h"
#include "netd/export/export.h"
#include "netd/fabric/fabric.h"
#include "netd/core/agent-proto.h"
#include "netd/core/log.h"
#include "netd/core/mac.h"

#define BY_PATH "/dev/disk/by-path/"

/* ---- MAC → cluster/node ---- */

struct mac_entry {
        mac_t mac;
        const char *cluster, *node;
};

struct mac_index {
        struct cluster **clusters;
        size_t n_clusters;
        struct mac_entry *v;
        size_t n;
};

static int mac_entry_cmp(const void *a, const void *b) {
        mac_t x = ((const struct mac_entry *)a)->mac, y = ((const struct mac_entry *)b)->mac;
        return x < y ? -1 : x > y;
}

static int mac_index_load(struct store *s, struct mac_index *ret, struct netd_error *err) {
        size_t n = 0, k = 0;
        int r;

        *ret = (struct mac_index){0};
        r = cluster_list(s, NULL, &ret->clusters, &ret->n_clusters, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ret->n_clusters; i++)
                n += ret->clusters[i]->n_nodes;
        ret->v = calloc(n ? n : 1, sizeof(*ret->v));
        if (!ret->v)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        for (size_t i = 0; i < ret->n_clusters; i++)
                for (size_t j = 0; j < ret->clusters[i]->n_nodes; j++)
                        ret->v[k++] =
                                (struct mac_entry){ret->clusters[i]->nodes[j].mac, ret->clusters[i]->name,
                                                   ret->clusters[i]->nodes[j].name};
        ret->n = k;
        qsort(ret->v, ret->n, sizeof(*ret->v), mac_entry_cmp);
        return 0;
}

static void mac_index_done(struct mac_index *m) {
        cluster_list_free(m->clusters, m->n_clusters);
        free(m->v);
        *m = (struct mac_index){0};
}

static const struct mac_entry *mac_index_find(const struct mac_index *m, mac_t mac) {
        struct mac_entry key = {.mac = mac};
        return bsearch(&key, m->v, m->n, sizeof(*m->v), mac_entry_cmp);
}

/* The MAC of a domain's interface as netd reads it back (vm_to_json wrote it). */
static bool iface_mac(struct json_object *iface, mac_t *ret) {
        struct json_object *v;

        return json_object_object_get_ex(iface, "mac", &v) && json_object_is_type(v, json_type_string) &&
               mac_parse(json_object_get_string(v), ret, NULL) == 0;
}

static const char *vm_field(struct json_object *vm, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(vm, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* ---- vm list ---- */

static int vm_cmp(const void *a, const void *b) {
        struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
        const char *hx = vm_field(x, "host"), *hy = vm_field(y, "host");
        int c = strcmp(hx ? hx : "", hy ? hy : "");

        if (c)
                return c;
        hx = vm_field(x, "name");
        hy = vm_field(y, "name");
        return strcmp(hx ? hx : "", hy ? hy : "");
}

struct vm_list_call {
        struct api *api;
        struct request *r;
        bool one_host;
};

static void on_vm_domains(struct json_object *hosts, void *userdata) {
        struct vm_list_call *vc = userdata;
        struct json_object *vms = json_object_new_array(), *unreachable = json_object_new_array(), *data;
        struct netd_error err = {0};
        struct mac_index idx;
        const char *first_error = NULL;

        if (mac_index_load(vc->api->store, &idx, &err) < 0) {
                request_reply_error(vc->r, err.code, err.message);
                goto out;
        }
        for (size_t i = 0; i < json_object_array_length(hosts); i++) {
                struct json_object *h = json_object_array_get_idx(hosts, i), *domains, *ifaces;
                const char *host = vm_field(h, "host"), *error = vm_field(h, "error");

                if (!json_object_object_get_ex(h, agent_proto_reply_key(AGENT_PROTO_DOMAINS), &domains) ||
                    !domains) {
                        struct json_object *u = json_object_new_object();

                        json_object_object_add(u, "host", json_object_new_string(host));
                        json_object_object_add(u, "error",
                                               json_object_new_string(error ? error : "no answer"));
                        json_object_array_add(unreachable, u);
                        if (!first_error)
                                first_error = error;
                        continue;
                }
                for (size_t k = 0; k < json_object_array_length(domains); k++) {
                        struct json_object *vm = json_object_get(json_object_array_get_idx(domains, k));
                        const struct mac_entry *match = NULL;

                        json_object_object_add(vm, "host", json_object_new_string(host));
                        if (json_object_object_get_ex(vm, "interfaces", &ifaces))
                                for (size_t j = 0; !match && j < json_object_array_length(ifaces); j++) {
                                        mac_t mac;

                                        if (iface_mac(json_object_array_get_idx(ifaces, j), &mac))
                                                match = mac_index_find(&idx, mac);
                                }
                        json_object_object_add(vm, "cluster",
                                               match ? json_object_new_string(match->cluster) : NULL);
                        json_object_object_add(vm, "node",
                                               match ? json_object_new_string(match->node) : NULL);
                        json_object_array_add(vms, vm);
                }
        }
        mac_index_done(&idx);
        if (vc->one_host && json_object_array_length(unreachable) > 0) {
                const char *host = vm_field(json_object_array_get_idx(unreachable, 0), "host");
                char prefix[NAME_MAX_LEN + 8];
                bool named;

                /* Errors name the host, once. */
                snprintf(prefix, sizeof(prefix), "host %s: ", host ? host : "-");
                named = first_error && strncmp(first_error, prefix, strlen(prefix)) == 0;
                err = (struct netd_error){0};
                error_set(&err, NETD_EUNAVAILABLE, "%s%s", named ? "" : prefix,
                          first_error ? first_error : "no answer");
                request_reply_error(vc->r, err.code, err.message);
                goto out;
        }
        json_object_array_sort(vms, vm_cmp);
        data = json_object_new_object();
        json_object_object_add(data, "vms", vms);
        json_object_object_add(data, "unreachable", unreachable);
        request_reply_ok(vc->r, data);
        free(vc);
        return;
out:
        json_object_put(vms);
        json_object_put(unreachable);
        free(vc);
}

/* A named host must exist and have a libvirt URI. */
static int libvirt_host_check(struct store *s, const char *name, struct netd_error *err) {
        _cleanup_(host_freep) struct host *h = NULL;
        int r = host_get(s, name, &h, err);

        if (r < 0)
                return r;
        if (isempty(h->libvirt))
                return error_set(err, NETD_EINVALID, "host %s has no libvirt URI (host add --libvirt)", name);
        return 0;
}

static void cmd_vm_list(struct api *api, struct request *r, struct json_object *args) {
        const char *host = proto_arg_string(args, "host");
        struct netd_error err = {0};
        struct vm_list_call *vc;

        if (host && libvirt_host_check(api->store, host, &err) < 0) {
                request_reply_error(r, err.code, err.message);
                return;
        }
        vc = calloc(1, sizeof(*vc));
        if (!vc) {
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return;
        }
        *vc = (struct vm_list_call){.api = api, .r = r, .one_host = host != NULL};
        fabric_domains(api->fabric, host, on_vm_domains, vc);
}

/* ---- exports ---- */

struct export_call {
        struct api *api;
        struct request *r;
        enum export_format format;
        char cluster[NAME_MAX_LEN + 1];
        bool allow_incomplete, udev_compat;
        char template_namespace[NAME_MAX_LEN + 1]; /* "" = the default */
        enum export_inventory_format inventory;
};

/* Only values of a known shape leave libvirt's answer for a manifest. */
static bool uuid_ok(const char *s) {
        uuid_t u;
        char canon[VM_UUID_STRLEN];

        if (!s || strlen(s) != VM_UUID_STRLEN - 1 || uuid_parse(s, u) < 0)
                return false;
        uuid_unparse_lower(u, canon);
        return streq(canon, s);
}

static bool by_path_ok(const char *s) {
        if (!s || strncmp(s, BY_PATH, strlen(BY_PATH)) != 0 || strlen(s) > VM_DISK_PATH_MAX)
                return false;
        for (s += strlen(BY_PATH); *s; s++)
                if (!isalnum((unsigned char)*s) && !strchr(":._-", *s))
                        return false;
        return true;
}

/* A domain name as the inventories may repeat it. */
static bool domain_name_ok(const char *s) {
        return s && *s && strlen(s) <= VM_NAME_MAX &&
               s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")] == '\0';
}

/* Copies what one matching domain says into ret. */
static void export_vm_fill(struct json_object *vm, const char *host, struct json_object *iface,
                           struct export_vm *ret) {
        const char *guest = vm_field(iface, "guest_name"), *uuid = vm_field(vm, "uuid"),
                   *disk = vm_field(vm, "root_disk"), *name = vm_field(vm, "name");
        int fw = vm_firmware_from_string(vm_field(vm, "firmware"));

        strscpy(ret->host, sizeof(ret->host), host);
        if (uuid_ok(uuid))
                strscpy(ret->uuid, sizeof(ret->uuid), uuid);
        if (by_path_ok(disk))
                strscpy(ret->root_disk, sizeof(ret->root_disk), disk);
        if (guest && validate_ifname(guest))
                strscpy(ret->guest_name, sizeof(ret->guest_name), guest);
        if (domain_name_ok(name))
                strscpy(ret->domain, sizeof(ret->domain), name);
        ret->firmware = fw < 0 ? VM_FIRMWARE_BIOS : (enum vm_firmware)fw;
}

/* What libvirt knows of the VM carrying `mac`. */
static void export_vm_find(struct json_object *hosts, struct host **hl, size_t n_hosts, mac_t mac,
                           struct export_vm *ret) {
        char m[MAC_STRLEN], where[NAME_MAX_LEN + 1] = "";
        const char *silent = NULL;
        size_t found = 0;

        *ret = (struct export_vm){0};
        mac_format(mac, m, sizeof(m));
        for (size_t i = 0; i < json_object_array_length(hosts); i++) {
                struct json_object *h = json_object_array_get_idx(hosts, i), *domains, *ifaces;
                const char *host = vm_field(h, "host");

                if (!json_object_object_get_ex(h, agent_proto_reply_key(AGENT_PROTO_DOMAINS), &domains) ||
                    !domains) {
                        silent = host;
                        continue;
                }
                for (size_t k = 0; k < json_object_array_length(domains); k++) {
                        struct json_object *vm = json_object_array_get_idx(domains, k);

                        if (!json_object_object_get_ex(vm, "interfaces", &ifaces))
                                continue;
                        for (size_t j = 0; j < json_object_array_length(ifaces); j++) {
                                struct json_object *f = json_object_array_get_idx(ifaces, j);
                                mac_t got;

                                if (!iface_mac(f, &got) || got != mac)
                                        continue;
                                if (found++ > 0) {
                                        snprintf(
                                                ret->note, sizeof(ret->note),
                                                "MAC %s is on VMs of hosts %s and %s, netd cannot tell which",
                                                m, where, host);
                                        continue;
                                }
                                strscpy(where, sizeof(where), host);
                                export_vm_fill(vm, host, f, ret);
                        }
                }
        }
        if (found > 1) {
                char note[sizeof(ret->note)];

                strscpy(note, sizeof(note), ret->note);
                *ret = (struct export_vm){0};
                strscpy(ret->note, sizeof(ret->note), note);
                return;
        }
        if (found == 0) {
                if (silent)
                        snprintf(ret->note, sizeof(ret->note),
                                 "no VM found with MAC %s (libvirt of host %s did not answer)", m, silent);
                else
                        snprintf(ret->note, sizeof(ret->note), "no VM on a libvirt host has MAC %s", m);
                return;
        }
        ret->found = true;
        for (size_t i = 0; i < n_hosts; i++)
                if (streq(hl[i]->name, ret->host))
                        strscpy(ret->bmc, sizeof(ret->bmc), hl[i]->bmc);
        if (isempty(ret->root_disk))
                snprintf(ret->note, sizeof(ret->note),
                         "the root disk of its VM on host %s has no by-path name netd knows (netctl vm list "
                         "says "
                         "why)",
                         ret->host);
}

/* The cluster's networks, in its order. */
static int export_networks_load(struct store *s, const struct cluster *c, struct network **ret,
                                struct netd_error *err) {
        for (size_t k = 0; k < c->n_networks && k < CLUSTER_NETWORKS_MAX; k++) {
                int r = network_get(s, c->networks[k].name, &ret[k], err);

                if (r < 0)
                        return r;
        }
        return 0;
}

static void on_export_domains(struct json_object *hosts, void *userdata) {
        struct export_call *ec = userdata;
        _cleanup_cluster_ struct cluster *c = NULL;
        struct network *nets[CLUSTER_NETWORKS_MAX] = {0};
        _cleanup_free_ struct export_vm *vms = NULL;
        _cleanup_free_ char *text = NULL;
        struct host **hl = NULL;
        size_t n_hosts = 0;
        struct netd_error err = {0};
        struct json_object *data;
        int r;

        /* The cluster may have changed while libvirt was asked: read it now. */
        r = cluster_get(ec->api->store, ec->cluster, &c, &err);
        if (r >= 0)
                r = export_networks_load(ec->api->store, c, nets, &err);
        if (r >= 0)
                r = host_list(ec->api->store, &hl, &n_hosts, &err);
        if (r >= 0 && !(vms = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*vms))))
                r = error_set(&err, NETD_EINTERNAL, "out of memory");
        for (size_t i = 0; r >= 0 && i < c->n_nodes; i++)
                export_vm_find(hosts, hl, n_hosts, c->nodes[i].mac, &vms[i]);
        if (r >= 0) {
                struct export_input in = {
                        .cluster = c,
                        .networks = (const struct network *const *)nets,
                        .n_networks = c->n_networks,
                        .vms = vms,
                        .allow_incomplete = ec->allow_incomplete,
                        .udev_compat = ec->udev_compat,
                        .template_namespace = ec->template_namespace[0] ? ec->template_namespace : NULL,
                        .inventory = ec->inventory,
                };
                r = export_render(ec->format, &in, &text, &err);
        }
        host_list_free(hl, n_hosts);
        for (size_t k = 0; k < CLUSTER_NETWORKS_MAX; k++)
                network_free(nets[k]);
        if (r < 0) {
                request_reply_error(ec->r, err.code ? err.code : NETD_EINTERNAL, err.message);
                free(ec);
                return;
        }
        data = json_object_new_object();
        json_object_object_add(data, "cluster", json_object_new_string(ec->cluster));
        json_object_object_add(data, "format", json_object_new_string(export_format_to_string(ec->format)));
        json_object_object_add(data, "text", json_object_new_string(text));
        request_reply_ok(ec->r, data);
        free(ec);
}

/* The flags of `export`, checked before libvirt is asked. */
static int export_options(struct json_object *args, enum export_format f, struct export_call *ec,
                          struct netd_error *err) {
        const char *ns = proto_arg_string(args, "template_namespace"),
                   *format = proto_arg_string(args, "format");
        char q[96];

        ec->allow_incomplete = proto_arg_bool(args, "allow_incomplete");
        ec->udev_compat = proto_arg_bool(args, "udev_compat");
        if (ns) {
                if (!validate_name(ns))
                        return error_set(err, NETD_EINVALID,
                                         "template namespace \"%s\" is not a valid namespace name",
                                         error_quote_untrusted(ns, q, sizeof(q)));
                strscpy(ec->template_namespace, sizeof(ec->template_namespace), ns);
        }
        if (format) {
                if (f != EXPORT_INVENTORY)
                        return error_set(err, NETD_EINVALID, "--format is for export inventory only");
                if (export_inventory_format_from_string(format, &ec->inventory) < 0)
                        return error_set(err, NETD_EINVALID,
                                         "inventory format \"%s\" is not one of dci-abi, dci-ipi",
                                         error_quote_untrusted(format, q, sizeof(q)));
        }
        return 0;
}

static void cmd_export(struct api *api, struct request *r, struct json_object *args, enum export_format f) {
        _cleanup_cluster_ struct cluster *c = NULL;
        _cleanup_free_ struct export_call *ec = NULL;
        const char *name = proto_arg_string(args, "cluster");
        struct netd_error err = {0};

        if (cluster_get(api->store, name, &c, &err) < 0) {
                request_reply_error(r, err.code, err.message);
                return;
        }
        ec = calloc(1, sizeof(*ec));
        if (!ec) {
                request_reply_error(r, NETD_EINTERNAL, "out of memory");
                return;
        }
        *ec = (struct export_call){.api = api, .r = r, .format = f};
        strscpy(ec->cluster, sizeof(ec->cluster), c->name);
        if (export_options(args, f, ec, &err) < 0) {
                request_reply_error(r, err.code, err.message);
                return;
        }
        if (f == EXPORT_DNSMASQ) {
                /* Nothing of libvirt goes into dnsmasq lines. */
                struct json_object *none = json_object_new_array();
                on_export_domains(none, TAKE_PTR(ec));
                json_object_put(none);
                return;
        }
        fabric_domains(api->fabric, NULL, on_export_domains, TAKE_PTR(ec));
}

static void cmd_export_any(struct api *api, struct request *r, struct json_object *args) {
        static const char prefix[] = "export.";
        const char *command = request_command(r);
        enum export_format f;

        if (strncmp(command, prefix, strlen(prefix)) != 0 ||
            export_format_from_string(command + strlen(prefix), &f) < 0) {
                request_reply_error(r, NETD_EINTERNAL, "command not handled by this netd");
                return;
        }
        cmd_export(api, r, args, f);
}

const struct api_handler api_virt_handlers[] = {
        {"vm.list", cmd_vm_list},
        {"export.clusterinstance", cmd_export_any},
        {"export.siteconfig", cmd_export_any},
        {"export.inventory", cmd_export_any},
        {"export.dnsmasq", cmd_export_any},
};

const size_t api_virt_n_handlers = ARRAY_SIZE(api_virt_handlers);
