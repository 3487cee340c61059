#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The VXLAN fabric end to end: a jumphost (netd, managed dnsmasq, --connect
# local) and hypervisors reached through their agents get a bridge and a
# VXLAN device with the network's attributes and flood entries to each
# other; VMs on different hypervisors get their allocated addresses from
# the jumphost's dnsmasq across the overlay, resolve names and ping each
# other; a host joining or leaving later updates every other host's flood
# entries; and VXLAN over an IPv6 underlay carries traffic.

. "$(dirname "$0")/lib-fabric.sh"

require_netns
fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
fab_node hv2 198.51.100.12
fab_node hv3 198.51.100.13
fab_node v6a "" 2001:db8:ffff::21
fab_node v6b "" 2001:db8:ffff::22
JH=${P}jh

declare -A NS=([jump]=$JH [hv1]=${P}hv1 [hv2]=${P}hv2 [hv3]=${P}hv3 [v6a]=${P}v6a [v6b]=${P}v6b)
declare -A UL=([jump]=198.51.100.1 [hv1]=198.51.100.11 [hv2]=198.51.100.12 [hv3]=198.51.100.13
        [v6a]=2001:db8:ffff::21 [v6b]=2001:db8:ffff::22)

# others HOST PEER... — the flood set HOST must have: every PEER's underlay
# but its own.
others() {
        local h=$1 p l=()
        shift
        for p in "$@"; do
                [ "$p" == "$h" ] || l+=("${UL[$p]}")
        done
        fab_set "${l[@]}"
}

# check_vxlan_host HOST NET VNI PEERS... — bridge, VXLAN device and flood
# entries of NET on HOST, every attribute the contract names.
check_vxlan_host() {
        local h=$1 net=$2 vni=$3
        shift 3
        fab_check_link "$h: br-$net is netd's bridge, up, STP off, MTU 1400" "${NS[$h]}" "br-$net" \
                kind=bridge up=1 stp=0 mtu=1400 alias=netd:managed
        fab_check_link "$h: vx$vni has VNI $vni, dstport 4789, local ${UL[$h]}, MTU 1400, master br-$net" \
                "${NS[$h]}" "vx$vni" kind=vxlan vni="$vni" dstport=4789 local="${UL[$h]}" mtu=1400 \
                master="br-$net" alias=netd:managed up=1
        fab_check_fdb "$h: vx$vni floods to every other host's underlay" "${NS[$h]}" "vx$vni" \
                "$(others "$h" "$@")"
}

netd_start main "$JH" managed || exit 1

nctl_ok "network add lab (VNI 100, MTU 1400, dnsmasq on br-lab)" network add lab --cidr 192.0.2.0/24 \
        --vni 100 --mtu 1400 --interface br-lab --domain lab.example
nctl_ok "host add jump --connect local" host add jump --connect local --underlay "${UL[jump]}"
fab_host_add hv1 "${UL[hv1]}"
fab_host_add hv2 "${UL[hv2]}"
nctl_ok "network attach lab jump --address 192.0.2.1/24" network attach lab jump --address 192.0.2.1/24
nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "network attach lab hv2" network attach lab hv2

fab_check_all_ok "fabric status: jump, hv1, hv2 connected, every object ok" 15 jump hv1 hv2
fab_check_status_shape "fabric status --json has the contract's shape"
pycheck "fabric status lists br-lab, vx100 and two flood entries on each host" "$T/status.json" <<'EOF'
d = load(sys.argv[1])
hosts = {h["name"]: h for h in d["hosts"]}
for name in ("jump", "hv1", "hv2"):
    objs = [(o["kind"], o["name"]) for o in hosts[name]["objects"]]
    for want in (("bridge", "br-lab"), ("vxlan", "vx100")):
        if objs.count(want) != 1:
            fail(f"{name}: {want} listed {objs.count(want)} times in {objs}")
    n = sum(1 for k, _ in objs if k == "fdb")
    if n != 2:
        fail(f"{name}: {n} fdb objects, want 2 (one per other host): {objs}")
EOF

for h in jump hv1 hv2; do
        check_vxlan_host "$h" lab 100 jump hv1 hv2
done
check "jump: br-lab carries 192.0.2.1/24" \
        bash -c "ip -n '$JH' -o addr show dev br-lab | grep -qw 'inet 192.0.2.1/24'"

# Two nodes of a cluster become VMs on different hypervisors.
nctl --json allocate cluster c1 --network lab --topology compact
cp "$T/out" "$T/c1.json"
if [ "$RC" -ne 0 ]; then
        not_ok "allocate cluster c1 (compact)"
        diag "exit $RC: $ERR"
        exit 1
fi
ok "allocate cluster c1 (compact)"
node() { # NAME — "MAC IP FQDN"
        jget "$T/c1.json" \
                "[n['mac'] + ' ' + n['ip'] + ' ' + n['fqdn'] for n in d['nodes'] if n['name'] == '$1']"
}
read -r MAC1 IP1 FQDN1 < <(node master-0)
read -r MAC2 IP2 FQDN2 < <(node master-1)
read -r MAC3 IP3 FQDN3 < <(node master-2)

