#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The life of allocations in managed mode: idempotence and conflicts, given
# MACs, atomic exhaustion, day-2 nodes, release (DNS, DHCP, files, leases),
# no reuse of released addresses, network removal, restart, a stopped daemon
# and usage errors.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
vm_add vm1

netd_start main "$JH" managed || exit 1
D=lab.example

nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "network add small (/29, no interface)" network add small --cidr 198.51.100.0/29 --domain small.example

# ---- idempotence and conflicts
nctl_ok "allocate cluster a (compact)" --json allocate cluster a --network lab --topology compact
cp "$T/out" "$T/a.json"
nctl_ok "allocate cluster a again" --json allocate cluster a --network lab --topology compact
pycheck "the same allocate again returns the identical JSON" "$T/a.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail(f"first: {open(sys.argv[1]).read()}\nagain: {open(sys.argv[2]).read()}")
EOF
nctl --json allocate cluster a --network lab --topology mno
expect_error "same name, different topology -> conflict" 1 conflict
nctl --json allocate cluster a --network lab --topology compact --workers 1
expect_error "same name, different worker count -> conflict" 1 conflict
nctl --json allocate cluster a --network small --topology compact
expect_error "same name, different network -> conflict" 1 conflict
nctl --json cluster show a
pycheck "conflicting calls left cluster a unchanged" "$T/a.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail(f"before: {open(sys.argv[1]).read()}\nafter:  {open(sys.argv[2]).read()}")
EOF

# ---- given MACs
nctl_ok "allocate cluster b with --mac (uppercase)" --json allocate cluster b --network lab \
        --topology compact --mac master-1=02:AA:BB:CC:DD:01
cp "$T/out" "$T/b.json"
check_eq "--mac honoured, stored lowercase" "02:aa:bb:cc:dd:01" \
        "$(jget "$T/b.json" '[n["mac"] for n in d["nodes"] if n["name"] == "master-1"][0]')"
check_dns "b: master-1 served" "$JH" 192.0.2.1 master-1.b.$D A \
        "$(jget "$T/b.json" '[n["ip"] for n in d["nodes"] if n["name"] == "master-1"][0]')"
nctl --json allocate cluster c --network lab --mac master-0=02:aa:bb:cc:dd:01
expect_error "a MAC already in use -> conflict" 1 conflict
nctl --json allocate cluster c --network lab --mac master-0=02:Aa:bB:cC:dD:01
expect_error "a MAC already in use, other case -> conflict" 1 conflict
nctl --json cluster show c
expect_error "the refused cluster c does not exist" 1 not-found
check "no generated file for refused cluster c" \
        test ! -e "$STATE/dnsmasq/hosts.d/c" -a ! -e "$STATE/dnsmasq/dhcp-hosts.d/c"
nctl --json allocate node b worker-5 --mac 02:aa:bb:cc:dd:01
expect_error "day-2 node with a MAC in use -> conflict" 1 conflict

# ---- exhaustion is atomic: /29 = 6 hosts, gateway reserved -> 5 free
nctl_ok "allocate cluster s1 (sno) on small" --json allocate cluster s1 --network small
nctl_ok "capacity of small" --json report capacity --network small
pyrun "$T/out" >"$T/cap-before" <<'EOF'
n = load(sys.argv[1])["networks"][0]
print({k: n[k] for k in ("total", "reserved", "allocated", "free", "clusters", "fits")})
EOF
nctl --json cluster list
cp "$T/out" "$T/list-before.json"
before=$(state_digest "$STATE")
nctl --json allocate cluster big --network small --topology compact
expect_error "compact (5 addresses) on 4 free -> exhausted" 1 exhausted
nctl --json allocate cluster big --network small --topology mno
expect_error "mno on 4 free -> exhausted" 1 exhausted
nctl --json allocate cluster big2 --network small --topology mno --masters 1 --workers 2
expect_error "mno 1+2 (+2 VIPs) on 4 free -> exhausted" 1 exhausted
nctl_ok "capacity of small after" --json report capacity --network small
pyrun "$T/out" >"$T/cap-after" <<'EOF'
n = load(sys.argv[1])["networks"][0]
print({k: n[k] for k in ("total", "reserved", "allocated", "free", "clusters", "fits")})
EOF
check_eq "capacity report unchanged by the failed allocations" "$(cat "$T/cap-before")" "$(cat "$T/cap-after")"
check_eq "capacity of small: 1 allocated, 4 free" \
        "{'total': 6, 'reserved': 1, 'allocated': 1, 'free': 4, 'clusters': 1, 'fits': {'sno': 4, 'compact': 0, 'mno': 0}}" \
        "$(cat "$T/cap-after")"
