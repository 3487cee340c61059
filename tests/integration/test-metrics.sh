#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prometheus metrics: netd with --metrics in managed mode; a scrape of
# /metrics after allocations shows each network's address counts (equal to
# `report capacity`), its clusters, the hosts' connection and drift state,
# and the allocation and dnsmasq-change latency histograms; other paths and
# methods are refused; the exposition format parses.

. "$(dirname "$0")/lib-fabric.sh"

require_netns
lab_setup
fab_node hv1 198.51.100.11
ip -n "$JH" link add u0 type veth peer name u-jh netns "$SW" &&
        ip -n "$SW" link set u-jh master br0 up &&
        ip -n "$JH" addr add 198.51.100.1/24 dev u0 &&
        ip -n "$JH" link set u0 up || {
        not_ok "jumphost underlay cabled"
        exit 1
}
PORT=9464
netd_start main "$JH" managed --metrics "127.0.0.1:$PORT" || exit 1

# scrape [PATH] [METHOD] — HTTP from inside the jumphost namespace; the body
# goes to $T/metrics, the status code to stdout.
scrape() {
        ip netns exec "$JH" "$PY" - "http://127.0.0.1:$PORT${1:-/metrics}" "${2:-GET}" "$T/metrics" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2])
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        open(sys.argv[3], "wb").write(r.read())
        print(r.status, r.headers.get("Content-Type"))
except urllib.error.HTTPError as e:
    print(e.code)
PY
}

check_eq "GET /metrics answers 200 with the text format" "200 text/plain; version=0.0.4; charset=utf-8" "$(scrape)"
check "before any network: the histograms are there, empty" grep -qx "netd_allocation_duration_seconds_count 0" "$T/metrics"

nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 \
        --reserve 192.0.2.2-192.0.2.9 --domain lab.example
nctl_ok "network add v6 (a /64)" network add v6 --cidr 2001:db8:64::/64
nctl_ok "allocate cluster sno" allocate cluster sno --network lab
nctl_ok "allocate cluster hub (compact)" allocate cluster hub --network lab --topology compact
nctl allocate cluster sno --network lab --topology mno
expect_error "a conflicting allocate (counted as an error)" 1 conflict
nctl_ok "host add hv1" host add hv1 --connect "ip netns exec ${P}hv1" --underlay 198.51.100.11
nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "report capacity --json" report capacity --json
cp "$T/out" "$T/capacity.json"

check_eq "GET /metrics again" "200 text/plain; version=0.0.4; charset=utf-8" "$(scrape)"
cp "$T/metrics" "$T/metrics.txt"
pycheck "metrics: valid exposition; networks equal report capacity; hosts; histograms" \
        "$T/metrics.txt" "$T/capacity.json" <<'PY'
import re
text = open(sys.argv[1]).read()
cap = load(sys.argv[2])
samples, types = {}, {}
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$')
for line in text.splitlines():
    if line.startswith("# TYPE "):
        _, _, name, typ = line.split(" ")
        types[name] = typ
        continue
    if line.startswith("#") or not line:
        continue
    m = line_re.match(line)
    assert m, "bad line: %r" % line
    labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or "")))
    samples[(m.group(1), labels)] = float(m.group(4))
def get(name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]
for n in cap["networks"]:
    for state in ("total", "reserved", "allocated", "free"):
        got = get("netd_network_addresses", network=n["name"], state=state)
        assert got == float(int(n[state])), (n["name"], state, got, n[state])
    assert get("netd_network_clusters", network=n["name"]) == int(n["clusters"]), n
assert get("netd_network_addresses", network="v6", state="total") == float(2**64 - 1)
assert get("netd_network_addresses", network="lab", state="allocated") == 6
assert get("netd_host_connected", host="hv1") == 1
assert get("netd_host_objects", host="hv1", state="missing") + get("netd_host_objects", host="hv1", state="ok") >= 1
assert get("netd_host_last_pass_timestamp_seconds", host="hv1") > 0
assert types["netd_allocation_duration_seconds"] == "histogram"
assert get("netd_allocation_duration_seconds_count") == 2, "two allocations succeeded"
assert get("netd_allocation_duration_seconds_bucket", le="+Inf") == 2
assert get("netd_allocation_duration_seconds_sum") > 0
assert get("netd_dnsmasq_change_duration_seconds_count") >= 2
prev = 0
for le in sorted((float(l[0][1]) for (n, l) in samples if n == "netd_dnsmasq_change_duration_seconds_bucket" and l[0][1] != "+Inf")):
    v = get("netd_dnsmasq_change_duration_seconds_bucket", le=("%g" % le))
    assert v >= prev, "buckets are cumulative"
    prev = v
assert get("netd_requests_total", command="cluster.allocate", result="ok") == 2
assert get("netd_requests_total", command="cluster.allocate", result="error") == 1
assert types["netd_requests_total"] == "counter"
PY
check_eq "GET /other is 404" 404 "$(scrape /other)"
check_eq "POST /metrics is refused (501, libevent's answer to a method it does not allow)" 501 \
        "$(scrape /metrics POST)"
check "netd still answers after the scrapes" "$NETCTL" --socket "$SOCK" network list

netd_stop
check_eq "netd stops cleanly" 0 "$NETD_STATUS"
exit 0
