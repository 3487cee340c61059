/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "client.h"
#include "commands.h"
#include "netd/core/proto.h"

#define HELP_WIDTH 80

static const struct command_flag flags_network_add[] = {
        {"cidr", "cidr", FLAG_STRING, "CIDR", "prefix of the network, IPv4 or IPv6"},
        {"gateway", "gateway", FLAG_STRING, "IP", "gateway address (default: the first usable one)"},
        {"domain", "domain", FLAG_STRING, "DOMAIN", "DNS domain of its clusters (default: lab.internal)"},
        {"interface", "interface", FLAG_STRING, "IFACE", "jumphost interface managed dnsmasq serves it on"},
        {"reserve", "reserve", FLAG_STRINGS, "START-END", "range never given to clusters (repeatable)"},
        {"dhcp-range", "dhcp_range", FLAG_STRING, "START-END", "dynamic DHCP pool for unknown clients"},
        {"vni", "vni", FLAG_INT, "N", "VXLAN network identifier"},
        {"bridge", "bridge", FLAG_STRING, "IFACE", "bridge on the hosts (default: br-NAME)"},
        {"mtu", "mtu", FLAG_INT, "N", "MTU of the network's devices"},
        {NULL},
};

static const struct command_flag flags_cluster_allocate[] = {
        {"network", "network", FLAG_STRING, "NET", "network to allocate in (default: the only one)"},
        {"topology", "topology", FLAG_STRING, "sno|compact|mno", "shape of the cluster (default: sno)"},
        {"masters", "masters", FLAG_INT, "N", "number of masters (overrides the topology's)"},
        {"workers", "workers", FLAG_INT, "N", "number of workers (overrides the topology's)"},
        {"mac", "mac", FLAG_STRINGS, "NODE=MAC", "use this MAC for a node (repeatable)"},
        {NULL},
};

static const struct command_flag flags_node_allocate[] = {
        {"mac", "mac", FLAG_STRING, "MAC", "use this MAC (default: a generated 52:54:00 one)"},
        {NULL},
};

static const struct command_flag flags_cluster_list[] = {
        {"network", "network", FLAG_STRING, "NET", "only the clusters of this network"},
        {NULL},
};

static const struct command_flag flags_capacity[] = {
        {"network", "network", FLAG_STRING, "NET", "only this network"},
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {"csv", NULL, FLAG_FORMAT, NULL, "print CSV: a header row and one row per network", OUTPUT_CSV},
        {NULL},
};

static const struct command_flag flags_host_add[] = {
        {"connect", "connect", FLAG_STRING, "CMD",
         "how to reach the host: local, or a command prefix (ssh ...)"},
        {"underlay", "underlay", FLAG_STRING, "IP", "the host's VXLAN endpoint address"},
        {"libvirt", "libvirt", FLAG_STRING, "URI", "libvirt connection URI of the host"},
        {"bmc", "bmc", FLAG_STRING, "HOST:PORT", "Redfish BMC of the host's VMs, named by the exports"},
        {NULL},
};

static const struct command_flag flags_network_attach[] = {
        {"uplink", "uplink", FLAG_STRING, "IFACE", "interface to enslave to the network's bridge"},
        {"address", "address", FLAG_STRING, "IP/PREFIX", "address of the bridge on the host"},
        {NULL},
};

static const struct command_flag flags_network_detach[] = {
        {"force", "force", FLAG_BOOL, NULL,
         "detach even while interfaces netd did not create are on the bridge"},
        {NULL},
};

static const struct command_flag flags_link_add[] = {
        {"peer", "peer", FLAG_STRING, "PEER", "name of the other end"},
        {"master", "master", FLAG_STRING, "BRIDGE", "bridge to enslave NAME to"},
        {"peer-master", "peer_master", FLAG_STRING, "BRIDGE", "bridge to enslave PEER to"},
        {NULL},
};

static const struct command_flag flags_route_add[] = {
        {"via", "via", FLAG_STRING, "GW", "next hop"},
        {"dev", "dev", FLAG_STRING, "IFACE", "interface the route goes out of"},
        {NULL},
};

