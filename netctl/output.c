/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "netd/core/addr.h"
#include "output.h"
#include "netd/core/u128.h"
#include "netd/core/prefix.h"

#define TABLE_MAX_COLS 16
#define BAR_WIDTH 20

/* ---- reading replies ---- */

/* A member as text: strings as they are, numbers in decimal; NULL when
 * absent or null. */
static const char *field_text(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !v)
                return NULL;
        return json_object_get_string(v);
}

static struct json_object *field_array(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        return v;
}

static struct json_object *field_object(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
                return NULL;
        return v;
}

/* A count of the capacity report: a decimal string (it may exceed 2^64),
 * or a plain JSON integer. NULL when it is neither. */
static const char *field_count(struct json_object *o, const char *key, u128 *ret) {
        struct json_object *v;
        const char *s;
        u128 n;

        if (!json_object_object_get_ex(o, key, &v) ||
            !(json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int)))
                return NULL;
        s = json_object_get_string(v);
        if (!u128_parse(s, &n))
                return NULL;
        if (ret)
                *ret = n;
        return s;
}

static int malformed(struct netd_error *err, const char *what) {
        return error_set(err, NETD_EINTERNAL, "malformed reply from netd: %s", what);
}

static const char *plural(u128 n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

/* Utilization with 4 decimals, trailing zeros cut but one kept: 0.0327, 0.5, 1.0. */
static const char *utilization_format(double u, char *buf, size_t size) {
        size_t n;

        snprintf(buf, size, "%.4f", u);
        n = strlen(buf);
        while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
                buf[--n] = '\0';
        return buf;
}

/* ---- text building blocks ---- */

/* A table whose column widths come from its contents; a header starting
 * with '>' is a right-aligned (numeric) column. Absent cells print "-". */
struct table {
        size_t n_cols;
        const char *headers[TABLE_MAX_COLS];
        char **cells;
        size_t n_rows, n_alloc;
        bool failed;
};

static void table_init(struct table *t, const char *const *headers) {
        *t = (struct table){0};
        while (headers[t->n_cols] && t->n_cols < TABLE_MAX_COLS) {
                t->headers[t->n_cols] = headers[t->n_cols];
                t->n_cols++;
        }
}

static void table_row(struct table *t, ...) {
        va_list ap;

        if (t->failed)
                return;
        if (t->n_rows == t->n_alloc) {
                size_t n = t->n_alloc ? t->n_alloc * 2 : 16;
                char **c = reallocarray(t->cells, n * t->n_cols, sizeof(*c));
                if (!c) {
                        t->failed = true;
                        return;
                }
                t->cells = c;
                t->n_alloc = n;
        }
        va_start(ap, t);
        for (size_t i = 0; i < t->n_cols; i++) {
                const char *s = va_arg(ap, const char *);
                char **cell = &t->cells[t->n_rows * t->n_cols + i];
                *cell = strdup(s ? s : "-");
                t->failed = t->failed || !*cell;
        }
        va_end(ap);
        t->n_rows++;
}

/* Padding is held back until more text follows, so no line ends in blanks. */
static void table_line(const struct table *t, const size_t *width, const char *const *cells, FILE *out) {
        size_t pending = 0;

        for (size_t i = 0; i < t->n_cols; i++) {
                size_t len = strlen(cells[i]), pad = width[i] - len;

                if (i > 0)
                        pending += 2;
                if (t->headers[i][0] == '>')
                        pending += pad;
                if (len > 0) {
                        fprintf(out, "%*s%s", (int)pending, "", cells[i]);
                        pending = 0;
                }
                if (t->headers[i][0] != '>')
                        pending += pad;
        }
        fputc('\n', out);
}

static void table_free(struct table *t) {
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->cells);
        t->cells = NULL;
        t->n_rows = t->n_alloc = 0;
}

static const char *table_header(const struct table *t, size_t col) {
        return t->headers[col] + (t->headers[col][0] == '>');
}

/* Each column as wide as its header and its widest cell. */
static void table_widths(const struct table *t, size_t *width) {
        for (size_t i = 0; i < t->n_cols; i++) {
                width[i] = strlen(table_header(t, i));
                for (size_t row = 0; row < t->n_rows; row++)
                        if (strlen(t->cells[row * t->n_cols + i]) > width[i])
                                width[i] = strlen(t->cells[row * t->n_cols + i]);
        }
}

/* The header and rows [from, to). A table printed in sections keeps the
 * widths of the whole, so the sections line up. */
static void table_print_rows(const struct table *t, const size_t *width, size_t from, size_t to, FILE *out) {
        const char *header[TABLE_MAX_COLS];

        for (size_t i = 0; i < t->n_cols; i++)
                header[i] = table_header(t, i);
        table_line(t, width, header, out);
        for (size_t row = from; row < to; row++)
                table_line(t, width, (const char *const *)&t->cells[row * t->n_cols], out);
}

/* Print and release the table. */
static int table_print(struct table *t, FILE *out, struct netd_error *err) {
        size_t width[TABLE_MAX_COLS];
        int r = 0;

        if (t->failed) {
                r = error_set(err, NETD_EINTERNAL, "out of memory");
                goto out;
        }
        table_widths(t, width);
        table_print_rows(t, width, 0, t->n_rows, out);
out:
        table_free(t);
        return r;
}

#define KEY_WIDTH 13

/* One line of a key/value block. */
static void kv(FILE *out, const char *key, const char *fmt, ...) _printf_(3, 4);
static void kv(FILE *out, const char *key, const char *fmt, ...) {
        va_list ap;

        fprintf(out, "%-*s", KEY_WIDTH, key);
        va_start(ap, fmt);
        vfprintf(out, fmt, ap);
        va_end(ap);
        fputc('\n', out);
}

