#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt on lab hosts, against libvirt's in-process test driver loaded from
# tests/data/libvirt/hv1.xml and hv2.xml: `network attach` defines, starts
# and autostarts a libvirt network on netd's bridge (and leaves a foreign
# one of the same name alone); `vm list` finds every domain with its UUID,
# state, interfaces, root disk by-path and the cluster node its MAC is
# allocated to; the exports carry exactly the fixture VMs' values and are
# valid YAML; a host whose libvirt never answers is reported, not waited
# for.

. "$(dirname "$0")/lib-fabric.sh"

DATA=${NETD_TEST_DATA:?}
GOLDEN=$DATA/integration

require_netns
fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
fab_node hv2 198.51.100.12
fab_node hv3 198.51.100.13
JH=${P}jh

# A libvirt "host" that takes the connection and never answers.
cat >"$T/hang.sh" <<'SH'
#!/bin/sh
exec cat >/dev/null
SH
chmod 0755 "$T/hang.sh"

netd_start main "$JH" off --libvirt-timeout 2 || exit 1
nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --domain lab.example --vni 100 --mtu 1400
nctl_ok "host add hv1 --libvirt test:///…/hv1.xml --bmc 192.0.2.250:8000" \
        host add hv1 --connect "ip netns exec ${P}hv1" --underlay 198.51.100.11 \
        --libvirt "test://$DATA/libvirt/hv1.xml" --bmc 192.0.2.250:8000
nctl_ok "host add hv2 --libvirt test:///…/hv2.xml (no --bmc)" \
        host add hv2 --connect "ip netns exec ${P}hv2" --underlay 198.51.100.12 \
        --libvirt "test://$DATA/libvirt/hv2.xml"

# ---------------------------------------------------------------- networks

nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "network attach lab hv2" network attach lab hv2

# lv_state HOST NET — the state of the libvirt network object NET on HOST
# in a fresh `fabric status` ("" when there is none).
lv_state() {
        fab_status
        pyrun "$T/status.json" "$1" "$2" <<'PY'
d = load(sys.argv[1])
print(" ".join(o["state"] for h in d["hosts"] if h["name"] == sys.argv[2] for o in h["objects"]
               if "libvirt" in o["kind"] and o["name"] == sys.argv[3]))
PY
}
check_eq "fabric status: libvirt network lab on hv1 is ok" "ok" "$(lv_state hv1 lab)"
check_eq "fabric status: libvirt network lab on hv2 is ok" "ok" "$(lv_state hv2 lab)"
pycheck "fabric status: hv1's libvirt connection is up, with its URI" "$T/status.json" "test://$DATA/libvirt/hv1.xml" <<'PY'
d = load(sys.argv[1])
h = [h for h in d["hosts"] if h["name"] == "hv1"][0]
assert h["libvirt"] == {"uri": sys.argv[2], "connected": True, "error": None}, h["libvirt"]
assert h["error"] is None, h["error"]
PY
check "the bridge of lab exists on hv1 too" ip -n "${P}hv1" link show br-lab

# A libvirt network named like a netd network but not made by netd.
nctl_ok "network add foreign" network add foreign --cidr 203.0.113.0/24
nctl network attach foreign hv1
expect_error "attach foreign hv1: conflict (libvirt network foreign is not netd's)" 1 conflict
check "the conflict names the libvirt network" grep -q "libvirt network foreign" "$T/err"
check_eq "fabric status: libvirt network foreign on hv1 is conflict" "conflict" "$(lv_state hv1 foreign)"
nctl_ok "detach foreign hv1" network detach foreign hv1
nctl network attach foreign hv1
expect_error "attach foreign hv1 again: still conflict (netd did not remove it)" 1 conflict
nctl_ok "detach foreign hv1 (again)" network detach foreign hv1

# ---------------------------------------------------------------- clusters

