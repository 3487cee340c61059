/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters: the list, one cluster with its nodes, what a release gave
 * back, and a node after node set. */
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

/* "iPXE script " and a URL of up to 255 characters. */
#define NODE_BOOT_TEXT_MAX 300
/* A few addresses or names joined. */
#define JOINED_MAX 256
/* A node's facts: two values of up to 255 characters and a boot mode. */
#define NODE_FACTS_TEXT_MAX 600

/* The strings of array `key` of `o` joined by `sep` (dual-stack: both
 * families, primary first); else the string `fallback` of `o`. */
static const char *joined(struct json_object *o, const char *key, const char *fallback, const char *sep,
                          char *buf, size_t size) {
        struct json_object *a = reply_array(o, key);
        size_t len = 0;

        if (!a || json_object_array_length(a) == 0)
                return reply_text(o, fallback);
        buf[0] = '\0';
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                const char *v = json_object_get_string(json_object_array_get_idx(a, i));
                int n = snprintf(buf + len, size - len, "%s%s", i ? sep : "", v ? v : "-");

                if (n < 0 || (size_t)n >= size - len)
                        break;
                len += (size_t)n;
        }
        return buf;
}

/* What `node set` recorded about a node's machine, or NULL. */
static const char *node_facts_text(struct json_object *node, char *buf, size_t size) {
        static const struct {
                const char *key, *label;
        } facts[] = {{"bmc_address", "BMC"}, {"root_disk", "root disk"}, {"boot_mode", "boot mode"}};
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(facts); i++) {
                const char *v = reply_text(node, facts[i].key);
                int n;

                if (!v)
                        continue;
                n = snprintf(buf + len, size - len, "%s%s %s", len ? ", " : "", facts[i].label, v);
                if (n < 0 || (size_t)n >= size - len)
                        break;
                len += (size_t)n;
        }
        return len ? buf : NULL;
}

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
                char n[24], nets[JOINED_MAX];

                snprintf(n, sizeof(n), "%zu", nodes ? json_object_array_length(nodes) : 0);
                table_row(
                        &t, reply_text(c, "name"), joined(c, "networks", "network", ",", nets, sizeof(nets)),
                        reply_text(c, "topology"), n, reply_text(c, "api_vip"), reply_text(c, "ingress_vip"));
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
        static const char *const columns[] = {"NODE", "ROLE", "MAC", "IP", "FQDN", "BOOT", "REUSES", NULL};
        const char *name = reply_text(data, "name"), *domain = reply_text(data, "domain");
        const char *headers[ARRAY_SIZE(columns)];
        struct json_object *nodes = reply_array(data, "nodes");
        size_t n_nodes = nodes ? json_object_array_length(nodes) : 0, masters = 0, n_headers = 0;
        bool any_boot = false, any_reuse = false;
        char boot[NODE_BOOT_TEXT_MAX], facts[NODE_FACTS_TEXT_MAX], buf[JOINED_MAX];
        struct table t;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        /* The BOOT column only when a node boots its own way, REUSES only
         * when a node is another cluster's machine. */
        for (size_t i = 0; i < n_nodes; i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);

                any_boot |= node_boot_text(n, boot, sizeof(boot)) != NULL;
                any_reuse |= reply_text(n, "reuses") != NULL;
        }
        for (size_t i = 0; columns[i]; i++)
                if ((i != 5 || any_boot) && (i != 6 || any_reuse))
                        headers[n_headers++] = columns[i];
        headers[n_headers] = NULL;
        table_init(&t, headers);
        for (size_t i = 0; i < n_nodes; i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);
                const char *own = node_boot_text(n, boot, sizeof(boot));
                const char *cells[ARRAY_SIZE(columns)] = {
                        reply_text(n, "name"), reply_text(n, "role"), reply_text(n, "mac"),
                        joined(n, "ips", "ip", ", ", buf, sizeof(buf)), reply_text(n, "fqdn")};
                size_t k = 5;

                masters += streq(reply_text(n, "role"), "master");
                if (any_boot)
                        cells[k++] = own ? own : "network";
                if (any_reuse)
                        cells[k++] = text_or_dash(reply_text(n, "reuses"));
                table_row_cells(&t, cells, k);
        }
        if (t.failed)
                return table_print(&t, out, err);

        text_kv(out, "cluster:", "%s", text_or_dash(name));
        text_kv(out, "topology:", "%s, %zu %s (%zu %s, %zu %s)", text_or_dash(reply_text(data, "topology")),
                n_nodes, text_plural(n_nodes, "node", "nodes"), masters,
                text_plural(masters, "master", "masters"), n_nodes - masters,
                text_plural(n_nodes - masters, "worker", "workers"));
        text_kv(out, "network:", "%s",
                text_or_dash(joined(data, "networks", "network", ", ", buf, sizeof(buf))));
        if (reply_array(data, "machine_networks"))
                text_kv(out, "machine network:", "%s",
                        text_or_dash(joined(data, "machine_networks", NULL, ", ", buf, sizeof(buf))));
        text_kv(out, "domain:", "%s", text_or_dash(domain));
        text_kv(out, "api VIP:", "%s  (api.%s.%s, api-int.%s.%s)",
                text_or_dash(joined(data, "api_vips", "api_vip", ", ", buf, sizeof(buf))), text_or_dash(name),
                text_or_dash(domain), text_or_dash(name), text_or_dash(domain));
        text_kv(out, "ingress VIP:", "%s  (*.apps.%s.%s)",
                text_or_dash(joined(data, "ingress_vips", "ingress_vip", ", ", buf, sizeof(buf))),
                text_or_dash(name), text_or_dash(domain));
        fputc('\n', out);
        if (table_print(&t, out, err) < 0)
                return -1;
        for (size_t i = 0; i < n_nodes; i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);

                if (node_facts_text(n, facts, sizeof(facts)))
                        fprintf(out, "%s: %s\n", reply_text(n, "name"), facts);
        }
        return 0;
}

