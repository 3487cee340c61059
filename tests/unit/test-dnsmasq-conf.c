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

enum { NET_LAB, NET_DYN, NET_ODD, NET_V6, NET_V6ODD, N_NETS };
static struct network nets[N_NETS];
static struct network *net_ptrs[N_NETS];

static void networks_init(void) {
        /* interface, static DHCP, aligned reverse zone */
        network_init(&nets[NET_LAB], "lab", "192.0.2.0/24", "192.0.2.1", "lab.example", "br-lab", NULL, NULL);
        /* no interface, dynamic range, a domain already seen */
        network_init(&nets[NET_DYN], "dyn", "198.51.100.0/24", "198.51.100.1", "lab.example", NULL,
                     "198.51.100.200", "198.51.100.250");
        /* the default domain, a prefix without a reverse zone */
        network_init(&nets[NET_ODD], "odd", "203.0.113.64/26", "203.0.113.65", "lab.internal", "eth1", NULL,
                     NULL);
        /* IPv6 on an interface already listed */
        network_init(&nets[NET_V6], "v6", "2001:db8:1::/64", "2001:db8:1::1", "v6.example", "br-lab", NULL,
                     NULL);
        network_init(&nets[NET_V6ODD], "v6odd", "2001:db8:2::/62", "2001:db8:2::1", "v6.example", NULL, NULL,
                     NULL);
        for (size_t i = 0; i < N_NETS; i++)
                net_ptrs[i] = &nets[i];
}

struct node_fixture {
        const char *name, *mac, *ip;
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
                if (streq(nd->role, "master"))
                        f->c.masters++;
                else
                        f->c.workers++;
        }
}

enum { CL_SNO4, CL_COMPACT4, CL_MNO4, CL_SNO6, CL_COMPACT6, N_CLUSTERS };
static const char *const cluster_case[N_CLUSTERS] = {"sno4", "compact4", "mno4", "sno6", "compact6"};
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
}

static const struct dnsmasq_main_params golden_params = {
        .hosts_dir = "/var/lib/netd/dnsmasq/hosts.d",
        .dhcp_hosts_dir = "/var/lib/netd/dnsmasq/dhcp-hosts.d",
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

/* `dnsmasq --test` never opens the dhcp-hostsdir files, but dnsmasq
 * parses their lines as the values of dhcp-host=: check them in that
 * form. */
static void dnsmasq_test_dir_lines(const char *name, const char *dhcp_hosts) {
        _cleanup_free_ char *file = NULL;
        char *conf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&conf, &size);

        assert_non_null(f);
        assert_non_null(dhcp_hosts);
        for (const char *p = dhcp_hosts; *p;) {
                const char *nl = strchr(p, '\n');
                assert_non_null(nl); /* every line is terminated */
                fprintf(f, "dhcp-host=%.*s\n", (int)(nl - p), p);
                p = nl + 1;
        }
        assert_int_equal(fclose(f), 0);
        assert_true(asprintf(&file, "%s.dir-lines.conf", name) > 0);
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
                {"main-all", 0, N_NETS},
                {"main-lab", NET_LAB, 1},
                {"main-none", 0, 0},
        };
        _cleanup_free_ char *hosts = test_path_join(tmpdir, "hosts.d"),
                            *dhcp = test_path_join(tmpdir, "dhcp-hosts.d"),
                            *leases = test_path_join(tmpdir, "leases");
        struct dnsmasq_main_params p = {
                .hosts_dir = hosts,
                .dhcp_hosts_dir = dhcp,
                .lease_file = leases,
                .dns_port = 15353,
                .responder_port = 15354,
        };

        (void)mkdir(hosts, 0755);
        (void)mkdir(dhcp, 0755);

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
        /* dnsmasq 2.90 crashes on SIGHUP with dhcp-optsdir and tagged hosts */
        assert_null(strstr(managed, "dhcp-optsdir="));
        assert_null(strstr(managed, "addn-hosts="));
        assert_null(strstr(managed, "servers-file="));

        assert_null(strstr(external, "server="));
        assert_non_null(strstr(external, "\nlocal=/lab.example/\n"));
        assert_non_null(strstr(external, "\nlocal=/2.0.192.in-addr.arpa/\n"));
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
                                    *conf = dnsmasq_conf_cluster(c), *name = NULL;

                assert_true(asprintf(&name, "hosts-%s", cluster_case[i]) > 0);
                golden_check(name, hosts);
                free(name);
                assert_true(asprintf(&name, "dhcp-hosts-%s", cluster_case[i]) > 0);
                golden_check(name, dhcp);
                free(name);
                assert_true(asprintf(&name, "cluster-%s", cluster_case[i]) > 0);
                golden_check(name, conf);
                free(name);
                name = NULL;
                assert_true(asprintf(&name, "%s.conf", c->name) > 0);
                dnsmasq_test_text(name, conf);
                dnsmasq_test_dir_lines(c->name, dhcp);
        }
}

