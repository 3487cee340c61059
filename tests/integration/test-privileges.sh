#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Least privilege (contract, "Privileges, limits, time"): group netd runs
# queries, allocate, release and node set; commands that run a program or
# change a host (host, network add|set|remove|attach|detach, link, route,
# fabric sync) need uid 0 or group netd-admin; anyone else is `denied`.
# Peers are other uids made with setpriv (numeric ids, no accounts); groups
# netd and netd-admin are made for the test when missing and removed after.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup

# Throwaway groups, unless the machine has them (a real install).
_MADE_GROUPS=()
for g in netd netd-admin; do
        if ! getent group "$g" >/dev/null; then
                groupadd --system "$g" || {
                        not_ok "group $g created"
                        exit 1
                }
                _MADE_GROUPS+=("$g")
        fi
done
_priv_cleanup() {
        local rc=$? g
        for g in "${_MADE_GROUPS[@]}"; do
                groupdel "$g" 2>/dev/null
        done
        (exit "$rc")
        _cleanup
}
trap _priv_cleanup EXIT
G_NETD=$(getent group netd | cut -d: -f3)
G_ADMIN=$(getent group netd-admin | cut -d: -f3)
U=61000 # numeric uids nobody uses; no accounts needed
PWNED=$T/pwned

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab (root)" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain lab.example
nctl_ok "allocate cluster base (root)" allocate cluster base --network lab --topology compact

# The peers need to reach the socket and run a copy of netctl.
mkdir -p "$T/bin"
cp "$NETCTL" "$T/bin/netctl"
chmod 0755 "$T/bin" "$T/bin/netctl"
chmod 0711 "$T" "$T/main"
check_eq "the control socket is 0660 root:netd" "660 root netd" "$(stat -c '%a %U %G' "$SOCK")"

# as WHO ARGS... — netctl as one of the peers below; sets RC, OUT, ERR.
as() {
        local who=$1 ids
        shift
        case $who in
        member) ids=(--reuid=$((U + 1)) --regid=$((U + 1)) --groups="$G_NETD") ;;
        primary) ids=(--reuid=$((U + 2)) --regid="$G_NETD" --clear-groups) ;;
        admin) ids=(--reuid=$((U + 3)) --regid=$((U + 3)) --groups="$G_NETD,$G_ADMIN") ;;
        admin-only) ids=(--reuid=$((U + 4)) --regid=$((U + 4)) --groups="$G_ADMIN") ;;
        stranger) ids=(--reuid=$((U + 5)) --regid=$((U + 5)) --clear-groups) ;;
        esac
        "${TO[@]}" setpriv "${ids[@]}" "$T/bin/netctl" --socket "$SOCK" "$@" >"$T/out" 2>"$T/err" </dev/null
        RC=$?
        OUT=$(cat "$T/out")
        ERR=$(cat "$T/err")
        LAST_CMD="($who) netctl $*"
}

allowed() {
        local who=$1 desc=$2
        shift 2
        as "$who" "$@"
        if [ "$RC" -eq 0 ]; then
                ok "$who may $desc"
        else
                not_ok "$who may $desc"
                diag "command: $LAST_CMD"
                diag "exit $RC: $ERR"
        fi
}

denied() {
        local who=$1 desc=$2
        shift 2
        as "$who" --json "$@"
        expect_error "$who may not $desc -> denied" 1 denied
}

# ---------------------------------------------------------------- group netd

for who in member primary; do
        allowed "$who" "list networks" network list
        allowed "$who" "show a network" network show lab
        allowed "$who" "list clusters" cluster list
        allowed "$who" "show a cluster" cluster show base
        allowed "$who" "report capacity" report capacity
        allowed "$who" "list hosts" host list
        allowed "$who" "see the fabric's status" fabric status
        allowed "$who" "export a cluster" export inventory base
        allowed "$who" "allocate a cluster" allocate cluster "by-$who" --network lab
        allowed "$who" "allocate a node" allocate node "by-$who" worker-9
        allowed "$who" "set a node's boot" node set "by-$who" worker-9 --boot-file "ipxe.efi"
        allowed "$who" "release a node" release node "by-$who" worker-9
        allowed "$who" "release a cluster" release cluster "by-$who"

        denied "$who" "add a network" network add "n-$who" --cidr 198.51.100.0/24
        denied "$who" "change a network" network set lab --mtu 1400
        denied "$who" "remove a network" network remove lab
        denied "$who" "add a host (netd would run its --connect)" \
                host add "h-$who" --connect "touch $PWNED" --underlay 198.51.100.9
        denied "$who" "remove a host" host remove hv1
        denied "$who" "attach a network" network attach lab hv1
        denied "$who" "detach a network" network detach lab hv1
        denied "$who" "add a link" link add hv1 veth a0 --peer b0
        denied "$who" "remove a link" link remove hv1 a0
        denied "$who" "add a route" route add hv1 203.0.113.0/24 --via 198.51.100.1
        denied "$who" "remove a route" route remove hv1 203.0.113.0/24
        denied "$who" "sync the fabric" fabric sync
done
check "no --connect ran for a group netd member" test ! -e "$PWNED"
nctl_ok "network show lab (root)" --json network show lab
check "lab is unchanged by the refused network set" test "$(jget "$T/out" 'd.get("mtu")')" != 1400

# ---------------------------------------------------------------- netd-admin

allowed admin "add a network" network add adm --cidr 198.51.100.0/24
allowed admin "change a network" network set adm --mtu 1400
allowed admin "add a host" host add hv9 --connect "true" --underlay 198.51.100.9
allowed admin "sync the fabric" fabric sync
allowed admin "remove a host" host remove hv9
allowed admin "remove a network" network remove adm
allowed admin "allocate too" allocate cluster by-admin --network lab
allowed admin "release too" release cluster by-admin

# netd-admin alone cannot reach the socket (0660 root:netd): admins are in
# both groups, as README and netd(8) say.
as admin-only --json network list
expect_error "netd-admin without netd cannot reach the socket -> denied" 1 denied

# ---------------------------------------------------------------- others

as stranger --json network list
expect_error "a stranger (socket mode) -> denied" 1 denied
chmod 0666 "$SOCK"
as stranger --json network list
expect_error "a stranger on a world-writable socket (SO_PEERCRED) -> denied" 1 denied
as stranger --json allocate cluster evil --network lab
expect_error "a stranger cannot allocate -> denied" 1 denied
chmod 0660 "$SOCK"
nctl_ok "root may do anything: network add" network add rootnet --cidr 203.0.113.0/24
nctl_ok "root: network remove" network remove rootnet
check "netd's log names the uid denied a command" \
        grep -q "uid $((U + 1)) pid [0-9]* may not run network.add: denied" "$NETD_LOG"
nctl cluster list --json
check "nothing a denied peer asked for exists" bash -c "! grep -q evil '$T/out'"

netd_stop
check_eq "netd stops cleanly" 0 "$NETD_STATUS"
exit 0
