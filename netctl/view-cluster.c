/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters: the list, one cluster with its nodes, what a release gave
 * back, and a node after node set. */
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

/* "iPXE script " and a URL of up to 255 characters. */
#define NODE_BOOT_TEXT_MAX 300

int view_cluster_list_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                           struct netd_error *err) {
        static const char *const headers[] = {"NAME",    "NETWORK",     "TOPOLOGY", ">NODES",
                                              "API-VIP", "INGRESS-VIP", NULL};
        struct json_object *list = reply_array(data, "clusters");
        struct table t;

        if (!list)
                return reply_malformed(err, "no \"clusters\" list");
        if (json_object_array_length(list) == 0) {
                fputs("no clusters\n", out);
                return 0;
        }
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *c = json_object_array_get_idx(list, i), *nodes = reply_array(c, "nodes");
                char n[24];

                snprintf(n, sizeof(n), "%zu", nodes ? json_object_array_length(nodes) : 0);
                table_row(&t, reply_text(c, "name"), reply_text(c, "network"), reply_text(c, "topology"), n,
                          reply_text(c, "api_vip"), reply_text(c, "ingress_vip"));
        }
        return table_print(&t, out, err);
}

/* The node of that name in the list, or NULL. */
static struct json_object *node_find(struct json_object *nodes, const char *name) {
        for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);
                if (streq(reply_text(n, "name"), name))
                        return n;
        }
        return NULL;
}

/* A node's own boot instructions (node set), "iPXE script URL" or "file
 * FILE"; NULL when it boots as its network says. */
static const char *node_boot_text(struct json_object *node, char *buf, size_t size) {
        struct json_object *boot = reply_object(node, "boot");
        const char *v;

        if ((v = reply_text(boot, "ipxe_script")))
                snprintf(buf, size, "iPXE script %s", v);
        else if ((v = reply_text(boot, "file")))
                snprintf(buf, size, "file %s", v);
        else
                return NULL;
        return buf;
}

int view_cluster_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                      struct netd_error *err) {
        static const char *const headers[] = {"NODE", "ROLE", "MAC", "IP", "FQDN", NULL},
                                 *const headers_boot[] = {"NODE", "ROLE", "MAC", "IP", "FQDN", "BOOT", NULL};
        const char *name = reply_text(data, "name"), *domain = reply_text(data, "domain");
        struct json_object *nodes = reply_array(data, "nodes");
        size_t n_nodes = nodes ? json_object_array_length(nodes) : 0, masters = 0;
        bool any_boot = false;
        char boot[NODE_BOOT_TEXT_MAX];
        struct table t;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        /* The BOOT column only when a node boots its own way. */
        for (size_t i = 0; i < n_nodes && !any_boot; i++)
                any_boot = node_boot_text(json_object_array_get_idx(nodes, i), boot, sizeof(boot)) != NULL;
        table_init(&t, any_boot ? headers_boot : headers);
        for (size_t i = 0; i < n_nodes; i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);
                const char *own = node_boot_text(n, boot, sizeof(boot));

                masters += streq(reply_text(n, "role"), "master");
                if (any_boot)
                        table_row(&t, reply_text(n, "name"), reply_text(n, "role"), reply_text(n, "mac"),
                                  reply_text(n, "ip"), reply_text(n, "fqdn"), own ? own : "network");
                else
                        table_row(&t, reply_text(n, "name"), reply_text(n, "role"), reply_text(n, "mac"),
                                  reply_text(n, "ip"), reply_text(n, "fqdn"));
        }
        if (t.failed)
                return table_print(&t, out, err);

        text_kv(out, "cluster:", "%s", text_or_dash(name));
        text_kv(out, "topology:", "%s, %zu %s (%zu %s, %zu %s)", text_or_dash(reply_text(data, "topology")),
                n_nodes, text_plural(n_nodes, "node", "nodes"), masters,
                text_plural(masters, "master", "masters"), n_nodes - masters,
                text_plural(n_nodes - masters, "worker", "workers"));
        text_kv(out, "network:", "%s", text_or_dash(reply_text(data, "network")));
        text_kv(out, "domain:", "%s", text_or_dash(domain));
        text_kv(out, "api VIP:", "%s  (api.%s.%s, api-int.%s.%s)", text_or_dash(reply_text(data, "api_vip")),
                text_or_dash(name), text_or_dash(domain), text_or_dash(name), text_or_dash(domain));
        text_kv(out, "ingress VIP:", "%s  (*.apps.%s.%s)", text_or_dash(reply_text(data, "ingress_vip")),
                text_or_dash(name), text_or_dash(domain));
        fputc('\n', out);
        return table_print(&t, out, err);
}

int view_cluster_released_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                               struct netd_error *err) {
        struct json_object *nodes = reply_array(data, "nodes");
        size_t n_nodes = nodes ? json_object_array_length(nodes) : 0, n_addrs = 0;
        _cleanup_free_ const char **addrs = NULL;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        /* Addresses held: the nodes' and the VIPs, each once (SNO's VIPs are
         * its node's address). */
        addrs = calloc(n_nodes + 2, sizeof(*addrs));
        if (!addrs)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        for (size_t i = 0; i < n_nodes + 2; i++) {
                const char *a = i < n_nodes ? reply_text(json_object_array_get_idx(nodes, i), "ip")
                                            : reply_text(data, i == n_nodes ? "api_vip" : "ingress_vip");
                bool seen = !a;

                for (size_t k = 0; k < n_addrs && !seen; k++)
                        seen = streq(addrs[k], a);
                if (!seen)
                        addrs[n_addrs++] = a;
        }
        fprintf(out, "released cluster %s: %zu %s, %zu %s\n", text_or_dash(reply_text(data, "name")), n_nodes,
                text_plural(n_nodes, "node", "nodes"), n_addrs, text_plural(n_addrs, "address", "addresses"));
        return 0;
}

int view_cluster_node_released_text(FILE *out, struct json_object *data, struct json_object *args,
                                    struct netd_error *err) {
        const char *node = reply_text(args, "node"), *ip = NULL;
        struct json_object *nodes = reply_array(data, "nodes"), *n;
        size_t left;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        left = json_object_array_length(nodes);
        /* The reply is the cluster after the release; should it still list
         * the node (the state before), name its address and do not count it. */
        n = node_find(nodes, node);
        if (n) {
                ip = reply_text(n, "ip");
                left--;
        }
        fprintf(out, "released node %s of cluster %s%s%s%s: %zu %s left\n", text_or_dash(node),
                text_or_dash(reply_text(data, "name")), ip ? " (" : "", ip ? ip : "", ip ? ")" : "", left,
                text_plural(left, "node", "nodes"));
        return 0;
}

int view_cluster_node_set_text(FILE *out, struct json_object *data, struct json_object *args,
                               struct netd_error *err) {
        const char *name = reply_or_arg(NULL, args, "node"), *network = reply_text(data, "network");
        struct json_object *nodes = reply_array(data, "nodes"), *node;
        char boot[NODE_BOOT_TEXT_MAX], what[128];

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        node = node_find(nodes, name);
        if (!node) {
                snprintf(what, sizeof(what), "no node %s in the cluster", name);
                return reply_malformed(err, what);
        }
        fprintf(out, "node %s of %s: ", name, text_or_dash(reply_text(data, "name")));
        if (node_boot_text(node, boot, sizeof(boot)))
                fprintf(out, "boots from %s\n", boot);
        else
                fprintf(out, "boots as %s%s says\n", network ? "network " : "its network",
                        network ? network : "");
        return 0;
}
