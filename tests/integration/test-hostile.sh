#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input: bad names, domains, interfaces, MACs and ranges are refused
# as `invalid` on one stderr line and never reach a generated file; garbage
# on the control socket does not hurt netd; unprivileged peers are denied,
# by the socket's mode and by SO_PEERCRED.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
D=lab.example
PWNED=$T/pwned

netd_start main "$JH" managed || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "allocate cluster good" --json allocate cluster good --topology compact
cp "$T/out" "$T/good.json"

snapshot() {
        {
                state_digest "$STATE"
                "${TO[@]}" "$NETCTL" --socket "$SOCK" --json network list </dev/null
                "${TO[@]}" "$NETCTL" --socket "$SOCK" --json cluster list </dev/null
        } 2>&1
}
before=$(snapshot)

# invalid DESC ARGS... — the call must fail as `invalid` (one stderr line).
invalid() {
        local desc=$1
        shift
        nctl --json "$@"
        expect_error "$desc -> invalid" 1 invalid
}

long63=$(printf 'a%.0s' {1..63})
long64=${long63}a
long_domain="$long63.$long63.$long63.$long63" # 255 characters

bad_names=(
        $'a\nb' $'a\rb' $'a\tb' 'a,b' 'a..b' 'a.b' 'Upper' 'UPPER' "$long64" 'a b' 'a/b' '../etc' ''
        "\$(touch $PWNED)" '`touch '"$PWNED"'`' 'a"b' "a'b" 'a;b' 'a-' 'a_b' 'a=b' 'ä' 'a\b'
)
for v in "${bad_names[@]}"; do
        q=$(printf %q "$v")
        invalid "network name $q" network add "$v" --cidr 198.51.100.0/24 --domain ok.example
        invalid "cluster name $q" allocate cluster "$v" --network lab
        invalid "node name $q" allocate node good "$v"
        invalid "--mac node name $q" allocate cluster hm --network lab --mac "$v=02:00:00:00:00:09"
        invalid "--network $q" allocate cluster hn --network "$v"
done
for v in $'a\nb' 'a..b' 'Upper' "$long64" '' "\$(touch $PWNED)" 'a"b'; do
        q=$(printf %q "$v")
        invalid "network show $q" network show "$v"
        invalid "network remove $q" network remove "$v"
        invalid "cluster show $q" cluster show "$v"
        invalid "release cluster $q" release cluster "$v"
        invalid "release node good $q" release node good "$v"
done
invalid "63-character cluster name is fine, 64 is not" allocate cluster "$long64" --network lab
nctl_ok "a 63-character cluster name is valid" allocate cluster "$long63" --network lab
nctl_ok "release it again" release cluster "$long63"
before=$(snapshot)

bad_domains=(
        $'lab\n.example' 'lab,example' 'lab..example' '.lab.example' 'Lab.example' "$long64.example"
        "$long_domain" 'lab example' 'lab/example' '' "\$(touch $PWNED).example" 'lab"x.example'
        "lab'x.example" 'lab;x.example' '-lab.example' 'lab_x.example'
)
for v in "${bad_domains[@]}"; do
        invalid "domain $(printf %q "$v")" network add hd --cidr 198.51.100.0/24 --domain "$v"
done

bad_ifaces=(
        $'eth\n0' 'eth,0' 'a234567890123456' 'eth 0' 'eth/0' '' "\$(touch $PWNED)" 'eth"0' "eth'0"
        'eth:0' 'eth;0' 'ä' $'eth\t0'
)
for v in "${bad_ifaces[@]}"; do
        invalid "interface $(printf %q "$v")" network add hi --cidr 198.51.100.0/24 --interface "$v"
done

bad_macs=(
        '52:54:00:aa:bb' $'52:54:00:aa:bb:cc\n' $'52:54:00:aa:bb:cc\nx' '01:00:5e:00:00:01'
        '03:00:00:00:00:01' 'ff:ff:ff:ff:ff:ff' 'zz:54:00:aa:bb:cc' '52-54-00-aa-bb-cc' '5254.00aa.bbcc'
        '' "\$(touch $PWNED)" '52:54:00:aa:bb:cc,192.0.2.99' '52:54:00:aa:bb:cc:dd' '52:54:0:aa:bb:cc'
        ' 52:54:00:aa:bb:cc' '52:54:00:aa:bb:cc ' '52:54:00:aa:bb:cc,set:x'
)
for v in "${bad_macs[@]}"; do
        q=$(printf %q "$v")
        invalid "--mac $q (allocate cluster)" allocate cluster hm --network lab --mac "master-0=$v"
        invalid "--mac $q (allocate node)" allocate node good worker-7 --mac "$v"
