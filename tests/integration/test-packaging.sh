#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package from a copy of the source tree with
# `dpkg-buildpackage -b -us -uc` and checks what it delivers: the binaries,
# the systemd unit (which must pass `systemd-analyze verify`), the sysusers.d
# and tmpfiles.d entries (applied to a scratch root), the man pages, the
# bash completion and /etc/netd/netd.conf as a conffile when the tree has
# them, the dependencies and the maintainer scripts.
#
# Run by hand:  bash tests/integration/test-packaging.sh
# NETD_TEST_KEEP=1 keeps the temp dir (build log, .deb, extracted tree).
# Exits 77 (skip) only when dpkg-buildpackage is missing outside CI.

set -u
set -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/netd-pkg.XXXXXX)
_N_OK=0
_N_FAIL=0
_PIDS=()

cleanup() {
        local rc=$? pid
        trap - EXIT
        for pid in "${_PIDS[@]}"; do
                kill -KILL "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
        done
        if [ -n "${NETD_TEST_KEEP:-}" ]; then
                echo "# kept $T"
        else
                rm -rf "$T"
        fi
        [ "$rc" -eq 77 ] && exit 77
        echo "# $_N_OK passed, $_N_FAIL failed"
        if [ "$_N_FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                exit 1
        fi
        exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
        _N_OK=$((_N_OK + 1))
        echo "ok - $*"
}

not_ok() {
        _N_FAIL=$((_N_FAIL + 1))
        echo "not ok - $*"
}

diag() {
        local line
        while IFS= read -r line; do
                printf '#   %s\n' "$line"
        done <<<"$*"
}

# expect_path DESC PATH — ok when the package's file list has PATH.
expect_path() {
        if grep -qxF -- "$2" "$T/contents"; then
                ok "$1 ($2)"
        else
                not_ok "$1: $2 is not in the package"
        fi
}

if ! command -v dpkg-buildpackage >/dev/null; then
        if [ "${CI:-}" == true ]; then
                not_ok "dpkg-buildpackage is missing (CI=true, not skipping)"
                exit 1
        fi
        echo "# SKIP dpkg-buildpackage is missing (apt-get install dpkg-dev debhelper)"
        exit 77
fi

# ---------------------------------------------------------------- build

# dpkg-buildpackage wants ./debian at the source root and writes the .deb
# next to it; a copy keeps both (and the build dir) out of the real tree.
# Untracked files are part of the copy too, so that a change is tested
# before it is committed; ignored ones (build dirs) are not.
SRC=$T/netd
mkdir -p "$SRC"
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$TOP" ls-files -z --cached --others --exclude-standard |
                (cd "$TOP" && while IFS= read -r -d '' f; do
                        [ -e "$f" ] && printf '%s\0' "$f"
                done) |
                tar -C "$TOP" --null -T - -cf - | tar -C "$SRC" -xf - ||
                { not_ok "copy the source tree to $SRC"; exit 1; }
else
        tar -C "$TOP" --exclude='./build' --exclude='./build-*' --exclude='./debian' -cf - . |
                tar -C "$SRC" -xf - || { not_ok "copy the source tree to $SRC"; exit 1; }
fi
rm -rf "$SRC/debian"
ln -s packaging/debian "$SRC/debian"
# Decided on the sources, before the build adds files of its own.
completion=$(cd "$SRC" && find . -type f -iname '*completion*' -print -quit)

start=$SECONDS
if (cd "$SRC" && LC_ALL=C.UTF-8 dpkg-buildpackage -b -us -uc --jobs=auto) >"$T/build.log" 2>&1; then
        ok "dpkg-buildpackage -b -us -uc builds ($((SECONDS - start)) s)"
else
        not_ok "dpkg-buildpackage -b -us -uc failed ($((SECONDS - start)) s)"
        diag "$(tail -n 40 "$T/build.log")"
        exit 1
fi

VERSION=$(cd "$SRC" && dpkg-parsechangelog -S Version)
UPSTREAM=${VERSION%-*}
ARCH=$(dpkg-architecture -q DEB_HOST_ARCH)
DEB=$T/netd_${VERSION}_${ARCH}.deb
if [ -f "$DEB" ]; then
        ok "the binary package is ${DEB##*/}"
else
        not_ok "no ${DEB##*/}; the build made: $(cd "$T" && echo *.deb)"
        exit 1
fi

# ---------------------------------------------------------------- contents

# Paths as dpkg would install them, e.g. /usr/sbin/netd.
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed -e 's|^\./|/|' -e 's|/$||' >"$T/contents"

expect_path "the daemon" /usr/sbin/netd
expect_path "the client" /usr/bin/netctl
expect_path "the sysusers.d entry" /usr/lib/sysusers.d/netd.conf
expect_path "the tmpfiles.d entry" /usr/lib/tmpfiles.d/netd.conf
expect_path "the copyright file" /usr/share/doc/netd/copyright
# Debian 12's dh_installsystemd only looks in /lib/systemd/system.
expect_path "the systemd unit" /lib/systemd/system/netd.service

# Man pages, completion and configuration are written by other parts of the
# tree; whatever the tree has must reach the package.
n_man=0
for scd in "$SRC"/docs/*.scd; do
        [ -e "$scd" ] || continue
        page=${scd##*/}
        page=${page%.scd}
        section=${page##*.}
        expect_path "man page ${page%.*}($section)" "/usr/share/man/man$section/$page.gz"
        n_man=$((n_man + 1))
done
[ "$n_man" -eq 0 ] && echo "# no docs/*.scd in the tree: no man pages expected"

if [ -n "$completion" ]; then
        expect_path "bash completion for netctl" /usr/share/bash-completion/completions/netctl
else
        echo "# no bash completion in the tree: none expected"
fi

if [ -f "$SRC/packaging/netd.conf.example" ]; then
        expect_path "the configuration file" /etc/netd/netd.conf
        conffiles=$(dpkg-deb -I "$DEB" conffiles 2>&1)
        if grep -qxF /etc/netd/netd.conf <<<"$conffiles"; then
                ok "/etc/netd/netd.conf is a conffile"
        else
                not_ok "/etc/netd/netd.conf is not a conffile: $conffiles"
        fi
else
        echo "# no packaging/netd.conf.example in the tree: no /etc/netd/netd.conf expected"
fi

# Nothing of the build or test tree leaks into the package.
leaks=$(grep -E '/(include|tests?|obj-[^/]*)(/|$)|\.(a|o|h)$' "$T/contents")
if [ -z "$leaks" ]; then
        ok "no headers, objects or tests in the package"
else
        not_ok "build leftovers in the package"
        diag "$leaks"
fi

# ---------------------------------------------------------------- control

depends=$(dpkg-deb -f "$DEB" Depends)
missing=""
for want in dnsmasq-base libevent libsqlite3 libjson-c libnl-route-3 libvirt libc6; do
        grep -q "$want" <<<"$depends" || missing="$missing $want"
done
if [ -z "$missing" ]; then
        ok "Depends has dnsmasq-base and the shared libraries"
else
        not_ok "Depends lacks$missing: $depends"
fi
recommends=$(dpkg-deb -f "$DEB" Recommends)
if grep -qw openssh-client <<<"$recommends"; then
        ok "Recommends openssh-client"
else
        not_ok "Recommends: '$recommends' lacks openssh-client"
fi

# postinst: the group first, then the directories (owned by that group),
# then the unit.
dpkg-deb -e "$DEB" "$T/DEBIAN"
postinst=$T/DEBIAN/postinst
l_users=$(grep -n 'systemd-sysusers.*netd\.conf' "$postinst" 2>/dev/null | head -n 1 | cut -d: -f1)
l_tmp=$(grep -n 'systemd-tmpfiles.*--create.*netd\.conf' "$postinst" 2>/dev/null | head -n 1 | cut -d: -f1)
l_unit=$(grep -n 'deb-systemd-helper.* enable .*netd\.service' "$postinst" 2>/dev/null | head -n 1 | cut -d: -f1)
if [ -n "$l_users" ] && [ -n "$l_tmp" ] && [ -n "$l_unit" ] && [ "$l_users" -lt "$l_tmp" ] &&
        [ "$l_tmp" -lt "$l_unit" ]; then
        ok "postinst runs systemd-sysusers, then systemd-tmpfiles, then enables netd.service"
else
        not_ok "postinst: sysusers at line '${l_users}', tmpfiles at '${l_tmp}', enable at '${l_unit}'"
        diag "$(cat "$postinst" 2>/dev/null)"
fi
if grep -q 'deb-systemd-invoke stop.*netd\.service' "$T/DEBIAN/prerm" 2>/dev/null &&
        grep -q 'deb-systemd-helper purge.*netd\.service' "$T/DEBIAN/postrm" 2>/dev/null; then
        ok "prerm stops netd.service, postrm purges its enablement"
else
        not_ok "prerm/postrm do not handle netd.service"
fi

# ---------------------------------------------------------------- files

ROOT=$T/root
dpkg-deb -x "$DEB" "$ROOT"

out=$("$ROOT/usr/sbin/netd" --version 2>&1)
if grep -qF "$UPSTREAM" <<<"$out"; then
        ok "the packaged netd runs: $out"
else
        not_ok "packaged netd --version: '$out' (want $UPSTREAM)"
fi

if [ -f "$ROOT/etc/netd/netd.conf" ]; then
        if cmp -s "$ROOT/etc/netd/netd.conf" "$SRC/packaging/netd.conf.example"; then
                ok "/etc/netd/netd.conf is packaging/netd.conf.example"
        else
                not_ok "/etc/netd/netd.conf differs from packaging/netd.conf.example"
        fi
        if out=$("$ROOT/usr/sbin/netd" --check-config --config "$ROOT/etc/netd/netd.conf" 2>&1); then
                ok "the packaged netd accepts the packaged /etc/netd/netd.conf"
        else
                not_ok "packaged netd --check-config rejects the packaged /etc/netd/netd.conf"
                diag "$out"
        fi
fi

unit=$ROOT/lib/systemd/system/netd.service
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit" 2>/dev/null)
if [ "$exec_start" == /usr/sbin/netd ]; then
        ok "ExecStart runs the packaged /usr/sbin/netd"
else
        not_ok "ExecStart is '$exec_start', not /usr/sbin/netd"
fi

# systemd-analyze verify checks that ExecStart= is executable and that the
# Documentation= man pages exist, both on the host. The binary and the man
# pages are the package's, so the unit is verified from a copy whose
# ExecStart= names the extracted binary, with man looking in the extracted
# man pages only. Errors of other units (a host's own) are not ours.
mkdir -p "$T/verify"
sed "s|^ExecStart=/usr/sbin/netd|ExecStart=$ROOT/usr/sbin/netd|" "$unit" >"$T/verify/netd.service"
man_opt=(--man=no)
if [ "$n_man" -gt 0 ]; then
        man_opt=(--man=yes)
else
        echo "# no man pages in the package: Documentation= is not checked"
fi
if out=$(cd "$T" && MANPATH=$ROOT/usr/share/man SYSTEMD_LOG_LEVEL=notice \
        systemd-analyze verify --recursive-errors=no "${man_opt[@]}" "$T/verify/netd.service" 2>&1) &&
        [ -z "$out" ]; then
        ok "systemd-analyze verify netd.service: clean"
else
        not_ok "systemd-analyze verify netd.service"
        diag "$out"
fi

# The sysusers and tmpfiles entries, applied to an empty root the way the
# postinst applies them to /: group netd is a system group, /run/netd is
# 0750 root:netd, /var/lib/netd 0750 root:root.
SYS=$T/sysroot
mkdir -p "$SYS/etc"
if out=$(systemd-sysusers --root="$SYS" "$ROOT/usr/lib/sysusers.d/netd.conf" 2>&1); then
        gid=$(awk -F: '$1 == "netd" { print $3 }' "$SYS/etc/group" 2>/dev/null)
        if [ -n "$gid" ] && [ "$gid" -gt 0 ] && [ "$gid" -lt 1000 ]; then
                ok "systemd-sysusers creates system group netd (gid $gid)"
        else
                not_ok "systemd-sysusers: no system group netd in $(cat "$SYS/etc/group" 2>&1)"
        fi
else
        not_ok "systemd-sysusers failed"
        diag "$out"
fi
if out=$(systemd-tmpfiles --root="$SYS" --create "$ROOT/usr/lib/tmpfiles.d/netd.conf" 2>&1); then
        run=$(stat -c '%a %u %g' "$SYS/run/netd" 2>&1)
        lib=$(stat -c '%a %u %g' "$SYS/var/lib/netd" 2>&1)
        if [ "$run" == "750 0 ${gid:-?}" ] && [ "$lib" == "750 0 0" ]; then
                ok "systemd-tmpfiles makes /run/netd 0750 root:netd and /var/lib/netd 0750 root:root"
        else
                not_ok "systemd-tmpfiles: /run/netd is '$run' (want 750 0 ${gid:-?}), /var/lib/netd '$lib'"
        fi
else
        not_ok "systemd-tmpfiles --create failed"
        diag "$out"
fi

# Type=notify with NotifyAccess=main: the packaged netd itself (not a child)
# must send READY=1, and only once its socket serves requests. The unit's
# view is reproduced with a notify socket of our own that records the
# sender's pid. dnsmasq is off and the database empty: nothing on the host
# is touched.
RUN=$T/run
mkdir -p "$RUN"
: >"$RUN/empty.conf"
python3 - "$RUN/notify" "$RUN/ready" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = next((struct.unpack("3i", data[:12])[0] for level, kind, data in anc
                    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS), 0)
        if "READY=1" in msg.decode(errors="replace").split("\n"):
            open(sys.argv[2], "w").write("%d\n" % pid)
            break
except socket.timeout:
    sys.exit(1)
PY
listener=$!
_PIDS+=("$listener")
for ((i = 0; i < 100; i++)); do
        [ -S "$RUN/notify" ] && break
        sleep 0.05
done
NOTIFY_SOCKET=$RUN/notify "$ROOT/usr/sbin/netd" --config "$RUN/empty.conf" --state-dir "$RUN/state" \
        --socket "$RUN/netd.sock" --dnsmasq off 2>"$RUN/netd.log" &
netd_pid=$!
_PIDS+=("$netd_pid")
if wait "$listener" && [ "$(cat "$RUN/ready")" == "$netd_pid" ]; then
        ok "the packaged netd (pid $netd_pid) sends READY=1 itself"
        if out=$(timeout 30 "$ROOT/usr/bin/netctl" --socket "$RUN/netd.sock" network list 2>&1); then
                ok "at READY=1 the socket serves: netctl network list"
        else
                not_ok "READY=1 came before the socket served: netctl network list: $out"
        fi
else
        not_ok "the packaged netd sent no READY=1 of its own to \$NOTIFY_SOCKET within 30 s" \
                "(from pid '$(cat "$RUN/ready" 2>/dev/null)', netd is $netd_pid)"
        kill "$listener" 2>/dev/null
fi
kill -TERM "$netd_pid" 2>/dev/null
if wait "$netd_pid"; then
        ok "the packaged netd stops cleanly on SIGTERM"
else
        not_ok "the packaged netd exited $? on SIGTERM"
        diag "$(tail -n 20 "$RUN/netd.log")"
fi
