#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What DHCP hands out (contract v1.1, "Networks: what DHCP hands out, boot,
# changes", the DHCP-names rule and `node set` boot), seen by a real client:
# busybox udhcpc in VM namespaces asks netd's managed dnsmasq.
# - MTU: option 26 on the network with --mtu, none on another network;
# - names: two clusters' master-0 each get host name master-0 and domain
#   CLUSTER.DOMAIN; master-0.<network domain> never answers in DNS; this
#   holds through several releases with leases held (dnsmasq 2.90 crashes on
#   a SIGHUP then: netd must never cause that) and through a dnsmasq restart;
# - boot: BIOS, UEFI (client arch 7, 9) and iPXE clients each get their
#   file or script URL, siaddr = --boot-server, TFTP serves --tftp-root
#   read-only;
# - every --dhcp-option name reaches the client; bad values are `invalid`
#   and change nothing (JSON and generated files identical);
# - `network set` and `node set` are live when they return, and a restarted
#   netd serves the same;
# - --dnsmasq external: netd's conf-dir files give a dnsmasq of the test's
#   own the same MTU, names, boot and options.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
vm_add vm1
vm_add vm2
D=lab.example
URL=http://192.0.2.1:8080/boot.ipxe
NODE_URL=http://192.0.2.1:8080/node-1.ipxe

# A second network on its own segment: jh1 198.51.100.1/24 on switch
# bridge br1, VM vmo cabled into it.
OW=${P}vmo
ns_add vmo &&
        ip -n "$SW" link add br1 type bridge stp_state 0 &&
        ip -n "$SW" link set br1 up &&
        ip -n "$JH" link add jh1 type veth peer name p-jh1 netns "$SW" &&
        ip -n "$SW" link set p-jh1 master br1 up &&
        ip -n "$JH" addr add 198.51.100.1/24 dev jh1 &&
        ip -n "$JH" link set jh1 up &&
        ip -n "$OW" link add eth0 type veth peer name v-vmo netns "$SW" &&
        ip -n "$SW" link set v-vmo master br1 up &&
        ip -n "$OW" link set eth0 up || {
        not_ok "second segment (jh1, br1, vmo) cabled"
        exit 1
}

# The TFTP root: one world-readable file, one private file.
mkdir -p "$T/tftp"
echo NETD-TFTP-CONTENT >"$T/tftp/stage2.ipxe"
echo secret >"$T/tftp/private.txt"
chmod 0644 "$T/tftp/stage2.ipxe"
chmod 0600 "$T/tftp/private.txt"

# ---------------------------------------------------------------- helpers

# The udhcpc script prints every variable these checks read, one KEY=VALUE
# a line, then BOUND.
cat >"$T/.udhcpc-env.sh" <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
for k in ip mtu hostname domain boot_file bootfile siaddr ntpsrv dns router search staticroutes opt7 tftp; do
        eval "v=\${$k-}"
        [ -n "$v" ] && echo "$k=$v"
done
echo BOUND
exit 0
EOF
chmod 755 "$T/.udhcpc-env.sh"

# lease VM MAC [UDHCPC-ARGS...] — VM's eth0 gets MAC, udhcpc runs once;
# LEASE[KEY] holds what the client saw (empty when no lease).
declare -A LEASE
lease() {
        local ns=$P$1 mac=$2 k v
        shift 2
        LEASE=()
        ip -n "$ns" link set eth0 down
        ip -n "$ns" link set eth0 address "$mac"
        ip -n "$ns" link set eth0 up
        ip netns exec "$ns" timeout 20 busybox udhcpc -i eth0 -n -q -t 3 -T 2 -s "$T/.udhcpc-env.sh" "$@" \
                >"$T/.lease" 2>&1 </dev/null
        while IFS='=' read -r k v; do
                LEASE[$k]=$v
        done < <(sed -n '/^BOUND$/q; /^[a-z_0-9]*=/p' "$T/.lease")
}

lv() {
        echo "${LEASE[$1]:-}"
}

# check_lease DESC KEY EXPECTED — after lease(): the client saw KEY=EXPECTED
# ("" = the server did not send it).
check_lease() {
        if [ "$(lv "$2")" == "$3" ]; then
                ok "$1"
        else
                not_ok "$1"
                diag "expected $2='$3', got '$(lv "$2")'"
                diag "udhcpc: $(grep -v '^udhcpc: \(started\|broadcasting\|sending\)' "$T/.lease" | head -c 1500)"
        fi
}

# The boot file a client saw: BOOTP file field, or option 67 when it asked.
boot_file() {
        if [ -n "$(lv boot_file)" ]; then lv boot_file; else lv bootfile; fi
}

check_boot() {
        local got
        got=$(boot_file)
        if [ "$got" == "$2" ]; then
                ok "$1"
        else
                not_ok "$1"
                diag "expected boot file '$2', got '$got'"
                diag "udhcpc: $(head -c 1500 "$T/.lease")"
        fi
}

# tftp_get NS SERVER FILE — FILE fetched over TFTP (or the client's error).
tftp_get() {
        rm -f "$T/fetched"
        ip netns exec "$1" timeout 10 busybox tftp -g -r "$3" -l "$T/fetched" "$2" >"$T/.tftp" 2>&1
        cat "$T/fetched" 2>/dev/null || cat "$T/.tftp"
}

# tftp_refused NS SERVER FILE — true when the server does not send FILE.
tftp_refused() {
        ! ip netns exec "$1" timeout 10 busybox tftp -g -r "$3" -l /dev/null "$2" >/dev/null 2>&1
}

