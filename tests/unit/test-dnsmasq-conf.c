/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dnsmasq text generators against golden files in tests/data/dnsmasq
 * (NETD_TEST_REGENERATE=1 rewrites them), every configuration text against
 * the real `dnsmasq --test`, and the refusal of fields that could inject a
 * line. Fixtures are built by hand so the store is not involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "netd/dnsmasq/dnsmasq-conf.h"
#include "golden.h"
#include "netd/core/dhcp-option.h"
#include "netd/core/prefix.h"
#include "netd/core/mac.h"

static char tmpdir[] = "/tmp/netd-test-dnsmasq-conf-XXXXXX";

/* ---- fixtures ---- */

static struct addr ip(const char *s) {
        struct addr a;
        assert_int_equal(addr_parse(s, &a, NULL), 0);
        return a;
}

static void network_init(struct network *n, const char *name, const char *cidr, const char *gw,
                         const char *domain, const char *iface, const char *dyn_start, const char *dyn_end) {
        memset(n, 0, sizeof(*n));
        strscpy(n->name, sizeof(n->name), name);
        assert_int_equal(prefix_parse(cidr, &n->cidr, NULL), 0);
        n->gateway = ip(gw);
        strscpy(n->domain, sizeof(n->domain), domain);
        strscpy(n->interface, sizeof(n->interface), iface ? iface : "");
        if (dyn_start) {
                n->has_dhcp_range = true;
                n->dhcp_range.start = ip(dyn_start);
                n->dhcp_range.end = ip(dyn_end);
        }
}

enum { NET_LAB, NET_DYN, NET_ODD, NET_PXE, NET_V6, NET_V6ODD, NET_V6DYN, NET_V6WIDE, N_NETS };
static struct network nets[N_NETS];
static struct network *net_ptrs[N_NETS];

/* Every --dhcp-option, parsed as `network add` does. */
static const char *const pxe_options[] = {
        "ntp-server=192.0.2.5,192.0.2.6",
        "dns-server=203.0.113.53",
        "log-server=203.0.113.7",
        "domain-search=pxe.example,lab.example",
        "classless-static-route=198.51.100.0/24 via 203.0.113.254,0.0.0.0/0 via 203.0.113.129",
        "tftp-server=203.0.113.129",
};
static struct dhcp_option pxe_opts[ARRAY_SIZE(pxe_options)];
static struct dhcp_option dyn_opts[1];

static void option_init(struct dhcp_option *o, const char *spec) {
        struct netd_error err = {0};

        if (dhcp_option_parse(spec, o, &err) < 0)
                fail_msg("%s: %s", spec, err.message);
}

static void networks_init(void) {
        /* interface, static DHCP, aligned reverse zone */
        network_init(&nets[NET_LAB], "lab", "192.0.2.0/24", "192.0.2.1", "lab.example", "br-lab", NULL, NULL);
        /* no interface, dynamic range, a domain already seen */
        network_init(&nets[NET_DYN], "dyn", "198.51.100.0/24", "198.51.100.1", "lab.example", NULL,
                     "198.51.100.200", "198.51.100.250");
        /* the default domain, a prefix without a reverse zone */
        network_init(&nets[NET_ODD], "odd", "203.0.113.64/26", "203.0.113.65", "lab.internal", "eth1", NULL,
                     NULL);
        /* every DHCP setting: MTU, boot, TFTP, options */
        network_init(&nets[NET_PXE], "pxe", "203.0.113.128/25", "203.0.113.129", "pxe.example", "br-pxe",
                     "203.0.113.200", "203.0.113.250");
        nets[NET_PXE].mtu = 1450;
        nets[NET_PXE].has_boot = true;
        strscpy(nets[NET_PXE].boot.file, sizeof(nets[NET_PXE].boot.file), "undionly.kpxe");
        strscpy(nets[NET_PXE].boot.file_efi, sizeof(nets[NET_PXE].boot.file_efi), "ipxe/snponly.efi");
        nets[NET_PXE].boot.has_server = true;
        nets[NET_PXE].boot.server = ip("203.0.113.9");
        strscpy(nets[NET_PXE].boot.tftp_root, sizeof(nets[NET_PXE].boot.tftp_root), "/srv/tftp");
        strscpy(nets[NET_PXE].boot.ipxe_script, sizeof(nets[NET_PXE].boot.ipxe_script),
                "http://203.0.113.129:8080/boot.ipxe?mac=${net0/mac}&x=1");
        for (size_t i = 0; i < ARRAY_SIZE(pxe_options); i++)
                option_init(&pxe_opts[i], pxe_options[i]);
        nets[NET_PXE].dhcp_options = pxe_opts;
        nets[NET_PXE].n_dhcp_options = ARRAY_SIZE(pxe_opts);
        /* a jumbo MTU, the BIOS file alone (UEFI clients get it too), no
         * interface (no TFTP), and a router that replaces the gateway */
        nets[NET_DYN].mtu = 9000;
        nets[NET_DYN].has_boot = true;
        strscpy(nets[NET_DYN].boot.file, sizeof(nets[NET_DYN].boot.file), "pxelinux.0");
        strscpy(nets[NET_DYN].boot.tftp_root, sizeof(nets[NET_DYN].boot.tftp_root), "/srv/tftp-dyn");
        option_init(&dyn_opts[0], "router=198.51.100.2");
        nets[NET_DYN].dhcp_options = dyn_opts;
        nets[NET_DYN].n_dhcp_options = ARRAY_SIZE(dyn_opts);
        /* IPv6 on an interface already listed */
        network_init(&nets[NET_V6], "v6", "2001:db8:1::/64", "2001:db8:1::1", "v6.example", "br-lab", NULL,
                     NULL);
        network_init(&nets[NET_V6ODD], "v6odd", "2001:db8:2::/62", "2001:db8:2::1", "v6.example", NULL, NULL,
                     NULL);
        /* DHCPv6 + RA: a MTU on the interface IPv4 shares, a prefix longer
         * than /64 with a dynamic pool, a /48 (served in the gateway's /64
         * only, so its pool outside that /64 is not) */
        nets[NET_V6].mtu = 1400;
        network_init(&nets[NET_V6DYN], "v6dyn", "2001:db8:3::/120", "2001:db8:3::1", "v6.example", "br-v6",
                     "2001:db8:3::80", "2001:db8:3::ff");
        nets[NET_V6DYN].mtu = 1450;
        network_init(&nets[NET_V6WIDE], "v6wide", "2001:db8:100::/48", "2001:db8:100::1", "v6.example",
                     "br-v6", "2001:db8:100:1::10", "2001:db8:100:1::ff");
        nets[NET_V6WIDE].mtu = 9000;
        for (size_t i = 0; i < N_NETS; i++)
                net_ptrs[i] = &nets[i];
}

/* ip2: the address on the cluster's second network (dual-stack); reuses:
 * "CLUSTER/NODE" of a reused node (its MAC and addresses given as its
 * owner's). */
struct node_fixture {
        const char *name, *mac, *ip, *ip2, *reuses;
};

#define MAX_NODES 8

struct cluster_fixture {
        struct cluster c;
        struct node nodes[MAX_NODES];
};

