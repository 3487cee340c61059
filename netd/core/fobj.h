/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fabric objects: the desired state of one thing on one lab host (a bridge,
 * a veth pair, a VXLAN device, an uplink port, an address, a route, a
 * bridge FDB flood entry). The reconciler computes lists of them from the
 * database; the netlink layer reads, ensures and removes them, locally or
 * in `netd agent --stdio` on the host. This header is the vocabulary both
 * sides share; its JSON form is the agent protocol's payload. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "error.h"
#include "validate.h"

/* Interfaces netd creates carry this alias; netd changes or deletes only
 * interfaces that carry it. */
#define FOBJ_OWNER_ALIAS "netd:managed"
/* Routes carry no alias: the ones netd installs carry this protocol number
 * (rtm_protocol; `ip route` shows "proto 229"), a value that neither the
 * kernel's list (linux/rtnetlink.h) nor iproute2's rt_protos assigns.
 * netd changes or deletes only routes with it; any other route to a wanted
 * destination (static, boot, kernel, a routing daemon's) is foreign: a
 * conflict, left alone. */
#define FOBJ_ROUTE_PROTOCOL 0xe5
#define VXLAN_DSTPORT 4789

enum fobj_kind {
        FOBJ_BRIDGE,  /* name; mtu; STP off; up */
        FOBJ_VETH,    /* name + peer; master, peer_master; mtu; both up */
        FOBJ_VXLAN,   /* name; vni, local, dstport, mtu, master; learning on; up */
        FOBJ_PORT,    /* name (an existing interface, e.g. the uplink) enslaved to master */
        FOBJ_ADDRESS, /* addr/prefixlen on dev */
        FOBJ_ROUTE,   /* dst via gateway [dev] */
        FOBJ_FDB,     /* all-zero MAC flood entry on dev (a vxlan) to remote */
        /* network (the netd network's name); master (netd's bridge): a libvirt network in
         * bridge mode, defined, active and autostarted. Applied through the
         * host's libvirt connection (netd/virt.c), never by the agent. */
        FOBJ_LIBVIRT_NETWORK,
        FOBJ_KIND_MAX,
};

enum fobj_state {
        FOBJ_OK,
        FOBJ_MISSING,
        FOBJ_DRIFTED,  /* exists, is ours, attributes differ */
        FOBJ_CONFLICT, /* exists but was not made by netd */
        FOBJ_STATE_MAX,
};

struct fobj {
        enum fobj_kind kind;
        char name[IFNAME_MAX_LEN + 1];   /* the interface (bridge, veth, vxlan, port) */
        char dev[IFNAME_MAX_LEN + 1];    /* address, route (optional), fdb: the device */
        char master[IFNAME_MAX_LEN + 1]; /* "" = none */
        unsigned mtu;                    /* 0 = leave as is */
        char peer[IFNAME_MAX_LEN + 1];   /* veth */
        char peer_master[IFNAME_MAX_LEN + 1];
        uint32_t vni; /* vxlan */
        struct addr local;
        uint16_t dstport;
        struct addr addr;               /* address: the address; fdb: the remote; route: the gateway */
        unsigned prefixlen;             /* address */
        struct prefix dst;              /* route */
        char network[NAME_MAX_LEN + 1]; /* libvirt network: its name (the netd network's) */
};

const char *fobj_kind_to_string(enum fobj_kind k);
int fobj_kind_from_string(const char *s, enum fobj_kind *ret);
const char *fobj_state_to_string(enum fobj_state s);
/* Whether the host's libvirt connection, not its agent, handles `k`. */
static inline bool fobj_kind_is_libvirt(enum fobj_kind k) {
        return k == FOBJ_LIBVIRT_NETWORK;
}

/* A short stable label for status output, e.g. "br-lab", "192.0.2.1/24 on
 * br-lab", "fdb 198.51.100.2 on vx-lab", "198.51.100.0/24 via 192.0.2.254". */
const char *fobj_label(const struct fobj *o, char *buf, size_t size);

/* Check every field a kind uses (names, families, ranges). */
int fobj_validate(const struct fobj *o, struct netd_error *err);

/* JSON form (agent protocol). fobj_from_json() validates what it reads. */
struct json_object *fobj_to_json(const struct fobj *o);
int fobj_from_json(struct json_object *j, struct fobj *ret, struct netd_error *err);