OPTS=(-O search -O staticroutes -O 7 -O tftp)
IPXE=(-x '77:"iPXE"')

dnsmasq_pid() {
        ns_pids_named "$JH" dnsmasq | tr '\n' ' ' | sed 's/ $//'
}

# Unplanned exits of netd's dnsmasq: netd logs each one it did not cause.
crashes() {
        grep -c 'dnsmasq: .*; restarting in' "$NETD_LOG"
}

# files — checksums of every generated file (dnsmasq's lease file changes
# with every exchange, so it is left out).
files() {
        state_digest "$STATE" | grep -v '/leases$'
}

node_of() { # CLUSTER — "MAC IP" of master-0 of the cluster's JSON
        jget "$T/$1.json" "[n['mac'] + ' ' + n['ip'] for n in d['nodes'] if n['name'] == 'master-0']"
}

allocate() { # CLUSTER NETWORK
        nctl --json allocate cluster "$1" --network "$2"
        cp "$T/out" "$T/$1.json"
        if [ "$RC" -eq 0 ]; then
                ok "allocate cluster $1 (sno) on $2"
        else
                not_ok "allocate cluster $1 (sno) on $2"
                diag "exit $RC: $ERR"
                exit 1
        fi
}

netd_start main "$JH" managed || exit 1

# ---------------------------------------------------------------- networks

nctl_ok "network add lab with --mtu, boot settings and every --dhcp-option name" \
        network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D \
        --reserve 192.0.2.2-192.0.2.9 --mtu 1450 \
        --boot-file undionly.kpxe --boot-file-efi ipxe.efi --boot-server 192.0.2.9 \
        --tftp-root "$T/tftp" --ipxe-script "$URL" \
        --dhcp-option ntp-server=192.0.2.5,192.0.2.6 \
        --dhcp-option dns-server=192.0.2.53,192.0.2.54 \
        --dhcp-option router=192.0.2.254 \
        --dhcp-option domain-search=lab.example,sno.lab.example \
        --dhcp-option "classless-static-route=203.0.113.0/24 via 192.0.2.254,0.0.0.0/0 via 192.0.2.1" \
        --dhcp-option log-server=192.0.2.7 \
        --dhcp-option tftp-server=192.0.2.1 || {
        diag "(the rest needs this network)"
        exit 1
}
nctl_ok "network add other (no MTU, no boot, no options)" \
        network add other --cidr 198.51.100.0/24 --interface jh1 --domain other.example

nctl_ok "network show lab --json" --json network show lab
cp "$T/out" "$T/lab.json"
pycheck "network show lab: mtu 1450, boot and dhcp_options as given (canonical, in order)" \
        "$T/lab.json" "$T/tftp" "$URL" <<'EOF'
n = load(sys.argv[1])
if n.get("mtu") != 1450:
    fail(f"mtu: {n.get('mtu')!r}")
want_boot = {"file": "undionly.kpxe", "file_efi": "ipxe.efi", "server": "192.0.2.9",
             "tftp_root": sys.argv[2], "ipxe_script": sys.argv[3]}
if n.get("boot") != want_boot:
    fail(f"boot: expected {want_boot}\n      got {n.get('boot')!r}")
want_opts = [
    {"name": "ntp-server", "value": "192.0.2.5,192.0.2.6"},
    {"name": "dns-server", "value": "192.0.2.53,192.0.2.54"},
    {"name": "router", "value": "192.0.2.254"},
    {"name": "domain-search", "value": "lab.example,sno.lab.example"},
    {"name": "classless-static-route", "value": "203.0.113.0/24 via 192.0.2.254,0.0.0.0/0 via 192.0.2.1"},
    {"name": "log-server", "value": "192.0.2.7"},
    {"name": "tftp-server", "value": "192.0.2.1"},
]
if n.get("dhcp_options") != want_opts:
    fail(f"dhcp_options: expected {want_opts}\n              got {n.get('dhcp_options')!r}")
EOF
nctl_ok "network show other --json" --json network show other
cp "$T/out" "$T/other.json"
pycheck "network show other: mtu null, boot null, dhcp_options []" "$T/other.json" <<'EOF'
n = load(sys.argv[1])
for k, v in (("mtu", None), ("boot", None), ("dhcp_options", [])):
    if k not in n or n[k] != v:
        fail(f"{k}: expected {v!r}, got {n.get(k, '<missing>')!r}")
EOF
nctl_ok "network list --json" --json network list
pycheck "network list carries the same boot and dhcp_options" "$T/out" "$T/lab.json" "$T/other.json" <<'EOF'
l = {n["name"]: n for n in load(sys.argv[1])["networks"]}
for p in sys.argv[2:]:
    want = load(p)
    got = l.get(want["name"], {})
    for k in ("boot", "dhcp_options"):
        if got.get(k) != want[k]:
            fail(f"{want['name']}: list {k} {got.get(k)!r} != show {want[k]!r}")
EOF

allocate sno lab
allocate cmp lab
allocate oth other
read -r MAC_SNO IP_SNO < <(node_of sno)
read -r MAC_CMP IP_CMP < <(node_of cmp)
read -r MAC_OTH IP_OTH < <(node_of oth)

# ---------------------------------------------------------------- MTU

lease vm1 "$MAC_SNO"
check_lease "sno/master-0 gets $IP_SNO" ip "$IP_SNO"
check_lease "lab (--mtu 1450): udhcpc sees mtu=1450 without asking for it" mtu 1450
lease vmo "$MAC_OTH"
check_lease "oth/master-0 gets $IP_OTH on the other network" ip "$IP_OTH"
check_lease "other network (no --mtu): no MTU option" mtu ""
check_lease "other network: host name master-0" hostname master-0
check_lease "other network: domain oth.other.example" domain oth.other.example

