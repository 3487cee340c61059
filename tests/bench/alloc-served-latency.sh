#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# alloc_served_latency: from the start of `netctl allocate cluster cN` until
# `dig` gets the node's address from netd's managed dnsmasq, against what a
# lab script does today on a plain dnsmasq: append dhcp-host= and
# host-record= to its conf file, restart it (kill, start), poll with dig
# until the name answers. Both sides run in their own namespace, on the same
# addresses, interleaved, and pay for the same dig invocations.
#
# netd returns from allocate only once the name is served, so its side is one
# dig; an answer missing right after allocate breaks the contract and fails
# the run (the latency is still measured, by polling).
#
# N allocations are timed on a fresh lab, then N_SCALE more after both
# dnsmasqs were filled to SCALE names, since reload cost grows with the lab.
# Environment: BENCH_N (50), BENCH_SCALE (1000), BENCH_N_SCALE (20; 0 = skip).
source "$(dirname "$0")/lib.sh"

N=${BENCH_N:-50}
POLL_LIMIT_US=10000000
DOMAIN=lab.internal
NS_NETD=nbl-netd-$$
NS_BASE=nbl-base-$$

bench_netns_add "$NS_NETD" bench0 192.0.2.1/24
bench_netns_add "$NS_BASE" bench0 192.0.2.1/24

# One dig, as the lab's scripts run it; prints the answer (empty if none).
dig_in() {
        ip netns exec "$1" dig @127.0.0.1 "$2" A +short +time=1 +tries=1 2>/dev/null | head -n1 || true
}

# Poll until NAME answers ADDR in NS; prints the number of digs it took.
poll_served() {
        local ns=$1 name=$2 addr=$3 t0 tries=0
        t0=$(bench_now_us)
        while :; do
                tries=$((tries + 1))
                [[ $(dig_in "$ns" "$name") == "$addr" ]] && break
                if (($(bench_now_us) - t0 > POLL_LIMIT_US)); then
                        bench_die "$name not served by dnsmasq in $NS_BASE within 10 s"
                fi
        done
        echo "$tries"
}

# --- netd, managed dnsmasq ------------------------------------------------
bench_netd_start lat managed "$NS_NETD"
bench_netctl network add lab --cidr 192.0.2.0/24 --interface bench0 --domain "$DOMAIN" \
        --dhcp-range 192.0.2.200-192.0.2.250 >/dev/null

# Appends the end-to-end time to $NETD_US and netctl's own to $NETCTL_US.
netd_allocate() {
        local i=$1 out ip t0 t1 tn got
        t0=$(bench_now_us)
        out=$(bench_netctl --json allocate cluster "c$i" --network lab)
        tn=$(bench_now_us)
        got=$(dig_in "$NS_NETD" "master-0.c$i.$DOMAIN")
        t1=$(bench_now_us)
        ip=$(grep -o '"ip": *"[^"]*"' <<<"$out" | head -n1 | sed 's/.*"\([^"]*\)"$/\1/')
        [[ -n $ip ]] || bench_die "allocate c$i: no node address in: $out"
        if [[ $got != "$ip" ]]; then
                # Contract broken; keep measuring until it is served.
                NOT_SERVED=$((NOT_SERVED + 1))
                bench_log "c$i: dig right after allocate got '$got', want $ip"
                while [[ $(dig_in "$NS_NETD" "master-0.c$i.$DOMAIN") != "$ip" ]]; do
                        (($(bench_now_us) - t0 < POLL_LIMIT_US)) ||
                                bench_die "master-0.c$i.$DOMAIN never served by netd's dnsmasq"
                done
                t1=$(bench_now_us)
        fi
        echo $((t1 - t0)) >>"$NETD_US"
        echo $((tn - t0)) >>"$NETCTL_US"
}

# --- baseline: plain dnsmasq restarted by a script --------------------------
BASE_DIR=$BENCH_TMP/base
mkdir -p "$BASE_DIR"
BASE_CONF=$BASE_DIR/dnsmasq.conf
cat >"$BASE_CONF" <<EOF
interface=bench0
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
domain=$DOMAIN
dhcp-range=192.0.2.200,192.0.2.250,12h
dhcp-leasefile=$BASE_DIR/leases
log-facility=$BASE_DIR/dnsmasq.log
EOF

# Appends the time until the name answers to $BASE_US.
base_allocate() {
        local i=$1 ip t0 t1 mac name digs
        ip=192.0.2.$((10 + i))
        mac=$(printf '52:54:00:00:%02x:%02x' $((i >> 8)) $((i & 255)))
        name=master-0.b$i.$DOMAIN
        t0=$(bench_now_us)
        printf 'dhcp-host=%s,%s,%s\nhost-record=%s,%s\n' "$mac" "$ip" "$name" "$name" "$ip" >>"$BASE_CONF"
        bench_base_restart
        digs=$(poll_served "$NS_BASE" "$name" "$ip")
        BASE_DIGS=$((BASE_DIGS + digs))
        t1=$(bench_now_us)
        echo $((t1 - t0)) >>"$BASE_US"
}

bench_base_start "$NS_BASE" "$BASE_CONF" "$BASE_DIR"