fab_vm vm1 hv1 br-lab "$MAC1" 1400
fab_vm vm2 hv2 br-lab "$MAC2" 1400
got=$(dhcp vm1 "$MAC1")
check_eq "vm1 on hv1 gets $IP1 by DHCP from the jumphost's dnsmasq across VXLAN" "$IP1" "$got"
got=$(dhcp vm2 "$MAC2")
check_eq "vm2 on hv2 gets $IP2 by DHCP from the jumphost's dnsmasq across VXLAN" "$IP2" "$got"
ip -n "${P}vm1" addr add "$IP1/24" dev eth0
ip -n "${P}vm2" addr add "$IP2/24" dev eth0
check "vm1 (hv1) pings vm2 (hv2) through the overlay" fab_ping vm1 "$IP2"
check "vm2 (hv2) pings the jumphost 192.0.2.1 through the overlay" fab_ping vm2 192.0.2.1
check_dns "vm1 resolves $FQDN2 at 192.0.2.1 across VXLAN" "${P}vm1" 192.0.2.1 "$FQDN2" A "$IP2"
check_dns "vm2 resolves api.c1.lab.example at 192.0.2.1 across VXLAN" "${P}vm2" 192.0.2.1 \
        api.c1.lab.example A "$(jget "$T/c1.json" 'd["api_vip"]')"

# A third hypervisor joins: it floods to everyone, and everyone learns it
# from the attach itself (not from a periodic pass).
fab_host_add hv3 "${UL[hv3]}"
nctl_ok "network attach lab hv3" network attach lab hv3
for h in jump hv1 hv2 hv3; do
        fab_check_fdb "after hv3 joined, $h floods to every other host" "${NS[$h]}" vx100 \
                "$(others "$h" jump hv1 hv2 hv3)" 5
done
fab_check_all_ok "fabric status: jump, hv1, hv2, hv3 all ok" 10 jump hv1 hv2 hv3
check_vxlan_host hv3 lab 100 jump hv1 hv2 hv3
fab_vm vm3 hv3 br-lab "$MAC3" 1400
got=$(dhcp vm3 "$MAC3")
check_eq "vm3 on the new hv3 gets $IP3 by DHCP" "$IP3" "$got"
ip -n "${P}vm3" addr add "$IP3/24" dev eth0
check "vm3 (hv3) pings vm1 (hv1)" fab_ping vm3 "$IP1"

# hv3 leaves (its VM gone first: detach would refuse a foreign port).
ip -n "${P}hv3" link del t-vm3
nctl_ok "network detach lab hv3" network detach lab hv3
for h in jump hv1 hv2; do
        fab_check_fdb "after hv3 left, $h no longer floods to it" "${NS[$h]}" vx100 \
                "$(others "$h" jump hv1 hv2)" 5
done
check "hv3: br-lab and vx100 are removed" poll 5 \
        bash -c "! ip -n '${P}hv3' link show dev vx100 && ! ip -n '${P}hv3' link show dev br-lab"
fab_status
check_eq "fabric status lists no vx100 on hv3 any more" "" "$(fab_states hv3 vxlan vx100)"
check "vm1 still pings vm2 after hv3 left" fab_ping vm1 "$IP2"

# A second overlay over an IPv6 underlay.
nctl_ok "network add lab6 (VNI 200, MTU 1400, underlay family ipv6)" network add lab6 \
        --cidr 203.0.113.0/24 --vni 200 --mtu 1400 --domain lab6.example --underlay-family ipv6
fab_host_add v6a "${UL[v6a]}"
fab_host_add v6b "${UL[v6b]}"
nctl_ok "network attach lab6 v6a" network attach lab6 v6a
nctl_ok "network attach lab6 v6b" network attach lab6 v6b
fab_check_all_ok "fabric status: v6a, v6b connected, every object ok" 15 v6a v6b
check_vxlan_host v6a lab6 200 v6a v6b
check_vxlan_host v6b lab6 200 v6a v6b
fab_vm vm6a v6a br-lab6 02:00:00:00:06:0a 1400
fab_vm vm6b v6b br-lab6 02:00:00:00:06:0b 1400
ip -n "${P}vm6a" addr add 203.0.113.10/24 dev eth0
ip -n "${P}vm6b" addr add 203.0.113.11/24 dev eth0
check "vm6a pings vm6b through VXLAN over the IPv6 underlay" fab_ping vm6a 203.0.113.11
for h in jump hv1 hv2; do
        fab_check_fdb "$h: lab's flood set is unchanged by lab6" "${NS[$h]}" vx100 \
                "$(others "$h" jump hv1 hv2)"
done

fab_check_all_ok "fabric status: every host connected, every object ok" 10
nctl_ok "fabric status (text)" fabric status
check "fabric status (text) names every host" \
        bash -c 'for h in jump hv1 hv2 hv3 v6a v6b; do grep -qw "$h" "$1" || exit 1; done' - "$T/out"
fab_check_status_shape "final fabric status --json has the contract's shape"
exit 0