static const char *or_dash(const char *s) {
        return s ? s : "-";
}

/* "START-END (N addresses)", the count only when both ends parse. */
static void range_text(struct json_object *range, char *buf, size_t size) {
        const char *start = field_text(range, "start"), *end = field_text(range, "end");
        struct addr a, b;
        char n[U128_DECLEN];

        if (start && end && addr_parse(start, &a, NULL) == 0 && addr_parse(end, &b, NULL) == 0 &&
            a.family == b.family && a.value <= b.value && b.value - a.value + 1 != 0) {
                u128 count = b.value - a.value + 1;
                snprintf(buf, size, "%s-%s (%s %s)", start, end, u128_format(count, n, sizeof(n)),
                         plural(count, "address", "addresses"));
        } else
                snprintf(buf, size, "%s-%s", or_dash(start), or_dash(end));
}

/* ---- text back end ---- */

static int text_network_list(FILE *out, struct json_object *data, struct json_object *args _unused_,
                             struct netd_error *err) {
        static const char *const headers[] = {"NAME", "CIDR", "GATEWAY", "DOMAIN", "INTERFACE", ">VNI", NULL};
        struct json_object *list = field_array(data, "networks");
        struct table t;

        if (!list)
                return malformed(err, "no \"networks\" list");
        if (json_object_array_length(list) == 0) {
                fputs("no networks\n", out);
                return 0;
        }
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i);
                table_row(&t, field_text(n, "name"), field_text(n, "cidr"), field_text(n, "gateway"),
                          field_text(n, "domain"), field_text(n, "interface"), field_text(n, "vni"));
        }
        return table_print(&t, out, err);
}

static int text_network(FILE *out, struct json_object *data, struct json_object *args _unused_,
                        struct netd_error *err) {
        const char *cidr = field_text(data, "cidr");
        struct json_object *reserved = field_array(data, "reserved"),
                           *dhcp = field_object(data, "dhcp_range");
        struct prefix p;
        char buf[160], n[U128_DECLEN];

        if (!json_object_is_type(data, json_type_object))
                return malformed(err, "no network object");
        kv(out, "network:", "%s", or_dash(field_text(data, "name")));
        if (cidr && prefix_parse(cidr, &p, NULL) == 0) {
                u128 hosts = prefix_host_count(&p);
                kv(out, "cidr:", "%s (%s usable %s)", cidr, u128_format(hosts, n, sizeof(n)),
                   plural(hosts, "address", "addresses"));
        } else
                kv(out, "cidr:", "%s", or_dash(cidr));
        kv(out, "gateway:", "%s", or_dash(field_text(data, "gateway")));
        kv(out, "domain:", "%s", or_dash(field_text(data, "domain")));
        kv(out, "interface:", "%s", or_dash(field_text(data, "interface")));
        kv(out, "vni:", "%s", or_dash(field_text(data, "vni")));
        kv(out, "bridge:", "%s", or_dash(field_text(data, "bridge")));
        kv(out, "mtu:", "%s", or_dash(field_text(data, "mtu")));
        if (!reserved || json_object_array_length(reserved) == 0)
                kv(out, "reserved:", "-");
        for (size_t i = 0; reserved && i < json_object_array_length(reserved); i++) {
                range_text(json_object_array_get_idx(reserved, i), buf, sizeof(buf));
                kv(out, i == 0 ? "reserved:" : "", "%s", buf);
        }
        if (dhcp)
                range_text(dhcp, buf, sizeof(buf));
        kv(out, "dhcp range:", "%s", dhcp ? buf : "-");
        return 0;
}

static int text_network_removed(FILE *out, struct json_object *data, struct json_object *args,
                                struct netd_error *err _unused_) {
        const char *name = field_text(data, "name");

        fprintf(out, "removed network %s\n", or_dash(name ? name : field_text(args, "name")));
        return 0;
}

static int text_cluster_list(FILE *out, struct json_object *data, struct json_object *args _unused_,
                             struct netd_error *err) {
        static const char *const headers[] = {"NAME",    "NETWORK",     "TOPOLOGY", ">NODES",
                                              "API-VIP", "INGRESS-VIP", NULL};
        struct json_object *list = field_array(data, "clusters");
        struct table t;

        if (!list)
                return malformed(err, "no \"clusters\" list");
        if (json_object_array_length(list) == 0) {
                fputs("no clusters\n", out);
                return 0;
        }
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *c = json_object_array_get_idx(list, i), *nodes = field_array(c, "nodes");
                char n[24];

                snprintf(n, sizeof(n), "%zu", nodes ? json_object_array_length(nodes) : 0);
                table_row(&t, field_text(c, "name"), field_text(c, "network"), field_text(c, "topology"), n,
                          field_text(c, "api_vip"), field_text(c, "ingress_vip"));
        }
        return table_print(&t, out, err);
}