static void cluster_init(struct cluster_fixture *f, const char *name, const char *network, const char *domain,
                         enum topology t, const char *api, const char *ingress,
                         const struct node_fixture *nodes) {
        memset(f, 0, sizeof(*f));
        strscpy(f->c.name, sizeof(f->c.name), name);
        strscpy(f->c.network, sizeof(f->c.network), network);
        strscpy(f->c.domain, sizeof(f->c.domain), domain);
        f->c.topology = t;
        f->c.api_vip = ip(api);
        f->c.ingress_vip = ip(ingress);
        f->c.nodes = f->nodes;
        for (size_t i = 0; nodes[i].name; i++) {
                struct node *nd = &f->nodes[f->c.n_nodes++];
                assert_true(i < MAX_NODES);
                strscpy(nd->name, sizeof(nd->name), nodes[i].name);
                strscpy(nd->role, sizeof(nd->role),
                        strncmp(nodes[i].name, "master-", 7) == 0 ? "master" : "worker");
                assert_int_equal(mac_parse(nodes[i].mac, &nd->mac, NULL), 0);
                nd->ip = ip(nodes[i].ip);
                if (nodes[i].ip2) {
                        nd->ips[nd->n_ips++] = nd->ip;
                        nd->ips[nd->n_ips++] = ip(nodes[i].ip2);
                }
                if (nodes[i].reuses) {
                        const char *slash = strchr(nodes[i].reuses, '/');

                        assert_non_null(slash);
                        strscpy(nd->reuses_node, sizeof(nd->reuses_node), slash + 1);
                        snprintf(nd->reuses_cluster, sizeof(nd->reuses_cluster), "%.*s",
                                 (int)(slash - nodes[i].reuses), nodes[i].reuses);
                }
                if (streq(nd->role, "master"))
                        f->c.masters++;
                else
                        f->c.workers++;
        }
}

/* The cluster's networks as the store lists them: the primary one (its
 * singular fields), and a second one for a dual-stack cluster. */
static void cluster_networks_set(struct cluster_fixture *f, const char *network2, const char *api2,
                                 const char *ingress2) {
        struct cluster_network *n = f->c.networks;

        for (size_t i = 0; i < f->c.n_nodes; i++)
                if (f->nodes[i].n_ips == 0)
                        f->nodes[i].ips[f->nodes[i].n_ips++] = f->nodes[i].ip;
        strscpy(n[0].name, sizeof(n[0].name), f->c.network);
        n[0].api_vip = f->c.api_vip;
        n[0].ingress_vip = f->c.ingress_vip;
        f->c.n_networks = 1;
        if (!network2)
                return;
        strscpy(n[1].name, sizeof(n[1].name), network2);
        n[1].api_vip = ip(api2);
        n[1].ingress_vip = ip(ingress2);
        f->c.n_networks = 2;
}

static void node_boot_set(struct node *nd, enum node_boot boot, const char *value) {
        nd->boot = boot;
        strscpy(nd->boot_value, sizeof(nd->boot_value), value);
}

enum {
        CL_SNO4,
        CL_COMPACT4,
        CL_MNO4,
        CL_SNO6,
        CL_COMPACT6,
        CL_DS,    /* dual-stack compact, IPv4 primary */
        CL_DSSNO, /* dual-stack SNO, IPv6 primary */
        CL_HUB,   /* seed 003: an SNO hub on mno's worker-1 */
        CL_DSHUB, /* a dual-stack SNO on ds's master-2 */
        CL_MIX,   /* compact: two own masters, one reused from compact */
        N_CLUSTERS
};
static const char *const cluster_case[N_CLUSTERS] = {"sno4", "compact4", "mno4", "sno6",  "compact6",
                                                     "ds",   "dssno6",   "hub4", "dshub", "mix4"};
static struct cluster_fixture clusters[N_CLUSTERS];

static void clusters_init(void) {
        cluster_init(&clusters[CL_SNO4], "sno", "lab", "lab.example", TOPOLOGY_SNO, "192.0.2.10",
                     "192.0.2.10",
                     (const struct node_fixture[]){{"master-0", "52:54:00:8a:01:02", "192.0.2.10"}, {0}});
        cluster_init(&clusters[CL_COMPACT4], "compact", "lab", "lab.example", TOPOLOGY_COMPACT, "192.0.2.23",
                     "192.0.2.24",
                     (const struct node_fixture[]){{"master-0", "52:54:00:00:00:20", "192.0.2.20"},
                                                   {"master-1", "52:54:00:00:00:21", "192.0.2.21"},
                                                   {"master-2", "52:54:00:00:00:22", "192.0.2.22"},
                                                   {0}});
        cluster_init(&clusters[CL_MNO4], "mno", "dyn", "lab.example", TOPOLOGY_MNO, "198.51.100.15",
                     "198.51.100.16",
                     (const struct node_fixture[]){{"master-0", "52:54:00:00:01:10", "198.51.100.10"},
                                                   {"master-1", "52:54:00:00:01:11", "198.51.100.11"},
                                                   {"master-2", "52:54:00:00:01:12", "198.51.100.12"},
                                                   {"worker-0", "02:00:00:00:01:13", "198.51.100.13"},
                                                   {"worker-1", "52:54:00:00:01:14", "198.51.100.14"},
                                                   {0}});
        cluster_init(&clusters[CL_SNO6], "sno6", "v6", "v6.example", TOPOLOGY_SNO, "2001:db8:1::10",
                     "2001:db8:1::10",
                     (const struct node_fixture[]){{"master-0", "52:54:00:00:06:10", "2001:db8:1::10"}, {0}});
        cluster_init(&clusters[CL_COMPACT6], "compact6", "v6", "v6.example", TOPOLOGY_COMPACT,
                     "2001:db8:1::23", "2001:db8:1::24",
                     (const struct node_fixture[]){{"master-0", "52:54:00:00:06:20", "2001:db8:1::20"},
                                                   {"master-1", "52:54:00:00:06:21", "2001:db8:1::21"},
                                                   {"master-2", "52:54:00:00:06:22", "2001:db8:1::22"},
                                                   {0}});
        cluster_init(&clusters[CL_DS], "ds", "lab", "lab.example", TOPOLOGY_COMPACT, "192.0.2.33",
                     "192.0.2.34",
                     (const struct node_fixture[]){
                             {"master-0", "52:54:00:00:0d:30", "192.0.2.30", "2001:db8:1::30"},
                             {"master-1", "52:54:00:00:0d:31", "192.0.2.31", "2001:db8:1::31"},
                             {"master-2", "52:54:00:00:0d:32", "192.0.2.32", "2001:db8:1::32"},
                             {0}});
        cluster_init(&clusters[CL_DSSNO], "dssno6", "v6", "v6.example", TOPOLOGY_SNO, "2001:db8:1::40",
                     "2001:db8:1::40",
                     (const struct node_fixture[]){
                             {"master-0", "52:54:00:00:0d:40", "2001:db8:1::40", "192.0.2.40"}, {0}});
        cluster_init(&clusters[CL_HUB], "hub", "dyn", "lab.example", TOPOLOGY_SNO, "198.51.100.14",
                     "198.51.100.14",
                     (const struct node_fixture[]){
                             {"master-0", "52:54:00:00:01:14", "198.51.100.14", NULL, "mno/worker-1"}, {0}});
        cluster_init(&clusters[CL_DSHUB], "dshub", "lab", "lab.example", TOPOLOGY_SNO, "192.0.2.32",
                     "192.0.2.32",
                     (const struct node_fixture[]){
                             {"master-0", "52:54:00:00:0d:32", "192.0.2.32", "2001:db8:1::32", "ds/master-2"},
                             {0}});
        cluster_init(&clusters[CL_MIX], "mix", "lab", "lab.example", TOPOLOGY_COMPACT, "192.0.2.52",
                     "192.0.2.53",
                     (const struct node_fixture[]){
                             {"master-0", "52:54:00:00:00:50", "192.0.2.50"},
                             {"master-1", "52:54:00:00:00:51", "192.0.2.51"},
                             {"master-2", "52:54:00:00:00:22", "192.0.2.22", NULL, "compact/master-2"},
                             {0}});
        /* the store's lists (the single-stack ones too); the clusters above
         * have none, so the generators read their singular fields */
        cluster_networks_set(&clusters[CL_DS], "v6", "2001:db8:1::33", "2001:db8:1::34");
        cluster_networks_set(&clusters[CL_DSSNO], "lab", "192.0.2.40", "192.0.2.40");
        cluster_networks_set(&clusters[CL_HUB], NULL, NULL, NULL);
        cluster_networks_set(&clusters[CL_DSHUB], "v6", "2001:db8:1::32", "2001:db8:1::32");
        cluster_networks_set(&clusters[CL_MIX], NULL, NULL, NULL);
        /* boot overrides: an iPXE script, a PXE file */
        node_boot_set(&clusters[CL_COMPACT4].nodes[1], NODE_BOOT_IPXE_SCRIPT,
                      "http://192.0.2.1:8080/compact/master-1.ipxe");
        node_boot_set(&clusters[CL_MNO4].nodes[3], NODE_BOOT_FILE, "worker/pxelinux.0");
        node_boot_set(&clusters[CL_COMPACT6].nodes[0], NODE_BOOT_IPXE_SCRIPT, "tftp://192.0.2.1/v6.ipxe");
}

