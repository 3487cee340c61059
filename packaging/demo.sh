#!/bin/bash
# The netd demo lab, on one machine, as root: a jumphost network namespace
# running netd with its SQLite database and its own dnsmasq, a "VM"
# namespace on the lab network, an SNO and a compact cluster allocated, the
# VM getting its address by DHCP and resolving the cluster's names, and the
# capacity report. Everything it creates is removed when it ends.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${NETD_BUILD:-$top/build}

"$top/packaging/install-deps.sh"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" >/dev/null
fi
ninja -C "$build" >/dev/null

netd=$build/netd/netd
netctl=$build/netctl/netctl
tag=netd-demo-$$
jump=$tag-jump
vm=$tag-vm
work=$(mktemp -d /tmp/netd-demo.XXXXXX)
sock=$work/netd.sock
netd_pid=

cleanup() {
	set +e
	[ -n "$netd_pid" ] && kill "$netd_pid" 2>/dev/null && wait "$netd_pid" 2>/dev/null
	ip netns del "$vm" 2>/dev/null
	ip netns del "$jump" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
nctl() { "$netctl" --socket "$sock" "$@"; }

step "A lab in two network namespaces: jumphost ($jump) and one VM ($vm)"
ip netns add "$jump"
ip netns add "$vm"
ip -n "$jump" link set lo up
ip -n "$vm" link set lo up
ip link add demo0 netns "$jump" type veth peer name eth0 netns "$vm"
ip -n "$jump" addr add 192.0.2.1/24 dev demo0
ip -n "$jump" link set demo0 up

step "netd starts in the jumphost, with its database and its own dnsmasq in $work"
ip netns exec "$jump" "$netd" --state-dir "$work/state" --socket "$sock" --log-level warn 2>"$work/netd.log" &
netd_pid=$!
for _ in $(seq 100); do nctl network list >/dev/null 2>&1 && break; sleep 0.1; done

step "A lab network (documentation range 192.0.2.0/24) served on demo0"
run "$netctl" --socket "$sock" network add lab --cidr 192.0.2.0/24 --interface demo0 \
	--reserve 192.0.2.2-192.0.2.9 --dhcp-range 192.0.2.200-192.0.2.249 --domain lab.example
nctl network show lab

step "Allocate an SNO cluster; the answer comes once dnsmasq serves it"
run "$netctl" --socket "$sock" allocate cluster sno
mac=$(nctl --json cluster show sno | python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"][0]["mac"])')

step "Allocate a compact cluster (3 masters + API and ingress VIPs)"
run "$netctl" --socket "$sock" allocate cluster hub --topology compact

step "The VM takes master-0's MAC ($mac) and asks for an address by DHCP"
ip -n "$vm" link set eth0 address "$mac"
ip -n "$vm" link set eth0 up
script=$work/udhcpc.sh
cat >"$script" <<'SH'
#!/bin/sh
# busybox udhcpc calls this with the lease in the environment.
if [ "$1" = bound ]; then
	ip addr add "$ip/${mask:-24}" dev "$interface"
	echo "  DHCP lease: $ip/${mask:-24} on $interface, host name $hostname, domain $domain, DNS $dns"
fi
exit 0
SH
chmod +x "$script"
ip netns exec "$vm" busybox udhcpc -i eth0 -n -q -t 5 -T 1 -s "$script" 2>/dev/null

step "The VM resolves the cluster's names through the jumphost's dnsmasq"
for name in master-0.sno.lab.example api.sno.lab.example api-int.sno.lab.example \
	console-openshift-console.apps.sno.lab.example api.hub.lab.example oauth.apps.hub.lab.example; do
	printf '  %-48s %s\n' "$name" "$(ip netns exec "$vm" dig @192.0.2.1 +short "$name")"
done
ip_sno=$(nctl --json cluster show sno | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_vip"])')
printf '  %-48s %s\n' "PTR $ip_sno" "$(ip netns exec "$vm" dig @192.0.2.1 +short -x "$ip_sno")"

step "Lab-wide capacity"
run "$netctl" --socket "$sock" report capacity
