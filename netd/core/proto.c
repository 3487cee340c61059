/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "proto.h"
#include "validate.h"

#define S(n)                                                                                                 \
        { n, PROTO_STRING, false }
#define S_REQ(n)                                                                                             \
        { n, PROTO_STRING, true }
#define I(n)                                                                                                 \
        { n, PROTO_INT, false }
#define B(n)                                                                                                 \
        { n, PROTO_BOOL, false }
#define A(n)                                                                                                 \
        { n, PROTO_STRING_ARRAY, false }
#define END                                                                                                  \
        { NULL, 0, false }

static const struct proto_field f_none[] = {END};
static const struct proto_field f_name[] = {S_REQ("name"), END};
static const struct proto_field f_network_add[] = {
        S_REQ("name"),
        S_REQ("cidr"),
        S("gateway"),
        S("domain"),
        S("interface"),
        A("reserve"),
        S("dhcp_range"),
        I("vni"),
        S("bridge"),
        I("mtu"),
        S("boot_file"),
        S("boot_file_efi"),
        S("boot_server"),
        S("tftp_root"),
        S("ipxe_script"),
        A("dhcp_option"),
        S("underlay_family"),
        END,
};
/* mtu and dhcp_range take "none"; reserve replaces the reserved ranges. */
static const struct proto_field f_network_set[] = {
        S_REQ("name"),
        S("mtu"),
        S("dhcp_range"),
        A("reserve"),
        S("boot_file"),
        S("boot_file_efi"),
        S("boot_server"),
        S("tftp_root"),
        S("ipxe_script"),
        B("no_boot"),
        A("dhcp_option"),
        A("no_dhcp_option"),
        END,
};
/* boot: "network" (drop the node's own boot instructions). */
static const struct proto_field f_node_set[] = {
        S_REQ("cluster"), S_REQ("node"), S("ipxe_script"), S("boot_file"), S("boot"),
        S("bmc_address"), S("root_disk"), S("boot_mode"), END,
};
/* network: one network (v1); networks: one per family, primary first. */
static const struct proto_field f_cluster_allocate[] = {
        S_REQ("name"), S("network"), A("networks"), S("topology"), I("masters"), I("workers"), A("mac"),
        A("machine_network"), A("reuse"), END,
};
static const struct proto_field f_node_allocate[] = {S_REQ("cluster"), S_REQ("node"), S("mac"), END};
static const struct proto_field f_node_release[] = {S_REQ("cluster"), S_REQ("node"), END};
static const struct proto_field f_cluster_list[] = {S("network"), END};
static const struct proto_field f_capacity[] = {S("network"), A("networks"), END};
/* underlay: one or two addresses (at most one per family). */
static const struct proto_field f_host_add[] = {
        S_REQ("name"), S_REQ("connect"), {"underlay", PROTO_STRING_ARRAY, true}, S("agent"), S("libvirt"),
        S("bmc"),      END,
};
/* libvirt and bmc take "none". */
static const struct proto_field f_host_set[] = {
        S_REQ("name"), S("connect"), A("underlay"), S("agent"), S("libvirt"), S("bmc"), END,
};
static const struct proto_field f_attach[] = {S_REQ("network"), S_REQ("host"), S("uplink"), S("address"),
                                              END};
static const struct proto_field f_detach[] = {S_REQ("network"), S_REQ("host"), B("force"), END};
static const struct proto_field f_link_add[] = {
        S_REQ("host"), S_REQ("kind"), S_REQ("name"), S_REQ("peer"), S("master"), S("peer_master"), END,
};
static const struct proto_field f_link_remove[] = {S_REQ("host"), S_REQ("name"), END};
static const struct proto_field f_route_add[] = {S_REQ("host"), S_REQ("dest"), S_REQ("via"), S("dev"), END};
static const struct proto_field f_route_remove[] = {S_REQ("host"), S_REQ("dest"), END};
static const struct proto_field f_fabric_sync[] = {S("host"), END};
static const struct proto_field f_vm_list[] = {S("host"), END};
/* format (dci-abi|dci-ipi) is for export.inventory only. */
static const struct proto_field f_export[] = {
        S_REQ("cluster"), B("allow_incomplete"), B("udev_compat"), S("template_namespace"), S("format"), END,
};

