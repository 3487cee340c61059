#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --dnsmasq external: conf-dir snippets with the contract's lines, valid for
# dnsmasq, written before the reload command runs and removed on release;
# a dnsmasq of our own reading them serves the contract's names and DHCP.
# A failing reload command. --dnsmasq off: pure IPAM, no dnsmasq at all.

. "$(dirname "$0")/lib.sh"

require_netns
lab_setup
vm_add vm1
D=lab.example
DIR=$T/conf.d
mkdir -p "$DIR"

# The reload command records each run, what the directory held and whether
# dnsmasq accepted it at that moment.
cat >"$T/reload.sh" <<EOF
#!/bin/sh
echo reload >>"$T/reloads"
ls "$DIR" >"$T/seen"
dnsmasq --test --conf-file=/dev/null --conf-dir="$DIR,*.conf" >>"$T/reload-test.log" 2>&1 ||
        echo "dnsmasq --test failed at reload \$(wc -l <"$T/reloads")" >>"$T/reload-bad"
exit 0
EOF
chmod 755 "$T/reload.sh"
reloads() {
        if [ -f "$T/reloads" ]; then wc -l <"$T/reloads"; else echo 0; fi
}

netd_start ext "$JH" external --dnsmasq-dir "$DIR" --dnsmasq-reload "$T/reload.sh" || exit 1
check_eq "external mode: netd runs no dnsmasq" "" "$(ns_pids_named "$JH" dnsmasq)"

nctl_ok "network add lab" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D \
        --reserve 192.0.2.2-192.0.2.9
check "per-network files exist and start with '_'" bash -c "ls '$DIR' | grep -q . && ! ls '$DIR' | grep -v '^_'"

r0=$(reloads)
nctl_ok "allocate cluster sno" --json allocate cluster sno
cp "$T/out" "$T/sno.json"
r1=$(reloads)
check "reload ran before allocate returned" test "$r1" -gt "$r0"
check "the reload saw sno.conf in place" grep -qx sno.conf "$T/seen"
nctl_ok "allocate cluster cmp" --json allocate cluster cmp --topology compact
cp "$T/out" "$T/cmp.json"
check "reload ran again" test "$(reloads)" -gt "$r1"
check "the reload saw cmp.conf in place" grep -qx cmp.conf "$T/seen"

for c in sno cmp; do
        check "$c.conf exists" test -f "$DIR/$c.conf"
        pycheck "$c.conf has dhcp-host=MAC,set:cl-C,set:nd-C.NODE,IP, the names, host-record=FQDN,IP, address=/apps.$c.$D/VIP" \
                "$DIR/$c.conf" "$T/$c.json" <<'EOF'
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
c = load(sys.argv[2])
dom = f"{c['name']}.{c['domain']}"
for n in c["nodes"]:
    c_, node = c["name"], n["name"]
    for want in (f"dhcp-host={n['mac']},set:cl-{c_},set:nd-{c_}.{node},{n['ip']}",
                 f"dhcp-option=tag:nd-{c_}.{node},12,{node}"):
        if want not in lines:
            fail(f"missing {want!r} in {lines}")
if f"dhcp-option=tag:cl-{c['name']},option:domain-name,{dom}" not in lines:
    fail(f"missing the cluster's domain option in {lines}")
    hr = [l for l in lines if l.startswith("host-record=")
          and l[len("host-record="):].split(",")[0] == n["fqdn"]
          and l.split(",")[-1] == n["ip"]]
    if not hr:
        fail(f"missing host-record={n['fqdn']},{n['ip']} in {lines}")
want = f"address=/apps.{dom}/{c['ingress_vip']}"
if want not in lines:
    fail(f"missing {want!r} in {lines}")
for l in lines:
    key = l.split("=", 1)[0]
    if key not in ("dhcp-host", "host-record", "address", "cname", "ptr-record"):
        print(f"note: extra line {l!r}", file=sys.stderr)
EOF
        check "dnsmasq --test -C $c.conf" dnsmasq --test -C "$DIR/$c.conf"
done
check "dnsmasq --test of the whole directory" dnsmasq --test --conf-file=/dev/null --conf-dir="$DIR,*.conf"
check "every reload saw a directory dnsmasq accepts" test ! -e "$T/reload-bad"

# Our own dnsmasq on the jumphost, reading only netd's directory.
DM_PID=""
dm_start() {
        ip netns exec "$JH" dnsmasq --keep-in-foreground --conf-file=/dev/null --conf-dir="$DIR,*.conf" \
                --no-resolv --no-hosts --pid-file="$T/dm.pid" --dhcp-leasefile="$T/dm.leases" \
                --log-facility="$T/dm.log" </dev/null >/dev/null 2>&1 &
        DM_PID=$!
        _BG_PIDS+=("$DM_PID")
        # Our dnsmasq start-up, not netd's: polling is fine here.
        local i
        for ((i = 0; i < 100; i++)); do
                ip netns exec "$JH" dig @192.0.2.1 api.sno.$D +time=1 +tries=1 >/dev/null 2>&1 && return 0
                alive "$DM_PID" || break
                sleep 0.05
        done
        not_ok "our dnsmasq reading the external directory started"
        diag "$(cat "$T/dm.log" 2>/dev/null)"
        return 1
}
dm_stop() {
        kill "$DM_PID" 2>/dev/null
        wait_dead "$DM_PID" 5
        wait "$DM_PID" 2>/dev/null
}
if dm_start; then
        for c in sno cmp; do
                api=$(jget "$T/$c.json" 'd["api_vip"]')
                ing=$(jget "$T/$c.json" 'd["ingress_vip"]')
                while read -r node fqdn ip mac; do
                        check_dns "external: $fqdn A" "$JH" 192.0.2.1 "$fqdn" A "$ip"
                        check_dns "external: PTR $ip" "$JH" 192.0.2.1 "$ip" -x "$fqdn."
                        check_eq "external: DHCP $c/$node gets $ip" "$ip" "$(dhcp vm1 "$mac")"
                done < <(jget "$T/$c.json" '[" ".join([n["name"], n["fqdn"], n["ip"], n["mac"]]) for n in d["nodes"]]')
                check_dns "external: api.$c" "$JH" 192.0.2.1 "api.$c.$D" A "$api"
                check_dns "external: api-int.$c" "$JH" 192.0.2.1 "api-int.$c.$D" A "$api"
                check_dns "external: console-openshift-console.apps.$c" "$JH" 192.0.2.1 \
                        "console-openshift-console.apps.$c.$D" A "$ing"
        done
        check_eq "external: an unknown MAC gets no lease" "" "$(dhcp vm1 02:00:5e:10:20:31)"
        dm_stop