static const struct command_flag flags_fabric_status[] = {
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {NULL},
};

static const struct command_flag flags_vm_list[] = {
        {"host", "host", FLAG_STRING, "HOST", "only the VMs of this host"},
        {"json", NULL, FLAG_FORMAT, NULL, "print JSON", OUTPUT_JSON},
        {NULL},
};

/* A new command is a row here (plus its flags array) naming a command of
 * netd/proto.c; commands_check() holds the two tables together. A new kind
 * of reply also needs a view in output.h with at least a text renderer;
 * the JSON back end prints most views as they come. */
const struct command commands[] = {
        {
                .words = {"network", "add"},
                .args = {{"NAME", "name"}},
                .flags = flags_network_add,
                .proto = "network.add",
                .view = VIEW_NETWORK,
                .help = "define a network",
        },
        {
                .words = {"network", "list"},
                .proto = "network.list",
                .view = VIEW_NETWORK_LIST,
                .help = "list the networks",
        },
        {
                .words = {"network", "show"},
                .args = {{"NAME", "name"}},
                .proto = "network.show",
                .view = VIEW_NETWORK,
                .help = "show a network",
        },
        {
                .words = {"network", "remove"},
                .args = {{"NAME", "name"}},
                .proto = "network.remove",
                .view = VIEW_NETWORK_REMOVED,
                .help = "remove a network no cluster uses",
        },
        {
                .words = {"network", "attach"},
                .args = {{"NET", "network"}, {"HOST", "host"}},
                .flags = flags_network_attach,
                .proto = "network.attach",
                .view = VIEW_ATTACHED,
                .help = "build a network's bridge (and VXLAN) on a host",
        },
        {
                .words = {"network", "detach"},
                .args = {{"NET", "network"}, {"HOST", "host"}},
                .flags = flags_network_detach,
                .proto = "network.detach",
                .view = VIEW_DETACHED,
                .help = "take a network's bridge (and VXLAN) off a host",
        },
        {
                .words = {"allocate", "cluster"},
                .args = {{"NAME", "name"}},
                .flags = flags_cluster_allocate,
                .proto = "cluster.allocate",
                .view = VIEW_CLUSTER,
                .help = "allocate addresses and MACs for a whole cluster",
        },
        {
                .words = {"allocate", "node"},
                .args = {{"CLUSTER", "cluster"}, {"NODE", "node"}},
                .flags = flags_node_allocate,
                .proto = "node.allocate",
                .view = VIEW_CLUSTER,
                .help = "add a node to a cluster (day 2)",
        },
        {
                .words = {"release", "node"},
                .args = {{"CLUSTER", "cluster"}, {"NODE", "node"}},
                .proto = "node.release",
                .view = VIEW_NODE_RELEASED,
                .help = "release one node of a cluster",
        },
        {
                .words = {"release", "cluster"},
                .args = {{"NAME", "name"}},
                .proto = "cluster.release",
                .view = VIEW_CLUSTER_RELEASED,
                .help = "release a cluster and all its addresses",
        },
        {
                .words = {"cluster", "list"},
                .flags = flags_cluster_list,
                .proto = "cluster.list",
                .view = VIEW_CLUSTER_LIST,
                .help = "list the clusters",
        },
        {
                .words = {"cluster", "show"},
                .args = {{"NAME", "name"}},
                .proto = "cluster.show",
                .view = VIEW_CLUSTER,
                .help = "show a cluster",
        },
        {
                .words = {"report", "capacity"},
                .flags = flags_capacity,
                .proto = "report.capacity",
                .view = VIEW_CAPACITY,
                .help = "report used and free addresses per network",
        },
        {
                .words = {"host", "add"},
                .args = {{"NAME", "name"}},
                .flags = flags_host_add,
                .proto = "host.add",
                .view = VIEW_HOST,
                .help = "define a host of the fabric",
        },
        {
                .words = {"host", "list"},
                .proto = "host.list",
                .view = VIEW_HOST_LIST,
                .help = "list the hosts",
        },
        {
                .words = {"host", "show"},
                .args = {{"NAME", "name"}},
                .proto = "host.show",
                .view = VIEW_HOST,
                .help = "show a host",
        },
        {
                .words = {"host", "remove"},
                .args = {{"NAME", "name"}},
                .proto = "host.remove",
                .view = VIEW_HOST_REMOVED,
                .help = "remove a host",
        },
        {
                /* The kind is typed as a word ("link add hv1 veth v0") and
                 * netd checks it: veth is the only kind so far. */
                .words = {"link", "add"},
                .args = {{"HOST", "host"}, {"veth", "kind"}, {"NAME", "name"}},
                .flags = flags_link_add,
                .proto = "link.add",
                .view = VIEW_LINK_ADDED,
                .help = "create a veth pair on a host",
        },
        {
                .words = {"link", "remove"},
                .args = {{"HOST", "host"}, {"NAME", "name"}},
                .proto = "link.remove",
                .view = VIEW_LINK_REMOVED,
                .help = "remove a link netd created on a host",
        },
        {
                .words = {"route", "add"},
                .args = {{"HOST", "host"}, {"DEST/PREFIX", "dest"}},
                .flags = flags_route_add,
                .proto = "route.add",
                .view = VIEW_ROUTE_ADDED,
                .help = "add a route on a host",
        },
        {
                .words = {"route", "remove"},
                .args = {{"HOST", "host"}, {"DEST/PREFIX", "dest"}},
                .proto = "route.remove",
                .view = VIEW_ROUTE_REMOVED,
                .help = "remove a route netd added on a host",
        },
        {
                .words = {"fabric", "status"},
                .flags = flags_fabric_status,
                .proto = "fabric.status",
                .view = VIEW_FABRIC_STATUS,
                .help = "compare every host with the wanted fabric",
        },
        {
                .words = {"fabric", "sync"},
                .args = {{"HOST", "host"}},
                .proto = "fabric.sync",
                .view = VIEW_FABRIC_SYNCED,
                .help = "repair the fabric on every host, or on HOST",
        },
        {
                .words = {"vm", "list"},
                .flags = flags_vm_list,
                .proto = "vm.list",
                .view = VIEW_VM_LIST,
                .help = "list the VMs of every libvirt host, matched to clusters by MAC",
        },
        {
                .words = {"export", "clusterinstance"},
                .args = {{"CLUSTER", "cluster"}},
                .proto = "export.clusterinstance",
                .view = VIEW_EXPORT,
                .help = "a ZTP ClusterInstance (siteconfig v1alpha1) of a cluster",
        },
        {
                .words = {"export", "siteconfig"},
                .args = {{"CLUSTER", "cluster"}},
                .proto = "export.siteconfig",
                .view = VIEW_EXPORT,
                .help = "a ZTP SiteConfig (ran.openshift.io/v1) of a cluster",
        },
        {
                .words = {"export", "inventory"},
                .args = {{"CLUSTER", "cluster"}},
                .proto = "export.inventory",
                .view = VIEW_EXPORT,
                .help = "a DCI-style Ansible inventory of a cluster",
        },
        {
                .words = {"export", "dnsmasq"},
                .args = {{"CLUSTER", "cluster"}},
                .proto = "export.dnsmasq",
                .view = VIEW_EXPORT,
                .help = "the dnsmasq lines of a cluster",
        },
        {},
};

