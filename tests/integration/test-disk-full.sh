#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A full disk: the state dir is a small tmpfs (in a private mount namespace
# of this test). Filled up, an allocation answers `unavailable` naming the
# database and the reason, netd goes on (it used to exit 1) and keeps
# answering reads and DNS, the generated files stay as they were; once
# space is back the same allocation succeeds without a restart. A netd
# started on the full disk serves what is stored (it used to refuse).

if [ -z "${NETD_TEST_MOUNTNS:-}" ] && [ "$(id -u)" -eq 0 ]; then
        NETD_TEST_MOUNTNS=1 exec unshare -m --propagation private -- bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
D=lab.example

mkdir -p "$T/main/state"
if ! mount -t tmpfs -o size=3m,mode=0755 netd-test "$T/main/state"; then
        not_ok "a 3 MiB tmpfs as the state dir"
        exit 1
fi
# The mount goes before lib.sh's cleanup removes the temp dir.
trap '_rc=$?; umount -l "$T/main/state"; (exit $_rc); _cleanup' EXIT

# fill — takes every free block of the tmpfs.
fill() {
        dd if=/dev/zero of="$STATE/filler" bs=4k status=none 2>/dev/null
        dd if=/dev/zero of="$STATE/filler2" bs=512 status=none 2>/dev/null
        [ "$(stat -f -c %a "$STATE")" -eq 0 ]
}

# temp_left — a temporary file (.NAME.XXXXXX) left in the dnsmasq dirs.
temp_left() {
        find "$STATE/dnsmasq" -name '.*' -type f | grep -q .
}

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "allocate cluster pre" --json allocate cluster pre --topology compact
cp "$T/out" "$T/pre.json"
ingress=$(jget "$T/pre.json" 'd["ingress_vip"]')
ip0=$(jget "$T/pre.json" 'd["nodes"][0]["ip"]')
fqdn0=$(jget "$T/pre.json" 'd["nodes"][0]["fqdn"]')
digest_before=$(state_digest "$STATE/dnsmasq")

check "the state dir is full" fill
nctl allocate cluster during --topology sno
expect_error "allocate on a full disk: unavailable" 1 unavailable
check "the error names the database and the full disk" \
        grep -q "database $STATE/netd.db: .*the disk is full" "$T/err"
info "allocate on a full disk: $ERR"
check "netd did not exit" alive "$NETD_PID"
nctl_ok "cluster list on a full disk" --json cluster list
check_eq "only pre is stored" pre "$(jget "$T/out" '[c["name"] for c in d["clusters"]]')"
check_dns "dnsmasq answers on a full disk" "$JH" 192.0.2.1 "$fqdn0" A "$ip0"
check_dns "the *.apps responder answers on a full disk" "$JH" 192.0.2.1 "x.apps.pre.$D" A "$ingress"
check_eq "the generated files are as they were" "$digest_before" "$(state_digest "$STATE/dnsmasq")"
check "no temporary file is left" bash -c "! find '$STATE/dnsmasq' -name '.*' -type f | grep -q ."
nctl network add other --cidr 198.51.100.0/24 --domain other.example
expect_error "network add on a full disk: unavailable" 1 unavailable
check "netd still runs" alive "$NETD_PID"

rm -f "$STATE/filler" "$STATE/filler2"
nctl_ok "the same allocation once there is room, without a restart" --json allocate cluster during --topology sno
ip=$(jget "$T/out" 'd["nodes"][0]["ip"]')
fqdn=$(jget "$T/out" 'd["nodes"][0]["fqdn"]')
check_dns "and it is served" "$JH" 192.0.2.1 "$fqdn" A "$ip"
check_eq "netd was never restarted" 1 "$(grep -c '^=== netd start' "$NETD_LOG")"

# Room for the generated files but not for the COMMIT: the files are
# written and dnsmasq may read them, yet the answer is the failure (never a
# success for a change that is not stored), and the files go again.
dd if=/dev/zero of="$STATE/gap" bs=4k count=3 status=none
fill
rm -f "$STATE/gap"
nctl allocate cluster tight --topology sno
expect_error "files fit, the COMMIT does not: unavailable" 1 unavailable
check "the error is the full disk" grep -q "the disk is full" "$T/err"
info "files fit, the COMMIT does not: $ERR"
check "netd did not exit" alive "$NETD_PID"
nctl_ok "cluster list" --json cluster list
check_eq "tight is not stored" "during pre" "$(jget "$T/out" '" ".join(sorted(c["name"] for c in d["clusters"]))')"
check "its files are gone" test ! -e "$STATE/dnsmasq/hosts.d/tight"
rm -f "$STATE/filler" "$STATE/filler2"

# A start on a full disk serves what is stored.
netd_stop
check "the state dir is full again" fill
netd_start main "$JH" managed || exit 1
nctl_ok "netd started on a full disk: cluster list" --json cluster list
check_eq "both clusters are there" "during pre" "$(jget "$T/out" '" ".join(sorted(c["name"] for c in d["clusters"]))')"
check_dns "dnsmasq serves pre" "$JH" 192.0.2.1 "$fqdn0" A "$ip0"
check_dns "dnsmasq serves during" "$JH" 192.0.2.1 "$fqdn" A "$ip"
check_dns "the *.apps responder answers" "$JH" 192.0.2.1 "x.apps.pre.$D" A "$ingress"
nctl allocate cluster later --topology sno
expect_error "an allocation still needs room" 1 unavailable
rm -f "$STATE/filler" "$STATE/filler2"
nctl_ok "and succeeds once there is room" allocate cluster later --topology sno
