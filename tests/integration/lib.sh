# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the integration tests; sourced, never run.
#
# Every test builds its own lab of network namespaces (prefix nt$$-), runs
# the real netd and netctl and the real dnsmasq, prints one line per check
# ("ok - ..." / "not ok - ...") and exits non-zero when any check failed.
# The EXIT trap kills every process it started or that lives in one of its
# namespaces, deletes the namespaces and the temp dir, also on failure.
#
# Run by hand:  NETD=build/netd NETCTL=build/netctl bash tests/integration/test-x.sh
# NETD_TEST_KEEP=1 keeps the temp dir (logs, state) for a post-mortem.

set -u
set -o pipefail

if [ -z "${NETD:-}" ] || [ -z "${NETCTL:-}" ]; then
        echo "not ok - NETD and NETCTL must name the binaries" >&2
        exit 1
fi
NETD=$(readlink -f "$NETD")
NETCTL=$(readlink -f "$NETCTL")
PY=$(command -v /usr/bin/python3 || command -v python3)
# Bounds every client call: a daemon that stops answering fails the check
# instead of hanging the suite.
TO=(timeout 30)

T=$(mktemp -d /tmp/netd-it.XXXXXX)
P="nt$$-"
_N_OK=0
_N_FAIL=0
_NAMESPACES=()
_NETD_PIDS=()
_LOGS=()
_BG_PIDS=()

# ---------------------------------------------------------------- checks

ok() {
        _N_OK=$((_N_OK + 1))
        echo "ok - $*"
}

not_ok() {
        _N_FAIL=$((_N_FAIL + 1))
        echo "not ok - $*"
}

# Indented diagnostics under the previous check line.
diag() {
        local line
        while IFS= read -r line; do
                printf '#   %s\n' "$line"
        done <<<"$*"
}

info() {
        echo "# $*"
}

# check DESC CMD... — ok when CMD exits 0.
check() {
        local desc=$1
        shift
        if "$@" >"$T/.check.out" 2>&1; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "command: $*"
                diag "$(head -c 2000 "$T/.check.out")"
        fi
}

# check_eq DESC EXPECTED GOT — multi-line values are shown as a diff.
check_eq() {
        if [ "$2" == "$3" ]; then
                ok "$1"
        elif [[ "$2$3" == *$'\n'* ]]; then
                not_ok "$1"
                diag "$(diff -u --label expected --label got <(echo "$2") <(echo "$3") | head -n 60)"
        else
                not_ok "$1"
                diag "expected: $2"
                diag "got:      $3"
        fi
}

# The python prelude every pycheck/pyrun script sees: json, ipaddress, sys,
# load(path), fail(msg).
cat >"$T/.prelude.py" <<'EOF'
import csv, io, ipaddress, json, os, re, sys
def load(path):
    with open(path) as f:
        return json.load(f)
def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)
def isint(v):
    return isinstance(v, int) and not isinstance(v, bool)
def canon(s):
    return str(ipaddress.ip_address(s))
EOF

# pyrun ARGS... <<'EOF' python EOF — runs python with the prelude; the
# script's stdout is passed through, sys.argv[1:] are ARGS.
pyrun() {
        local script
        script=$(cat)
        "$PY" -c "$(cat "$T/.prelude.py")
$script" "$@"
}

# pycheck DESC ARGS... <<'EOF' python EOF — ok when the script exits 0;
# whatever it prints to stderr is shown under a failure.
pycheck() {
        local desc=$1
        shift
        if pyrun "$@" >"$T/.py.out" 2>"$T/.py.err"; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "$(head -c 3000 "$T/.py.err")"
        fi
}

# jget FILE EXPR — prints EXPR evaluated with d = the JSON in FILE; strings
# raw, lists one item a line, everything else as JSON.
jget() {
        pyrun "$1" "$2" <<'EOF'
d = load(sys.argv[1])
v = eval(sys.argv[2], {"d": d})
if isinstance(v, list):
    for x in v:
        print(x if isinstance(x, str) else json.dumps(x))
elif isinstance(v, str):
    print(v)
else:
    print(json.dumps(v))
EOF
}

# ---------------------------------------------------------------- netctl

# nctl ARGS... — runs netctl against $SOCK. Sets RC and leaves stdout in
# $T/out, stderr in $T/err (also in OUT and ERR).
nctl() {
        "${TO[@]}" "$NETCTL" --socket "$SOCK" "$@" >"$T/out" 2>"$T/err" </dev/null
        RC=$?
        OUT=$(cat "$T/out")
        ERR=$(cat "$T/err")
        LAST_CMD="netctl $*"
        return 0
}

