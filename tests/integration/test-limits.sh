#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Limits: netd under descriptor floods and peers that never read.
#  - 1,100 idle control connections with netd's descriptor limit lowered
#    by prlimit: netd does not spin (CPU from /proc/PID/stat), logs a
#    bounded number of lines, and a root netctl is still answered;
#  - 1,100 idle /metrics clients at the usual 1024 limit do not stall an
#    allocation;
#  - a client that writes requests and never reads its replies is closed,
#    the log names its uid and pid, and netd's memory stays bounded;
#    others are answered meanwhile;
#  - netctl --timeout / NETD_TIMEOUT: the contract's line and exit 1.
# Each scenario prints "# figure: ..." lines (the numbers of the closing
# note of issue 14).

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
PORT=9466
# Under ASan freed memory waits in a quarantine (256 MiB by default) that
# would count as growth: keep it small, so that RSS shows what netd holds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
netd_start main "$JH" managed --metrics "127.0.0.1:$PORT" || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain lab.example
for i in 1 2 3 4 5 6 7 8; do
        nctl allocate cluster "c$i" --network lab --topology compact
done
nctl_ok "clusters allocated" cluster list

HZ=$(getconf CLK_TCK)

# cpu_ticks PID — user + system ticks of PID so far.
cpu_ticks() {
        awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# rss_kib PID
rss_kib() {
        awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# measure SECONDS — netd's CPU % and log lines/s over SECONDS; sets CPU_PCT
# (integer) and LINES_PER_S.
measure() {
        local t0 l0 t1 l1
        t0=$(cpu_ticks "$NETD_PID")
        l0=$(wc -l <"$NETD_LOG")
        sleep "$1"
        t1=$(cpu_ticks "$NETD_PID")
        l1=$(wc -l <"$NETD_LOG")
        CPU_PCT=$(((t1 - t0) * 100 / (HZ * $1)))
        LINES_PER_S=$(((l1 - l0) / $1))
}

# timed_nctl ARGS... — nctl, with the wall time in ms in MS.
timed_nctl() {
        local s e
        s=$(date +%s%N)
        nctl "$@"
        e=$(date +%s%N)
        MS=$(((e - s) / 1000000))
}

# The flooder: opens N idle connections (Unix socket PATH or tcp HOST:PORT)
# as fast as the peer takes them, for at most SECONDS, then holds them until
# killed; writes how many it holds to STATUS.
cat >"$T/flood.py" <<'EOF'
import errno, resource, socket, sys, time
target, n, seconds, status = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
held, deadline = [], time.monotonic() + seconds
def report():
    with open(status + ".tmp", "w") as f:
        f.write("%d\n" % len(held))
    import os; os.rename(status + ".tmp", status)
while len(held) < n and time.monotonic() < deadline:
    if target.startswith("tcp:"):
        host, port = target[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        addr = (host, int(port))
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr = target
    s.setblocking(False)
    try:
        s.connect(addr)
    except OSError as e:
        if e.errno != errno.EINPROGRESS:
            # EAGAIN: the listen queue is full; try again.
            s.close()
            time.sleep(0.01)
            continue
    held.append(s)
    if len(held) % 100 == 0:
        report()
report()
while True:
    time.sleep(3600)
EOF

# flood NAME NS TARGET N — starts the flooder (in namespace NS, "" = here)
# and waits until it holds N connections or 10 s passed. FLOOD_PID.
flood() {
        local name=$1 ns=$2 i
        rm -f "$T/$name.status"
        if [ -n "$ns" ]; then
                ip netns exec "$ns" "$PY" "$T/flood.py" "$3" "$4" 10 "$T/$name.status" &
        else
                "$PY" "$T/flood.py" "$3" "$4" 10 "$T/$name.status" &
        fi
        FLOOD_PID=$!
        _BG_PIDS+=("$FLOOD_PID")
        for ((i = 0; i < 240; i++)); do
                [ "$(cat "$T/$name.status" 2>/dev/null)" == "$4" ] && break
                sleep 0.05
        done
        FLOOD_HELD=$(cat "$T/$name.status" 2>/dev/null)
        info "$name: the flooder holds ${FLOOD_HELD:-0} connections"
}

flood_stop() {
        kill -KILL "$FLOOD_PID" 2>/dev/null
        wait "$FLOOD_PID" 2>/dev/null
}

# ---------------------------------------------------------------- control flood

measure 2
info "figure: idle netd: CPU ${CPU_PCT}%, ${LINES_PER_S} log lines/s, RSS $(rss_kib "$NETD_PID") KiB"
check "prlimit lowers netd's descriptor limit to 256" prlimit --pid "$NETD_PID" --nofile=256:
lines_before=$(wc -l <"$NETD_LOG")
flood control "" "$SOCK" 1100
measure 3
info "figure: 1,100 idle control connections at nofile 256: CPU ${CPU_PCT}%, ${LINES_PER_S} log lines/s"
if [ "$CPU_PCT" -le 20 ]; then
        ok "netd does not spin under the flood (CPU ${CPU_PCT}% over 3 s)"
else
        not_ok "netd does not spin under the flood (CPU ${CPU_PCT}% over 3 s)"
fi
if [ "$LINES_PER_S" -le 10 ]; then
        ok "netd's log stays quiet under the flood (${LINES_PER_S} lines/s)"
else
        not_ok "netd's log stays quiet under the flood (${LINES_PER_S} lines/s)"
        diag "$(tail -n 5 "$NETD_LOG")"
fi
timed_nctl --timeout 10 network list
if [ "$RC" -eq 0 ]; then
        ok "a root netctl is answered during the flood (${MS} ms)"
else
        not_ok "a root netctl is answered during the flood"
        diag "exit $RC: $ERR"
fi
info "figure: root netctl during the control flood: exit $RC in ${MS} ms"
timed_nctl --timeout 10 allocate cluster flood1 --network lab
check_eq "an allocation during the flood succeeds" 0 "$RC"
info "figure: allocation during the control flood: exit $RC in ${MS} ms"
flood_stop
lines_flood=$(($(wc -l <"$NETD_LOG") - lines_before))
info "figure: log lines during the whole control flood: $lines_flood"
if [ "$lines_flood" -le 200 ]; then
        ok "the control flood logged a bounded number of lines ($lines_flood)"
else
        not_ok "the control flood logged a bounded number of lines ($lines_flood)"
fi
if poll 10 "$NETCTL" --socket "$SOCK" --timeout 5 network list; then
        ok "netd answers once the flooder is gone"
else
        not_ok "netd answers once the flooder is gone"
fi
check "netd's descriptor limit back to 1024 (the usual soft limit)" prlimit --pid "$NETD_PID" --nofile=1024:

# ---------------------------------------------------------------- metrics flood

timed_nctl allocate cluster m0 --network lab
info "figure: allocation without a flood: ${MS} ms"
flood metrics "$JH" "tcp:127.0.0.1:$PORT" 1100
measure 3
info "figure: 1,100 idle /metrics clients at nofile 1024: CPU ${CPU_PCT}%, ${LINES_PER_S} log lines/s"
if [ "$CPU_PCT" -le 20 ] && [ "$LINES_PER_S" -le 10 ]; then
        ok "idle /metrics clients: no spinning, quiet log (CPU ${CPU_PCT}%, ${LINES_PER_S} lines/s)"
else
        not_ok "idle /metrics clients: no spinning, quiet log (CPU ${CPU_PCT}%, ${LINES_PER_S} lines/s)"
fi
timed_nctl --timeout 20 allocate cluster m1 --network lab
if [ "$RC" -eq 0 ] && [ "$MS" -le 2000 ]; then
        ok "an allocation with 1,100 idle /metrics clients takes ${MS} ms"
else
        not_ok "an allocation with 1,100 idle /metrics clients (exit $RC, ${MS} ms)"
fi
info "figure: allocation under 1,100 idle /metrics clients: exit $RC in ${MS} ms"
code=$(ip netns exec "$JH" "$PY" - "$PORT" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10) as r:
        print(r.status)
except Exception as e:
    print(repr(e))
EOF
)
check_eq "a scrape during the /metrics flood is answered" 200 "$code"
flood_stop

# ---------------------------------------------------------------- never reads

cat >"$T/noread.py" <<'EOF'
import socket, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
req = b'{"command": "cluster.list", "args": {}}\n' * 64
deadline, sent = time.monotonic() + seconds, 0
s.settimeout(0.5)
while time.monotonic() < deadline:
    try:
        sent += s.send(req)
    except socket.timeout:
        continue
    except (BrokenPipeError, ConnectionResetError):
        print("closed after %d bytes of requests" % sent)
        sys.exit(0)
print("still open after %d bytes of requests" % sent)
sys.exit(1)
EOF
rss0=$(rss_kib "$NETD_PID")
"$PY" "$T/noread.py" "$SOCK" 15 >"$T/noread.out" 2>&1 &
noread=$!
_BG_PIDS+=("$noread")
sleep 1
timed_nctl --timeout 10 network list
check_eq "netctl answered while a client does not read" 0 "$RC"
info "figure: netctl while a client does not read: ${MS} ms"
wait "$noread"
noread_rc=$?
rss1=$(rss_kib "$NETD_PID")
info "figure: a client that never reads: $(cat "$T/noread.out"); netd RSS ${rss0} -> ${rss1} KiB (+$(((rss1 - rss0) / 1024)) MiB)"
check_eq "netd closes a client that never reads its replies" 0 "$noread_rc"
if [ $((rss1 - rss0)) -le $((64 * 1024)) ]; then
        ok "netd's RSS grew by at most 64 MiB ($(((rss1 - rss0) / 1024)) MiB)"
else
        not_ok "netd's RSS grew by at most 64 MiB ($(((rss1 - rss0) / 1024)) MiB)"
fi
check "the log names the uid and pid of the client that does not read" \
        grep -qE "uid 0 pid $noread .*(does not read|unread)" "$NETD_LOG"

# ---------------------------------------------------------------- netctl --timeout

# A socket that accepts and never answers, and a stopped netd.
cat >"$T/mute.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)
EOF
"$PY" "$T/mute.py" "$T/mute.sock" &
_BG_PIDS+=("$!")
poll 5 test -S "$T/mute.sock"
s=$(date +%s)
"$NETCTL" --socket "$T/mute.sock" --timeout 2 network list >"$T/out" 2>"$T/err" </dev/null
RC=$?
e=$(date +%s)
check_eq "netctl --timeout 2: the contract's line" "netctl: unavailable: no answer from netd within 2 s" "$(cat "$T/err")"
check_eq "netctl --timeout 2: exit 1" 1 "$RC"
if [ $((e - s)) -ge 1 ] && [ $((e - s)) -le 4 ]; then
        ok "netctl --timeout 2 waited about 2 s ($((e - s)) s)"
else
        not_ok "netctl --timeout 2 waited about 2 s ($((e - s)) s)"
fi
NETD_TIMEOUT=1 "$NETCTL" --socket "$T/mute.sock" network list >"$T/out" 2>"$T/err" </dev/null
RC=$?
check_eq "NETD_TIMEOUT=1: the contract's line, exit 1" \
        "1 netctl: unavailable: no answer from netd within 1 s" "$RC $(cat "$T/err")"
# A peer refused before its request is read (as netd refuses past its caps)
# sees netd's reason, not "Broken pipe".
cat >"$T/refuse.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(64)
while True:
    c, _ = s.accept()
    c.send(b'{"error": {"code": "unavailable", "message": "too many connections to netd"}, "result": "error"}\n')
    c.close()
EOF
"$PY" "$T/refuse.py" "$T/refuse.sock" &
_BG_PIDS+=("$!")
poll 5 test -S "$T/refuse.sock"
bad=0
for i in $(seq 20); do
        "$NETCTL" --socket "$T/refuse.sock" --timeout 5 network list >"$T/out" 2>"$T/err" </dev/null
        [ "$?" -eq 1 ] && [ "$(cat "$T/err")" == "netctl: unavailable: too many connections to netd" ] || bad=$((bad + 1))
done
check_eq "a refused netctl prints netd's reason (20 tries)" 0 "$bad"

kill -STOP "$NETD_PID"
"$NETCTL" --socket "$SOCK" --timeout 1 --json network list >"$T/out" 2>"$T/err" </dev/null
RC=$?
kill -CONT "$NETD_PID"
check_eq "a stopped netd: netctl --timeout 1 gives up with the contract's line" \
        "1 netctl: unavailable: no answer from netd within 1 s" "$RC $(cat "$T/err")"
LAST_CMD="netctl --timeout 1 --json network list"
expect_error "a stopped netd: --json error object" 1 unavailable
nctl_ok "netd answers again after SIGCONT" network list

netd_stop
check_eq "netd stops cleanly" 0 "$NETD_STATUS"
exit 0
