/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the managed back end: its object and waiter, shared by
 * dnsmasq-managed.c (the files, the ops) and dnsmasq-managed-verify.c
 * (proving a change live: probes, then dhcp_release and dhcp_release6). */
#pragma once

#include "dnsmasq-private.h"
#include "netd/core/mac.h"

/* A DUID as the lease file writes it (hex pairs and colons; RFC 8415
 * caps a DUID at 130 bytes). */
#define DNSMASQ_DUID_STRLEN (130 * 3)

/* A question for dnsmasq and the answer that proves a change served. */
struct dnsmasq_probe {
        char name[2 * NAME_MAX_LEN + DOMAIN_MAX_LEN + 8];
        uint16_t qtype;
        bool absent; /* expect NXDOMAIN / no address */
        struct addr expect;
        bool ok;
        uint16_t id;
        unsigned generation; /* of the child that answered when it was sent (0: none) */
};

/* The DHCP lease of a released node, to be dropped. */
struct dnsmasq_lease {
        char iface[IFNAME_MAX_LEN + 1];
        struct addr ip;
        mac_t mac;
};

/* One DHCPv6 lease line of a released node (keyed by DUID and IAID, not
 * MAC: an address may have several), for one dhcp_release6 call. */
struct dnsmasq_lease6 {
        char iface[IFNAME_MAX_LEN + 1];
        char ip[ADDR_STRLEN];
        char iaid[16];
        char client_id[DNSMASQ_DUID_STRLEN];
        char server_id[DNSMASQ_DUID_STRLEN];
};

struct dnsmasq_managed {
        struct dnsmasq d;
        char *dir, *conf_path, *hosts_dir, *dhcp_dir, *opts_dir, *lease_path, *pid_path;
        struct dnsmasq_responder *responder;
        struct dnsmasq_child *child;
        int probe_fd;
        struct event *probe_ev, *probe_timer, *lease_timer;
        uint16_t next_id;
        /* dhcp_release6 binds the DHCPv6 client port: one at a time */
        bool release6_running;
};

struct dnsmasq_managed_waiter {
        struct dnsmasq_waiter w;
        struct dnsmasq_probe *probes;
        size_t n_probes;
        struct dnsmasq_lease *leases;
        size_t n_leases;
        /* the dhcp_release6 calls still to run, from next_lease6 on */
        struct dnsmasq_lease6 *leases6;
        size_t n_leases6, next_lease6;
        bool needs_hup;     /* DHCP entries were removed: dnsmasq must re-read */
        bool needs_restart; /* a node's boot override changed: restart whatever the version */
        /* Only answers of this generation of the child or later prove the
         * change (dnsmasq_child_generation()): after a restart, the old
         * process may still answer. */
        unsigned min_generation;
};

static inline struct dnsmasq_managed *MANAGED(struct dnsmasq *d) {
        return (struct dnsmasq_managed *)d;
}

static inline struct dnsmasq_managed_waiter *MANAGED_WAITER(struct dnsmasq_waiter *w) {
        return (struct dnsmasq_managed_waiter *)w;
}

/* ---- dnsmasq-managed-verify.c ---- */

/* The probe socket (to 127.0.0.1 on the DNS port) and the timers; `done`
 * also after a failed init. */
int dnsmasq_managed_verify_init(struct dnsmasq_managed *m, struct netd_error *err);
void dnsmasq_managed_verify_done(struct dnsmasq_managed *m);
/* What proves a change of cluster `c` (`old` before; either may be NULL)
 * live: its names answered, the names it lost gone, their leases dropped.
 * NETD_EINTERNAL when out of memory. */
int dnsmasq_managed_verify_expect(struct dnsmasq_managed *m, struct dnsmasq_managed_waiter *mw,
                                  const struct cluster *c, const struct cluster *old);
/* What proves dnsmasq up on its current configuration. */
int dnsmasq_managed_verify_expect_ready(struct dnsmasq_managed_waiter *mw);
/* Ask dnsmasq now for every probing waiter; the timers take it from there. */
void dnsmasq_managed_verify_run(struct dnsmasq_managed *m);
void dnsmasq_managed_verify_waiter_done(struct dnsmasq_managed_waiter *mw);
