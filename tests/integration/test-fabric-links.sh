#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Veth pairs and static routes on a hypervisor through its agent: a veth
# pair patches two netd bridges into one segment, drift of it is repaired,
# `link remove` deletes both ends; routes are applied, repaired and
# removed; hostile input is refused as `invalid` and creates nothing.

. "$(dirname "$0")/lib-fabric.sh"

require_netns
fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
JH=${P}jh
HV1=${P}hv1

# route_show DEST — hv1's routes to DEST as "DEST via GW dev DEV" lines
# (protocol, metric and flags left out).
route_show() {
        ip -n "$HV1" -j route show "$1" >"$T/.route.json" 2>&1
        pyrun "$T/.route.json" <<'EOF'
try:
    routes = load(sys.argv[1])
except Exception:
    routes = []
for r in routes:
    print(" ".join(x for x in (r.get("dst"), "via", r.get("gateway"), "dev", r.get("dev")) if x))
EOF
}

# route_is DEST EXPECTED — route_show DEST is exactly EXPECTED.
route_is() {
        [ "$(route_show "$1")" == "$2" ]
}

# check_route DESC DEST EXPECTED [SECONDS]
check_route() {
        poll "${4:-0}" route_is "$2" "$3" >/dev/null 2>&1
        check_eq "$1" "$3" "$(route_show "$2")"
}

# route_states DEST — states of hv1's route objects naming DEST, from a
# fresh `fabric status`.
route_states() {
        fab_status
        pyrun "$T/status.json" "$1" <<'EOF'
d = load(sys.argv[1])
print(" ".join(o["state"] for h in d["hosts"] if h["name"] == "hv1" for o in h["objects"]
               if o["kind"] == "route" and sys.argv[2] in o["name"]))
EOF
}
route_state_is() { # DEST STATE
        [ "$(route_states "$1")" == "$2" ]
}

netd_start main "$JH" off || exit 1
nctl_ok "network add lab (VNI 100, MTU 1400)" network add lab --cidr 192.0.2.0/24 --vni 100 --mtu 1400
nctl_ok "network add x --bridge br-x" network add x --cidr 2001:db8:100::/64 --bridge br-x --mtu 1400
fab_host_add hv1 198.51.100.11
nctl_ok "network attach lab hv1 --address 192.0.2.11/24" network attach lab hv1 --address 192.0.2.11/24
nctl_ok "network attach x hv1" network attach x hv1
fab_check_all_ok "fabric status: hv1 connected, every object ok" 15 hv1
check "hv1: br-lab carries 192.0.2.11/24" \
        bash -c "ip -n '$HV1' -o addr show dev br-lab | grep -qw 'inet 192.0.2.11/24'"
fab_check_link "hv1: br-x is netd's bridge, up, STP off" "$HV1" br-x kind=bridge up=1 stp=0 alias=netd:managed

# ---- a veth pair patches br-lab and br-x
nctl_ok "link add hv1 veth vp-a --peer vp-b --master br-lab --peer-master br-x" \
        link add hv1 veth vp-a --peer vp-b --master br-lab --peer-master br-x
poll 5 bash -c "ip -n '$HV1' link show dev vp-a && ip -n '$HV1' link show dev vp-b" >/dev/null 2>&1
fab_check_link "hv1: vp-a is netd's veth to vp-b, up, on br-lab" "$HV1" vp-a \
        kind=veth peer=vp-b master=br-lab alias=netd:managed up=1
fab_check_link "hv1: vp-b is netd's veth to vp-a, up, on br-x" "$HV1" vp-b \
        kind=veth peer=vp-a master=br-x alias=netd:managed up=1
fab_check_state "fabric status: veth vp-a ok on hv1" 5 hv1 veth vp-a ok
fab_check_all_ok "fabric status: every object still ok with the veth pair" 5 hv1

fab_vm vma hv1 br-lab 02:00:00:00:0a:01 1400
fab_vm vmb hv1 br-x 02:00:00:00:0a:02 1400
ip -n "${P}vma" addr add 192.0.2.51/24 dev eth0
ip -n "${P}vmb" addr add 192.0.2.52/24 dev eth0
check "a VM on br-lab pings a VM on br-x through the veth patch" fab_ping vma 192.0.2.52

ip -n "$HV1" link set vp-b nomaster
fab_check_state "vp-b taken off br-x out of band -> fabric status: veth vp-a drifted" 5 hv1 veth vp-a drifted
nctl_ok "fabric sync hv1" fabric sync hv1
fab_check_state "after fabric sync: veth vp-a ok" 5 hv1 veth vp-a ok
fab_check_link "hv1: vp-b is back on br-x" "$HV1" vp-b master=br-x alias=netd:managed up=1
check "the patch carries traffic again" fab_ping vma 192.0.2.52