/* ---- the table and the protocol ---- */

static const struct proto_field *proto_field_find(const struct proto_command *pc, const char *name) {
        for (const struct proto_field *f = pc->fields; f->name; f++)
                if (streq(f->name, name))
                        return f;
        return NULL;
}

bool command_field_required(const struct command *c, const char *field) {
        const struct proto_command *pc = proto_command_find(c->proto);
        const struct proto_field *f = pc ? proto_field_find(pc, field) : NULL;

        return f && f->required;
}

size_t command_n_words(const struct command *c) {
        size_t n = 0;

        while (n < COMMAND_MAX_WORDS && c->words[n])
                n++;
        return n;
}

size_t command_n_args(const struct command *c) {
        size_t n = 0;

        while (n < COMMAND_MAX_ARGS && c->args[n].metavar)
                n++;
        return n;
}

static void words_join(const char *const *words, size_t n, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n && len < size; i++)
                len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", words[i]);
}

void command_name(const struct command *c, char *buf, size_t size) {
        words_join(c->words, command_n_words(c), buf, size);
}

static bool command_has_prefix(const struct command *c, const char *const *words, size_t n) {
        if (n > command_n_words(c))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(c->words[i], words[i]))
                        return false;
        return true;
}

static bool field_is_asked(const struct command *c, const char *field) {
        for (size_t i = 0; i < command_n_args(c); i++)
                if (streq(c->args[i].field, field))
                        return true;
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (streq(f->field, field))
                        return true;
        return false;
}

