/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "dnsmasq-conf-private.h"
#include "netd/core/dhcp-option.h"
#include "netd/core/prefix.h"

/* One hour: a node renews every 30 minutes, so a changed reservation
 * reaches it quickly, while a jumphost restart of a few minutes never lets
 * a lease run out. Released nodes' leases are dropped by netd with
 * dhcp_release, and the pool hands out never-used or long-released
 * addresses first, so the lease length rarely delays a reuse. */
#define LEASE_TIME "1h"

/* Tags of our dhcp-ranges get a prefix so a network named like a dnsmasq
 * built-in tag ("known", "bootp") cannot capture other hosts' options. */
#define TAG_PREFIX "net-"

/* The MTU option's range (RFC 2132: at least 68). */
#define MTU_MIN 68
#define MTU_MAX 65535

/* dnsmasq's shortest DHCPv6 range prefix. */
#define DHCP6_PREFIX_MIN 64

/* netd's responder listens on loopback only. */
#define RESPONDER_ADDR "127.0.0.1"

/* The name netd queries through dnsmasq to learn that it forwards to the
 * responder; .invalid can never be a real lab domain. */
#define PROBE_DOMAIN "netd.invalid"

/* Boot settings; each one set must be valid (files and URLs land in an
 * option value, the root in tftp-root=). */
static bool network_boot_is_safe(const struct network_boot *b) {
        if (b->file[0] && !validate_boot_file(b->file))
                return false;
        if (b->file_efi[0] && !validate_boot_file(b->file_efi))
                return false;
        if (b->has_server && b->server.family != AF_INET)
                return false;
        if (b->tftp_root[0] && !validate_path(b->tftp_root))
                return false;
        if (b->ipxe_script[0] && !validate_url(b->ipxe_script))
                return false;
        return true;
}

/* Bytes dnsmasq's parser takes literally in an option value; a value also
 * splits at ',' into the option's items, which dhcp-option.c made. */
static bool option_value_is_literal(const char *s) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                      strchr(".-/,", *s)))
                        return false;
        return true;
}

/* A --dhcp-option of a network, checked again from its stored value, as
 * dnsmasq's dhcp-option= takes it; false when anything is wrong with it. */
static bool dhcp_option_value(const struct dhcp_option *o, char *buf, size_t size) {
        struct dhcp_option again;

        if (!dhcp_option_name(o->type) || dhcp_option_from_value(o->type, o->value, &again, NULL) < 0)
                return false;
        return dhcp_option_dnsmasq_value(&again, buf, size) && option_value_is_literal(buf);
}

static bool network_is_safe(const struct network *n) {
        int family = n->cidr.base.family;

        if (!validate_name(n->name) || !validate_domain(n->domain))
                return false;
        if (n->interface[0] && !validate_ifname(n->interface))
                return false;
        if (!conf_addr_is_set(&n->cidr.base) || n->cidr.len > addr_bits(family))
                return false;
        if (n->gateway.family != family)
                return false;
        if (n->has_dhcp_range && (n->dhcp_range.start.family != family || n->dhcp_range.end.family != family))
                return false;
        if (n->mtu != 0 && (n->mtu < MTU_MIN || n->mtu > MTU_MAX))
                return false;
        /* boot and options are DHCPv4 settings */
        if (family != AF_INET && (n->has_boot || n->n_dhcp_options > 0))
                return false;
        if (n->has_boot && !network_boot_is_safe(&n->boot))
                return false;
        if (n->n_dhcp_options > 0 && !n->dhcp_options)
                return false;
        for (size_t i = 0; i < n->n_dhcp_options; i++) {
                char value[DHCP_OPTION_VALUE_MAX + 1];

                if (!dhcp_option_value(&n->dhcp_options[i], value, sizeof(value)))
                        return false;
                /* one value per option */
                for (size_t j = 0; j < i; j++)
                        if (n->dhcp_options[j].type == n->dhcp_options[i].type)
                                return false;
        }
        return true;
}