static int text_cluster(FILE *out, struct json_object *data, struct json_object *args _unused_,
                        struct netd_error *err) {
        static const char *const headers[] = {"NODE", "ROLE", "MAC", "IP", "FQDN", NULL};
        const char *name = field_text(data, "name"), *domain = field_text(data, "domain");
        struct json_object *nodes = field_array(data, "nodes");
        size_t n_nodes = nodes ? json_object_array_length(nodes) : 0, masters = 0;
        struct table t;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return malformed(err, "no cluster object");
        table_init(&t, headers);
        for (size_t i = 0; i < n_nodes; i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);
                masters += streq(field_text(n, "role"), "master");
                table_row(&t, field_text(n, "name"), field_text(n, "role"), field_text(n, "mac"),
                          field_text(n, "ip"), field_text(n, "fqdn"));
        }
        if (t.failed)
                return table_print(&t, out, err);

        kv(out, "cluster:", "%s", or_dash(name));
        kv(out, "topology:", "%s, %zu %s (%zu %s, %zu %s)", or_dash(field_text(data, "topology")), n_nodes,
           plural(n_nodes, "node", "nodes"), masters, plural(masters, "master", "masters"), n_nodes - masters,
           plural(n_nodes - masters, "worker", "workers"));
        kv(out, "network:", "%s", or_dash(field_text(data, "network")));
        kv(out, "domain:", "%s", or_dash(domain));
        kv(out, "api VIP:", "%s  (api.%s.%s, api-int.%s.%s)", or_dash(field_text(data, "api_vip")),
           or_dash(name), or_dash(domain), or_dash(name), or_dash(domain));
        kv(out, "ingress VIP:", "%s  (*.apps.%s.%s)", or_dash(field_text(data, "ingress_vip")), or_dash(name),
           or_dash(domain));
        fputc('\n', out);
        return table_print(&t, out, err);
}

static int text_cluster_released(FILE *out, struct json_object *data, struct json_object *args _unused_,
                                 struct netd_error *err) {
        struct json_object *nodes = field_array(data, "nodes");
        size_t n_nodes = nodes ? json_object_array_length(nodes) : 0, n_addrs = 0;
        _cleanup_free_ const char **addrs = NULL;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return malformed(err, "no cluster object");
        /* Addresses held: the nodes' and the VIPs, each once (SNO's VIPs are
         * its node's address). */
        addrs = calloc(n_nodes + 2, sizeof(*addrs));
        if (!addrs)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        for (size_t i = 0; i < n_nodes + 2; i++) {
                const char *a = i < n_nodes ? field_text(json_object_array_get_idx(nodes, i), "ip")
                                            : field_text(data, i == n_nodes ? "api_vip" : "ingress_vip");
                bool seen = !a;

                for (size_t k = 0; k < n_addrs && !seen; k++)
                        seen = streq(addrs[k], a);
                if (!seen)
                        addrs[n_addrs++] = a;
        }
        fprintf(out, "released cluster %s: %zu %s, %zu %s\n", or_dash(field_text(data, "name")), n_nodes,
                plural(n_nodes, "node", "nodes"), n_addrs, plural(n_addrs, "address", "addresses"));
        return 0;
}

static int text_node_released(FILE *out, struct json_object *data, struct json_object *args,
                              struct netd_error *err) {
        const char *node = field_text(args, "node"), *ip = NULL;
        struct json_object *nodes = field_array(data, "nodes");
        size_t left;

        if (!json_object_is_type(data, json_type_object) || !nodes)
                return malformed(err, "no cluster object");
        left = json_object_array_length(nodes);
        /* The reply is the cluster after the release; should it still list
         * the node (the state before), name its address and do not count it. */
        for (size_t i = 0; i < json_object_array_length(nodes); i++) {
                struct json_object *n = json_object_array_get_idx(nodes, i);
                if (streq(field_text(n, "name"), node)) {
                        ip = field_text(n, "ip");
                        left--;
                        break;
                }
        }
        fprintf(out, "released node %s of cluster %s%s%s%s: %zu %s left\n", or_dash(node),
                or_dash(field_text(data, "name")), ip ? " (" : "", ip ? ip : "", ip ? ")" : "", left,
                plural(left, "node", "nodes"));
        return 0;
}

/* Percent with one decimal; a little use never reads as none, nor almost
 * all as all. */
static void percent_format(double u, char *buf, size_t size) {
        if (u > 0 && u < 0.0005)
                snprintf(buf, size, "<0.1%%");
        else if (u < 1 && u >= 0.9995)
                snprintf(buf, size, ">99.9%%");
        else
                snprintf(buf, size, "%.1f%%", u * 100);
}

static void bar_format(double u, char *buf) {
        int filled = (int)(u * BAR_WIDTH + 0.5);

        /* Any use at all shows, and the bar is full only when all is used. */
        if (u > 0 && filled == 0)
                filled = 1;
        if (u < 1 && filled == BAR_WIDTH)
                filled = BAR_WIDTH - 1;
        if (filled > BAR_WIDTH || u >= 1)
                filled = BAR_WIDTH;
        if (filled < 0)
                filled = 0;
        buf[0] = '[';
        for (int i = 0; i < BAR_WIDTH; i++)
                buf[1 + i] = i < filled ? '#' : '.';
        buf[BAR_WIDTH + 1] = ']';
        buf[BAR_WIDTH + 2] = '\0';
}

static const char *const capacity_counts[] = {"total", "reserved", "allocated", "free", "clusters"};
static const char *const capacity_fits[] = {"sno", "compact", "mno"};

/* Check one entry of the report; *ret gets its counts in capacity_counts order. */
static int capacity_entry_check(struct json_object *e, bool with_fits, const char *what, const char **ret,
                                struct netd_error *err) {
        struct json_object *fits = field_object(e, "fits");

        if (!json_object_is_type(e, json_type_object))
                return malformed(err, what);
        for (size_t i = 0; i < ARRAY_SIZE(capacity_counts); i++) {
                ret[i] = field_count(e, capacity_counts[i], NULL);
                if (!ret[i])
                        return error_set(err, NETD_EINTERNAL, "malformed reply from netd: %s: bad \"%s\"",
                                         what, capacity_counts[i]);
        }
        if (!with_fits)
                return 0;
        for (size_t i = 0; i < ARRAY_SIZE(capacity_fits); i++) {
                ret[ARRAY_SIZE(capacity_counts) + i] =
                        fits ? field_count(fits, capacity_fits[i], NULL) : NULL;
                if (!ret[ARRAY_SIZE(capacity_counts) + i])
                        return error_set(err, NETD_EINTERNAL, "malformed reply from netd: %s: bad fits.%s",
                                         what, capacity_fits[i]);
        }
        return 0;
}