const struct proto_command proto_commands[] = {
        {"network.add", f_network_add, true, PROTO_ACCESS_ADMIN},
        {"network.list", f_none, false, PROTO_ACCESS_NETD},
        {"network.show", f_name, false, PROTO_ACCESS_NETD},
        {"network.set", f_network_set, true, PROTO_ACCESS_ADMIN},
        {"network.remove", f_name, true, PROTO_ACCESS_ADMIN},
        {"cluster.allocate", f_cluster_allocate, true, PROTO_ACCESS_NETD},
        {"cluster.release", f_name, true, PROTO_ACCESS_NETD},
        {"cluster.list", f_cluster_list, false, PROTO_ACCESS_NETD},
        {"cluster.show", f_name, false, PROTO_ACCESS_NETD},
        {"node.allocate", f_node_allocate, true, PROTO_ACCESS_NETD},
        {"node.release", f_node_release, true, PROTO_ACCESS_NETD},
        {"node.set", f_node_set, true, PROTO_ACCESS_NETD},
        {"report.capacity", f_capacity, false, PROTO_ACCESS_NETD},
        {"host.add", f_host_add, true, PROTO_ACCESS_ADMIN},
        {"host.set", f_host_set, true, PROTO_ACCESS_ADMIN},
        {"host.list", f_none, false, PROTO_ACCESS_NETD},
        {"host.show", f_name, false, PROTO_ACCESS_NETD},
        {"host.remove", f_name, true, PROTO_ACCESS_ADMIN},
        {"network.attach", f_attach, true, PROTO_ACCESS_ADMIN},
        {"network.detach", f_detach, true, PROTO_ACCESS_ADMIN},
        {"link.add", f_link_add, true, PROTO_ACCESS_ADMIN},
        {"link.remove", f_link_remove, true, PROTO_ACCESS_ADMIN},
        {"route.add", f_route_add, true, PROTO_ACCESS_ADMIN},
        {"route.remove", f_route_remove, true, PROTO_ACCESS_ADMIN},
        {"fabric.status", f_none, false, PROTO_ACCESS_NETD},
        {"fabric.sync", f_fabric_sync, false, PROTO_ACCESS_ADMIN},
        {"vm.list", f_vm_list, false, PROTO_ACCESS_NETD},
        {"export.clusterinstance", f_export, false, PROTO_ACCESS_NETD},
        {"export.siteconfig", f_export, false, PROTO_ACCESS_NETD},
        {"export.inventory", f_export, false, PROTO_ACCESS_NETD},
        {"export.dnsmasq", f_export, false, PROTO_ACCESS_NETD},
        {"ping", f_none, false, PROTO_ACCESS_NETD},
        {NULL, NULL, false, 0},
};

const struct proto_command *proto_command_find(const char *name) {
        for (const struct proto_command *c = proto_commands; c->name; c++)
                if (streq(c->name, name))
                        return c;
        return NULL;
}

static const struct proto_field *field_find(const struct proto_command *cmd, const char *name) {
        for (const struct proto_field *f = cmd->fields; f->name; f++)
                if (streq(f->name, name))
                        return f;
        return NULL;
}

static bool value_has_type(struct json_object *v, enum proto_type t) {
        switch (t) {
        case PROTO_STRING:
                return json_object_is_type(v, json_type_string);
        case PROTO_INT:
                return json_object_is_type(v, json_type_int);
        case PROTO_BOOL:
                return json_object_is_type(v, json_type_boolean);
        case PROTO_STRING_ARRAY:
                if (!json_object_is_type(v, json_type_array))
                        return false;
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
                                return false;
                return true;
        }
        return false;
}

/* Strings reach validators as C strings: an embedded NUL would hide the
 * rest of the value from them, so refuse it here. */
