#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real firmware boots from netd: a QEMU guest (TCG, no KVM) whose NIC ROM is
# Debian's iPXE (ipxe-qemu) sits on a tap in the netd bridge of hypervisor
# namespace hv1; netd's managed dnsmasq runs in the jumphost and is reached
# over the VXLAN overlay that netd built (network attach with a VNI).
# The serial console must show: the allocated address, the network's MTU,
# the node's host name and domain, the iPXE script fetched over HTTP from
# the jumphost (its marker), a file fetched over TFTP from --tftp-root (its
# marker); then `netctl node set --ipxe-script` to a second script and a
# reset of the guest shows the second script's marker.
# Every wait is bounded; the EXIT trap stops QEMU, the HTTP server, netd
# and deletes the namespaces.

. "$(dirname "$0")/lib-fabric.sh"

require_netns

# The firmware test is never skipped for a missing package: install-deps.sh
# installs them (qemu-system-x86, ipxe-qemu).
QEMU=$(command -v qemu-system-x86_64) || {
        not_ok "qemu-system-x86_64 is installed (packaging/install-deps.sh: qemu-system-x86)"
        exit 1
}
ROM=
for r in /usr/share/qemu/efi-virtio.rom /usr/lib/ipxe/qemu/efi-virtio.rom; do
        [ -r "$r" ] && ROM=$r && break
done
check "the iPXE ROM of virtio-net-pci is installed (ipxe-qemu): ${ROM:-none}" test -n "$ROM"
check "/dev/net/tun exists (QEMU's tap)" test -c /dev/net/tun

fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
JH=${P}jh
HV=${P}hv1
D=lab.example
HTTP=http://192.0.2.1:8080
MTU=1450

# The scripts the guest runs. Markers start a line and stay short: iPXE
# wraps its output at 80 columns.
mkdir -p "$T/http" "$T/tftp"
cat >"$T/http/net.ipxe" <<'EOF'
#!ipxe
echo NETD-MARKER-ONE
echo NETD-ADDR ${net0/ip}
echo NETD-MTU ${net0/mtu}
echo NETD-NAME ${hostname}.${domain}
echo NETD-NEXT ${next-server}
chain tftp://${next-server}/stage2.ipxe || echo NETD-TFTP-FAILED
EOF
cat >"$T/tftp/stage2.ipxe" <<'EOF'
#!ipxe
echo NETD-TFTP-FETCHED
shell
EOF
cat >"$T/http/node.ipxe" <<'EOF'
#!ipxe
echo NETD-MARKER-TWO
echo NETD-ADDR ${net0/ip}
shell
EOF
chmod 0644 "$T/http/"* "$T/tftp/"*
chmod 0755 "$T/tftp" "$T/http"

netd_start main "$JH" managed || exit 1

nctl_ok "network add lab (VNI 100, MTU $MTU, boot: iPXE script, TFTP root)" \
        network add lab --cidr 192.0.2.0/24 --vni 100 --mtu $MTU --interface br-lab --domain $D \
        --reserve 192.0.2.2-192.0.2.9 --boot-file undionly.kpxe --tftp-root "$T/tftp" \
        --ipxe-script "$HTTP/net.ipxe" || exit 1
nctl_ok "host add jump --connect local" host add jump --connect local --underlay 198.51.100.1
fab_host_add hv1 198.51.100.11
nctl_ok "network attach lab jump --address 192.0.2.1/24" network attach lab jump --address 192.0.2.1/24
nctl_ok "network attach lab hv1" network attach lab hv1
fab_check_all_ok "fabric status: jump and hv1 connected, bridge, VXLAN and flood entries ok" 20 jump hv1
fab_check_link "hv1: br-lab has MTU $MTU" "$HV" br-lab kind=bridge mtu=$MTU up=1

nctl --json allocate cluster sno --network lab
cp "$T/out" "$T/sno.json"
if [ "$RC" -ne 0 ]; then
        not_ok "allocate cluster sno"
        diag "exit $RC: $ERR"
        exit 1
