/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proving a managed change live. A change is done only when dnsmasq answers
 * for it: netd asks its own dnsmasq (on 127.0.0.1, the DNS port) until
 * every new name resolves to its address in each family (A and AAAA for a
 * dual-stack name) and every removed one is NXDOMAIN (after a restart: the
 * new process answers so), then has the leases of released nodes dropped,
 * both families of a dual-stack node: dhcp_release (IPv4) and
 * dhcp_release6 (IPv6: one call per lease line, one call at a time) and
 * waits until they are gone from the lease file. Removing a node's DHCPv6
 * host alone is not enough: dnsmasq 2.90 still renews its lease. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "dns.h"
#include "dnsmasq-conf.h"
#include "dnsmasq-managed-private.h"
#include "netd/core/file.h"
#include "netd/core/log.h"
#include "netd/loop/proc.h"

/* ---- what a change waits for ---------------------------------------------- */

static int probe_add(struct dnsmasq_managed_waiter *mw, const char *name, const struct addr *expect,
                     int family) {
        struct dnsmasq_probe *n = realloc(mw->probes, (mw->n_probes + 1) * sizeof(*n));

        if (!n)
                return NETD_EINTERNAL;
        mw->probes = n;
        n = &mw->probes[mw->n_probes++];
        *n = (struct dnsmasq_probe){0};
        strscpy(n->name, sizeof(n->name), name);
        n->qtype = family == AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
        if (expect)
                n->expect = *expect;
        else
                n->absent = true;
        return 0;
}

static int lease_add(struct dnsmasq_managed_waiter *mw, const char *iface, const struct node *nd,
                     const struct addr *ip) {
        struct dnsmasq_lease *n = realloc(mw->leases, (mw->n_leases + 1) * sizeof(*n));

        if (!n)
                return NETD_EINTERNAL;
        mw->leases = n;
        n = &mw->leases[mw->n_leases++];
        strscpy(n->iface, sizeof(n->iface), iface);
        n->ip = *ip;
        n->mac = nd->mac;
        return 0;
}

static void fqdn(const struct cluster *c, const char *host, char *buf, size_t size) {
        snprintf(buf, size, "%s.%s.%s", host, c->name, c->domain);
}

/* One probe per address of `host` (one per family): each must answer
 * (`present`), or none (the name was removed). */
static int probes_add(struct dnsmasq_managed_waiter *mw, const struct cluster *c, const char *host,
                      const struct addr *a, size_t n, bool present) {
        char name[2 * NAME_MAX_LEN + DOMAIN_MAX_LEN + 8];
        int r = 0;

        fqdn(c, host, name, sizeof(name));
        for (size_t k = 0; k < n && r == 0; k++)
                if (a[k].family)
                        r = probe_add(mw, name, present ? &a[k] : NULL, a[k].family);
        return r;
}

static int node_probes_add(struct dnsmasq_managed_waiter *mw, const struct cluster *c, const struct node *nd,
                           bool present) {
        const struct addr *ips;
        size_t n = dnsmasq_conf_node_ips(nd, &ips);

        return probes_add(mw, c, nd->name, ips, n, present);
}

/* Probes proving `c` is served in every family and the nodes of `old` it
 * lost are not. */
static int probes_for(struct dnsmasq_managed_waiter *mw, const struct cluster *c, const struct cluster *old) {
        struct dnsmasq_conf_vips v;
        int r = 0;

        if (c) {
                dnsmasq_conf_vips(c, &v);
                for (size_t i = 0; i < c->n_nodes && r == 0; i++)
                        r = node_probes_add(mw, c, &c->nodes[i], true);
                if (r == 0)
                        r = probes_add(mw, c, "api", v.api, v.n, true);
                if (r == 0)
                        r = probes_add(mw, c, "x.apps", v.ingress, v.n, true);
        }
        if (old) {
                for (size_t i = 0; i < old->n_nodes && r == 0; i++)
                        if (!c || !cluster_find_node(c, old->nodes[i].name))
                                r = node_probes_add(mw, old, &old->nodes[i], false);
                if (!c) {
                        dnsmasq_conf_vips(old, &v);
                        if (r == 0)
                                r = probes_add(mw, old, "api", v.api, v.n, false);
                        if (r == 0)
                                r = probes_add(mw, old, "x.apps", v.ingress, v.n, false);
                }
        }
        return r;
}

