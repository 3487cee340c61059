/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The managed back end (--dnsmasq=managed) through the public API, with a
 * store fixture and a real event loop, against stand-ins:
 *
 *   - a "dnsmasq" script that records how it was started and each SIGHUP;
 *   - a DNS server on the DNS port, in this process, that answers from the
 *     hosts.d files as dnsmasq does and forwards every other name to netd's
 *     responder (the server= line of dnsmasq.conf);
 *   - "dhcp_release" and "dhcp_release6" scripts on PATH that drop the
 *     lease from the file (the second fails when two run at once).
 *
 * Checked: the files under STATE/dnsmasq against goldens in
 * tests/data/dnsmasq (NETD_TEST_REGENERATE=1 rewrites them), written in
 * the order dnsmasq must read them, stale files pruned at start, a change
 * done only once the probes see it, SIGHUP (dnsmasq 2.91 and later) or a
 * restart (before) and then dhcp_release for released nodes, restarts on
 * network changes, on changed boot overrides and after a crash;
 * dual-stack clusters (both families probed and released) and reused
 * nodes (no DHCP entry or hosts line, their leases left alone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "db/node.h"
#include "netd/dnsmasq/dns.h"
#include "dnsmasq-fixture.h"
#include "golden.h"

static const struct node_mac sno_macs[] = {{"master-0", "52:54:00:00:00:01"}};
static const struct node_mac compact_macs[] = {
        {"master-0", "52:54:00:00:01:00"},
        {"master-1", "52:54:00:00:01:01"},
        {"master-2", "52:54:00:00:01:02"},
};

/* ---- the stand-ins ---- */

/* Its version is STATE/version (2.90 when absent); `events` logs starts,
 * SIGHUPs and releases in their order; STATE/child-pid exists while it is
 * up (the stand-in DNS server answers only then, as dnsmasq would). */
#define FAKE_DNSMASQ                                                                                         \
        "#!/bin/sh\n"                                                                                        \
        "if [ \"$1\" = --version ]; then\n"                                                                  \
        "  echo \"Dnsmasq version $(cat @STATE@/version 2>/dev/null || echo 2.90)  Copyright (c) "           \
        "2000-2024\"\n"                                                                                      \
        "  echo \"Compile time options: IPv6 GNU-getopt DBus\"\n"                                            \
        "  echo $$ >> @STATE@/versions\n"                                                                    \
        "  exit 0\n"                                                                                         \
        "fi\n"                                                                                               \
        "trap 'echo hup >> @STATE@/hups; echo hup >> @STATE@/events' HUP\n"                                  \
        "trap 'rm -f @STATE@/child-pid; kill $pid 2>/dev/null; exit 0' TERM\n"                               \
        "echo \"$*\" > @STATE@/child-args\n"                                                                 \
        "echo start >> @STATE@/starts\n"                                                                     \
        "echo start >> @STATE@/events\n"                                                                     \
        "echo $$ > @STATE@/child-pid\n"                                                                      \
        "while :; do sleep 1 & pid=$!; wait $pid; done\n"

/* Both drop the lines of their address from the lease file, under a lock
 * (they may run at the same time). dhcp_release6 fails, as the real one
 * does, when another one runs: each binds the DHCPv6 client port. */
#define FAKE_DHCP_RELEASE                                                                                    \
        "#!/bin/sh\n"                                                                                        \
        "echo \"$*\" >> @STATE@/released\n"                                                                  \
        "echo release >> @STATE@/events\n"                                                                   \
        "exec flock @STATE@/lease.lock sh -c 'grep -v \" $0 \" @STATE@/dnsmasq/leases > "                    \
        "@STATE@/leases.new; mv @STATE@/leases.new @STATE@/dnsmasq/leases' \"$2\"\n"

#define FAKE_DHCP_RELEASE6                                                                                   \
        "#!/bin/sh\n"                                                                                        \
        "if ! mkdir @STATE@/release6-running 2>/dev/null; then\n"                                            \
        "  echo overlap >> @STATE@/released6; exit 255\n"                                                    \
        "fi\n"                                                                                               \
        "echo \"$*\" >> @STATE@/released6\n"                                                                 \
        "sleep 0.1\n"                                                                                        \
        "flock @STATE@/lease.lock sh -c 'grep -v \" $0 \" @STATE@/dnsmasq/leases > "                         \
        "@STATE@/leases.new; mv @STATE@/leases.new @STATE@/dnsmasq/leases' \"$4\"\n"                         \
        "rmdir @STATE@/release6-running\n"

static struct fake_dns {
        int fd, relay;
        struct event *ev, *relay_ev;
        struct sockaddr_storage client;
        socklen_t client_len;
        unsigned port;
        int answered, forwarded;
} fake;

static char *old_path;

/* The script `text` as STATE/NAME, with @STATE@ replaced. */
static void script_write(const char *name, const char *text) {
        _cleanup_free_ char *path = dt_path(name), *t = strdup(text);

        assert_non_null(t);
        t = dt_replace(t, "@STATE@", dt.f->dir);
        test_file_write(path, t);
        assert_int_equal(chmod(path, 0755), 0);
}

struct hosts_lookup {
        bool forward;
};

/* Like dnsmasq's hostsdir: "IP NAME..." lines in every file of hosts.d;
 * anything else (or another family) is forwarded. */
static int hosts_lookup(const char *name, int family, struct addr *ret, void *userdata) {
        struct hosts_lookup *hl = userdata;
        _cleanup_free_ char *dir = dt_path("dnsmasq/hosts.d");
        DIR *dh = opendir(dir);
        struct dirent *de;
        int found = -1;

        hl->forward = true;
        while (dh && found < 0 && (de = readdir(dh))) {
                _cleanup_free_ char *path = NULL, *text = NULL;

                if (de->d_name[0] == '.')
                        continue;
                path = test_path_join(dir, de->d_name);
                text = test_file_read(path);
                for (char *line = text ? strtok(text, "\n") : NULL; line && found < 0;
                     line = strtok(NULL, "\n")) {
                        char *save = NULL, *ipt = strtok_r(line, " ", &save);
                        struct addr a;

                        if (!ipt || addr_parse(ipt, &a, NULL) < 0 || a.family != family)
                                continue;
                        for (char *n = strtok_r(NULL, " ", &save); n; n = strtok_r(NULL, " ", &save))
                                if (streq(n, name)) {
                                        *ret = a;
                                        found = 1;
                                        hl->forward = false;
                                }
                }
        }
        if (dh)
                closedir(dh);
        return found;
}

static unsigned responder_port(void) {
        _cleanup_free_ char *conf = dt_path("dnsmasq/dnsmasq.conf"), *text = test_file_read(conf);
        const char *s = text ? strstr(text, "server=/netd.invalid/127.0.0.1#") : NULL;

        assert_non_null(s);
        return (unsigned)atoi(s + strlen("server=/netd.invalid/127.0.0.1#"));
}

static void on_relay_reply(evutil_socket_t fd, short what _unused_, void *arg _unused_) {
        uint8_t pkt[DNS_MAX_PACKET];
        ssize_t n;

        while ((n = recv(fd, pkt, sizeof(pkt), 0)) > 0)
                sendto(fake.fd, pkt, (size_t)n, 0, (struct sockaddr *)&fake.client, fake.client_len);
}

static void relay(const uint8_t *pkt, size_t len) {
        if (fake.relay < 0) {
                struct sockaddr_in sa = {.sin_family = AF_INET,
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                         .sin_port = htons((uint16_t)responder_port())};

                fake.relay = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                assert_true(fake.relay >= 0);
                assert_int_equal(connect(fake.relay, (struct sockaddr *)&sa, sizeof(sa)), 0);
                fake.relay_ev = event_new(dt.base, fake.relay, EV_READ | EV_PERSIST, on_relay_reply, NULL);
                event_add(fake.relay_ev, NULL);
        }
        send(fake.relay, pkt, len, 0);
        fake.forwarded++;
}

/* The stand-in dnsmasq runs: its DNS port answers. */
static bool child_up(void) {
        _cleanup_free_ char *p = dt_path("child-pid");

        return dt_exists(p);
}

static void on_fake_query(evutil_socket_t fd, short what _unused_, void *arg _unused_) {
        for (;;) {
                uint8_t in[DNS_MAX_PACKET], out[DNS_MAX_PACKET];
                struct hosts_lookup hl = {0};
                ssize_t n;
                int len;

                fake.client_len = sizeof(fake.client);
                n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&fake.client, &fake.client_len);
                if (n < 0)
                        return;
                if (!child_up())
                        continue;
                len = dns_answer(in, (size_t)n, hosts_lookup, &hl, 0, out, sizeof(out));
                if (len <= 0)
                        continue;
                if (hl.forward)
                        relay(in, (size_t)n);
                else {
                        sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&fake.client, fake.client_len);
                        fake.answered++;
                }
        }
}

