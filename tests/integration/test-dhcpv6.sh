#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DHCPv6 and router advertisements on an IPv6 network in managed mode
# (contract v1.1, "IPv6 and dual-stack", and the RA MTU line of "Networks"),
# seen by real clients in node namespaces:
# - rdisc6 sees the RA with the managed flag (stateful address conf.), no
#   autonomous prefix, and the network's MTU;
# - ISC `dhclient -6` and `dhcpcd` (dhcpcd-base) each obtain exactly the
#   address netd allocated to their MAC, live on `allocate` (no restart);
# - the node resolves its names over IPv6: AAAA and ip6.arpa PTR;
# - `release node` drops the node's DHCPv6 lease before it returns
#   (dhcp_release6), its RENEW gets no binding, and a fresh request gets
#   nothing;
# - external mode's lines pass `dnsmasq --test`.
# The clients' lease lines are printed as "# " lines.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup v6
. "$(dirname "$0")/lib-dhcp6.sh"
S6=2001:db8:1::1
D=lab6.example

# ---------------------------------------------------------------- the lab

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab6 with --interface and --mtu 1450 (no --dhcp-range)" \
        network add lab6 --cidr 2001:db8:1::/64 --interface jh0 --mtu 1450 --domain $D
nctl_ok "allocate cluster c6 (compact)" --json allocate cluster c6 --network lab6 --topology compact
cp "$T/out" "$T/c6.json"
node_ip() { jget "$T/c6.json" "[n['ip'] for n in d['nodes'] if n['name'] == '$1']"; }
node_mac() { jget "$T/c6.json" "[n['mac'] for n in d['nodes'] if n['name'] == '$1']"; }
IP0=$(node_ip master-0) MAC0=$(node_mac master-0)
IP1=$(node_ip master-1) MAC1=$(node_mac master-1)
info "master-0 $MAC0 $IP0, master-1 $MAC1 $IP1"

vm6_add n0 "$MAC0"
vm6_add n1 "$MAC1"
N0=${P}n0 N1=${P}n1

# ---------------------------------------------------------------- RA

ip netns exec "$N0" timeout 20 rdisc6 -1 -w 3000 eth0 >"$T/rdisc6" 2>&1
while read -r line; do info "rdisc6: $line"; done <"$T/rdisc6"
check "rdisc6: RA with the managed flag (Stateful address conf. Yes)" \
        grep -Eq 'Stateful address conf\. *: *Yes' "$T/rdisc6"
check "rdisc6: prefix 2001:db8:1::/64 not autonomous (no SLAAC)" \
        grep -Eq 'Autonomous address conf\. *: *No' "$T/rdisc6"
check "rdisc6: MTU 1450" grep -Eq 'MTU *: *1450 bytes' "$T/rdisc6"

# ---------------------------------------------------------------- DHCPv6

got=$(dhclient6 "$N0" n0)
check_eq "dhclient -6 on master-0's MAC gets exactly its address" "$IP0" "$got"
[ "$got" == "$IP0" ] || diag "$(head -c 2000 "$T/n0.out")"
while read -r line; do info "dhclient -6 lease: $line"; done < <(dhclient6_lease_lines n0)
info "server lease: $(server_leases "$IP0")"
check "master-0's eth0 carries $IP0/128" has_global6 "$N0" "$IP0/128"
check "dhclient -6 got the cluster's domain as search list" \
        grep -q 'dhcp6.domain-search "c6.lab6.example."' "$T/n0.leases"

dhcpcd6 "$N1" n1
poll 25 has_global6 "$N1" "$IP1/128"
check_eq "dhcpcd on master-1's MAC gets exactly its address" "$IP1/128" "$(global6 "$N1")"
while read -r line; do info "dhcpcd: $line"; done < <(grep -Ei 'adding address|IA_NA|leased|renew in' "$T/n1.log" | grep -v '^[A-Z][a-z][a-z] [0-9]')
info "server lease: $(server_leases "$IP1")"

# The node resolves its own names over IPv6.
poll 10 onlink6 "$N0" 2001:db8:1::/64 ||
        info "master-0 routes: $(ip -n "$N0" -6 route | tr '\n' ';')"
check_dns "master-0 resolves its AAAA over IPv6" "$N0" $S6 master-0.c6.$D AAAA "$IP0"
check_dns "master-0 resolves its PTR (ip6.arpa)" "$N0" $S6 "$IP0" -x "master-0.c6.$D."
check_dns "master-1 resolves its AAAA over IPv6" "$N1" $S6 master-1.c6.$D AAAA "$IP1"

# ---------------------------------------------------------------- day 2 + release