static const struct network *network_find(struct dnsmasq *d, const char *name) {
        for (size_t i = 0; i < d->n_networks; i++)
                if (streq(d->networks[i]->name, name))
                        return d->networks[i];
        return NULL;
}

/* The name of the network of a node's k-th address. */
static const char *cluster_network_name(const struct cluster *c, size_t k) {
        return c->n_networks > k ? c->networks[k].name : c->network;
}

/* Leases to drop: those of the nodes `c` no longer has, one per address,
 * on networks that dnsmasq serves on an interface. A reused node has no
 * lease of its own: the machine's lease is the owning node's. */
static int leases_for(struct dnsmasq_managed *m, struct dnsmasq_managed_waiter *mw, const struct cluster *c,
                      const struct cluster *old) {
        if (!old)
                return 0;
        for (size_t i = 0; i < old->n_nodes; i++) {
                const struct node *nd = &old->nodes[i];
                const struct addr *ips;
                size_t n = dnsmasq_conf_node_ips(nd, &ips);

                if ((c && cluster_find_node(c, nd->name)) || dnsmasq_conf_node_reused(nd))
                        continue;
                for (size_t k = 0; k < n; k++) {
                        const struct network *net = network_find(&m->d, cluster_network_name(old, k));

                        if (!net || isempty(net->interface))
                                continue;
                        if (lease_add(mw, net->interface, nd, &ips[k]) < 0)
                                return NETD_EINTERNAL;
                }
        }
        return 0;
}

int dnsmasq_managed_verify_expect(struct dnsmasq_managed *m, struct dnsmasq_managed_waiter *mw,
                                  const struct cluster *c, const struct cluster *old) {
        if (probes_for(mw, c, old) < 0 || leases_for(m, mw, c, old) < 0)
                return NETD_EINTERNAL;
        return 0;
}

int dnsmasq_managed_verify_expect_ready(struct dnsmasq_managed_waiter *mw) {
        return probe_add(mw, DNSMASQ_RESPONDER_READY_NAME,
                         &(struct addr){.family = AF_INET, .value = INADDR_LOOPBACK}, AF_INET);
}

/* ---- releasing leases ---------------------------------------------------- */

#define LINE_FOREACH(line, text)                                                                             \
        for (const char *line = (text); line && *line;                                                       \
             line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)

/* IPv4 lines: "EXPIRY MAC IP NAME CLIENTID"; IPv6 lines (after the server's
 * "duid DUID"): "EXPIRY IAID IP NAME CLIENTDUID", no MAC, and one line per
 * DUID and IAID that holds the address. */
static bool lease_file_has(const char *text, const struct dnsmasq_lease *l) {
        char mac[MAC_STRLEN], ip[ADDR_STRLEN];
        bool v6 = l->ip.family == AF_INET6;

        if (!text)
                return false;
        mac_format(l->mac, mac, sizeof(mac));
        addr_format(&l->ip, ip, sizeof(ip));
        LINE_FOREACH(line, text) {
                char lmac[32], lip[64];
                if (sscanf(line, "%*s %31s %63s", lmac, lip) == 2 && (v6 || strcasecmp(lmac, mac) == 0) &&
                    streq(lip, ip))
                        return true;
        }
        return false;
}

/* the sscanf widths below */
_Static_assert(DNSMASQ_DUID_STRLEN == 390, "DUID field width");

static bool is_duid(const char *s) {
        return s[0] && strspn(s, "0123456789abcdefABCDEF:") == strlen(s);
}

/* Queues one dhcp_release6 call for every lease line of `l`'s address. */
static int leases6_add(struct dnsmasq_managed_waiter *mw, const char *text, const struct dnsmasq_lease *l) {
        char server_id[DNSMASQ_DUID_STRLEN] = "", ip[ADDR_STRLEN];

        addr_format(&l->ip, ip, sizeof(ip));
        LINE_FOREACH(line, text) {
                if (sscanf(line, "duid %389s", server_id) == 1)
                        break;
        }
        if (!is_duid(server_id))
                return 0;
        LINE_FOREACH(line, text) {
                char iaid[16], lip[64], client_id[DNSMASQ_DUID_STRLEN];
                struct dnsmasq_lease6 *n;

                if (sscanf(line, "%*s %15s %63s %*s %389s", iaid, lip, client_id) != 3 || !streq(lip, ip) ||
                    strspn(iaid, "0123456789") != strlen(iaid) || !is_duid(client_id))
                        continue;
                n = realloc(mw->leases6, (mw->n_leases6 + 1) * sizeof(*n));
                if (!n)
                        return NETD_EINTERNAL;
                mw->leases6 = n;
                n = &mw->leases6[mw->n_leases6++];
                strscpy(n->iface, sizeof(n->iface), l->iface);
                strscpy(n->ip, sizeof(n->ip), ip);
                strscpy(n->iaid, sizeof(n->iaid), iaid);
                strscpy(n->client_id, sizeof(n->client_id), client_id);
                strscpy(n->server_id, sizeof(n->server_id), server_id);
        }
        return 0;
}

