#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 networks in managed mode: a /64 served on the jumphost (AAAA, ip6.arpa
# PTR, api/apps names), RFC 5952 canonical printing of every address, and
# allocation on a /64 and a /48 (no enumeration of the pool).

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup v6
S6=2001:db8:1::1
D=lab6.example

netd_start main "$JH" managed || exit 1

# Non-canonical spellings in, canonical out.
nctl_ok "network add lab6 (non-canonical spellings)" network add lab6 --cidr 2001:DB8:1:0::/64 \
        --interface jh0 --reserve 2001:DB8:1:0::2-2001:0db8:0001:0000:0000:0000:0000:0005 --domain $D
nctl_ok "network show lab6" --json network show lab6
pycheck "network show prints RFC 5952 forms" "$T/out" <<'EOF'
n = load(sys.argv[1])
want = {"cidr": "2001:db8:1::/64", "gateway": "2001:db8:1::1",
        "reserved": [{"start": "2001:db8:1::2", "end": "2001:db8:1::5"}]}
for k, v in want.items():
    if n.get(k) != v:
        fail(f"{k}: expected {v!r}, got {n.get(k)!r}")
EOF
nctl_ok "network add big6 (/48, no interface)" network add big6 --cidr 2001:db8:2::/48 --domain big6.example

check_cluster() { # FILE NAME TOPO NETWORK DOMAIN
        pycheck "$2: IPv6 JSON: addresses canonical, inside $4, not gateway/reserved/anycast" "$@" <<'EOF'
c = load(sys.argv[1])
name, topo, netname, dom = sys.argv[2:6]
nets = {"lab6": ("2001:db8:1::/64", 5), "big6": ("2001:db8:2::/48", 1)}
cidr, last_reserved = nets[netname]
net = ipaddress.ip_network(cidr)
if (c["name"], c["network"], c["topology"], c["domain"]) != (name, netname, topo, dom):
    fail(f"header fields: {c}")
addrs = [n["ip"] for n in c["nodes"]] + [c["api_vip"], c["ingress_vip"]]
for a in addrs:
    ip = ipaddress.ip_address(a)
    if ip.version != 6 or ip not in net:
        fail(f"{a} not in {cidr}")
    if canon(a) != a:
        fail(f"{a} is not RFC 5952 canonical ({canon(a)})")
    if int(ip) - int(net.network_address) <= last_reserved:
        fail(f"{a} is the anycast, gateway or reserved")
for n in c["nodes"]:
    if n["fqdn"] != f"{n['name']}.{name}.{dom}":
        fail(f"fqdn {n['fqdn']}")
    if not re.fullmatch(r"52:54:00(:[0-9a-f]{2}){3}", n["mac"]):
        fail(f"mac {n['mac']}")
ips = [n["ip"] for n in c["nodes"]]
if len(set(ips)) != len(ips):
    fail("duplicate node addresses")
if topo == "sno":
    if not (c["api_vip"] == c["ingress_vip"] == ips[0]):
        fail("SNO VIPs must be the node's address")
elif len({c["api_vip"], c["ingress_vip"]} | set(ips)) != len(ips) + 2:
    fail("VIPs not distinct")
EOF
}

for spec in "sno6 sno" "cmp6 compact"; do
        read -r c topo <<<"$spec"
        nctl --json allocate cluster "$c" --network lab6 --topology "$topo"
        cp "$T/out" "$T/$c.json"
        if [ "$RC" -ne 0 ]; then
                not_ok "allocate cluster $c on lab6"
                diag "exit $RC: $ERR"
                continue
        fi
        # Served the moment allocate returned: query at once.
        while read -r fqdn ip; do
                check_dns "$c: AAAA $fqdn" "$JH" $S6 "$fqdn" AAAA "$ip"
        done < <(jget "$T/$c.json" '[n["fqdn"] + " " + n["ip"] for n in d["nodes"]]')
        ok "allocate cluster $c on lab6"
        while read -r fqdn ip; do
                check_dns "$c: PTR (ip6.arpa) $ip -> $fqdn" "$JH" $S6 "$ip" -x "$fqdn."
        done < <(jget "$T/$c.json" '[n["fqdn"] + " " + n["ip"] for n in d["nodes"]]')
        api=$(jget "$T/$c.json" 'd["api_vip"]')
        ing=$(jget "$T/$c.json" 'd["ingress_vip"]')
        check_dns "$c: api AAAA" "$JH" $S6 "api.$c.$D" AAAA "$api"
        check_dns "$c: api-int AAAA" "$JH" $S6 "api-int.$c.$D" AAAA "$api"
        check_dns "$c: console-openshift-console.apps AAAA" "$JH" $S6 \
                "console-openshift-console.apps.$c.$D" AAAA "$ing"
        check_dns "$c: x.apps AAAA" "$JH" $S6 "x.apps.$c.$D" AAAA "$ing"
        check_dns "$c: answers on 127.0.0.1 of the jumphost too" "$JH" 127.0.0.1 "api.$c.$D" AAAA "$api"
        check_cluster "$T/$c.json" "$c" "$topo" lab6 $D
        nctl --json cluster show "$c"
        pycheck "$c: cluster show == allocate JSON" "$T/$c.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail("differ")
EOF
done

nctl_ok "allocate sno on the /48" --json allocate cluster big-sno --network big6
check_cluster "$T/out" big-sno sno big6 big6.example
nctl_ok "allocate compact on the /48" --json allocate cluster big-cmp --network big6 --topology compact
check_cluster "$T/out" big-cmp compact big6 big6.example
nctl_ok "allocate mno on the /48" --json allocate cluster big-mno --network big6 --topology mno --workers 5
check_cluster "$T/out" big-mno mno big6 big6.example

# A given MAC and a day-2 node on IPv6.
nctl_ok "allocate node sno6 worker-0" allocate node sno6 worker-0 --mac 02:00:00:00:06:01
nctl --json cluster show sno6
w0=$(jget "$T/out" '[n["ip"] for n in d["nodes"] if n["name"] == "worker-0"]')
check_dns "day-2 worker-0 AAAA served" "$JH" $S6 worker-0.sno6.$D AAAA "$w0"
check_eq "day-2 worker-0 address canonical" "$w0" "$(pyrun "$w0" <<<'print(canon(sys.argv[1]))')"

nctl_ok "release cluster cmp6" release cluster cmp6
check_nxdomain "released cmp6 master-0 is NXDOMAIN" "$JH" $S6 master-0.cmp6.$D AAAA
check_no_ptr "released cmp6 master-0 PTR gone" "$JH" $S6 \
        "$(jget "$T/cmp6.json" '[n["ip"] for n in d["nodes"] if n["name"] == "master-0"]')"
check_nxdomain "released cmp6 x.apps is NXDOMAIN" "$JH" $S6 x.apps.cmp6.$D AAAA

exit 0
