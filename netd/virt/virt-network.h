/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FOBJ_LIBVIRT_NETWORK on one libvirt connection: the libvirt network a
 * netd network gets on a host with --libvirt, so VMs attach with
 * `--network network=NET`. It is defined in bridge mode on netd's bridge,
 * started and autostarted.
 *
 * Ownership: libvirt 9.0 networks carry no metadata netd could mark, so
 * netd defines its networks with a UUID of its own, derived (UUIDv5) from
 * the host and network names. A network of that name with any other UUID
 * was not made by netd: it is a conflict and is never changed or removed.
 *
 * These calls block on libvirt; netd runs them on the host's worker
 * thread (virt.c), never on the event loop. */
#pragma once

#include <libvirt/libvirt.h>

#include "netd/core/fobj.h"
#include "vm.h"

/* The UUID netd gives the libvirt network `network` on `host`. */
void virt_network_uuid(const char *host, const char *network, char ret[VM_UUID_STRLEN]);

/* The XML netd defines; malloc'd, NULL when out of memory. */
char *virt_network_xml(const char *host, const struct fobj *want);

/* Compare the network with `want`: missing, conflict (not ours), drifted
 * (inactive, not autostarted, another forward mode or bridge — said in
 * `detail`) or ok. */
int virt_network_check(virConnectPtr conn, const char *host, const struct fobj *want,
                       enum fobj_state *ret_state, char *detail, size_t size, struct netd_error *err);
/* Define, start and autostart it, redefining a drifted one of ours.
 * NETD_ECONFLICT for a network of that name netd did not define. */
int virt_network_ensure(virConnectPtr conn, const char *host, const struct fobj *want,
                        struct netd_error *err);
/* Stop and undefine it if it is ours; absent or foreign is left alone. */
int virt_network_remove(virConnectPtr conn, const char *host, const struct fobj *want,
                        struct netd_error *err);