nctl_ok "allocate node c6 worker-0 (live: no restart)" --json allocate node c6 worker-0
cp "$T/out" "$T/w0.json"
IPW=$(jget "$T/w0.json" "[n['ip'] for n in d['nodes'] if n['name'] == 'worker-0']")
MACW=$(jget "$T/w0.json" "[n['mac'] for n in d['nodes'] if n['name'] == 'worker-0']")
[ -n "$IPW" ] || {
        nctl --json cluster show c6
        IPW=$(jget "$T/out" "[n['ip'] for n in d['nodes'] if n['name'] == 'worker-0']")
        MACW=$(jget "$T/out" "[n['mac'] for n in d['nodes'] if n['name'] == 'worker-0']")
}
vm6_add w0 "$MACW"
W0=${P}w0
dhcpcd6 "$W0" w0
WPID=$DHCPCD_PID
poll 25 has_global6 "$W0" "$IPW/128"
check_eq "dhcpcd on day-2 worker-0's MAC gets exactly its address" "$IPW/128" "$(global6 "$W0")"
poll 5 test -n "$(server_leases "$IPW")"
info "server lease: $(server_leases "$IPW")"
check "worker-0 has a lease in dnsmasq's lease file" test -n "$(server_leases "$IPW")"

nctl_ok "release node c6 worker-0" release node c6 worker-0
check_eq "released worker-0's DHCPv6 lease is gone when release returns" "" "$(server_leases "$IPW")"
check_nxdomain "released worker-0 is NXDOMAIN" "$JH" $S6 worker-0.c6.$D AAAA
grep -E 'dhcp_release6|releasing lease' "$NETD_LOG" | while read -r line; do info "netd: $line"; done

# Its RENEW now: dnsmasq answers no binding and makes no new lease.
: >"$T/w0.renew"
ip netns exec "$W0" nsenter -t "$WPID" -m dhcpcd -6 -N eth0 >"$T/w0.renew" 2>&1
poll 15 grep -qiE 'no ?binding' "$T/w0.log"
while read -r line; do info "dhcpcd after release: $line"; done < <(grep -iE 'RENEW|binding|no addresses' "$T/w0.log" | grep -v '^[A-Z][a-z][a-z] [0-9]' | tail -n 6)
check "released worker-0's RENEW: dnsmasq answered no binding" \
        grep -qiE 'no ?binding|NoBinding' "$T/w0.log"
check_eq "released worker-0's RENEW made no lease" "" "$(server_leases "$IPW")"
kill "$WPID" 2>/dev/null
wait_dead "$WPID" 5

# A fresh request from the released MAC gets nothing.
ip -n "$W0" -6 addr flush dev eth0 scope global
got=$(dhclient6 "$W0" w0-fresh)
check_eq "released worker-0: a fresh dhclient -6 gets nothing" "" "$got"
[ -z "$got" ] || diag "$(head -c 2000 "$T/w0-fresh.out")"
check_eq "released worker-0: still no lease" "" "$(server_leases "$IPW")"

# Still served: the other nodes, and master-0 again from a fresh client.
dhclient6_stop n0
ip -n "$N0" -6 addr flush dev eth0 scope global
check_eq "master-0 still gets its address after the release" "$IP0" "$(dhclient6 "$N0" n0-again)"

# ---------------------------------------------------------------- a /48

# dnsmasq serves /64 or longer: a /48 is served in the /64 of its gateway.
ip -n "$JH" addr add 2001:db8:100::1/48 dev jh0 nodad
nctl_ok "network add wide6 (/48) on jh0" network add wide6 --cidr 2001:db8:100::/48 --interface jh0 \
        --domain wide6.example
check "dnsmasq.conf: wide6 served in the gateway's /64" \
        grep -qx 'dhcp-range=set:net-wide6,2001:db8:100::,static,64,1h' "$STATE/dnsmasq/dnsmasq.conf"
nctl_ok "allocate cluster w6 on the /48" --json allocate cluster w6 --network wide6
IPV=$(jget "$T/out" "d['nodes'][0]['ip']")
MACV=$(jget "$T/out" "d['nodes'][0]['mac']")
vm6_add v0 "$MACV"
check_eq "dhclient -6 on the /48 node's MAC gets exactly its address" "$IPV" "$(dhclient6 "${P}v0" v0)"
info "server lease: $(server_leases "$IPV")"

# ---------------------------------------------------------------- external

mkdir -p "$T/ext"
netd_stop
netd_start ext "$JH" external --dnsmasq-dir "$T/ext" --dnsmasq-reload /bin/true || exit 1
nctl_ok "external: network add lab6" \
        network add lab6 --cidr 2001:db8:1::/64 --interface jh0 --mtu 1450 --domain $D
nctl_ok "external: allocate cluster x6" allocate cluster x6 --network lab6
check "external: networks file has RA, DHCPv6 range and MTU" \
        grep -qzE 'enable-ra.*dhcp-range=set:net-lab6,2001:db8:1::,static,64,1h.*ra-param=jh0,mtu:1450,0' \
        "$T/ext/_netd-networks.conf"
check "external: cluster file has the node's DHCPv6 host" \
        grep -qE '^dhcp-host=52:54:00(:[0-9a-f]{2}){3},set:cl-x6,set:nd-x6.master-0,\[2001:db8:1::[0-9a-f]+\]$' \
        "$T/ext/x6.conf"
check "external: dnsmasq --test accepts the whole directory" \
        dnsmasq --test --conf-file=/dev/null --conf-dir="$T/ext,*.conf"

exit 0
