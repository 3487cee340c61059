#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Dual-stack clusters (contract v1.1, "IPv6 and dual-stack"): an IPv4 and an
# IPv6 network on the same jumphost interface, `allocate cluster --network
# V4 --network V6`, and real clients in node namespaces:
# - the JSON lists both families (networks, api_vips, ingress_vips, ips);
# - a node's MAC gets its IPv4 address from busybox udhcpc and its IPv6
#   address from ISC `dhclient -6` (one dhcp-host line carries both); rdisc6
#   sees the RA's managed flag;
# - every name of the cluster answers A and AAAA (node FQDNs, api, api-int,
#   *.apps), asked over both families, and both PTRs name the node;
# - a day-2 node gets both families too; `release node` drops both leases
#   before it returns, its names go, and its MAC gets nothing any more;
# - a dual-stack cluster reusing a node (`--reuse`) answers its names in
#   both families without a DHCP entry of its own;
# - external mode: the same, served by a dnsmasq of our own reading netd's
#   conf-dir snippets.
# The clients' lease lines are printed as "# " lines.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup v6
. "$(dirname "$0")/lib-dhcp6.sh"
S4=192.0.2.1
S6=2001:db8:1::1
D=lab.example

# node_get FILE NODE FIELD — one field of one node of the cluster JSON.
node_get() {
        jget "$1" "[n['$3'] for n in d['nodes'] if n['name'] == '$2'][0]"
}

# check_cluster_json FILE NAME — both families everywhere, primary first.
check_cluster_json() {
        pycheck "$2: JSON lists both families, IPv4 (the first --network) first" "$1" "$2" <<'EOF'
c = load(sys.argv[1])
v4, v6 = ipaddress.ip_network("192.0.2.0/24"), ipaddress.ip_network("2001:db8:1::/64")
if c["networks"] != ["lab4", "lab6"] or c["network"] != "lab4":
    fail(f"networks {c.get('networks')} network {c.get('network')}")
def pair(o, key, what):
    v = o[key]
    if not (isinstance(v, list) and len(v) == 2):
        fail(f"{what}: {key} is {v!r}")
    a, b = (ipaddress.ip_address(x) for x in v)
    if a not in v4 or b not in v6 or canon(v[1]) != v[1]:
        fail(f"{what}: {key} {v} not [IPv4 in lab4, IPv6 in lab6]")
    return v
if pair(c, "api_vips", "cluster")[0] != c["api_vip"] or pair(c, "ingress_vips", "cluster")[0] != c["ingress_vip"]:
    fail("the singular VIPs are not the primary family's")
mn = c.get("machine_networks")
if mn != ["192.0.2.0/24", "2001:db8:1::/64"]:
    fail(f"machine_networks {mn}")
seen = set()
for n in c["nodes"]:
    ips = pair(n, "ips", n["name"])
    if n["ip"] != ips[0]:
        fail(f"{n['name']}: ip {n['ip']} is not ips[0] {ips}")
    seen.update(ips)
if len(seen) != 2 * len(c["nodes"]):
    fail("node addresses not distinct")
EOF
}

# ---------------------------------------------------------------- the lab

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab4 on jh0" network add lab4 --cidr 192.0.2.0/24 --interface jh0 --domain $D \
        --reserve 192.0.2.2-192.0.2.9 --mtu 1450
nctl_ok "network add lab6 on the same interface" network add lab6 --cidr 2001:db8:1::/64 --interface jh0 \
        --domain $D --mtu 1450
nctl_ok "allocate cluster ds --network lab4 --network lab6 --topology compact" \
        --json allocate cluster ds --network lab4 --network lab6 --topology compact
cp "$T/out" "$T/ds.json"
check_cluster_json "$T/ds.json" ds
nctl_ok "the same allocate again: the same allocation" \
        --json allocate cluster ds --network lab4 --network lab6 --topology compact
check "idempotent: the same JSON" cmp -s "$T/out" "$T/ds.json"
check "one dhcp-host line per node, both families on it" \
        test "$(grep -cE ',192\.0\.2\.[0-9]+,\[2001:db8:1::[0-9a-f]+\]$' "$STATE/dnsmasq/dhcp-hosts.d/ds")" -eq 3