nctl_ok "link remove hv1 vp-a" link remove hv1 vp-a
check "hv1: vp-a and vp-b are deleted (within 5 s)" poll 5 \
        bash -c "! ip -n '$HV1' link show dev vp-a && ! ip -n '$HV1' link show dev vp-b"
check "without the patch the VMs on br-lab and br-x are apart" fab_no_ping vma 192.0.2.52
fab_status
check_eq "fabric status lists no veth vp-a any more" "" "$(fab_states hv1 veth vp-a)"
nctl link remove hv1 vp-a
expect_error "link remove of a removed link: not-found" 1 not-found
check "the VM ports survived the link's life" \
        bash -c "ip -n '$HV1' link show dev t-vma && ip -n '$HV1' link show dev t-vmb"

nctl_ok "link add hv1 veth vp-a --peer vp-b (again, no masters)" link add hv1 veth vp-a --peer vp-b
nctl link add hv1 veth vp-a --peer vp-c
expect_error "link add of a taken name: exists" 1 exists
nctl_ok "link remove hv1 vp-a" link remove hv1 vp-a
check "hv1: vp-a and vp-b are deleted again (within 5 s)" poll 5 \
        bash -c "! ip -n '$HV1' link show dev vp-a && ! ip -n '$HV1' link show dev vp-b"

# ---- the default bridge name is br-NET cut to 15 characters
nctl_ok "network add averyverylongname" network add averyverylongname --cidr 2001:db8:200::/64
nctl_ok "network attach averyverylongname hv1" network attach averyverylongname hv1
check "hv1: its bridge is br-averyverylon (within 5 s)" poll 5 fab_link "$HV1" br-averyverylon
fab_check_link "hv1: br-averyverylon is netd's bridge, up" "$HV1" br-averyverylon \
        kind=bridge alias=netd:managed up=1
nctl network detach averyverylongname nosuch
expect_error "network detach from an unknown host: not-found" 1 not-found
nctl_ok "network detach averyverylongname hv1" network detach averyverylongname hv1
check "hv1: br-averyverylon is deleted (within 5 s)" poll 5 fab_no_link "$HV1" br-averyverylon
nctl network detach averyverylongname hv1
expect_error "network detach of a network not attached: not-found" 1 not-found

# ---- static routes
nctl_ok "route add hv1 203.0.113.0/24 --via 192.0.2.254 --dev br-lab" \
        route add hv1 203.0.113.0/24 --via 192.0.2.254 --dev br-lab
check_route "hv1: 203.0.113.0/24 via 192.0.2.254 dev br-lab" 203.0.113.0/24 \
        "203.0.113.0/24 via 192.0.2.254 dev br-lab" 5
check "fabric status: the route is ok" poll 5 route_state_is 203.0.113.0/24 ok
ip -n "$HV1" route del 203.0.113.0/24
check "route deleted out of band -> fabric status: missing" poll 5 route_state_is 203.0.113.0/24 missing
nctl_ok "fabric sync" fabric sync
check_route "after fabric sync the route is back" 203.0.113.0/24 "203.0.113.0/24 via 192.0.2.254 dev br-lab" 5
nctl_ok "route add hv1 198.51.100.128/25 --via 192.0.2.254 (no --dev)" \
        route add hv1 198.51.100.128/25 --via 192.0.2.254
check_route "hv1: 198.51.100.128/25 via 192.0.2.254 dev br-lab" 198.51.100.128/25 \
        "198.51.100.128/25 via 192.0.2.254 dev br-lab" 5
fab_check_all_ok "fabric status: every object ok with two routes" 5 hv1
nctl_ok "route remove hv1 203.0.113.0/24" route remove hv1 203.0.113.0/24
check_route "hv1: 203.0.113.0/24 is gone" 203.0.113.0/24 "" 5
check_route "hv1: 198.51.100.128/25 stays" 198.51.100.128/25 "198.51.100.128/25 via 192.0.2.254 dev br-lab"
nctl_ok "route remove hv1 198.51.100.128/25" route remove hv1 198.51.100.128/25
check_route "hv1: 198.51.100.128/25 is gone" 198.51.100.128/25 "" 5
nctl route remove hv1 203.0.113.0/24
expect_error "route remove of a removed route: not-found" 1 not-found