# ---------------------------------------------------------------- options

lease vm1 "$MAC_SNO" "${OPTS[@]}"
check_lease "ntp-server reaches the client" ntpsrv "192.0.2.5 192.0.2.6"
check_lease "dns-server reaches the client" dns "192.0.2.53 192.0.2.54"
check_lease "router reaches the client" router 192.0.2.254
check_lease "domain-search reaches the client" search "lab.example sno.lab.example"
check_lease "classless-static-route reaches the client (RFC 3442 pairs)" staticroutes \
        "203.0.113.0/24 192.0.2.254 0.0.0.0/0 192.0.2.1"
check_lease "log-server reaches the client (option 7, asked with -O 7)" opt7 c0000207
check_lease "tftp-server reaches the client (option 66)" tftp 192.0.2.1
lease vmo "$MAC_OTH" "${OPTS[@]}"
check_lease "other network: no ntp-server" ntpsrv ""
check_lease "other network: router is its gateway" router 198.51.100.1
check_lease "other network: no domain-search" search ""
check_lease "other network: no classless-static-route" staticroutes ""
check_lease "other network: no log-server" opt7 ""
check_lease "other network: no tftp-server" tftp ""

# ---------------------------------------------------------------- boot

lease vm1 "$MAC_SNO"
check_boot "BIOS client (no user class, no arch) gets --boot-file undionly.kpxe" undionly.kpxe
check_lease "next server (siaddr) is --boot-server 192.0.2.9" siaddr 192.0.2.9
lease vm1 "$MAC_SNO" -x 0x5d:0007
check_boot "UEFI client (arch 7) gets --boot-file-efi ipxe.efi" ipxe.efi
check_lease "UEFI client: siaddr 192.0.2.9" siaddr 192.0.2.9
lease vm1 "$MAC_SNO" -x 0x5d:0009
check_boot "UEFI client (arch 9) gets --boot-file-efi ipxe.efi" ipxe.efi
lease vm1 "$MAC_SNO" "${IPXE[@]}"
check_boot "iPXE client (user class iPXE) gets the --ipxe-script URL" "$URL"
lease vm1 "$MAC_SNO" "${IPXE[@]}" -x 0x5d:0007
check_boot "iPXE client on UEFI (arch 7 + user class iPXE) gets the URL too" "$URL"
lease vmo "$MAC_OTH" "${IPXE[@]}"
check_boot "other network: no boot file for an iPXE client" ""
lease vmo "$MAC_OTH"
check_boot "other network: no boot file for a BIOS client" ""

# TFTP on lab's interface, from --tftp-root, read-only.
ip -n "$P"vm1 addr add "$IP_SNO/24" dev eth0
check_eq "TFTP: vm1 fetches stage2.ipxe from --tftp-root" NETD-TFTP-CONTENT \
        "$(tftp_get "$P"vm1 192.0.2.1 stage2.ipxe)"
check "TFTP: a file that is not world-readable is refused" tftp_refused "$P"vm1 192.0.2.1 private.txt
check "TFTP: a path out of the root is refused" tftp_refused "$P"vm1 192.0.2.1 ../tftp/stage2.ipxe
echo upload >"$T/upload.txt"
check "TFTP: an upload is refused and writes nothing" \
        bash -c "! ip netns exec '$P'vm1 timeout 10 busybox tftp -p -l '$T/upload.txt' -r upload.txt 192.0.2.1 &&
                 test ! -e '$T/tftp/upload.txt'"
ip -n "$P"vm1 addr flush dev eth0

# ---------------------------------------------------------------- names

# check_names WHEN — DHCP for both master-0s (each client claims the name
# master-0 itself) and DNS: no name moves between the clusters.
check_names() {
        local when=$1 c mac ip
        for c in sno cmp; do
                read -r mac ip < <(node_of "$c")
                lease vm1 "$mac" -x hostname:master-0 -F master-0
                check_lease "$when: $c/master-0 gets $ip" ip "$ip"
                check_lease "$when: $c/master-0 gets host name master-0" hostname master-0
                check_lease "$when: $c/master-0 gets domain $c.$D" domain "$c.$D"
                check_dns "$when: master-0.$c.$D -> $ip" "$JH" 192.0.2.1 "master-0.$c.$D" A "$ip"
        done
        for name in "master-0.$D" master-0; do
                dns "$JH" 192.0.2.1 "$name" A
                if [ -z "$DNS_ANSWER" ] && [ "$DNS_STATUS" != no-answer ]; then
                        ok "$when: dig $name has no answer ($DNS_STATUS)"
                else
                        not_ok "$when: dig $name has no answer"
                        diag "got: $DNS_STATUS $DNS_ANSWER"
                fi
        done
}

# check_dnsmasq WHEN — dnsmasq runs, and no exit of it that netd did not
# cause (the 2.90 SIGHUP crash shows up as one) is in netd's log.
check_dnsmasq() {
        local pid
        pid=$(dnsmasq_pid)
        if [ -n "$pid" ] && [[ "$pid" != *" "* ]]; then
                ok "$1: one dnsmasq runs (pid $pid)"
        else
                not_ok "$1: one dnsmasq runs"
                diag "dnsmasq pids: '$pid'"
        fi
        check_eq "$1: no unplanned dnsmasq exit in netd's log" "$2" "$(crashes)"
        if [ "$pid" != "${LAST_DNSMASQ:-}" ]; then
                info "$1: dnsmasq pid ${LAST_DNSMASQ:-none} -> $pid (restarted by netd)"
        fi
        LAST_DNSMASQ=$pid
}

