#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `report capacity`: exact numbers (worked out by hand below) for IPv4
# networks with reserved ranges, DHCP ranges and a gateway inside a reserved
# range, /31 and /32 edge cases, IPv6 /64 and /48 (counts beyond 2^64), the
# lab totals, --network, --csv and the text form. Pure IPAM: --dnsmasq off.

. "$(dirname "$0")/lib.sh"

require_netns
ns_add jh || exit 1
JH=${P}jh
netd_start main "$JH" off || exit 1

nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --reserve 192.0.2.2-192.0.2.9 \
        --dhcp-range 192.0.2.200-192.0.2.250 --domain lab.example
nctl_ok "network add gw (gateway inside a reserve, dhcp-range overlapping it)" network add gw \
        --cidr 198.51.100.0/24 --gateway 198.51.100.5 --reserve 198.51.100.2-198.51.100.9 \
        --dhcp-range 198.51.100.8-198.51.100.20
nctl_ok "network add p31 (/31)" network add p31 --cidr 203.0.113.0/31
nctl_ok "network add p32 (/32)" network add p32 --cidr 203.0.113.8/32
nctl_ok "network add v64 (IPv6 /64)" network add v64 --cidr 2001:db8:1::/64 \
        --reserve 2001:db8:1::2-2001:db8:1::100
nctl_ok "network add v48 (IPv6 /48)" network add v48 --cidr 2001:db8:2::/48 \
        --dhcp-range 2001:db8:2::1000-2001:db8:2::1fff

nctl_ok "allocate sno1 on lab" --json allocate cluster sno1 --network lab
nctl_ok "allocate cmp1 on lab" --json allocate cluster cmp1 --network lab --topology compact
nctl_ok "allocate mno1 on gw" --json allocate cluster mno1 --network gw --topology mno
cp "$T/out" "$T/mno1.json"
pycheck "mno1 avoids gw's gateway, reserve and dhcp-range (198.51.100.2-20)" "$T/mno1.json" <<'EOF'
c = load(sys.argv[1])
bad = ipaddress.ip_address("198.51.100.2"), ipaddress.ip_address("198.51.100.20")
for a in [n["ip"] for n in c["nodes"]] + [c["api_vip"], c["ingress_vip"]]:
    if bad[0] <= ipaddress.ip_address(a) <= bad[1]:
        fail(f"{a} is reserved")
EOF
nctl_ok "allocate p31c on p31 (its last address)" --json allocate cluster p31c --network p31
nctl --json allocate cluster p32c --network p32
expect_error "p32 has no free address -> exhausted" 1 exhausted
nctl_ok "allocate v64c on v64" --json allocate cluster v64c --network v64
nctl_ok "allocate v48c on v48" --json allocate cluster v48c --network v48 --topology compact

