#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hosts in a lab (contract v1.1 "Hosts"): two underlays per host, a
# network's VXLAN over the underlays of its --underlay-family (a host
# without that family cannot attach), --agent, `host set` applied live
# (the agent restarts with the new command, a changed underlay moves every
# other host's flood entries), the host's state (connecting, connected,
# failed) with an error that names the host and carries the agent's own
# last message, each object's detail, an agent that stalls (the host fails,
# the others go on) and an agent whose reply repeats a key.

. "$(dirname "$0")/lib-fabric.sh"

require_netns
fab_switch
fab_node jh 198.51.100.1 2001:db8:ffff::1
fab_node hv1 198.51.100.11 2001:db8:ffff::11
fab_node hv2 198.51.100.12
fab_node hv3 "" 2001:db8:ffff::13
JH=${P}jh
declare -A NS=([jump]=$JH [hv1]=${P}hv1 [hv2]=${P}hv2 [hv3]=${P}hv3)

# host_field HOST EXPR — EXPR over `host show HOST --json` (d).
host_field() {
        nctl --json host show "$1"
        [ "$RC" -eq 0 ] && jget "$T/out" "$2"
}

# host_state_is HOST STATE — `host show` says STATE.
host_state_is() {
        [ "$(host_field "$1" 'd["state"]')" == "$2" ]
}

# check_host_state DESC SECONDS HOST STATE — polls host show.
check_host_state() {
        if poll "$2" host_state_is "$3" "$4" >/dev/null 2>&1; then
                ok "$1"
        else
                not_ok "$1"
                diag "host show $3: $(cat "$T/out") $ERR"
        fi
}

netd_start main "$JH" managed || exit 1

# ---- adding hosts: two underlays, --agent, validation ----

nctl_ok "host add jump --connect local with an IPv4 and an IPv6 underlay" \
        host add jump --connect local --underlay 198.51.100.1 --underlay 2001:db8:ffff::1
nctl --json host add hv1 --connect "ip netns exec ${P}hv1" --underlay 2001:db8:ffff::11 \
        --underlay 198.51.100.11
cp "$T/out" "$T/hv1.json"
check_eq "host add hv1 with two underlays" 0 "$RC"
pycheck "host add answers both underlays (IPv4 first), agent netd, a state and an error" "$T/hv1.json" <<'EOF'
d = load(sys.argv[1])
want = {"name": "hv1", "underlay": "198.51.100.11", "underlays": ["198.51.100.11", "2001:db8:ffff::11"],
        "agent": "netd", "libvirt": None, "bmc": None}
for k, v in want.items():
    if d.get(k) != v:
        fail(f"{k}: {d.get(k)!r}, want {v!r}")
if d.get("state") not in ("connecting", "connected"):
    fail(f"state {d.get('state')!r}")
if "error" not in d or d["error"] is not None:
    fail(f"error {d.get('error')!r}")
EOF
check_host_state "host show hv1: connected" 10 hv1 connected
check_eq "host show hv1: error null" "null" "$(host_field hv1 'd["error"]')"

nctl host add bad --connect local --underlay 198.51.100.50 --underlay 198.51.100.51
expect_error "host add with two IPv4 underlays: invalid" 1 invalid
check "... saying at most one per family" grep -q "two ipv4 underlay addresses" "$T/err"
nctl host add bad --connect local --underlay 2001:db8:ffff::11
expect_error "host add with another host's IPv6 underlay: conflict" 1 conflict
check "... naming the host that has it" grep -q "already used by host hv1" "$T/err"
for agent in bin/netd /opt/../netd 'netd;reboot' '$PATH/netd' -x 'net d'; do
        nctl host add bad --connect local --underlay 198.51.100.50 --agent "$agent"
        expect_error "host add --agent '$agent': invalid" 1 invalid
done
nctl host show bad
expect_error "... and none of them was stored" 1 not-found

# ---- a wrong agent path fails with the agent's own message and the host's name ----

nctl_ok "host add hv2 --agent $T/bin/netd-nope (absent)" host add hv2 --connect "ip netns exec ${P}hv2" \
        --underlay 198.51.100.12 --agent "$T/bin/netd-nope"
check_host_state "host show hv2: failed" 10 hv2 failed
ERROR_HV2=$(host_field hv2 'd["error"]')
check "hv2's error names the host and carries the agent's last message" \
        bash -c '[[ "$1" == "host hv2: agent exited with status "*": "*"netd-nope"*"No such file or directory"* ]]' \
        - "$ERROR_HV2"