allocate r1 lab
allocate r2 lab
allocate r3 lab
LAST_DNSMASQ=$(dnsmasq_pid)
check_names "two clusters' master-0"
for c in r1 r2 r3; do
        read -r mac ip < <(node_of "$c")
        lease vm2 "$mac" -x hostname:master-0
        check_lease "$c/master-0 holds a lease on $ip" ip "$ip"
done
check_dnsmasq "after the first exchanges" 0

# Releases with leases of tagged hosts held: on dnsmasq 2.90 any SIGHUP now
# kills it. Between releases, more exchanges (each dnsmasq process must have
# served tagged hosts before the next change).
for c in r1 r2 r3; do
        read -r mac ip < <(node_of "$c")
        nctl_ok "release cluster $c (leases held)" release cluster "$c"
        check_nxdomain "$c released: master-0.$c.$D is NXDOMAIN" "$JH" 192.0.2.1 "master-0.$c.$D"
        lease vm2 "$mac" -t 2 -T 2
        check_lease "$c released: its MAC gets no lease any more" ip ""
        for left in r2 r3; do
                [ "$left" \> "$c" ] || continue
                read -r mac ip < <(node_of "$left")
                lease vm2 "$mac" -x hostname:master-0
                check_lease "after releasing $c: $left/master-0 still gets $ip" ip "$ip"
        done
        check_names "after releasing $c"
        check_dnsmasq "after releasing $c" 0
done

# dnsmasq dies (leases held): netd restarts it; names stay right.
old=$(dnsmasq_pid)
kill -KILL $old
restarted() {
        local p
        p=$(dnsmasq_pid)
        [ -n "$p" ] && [ "$p" != "$old" ] &&
                ip netns exec "$JH" dig @192.0.2.1 "master-0.sno.$D" +short +time=1 +tries=1 | grep -qx "$IP_SNO"
}
check "netd restarts a killed dnsmasq, which answers again" poll 10 restarted
check_names "after dnsmasq was killed and restarted"
check_dnsmasq "after the restart" 1
check "netd's log names the kill as the reason" grep -qE 'dnsmasq: killed by signal 9 \(SIGKILL\) after [0-9.]+ s; restarting in' "$NETD_LOG"
allocate r4 lab
read -r mac ip < <(node_of r4)
lease vm2 "$mac"
check_lease "r4/master-0 (allocated after the restart) gets $ip, domain r4.$D" domain "r4.$D"
nctl_ok "release cluster r4 (leases held)" release cluster r4
check_names "after releasing r4"
check_dnsmasq "after releasing r4" 1

# ---------------------------------------------------------------- invalid input

nctl --json network show lab
cp "$T/out" "$T/lab-before.json"
nctl --json network list
cp "$T/out" "$T/list-before.json"
files >"$T/files-before"
PID_BEFORE=$(dnsmasq_pid)

# refused WHAT ARGS... — exit 1, `netctl: invalid: ...`.
refused() {
        local what=$1
        shift
        nctl "$@"
        expect_error "refused: $what" 1 invalid
}

bad_values=(
        "--dhcp-option nosuch=192.0.2.1"
        "--dhcp-option hostname=master-0"
        "--dhcp-option mtu=1400"
        "--dhcp-option ntp-server=ntp.example"
        "--dhcp-option ntp-server=192.0.2.300"
        "--dhcp-option ntp-server=2001:db8::1"
        "--dhcp-option ntp-server="
        "--dhcp-option ntp-server"
        "--dhcp-option ntp-server=192.0.2.5,"
        "--dhcp-option router=192.0.2.1/24"
        "--dhcp-option log-server=192.0.2.7/24"
        "--dhcp-option dns-server=\"192.0.2.53\""
        "--dhcp-option domain-search=bad_name!.example"
        "--dhcp-option domain-search=-bad.example"
        "--dhcp-option classless-static-route=foo,bar"
        "--dhcp-option classless-static-route=203.0.113.0/33 via 192.0.2.1"
        "--dhcp-option classless-static-route=203.0.113.0/24 via 2001:db8::1"
        "--dhcp-option classless-static-route=203.0.113.0/24"
        "--ipxe-script http://192.0.2.1/a#frag"
        "--ipxe-script http://192.0.2.1/a,b"
        "--ipxe-script http://192.0.2.1/a b"
        "--ipxe-script http://192.0.2.1/a\"b"
        "--ipxe-script http://192.0.2.1/a\\b"
        "--ipxe-script ftp://192.0.2.1/boot.ipxe"
        "--ipxe-script file:///etc/passwd"
        "--ipxe-script boot.ipxe"
        "--boot-file ../etc/passwd"
        "--boot-file /undionly.kpxe"
        "--boot-file a,b.kpxe"
        "--boot-file a b.kpxe"
        "--boot-file-efi ipxe.efi#x"
        "--boot-server 2001:db8::9"
        "--boot-server 192.0.2.300"
        "--boot-server tftp.example"
        "--tftp-root relative/dir"
        "--tftp-root $T/does-not-exist"
        "--tftp-root $T/tftp/../tftp"
        "--tftp-root $T/tftp/stage2.ipxe"
)
for v in "${bad_values[@]}"; do
        # Split on the first space only: the value may hold spaces.
        refused "network add x $v" network add x --cidr 203.0.113.0/24 "${v%% *}" "${v#* }"
        refused "network set lab $v" network set lab "${v%% *}" "${v#* }"