# The expected figures, by hand:
#   lab  /24: total 254; reserved gw .1 + .2-.9 (8) + .200-.250 (51) = 60;
#             allocated 1 + 5 = 6; free 188; util 6/194; fits 188, 37, 26
#   gw   /24: total 254; reserved .2-.20 (19, gateway .5 inside, dhcp
#             overlapping the reserve); allocated 7; free 228; util 7/235
#   p31  /31: total 2, reserved 1 (gateway), allocated 1, free 0, util 1
#   p32  /32: total 1, reserved 1 (gateway), free 0, util 0 (0 usable)
#   v64  /64: total 2^64-1; reserved ::1 + ::2-::100 (255) = 256; alloc 1
#   v48  /48: total 2^80-1; reserved ::1 + 4096 = 4097; allocated 5
cat >"$T/expected.py" <<'EOF'
def net(name, cidr, total, reserved, allocated, clusters):
    free = total - reserved - allocated
    usable = total - reserved
    return {"name": name, "cidr": cidr, "total": total, "reserved": reserved,
            "allocated": allocated, "free": free, "clusters": clusters,
            "utilization": allocated / usable if usable else 0.0,
            "fits": {"sno": free, "compact": free // 5, "mno": free // 7}}
EXPECTED = {n["name"]: n for n in [
    net("lab", "192.0.2.0/24", 254, 60, 6, 2),
    net("gw", "198.51.100.0/24", 254, 19, 7, 1),
    net("p31", "203.0.113.0/31", 2, 1, 1, 1),
    net("p32", "203.0.113.8/32", 1, 1, 0, 0),
    net("v64", "2001:db8:1::/64", 2**64 - 1, 256, 1, 1),
    net("v48", "2001:db8:2::/48", 2**80 - 1, 4097, 5, 1),
]}
def check_net(n, e):
    for k in ("name", "cidr", "total", "reserved", "allocated", "free", "clusters", "utilization", "fits"):
        if k not in n:
            fail(f"{e['name']}: key {k!r} missing")
    for k in ("total", "reserved", "allocated", "free", "clusters"):
        if not isint(n[k]):
            fail(f"{e['name']}: {k} is not an exact JSON integer: {n[k]!r}")
        if n[k] != e[k]:
            fail(f"{e['name']}: {k}: expected {e[k]}, got {n[k]}")
    for k in ("name", "cidr"):
        if n[k] != e[k]:
            fail(f"{e['name']}: {k}: expected {e[k]}, got {n[k]}")
    if not isinstance(n["utilization"], (int, float)) or isinstance(n["utilization"], bool):
        fail(f"{e['name']}: utilization is not a number: {n['utilization']!r}")
    if abs(n["utilization"] - e["utilization"]) > 0.00051:
        fail(f"{e['name']}: utilization: expected {e['utilization']:.6f}, got {n['utilization']}")
    f = n["fits"]
    if not isinstance(f, dict) or any(not isint(f.get(k)) for k in ("sno", "compact", "mno")):
        fail(f"{e['name']}: fits is not {{sno, compact, mno}} of integers: {f!r}")
    if {k: f[k] for k in ("sno", "compact", "mno")} != e["fits"]:
        fail(f"{e['name']}: fits: expected {e['fits']}, got {f}")
EOF

nctl_ok "report capacity --json" --json report capacity
cp "$T/out" "$T/cap.json"
pycheck "report capacity: generated_at is an RFC 3339 UTC time" "$T/cap.json" <<'EOF'
d = load(sys.argv[1])
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", str(d.get("generated_at"))):
    fail(f"generated_at: {d.get('generated_at')!r}")
EOF
pycheck "report capacity: exact figures of every network (beyond 2^64 for IPv6)" "$T/cap.json" "$T/expected.py" <<'EOF'
exec(open(sys.argv[2]).read())
d = load(sys.argv[1])
nets = d["networks"]
if sorted(n["name"] for n in nets) != sorted(EXPECTED):
    fail(f"networks: {[n['name'] for n in nets]}")
for n in nets:
    check_net(n, EXPECTED[n["name"]])
EOF
pycheck "report capacity: lab totals are the exact sums" "$T/cap.json" "$T/expected.py" <<'EOF'
exec(open(sys.argv[2]).read())
lab = load(sys.argv[1])["lab"]
for k in ("total", "reserved", "allocated", "free", "clusters"):
    want = sum(e[k] for e in EXPECTED.values())
    if not isint(lab.get(k)) or lab[k] != want:
        fail(f"lab.{k}: expected {want}, got {lab.get(k)!r}")
EOF

nctl_ok "report capacity --network v48 --json" --json report capacity --network v48
pycheck "--network filters to one network" "$T/out" "$T/expected.py" <<'EOF'
exec(open(sys.argv[2]).read())
nets = load(sys.argv[1])["networks"]
if [n["name"] for n in nets] != ["v48"]:
    fail(f"networks: {[n['name'] for n in nets]}")
check_net(nets[0], EXPECTED["v48"])
EOF
nctl --json report capacity --network nope
expect_error "--network of an unknown network -> not-found" 1 not-found

nctl_ok "report capacity --csv" report capacity --csv
cp "$T/out" "$T/cap.csv"
pycheck "--csv: header row with the JSON fields (fits flattened)" "$T/cap.csv" <<'EOF'
header = next(csv.reader(io.StringIO(open(sys.argv[1]).read())))
want = ["name", "cidr", "total", "reserved", "allocated", "free", "utilization", "clusters",
        "fits_sno", "fits_compact", "fits_mno"]
if sorted(header) != sorted(want):
    fail(f"header: {header}\nwant:   {want}")
if header != want:
    print(f"note: column order {header}", file=sys.stderr)
EOF
pycheck "--csv: one row per network with the exact figures" "$T/cap.csv" "$T/expected.py" <<'EOF'
exec(open(sys.argv[2]).read())
rows = list(csv.DictReader(io.StringIO(open(sys.argv[1]).read())))
if sorted(r["name"] for r in rows) != sorted(EXPECTED):
    fail(f"rows: {[r['name'] for r in rows]}")
for r in rows:
    e = EXPECTED[r["name"]]
    if r["cidr"] != e["cidr"]:
        fail(f"{r['name']}: cidr {r['cidr']}")
    for k in ("total", "reserved", "allocated", "free", "clusters"):
        if not re.fullmatch(r"\d+", r[k]) or int(r[k]) != e[k]:
            fail(f"{r['name']}: {k}: expected {e[k]}, got {r[k]!r}")
    for k in ("sno", "compact", "mno"):
        if not re.fullmatch(r"\d+", r["fits_" + k]) or int(r["fits_" + k]) != e["fits"][k]:
            fail(f"{r['name']}: fits_{k}: expected {e['fits'][k]}, got {r['fits_' + k]!r}")
    if abs(float(r["utilization"]) - e["utilization"]) > 0.00051:
        fail(f"{r['name']}: utilization {r['utilization']}")
EOF
nctl_ok "report capacity --network gw --csv" report capacity --network gw --csv
check_eq "--csv --network: header and one row" 2 "$(grep -c . "$T/out")"

nctl_ok "report capacity (text)" report capacity
check "text report names every network" bash -c \
        "for n in lab gw p31 p32 v64 v48; do grep -qw \$n '$T/out' || exit 1; done"

# Release changes the figures at once.
nctl_ok "release cluster cmp1" release cluster cmp1
nctl_ok "report capacity --network lab --json" --json report capacity --network lab
pycheck "after release: lab allocated 1, free 193, clusters 1" "$T/out" <<'EOF'
n = load(sys.argv[1])["networks"][0]
got = (n["allocated"], n["free"], n["clusters"], n["fits"]["compact"])
if got != (1, 193, 1, 38):
    fail(f"(allocated, free, clusters, fits.compact) = {got}, expected (1, 193, 1, 38)")
EOF

# A network with no usable address outside reserved ones reports utilization 0.
nctl --json report capacity --network p32
pycheck "p32: utilization 0 when total - reserved is 0" "$T/out" <<'EOF'
n = load(sys.argv[1])["networks"][0]
if n["utilization"] != 0:
    fail(f"utilization {n['utilization']}")
EOF

exit 0