static void fake_dns_start(void) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        char port[16];

        fake = (struct fake_dns){.relay = -1};
        fake.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        assert_true(fake.fd >= 0);
        assert_int_equal(bind(fake.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(getsockname(fake.fd, (struct sockaddr *)&sa, &len), 0);
        fake.port = ntohs(sa.sin_port);
        fake.ev = event_new(dt.base, fake.fd, EV_READ | EV_PERSIST, on_fake_query, NULL);
        event_add(fake.ev, NULL);
        snprintf(port, sizeof(port), "%u", fake.port);
        dt_config("dns-port", port);
}

static void fake_dns_stop(void) {
        if (fake.ev)
                event_free(fake.ev);
        if (fake.relay_ev)
                event_free(fake.relay_ev);
        if (fake.fd > 0)
                close(fake.fd);
        if (fake.relay >= 0)
                close(fake.relay);
        fake = (struct fake_dns){.relay = -1};
}

static int setup(void **state) {
        _cleanup_free_ char *bin = NULL, *path = NULL, *fake_dnsmasq = NULL;

        if (dt_setup(state, "netd-test-dnsmasq-managed") < 0)
                return -1;
        bin = dt_path("bin");
        if (mkdir(bin, 0755) < 0)
                return -1;
        script_write("bin/fake-dnsmasq", FAKE_DNSMASQ);
        script_write("bin/dhcp_release", FAKE_DHCP_RELEASE);
        script_write("bin/dhcp_release6", FAKE_DHCP_RELEASE6);
        old_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
        if (!old_path || asprintf(&path, "%s:%s", bin, old_path) < 0 || setenv("PATH", path, 1) < 0)
                return -1;
        fake_dnsmasq = dt_path("bin/fake-dnsmasq");
        dt_config("dnsmasq-binary", fake_dnsmasq);
        fake_dns_start();
        dt_network_add("lab", "192.0.2.0/24", "lab.example", "br-lab");
        return 0;
}

static int teardown(void **state) {
        /* netd stops its child first, as the daemon would */
        dnsmasq_free(dt.d);
        dt.d = NULL;
        fake_dns_stop();
        setenv("PATH", old_path, 1);
        free(old_path);
        old_path = NULL;
        return dt_teardown(state);
}

/* ---- helpers ---- */

static char *state_read(const char *name) {
        _cleanup_free_ char *p = dt_path(name);

        return test_file_read(p);
}

static int lines(const char *name) {
        _cleanup_free_ char *text = state_read(name);
        int n = 0;

        for (const char *s = text; s && (s = strchr(s, '\n')); s++)
                n++;
        return n;
}

static ino_t inode(const char *name) {
        _cleanup_free_ char *p = dt_path(name);
        struct stat st;

        assert_int_equal(stat(p, &st), 0);
        return st.st_ino;
}

/* Run the loop until STATE/NAME has `want` lines. */
static void wait_lines(const char *name, int want) {
        time_t deadline = time(NULL) + 15;

        while (lines(name) < want) {
                if (time(NULL) > deadline)
                        fail_msg("%s: %d lines, not %d", name, lines(name), want);
                event_base_loop(dt.base, EVLOOP_ONCE);
        }
        assert_int_equal(lines(name), want);
}

static void state_write(const char *name, const char *text) {
        _cleanup_free_ char *p = dt_path(name);

        test_file_write(p, text);
}

/* The generated text with this run's directory and ports made fixed. */
static char *conf_read_fixed(void) {
        char *text = state_read("dnsmasq/dnsmasq.conf");
        char from[64];

        assert_non_null(text);
        text = dt_replace(text, dt.f->dir, "STATE");
        snprintf(from, sizeof(from), "port=%u\n", fake.port);
        text = dt_replace(text, from, "port=DNS_PORT\n");
        snprintf(from, sizeof(from), "127.0.0.1#%u\n", responder_port());
        return dt_replace(text, from, "127.0.0.1#RESPONDER_PORT\n");
}

/* hosts.d/CLUSTER, dhcp-hosts.d/CLUSTER and dhcp-opts.d/CLUSTER against
 * managed-hosts-NAME, managed-dhcp-hosts-NAME and managed-dhcp-opts-NAME. */
static void cluster_golden(const char *cluster, const char *name) {
        static const char *const files[][2] = {
                {"hosts.d", "managed-hosts"},
                {"dhcp-hosts.d", "managed-dhcp-hosts"},
                {"dhcp-opts.d", "managed-dhcp-opts"},
        };

        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *path = NULL, *golden = NULL, *text = NULL;

                assert_true(asprintf(&path, "dnsmasq/%s/%s", files[i][0], cluster) > 0);
                assert_true(asprintf(&golden, "%s-%s", files[i][1], name) > 0);
                text = state_read(path);
                golden_check_in("dnsmasq", golden, text);
        }
}

