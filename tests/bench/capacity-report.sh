#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capacity_report and netd_rss: 1,000 clusters (sno, compact, mno) over three
# IPv4 /24s, an IPv6 /64 and an IPv6 /48, populated through the socket with
# --dnsmasq off. Then the time of `report capacity` through the socket and of
# `netctl report capacity --json` (median of REPORTS), next to a `ping`
# round trip on the same socket as the floor; and netd's VmRSS before and
# after the population.
source "$(dirname "$0")/lib.sh"

REPORTS=${BENCH_REPORTS:-20}
CLIENTS=8

bench_netd_start cap off
rss_empty=$(bench_rss_mb "$NETD_PID")

bench_netctl network add v4a --cidr 192.0.2.0/24 --reserve 192.0.2.240-192.0.2.250 >/dev/null
bench_netctl network add v4b --cidr 198.51.100.0/24 --dhcp-range 198.51.100.230-198.51.100.254 >/dev/null
bench_netctl network add v4c --cidr 203.0.113.0/24 >/dev/null
bench_netctl network add v6a --cidr 2001:db8:0:1::/64 --reserve 2001:db8:0:1::2-2001:db8:0:1::ff >/dev/null
bench_netctl network add v6b --cidr 2001:db8:1::/48 --domain v6b.lab.internal >/dev/null

# network, topology, clusters: 1,000 clusters holding 1,470 addresses.
populate=(
        "v4a sno 150" "v4a compact 15"
        "v4b sno 150" "v4b mno 10"
        "v4c sno 200"
        "v6a sno 200" "v6a compact 25" "v6a mno 25"
        "v6b sno 200" "v6b compact 25"
)
want=0
t0=$(bench_now_us)
for spec in "${populate[@]}"; do
        read -r net topo count <<<"$spec"
        out=$("$BENCH_CLIENT" allocate --socket "$NETD_SOCK" --network "$net" --topology "$topo" \
                --prefix "$net-$topo-" --count "$count" --threads "$CLIENTS")
        [[ $(bench_json_num "$out" n) == "$count" ]] || bench_die "populate $spec: $out"
        want=$((want + count))
done
populate_s=$(awk -v t=$(($(bench_now_us) - t0)) 'BEGIN { printf "%.3f", t / 1e6 }')
rss_full=$(bench_rss_mb "$NETD_PID")

# The report must see every cluster; sum its CSV column to be sure.
got=$(bench_netctl report capacity --csv | awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == "clusters") c = i; next }
        c { s += $c } END { print s + 0 }')
[[ $got == "$want" ]] || bench_die "report capacity counts $got clusters, $want were allocated"

sock=$("$BENCH_CLIENT" repeat --socket "$NETD_SOCK" --command report.capacity --count "$REPORTS")
bench_log "report.capacity via socket: $sock"
ping=$("$BENCH_CLIENT" repeat --socket "$NETD_SOCK" --command ping --count 200)
bench_log "ping via socket: $ping"

: >"$BENCH_TMP/netctl.us"
for ((i = 0; i < REPORTS; i++)); do
        t0=$(bench_now_us)
        bench_netctl report capacity --json >/dev/null
        echo $(($(bench_now_us) - t0)) >>"$BENCH_TMP/netctl.us"
done
netctl_p50=$(bench_percentile 50 <"$BENCH_TMP/netctl.us" | awk '{ printf "%.3f", $1 / 1000 }')
netctl_p90=$(bench_percentile 90 <"$BENCH_TMP/netctl.us" | awk '{ printf "%.3f", $1 / 1000 }')
rss_after=$(bench_rss_mb "$NETD_PID")

printf '{"bench":"capacity_report","clusters":%d,"networks":5,"n":%d,' "$want" "$REPORTS"
printf '"socket_p50_ms":%s,"socket_p90_ms":%s,"netctl_json_p50_ms":%s,"netctl_json_p90_ms":%s,' \
        "$(bench_json_num "$sock" p50_ms)" "$(bench_json_num "$sock" p90_ms)" "$netctl_p50" "$netctl_p90"
printf '"ping_p50_ms":%s}\n' "$(bench_json_num "$ping" p50_ms)"
printf '{"bench":"netd_rss","clusters":%d,"rss_mb":%s,"rss_empty_mb":%s,"rss_after_reports_mb":%s,' \
        "$want" "$rss_full" "$rss_empty" "$rss_after"
printf '"populate_s":%s,"populate_per_s":%s}\n' "$populate_s" \
        "$(awk -v n="$want" -v s="$populate_s" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')"