# ---------------------------------------------------------------- DHCP, both families

MAC0=$(node_get "$T/ds.json" master-0 mac)
A4=$(jget "$T/ds.json" "[n['ips'][0] for n in d['nodes'] if n['name'] == 'master-0'][0]")
A6=$(jget "$T/ds.json" "[n['ips'][1] for n in d['nodes'] if n['name'] == 'master-0'][0]")
info "master-0 $MAC0 $A4 $A6"
vm6_add n0 "$MAC0"
N0=${P}n0

got=$(dhcp n0 "$MAC0")
check_eq "udhcpc on master-0's MAC gets its IPv4 address" "$A4" "$got"
while read -r line; do info "udhcpc: $line"; done <"$T/.dhcp"
check_eq "udhcpc: host name master-0" master-0 "$(cat "$T/.dhcp_hostname")"
check "udhcpc: domain ds.$D" grep -q "domain=ds.$D" "$T/.dhcp"
ip -n "$N0" addr add "$A4/24" dev eth0

ip netns exec "$N0" timeout 20 rdisc6 -1 -w 3000 eth0 >"$T/rdisc6" 2>&1
check "rdisc6: RA with the managed flag" grep -Eq 'Stateful address conf\. *: *Yes' "$T/rdisc6"
got=$(dhclient6 "$N0" n0)
check_eq "dhclient -6 on the same MAC gets its IPv6 address" "$A6" "$got"
[ "$got" == "$A6" ] || diag "$(head -c 2000 "$T/n0.out")"
while read -r line; do info "dhclient -6 lease: $line"; done < <(dhclient6_lease_lines n0)
check "dhclient -6: the cluster's domain as search list" grep -q "dhcp6.domain-search \"ds.$D.\"" "$T/n0.leases"
while read -r line; do info "server lease: $line"; done < <(server_leases "$A4"; server_leases "$A6")
check "eth0 carries both addresses" has_global6 "$N0" "$A6/128"
info "master-0 eth0: $(ip -n "$N0" -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
poll 10 onlink6 "$N0" 2001:db8:1::/64 || info "master-0 routes: $(ip -n "$N0" -6 route | tr '\n' ';')"

# ---------------------------------------------------------------- DNS, both families

# check_names FILE NS — every name of the cluster in FILE: A and AAAA,
# asked over IPv4 and over IPv6, and both PTRs.
check_names() {
        local f=$1 ns=$2 c srv api4 api6 ing4 ing6 node fqdn a4 a6
        c=$(jget "$f" 'd["name"]')
        api4=$(jget "$f" 'd["api_vips"][0]') api6=$(jget "$f" 'd["api_vips"][1]')
        ing4=$(jget "$f" 'd["ingress_vips"][0]') ing6=$(jget "$f" 'd["ingress_vips"][1]')
        while read -r node fqdn a4 a6; do
                for srv in $S4 $S6; do
                        check_dns "$fqdn A (asked over $srv)" "$ns" $srv "$fqdn" A "$a4"
                        check_dns "$fqdn AAAA (asked over $srv)" "$ns" $srv "$fqdn" AAAA "$a6"
                done
                check_dns "PTR $a4 is $fqdn" "$ns" $S4 "$a4" -x "$fqdn."
                check_dns "PTR $a6 is $fqdn" "$ns" $S6 "$a6" -x "$fqdn."
        done < <(jget "$f" '[" ".join([n["name"], n["fqdn"]] + n["ips"]) for n in d["nodes"]]')
        for name in api api-int; do
                check_dns "$name.$c A" "$ns" $S6 "$name.$c.$D" A "$api4"
                check_dns "$name.$c AAAA" "$ns" $S4 "$name.$c.$D" AAAA "$api6"
        done
        check_dns "console-openshift-console.apps.$c A" "$ns" $S6 "console-openshift-console.apps.$c.$D" A "$ing4"
        check_dns "console-openshift-console.apps.$c AAAA" "$ns" $S4 "console-openshift-console.apps.$c.$D" \
                AAAA "$ing6"
}
check_names "$T/ds.json" "$N0"