nctl --json cluster list
pycheck "cluster list unchanged by the failed allocations" "$T/list-before.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail("cluster list changed")
EOF
check_eq "generated files unchanged by the failed allocations" "$before" "$(state_digest "$STATE")"
check "no generated file for the exhausted cluster" \
        test ! -e "$STATE/dnsmasq/hosts.d/big" -a ! -e "$STATE/dnsmasq/dhcp-hosts.d/big"
nctl_ok "the 4 free addresses still fit compact --masters 2 (2 + 2 VIPs)" --json allocate cluster s4 \
        --network small --topology compact --masters 2
nctl --json allocate cluster s5 --network small
expect_error "small is now full -> exhausted" 1 exhausted

# ---- network remove
nctl --json network remove small
expect_error "network remove while clusters use it -> conflict" 1 conflict
nctl_ok "release cluster s1" release cluster s1
nctl_ok "release cluster s4" release cluster s4
nctl_ok "network remove small once unused" network remove small
nctl --json network show small
expect_error "removed network is gone" 1 not-found

# ---- day-2 node
nctl_ok "allocate cluster d (mno)" --json allocate cluster d --network lab --topology mno
cp "$T/out" "$T/d.json"
nctl_ok "allocate node d worker-3" allocate node d worker-3
nctl --json cluster show d
cp "$T/out" "$T/d2.json"
w3_ip=$(jget "$T/d2.json" '[n["ip"] for n in d["nodes"] if n["name"] == "worker-3"]')
w3_mac=$(jget "$T/d2.json" '[n["mac"] for n in d["nodes"] if n["name"] == "worker-3"]')
check_dns "worker-3 served right after allocate node" "$JH" 192.0.2.1 worker-3.d.$D A "$w3_ip"
check_dns "worker-3 PTR served" "$JH" 192.0.2.1 "$w3_ip" -x "worker-3.d.$D."
pycheck "day-2 node: role worker, fqdn, other nodes unchanged" "$T/d.json" "$T/d2.json" <<'EOF'
a, b = load(sys.argv[1]), load(sys.argv[2])
w = [n for n in b["nodes"] if n["name"] == "worker-3"]
if len(w) != 1 or w[0]["role"] != "worker" or w[0]["fqdn"] != "worker-3.d.lab.example":
    fail(f"worker-3: {w}")
others = [n for n in b["nodes"] if n["name"] != "worker-3"]
if sorted(others, key=lambda n: n["name"]) != sorted(a["nodes"], key=lambda n: n["name"]):
    fail("other nodes changed")
if w[0]["ip"] in [n["ip"] for n in others] + [a["api_vip"], a["ingress_vip"]]:
    fail("worker-3 got an address in use")