nctl_ok "allocate cluster sno with the MAC of VM sno-master-0" \
        allocate cluster sno --network lab --mac master-0=52:54:00:00:0a:01
nctl_ok "allocate cluster cmp (compact), master-2 without a VM" \
        allocate cluster cmp --network lab --topology compact --mac master-0=52:54:00:00:0b:01 \
        --mac master-1=52:54:00:00:0b:02 --mac master-2=52:54:00:00:0b:03

# ---------------------------------------------------------------- vm list

nctl_ok "vm list --json" vm list --json
cp "$T/out" "$T/vms.json"
pycheck "vm list: every fixture domain, fields as in the XML and matched to clusters" \
        "$T/vms.json" "$DATA/libvirt" <<'PY'
import xml.etree.ElementTree as ET, os
d = load(sys.argv[1])
want_disk = {
    "sno-master-0": "/dev/disk/by-path/pci-0000:04:00.0",
    "cmp-master-0": "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0",
    "builder": "/dev/disk/by-path/pci-0000:00:1f.2-ata-3.0",
    "cmp-master-1": "/dev/disk/by-path/pci-0000:05:00.0",
    "legacy": None,
}
want_state = {"sno-master-0": "running", "cmp-master-0": "running", "builder": "shutoff",
              "cmp-master-1": "running", "legacy": "paused"}
want_node = {"sno-master-0": ("sno", "master-0"), "cmp-master-0": ("cmp", "master-0"),
             "cmp-master-1": ("cmp", "master-1"), "builder": (None, None), "legacy": (None, None)}
want_host = {"sno-master-0": "hv1", "cmp-master-0": "hv1", "builder": "hv1",
             "cmp-master-1": "hv2", "legacy": "hv2"}
vms = d["vms"]
assert sorted(v["name"] for v in vms) == sorted(want_disk), [v["name"] for v in vms]
assert [(v["host"], v["name"]) for v in vms] == sorted((v["host"], v["name"]) for v in vms), "not sorted"
for v in vms:
    n = v["name"]
    x = ET.parse(os.path.join(sys.argv[2], "domains", n + ".xml")).getroot()
    assert v["uuid"] == x.find("uuid").text.strip().lower(), (n, v["uuid"])
    ifs = [(i.find("mac").get("address"), i.find("source").get("network") or i.find("source").get("bridge"))
           for i in x.findall("devices/interface")]
    assert [(i["mac"], i["source"]) for i in v["interfaces"]] == ifs, (n, v["interfaces"], ifs)
    assert v["root_disk"] == want_disk[n], (n, v["root_disk"])
    assert v["state"] == want_state[n], (n, v["state"])
    assert (v["cluster"], v["node"]) == want_node[n], (n, v["cluster"], v["node"])
    assert v["host"] == want_host[n], (n, v["host"])
    for k in ("host", "name", "uuid", "state", "interfaces", "root_disk", "cluster", "node"):
        assert k in v, (n, k)
legacy = [v for v in vms if v["name"] == "legacy"][0]
assert legacy["root_disk_note"], legacy
assert d["unreachable"] == [], d["unreachable"]
PY
nctl_ok "vm list (text)" vm list
check "vm list text names sno-master-0 with its cluster node" grep -q "sno-master-0 .*sno .*master-0" "$T/out"
check "vm list text ends with a count" grep -q "^5 VMs, 3 in clusters$" "$T/out"
nctl_ok "vm list --host hv2 --json" vm list --host hv2 --json
check_eq "vm list --host hv2: only hv2's domains" "cmp-master-1 legacy" "$(jget "$T/out" '" ".join(v["name"] for v in d["vms"])')"
nctl vm list --host nosuch
expect_error "vm list --host nosuch: not-found" 1 not-found
nctl vm list --host 'Bad;Host'
expect_error "vm list --host 'Bad;Host': invalid" 1 invalid

# ---------------------------------------------------------------- exports