/* The stand-in reports `version`; netd reads it once, in dnsmasq_new():
 * wait until it has (the `dnsmasq --version` process is reaped). */
static void version_known(const char *version) {
        _cleanup_free_ char *path = dt_path("version"), *pid = NULL;
        time_t deadline = time(NULL) + 15;

        test_file_write(path, version);
        dt_new();
        wait_lines("versions", 1);
        pid = state_read("versions");
        while (kill((pid_t)atoi(pid), 0) == 0) {
                if (time(NULL) > deadline)
                        fail_msg("dnsmasq --version (pid %d) never reaped", atoi(pid));
                event_base_loop(dt.base, EVLOOP_ONCE);
        }
}

/* ---- tests ---- */

static void test_sync_files(void **state _unused_) {
        struct done_state st = {0};
        _cleanup_free_ char *conf = NULL, *args = NULL, *want = NULL, *hidden = NULL;

        /* compact first: its addresses are those of test_cluster_changes */
        dt_cluster_add("compact", NULL, "compact", compact_macs, ARRAY_SIZE(compact_macs));
        dt_cluster_add("sno", NULL, "sno", sno_macs, ARRAY_SIZE(sno_macs));
        dt_new(); /* makes the directories */
        /* left by clusters released while netd was down, or by a crash */
        state_write("dnsmasq/hosts.d/gone", "192.0.2.99 master-0.gone.lab.example\n");
        state_write("dnsmasq/dhcp-hosts.d/gone", "");
        state_write("dnsmasq/dhcp-opts.d/gone", "");
        state_write("dnsmasq/hosts.d/.gone.tmp", "");
        state_write("dnsmasq/dhcp-hosts.d/.gone.Xy12Z9", "");
        state_write("dnsmasq/hosts.d/.hidden", "");
        dt_sync(true, &st, 0);

        conf = conf_read_fixed();
        golden_check_in("dnsmasq", "managed-dnsmasq-conf", conf);
        cluster_golden("sno", "sno");
        cluster_golden("compact", "compact");
        assert_null(state_read("dnsmasq/hosts.d/gone"));
        assert_null(state_read("dnsmasq/dhcp-hosts.d/gone"));
        assert_null(state_read("dnsmasq/dhcp-opts.d/gone"));
        assert_null(state_read("dnsmasq/hosts.d/.gone.tmp"));
        assert_null(state_read("dnsmasq/dhcp-hosts.d/.gone.Xy12Z9"));
        hidden = dt_path("dnsmasq/hosts.d/.hidden");
        assert_true(dt_exists(hidden));

        /* the child runs on that file, as root (see dnsmasq-child.c) */
        wait_lines("starts", 1);
        args = state_read("child-args");
        assert_true(asprintf(&want,
                             "--keep-in-foreground --conf-file=%1$s/dnsmasq/dnsmasq.conf "
                             "--pid-file=%1$s/dnsmasq/dnsmasq.pid --log-facility=- --user=root "
                             "--group=root\n",
                             dt.f->dir) > 0);
        assert_string_equal(args, want);
        /* the readiness probe went through the responder */
        assert_true(fake.forwarded >= 1);
}

