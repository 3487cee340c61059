#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Seed 003's network configuration with netctl commands (contract v1.1,
# "Clusters": --reuse, --machine-network): an MNO cluster1 of 3 masters and
# 4 workers on the lab /24, and an SNO hub on cluster1's worker-3 ("the sno
# node could be used also as worker-3"), isolated with a /32 machine
# network. The seed's 192.168.21.0/24 is 192.0.2.0/24 here, and cluster1
# holds .18-.26 as in the seed (netd hands out the nodes before the VIPs,
# so the numbers within differ: the seed's hub is .26).
# With the real dnsmasq (managed mode):
# - DNS answers both FQDNs of the machine (worker-3.cluster1 and
#   master-0.hub, and the hub's api, api-int and *.apps) with its address;
#   its PTR stays worker-3.cluster1's;
# - DHCP gives the machine's MAC its one address, host name worker-3 in
#   cluster1's domain: the hub adds no DHCP entry;
# - releasing cluster1 or its worker-3 while the hub reuses it is a
#   conflict naming the hub, and changes nothing;
# - releasing the hub leaves the machine's names and lease to cluster1.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
vm_add m
D=our.example
S=192.0.2.1

netd_start main "$JH" managed || exit 1
# .2-.17 reserved: cluster1's addresses start at .18, as in the seed
nctl_ok "network add lab (192.0.2.0/24, .2-.17 reserved)" network add lab --cidr 192.0.2.0/24 \
        --interface jh0 --domain $D --reserve 192.0.2.2-192.0.2.17
nctl_ok "allocate cluster cluster1 --topology mno --workers 4" \
        --json allocate cluster cluster1 --topology mno --workers 4
cp "$T/out" "$T/cluster1.json"
pycheck "cluster1: 3 masters and 4 workers with the seed's addresses" "$T/cluster1.json" <<'EOF'
c = load(sys.argv[1])
names = [n["name"] for n in c["nodes"]]
if names != ["master-0", "master-1", "master-2", "worker-0", "worker-1", "worker-2", "worker-3"]:
    fail(f"nodes {names}")
addrs = sorted([int(ipaddress.ip_address(a)) & 0xff for a in [c["api_vip"], c["ingress_vip"]] + [n["ip"] for n in c["nodes"]]])
if addrs != list(range(18, 27)):
    fail(f"addresses .{addrs}, not .18-.26")
EOF
W3=$(jget "$T/cluster1.json" "[n['ip'] for n in d['nodes'] if n['name'] == 'worker-3'][0]")
M3=$(jget "$T/cluster1.json" "[n['mac'] for n in d['nodes'] if n['name'] == 'worker-3'][0]")
info "cluster1: $(jget "$T/cluster1.json" '" ".join(["api " + d["api_vip"], "ingress " + d["ingress_vip"]] + [n["name"] + " " + n["ip"] for n in d["nodes"]])')"
info "cluster1 worker-3: $M3 $W3"

# ---------------------------------------------------------------- the hub

nctl allocate cluster hub --reuse master-0=cluster1/worker-3 --machine-network 192.0.2.200/32
expect_error "a machine network without the hub's node address is invalid" 1 invalid
nctl_ok "allocate cluster hub --reuse master-0=cluster1/worker-3 --machine-network $W3/32" \
        --json allocate cluster hub --reuse master-0=cluster1/worker-3 --machine-network "$W3/32"
cp "$T/out" "$T/hub.json"
pycheck "hub: SNO on worker-3's machine: its MAC and address, VIPs on it, /32 machine network" \
        "$T/hub.json" "$M3" "$W3" <<'EOF'
h, mac, ip = load(sys.argv[1]), sys.argv[2], sys.argv[3]
n = h["nodes"]
if len(n) != 1 or n[0]["name"] != "master-0" or h["topology"] != "sno":
    fail(f"nodes {n}")
n = n[0]
got = (n["mac"], n["ip"], n["ips"], n.get("reuses"), n["fqdn"])
want = (mac, ip, [ip], "cluster1/worker-3", "master-0.hub.our.example")
if got != want:
    fail(f"node {got}, expected {want}")
if (h["api_vip"], h["ingress_vip"], h["api_vips"], h["ingress_vips"]) != (ip, ip, [ip], [ip]):
    fail("VIPs are not the node's address")