info "hv2: $ERROR_HV2"
nctl_ok "fabric status (text)" fabric status
check "fabric status (text) shows hv2 failed with the error" grep -qF "hv2  failed: $ERROR_HV2" "$T/out"
check "netd's log names the host on the agent's own stderr line" \
        grep -q "host hv2: agent: .*netd-nope.*No such file or directory" "$NETD_LOG"
nctl_ok "host set hv2 --agent netd (live)" host set hv2 --agent netd
check_eq "host show hv2: agent netd" netd "$(host_field hv2 'd["agent"]')"
check_host_state "host show hv2: connected after host set" 10 hv2 connected

# ---- connecting: host add returns before the agent answers ----

nctl --json host add hv3 --connect "sleep 3; ip netns exec ${P}hv3" --underlay 2001:db8:ffff::13
check_eq "host add hv3 (its agent starts 3 s late)" 0 "$RC"
check_eq "host add hv3 answers state connecting" connecting "$(jget "$T/out" 'd["state"]')"
fab_status
check_eq "fabric status answers at once, hv3 connecting" connecting \
        "$(jget "$T/status.json" '[h["state"] for h in d["hosts"] if h["name"] == "hv3"][0]')"
check_eq "... with no error" null \
        "$(jget "$T/status.json" '[h["error"] for h in d["hosts"] if h["name"] == "hv3"][0]')"
nctl_ok "fabric status (text) while hv3 connects" fabric status
check "fabric status (text) says hv3 connecting" grep -q "^hv3  connecting$" "$T/out"
check_host_state "host show hv3: connected once its agent answers" 15 hv3 connected

# ---- networks: each VXLAN over the underlays of its family ----

nctl_ok "network add lab (VNI 100, IPv4 underlays by default)" network add lab --cidr 192.0.2.0/24 \
        --vni 100 --mtu 1400 --domain lab.example
nctl_ok "network add lab6 --underlay-family ipv6 (VNI 200)" network add lab6 --cidr 203.0.113.0/24 \
        --vni 200 --mtu 1400 --domain lab6.example --underlay-family ipv6
nctl --json network show lab6
check_eq "network show lab6: underlay_family ipv6" ipv6 "$(jget "$T/out" 'd["underlay_family"]')"
nctl --json network show lab
check_eq "network show lab: underlay_family ipv4" ipv4 "$(jget "$T/out" 'd["underlay_family"]')"
nctl network add bad --cidr 192.0.2.0/28 --underlay-family ipv5
expect_error "network add --underlay-family ipv5: invalid" 1 invalid

for h in jump hv1 hv2; do
        nctl_ok "network attach lab $h" network attach lab "$h"
done
for h in jump hv1 hv3; do
        nctl_ok "network attach lab6 $h" network attach lab6 "$h"
done
nctl network attach lab6 hv2
expect_error "network attach lab6 hv2 (no IPv6 underlay): invalid" 1 invalid
check "... naming the host and the family" grep -q "host hv2 has no ipv6 underlay" "$T/err"
nctl network attach lab hv3
expect_error "network attach lab hv3 (no IPv4 underlay): invalid" 1 invalid
check "... naming the host and the family" grep -q "host hv3 has no ipv4 underlay" "$T/err"
check "hv2 has no br-lab6 after the refusal" fab_no_link "${NS[hv2]}" br-lab6

fab_check_all_ok "fabric status: every host connected, every object ok" 15
fab_check_status_shape "fabric status --json has the contract's shape (state, error, detail)"
fab_check_link "hv1: vx100 runs over its IPv4 underlay" "${NS[hv1]}" vx100 local=198.51.100.11 vni=100
fab_check_link "hv1: vx200 runs over its IPv6 underlay" "${NS[hv1]}" vx200 local=2001:db8:ffff::11 vni=200
fab_check_fdb "hv1: vx100 floods to jump and hv2 over IPv4" "${NS[hv1]}" vx100 \
        "$(fab_set 198.51.100.1 198.51.100.12)"
fab_check_fdb "hv1: vx200 floods to jump and hv3 over IPv6" "${NS[hv1]}" vx200 \
        "$(fab_set 2001:db8:ffff::1 2001:db8:ffff::13)"
fab_check_fdb "hv3: vx200 floods to jump and hv1 over IPv6" "${NS[hv3]}" vx200 \
        "$(fab_set 2001:db8:ffff::1 2001:db8:ffff::11)"