static bool string_is_clean(struct json_object *v) {
        return strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v);
}

static bool value_is_clean(struct json_object *v) {
        if (json_object_is_type(v, json_type_string))
                return string_is_clean(v);
        if (json_object_is_type(v, json_type_array))
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        if (!string_is_clean(json_object_array_get_idx(v, i)))
                                return false;
        return true;
}

/* Keys of every object in `o`, nested ones included. json-c refuses
 * documents nested deeper than its depth limit, which bounds the recursion. */
static size_t json_keys_count(struct json_object *o) {
        size_t n = 0;

        if (json_object_is_type(o, json_type_array))
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        n += json_keys_count(json_object_array_get_idx(o, i));
        if (!json_object_is_type(o, json_type_object))
                return n;
        json_object_object_foreach(o, key, val) {
                (void)key;
                n += 1 + json_keys_count(val);
        }
        return n;
}

int proto_json_check_keys(const char *text, size_t len, struct json_object *doc, struct netd_error *err) {
        bool in_string = false;
        size_t colons = 0;

        for (size_t i = 0; i < len; i++) {
                char c = text[i];

                if (in_string) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"')
                        in_string = true;
                else if (c == ':')
                        colons++;
                else if (c == '\'' || c == '/')
                        return error_set(err, NETD_EINVALID, "malformed request: not plain JSON");
        }
        if (colons != json_keys_count(doc))
                return error_set(err, NETD_EINVALID, "malformed request: a key is repeated");
        return 0;
}

int proto_request_parse(const char *line, size_t len, const struct proto_command **ret_cmd,
                        struct json_object **ret_args, struct netd_error *err) {
        struct json_tokener *tok;
        struct json_object *req, *v, *args = NULL;
        const struct proto_command *cmd;
        char q[80];

        if (len > PROTO_MAX_MESSAGE)
                return error_set(err, NETD_EINVALID, "request too large (%zu bytes, limit %d)", len,
                                 PROTO_MAX_MESSAGE);
        tok = json_tokener_new();
        if (!tok)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        req = json_tokener_parse_ex(tok, line, (int)len);
        if (req && tok->char_offset < (int)len) {
                /* Trailing bytes after the document: not one request. */
                json_object_put(req);
                req = NULL;
        }
        json_tokener_free(tok);
        if (!req || !json_object_is_type(req, json_type_object)) {
                json_object_put(req);
                return error_set(err, NETD_EINVALID, "malformed request: not a JSON object");
        }
        if (proto_json_check_keys(line, len, req, err) < 0) {
                json_object_put(req);
                return NETD_EINVALID;
        }
        if (!json_object_object_get_ex(req, "command", &v) || !json_object_is_type(v, json_type_string)) {
                json_object_put(req);
                return error_set(err, NETD_EINVALID, "malformed request: no \"command\" string");
        }
        cmd = proto_command_find(json_object_get_string(v));
        if (!cmd) {
                error_quote_untrusted(json_object_get_string(v), q, sizeof(q));
                json_object_put(req);
                return error_set(err, NETD_EINVALID, "unknown command \"%s\"", q);
        }
        if (json_object_object_get_ex(req, "args", &v)) {
                if (!json_object_is_type(v, json_type_object)) {
                        json_object_put(req);
                        return error_set(err, NETD_EINVALID, "%s: \"args\" must be an object", cmd->name);
                }
                args = json_object_get(v);
        } else
                args = json_object_new_object();
        json_object_put(req);

        json_object_object_foreach(args, key, val) {
                const struct proto_field *f = field_find(cmd, key);
                if (!f) {
                        error_quote_untrusted(key, q, sizeof(q));
                        json_object_put(args);
                        return error_set(err, NETD_EINVALID, "%s: unknown argument \"%s\"", cmd->name, q);
                }
                if (!value_has_type(val, f->type) || !value_is_clean(val)) {
                        /* The message is made before args (which owns key) goes. */
                        error_set(err, NETD_EINVALID, "%s: argument \"%s\" has the wrong type", cmd->name,
                                  f->name);
                        json_object_put(args);
                        return NETD_EINVALID;
                }
        }
        for (const struct proto_field *f = cmd->fields; f->name; f++)
                if (f->required && !json_object_object_get_ex(args, f->name, NULL)) {
                        json_object_put(args);
                        return error_set(err, NETD_EINVALID, "%s: missing argument \"%s\"", cmd->name,
                                         f->name);
                }
        *ret_cmd = cmd;
        *ret_args = args;
        return 0;
}