static int text_capacity(FILE *out, struct json_object *data, struct json_object *args _unused_,
                         struct netd_error *err) {
        static const char *const headers[] = {
                "NETWORK", "CIDR",      ">TOTAL",    ">RESERVED",     ">ALLOCATED", ">FREE", ">USED%",
                "",        ">CLUSTERS", ">FITS-SNO", ">FITS-COMPACT", ">FITS-MNO",  NULL,
        };
        struct json_object *list = field_array(data, "networks"), *lab = field_object(data, "lab");
        const char *c[8];
        char pct[16], bar[BAR_WIDTH + 3];
        struct table t;
        u128 total = 0, reserved = 0, allocated = 0;
        double u;
        int r;

        if (!list || !lab)
                return malformed(err, "no \"networks\" list or \"lab\" totals");
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i), *v;

                r = capacity_entry_check(n, true, "capacity of a network", c, err);
                if (r < 0) {
                        table_free(&t);
                        return r;
                }
                u = json_object_object_get_ex(n, "utilization", &v) ? json_object_get_double(v) : 0;
                percent_format(u, pct, sizeof(pct));
                bar_format(u, bar);
                table_row(&t, field_text(n, "name"), field_text(n, "cidr"), c[0], c[1], c[2], c[3], pct, bar,
                          c[4], c[5], c[6], c[7]);
        }
        r = capacity_entry_check(lab, false, "lab totals", c, err);
        if (r < 0) {
                table_free(&t);
                return r;
        }
        field_count(lab, "total", &total);
        field_count(lab, "reserved", &reserved);
        field_count(lab, "allocated", &allocated);
        u = total > reserved ? (double)allocated / (double)(total - reserved) : 0;
        percent_format(u, pct, sizeof(pct));
        bar_format(u, bar);
        /* Network names are lowercase, so the totals row cannot be taken for one. */
        table_row(&t, "TOTAL", "", c[0], c[1], c[2], c[3], pct, bar, c[4], "", "", "");
        return table_print(&t, out, err);
}

/* A name for a message: from the reply, else as it was asked for. */
static const char *reply_or_arg(struct json_object *data, struct json_object *args, const char *key) {
        const char *s = field_text(data, key);

        return s ? s : or_dash(field_text(args, key));
}

/* The " (label value, label value)" tail of a one-line message, each
 * part only when the reply has its value. */
struct details {
        char buf[512];
        size_t len;
};

static void details_add(struct details *d, const char *label, const char *value) {
        if (!value || d->len >= sizeof(d->buf))
                return;
        d->len += (size_t)snprintf(d->buf + d->len, sizeof(d->buf) - d->len, "%s%s %s", d->len ? ", " : " (",
                                   label, value);
}

static const char *details_end(struct details *d) {
        if (d->len > 0 && d->len < sizeof(d->buf))
                snprintf(d->buf + d->len, sizeof(d->buf) - d->len, ")");
        return d->buf;
}

static int text_host_list(FILE *out, struct json_object *data, struct json_object *args _unused_,
                          struct netd_error *err) {
        static const char *const headers[] = {"NAME", "CONNECT", "UNDERLAY", "LIBVIRT", "BMC", NULL};
        struct json_object *list = field_array(data, "hosts");
        struct table t;

        if (!list)
                return malformed(err, "no \"hosts\" list");
        if (json_object_array_length(list) == 0) {
                fputs("no hosts\n", out);
                return 0;
        }
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *h = json_object_array_get_idx(list, i);
                table_row(&t, field_text(h, "name"), field_text(h, "connect"), field_text(h, "underlay"),
                          field_text(h, "libvirt"), field_text(h, "bmc"));
        }
        return table_print(&t, out, err);
}

static int text_host(FILE *out, struct json_object *data, struct json_object *args _unused_,
                     struct netd_error *err) {
        if (!json_object_is_type(data, json_type_object))
                return malformed(err, "no host object");
        kv(out, "host:", "%s", or_dash(field_text(data, "name")));
        kv(out, "connect:", "%s", or_dash(field_text(data, "connect")));
        kv(out, "underlay:", "%s", or_dash(field_text(data, "underlay")));
        kv(out, "libvirt:", "%s", or_dash(field_text(data, "libvirt")));
        kv(out, "bmc:", "%s", or_dash(field_text(data, "bmc")));
        return 0;
}

static int text_host_removed(FILE *out, struct json_object *data, struct json_object *args,
                             struct netd_error *err _unused_) {
        fprintf(out, "removed host %s\n", reply_or_arg(data, args, "name"));
        return 0;
}

static int attachment_text(FILE *out, struct json_object *data, struct json_object *args, bool attached,
                           struct netd_error *err) {
        struct details d = {""};

        if (!json_object_is_type(data, json_type_object))
                return malformed(err, "no attachment object");
        details_add(&d, "bridge", field_text(data, "bridge"));
        details_add(&d, "uplink", field_text(data, "uplink"));
        details_add(&d, "address", field_text(data, "address"));
        fprintf(out, "%s network %s %s %s%s\n", attached ? "attached" : "detached",
                reply_or_arg(data, args, "network"), attached ? "to" : "from",
                reply_or_arg(data, args, "host"), details_end(&d));
        return 0;
}

static int text_attached(FILE *out, struct json_object *data, struct json_object *args,
                         struct netd_error *err) {
        return attachment_text(out, data, args, true, err);
}

static int text_detached(FILE *out, struct json_object *data, struct json_object *args,
                         struct netd_error *err) {
        return attachment_text(out, data, args, false, err);
}

