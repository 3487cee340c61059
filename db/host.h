/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts (hypervisors and the jumphost). What netd keeps on them is in
 * db/attachment.h, db/link.h and db/route.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netd/core/addr.h"
#include "netd/core/validate.h"
#include "store.h"

#define CONNECT_LOCAL "local"
#define CONNECT_MAX_LEN 1024
#define HOST_AGENT_DEFAULT "netd"
#define HOST_AGENT_MAX_LEN 255
/* The value of --libvirt and --bmc in `host set` that drops them. */
#define HOST_NONE "none"

/* The index of a family in struct host's underlay[]. */
enum { HOST_UNDERLAY_IPV4, HOST_UNDERLAY_IPV6, HOST_UNDERLAY_MAX };

struct host {
        char name[NAME_MAX_LEN + 1];
        char connect[CONNECT_MAX_LEN + 1];       /* "local" or a command prefix */
        char agent[HOST_AGENT_MAX_LEN + 1];      /* run as `CONNECT AGENT agent --stdio` */
        struct addr underlay[HOST_UNDERLAY_MAX]; /* VXLAN endpoints; family 0 = none */
        char libvirt[CONNECT_MAX_LEN + 1];       /* "" = none */
        char bmc[NAME_MAX_LEN * 4 + 8];          /* HOST:PORT or SCHEME://HOST:PORT, "" = none */
};

/* `host add`, and `host set` (NULL / 0 = leave as it is; libvirt and bmc
 * take HOST_NONE there, and each underlay replaces the host's underlay of
 * its family). NULL = not given. */
struct host_spec {
        const char *name, *connect, *agent, *libvirt, *bmc;
        const char *const *underlays; /* one or two: at most one per family */
        size_t n_underlays;
};

/* The index of `family` (AF_INET, AF_INET6) in underlay[]. */
static inline size_t host_underlay_index(int family) {
        return family == AF_INET6 ? HOST_UNDERLAY_IPV6 : HOST_UNDERLAY_IPV4;
}

/* "ipv4" / "ipv6" for AF_INET / AF_INET6, and back (0 when neither). */
const char *host_family_to_string(int family);
int host_family_from_string(const char *s);

/* Validate and store. The connect command is one line of printable text
 * (it runs through /bin/sh -c); NETD_EEXISTS for a taken name,
 * NETD_ECONFLICT for an underlay address another host has. */
int host_add(struct store *s, const struct host_spec *spec, struct host **ret, struct netd_error *err);
/* Change a host in one transaction, all or nothing; the flood entries of
 * every host sharing a network with it follow a changed underlay (what they
 * no longer need is queued, db/garbage.h). *ret_before and *ret (either may
 * be NULL) get the host before and after. */
int host_set(struct store *s, const struct host_spec *change, struct host **ret_before, struct host **ret,
             struct netd_error *err);
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