static bool waiter_leases6_pending(const struct dnsmasq_managed_waiter *mw) {
        return mw->next_lease6 < mw->n_leases6;
}

static char *lease_file_read(struct dnsmasq_managed *m) {
        char *text = NULL;

        (void)file_read(m->lease_path, &text, NULL);
        return text;
}

static void on_release_exit(pid_t pid _unused_, int status, void *arg) {
        struct dnsmasq_waiter *w = arg;
        char how[64];

        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                log_warn("dnsmasq: dhcp_release %s", proc_status_string(status, how, sizeof(how)));
        if (w->procs > 0)
                w->procs--;
        if (w->procs == 0)
                dnsmasq_timer_arm(MANAGED(w->d)->lease_timer, 0);
}

static void release6_next(struct dnsmasq_managed *m);

static void on_release6_exit(pid_t pid _unused_, int status, void *arg) {
        struct dnsmasq_waiter *w = arg;
        struct dnsmasq_managed *m = MANAGED(w->d);
        char how[64];

        /* 3: "no binding found", the lease is gone already */
        if (!(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3)))
                log_warn("dnsmasq: dhcp_release6 %s", proc_status_string(status, how, sizeof(how)));
        m->release6_running = false;
        if (w->procs > 0)
                w->procs--;
        if (w->procs == 0 && !waiter_leases6_pending(MANAGED_WAITER(w)))
                dnsmasq_timer_arm(m->lease_timer, 0);
        release6_next(m);
}

/* Runs the next queued dhcp_release6 of any waiter, unless one runs: each
 * binds the DHCPv6 client port on the interface, so a second one at the
 * same time fails. */
static void release6_next(struct dnsmasq_managed *m) {
        if (m->release6_running)
                return;
        for (struct dnsmasq_waiter *w = m->d.waiters; w; w = w->next) {
                struct dnsmasq_managed_waiter *mw = MANAGED_WAITER(w);

                if (w->state != DNSMASQ_WAITER_RELEASING)
                        continue;
                while (waiter_leases6_pending(mw)) {
                        struct dnsmasq_lease6 *l = &mw->leases6[mw->next_lease6++];
                        const char *argv[] = {"dhcp_release6", "--iface",     l->iface,     "--ip",
                                              l->ip,           "--iaid",      l->iaid,      "--client-id",
                                              l->client_id,    "--server-id", l->server_id, NULL};
                        struct netd_error err = {0};

                        if (proc_spawn(argv, PROC_QUIET, on_release6_exit, w, NULL, &err) < 0) {
                                log_warn("dnsmasq: lease of %s: %s", l->ip, err.message);
                                continue;
                        }
                        log_debug("dnsmasq: releasing lease %s iaid %s on %s", l->ip, l->iaid, l->iface);
                        w->procs++;
                        m->release6_running = true;
                        return;
                }
        }
}

/* Start removing the leases of released nodes: dhcp_release(6) makes
 * dnsmasq drop them (and rewrite its lease file) as if the client had said
 * so. */
static void waiter_release_leases(struct dnsmasq_managed_waiter *mw) {
        struct dnsmasq_managed *m = MANAGED(mw->w.d);
        _cleanup_free_ char *text = lease_file_read(m);
        size_t kept = 0;

        mw->w.state = DNSMASQ_WAITER_RELEASING;
        for (size_t i = 0; i < mw->n_leases; i++) {
                struct dnsmasq_lease *l = &mw->leases[i];
                char mac[MAC_STRLEN], ip[ADDR_STRLEN];
                const char *argv[] = {"dhcp_release", l->iface, ip, mac, NULL};
                struct netd_error err = {0};

                if (!lease_file_has(text, l))
                        continue;
                if (l->ip.family == AF_INET6) {
                        if (leases6_add(mw, text, l) < 0)
                                log_warn("dnsmasq: out of memory releasing leases");
                        mw->leases[kept++] = *l;
                        continue;
                }
                addr_format(&l->ip, ip, sizeof(ip));
                mac_format(l->mac, mac, sizeof(mac));
                if (proc_spawn(argv, PROC_QUIET, on_release_exit, &mw->w, NULL, &err) < 0) {
                        log_warn("dnsmasq: lease of %s: %s", ip, err.message);
                        continue;
                }
                log_debug("dnsmasq: releasing lease %s %s on %s", ip, mac, l->iface);
                mw->w.procs++;
                mw->leases[kept++] = *l;
        }
        mw->n_leases = kept;
        if (mw->w.procs == 0 && mw->n_leases == 0)
                dnsmasq_waiter_finish(&mw->w, 0, NULL);
        else if (waiter_leases6_pending(mw))
                release6_next(m);
        else if (mw->w.procs == 0)
                dnsmasq_timer_arm(m->lease_timer, 0);
}