/* Paths go verbatim into option values: allow only bytes that dnsmasq's
 * parser takes literally (no spaces, quotes, commas, '#' or escapes). Paths
 * must be absolute because dnsmasq changes its directory to /. */
static bool path_is_safe(const char *p) {
        if (isempty(p) || p[0] != '/')
                return false;
        for (; *p; p++) {
                char ch = *p;
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                      strchr("/._-+@:~", ch)))
                        return false;
        }
        return true;
}

/* The reverse zone of a prefix whose length ends on a label boundary
 * (8 bits for in-addr.arpa, 4 bits for ip6.arpa), into buf. False when
 * the prefix is not aligned: a wider zone would claim a neighbour's
 * addresses, so those networks get no local= reverse zone. */
static bool reverse_zone(const struct prefix *p, char *buf, size_t size) {
        unsigned step = p->base.family == AF_INET ? 8 : 4;
        unsigned bits = addr_bits(p->base.family);
        size_t off = 0;

        if (p->len == 0 || p->len % step != 0)
                return false;
        for (unsigned i = p->len / step; i > 0; i--) {
                unsigned shift = bits - i * step;
                unsigned v = (unsigned)((p->base.value >> shift) & ((1u << step) - 1));
                int r = snprintf(buf + off, size - off, step == 8 ? "%u." : "%x.", v);
                if (r < 0 || (size_t)r >= size - off)
                        return false;
                off += (size_t)r;
        }
        return snprintf(buf + off, size - off, "%s", step == 8 ? "in-addr.arpa" : "ip6.arpa") <
               (int)(size - off);
}

static bool domain_seen_before(struct network *const *nets, size_t i) {
        for (size_t j = 0; j < i; j++)
                if (streq(nets[j]->domain, nets[i]->domain))
                        return true;
        return false;
}

/* TFTP is served per interface: the first network on it with a root
 * names the root. */
static bool tftp_served(const struct network *n) {
        return n->cidr.base.family == AF_INET && n->has_boot && n->boot.tftp_root[0] && n->interface[0];
}

static bool tftp_interface_seen_before(struct network *const *nets, size_t i) {
        for (size_t j = 0; j < i; j++)
                if (tftp_served(nets[j]) && streq(nets[j]->interface, nets[i]->interface))
                        return true;
        return false;
}

static bool network_has_option(const struct network *n, enum dhcp_option_type t) {
        for (size_t i = 0; i < n->n_dhcp_options; i++)
                if (n->dhcp_options[i].type == t)
                        return true;
        return false;
}

static bool networks_have_dhcp(struct network *const *nets, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (nets[i]->cidr.base.family == AF_INET)
                        return true;
        return false;
}

/* An IPv6 network on an interface gets router advertisements (managed
 * flag: hosts ask DHCPv6) and stateful DHCPv6. dnsmasq serves them only
 * when the interface carries an address inside the prefix. */
static bool dhcp6_served(const struct network *n) {
        return n->cidr.base.family == AF_INET6 && n->interface[0];
}

static bool networks_have_dhcp6(struct network *const *nets, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (dhcp6_served(nets[i]))
                        return true;
        return false;
}

/* What DHCPv6 serves of a network: dnsmasq's ranges are /64 or longer, so
 * a shorter prefix is served only in the /64 that holds the gateway (the
 * jumphost's address there); nodes elsewhere in it get DNS alone. */
static struct prefix dhcp6_prefix(const struct network *n) {
        struct prefix p = n->cidr;

        if (p.len < DHCP6_PREFIX_MIN) {
                p.len = DHCP6_PREFIX_MIN;
                p.base.value = n->gateway.value & ~(((u128)1 << (128 - DHCP6_PREFIX_MIN)) - 1);
        }
        return p;
}

/* One RA per interface, so one MTU: the first network on it that has one. */
static bool ra_mtu_seen_before(struct network *const *nets, size_t i) {
        for (size_t j = 0; j < i; j++)
                if (dhcp6_served(nets[j]) && nets[j]->mtu && streq(nets[j]->interface, nets[i]->interface))
                        return true;
        return false;
}

