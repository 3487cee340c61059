#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fabric over the real transport (contract v1.1, "Hosts"): every
# hypervisor namespace runs its own openssh-server on its underlay address
# (lib-lab.sh); netd, in the jumphost, reaches each one as a user would,
# `host add NAME --connect "ssh -i KEY ... root@ADDR" --agent PATH`, PATH
# being the netd under test (it is on no PATH of the hypervisor).
# - The bridge, VXLAN device and flood entries come up on the hypervisors,
#   each agent a child of that machine's sshd.
# - A killed agent is started again over ssh; the log says so naming the
#   host. sshd stopped: the host is `failed`, its error naming the host and
#   carrying ssh's own words; what went missing meanwhile is rebuilt when
#   sshd is back.
# - A host given the wrong key is `failed` with `Permission denied
#   (publickey)` and the host's name; a host whose sshd does not answer
#   (SIGSTOPped) is `connecting`, then `connected` once sshd resumes.
#   `fabric status` shows both (the text is printed for the record).
# - Where netd lives on the host: a wrong `--agent`, then the default `netd`
#   (on no PATH there) fail with the remote shell's words; `host set
#   --agent` with the right path brings the host back, live.
# - Seed 004: hosts with an IPv4 and an IPv6 underlay; a network with
#   --underlay-family ipv6 tunnels over IPv6 while the IPv4 one stays on
#   IPv4; an address on the tunnel's bridge, a static route through it
#   (`route add`) to a network behind the far host, and DHCP from the
#   jumphost's dnsmasq reaching a client across the IPv6 tunnel. A host
#   without an IPv6 underlay cannot join that network.

. "$(dirname "$0")/lib-lab.sh"

require_netns
lab_require
lab_keys
fab_switch
declare -A U4=([jump]=198.51.100.1 [hv1]=198.51.100.11 [hv2]=198.51.100.12 [hv3]=198.51.100.13
        [hv4]=198.51.100.14)
declare -A U6=([jump]=2001:db8:ffff::1 [hv1]=2001:db8:ffff::11 [hv2]=2001:db8:ffff::12)
declare -A NS=([jump]=${P}jh [hv1]=${P}hv1 [hv2]=${P}hv2)
fab_node jh "${U4[jump]}" "${U6[jump]}"
JH=${P}jh
for hv in hv1 hv2 hv3 hv4; do
        fab_node $hv "${U4[$hv]}" "${U6[$hv]:-}"
        lab_machine $hv "${U4[$hv]}" ${U6[$hv]:-}
done
for hv in hv1 hv2 hv3 hv4; do
        lab_sshd_start $hv || exit 1
done
check "the test's own client logs in to hv1 over ssh with the throwaway key" lab_ssh hv1 true

# host_add_ssh DESC NAME KEY [ARGS...] — one check: host add over ssh with
# KEY ("" = the authorized one), every underlay of the machine, and the
# built netd as the agent.
host_add_ssh() {
        local desc=$1 hv=$2 key=${3:-$T/ssh/id} a u=()
        shift 3
        for a in ${LAB_ADDRS[$hv]}; do
                u+=(--underlay "$a")
        done
        nctl_ok "$desc" host add "$hv" --connect "$(lab_connect "$hv" "$key")" --agent "$NETD" "${u[@]}" "$@"
}

# dhcp_across DESC CLUSTER NET MAC VM HV BRIDGE — allocates one-node
# CLUSTER on NET for MAC; VM namespace VM, plugged into BRIDGE on HV, must
# get the node's address by DHCP from the jumphost.
dhcp_across() {
        local ip
        nctl_ok "allocate cluster $2 on $3" allocate cluster "$2" --network "$3" --mac "master-0=$4"
        nctl --json cluster show "$2"
        ip=$(jget "$T/out" "d['nodes'][0]['ip']")
        fab_vm "$5" "$6" "$7" "$4" 1400
        check_eq "$1: $ip" "$ip" "$(dhcp "$5" "$4")"
}

# agent_parent_is_sshd HV — HV's agent runs as a child of an sshd session
# in HV's mount namespace (the agent came over ssh, not another way).
agent_parent_is_sshd() {
        local pid ppid
        pid=$(fab_agent_pids "$P$1" | head -n1)
        [ -n "$pid" ] || return 1
        ppid=$(ps -o ppid= -p "$pid" | tr -d ' ')
        [ "$(cat "/proc/$ppid/comm")" == sshd ] &&
                [ "$(readlink "/proc/$pid/ns/mnt")" == "$(readlink "/proc/${LAB_HOLDER[$1]}/ns/mnt")" ]
}