static int link_text(FILE *out, struct json_object *data, struct json_object *args, const char *verb,
                     struct netd_error *err) {
        struct details d = {""};

        if (!json_object_is_type(data, json_type_object))
                return malformed(err, "no link object");
        details_add(&d, "peer", field_text(data, "peer"));
        details_add(&d, "master", field_text(data, "master"));
        details_add(&d, "peer master", field_text(data, "peer_master"));
        fprintf(out, "%s %s %s on %s%s\n", verb, reply_or_arg(data, args, "kind"),
                reply_or_arg(data, args, "name"), reply_or_arg(data, args, "host"), details_end(&d));
        return 0;
}

static int text_link_added(FILE *out, struct json_object *data, struct json_object *args,
                           struct netd_error *err) {
        return link_text(out, data, args, "added", err);
}

static int text_link_removed(FILE *out, struct json_object *data, struct json_object *args,
                             struct netd_error *err) {
        return link_text(out, data, args, "removed", err);
}

static int route_text(FILE *out, struct json_object *data, struct json_object *args, const char *verb,
                      struct netd_error *err) {
        struct details d = {""};
        const char *via = field_text(data, "via");

        if (!json_object_is_type(data, json_type_object))
                return malformed(err, "no route object");
        details_add(&d, "dev", field_text(data, "dev"));
        fprintf(out, "%s route %s%s%s on %s%s\n", verb, reply_or_arg(data, args, "dest"), via ? " via " : "",
                via ? via : "", reply_or_arg(data, args, "host"), details_end(&d));
        return 0;
}

static int text_route_added(FILE *out, struct json_object *data, struct json_object *args,
                            struct netd_error *err) {
        return route_text(out, data, args, "added", err);
}

static int text_route_removed(FILE *out, struct json_object *data, struct json_object *args,
                              struct netd_error *err) {
        return route_text(out, data, args, "removed", err);
}

/* The states of the contract, in the order the summary counts them. */
static const char *const fabric_states[] = {"ok", "missing", "drifted", "conflict"};

