# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the real-lab tests: each hypervisor namespace becomes a small
# "machine" with its own openssh-server and, when asked, its own libvirtd.
# Sourced by a test (it sources lib-fabric.sh and lib.sh), never run.
#
# A machine HV is namespace ${P}HV (made by fab_node) plus a private mount
# namespace, held open by a `sleep` started with `unshare -m --propagation
# private` inside the network namespace. In it the test mounts its own
# /run (a tmpfs: sshd's privsep dir, libvirt's sockets and pid files),
# /var/log (sshd's login records, libvirtd's log), /var/lib/libvirt,
# /var/cache/libvirt, a copy of /etc/libvirt (libvirtd writes its
# definitions there) and an empty /root (a login runs none of the
# machine's root dotfiles: the same shell everywhere, and a fast one).
# sshd and libvirtd are started into both namespaces with nsenter.
# Nothing of the machine's own ssh or libvirt is used or written: keys,
# host keys, sshd_config, authorized_keys and known_hosts are the test's,
# in $T/ssh and $T/lab/HV, and the client runs `ssh -F $T/ssh/config`
# (root's ~/.ssh is never read); lab_untouched checks it.
#
# Every wait is bounded. The EXIT trap stops libvirtd, sshd and the holder
# by PID (TERM, then KILL), then runs lib.sh's cleanup, which kills
# whatever is left in the test's namespaces and deletes them.

. "$(dirname "${BASH_SOURCE[0]}")/lib-fabric.sh"

SSHD=/usr/sbin/sshd
LIBVIRTD=/usr/sbin/libvirtd
declare -A LAB_HOLDER=() LAB_SSHD=() LAB_LIBVIRTD=() LAB_ADDRS=()