# new_agent HV OLD — true when HV runs exactly one agent and it is not OLD.
new_agent() {
        local p
        p=$(fab_agent_pids "$P$1")
        [ -n "$p" ] && [ "$(wc -w <<<"$p")" -eq 1 ] && [ "$p" != "$2" ]
}

netd_start main "$JH" managed || exit 1

# ---------------------------------------------------------------- over ssh

nctl_ok "network add lab (VNI 100, IPv4 underlay)" network add lab --cidr 192.0.2.0/24 --vni 100 \
        --mtu 1400 --interface br-lab --domain lab.example
nctl_ok "host add jump --connect local, two underlays" host add jump --connect local \
        --underlay "${U4[jump]}" --underlay "${U6[jump]}"
for hv in hv1 hv2; do
        host_add_ssh "host add $hv --connect 'ssh … root@${U4[$hv]}' --agent $NETD, two underlays" \
                $hv "" --bmc 192.0.2.250:8000
done
nctl_ok "network attach lab jump --address 192.0.2.1/24" network attach lab jump --address 192.0.2.1/24
nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "network attach lab hv2" network attach lab hv2
fab_check_all_ok "fabric status: jump, hv1, hv2 connected over ssh, every object ok" 30 jump hv1 hv2
check_host_state "hv1 is connected" 0 hv1 connected
check_eq "hv1 has no error" null "$(host_field hv1 error)"
for hv in hv1 hv2; do
        fab_check_link "$hv: vx100 is up on br-lab with local ${U4[$hv]} (the IPv4 underlay)" \
                "$P$hv" vx100 kind=vxlan vni=100 local="${U4[$hv]}" master=br-lab up=1
done
fab_check_fdb "hv1: vx100 floods to jump and hv2 over IPv4" "${P}hv1" vx100 "198.51.100.1 198.51.100.12"
check "hv1's agent is a child of hv1's sshd, in hv1's mount namespace" agent_parent_is_sshd hv1

# A VM on hv2 gets its address from the jumphost across the tunnel.
dhcp_across "vm1 on hv2 gets its address by DHCP from the jumphost, over ssh-built VXLAN" \
        sno lab 52:54:00:00:10:01 vm1 hv2 br-lab

# ---------------------------------------------------------------- agent killed

old=$(fab_agent_pids "${P}hv1")
mark=$(wc -l <"$NETD_LOG")
check "hv1 has exactly one agent before the kill" test "$(wc -w <<<"$old")" -eq 1
kill -KILL $old
ip -n "${P}hv1" link del vx100
check "after the kill, a new agent runs on hv1 (started again over ssh)" lab_poll 20 new_agent hv1 "$old"
fab_check_all_ok "after the kill: hv1 connected again, vx100 rebuilt, every object ok" 30 hv1
fab_check_link "hv1: vx100 is back, on br-lab, local 198.51.100.11" "${P}hv1" vx100 kind=vxlan \
        local=198.51.100.11 master=br-lab up=1
check "netd's log: the lost agent is reported naming hv1" lab_log_has "$mark" hv1 "agent lost"
check "netd's log: hv1's agent connected again, naming hv1" lab_log_has "$mark" hv1 "agent connected"
check "the new agent is again a child of hv1's sshd" agent_parent_is_sshd hv1

# ---------------------------------------------------------------- sshd down

mark=$(wc -l <"$NETD_LOG")
lab_sshd_stop hv1
kill -KILL $(fab_agent_pids "${P}hv1")
check_host_state "sshd of hv1 stopped and the agent gone: hv1 is failed" 20 hv1 failed
check "hv1's error carries ssh's own message (Connection refused)" \
        lab_poll 20 host_failed_with hv1 "Connection refused"