done
for inj in $'192.0.2.5\ndhcp-range=192.0.2.100,192.0.2.200' $'192.0.2.5\rx' '192.0.2.5 192.0.2.6'; do
        refused "a line break or space in an option value ($(printf %q "$inj"))" \
                network set lab --dhcp-option "ntp-server=$inj"
done
refused "a URL with a line break" network set lab --ipxe-script $'http://192.0.2.1/a\ndhcp-boot=x'
refused "a URL longer than 255 characters" network set lab --ipxe-script "http://192.0.2.1/$(printf 'a%.0s' {1..250})"
refused "two values for one option name in one request" network set lab \
        --dhcp-option ntp-server=192.0.2.5 --dhcp-option ntp-server=192.0.2.6
refused "network set --mtu 67" network set lab --mtu 67
refused "network set --mtu 65536" network set lab --mtu 65536
refused "network set --dhcp-range outside the CIDR" network set lab --dhcp-range 203.0.113.10-203.0.113.20
refused "network set --reserve outside the CIDR" network set lab --reserve 203.0.113.10-203.0.113.20
refused "network set --no-dhcp-option with an unknown name" network set lab --no-dhcp-option nosuch
refused "boot settings on an IPv6 network" network add v6 --cidr 2001:db8:5::/64 --boot-file undionly.kpxe
refused "--dhcp-option on an IPv6 network" network add v6 --cidr 2001:db8:5::/64 \
        --dhcp-option ntp-server=192.0.2.5
# Two boot settings never reach netd: netctl refuses them (usage, exit 2).
nctl node set sno master-0 --ipxe-script "$NODE_URL" --boot-file x.kpxe
expect_error "node set with two boot settings is a usage error" 2 usage
check "the usage error says so on stderr" grep -q '^netctl: usage: ' "$T/err"
# The daemon refuses it too, whoever sends it.
raw_request() {
        timeout 10 "$PY" - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(8)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while b"\n" not in buf:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
print(buf.decode().strip())
PY
}
raw_request '{"command": "node.set", "args": {"cluster": "sno", "node": "master-0", "ipxe_script": "'"$NODE_URL"'", "boot_file": "x.kpxe"}}' >"$T/raw.out"
pycheck "netd itself: node.set with ipxe_script and boot_file is invalid" "$T/raw.out" <<'PY'
r = load(sys.argv[1])
if r.get("result") != "error" or r.get("error", {}).get("code") != "invalid":
    fail(f"got {r}")
PY
refused "node set --boot with something else than network" node set sno master-0 --boot disk
refused "node set --ipxe-script with a space" node set sno master-0 --ipxe-script "http://192.0.2.1/a b"
refused "node set --boot-file ../x" node set sno master-0 --boot-file ../x
nctl node set sno nosuch --boot network
expect_error "node set of an unknown node is not-found" 1 not-found
nctl node set nosuch master-0 --boot network
expect_error "node set of an unknown cluster is not-found" 1 not-found

nctl --json network show lab
check_eq "after every refusal: network show lab is unchanged" "$(cat "$T/lab-before.json")" "$OUT"
nctl --json network list
check_eq "after every refusal: network list is unchanged (no network x or v6)" \
        "$(cat "$T/list-before.json")" "$OUT"
check_eq "after every refusal: the generated files are unchanged" "$(cat "$T/files-before")" "$(files)"
check_eq "after every refusal: dnsmasq was not restarted" "$PID_BEFORE" "$(dnsmasq_pid)"
LAST_DNSMASQ=$(dnsmasq_pid)

# ---------------------------------------------------------------- node set

nctl_ok "node set sno master-0 --ipxe-script $NODE_URL" --json node set sno master-0 --ipxe-script "$NODE_URL"
pycheck "node set replies with the cluster; master-0's boot is {\"ipxe_script\": URL}" "$T/out" "$NODE_URL" <<'EOF'
c = load(sys.argv[1])
n = [n for n in c["nodes"] if n["name"] == "master-0"][0]
if c.get("name") != "sno" or n.get("boot") != {"ipxe_script": sys.argv[2]}:
    fail(f"got {c}")
EOF
lease vm1 "$MAC_SNO" "${IPXE[@]}"
check_boot "node set is live: sno/master-0's iPXE gets its own URL" "$NODE_URL"
lease vm1 "$MAC_CMP" "${IPXE[@]}"
check_boot "cmp/master-0's iPXE still gets the network's URL" "$URL"
lease vm1 "$MAC_SNO"
check_boot "sno/master-0 as a BIOS client still gets the network's undionly.kpxe" undionly.kpxe
nctl_ok "cluster show cmp --json" --json cluster show cmp
check_eq "cmp/master-0's boot stays null" null \
        "$(jget "$T/out" '[n.get("boot", "missing") for n in d["nodes"] if n["name"] == "master-0"][0]')"

nctl_ok "node set cmp master-0 --boot-file special.kpxe" --json node set cmp master-0 --boot-file special.kpxe
check_eq "cmp/master-0's boot is {\"file\": \"special.kpxe\"}" '{"file": "special.kpxe"}' \
        "$(jget "$T/out" '[n.get("boot", "missing") for n in d["nodes"] if n["name"] == "master-0"][0]')"
lease vm1 "$MAC_CMP"
check_boot "cmp/master-0 as a BIOS client gets special.kpxe" special.kpxe
lease vm1 "$MAC_CMP" "${IPXE[@]}"
check_boot "cmp/master-0's iPXE still gets the network's script (no loop back to the file)" "$URL"