# Warm-up on both sides (first dnsmasq start, page cache), not counted.
NOT_SERVED=0
BASE_DIGS=0
NETD_US=/dev/null NETCTL_US=/dev/null BASE_US=/dev/null
netd_allocate 0
base_allocate 0
BASE_DIGS=0

NETD_US=$BENCH_TMP/netd.us NETCTL_US=$BENCH_TMP/netctl.us BASE_US=$BENCH_TMP/base.us
for ((i = 1; i <= N; i++)); do
        netd_allocate "$i"
        base_allocate "$i"
done
DIGS_PER_ALLOC=$(awk -v d="$BASE_DIGS" -v n="$N" 'BEGIN { printf "%.2f\n", d / n }')

# Both sides pay at least one dig, a process start of some 10-30 ms; it is
# reported alone (on names already served) to read the figures by. It is not
# subtracted: the baseline's first dig overlaps dnsmasq's start-up, netd's
# runs after allocate returned.
DIG_US=$BENCH_TMP/dig.us
for ((i = 1; i <= (N < 10 ? N : 10); i++)); do
        for side in "$NS_NETD master-0.c$i" "$NS_BASE master-0.b$i"; do
                read -r ns name <<<"$side"
                t0=$(bench_now_us)
                [[ $(dig_in "$ns" "$name.$DOMAIN") == 192.0.2.* ]] || bench_die "$name.$DOMAIN no longer served"
                echo $(($(bench_now_us) - t0)) >>"$DIG_US"
        done
done

# The same at lab scale: both dnsmasqs first get SCALE names in all (netd:
# clusters on an IPv6 /64 through its socket; baseline: host-record lines),
# then N_SCALE more allocations are timed on each side.
SCALE=${BENCH_SCALE:-1000}
N_SCALE=${BENCH_N_SCALE:-20}
FILL=$((SCALE - 1 - N - N_SCALE))
if ((FILL > 0 && N_SCALE > 0)); then
        ip -n "$NS_NETD" addr add 2001:db8:5::1/64 dev bench0 nodad
        bench_netctl network add fill --cidr 2001:db8:5::/64 --interface bench0 --domain "$DOMAIN" >/dev/null
        out=$("$BENCH_CLIENT" allocate --socket "$NETD_SOCK" --network fill --prefix f --count "$FILL" --threads 8)
        bench_log "netd filled with $FILL clusters: $out"
        for ((j = 0; j < FILL; j++)); do
                printf 'host-record=master-0.f%d.%s,2001:db8:5::%x\n' "$j" "$DOMAIN" $((j + 2))
        done >>"$BASE_CONF"
        bench_base_restart
        poll_served "$NS_BASE" "master-0.b1.$DOMAIN" 192.0.2.11 >/dev/null

        NETD_US=$BENCH_TMP/netd-scale.us NETCTL_US=$BENCH_TMP/netctl-scale.us BASE_US=$BENCH_TMP/base-scale.us
        for ((i = N + 1; i <= N + N_SCALE; i++)); do
                netd_allocate "$i"
                base_allocate "$i"
        done
fi

ms() {
        if [[ -s $2 ]]; then
                bench_percentile "$1" <"$2" | awk '{ printf "%.3f\n", $1 / 1000 }'
        else
                echo null
        fi
}
ratio() {
        awk -v b="$1" -v n="$2" 'BEGIN { if (n == "null" || n <= 0) print "null"; else printf "%.2f\n", b / n }'
}
netd_p50=$(ms 50 "$BENCH_TMP/netd.us")
base_p50=$(ms 50 "$BENCH_TMP/base.us")
netd_scale_p50=$(ms 50 "$BENCH_TMP/netd-scale.us")
base_scale_p50=$(ms 50 "$BENCH_TMP/base-scale.us")

printf '{"bench":"alloc_served_latency","topology":"sno","n":%d,' "$N"
printf '"netd_p50_ms":%s,"netd_p90_ms":%s,"baseline_p50_ms":%s,"baseline_p90_ms":%s,"ratio":%s,' \
        "$netd_p50" "$(ms 90 "$BENCH_TMP/netd.us")" "$base_p50" "$(ms 90 "$BENCH_TMP/base.us")" \
        "$(ratio "$base_p50" "$netd_p50")"
printf '"dig_p50_ms":%s,"netd_netctl_p50_ms":%s,"baseline_digs_per_alloc":%s,' \
        "$(ms 50 "$DIG_US")" "$(ms 50 "$BENCH_TMP/netctl.us")" "$DIGS_PER_ALLOC"
printf '"scale_names":%d,"n_scale":%d,"netd_p50_ms_at_scale":%s,"baseline_p50_ms_at_scale":%s,' \
        "$SCALE" "$N_SCALE" "$netd_scale_p50" "$base_scale_p50"
printf '"ratio_at_scale":%s,"netd_netctl_p50_ms_at_scale":%s,"not_served_on_return":%d}\n' \
        "$(ratio "$base_scale_p50" "$netd_scale_p50")" "$(ms 50 "$BENCH_TMP/netctl-scale.us")" "$NOT_SERVED"

if ((NOT_SERVED > 0)); then
        bench_die "$NOT_SERVED allocations were not served by dnsmasq when allocate returned"
fi