err=$(host_field hv1 error)
check "hv1's error names hv1: $err" grep -qw 'hv1' <<<"$err"
check "netd's log has ssh's message on a line naming hv1" lab_log_has "$mark" hv1 "Connection refused"
# Something goes missing while hv1 cannot be reached.
ip -n "${P}hv1" link del vx100
lab_sshd_start hv1 || exit 1
fab_check_all_ok "sshd of hv1 back: connected again and vx100 rebuilt without a command" 45 hv1
fab_check_link "hv1: vx100 exists again" "${P}hv1" vx100 kind=vxlan local=198.51.100.11 master=br-lab up=1
check_host_state "hv1 is connected" 0 hv1 connected
check_eq "hv1's error is cleared" null \
        "$(host_field hv1 error)"

# ---------------------------------------------------------------- seed 004: IPv6 underlay

nctl_ok "network add lab6 --underlay-family ipv6 (VNI 600)" network add lab6 --cidr 203.0.113.0/25 \
        --vni 600 --mtu 1400 --interface br-lab6 --domain lab6.example --underlay-family ipv6 \
        --reserve 203.0.113.100-203.0.113.126
nctl_ok "network attach lab6 jump --address 203.0.113.1/25" network attach lab6 jump --address 203.0.113.1/25
nctl_ok "network attach lab6 hv1 --address 203.0.113.126/25 (the far end of seed 004's tunnel)" \
        network attach lab6 hv1 --address 203.0.113.126/25
nctl_ok "network attach lab6 hv2" network attach lab6 hv2
fab_check_all_ok "fabric status: lab6 up on jump, hv1, hv2, every object ok" 30 jump hv1 hv2
for hv in jump hv1 hv2; do
        fab_check_link "$hv: vx600 tunnels over IPv6 (local ${U6[$hv]})" "${NS[$hv]}" vx600 kind=vxlan vni=600 \
                local="${U6[$hv]}" master=br-lab6 up=1
        fab_check_link "$hv: vx100 stays on IPv4 (local ${U4[$hv]})" "${NS[$hv]}" vx100 kind=vxlan vni=100 \
                local="${U4[$hv]}" up=1
done
fab_check_fdb "jump: vx600 floods to hv1 and hv2 over IPv6" "$JH" vx600 "2001:db8:ffff::11 2001:db8:ffff::12"
fab_check_fdb "hv1: vx600 floods to jump and hv2 over IPv6" "${P}hv1" vx600 "2001:db8:ffff::1 2001:db8:ffff::12"
fab_check_fdb "jump: vx100 still floods over IPv4" "$JH" vx100 "198.51.100.11 198.51.100.12"
check "hv1: br-lab6 carries 203.0.113.126/25" \
        bash -c "ip -n '${P}hv1' -o addr show dev br-lab6 | grep -qw 'inet 203.0.113.126/25'"

# The network behind hv1 (seed 004's svc0), reached from the jumphost
# through the tunnel by a static route.
ns_add svc && ip -n "${P}svc" link add eth0 type veth peer name svc0 netns "${P}hv1" &&
        ip -n "${P}svc" addr add 203.0.113.130/25 dev eth0 && ip -n "${P}svc" link set eth0 up &&
        ip -n "${P}svc" route add default via 203.0.113.129 &&
        ip -n "${P}hv1" addr add 203.0.113.129/25 dev svc0 && ip -n "${P}hv1" link set svc0 up &&
        ip netns exec "${P}hv1" sysctl -qw net.ipv4.ip_forward=1 || {
        not_ok "network svc behind hv1 (203.0.113.128/25) cabled"
        exit 1
}
nctl_ok "route add jump 203.0.113.128/25 --via 203.0.113.126 --dev br-lab6" \
        route add jump 203.0.113.128/25 --via 203.0.113.126 --dev br-lab6
check "jump: the route to 203.0.113.128/25 goes via 203.0.113.126 on br-lab6, proto 229" \
        bash -c "ip -n '$JH' route show 203.0.113.128/25 | grep -q 'via 203.0.113.126 dev br-lab6 proto 229'"
check "jump (the VIM) reaches 203.0.113.130 behind hv1 through the IPv6 tunnel" fab_ping jh 203.0.113.130

dhcp_across "vm6 on hv1 gets its address by DHCP from the jumphost across the IPv6 tunnel" \
        six lab6 52:54:00:00:60:01 vm6 hv1 br-lab6

