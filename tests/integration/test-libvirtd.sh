#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real hypervisor API: hypervisor namespace hv1 runs its own libvirtd
# (started by hand in hv1's private mount namespace, lib-lab.sh) and its
# own sshd; netd, in the jumphost, reaches libvirt as
# `qemu+ssh://root@198.51.100.11/system?keyfile=…` and the agent over the
# same sshd.
# - `network attach` defines, starts and autostarts netd's libvirt network
#   (bridge mode on netd's bridge) in that libvirtd.
# - A domain defined there with `virsh define` (a fixed MAC, not started)
#   appears in `netctl vm list` matched to the cluster node of that MAC,
#   and in `netctl export clusterinstance` (MAC, UUID in bmcAddress, root
#   disk by PCI path, boot mode).
# - libvirtd stopped: hv1's libvirt is reported down naming hv1, `vm list`
#   says hv1 is unreachable instead of waiting; libvirtd started again: the
#   connection comes back by itself, the domain is listed again, a libvirt
#   network lost meanwhile is defined again.

. "$(dirname "$0")/lib-lab.sh"

require_netns
lab_require
lab_keys
fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
JH=${P}jh
lab_machine hv1 198.51.100.11
lab_sshd_start hv1 || exit 1
lab_libvirtd_start hv1 || exit 1
ok "libvirtd runs in hv1's private mount namespace (pid ${LAB_LIBVIRTD[hv1]})"
check "the test's virsh reaches hv1's libvirtd over qemu+ssh from the jumphost" \
        ip netns exec "$JH" timeout 30 virsh -q -c "$(lab_libvirt_uri hv1)" uri
URI=$(lab_libvirt_uri hv1)

# libvirt_status FIELD — hv1's "libvirt" FIELD in the last fabric status.
libvirt_status() {
        jget "$T/status.json" "[h['libvirt'] for h in d['hosts'] if h['name'] == 'hv1'][0].get('$1')"
}

# libvirt_connected_is true|false — fresh status; hv1's libvirt connection.
libvirt_connected_is() {
        fab_status && [ "$(libvirt_status connected)" == "$1" ]
}

# lv_state NET — the state of libvirt network object NET on hv1 in a fresh
# status ("" when there is none).
lv_state() {
        fab_status
        pyrun "$T/status.json" "$1" <<'PY'
d = load(sys.argv[1])
print(" ".join(o["state"] for h in d["hosts"] if h["name"] == "hv1" for o in h["objects"]
               if "libvirt" in o["kind"] and o["name"] == sys.argv[2]))
PY
}

# vms_json — `vm list --json` into $T/vms.json; sets RC.
vms_json() {
        nctl vm list --json
        cp "$T/out" "$T/vms.json"
        [ "$RC" -eq 0 ]
}

# domain_listed NAME — fresh vm list; NAME is there and hv1 reachable.
domain_listed() {
        vms_json && pyrun "$T/vms.json" "$1" <<'PY'
d = load(sys.argv[1])
assert d["unreachable"] == [], d["unreachable"]
assert [v for v in d["vms"] if v["name"] == sys.argv[2] and v["host"] == "hv1"], d["vms"]
PY
}

# hv1_unreachable — fresh vm list; hv1 is listed as unreachable.
hv1_unreachable() {
        vms_json && [ "$(jget "$T/vms.json" '" ".join(u["host"] for u in d["unreachable"])')" == hv1 ]
}

netd_start main "$JH" off --libvirt-timeout 10 || exit 1

nctl_ok "network add lab (VNI 100)" network add lab --cidr 192.0.2.0/24 --domain lab.example --vni 100 --mtu 1400
nctl_ok "host add hv1 --connect 'ssh …' --agent $NETD --libvirt qemu+ssh://root@198.51.100.11/system?keyfile=…" \
        host add hv1 --connect "$(lab_connect hv1)" --agent "$NETD" --underlay 198.51.100.11 \
        --libvirt "$URI" --bmc 192.0.2.250:8000 || exit 1