static const struct dnsmasq_main_params golden_params = {
        .hosts_dir = "/var/lib/netd/dnsmasq/hosts.d",
        .dhcp_hosts_dir = "/var/lib/netd/dnsmasq/dhcp-hosts.d",
        .dhcp_opts_dir = "/var/lib/netd/dnsmasq/dhcp-opts.d",
        .lease_file = "/var/lib/netd/dnsmasq/leases",
        .dns_port = 53,
        .responder_port = 5354,
};

/* ---- helpers ---- */

/* Compares text with tests/data/dnsmasq/NAME.ok. */
static void golden_check(const char *name, const char *text) {
        golden_check_in("dnsmasq", name, text);
}

static const char *dnsmasq_binary(void) {
        static const char *const candidates[] = {"/usr/sbin/dnsmasq", "/sbin/dnsmasq",
                                                 "/usr/local/sbin/dnsmasq"};
        for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
                if (access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return "dnsmasq"; /* PATH search; a missing binary fails the check */
}

/* Runs `dnsmasq --test` with the given arguments; fails showing its output. */
static void dnsmasq_test_args(const char *what, const char *arg1, const char *arg2) {
        _cleanup_free_ char *log = test_path_join(tmpdir, "dnsmasq-test.log"), *out = NULL;
        const char *bin = dnsmasq_binary();
        int status;
        pid_t pid;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                        _exit(127);
                execlp(bin, bin, "--test", arg1, arg2, (char *)NULL);
                _exit(127);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        out = test_file_read(log);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !out || !strstr(out, "syntax check OK"))
                fail_msg("dnsmasq --test rejected %s (status %d):\n%s", what, status, out ? out : "");
}

/* Writes text to a file in the temp dir and has dnsmasq check it. */
static void dnsmasq_test_text(const char *name, const char *text) {
        _cleanup_free_ char *path = test_path_join(tmpdir, name), *arg = NULL;

        test_file_write(path, text);
        assert_true(asprintf(&arg, "--conf-file=%s", path) > 0);
        dnsmasq_test_args(name, arg, "--no-daemon");
}

/* `dnsmasq --test` never opens the dhcp-hostsdir and dhcp-optsdir files,
 * but dnsmasq parses their lines as the values of dhcp-host= and
 * dhcp-option= (`option`): check them in that form. */
static void dnsmasq_test_dir_lines(const char *name, const char *option, const char *lines) {
        _cleanup_free_ char *file = NULL;
        char *conf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&conf, &size);

        assert_non_null(f);
        assert_non_null(lines);
        for (const char *p = lines; *p;) {
                const char *nl = strchr(p, '\n');
                assert_non_null(nl); /* every line is terminated */
                fprintf(f, "%s=%.*s\n", option, (int)(nl - p), p);
                p = nl + 1;
        }
        assert_int_equal(fclose(f), 0);
        assert_true(asprintf(&file, "%s.%s-lines.conf", name, option) > 0);
        dnsmasq_test_text(file, conf);
        free(conf);
}

/* ---- tests ---- */

static void test_main_conf(void **state) {
        (void)state;
        static const struct {
                const char *name;
                size_t first, n;
        } cases[] = {
                {"main-all", 0, N_NETS}, {"main-lab", NET_LAB, 1}, {"main-pxe", NET_PXE, 1},
                {"main-v6", NET_V6, 2},  {"main-none", 0, 0},
        };
        _cleanup_free_ char *hosts = test_path_join(tmpdir, "hosts.d"),
                            *dhcp = test_path_join(tmpdir, "dhcp-hosts.d"),
                            *opts = test_path_join(tmpdir, "dhcp-opts.d"),
                            *leases = test_path_join(tmpdir, "leases");
        struct dnsmasq_main_params p = {
                .hosts_dir = hosts,
                .dhcp_hosts_dir = dhcp,
                .dhcp_opts_dir = opts,
                .lease_file = leases,
                .dns_port = 15353,
                .responder_port = 15354,
        };

        (void)mkdir(hosts, 0755);
        (void)mkdir(dhcp, 0755);
        (void)mkdir(opts, 0755);

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *golden =
                        dnsmasq_conf_main(&golden_params, net_ptrs + cases[i].first, cases[i].n);
                _cleanup_free_ char *real = dnsmasq_conf_main(&p, net_ptrs + cases[i].first, cases[i].n);
                golden_check(cases[i].name, golden);
                assert_non_null(real);
                dnsmasq_test_text("dnsmasq.conf", real);
        }
}

/* Managed mode hands the network domains to the responder, external mode
 * keeps answering them itself; reverse zones stay local in both. */
static void test_main_domains(void **state) {
        (void)state;
        _cleanup_free_ char *managed = dnsmasq_conf_main(&golden_params, net_ptrs, N_NETS);
        _cleanup_free_ char *external = dnsmasq_conf_networks(net_ptrs, N_NETS);
        _cleanup_free_ char *none = dnsmasq_conf_main(&golden_params, NULL, 0);
        const char *first;

        assert_non_null(managed);
        assert_non_null(external);
        assert_non_null(none);
        first = strstr(managed, "\nserver=/lab.example/127.0.0.1#5354\n");
        assert_non_null(first);
        /* lab and dyn share the domain: one route for it */
        assert_null(strstr(first + 2, "server=/lab.example/"));
        assert_non_null(strstr(managed, "\nserver=/lab.internal/127.0.0.1#5354\n"));
        assert_non_null(strstr(managed, "\nserver=/v6.example/127.0.0.1#5354\n"));
        assert_null(strstr(managed, "local=/lab.example/"));
        assert_null(strstr(managed, "local=/lab.internal/"));
        assert_null(strstr(managed, "local=/v6.example/"));
        assert_non_null(strstr(managed, "\nlocal=/2.0.192.in-addr.arpa/\n"));
        assert_non_null(strstr(managed, "\nlocal=/0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa/\n"));
        /* the probe route exists even before the first network */
        assert_non_null(strstr(none, "\nserver=/netd.invalid/127.0.0.1#5354\n"));
        assert_non_null(strstr(managed, "\nserver=/netd.invalid/127.0.0.1#5354\n"));
        assert_non_null(strstr(managed, "\nhostsdir=/var/lib/netd/dnsmasq/hosts.d\n"));
        assert_non_null(strstr(managed, "\ndhcp-hostsdir=/var/lib/netd/dnsmasq/dhcp-hosts.d\n"));
        /* the clusters' DHCP names and boot overrides; names sent by
         * clients never become lease names */
        assert_non_null(strstr(managed, "\ndhcp-optsdir=/var/lib/netd/dnsmasq/dhcp-opts.d\n"));
        assert_non_null(strstr(managed, "\ndhcp-ignore-names\n"));
        assert_non_null(strstr(none, "\ndhcp-optsdir=/var/lib/netd/dnsmasq/dhcp-opts.d\n"));
        assert_null(strstr(managed, "addn-hosts="));
        assert_null(strstr(managed, "servers-file="));

        assert_null(strstr(external, "server="));
        assert_non_null(strstr(external, "\nlocal=/lab.example/\n"));
        assert_non_null(strstr(external, "\nlocal=/2.0.192.in-addr.arpa/\n"));
        /* the administrator's other clients keep their names */
        assert_null(strstr(external, "dhcp-ignore-names"));
        assert_null(strstr(external, "dhcp-optsdir"));
}