int view_cluster_released_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                               struct netd_error *err) {
        struct json_object *nodes = reply_array(data, "nodes");
        size_t n_nodes = nodes ? json_object_array_length(nodes) : 0, n_addrs = 0, n_kept = 0,
               cap = 2 * (n_nodes + 2);
        _cleanup_free_ const char **addrs = NULL;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        addrs = calloc(cap, sizeof(*addrs));
        if (!addrs)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        /* Addresses held: the nodes' and the VIPs of every family, each
         * once (SNO's VIPs are its node's addresses; a reusing node's are its
         * owner's, which stay). */
        for (size_t i = 0; i < n_nodes + 2; i++) {
                struct json_object *o = i < n_nodes ? json_object_array_get_idx(nodes, i) : data;
                const char *key = i < n_nodes ? "ips" : i == n_nodes ? "api_vips" : "ingress_vips";
                const char *one = i < n_nodes ? "ip" : i == n_nodes ? "api_vip" : "ingress_vip";
                struct json_object *list = reply_array(o, key);
                size_t n = list ? json_object_array_length(list) : 1;

                for (size_t j = 0; j < n; j++) {
                        const char *a = list ? json_object_get_string(json_object_array_get_idx(list, j))
                                             : reply_text(o, one);
                        bool seen = !a;

                        for (size_t k = 0; k < n_addrs && !seen; k++)
                                seen = streq(addrs[k], a);
                        if (!seen && n_addrs < cap)
                                addrs[n_addrs++] = a;
                        /* A reusing node's addresses (and sno VIPs equal to
                         * them) stay with the node it reuses. */
                        if (!seen && i < n_nodes && reply_text(o, "reuses"))
                                n_kept++;
                }
        }
        n_addrs -= n_kept;
        fprintf(out, "released cluster %s: %zu %s, %zu %s\n", text_or_dash(reply_text(data, "name")), n_nodes,
                text_plural(n_nodes, "node", "nodes"), n_addrs, text_plural(n_addrs, "address", "addresses"));
        return 0;
}

int view_cluster_node_released_text(FILE *out, struct json_object *data, struct json_object *args,
                                    struct netd_error *err) {
        const char *node = reply_text(args, "node"), *ip = NULL;
        struct json_object *nodes = reply_array(data, "nodes"), *n;
        char buf[JOINED_MAX];
        size_t left;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        left = json_object_array_length(nodes);
        /* The reply is the cluster after the release; should it still list
         * the node (the state before), name its address and do not count it. */
        n = node_find(nodes, node);
        if (n) {
                ip = joined(n, "ips", "ip", ", ", buf, sizeof(buf));
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
        char boot[NODE_BOOT_TEXT_MAX], what[128], facts[NODE_FACTS_TEXT_MAX];

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return reply_malformed(err, "no cluster object");
        node = node_find(nodes, name);
        if (!node) {
                snprintf(what, sizeof(what), "no node %s in the cluster", name);
                return reply_malformed(err, what);
        }
        fprintf(out, "node %s of %s: ", name, text_or_dash(reply_text(data, "name")));
        if (node_boot_text(node, boot, sizeof(boot)))
                fprintf(out, "boots from %s", boot);
        else
                fprintf(out, "boots as %s%s says", network ? "network " : "its network",
                        network ? network : "");
        if (node_facts_text(node, facts, sizeof(facts)))
                fprintf(out, "; %s", facts);
        fputc('\n', out);
        return 0;
}
