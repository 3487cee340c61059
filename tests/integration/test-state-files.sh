#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The state directory and its files: a state dir writable by group or
# others, not root's, or a symlink is refused at start, naming the path and
# what is wrong; a symlink planted as the database, its WAL or shared
# memory, the lease file or a dnsmasq directory is refused and its target
# left untouched; every file netd makes is 0640 root:netd (root's group when
# there is no group netd); a corrupted database is named.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
D=lab.example

# refused DESC STATE PATTERN — netd on STATE exits non-zero at start with
# one line matching PATTERN (grep -E) on stderr, without serving.
refused() {
        local desc=$1 state=$2 pattern=$3 rc
        ip netns exec "$JH" timeout 20 "$NETD" --state-dir "$state" --socket "$T/refused.sock" \
                --dnsmasq managed >"$T/refused.out" 2>&1 </dev/null
        rc=$?
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -qE "$pattern" "$T/refused.out"; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "exit $rc, expected a refusal matching: $pattern"
                diag "$(head -c 2000 "$T/refused.out")"
        fi
}

# victim FILE — a file of someone else's that netd must never touch.
victim() {
        echo "precious" >"$1"
        chmod 0604 "$1"
}

# untouched FILE — still "precious", still 0604.
untouched() {
        [ "$(cat "$1")" == precious ] && [ "$(stat -c %a "$1")" == 604 ]
}

group=root
getent group netd >/dev/null && group=netd

# ---- the state directory
mkdir -p "$T/s1"
chmod 0757 "$T/s1"
refused "state dir writable by others: refused" "$T/s1" \
        "state directory $T/s1 is writable by others \(mode 0757\): refusing to use it"
chmod 0775 "$T/s1"
refused "state dir writable by its group: refused" "$T/s1" \
        "state directory $T/s1 is writable by its group \(mode 0775\)"
chmod 0755 "$T/s1"
chown 65534 "$T/s1"
refused "state dir owned by another user: refused" "$T/s1" \
        "state directory $T/s1 is owned by uid 65534, not by uid 0"
chown 0 "$T/s1"
ln -s "$T/s1" "$T/s-link"
refused "state dir that is a symlink: refused" "$T/s-link" "state directory $T/s-link is a symbolic link"
check "nothing was made in the refused state dir" test -z "$(ls -A "$T/s1")"

# ---- planted symlinks
mkdir -p "$T/s2"
victim "$T/victim-db"
ln -s "$T/victim-db" "$T/s2/netd.db"
refused "netd.db a symlink: refused" "$T/s2" "database $T/s2/netd.db: $T/s2/netd.db is a symbolic link"
check "its target is untouched" untouched "$T/victim-db"
rm "$T/s2/netd.db"

# a real database, then its WAL and shared memory planted
netd_start main "$JH" managed || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "allocate cluster pre" allocate cluster pre --topology sno

# ---- modes: 0640, group netd (or root)
for f in netd.db netd.db-wal netd.db-shm dnsmasq/leases dnsmasq/dnsmasq.conf dnsmasq/hosts.d/pre \
        dnsmasq/dhcp-hosts.d/pre dnsmasq/dhcp-opts.d/pre; do
        check_eq "$f is 640 root:$group" "640 root:$group" "$(stat -c '%a %U:%G' "$STATE/$f")"
done
for d in dnsmasq dnsmasq/hosts.d; do
        check_eq "$d is 750" 750 "$(stat -c %a "$STATE/$d")"
done
netd_stop

for f in netd.db-wal netd.db-shm; do
        rm -f "$STATE/$f"
        victim "$T/victim-$f"
        ln -s "$T/victim-$f" "$STATE/$f"
        refused "$f a symlink: refused" "$STATE" "database $STATE/netd.db: $STATE/$f is a symbolic link"
        check "its target is untouched" untouched "$T/victim-$f"
        rm "$STATE/$f"
done

victim "$T/victim-leases"
mv "$STATE/dnsmasq/leases" "$T/leases.saved"
ln -s "$T/victim-leases" "$STATE/dnsmasq/leases"
refused "the lease file a symlink: refused" "$STATE" "$STATE/dnsmasq/leases is a symbolic link"
check "its target is untouched" untouched "$T/victim-leases"
rm "$STATE/dnsmasq/leases"
mv "$T/leases.saved" "$STATE/dnsmasq/leases"

mkdir -p "$T/elsewhere"
mv "$STATE/dnsmasq/hosts.d" "$T/hosts.saved"
ln -s "$T/elsewhere" "$STATE/dnsmasq/hosts.d"
refused "a dnsmasq directory a symlink: refused" "$STATE" "dnsmasq directory $STATE/dnsmasq/hosts.d is a symbolic link"
check "nothing was written through it" test -z "$(ls -A "$T/elsewhere")"
rm "$STATE/dnsmasq/hosts.d"
mv "$T/hosts.saved" "$STATE/dnsmasq/hosts.d"

# an older, looser database is tightened
chmod 0644 "$STATE/netd.db"
netd_start main "$JH" managed || exit 1
nctl_ok "netd starts again on the repaired state dir" cluster show pre
check_eq "netd.db tightened to 640" 640 "$(stat -c %a "$STATE/netd.db")"
netd_stop

# ---- a corrupted database is named
head -c 65536 /dev/urandom >"$STATE/netd.db"
rm -f "$STATE/netd.db-wal" "$STATE/netd.db-shm"
refused "a corrupted database: refused, naming it" "$STATE" "database $STATE/netd.db is corrupted"