/* What DHCP hands out per network, whatever the golden files say. */
static void test_network_dhcp(void **state) {
        (void)state;
        _cleanup_free_ char *managed = dnsmasq_conf_main(&golden_params, net_ptrs, N_NETS);
        _cleanup_free_ char *external = dnsmasq_conf_networks(net_ptrs, N_NETS);
        _cleanup_free_ char *v6 = dnsmasq_conf_main(&golden_params, net_ptrs + NET_V6, 2);
        _cleanup_free_ char *none = dnsmasq_conf_networks(NULL, 0);
        static const char *const both[] = {
                /* the tags boot lines choose by, once */
                "\ndhcp-match=set:efi64,option:client-arch,7\ndhcp-match=set:efi64,option:client-arch,9\n"
                "dhcp-userclass=set:ipxe,iPXE\ndhcp-option=tag:ipxe,encap:175,176,1\n",
                /* option 15 instead of domain= */
                "\ndhcp-option=tag:net-lab,option:domain-name,lab.example\n",
                "\ndhcp-option=tag:net-pxe,option:domain-name,pxe.example\n",
                /* MTU, forced */
                "\ndhcp-option-force=tag:net-pxe,option:mtu,1450\n",
                "\ndhcp-option-force=tag:net-dyn,option:mtu,9000\n",
                /* boot by client */
                "\ndhcp-option=tag:net-pxe,tag:!ipxe,tag:!efi64,option:bootfile-name,undionly.kpxe\n",
                "\ndhcp-option=tag:net-pxe,tag:!ipxe,tag:efi64,option:bootfile-name,ipxe/snponly.efi\n",
                "\ndhcp-option=tag:net-pxe,tag:ipxe,option:bootfile-name,"
                "http://203.0.113.129:8080/boot.ipxe?mac=${net0/mac}&x=1\n",
                "\ndhcp-option=tag:net-pxe,option:server-ip-address,203.0.113.9\n",
                "\ndhcp-option=tag:net-dyn,tag:!ipxe,tag:!efi64,option:bootfile-name,pxelinux.0\n",
                "\ndhcp-option=tag:net-dyn,tag:!ipxe,tag:efi64,option:bootfile-name,pxelinux.0\n",
                /* TFTP on the interface */
                "\nenable-tftp=br-pxe\ntftp-root=/srv/tftp,br-pxe\n",
                /* --dhcp-option, routes as dnsmasq takes them */
                "\ndhcp-option=tag:net-pxe,option:ntp-server,192.0.2.5,192.0.2.6\n",
                "\ndhcp-option=tag:net-pxe,option:classless-static-route,198.51.100.0/24,203.0.113.254,"
                "0.0.0.0/0,203.0.113.129\n",
                "\ndhcp-option=tag:net-pxe,option:domain-search,pxe.example,lab.example\n",
                "\ndhcp-option=tag:net-pxe,option:tftp-server,203.0.113.129\n",
                /* a router option replaces the gateway */
                "\ndhcp-option=tag:net-dyn,option:router,198.51.100.2\n",
                "\ndhcp-option=tag:net-lab,option:router,192.0.2.1\n",
        };

        for (size_t i = 0; i < ARRAY_SIZE(both); i++) {
                if (!strstr(managed, both[i]))
                        fail_msg("managed: no %s in:\n%s", both[i], managed);
                if (!strstr(external, both[i]))
                        fail_msg("external: no %s in:\n%s", both[i], external);
        }
        assert_null(strstr(managed, "option:router,198.51.100.1"));
        /* no domain= for DHCP networks: lease names would take the
         * network's domain; IPv6 networks (no DHCP) keep theirs */
        assert_null(strstr(managed, "domain=lab.example"));
        assert_null(strstr(external, "domain=pxe.example"));
        assert_non_null(strstr(managed, "\ndomain=v6.example,2001:db8:1::/64\n"));
        /* no MTU, boot or TFTP where none is set; no TFTP without an interface */
        assert_null(strstr(managed, "tag:net-lab,option:mtu"));
        assert_null(strstr(managed, "tag:net-lab,tag:"));
        assert_null(strstr(managed, "tftp-dyn"));
        assert_null(strstr(managed, "dhcp-boot"));
        /* no DHCP network, no DHCP tags */
        assert_null(strstr(v6, "dhcp-match"));
        assert_null(strstr(none, "dhcp-match"));
        /* IPv6 on an interface: RA once (managed flag: no mode keyword),
         * stateful DHCPv6, the MTU in the RA once per interface; never
         * anything that grows with the prefix */
        assert_non_null(strstr(v6, "\nenable-ra\n"));
        assert_null(strstr(none, "enable-ra"));
        assert_null(strstr(managed, "slaac"));
        assert_null(strstr(managed, "ra-only"));
        assert_null(strstr(managed, "ra-stateless"));
        assert_non_null(strstr(managed, "\ndhcp-range=set:net-v6,2001:db8:1::,static,64,1h\n"));
        assert_non_null(strstr(managed, "\nra-param=br-lab,mtu:1400,0\n"));
        assert_non_null(
                strstr(external, "\ndhcp-range=set:net-v6dyn,2001:db8:3::80,2001:db8:3::ff,120,1h\n"));
        assert_non_null(strstr(external, "\nra-param=br-v6,mtu:1450,0\n"));
        assert_null(strstr(managed, "mtu:9000"));
        /* no interface: no DHCPv6 */
        assert_null(strstr(managed, "net-v6odd"));
        /* a /48: the gateway's /64 only, its pool outside that /64 not */
        assert_non_null(strstr(managed, "\ndhcp-range=set:net-v6wide,2001:db8:100::,static,64,1h\n"));
        assert_null(strstr(managed, "2001:db8:100:1::10"));
}

static void test_networks_conf(void **state) {
        (void)state;
        _cleanup_free_ char *all = dnsmasq_conf_networks(net_ptrs, N_NETS);
        _cleanup_free_ char *v6 = dnsmasq_conf_networks(net_ptrs + NET_V6, 2);
        _cleanup_free_ char *none = dnsmasq_conf_networks(NULL, 0);

        golden_check("networks-all", all);
        golden_check("networks-v6", v6);
        assert_non_null(none);
        dnsmasq_test_text(DNSMASQ_NETWORKS_CONF, all);
        dnsmasq_test_text(DNSMASQ_NETWORKS_CONF, v6);
        dnsmasq_test_text(DNSMASQ_NETWORKS_CONF, none);
        /* external mode only sets what belongs to the networks */
        assert_null(strstr(all, "interface="));
        assert_null(strstr(all, "port="));
        assert_null(strstr(all, "/var/"));
}

static void test_cluster_files(void **state) {
        (void)state;
        for (size_t i = 0; i < N_CLUSTERS; i++) {
                const struct cluster *c = &clusters[i].c;
                _cleanup_free_ char *hosts = dnsmasq_conf_hosts(c), *dhcp = dnsmasq_conf_dhcp_hosts(c),
                                    *opts = dnsmasq_conf_dhcp_opts(c), *conf = dnsmasq_conf_cluster(c),
                                    *name = NULL;

                assert_true(asprintf(&name, "hosts-%s", cluster_case[i]) > 0);
                golden_check(name, hosts);
                free(name);
                assert_true(asprintf(&name, "dhcp-hosts-%s", cluster_case[i]) > 0);
                golden_check(name, dhcp);
                free(name);
                assert_true(asprintf(&name, "dhcp-opts-%s", cluster_case[i]) > 0);
                golden_check(name, opts);
                free(name);
                assert_true(asprintf(&name, "cluster-%s", cluster_case[i]) > 0);
                golden_check(name, conf);
                free(name);
                name = NULL;
                assert_true(asprintf(&name, "%s.conf", c->name) > 0);
                dnsmasq_test_text(name, conf);
                dnsmasq_test_dir_lines(c->name, "dhcp-host", dhcp);
                dnsmasq_test_dir_lines(c->name, "dhcp-option", opts);
        }
}

