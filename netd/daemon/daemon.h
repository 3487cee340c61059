/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The jumphost daemon: one libevent loop owning the store, dnsmasq, the
 * fabric, the control socket and metrics. */
#pragma once

#include "netd/core/config.h"
#include "netd/core/error.h"

/* Run until SIGTERM/SIGINT. Returns 0 after a clean stop, or a NETD_E*
 * code with err filled when netd could not start. */
int daemon_run(const struct config *cfg, struct netd_error *err);