/* The objects of a host; *ret is NULL when it has none (null or absent). */
static int fabric_host_objects(struct json_object *h, struct json_object **ret, struct netd_error *err) {
        struct json_object *v = NULL;

        *ret = NULL;
        if (!json_object_object_get_ex(h, "objects", &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return malformed(err, "a host's \"objects\" is no list");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                struct json_object *o = json_object_array_get_idx(v, i);
                if (!json_object_is_type(o, json_type_object) || !field_text(o, "kind") ||
                    !field_text(o, "name") || !field_text(o, "state"))
                        return malformed(err, "an object of the fabric without kind, name or state");
        }
        *ret = v;
        return 0;
}

static int fabric_check(struct json_object *data, struct netd_error *err) {
        struct json_object *list = field_array(data, "hosts"), *v, *objects;
        int r;

        if (!list)
                return malformed(err, "no \"hosts\" list");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *h = json_object_array_get_idx(list, i);

                if (!json_object_is_type(h, json_type_object) || !field_text(h, "name") ||
                    !json_object_object_get_ex(h, "connected", &v) ||
                    !json_object_is_type(v, json_type_boolean))
                        return malformed(err, "a host of the fabric without name or connected");
                r = fabric_host_objects(h, &objects, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A libvirt host's connection, under its header line. */
static void libvirt_text(FILE *out, struct json_object *lv) {
        struct json_object *v;
        const char *error = field_text(lv, "error");

        if (!lv || !field_text(lv, "uri"))
                return;
        json_object_object_get_ex(lv, "connected", &v);
        fprintf(out, "libvirt %s  %s%s%s\n", field_text(lv, "uri"),
                v && json_object_get_boolean(v) ? "connected" : "disconnected", error ? ": " : "",
                error ? error : "");
}

/* Per host a header line and its objects, then one summary line. The
 * object tables of all hosts share their column widths. */
static int fabric_text(FILE *out, struct json_object *data, bool synced, struct netd_error *err) {
        static const char *const headers[] = {"KIND", "NAME", "STATE", "DETAIL", NULL};
        struct json_object *list = field_array(data, "hosts"), *objects, *v;
        size_t n_hosts, n_connected = 0, n_objects = 0, n_other = 0, counts[ARRAY_SIZE(fabric_states)] = {0};
        _cleanup_free_ size_t *ends = NULL;
        size_t width[TABLE_MAX_COLS], from = 0;
        struct table t;
        int r = fabric_check(data, err);

        if (r < 0)
                return r;
        n_hosts = json_object_array_length(list);
        if (n_hosts == 0) {
                fputs(synced ? "no hosts to sync\n" : "no hosts\n", out);
                return 0;
        }
        ends = calloc(n_hosts, sizeof(*ends));
        if (!ends)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        table_init(&t, headers);
        for (size_t i = 0; i < n_hosts; i++) {
                fabric_host_objects(json_object_array_get_idx(list, i), &objects, NULL);
                for (size_t k = 0; objects && k < json_object_array_length(objects); k++) {
                        struct json_object *o = json_object_array_get_idx(objects, k);
                        const char *state = field_text(o, "state");
                        bool known = false;

                        for (size_t s = 0; s < ARRAY_SIZE(fabric_states); s++)
                                if (streq(state, fabric_states[s])) {
                                        counts[s]++;
                                        known = true;
                                }
                        n_other += !known;
                        n_objects++;
                        table_row(&t, field_text(o, "kind"), field_text(o, "name"), state,
                                  field_text(o, "detail"));
                }
                ends[i] = t.n_rows;
        }
        if (t.failed)
                return table_print(&t, out, err);
        table_widths(&t, width);
        for (size_t i = 0; i < n_hosts; i++) {
                struct json_object *h = json_object_array_get_idx(list, i);
                const char *error = field_text(h, "error");
                bool connected;

                json_object_object_get_ex(h, "connected", &v);
                connected = json_object_get_boolean(v);
                n_connected += connected;
                fprintf(out, "%s%s  %s%s%s\n", i ? "\n" : "", field_text(h, "name"),
                        connected ? "connected" : "disconnected", !connected && error ? ": " : "",
                        !connected && error ? error : "");
                libvirt_text(out, field_object(h, "libvirt"));
                if (ends[i] > from)
                        table_print_rows(&t, width, from, ends[i], out);
                else
                        fputs("no objects\n", out);
                from = ends[i];
        }
        table_free(&t);

        fputc('\n', out);
        if (synced && n_connected < n_hosts)
                fprintf(out, "synced %zu of %zu %s", n_connected, n_hosts, plural(n_hosts, "host", "hosts"));
        else if (synced)
                fprintf(out, "synced %zu %s", n_hosts, plural(n_hosts, "host", "hosts"));
        else if (n_connected < n_hosts)
                fprintf(out, "%zu %s, %zu disconnected", n_hosts, plural(n_hosts, "host", "hosts"),
                        n_hosts - n_connected);
        else
                fprintf(out, "%zu %s", n_hosts, plural(n_hosts, "host", "hosts"));
        if (n_objects == 0) {
                fputs("; no objects\n", out);
                return 0;
        }
        fprintf(out, "; %zu %s:", n_objects, plural(n_objects, "object", "objects"));
        for (size_t s = 0, n = 0; s <= ARRAY_SIZE(fabric_states); s++) {
                size_t count = s < ARRAY_SIZE(fabric_states) ? counts[s] : n_other;

                if (count == 0)
                        continue;
                fprintf(out, "%s %zu %s", n++ ? "," : "", count,
                        s < ARRAY_SIZE(fabric_states) ? fabric_states[s] : "other");
        }
        fputc('\n', out);
        return 0;
}

static int text_fabric_status(FILE *out, struct json_object *data, struct json_object *args _unused_,
                              struct netd_error *err) {
        return fabric_text(out, data, false, err);
}

static int text_fabric_synced(FILE *out, struct json_object *data, struct json_object *args _unused_,
                              struct netd_error *err) {
        return fabric_text(out, data, true, err);
}

/* ---- libvirt ---- */

static int vm_list_check(struct json_object *data, struct netd_error *err) {
        struct json_object *list = field_array(data, "vms"), *un = NULL;

        if (!list)
                return malformed(err, "no \"vms\" list");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *vm = json_object_array_get_idx(list, i), *ifaces;

                if (!json_object_is_type(vm, json_type_object) || !field_text(vm, "host") ||
                    !field_text(vm, "name"))
                        return malformed(err, "a VM without host or name");
                ifaces = field_array(vm, "interfaces");
                for (size_t k = 0; ifaces && k < json_object_array_length(ifaces); k++)
                        if (!json_object_is_type(json_object_array_get_idx(ifaces, k), json_type_object))
                                return malformed(err, "a VM interface that is no object");
        }
        if (json_object_object_get_ex(data, "unreachable", &un) && un &&
            !json_object_is_type(un, json_type_array))
                return malformed(err, "\"unreachable\" is no list");
        return 0;
}

/* One row per interface; the VM's own columns only on its first. Hosts
 * that did not answer follow the table, so a partial list is never taken
 * for the whole lab. */
static int text_vm_list(FILE *out, struct json_object *data, struct json_object *args _unused_,
                        struct netd_error *err) {
        static const char *const headers[] = {"HOST", "NAME", "STATE",  "UUID",      "CLUSTER",
                                              "NODE", "MAC",  "SOURCE", "ROOT DISK", NULL};
        struct json_object *list = field_array(data, "vms"), *un = NULL;
        size_t n_managed = 0, n;
        struct table t;
        int r = vm_list_check(data, err);

        if (r < 0)
                return r;
        n = json_object_array_length(list);
        json_object_object_get_ex(data, "unreachable", &un);
        if (n == 0)
                fputs("no VMs\n", out);
        else {
                table_init(&t, headers);
                for (size_t i = 0; i < n; i++) {
                        struct json_object *vm = json_object_array_get_idx(list, i);
                        struct json_object *ifaces = field_array(vm, "interfaces");
                        size_t n_if = ifaces ? json_object_array_length(ifaces) : 0;
                        const char *disk = field_text(vm, "root_disk");

                        n_managed += field_text(vm, "cluster") != NULL;
                        for (size_t k = 0; k < (n_if ? n_if : 1); k++) {
                                struct json_object *f = n_if ? json_object_array_get_idx(ifaces, k) : NULL;

                                if (k == 0)
                                        table_row(&t, field_text(vm, "host"), field_text(vm, "name"),
                                                  field_text(vm, "state"), field_text(vm, "uuid"),
                                                  field_text(vm, "cluster"), field_text(vm, "node"),
                                                  f ? field_text(f, "mac") : NULL,
                                                  f ? field_text(f, "source") : NULL,
                                                  disk ? disk : field_text(vm, "root_disk_note"));
                                else
                                        table_row(&t, "", "", "", "", "", "", field_text(f, "mac"),
                                                  field_text(f, "source"), "");
                        }
                }
                r = table_print(&t, out, err);
                if (r < 0)
                        return r;
                fprintf(out, "\n%zu %s, %zu in clusters\n", n, plural(n, "VM", "VMs"), n_managed);
        }
        for (size_t i = 0; un && i < json_object_array_length(un); i++) {
                struct json_object *h = json_object_array_get_idx(un, i);
                fprintf(out, "host %s: not listed: %s\n", or_dash(field_text(h, "host")),
                        or_dash(field_text(h, "error")));
        }
        return 0;
}

static int text_export(FILE *out, struct json_object *data, struct json_object *args _unused_,
                       struct netd_error *err) {
        const char *text = field_text(data, "text");

        if (!text)
                return malformed(err, "no \"text\" in the export");
        fputs(text, out);
        return 0;
}

/* ---- JSON back end ---- */

static void json_print(FILE *out, struct json_object *o, int depth) {
        size_t n;

        if (json_object_is_type(o, json_type_object)) {
                bool first = true;

                if (json_object_object_length(o) == 0) {
                        fputs("{}", out);
                        return;
                }
                fputs("{\n", out);
                json_object_object_foreach(o, key, val) {
                        struct json_object *k = json_object_new_string(key);

                        fprintf(out, "%s%*s%s: ", first ? "" : ",\n", (depth + 1) * 2, "",
                                json_object_to_json_string_ext(k, JSON_C_TO_STRING_NOSLASHESCAPE));
                        json_object_put(k);
                        json_print(out, val, depth + 1);
                        first = false;
                }
                fprintf(out, "\n%*s}", depth * 2, "");
        } else if (json_object_is_type(o, json_type_array)) {
                n = json_object_array_length(o);
                if (n == 0) {
                        fputs("[]", out);
                        return;
                }
                fputs("[\n", out);
                for (size_t i = 0; i < n; i++) {
                        fprintf(out, "%s%*s", i ? ",\n" : "", (depth + 1) * 2, "");
                        json_print(out, json_object_array_get_idx(o, i), depth + 1);
                }
                fprintf(out, "\n%*s]", depth * 2, "");
        } else
                /* A NULL object serializes as null; numbers made with
                 * json_object_new_double_s() keep their exact text. */
                fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE), out);
}

