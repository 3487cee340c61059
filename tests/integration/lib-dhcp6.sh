# SPDX-License-Identifier: GPL-2.0-or-later
# DHCPv6 clients in node namespaces, for the tests of IPv6 and dual-stack
# networks; sourced after lib.sh (and lab_setup v6), never run.
#
# Debian 12's busybox has no udhcpc6: IPv6 leases come from ISC
# `dhclient -6` and `dhcpcd` (dhcpcd-base); IPv4 from busybox udhcpc (lib.sh).

for prog in dhclient dhcpcd rdisc6 dhcp_release6; do
        if ! command -v "$prog" >/dev/null; then
                not_ok "$prog installed (packaging/install-deps.sh)"
                exit 1
        fi
done
# multicast snooping would hold back the first solicitations
ip -n "$SW" link set br0 type bridge mcast_snooping 0

# vm6_add NAME MAC — a node namespace with eth0 (MAC) cabled into the
# switch; DAD off before the link comes up, so clients can bind at once.
vm6_add() {
        local ns=$P$1
        ns_add "$1" &&
                ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 \
                        net.ipv6.conf.default.accept_dad=0 &&
                ip -n "$ns" link add eth0 address "$2" type veth peer name "v-$1" netns "$SW" &&
                ip netns exec "$ns" sysctl -q -w net.ipv6.conf.eth0.accept_dad=0 &&
                ip -n "$SW" link set "v-$1" master br0 up &&
                ip -n "$ns" link set eth0 up || {
                not_ok "node namespace $1 created"
                exit 1
        }
}

# The dhclient script applies the address (/128, as DHCPv6 gives it) and
# never touches resolv.conf.
cat >"$T/dhclient6.sh" <<'EOF'
#!/bin/sh
case "$reason" in
BOUND6|RENEW6|REBIND6|REBOOT6)
        echo "BOUND6 $new_ip6_address search=$new_dhcp6_domain_search"
        ip -6 addr replace "$new_ip6_address/128" dev "$interface" valid_lft "$new_max_life" \
                preferred_lft "$new_preferred_life";;
EXPIRE6|RELEASE6|STOP6)
        [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address/128" dev "$interface";;
esac
exit 0
EOF
chmod 755 "$T/dhclient6.sh"
echo 'timeout 12;' >"$T/dhclient6.conf"

# dhclient6 NS TAG — one `dhclient -6` run with a fresh lease file
# ($T/TAG.leases: an old one would send CONFIRM, which dnsmasq answers from
# the prefix alone); it stays in the background once bound (pid file
# $T/TAG.pid). DUID-LL: a DHCPv6 lease is keyed by DUID and IAID, so a
# fresh client with another DUID would not get the address while the first
# lease lives (README). Leaves its output in $T/TAG.out; prints the bound
# address (nothing when none).
dhclient6() {
        rm -f "$T/$2.leases"
        ip netns exec "$1" timeout 30 dhclient -6 -1 -v -D LL -cf "$T/dhclient6.conf" -lf "$T/$2.leases" \
                -pf "$T/$2.pid" -sf "$T/dhclient6.sh" eth0 >"$T/$2.out" 2>&1 </dev/null
        sed -n 's/^BOUND6 \([^ ]*\).*/\1/p' "$T/$2.out" | tail -n1
}

# dhclient6_stop TAG — stops the client of dhclient6 TAG (no release sent).
dhclient6_stop() {
        local pid
        pid=$(cat "$T/$1.pid" 2>/dev/null) || return 0
        kill "$pid" 2>/dev/null
        wait_dead "$pid" 5
}

# dhclient6_lease_lines TAG — the lines of the client's lease file that
# show the lease (IA_NA, address, lifetimes, DUIDs, search list).
dhclient6_lease_lines() {
        grep -E 'iaaddr|ia-na|starts|preferred-life|max-life|client-id|server-id|domain-search' "$T/$1.leases"
}

# dhcpcd6 NS TAG — dhcpcd for IPv6 in the background (its own mount
# namespace: /run/dhcpcd and /var/lib/dhcpcd are private), log $T/TAG.log.
# Sets DHCPCD_PID.
printf 'duid\nnoipv4ll\nipv6only\npersistent\nnohook resolv.conf\n' >"$T/dhcpcd.conf"
dhcpcd6() {
        : >"$T/$2.log"
        ip netns exec "$1" unshare -m --propagation private sh -c \
                "mount -t tmpfs none /run && mount -t tmpfs none /var/lib/dhcpcd &&
                 exec dhcpcd -f '$T/dhcpcd.conf' -c /bin/true -j '$T/$2.log' -d -6 -B -t 20 eth0" \
                >>"$T/$2.log" 2>&1 </dev/null &
        DHCPCD_PID=$!
}

# global6 NS — the global IPv6 addresses of eth0, space-separated.
global6() {
        ip -n "$1" -6 -o addr show dev eth0 scope global | awk '{print $4}' | tr '\n' ' ' | sed 's/ $//'
}

# has_global6 NS ADDR/LEN — true when eth0 of NS carries ADDR/LEN.
has_global6() {
        [[ " $(global6 "$1") " == *" $2 "* ]]
}

# onlink6 NS PREFIX — the RA's on-link route is there (dhclient -6 does not
# wait for the RA).
onlink6() {
        [ -n "$(ip -n "$1" -6 route show "$2")" ]
}

# server_leases IP — the lease lines of IP in managed dnsmasq's lease file.
server_leases() {
        awk -v ip="$1" '$3 == ip' "$STATE/dnsmasq/leases" 2>/dev/null
}