EOF
check_eq "DHCP of worker-3 gets its address" "$w3_ip" "$(dhcp vm1 "$w3_mac")"
nctl --json allocate node d worker-3
nctl --json cluster show d
pycheck "allocate node d worker-3 again: no second worker-3, same address" "$T/d2.json" "$T/out" <<'EOF2'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail(f"before: {open(sys.argv[1]).read()}\nafter:  {open(sys.argv[2]).read()}")
EOF2
nctl --json allocate node d worker-0
nctl --json cluster show d
pycheck "allocate node d worker-0 (exists from day 1): cluster unchanged" "$T/d2.json" "$T/out" <<'EOF2'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail(f"before: {open(sys.argv[1]).read()}\nafter:  {open(sys.argv[2]).read()}")
EOF2
nctl --json allocate node nope worker-9
expect_error "allocate node in an unknown cluster -> not-found" 1 not-found
nctl_ok "release node d worker-3" release node d worker-3
check_nxdomain "worker-3 is NXDOMAIN right after release node" "$JH" 192.0.2.1 worker-3.d.$D
check_no_ptr "worker-3 PTR gone" "$JH" 192.0.2.1 "$w3_ip"
check_eq "DHCP of worker-3's MAC gets nothing" "" "$(dhcp vm1 "$w3_mac")"
nctl --json cluster show d
pycheck "cluster d is back to its day-1 shape" "$T/d.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail(f"before: {open(sys.argv[1]).read()}\nafter:  {open(sys.argv[2]).read()}")
EOF
nctl --json release node d worker-3
expect_error "release node of a released node -> not-found" 1 not-found

# ---- release cluster a: DNS, PTR, files, lease, DHCP
a_m0_ip=$(jget "$T/a.json" '[n["ip"] for n in d["nodes"] if n["name"] == "master-0"]')
a_m0_mac=$(jget "$T/a.json" '[n["mac"] for n in d["nodes"] if n["name"] == "master-0"]')
check_eq "DHCP a/master-0 before release" "$a_m0_ip" "$(dhcp vm1 "$a_m0_mac")"
check "dnsmasq wrote a/master-0's lease to the lease file" poll 5 grep -qi "$a_m0_mac" "$STATE/dnsmasq/leases"
check "hosts files of a exist" test -f "$STATE/dnsmasq/hosts.d/a" -a -f "$STATE/dnsmasq/dhcp-hosts.d/a"
nctl_ok "release cluster a" release cluster a
for n in master-0 master-1 master-2 api api-int x.apps console-openshift-console.apps; do
        check_nxdomain "a: $n.a.$D NXDOMAIN after release" "$JH" 192.0.2.1 "$n.a.$D"
done
for ip in $(jget "$T/a.json" '[n["ip"] for n in d["nodes"]]'); do
        check_no_ptr "a: PTR $ip gone" "$JH" 192.0.2.1 "$ip"
done
# Managed mode may keep an emptied file (dnsmasq's *dir options do not
# handle deletions); what counts is that nothing of cluster a remains.
pycheck "no trace of cluster a in the generated files" "$STATE/dnsmasq" "$T/a.json" <<'EOF'
c = load(sys.argv[2])
needles = [".a.lab.example"] + [n["mac"] for n in c["nodes"]]
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        if f in ("leases",) or f.endswith(".pid"):
            continue
        text = open(os.path.join(root, f), errors="replace").read().lower()
        for x in needles:
            if x in text:
                fail(f"{os.path.join(root, f)} still mentions {x}")
EOF
check "a/master-0's lease removed from the lease file" poll 5 bash -c "! grep -qi '$a_m0_mac' '$STATE/dnsmasq/leases'"
check_eq "DHCP of a/master-0's MAC gets nothing" "" "$(dhcp vm1 "$a_m0_mac")"
nctl --json cluster show a
expect_error "cluster show of a released cluster -> not-found" 1 not-found
nctl --json release cluster a
expect_error "release of a released cluster -> not-found" 1 not-found

# ---- released addresses are not reused while fresh ones remain
nctl_ok "allocate cluster e (compact) after the release" --json allocate cluster e --network lab --topology compact
cp "$T/out" "$T/e.json"
pycheck "e reuses none of a's released addresses" "$T/a.json" "$T/e.json" <<'EOF'
def addrs(c):
    return {n["ip"] for n in c["nodes"]} | {c["api_vip"], c["ingress_vip"]}
a, e = load(sys.argv[1]), load(sys.argv[2])
if addrs(a) & addrs(e):
    fail(f"reused {addrs(a) & addrs(e)}")