static int command_check(const struct command *c, struct netd_error *err) {
        static const enum proto_type flag_proto_type[] = {
                [FLAG_STRING] = PROTO_STRING,
                [FLAG_INT] = PROTO_INT,
                [FLAG_STRINGS] = PROTO_STRING_ARRAY,
                [FLAG_BOOL] = PROTO_BOOL,
        };
        const struct proto_command *pc = proto_command_find(c->proto);
        const struct proto_field *pf;
        bool optional_seen = false;
        char name[64];

        words_join(c->words, command_n_words(c), name, sizeof(name));
        if (!pc)
                return error_set(err, NETD_EINTERNAL, "command '%s': unknown protocol command %s", name,
                                 c->proto);
        if (!output_get(OUTPUT_TEXT)->render[c->view])
                return error_set(err, NETD_EINTERNAL, "command '%s': its view has no text renderer", name);
        for (size_t i = 0; i < command_n_args(c); i++) {
                pf = proto_field_find(pc, c->args[i].field);
                if (!pf || pf->type != PROTO_STRING)
                        return error_set(err, NETD_EINTERNAL, "command '%s': %s is no string field of %s",
                                         name, c->args[i].metavar, c->proto);
                /* Positionals are matched in order: an optional one can only be last. */
                if (optional_seen && pf->required)
                        return error_set(err, NETD_EINTERNAL,
                                         "command '%s': required %s follows an optional argument", name,
                                         c->args[i].metavar);
                optional_seen = !pf->required;
        }
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                if (f->type == FLAG_FORMAT)
                        continue;
                pf = proto_field_find(pc, f->field);
                if (!pf || pf->type != flag_proto_type[f->type])
                        return error_set(err, NETD_EINTERNAL,
                                         "command '%s': --%s does not match a field of %s", name, f->name,
                                         c->proto);
        }
        for (pf = pc->fields; pf->name; pf++)
                if (pf->required && !field_is_asked(c, pf->name))
                        return error_set(err, NETD_EINTERNAL, "command '%s': never sends required field %s",
                                         name, pf->name);
        return 0;
}

int commands_check(struct netd_error *err) {
        char name[64];

        for (const struct command *c = commands; c->words[0]; c++) {
                int r = command_check(c, err);
                if (r < 0)
                        return r;
                /* Words are matched as they come: a command whose words begin
                 * another's would hide it. */
                for (const struct command *o = commands; o->words[0]; o++)
                        if (o != c && command_has_prefix(o, c->words, command_n_words(c))) {
                                words_join(c->words, command_n_words(c), name, sizeof(name));
                                return error_set(err, NETD_EINTERNAL, "command '%s' hides another", name);
                        }
        }
        return 0;
}

/* ---- help ---- */

/* Appends synopsis pieces, breaking lines before HELP_WIDTH and indenting
 * continuation lines under the first piece after the prefix. */
struct wrapper {
        FILE *out;
        size_t col, indent;
};

static void wrap_piece(struct wrapper *w, const char *fmt, ...) _printf_(2, 3);
static void wrap_piece(struct wrapper *w, const char *fmt, ...) {
        char piece[256];
        va_list ap;
        size_t n;

        va_start(ap, fmt);
        vsnprintf(piece, sizeof(piece), fmt, ap);
        va_end(ap);
        n = strlen(piece);
        if (w->col > w->indent && w->col + 1 + n > HELP_WIDTH) {
                fprintf(w->out, "\n%*s", (int)w->indent, "");
                w->col = w->indent;
        } else if (w->col > 0) {
                fputc(' ', w->out);
                w->col++;
        }
        fputs(piece, w->out);
        w->col += n;
}