/* The tags a cluster's DHCP text may name: set: only cl-CLUSTER and
 * nd-CLUSTER.NODE of its own nodes (built from validated names), and tag:
 * those or the boot tags (ipxe, efi64, negated). `key` is "set:" or "tag:". */
static void assert_own_tags(const struct cluster *c, const char *text, const char *key) {
        for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
                char tag[256], want[256];
                size_t len = strcspn(p + 4, ",\n");
                bool ok = false;

                assert_true(len < sizeof(tag));
                memcpy(tag, p + 4, len);
                tag[len] = '\0';
                snprintf(want, sizeof(want), "cl-%s", c->name);
                ok = streq(tag, want);
                for (size_t i = 0; i < c->n_nodes && !ok; i++) {
                        snprintf(want, sizeof(want), "nd-%s.%s", c->name, c->nodes[i].name);
                        ok = streq(tag, want);
                }
                if (streq(key, "tag:"))
                        ok = ok || streq(tag, "ipxe") || streq(tag, "!ipxe");
                if (!ok)
                        fail_msg("cluster %s: %s%s is not one of its own tags in:\n%s", c->name, key, tag,
                                 text);
        }
}

/* What the generators must hold whatever the golden files say. */
static void test_cluster_semantics(void **state) {
        (void)state;
        _cleanup_free_ char *sno_hosts = dnsmasq_conf_hosts(&clusters[CL_SNO4].c);
        _cleanup_free_ char *sno_conf = dnsmasq_conf_cluster(&clusters[CL_SNO4].c);
        _cleanup_free_ char *sno_opts = dnsmasq_conf_dhcp_opts(&clusters[CL_SNO4].c);
        _cleanup_free_ char *compact_hosts = dnsmasq_conf_hosts(&clusters[CL_COMPACT4].c);
        _cleanup_free_ char *compact_opts = dnsmasq_conf_dhcp_opts(&clusters[CL_COMPACT4].c);
        _cleanup_free_ char *compact_conf = dnsmasq_conf_cluster(&clusters[CL_COMPACT4].c);
        _cleanup_free_ char *v6_dhcp = dnsmasq_conf_dhcp_hosts(&clusters[CL_SNO6].c);
        _cleanup_free_ char *v6_opts = dnsmasq_conf_dhcp_opts(&clusters[CL_COMPACT6].c);
        _cleanup_free_ char *v6_conf = dnsmasq_conf_cluster(&clusters[CL_COMPACT6].c);
        _cleanup_free_ char *mno_dhcp = dnsmasq_conf_dhcp_hosts(&clusters[CL_MNO4].c);
        _cleanup_free_ char *mno_opts = dnsmasq_conf_dhcp_opts(&clusters[CL_MNO4].c);

        /* SNO: one line for the shared address, node name first (the PTR) */
        assert_string_equal(
                sno_hosts,
                "192.0.2.10 master-0.sno.lab.example api.sno.lab.example api-int.sno.lab.example\n");
        assert_non_null(strstr(sno_conf, "\nhost-record=master-0.sno.lab.example,api.sno.lab.example,"
                                         "api-int.sno.lab.example,192.0.2.10\n"));
        assert_null(strstr(sno_conf, "host-record=api."));
        assert_non_null(strstr(sno_conf, "\naddress=/apps.sno.lab.example/192.0.2.10\n"));
        /* compact: the VIP has a line of its own */
        assert_non_null(
                strstr(compact_hosts, "\n192.0.2.23 api.compact.lab.example api-int.compact.lab.example\n"));
        assert_non_null(strstr(compact_hosts, "192.0.2.20 master-0.compact.lab.example\n"));
        /* IPv6: DHCPv6 by MAC with the same tags, the address in
         * brackets; the cluster's domain as search list; no DHCPv4 names
         * or boot overrides (the compact6 node's iPXE script is IPv4) */
        assert_string_equal(v6_dhcp, "52:54:00:00:06:10,set:cl-sno6,set:nd-sno6.master-0,[2001:db8:1::10]\n");
        assert_string_equal(v6_opts, "tag:cl-compact6,option6:domain-search,compact6.v6.example\n");
        assert_non_null(strstr(v6_conf,
                               "\ndhcp-host=52:54:00:00:06:21,set:cl-compact6,set:nd-compact6.master-1,"
                               "[2001:db8:1::21]\n"));
        assert_non_null(strstr(v6_conf, "\ndhcp-ignore-names=tag:cl-compact6\n"));
        assert_null(strstr(v6_conf, "option:"));
        assert_null(strstr(v6_conf, ",12,"));

        /* DHCP names: the host line sets the cluster's and the node's tags
         * and carries no name (it would become a lease name in DNS); the
         * options give host name NODE and domain CLUSTER.DOMAIN */
        assert_non_null(
                strstr(mno_dhcp, "\n02:00:00:00:01:13,set:cl-mno,set:nd-mno.worker-0,198.51.100.13\n"));
        assert_null(strstr(mno_dhcp, ".lab.example"));
        assert_string_equal(sno_opts, "tag:cl-sno,option:domain-name,sno.lab.example\n"
                                      "tag:nd-sno.master-0,12,master-0\n");
        assert_non_null(strstr(sno_conf,
                               "\ndhcp-host=52:54:00:8a:01:02,set:cl-sno,set:nd-sno.master-0,192.0.2.10\n"
                               "dhcp-ignore-names=tag:cl-sno\n"
                               "dhcp-option=tag:cl-sno,option:domain-name,sno.lab.example\n"
                               "dhcp-option=tag:nd-sno.master-0,12,master-0\n"));
        /* boot overrides: the script for iPXE, a file for the rest */
        assert_non_null(strstr(compact_opts, "\ntag:nd-compact.master-1,tag:ipxe,option:bootfile-name,"
                                             "http://192.0.2.1:8080/compact/master-1.ipxe\n"));
        assert_non_null(strstr(compact_conf,
                               "\ndhcp-option=tag:nd-compact.master-1,tag:ipxe,"
                               "option:bootfile-name,http://192.0.2.1:8080/compact/master-1.ipxe\n"));
        assert_null(strstr(compact_opts, "nd-compact.master-0,tag"));
        assert_non_null(
                strstr(mno_opts, "\ntag:nd-mno.worker-0,tag:!ipxe,option:bootfile-name,worker/pxelinux.0\n"));
        /* only the cluster's own tags, in every text and mode */
        for (size_t i = 0; i < N_CLUSTERS; i++) {
                const struct cluster *c = &clusters[i].c;
                _cleanup_free_ char *dhcp = dnsmasq_conf_dhcp_hosts(c), *opts = dnsmasq_conf_dhcp_opts(c),
                                    *conf = dnsmasq_conf_cluster(c), *hosts = dnsmasq_conf_hosts(c);

                assert_own_tags(c, dhcp, "set:");
                assert_own_tags(c, conf, "set:");
                assert_own_tags(c, opts, "tag:");
                assert_own_tags(c, conf, "tag:");
                assert_null(strstr(opts, "set:"));
                assert_null(strstr(hosts, "set:"));
                assert_null(strstr(hosts, "tag:"));
        }
}