# Everything is in the database: a restarted netd serves the same.
nctl --json network show lab
cp "$T/out" "$T/lab-pre-restart.json"
nctl --json cluster list
cp "$T/out" "$T/clusters-pre-restart.json"
netd_stop
check_eq "netd stops cleanly on SIGTERM" 0 "$NETD_STATUS"
netd_start main "$JH" managed || exit 1
nctl --json network show lab
check_eq "after a netd restart: network show lab is the same (boot, options stored)" \
        "$(cat "$T/lab-pre-restart.json")" "$OUT"
nctl --json cluster list
check_eq "after a netd restart: cluster list is the same (node boot stored)" \
        "$(cat "$T/clusters-pre-restart.json")" "$OUT"
lease vm1 "$MAC_SNO" "${IPXE[@]}"
check_boot "after a netd restart: sno/master-0's iPXE still gets its own URL" "$NODE_URL"
lease vm1 "$MAC_CMP"
check_boot "after a netd restart: cmp/master-0 still gets special.kpxe" special.kpxe
lease vm1 "$MAC_CMP" "${IPXE[@]}" -O mtu
check_boot "after a netd restart: cmp/master-0's iPXE gets the network's URL" "$URL"
check_lease "after a netd restart: MTU 1450" mtu 1450
check_lease "after a netd restart: cmp/master-0's domain is cmp.$D" domain "cmp.$D"
LAST_DNSMASQ=$(dnsmasq_pid)

nctl_ok "node set sno master-0 --boot network" --json node set sno master-0 --boot network
check_eq "sno/master-0's boot is null again" null \
        "$(jget "$T/out" '[n.get("boot", "missing") for n in d["nodes"] if n["name"] == "master-0"][0]')"
lease vm1 "$MAC_SNO" "${IPXE[@]}"
check_boot "--boot network is live: sno/master-0's iPXE gets the network's URL again" "$URL"
lease vm1 "$MAC_CMP" "${IPXE[@]}"
check_boot "cmp/master-0's iPXE still gets the network's URL" "$URL"
lease vm1 "$MAC_CMP"
check_boot "cmp/master-0 keeps its own file" special.kpxe
nctl_ok "node set cmp master-0 --boot network" node set cmp master-0 --boot network
lease vm1 "$MAC_CMP"
check_boot "cmp/master-0 gets the network's undionly.kpxe again" undionly.kpxe
check_names "after node set"
check_dnsmasq "after node set" 1

# ---------------------------------------------------------------- network set

nctl_ok "network set lab --mtu 1400" --json network set lab --mtu 1400
check_eq "network set replies with the network (mtu 1400)" 1400 "$(jget "$T/out" 'd["mtu"]')"
lease vm1 "$MAC_SNO"
check_lease "network set is live: a new lease has mtu=1400" mtu 1400
nctl_ok "network set lab --mtu none" network set lab --mtu none
lease vm1 "$MAC_SNO"
check_lease "--mtu none: no MTU option" mtu ""

nctl network set lab --reserve 192.0.2.2-192.0.2.9 --reserve "$IP_SNO-$IP_CMP"
if expect_error "--reserve over allocated addresses is a conflict" 1 conflict; then
        check "the conflict names cluster sno and $IP_SNO" \
                bash -c "grep -q 'sno' '$T/err' && grep -qw '$IP_SNO' '$T/err'"
        check "the conflict names cluster cmp and $IP_CMP" \
                bash -c "grep -q 'cmp' '$T/err' && grep -qw '$IP_CMP' '$T/err'"
fi
nctl network set lab --dhcp-range "$IP_SNO-192.0.2.100"
if expect_error "--dhcp-range over allocated addresses is a conflict" 1 conflict; then
        check "the conflict names cluster sno and $IP_SNO" \
                bash -c "grep -q 'sno' '$T/err' && grep -qw '$IP_SNO' '$T/err'"
fi
# A VIP counts as allocated too.
nctl --json allocate cluster hub --network lab --topology compact
cp "$T/out" "$T/hub.json"
if [ "$RC" -eq 0 ]; then
        API=$(jget "$T/hub.json" 'd["api_vip"]')
        nctl network set lab --reserve 192.0.2.2-192.0.2.9 --reserve "$API-$API"
        if expect_error "--reserve over a cluster's API VIP is a conflict" 1 conflict; then
                check "the conflict names cluster hub and its VIP $API" \
                        bash -c "grep -q 'hub' '$T/err' && grep -qw '$API' '$T/err'"
        fi
        nctl_ok "release cluster hub" release cluster hub
else
        not_ok "allocate cluster hub (compact)"
        diag "exit $RC: $ERR"
fi

nctl --json network show lab
check_eq "after the conflicts: network show lab is unchanged but for mtu" \
        "$(jget "$T/lab-before.json" 'dict(d, mtu=None)')" "$(jget "$T/out" 'd')"

nctl_ok "network set lab --reserve 192.0.2.2-192.0.2.8 --dhcp-range 192.0.2.200-192.0.2.209" \
        --json network set lab --reserve 192.0.2.2-192.0.2.8 --dhcp-range 192.0.2.200-192.0.2.209
pycheck "the reply has the new reserve and dhcp_range" "$T/out" <<'EOF'
n = load(sys.argv[1])
if n["reserved"] != [{"start": "192.0.2.2", "end": "192.0.2.8"}] or \
        n["dhcp_range"] != {"start": "192.0.2.200", "end": "192.0.2.209"}:
    fail(f"got {n}")
EOF
lease vm2 02:00:5e:10:20:30 -t 4 -T 3
got=$(lv ip)
check "the new --dhcp-range is live: an unknown MAC gets an address from it ($got)" \
        pyrun "$got" <<'EOF'