/* The DHCPv6 range and the RA of an IPv6 network on an interface. No mode
 * keyword: the RA carries the managed flag and no autonomous prefix, so
 * hosts take exactly the address DHCPv6 gives them (dhcp-host by MAC). */
static void dhcp6_lines(FILE *f, struct network *const *nets, size_t i) {
        const struct network *n = nets[i];
        struct prefix p = dhcp6_prefix(n);
        char a[ADDR_STRLEN], b[ADDR_STRLEN], cidr[PREFIX_STRLEN];
        bool range = n->has_dhcp_range && prefix_contains(&p, &n->dhcp_range.start) &&
                     prefix_contains(&p, &n->dhcp_range.end);

        if (p.len != n->cidr.len)
                fprintf(f, "# DHCPv6 and router advertisements: %s only (dnsmasq serves /64 or longer)\n",
                        prefix_format(&p, cidr, sizeof(cidr)));
        if (range)
                fprintf(f, "dhcp-range=set:" TAG_PREFIX "%s,%s,%s,%u,%s\n", n->name,
                        conf_fmt_addr(&n->dhcp_range.start, a), conf_fmt_addr(&n->dhcp_range.end, b), p.len,
                        LEASE_TIME);
        else
                /* static: only hosts with a dhcp-host entry get an address */
                fprintf(f, "dhcp-range=set:" TAG_PREFIX "%s,%s,static,%u,%s\n", n->name,
                        conf_fmt_addr(&p.base, a), p.len, LEASE_TIME);
        /* the interval is mandatory in ra-param; 0 keeps the default */
        if (n->mtu && !ra_mtu_seen_before(nets, i))
                fprintf(f, "ra-param=%s,mtu:%u,0\n", n->interface, n->mtu);
}

/* Once for all DHCP networks: the tags that boot lines (networks' and
 * nodes') choose by. */
static void dhcp_common_lines(FILE *f) {
        fputs("dhcp-match=set:" EFI64_TAG ",option:client-arch,7\n", f);
        fputs("dhcp-match=set:" EFI64_TAG ",option:client-arch,9\n", f);
        fputs("dhcp-userclass=set:" IPXE_TAG ",iPXE\n", f);
        /* iPXE's no-pxedhcp: one DISCOVER, no wait for a ProxyDHCP answer */
        fputs("dhcp-option=tag:" IPXE_TAG ",encap:175,176,1\n", f);
}

/* Option 67 by client: BIOS PXE gets the file, UEFI x86-64 the EFI file
 * (else the file), iPXE the script; a PXE ROM thus loads iPXE, and iPXE
 * the script, never the file again. Options, not dhcp-boot, so a node's
 * own line (dhcp-opts) overrides them. */
static void boot_lines(FILE *f, const struct network *n) {
        const struct network_boot *b = &n->boot;
        const char *efi = b->file_efi[0] ? b->file_efi : b->file;
        char a[ADDR_STRLEN];

        if (b->file[0])
                fprintf(f,
                        "dhcp-option=tag:" TAG_PREFIX "%s,tag:!" IPXE_TAG ",tag:!" EFI64_TAG
                        ",option:bootfile-name,%s\n",
                        n->name, b->file);
        if (efi[0])
                fprintf(f,
                        "dhcp-option=tag:" TAG_PREFIX "%s,tag:!" IPXE_TAG ",tag:" EFI64_TAG
                        ",option:bootfile-name,%s\n",
                        n->name, efi);
        if (b->ipxe_script[0])
                fprintf(f, "dhcp-option=tag:" TAG_PREFIX "%s,tag:" IPXE_TAG ",option:bootfile-name,%s\n",
                        n->name, b->ipxe_script);
        /* without it the next server is dnsmasq's own address on the network */
        if (b->has_server)
                fprintf(f, "dhcp-option=tag:" TAG_PREFIX "%s,option:server-ip-address,%s\n", n->name,
                        conf_fmt_addr(&b->server, a));
}