static void on_lease_timer(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct dnsmasq_managed *m = arg;
        _cleanup_free_ char *text = lease_file_read(m);
        uint64_t now = dnsmasq_now_us();
        bool again = false;

        for (struct dnsmasq_waiter *w = m->d.waiters, *next; w; w = next) {
                struct dnsmasq_managed_waiter *mw = MANAGED_WAITER(w);
                bool present = false;

                next = w->next;
                if (w->state != DNSMASQ_WAITER_RELEASING || w->procs > 0 || waiter_leases6_pending(mw))
                        continue;
                for (size_t i = 0; i < mw->n_leases && !present; i++)
                        present = lease_file_has(text, &mw->leases[i]);
                if (!present)
                        dnsmasq_waiter_finish(w, 0, NULL);
                else if (now > w->deadline_us) {
                        log_warn("dnsmasq: a released lease is still in %s", m->lease_path);
                        dnsmasq_waiter_finish(w, 0, NULL);
                } else
                        again = true;
        }
        if (again)
                dnsmasq_timer_arm(m->lease_timer, 5000);
}

/* ---- probing: asking dnsmasq until it serves the change ------------------ */

static void probe_send(struct dnsmasq_managed *m, struct dnsmasq_probe *p) {
        uint8_t pkt[DNS_MAX_PACKET];
        int len;

        p->id = ++m->next_id;
        p->generation = dnsmasq_child_generation(m->child);
        len = dns_query_build(p->id, p->name, p->qtype, pkt, sizeof(pkt));
        if (len > 0)
                send(m->probe_fd, pkt, (size_t)len, 0);
}

static void probe_schedule(struct dnsmasq_managed *m) {
        uint64_t now = dnsmasq_now_us(), youngest = UINT64_MAX;

        for (struct dnsmasq_waiter *w = m->d.waiters; w; w = w->next)
                if (w->state == DNSMASQ_WAITER_PROBING && now - w->started_us < youngest)
                        youngest = now - w->started_us;
        if (youngest == UINT64_MAX)
                return;
        /* Answers normally arrive within a millisecond of the SIGHUP; back off
         * when dnsmasq is restarting. */
        dnsmasq_timer_arm(m->probe_timer, youngest < 100000 ? 2000 : 25000);
}

static void waiter_check(struct dnsmasq_managed_waiter *mw) {
        for (size_t i = 0; i < mw->n_probes; i++)
                if (!mw->probes[i].ok)
                        return;
        if (mw->n_leases > 0)
                waiter_release_leases(mw);
        else
                dnsmasq_waiter_finish(&mw->w, 0, NULL);
}

static void on_probe_timer(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct dnsmasq_managed *m = arg;
        uint64_t now = dnsmasq_now_us();

        for (struct dnsmasq_waiter *w = m->d.waiters, *next; w; w = next) {
                struct dnsmasq_managed_waiter *mw = MANAGED_WAITER(w);

                next = w->next;
                if (w->state != DNSMASQ_WAITER_PROBING)
                        continue;
                if (now > w->deadline_us) {
                        char msg[512];
                        size_t i = 0;

                        while (i < mw->n_probes && mw->probes[i].ok)
                                i++;
                        snprintf(msg, sizeof(msg),
                                 "stored, but dnsmasq did not serve %s within %d s (see netd's log)",
                                 i < mw->n_probes ? mw->probes[i].name : "the change",
                                 DNSMASQ_CHANGE_TIMEOUT_US / 1000000);
                        dnsmasq_waiter_finish(w, NETD_EUNAVAILABLE, msg);
                        continue;
                }
                for (size_t i = 0; i < mw->n_probes; i++)
                        if (!mw->probes[i].ok)
                                probe_send(m, &mw->probes[i]);
        }
        probe_schedule(m);
}