a = ipaddress.ip_address(sys.argv[1])
if not ipaddress.ip_address("192.0.2.200") <= a <= ipaddress.ip_address("192.0.2.209"):
    fail(f"{a}")
EOF
nctl_ok "network set lab --dhcp-range none" network set lab --dhcp-range none
lease vm2 02:00:5e:10:20:31 -t 2 -T 2
check_lease "--dhcp-range none: an unknown MAC gets nothing" ip ""

nctl_ok "network set lab --dhcp-option ntp-server=192.0.2.8 --no-dhcp-option log-server" \
        --json network set lab --dhcp-option ntp-server=192.0.2.8 --no-dhcp-option log-server
pycheck "the reply: ntp-server replaced, log-server gone, the others kept" "$T/out" <<'EOF'
got = {o["name"]: o["value"] for o in load(sys.argv[1])["dhcp_options"]}
want = {"ntp-server": "192.0.2.8", "dns-server": "192.0.2.53,192.0.2.54", "router": "192.0.2.254",
        "domain-search": "lab.example,sno.lab.example",
        "classless-static-route": "203.0.113.0/24 via 192.0.2.254,0.0.0.0/0 via 192.0.2.1",
        "tftp-server": "192.0.2.1"}
if got != want:
    fail(f"expected {want}\ngot      {got}")
EOF
lease vm1 "$MAC_SNO" "${OPTS[@]}"
check_lease "the new ntp-server is live" ntpsrv 192.0.2.8
check_lease "log-server is no longer sent" opt7 ""
check_lease "domain-search is still sent" search "lab.example sno.lab.example"

# Boot on the other network: no --boot-server, so the next server is the
# jumphost's own address there; no --boot-file-efi, so UEFI gets the file.
nctl_ok "network set other --boot-file other.kpxe" --json network set other --boot-file other.kpxe
pycheck "other's boot: only file set" "$T/out" <<'EOF'
b = load(sys.argv[1])["boot"]
if b != {"file": "other.kpxe", "file_efi": None, "server": None, "tftp_root": None, "ipxe_script": None}:
    fail(f"got {b}")
EOF
lease vmo "$MAC_OTH"
check_boot "other network: BIOS client gets other.kpxe" other.kpxe
check_lease "other network: next server is the jumphost's own address 198.51.100.1" siaddr 198.51.100.1
lease vmo "$MAC_OTH" -x 0x5d:0007
check_boot "other network: UEFI client gets other.kpxe (no --boot-file-efi)" other.kpxe
lease vm1 "$MAC_SNO"
check_boot "lab still gets undionly.kpxe" undionly.kpxe

nctl_ok "network set lab --ipxe-script http://192.0.2.1:8080/v2.ipxe" \
        network set lab --ipxe-script http://192.0.2.1:8080/v2.ipxe
lease vm1 "$MAC_SNO" "${IPXE[@]}"
check_boot "a new --ipxe-script is live" http://192.0.2.1:8080/v2.ipxe
lease vm1 "$MAC_SNO"
check_boot "lab's BIOS clients keep undionly.kpxe" undionly.kpxe

# TFTP on two interfaces, each from its own root.
mkdir -p "$T/tftp2"
echo NETD-TFTP-OTHER >"$T/tftp2/other.txt"
chmod 0644 "$T/tftp2/other.txt"
nctl_ok "network set other --tftp-root $T/tftp2" network set other --tftp-root "$T/tftp2"
ip -n "$OW" addr add "$IP_OTH/24" dev eth0
check_eq "TFTP on the other network serves its own root" NETD-TFTP-OTHER \
        "$(tftp_get "$OW" 198.51.100.1 other.txt)"
check "TFTP on the other network does not serve lab's root" tftp_refused "$OW" 198.51.100.1 stage2.ipxe
ip -n "$OW" addr flush dev eth0
ip -n "$P"vm1 addr add "$IP_SNO/24" dev eth0
check_eq "TFTP on lab still serves lab's root" NETD-TFTP-CONTENT "$(tftp_get "$P"vm1 192.0.2.1 stage2.ipxe)"
ip -n "$P"vm1 addr flush dev eth0

nctl_ok "network set other --no-boot --boot-file-efi other.efi (cleared first, then set)" \
        --json network set other --no-boot --boot-file-efi other.efi
pycheck "other's boot: only file_efi is left" "$T/out" <<'EOF'
b = load(sys.argv[1])["boot"]
if b != {"file": None, "file_efi": "other.efi", "server": None, "tftp_root": None, "ipxe_script": None}:
    fail(f"got {b}")
EOF
lease vmo "$MAC_OTH" -x 0x5d:0009
check_boot "other network: UEFI client gets other.efi" other.efi
nctl_ok "network set other --boot-file other.kpxe (back)" network set other --boot-file other.kpxe
nctl_ok "network set lab --no-boot" --json network set lab --no-boot
check_eq "lab's boot is null" null "$(jget "$T/out" 'd["boot"]')"
lease vm1 "$MAC_SNO" "${IPXE[@]}"
check_boot "--no-boot is live: an iPXE client gets no script" ""
lease vm1 "$MAC_SNO"
check_boot "--no-boot: a BIOS client gets no file" ""
if [ "$(lv siaddr)" == 192.0.2.9 ]; then
        not_ok "--no-boot: the next server is no longer 192.0.2.9"
else
        ok "--no-boot: the next server is no longer 192.0.2.9 ($(lv siaddr))"
fi
ip -n "$P"vm1 addr add "$IP_SNO/24" dev eth0
check "--no-boot: TFTP is no longer served" tftp_refused "$P"vm1 192.0.2.1 stage2.ipxe
ip -n "$P"vm1 addr flush dev eth0
lease vmo "$MAC_OTH"
check_boot "the other network keeps its boot file" other.kpxe

