/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lab hosts (hypervisors and the jumphost). What netd keeps on them is in
 * db/attachment.h, db/link.h and db/route.h. */
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