static char *format_line(struct json_object *o) {
        const char *s =
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t n = strlen(s);
        char *line = malloc(n + 2);

        if (line) {
                memcpy(line, s, n);
                line[n] = '\n';
                line[n + 1] = '\0';
        }
        json_object_put(o);
        return line;
}

char *proto_request_format(const char *command, struct json_object *args) {
        struct json_object *req = json_object_new_object();

        json_object_object_add(req, "command", json_object_new_string(command));
        json_object_object_add(req, "args", args ? args : json_object_new_object());
        return format_line(req);
}

char *proto_reply_format_ok(struct json_object *data) {
        struct json_object *r = json_object_new_object();

        json_object_object_add(r, "data", data);
        json_object_object_add(r, "result", json_object_new_string("ok"));
        return format_line(r);
}

char *proto_reply_format_error(int code, const char *message) {
        struct json_object *r = json_object_new_object(), *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(error_code_name(code)));
        json_object_object_add(e, "message", json_object_new_string(message));
        json_object_object_add(r, "error", e);
        json_object_object_add(r, "result", json_object_new_string("error"));
        return format_line(r);
}

int proto_reply_parse(const char *line, size_t len, struct json_object **ret_data, struct netd_error *err) {
        struct json_tokener *tok = json_tokener_new();
        struct json_object *r, *v, *code, *msg;
        int rc;

        if (!tok)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = json_tokener_parse_ex(tok, line, (int)len);
        json_tokener_free(tok);
        if (!r || !json_object_is_type(r, json_type_object) || !json_object_object_get_ex(r, "result", &v)) {
                json_object_put(r);
                return error_set(err, NETD_EINTERNAL, "malformed reply from netd");
        }
        if (streq(json_object_get_string(v), "ok")) {
                *ret_data = json_object_object_get_ex(r, "data", &v) ? json_object_get(v) : NULL;
                json_object_put(r);
                return 0;
        }
        if (!json_object_object_get_ex(r, "error", &v) || !json_object_object_get_ex(v, "code", &code) ||
            !json_object_object_get_ex(v, "message", &msg)) {
                json_object_put(r);
                return error_set(err, NETD_EINTERNAL, "malformed error reply from netd");
        }
        rc = error_code_from_name(json_object_get_string(code));
        error_set(err, rc, "%s", json_object_get_string(msg));
        json_object_put(r);
        return rc;
}

const char *proto_arg_string(struct json_object *args, const char *name) {
        struct json_object *v;

        if (!json_object_object_get_ex(args, name, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

bool proto_arg_int(struct json_object *args, const char *name, int64_t *ret) {
        struct json_object *v;

        if (!json_object_object_get_ex(args, name, &v) || !json_object_is_type(v, json_type_int))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}

bool proto_arg_bool(struct json_object *args, const char *name) {
        struct json_object *v;

        return json_object_object_get_ex(args, name, &v) && json_object_get_boolean(v);
}

const char **proto_arg_strings(struct json_object *args, const char *name, size_t *ret_n) {
        struct json_object *v;
        const char **l;
        size_t n;

        *ret_n = 0;
        if (!json_object_object_get_ex(args, name, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        n = json_object_array_length(v);
        l = calloc(n + 1, sizeof(*l));
        if (!l)
                return NULL;
        for (size_t i = 0; i < n; i++)
                l[i] = json_object_get_string(json_object_array_get_idx(v, i));
        *ret_n = n;
        return l;
}