static void flag_synopsis(const struct command *c, const struct command_flag *f, char *buf, size_t size) {
        bool required = f->field && command_field_required(c, f->field);

        switch (f->type) {
        case FLAG_BOOL:
        case FLAG_FORMAT:
                snprintf(buf, size, "%s--%s%s", required ? "" : "[", f->name, required ? "" : "]");
                break;
        case FLAG_STRINGS:
                snprintf(buf, size, "%s--%s %s%s", required ? "" : "[", f->name, f->metavar,
                         required ? "" : "]...");
                break;
        default:
                snprintf(buf, size, "%s--%s %s%s", required ? "" : "[", f->name, f->metavar,
                         required ? "" : "]");
        }
}

static void command_synopsis(const struct command *c, FILE *out) {
        struct wrapper w = {.out = out};
        char piece[160];

        wrap_piece(&w, "Usage: netctl");
        for (size_t i = 0; i < command_n_words(c); i++)
                wrap_piece(&w, "%s", c->words[i]);
        w.indent = w.col + 1;
        for (size_t i = 0; i < command_n_args(c); i++)
                wrap_piece(&w, command_field_required(c, c->args[i].field) ? "%s" : "[%s]",
                           c->args[i].metavar);
        for (const struct command_flag *f = c->flags; f && f->name; f++) {
                /* Alternative output formats read best as one group: [--json | --csv]. */
                if (f->type == FLAG_FORMAT) {
                        size_t len = (size_t)snprintf(piece, sizeof(piece), "[--%s", f->name);
                        while (f[1].name && f[1].type == FLAG_FORMAT && len < sizeof(piece)) {
                                f++;
                                len += (size_t)snprintf(piece + len, sizeof(piece) - len, " | --%s", f->name);
                        }
                        if (len < sizeof(piece))
                                snprintf(piece + len, sizeof(piece) - len, "]");
                } else
                        flag_synopsis(c, f, piece, sizeof(piece));
                wrap_piece(&w, "%s", piece);
        }
        fputc('\n', out);
}

static void command_brief(const struct command *c, char *buf, size_t size) {
        size_t len = 0;

        for (size_t i = 0; i < command_n_words(c) && len < size; i++)
                len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", c->words[i]);
        for (size_t i = 0; i < command_n_args(c) && len < size; i++)
                len += (size_t)snprintf(buf + len, size - len,
                                        command_field_required(c, c->args[i].field) ? " %s" : " [%s]",
                                        c->args[i].metavar);
}

static void commands_list(FILE *out, const char *const *words, size_t n_words) {
        char brief[128];
        int width = 0;

        for (const struct command *c = commands; c->words[0]; c++)
                if (command_has_prefix(c, words, n_words)) {
                        command_brief(c, brief, sizeof(brief));
                        if ((int)strlen(brief) > width)
                                width = (int)strlen(brief);
                }
        for (const struct command *c = commands; c->words[0]; c++)
                if (command_has_prefix(c, words, n_words)) {
                        command_brief(c, brief, sizeof(brief));
                        fprintf(out, "  %-*s  %s\n", width, brief, c->help);
                }
}

static void global_help(FILE *out) {
        fprintf(out,
                "Global options (also accepted after the command words):\n"
                "  --socket PATH    netd's control socket (default: $NETD_SOCKET, else %s)\n"
                "  --json, -o json  print the reply as JSON\n"
                "  -o text          print the reply as text (the default)\n"
                "  --help, -h       show help (netctl COMMAND --help for one command)\n"
                "  --version        show the version\n",
                NETD_DEFAULT_SOCKET);
}