EOF
nctl_ok "allocate cluster a again (same spec as before)" --json allocate cluster a --network lab --topology compact
check_dns "the new a answers" "$JH" 192.0.2.1 master-0.a.$D A \
        "$(jget "$T/out" '[n["ip"] for n in d["nodes"] if n["name"] == "master-0"]')"

# ---- network remove while used
nctl --json network remove lab
expect_error "network remove lab while clusters use it -> conflict" 1 conflict

# ---- restart: everything still served
nctl --json cluster list
cp "$T/out" "$T/list-before-restart.json"
nctl --json network list
cp "$T/out" "$T/nets-before-restart.json"
old_pid=$NETD_PID
netd_stop
check_eq "netd exits 0 on SIGTERM" 0 "$NETD_STATUS"
left=""
for ((i = 0; i < 100; i++)); do
        left=$(ns_pids_named "$JH" dnsmasq)
        [ -z "$left" ] && break
        sleep 0.05
done
check_eq "no dnsmasq left after netd stopped" "" "$left"

nctl --json network list
expect_error "netctl with the daemon stopped -> unavailable" 1 unavailable
NETD_SOCKET=$SOCK "${TO[@]}" "$NETCTL" network list >"$T/out" 2>"$T/err" </dev/null
RC=$?
LAST_CMD="NETD_SOCKET=$SOCK netctl network list"
expect_error "NETD_SOCKET is used when --socket is absent (unavailable)" 1 unavailable

netd_start main "$JH" managed || exit 1
check "restarted netd is a new process" test "$NETD_PID" != "$old_pid"
nctl_ok "cluster list after restart" --json cluster list
pycheck "cluster list identical after restart" "$T/list-before-restart.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail(f"before: {open(sys.argv[1]).read()}\nafter:  {open(sys.argv[2]).read()}")
EOF
cp "$T/out" "$T/list-after.json"
nctl --json network list
pycheck "network list identical after restart" "$T/nets-before-restart.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail("network list changed")
EOF
while read -r c fqdn ip; do
        check_dns "after restart: $fqdn" "$JH" 192.0.2.1 "$fqdn" A "$ip"
done < <(jget "$T/list-after.json" '[" ".join([c["name"], n["fqdn"], n["ip"]]) for c in d["clusters"] for n in c["nodes"]]')
check_dns "after restart: x.apps.e" "$JH" 192.0.2.1 x.apps.e.$D A "$(jget "$T/e.json" 'd["ingress_vip"]')"
check_dns "after restart: api.e" "$JH" 192.0.2.1 api.e.$D A "$(jget "$T/e.json" 'd["api_vip"]')"
check_eq "after restart: DHCP of b/master-1" \
        "$(jget "$T/b.json" '[n["ip"] for n in d["nodes"] if n["name"] == "master-1"]')" "$(dhcp vm1 02:aa:bb:cc:dd:01)"
check_nxdomain "after restart: released worker-3.d stays NXDOMAIN" \
        "$JH" 192.0.2.1 worker-3.d.$D

# ---- usage errors -> exit 2
usage() {
        local desc=$1
        shift
        "${TO[@]}" "$NETCTL" --socket "$SOCK" "$@" >"$T/out" 2>"$T/err" </dev/null
        local rc=$?
        if [ "$rc" -eq 2 ]; then
                ok "usage error exits 2: $desc"
        else
                not_ok "usage error exits 2: $desc"
                diag "command: netctl $*"
                diag "got exit $rc; stderr: $(head -c 500 "$T/err")"
        fi
}
usage "unknown flag" --frobnicate network list
usage "unknown command" frobnicate
usage "unknown subcommand" network frobnicate
usage "missing cluster name" allocate cluster
usage "missing --cidr" network add x
usage "flag without its value" allocate cluster x --topology
usage "unknown flag of allocate" allocate cluster x --colour blue
usage "extra argument" cluster show e extra
nctl --json cluster list
pycheck "usage errors changed nothing" "$T/list-after.json" "$T/out" <<'EOF'
if load(sys.argv[1]) != load(sys.argv[2]):
    fail("cluster list changed")
EOF

exit 0
