#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Ensuring N fabric objects (bridges, veth pairs, VXLAN devices) in a private
# network namespace: netd's netlink layer vs. one `ip` per object vs.
# `ip -batch` (tests/bench/bench-netlink.c). Prints JSON lines; exits 77 when
# namespaces are unavailable.
# Env: BENCH_NETLINK (the bench-netlink executable), BENCH_N (200),
# BENCH_ROUNDS (3).
set -euo pipefail

if [[ -z ${BENCH_NETLINK:-} || ! -x $BENCH_NETLINK ]]; then
        echo "bench: \$BENCH_NETLINK must name an executable (got '${BENCH_NETLINK:-}')" >&2
        exit 1
fi
if ! command -v ip >/dev/null; then
        echo "bench: iproute2's ip is needed" >&2
        exit 1
fi
# The benchmark makes its own namespace and removes everything it made.
exec "$BENCH_NETLINK"