/* What the generators must hold whatever the golden files say. */
static void test_cluster_semantics(void **state) {
        (void)state;
        _cleanup_free_ char *sno_hosts = dnsmasq_conf_hosts(&clusters[CL_SNO4].c);
        _cleanup_free_ char *sno_conf = dnsmasq_conf_cluster(&clusters[CL_SNO4].c);
        _cleanup_free_ char *compact_hosts = dnsmasq_conf_hosts(&clusters[CL_COMPACT4].c);
        _cleanup_free_ char *v6_dhcp = dnsmasq_conf_dhcp_hosts(&clusters[CL_SNO6].c);
        _cleanup_free_ char *v6_conf = dnsmasq_conf_cluster(&clusters[CL_SNO6].c);
        _cleanup_free_ char *mno_dhcp = dnsmasq_conf_dhcp_hosts(&clusters[CL_MNO4].c);

        /* SNO: one line for the shared address, node name first (the PTR) */
        assert_string_equal(
                sno_hosts,
                "192.0.2.10 master-0.sno.lab.example api.sno.lab.example api-int.sno.lab.example\n");
        assert_non_null(strstr(sno_conf, "\nhost-record=master-0.sno.lab.example,api.sno.lab.example,"
                                         "api-int.sno.lab.example,192.0.2.10\n"));
        assert_null(strstr(sno_conf, "host-record=api."));
        assert_non_null(
                strstr(sno_conf, "\ndhcp-host=52:54:00:8a:01:02,192.0.2.10,master-0.sno.lab.example\n"));
        assert_non_null(strstr(sno_conf, "\naddress=/apps.sno.lab.example/192.0.2.10\n"));
        /* compact: the VIP has a line of its own */
        assert_non_null(
                strstr(compact_hosts, "\n192.0.2.23 api.compact.lab.example api-int.compact.lab.example\n"));
        assert_non_null(strstr(compact_hosts, "192.0.2.20 master-0.compact.lab.example\n"));
        /* IPv6: no DHCP */
        assert_string_equal(v6_dhcp, "");
        assert_null(strstr(v6_conf, "dhcp-host="));
        /* a worker with a given MAC; no set: tag in either mode (dnsmasq
         * 2.90 crashes on SIGHUP with tagged hosts and dhcp-optsdir), and
         * external mode keeps the contract's dhcp-host=MAC,IP,FQDN */
        assert_non_null(strstr(mno_dhcp, "\n02:00:00:00:01:13,198.51.100.13,worker-0.mno.lab.example\n"));
        assert_null(strstr(mno_dhcp, "set:"));
        assert_null(strstr(sno_conf, "set:"));
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
                cmocka_unit_test(test_cluster_semantics), cmocka_unit_test(test_conf_dir),
                cmocka_unit_test(test_cluster_injection), cmocka_unit_test(test_network_injection),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
