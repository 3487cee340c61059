#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Drift and ownership: a VXLAN device deleted and a bridge MTU changed out
# of band are seen by `fabric status` and repaired by `fabric sync`; a
# killed agent is restarted by netd, which resyncs the host on its own; an
# interface netd did not create is a conflict and never touched; VM ports
# on a netd bridge are never touched and make `network detach` refuse
# unless --force.

. "$(dirname "$0")/lib-fabric.sh"

require_netns
fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
fab_node hv2 198.51.100.12
JH=${P}jh
HV1=${P}hv1
HV2=${P}hv2

# check_vx100 HOST NS UNDERLAY — every attribute of a healthy vx100.
check_vx100() {
        fab_check_link "$1: vx100 has VNI 100, dstport 4789, local $3, MTU 1400, master br-lab" "$2" vx100 \
                kind=vxlan vni=100 dstport=4789 local="$3" mtu=1400 master=br-lab alias=netd:managed up=1
}

# link_fingerprint NS IF — what netd must never change on a foreign
# interface: kind, MTU, master, alias, flags, MAC.
link_fingerprint() {
        fab_link_json "$1" "$2" "$T/.fp.json"
        pyrun "$T/.fp.json" <<'EOF'
try:
    l = load(sys.argv[1])[0]
except Exception:
    print("absent")
    sys.exit(0)
print(json.dumps({"kind": l.get("linkinfo", {}).get("info_kind"), "mtu": l.get("mtu"),
                  "master": l.get("master"), "alias": l.get("ifalias"),
                  "flags": sorted(l.get("flags", [])), "address": l.get("address")}, sort_keys=True))
EOF
}

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab (VNI 100, MTU 1400)" network add lab --cidr 192.0.2.0/24 --vni 100 --mtu 1400 \
        --interface br-lab --domain lab.example
nctl_ok "host add jump --connect local" host add jump --connect local --underlay 198.51.100.1
fab_host_add hv1 198.51.100.11
fab_host_add hv2 198.51.100.12
nctl_ok "network attach lab jump" network attach lab jump --address 192.0.2.1/24
nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "network attach lab hv2" network attach lab hv2
fab_check_all_ok "fabric converged: every host connected, every object ok" 15

fab_vm vm1 hv1 br-lab 02:00:00:00:00:01 1400
fab_vm vm2 hv2 br-lab 02:00:00:00:00:02 1400
ip -n "${P}vm1" addr add 192.0.2.201/24 dev eth0
ip -n "${P}vm2" addr add 192.0.2.202/24 dev eth0
check "vm1 (hv1) pings vm2 (hv2) before any drift" fab_ping vm1 192.0.2.202
TAP_FP=$(link_fingerprint "$HV1" t-vm1)

# ---- out-of-band changes are seen
ip -n "$HV1" link del vx100
fab_check_state "vx100 deleted on hv1 -> fabric status: vxlan vx100 missing on hv1" 5 hv1 vxlan vx100 missing
check "with vx100 gone from hv1, vm1 no longer reaches vm2" fab_no_ping vm1 192.0.2.202
ip -n "$HV2" link set br-lab mtu 1300
fab_check_state "br-lab MTU changed on hv2 -> fabric status: bridge br-lab drifted on hv2" 5 \
        hv2 bridge br-lab drifted
fab_check_status_shape "fabric status --json with drift has the contract's shape"
nctl --json fabric status
pycheck "fabric status reports hv1 and hv2 not ok while jump stays ok" "$T/out" <<'EOF'
hosts = {h["name"]: {o["state"] for o in h["objects"]} for h in load(sys.argv[1])["hosts"]}
if hosts.get("jump") != {"ok"}:
    fail(f"jump: {hosts.get('jump')}")
for h in ("hv1", "hv2"):
    if hosts.get(h, {"ok"}) <= {"ok"}:
        fail(f"{h}: {hosts.get(h)}")
EOF

# ---- and repaired by fabric sync
nctl_ok "fabric sync hv2" fabric sync hv2
fab_check_state "after fabric sync hv2: br-lab ok on hv2" 5 hv2 bridge br-lab ok
fab_check_link "hv2: br-lab MTU 1400 again" "$HV2" br-lab mtu=1400 alias=netd:managed up=1
nctl fabric sync nosuch
expect_error "fabric sync of an unknown host: not-found" 1 not-found
nctl_ok "fabric sync" fabric sync
fab_check_all_ok "after fabric sync every object is ok" 5
check_vx100 hv1 "$HV1" 198.51.100.11
fab_check_fdb "hv1: vx100 floods to jump and hv2 again" "$HV1" vx100 "198.51.100.1 198.51.100.12"
check "vm1 pings vm2 again after the repair" fab_ping vm1 192.0.2.202
check_eq "the VM port t-vm1 on hv1's br-lab is untouched by the repair" "$TAP_FP" \
        "$(link_fingerprint "$HV1" t-vm1)"