/* What DHCP hands out on an IPv4 network, after its dhcp-range. */
static void dhcp_option_lines(FILE *f, struct network *const *nets, size_t i) {
        const struct network *n = nets[i];
        char a[ADDR_STRLEN];

        /* --dhcp-option router=... replaces the gateway */
        if (!network_has_option(n, DHCP_OPTION_ROUTER))
                fprintf(f, "dhcp-option=tag:" TAG_PREFIX "%s,option:router,%s\n", n->name,
                        conf_fmt_addr(&n->gateway, a));
        /* option 15 for clients without a node of their own; a node's
         * cluster domain (its host tag) wins over it */
        fprintf(f, "dhcp-option=tag:" TAG_PREFIX "%s,option:domain-name,%s\n", n->name, n->domain);
        /* forced: clients such as udhcpc do not ask for option 26 */
        if (n->mtu)
                fprintf(f, "dhcp-option-force=tag:" TAG_PREFIX "%s,option:mtu,%u\n", n->name, n->mtu);
        if (n->has_boot)
                boot_lines(f, n);
        if (tftp_served(n) && !tftp_interface_seen_before(nets, i)) {
                /* read-only; dnsmasq serves only world-readable files */
                fprintf(f, "enable-tftp=%s\n", n->interface);
                fprintf(f, "tftp-root=%s,%s\n", n->boot.tftp_root, n->interface);
        }
        for (size_t j = 0; j < n->n_dhcp_options; j++) {
                char value[DHCP_OPTION_VALUE_MAX + 1];

                /* checked by network_is_safe() */
                dhcp_option_value(&n->dhcp_options[j], value, sizeof(value));
                fprintf(f, "dhcp-option=tag:" TAG_PREFIX "%s,option:%s,%s\n", n->name,
                        dhcp_option_name(n->dhcp_options[j].type), value);
        }
}

/* The lines every network needs in both modes. `nets[i]` is the one to
 * write; earlier entries are consulted so each domain is claimed once.
 * Managed mode (responder_port != 0) sends the domain to netd's responder,
 * which answers the wildcard apps names and the negative answers; external
 * mode (0) has no responder, so dnsmasq answers the domain alone. */
static void network_lines(FILE *f, struct network *const *nets, size_t i, unsigned responder_port) {
        const struct network *n = nets[i];
        char cidr[PREFIX_STRLEN], a[ADDR_STRLEN], b[ADDR_STRLEN], mask[ADDR_STRLEN];
        char zone[80];

        fprintf(f, "\n# network %s\n", n->name);
        /* No domain= for DHCP networks: it would name the leases in the
         * network's domain, where two clusters' master-0 take each other's
         * name; DHCP clients get option 15 instead (below, and their
         * cluster's in dhcp-opts). IPv6 networks keep theirs: DHCPv6
         * leases carry no name (no name in dhcp-host, dhcp-ignore-names). */
        if (n->cidr.base.family != AF_INET)
                fprintf(f, "domain=%s,%s\n", n->domain, prefix_format(&n->cidr, cidr, sizeof(cidr)));
        /* names in our domains never go upstream: dnsmasq's own records
         * answer first, the rest is the responder's or NXDOMAIN */
        if (!domain_seen_before(nets, i)) {
                if (responder_port)
                        fprintf(f, "server=/%s/" RESPONDER_ADDR "#%u\n", n->domain, responder_port);
                else
                        fprintf(f, "local=/%s/\n", n->domain);
        }
        if (reverse_zone(&n->cidr, zone, sizeof(zone)))
                fprintf(f, "local=/%s/\n", zone);
        if (n->cidr.base.family != AF_INET) {
                if (dhcp6_served(n))
                        dhcp6_lines(f, nets, i);
                return;
        }

        struct addr m = {.family = AF_INET,
                         .value = n->cidr.len == 0 ? 0 : (u128)(0xffffffffu << (32 - n->cidr.len))};
        conf_fmt_addr(&m, mask);
        if (n->has_dhcp_range)
                fprintf(f, "dhcp-range=set:" TAG_PREFIX "%s,%s,%s,%s,%s\n", n->name,
                        conf_fmt_addr(&n->dhcp_range.start, a), conf_fmt_addr(&n->dhcp_range.end, b), mask,
                        LEASE_TIME);
        else
                /* static: only hosts with a dhcp-host entry get an address */
                fprintf(f, "dhcp-range=set:" TAG_PREFIX "%s,%s,static,%s,%s\n", n->name,
                        conf_fmt_addr(&n->cidr.base, a), mask, LEASE_TIME);
        dhcp_option_lines(f, nets, i);
}