# export_check FORMAT CLUSTER [FLAG...] — exports to $T/FORMAT-CLUSTER and
# compares with the golden file (NETD_TEST_REGENERATE=1 rewrites it).
export_check() {
        local f=$1 c=$2 out=$T/$1-$2 golden=$GOLDEN/$2.$1
        shift 2
        nctl_ok "export $f $c $*" export "$f" "$c" "$@" || return
        cp "$T/out" "$out"
        if [ -n "${NETD_TEST_REGENERATE:-}" ]; then
                cp "$out" "$golden"
        fi
        if cmp -s "$out" "$golden"; then
                ok "export $f $c matches $golden"
        else
                not_ok "export $f $c matches $golden"
                diag "$(diff -u "$golden" "$out" | head -40)"
        fi
}
for f in clusterinstance siteconfig inventory dnsmasq; do
        export_check "$f" sno
done
# cmp's master-1 is on hv2 (no --bmc) and master-2 has no VM: the ZTP
# documents are refused, naming them, unless --allow-incomplete
for f in clusterinstance siteconfig; do
        nctl export "$f" cmp
        expect_error "export $f cmp: invalid (values netd does not know)" 1 invalid
        check "export $f cmp: nothing on stdout" [ ! -s "$T/out" ]
        check "export $f cmp: the error names master-1's bmcAddress" \
                grep -q "node master-1: bmcAddress unknown (host hv2 has no --bmc)" "$T/err"
        check "export $f cmp: the error names master-2" grep -q "node master-2: bmcAddress, rootDeviceHints" "$T/err"
        export_check "$f" cmp --allow-incomplete
done
export_check inventory cmp
export_check dnsmasq cmp

pycheck "exports are valid YAML whose BMC, UUID, MAC and disk fields are the fixture VMs'" \
        "$T" "$T/vms.json" <<'PY'
import yaml
t = sys.argv[1]
vms = {v["name"]: v for v in load(sys.argv[2])["vms"]}
def doc(name):
    with open(os.path.join(t, name)) as f:
        docs = list(yaml.safe_load_all(f))
    assert len(docs) == 1, name
    return docs[0]
import os
sno = doc("clusterinstance-sno")
assert sno["apiVersion"] == "siteconfig.open-cluster-management.io/v1alpha1" and sno["kind"] == "ClusterInstance"
n = sno["spec"]["nodes"][0]
vm = vms["sno-master-0"]
assert n["bmcAddress"] == "redfish-virtualmedia://192.0.2.250:8000/redfish/v1/Systems/" + vm["uuid"], n
assert n["bootMACAddress"] == "52:54:00:00:0a:01" == vm["interfaces"][0]["mac"], n
assert n["rootDeviceHints"]["deviceName"] == vm["root_disk"], n
assert n["bootMode"] == "legacy", n  # SeaBIOS: no EFI loader in the domain
assert n["nodeNetwork"]["interfaces"][0]["macAddress"] == "52:54:00:00:0a:01", n
assert n["hostName"] == "master-0.sno.lab.example", n
cmp = doc("clusterinstance-cmp")
nodes = {x["hostName"].split(".")[0]: x for x in cmp["spec"]["nodes"]}
m0, m1, m2 = nodes["master-0"], nodes["master-1"], nodes["master-2"]
assert m0["bmcAddress"].endswith("/Systems/" + vms["cmp-master-0"]["uuid"]), m0
assert m0["rootDeviceHints"]["deviceName"] == "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0", m0
# hv2 has no --bmc: a placeholder, the disk is still known
assert m1["bmcAddress"] == "CHANGE-ME-bmc-address", m1
assert m1["rootDeviceHints"]["deviceName"] == vms["cmp-master-1"]["root_disk"], m1
assert m1["bootMACAddress"] == "52:54:00:00:0b:02", m1
# no VM at all carries master-2's MAC
assert m2["bmcAddress"] == "CHANGE-ME-bmc-address" and m2["bootMode"] == "CHANGE-ME-boot-mode", m2
assert m2["bootMACAddress"] == "52:54:00:00:0b:03", m2
assert cmp["spec"]["apiVIPs"] and cmp["spec"]["ingressVIPs"], cmp["spec"]
sc = doc("siteconfig-cmp")
assert sc["apiVersion"] == "ran.openshift.io/v1" and sc["kind"] == "SiteConfig"
assert len(sc["spec"]["clusters"][0]["nodes"]) == 3
inv = doc("inventory-cmp")
hosts = inv["all"]["children"]["nodes"]["children"]["masters"]["hosts"]
assert sorted(hosts) == ["master-0", "master-1", "master-2"], hosts
assert hosts["master-0"]["mac"] == "52:54:00:00:0b:01", hosts["master-0"]
text = open(os.path.join(t, "clusterinstance-cmp")).read()
assert "master-1: host hv2 has no --bmc - placeholders" in text, "no comment for master-1"
assert "no VM on a libvirt host has MAC 52:54:00:00:0b:03" in text, "no comment for master-2"
PY
check "export dnsmasq sno has the dhcp-host line" \
        grep -qx "dhcp-host=52:54:00:00:0a:01,set:cl-sno,set:nd-sno.master-0,192.0.2.2" "$T/dnsmasq-sno"
