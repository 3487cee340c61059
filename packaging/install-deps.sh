#!/bin/sh
# Install everything netd needs to build, run its demo and run its tests on
# Debian 12 (bookworm). Idempotent: does nothing when all is installed.
set -eu

packages="
 meson ninja-build gcc pkg-config
 libevent-dev libsqlite3-dev sqlite3 libjson-c-dev libcmocka-dev
 libnl-3-dev libnl-route-3-dev libvirt-dev uuid-dev libyaml-dev libsystemd-dev
 dnsmasq-base dnsmasq-utils busybox bind9-dnsutils iproute2 util-linux procps psmisc
 ndisc6 isc-dhcp-client dhcpcd-base
 libxml2-dev python3 python3-yaml clang-format
 qemu-system-x86 ipxe-qemu
 openssh-server openssh-client libvirt-daemon-system libvirt-clients
 python3-jsonschema clang llvm libclang-rt-dev
 debhelper dpkg-dev build-essential systemd scdoc
"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing; run me as root" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The tests run their own sshd, libvirtd and dnsmasq in namespaces: no
# package may start (or restart) a service of this machine while installing.
# A policy-rc.d of our own, removed again; one already there is left alone.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	guard=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\n# install-deps (netd): no service starts during the install\nexit 101\n' >"$guard"
	chmod 0755 "$guard"
	trap 'rm -f "$guard"' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
