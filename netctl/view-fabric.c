/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fabric: every host's objects against the wanted state (fabric
 * status, fabric sync), and the links and routes added to a host. */
#include "output-json.h"
#include "reply.h"
#include "table.h"
#include "text.h"
#include "view.h"

/* ---- links and routes ---- */

static int link_text(FILE *out, struct json_object *data, struct json_object *args, const char *verb,
                     struct netd_error *err) {
        struct text_details d = {""};

        if (!json_object_is_type(data, json_type_object))
                return reply_malformed(err, "no link object");
        text_details_add(&d, "peer", reply_text(data, "peer"));
        text_details_add(&d, "master", reply_text(data, "master"));
        text_details_add(&d, "peer master", reply_text(data, "peer_master"));
        fprintf(out, "%s %s %s on %s%s\n", verb, reply_or_arg(data, args, "kind"),
                reply_or_arg(data, args, "name"), reply_or_arg(data, args, "host"), text_details_end(&d));
        return 0;
}

int view_fabric_link_added_text(FILE *out, struct json_object *data, struct json_object *args,
                                struct netd_error *err) {
        return link_text(out, data, args, "added", err);
}

int view_fabric_link_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                                  struct netd_error *err) {
        return link_text(out, data, args, "removed", err);
}

static int route_text(FILE *out, struct json_object *data, struct json_object *args, const char *verb,
                      struct netd_error *err) {
        struct text_details d = {""};
        const char *via = reply_text(data, "via");

        if (!json_object_is_type(data, json_type_object))
                return reply_malformed(err, "no route object");
        text_details_add(&d, "dev", reply_text(data, "dev"));
        fprintf(out, "%s route %s%s%s on %s%s\n", verb, reply_or_arg(data, args, "dest"), via ? " via " : "",
                via ? via : "", reply_or_arg(data, args, "host"), text_details_end(&d));
        return 0;
}

int view_fabric_route_added_text(FILE *out, struct json_object *data, struct json_object *args,
                                 struct netd_error *err) {
        return route_text(out, data, args, "added", err);
}

int view_fabric_route_removed_text(FILE *out, struct json_object *data, struct json_object *args,
                                   struct netd_error *err) {
        return route_text(out, data, args, "removed", err);
}

/* ---- status and sync ---- */

/* The states of the contract, in the order the summary counts them. */
static const char *const fabric_states[] = {"ok", "missing", "drifted", "conflict"};