done

bad_ranges=(
        "--cidr 198.51.100.0/33" "--cidr 198.51.100.0" "--cidr garbage" "--cidr 198.51.100.256/24"
        "--cidr 2001:db8::/129" "--cidr 2001:db8:::/64"
        "--cidr 198.51.100.0/24 --reserve 198.51.100.9-198.51.100.2"
        "--cidr 198.51.100.0/24 --reserve 203.0.113.1-203.0.113.5"
        "--cidr 198.51.100.0/24 --reserve 198.51.100.250-198.51.101.5"
        "--cidr 198.51.100.0/24 --reserve 198.51.100.2"
        "--cidr 198.51.100.0/24 --reserve 198.51.100.2-2001:db8::5"
        "--cidr 198.51.100.0/24 --dhcp-range 198.51.100.200-198.51.100.100"
        "--cidr 198.51.100.0/24 --dhcp-range 203.0.113.100-203.0.113.200"
        "--cidr 198.51.100.0/24 --dhcp-range 198.51.100.x-198.51.100.9"
        "--cidr 2001:db8:5::/64 --reserve 2001:db8:6::1-2001:db8:6::9"
)
for v in "${bad_ranges[@]}"; do
        # shellcheck disable=SC2086 # word splitting wanted: flags and values
        invalid "network add hr $v" network add hr $v
done
invalid "--reserve with an embedded newline" network add hr --cidr 198.51.100.0/24 \
        --reserve $'198.51.100.2-198.51.100.5\ndhcp-range=198.51.100.6,198.51.100.9'
invalid "--cidr with an embedded newline" network add hr --cidr $'198.51.100.0/24\nport=0'
invalid "--masters 0" allocate cluster hm --network lab --topology compact --masters 0
invalid "--masters -1" allocate cluster hm --network lab --topology compact --masters -1
# The contract leaves open whether an unknown --topology is a usage error
# (exit 2) or invalid input (exit 1); it must be one of them.
nctl --json allocate cluster hm --network lab --topology bogus
if [ "$RC" -eq 2 ]; then
        ok "--topology bogus -> usage error"
else
        expect_error "--topology bogus -> invalid" 1 invalid
fi

check "no injected command ran" test ! -e "$PWNED"
check_eq "generated files, networks and clusters unchanged by invalid input" "$before" "$(snapshot)"
check "no hostile text in any generated file" bash -c "! grep -rqlE 'pwned|touch|198\\.51\\.100|port=0' '$STATE/dnsmasq'"

# ---------------------------------------------------------------- raw socket

cat >"$T/raw.py" <<'EOF'
import json, os, socket, subprocess, sys, time
path, case = sys.argv[1], sys.argv[2]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(10)
    return s

def send(s, b):
    try:
        s.sendall(b)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False

def lines(s, n=1):
    buf = b""
    try:
        while buf.count(b"\n") < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return [l for l in buf.split(b"\n") if l]

def error_reply(line, codes=("invalid",)):
    try:
        r = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise SystemExit(f"reply is not UTF-8 JSON ({e}): {line[:300]!r}")
    if r.get("result") != "error" or r.get("error", {}).get("code") not in codes:
        raise SystemExit(f"not an error reply with code in {codes}: {line[:300]!r}")

def closed_or_error(s, codes=("invalid",)):
    # Either a well-formed error reply or a closed connection; never garbage.
    got = lines(s)
    if got:
        error_reply(got[0], codes)

if case == "random":
    s = conn(); send(s, os.urandom(4096) + b"\n"); closed_or_error(s)
elif case == "random-no-newline":
    s = conn(); send(s, os.urandom(4096).replace(b"\n", b"x")); s.shutdown(socket.SHUT_WR); closed_or_error(s)
elif case == "bigline":
    s = conn()
    chunk = b"a" * 65536
    for _ in range(160):  # 10 MB
        if not send(s, chunk):
            break
    send(s, b"\n")
    closed_or_error(s)
elif case == "half":
    s = conn(); send(s, b'{"command": "network.li'); s.close()
elif case == "half-shutdown":
    s = conn(); send(s, b'{"command": "network.list", "args": {'); s.shutdown(socket.SHUT_WR); closed_or_error(s)
elif case == "badutf8":
    s = conn()
    send(s, b'{"command": "network.add", "args": {"name": "\xff\xfe", "cidr": "198.51.100.0/24"}}\n')
    closed_or_error(s)
elif case == "nul":
    s = conn()
    send(s, b'{"command": "network.add", "args": {"name": "a\\u0000b", "cidr": "198.51.100.0/24"}}\n')
    closed_or_error(s)