# nctl_ok DESC ARGS... — runs netctl, expects exit 0.
nctl_ok() {
        local desc=$1
        shift
        nctl "$@"
        if [ "$RC" -eq 0 ]; then
                ok "$desc"
                return 0
        fi
        not_ok "$desc"
        diag "command: $LAST_CMD"
        diag "expected exit 0, got $RC"
        diag "stderr: $ERR"
        return 1
}

# expect_error DESC RC CODE — checks the last nctl call failed with exit RC,
# one stderr line `netctl: CODE: ...` and, when --json was given, the error
# object on stdout.
expect_error() {
        local desc=$1 want_rc=$2 code=$3 why=""
        local nlines
        nlines=$(wc -l <"$T/err")
        if [ "$RC" -ne "$want_rc" ]; then
                why="exit $RC, expected $want_rc"
        elif [ "$want_rc" -eq 1 ]; then
                if [ "$nlines" -ne 1 ] || [ "$(tail -c1 "$T/err" | od -An -c | tr -d ' ')" != '\n' ]; then
                        why="stderr is not exactly one line ($nlines newlines)"
                elif ! grep -q "^netctl: $code: ." "$T/err"; then
                        why="stderr does not start with 'netctl: $code: '"
                elif [[ "$LAST_CMD" == *" --json "* ]] && ! pyrun "$T/out" "$code" >/dev/null 2>&1 <<'EOF'; then
d = load(sys.argv[1])
e = d["error"]
assert e["code"] == sys.argv[2] and isinstance(e["message"], str) and e["message"]
EOF
                        why="stdout is not {\"error\": {\"code\": \"$code\", \"message\": ...}}"
                fi
        fi
        if [ -z "$why" ]; then
                ok "$desc"
                return 0
        fi
        not_ok "$desc"
        diag "command: $LAST_CMD"
        diag "$why"
        diag "stdout: $(head -c 1000 "$T/out")"
        diag "stderr: $(head -c 1000 "$T/err")"
        return 1
}

# ---------------------------------------------------------------- processes

# alive PID — true while PID exists and is not a zombie.
alive() {
        local st
        st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
        [ -n "$st" ] && [ "${st:0:1}" != Z ]
}

# wait_dead PID [SECONDS] — bounded poll until PID is gone.
wait_dead() {
        local pid=$1 i n=$((${2:-10} * 20))
        for ((i = 0; i < n; i++)); do
                alive "$pid" || return 0
                sleep 0.05
        done
        return 1
}

# poll SECONDS CMD... — bounded poll until CMD succeeds; only for effects
# the contract does not make synchronous (e.g. dnsmasq writing its lease file).
poll() {
        local i n=$(($1 * 20))
        shift
        for ((i = 0; i < n; i++)); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.05
        done
        "$@"
}

# ns_pids_named NS COMM — pids of processes named COMM in namespace NS.
ns_pids_named() {
        local pid
        for pid in $(ip netns pids "$1" 2>/dev/null); do
                if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" == "$2" ]; then
                        echo "$pid"
                fi
        done
}

# netd_start ID NS MODE [ARGS...] — starts netd instance ID (state dir
# $T/ID/state, socket $T/ID/netd.sock, log $T/ID/netd.log) inside namespace
# NS ("" = here) and waits until it answers. Sets SOCK, STATE, NETD_PID,
# NETD_LOG. Returns non-zero when it did not come up.
netd_start() {
        local id=$1 ns=$2 mode=$3 i
        shift 3
        mkdir -p "$T/$id/state"
        STATE=$T/$id/state
        SOCK=$T/$id/netd.sock
        NETD_LOG=$T/$id/netd.log
        [[ " ${_LOGS[*]} " == *" $NETD_LOG "* ]] || _LOGS+=("$NETD_LOG")
        echo "=== netd start $(date +%T.%N) ===" >>"$NETD_LOG"
        if [ -n "$ns" ]; then
                ip netns exec "$ns" "$NETD" --state-dir "$STATE" --socket "$SOCK" --dnsmasq "$mode" \
                        --log-level debug "$@" >>"$NETD_LOG" 2>&1 </dev/null &
        else
                "$NETD" --state-dir "$STATE" --socket "$SOCK" --dnsmasq "$mode" \
                        --log-level debug "$@" >>"$NETD_LOG" 2>&1 </dev/null &
        fi
        NETD_PID=$!
        _NETD_PIDS+=("$NETD_PID")
        for ((i = 0; i < 200; i++)); do
                if ! alive "$NETD_PID"; then
                        not_ok "netd ($id) started"
                        diag "netd exited during start-up"
                        return 1
                fi
                if timeout 5 "$NETCTL" --socket "$SOCK" network list >/dev/null 2>&1 </dev/null; then
                        return 0
                fi
                sleep 0.05
        done
        not_ok "netd ($id) started"
        diag "netd did not answer within 10 s"
        return 1
}