fi
ok "allocate cluster sno"
read -r MAC IP < <(jget "$T/sno.json" "[n['mac'] + ' ' + n['ip'] for n in d['nodes'] if n['name'] == 'master-0']")
info "sno/master-0: MAC $MAC, allocated $IP"

# The HTTP server of the iPXE scripts, on the jumphost's lab address.
ip netns exec "$JH" "$PY" -m http.server 8080 --bind 192.0.2.1 --directory "$T/http" \
        >"$T/http.log" 2>&1 </dev/null &
_BG_PIDS+=($!)
_LOGS+=("$T/http.log")
check "the HTTP server answers in the jumphost namespace" poll 10 \
        ip netns exec "$JH" "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$HTTP/"

# The guest's NIC: a tap on netd's bridge in hv1, the network's MTU set
# before it joins the bridge (as libvirt does).
ip -n "$HV" tuntap add tap-q1 mode tap &&
        ip -n "$HV" link set tap-q1 mtu $MTU &&
        ip -n "$HV" link set tap-q1 master br-lab up || {
        not_ok "tap-q1 plugged into br-lab on hv1"
        exit 1
}

# ---------------------------------------------------------------- the guest

SERIAL=$T/serial.log
MON=$T/mon.sock
: >"$SERIAL"
ip netns exec "$HV" timeout 240 "$QEMU" -machine pc,accel=tcg -m 256 -nodefaults -nographic \
        -netdev tap,id=n0,ifname=tap-q1,script=no,downscript=no \
        -device virtio-net-pci,netdev=n0,mac="$MAC" -boot n \
        -serial file:"$SERIAL" -monitor unix:"$MON",server,nowait -pidfile "$T/qemu.pid" \
        >"$T/qemu.out" 2>&1 </dev/null &
QEMU_PID=$!
_BG_PIDS+=($QEMU_PID)
_LOGS+=("$T/qemu.out")
T0=$(date +%s)

# console [FROM [TO]] — the serial console from byte FROM (to byte TO),
# escape codes and carriage returns stripped.
console() {
        head -c "${2:-1G}" "$SERIAL" 2>/dev/null | tail -c +$((${1:-0} + 1)) | tr -d '\r\b' |
                sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'
}

# wait_console DESC REGEX SECONDS [FROM] — ok once a console line (from
# byte FROM) matches REGEX; prints the line as proof. Bounded; fails at
# once when QEMU is gone or the firmware gave up (SeaBIOS: "No bootable
# device."); after a failed wait the next ones only look at what is there.
FAILED_WAIT=
wait_console() {
        local desc=$1 re=$2 secs=$3 from=${4:-0} end line
        [ -z "$FAILED_WAIT" ] || secs=1
        end=$(($(date +%s) + secs))
        while :; do
                line=$(console "$from" | grep -E -m1 -- "$re")
                if [ -n "$line" ]; then
                        ok "$desc (+$(($(date +%s) - T0)) s)"
                        info "console: $line"
                        return 0
                fi
                if ! alive "$QEMU_PID" || [ "$(date +%s)" -ge "$end" ] ||
                        console "$from" | grep -q '^No bootable device'; then
                        break
                fi
                sleep 0.5
        done
        not_ok "$desc"
        FAILED_WAIT=1
        if console "$from" | grep -q '^No bootable device'; then
                diag "the firmware gave up: no console line matching /$re/"
        elif alive "$QEMU_PID"; then
                diag "no console line matching /$re/ within $secs s"
        else
                diag "QEMU is gone: $(head -c 500 "$T/qemu.out")"
        fi
        diag "console (last 25 lines):"
        diag "$(console "$from" | grep -v '^\s*$' | tail -n 25)"
        return 1
}

# monitor CMD — one QEMU monitor command over its unix socket.
monitor() {
        timeout 10 "$PY" - "$MON" "$1" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
time.sleep(0.2)
try:
    s.recv(4096)
except OSError:
    pass
s.sendall((sys.argv[2] + "\n").encode())
time.sleep(0.3)
s.close()
EOF
}

