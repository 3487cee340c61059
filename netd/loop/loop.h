/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop's shared vocabulary. Within one loop iteration, requests
 * are read first (PRIO_IO), then the write batch is committed
 * (PRIO_COMMIT), then dnsmasq is told of the changes (PRIO_FLUSH). */
#pragma once

enum { PRIO_IO = 0, PRIO_COMMIT = 1, PRIO_FLUSH = 2, PRIO_COUNT };
