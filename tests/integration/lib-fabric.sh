# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the fabric tests (hosts, bridges, veth pairs, VXLAN); sourced
# after nothing else, never run. Builds on lib.sh (checks, netctl wrappers,
# netd start, cleanup trap).
#
# The lab: namespace "sw" is the underlay switch (bridge br0); every other
# lab node (the jumphost "jh", hypervisors "hv1"...) is cabled to it by a
# veth "u0" carrying its underlay address(es). netd runs in jh; hypervisors
# are reached through `ip netns exec NS netd agent --stdio`. A "VM" is a
# namespace whose eth0 is a veth whose other end (t-VM) sits in a
# hypervisor namespace, enslaved to a netd-made bridge like a libvirt tap.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# netd runs `CMD netd agent --stdio`: the agent it reaches must be the
# binary under test, so that one comes first on PATH (netd and every
# `ip netns exec` inherit it).
mkdir -p "$T/bin"
ln -sf "$NETD" "$T/bin/netd"
export PATH="$T/bin:$PATH"

# fab_switch — the underlay switch namespace $SW with bridge br0.
fab_switch() {
        SW=${P}sw
        ns_add sw &&
                ip -n "$SW" link add br0 type bridge stp_state 0 &&
                ip -n "$SW" link set br0 up || {
                not_ok "underlay switch created"
                exit 1
        }
}

# fab_node NAME [ADDR4] [ADDR6] — namespace ${P}NAME cabled to the switch by
# u0, with the given underlay addresses (/24 and /64; "" = none).
fab_node() {
        local name=$1 a4=${2:-} a6=${3:-} ns=$P$1
        ns_add "$name" &&
                ip -n "$ns" link add u0 type veth peer name "u-$name" netns "$SW" &&
                ip -n "$SW" link set "u-$name" master br0 up &&
                ip -n "$ns" link set u0 up || {
                not_ok "lab node $name cabled"
                exit 1
        }
        if [ -n "$a4" ]; then
                ip -n "$ns" addr add "$a4/24" dev u0 || {
                        not_ok "$name has underlay $a4"
                        exit 1
                }
        fi
        if [ -n "$a6" ]; then
                ip -n "$ns" addr add "$a6/64" dev u0 nodad || {
                        not_ok "$name has underlay $a6"
                        exit 1
                }
        fi
}

# fab_host_add NAME UNDERLAY — registers hypervisor namespace ${P}NAME as
# lab host NAME, reached through its agent.
fab_host_add() {
        nctl_ok "host add $1 (agent in namespace ${P}$1, underlay $2)" \
                host add "$1" --connect "ip netns exec ${P}$1" --underlay "$2"
}

# fab_vm NAME HV BRIDGE MAC [MTU] — VM namespace ${P}NAME; its eth0 (MAC)
# is cabled to t-NAME in hypervisor namespace ${P}HV, a port of BRIDGE.
fab_vm() {
        local name=$1 hv=$P$2 br=$3 mac=$4 mtu=${5:-1500} ns=$P$1
        ns_add "$name" &&
                ip -n "$ns" link add eth0 mtu "$mtu" address "$mac" type veth \
                        peer name "t-$name" mtu "$mtu" netns "$hv" &&
                ip -n "$hv" link set "t-$name" master "$br" up &&
                ip -n "$ns" link set eth0 up || {
                not_ok "VM $name plugged into $br on $2"
                exit 1
        }
}

# fab_ping VM ADDR — ICMP echo from VM to ADDR over the overlay; three
# single-packet tries, so a first packet lost to neighbour resolution does
# not fail it, while a broken path still does.
fab_ping() {
        local i
        for i in 1 2 3; do
                ip netns exec "$P$1" busybox ping -c1 -W1 "$2" >"$T/.ping" 2>&1 </dev/null && return 0
        done
        return 1
}

# fab_no_ping VM ADDR — true when a single echo gets no reply.
fab_no_ping() {
        ! ip netns exec "$P$1" busybox ping -c1 -W1 "$2" >"$T/.ping" 2>&1 </dev/null
}

# ---------------------------------------------------------------- kernel state

