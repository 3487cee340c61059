/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The formats, what the ZTP documents refuse, and rendering. */
#include <errno.h>

#include "export-private.h"
#include "netd/dnsmasq/dnsmasq-conf.h"

static const char *const format_names[EXPORT_FORMAT_MAX] = {
        [EXPORT_CLUSTERINSTANCE] = "clusterinstance",
        [EXPORT_SITECONFIG] = "siteconfig",
        [EXPORT_INVENTORY] = "inventory",
        [EXPORT_DNSMASQ] = "dnsmasq",
};

static const char *const inventory_names[EXPORT_INVENTORY_FORMAT_MAX] = {
        [EXPORT_INVENTORY_DCI_ABI] = "dci-abi",
        [EXPORT_INVENTORY_DCI_IPI] = "dci-ipi",
};

static int name_lookup(const char *const *names, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (streq(s, names[i]))
                        return (int)i;
        return NETD_EINVALID;
}

const char *export_format_to_string(enum export_format f) {
        return (size_t)f < ARRAY_SIZE(format_names) ? format_names[f] : NULL;
}

int export_format_from_string(const char *s, enum export_format *ret) {
        int i = name_lookup(format_names, ARRAY_SIZE(format_names), s);

        if (i < 0)
                return i;
        *ret = (enum export_format)i;
        return 0;
}

const char *export_inventory_format_to_string(enum export_inventory_format f) {
        return (size_t)f < ARRAY_SIZE(inventory_names) ? inventory_names[f] : NULL;
}

int export_inventory_format_from_string(const char *s, enum export_inventory_format *ret) {
        int i = name_lookup(inventory_names, ARRAY_SIZE(inventory_names), s);

        if (i < 0)
                return i;
        *ret = (enum export_inventory_format)i;
        return 0;
}

/* ClusterInstance and SiteConfig: a hostName the templates cannot copy into
 * a label value, and node values netd does not know, are refused; the
 * message names each node and field. */
static int ztp_check(const struct view *v, struct netd_error *err) {
        char msg[sizeof(err->message)], fields[96];
        size_t off = 0, shown = 0, incomplete = 0;
        int r;

        for (size_t i = 0; i < v->n_nodes; i++)
                if (strlen(v->nodes[i].fqdn) > LABEL_VALUE_MAX)
                        return error_set(err, NETD_EINVALID,
                                         "cluster %s: node %s: hostName %s is %zu characters long; the ZTP "
                                         "templates copy it into label values, which hold at most %d",
                                         v->c->name, v->nodes[i].node->name, v->nodes[i].fqdn,
                                         strlen(v->nodes[i].fqdn), LABEL_VALUE_MAX);
        if (v->in->allow_incomplete)
                return 0;
        for (size_t i = 0; i < v->n_nodes; i++)
                incomplete += v->nodes[i].missing != 0;
        if (incomplete == 0)
                return 0;

        msg[0] = '\0';
        for (size_t i = 0; i < v->n_nodes; i++) {
                const struct node_view *nv = &v->nodes[i];

                if (!nv->missing)
                        continue;
                export_missing_join(nv->missing, fields, sizeof(fields));
                /* room for the last "and N more nodes" */
                r = snprintf(msg + off, sizeof(msg) - off, "%snode %s: %s unknown (%s)", shown ? "; " : "",
                             nv->node->name, fields, nv->note);
                if (r < 0 || off + (size_t)r >= sizeof(msg) - 160) {
                        msg[off] = '\0';
                        break;
                }
                off += (size_t)r;
                shown++;
        }
        if (shown < incomplete)
                snprintf(msg + off, sizeof(msg) - off, "%sand %zu more node%s", shown ? "; " : "",
                         incomplete - shown, incomplete - shown == 1 ? "" : "s");
        return error_set(
                err, NETD_EINVALID,
                "cluster %s: %s (netctl node set gives them, --allow-incomplete prints placeholders)",
                v->c->name, msg);
}

static int write_handler(void *data, unsigned char *buffer, size_t size) {
        return fwrite(buffer, 1, size, data) == size;
}

static int yaml_render(enum export_format fmt, const struct view *v, FILE *f, struct netd_error *err) {
        struct emitter e = {};
        yaml_event_t ev;
        int r;

        if ((r = export_comments_write(f, fmt, v, err)) < 0)
                return r;
        if (!yaml_emitter_initialize(&e.y))
                return error_set(err, NETD_EINTERNAL, "cluster %s: cannot start the YAML emitter",
                                 v->c->name);
        yaml_emitter_set_output(&e.y, write_handler, f);
        yaml_emitter_set_unicode(&e.y, 0);
        yaml_emitter_set_indent(&e.y, 2);
        /* never fold a long value over two lines */
        yaml_emitter_set_width(&e.y, -1);

        emit_event(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
        emit_event(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
        if (fmt == EXPORT_CLUSTERINSTANCE)
                export_ztp_clusterinstance(&e, v);
        else if (fmt == EXPORT_SITECONFIG)
                export_ztp_siteconfig(&e, v);
        else if (v->in->inventory == EXPORT_INVENTORY_DCI_IPI)
                export_inventory_ipi(&e, v);
        else
                export_inventory_abi(&e, v);
        emit_event(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
        emit_event(&e, &ev, yaml_stream_end_event_initialize(&ev));
        if (e.failed)
                r = error_set(err, NETD_EINTERNAL, "cluster %s: YAML emitter failed: %s", v->c->name,
                              e.y.problem ? e.y.problem : "out of memory");
        yaml_emitter_delete(&e.y);
        return r;
}

static int dnsmasq_render(const struct export_input *in, char **ret_text, struct netd_error *err) {
        char *text;

        if (!in->cluster)
                return error_set(err, NETD_EINVALID, "export: no cluster given");
        errno = 0;
        text = dnsmasq_conf_cluster(in->cluster);
        if (!text)
                return errno == EINVAL
                               ? error_set(err, NETD_EINVALID,
                                           "cluster %s: refusing fields that are not valid in dnsmasq lines",
                                           validate_name(in->cluster->name) ? in->cluster->name : "?")
                               : error_set(err, NETD_EINTERNAL, "export: out of memory");
        *ret_text = text;
        return 0;
}

int export_render(enum export_format f, const struct export_input *in, char **ret_text,
                  struct netd_error *err) {
        _cleanup_free_ struct node_view *nodes = NULL;
        struct view v;
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r;

        if (!in || !ret_text)
                return error_set(err, NETD_EINVALID, "export: nothing to render");
        if ((size_t)f >= EXPORT_FORMAT_MAX)
                return error_set(err, NETD_EINVALID, "export: unknown format %d", (int)f);
        if (f == EXPORT_DNSMASQ)
                return dnsmasq_render(in, ret_text, err);

        r = export_view_build(in, &v, err);
        nodes = v.nodes;
        if (r < 0)
                return r;
        if (f != EXPORT_INVENTORY && (r = ztp_check(&v, err)) < 0)
                return r;

        out = open_memstream(&buf, &size);
        if (!out)
                return error_set(err, NETD_EINTERNAL, "cluster %s: out of memory", v.c->name);
        r = yaml_render(f, &v, out, err);
        if (fclose(out) != 0 && r >= 0)
                r = error_set(err, NETD_EINTERNAL, "cluster %s: out of memory", v.c->name);
        if (r < 0) {
                free(buf);
                return r;
        }
        if (size == 0 || buf[size - 1] != '\n') {
                free(buf);
                return error_set(err, NETD_EINTERNAL, "cluster %s: the YAML emitter left no final newline",
                                 v.c->name);
        }
        *ret_text = buf;
        return 0;
}