nctl_ok "network attach lab hv1" network attach lab hv1
fab_check_all_ok "fabric status: hv1 connected, bridge, VXLAN and libvirt network ok" 30 hv1
check_eq "fabric status: libvirt network lab on hv1 is ok" ok "$(lv_state lab)"
check_eq "fabric status: hv1's libvirt is connected, with its URI, no error" \
        "true $URI null" "$(libvirt_status connected) $(libvirt_status uri) $(libvirt_status error)"

# What netd defined, seen by libvirtd itself.
lab_virsh hv1 net-dumpxml lab >"$T/net-lab.xml" 2>&1
pycheck "hv1's libvirtd has network lab: bridge mode on br-lab" "$T/net-lab.xml" <<'PY'
import xml.etree.ElementTree as ET
x = ET.parse(sys.argv[1]).getroot()
assert x.find("name").text == "lab", x.find("name").text
assert x.find("forward").get("mode") == "bridge", ET.tostring(x)
assert x.find("bridge").get("name") == "br-lab", ET.tostring(x)
PY
lab_virsh hv1 net-info lab >"$T/net-info" 2>&1
check "hv1's libvirtd: network lab is active, persistent and autostarted" \
        bash -c 'grep -q "^Active: *yes" "$1" && grep -q "^Persistent: *yes" "$1" && grep -q "^Autostart: *yes" "$1"' - "$T/net-info"
check "hv1's libvirtd wrote its definition in hv1's private /etc/libvirt, not the machine's" \
        bash -c "[ -f '$T/lab/hv1/etc/qemu/networks/lab.xml' ] && [ ! -e /etc/libvirt/qemu/networks/lab.xml ]"

# ---------------------------------------------------------------- a domain

nctl_ok "allocate cluster sno with master-0 at MAC 52:54:00:00:0a:01" \
        allocate cluster sno --network lab --mac master-0=52:54:00:00:0a:01
UUID=5f0c6a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6
cat >"$T/sno-master-0.xml" <<EOF
<domain type='qemu'>
  <name>sno-master-0</name>
  <uuid>$UUID</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
    <boot dev='network'/>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/sno-master-0.img'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:00:0a:01'/>
      <source network='lab'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
EOF
check "virsh define sno-master-0 in hv1's libvirtd (MAC 52:54:00:00:0a:01, not started)" \
        lab_virsh hv1 define "$T/sno-master-0.xml"
check "sno-master-0 appears in vm list" lab_poll 20 domain_listed sno-master-0
pycheck "vm list: sno-master-0 on hv1, shut off, its UUID, MAC on network lab, disk by path, cluster sno node master-0" \
        "$T/vms.json" "$UUID" <<'PY'
d = load(sys.argv[1])
v = [v for v in d["vms"] if v["name"] == "sno-master-0"][0]
assert v["host"] == "hv1", v
assert v["uuid"] == sys.argv[2], v
assert v["state"] == "shutoff", v
assert [(i["mac"], i["source"]) for i in v["interfaces"]] == [("52:54:00:00:0a:01", "lab")], v
assert v["root_disk"] == "/dev/disk/by-path/pci-0000:00:07.0", v
assert (v["cluster"], v["node"]) == ("sno", "master-0"), v
PY
nctl_ok "vm list (text)" vm list
check "vm list text: sno-master-0 with cluster sno node master-0" grep -q "sno-master-0 .*sno .*master-0" "$T/out"

nctl_ok "export clusterinstance sno" export clusterinstance sno
cp "$T/out" "$T/ci-sno.yaml"
pycheck "clusterinstance: master-0 carries the domain's MAC, UUID and root disk" \
        "$T/ci-sno.yaml" "$UUID" <<'PY'
import yaml
with open(sys.argv[1]) as f:
    ci = yaml.safe_load(f)