pycheck "fabric status: each flood entry's detail names its peer host and address" "$T/status.json" <<'EOF'
d = load(sys.argv[1])
hv1 = [h for h in d["hosts"] if h["name"] == "hv1"][0]
fdb = sorted((o["name"], o["detail"]) for o in hv1["objects"] if o["kind"] == "fdb")
want = [("vx100", "to hv2 198.51.100.12"), ("vx100", "to jump 198.51.100.1"),
        ("vx200", "to hv3 2001:db8:ffff::13"), ("vx200", "to jump 2001:db8:ffff::1")]
if fdb != sorted(want):
    fail(f"{fdb}")
EOF
nctl_ok "fabric status (text)" fabric status
check "fabric status (text) shows the peer of each flood entry" grep -Eq "^fdb +vx100 +ok +to hv2 198.51.100.12$" "$T/out"

fab_vm vma hv1 br-lab 02:00:00:00:0a:01 1400
fab_vm vmb hv2 br-lab 02:00:00:00:0a:02 1400
fab_vm vmc hv1 br-lab6 02:00:00:00:0a:03 1400
fab_vm vmd hv3 br-lab6 02:00:00:00:0a:04 1400
ip -n "${P}vma" addr add 192.0.2.101/24 dev eth0
ip -n "${P}vmb" addr add 192.0.2.102/24 dev eth0
ip -n "${P}vmc" addr add 203.0.113.103/24 dev eth0
ip -n "${P}vmd" addr add 203.0.113.104/24 dev eth0
check "vma (hv1) pings vmb (hv2) over VXLAN on IPv4 underlays" fab_ping vma 192.0.2.102
check "vmc (hv1) pings vmd (hv3) over VXLAN on IPv6 underlays" fab_ping vmc 203.0.113.104

# ---- host set: a changed underlay moves every other host's flood entries ----

ip -n "${NS[hv2]}" addr add 198.51.100.22/24 dev u0
# .22 must outlive .12, the primary address of the same subnet.
ip netns exec "${NS[hv2]}" sysctl -qw net.ipv4.conf.u0.promote_secondaries=1
nctl host set hv2 --underlay 198.51.100.11
expect_error "host set hv2 --underlay (hv1's address): conflict" 1 conflict
check_eq "... and hv2 keeps its underlay" 198.51.100.12 "$(host_field hv2 'd["underlay"]')"
nctl_ok "host set hv2 --underlay 198.51.100.22" host set hv2 --underlay 198.51.100.22
check_eq "host show hv2: underlay 198.51.100.22" 198.51.100.22 "$(host_field hv2 'd["underlay"]')"
fab_check_fdb "jump floods to hv2's new underlay" "$JH" vx100 "$(fab_set 198.51.100.11 198.51.100.22)" 5
fab_check_fdb "hv1 floods to hv2's new underlay" "${NS[hv1]}" vx100 "$(fab_set 198.51.100.1 198.51.100.22)" 5
fab_check_link "hv2: vx100's local address is the new underlay" "${NS[hv2]}" vx100 local=198.51.100.22
ip -n "${NS[hv2]}" addr del 198.51.100.12/24 dev u0
check "vma (hv1) still pings vmb (hv2) after hv2's underlay moved" fab_ping vma 192.0.2.102
nctl_ok "host set hv2 --underlay 2001:db8:ffff::12 adds an IPv6 underlay" host set hv2 \
        --underlay 2001:db8:ffff::12
check_eq "host show hv2: both underlays" "198.51.100.22 2001:db8:ffff::12" \
        "$(host_field hv2 '" ".join(d["underlays"])')"

# ---- host set: the agent restarts with a new command ----

OLD_PIDS=$(fab_agent_pids "${NS[hv1]}")
nctl_ok "host set hv1 --connect (another command prefix)" host set hv1 \
        --connect "ip netns exec ${P}hv1 env NETD_TEST=1"
NEW_PIDS=$(fab_agent_pids "${NS[hv1]}")
check "hv1's agent was restarted ($OLD_PIDS -> $NEW_PIDS)" \
        bash -c '[ -n "$2" ] && [ "$1" != "$2" ]' - "$OLD_PIDS" "$NEW_PIDS"
check "hv1's new agent runs the new command" \
        bash -c 'tr "\0" " " </proc/$1/environ | grep -q NETD_TEST=1' - "$NEW_PIDS"
check_host_state "host show hv1: connected" 10 hv1 connected
check_eq "host show hv1: the new connect command" "ip netns exec ${P}hv1 env NETD_TEST=1" \
        "$(host_field hv1 'd["connect"]')"