/* Allocate, release a node, release the cluster, with a dnsmasq of
 * `version`: what removes DHCP entries sends a SIGHUP (2.91 and later) or
 * restarts it (before: a SIGHUP would crash it). */
static void cluster_changes(const char *version, bool hup_safe) {
        struct done_state st = {0};
        struct netd_error err = {0};
        _cleanup_cluster_ struct cluster *c = NULL, *before = NULL, *now = NULL, *old = NULL;
        _cleanup_free_ char *lease = NULL, *released = NULL, *want = NULL, *dhcp = NULL, *opts = NULL,
                            *events = NULL;
        char ip[ADDR_STRLEN];

        version_known(version);
        dt_sync(false, &st, 0);
        wait_lines("starts", 1); /* its SIGHUP trap is set */

        /* new names: done once dnsmasq answers them; nothing removed, no signal */
        c = dt_cluster_allocate("compact", NULL, "compact", compact_macs, ARRAY_SIZE(compact_macs));
        assert_int_equal(dnsmasq_cluster_set(dt.d, c, NULL, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        cluster_golden("compact", "compact");
        /* three nodes and api from hosts.d (again, for a round that came
         * before dnsmasq read the files) */
        assert_true(fake.answered >= 4 && fake.answered % 4 == 0);
        assert_int_equal(lines("hups"), 0);
        assert_int_equal(lines("starts"), 1);

        /* a node released: dnsmasq re-reads (SIGHUP or restart), then its
         * lease goes with dhcp_release */
        addr_format(&c->nodes[2].ip, ip, sizeof(ip));
        assert_true(asprintf(&lease, "1700000000 52:54:00:00:01:02 %s master-2 *\n", ip) > 0);
        state_write("dnsmasq/leases", lease);
        assert_int_equal(node_release(dt.f->s, "compact", "master-2", &before, &err), 0);
        assert_int_equal(cluster_get(dt.f->s, "compact", &now, &err), 0);
        assert_int_equal(dnsmasq_cluster_set(dt.d, now, before, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        released = state_read("released");
        assert_true(asprintf(&want, "br-lab %s 52:54:00:00:01:02\n", ip) > 0);
        assert_string_equal(released, want);
        if (hup_safe) {
                wait_lines("hups", 1);
                assert_int_equal(lines("starts"), 1);
        } else {
                /* restarted, and the lease released only once the new one was up */
                events = state_read("events");
                assert_string_equal(events, "start\nstart\nrelease\n");
                assert_int_equal(lines("hups"), 0);
        }
        cluster_golden("compact", "compact-released");

        /* the whole cluster: hosts file gone, DHCP files emptied, names NXDOMAIN */
        old = dt_cluster_release("compact");
        assert_int_equal(dnsmasq_cluster_remove(dt.d, old, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        assert_null(state_read("dnsmasq/hosts.d/compact"));
        dhcp = state_read("dnsmasq/dhcp-hosts.d/compact");
        assert_string_equal(dhcp, "");
        opts = state_read("dnsmasq/dhcp-opts.d/compact");
        assert_string_equal(opts, "");
        if (hup_safe) {
                wait_lines("hups", 2);
                assert_int_equal(lines("starts"), 1);
        } else {
                assert_int_equal(lines("starts"), 3);
                assert_int_equal(lines("hups"), 0);
        }
        assert_int_equal(lines("released"), 1); /* no lease left to release */
}

static void test_cluster_changes_hup(void **state _unused_) {
        cluster_changes("2.91", true);
}

static void test_cluster_changes_restart(void **state _unused_) {
        cluster_changes("2.90", false);
}

/* A version netd cannot read counts as one that crashes on SIGHUP. */
static void test_cluster_changes_unknown_version(void **state _unused_) {
        cluster_changes("unknown", false);
}

/* dnsmasq reads a cluster's DHCP options before its DHCP hosts, and both
 * before its names: a host is never served without its name and boot
 * override, and a name answered proves the DHCP files read. */
static void test_files_order(void **state _unused_) {
        struct done_state st = {0};
        struct netd_error err = {0};
        _cleanup_cluster_ struct cluster *c = NULL;
        _cleanup_close_ int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        static const char *const dirs[] = {"dnsmasq/dhcp-opts.d", "dnsmasq/dhcp-hosts.d", "dnsmasq/hosts.d"};
        int wd[ARRAY_SIZE(dirs)];
        size_t seen = 0;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;

        dt_new();
        dt_sync(false, &st, 0);
        assert_true(fd >= 0);
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                _cleanup_free_ char *p = dt_path(dirs[i]);

                wd[i] = inotify_add_watch(fd, p, IN_MOVED_TO | IN_CLOSE_WRITE);
                assert_true(wd[i] >= 0);
        }
        c = dt_cluster_allocate("sno", NULL, "sno", sno_macs, ARRAY_SIZE(sno_macs));
        assert_int_equal(dnsmasq_cluster_set(dt.d, c, NULL, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        /* the files as dnsmasq's watch sees them appear: renamed into place */
        n = read(fd, buf, sizeof(buf));
        assert_true(n > 0);
        for (char *p = buf; p < buf + n;) {
                struct inotify_event *ev = (struct inotify_event *)p;

                p += sizeof(*ev) + ev->len;
                if (!(ev->mask & IN_MOVED_TO) || !streq(ev->name, "sno"))
                        continue;
                if (seen >= ARRAY_SIZE(dirs) || ev->wd != wd[seen])
                        fail_msg("%s/sno arrived out of order", seen < ARRAY_SIZE(dirs) ? dirs[seen] : "?");
                seen++;
        }
        assert_int_equal(seen, ARRAY_SIZE(dirs));
        cluster_golden("sno", "sno-alone");
}

/* A changed boot override restarts dnsmasq, whatever its version: an
 * option line read by inotify is only added, and a removed one stays. */
static void test_boot_override_restarts(void **state _unused_) {
        struct done_state st = {0};
        struct netd_error err = {0};
        _cleanup_cluster_ struct cluster *c = NULL, *ipxe = NULL, *file = NULL;
        _cleanup_free_ char *opts = NULL;

        version_known("2.91");
        dt_sync(false, &st, 0);
        c = dt_cluster_allocate("sno", NULL, "sno", sno_macs, ARRAY_SIZE(sno_macs));
        assert_int_equal(dnsmasq_cluster_set(dt.d, c, NULL, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        assert_int_equal(lines("starts"), 1);

        /* the network's boot -> an iPXE script */
        assert_int_equal(cluster_get(dt.f->s, "sno", &ipxe, &err), 0);
        ipxe->nodes[0].boot = NODE_BOOT_IPXE_SCRIPT;
        strscpy(ipxe->nodes[0].boot_value, sizeof(ipxe->nodes[0].boot_value), "http://192.0.2.1/sno.ipxe");
        assert_int_equal(dnsmasq_cluster_set(dt.d, ipxe, c, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        cluster_golden("sno", "sno-ipxe");
        assert_int_equal(lines("starts"), 2);

        /* the same again: nothing to re-read */
        assert_int_equal(dnsmasq_cluster_set(dt.d, ipxe, ipxe, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        assert_int_equal(lines("starts"), 2);

        /* another script, then a file: restarts */
        assert_int_equal(cluster_get(dt.f->s, "sno", &file, &err), 0);
        *file->nodes = ipxe->nodes[0];
        strscpy(file->nodes[0].boot_value, sizeof(file->nodes[0].boot_value), "http://192.0.2.1/sno-2.ipxe");
        assert_int_equal(dnsmasq_cluster_set(dt.d, file, ipxe, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        assert_int_equal(lines("starts"), 3);
        ipxe->nodes[0] = file->nodes[0];
        file->nodes[0].boot = NODE_BOOT_FILE;
        strscpy(file->nodes[0].boot_value, sizeof(file->nodes[0].boot_value), "sno/pxelinux.0");
        assert_int_equal(dnsmasq_cluster_set(dt.d, file, ipxe, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        assert_int_equal(lines("starts"), 4);
        opts = state_read("dnsmasq/dhcp-opts.d/sno");
        assert_non_null(
                strstr(opts, "\ntag:nd-sno.master-0,tag:!ipxe,option:bootfile-name,sno/pxelinux.0\n"));

        /* back to the network's: the line goes, dnsmasq restarts */
        assert_int_equal(dnsmasq_cluster_set(dt.d, c, file, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        cluster_golden("sno", "sno-alone");
        assert_int_equal(lines("starts"), 5);
        assert_int_equal(lines("hups"), 0);
}

static void test_network_change_restarts(void **state _unused_) {
        struct done_state st = {0};
        ino_t before;

        dt_new();
        dt_sync(false, &st, 0);
        wait_lines("starts", 1);
        before = inode("dnsmasq/dnsmasq.conf");

        /* the same settings: dnsmasq.conf is left alone, the child keeps running */
        dt_sync(false, &st, 0);
        assert_true(inode("dnsmasq/dnsmasq.conf") == before);

        /* new settings: a new dnsmasq.conf and a restart */
        dt_network_add("dyn", "198.51.100.0/24", "dyn.example", NULL);
        dt_sync(false, &st, 0);
        assert_true(inode("dnsmasq/dnsmasq.conf") != before);
        wait_lines("starts", 2);
}

static void test_child_restarted(void **state _unused_) {
        struct done_state st = {0};
        _cleanup_free_ char *pid = NULL;

        dt_new();
        dt_sync(false, &st, 0);
        wait_lines("starts", 1);
        pid = state_read("child-pid");
        assert_non_null(pid);
        assert_int_equal(kill((pid_t)atoi(pid), SIGKILL), 0);
        wait_lines("starts", 2);
        /* and it is served again */
        dt_sync(false, &st, 0);
}

/* ---- dual-stack and reused nodes (clusters built by hand, as the store
 * lists them) ---- */

struct cluster_fixture {
        struct cluster c;
        struct node nodes[3];
};

static void node_init(struct node *nd, const char *name, const char *mac, const char *v4, const char *v6) {
        memset(nd, 0, sizeof(*nd));
        strscpy(nd->name, sizeof(nd->name), name);
        strscpy(nd->role, sizeof(nd->role), "master");
        assert_int_equal(mac_parse(mac, &nd->mac, NULL), 0);
        assert_int_equal(addr_parse(v4, &nd->ips[0], NULL), 0);
        assert_int_equal(addr_parse(v6, &nd->ips[1], NULL), 0);
        nd->ip = nd->ips[0];
        nd->n_ips = 2;
}

static void networks_init(struct cluster *c, const char *api4, const char *ingress4, const char *api6,
                          const char *ingress6) {
        strscpy(c->domain, sizeof(c->domain), "lab.example");
        strscpy(c->network, sizeof(c->network), "lab");
        strscpy(c->networks[0].name, sizeof(c->networks[0].name), "lab");
        strscpy(c->networks[1].name, sizeof(c->networks[1].name), "lab6");
        assert_int_equal(addr_parse(api4, &c->networks[0].api_vip, NULL), 0);
        assert_int_equal(addr_parse(ingress4, &c->networks[0].ingress_vip, NULL), 0);
        assert_int_equal(addr_parse(api6, &c->networks[1].api_vip, NULL), 0);
        assert_int_equal(addr_parse(ingress6, &c->networks[1].ingress_vip, NULL), 0);
        c->api_vip = c->networks[0].api_vip;
        c->ingress_vip = c->networks[0].ingress_vip;
        c->n_networks = 2;
}

static void cluster_begin(struct cluster_fixture *f, const char *name, enum topology t, size_t n_nodes) {
        memset(f, 0, sizeof(*f));
        strscpy(f->c.name, sizeof(f->c.name), name);
        f->c.topology = t;
        f->c.masters = (unsigned)n_nodes;
        f->c.nodes = f->nodes;
        f->c.n_nodes = n_nodes;
}

/* ds: dual-stack compact on lab (IPv4) and lab6 (IPv6), one interface. */
static void ds_init(struct cluster_fixture *f) {
        cluster_begin(f, "ds", TOPOLOGY_COMPACT, 3);
        networks_init(&f->c, "192.0.2.33", "192.0.2.34", "2001:db8:1::33", "2001:db8:1::34");
        node_init(&f->nodes[0], "master-0", "52:54:00:00:0d:30", "192.0.2.30", "2001:db8:1::30");
        node_init(&f->nodes[1], "master-1", "52:54:00:00:0d:31", "192.0.2.31", "2001:db8:1::31");
        node_init(&f->nodes[2], "master-2", "52:54:00:00:0d:32", "192.0.2.32", "2001:db8:1::32");
}

/* hub: an SNO on ds's master-2 (`--reuse master-0=ds/master-2`). */
static void hub_init(struct cluster_fixture *f) {
        cluster_begin(f, "hub", TOPOLOGY_SNO, 1);
        networks_init(&f->c, "192.0.2.32", "192.0.2.32", "2001:db8:1::32", "2001:db8:1::32");
        node_init(&f->nodes[0], "master-0", "52:54:00:00:0d:32", "192.0.2.32", "2001:db8:1::32");
        strscpy(f->nodes[0].reuses_cluster, sizeof(f->nodes[0].reuses_cluster), "ds");
        strscpy(f->nodes[0].reuses_node, sizeof(f->nodes[0].reuses_node), "master-2");
}

/* A node's leases as dnsmasq writes them: IPv4, then the server DUID and
 * the IPv6 lines (keyed by client DUID and IAID, no MAC). */
static void leases_write(const struct cluster *c) {
        _cleanup_free_ char *v4 = NULL, *v6 = NULL, *text = NULL;
        char mac[MAC_STRLEN], a[ADDR_STRLEN];

        v4 = strdup("");
        v6 = strdup("duid 00:01:00:01:32:a7:51:b1:06:69:51:65:95:04\n");
        for (size_t i = 0; i < c->n_nodes; i++) {
                char *n4, *n6;

                mac_format(c->nodes[i].mac, mac, sizeof(mac));
                assert_true(asprintf(&n4, "%s1796514626 %s %s * 01:%s\n", v4, mac,
                                     addr_format(&c->nodes[i].ips[0], a, sizeof(a)), mac) > 0);
                assert_true(asprintf(&n6, "%s1796514627 %zu %s * 00:03:00:01:%s\n", v6, 1114120 + i,
                                     addr_format(&c->nodes[i].ips[1], a, sizeof(a)), mac) > 0);
                free(v4);
                free(v6);
                v4 = n4;
                v6 = n6;
        }
        assert_true(asprintf(&text, "%s%s", v4, v6) > 0);
        state_write("dnsmasq/leases", text);
}

/* A dual-stack cluster: A and AAAA for every name before the change is
 * done, both families' leases dropped on release (dhcp_release6 one at a
 * time). A cluster reusing one of its nodes: no DHCP entry and no hosts
 * line of its own (the responder answers its names), and its release
 * leaves the machine's leases alone. */
static void test_dualstack_reuse(void **state _unused_) {
        struct done_state st = {0};
        struct netd_error err = {0};
        struct cluster_fixture ds, hub, ds2;
        _cleanup_free_ char *hosts = NULL, *dhcp = NULL, *released = NULL, *released6 = NULL, *leases = NULL;
        int answered, forwarded;

        dt_network_add("lab6", "2001:db8:1::/64", "lab.example", "br-lab");
        version_known("2.91");
        dt_sync(false, &st, 0);
        wait_lines("starts", 1);

        ds_init(&ds);
        answered = fake.answered;
        assert_int_equal(dnsmasq_cluster_set(dt.d, &ds.c, NULL, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        cluster_golden("ds", "ds");
        /* three nodes and api, each in both families, from hosts.d (a
         * round that came before dnsmasq read the files is probed again) */
        assert_true(fake.answered - answered >= 8 && (fake.answered - answered) % 8 == 0);

        hub_init(&hub);
        answered = fake.answered;
        forwarded = fake.forwarded;
        assert_int_equal(dnsmasq_cluster_set(dt.d, &hub.c, NULL, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        hosts = state_read("dnsmasq/hosts.d/hub");
        dhcp = state_read("dnsmasq/dhcp-hosts.d/hub");
        assert_string_equal(hosts, "");
        assert_string_equal(dhcp, "");
        /* master-0, api and apps in both families, all by the responder */
        assert_int_equal(fake.answered - answered, 0);
        assert_true(fake.forwarded - forwarded >= 6 && (fake.forwarded - forwarded) % 6 == 0);

        /* the hub goes: its names, not the machine's leases */
        leases_write(&ds.c);
        assert_int_equal(dnsmasq_cluster_remove(dt.d, &hub.c, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        assert_null(state_read("released"));
        assert_null(state_read("released6"));
        wait_lines("hups", 1);

        /* a node of ds goes: both its leases, then the whole cluster */
        ds2 = ds;
        ds2.c.nodes = ds2.nodes;
        ds2.c.n_nodes = 2;
        assert_int_equal(dnsmasq_cluster_set(dt.d, &ds2.c, &ds.c, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        released = state_read("released");
        released6 = state_read("released6");
        assert_string_equal(released, "br-lab 192.0.2.32 52:54:00:00:0d:32\n");
        assert_string_equal(released6, "--iface br-lab --ip 2001:db8:1::32 --iaid 1114122 --client-id "
                                       "00:03:00:01:52:54:00:00:0d:32 --server-id "
                                       "00:01:00:01:32:a7:51:b1:06:69:51:65:95:04\n");
        cluster_golden("ds", "ds-released");
        assert_int_equal(dnsmasq_cluster_remove(dt.d, &ds2.c, dt_done, &st, &err), 0);
        dt_wait_done(&st, 0);
        free(released6);
        released6 = state_read("released6");
        assert_int_equal(lines("released"), 3);
        assert_int_equal(lines("released6"), 3);
        assert_null(strstr(released6, "overlap"));
        leases = state_read("dnsmasq/leases");
        assert_string_equal(leases, "duid 00:01:00:01:32:a7:51:b1:06:69:51:65:95:04\n");
}

/* A change dnsmasq never serves fails after the timeout, naming the name. */
static void test_not_served(void **state _unused_) {
        struct done_state st = {0};
        struct netd_error err = {0};
        _cleanup_cluster_ struct cluster *c = NULL;

        dt_new();
        dt_sync(false, &st, 0);
        /* the stand-in goes deaf */
        event_del(fake.ev);
        c = dt_cluster_allocate("sno", NULL, "sno", sno_macs, ARRAY_SIZE(sno_macs));
        assert_int_equal(dnsmasq_cluster_set(dt.d, c, NULL, dt_done, &st, &err), 0);
        dt_wait_done(&st, NETD_EUNAVAILABLE);
        assert_string_equal(st.message, "stored, but dnsmasq did not serve master-0.sno.lab.example "
                                        "within 10 s (see netd's log)");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sync_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cluster_changes_hup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cluster_changes_restart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cluster_changes_unknown_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_files_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_boot_override_restarts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_change_restarts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_child_restarted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_served, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dualstack_reuse, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
