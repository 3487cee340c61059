#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fabric_resync: a lab of HOSTS (20) hypervisor namespaces cabled to an
# underlay switch namespace, each reached by netd through its agent
# (`ip netns exec NS netd agent --stdio`) and attached to one VXLAN network,
# so each holds a bridge, a VXLAN device and HOSTS-1 flood entries. Figures:
#   attach_all_ms     the HOSTS `network attach` commands, summed;
#   resync_repair_ms  netd stopped, every vx100 deleted out of band, netd
#                     started again: from its start until `fabric status`
#                     shows every host connected and every object ok;
#   resync_clean_ms   the same after a restart where nothing was lost;
#   baseline_ip_batch_ms  recreating the same VXLAN devices and flood
#                     entries with one `ip -batch` and one `bridge -batch`
#                     per namespace, host after host.
# Env: BENCH_HOSTS (20), BENCH_RESYNC_TIMEOUT (60 s, the bound of each wait).
source "$(dirname "$0")/lib.sh"

HOSTS=${BENCH_HOSTS:-20}
TIMEOUT_S=${BENCH_RESYNC_TIMEOUT:-60}
P=nbr$$-
SW=${P}sw
JH=${P}jh
VNI=100
VX=vx$VNI
BR=br-lab

((HOSTS >= 2 && HOSTS <= 200)) || bench_die "BENCH_HOSTS must be 2..200 (got $HOSTS)"
for tool in ip bridge; do
        command -v "$tool" >/dev/null || bench_die "iproute2's $tool is needed"
done

# netd starts every agent as `CMD netd agent --stdio`: the netd it finds
# first on PATH must be the binary under test.
mkdir -p "$BENCH_TMP/bin"
ln -sf "$NETD" "$BENCH_TMP/bin/netd"
export PATH="$BENCH_TMP/bin:$PATH"

# underlay N — the underlay address of hypervisor N (the jumphost is .1).
underlay() {
        echo "198.51.100.$((10 + $1))"
}

# ns_add NS — an empty namespace with lo up, removed by the EXIT trap.
ns_add() {
        if ! ip netns add "$1" 2>/dev/null; then
                bench_log "cannot create network namespaces (need root); skipping"
                exit 77
        fi
        BENCH_NETNS+=("$1")
        ip -n "$1" link set lo up
}

# node_add NS PORT ADDR — NS cabled to the switch: its u0 carries ADDR/24,
# the other end (PORT) is a port of the switch's br0.
node_add() {
        ns_add "$1"
        ip -n "$1" link add u0 type veth peer name "$2" netns "$SW"
        ip -n "$SW" link set "$2" master br0 up
        ip -n "$1" addr add "$3/24" dev u0
        ip -n "$1" link set u0 up
}

# status_check — one `fabric status`; true when it lists HOSTS hosts, all
# connected, and every object is ok. Sets STATUS_OBJECTS (objects listed)
# and STATUS_SUMMARY. Plain text matching over netctl's compact JSON keeps
# the poll free of interpreter start-up.
status_check() {
        local out counts hosts conn objs okay
        STATUS_OBJECTS=0
        if ! out=$(bench_netctl --json fabric status 2>&1); then
                STATUS_SUMMARY="fabric status failed: $out"
                return 1
        fi
        counts=$(awk '{
                h += gsub(/"connected":[ ]*(true|false)/, "&")
                c += gsub(/"connected":[ ]*true/, "&")
                s += gsub(/"state":[ ]*"[^"]*"/, "&")
                o += gsub(/"state":[ ]*"ok"/, "&")
        } END { print h + 0, c + 0, s + 0, o + 0 }' <<<"$out")
        read -r hosts conn objs okay <<<"$counts"
        STATUS_OBJECTS=$objs
        STATUS_SUMMARY="hosts=$hosts connected=$conn objects=$objs ok=$okay"
        STATUS_LAST=$out
        ((hosts == HOSTS && conn == HOSTS && objs > 0 && okay == objs))
}

# ms_since T0 — milliseconds since T0 (µs since the epoch).
ms_since() {
        awk -v t=$(($(bench_now_us) - $1)) 'BEGIN { printf "%.1f\n", t / 1000 }'
}

# wait_all_ok T0 — polls `fabric status` every 50 ms until status_check
# passes; sets WAIT_MS to the milliseconds since T0 (µs). Dies after
# TIMEOUT_S. Not run in a subshell: STATUS_OBJECTS must survive it.
wait_all_ok() {
        local t0=$1 now
        while :; do
                if status_check; then
                        WAIT_MS=$(ms_since "$t0")
                        return 0
                fi
                now=$(bench_now_us)
                if ((now - t0 > TIMEOUT_S * 1000000)); then
                        bench_log "last fabric status: ${STATUS_LAST:0:2000}"
                        bench_log "netd log:"
                        tail -n 40 "$BENCH_TMP/jh/netd.log" >&2
                        bench_die "fabric not converged within ${TIMEOUT_S} s ($STATUS_SUMMARY)"
                fi
                sleep 0.05
        done
}

