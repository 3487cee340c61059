#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Detach and link removal in every order with veth patches (`link add …
# --peer-master BRIDGE`), VM ports and --force: a refusal is a conflict that
# names what holds the bridge and leaves the host and the store exactly as
# they were; --force says what it removes; nothing answers `internal`. The
# first case is the one of issue 13: a bridge carrying one end of a patch
# and a VM port.

. "$(dirname "$0")/lib-fabric.sh"

require_netns
fab_switch
fab_node jh 198.51.100.1
fab_node hv1 198.51.100.11
JH=${P}jh
HV1=${P}hv1

# digest — what hv1 has (interfaces with kind, master, alias) and what
# netd wants of it (fabric status objects), one line each.
digest() {
        ip -n "$HV1" -d -j link show >"$T/.links.json"
        nctl --json fabric status
        pyrun "$T/.links.json" "$T/out" <<'EOF'
links = load(sys.argv[1])
for l in sorted(links, key=lambda l: l["ifname"]):
    print(l["ifname"], l.get("linkinfo", {}).get("info_kind"), l.get("master"), l.get("ifalias"))
for h in load(sys.argv[2])["hosts"]:
    for o in h["objects"]:
        print(h["name"], o["kind"], o["label"], o["state"])
EOF
}

# check_unchanged DESC BEFORE — the digest is still BEFORE.
check_unchanged() {
        check_eq "$1" "$2" "$(digest)"
}

# check_not_internal DESC — the last netctl call did not answer internal.
check_not_internal() {
        check "$1" bash -c '! grep -q "internal" "$1"' - "$T/err"
}

netd_start main "$JH" managed || exit 1
nctl_ok "host add jump --connect local" host add jump --connect local --underlay 198.51.100.1
fab_host_add hv1 198.51.100.11
nctl_ok "network add lab (VNI 100, bridge brlab)" network add lab --cidr 192.0.2.0/24 --vni 100 --bridge brlab
nctl_ok "network add other (bridge brother)" network add other --cidr 203.0.113.0/24 --bridge brother
for a in "lab jump" "lab hv1" "other hv1"; do
        nctl_ok "network attach $a" network attach $a
done

# ---- the issue's case: a patch end and a VM port on brlab ----

nctl_ok "link add hv1 veth vlv --peer vbm --master brother --peer-master brlab" \
        link add hv1 veth vlv --peer vbm --master brother --peer-master brlab
fab_vm vm1 hv1 brlab 02:00:00:00:0d:01
fab_check_all_ok "fabric status: every object ok" 10
BEFORE=$(digest)

nctl network detach lab hv1
expect_error "network detach lab hv1 (VM port and patch on brlab): conflict" 1 conflict
check "... naming the VM port" grep -q "ports netd did not create (t-vm1)" "$T/err"
check_not_internal "... not internal"
check_unchanged "after the refused detach hv1 and the store are exactly as before" "$BEFORE"

ip -n "$HV1" link del t-vm1
BEFORE=$(digest)
nctl network detach lab hv1
expect_error "network detach lab hv1 (the patch's peer end on brlab): conflict" 1 conflict
check "... naming the link and its peer" grep -q "bridge brlab carries link vlv (peer vbm)" "$T/err"
check_unchanged "after the refused detach hv1 and the store are exactly as before" "$BEFORE"
nctl network detach other hv1
expect_error "network detach other hv1 (the patch's end on brother): conflict" 1 conflict
check "... naming the link" grep -q "bridge brother carries link vlv (peer vbm)" "$T/err"
check_unchanged "after the refused detach hv1 and the store are exactly as before" "$BEFORE"

# ---- link first, then detach ----

nctl_ok "link remove hv1 vlv" link remove hv1 vlv
check "hv1: vlv and vbm are gone" bash -c "! ip -n '$HV1' link show vlv && ! ip -n '$HV1' link show vbm"
nctl --json network detach lab hv1
check_eq "network detach lab hv1 once the link is gone" 0 "$RC"
pycheck "... answers what it removes on hv1" "$T/out" <<'EOF'
d = load(sys.argv[1])
for want in ("brlab", "vx100", "fdb 198.51.100.1 on vx100"):
    if want not in d["removed"]:
        fail(f"{want!r} not in {d['removed']}")
if "ports" in d:
    fail(f"ports without --force: {d}")
EOF
check "hv1: brlab and vx100 are gone" bash -c "! ip -n '$HV1' link show brlab && ! ip -n '$HV1' link show vx100"
fab_check_link "hv1: brother is untouched" "$HV1" brother kind=bridge alias=netd:managed

# ---- link before attach: its bridge does not exist yet ----