# ---------------------------------------------------------------- day 2, release

nctl_ok "allocate node ds worker-0" --json allocate node ds worker-0
nctl --json cluster show ds
cp "$T/out" "$T/ds2.json"
check_cluster_json "$T/ds2.json" ds
W4=$(jget "$T/ds2.json" "[n['ips'][0] for n in d['nodes'] if n['name'] == 'worker-0'][0]")
W6=$(jget "$T/ds2.json" "[n['ips'][1] for n in d['nodes'] if n['name'] == 'worker-0'][0]")
MACW=$(node_get "$T/ds2.json" worker-0 mac)
vm6_add w0 "$MACW"
W0=${P}w0
check_eq "udhcpc on day-2 worker-0's MAC gets its IPv4 address" "$W4" "$(dhcp w0 "$MACW")"
check_eq "dhclient -6 on day-2 worker-0's MAC gets its IPv6 address" "$W6" "$(dhclient6 "$W0" w0)"
check_dns "worker-0.ds A" "$N0" $S4 "worker-0.ds.$D" A "$W4"
check_dns "worker-0.ds AAAA" "$N0" $S6 "worker-0.ds.$D" AAAA "$W6"
check "worker-0's IPv4 lease is in dnsmasq's lease file" test -n "$(server_leases "$W4")"
check "worker-0's IPv6 lease is in dnsmasq's lease file" test -n "$(server_leases "$W6")"
dhclient6_stop w0

nctl_ok "release node ds worker-0" release node ds worker-0
check_eq "released worker-0: no IPv4 lease when release returns" "" "$(server_leases "$W4")"
check_eq "released worker-0: no IPv6 lease when release returns" "" "$(server_leases "$W6")"
check_nxdomain "released worker-0: A is NXDOMAIN" "$N0" $S4 "worker-0.ds.$D" A
check_nxdomain "released worker-0: AAAA is NXDOMAIN" "$N0" $S6 "worker-0.ds.$D" AAAA
check_no_ptr "released worker-0: no PTR for its IPv4 address" "$N0" $S4 "$W4"
check_no_ptr "released worker-0: no PTR for its IPv6 address" "$N0" $S6 "$W6"
check_eq "released worker-0's MAC: udhcpc gets nothing" "" "$(dhcp w0 "$MACW")"
ip -n "$W0" -6 addr flush dev eth0 scope global
got=$(dhclient6 "$W0" w0-again)
check_eq "released worker-0's MAC: dhclient -6 gets nothing" "" "$got"
[ -z "$got" ] || diag "$(head -c 2000 "$T/w0-again.out")"
check_eq "released worker-0: still no lease of either family" "" "$(server_leases "$W4"; server_leases "$W6")"
check_dns "master-0 still answers A" "$N0" $S4 "master-0.ds.$D" A "$A4"
check_dns "master-0 still answers AAAA" "$N0" $S6 "master-0.ds.$D" AAAA "$A6"

# ---------------------------------------------------------------- a reused dual-stack node

M2=$(node_get "$T/ds.json" master-2 mac)
nctl_ok "allocate cluster dshub --reuse master-0=ds/master-2 (dual-stack SNO)" \
        --json allocate cluster dshub --network lab4 --network lab6 --reuse master-0=ds/master-2
cp "$T/out" "$T/dshub.json"
pycheck "dshub: master-0 is ds/master-2 (MAC, both addresses, VIPs)" "$T/dshub.json" "$T/ds.json" <<'EOF'
h, ds = load(sys.argv[1]), load(sys.argv[2])
m2 = [n for n in ds["nodes"] if n["name"] == "master-2"][0]
n = h["nodes"][0]
if (n["mac"], n["ips"], n.get("reuses")) != (m2["mac"], m2["ips"], "ds/master-2"):
    fail(f"{n} vs {m2}")