# check_kernel — every hypervisor has an up vx100 on br-lab with HOSTS-1
# flood entries: what `fabric status` said ok is really there.
check_kernel() {
        local i ns n
        for ((i = 1; i <= HOSTS; i++)); do
                ns=${P}hv$i
                ip -n "$ns" -o link show dev "$VX" 2>/dev/null | grep -q "[<,]UP[,>].* master $BR " ||
                        bench_die "$1: $ns has no working $VX on $BR: $(ip -n "$ns" -br link show dev "$VX" 2>&1)"
                n=$(bridge -n "$ns" fdb show dev "$VX" | grep -c '^00:00:00:00:00:00 dst ')
                ((n == HOSTS - 1)) || bench_die "$1: $ns has $n flood entries on $VX, want $((HOSTS - 1))"
        done
}

# ---- the lab
ns_add "$SW"
ip -n "$SW" link add br0 type bridge stp_state 0
ip -n "$SW" link set br0 up
node_add "$JH" u-jh 198.51.100.1
for ((i = 1; i <= HOSTS; i++)); do
        node_add "${P}hv$i" "u-hv$i" "$(underlay "$i")"
done
bench_log "lab: switch, jumphost and $HOSTS hypervisor namespaces (${P}*)"

bench_netd_start jh off "$JH"
bench_netctl network add lab --cidr 192.0.2.0/24 --vni $VNI --mtu 1400 >/dev/null
for ((i = 1; i <= HOSTS; i++)); do
        bench_netctl host add "hv$i" --connect "ip netns exec ${P}hv$i" --underlay "$(underlay "$i")" >/dev/null
done

# ---- (1) the initial attach, host after host
attach_us=0
t_first=$(bench_now_us)
for ((i = 1; i <= HOSTS; i++)); do
        t0=$(bench_now_us)
        bench_netctl network attach lab "hv$i" >/dev/null
        attach_us=$((attach_us + $(bench_now_us) - t0))
done
attach_ms=$(awk -v t=$attach_us 'BEGIN { printf "%.1f\n", t / 1000 }')
wait_all_ok "$t_first"
converged_ms=$WAIT_MS
objects=$STATUS_OBJECTS
check_kernel "after attach"
bench_log "attach: $HOSTS commands ${attach_ms} ms, all ok ${converged_ms} ms after the first; $objects objects"

# ---- (2) restart with every VXLAN device lost while netd was down
bench_netd_stop
for ((i = 1; i <= HOSTS; i++)); do
        ip -n "${P}hv$i" link del "$VX"
done
t0=$(bench_now_us)
bench_netd_start jh off "$JH"
up_ms=$(ms_since "$t0")
wait_all_ok "$t0"
repair_ms=$WAIT_MS
((STATUS_OBJECTS == objects)) || bench_die "after repair: $STATUS_OBJECTS objects, $objects before"
check_kernel "after the repairing resync"
bench_log "repair: socket answered after ${up_ms} ms, all ok after ${repair_ms} ms"

# ---- (3) restart with nothing lost
bench_netd_stop
t0=$(bench_now_us)
bench_netd_start jh off "$JH"
up_ms=$(ms_since "$t0")
wait_all_ok "$t0"
clean_ms=$WAIT_MS
((STATUS_OBJECTS == objects)) || bench_die "after clean resync: $STATUS_OBJECTS objects, $objects before"
check_kernel "after the clean resync"
bench_log "clean: socket answered after ${up_ms} ms, all ok after ${clean_ms} ms"
bench_netd_stop

# ---- baseline: the same devices and flood entries by ip -batch
for ((i = 1; i <= HOSTS; i++)); do
        ip -n "${P}hv$i" link del "$VX"
        {
                echo "link add $VX mtu 1400 type vxlan id $VNI local $(underlay "$i") dstport 4789 learning"
                echo "link set $VX master $BR alias netd:managed up"
        } >"$BENCH_TMP/ip-$i.batch"
        for ((j = 1; j <= HOSTS; j++)); do
                ((j == i)) || echo "fdb append 00:00:00:00:00:00 dev $VX dst $(underlay "$j")"
        done >"$BENCH_TMP/fdb-$i.batch"
done
t0=$(bench_now_us)
for ((i = 1; i <= HOSTS; i++)); do
        ip -n "${P}hv$i" -batch "$BENCH_TMP/ip-$i.batch"
        bridge -n "${P}hv$i" -batch "$BENCH_TMP/fdb-$i.batch"
done
baseline_ms=$(ms_since "$t0")
check_kernel "after the ip -batch baseline"

printf '{"bench":"fabric_resync","hosts":%d,"objects":%d,"attach_all_ms":%s,' "$HOSTS" "$objects" "$attach_ms"
printf '"resync_repair_ms":%s,"resync_clean_ms":%s,"baseline_ip_batch_ms":%s}\n' \
        "$repair_ms" "$clean_ms" "$baseline_ms"