# ---- a killed agent is restarted, and the host resynced, without help
AGENTS=()
read -r -a AGENTS < <(fab_agent_pids "$HV1" | tr '\n' ' ')
if [ "${#AGENTS[@]}" -eq 1 ]; then
        ok "one agent runs in hv1's namespace (pid ${AGENTS[0]})"
        # Drift it will not hear about: only a resync on reconnect repairs it.
        ip -n "$HV1" link del vx100
        kill -KILL "${AGENTS[0]}"
        wait_dead "${AGENTS[0]}" 5
        new_agent() {
                local p
                p=$(fab_agent_pids "$HV1")
                [ -n "$p" ] && [ "$p" != "${AGENTS[0]}" ]
        }
        check "netd starts a new agent for hv1 (within 15 s)" poll 15 new_agent
        fab_check_all_ok "hv1 connected and all ok again without a sync (within 15 s)" 15 hv1
        check_vx100 hv1 "$HV1" 198.51.100.11
        check "vm1 pings vm2 after the agent restart" fab_ping vm1 192.0.2.202
else
        not_ok "one agent runs in hv1's namespace"
        diag "agent pids: ${AGENTS[*]:-none}; namespace pids: $(ip netns pids "$HV1" | tr '\n' ' ')"
fi

# ---- netd restarts: the fabric outlives it, and is resynced on start
netd_stop
check_eq "netd stops cleanly on SIGTERM" 0 "$NETD_STATUS"
no_agents() {
        [ -z "$(fab_agent_pids "$HV1")$(fab_agent_pids "$HV2")" ]
}
check "the agents end when netd is gone (within 5 s)" poll 5 no_agents
check "with netd stopped vm1 still pings vm2 (netd leaves the fabric up)" fab_ping vm1 192.0.2.202
ip -n "$HV2" link del vx100
ip -n "$HV1" link set br-lab mtu 1280
netd_start main "$JH" managed || exit 1
fab_check_all_ok "netd restarted: every host connected and ok again without a sync (within 15 s)" 15
check_vx100 hv2 "$HV2" 198.51.100.12
fab_check_link "hv1: br-lab MTU 1400 again after the restart" "$HV1" br-lab mtu=1400
check "vm1 pings vm2 after the netd restart" fab_ping vm1 192.0.2.202

# ---- a foreign interface with a wanted name is a conflict, left alone
ip -n "$HV2" link add br-x type bridge
BRX_FP=$(link_fingerprint "$HV2" br-x)
nctl_ok "network add x --bridge br-x" network add x --cidr 2001:db8:100::/64 --bridge br-x --mtu 1400
# Refusing the attach or accepting it are both fine; either way the
# status must show the conflict and nothing may touch br-x.
nctl network attach x hv2
if [ "$RC" -eq 0 ]; then
        ok "network attach x hv2 (br-x foreign) is accepted"
else
        expect_error "network attach x hv2 (br-x foreign) fails: conflict" 1 conflict
fi
fab_check_state "fabric status: bridge br-x conflict on hv2" 5 hv2 bridge br-x conflict
nctl fabric sync hv2
if [ "$RC" -eq 0 ]; then
        ok "fabric sync hv2 with a conflict"
else
        expect_error "fabric sync hv2 with a conflict: conflict" 1 conflict
fi
fab_check_state "after fabric sync: br-x still conflict" 5 hv2 bridge br-x conflict
check_eq "the foreign br-x on hv2 is untouched (no alias, MTU, state)" "$BRX_FP" \
        "$(link_fingerprint "$HV2" br-x)"
# --force is the most dangerous way out: it still must not delete br-x.
nctl_ok "network detach x hv2 --force" network detach x hv2 --force
check_eq "detaching x from hv2 does not delete the foreign br-x" "$BRX_FP" "$(link_fingerprint "$HV2" br-x)"
fab_check_all_ok "fabric status: all ok once x is detached" 5

# ---- VM ports make detach refuse, --force removes only netd's objects
nctl network detach lab hv1
expect_error "network detach lab hv1 with a VM port on br-lab: conflict" 1 conflict
if grep -q 't-vm1' "$T/err"; then
        ok "the conflict names the VM port t-vm1"
else
        not_ok "the conflict names the VM port t-vm1"
        diag "stderr: $ERR"