if h["api_vips"] != m2["ips"] or h["ingress_vips"] != m2["ips"]:
    fail(f"VIPs {h['api_vips']} {h['ingress_vips']}")
EOF
check_eq "the reused MAC keeps one dhcp-host line (ds's)" 1 \
        "$(cat "$STATE"/dnsmasq/dhcp-hosts.d/* | grep -c "^$M2,")"
M2_4=$(jget "$T/ds.json" "[n['ips'][0] for n in d['nodes'] if n['name'] == 'master-2'][0]")
M2_6=$(jget "$T/ds.json" "[n['ips'][1] for n in d['nodes'] if n['name'] == 'master-2'][0]")
for name in master-0 api api-int x.apps; do
        check_dns "dshub: $name A" "$N0" $S4 "$name.dshub.$D" A "$M2_4"
        check_dns "dshub: $name AAAA" "$N0" $S6 "$name.dshub.$D" AAAA "$M2_6"
done
check_dns "the machine's IPv4 PTR stays master-2.ds" "$N0" $S4 "$M2_4" -x "master-2.ds.$D."
check_dns "the machine's IPv6 PTR stays master-2.ds" "$N0" $S6 "$M2_6" -x "master-2.ds.$D."
nctl release node ds master-2
expect_error "release node ds master-2 while dshub reuses it: conflict" 1 conflict
check "the conflict names dshub" grep -q dshub "$T/err"
nctl_ok "release cluster dshub" release cluster dshub
check_nxdomain "released dshub: master-0.dshub is NXDOMAIN" "$N0" $S4 "master-0.dshub.$D" AAAA
check_dns "master-2.ds still answers AAAA" "$N0" $S6 "master-2.ds.$D" AAAA "$M2_6"

dhclient6_stop n0
netd_stop

# ---------------------------------------------------------------- external mode

DIR=$T/conf.d
mkdir -p "$DIR"
netd_start ext "$JH" external --dnsmasq-dir "$DIR" --dnsmasq-reload /bin/true || exit 1
nctl_ok "external: network add lab4" network add lab4 --cidr 192.0.2.0/24 --interface jh0 --domain $D \
        --reserve 192.0.2.2-192.0.2.9
nctl_ok "external: network add lab6" network add lab6 --cidr 2001:db8:1::/64 --interface jh0 --domain $D
nctl_ok "external: allocate cluster xs (dual-stack compact)" \
        --json allocate cluster xs --network lab4 --network lab6 --topology compact
cp "$T/out" "$T/xs.json"
check "external: dnsmasq --test accepts the directory" \
        dnsmasq --test --conf-file=/dev/null --conf-dir="$DIR,*.conf"
ip netns exec "$JH" dnsmasq --keep-in-foreground --conf-file=/dev/null --conf-dir="$DIR,*.conf" \
        --interface=jh0 --bind-dynamic --no-resolv --no-hosts --pid-file="$T/dm.pid" \
        --dhcp-leasefile="$T/dm.leases" --log-facility="$T/dm.log" </dev/null >/dev/null 2>&1 &
_BG_PIDS+=("$!")
_LOGS+=("$T/dm.log")
poll 5 ip netns exec "$JH" dig @$S4 "api.xs.$D" +time=1 +tries=1 +short
XMAC=$(node_get "$T/xs.json" master-1 mac)
X4=$(jget "$T/xs.json" "[n['ips'][0] for n in d['nodes'] if n['name'] == 'master-1'][0]")
X6=$(jget "$T/xs.json" "[n['ips'][1] for n in d['nodes'] if n['name'] == 'master-1'][0]")
vm6_add x1 "$XMAC"
check_eq "external: udhcpc on master-1's MAC gets its IPv4 address" "$X4" "$(dhcp x1 "$XMAC")"
ip -n "${P}x1" addr add "$X4/24" dev eth0
check_eq "external: dhclient -6 on master-1's MAC gets its IPv6 address" "$X6" "$(dhclient6 "${P}x1" x1)"
poll 10 onlink6 "${P}x1" 2001:db8:1::/64
check_names "$T/xs.json" "${P}x1"
dhclient6_stop x1

exit 0