# lab_require — every program a real-lab test runs is installed
# (packaging/install-deps.sh installs them); a missing one fails the test,
# it is never skipped.
lab_require() {
        local p missing=()
        for p in "$SSHD" "$LIBVIRTD" ssh ssh-keygen virsh nsenter unshare; do
                command -v "$p" >/dev/null 2>&1 || missing+=("$p")
        done
        if [ ${#missing[@]} -gt 0 ]; then
                not_ok "installed: ${missing[*]} (packaging/install-deps.sh: openssh-server, openssh-client," \
                        "libvirt-daemon-system, libvirt-clients, util-linux)"
                exit 1
        fi
        if ! id sshd >/dev/null 2>&1; then
                not_ok "user sshd exists (package openssh-server)"
                exit 1
        fi
}

# lab_keys — the throwaway client keys ($T/ssh/id: authorized on every
# machine; $T/ssh/wrong: on none), the client config and the ssh wrapper
# libvirt runs (qemu+ssh://…?command=$T/ssh/ssh-lab): libvirt starts `ssh`
# itself, and only the wrapper gets it to use the test's known_hosts
# (no_verify=1 would write the host into root's).
lab_keys() {
        mkdir -p "$T/ssh" && chmod 700 "$T/ssh" &&
                ssh-keygen -q -t ed25519 -N '' -C netd-test -f "$T/ssh/id" </dev/null &&
                ssh-keygen -q -t ed25519 -N '' -C netd-test-wrong -f "$T/ssh/wrong" </dev/null &&
                : >"$T/ssh/known_hosts" || {
                not_ok "throwaway ssh keys generated"
                exit 1
        }
        # No IdentityFile here: the connect command names its key, so a
        # host given the wrong key has no other one to fall back on.
        cat >"$T/ssh/config" <<EOF
Host *
        User root
        IdentitiesOnly yes
        IdentityAgent none
        UserKnownHostsFile $T/ssh/known_hosts
        GlobalKnownHostsFile /dev/null
        StrictHostKeyChecking yes
        UpdateHostKeys no
        CheckHostIP no
        BatchMode yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        ControlMaster no
        ControlPath none
        LogLevel ERROR
EOF
        cat >"$T/ssh/ssh-lab" <<EOF
#!/bin/sh
exec ssh -F $T/ssh/config "\$@"
EOF
        chmod 755 "$T/ssh/ssh-lab"
}

# The machine's own ssh and libvirt files, and whether its runtime
# directories exist, as the test found them (lab_untouched compares).
LAB_WATCH=(/root/.ssh /etc/ssh /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt)
touch "$T/.lab-start"
_lab_runtime() {
        local d
        for d in /run/sshd /run/libvirt /var/run/libvirt /run/libvirtd.pid; do
                [ -e "$d" ] && echo "$d"
        done
}
_LAB_RUNTIME_BEFORE=$(_lab_runtime)

# lab_untouched — true when no file of the machine's ssh or libvirt
# configuration or state changed since the test began and no runtime
# directory of theirs appeared; what did is printed.
lab_untouched() {
        local changed
        changed=$(find "${LAB_WATCH[@]}" -newer "$T/.lab-start" 2>/dev/null)
        [ "$(_lab_runtime)" == "$_LAB_RUNTIME_BEFORE" ] || changed+=$'\n'"runtime: $(_lab_runtime | tr '\n' ' ')"
        [ -z "$changed" ] || {
                echo "$changed"
                return 1
        }
}

# lab_connect HV [KEY] — the --connect command for machine HV (default key
# $T/ssh/id), through its first underlay address.
lab_connect() {
        local addrs=${LAB_ADDRS[$1]}
        echo "ssh -F $T/ssh/config -i ${2:-$T/ssh/id} root@${addrs%% *}"
}

# lab_libvirt_uri HV — the --libvirt URI for machine HV.
lab_libvirt_uri() {
        local addrs=${LAB_ADDRS[$1]} a
        a=${addrs%% *}
        [[ "$a" == *:* ]] && a="[$a]"
        echo "qemu+ssh://root@$a/system?keyfile=$T/ssh/id&command=$T/ssh/ssh-lab"
}

# lab_machine HV ADDR... — gives hypervisor namespace ${P}HV (already made
# by fab_node with these underlay addresses) its private mount namespace.
lab_machine() {
        local hv=$1 d=$T/lab/$1 i pid
        shift
        LAB_ADDRS[$hv]="$*"
        # 755: libvirtd probes QEMU as user libvirt-qemu in /var/lib/libvirt.
        mkdir -p "$d/log/libvirt" "$d/lib" "$d/cache" "$d/ssh" "$d/home" &&
                cp -a /etc/libvirt "$d/etc" &&
                rm -f "$d"/etc/qemu/networks/*.xml "$d"/etc/qemu/networks/autostart/*.xml "$d"/etc/qemu/*.xml &&
                rm -rf "$d/etc/storage" &&
                chmod 755 "$d" "$d/log" "$d/lib" "$d/cache" && chmod 700 "$d/home" || {
                not_ok "machine $hv: private directories prepared"
                exit 1
        }
        ip netns exec "$P$hv" unshare -m --propagation private -- /bin/sh -c '
                set -e
                d=$1
                mount -t tmpfs -o mode=0755 netd-test-run /run
                mkdir -m 0755 /run/sshd
                mount --bind "$d/log" /var/log
                mkdir -p /var/lib/libvirt /var/cache/libvirt
                mount --bind "$d/lib" /var/lib/libvirt
                mount --bind "$d/cache" /var/cache/libvirt
                mount --bind "$d/etc" /etc/libvirt
                mount --bind "$d/home" /root
                echo ready
                exec sleep infinity' - "$d" >"$d/holder.out" 2>&1 </dev/null &
        pid=$!
        _BG_PIDS+=("$pid")
        LAB_HOLDER[$hv]=$pid
        for ((i = 0; i < 200; i++)); do
                grep -q '^ready$' "$d/holder.out" 2>/dev/null && return 0
                alive "$pid" || break
                sleep 0.05
        done
        not_ok "machine $hv: private mount namespace"
        diag "$(cat "$d/holder.out" 2>/dev/null)"
        exit 1
}

# lab_poll SECONDS CMD... — like poll, but bounded by the clock: each try of
# CMD may itself take a while (a netctl call waiting for a host).
lab_poll() {
        local end=$((SECONDS + $1))
        shift
        while [ "$SECONDS" -lt "$end" ]; do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.2
        done
        "$@"
}

# lab_listening HV PORT — true when something in HV listens on TCP PORT.
lab_listening() {
        ip netns exec "$P$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q .
}

# lab_sshd_start HV — starts machine HV's sshd on its underlay addresses,
# port 22, with the test's host key and authorized_keys; waits (bounded)
# until it listens. Sets LAB_SSHD[HV]. The first start makes the host key
# and adds it to the client's known_hosts for each address.
lab_sshd_start() {
        local hv=$1 d=$T/lab/$1/ssh a i pid
        if [ ! -f "$d/sshd_config" ]; then
                ssh-keygen -q -t ed25519 -N '' -C "$hv" -f "$d/host_key" </dev/null &&
                        cp "$T/ssh/id.pub" "$d/authorized_keys" || {
                        not_ok "machine $hv: sshd keys"
                        exit 1
                }
                for a in ${LAB_ADDRS[$hv]}; do
                        echo "$a $(cut -d' ' -f1,2 "$d/host_key.pub")" >>"$T/ssh/known_hosts"
                done
                {
                        for a in ${LAB_ADDRS[$hv]}; do
                                echo "ListenAddress $a"
                        done
                        cat <<EOF
Port 22
HostKey $d/host_key
PidFile none
AuthorizedKeysFile $d/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AcceptEnv none
LogLevel VERBOSE
EOF
                } >"$d/sshd_config"
                _LOGS+=("$d/sshd.log")
        fi
        echo "=== sshd start $(date +%T.%N) ===" >>"$d/sshd.log"
        # nsenter execs sshd: $! is sshd's own PID.
        nsenter -t "${LAB_HOLDER[$hv]}" -m -n -- "$SSHD" -D -e -f "$d/sshd_config" >>"$d/sshd.log" 2>&1 </dev/null &
        pid=$!
        _BG_PIDS+=("$pid")
        LAB_SSHD[$hv]=$pid
        for ((i = 0; i < 200; i++)); do
                lab_listening "$hv" 22 && return 0
                alive "$pid" || break
                sleep 0.05
        done
        not_ok "machine $hv: sshd listens on ${LAB_ADDRS[$hv]} port 22"
        diag "$(tail -n 20 "$d/sshd.log")"
        return 1
}

# lab_stop PID [SECONDS] — TERM (and CONT, for a stopped one), bounded wait,
# then KILL.
lab_stop() {
        local pid=$1
        [ -n "$pid" ] || return 0
        kill -TERM "$pid" 2>/dev/null
        kill -CONT "$pid" 2>/dev/null
        if ! wait_dead "$pid" "${2:-10}"; then
                kill -KILL "$pid" 2>/dev/null
                wait_dead "$pid" 5
        fi
        { wait "$pid"; } 2>/dev/null
        return 0
}

# lab_sshd_stop HV — stops HV's listening sshd by PID; sessions it started
# (an agent's) live on, as with a real sshd.
lab_sshd_stop() {
        lab_stop "${LAB_SSHD[$1]:-}"
        LAB_SSHD[$1]=
}

# lab_ssh HV CMD... — runs CMD on machine HV as the test's client, from the
# jumphost namespace ${P}jh (checks).
lab_ssh() {
        local hv=$1 addrs=${LAB_ADDRS[$1]}
        shift
        timeout 20 ip netns exec "${P}jh" ssh -F "$T/ssh/config" -i "$T/ssh/id" -o ConnectTimeout=10 \
                "root@${addrs%% *}" "$@" </dev/null
}

# lab_libvirtd_start HV — starts libvirtd in machine HV with its own
# config (local socket only, no auth: only root in this mount namespace
# reaches it) and waits (bounded) until virsh answers there. Sets
# LAB_LIBVIRTD[HV].
lab_libvirtd_start() {
        local hv=$1 d=$T/lab/$1 end pid
        if [ ! -f "$d/libvirtd.conf" ]; then
                cat >"$d/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 0
unix_sock_group = "root"
unix_sock_ro_perms = "0700"
unix_sock_rw_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
                # Domains, if one is started, log to files: no virtlogd.
                echo 'stdio_handler = "file"' >>"$d/etc/qemu.conf"
                _LOGS+=("$d/log/libvirt/libvirtd.log")
        fi
        echo "=== libvirtd start $(date +%T.%N) ===" >>"$d/libvirtd.out"
        nsenter -t "${LAB_HOLDER[$hv]}" -m -n -- "$LIBVIRTD" -f "$d/libvirtd.conf" >>"$d/libvirtd.out" 2>&1 </dev/null &
        pid=$!
        _BG_PIDS+=("$pid")
        LAB_LIBVIRTD[$hv]=$pid
        # It probes QEMU first (a few seconds under TCG); at most 60 s.
        end=$((SECONDS + 60))
        while [ "$SECONDS" -lt "$end" ] && alive "$pid"; do
                if timeout 10 nsenter -t "${LAB_HOLDER[$hv]}" -m -n -- virsh -q -c qemu:///system uri \
                        >/dev/null 2>&1 </dev/null; then
                        return 0
                fi
                sleep 0.25
        done
        not_ok "machine $hv: libvirtd answers within 60 s"
        diag "$(tail -n 20 "$d/libvirtd.out" "$d/log/libvirt/libvirtd.log" 2>/dev/null)"
        return 1
}

# lab_libvirtd_stop HV — stops HV's libvirtd by PID.
lab_libvirtd_stop() {
        lab_stop "${LAB_LIBVIRTD[$1]:-}" 20
        LAB_LIBVIRTD[$1]=
}

# lab_virsh HV ARGS... — virsh on machine HV, over its local socket.
lab_virsh() {
        local hv=$1
        shift
        timeout 30 nsenter -t "${LAB_HOLDER[$hv]}" -m -n -- virsh -q -c qemu:///system "$@" </dev/null
}

# lab_dead PID — true when PID is gone.
lab_dead() {
        ! alive "$1"
}

# ---------------------------------------------------------------- netd's view

# host_field HOST KEY — KEY of HOST in the last fabric status JSON
# ($T/status.json, fab_status): a string as it is, else as JSON (null).
host_field() {
        jget "$T/status.json" "[h.get('$2') for h in d['hosts'] if h['name'] == '$1'][0]"
}

# host_state_is HOST STATE — fresh status; true when HOST is in STATE.
host_state_is() {
        fab_status && [ "$(host_field "$1" state)" == "$2" ]
}

# check_host_state DESC SECONDS HOST STATE — polls the status until HOST
# is in STATE.
check_host_state() {
        if lab_poll "$2" host_state_is "$3" "$4" >/dev/null 2>&1; then
                ok "$1"
        else
                not_ok "$1"
                diag "host $3: state '$(host_field "$3" state)', want '$4'; error: $(host_field "$3" error)"
        fi
}

# host_failed_with HOST TEXT — fresh status; true when HOST is failed and
# its error contains TEXT (a fixed string).
host_failed_with() {
        host_state_is "$1" failed && grep -qF -- "$2" <<<"$(host_field "$1" error)"
}

# lab_log_has MARK WORD TEXT — a line of netd's log after line MARK (a line
# count) names WORD and contains TEXT (fixed strings, any case).
lab_log_has() {
        tail -n +"$(($1 + 1))" "$NETD_LOG" | grep -wF "$2" | grep -qiF "$3"
}

# The machines go first (libvirtd may want to tidy up; sshd sessions end),
# then lib.sh's cleanup with the test's exit status.
_lab_cleanup() {
        local rc=$? hv
        exec 4>&2 2>/dev/null
        for hv in "${!LAB_LIBVIRTD[@]}"; do
                lab_stop "${LAB_LIBVIRTD[$hv]}" 10
        done
        for hv in "${!LAB_SSHD[@]}"; do
                lab_stop "${LAB_SSHD[$hv]}" 5
        done
        for hv in "${!LAB_HOLDER[@]}"; do
                lab_stop "${LAB_HOLDER[$hv]}" 5
        done
        exec 2>&4 4>&-
        (exit "$rc")
        _cleanup
}
trap _lab_cleanup EXIT
