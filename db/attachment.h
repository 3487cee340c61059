/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network attachments: a network's bridge on a host, with an optional
 * uplink port and an address on the bridge. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netd/core/addr.h"
#include "netd/core/fobj.h"
#include "netd/core/validate.h"
#include "store.h"

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
/* NETD_ENOTFOUND when not attached; NETD_ECONFLICT while a link of the
 * host has the network's bridge as its master or peer master. The objects
 * it leaves behind are queued for removal on the host (see db/garbage.h). */
int attachment_remove(struct store *s, const char *network, const char *host, struct netd_error *err);
/* attachment_remove(), and with `force` the links on the network's bridge
 * go too. *ret_removed (when not NULL) gets what is queued for deletion on
 * the host, in deletion order: the answer says what the detach removes. */
int attachment_detach(struct store *s, const char *network, const char *host, bool force,
                      struct fobj **ret_removed, size_t *ret_n, struct netd_error *err);
int attachment_get(struct store *s, const char *network, const char *host, struct attachment *ret,
                   struct netd_error *err);
/* Hosts attached to `network` (NULL: all attachments). */
int attachment_list(struct store *s, const char *network, struct attachment **ret, size_t *ret_n,
                    struct netd_error *err);
