#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dnsmasq supervision: killed again and again, netd's dnsmasq comes back
# with a growing back-off (up to 5 s); once a child has run a healthy
# minute the back-off starts over, so the next crash costs 100 ms of DNS
# and DHCP, not 5 s (it used to never reset). Each restart is one log line
# with the reason. The gap of each restart is printed.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
D=lab.example
HEALTHY=60

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "allocate cluster pre" --json allocate cluster pre --topology sno
ip0=$(jget "$T/out" 'd["nodes"][0]["ip"]')
fqdn0=$(jget "$T/out" 'd["nodes"][0]["fqdn"]')

# answers — dnsmasq gives the node's address.
answers() {
        dns "$JH" 192.0.2.1 "$fqdn0" A
        [ "$DNS_ANSWER" == "$ip0" ]
}

# crash — SIGKILL netd's dnsmasq; waits (bounded) until a new one answers
# and sets GAP_MS to how long DNS was gone.
crash() {
        local old new t0 i
        old=$(ns_pids_named "$JH" dnsmasq)
        t0=$(date +%s%N)
        kill -KILL $old
        GAP_MS=-1
        for ((i = 0; i < 300; i++)); do
                new=$(ns_pids_named "$JH" dnsmasq)
                if [ -n "$new" ] && [ "$new" != "$old" ] && answers; then
                        GAP_MS=$((($(date +%s%N) - t0) / 1000000))
                        return 0
                fi
                sleep 0.05
        done
        return 1
}

# restart_lines — the supervisor's lines about a dead dnsmasq.
restart_lines() {
        grep -E 'dnsmasq: killed by signal 9 \(SIGKILL\) after [0-9.]+ s; restarting in [0-9]+ ms$' "$NETD_LOG"
}

check "dnsmasq answers" poll 10 answers
gaps=()
for i in 1 2 3 4 5 6 7; do
        check "crash $i: a new dnsmasq answers" crash
        gaps+=("$GAP_MS")
done
info "DNS gap after each of 7 crashes in a row (ms): ${gaps[*]}"
check_eq "one log line per restart, with the signal" 7 "$(restart_lines | wc -l)"
check_eq "the back-off grew to 5 s" "restarting in 5000 ms" "$(restart_lines | tail -n1 | grep -o 'restarting in .*')"
check "no other line about the crashes" \
        test "$(grep -c 'dnsmasq: .*restarting in' "$NETD_LOG")" -eq 7

info "waiting ${HEALTHY} s: dnsmasq runs a healthy period"
sleep $((HEALTHY + 1))
check "dnsmasq still answers" answers
check "crash after a healthy period: a new dnsmasq answers" crash
info "DNS gap after a crash that follows a healthy minute: $GAP_MS ms"
check_eq "one more log line" 8 "$(restart_lines | wc -l)"
check_eq "the back-off started over" "restarting in 100 ms" "$(restart_lines | tail -n1 | grep -o 'restarting in .*')"
check "the line says how long it had run" bash -c "tail -n1 <<<'$(restart_lines | tail -n1)' | grep -qE 'after (6[1-9]|[7-9][0-9])\.[0-9] s'"
check "the gap is well below the 5 s back-off" test "$GAP_MS" -lt 4000
