#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every benchmark against a build directory and print only their JSON
# lines:   bash tests/bench/run-all.sh [BUILDDIR]   (default: build)
# The benchmarks' chatter goes to a log that is shown only when one breaks.
# Exit status: 0 when all ran (a skipped one counts as run), 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) || {
        echo "run-all: no build directory '${1:-build}'" >&2
        exit 1
}
# The usual places first; then wherever the build put the target.
find_exe() {
        local name=$1 usual=$2 f
        if [[ -f $usual && -x $usual ]]; then
                echo "$usual"
                return
        fi
        f=$(find "$build" -maxdepth 3 -type f -name "$name" -perm -u+x -print -quit)
        if [[ -z $f ]]; then
                echo "run-all: no $name under $build; run 'ninja -C $build' first" >&2
                exit 1
        fi
        echo "$f"
}
NETD=$(find_exe netd "$build/netd") || exit 1
NETCTL=$(find_exe netctl "$build/netctl") || exit 1
BENCH_CLIENT=$(find_exe bench-client "$build/tests/bench/bench-client") || exit 1
BENCH_SQLITE=$(find_exe bench-sqlite "$build/tests/bench/bench-sqlite") || exit 1
BENCH_NETLINK=$(find_exe bench-netlink "$build/tests/bench/bench-netlink") || exit 1
BENCH_VIRT=$(find_exe bench-virt "$build/tests/bench/bench-virt") || exit 1
export NETD NETCTL BENCH_CLIENT BENCH_SQLITE BENCH_NETLINK BENCH_VIRT

log=$(mktemp "${TMPDIR:-/tmp}/netd-bench-log.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
for script in alloc-served-latency.sh release-served-latency.sh alloc-throughput.sh capacity-report.sh bench-netlink.sh bench-resync.sh \
        bench-vmlist.sh; do
        : >"$log"
        bash "$here/$script" 2>"$log" | grep '^{'
        rc=${PIPESTATUS[0]}
        case $rc in
        0) ;;
        77) echo "run-all: $script skipped: $(tail -n1 "$log")" >&2 ;;
        *)
                echo "run-all: $script failed (exit $rc):" >&2
                tail -n 30 "$log" >&2
                status=1
                ;;
        esac
done
exit "$status"
