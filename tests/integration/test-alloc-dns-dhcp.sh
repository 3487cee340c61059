#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Allocation of SNO, compact and MNO clusters on an IPv4 /24 in managed mode:
# the JSON shape, and that dnsmasq answers DNS and DHCP for every cluster the
# moment `allocate` returns.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
vm_add vm1

netd_start main "$JH" managed || exit 1

nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 \
        --reserve 192.0.2.2-192.0.2.9 --domain lab.example
nctl_ok "network show --json" --json network show lab
cp "$T/out" "$T/network.json"
pycheck "network show JSON has the contract's shape and values" "$T/network.json" <<'EOF'
n = load(sys.argv[1])
want = {"name": "lab", "cidr": "192.0.2.0/24", "gateway": "192.0.2.1", "domain": "lab.example",
        "interface": "jh0", "vni": None, "bridge": None, "mtu": None,
        "reserved": [{"start": "192.0.2.2", "end": "192.0.2.9"}], "dhcp_range": None}
for k, v in want.items():
    if k not in n:
        fail(f"key {k!r} missing: {n}")
    if n[k] != v:
        fail(f"{k}: expected {v!r}, got {n[k]!r}")
EOF
nctl_ok "network list --json" --json network list
pycheck "network list JSON is {\"networks\": [network show]}" "$T/out" "$T/network.json" <<'EOF'
l = load(sys.argv[1])
if l != {"networks": [load(sys.argv[2])]}:
    fail(f"got {l}")
EOF

# allocate_and_check NAME TOPOLOGY [ARGS...]: allocate, query DNS right away
# (allocate returns only once dnsmasq serves the change: no polling), then
# check the JSON.
allocate_and_check() {
        local c=$1 topo=$2 node ip fqdn mac got
        shift 2
        nctl --json allocate cluster "$c" --topology "$topo" "$@"
        cp "$T/out" "$T/$c.json"
        if [ "$RC" -ne 0 ]; then
                not_ok "allocate cluster $c ($topo)"
                diag "exit $RC: $ERR"
                return
        fi
        # DNS first, before anything else can give dnsmasq time.
        while read -r node ip fqdn mac; do
                check_dns "$c: $fqdn A -> $ip" "$JH" 192.0.2.1 "$fqdn" A "$ip"
        done < <(jget "$T/$c.json" '[" ".join([n["name"], n["ip"], n["fqdn"], n["mac"]]) for n in d["nodes"]]')
        ok "allocate cluster $c ($topo)"
        local api ingress
        api=$(jget "$T/$c.json" 'd["api_vip"]')
        ingress=$(jget "$T/$c.json" 'd["ingress_vip"]')
        while read -r node ip fqdn mac; do
                check_dns "$c: PTR $ip -> $fqdn" "$JH" 192.0.2.1 "$ip" -x "$fqdn."
        done < <(jget "$T/$c.json" '[" ".join([n["name"], n["ip"], n["fqdn"], n["mac"]]) for n in d["nodes"]]')
        check_dns "$c: api.$c.lab.example -> api VIP" "$JH" 192.0.2.1 "api.$c.lab.example" A "$api"
        check_dns "$c: api-int.$c.lab.example -> api VIP" "$JH" 192.0.2.1 "api-int.$c.lab.example" A "$api"
        check_dns "$c: console-openshift-console.apps -> ingress VIP" "$JH" 192.0.2.1 \
                "console-openshift-console.apps.$c.lab.example" A "$ingress"
        check_dns "$c: x.apps -> ingress VIP" "$JH" 192.0.2.1 "x.apps.$c.lab.example" A "$ingress"
        check_dns "$c: DNS also answers on 127.0.0.1 of the jumphost" "$JH" 127.0.0.1 \
                "api.$c.lab.example" A "$api"

        nctl_ok "cluster show $c" --json cluster show "$c"
        pycheck "$c: allocate JSON == cluster show JSON" "$T/$c.json" "$T/out" <<'EOF'
a, s = load(sys.argv[1]), load(sys.argv[2])
if a != s:
    fail(f"allocate: {a}\nshow:     {s}")
EOF
        pycheck "$c: JSON has the contract's shape and values" "$T/$c.json" "$c" "$topo" <<'EOF'
c = load(sys.argv[1])
name, topo = sys.argv[2], sys.argv[3]
for k in ("name", "network", "topology", "domain", "api_vip", "ingress_vip", "nodes"):
    if k not in c:
        fail(f"key {k!r} missing")
for k in ("name", "network", "topology", "domain", "api_vip", "ingress_vip"):
    if not isinstance(c[k], str):
        fail(f"{k} is not a string: {c[k]!r}")
if (c["name"], c["network"], c["topology"], c["domain"]) != (name, "lab", topo, "lab.example"):
    fail(f"name/network/topology/domain: {c['name']}, {c['network']}, {c['topology']}, {c['domain']}")
want = {"sno": ["master-0"], "compact": ["master-0", "master-1", "master-2"],
        "mno": ["master-0", "master-1", "master-2", "worker-0", "worker-1"]}[topo]
nodes = c["nodes"]
if not isinstance(nodes, list) or sorted(n.get("name") for n in nodes) != want:
    fail(f"nodes: expected {want}, got {nodes}")
net = ipaddress.ip_network("192.0.2.0/24")
forbidden = {ipaddress.ip_address(f"192.0.2.{i}") for i in range(0, 10)} | {ipaddress.ip_address("192.0.2.255")}
ips = []
for n in nodes:
    for k in ("name", "role", "mac", "ip", "fqdn"):
        if not isinstance(n.get(k), str):
            fail(f"node {n}: {k} missing or not a string")
    if n["role"] != n["name"].split("-")[0]:
        fail(f"node {n['name']}: role {n['role']}")
    if n["fqdn"] != f"{n['name']}.{name}.lab.example":
        fail(f"node {n['name']}: fqdn {n['fqdn']}")
    if not re.fullmatch(r"52:54:00(:[0-9a-f]{2}){3}", n["mac"]):
        fail(f"node {n['name']}: generated mac {n['mac']} is not 52:54:00:xx:xx:xx lowercase")
    ip = ipaddress.ip_address(n["ip"])
    if ip not in net or ip in forbidden or canon(n["ip"]) != n["ip"]:
        fail(f"node {n['name']}: ip {n['ip']} outside the pool (gateway/reserved/network/broadcast)")
    ips.append(ip)
if len(set(ips)) != len(ips):
    fail(f"duplicate node IPs {ips}")
api, ing = ipaddress.ip_address(c["api_vip"]), ipaddress.ip_address(c["ingress_vip"])
if topo == "sno":
    if not (api == ing == ips[0]):
        fail(f"SNO: api_vip {api}, ingress_vip {ing}, node {ips[0]} must be equal")
else:
    if api == ing or api in ips or ing in ips:
        fail(f"VIPs {api} {ing} not distinct from each other and the nodes {ips}")
    for v in (api, ing):
        if v not in net or v in forbidden:
            fail(f"VIP {v} outside the pool")
EOF
}