nctl link add hv1 veth vlv --peer vbm --master brother --peer-master brlab
expect_error "link add with --peer-master of a bridge hv1 lacks: not-found" 1 not-found
check "... naming the bridge" grep -q "bridge brlab does not exist" "$T/err"
check_not_internal "... not internal"
nctl_ok "network attach lab hv1 (now the link's bridge exists)" network attach lab hv1
fab_check_all_ok "fabric status: the link is made on the new bridge, every object ok" 10
fab_check_link "hv1: vbm is a port of brlab" "$HV1" vbm master=brlab alias=netd:managed
fab_check_link "hv1: vlv is a port of brother" "$HV1" vlv master=brother alias=netd:managed

# ---- --force with a patch and a VM port: it says what it removes ----

fab_vm vm2 hv1 brlab 02:00:00:00:0d:02
nctl --json network detach lab hv1 --force
check_eq "network detach lab hv1 --force (patch and VM port on brlab)" 0 "$RC"
check_not_internal "... not internal"
pycheck "... answers the link, the bridge and the VXLAN it removes and the VM port it leaves" "$T/out" <<'EOF'
d = load(sys.argv[1])
for want in ("vlv peer vbm", "brlab", "vx100"):
    if want not in d["removed"]:
        fail(f"{want!r} not in {d['removed']}")
if d["ports"] != ["t-vm2"]:
    fail(f"ports {d['ports']}")
EOF
nctl network detach lab hv1 --force
expect_error "network detach again: not-found" 1 not-found
nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "link add hv1 veth vlv ... again" link add hv1 veth vlv --peer vbm --master brother --peer-master brlab
fab_vm vm3 hv1 brlab 02:00:00:00:0d:03
nctl_ok "network detach lab hv1 --force (text)" network detach lab hv1 --force
check "the text says what was removed" grep -q "^  removed vlv peer vbm$" "$T/out"
check "the text names the VM port left without a bridge" grep -q "^  left without a bridge: t-vm3$" "$T/out"
check "hv1: brlab, vx100, vlv and vbm are gone" bash -c \
        "! ip -n '$HV1' link show brlab && ! ip -n '$HV1' link show vx100 && ! ip -n '$HV1' link show vlv && ! ip -n '$HV1' link show vbm"
fab_check_link "hv1: the VM port t-vm3 stays, without a master" "$HV1" t-vm3 master=- alias=-
fab_check_link "hv1: brother stays" "$HV1" brother kind=bridge alias=netd:managed
nctl link remove hv1 vlv
expect_error "link remove of the link --force took: not-found" 1 not-found
fab_check_all_ok "fabric status: every object ok after the forced detach" 10

# ---- a patch to a bridge netd did not make ----

ip -n "$HV1" link add brx type bridge && ip -n "$HV1" link set brx up
nctl_ok "network attach lab hv1" network attach lab hv1
nctl_ok "link add hv1 veth vx0 --peer vx1 --master brx --peer-master brlab" \
        link add hv1 veth vx0 --peer vx1 --master brx --peer-master brlab
fab_check_all_ok "fabric status: the patch to brx is ok" 10
BEFORE=$(digest)
nctl network detach lab hv1
expect_error "network detach lab hv1 (patch to brx): conflict" 1 conflict
check_unchanged "after the refused detach hv1 and the store are exactly as before" "$BEFORE"
nctl_ok "network detach lab hv1 --force" network detach lab hv1 --force
fab_check_link "hv1: brx (not netd's) is untouched" "$HV1" brx kind=bridge alias=-
check "hv1: the patch vx0/vx1 is gone" bash -c "! ip -n '$HV1' link show vx0 && ! ip -n '$HV1' link show vx1"

# ---- links on one bridge removed in both orders; host remove refused ----

nctl_ok "link add hv1 veth a0 --peer a1 --master brother" link add hv1 veth a0 --peer a1 --master brother
nctl_ok "link add hv1 veth b0 --peer b1 --peer-master brother" link add hv1 veth b0 --peer b1 --peer-master brother
nctl network detach other hv1
expect_error "network detach other hv1 with two links on brother: conflict" 1 conflict
check "... naming both" grep -q "carries link a0 (peer a1), link b0 (peer b1)" "$T/err"
nctl host remove hv1
expect_error "host remove hv1 with links and networks: conflict" 1 conflict
nctl_ok "link remove hv1 b0" link remove hv1 b0
nctl_ok "link remove hv1 a0" link remove hv1 a0
nctl_ok "network detach other hv1" network detach other hv1
check "hv1: only the lab's own interfaces are left" bash -c \
        "! ip -n '$HV1' link show brother && ! ip -n '$HV1' link show a0 && ! ip -n '$HV1' link show b0"
nctl_ok "host remove hv1" host remove hv1
fab_check_all_ok "fabric status: every object ok" 10
exit 0
