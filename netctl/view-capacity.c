/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capacity report: a table with a bar per network and the lab's
 * totals, JSON with exact numbers, and CSV. netd sends the counts as
 * decimal strings, since they may exceed 2^64 (a /48 of IPv6). */
#include "output-csv.h"
#include "output-json.h"
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

#define BAR_WIDTH 20

/* The counts of an entry, in the order of the text and CSV columns; a
 * network's fits follow them. */
static const char *const capacity_counts[] = {"total", "reserved", "allocated", "free", "clusters"};
static const char *const capacity_fits[] = {"sno", "compact", "mno"};
#define CAPACITY_N_COUNTS (ARRAY_SIZE(capacity_counts) + ARRAY_SIZE(capacity_fits))

/* Check one entry of the report; *ret gets its counts in capacity_counts
 * order, then (with_fits) its fits in capacity_fits order. */
static int capacity_entry_check(struct json_object *e, bool with_fits, const char *what, const char **ret,
                                struct netd_error *err) {
        struct json_object *fits = reply_object(e, "fits");

        if (!json_object_is_type(e, json_type_object))
                return reply_malformed(err, what);
        for (size_t i = 0; i < ARRAY_SIZE(capacity_counts); i++) {
                ret[i] = reply_count(e, capacity_counts[i], NULL);
                if (!ret[i])
                        return error_set(err, NETD_EINTERNAL, "malformed reply from netd: %s: bad \"%s\"",
                                         what, capacity_counts[i]);
        }
        if (!with_fits)
                return 0;
        for (size_t i = 0; i < ARRAY_SIZE(capacity_fits); i++) {
                ret[ARRAY_SIZE(capacity_counts) + i] =
                        fits ? reply_count(fits, capacity_fits[i], NULL) : NULL;
                if (!ret[ARRAY_SIZE(capacity_counts) + i])
                        return error_set(err, NETD_EINTERNAL, "malformed reply from netd: %s: bad fits.%s",
                                         what, capacity_fits[i]);
        }
        return 0;
}

/* The whole report: a list of networks and the lab's totals. */
static int capacity_check(struct json_object *data, struct netd_error *err) {
        struct json_object *list = reply_array(data, "networks"), *lab = reply_object(data, "lab");
        const char *c[CAPACITY_N_COUNTS];
        int r;

        if (!list || !lab)
                return reply_malformed(err, "no \"networks\" list or \"lab\" totals");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                r = capacity_entry_check(json_object_array_get_idx(list, i), true, "capacity of a network", c,
                                         err);
                if (r < 0)
                        return r;
        }
        return capacity_entry_check(lab, false, "lab totals", c, err);
}

static double capacity_utilization(struct json_object *e) {
        struct json_object *v;

        return json_object_object_get_ex(e, "utilization", &v) ? json_object_get_double(v) : 0;
}

/* ---- text ---- */

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

/* What fits of dual-stack clusters on an IPv4 and an IPv6 network together. */
static void dual_stack_print(FILE *out, struct json_object *d) {
        struct json_object *names = reply_array(d, "networks"), *fits = reply_object(d, "fits");
        u128 v;

        if (!names || json_object_array_length(names) != 2 || !fits)
                return;
        fprintf(out, "dual-stack on %s and %s: fits %s sno",
                json_object_get_string(json_object_array_get_idx(names, 0)),
                json_object_get_string(json_object_array_get_idx(names, 1)),
                text_or_dash(reply_count(fits, "sno", &v)));
        fprintf(out, ", %s compact", text_or_dash(reply_count(fits, "compact", &v)));
        fprintf(out, ", %s mno\n", text_or_dash(reply_count(fits, "mno", &v)));
}

int view_capacity_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                       struct netd_error *err) {
        static const char *const headers[] = {
                "NETWORK", "CIDR",      ">TOTAL",    ">RESERVED",     ">ALLOCATED", ">FREE", ">USED%",
                "",        ">CLUSTERS", ">FITS-SNO", ">FITS-COMPACT", ">FITS-MNO",  NULL,
        };
        struct json_object *list = reply_array(data, "networks"), *lab = reply_object(data, "lab");
        const char *c[CAPACITY_N_COUNTS];
        char pct[16], bar[BAR_WIDTH + 3];
        struct table t;
        u128 total = 0, reserved = 0, allocated = 0;
        double u;
        int r = capacity_check(data, err);

        if (r < 0)
                return r;
        table_init(&t, headers);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i);

                capacity_entry_check(n, true, "capacity of a network", c, NULL);
                u = capacity_utilization(n);
                percent_format(u, pct, sizeof(pct));
                bar_format(u, bar);
                table_row(&t, reply_text(n, "name"), reply_text(n, "cidr"), c[0], c[1], c[2], c[3], pct, bar,
                          c[4], c[5], c[6], c[7]);
        }
        capacity_entry_check(lab, false, "lab totals", c, NULL);
        reply_count(lab, "total", &total);
        reply_count(lab, "reserved", &reserved);
        reply_count(lab, "allocated", &allocated);
        u = total > reserved ? (double)allocated / (double)(total - reserved) : 0;
        percent_format(u, pct, sizeof(pct));
        bar_format(u, bar);
        /* Network names are lowercase, so the totals row cannot be taken for one. */
        table_row(&t, "TOTAL", "", c[0], c[1], c[2], c[3], pct, bar, c[4], "", "", "");
        r = table_print(&t, out, err);
        if (r >= 0)
                dual_stack_print(out, reply_object(data, "dual_stack"));
        return r;
}

/* ---- JSON ---- */

/* Utilization with 4 decimals, trailing zeros cut but one kept: 0.0327, 0.5, 1.0. */
static const char *utilization_format(double u, char *buf, size_t size) {
        size_t n;

        snprintf(buf, size, "%.4f", u);
        n = strlen(buf);
        while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
                buf[--n] = '\0';
        return buf;
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

int view_capacity_json(FILE *out, struct json_object *data, struct json_object *args _unused_,
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
                } else if (streq(key, "lab") || streq(key, "dual_stack"))
                        v = capacity_entry_json(val, false);
                else
                        v = json_object_get(val);
                json_object_object_add(report, key, v);
        }
        output_json_print(out, report);
        json_object_put(report);
        return 0;
}

/* ---- CSV ---- */

int view_capacity_csv(FILE *out, struct json_object *data, struct json_object *args _unused_,
                      struct netd_error *err) {
        struct json_object *list = reply_array(data, "networks");
        const char *c[CAPACITY_N_COUNTS];
        char u[32];
        int r = capacity_check(data, err);

        if (r < 0)
                return r;
        fputs("name,cidr,total,reserved,allocated,free,utilization,clusters,fits_sno,fits_compact,fits_mno\n",
              out);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i);

                capacity_entry_check(n, true, "capacity of a network", c, NULL);
                utilization_format(capacity_utilization(n), u, sizeof(u));
                output_csv_field(out, text_or_dash(reply_text(n, "name")), false);
                output_csv_field(out, text_or_dash(reply_text(n, "cidr")), false);
                for (size_t k = 0; k < 4; k++)
                        output_csv_field(out, c[k], false);
                output_csv_field(out, u, false);
                for (size_t k = 4; k < CAPACITY_N_COUNTS; k++)
                        output_csv_field(out, c[k], k == CAPACITY_N_COUNTS - 1);
        }
        return 0;
}