/* The objects of a host; *ret is NULL when it has none (null or absent). */
static int fabric_host_objects(struct json_object *h, struct json_object **ret, struct netd_error *err) {
        struct json_object *v = NULL;

        *ret = NULL;
        if (!json_object_object_get_ex(h, "objects", &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return reply_malformed(err, "a host's \"objects\" is no list");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                struct json_object *o = json_object_array_get_idx(v, i);
                if (!json_object_is_type(o, json_type_object) || !reply_text(o, "kind") ||
                    !reply_text(o, "name") || !reply_text(o, "state"))
                        return reply_malformed(err, "an object of the fabric without kind, name or state");
        }
        *ret = v;
        return 0;
}

/* The status is what scripts poll, so a broken reply must fail rather
 * than pass for one, in every format. */
static int fabric_check(struct json_object *data, struct netd_error *err) {
        struct json_object *list = reply_array(data, "hosts"), *v, *objects;
        int r;

        if (!list)
                return reply_malformed(err, "no \"hosts\" list");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *h = json_object_array_get_idx(list, i);

                if (!json_object_is_type(h, json_type_object) || !reply_text(h, "name") ||
                    !json_object_object_get_ex(h, "connected", &v) ||
                    !json_object_is_type(v, json_type_boolean))
                        return reply_malformed(err, "a host of the fabric without name or connected");
                r = fabric_host_objects(h, &objects, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A libvirt host's connection, under its header line. */
static void libvirt_text(FILE *out, struct json_object *lv) {
        struct json_object *v;
        const char *error = reply_text(lv, "error");

        if (!lv || !reply_text(lv, "uri"))
                return;
        json_object_object_get_ex(lv, "connected", &v);
        fprintf(out, "libvirt %s  %s%s%s\n", reply_text(lv, "uri"),
                v && json_object_get_boolean(v) ? "connected" : "disconnected", error ? ": " : "",
                error ? error : "");
}

/* The closing line: hosts, then objects counted by state. */
static void fabric_summary(FILE *out, bool synced, size_t n_hosts, size_t n_connected, size_t n_connecting,
                           size_t n_objects, const size_t *counts, size_t n_other) {
        size_t n_failed = n_hosts - n_connected - n_connecting;

        if (synced && n_connected < n_hosts)
                fprintf(out, "synced %zu of %zu %s", n_connected, n_hosts,
                        text_plural(n_hosts, "host", "hosts"));
        else if (synced)
                fprintf(out, "synced %zu %s", n_hosts, text_plural(n_hosts, "host", "hosts"));
        else if (n_connected < n_hosts) {
                fprintf(out, "%zu %s", n_hosts, text_plural(n_hosts, "host", "hosts"));
                if (n_failed > 0)
                        fprintf(out, ", %zu failed", n_failed);
                if (n_connecting > 0)
                        fprintf(out, ", %zu connecting", n_connecting);
        } else
                fprintf(out, "%zu %s", n_hosts, text_plural(n_hosts, "host", "hosts"));
        if (n_objects == 0) {
                fputs("; no objects\n", out);
                return;
        }
        fprintf(out, "; %zu %s:", n_objects, text_plural(n_objects, "object", "objects"));
        for (size_t s = 0, n = 0; s <= ARRAY_SIZE(fabric_states); s++) {
                size_t count = s < ARRAY_SIZE(fabric_states) ? counts[s] : n_other;

                if (count == 0)
                        continue;
                fprintf(out, "%s %zu %s", n++ ? "," : "", count,
                        s < ARRAY_SIZE(fabric_states) ? fabric_states[s] : "other");
        }
        fputc('\n', out);
}

/* Per host a header line and its objects, then one summary line. The
 * object tables of all hosts share their column widths. */
static int fabric_text(FILE *out, struct json_object *data, bool synced, struct netd_error *err) {
        static const char *const headers[] = {"KIND", "NAME", "STATE", "DETAIL", NULL};
        struct json_object *list = reply_array(data, "hosts"), *objects, *v;
        size_t n_hosts, n_connected = 0, n_connecting = 0, n_objects = 0, n_other = 0,
                        counts[ARRAY_SIZE(fabric_states)] = {0};
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
                        const char *state = reply_text(o, "state");
                        bool known = false;

                        for (size_t s = 0; s < ARRAY_SIZE(fabric_states); s++)
                                if (streq(state, fabric_states[s])) {
                                        counts[s]++;
                                        known = true;
                                }
                        n_other += !known;
                        n_objects++;
                        table_row(&t, reply_text(o, "kind"), reply_text(o, "name"), state,
                                  reply_text(o, "detail"));
                }
                ends[i] = t.n_rows;
        }
        if (t.failed)
                return table_print(&t, out, err);
        table_widths(&t, width);
        for (size_t i = 0; i < n_hosts; i++) {
                struct json_object *h = json_object_array_get_idx(list, i);
                const char *error = reply_text(h, "error"), *state = reply_text(h, "state");
                bool connected;

                json_object_object_get_ex(h, "connected", &v);
                connected = json_object_get_boolean(v);
                n_connected += connected;
                /* An older netd says only connected or not. */
                if (!state)
                        state = connected ? "connected" : "disconnected";
                n_connecting += streq(state, "connecting");
                fprintf(out, "%s%s  %s%s%s\n", i ? "\n" : "", reply_text(h, "name"), state,
                        !connected && error ? ": " : "", !connected && error ? error : "");
                libvirt_text(out, reply_object(h, "libvirt"));
                if (ends[i] > from)
                        table_print_rows(&t, width, from, ends[i], out);
                else
                        fputs("no objects\n", out);
                from = ends[i];
        }
        table_free(&t);

        fputc('\n', out);
        fabric_summary(out, synced, n_hosts, n_connected, n_connecting, n_objects, counts, n_other);
        return 0;
}

int view_fabric_status_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                            struct netd_error *err) {
        return fabric_text(out, data, false, err);
}

int view_fabric_synced_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                            struct netd_error *err) {
        return fabric_text(out, data, true, err);
}

/* The fabric as it comes, once its shape is checked. */
int view_fabric_json(FILE *out, struct json_object *data, struct json_object *args, struct netd_error *err) {
        int r = fabric_check(data, err);

        if (r < 0)
                return r;
        return output_json_data(out, data, args, err);
}