# fab_link NS IF — true when interface IF exists in namespace NS.
fab_link() {
        ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

# fab_no_link NS IF — true when it does not.
fab_no_link() {
        ! ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

# fab_link_json NS IF FILE — `ip -d -j link show IF` in NS into FILE.
fab_link_json() {
        ip -n "$1" -d -j link show dev "$2" >"$3" 2>&1
}

# fab_check_link DESC NS IF KEY=VALUE... — one check over the interface's
# `ip -d -j link show`. Keys: kind (bridge, vxlan, veth), mtu, master ("-"
# = none), alias ("-" = none), up (1/0), vni, local (underlay, either
# family), dstport, stp (bridge stp_state), peer (veth's other end).
fab_check_link() {
        local desc=$1 ns=$2 ifname=$3
        shift 3
        fab_link_json "$ns" "$ifname" "$T/.link.json"
        pycheck "$desc" "$T/.link.json" "$ifname" "$@" <<'EOF'
path, ifname = sys.argv[1], sys.argv[2]
try:
    links = load(path)
except Exception:
    fail(f"{ifname}: no such interface ({open(path).read().strip()})")
l = links[0]
info = l.get("linkinfo", {})
data = info.get("info_data", {})
bad = []
for kv in sys.argv[3:]:
    k, want = kv.split("=", 1)
    if k == "kind":
        got = info.get("info_kind")
    elif k == "mtu":
        got = str(l.get("mtu"))
    elif k == "master":
        got = l.get("master", "-")
    elif k == "alias":
        got = l.get("ifalias", "-")
    elif k == "up":
        got = "1" if "UP" in l.get("flags", []) else "0"
    elif k == "vni":
        got = str(data.get("id"))
    elif k == "dstport":
        got = str(data.get("port"))
    elif k == "local":
        got = data.get("local", data.get("local6"))
        want, got = canon(want), canon(got) if got else None
    elif k == "stp":
        got = str(data.get("stp_state"))
    elif k == "peer":
        got = l.get("link")
    else:
        fail(f"unknown key {k}")
    if got != want:
        bad.append(f"{ifname}: {k} is {got!r}, want {want!r}")
if bad:
    fail("\n".join(bad))
EOF
}

# fab_fdb NS DEV — the remotes of DEV's all-zero-MAC flood entries, sorted,
# space-separated (canonical addresses).
fab_fdb() {
        bridge -n "$1" -j fdb show dev "$2" >"$T/.fdb.json" 2>/dev/null
        pyrun "$T/.fdb.json" <<'EOF'
try:
    entries = load(sys.argv[1])
except Exception:
    entries = []
print(" ".join(sorted(canon(e["dst"]) for e in entries
                      if e.get("mac") == "00:00:00:00:00:00" and e.get("dst"))))
EOF
}

# fab_fdb_is NS DEV EXPECTED — true when the flood set is exactly EXPECTED
# (sorted, space-separated).
fab_fdb_is() {
        [ "$(fab_fdb "$1" "$2")" == "$3" ]
}

# fab_check_fdb DESC NS DEV EXPECTED [SECONDS] — polls up to SECONDS
# (default: no wait) for the flood set to become EXPECTED.
fab_check_fdb() {
        local got
        poll "${5:-0}" fab_fdb_is "$2" "$3" "$4" >/dev/null 2>&1
        got=$(fab_fdb "$2" "$3")
        check_eq "$1" "$4" "$got"
}

# fab_agent_pids NS — pids of `netd agent --stdio` processes in NS.
fab_agent_pids() {
        local pid
        for pid in $(ip netns pids "$1" 2>/dev/null); do
                if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'agent --stdio'; then
                        echo "$pid"
                fi
        done
}

# ---------------------------------------------------------------- fabric status

# fab_status — `netctl --json fabric status` into $T/status.json; sets RC.
fab_status() {
        nctl --json fabric status
        cp "$T/out" "$T/status.json"
        [ "$RC" -eq 0 ]
}

# fab_states HOST KIND NAME — the states of HOST's objects KIND/NAME in the
# last status, space-separated ("" when there is none).
fab_states() {
        pyrun "$T/status.json" "$@" <<'EOF'
try:
    d = load(sys.argv[1])
except Exception:
    sys.exit(0)
host, kind, name = sys.argv[2:5]
print(" ".join(o.get("state", "?") for h in d.get("hosts", []) if h.get("name") == host
               for o in h.get("objects", []) if o.get("kind") == kind and o.get("name") == name))
EOF
}

# fab_state_is HOST KIND NAME STATE — fresh status; true when the object is
# there and every entry for it has STATE.
fab_state_is() {
        local s
        fab_status || return 1
        s=$(fab_states "$1" "$2" "$3")
        [ -n "$s" ] && ! tr ' ' '\n' <<<"$s" | grep -qvx "$4"
}

# fab_check_state DESC SECONDS HOST KIND NAME STATE — polls `fabric status`.
fab_check_state() {
        local desc=$1 secs=$2
        shift 2
        if poll "$secs" fab_state_is "$@" >/dev/null 2>&1; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "fabric status: $2 $3 on host $1: expected $4, got '$(fab_states "$1" "$2" "$3")'"
                diag "exit $RC; $(head -c 2000 "$T/status.json") $ERR"
        fi
}

# fab_all_ok [HOST...] — fresh status; true when it has the contract's
# shape, and the given hosts (all when none given) are connected and every
# one of their objects is ok. Whatever is not is left in $T/.notok.
fab_all_ok() {
        fab_status || {
                echo "fabric status: exit $RC: $ERR" >"$T/.notok"
                return 1
        }
        pyrun "$T/status.json" "$@" >"$T/.notok" 2>&1 <<'EOF'
d = load(sys.argv[1])
want = set(sys.argv[2:])
if not isinstance(d, dict) or not isinstance(d.get("hosts"), list):
    fail(f"not {{'hosts': [...]}}: {d}")
bad, seen = [], set()
for h in d["hosts"]:
    name = h.get("name")
    if want and name not in want:
        continue
    seen.add(name)
    if h.get("connected") is not True:
        bad.append(f"{name}: connected={h.get('connected')!r}")
    for o in h.get("objects", []):
        if o.get("state") != "ok":
            bad.append(f"{name}: {o.get('kind')} {o.get('name')}: {o.get('state')}")
missing = want - seen
if missing:
    bad.append(f"hosts missing from status: {sorted(missing)}")
if bad:
    fail("\n".join(bad))
EOF
}

# fab_check_all_ok DESC SECONDS [HOST...] — polls until fab_all_ok.
fab_check_all_ok() {
        local desc=$1 secs=$2
        shift 2
        if poll "$secs" fab_all_ok "$@" >/dev/null 2>&1; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "$(head -c 3000 "$T/.notok")"
        fi
}

# fab_check_status_shape DESC — the last status has exactly the contract's
# shape: {"hosts": [{"name", "connected", "state", "error", "objects":
# [{"kind", "name", "state", "detail"}]}]}, a host's state one of
# connecting|connected|failed (connected exactly when "connected" is true,
# an error naming the host when failed), an object's one of
# ok|missing|drifted|conflict.
fab_check_status_shape() {
        pycheck "$1" "$T/status.json" <<'EOF'
d = load(sys.argv[1])
if not isinstance(d, dict) or "hosts" not in d or not isinstance(d["hosts"], list):
    fail(f"top level is not {{'hosts': [...]}}: {d}")
for h in d["hosts"]:
    for k, t in (("name", str), ("connected", bool), ("objects", list), ("state", str)):
        if not isinstance(h.get(k), t):
            fail(f"host {h.get('name')!r}: {k} missing or not {t.__name__}: {h}")
    if h["state"] not in ("connecting", "connected", "failed"):
        fail(f"host {h['name']}: state {h['state']!r}")
    if h["connected"] != (h["state"] == "connected"):
        fail(f"host {h['name']}: connected {h['connected']} but state {h['state']}")
    if "error" not in h or not (h["error"] is None or isinstance(h["error"], str)):
        fail(f"host {h['name']}: error missing or not null/string: {h}")
    if h["state"] == "failed" and not (h["error"] or "").startswith(f"host {h['name']}: "):
        fail(f"host {h['name']}: failed without an error naming it: {h['error']!r}")
    for o in h["objects"]:
        for k in ("kind", "name", "state"):
            if not isinstance(o.get(k), str) or not o[k]:
                fail(f"host {h['name']}: object {o}: {k} missing or not a string")
        if not isinstance(o.get("detail"), str):
            fail(f"host {h['name']}: object {o}: detail missing or not a string")
        if o["state"] not in ("ok", "missing", "drifted", "conflict"):
            fail(f"host {h['name']}: object {o}: state {o['state']!r}")
EOF
}

# fab_set ADDR... — the addresses sorted and space-separated, as fab_fdb
# prints them.
fab_set() {
        [ $# -gt 0 ] || return 0
        printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
