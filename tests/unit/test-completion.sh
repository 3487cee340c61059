#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The generated bash completion of netctl: command words and flags from the
# table, and names of networks, clusters and hosts from a real netd (run
# with dnsmasq off, in a temporary state directory, touching no interface).
#
# Usage: test-completion.sh COMPLETION NETCTL NETD
set -u

completion=$(realpath "$1") netctl=$(realpath "$2") netd=$(realpath "$3")
failures=0
tmp=$(mktemp -d /tmp/netd-completion.XXXXXX) || exit 1
netd_pid=

cleanup() {
	if [[ -n $netd_pid ]]; then
		kill "$netd_pid" 2>/dev/null
		wait "$netd_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# complete WORD... : runs the completion with the cursor at the end of the
# last word (give "" to complete a new word), as bash would, splitting at
# '=' and ':' like COMP_WORDBREAKS; leaves the candidates in COMPREPLY and
# what the completion wrote to stderr in $tmp/stderr.
complete_line() {
	local w
	COMP_WORDS=("$netctl")
	for w in "$@"; do
		# bash makes separate words of runs of '=' and ':'.
		while [[ $w =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
			[[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
			COMP_WORDS+=("${BASH_REMATCH[2]}")
			w=${BASH_REMATCH[3]}
			[[ -z $w ]] && continue 2
		done
		COMP_WORDS+=("$w")
	done
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="netctl $*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_netctl 2>"$tmp/stderr"
}

# expect LINE :: WORD... : the completion of LINE offers every WORD;
# a WORD written !W must not be offered.
expect() {
	local -a line=()
	local w
	while (($#)) && [[ $1 != "::" ]]; do
		line+=("$1")
		shift
	done
	(($#)) && shift
	complete_line "${line[@]}"
	for w in "$@"; do
		if [[ $w == !* ]]; then
			[[ " ${COMPREPLY[*]} " == *" ${w#!} "* ]] &&
				fail "'netctl ${line[*]}' offers ${w#!}: ${COMPREPLY[*]}"
		else
			[[ " ${COMPREPLY[*]} " == *" $w "* ]] ||
				fail "'netctl ${line[*]}' does not offer $w: ${COMPREPLY[*]:-nothing}"
		fi
	done
	[[ -s $tmp/stderr ]] && fail "'netctl ${line[*]}' wrote to stderr: $(cat "$tmp/stderr")"
}

# expect_none LINE... : nothing is offered.
expect_none() {
	complete_line "$@"
	((${#COMPREPLY[@]} == 0)) || fail "'netctl $*' offers ${COMPREPLY[*]}, expected nothing"
	[[ -s $tmp/stderr ]] && fail "'netctl $*' wrote to stderr: $(cat "$tmp/stderr")"
}

# shellcheck source=/dev/null
source "$completion" || {
	echo "FAIL: $completion does not load"
	exit 1
}
[[ $(complete -p netctl 2>/dev/null) == "complete -F _netctl netctl" ]] ||
	fail "complete -p netctl: $(complete -p netctl 2>&1)"

# Words and flags, from the table; no daemon is listening.
export NETD_SOCKET=$tmp/none.sock
expect net :: network '!allocate'
expect "" :: network allocate release cluster report host link route fabric
expect network "" :: add list show remove attach detach '!cluster'
expect fabric s :: status sync
expect allocate cluster x -- :: --topology --network --masters --workers --mac --socket --json
expect allocate cluster x --topology "" :: sno compact mno
expect allocate cluster x --topology=c :: compact '!sno'
expect allocate cluster x --mac master-0=52:54:00:12:34:56 -- :: --topology --mac
expect network add lab --cidr 192.0.2.0/24 -- :: --reserve '!--cidr'
expect network add lab --reserve 192.0.2.2-192.0.2.9 --re :: --reserve
expect link add hv1 "" :: veth
expect network detach lab hv1 -- :: --force
expect network "" :: set
expect network set lab --no :: --no-boot --no-dhcp-option '!--mtu'
expect network set lab --dhcp-option ntp-server=192.0.2.1 --dhcp-option dns-server=192.0.2.53 -- :: \
	--dhcp-option --no-dhcp-option --boot-file --ipxe-script '!--name'
expect network set lab --mtu 1400 -- :: --reserve '!--mtu'
expect network set lab --no-dhcp-option "" :: ntp-server classless-static-route tftp-server '!lab'
expect network set lab --no-dhcp-option d :: domain-search dns-server '!router'
expect network add lab --cidr 192.0.2.0/24 --b :: --boot-file --boot-file-efi --boot-server --bridge
mkdir -p "$tmp/tftp/ipxe"
expect network add lab --tftp-root "$tmp/tf" :: "$tmp/tftp"
expect "" :: node
expect node "" :: set
expect node set sno master-0 -- :: --ipxe-script --boot-file --boot
expect node set sno master-0 --boot "" :: network
expect node set sno master-0 --boot=n :: network
expect_none node set sno master-0 --ipxe-script ""
expect -o "" :: json text
expect -- :: --timeout --socket
expect_none --timeout ""
expect_none network list --timeout=""
expect --timeout 5 net :: network
expect report capacity -- :: --csv --json --network
expect_none frobnicate ""
expect_none network show lab ""
expect_none network add ""
# netd is down: names complete to nothing, quietly.
expect_none network show ""
expect_none allocate cluster x --network ""

# Names, from a running netd.
if (($(id -u) != 0)); then
	echo "SKIP: names from netd (netd's socket admits root or group netd only)"
	exit $((failures > 0))
fi
sock=$tmp/netd.sock
"$netd" --config /dev/null --state-dir "$tmp/state" --socket "$sock" --dnsmasq off --log-level warn \
	2>"$tmp/netd.log" &
netd_pid=$!
for ((i = 0; i < 100; i++)); do
	"$netctl" --socket "$sock" network list >/dev/null 2>&1 && break
	kill -0 "$netd_pid" 2>/dev/null || break
	sleep 0.1
done
run() {
	"$netctl" --socket "$sock" "$@" >/dev/null || {
		echo "FAIL: netctl $*"
		cat "$tmp/netd.log"
		exit 1
	}
}
run network add lab --cidr 192.0.2.0/24
run network add infra --cidr 198.51.100.0/24
run allocate cluster sno --network lab
run allocate cluster big --network infra --topology compact
# No agent is ever reached: `true` exits at once, so nothing is built.
run host add hv1 --connect true --underlay 203.0.113.11

export NETD_SOCKET=$sock
expect network show "" :: lab infra
expect network show l :: lab '!infra'
expect network remove "" :: lab infra
expect network attach "" :: lab infra '!hv1'
expect network attach lab "" :: hv1 '!lab'
expect allocate cluster x --network "" :: lab infra
expect allocate cluster x --network=i :: infra '!lab'
expect cluster show "" :: sno big '!master-0' '!lab'
expect release node "" :: sno big
expect allocate node s :: sno '!big'
expect node set "" :: sno big '!lab'
expect network set "" :: lab infra '!sno'
expect network set lab --no-dhcp-option "" :: ntp-server router '!lab' '!infra'
expect host remove "" :: hv1
expect vm list --host "" :: hv1
expect fabric sync "" :: hv1
expect_none network add ""
expect_none allocate cluster ""
unset NETD_SOCKET
expect --socket "$sock" network show "" :: lab infra
expect network show --socket="$sock" "" :: lab infra
expect_none network show ""

exit $((failures > 0))