static bool networks_are_safe(struct network *const *nets, size_t n) {
        if (n > 0 && !nets)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!nets[i] || !network_is_safe(nets[i]))
                        return false;
        return true;
}

char *dnsmasq_conf_main(const struct dnsmasq_main_params *p, struct network *const *nets, size_t n) {
        struct conf_text t;

        if (!p || !path_is_safe(p->hosts_dir) || !path_is_safe(p->dhcp_hosts_dir) ||
            !path_is_safe(p->dhcp_opts_dir) || !path_is_safe(p->lease_file) || p->dns_port == 0 ||
            p->dns_port > 65535 || p->responder_port == 0 || p->responder_port > 65535 ||
            !networks_are_safe(nets, n)) {
                errno = EINVAL;
                return NULL;
        }
        if (!conf_text_open(&t))
                return NULL;

        fputs(HEADER_LINE, t.f);
        fprintf(t.f, "port=%u\n", p->dns_port);
        /* bind-dynamic follows interfaces that appear later (bridges netd
         * creates after start); loopback lets netd check what dnsmasq serves */
        fputs("bind-dynamic\n", t.f);
        fputs("listen-address=127.0.0.1\n", t.f);
        for (size_t i = 0; i < n; i++) {
                bool dup = false;
                if (!nets[i]->interface[0])
                        continue;
                for (size_t j = 0; j < i && !dup; j++)
                        dup = streq(nets[j]->interface, nets[i]->interface);
                if (!dup)
                        fprintf(t.f, "interface=%s\n", nets[i]->interface);
        }
        /* the jumphost's /etc/hosts is not lab data */
        fputs("no-hosts\n", t.f);
        /* dnsmasq watches these directories with inotify, so cluster
         * changes never need a restart */
        fprintf(t.f, "hostsdir=%s\n", p->hosts_dir);
        fprintf(t.f, "dhcp-hostsdir=%s\n", p->dhcp_hosts_dir);
        fprintf(t.f, "dhcp-optsdir=%s\n", p->dhcp_opts_dir);
        fprintf(t.f, "dhcp-leasefile=%s\n", p->lease_file);
        fprintf(t.f, "server=/" PROBE_DOMAIN "/" RESPONDER_ADDR "#%u\n", p->responder_port);
        /* netd owns these subnets: answer clients whose lease we lost at
         * once instead of letting them time out first */
        fputs("dhcp-authoritative\n", t.f);
        /* a node's names are its FQDN in hosts.d; a name the client sends
         * would become a lease name in DNS, taken from whoever leased last */
        fputs("dhcp-ignore-names\n", t.f);
        if (networks_have_dhcp(nets, n))
                dhcp_common_lines(t.f);
        if (networks_have_dhcp6(nets, n))
                fputs("enable-ra\n", t.f);
        for (size_t i = 0; i < n; i++)
                network_lines(t.f, nets, i, p->responder_port);
        return conf_text_finish(&t);
}

char *dnsmasq_conf_networks(struct network *const *nets, size_t n) {
        struct conf_text t;

        if (!networks_are_safe(nets, n)) {
                errno = EINVAL;
                return NULL;
        }
        if (!conf_text_open(&t))
                return NULL;
        fputs(HEADER_LINE, t.f);
        if (networks_have_dhcp(nets, n))
                dhcp_common_lines(t.f);
        if (networks_have_dhcp6(nets, n))
                fputs("enable-ra\n", t.f);
        for (size_t i = 0; i < n; i++)
                network_lines(t.f, nets, i, 0);
        return conf_text_finish(&t);
}