check_names "after every network set"

# One of the two master-0s goes: the other keeps its name, nobody gets
# the network-domain name.
nctl_ok "release cluster cmp (leases held)" release cluster cmp
check_nxdomain "cmp released: master-0.cmp.$D is NXDOMAIN" "$JH" 192.0.2.1 "master-0.cmp.$D"
lease vm1 "$MAC_SNO" -x hostname:master-0 -F master-0
check_lease "cmp released: sno/master-0 still gets host name master-0" hostname master-0
check_lease "cmp released: sno/master-0 still gets domain sno.$D" domain "sno.$D"
check_dns "cmp released: master-0.sno.$D -> $IP_SNO" "$JH" 192.0.2.1 "master-0.sno.$D" A "$IP_SNO"
dns "$JH" 192.0.2.1 "master-0.$D" A
check_eq "cmp released: dig master-0.$D still has no answer" "" "$DNS_ANSWER"
check_dnsmasq "at the end" 1

# Under ASan/UBSan a leak or an error shows in netd's exit status.
netd_stop
check_eq "netd stops cleanly on SIGTERM (exit 0)" 0 "$NETD_STATUS"
for pid in $(ns_pids_named "$JH" dnsmasq); do
        wait_dead "$pid" 5
done

# ---------------------------------------------------------------- external mode

# The same settings with --dnsmasq external: netd writes conf-dir files
# (checked by dnsmasq --test), a dnsmasq of the test's own serves them.
XD=$T/ext.d
mkdir -p "$XD"
netd_start ext "$JH" external --dnsmasq-dir "$XD" --dnsmasq-reload true || exit 1
nctl_ok "external: network add lab with --mtu, boot settings and an option" \
        network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D \
        --reserve 192.0.2.2-192.0.2.9 --mtu 1450 \
        --boot-file undionly.kpxe --boot-file-efi ipxe.efi --boot-server 192.0.2.9 \
        --tftp-root "$T/tftp" --ipxe-script "$URL" --dhcp-option ntp-server=192.0.2.5 || exit 1
allocate x1 lab
allocate x2 lab
nctl_ok "external: node set x1 master-0 --ipxe-script $NODE_URL" node set x1 master-0 --ipxe-script "$NODE_URL"
read -r MAC_X1 IP_X1 < <(node_of x1)
read -r MAC_X2 IP_X2 < <(node_of x2)
check "external: dnsmasq --test accepts netd's directory" \
        dnsmasq --test --conf-file=/dev/null --conf-dir="$XD,*.conf"

XDM_PID=
xdm_start() {
        local i
        ip netns exec "$JH" dnsmasq --keep-in-foreground --conf-file=/dev/null --conf-dir="$XD,*.conf" \
                --no-resolv --no-hosts --pid-file="$T/xdm.pid" --dhcp-leasefile="$T/xdm.leases" \
                --log-facility="$T/xdm.log" --log-dhcp --user=root --group=root </dev/null >/dev/null 2>&1 &
        XDM_PID=$!
        _BG_PIDS+=("$XDM_PID")
        [[ " ${_LOGS[*]} " == *" $T/xdm.log "* ]] || _LOGS+=("$T/xdm.log")
        # The test's own dnsmasq, not netd's: polling is fine here. It runs
        # as root: the TFTP root is inside the test's private temp dir.
        for ((i = 0; i < 100; i++)); do
                ip netns exec "$JH" dig @192.0.2.1 "master-0.x1.$D" +short +time=1 +tries=1 2>/dev/null |
                        grep -qx "$IP_X1" && return 0
                alive "$XDM_PID" || break
                sleep 0.05
        done
        not_ok "external: our dnsmasq reading netd's directory answers"
        return 1
}
if xdm_start; then
        lease vm1 "$MAC_X1"
        check_lease "external: x1/master-0 gets $IP_X1" ip "$IP_X1"
        check_lease "external: MTU 1450" mtu 1450
        check_lease "external: host name master-0" hostname master-0
        check_lease "external: domain x1.$D" domain "x1.$D"
        check_lease "external: ntp-server" ntpsrv 192.0.2.5
        check_lease "external: next server 192.0.2.9" siaddr 192.0.2.9
        check_boot "external: BIOS client gets undionly.kpxe" undionly.kpxe
        lease vm1 "$MAC_X2" -x 0x5d:0007
        check_lease "external: x2/master-0 gets domain x2.$D" domain "x2.$D"
        check_boot "external: UEFI client gets ipxe.efi" ipxe.efi
        lease vm1 "$MAC_X2" "${IPXE[@]}"
        check_boot "external: iPXE client gets the network's script" "$URL"
        lease vm1 "$MAC_X1" "${IPXE[@]}"
        check_boot "external: x1/master-0's iPXE gets its own script (node set)" "$NODE_URL"
        ip -n "$P"vm1 addr add "$IP_X1/24" dev eth0
        check_eq "external: TFTP serves --tftp-root" NETD-TFTP-CONTENT "$(tftp_get "$P"vm1 192.0.2.1 stage2.ipxe)"
        ip -n "$P"vm1 addr flush dev eth0
        dns "$JH" 192.0.2.1 "master-0.$D" A
        check_eq "external: dig master-0.$D has no answer" "" "$DNS_ANSWER"
        kill "$XDM_PID" 2>/dev/null
        wait_dead "$XDM_PID" 5
fi
netd_stop
check_eq "external: netd stops cleanly on SIGTERM (exit 0)" 0 "$NETD_STATUS"
exit 0