elif case == "raw-nul":
    s = conn()
    send(s, b'{"command": "network.add", "args": {"name": "a\x00b", "cidr": "198.51.100.0/24"}}\n')
    closed_or_error(s)
elif case == "wrongtypes":
    reqs = [b'{"command": 7}', b'{"command": null}', b'{"command": "network.add", "args": {"name": 5, "cidr": "198.51.100.0/24"}}',
            b'{"command": "network.add", "args": {"name": "x", "cidr": ["198.51.100.0/24"]}}',
            b'{"command": "network.add", "args": {"name": "x", "cidr": {"a": 1}}}',
            b'{"command": "network.add", "args": "x"}', b'{"command": "network.add", "args": [1, 2]}',
            b'{"command": "network.add", "args": {"name": "x", "cidr": "198.51.100.0/24", "bogus": 1}}',
            b'{"command": "network.add", "args": {"name": "x"}}', b'{"command": "nope"}', b'{"command": ""}',
            b'[]', b'"x"', b'null', b'{}', b'1e999', b'true', b'{"args": {}}',
            b'{"command": "network.add", "args": {"name": "x", "cidr": "198.51.100.0/24", "reserve": [1]}}',
            b'{"command": "network.add", "args": {"name": "x", "cidr": "198.51.100.0/24", "reserve": "198.51.100.2-198.51.100.3"}}',
            b'{"command": "cluster.allocate", "args": {"name": "x", "masters": "3"}}',
            b'{"command": "cluster.allocate", "args": {"name": "x", "masters": 3.5}}',
            b'{"command": "cluster.allocate", "args": {"name": "x", "masters": -1}}',
            b'{"command": "cluster.allocate", "args": {"name": "x", "masters": 0}}',
            b'{"command": "cluster.allocate", "args": {"name": "x", "masters": true}}',
            b'{"command": "network.show", "args": {"name": "' + b"a" * 60000 + b'"}}',
            b'{"command": "network.list", "args": {}, "command": "network.remove"}',
            ]
    bad = []
    for r in reqs:
        s = conn(); send(s, r + b"\n")
        got = lines(s)
        try:
            if not got:
                raise SystemExit("no reply")
            error_reply(got[0], ("invalid", "not-found"))
        except SystemExit as e:
            bad.append(f"request {r[:80]!r}: {e}")
        s.close()
    if bad:
        raise SystemExit("\n".join(bad))
elif case == "repeated-keys":
    # json-c keeps the last of repeated keys: netd must refuse them all, at
    # every level and however spelled, and run nothing.
    reqs = [b'{"command": "ping", "command": "network.add", "args": {"name": "dupkey", "cidr": "203.0.113.0/24"}}',
            b'{"comm\\u0061nd": "network.add", "command": "ping", "args": {"name": "dupkey", "cidr": "203.0.113.0/24"}}',
            b'{"command": "network.add", "args": {"name": "lab", "name": "dupkey", "cidr": "203.0.113.0/24"}}',
            b'{"command": "network.add", "args": {"name": "dupkey", "cidr": "203.0.113.0/24"}, "args": {"name": "x"}}',
            ]
    bad = []
    for r in reqs:
        s = conn(); send(s, r + b"\n")
        got = lines(s)
        try:
            if not got:
                raise SystemExit("no reply")
            error_reply(got[0], ("invalid",))
            if b"a key is repeated" not in got[0]:
                raise SystemExit(f"not refused as a repeated key: {got[0][:300]!r}")
        except SystemExit as e:
            bad.append(f"request {r[:80]!r}: {e}")
        s.close()
    r = subprocess.run([sys.argv[3], "--socket", path, "network", "show", "dupkey"], capture_output=True, timeout=20)
    if r.returncode == 0:
        bad.append("network dupkey was created")
    if bad:
        raise SystemExit("\n".join(bad))
elif case == "huge-count":
    for n in (2**31, 2**32 + 1, 2**63 - 1, 2**64):
        s = conn()
        send(s, b'{"command": "cluster.allocate", "args": {"name": "x", "network": "lab", "topology": "compact", "masters": %d}}\n' % n)
        closed_or_error(s, ("invalid", "exhausted"))
elif case == "nested-array":
    s = conn(); send(s, b"[" * 30000 + b"]" * 30000 + b"\n"); closed_or_error(s)