# A host with only an IPv4 underlay cannot join the IPv6-underlay network.
mark=$(wc -l <"$NETD_LOG")
host_add_ssh "host add hv3 (IPv4 underlay only, the wrong key)" hv3 "$T/ssh/wrong"
nctl network attach lab6 hv3
expect_error "network attach lab6 hv3 (no IPv6 underlay): invalid" 1 invalid
check "the error names hv3 and ipv6: $ERR" bash -c "grep -q hv3 '$T/err' && grep -qi ipv6 '$T/err'"
check_eq "jump's vx600 flood set is unchanged" "2001:db8:ffff::11 2001:db8:ffff::12" "$(fab_fdb "$JH" vx600)"

# ---------------------------------------------------------------- wrong key, slow sshd

check_host_state "hv3 (the wrong key) is failed" 30 hv3 failed
check "hv3's error carries ssh's 'Permission denied (publickey)'" \
        lab_poll 20 host_failed_with hv3 "Permission denied (publickey)"
err=$(host_field hv3 error)
check "hv3's error names hv3: $err" grep -qw 'hv3' <<<"$err"
check "netd's log says 'Permission denied (publickey)' on a line naming hv3" \
        lab_log_has "$mark" hv3 "Permission denied (publickey)"
check "hv3's sshd saw the wrong key refused" grep -q "Failed publickey for root" "$T/lab/hv3/ssh/sshd.log"

kill -STOP "${LAB_SSHD[hv4]}"
host_add_ssh "host add hv4 (its sshd stopped: accepts, never answers)" hv4 ""
check_host_state "hv4 (sshd not answering) is connecting" 5 hv4 connecting
sleep 2
check_host_state "hv4 is still connecting 2 s later (not failed, not disconnected)" 0 hv4 connecting
check_eq "hv4's state in JSON is connecting" connecting "$(host_field hv4 state)"

nctl_ok "fabric status (text) with hv3 failed and hv4 connecting" fabric status
cp "$T/out" "$T/status-failed-connecting.txt"
info "---- fabric status: hv3 failed (wrong key), hv4 connecting (sshd stopped) ----"
while IFS= read -r line; do info "  $line"; done <"$T/status-failed-connecting.txt"
check "fabric status text shows hv3 failed with 'Permission denied (publickey)'" \
        bash -c "grep -w hv3 '$T/out' | grep -qw failed && grep -qF 'Permission denied (publickey)' '$T/out'"
check "fabric status text shows hv4 connecting" bash -c "grep -w hv4 '$T/out' | grep -qw connecting"
check "fabric status text shows hv1 connected" bash -c "grep -w hv1 '$T/out' | grep -qw connected"

kill -CONT "${LAB_SSHD[hv4]}"
check_host_state "hv4's sshd resumed: hv4 is connected" 30 hv4 connected
check_host_state "hv3 stays failed" 0 hv3 failed
fab_check_all_ok "jump, hv1, hv2 still connected, every object ok" 10 jump hv1 hv2

# Where netd lives on the host: a wrong --agent path, then the default
# (`netd`, on no PATH of the host), then the right one, each live.
nctl host set hv4 --agent /opt/nowhere/netd
expect_error "host set hv4 --agent /opt/nowhere/netd: stored, but the agent does not start (unavailable)" 1 unavailable
check "the answer names hv4 and says why: $ERR" \
        bash -c 'grep -qw hv4 "$1" && grep -qF "/opt/nowhere/netd: No such file or directory" "$1"' - "$T/err"
check "hv4 with a wrong --agent is failed, the shell's 'No such file or directory' in its error" \
        lab_poll 20 host_failed_with hv4 "/opt/nowhere/netd: No such file or directory"
info "hv4's error: $(host_field hv4 error)"
nctl host set hv4 --agent netd
expect_error "host set hv4 --agent netd (the default, on no PATH of the host): unavailable" 1 unavailable
check "hv4 with netd on no PATH is failed: 'netd: command not found'" \
        lab_poll 20 host_failed_with hv4 "netd: command not found"
info "hv4's error: $(host_field hv4 error)"
nctl_ok "host set hv4 --agent $NETD" host set hv4 --agent "$NETD"
check_host_state "hv4 is connected again with the right --agent" 30 hv4 connected

check "nothing of the machine's own ssh or libvirt was written (/root/.ssh, /etc/ssh, /etc/libvirt, /var/lib/libvirt, /run)" \
        lab_untouched
netd_stop
check_eq "netd stops cleanly" 0 "$NETD_STATUS"
exit 0