# netd_stop — SIGTERM the current netd and wait for it; sets NETD_STATUS.
netd_stop() {
        kill -TERM "$NETD_PID" 2>/dev/null
        if ! wait_dead "$NETD_PID" 10; then
                kill -KILL "$NETD_PID" 2>/dev/null
                wait_dead "$NETD_PID" 5
        fi
        wait "$NETD_PID" 2>/dev/null
        NETD_STATUS=$?
}

# netd_kill9 — SIGKILL the current netd.
netd_kill9() {
        kill -KILL "$NETD_PID" 2>/dev/null
        wait_dead "$NETD_PID" 5
        wait "$NETD_PID" 2>/dev/null
        return 0
}

# ---------------------------------------------------------------- namespaces

# ns_add NAME — creates namespace ${P}NAME with lo up; prints nothing.
ns_add() {
        local ns=$P$1
        ip netns add "$ns" || return 1
        _NAMESPACES+=("$ns")
        ip -n "$ns" link set lo up
}

# require_netns — exit 77 when namespaces cannot be made (never in CI).
require_netns() {
        if [ "$(id -u)" -ne 0 ] || ! ip netns add "${P}probe" 2>"$T/.probe"; then
                if [ "${CI:-}" == true ]; then
                        echo "not ok - cannot create network namespaces (CI=true, not skipping)"
                        cat "$T/.probe" 2>/dev/null
                        exit 1
                fi
                echo "# SKIP cannot create network namespaces: $(cat "$T/.probe" 2>/dev/null)"
                exit 77
        fi
        ip netns del "${P}probe"
}

# lab_setup [V6] — namespaces JH (jumphost) and SW (switch with bridge br0),
# cable jh0 (JH, 192.0.2.1/24 [+ 2001:db8:1::1/64]) <-> p-jh (SW, in br0).
lab_setup() {
        JH=${P}jh
        SW=${P}sw
        ns_add jh && ns_add sw || {
                not_ok "lab namespaces created"
                exit 1
        }
        ip -n "$SW" link add br0 type bridge stp_state 0 &&
                ip -n "$SW" link set br0 up &&
                ip -n "$JH" link add jh0 type veth peer name p-jh netns "$SW" &&
                ip -n "$SW" link set p-jh master br0 up &&
                ip -n "$JH" addr add 192.0.2.1/24 dev jh0 &&
                ip -n "$JH" link set jh0 up || {
                not_ok "lab cabled"
                exit 1
        }
        if [ "${1:-}" == v6 ]; then
                ip -n "$JH" addr add 2001:db8:1::1/64 dev jh0 nodad || {
                        not_ok "jh0 has 2001:db8:1::1/64"
                        exit 1
                }
        fi
}

# vm_add NAME — namespace ${P}NAME with eth0 cabled into the switch bridge.
vm_add() {
        local ns=$P$1
        ns_add "$1" &&
                ip -n "$ns" link add eth0 type veth peer name "v-$1" netns "$SW" &&
                ip -n "$SW" link set "v-$1" master br0 up &&
                ip -n "$ns" link set eth0 up || {
                not_ok "vm $1 created"
                exit 1
        }
}

cat >"$T/.udhcpc.sh" <<'EOF'
#!/bin/sh
[ "$1" = bound ] && echo "LEASE ip=$ip hostname=${hostname:-} domain=${domain:-}"
exit 0
EOF
chmod 755 "$T/.udhcpc.sh"

# dhcp VM MAC — gives VM's eth0 the MAC, runs udhcpc once; prints the
# leased address (nothing when no lease). The host name the server sent is
# left in $T/.dhcp_hostname.
dhcp() {
        local ns=$P$1 line
        ip -n "$ns" link set eth0 down
        ip -n "$ns" link set eth0 address "$2"
        ip -n "$ns" link set eth0 up
        ip netns exec "$ns" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$T/.udhcpc.sh" >"$T/.dhcp" 2>&1 </dev/null
        line=$(grep '^LEASE ' "$T/.dhcp" | tail -n1)
        sed -n 's/.* hostname=\([^ ]*\).*/\1/p' <<<"$line" >"$T/.dhcp_hostname"
        sed -n 's/^LEASE ip=\([^ ]*\).*/\1/p' <<<"$line"
}