static void command_help(const struct command *c, FILE *out) {
        char piece[160];
        int width = 0;

        command_synopsis(c, out);
        fprintf(out, "\n%c%s.\n", toupper((unsigned char)c->help[0]), c->help + 1);
        if (c->flags && c->flags[0].name) {
                for (const struct command_flag *f = c->flags; f->name; f++) {
                        snprintf(piece, sizeof(piece), "--%s%s%s", f->name, f->metavar ? " " : "",
                                 f->metavar ? f->metavar : "");
                        if ((int)strlen(piece) > width)
                                width = (int)strlen(piece);
                }
                fprintf(out, "\nOptions:\n");
                for (const struct command_flag *f = c->flags; f->name; f++) {
                        snprintf(piece, sizeof(piece), "--%s%s%s", f->name, f->metavar ? " " : "",
                                 f->metavar ? f->metavar : "");
                        fprintf(out, "  %-*s  %s\n", width, piece, f->help);
                }
        }
        fprintf(out, "\nGlobal options: --socket PATH, --json, -o json|text (see 'netctl --help').\n");
}

void cli_help(const struct cli *cli, FILE *out) {
        if (cli->cmd) {
                command_help(cli->cmd, out);
                return;
        }
        if (cli->n_words == 0)
                fprintf(out, "Usage: netctl [--socket PATH] [--json | -o json|text] COMMAND ...\n\n"
                             "netctl asks netd, the lab's network control plane, to allocate and\n"
                             "release addresses and MACs of networks and clusters, and to build the\n"
                             "networks' bridges, veth pairs and VXLAN fabric on the lab's hosts.\n\n");
        fprintf(out, "Commands:\n");
        commands_list(out, cli->words, cli->n_words);
        fputc('\n', out);
        global_help(out);
}

/* ---- parsing ---- */

struct parser {
        int argc;
        char *const *argv;
        int i;
        struct cli *cli;
        bool help, version;
        char error[512]; /* the first usage error */
};

static void parser_error(struct parser *p, const char *fmt, ...) _printf_(2, 3);
static void parser_error(struct parser *p, const char *fmt, ...) {
        va_list ap;

        if (p->error[0])
                return;
        va_start(ap, fmt);
        vsnprintf(p->error, sizeof(p->error), fmt, ap);
        va_end(ap);
}

/* The value of an option: after '=' in the same word, else the next word. */
static const char *option_value(struct parser *p, const char *option, const char *inline_value) {
        if (inline_value)
                return inline_value;
        if (p->i + 1 >= p->argc) {
                parser_error(p, "%s needs a value", option);
                return NULL;
        }
        return p->argv[++p->i];
}

static void output_option(struct parser *p, const char *value) {
        if (!value)
                return;
        if (streq(value, "json"))
                p->cli->format = OUTPUT_JSON;
        else if (streq(value, "text"))
                p->cli->format = OUTPUT_TEXT;
        else
                parser_error(p, "-o expects json or text, not '%s'", value);
}

/* Handles argv[p->i] when it is a global option; returns false otherwise. */
static bool global_option(struct parser *p) {
        const char *t = p->argv[p->i], *eq;
        size_t len;

        if (streq(t, "-h")) {
                p->help = true;
                return true;
        }
        if (strncmp(t, "-o", 2) == 0) {
                output_option(p, option_value(p, "-o", t[2] == '=' ? t + 3 : t[2] ? t + 2 : NULL));
                return true;
        }
        if (strncmp(t, "--", 2) != 0)
                return false;
        eq = strchr(t, '=');
        len = eq ? (size_t)(eq - t) : strlen(t);
        if (len == 8 && strncmp(t, "--socket", len) == 0) {
                const char *v = option_value(p, "--socket", eq ? eq + 1 : NULL);
                if (v && !*v)
                        parser_error(p, "--socket needs a path");
                else if (v)
                        p->cli->socket = v;
                return true;
        }
        if ((len == 6 && strncmp(t, "--json", len) == 0) || (len == 6 && strncmp(t, "--help", len) == 0) ||
            (len == 9 && strncmp(t, "--version", len) == 0)) {
                if (eq)
                        parser_error(p, "%.*s takes no value", (int)len, t);
                else if (t[2] == 'j')
                        p->cli->format = OUTPUT_JSON;
                else if (t[2] == 'h')
                        p->help = true;
                else
                        p->version = true;
                return true;
        }
        return false;
}