static bool probe_matches(const struct dnsmasq_probe *p, const struct dns_result *r) {
        if (p->absent) {
                if (r->rcode == DNS_RCODE_NXDOMAIN)
                        return true;
                if (r->rcode != DNS_RCODE_NOERROR)
                        return false;
                for (size_t i = 0; i < r->n_addrs; i++)
                        if (r->addrs[i].family == (p->qtype == DNS_TYPE_AAAA ? AF_INET6 : AF_INET))
                                return false;
                return true;
        }
        if (r->rcode != DNS_RCODE_NOERROR)
                return false;
        for (size_t i = 0; i < r->n_addrs; i++)
                if (addr_cmp(&r->addrs[i], &p->expect) == 0)
                        return true;
        return false;
}

/* The probe of a waiter that `r` answers, NULL when none. */
static struct dnsmasq_probe *probe_find(struct dnsmasq_managed *m, const struct dns_result *r,
                                        struct dnsmasq_managed_waiter **ret_waiter) {
        for (struct dnsmasq_waiter *w = m->d.waiters; w; w = w->next) {
                struct dnsmasq_managed_waiter *mw = MANAGED_WAITER(w);

                if (w->state != DNSMASQ_WAITER_PROBING)
                        continue;
                for (size_t i = 0; i < mw->n_probes; i++)
                        if (!mw->probes[i].ok && mw->probes[i].id == r->id) {
                                *ret_waiter = mw;
                                return &mw->probes[i];
                        }
        }
        return NULL;
}

static void on_probe_reply(evutil_socket_t fd, short what _unused_, void *arg) {
        struct dnsmasq_managed *m = arg;

        for (;;) {
                uint8_t pkt[DNS_MAX_PACKET];
                struct dns_result r;
                struct dnsmasq_managed_waiter *mw = NULL;
                struct dnsmasq_probe *p;
                ssize_t n = recv(fd, pkt, sizeof(pkt), 0);

                if (n < 0)
                        return; /* EAGAIN, or ECONNREFUSED while dnsmasq restarts */
                if (dns_response_parse(pkt, (size_t)n, &r) < 0)
                        continue;
                p = probe_find(m, &r, &mw);
                if (!p)
                        continue;
                /* an answer to a question asked of this very process */
                if (p->generation && p->generation == dnsmasq_child_generation(m->child))
                        dnsmasq_child_answered(m->child);
                if (p->generation >= mw->min_generation && probe_matches(p, &r)) {
                        p->ok = true;
                        waiter_check(mw);
                }
        }
}

void dnsmasq_managed_verify_run(struct dnsmasq_managed *m) {
        on_probe_timer(-1, 0, m);
}

/* ---- set-up ----------------------------------------------------------------- */

static int probe_socket(unsigned port, struct netd_error *err) {
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                 .sin_port = htons((uint16_t)port)};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return error_set(err, NETD_EINTERNAL, "socket: %s", strerror(errno));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                return error_set(err, NETD_EINTERNAL, "dns probe socket: %s", strerror(e));
        }
        return fd;
}

int dnsmasq_managed_verify_init(struct dnsmasq_managed *m, struct netd_error *err) {
        int r;

        m->probe_fd = -1;
        m->probe_timer = evtimer_new(m->d.base, on_probe_timer, m);
        m->lease_timer = evtimer_new(m->d.base, on_lease_timer, m);
        if (!m->probe_timer || !m->lease_timer)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = probe_socket(m->d.cfg->dns_port, err);
        if (r < 0)
                return r;
        m->probe_fd = r;
        m->probe_ev = event_new(m->d.base, m->probe_fd, EV_READ | EV_PERSIST, on_probe_reply, m);
        if (!m->probe_ev)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        event_add(m->probe_ev, NULL);
        return 0;
}

void dnsmasq_managed_verify_done(struct dnsmasq_managed *m) {
        if (m->probe_ev)
                event_free(m->probe_ev);
        if (m->probe_timer)
                event_free(m->probe_timer);
        if (m->lease_timer)
                event_free(m->lease_timer);
        if (m->probe_fd >= 0)
                close(m->probe_fd);
}

void dnsmasq_managed_verify_waiter_done(struct dnsmasq_managed_waiter *mw) {
        free(mw->probes);
        free(mw->leases);
        free(mw->leases6);
}