allocate_and_check sno sno
allocate_and_check compact compact
allocate_and_check mno mno

nctl_ok "cluster list --json" --json cluster list
cp "$T/out" "$T/list.json"
pycheck "cluster list holds exactly the three allocations; no IP or MAC twice" \
        "$T/list.json" "$T/sno.json" "$T/compact.json" "$T/mno.json" <<'EOF'
l = load(sys.argv[1])
want = sorted((load(p) for p in sys.argv[2:]), key=lambda c: c["name"])
got = sorted(l["clusters"], key=lambda c: c["name"])
if got != want:
    fail(f"cluster list: {got}\nexpected: {want}")
ips, macs = [], []
for c in got:
    node_ips = {n["ip"] for n in c["nodes"]}
    ips += [n["ip"] for n in c["nodes"]]
    ips += [v for v in {c["api_vip"], c["ingress_vip"]} if v not in node_ips]
    macs += [n["mac"] for n in c["nodes"]]
dup = {x for x in ips if ips.count(x) > 1} | {x for x in macs if macs.count(x) > 1}
if dup:
    fail(f"duplicates: {dup}")
EOF

# DHCP: every node of every cluster gets exactly its address.
while read -r c node ip fqdn mac; do
        got=$(dhcp vm1 "$mac")
        check_eq "DHCP $c/$node ($mac) gets $ip" "$ip" "$got"
        if [ -n "$got" ]; then
                DHCP_HOSTNAME=$(cat "$T/.dhcp_hostname")
                case "$DHCP_HOSTNAME" in
                "$fqdn" | "$node") ok "DHCP $c/$node host name is its name ($DHCP_HOSTNAME)" ;;
                *) not_ok "DHCP $c/$node host name"
                   diag "expected $fqdn (or $node), got '$DHCP_HOSTNAME'" ;;
                esac
        fi
done < <(jget "$T/list.json" '[" ".join([c["name"], n["name"], n["ip"], n["fqdn"], n["mac"]]) for c in d["clusters"] for n in c["nodes"]]')

got=$(dhcp vm1 02:00:5e:10:20:30)
check_eq "DHCP of an unknown MAC gets nothing (static network)" "" "$got"

check_nxdomain "an unallocated name in the domain is NXDOMAIN" "$JH" 192.0.2.1 master-0.nope.lab.example

exit 0