static bool int_parse(const char *s, int64_t *ret) {
        const char *d = s[0] == '-' ? s + 1 : s;
        char *end;
        long long v;

        if (*d < '0' || *d > '9')
                return false;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return false;
        *ret = v;
        return true;
}

static void flag_parse(struct parser *p, const struct command_flag *f, const char *inline_value) {
        struct json_object *args = p->cli->args, *v, *list;
        const char *value;
        char option[64];
        int64_t n;

        if (f->type == FLAG_BOOL || f->type == FLAG_FORMAT) {
                if (inline_value)
                        parser_error(p, "--%s takes no value", f->name);
                else if (f->type == FLAG_FORMAT)
                        p->cli->format = f->format;
                else
                        json_object_object_add(args, f->field, json_object_new_boolean(true));
                return;
        }
        if (f->type != FLAG_STRINGS && json_object_object_get_ex(args, f->field, NULL)) {
                parser_error(p, "--%s given twice", f->name);
                return;
        }
        snprintf(option, sizeof(option), "--%s", f->name);
        value = option_value(p, option, inline_value);
        if (!value)
                return;
        switch (f->type) {
        case FLAG_INT:
                if (!int_parse(value, &n)) {
                        parser_error(p, "--%s expects an integer, not '%s'", f->name, value);
                        return;
                }
                v = json_object_new_int64(n);
                break;
        case FLAG_STRINGS:
                if (!json_object_object_get_ex(args, f->field, &list)) {
                        list = json_object_new_array();
                        json_object_object_add(args, f->field, list);
                }
                json_object_array_add(list, json_object_new_string(value));
                return;
        default:
                v = json_object_new_string(value);
        }
        json_object_object_add(args, f->field, v);
}

static const struct command_flag *flag_find(const struct command *c, const char *name, size_t len) {
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
                        return f;
        return NULL;
}

/* Reads the command words; sets cli->cmd when they name a command. */
static void words_parse(struct parser *p) {
        const char **words = p->cli->words;
        size_t *n_words = &p->cli->n_words;

        for (p->i = 1; p->i < p->argc; p->i++) {
                const char *t = p->argv[p->i];
                bool longer = false;

                if (global_option(p))
                        continue;
                if (t[0] == '-' && t[1] != '\0') {
                        parser_error(p, "unknown option %s", t);
                        continue;
                }
                if (*n_words == COMMAND_MAX_WORDS)
                        break;
                words[(*n_words)++] = t;
                for (const struct command *c = commands; c->words[0]; c++) {
                        if (!command_has_prefix(c, words, *n_words))
                                continue;
                        if (command_n_words(c) == *n_words) {
                                p->cli->cmd = c;
                                p->i++;
                                return;
                        }
                        longer = true;
                }
                if (!longer)
                        return;
        }
}

static void command_parse(struct parser *p) {
        const struct command *c = p->cli->cmd;
        size_t n_pos = 0, n_args = command_n_args(c);
        bool options = true;

        for (; p->i < p->argc; p->i++) {
                const char *t = p->argv[p->i];

                if (options && streq(t, "--")) {
                        options = false;
                        continue;
                }
                if (options && t[0] == '-' && t[1] != '\0') {
                        const struct command_flag *f = NULL;
                        const char *eq = strchr(t, '=');

                        if (t[1] == '-')
                                f = flag_find(c, t + 2, eq ? (size_t)(eq - t - 2) : strlen(t + 2));
                        if (f)
                                flag_parse(p, f, eq ? eq + 1 : NULL);
                        else if (!global_option(p))
                                parser_error(p, "unknown option %.*s", eq ? (int)(eq - t) : (int)strlen(t),
                                             t);
                        continue;
                }
                if (n_pos == n_args) {
                        parser_error(p, "unexpected argument '%s'", t);
                        continue;
                }
                json_object_object_add(p->cli->args, c->args[n_pos++].field, json_object_new_string(t));
        }
        for (size_t i = n_pos; i < n_args; i++)
                if (command_field_required(c, c->args[i].field)) {
                        parser_error(p, "missing %s", c->args[i].metavar);
                        break;
                }
        for (const struct command_flag *f = c->flags; f && f->name; f++)
                if (f->field && command_field_required(c, f->field) &&
                    !json_object_object_get_ex(p->cli->args, f->field, NULL)) {
                        parser_error(p, "missing --%s %s", f->name, f->metavar ? f->metavar : "");
                        break;
                }
        if (!output_get(p->cli->format)->render[c->view])
                parser_error(p, "no %s output for this command", output_get(p->cli->format)->name);
}