/* Dual-stack: both families in every text, each option on its side. */
static void test_cluster_dualstack(void **state) {
        (void)state;
        const struct cluster *ds = &clusters[CL_DS].c, *sno = &clusters[CL_DSSNO].c;
        _cleanup_free_ char *hosts = dnsmasq_conf_hosts(ds), *dhcp = dnsmasq_conf_dhcp_hosts(ds),
                            *opts = dnsmasq_conf_dhcp_opts(ds), *conf = dnsmasq_conf_cluster(ds);
        _cleanup_free_ char *sno_hosts = dnsmasq_conf_hosts(sno), *sno_dhcp = dnsmasq_conf_dhcp_hosts(sno),
                            *sno_opts = dnsmasq_conf_dhcp_opts(sno), *sno_conf = dnsmasq_conf_cluster(sno);

        /* one DHCP line per node with both families, IPv4 first whatever
         * the primary family */
        assert_string_equal(dhcp,
                            "52:54:00:00:0d:30,set:cl-ds,set:nd-ds.master-0,192.0.2.30,[2001:db8:1::30]\n"
                            "52:54:00:00:0d:31,set:cl-ds,set:nd-ds.master-1,192.0.2.31,[2001:db8:1::31]\n"
                            "52:54:00:00:0d:32,set:cl-ds,set:nd-ds.master-2,192.0.2.32,[2001:db8:1::32]\n");
        assert_string_equal(
                sno_dhcp,
                "52:54:00:00:0d:40,set:cl-dssno6,set:nd-dssno6.master-0,192.0.2.40,[2001:db8:1::40]\n");
        /* A and AAAA for every name: one hosts line per address; the VIPs
         * of both families */
        assert_string_equal(hosts, "192.0.2.30 master-0.ds.lab.example\n"
                                   "2001:db8:1::30 master-0.ds.lab.example\n"
                                   "192.0.2.31 master-1.ds.lab.example\n"
                                   "2001:db8:1::31 master-1.ds.lab.example\n"
                                   "192.0.2.32 master-2.ds.lab.example\n"
                                   "2001:db8:1::32 master-2.ds.lab.example\n"
                                   "192.0.2.33 api.ds.lab.example api-int.ds.lab.example\n"
                                   "2001:db8:1::33 api.ds.lab.example api-int.ds.lab.example\n");
        /* SNO: the api names join the node's line in each family (the
         * node's name first: both PTRs are the node's) */
        assert_string_equal(
                sno_hosts,
                "2001:db8:1::40 master-0.dssno6.v6.example api.dssno6.v6.example "
                "api-int.dssno6.v6.example\n"
                "192.0.2.40 master-0.dssno6.v6.example api.dssno6.v6.example api-int.dssno6.v6.example\n");
        /* options: the search list for DHCPv6, domain and host names for
         * DHCPv4 (option: lines never apply to DHCPv6 and back) */
        assert_string_equal(opts, "tag:cl-ds,option6:domain-search,ds.lab.example\n"
                                  "tag:cl-ds,option:domain-name,ds.lab.example\n"
                                  "tag:nd-ds.master-0,12,master-0\n"
                                  "tag:nd-ds.master-1,12,master-1\n"
                                  "tag:nd-ds.master-2,12,master-2\n");
        assert_non_null(strstr(sno_opts, "tag:cl-dssno6,option6:domain-search,dssno6.v6.example\n"));
        assert_non_null(strstr(sno_opts, "\ntag:nd-dssno6.master-0,12,master-0\n"));
        /* external: both families on one host-record, one address= each */
        assert_non_null(strstr(conf, "\nhost-record=master-1.ds.lab.example,192.0.2.31,2001:db8:1::31\n"));
        assert_non_null(strstr(
                conf, "\nhost-record=api.ds.lab.example,api-int.ds.lab.example,192.0.2.33,2001:db8:1::33\n"));
        assert_non_null(strstr(conf, "\naddress=/apps.ds.lab.example/192.0.2.34\n"
                                     "address=/apps.ds.lab.example/2001:db8:1::34\n"));
        assert_non_null(strstr(sno_conf, "\nhost-record=master-0.dssno6.v6.example,api.dssno6.v6.example,"
                                         "api-int.dssno6.v6.example,192.0.2.40,2001:db8:1::40\n"));
        assert_null(strstr(sno_conf, "host-record=api."));
        assert_non_null(strstr(sno_conf, "\naddress=/apps.dssno6.v6.example/2001:db8:1::40\n"
                                         "address=/apps.dssno6.v6.example/192.0.2.40\n"));
}

/* A reused node: no DHCP entry, no hosts line, no host-record (a second
 * PTR for the owner's address); its names and the API names on it are
 * answered without a PTR (address=, the responder in managed mode). */
static void test_cluster_reuse(void **state) {
        (void)state;
        const struct cluster *hub = &clusters[CL_HUB].c, *dshub = &clusters[CL_DSHUB].c,
                             *mix = &clusters[CL_MIX].c;
        _cleanup_free_ char *hosts = dnsmasq_conf_hosts(hub), *dhcp = dnsmasq_conf_dhcp_hosts(hub),
                            *opts = dnsmasq_conf_dhcp_opts(hub), *conf = dnsmasq_conf_cluster(hub);
        _cleanup_free_ char *ds_hosts = dnsmasq_conf_hosts(dshub), *ds_dhcp = dnsmasq_conf_dhcp_hosts(dshub),
                            *ds_conf = dnsmasq_conf_cluster(dshub);
        _cleanup_free_ char *mix_hosts = dnsmasq_conf_hosts(mix), *mix_dhcp = dnsmasq_conf_dhcp_hosts(mix),
                            *mix_opts = dnsmasq_conf_dhcp_opts(mix), *mix_conf = dnsmasq_conf_cluster(mix);

        assert_string_equal(hosts, "");
        assert_string_equal(dhcp, "");
        assert_string_equal(opts, "");
        assert_string_equal(conf, "# Cluster hub. Generated by netd; do not edit: netd rewrites this file.\n"
                                  "address=/master-0.hub.lab.example/198.51.100.14\n"
                                  "address=/api.hub.lab.example/198.51.100.14\n"
                                  "address=/api-int.hub.lab.example/198.51.100.14\n"
                                  "address=/apps.hub.lab.example/198.51.100.14\n");
        assert_string_equal(ds_hosts, "");
        assert_string_equal(ds_dhcp, "");
        assert_non_null(strstr(ds_conf, "\naddress=/master-0.dshub.lab.example/192.0.2.32\n"
                                        "address=/master-0.dshub.lab.example/2001:db8:1::32\n"
                                        "address=/api.dshub.lab.example/192.0.2.32\n"
                                        "address=/api-int.dshub.lab.example/192.0.2.32\n"
                                        "address=/api.dshub.lab.example/2001:db8:1::32\n"
                                        "address=/api-int.dshub.lab.example/2001:db8:1::32\n"));
        assert_null(strstr(ds_conf, "host-record="));
        assert_null(strstr(ds_conf, "dhcp-"));
        /* own nodes as usual next to a reused one */
        assert_string_equal(mix_hosts, "192.0.2.50 master-0.mix.lab.example\n"
                                       "192.0.2.51 master-1.mix.lab.example\n"
                                       "192.0.2.52 api.mix.lab.example api-int.mix.lab.example\n");
        assert_null(strstr(mix_dhcp, "52:54:00:00:00:22"));
        assert_null(strstr(mix_dhcp, "master-2"));
        assert_null(strstr(mix_opts, "master-2"));
        assert_non_null(strstr(mix_conf, "\ndhcp-ignore-names=tag:cl-mix\n"));
        assert_non_null(strstr(mix_conf,
                               "\nhost-record=api.mix.lab.example,api-int.mix.lab.example,192.0.2.52\n"
                               "address=/master-2.mix.lab.example/192.0.2.22\n"
                               "address=/apps.mix.lab.example/192.0.2.53\n"));
        assert_null(strstr(mix_conf, "host-record=master-2"));
        /* the owners' texts keep the only DHCP entry and PTR of the machine */
        _cleanup_free_ char *owner_dhcp = dnsmasq_conf_dhcp_hosts(&clusters[CL_MNO4].c);
        _cleanup_free_ char *owner_hosts = dnsmasq_conf_hosts(&clusters[CL_MNO4].c);
        assert_non_null(
                strstr(owner_dhcp, "\n52:54:00:00:01:14,set:cl-mno,set:nd-mno.worker-1,198.51.100.14\n"));
        assert_non_null(strstr(owner_hosts, "\n198.51.100.14 worker-1.mno.lab.example\n"));
}

