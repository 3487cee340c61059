#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm_list: a libvirt host (libvirt's test driver) with DOMAINS (200) VMs,
# half of them nodes of allocated clusters. Figures:
#   vm_list_p50_ms / p95    `netctl vm list --json`: netd asks its libvirt
#                           worker, parses every domain's XML, matches MACs
#                           to allocations, answers (netctl's own start
#                           included);
#   export_p50_ms           `netctl export clusterinstance` of a 7-node
#                           cluster whose VMs are among them;
#   baseline_libvirt_p50_ms the raw libvirt calls of one listing (list,
#                           XML and state of every domain) on an open
#                           connection, nothing parsed (bench-virt);
#   ratio                   vm_list_p50_ms / baseline_libvirt_p50_ms.
# Env: BENCH_DOMAINS (200), BENCH_ROUNDS (30).
source "$(dirname "$0")/lib.sh"

DOMAINS=${BENCH_DOMAINS:-200}
ROUNDS=${BENCH_ROUNDS:-30}
[[ -x ${BENCH_VIRT:-} ]] || bench_die "\$BENCH_VIRT must name bench-virt"
((DOMAINS >= 7 && DOMAINS <= 5000)) || bench_die "BENCH_DOMAINS must be 7..5000"

# The host file: DOMAINS domains, each with a virtio-blk root disk and one
# NIC whose MAC is 52:54:00:01:HI:LO.
mac() { printf '52:54:00:01:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
{
        echo "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
        echo "<active>16</active><mhz>2400</mhz><model>x86_64</model></cpu><memory>67108864</memory>"
        for ((i = 0; i < DOMAINS; i++)); do
                printf "<domain type='test'><name>vm-%d</name><uuid>3f2a0c1e-5b7d-4e8a-9c61-%012x</uuid>" "$i" "$i"
                echo "<memory>1048576</memory><os><type>hvm</type></os><devices>"
                echo "<disk type='file' device='disk'><source file='/img/vm-$i.qcow2'/><target dev='vda' bus='virtio'/>"
                echo "<address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/></disk>"
                echo "<interface type='network'><mac address='$(mac "$i")'/><source network='lab'/>"
                echo "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></interface>"
                echo "</devices></domain>"
        done
        echo "</node>"
} >"$BENCH_TMP/hv1.xml"
URI="test://$BENCH_TMP/hv1.xml"

ns=nbv$$
bench_netns_add "$ns" u0 198.51.100.1/24
bench_netd_start main off "$ns"
bench_netctl network add lab --cidr 192.0.2.0/24 --domain lab.example >/dev/null
bench_netctl host add hv1 --connect local --underlay 198.51.100.1 --libvirt "$URI" \
        --bmc 198.51.100.1:8000 >/dev/null
# Half the VMs are cluster nodes: 7-node MNO clusters.
clusters=$((DOMAINS / 2 / 7))
for ((c = 0; c < clusters; c++)); do
        args=()
        for ((k = 0; k < 7; k++)); do
                node=master-$k
                ((k >= 3)) && node=worker-$((k - 3))
                args+=(--mac "$node=$(mac $((c * 7 + k)))")
        done
        bench_netctl allocate cluster "c$c" --topology mno --workers 4 "${args[@]}" >/dev/null
done
bench_netctl vm list --json >"$BENCH_TMP/vms.json" # warm: the connection opens
got=$(grep -o '"uuid"' "$BENCH_TMP/vms.json" | wc -l)
((got == DOMAINS)) || bench_die "vm list returned $got VMs, expected $DOMAINS"

times() { # CMD... — ROUNDS runs, one duration (ms) a line
        local i t0 t1
        for ((i = 0; i < ROUNDS; i++)); do
                t0=$(bench_now_us)
                "$@" >/dev/null
                t1=$(bench_now_us)
                echo "$(((t1 - t0) / 1000)).$(printf '%03d' $(((t1 - t0) % 1000)))"
        done
}
times bench_netctl vm list --json >"$BENCH_TMP/vm.t"
times bench_netctl export clusterinstance c0 >"$BENCH_TMP/export.t"
vm50=$(bench_percentile 50 <"$BENCH_TMP/vm.t")
vm95=$(bench_percentile 95 <"$BENCH_TMP/vm.t")
ex50=$(bench_percentile 50 <"$BENCH_TMP/export.t")
base=$("$BENCH_VIRT" "$URI" "$ROUNDS")
b50=$(bench_json_num "$base" p50_ms)
ratio=$(awk -v a="$vm50" -v b="$b50" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
echo "{\"bench\":\"vm_list\",\"domains\":$DOMAINS,\"clusters\":$clusters,\"rounds\":$ROUNDS,\"vm_list_p50_ms\":$vm50,\"vm_list_p95_ms\":$vm95,\"export_p50_ms\":$ex50,\"baseline_libvirt_p50_ms\":$b50,\"ratio\":$ratio}"
