#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# netctl builds and links with the core alone: a build configured with
# -Ddaemon=false and a pkg-config that knows json-c and nothing else (so
# libvirt, libnl, SQLite, libevent, libxml2, libyaml and libsystemd cannot
# even be found), then the binary runs.
set -u
src=${1:?usage: test-netctl-alone.sh SOURCE_ROOT}
tmp=$(mktemp -d /tmp/netd-netctl-alone.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; sed 's/^/#   /' "$tmp/log" | tail -20; failed=$((failed + 1)); }

mkdir "$tmp/pc"
cp "$(pkg-config --variable=pcfiledir json-c)/json-c.pc" "$tmp/pc/"
if PKG_CONFIG_LIBDIR="$tmp/pc" PKG_CONFIG_PATH="" meson setup "$tmp/b" "$src" -Ddaemon=false \
	>"$tmp/log" 2>&1; then
	ok "configure with only json-c known to pkg-config"
else
	not_ok "configure with only json-c known to pkg-config"
fi
if ninja -C "$tmp/b" netctl/netctl >"$tmp/log" 2>&1; then
	ok "netctl builds"
else
	not_ok "netctl builds"
fi
if ldd "$tmp/b/netctl/netctl" >"$tmp/log" 2>&1 &&
	! grep -Eq 'libvirt|libnl|sqlite|libevent|libxml|libyaml|libsystemd' "$tmp/log"; then
	ok "netctl links no daemon library"
else
	not_ok "netctl links no daemon library"
fi
if "$tmp/b/netctl/netctl" --help >"$tmp/log" 2>&1 && grep -q 'allocate cluster' "$tmp/log"; then
	ok "netctl --help runs"
else
	not_ok "netctl --help runs"
fi
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