/* External mode as dnsmasq reads it: a conf-dir holding every snippet. */
static void test_conf_dir(void **state) {
        (void)state;
        _cleanup_free_ char *dir = test_path_join(tmpdir, "conf.d"), *arg = NULL;

        (void)mkdir(dir, 0755);
        for (size_t i = 0; i < N_CLUSTERS; i++) {
                _cleanup_free_ char *conf = dnsmasq_conf_cluster(&clusters[i].c), *name = NULL, *path = NULL;
                assert_non_null(conf);
                assert_true(asprintf(&name, "%s.conf", clusters[i].c.name) > 0);
                path = test_path_join(dir, name);
                test_file_write(path, conf);
        }
        _cleanup_free_ char *nets_conf = dnsmasq_conf_networks(net_ptrs, N_NETS);
        _cleanup_free_ char *nets_path = test_path_join(dir, DNSMASQ_NETWORKS_CONF);
        assert_non_null(nets_conf);
        test_file_write(nets_path, nets_conf);
        assert_true(asprintf(&arg, "--conf-dir=%s,*.conf", dir) > 0);
        dnsmasq_test_args("the external conf-dir", "--conf-file=/dev/null", arg);
}

static void assert_cluster_refused(const struct cluster *c) {
        errno = 0;
        assert_null(dnsmasq_conf_hosts(c));
        assert_int_equal(errno, EINVAL);
        errno = 0;
        assert_null(dnsmasq_conf_dhcp_hosts(c));
        assert_int_equal(errno, EINVAL);
        errno = 0;
        assert_null(dnsmasq_conf_dhcp_opts(c));
        assert_int_equal(errno, EINVAL);
        errno = 0;
        assert_null(dnsmasq_conf_cluster(c));
        assert_int_equal(errno, EINVAL);
}

static void test_cluster_injection(void **state) {
        (void)state;
        static const char *const bad_names[] = {"sno\nport=1", "sno,x", "sno\n", "Sno", "",
                                                "sno.lab",     "s\rno"};
        static const char *const bad_domains[] = {"lab.example\naddress=/x/1.2.3.4", "lab,example",
                                                  "lab..example", "lab example", ""};
        struct cluster_fixture f;

        for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
                f = clusters[CL_SNO4];
                f.c.nodes = f.nodes;
                strscpy(f.c.name, sizeof(f.c.name), bad_names[i]);
                assert_cluster_refused(&f.c);

                f = clusters[CL_MNO4];
                f.c.nodes = f.nodes;
                strscpy(f.nodes[3].name, sizeof(f.nodes[3].name), bad_names[i]);
                assert_cluster_refused(&f.c);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad_domains); i++) {
                f = clusters[CL_COMPACT4];
                f.c.nodes = f.nodes;
                strscpy(f.c.domain, sizeof(f.c.domain), bad_domains[i]);
                assert_cluster_refused(&f.c);
        }
        /* valid parts that make a name over 253 characters */
        f = clusters[CL_SNO4];
        f.c.nodes = f.nodes;
        memset(f.c.domain, 0, sizeof(f.c.domain));
        for (size_t i = 0; i < 4; i++)
                strcat(f.c.domain, i ? ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                     : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assert_cluster_refused(&f.c);
        /* a node count without nodes */
        f = clusters[CL_COMPACT4];
        f.c.nodes = NULL;
        assert_cluster_refused(&f.c);

        /* boot overrides land in an option value */
        static const char *const bad_urls[] = {
                "http://192.0.2.1/a.ipxe\ndhcp-range=192.0.2.0,static",
                "http://192.0.2.1/a,b.ipxe",
                "http://192.0.2.1/a.ipxe#frag",
                "http://192.0.2.1/a b.ipxe",
                "http://192.0.2.1/\"a\".ipxe",
                "http://192.0.2.1/a\\b",
                "ftp://192.0.2.1/a.ipxe",
                "",
        };
        static const char *const bad_files[] = {
                "pxelinux.0\ndhcp-boot=x", "pxe,linux.0", "../etc/shadow", "/abs/pxelinux.0", "a b", "",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad_urls); i++) {
                f = clusters[CL_COMPACT4];
                f.c.nodes = f.nodes;
                node_boot_set(&f.nodes[2], NODE_BOOT_IPXE_SCRIPT, bad_urls[i]);
                assert_cluster_refused(&f.c);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++) {
                f = clusters[CL_COMPACT4];
                f.c.nodes = f.nodes;
                node_boot_set(&f.nodes[2], NODE_BOOT_FILE, bad_files[i]);
                assert_cluster_refused(&f.c);
        }
        f = clusters[CL_COMPACT4];
        f.c.nodes = f.nodes;
        f.nodes[0].boot = (enum node_boot)7;
        assert_cluster_refused(&f.c);
        /* addresses: two of one family (a dhcp-host line takes one of
         * each), one unset, more than the networks, none at all */
        f = clusters[CL_DS];
        f.c.nodes = f.nodes;
        f.nodes[1].ips[1] = ip("192.0.2.99");
        assert_cluster_refused(&f.c);
        f = clusters[CL_DS];
        f.c.nodes = f.nodes;
        f.nodes[2].ips[1] = (struct addr){0};
        assert_cluster_refused(&f.c);
        f = clusters[CL_DS];
        f.c.nodes = f.nodes;
        f.nodes[0].n_ips = CLUSTER_NETWORKS_MAX + 1;
        assert_cluster_refused(&f.c);
        f = clusters[CL_DS];
        f.c.nodes = f.nodes;
        f.c.n_networks = CLUSTER_NETWORKS_MAX + 1;
        assert_cluster_refused(&f.c);
        f = clusters[CL_SNO4];
        f.c.nodes = f.nodes;
        f.nodes[0].ip = (struct addr){0};
        assert_cluster_refused(&f.c);
        /* the value of "network" is not used */
        f = clusters[CL_COMPACT4];
        f.c.nodes = f.nodes;
        node_boot_set(&f.nodes[2], NODE_BOOT_NETWORK, "x\ny");
        _cleanup_free_ char *opts = dnsmasq_conf_dhcp_opts(&f.c);
        assert_non_null(opts);
        assert_null(strstr(opts, "nd-compact.master-2,tag:"));
}

