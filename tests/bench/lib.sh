# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shared helpers of the benchmark scripts (sourced, not run).
#
# Environment: NETD, NETCTL (the binaries under test), BENCH_CLIENT and
# BENCH_SQLITE (the C load generators). Everything a benchmark makes — temp
# dir, namespaces, processes — is recorded here and removed by one EXIT trap,
# also when the benchmark fails half-way.
#
# A benchmark prints its figures as JSON lines on stdout and everything else
# on stderr; it exits 0 when it ran, 1 when something broke, 77 when network
# namespaces are unavailable. It never judges a figure.

set -euo pipefail
export LC_ALL=C

for v in NETD NETCTL BENCH_CLIENT BENCH_SQLITE; do
        if [[ -z ${!v:-} || ! -x ${!v} ]]; then
                echo "bench: \$$v must name an executable (got '${!v:-}')" >&2
                exit 1
        fi
        printf -v "$v" '%s' "$(realpath -- "${!v}")"
done

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/netd-bench.XXXXXX")
# Nothing a benchmark writes by accident lands in the source tree.
cd "$BENCH_TMP"
BENCH_PIDS=()
BENCH_NETNS=()

bench_log() {
        echo "bench: $*" >&2
}

bench_die() {
        echo "bench: error: $*" >&2
        exit 1
}

# Stop a process we started: SIGTERM, up to 5 s of grace, then SIGKILL.
bench_stop_pid() {
        local pid=$1 i
        kill -TERM "$pid" 2>/dev/null || return 0
        for ((i = 0; i < 500; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.01
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
        local rc=$? pid ns
        trap - EXIT
        set +e
        for pid in "${BENCH_PIDS[@]}"; do
                bench_stop_pid "$pid"
        done
        # Whatever still runs inside our namespaces (a dnsmasq child left by
        # a netd that died) was started by us, directly or through netd.
        for ns in "${BENCH_NETNS[@]}"; do
                for pid in $(ip netns pids "$ns" 2>/dev/null); do
                        kill -KILL "$pid" 2>/dev/null
                done
                ip netns del "$ns" 2>/dev/null
        done
        if ((rc != 0)) && [[ -n ${BENCH_KEEP_LOGS:-} ]]; then
                bench_log "logs kept in $BENCH_TMP"
        else
                rm -rf "$BENCH_TMP"
        fi
        exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# Microseconds since the epoch, without forking.
bench_now_us() {
        local t=$EPOCHREALTIME
        echo $((${t%.*} * 1000000 + 10#${t#*.}))
}

# Nearest-rank percentile P of the numbers on stdin (one per line).
bench_percentile() {
        sort -g | awk -v p="$1" '{ v[NR] = $1 }
                END { if (NR == 0) { print 0; exit }
                      r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
                      print v[r] }'
}

# A number rounded for a JSON figure.
bench_round() {
        awk -v x="$1" -v d="${2:-3}" 'BEGIN { printf "%.*f\n", d, x }'
}

# The value of a numeric field in a one-line JSON object (our own output).
bench_json_num() {
        sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p" <<<"$1"
}

# Make network namespace NS with lo up and an interface IFNAME carrying ADDR
# (documentation prefixes only): one end of a veth pair whose peer stays in
# the namespace, so the link has carrier without the dummy module. Exits 77
# when namespaces cannot be made.
bench_netns_add() {
        local ns=$1 ifname=$2 addr=$3
        if ! ip netns add "$ns" 2>/dev/null; then
                bench_log "cannot create network namespaces (need root); skipping"
                exit 77
        fi
        BENCH_NETNS+=("$ns")
        ip -n "$ns" link set lo up
        ip -n "$ns" link add "$ifname" type veth peer name "${ifname}p"
        ip -n "$ns" addr add "$addr" dev "$ifname"
        ip -n "$ns" link set "${ifname}p" up
        ip -n "$ns" link set "$ifname" up
}

# Start netd in the foreground of a background job and wait until it
# answers. Sets NETD_PID, NETD_SOCK, NETD_STATE. Usage:
#   bench_netd_start NAME managed|off [NETNS]
bench_netd_start() {
        local name=$1 mode=$2 ns=${3:-} dir i
        dir=$BENCH_TMP/$name
        mkdir -p "$dir/state"
        NETD_STATE=$dir/state
        NETD_SOCK=$dir/netd.sock
        local cmd=("$NETD" --state-dir "$NETD_STATE" --socket "$NETD_SOCK" --dnsmasq "$mode"
                --log-level warn)
        if [[ -n $ns ]]; then
                # ip netns exec execs netd in place: $! is netd's own pid.
                ip netns exec "$ns" "${cmd[@]}" </dev/null >>"$dir/netd.log" 2>&1 &
        else
                "${cmd[@]}" </dev/null >>"$dir/netd.log" 2>&1 &
        fi
        NETD_PID=$!
        BENCH_PIDS+=("$NETD_PID")
        for ((i = 0; i < 200; i++)); do
                if ! kill -0 "$NETD_PID" 2>/dev/null; then
                        cat "$dir/netd.log" >&2
                        bench_die "netd ($name) exited during start-up"
                fi
                if "$NETCTL" --socket "$NETD_SOCK" network list >/dev/null 2>&1; then
                        return 0
                fi
                sleep 0.05
        done
        cat "$dir/netd.log" >&2
        bench_die "netd ($name) did not answer within 10 s"
}

# Stop the netd started last (clean SIGTERM) and forget it.
bench_netd_stop() {
        local pid keep=()
        bench_stop_pid "$NETD_PID"
        for pid in "${BENCH_PIDS[@]}"; do
                [[ $pid == "$NETD_PID" ]] || keep+=("$pid")
        done
        BENCH_PIDS=("${keep[@]}")
}

# netctl against the netd started last.
bench_netctl() {
        "$NETCTL" --socket "$NETD_SOCK" "$@"
}

# The baseline of the latency benchmarks: a plain dnsmasq in namespace NS
# with conf file CONF, restarted as `systemctl restart` does (stop, wait for
# the exit, start). Sets BASE_PID. Usage: bench_base_start NS CONF DIR.
bench_base_start() {
        BASE_NS=$1 BASE_CONF=$2 BASE_DIR=$3
        ip netns exec "$BASE_NS" dnsmasq --keep-in-foreground --conf-file="$BASE_CONF" \
                --pid-file="$BASE_DIR/pid" --user=root </dev/null >>"$BASE_DIR/stderr" 2>&1 &
        BASE_PID=$!
        BENCH_PIDS+=("$BASE_PID")
}

bench_base_restart() {
        local pid keep=()
        kill -TERM "$BASE_PID"
        wait "$BASE_PID" || true
        for pid in "${BENCH_PIDS[@]}"; do
                [[ $pid == "$BASE_PID" ]] || keep+=("$pid")
        done
        BENCH_PIDS=("${keep[@]}")
        bench_base_start "$BASE_NS" "$BASE_CONF" "$BASE_DIR"
}

# Resident set size of PID in MB (VmRSS).
bench_rss_mb() {
        awk '/^VmRSS:/ { printf "%.2f\n", $2 / 1024 }' "/proc/$1/status"
}

# Filesystem type of a path, for the record (fsync cost depends on it).
bench_fs_type() {
        df --output=fstype "$1" | tail -n1
}