fi
check "after the refused detach hv1 still has br-lab and vx100" \
        bash -c "ip -n '$HV1' link show dev br-lab && ip -n '$HV1' link show dev vx100"
check "vm1 still pings vm2 after the refused detach" fab_ping vm1 192.0.2.202
nctl_ok "network detach lab hv1 --force" network detach lab hv1 --force
check "hv1: br-lab and vx100 are removed (within 5 s)" poll 5 \
        bash -c "! ip -n '$HV1' link show dev vx100 && ! ip -n '$HV1' link show dev br-lab"
check "hv1: the VM port t-vm1 still exists" fab_link "$HV1" t-vm1
fab_check_link "hv1: t-vm1 carries no netd alias" "$HV1" t-vm1 alias=-
fab_check_fdb "jump no longer floods to hv1" "$JH" vx100 198.51.100.12 5
fab_check_fdb "hv2 no longer floods to hv1" "$HV2" vx100 198.51.100.1 5
fab_check_all_ok "fabric status: all ok after the forced detach" 5

# ---- an unreachable host: reported, flooded to, and removable
nctl_ok "host add ghost (its namespace does not exist)" host add ghost \
        --connect "ip netns exec ${P}nosuch" --underlay 198.51.100.99
nctl network attach lab ghost
if [ "$RC" -eq 0 ]; then
        ok "network attach lab ghost is stored"
else
        expect_error "network attach lab ghost is stored, the host unavailable" 1 unavailable
fi
fab_status
fab_check_status_shape "fabric status --json with a disconnected host has the contract's shape"
check_eq "fabric status: ghost connected=false" false \
        "$(jget "$T/status.json" '[h["connected"] for h in d["hosts"] if h["name"] == "ghost"][0]')"
fab_check_fdb "jump floods to the attached ghost too" "$JH" vx100 "198.51.100.12 198.51.100.99" 5
fab_check_fdb "hv2 floods to the attached ghost too" "$HV2" vx100 "198.51.100.1 198.51.100.99" 5
fab_check_all_ok "fabric status: jump and hv2 stay ok beside the ghost" 5 jump hv2
# Without --force netd may refuse: it cannot see the ghost's bridge ports.
nctl network detach lab ghost
if [ "$RC" -eq 0 ]; then
        ok "network detach lab ghost"
else
        expect_error "network detach lab ghost: unavailable" 1 unavailable
        nctl network detach lab ghost --force
        if [ "$RC" -eq 0 ]; then
                ok "network detach lab ghost --force"
        else
                expect_error "network detach lab ghost --force: stored, the host unavailable" 1 unavailable
        fi
fi
fab_check_fdb "jump no longer floods to ghost" "$JH" vx100 198.51.100.12 5
fab_check_fdb "hv2 no longer floods to ghost" "$HV2" vx100 198.51.100.1 5
nctl_ok "host remove ghost" host remove ghost
nctl host show ghost
expect_error "host show ghost after the remove: not-found" 1 not-found

# ---- a detach while the host is offline is applied when it comes back
# Without the netd on PATH no agent can start: hv2 stays offline.
rm -f "$T/bin/netd"
AGENTS=()
read -r -a AGENTS < <(fab_agent_pids "$HV2" | tr '\n' ' ')
[ "${#AGENTS[@]}" -gt 0 ] && kill -KILL "${AGENTS[@]}"
hv2_offline() {
        fab_status &&
                [ "$(jget "$T/status.json" '[h["connected"] for h in d["hosts"] if h["name"] == "hv2"]')" \
                        == false ]
}
check "hv2's agent killed and not restartable -> fabric status: hv2 disconnected" poll 5 hv2_offline
nctl network detach lab hv2 --force
if [ "$RC" -eq 0 ]; then
        ok "network detach lab hv2 --force while hv2 is offline"
else
        expect_error "network detach lab hv2 --force while hv2 is offline: stored, unavailable" 1 unavailable
fi
fab_check_fdb "jump no longer floods to the offline hv2" "$JH" vx100 "" 5
check "offline hv2 still has br-lab and vx100" \
        bash -c "ip -n '$HV2' link show dev br-lab && ip -n '$HV2' link show dev vx100"
ln -s "$NETD" "$T/bin/netd"
check "hv2 back: its br-lab and vx100 are deleted without help (within 15 s)" poll 15 \
        bash -c "! ip -n '$HV2' link show dev vx100 && ! ip -n '$HV2' link show dev br-lab"
check "hv2: the VM port t-vm2 still exists" fab_link "$HV2" t-vm2
fab_check_all_ok "fabric status: hv2 connected and ok again" 15 hv2
exit 0