static int json_data(FILE *out, struct json_object *data, struct json_object *args _unused_,
                     struct netd_error *err _unused_) {
        if (data)
                json_print(out, data, 0);
        else
                fputs("{}", out);
        fputc('\n', out);
        return 0;
}

/* An exact decimal count as a JSON number token, whatever its size. */
static struct json_object *count_number(const char *s) {
        return json_object_new_double_s(strtod(s, NULL), s);
}

static struct json_object *utilization_number(double u) {
        char buf[32];

        return json_object_new_double_s(u, utilization_format(u, buf, sizeof(buf)));
}

/* A copy of a capacity entry (a network, the lab, its fits) with counts
 * as numbers; other members kept in place and order. */
static struct json_object *capacity_entry_json(struct json_object *e, bool all_counts) {
        struct json_object *copy = json_object_new_object();

        json_object_object_foreach(e, key, val) {
                struct json_object *v;
                bool is_count = all_counts;

                for (size_t i = 0; i < ARRAY_SIZE(capacity_counts); i++)
                        is_count = is_count || streq(key, capacity_counts[i]);
                if (is_count)
                        v = count_number(json_object_get_string(val));
                else if (streq(key, "utilization"))
                        v = utilization_number(json_object_get_double(val));
                else if (streq(key, "fits") && json_object_is_type(val, json_type_object))
                        v = capacity_entry_json(val, true);
                else
                        v = json_object_get(val);
                json_object_object_add(copy, key, v);
        }
        return copy;
}

static int capacity_check(struct json_object *data, struct netd_error *err) {
        struct json_object *list = field_array(data, "networks"), *lab = field_object(data, "lab");
        const char *c[8];
        int r;

        if (!list || !lab)
                return malformed(err, "no \"networks\" list or \"lab\" totals");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                r = capacity_entry_check(json_object_array_get_idx(list, i), true, "capacity of a network", c,
                                         err);
                if (r < 0)
                        return r;
        }
        return capacity_entry_check(lab, false, "lab totals", c, err);
}

static int json_capacity(FILE *out, struct json_object *data, struct json_object *args _unused_,
                         struct netd_error *err) {
        struct json_object *report;
        int r = capacity_check(data, err);

        if (r < 0)
                return r;
        report = json_object_new_object();
        json_object_object_foreach(data, key, val) {
                struct json_object *v;

                if (streq(key, "networks")) {
                        v = json_object_new_array();
                        for (size_t i = 0; i < json_object_array_length(val); i++)
                                json_object_array_add(
                                        v, capacity_entry_json(json_object_array_get_idx(val, i), false));
                } else if (streq(key, "lab"))
                        v = capacity_entry_json(val, false);
                else
                        v = json_object_get(val);
                json_object_object_add(report, key, v);
        }
        json_print(out, report, 0);
        fputc('\n', out);
        json_object_put(report);
        return 0;
}

/* The fabric as it comes, once its shape is checked: the status is what
 * scripts poll, so a broken reply must fail rather than pass for one. */
static int json_fabric(FILE *out, struct json_object *data, struct json_object *args,
                       struct netd_error *err) {
        int r = fabric_check(data, err);

        if (r < 0)
                return r;
        return json_data(out, data, args, err);
}

static int json_vm_list(FILE *out, struct json_object *data, struct json_object *args,
                        struct netd_error *err) {
        int r = vm_list_check(data, err);

        if (r < 0)
                return r;
        return json_data(out, data, args, err);
}

static void json_error(FILE *out, int code, const char *message) {
        struct json_object *o = json_object_new_object(), *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(error_code_name(code)));
        json_object_object_add(e, "message", json_object_new_string(message));
        json_object_object_add(o, "error", e);
        json_print(out, o, 0);
        fputc('\n', out);
        json_object_put(o);
}

/* ---- CSV back end ---- */

/* RFC 4180 field: quoted only when it must be. */
static void csv_field(FILE *out, const char *s, bool last) {
        if (strpbrk(s, ",\"\r\n")) {
                fputc('"', out);
                for (; *s; s++) {
                        if (*s == '"')
                                fputc('"', out);
                        fputc(*s, out);
                }
                fputc('"', out);
        } else
                fputs(s, out);
        fputs(last ? "\n" : ",", out);
}