if h["machine_networks"] != [f"{ip}/32"]:
    fail(f"machine_networks {h['machine_networks']}")
EOF
nctl_ok "the same allocate again (idempotent)" \
        --json allocate cluster hub --reuse master-0=cluster1/worker-3 --machine-network "$W3/32"
check "idempotent: the same JSON" cmp -s "$T/out" "$T/hub.json"
nctl --json cluster show cluster1
check "cluster1 unchanged by the hub" cmp -s "$T/out" "$T/cluster1.json"

# ---------------------------------------------------------------- DNS and DHCP

check_dns "worker-3.cluster1 A" "$JH" $S "worker-3.cluster1.$D" A "$W3"
check_dns "master-0.hub A (the same machine)" "$JH" $S "master-0.hub.$D" A "$W3"
check_dns "api.hub A" "$JH" $S "api.hub.$D" A "$W3"
check_dns "api-int.hub A" "$JH" $S "api-int.hub.$D" A "$W3"
check_dns "console-openshift-console.apps.hub A" "$JH" $S "console-openshift-console.apps.hub.$D" A "$W3"
check_dns "the machine's PTR is worker-3.cluster1 (one name)" "$JH" $S "$W3" -x "worker-3.cluster1.$D."
dns "$JH" $S "master-0.hub.$D" AAAA
check_eq "master-0.hub AAAA: no IPv6 address (NODATA)" "NOERROR " "$DNS_STATUS $DNS_ANSWER"
check_eq "the machine's MAC has one dhcp-host line (cluster1's)" 1 \
        "$(cat "$STATE"/dnsmasq/dhcp-hosts.d/* | grep -c "^$M3,")"
check_eq "the hub has no DHCP entry" "" "$(cat "$STATE/dnsmasq/dhcp-hosts.d/hub")"

got=$(dhcp m "$M3")
check_eq "DHCP: the machine's MAC gets its one address" "$W3" "$got"
while read -r line; do info "udhcpc: $line"; done <"$T/.dhcp"
check_eq "DHCP: host name worker-3" worker-3 "$(cat "$T/.dhcp_hostname")"
check "DHCP: domain cluster1.$D" grep -q "domain=cluster1.$D" "$T/.dhcp"
info "server lease: $(grep " $W3 " "$STATE/dnsmasq/leases")"

# ---------------------------------------------------------------- releases

nctl release node cluster1 worker-3
expect_error "release node cluster1 worker-3 while reused: conflict" 1 conflict
check "the conflict names the hub" grep -qw hub "$T/err"
info "$ERR"
nctl release cluster cluster1
expect_error "release cluster cluster1 while worker-3 is reused: conflict" 1 conflict
check "the conflict names the hub" grep -qw hub "$T/err"
info "$ERR"
nctl --json cluster show cluster1
check "cluster1 unchanged by the refused releases" cmp -s "$T/out" "$T/cluster1.json"
check_dns "worker-3.cluster1 still answers" "$JH" $S "worker-3.cluster1.$D" A "$W3"
check_eq "DHCP still gives the machine its address" "$W3" "$(dhcp m "$M3")"

nctl_ok "release cluster hub" release cluster hub
check_nxdomain "released hub: master-0.hub is NXDOMAIN" "$JH" $S "master-0.hub.$D" A
check_nxdomain "released hub: api.hub is NXDOMAIN" "$JH" $S "api.hub.$D" A
check_dns "worker-3.cluster1 still answers" "$JH" $S "worker-3.cluster1.$D" A "$W3"
check_dns "its PTR is still worker-3.cluster1" "$JH" $S "$W3" -x "worker-3.cluster1.$D."
check "the machine's lease stays (the hub's release drops none)" grep -q " $W3 " "$STATE/dnsmasq/leases"
check_eq "DHCP still gives the machine its address" "$W3" "$(dhcp m "$M3")"
nctl_ok "release node cluster1 worker-3 (no longer reused)" release node cluster1 worker-3
check_nxdomain "worker-3.cluster1 is NXDOMAIN" "$JH" $S "worker-3.cluster1.$D" A
check_eq "the released MAC gets nothing" "" "$(dhcp m "$M3")"

exit 0