nctl_ok "host set hv1 --libvirt none --bmc none" host set hv1 --libvirt none --bmc none
nctl host set hv1
expect_error "host set without a change: usage" 2 ""
fab_check_all_ok "fabric status: every object still ok" 15

# ---- a stalled agent: the host fails with the reason, the others go on ----

STALLED=$(fab_agent_pids "${NS[hv2]}")
kill -STOP $STALLED
nctl link add hv2 veth st0 --peer st1
expect_error "link add on hv2 while its agent is stopped: unavailable" 1 unavailable
check "... naming the host it waited for" grep -q "host hv2: agent did not answer a request within" "$T/err"
check "the stalled agent was killed by netd" wait_dead "$STALLED" 5
check "netd's log says why hv2's agent was lost" \
        grep -q "host hv2: agent lost: agent did not answer a request within" "$NETD_LOG"
check_host_state "hv2 reconnects with a new agent" 15 hv2 connected
fab_check_all_ok "fabric status: hv2's link is made once it is back" 15
check "hv2 has the link st0" fab_link "${NS[hv2]}" st0

# An agent that answers hello and then nothing: fabric status answers
# (bounded by the agent's time limit, not held), with that host failed.
cat >"$T/bin/netd-stall" <<'EOF'
#!/bin/sh
# Answers hello, then never again.
read -r line
echo '{"result":"ok","version":"0","agent":true}'
exec sleep 1000
EOF
chmod +x "$T/bin/netd-stall"
nctl host set hv2 --agent "$T/bin/netd-stall"
expect_error "host set hv2 --agent netd-stall: stored, but unavailable (its agent stalls)" 1 unavailable
check "... naming the host it waited for" grep -q "host hv2: agent did not answer a request within" "$T/err"
check_eq "host show hv2: the new agent is stored" "$T/bin/netd-stall" "$(host_field hv2 'd["agent"]')"
fab_status
check_eq "fabric status answers with hv2 failed" failed \
        "$(jget "$T/status.json" '[h["state"] for h in d["hosts"] if h["name"] == "hv2"][0]')"
check "... with the reason and the host's name" \
        bash -c '[[ "$(cat)" == "host hv2: agent did not answer a request within "* ]]' \
        < <(jget "$T/status.json" '[h["error"] for h in d["hosts"] if h["name"] == "hv2"][0]')
check "... and every other host connected and ok in the same answer" pyrun "$T/status.json" <<'EOF'
d = load(sys.argv[1])
for h in d["hosts"]:
    if h["name"] != "hv2":
        assert h["state"] == "connected" and all(o["state"] == "ok" for o in h["objects"]), h
EOF
nctl network attach lab hv2 --address 192.0.2.12/24
expect_error "network attach to the stalling hv2: unavailable" 1 unavailable
check "... naming the host" grep -q "host hv2: agent did not answer" "$T/err"
start=$(date +%s)
nctl_ok "network attach lab hv1 --address (hv2 of the same network stalls)" network attach lab hv1 \
        --address 192.0.2.11/24
took=$(($(date +%s) - start))
check "... answered without waiting for hv2's agent (${took}s)" [ "$took" -le 5 ]
nctl_ok "host set hv2 --agent netd" host set hv2 --agent netd
check_host_state "hv2 connected with the real agent again" 15 hv2 connected
check "hv2's bridge carries the address stored while it stalled" \
        poll 10 bash -c "ip -n '${NS[hv2]}' -o addr show dev br-lab | grep -qw 'inet 192.0.2.12/24'"

# ---- an agent whose reply repeats a key ----

cat >"$T/bin/netd-dupkey" <<'EOF'
#!/bin/sh
# Answers hello with a repeated key, then waits.
read -r line
echo '{"result":"error","result":"ok","version":"0","agent":true}'
exec cat >/dev/null
EOF
chmod +x "$T/bin/netd-dupkey"
nctl_ok "host add hv5 --agent netd-dupkey" host add hv5 --connect "ip netns exec ${P}hv3" \
        --underlay 198.51.100.55 --agent "$T/bin/netd-dupkey"
check_host_state "hv5 fails" 10 hv5 failed
check "... because its reply repeats a key" \
        bash -c '[[ "$1" == "host hv5: "*"repeated key"* ]]' - "$(host_field hv5 'd["error"]')"
nctl_ok "host remove hv5" host remove hv5

# ---- every log line about an agent names its host ----

check "every log line of netd about an agent names the host" \
        bash -c '! grep -i "agent" "$1" | grep -v "dnsmasq" | grep -v "host [a-z0-9-]*:"' - "$NETD_LOG"
exit 0