static void test_network_injection(void **state) {
        (void)state;
        struct network n, *list[] = {&nets[NET_LAB], &n};
        struct dnsmasq_main_params p = golden_params;

        n = nets[NET_DYN];
        strscpy(n.name, sizeof(n.name), "dyn\ndhcp-range=1.2.3.4,static");
        assert_null(dnsmasq_conf_main(&golden_params, list, 2));
        assert_int_equal(errno, EINVAL);
        assert_null(dnsmasq_conf_networks(list, 2));
        assert_int_equal(errno, EINVAL);

        n = nets[NET_DYN];
        strscpy(n.name, sizeof(n.name), "dyn,x");
        assert_null(dnsmasq_conf_networks(list, 2));
        assert_int_equal(errno, EINVAL);

        n = nets[NET_DYN];
        strscpy(n.domain, sizeof(n.domain), "lab.example/\nlocal=/x");
        assert_null(dnsmasq_conf_networks(list, 2));
        assert_int_equal(errno, EINVAL);

        n = nets[NET_DYN];
        strscpy(n.interface, sizeof(n.interface), "eth0\nport=1");
        assert_null(dnsmasq_conf_main(&golden_params, list, 2));
        assert_int_equal(errno, EINVAL);

        n = nets[NET_DYN];
        n.gateway = ip("2001:db8::1"); /* another family than the CIDR */
        assert_null(dnsmasq_conf_networks(list, 2));
        assert_int_equal(errno, EINVAL);

        p.hosts_dir = "/var/lib/netd\nport=1";
        assert_null(dnsmasq_conf_main(&p, list, 1));
        assert_int_equal(errno, EINVAL);
        p = golden_params;
        p.dhcp_opts_dir = "/var/lib/netd/dhcp-opts.d\nport=1";
        errno = 0;
        assert_null(dnsmasq_conf_main(&p, list, 1));
        assert_int_equal(errno, EINVAL);
        p = golden_params;
        p.dhcp_opts_dir = NULL;
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p = golden_params;
        p.lease_file = "/var/lib/netd/lea ses";
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p = golden_params;
        p.dhcp_hosts_dir = "relative/dhcp-hosts.d";
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p = golden_params;
        p.dhcp_hosts_dir = "/var/lib/netd/dhcp-hosts.d,/etc";
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p = golden_params;
        p.dhcp_hosts_dir = NULL;
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p = golden_params;
        p.dns_port = 0;
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p = golden_params;
        p.responder_port = 0;
        errno = 0;
        assert_null(dnsmasq_conf_main(&p, list, 1));
        assert_int_equal(errno, EINVAL);
        p = golden_params;
        p.responder_port = 65536;
        assert_null(dnsmasq_conf_main(&p, list, 1));
        p.responder_port = 65535;
        _cleanup_free_ char *max = dnsmasq_conf_main(&p, list, 1);
        assert_non_null(strstr(max, "127.0.0.1#65535\n"));
        assert_null(dnsmasq_conf_main(NULL, list, 1));
}

static void assert_network_refused(struct network *n, const char *what) {
        struct network *list[] = {&nets[NET_LAB], n};

        errno = 0;
        if (dnsmasq_conf_main(&golden_params, list, 2))
                fail_msg("dnsmasq.conf with %s", what);
        assert_int_equal(errno, EINVAL);
        errno = 0;
        if (dnsmasq_conf_networks(list, 2))
                fail_msg("%s with %s", DNSMASQ_NETWORKS_CONF, what);
        assert_int_equal(errno, EINVAL);
}

/* What DHCP hands out: MTU, boot and options are checked again. */
static void test_network_dhcp_injection(void **state) {
        (void)state;
        static const char *const bad_files[] = {
                "undionly.kpxe\ndhcp-range=1.2.3.4,static",
                "undionly,kpxe",
                "../undionly.kpxe",
                "/srv/tftp/undionly.kpxe",
                "undionly kpxe",
                "undionly#kpxe",
        };
        static const char *const bad_urls[] = {
                "http://x/boot.ipxe\nport=1", "http://x/a,b", "http://x/a#b", "http://x/a b", "file:///etc/x",
        };
        static const char *const bad_roots[] = {
                "srv/tftp", "/srv/../etc", "/srv/tftp,eth0", "/srv/tftp\nport=1", "/srv/t ftp", "/srv/./tftp",
        };
        struct dhcp_option bad_opt[2];
        struct network n;

        for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++) {
                n = nets[NET_PXE];
                strscpy(n.boot.file, sizeof(n.boot.file), bad_files[i]);
                assert_network_refused(&n, bad_files[i]);
                n = nets[NET_PXE];
                strscpy(n.boot.file_efi, sizeof(n.boot.file_efi), bad_files[i]);
                assert_network_refused(&n, bad_files[i]);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad_urls); i++) {
                n = nets[NET_PXE];
                strscpy(n.boot.ipxe_script, sizeof(n.boot.ipxe_script), bad_urls[i]);
                assert_network_refused(&n, bad_urls[i]);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad_roots); i++) {
                n = nets[NET_PXE];
                strscpy(n.boot.tftp_root, sizeof(n.boot.tftp_root), bad_roots[i]);
                assert_network_refused(&n, bad_roots[i]);
        }
        n = nets[NET_PXE];
        n.boot.server = ip("2001:db8::9");
        assert_network_refused(&n, "an IPv6 next server");
        n = nets[NET_PXE];
        n.boot.server = (struct addr){0};
        assert_network_refused(&n, "a next server without an address");
        n = nets[NET_PXE];
        n.mtu = 67;
        assert_network_refused(&n, "MTU 67");
        n.mtu = 65536;
        assert_network_refused(&n, "MTU 65536");
        /* DHCP settings on an IPv6 network (no DHCP there yet) */
        n = nets[NET_V6];
        n.has_boot = true;
        n.boot = nets[NET_PXE].boot;
        assert_network_refused(&n, "boot on IPv6");
        n = nets[NET_V6];
        n.dhcp_options = pxe_opts;
        n.n_dhcp_options = 1;
        assert_network_refused(&n, "options on IPv6");
        /* options: a value that is not what the parser makes, an unknown
         * option, the same option twice, a count without options */
        n = nets[NET_PXE];
        n.dhcp_options = bad_opt;
        n.n_dhcp_options = 1;
        bad_opt[0] = pxe_opts[0];
        strscpy(bad_opt[0].value, sizeof(bad_opt[0].value), "192.0.2.5\ndhcp-range=192.0.2.0,static");
        assert_network_refused(&n, "a value with a line");
        strscpy(bad_opt[0].value, sizeof(bad_opt[0].value), "192.0.2.5 192.0.2.6");
        assert_network_refused(&n, "a value with a space");
        strscpy(bad_opt[0].value, sizeof(bad_opt[0].value), "ntp.example");
        assert_network_refused(&n, "a name for an address");
        strscpy(bad_opt[0].value, sizeof(bad_opt[0].value), "192.0.2.5#x");
        assert_network_refused(&n, "a value with a comment");
        bad_opt[0] = pxe_opts[3];
        strscpy(bad_opt[0].value, sizeof(bad_opt[0].value), "bad_name!.example");
        assert_network_refused(&n, "a bad search domain");
        bad_opt[0] = pxe_opts[4];
        strscpy(bad_opt[0].value, sizeof(bad_opt[0].value), "foo,bar");
        assert_network_refused(&n, "a bad route");
        bad_opt[0] = pxe_opts[0];
        bad_opt[0].type = DHCP_OPTION_TYPE_MAX;
        assert_network_refused(&n, "an unknown option");
        bad_opt[0] = pxe_opts[0];
        bad_opt[1] = pxe_opts[0];
        n.n_dhcp_options = 2;
        assert_network_refused(&n, "one option twice");
        n.dhcp_options = NULL;
        assert_network_refused(&n, "options without their array");
}

static int setup(void **state) {
        (void)state;
        if (!mkdtemp(tmpdir))
                return -1;
        networks_init();
        clusters_init();
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int teardown(void **state) {
        (void)state;
        return nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_main_conf),         cmocka_unit_test(test_main_domains),
                cmocka_unit_test(test_networks_conf),     cmocka_unit_test(test_cluster_files),
                cmocka_unit_test(test_cluster_semantics), cmocka_unit_test(test_cluster_dualstack),
                cmocka_unit_test(test_cluster_reuse),     cmocka_unit_test(test_conf_dir),
                cmocka_unit_test(test_cluster_injection), cmocka_unit_test(test_network_injection),
                cmocka_unit_test(test_network_dhcp),      cmocka_unit_test(test_network_dhcp_injection),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
