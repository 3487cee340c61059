#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped packaging/netd.conf.example: `netd --check-config` parses it
# and prints every key; each setting of netd is documented in it; flags win
# over the file; a bad value names the file and line and exits 2.
set -u
NETD=${NETD:?}
EXAMPLE=${NETD_SOURCE:?}/packaging/netd.conf.example
T=$(mktemp -d /tmp/netd-test-check-config-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

keys="state-dir socket dnsmasq dnsmasq-dir dnsmasq-reload dnsmasq-binary dns-port log-level libvirt-timeout metrics"

if "$NETD" --check-config --config "$EXAMPLE" >"$T/out" 2>"$T/err"; then
        ok "netd --check-config --config packaging/netd.conf.example exits 0"
else
        not_ok "netd --check-config --config packaging/netd.conf.example exits 0"
        sed 's/^/#   /' "$T/err"
fi
for k in $keys; do
        check "the effective configuration shows $k" grep -Eq "^#? ?$k( =| is not set)" "$T/out"
        check "the example documents $k" grep -Eq "^#?$k = " "$EXAMPLE"
done
# Every long flag of netd's --help is a key of the file (but --config,
# --check-config, --version, --help).
for flag in $("$NETD" --help | grep -o -- '--[a-z-]*' | sort -u); do
        k=${flag#--}
        case $k in config | check-config | version | help | stdio) continue ;; esac
        check "flag --$k is a documented key" grep -Eq "^#?$k = " "$EXAMPLE"
done
check_eq() { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (want '$2', got '$3')"; fi; }
check_eq "the example's values are the defaults" \
        "$("$NETD" --check-config --config /dev/null | grep -v '^# effective')" \
        "$(grep -v '^# effective' "$T/out")"

printf 'dns-port = 5353\nlog-level = debug\nmetrics = [::1]:9464\n' >"$T/a.conf"
"$NETD" --check-config --config "$T/a.conf" --log-level warn >"$T/out" 2>&1
check "a file's dns-port is used" grep -qx "dns-port = 5353" "$T/out"
check "a flag wins over the file" grep -qx "log-level = warn" "$T/out"
check "an IPv6 metrics address is accepted" grep -qx "metrics = \[::1\]:9464" "$T/out"

printf 'state-dir = /srv/netd\n\ndns-port = 99999\n' >"$T/bad.conf"
"$NETD" --check-config --config "$T/bad.conf" >"$T/out" 2>"$T/err"
check_eq "a bad value exits 2" 2 $?
check "the error names the file and line" grep -q "bad.conf:3: dns-port" "$T/err"
printf 'nosuchkey = 1\n' >"$T/bad.conf"
"$NETD" --check-config --config "$T/bad.conf" >"$T/out" 2>"$T/err"
check "an unknown key is refused" grep -q 'unknown setting "nosuchkey"' "$T/err"
"$NETD" --check-config --metrics 'x' >"$T/out" 2>"$T/err"
check_eq "a bad --metrics exits 2" 2 $?

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