esc() { # the dots of an address, URL or domain, quoted for grep -E
        sed 's/\./\\./g' <<<"$1"
}

# First boot: the network's script.
wait_console "the guest runs Debian's iPXE ROM" 'iPXE' 60 || exit 1
wait_console "iPXE gets its allocated address $IP from netd's dnsmasq across VXLAN" \
        "^net0: $(esc "$IP")/255\.255\.255\.0 gw 192\.0\.2\.1" 150 || exit 1
wait_console "the next server is the jumphost's own address (no --boot-server)" \
        '^Next server: 192\.0\.2\.1$' 10
wait_console "iPXE is given the --ipxe-script URL" "^Filename: $(esc "$HTTP/net.ipxe")" 10
wait_console "iPXE fetches the script over HTTP and runs it" '^NETD-MARKER-ONE' 60
wait_console "the script sees its address $IP" "^NETD-ADDR $(esc "$IP")\$" 20
wait_console "the guest was given MTU $MTU (\${net0/mtu})" "^NETD-MTU $MTU\$" 20
wait_console "the guest's host name and domain are its node FQDN" "^NETD-NAME master-0\.sno\.$(esc "$D")\$" 20
wait_console "iPXE fetches stage2.ipxe over TFTP from --tftp-root and runs it" '^NETD-TFTP-FETCHED' 60
check "the HTTP server served /net.ipxe" grep -q '"GET /net.ipxe HTTP' "$T/http.log"
check "dnsmasq's TFTP server sent stage2.ipxe from --tftp-root" \
        grep -qF "sent $T/tftp/stage2.ipxe to $IP" "$NETD_LOG"

# Re-install one node: its own script, then a reset of the guest.
nctl_ok "node set sno master-0 --ipxe-script $HTTP/node.ipxe" \
        node set sno master-0 --ipxe-script "$HTTP/node.ipxe"
FROM=$(stat -c %s "$SERIAL")
T0=$(date +%s)
check "system_reset over the QEMU monitor" monitor system_reset
FAILED_WAIT=
wait_console "after the reset, iPXE gets $IP again" \
        "^net0: $(esc "$IP")/255\.255\.255\.0 gw 192\.0\.2\.1" 150 "$FROM"
wait_console "after the reset, iPXE is given the node's own URL" "^Filename: $(esc "$HTTP/node.ipxe")" 20 "$FROM"
wait_console "the node's own script runs: the second marker" '^NETD-MARKER-TWO' 60 "$FROM"
wait_console "the second script sees $IP" "^NETD-ADDR $(esc "$IP")\$" 20 "$FROM"
check "the HTTP server served /node.ipxe" grep -q '"GET /node.ipxe HTTP' "$T/http.log"

monitor quit >/dev/null 2>&1
wait_dead "$QEMU_PID" 10

# The proof, for the record: the console lines of both boots, the HTTP
# server's requests and dnsmasq's TFTP transfers.
proof() {
        grep -E '^(iPXE 1|Configuring|net0: [0-9]|Next server|Filename|http://|tftp://|NETD-)' | sed 's/^/#   /'
}
echo "# ---- serial console, first boot (escape codes stripped)"
console 0 "$FROM" | proof
echo "# ---- netctl node set sno master-0 --ipxe-script $HTTP/node.ipxe; QEMU monitor: system_reset"
console "$FROM" | proof
echo "# ---- HTTP server (jumphost) and dnsmasq TFTP (netd's log)"
grep -h '"GET ' "$T/http.log" | sed 's/^/#   /'
grep -h 'dnsmasq-tftp.*sent' "$NETD_LOG" | sed 's/^/#   /'

# Under ASan/UBSan a leak or an error shows in netd's exit status.
netd_stop
check_eq "netd stops cleanly on SIGTERM (exit 0)" 0 "$NETD_STATUS"
exit 0
