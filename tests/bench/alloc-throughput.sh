#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# alloc_throughput: SNO allocations per second through netd's socket with 8
# concurrent clients (each its own connection, distinct clusters), with
# --dnsmasq off and with managed dnsmasq, against the floor of durable SQLite
# commits (one INSERT per transaction, the store's pragmas, one writer) on
# the same filesystem, in the same run.
#
# A /24 holds 253 SNO clusters, so each round allocates up to ROUND_N on a
# fresh netd; the figure is the median round. Managed rounds also stop
# taking new requests after ROUND_SECONDS, so a slow reload path shows as a
# low rate rather than a run that never ends.
source "$(dirname "$0")/lib.sh"

CLIENTS=${BENCH_CLIENTS:-8}
ROUND_N=${BENCH_ROUND_N:-240}
ROUNDS_OFF=${BENCH_ROUNDS_OFF:-7}
ROUNDS_MANAGED=${BENCH_ROUNDS_MANAGED:-5}
ROUND_SECONDS=${BENCH_ROUND_SECONDS:-20}
NS=nbt-$$

# One round on a fresh netd; prints bench-client's JSON line.
round() {
        local name=$1 mode=$2 ns=${3:-} out
        bench_netd_start "$name" "$mode" "$ns"
        if [[ $mode == managed ]]; then
                bench_netctl network add tp --cidr 192.0.2.0/24 --interface bench0 \
                        --dhcp-range 192.0.2.254-192.0.2.254 >/dev/null
        else
                bench_netctl network add tp --cidr 192.0.2.0/24 >/dev/null
        fi
        out=$("$BENCH_CLIENT" allocate --socket "$NETD_SOCK" --network tp --prefix c --count "$ROUND_N" \
                --threads "$CLIENTS" --seconds "$ROUND_SECONDS")
        bench_log "$name: $out"
        bench_netd_stop
        echo "$out"
}

median_rate() {
        local f=$1
        while read -r line; do
                bench_json_num "$line" rate_per_s
        done <"$f" | bench_percentile 50
}

# Sum of completed allocations over the rounds in a file.
total_n() {
        local f=$1 sum=0 line
        while read -r line; do
                sum=$((sum + $(bench_json_num "$line" n)))
        done <"$f"
        echo "$sum"
}

: >"$BENCH_TMP/off.jsonl"
for ((r = 0; r < ROUNDS_OFF; r++)); do
        round "off$r" off >>"$BENCH_TMP/off.jsonl"
done

bench_netns_add "$NS" bench0 192.0.2.1/24
: >"$BENCH_TMP/managed.jsonl"
for ((r = 0; r < ROUNDS_MANAGED; r++)); do
        round "managed$r" managed "$NS" >>"$BENCH_TMP/managed.jsonl"
done

# The SQLite floor: the same number of seconds the off rounds could take at
# most, on the same filesystem as netd's state.
sq=$("$BENCH_SQLITE" --db "$BENCH_TMP/raw.db" --count 100000 --seconds 5)
bench_log "sqlite: $sq"

off_rate=$(median_rate "$BENCH_TMP/off.jsonl")
managed_rate=$(median_rate "$BENCH_TMP/managed.jsonl")
off_p50=$(while read -r l; do bench_json_num "$l" p50_ms; done <"$BENCH_TMP/off.jsonl" | bench_percentile 50)
managed_p50=$(while read -r l; do bench_json_num "$l" p50_ms; done <"$BENCH_TMP/managed.jsonl" |
        bench_percentile 50)
sq_rate=$(bench_json_num "$sq" rate_per_s)
sq_n=$(bench_json_num "$sq" commits)

printf '{"bench":"alloc_throughput","clients":%d,"netd_off_per_s":%s,"netd_managed_per_s":%s,' \
        "$CLIENTS" "$(bench_round "$off_rate" 1)" "$(bench_round "$managed_rate" 1)"
printf '"sqlite_commits_per_s":%s,' "$(bench_round "$sq_rate" 1)"
printf '"ratio_off":%s,"ratio_managed":%s,' \
        "$(awk -v a="$off_rate" -v b="$sq_rate" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')" \
        "$(awk -v a="$managed_rate" -v b="$sq_rate" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
printf '"netd_off_p50_ms":%s,"netd_managed_p50_ms":%s,' "$off_p50" "$managed_p50"
printf '"n_off":%d,"n_managed":%d,"n_sqlite":%d,"rounds_off":%d,"rounds_managed":%d,"fs":"%s"}\n' \
        "$(total_n "$BENCH_TMP/off.jsonl")" "$(total_n "$BENCH_TMP/managed.jsonl")" "$sq_n" \
        "$ROUNDS_OFF" "$ROUNDS_MANAGED" "$(bench_fs_type "$BENCH_TMP")"