elif case == "nested-args":
    s = conn()
    send(s, b'{"command": "network.list", "args": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}\n")
    closed_or_error(s)
elif case == "pipelined":
    s = conn(); send(s, b'{"command": "network.list"}\n' * 3)
    got = lines(s, 3)
    if len(got) != 3 or any(json.loads(l.decode()).get("result") != "ok" for l in got):
        raise SystemExit(f"expected 3 ok replies, got {got!r}")
elif case == "idle-clients":
    # 64 idle connections, some holding half a request, must not block others.
    held = []
    for i in range(64):
        s = conn()
        if i % 2:
            send(s, b'{"command": "network.li')
        held.append(s)
    r = subprocess.run([sys.argv[3], "--socket", path, "network", "list"], capture_output=True, timeout=20)
    if r.returncode != 0:
        raise SystemExit(f"netctl with idle peers: exit {r.returncode} {r.stderr!r}")
elif case == "mutate":
    s = conn()
    send(s, b'{"command": "network.add", "args": {"name": "evil", "cidr": "203.0.113.0/24"}}\n')
    got = lines(s)
    if got:
        error_reply(got[0], ("denied",))
else:
    raise SystemExit(f"unknown case {case}")
EOF

before_files=$(state_digest "$STATE")
for c in random random-no-newline bigline half half-shutdown badutf8 nul raw-nul wrongtypes repeated-keys huge-count \
        nested-array nested-args pipelined idle-clients; do
        if "${TO[@]}" "$PY" "$T/raw.py" "$SOCK" "$c" "$NETCTL" >"$T/raw.out" 2>&1; then
                ok "socket garbage '$c': error reply or closed connection"
        else
                not_ok "socket garbage '$c': error reply or closed connection"
                diag "$(tail -c 1500 "$T/raw.out")"
        fi
        if alive "$NETD_PID" && timeout 5 "$NETCTL" --socket "$SOCK" network list >/dev/null 2>"$T/err" </dev/null; then
                ok "netd answers after '$c'"
        else
                not_ok "netd answers after '$c'"
                if alive "$NETD_PID"; then
                        diag "netd is alive but does not answer: $(cat "$T/err")"
                        diag "$(ps -o pid=,pcpu=,stat= -p "$NETD_PID" | sed 's/^/ps: /')"
                else
                        diag "netd died"
                fi
                # Start over so the remaining cases still tell something; a
                # restart legitimately rewrites the servers file (new
                # responder port), so the baseline is taken again.
                check_eq "generated files unchanged by '$c' (before the restart)" "$before_files" \
                        "$(state_digest "$STATE")"
                netd_kill9
                for pid in $(ns_pids_named "$JH" dnsmasq); do
                        kill -KILL "$pid"
                        wait_dead "$pid" 5
                done
                netd_start main "$JH" managed || exit 1
                before=$(snapshot)
                before_files=$(state_digest "$STATE")
        fi
done
check_eq "socket garbage changed nothing" "$before" "$(snapshot)"

# ---------------------------------------------------------------- peers

NOBODY=("${TO[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups)
mkdir -p "$T/bin"
cp "$NETCTL" "$T/bin/netctl"
chmod 0755 "$T/bin" "$T/bin/netctl"
chmod 0644 "$T/raw.py"
chmod 0711 "$T"
sock_mode=$(stat -c %a "$SOCK")
check_eq "the control socket has mode 0660" 660 "$sock_mode"

"${NOBODY[@]}" "$T/bin/netctl" --socket "$SOCK" --json network list >"$T/out" 2>"$T/err" </dev/null
RC=$?
LAST_CMD="(uid 65534) netctl --socket $SOCK --json network list"
expect_error "unprivileged peer, normal socket mode -> denied" 1 denied

chmod 0777 "$(dirname "$SOCK")"
chmod 0666 "$SOCK"
"${NOBODY[@]}" "$T/bin/netctl" --socket "$SOCK" --json network list >"$T/out" 2>"$T/err" </dev/null
RC=$?
expect_error "unprivileged peer, world-writable socket -> denied by SO_PEERCRED" 1 denied
"${NOBODY[@]}" "$T/bin/netctl" --socket "$SOCK" --json network add evil --cidr 203.0.113.0/24 \
        >"$T/out" 2>"$T/err" </dev/null
RC=$?
LAST_CMD="(uid 65534) netctl --socket $SOCK --json network add evil --cidr 203.0.113.0/24"
expect_error "unprivileged peer cannot add a network -> denied" 1 denied
if "${NOBODY[@]}" "$PY" "$T/raw.py" "$SOCK" mutate >"$T/raw.out" 2>&1; then
        ok "unprivileged raw request: denied reply or closed connection"
else
        not_ok "unprivileged raw request: denied reply or closed connection"
        diag "$(cat "$T/raw.out")"
fi
check_eq "unprivileged peers changed nothing" "$before" "$(snapshot)"
nctl_ok "root still served" network list

exit 0