static int csv_capacity(FILE *out, struct json_object *data, struct json_object *args _unused_,
                        struct netd_error *err) {
        struct json_object *list = field_array(data, "networks");
        const char *c[8];
        char u[32];
        int r = capacity_check(data, err);

        if (r < 0)
                return r;
        fputs("name,cidr,total,reserved,allocated,free,utilization,clusters,fits_sno,fits_compact,fits_mno\n",
              out);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i), *v;

                capacity_entry_check(n, true, "capacity of a network", c, NULL);
                utilization_format(json_object_object_get_ex(n, "utilization", &v) ? json_object_get_double(v)
                                                                                   : 0,
                                   u, sizeof(u));
                csv_field(out, or_dash(field_text(n, "name")), false);
                csv_field(out, or_dash(field_text(n, "cidr")), false);
                for (size_t k = 0; k < 4; k++)
                        csv_field(out, c[k], false);
                csv_field(out, u, false);
                for (size_t k = 4; k < 8; k++)
                        csv_field(out, c[k], k == 7);
        }
        return 0;
}

/* ---- the back ends ---- */

static const struct output output_text = {
        .name = "text",
        .render =
                {
                        [VIEW_NETWORK_LIST] = text_network_list,
                        [VIEW_NETWORK] = text_network,
                        [VIEW_NETWORK_REMOVED] = text_network_removed,
                        [VIEW_CLUSTER_LIST] = text_cluster_list,
                        [VIEW_CLUSTER] = text_cluster,
                        [VIEW_CLUSTER_RELEASED] = text_cluster_released,
                        [VIEW_NODE_RELEASED] = text_node_released,
                        [VIEW_CAPACITY] = text_capacity,
                        [VIEW_HOST_LIST] = text_host_list,
                        [VIEW_HOST] = text_host,
                        [VIEW_HOST_REMOVED] = text_host_removed,
                        [VIEW_ATTACHED] = text_attached,
                        [VIEW_DETACHED] = text_detached,
                        [VIEW_LINK_ADDED] = text_link_added,
                        [VIEW_LINK_REMOVED] = text_link_removed,
                        [VIEW_ROUTE_ADDED] = text_route_added,
                        [VIEW_ROUTE_REMOVED] = text_route_removed,
                        [VIEW_FABRIC_STATUS] = text_fabric_status,
                        [VIEW_FABRIC_SYNCED] = text_fabric_synced,
                        [VIEW_VM_LIST] = text_vm_list,
                        [VIEW_EXPORT] = text_export,
                },
};

/* One view a line: clang-format would pack these short entries in pairs. */
/* clang-format off */
static const struct output output_json = {
        .name = "json",
        .render =
                {
                        [VIEW_NETWORK_LIST] = json_data,
                        [VIEW_NETWORK] = json_data,
                        [VIEW_NETWORK_REMOVED] = json_data,
                        [VIEW_CLUSTER_LIST] = json_data,
                        [VIEW_CLUSTER] = json_data,
                        [VIEW_CLUSTER_RELEASED] = json_data,
                        [VIEW_NODE_RELEASED] = json_data,
                        [VIEW_CAPACITY] = json_capacity,
                        [VIEW_HOST_LIST] = json_data,
                        [VIEW_HOST] = json_data,
                        [VIEW_HOST_REMOVED] = json_data,
                        [VIEW_ATTACHED] = json_data,
                        [VIEW_DETACHED] = json_data,
                        [VIEW_LINK_ADDED] = json_data,
                        [VIEW_LINK_REMOVED] = json_data,
                        [VIEW_ROUTE_ADDED] = json_data,
                        [VIEW_ROUTE_REMOVED] = json_data,
                        [VIEW_FABRIC_STATUS] = json_fabric,
                        [VIEW_FABRIC_SYNCED] = json_fabric,
                        [VIEW_VM_LIST] = json_vm_list,
                        [VIEW_EXPORT] = json_data,
                },
        .error = json_error,
};
/* clang-format on */

static const struct output output_csv = {
        .name = "csv",
        .render =
                {
                        [VIEW_CAPACITY] = csv_capacity,
                },
};

const struct output *output_get(enum output_format format) {
        switch (format) {
        case OUTPUT_JSON:
                return &output_json;
        case OUTPUT_CSV:
                return &output_csv;
        default:
                return &output_text;
        }
}

int output_result(const struct output *o, enum output_view view, struct json_object *data,
                  struct json_object *args, FILE *out, struct netd_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (view >= _VIEW_MAX || !o->render[view])
                return error_set(err, NETD_EINTERNAL, "no %s output for this reply", o->name);
        /* Render aside so that a malformed reply leaves stdout untouched. */
        f = open_memstream(&buf, &size);
        if (!f)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = o->render[view](f, data, args, err);
        if (fclose(f) != 0 && r >= 0)
                r = error_set(err, NETD_EINTERNAL, "out of memory");
        if (r < 0)
                return r;
        if (fwrite(buf, 1, size, out) != size)
                return error_set(err, NETD_EINTERNAL, "writing the output failed");
        return 0;
}

void output_error(const struct output *o, int code, const char *message, FILE *out, FILE *errf) {
        /* The message comes from the daemon: keep it on one line whatever it holds. */
        fprintf(errf, "netctl: %s: ", error_code_name(code));
        for (const unsigned char *s = (const unsigned char *)message; *s; s++) {
                if (*s < 0x20 || *s == 0x7f)
                        fprintf(errf, "\\x%02x", *s);
                else
                        fputc(*s, errf);
        }
        fputc('\n', errf);
        if (o->error)
                o->error(out, code, message);
}