assert ci["kind"] == "ClusterInstance", ci.get("kind")
n = ci["spec"]["nodes"][0]
assert n["bootMACAddress"] == "52:54:00:00:0a:01", n
assert n["bmcAddress"] == "redfish-virtualmedia://192.0.2.250:8000/redfish/v1/Systems/" + sys.argv[2], n
assert n["rootDeviceHints"]["deviceName"] == "/dev/disk/by-path/pci-0000:00:07.0", n
assert n["hostName"] == "master-0.sno.lab.example", n
PY
check_eq "clusterinstance: bootMode legacy (the domain has no EFI firmware)" legacy \
        "$(pyrun "$T/ci-sno.yaml" <<'PY'
import yaml
print(yaml.safe_load(open(sys.argv[1]))["spec"]["nodes"][0].get("bootMode"))
PY
)"

# ---------------------------------------------------------------- libvirtd stop/start

mark=$(wc -l <"$NETD_LOG")
pid=${LAB_LIBVIRTD[hv1]}
lab_libvirtd_stop hv1
check "libvirtd of hv1 stopped by its PID $pid" lab_dead "$pid"
check "with libvirtd stopped, vm list reports hv1 unreachable (without waiting for it)" lab_poll 30 hv1_unreachable
check "vm list's unreachable entry says why" \
        test -n "$(jget "$T/vms.json" '" ".join(u.get("error") or "" for u in d["unreachable"])')"
nctl vm list --host hv1
expect_error "vm list --host hv1 with libvirtd stopped: unavailable" 1 unavailable
check "the error names hv1: $ERR" grep -qw hv1 "$T/err"
check "fabric status: hv1's libvirt is disconnected" lab_poll 30 libvirt_connected_is false
err=$(libvirt_status error)
check "fabric status: hv1's libvirt error says why: $err" test "$err" != null
check_host_state "hv1's agent stays connected (only libvirt is down)" 0 hv1 connected

# The host "reboots" meanwhile: libvirtd comes back without netd's network
# (neither its definition nor its runtime state are left).
rm -f "$T/lab/hv1/etc/qemu/networks/lab.xml" "$T/lab/hv1/etc/qemu/networks/autostart/lab.xml"
nsenter -t "${LAB_HOLDER[hv1]}" -m -- rm -rf /run/libvirt/network
lab_libvirtd_start hv1 || exit 1
check_eq "the restarted libvirtd has no network lab" "" "$(lab_virsh hv1 net-list --all --name 2>&1 | grep -x lab)"
check "libvirtd started again: sno-master-0 is listed again, hv1 reachable" lab_poll 30 domain_listed sno-master-0
check "fabric status: hv1's libvirt is connected again" lab_poll 30 libvirt_connected_is true
check_eq "fabric status: hv1's libvirt error is cleared" null "$(libvirt_status error)"
# No command: the reconnected host gets its libvirt network back by itself
# (at the latest at the next periodic pass, 30 s).
lv_ok() { [ "$(lv_state lab)" == ok ]; }
check "fabric status: libvirt network lab on hv1 is ok again, without a command" lab_poll 45 lv_ok
lab_virsh hv1 net-info lab >"$T/net-info" 2>&1
check "hv1's libvirtd has network lab again: active, persistent, autostarted" \
        bash -c 'grep -q "^Active: *yes" "$1" && grep -q "^Persistent: *yes" "$1" && grep -q "^Autostart: *yes" "$1"' - "$T/net-info"
check "netd's log: the libvirt network repaired on hv1, naming hv1" \
        lab_log_has "$mark" hv1 "libvirt network lab on br-lab was missing, repaired"

check "nothing of the machine's own ssh or libvirt was written (/root/.ssh, /etc/ssh, /etc/libvirt, /var/lib/libvirt, /run)" \
        lab_untouched
netd_stop
check_eq "netd stops cleanly" 0 "$NETD_STATUS"
exit 0
