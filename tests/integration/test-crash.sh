#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of netd in the middle of 40 parallel allocations: every
# acknowledged allocation survives unchanged, nothing is held twice, the
# killed netd's dnsmasq does not outlive it, and the restarted netd serves
# every allocation it has.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
D=lab.example
N=40

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "a cluster before the storm" --json allocate cluster pre --topology compact
cp "$T/out" "$T/pre.json"

mkdir -p "$T/storm"
# Clients wait at a barrier (go1 for the first 5, go2 for the other 35) so
# that they hit netd together.
for ((i = 0; i < N; i++)); do
        topo=sno
        ((i % 4 == 0)) && topo=compact
        go=go2
        ((i < 5)) && go=go1
        (
                for ((w = 0; w < 3000; w++)); do
                        [ -e "$T/storm/$go" ] && break
                        sleep 0.01
                done
                "${TO[@]}" "$NETCTL" --socket "$SOCK" --json allocate cluster "c$i" --topology $topo \
                        >"$T/storm/c$i.json" 2>"$T/storm/c$i.err" </dev/null
                echo $? >"$T/storm/c$i.rc.tmp"
                mv "$T/storm/c$i.rc.tmp" "$T/storm/c$i.rc"
        ) &
        _BG_PIDS+=($!)
done

n_rc() {
        local f=("$T"/storm/*.rc)
        [ -e "${f[0]}" ] && echo ${#f[@]} || echo 0
}

# netd acknowledges an allocation only once dnsmasq serves it, and it is
# fast: to be sure the kill lands while requests are in flight, the first
# 5 go through normally, then dnsmasq is frozen and the other 35 sent.
touch "$T/storm/go1"
for ((i = 0; i < 400; i++)); do
        [ "$(n_rc)" -ge 5 ] && break
        sleep 0.05
done
acked=$(grep -lx 0 "$T"/storm/*.rc 2>/dev/null | wc -l)
old_dnsmasq=$(ns_pids_named "$JH" dnsmasq)
check "netd's dnsmasq runs in the jumphost namespace" test -n "$old_dnsmasq"
for pid in $old_dnsmasq; do
        kill -STOP "$pid"
done
touch "$T/storm/go2"
# Give netd time to take the 35 requests in (bounded; the log line is only
# a hint, the kill happens anyway).
n0=$(grep -c ': allocated' "$NETD_LOG")
for ((i = 0; i < 60; i++)); do
        [ $(($(grep -c ': allocated' "$NETD_LOG") - n0)) -ge 10 ] && break
        sleep 0.05
done
in_flight=$((N - $(n_rc)))
netd_kill9
for pid in $old_dnsmasq; do
        kill -CONT "$pid" 2>/dev/null
done
info "killed netd with $acked acknowledged and $in_flight requests in flight"
check "5 allocations acknowledged before dnsmasq was frozen" test "$acked" -eq 5
check "requests were in flight when netd was killed" test "$in_flight" -gt 0

# Every client finishes (the daemon is gone, so they must fail fast).
for ((i = 0; i < 300; i++)); do
        [ "$(n_rc)" -eq $N ] && break
        sleep 0.05
done
check_eq "all $N clients returned" $N "$(n_rc)"
for pid in "${_BG_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
done
_BG_PIDS=()
n_ok=$(grep -lx 0 "$T"/storm/*.rc | wc -l)
info "$n_ok of $N allocations returned exit 0"
bad_rc=""
for ((i = 0; i < N; i++)); do
        rc=$(cat "$T/storm/c$i.rc" 2>/dev/null)
        if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
                bad_rc+=" c$i:$rc"
        fi
done
check_eq "every client exited 0 or 1" "" "$bad_rc"
pycheck "every failed client printed one 'netctl: CODE: ...' line" "$T/storm" "$N" <<'EOF'
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    if open(f"{d}/c{i}.rc").read().strip() == "0":
        continue
    err = open(f"{d}/c{i}.err").read()
    if not re.fullmatch(r"netctl: [a-z-]+: [^\n]+\n", err):
        fail(f"c{i}: stderr {err!r}")
EOF

left=""
for ((i = 0; i < 100; i++)); do
        left=""
        for pid in $old_dnsmasq; do
                alive "$pid" && left+=" $pid"
        done
        [ -z "$left" ] && break
        sleep 0.05
done
check_eq "the killed netd's dnsmasq is gone" "" "$left"
check_eq "no dnsmasq in the jumphost namespace" "" "$(ns_pids_named "$JH" dnsmasq)"
for pid in $(ns_pids_named "$JH" dnsmasq); do
        info "removing leftover dnsmasq $pid so the restart is tested on its own"
        kill -KILL "$pid"
        wait_dead "$pid" 5
done

netd_start main "$JH" managed || exit 1
nctl_ok "cluster list after restart" --json cluster list
cp "$T/out" "$T/list.json"
pycheck "every acknowledged allocation is present, identical" "$T/list.json" "$T/storm" "$N" "$T/pre.json" <<'EOF'
l = {c["name"]: c for c in load(sys.argv[1])["clusters"]}
d, n = sys.argv[2], int(sys.argv[3])
acked = {"pre": load(sys.argv[4])}
for i in range(n):
    if open(f"{d}/c{i}.rc").read().strip() == "0":
        acked[f"c{i}"] = load(f"{d}/c{i}.json")
for name, c in acked.items():
    if name not in l:
        fail(f"acknowledged {name} lost")
    if l[name] != c:
        fail(f"{name} changed:\nacked: {c}\nnow:   {l[name]}")
print(len(acked))
EOF
pycheck "no address and no MAC held twice; every cluster complete" "$T/list.json" <<'EOF'
ips, macs = [], []
for c in load(sys.argv[1])["clusters"]:
    want = 3 if c["topology"] == "compact" else 1
    if len(c["nodes"]) != want:
        fail(f"{c['name']}: {len(c['nodes'])} nodes, expected {want} (a partial allocation)")
    node_ips = {n["ip"] for n in c["nodes"]}
    ips += list(node_ips) + [v for v in {c["api_vip"], c["ingress_vip"]} if v not in node_ips]
    macs += [n["mac"] for n in c["nodes"]]
dup = {x for x in ips if ips.count(x) > 1} | {x for x in macs if macs.count(x) > 1}
if dup:
    fail(f"held twice: {dup}")
EOF

# The restarted netd serves every cluster it has.
bad=""
n_names=0
while read -r fqdn ip; do
        dns "$JH" 192.0.2.1 "$fqdn" A
        n_names=$((n_names + 1))
        [ "$DNS_ANSWER" == "$ip" ] || bad+="$fqdn: expected $ip got '$DNS_ANSWER' ($DNS_STATUS)"$'\n'
done < <(jget "$T/list.json" '[n["fqdn"] + " " + n["ip"] for c in d["clusters"] for n in c["nodes"]] + ["api." + c["name"] + ".lab.example " + c["api_vip"] for c in d["clusters"]] + ["x.apps." + c["name"] + ".lab.example " + c["ingress_vip"] for c in d["clusters"]]')
if [ -z "$bad" ]; then
        ok "restarted netd serves all $n_names names of every cluster"
else
        not_ok "restarted netd serves every cluster"
        diag "$bad"
fi

# Allocations that did not get through can be made now, and the re-sent
# acknowledged ones are idempotent.
bad=""
for ((i = 0; i < N; i++)); do
        topo=sno
        ((i % 4 == 0)) && topo=compact
        "${TO[@]}" "$NETCTL" --socket "$SOCK" --json allocate cluster "c$i" --topology $topo >"$T/re.json" 2>"$T/re.err" \
                </dev/null || { bad+="c$i: exit $? $(cat "$T/re.err")"$'\n'; continue; }
        if [ "$(cat "$T/storm/c$i.rc")" == 0 ]; then
                pyrun "$T/storm/c$i.json" "$T/re.json" <<<'sys.exit(load(sys.argv[1]) != load(sys.argv[2]))' ||
                        bad+="c$i: re-sent allocation differs"$'\n'
        fi
done
if [ -z "$bad" ]; then
        ok "after restart all $N allocations succeed; acknowledged ones unchanged"
else
        not_ok "after restart all $N allocations succeed; acknowledged ones unchanged"
        diag "$bad"
fi
nctl --json cluster list
pycheck "after the re-run: $((N + 1)) clusters, still nothing held twice" "$T/out" "$((N + 1))" <<'EOF'
cl = load(sys.argv[1])["clusters"]
if len(cl) != int(sys.argv[2]):
    fail(f"{len(cl)} clusters")
ips, macs = [], []
for c in cl:
    node_ips = {n["ip"] for n in c["nodes"]}
    ips += list(node_ips) + [v for v in {c["api_vip"], c["ingress_vip"]} if v not in node_ips]
    macs += [n["mac"] for n in c["nodes"]]
dup = {x for x in ips if ips.count(x) > 1} | {x for x in macs if macs.count(x) > 1}
if dup:
    fail(f"held twice: {dup}")
EOF

exit 0