nctl export clusterinstance nosuch
expect_error "export of an unknown cluster: not-found" 1 not-found
nctl export siteconfig 'x
y'
expect_error "export of a hostile cluster name: invalid" 1 invalid

# ---------------------------------------------------------------- a dead host

nctl_ok "host add hv3 whose libvirt never answers" \
        host add hv3 --connect "ip netns exec ${P}hv3" --underlay 198.51.100.13 \
        --libvirt "qemu+ext:///system?command=$T/hang.sh" --bmc 192.0.2.251:8000
start=$(date +%s)
nctl_ok "vm list --json with hv3 hanging" vm list --json
took=$(($(date +%s) - start))
check "vm list answered within the libvirt timeout, not hanging (${took}s)" [ "$took" -le 10 ]
check_eq "vm list still lists hv1's and hv2's VMs" 5 "$(jget "$T/out" 'len(d["vms"])')"
check_eq "vm list reports hv3 as unreachable" hv3 "$(jget "$T/out" '" ".join(u["host"] for u in d["unreachable"])')"
nctl vm list --host hv3
expect_error "vm list --host hv3: unavailable" 1 unavailable
start=$(date +%s)
fab_status
took=$(($(date +%s) - start))
check "fabric status answered promptly with hv3 hanging (${took}s)" [ "$took" -le 10 ]
pycheck "fabric status: hv3's libvirt error is reported" "$T/status.json" <<'PY'
d = load(sys.argv[1])
h = [h for h in d["hosts"] if h["name"] == "hv3"][0]
assert h["libvirt"]["connected"] is False, h
assert "answer" in h["libvirt"]["error"], h
assert "libvirt" in (h["error"] or ""), h
PY
check "netd still answers other requests" "$NETCTL" --socket "$SOCK" network list
nctl_ok "host remove hv3 while its libvirt hangs" host remove hv3

# ---------------------------------------------------------------- detach

nctl_ok "detach lab hv2" network detach lab hv2
check_eq "fabric status: hv2 has no libvirt network any more" "" "$(lv_state hv2 lab)"
check "netd removed the libvirt network lab on hv2" grep -q "host hv2: removed libvirt network lab on br-lab" "$NETD_LOG"
check "the bridge br-lab is gone from hv2" bash -c "! ip -n ${P}hv2 link show br-lab 2>/dev/null"
check_eq "hv1 keeps its libvirt network" "ok" "$(lv_state hv1 lab)"

netd_stop
check_eq "netd stops cleanly" 0 "$NETD_STATUS"
exit 0