# ---- hostile input: refused, nothing created
snapshot() {
        {
                ip -n "$HV1" -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort
                ip -n "$HV1" route show
                ip -n "$JH" -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort
                "${TO[@]}" "$NETCTL" --socket "$SOCK" host list </dev/null
        } 2>&1
}
BEFORE=$(snapshot)
hostile() { # DESC CODE ARGS...
        local desc=$1 code=$2
        shift 2
        nctl "$@"
        expect_error "$desc: $code" 1 "$code"
}
hostile "link add: space in the name" invalid link add hv1 veth "vp a" --peer vp-b
hostile "link add: 16-character name" invalid link add hv1 veth aaaaaaaaaaaaaaaa --peer vp-b
hostile "link add: slash in the peer" invalid link add hv1 veth vp-c --peer vp/d
hostile "link add: newline in --master" invalid link add hv1 veth vp-c --peer vp-d --master $'br-lab\nx'
hostile "link add: --json, quote in the peer" invalid --json link add hv1 veth vp-c --peer 'vp"d'
hostile "link add on an unknown host" not-found link add nosuch veth vp-c --peer vp-d
nctl link add hv1 bond vp-c --peer vp-d
if [ "$RC" -eq 2 ]; then
        ok "link add of an unknown kind: usage error"
else
        expect_error "link add of an unknown kind: invalid" 1 invalid
fi
hostile "host add: newline in --connect" invalid \
        host add evil --connect $'ip netns exec '"$HV1"$'\ntouch '"$T/pwned" --underlay 198.51.100.50
hostile "host add: carriage return in --connect" invalid \
        host add evil --connect $'ip netns exec '"$HV1"$'\rtouch '"$T/pwned" --underlay 198.51.100.50
hostile "host add: underlay 198.51.100.300" invalid host add evil --connect local --underlay 198.51.100.300
hostile "host add: underlay not an address" invalid host add evil --connect local --underlay bogus
hostile "host add: underlay is a prefix" invalid host add evil --connect local --underlay 198.51.100.0/24
hostile "host add: upper-case host name" invalid host add Evil --connect local --underlay 198.51.100.50
hostile "route add: space in --dev" invalid route add hv1 203.0.113.0/24 --via 192.0.2.254 --dev "br lab"
hostile "route add: prefix /33" invalid route add hv1 203.0.113.0/33 --via 192.0.2.254
hostile "route add: gateway not an address" invalid route add hv1 203.0.113.0/24 --via bogus
hostile "route add: IPv6 gateway for an IPv4 destination" invalid \
        route add hv1 203.0.113.0/24 --via 2001:db8::1
hostile "network attach: shell in --uplink" invalid network attach lab hv1 --uplink "u0;reboot"
hostile "network attach: --address prefix /33" invalid network attach lab hv1 --address 192.0.2.11/33
hostile "network attach: uplink of 16 characters" invalid network attach x hv1 --uplink aaaaaaaaaaaaaaaa
hostile "network attach of an unknown network" not-found network attach nosuch hv1
hostile "network attach to an unknown host" not-found network attach lab nosuch
hostile "host add of a taken name" exists host add hv1 --connect local --underlay 198.51.100.50
nctl_ok "fabric sync after the hostile requests" fabric sync
fab_check_all_ok "fabric status: hv1 still all ok" 5 hv1
nctl host show evil
expect_error "no host evil was stored" 1 not-found
check "the newline in --connect never reached a shell" test ! -e "$T/pwned"
check_eq "no interface, route or host was created by the hostile requests" "$BEFORE" "$(snapshot)"
check "hv1: br-lab still carries 192.0.2.11/24 after the refused re-attach" \
        bash -c "ip -n '$HV1' -o addr show dev br-lab | grep -qw 'inet 192.0.2.11/24'"

# ---- an uplink: enslaved on attach, released but never deleted on detach
ip -n "$HV1" link add up0 type veth peer name up0-p
nctl_ok "network attach x hv1 --uplink up0 (updates the attachment)" network attach x hv1 --uplink up0
poll 5 bash -c "ip -n '$HV1' link show dev up0 | grep -q 'master br-x'" >/dev/null 2>&1
fab_check_link "hv1: the uplink up0 is enslaved to br-x, up" "$HV1" up0 master=br-x up=1
fab_check_all_ok "fabric status: every object ok with the uplink" 5 hv1
ip -n "$HV1" link set up0 nomaster
not_all_ok() {
        ! fab_all_ok "$@"
}
check "uplink taken off br-x out of band -> fabric status not all ok" poll 5 not_all_ok hv1
nctl_ok "fabric sync hv1" fabric sync hv1
fab_check_link "hv1: up0 is back on br-x" "$HV1" up0 master=br-x
nctl network detach x hv1
expect_error "network detach x hv1 with the VM port t-vmb on br-x: conflict" 1 conflict
nctl_ok "network detach x hv1 --force" network detach x hv1 --force
check "hv1: br-x is deleted (within 5 s)" poll 5 fab_no_link "$HV1" br-x
check "hv1: the uplink up0 still exists" fab_link "$HV1" up0
check "hv1: the VM port t-vmb still exists" fab_link "$HV1" t-vmb
fab_check_link "hv1: br-lab is untouched by detaching x" "$HV1" br-lab \
        kind=bridge mtu=1400 alias=netd:managed up=1
fab_check_all_ok "fabric status: every object ok at the end" 5 hv1
exit 0
