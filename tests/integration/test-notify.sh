#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd's Type=notify protocol: netd sends READY=1 once its control
# socket answers and STOPPING=1 on SIGTERM, to $NOTIFY_SOCKET (here a
# datagram socket of the test standing in for systemd).

. "$(dirname "$0")/lib.sh"

require_netns
ns_add jh || exit 1
export JH=${P}jh
mkdir -p "$T/state"
SOCK=$T/netd.sock

pycheck "READY=1 after the socket answers, STOPPING=1 after SIGTERM, clean exit" \
        "$NETD" "$NETCTL" "$T" <<'PY'
import os, signal, socket, subprocess, time
netd, netctl, t = sys.argv[1:4]
path = os.path.join(t, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(20)
env = dict(os.environ, NOTIFY_SOCKET=path)
log = open(os.path.join(t, "netd.log"), "w")
p = subprocess.Popen(["ip", "netns", "exec", os.environ["JH"], netd, "--config", "/dev/null",
                      "--state-dir", os.path.join(t, "state"), "--socket", os.path.join(t, "netd.sock"),
                      "--dnsmasq", "off"], env=env, stdout=log, stderr=log)
try:
    msg = s.recv(4096).decode()
    fields = dict(l.split("=", 1) for l in msg.split("\n") if "=" in l)
    assert fields.get("READY") == "1", msg
    assert "STATUS" in fields and "serving" in fields["STATUS"], msg
    # The socket answers the moment READY=1 arrives.
    r = subprocess.run([netctl, "--socket", os.path.join(t, "netd.sock"), "network", "list"],
                       capture_output=True, timeout=10)
    assert r.returncode == 0, r
    p.send_signal(signal.SIGTERM)
    msg = s.recv(4096).decode()
    assert "STOPPING=1" in msg, msg
    assert p.wait(timeout=20) == 0, "netd exit status"
finally:
    if p.poll() is None:
        p.kill()
PY
exit 0