static bool words_are_prefix(const char *const *words, size_t n) {
        for (const struct command *c = commands; c->words[0]; c++)
                if (command_has_prefix(c, words, n))
                        return true;
        return false;
}

/* Without a command, only --help and --version are left to do. */
static void no_command(struct parser *p) {
        struct cli *cli = p->cli;
        char typed[128];

        for (; p->i < p->argc; p->i++)
                if (!global_option(p))
                        parser_error(p, "unexpected argument '%s'", p->argv[p->i]);
        if (cli->n_words == 0) {
                if (!p->help && !p->version)
                        parser_error(p, "missing command");
                return;
        }
        words_join(cli->words, cli->n_words, typed, sizeof(typed));
        if (words_are_prefix(cli->words, cli->n_words)) {
                if (!p->help && !p->version)
                        parser_error(p, "'%s' needs a subcommand", typed);
                return;
        }
        /* An unknown command wins over everything; the hint points at
         * the longest known prefix of what was typed. */
        p->error[0] = '\0';
        parser_error(p, "unknown command '%s'", typed);
        p->help = p->version = false;
        while (cli->n_words > 0 && !words_are_prefix(cli->words, cli->n_words - 1))
                cli->n_words--;
        if (cli->n_words > 0)
                cli->n_words--;
}

int cli_parse(int argc, char *const *argv, struct cli *ret, FILE *errf) {
        struct parser p = {.argc = argc, .argv = argv, .cli = ret};
        char name[128];

        *ret = (struct cli){.format = OUTPUT_TEXT, .args = json_object_new_object()};
        if (!ret->args) {
                fprintf(errf, "netctl: internal: out of memory\n");
                return -1;
        }
        words_parse(&p);
        if (ret->cmd)
                command_parse(&p);
        else
                no_command(&p);
        if (p.help)
                ret->action = CLI_HELP;
        else if (p.version)
                ret->action = CLI_VERSION;
        else if (p.error[0]) {
                words_join(ret->words, ret->n_words, name, sizeof(name));
                fprintf(errf, "netctl: usage: %s%s%s\n", ret->cmd ? name : "", ret->cmd ? ": " : "", p.error);
                fprintf(errf, "Try 'netctl %s%s--help'.\n", name, ret->n_words ? " " : "");
                cli_done(ret);
                return -1;
        } else
                ret->action = CLI_RUN;
        return 0;
}

void cli_done(struct cli *cli) {
        json_object_put(cli->args);
        cli->args = NULL;
}

/* ---- running ---- */

int cli_run(struct cli *cli, FILE *out, FILE *errf) {
        const struct output *o = output_get(cli->format);
        struct netd_error err = {0};
        struct json_object *data = NULL;
        const char *socket_path = cli->socket;
        int r;

        if (!socket_path) {
                socket_path = getenv("NETD_SOCKET");
                if (isempty(socket_path))
                        socket_path = NETD_DEFAULT_SOCKET;
        }
        r = client_call(socket_path, cli->cmd->proto, json_object_get(cli->args), &data, &err);
        if (r >= 0)
                r = output_result(o, cli->cmd->view, data, cli->args, out, &err);
        json_object_put(data);
        if (r >= 0 && fflush(out) != 0)
                r = error_set(&err, NETD_EINTERNAL, "writing the output: %s", strerror(errno));
        if (r < 0) {
                output_error(o, r, err.message, out, errf);
                fflush(out);
                return EXIT_FAILED;
        }
        return EXIT_SUCCESS;
}
