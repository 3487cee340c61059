#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# release_served_latency: from the start of `netctl release cluster cN`
# until `dig` no longer gets the node's name from netd's managed dnsmasq,
# against what a lab script does today on a plain dnsmasq: delete the
# cluster's dhcp-host= and host-record= lines from its conf file, restart it
# (kill, start), poll with dig until the name is gone. Below dnsmasq 2.91
# netd restarts its dnsmasq for a release too (SIGHUP would crash 2.90 with
# tagged hosts), so this is that restart, the lease release and the
# verification, at the same scale on both sides.
#
# netd returns from release only once the name is gone; a name still
# answering right after release breaks the contract and fails the run.
# Environment: BENCH_N (20), BENCH_SCALE (1000: names in each dnsmasq).
source "$(dirname "$0")/lib.sh"

N=${BENCH_N:-20}
SCALE=${BENCH_SCALE:-1000}
POLL_LIMIT_US=10000000
DOMAIN=lab.internal
NS_NETD=nbr-netd-$$
NS_BASE=nbr-base-$$

bench_netns_add "$NS_NETD" bench0 192.0.2.1/24
bench_netns_add "$NS_BASE" bench0 192.0.2.1/24

dig_in() {
        ip netns exec "$1" dig @127.0.0.1 "$2" A +short +time=1 +tries=1 2>/dev/null | head -n1 || true
}

# --- netd, managed dnsmasq: N clusters to release, filled to SCALE names ---
bench_netd_start rel managed "$NS_NETD"
bench_netctl network add lab --cidr 192.0.2.0/24 --interface bench0 --domain "$DOMAIN" \
        --dhcp-range 192.0.2.200-192.0.2.250 >/dev/null
for ((i = 0; i <= N; i++)); do
        bench_netctl allocate cluster "c$i" --network lab >/dev/null
done
FILL=$((SCALE - 1 - N))
if ((FILL > 0)); then
        ip -n "$NS_NETD" addr add 2001:db8:5::1/64 dev bench0 nodad
        bench_netctl network add fill --cidr 2001:db8:5::/64 --interface bench0 --domain "$DOMAIN" >/dev/null
        out=$("$BENCH_CLIENT" allocate --socket "$NETD_SOCK" --network fill --prefix f --count "$FILL" --threads 8)
        bench_log "netd filled with $FILL clusters: $out"
fi
DNSMASQ_VERSION=$(dnsmasq --version | head -n1 | awk '{ print $3 }')

NOT_GONE=0
netd_release() {
        local i=$1 t0 t1
        [[ -n $(dig_in "$NS_NETD" "master-0.c$i.$DOMAIN") ]] || bench_die "master-0.c$i.$DOMAIN not served before release"
        t0=$(bench_now_us)
        bench_netctl release cluster "c$i" >/dev/null
        if [[ -n $(dig_in "$NS_NETD" "master-0.c$i.$DOMAIN") ]]; then
                NOT_GONE=$((NOT_GONE + 1))
                bench_log "c$i: still answered right after release"
                while [[ -n $(dig_in "$NS_NETD" "master-0.c$i.$DOMAIN") ]]; do
                        (($(bench_now_us) - t0 < POLL_LIMIT_US)) || bench_die "master-0.c$i.$DOMAIN never withdrawn"
                done
        fi
        t1=$(bench_now_us)
        echo $((t1 - t0)) >>"$NETD_US"
}

# --- baseline: plain dnsmasq restarted by a script, same number of names ---
BASE_DIR=$BENCH_TMP/base
mkdir -p "$BASE_DIR"
BASE_CONF=$BASE_DIR/dnsmasq.conf
{
        printf 'interface=bench0\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n'
        printf 'domain=%s\ndhcp-range=192.0.2.200,192.0.2.250,12h\n' "$DOMAIN"
        printf 'dhcp-leasefile=%s/leases\nlog-facility=%s/dnsmasq.log\n' "$BASE_DIR" "$BASE_DIR"
        for ((i = 0; i <= N; i++)); do
                printf 'dhcp-host=52:54:00:00:%02x:%02x,192.0.2.%d,master-0.b%d.%s\n' \
                        $((i >> 8)) $((i & 255)) $((10 + i)) "$i" "$DOMAIN"
                printf 'host-record=master-0.b%d.%s,192.0.2.%d\n' "$i" "$DOMAIN" $((10 + i))
        done
        for ((j = 0; j < FILL; j++)); do
                printf 'host-record=master-0.f%d.%s,2001:db8:5::%x\n' "$j" "$DOMAIN" $((j + 2))
        done
} >"$BASE_CONF"
base_release() {
        local i=$1 t0 t1 name=master-0.b$1.$DOMAIN
        t0=$(bench_now_us)
        sed -i "/,master-0\.b$i\.$DOMAIN\$/d; /^host-record=master-0\.b$i\.$DOMAIN,/d" "$BASE_CONF"
        bench_base_restart
        # gone, and dnsmasq answering again (a remaining name resolves)
        while [[ -n $(dig_in "$NS_BASE" "$name") || -z $(dig_in "$NS_BASE" "master-0.b$N.$DOMAIN") ]]; do
                (($(bench_now_us) - t0 < POLL_LIMIT_US)) || bench_die "$name not withdrawn by the baseline"
        done
        t1=$(bench_now_us)
        echo $((t1 - t0)) >>"$BASE_US"
}
bench_base_start "$NS_BASE" "$BASE_CONF" "$BASE_DIR"
while [[ -z $(dig_in "$NS_BASE" "master-0.b0.$DOMAIN") ]]; do sleep 0.05; done

# Warm-up, not counted; then N releases on each side, interleaved.
NETD_US=/dev/null BASE_US=/dev/null
netd_release 0
base_release 0
NETD_US=$BENCH_TMP/netd.us BASE_US=$BENCH_TMP/base.us
for ((i = 1; i < N; i++)); do
        netd_release "$i"
        base_release "$i"
done

ms() { bench_percentile "$1" <"$2" | awk '{ printf "%.3f\n", $1 / 1000 }'; }
netd_p50=$(ms 50 "$BENCH_TMP/netd.us")
base_p50=$(ms 50 "$BENCH_TMP/base.us")
printf '{"bench":"release_served_latency","n":%d,"scale_names":%d,"dnsmasq":"%s",' "$((N - 1))" "$SCALE" \
        "$DNSMASQ_VERSION"
printf '"netd_p50_ms":%s,"netd_p90_ms":%s,"baseline_p50_ms":%s,"baseline_p90_ms":%s,"ratio":%s,' \
        "$netd_p50" "$(ms 90 "$BENCH_TMP/netd.us")" "$base_p50" "$(ms 90 "$BENCH_TMP/base.us")" \
        "$(awk -v b="$base_p50" -v n="$netd_p50" 'BEGIN { printf "%.2f\n", b / n }')"
printf '"not_gone_on_return":%d}\n' "$NOT_GONE"
((NOT_GONE == 0)) || bench_die "$NOT_GONE releases still answered when release returned"
