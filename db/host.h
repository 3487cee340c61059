/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts (hypervisors and the jumphost) and what netd keeps on them:
 * network attachments, veth links and static routes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netd/core/addr.h"
#include "netd/core/validate.h"
#include "store.h"

#define CONNECT_LOCAL "local"
#define CONNECT_MAX_LEN 1024

struct host {
        char name[NAME_MAX_LEN + 1];
        char connect[CONNECT_MAX_LEN + 1]; /* "local" or a command prefix */
        struct addr underlay;              /* VXLAN endpoint */
        char libvirt[CONNECT_MAX_LEN + 1]; /* "" = none */
        char bmc[NAME_MAX_LEN * 4 + 8];    /* HOST:PORT, "" = none */
};

struct host_spec {
        const char *name, *connect, *underlay, *libvirt, *bmc; /* NULL = not given */
};

/* Validate and store. The connect command is one line of printable text
 * (it runs through /bin/sh -c); NETD_EEXISTS for a taken name. */
int host_add(struct store *s, const struct host_spec *spec, struct host **ret, struct netd_error *err);
int host_get(struct store *s, const char *name, struct host **ret, struct netd_error *err);
int host_list(struct store *s, struct host ***ret, size_t *ret_n, struct netd_error *err);
/* NETD_ECONFLICT while networks are attached or links/routes are kept on it. */
int host_remove(struct store *s, const char *name, struct netd_error *err);
void host_free(struct host *h);
void host_list_free(struct host **l, size_t n);
static inline void host_freep(struct host **h) {
        host_free(*h);
}
#define _cleanup_host_ _cleanup_(host_freep)

struct attachment {
        char network[NAME_MAX_LEN + 1];
        char host[NAME_MAX_LEN + 1];
        char bridge[IFNAME_MAX_LEN + 1]; /* the network's --bridge or br-NET cut to 15 */
        char uplink[IFNAME_MAX_LEN + 1]; /* "" = none */
        bool has_address;
        struct addr address; /* on the bridge */
        unsigned prefixlen;
};

/* `network attach NET HOST [--uplink IFACE] [--address IP/PREFIX]`:
 * attaching again with the same options is idempotent, with other ones
 * it updates the attachment. */
int attachment_set(struct store *s, const char *network, const char *host, const char *uplink,
                   const char *address, struct attachment *ret, struct netd_error *err);
/* NETD_ENOTFOUND when not attached. The objects it leaves behind are queued
 * for removal on the host (see fabric_garbage_*). */
int attachment_remove(struct store *s, const char *network, const char *host, struct netd_error *err);
int attachment_get(struct store *s, const char *network, const char *host, struct attachment *ret,
                   struct netd_error *err);
/* Hosts attached to `network` (NULL: all attachments). */
int attachment_list(struct store *s, const char *network, struct attachment **ret, size_t *ret_n,
                    struct netd_error *err);

/* `link add HOST veth NAME --peer PEER [--master BR] [--peer-master BR]`. */
int link_add(struct store *s, const char *host, const char *kind, const char *name, const char *peer,
             const char *master, const char *peer_master, struct netd_error *err);
int link_remove(struct store *s, const char *host, const char *name, struct netd_error *err);
/* `route add HOST DEST/PREFIX --via GW [--dev IFACE]`. */
int route_add(struct store *s, const char *host, const char *dest, const char *via, const char *dev,
              struct netd_error *err);
int route_remove(struct store *s, const char *host, const char *dest, struct netd_error *err);