# dns NS SERVER NAME [TYPE|-x] — one query, no retries. Sets DNS_ANSWER
# (the answers, sorted, space-separated) and DNS_STATUS (NOERROR, NXDOMAIN,
# ..., or no-answer when nothing replied). Call it outside $(...).
dns() {
        local ns=$1 server=$2 name=$3 type=${4:-A}
        if [ "$type" == -x ]; then
                ip netns exec "$ns" dig @"$server" -x "$name" +time=2 +tries=1 +noall +comments +answer \
                        >"$T/.dig" 2>&1 </dev/null
        else
                ip netns exec "$ns" dig @"$server" "$name" "$type" +time=2 +tries=1 +noall +comments +answer \
                        >"$T/.dig" 2>&1 </dev/null
        fi
        DNS_STATUS=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T/.dig")
        [ -n "$DNS_STATUS" ] || DNS_STATUS="no-answer"
        DNS_ANSWER=$(grep -v '^;' "$T/.dig" | awk 'NF >= 5 { print $5 }' | sort | tr '\n' ' ' | sed 's/ $//')
}

# check_dns DESC NS SERVER NAME TYPE EXPECTED — exact answer set.
check_dns() {
        dns "$2" "$3" "$4" "$5"
        if [ "$DNS_ANSWER" == "$6" ] && [ "$DNS_STATUS" == NOERROR ]; then
                ok "$1"
        else
                not_ok "$1"
                diag "dig @$3 $4 $5"
                diag "expected: NOERROR $6"
                diag "got:      $DNS_STATUS $DNS_ANSWER"
        fi
}

# check_nxdomain DESC NS SERVER NAME [TYPE|-x]
check_nxdomain() {
        dns "$2" "$3" "$4" "${5:-A}"
        if [ "$DNS_STATUS" == NXDOMAIN ] && [ -z "$DNS_ANSWER" ]; then
                ok "$1"
        else
                not_ok "$1"
                diag "dig @$3 $4 ${5:-A}"
                diag "expected: NXDOMAIN"
                diag "got:      $DNS_STATUS $DNS_ANSWER"
        fi
}

# check_no_ptr DESC NS SERVER IP — the PTR of IP does not answer.
check_no_ptr() {
        dns "$2" "$3" "$4" -x
        if [ -z "$DNS_ANSWER" ] && [ "$DNS_STATUS" != no-answer ]; then
                ok "$1"
        else
                not_ok "$1"
                diag "dig @$3 -x $4"
                diag "expected: no PTR answer"
                diag "got:      $DNS_STATUS $DNS_ANSWER"
        fi
}

# state_digest DIR — one line per generated file: checksum and path (the
# database, lock and pid files are not generated text).
state_digest() {
        (cd "$1" 2>/dev/null && find . -type f ! -name 'netd.db*' ! -name '*.lock' ! -name '*.pid' -print0 |
                sort -z | xargs -0 -r sha256sum)
}

# ---------------------------------------------------------------- cleanup

_cleanup() {
        local rc=$? pid ns log
        trap - EXIT INT TERM
        # bash reports killed jobs on stderr; that is no news here.
        exec 3>&2 2>/dev/null
        for pid in "${_BG_PIDS[@]}" "${_NETD_PIDS[@]}"; do
                kill -KILL "$pid"
        done
        for ns in "${_NAMESPACES[@]}"; do
                for pid in $(ip netns pids "$ns" 2>/dev/null); do
                        kill -KILL "$pid" 2>/dev/null
                done
        done
        for pid in "${_BG_PIDS[@]}" "${_NETD_PIDS[@]}"; do
                { wait "$pid"; } 2>/dev/null
        done
        for ns in "${_NAMESPACES[@]}"; do
                for pid in $(ip netns pids "$ns" 2>/dev/null); do
                        wait_dead "$pid" 5
                done
                ip netns del "$ns" 2>/dev/null
        done
        exec 2>&3 3>&-
        if [ "$_N_FAIL" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
                for log in "${_LOGS[@]}"; do
                        [ -f "$log" ] || continue
                        echo "# ---- ${log#"$T"/} (last 150 lines) ----"
                        tail -n 150 "$log" | sed 's/^/#   /'
                done
        fi
        if [ -n "${NETD_TEST_KEEP:-}" ]; then
                echo "# kept $T"
        else
                rm -rf "$T"
        fi
        if [ "$rc" -eq 77 ]; then
                exit 77
        fi
        echo "# $_N_OK passed, $_N_FAIL failed"
        if [ "$_N_FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                exit 1
        fi
        exit 0
}
trap _cleanup EXIT
trap 'exit 130' INT TERM