fi

r2=$(reloads)
nctl_ok "release cluster sno" release cluster sno
check "release removed sno.conf" test ! -e "$DIR/sno.conf"
check "release ran the reload" test "$(reloads)" -gt "$r2"
check "the reload no longer saw sno.conf" bash -c "! grep -qx sno.conf '$T/seen'"
check "cmp.conf untouched by the release" test -f "$DIR/cmp.conf"
nctl_ok "allocate node cmp worker-3" allocate node cmp worker-3
nctl --json cluster show cmp
w3=$(jget "$T/out" '[",".join(["dhcp-host=" + n["mac"], "set:cl-cmp", "set:nd-cmp.worker-3", n["ip"]]) for n in d["nodes"] if n["name"] == "worker-3"]')
check "day-2 node in cmp.conf" grep -qxF "$w3" "$DIR/cmp.conf"
nctl_ok "release node cmp worker-3" release node cmp worker-3
check "released node gone from cmp.conf" bash -c "! grep -qF worker-3 '$DIR/cmp.conf'"
check "every reload saw a directory dnsmasq accepts" test ! -e "$T/reload-bad"

# Restart regenerates the directory from the database.
rm -f "$DIR/cmp.conf"
netd_stop
netd_start ext "$JH" external --dnsmasq-dir "$DIR" --dnsmasq-reload "$T/reload.sh" || exit 1
check "restart regenerated cmp.conf" test -f "$DIR/cmp.conf"
check "restart did not bring back sno.conf" test ! -e "$DIR/sno.conf"
netd_stop

# ---------------------------------------------------------------- failing reload
FDIR=$T/conf-fail.d
mkdir -p "$FDIR"
netd_start fail "$JH" external --dnsmasq-dir "$FDIR" --dnsmasq-reload "exit 3" || exit 1
nctl network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
info "network add with a failing reload: exit $RC ${ERR:+($ERR)}"
nctl --json allocate cluster f1 --network lab
info "allocate with a failing reload: exit $RC ${ERR:+($ERR)}"
if [ "$RC" -eq 0 ]; then
        cp "$T/out" "$T/f1.json"
        pycheck "failing reload: f1.conf still written correctly" "$FDIR/f1.conf" "$T/f1.json" <<'EOF'
lines = [l.strip() for l in open(sys.argv[1])]
c = load(sys.argv[2])
n = c["nodes"][0]
for want in (f"dhcp-host={n['mac']},set:cl-f1,set:nd-f1.{n['name']},{n['ip']}", f"address=/apps.f1.lab.example/{c['ingress_vip']}"):
    if want not in lines:
        fail(f"missing {want!r}")
EOF
else
        check "failing reload: allocate fails with one 'netctl: CODE: ...' line" \
                test "$(wc -l <"$T/err")" -eq 1 -a "$(grep -cE '^netctl: [a-z-]+: .' "$T/err")" -eq 1
        nctl --json cluster show f1
        if [ "$RC" -eq 0 ]; then
                check "failing reload: the kept allocation has its file" test -f "$FDIR/f1.conf"
        else
                check "failing reload: the refused allocation has no file" test ! -e "$FDIR/f1.conf"
        fi
fi
nctl_ok "netd still answers after failing reloads" network list
netd_stop

# ---------------------------------------------------------------- off
netd_start off "$JH" off || exit 1
nctl_ok "off: network add with an interface" network add lab --cidr 192.0.2.0/24 --interface jh0 --domain $D
nctl_ok "off: allocate cluster cmp" --json allocate cluster cmp --topology compact
cp "$T/out" "$T/off.json"
pycheck "off: allocation JSON complete" "$T/off.json" <<'EOF'
c = load(sys.argv[1])
if len(c["nodes"]) != 3 or c["api_vip"] == c["ingress_vip"]:
    fail(f"{c}")
EOF
nctl_ok "off: allocate node" allocate node cmp worker-0
nctl_ok "off: release node" release node cmp worker-0
nctl_ok "off: release cluster" release cluster cmp
nctl_ok "off: allocate again" allocate cluster cmp2 --topology compact
check_eq "off: no dnsmasq process" "" "$(ns_pids_named "$JH" dnsmasq)"
check_eq "off: no dnsmasq file in the state dir" "" \
        "$(cd "$STATE" && find . \( -path '*dnsmasq*' -o -name '*.conf' -o -name leases -o -name servers \
                -o -path '*hosts*' \) | sort)"
dns "$JH" 192.0.2.1 master-0.cmp2.$D A
check_eq "off: nothing answers DNS on the interface" no-answer "$DNS_STATUS"
check_eq "off: DHCP gets nothing" "" \
        "$(dhcp vm1 "$(nctl --json cluster show cmp2; jget "$T/out" 'd["nodes"][0]["mac"]')")"

exit 0
