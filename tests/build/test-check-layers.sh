#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The layering check can fail: a copy of the tree with one violation of
# each kind must be refused, naming the file and line.
set -u
src=${1:?usage: test-check-layers.sh SOURCE_ROOT}
tmp=$(mktemp -d /tmp/netd-check-layers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# check NAME EXPECTED-REGEX SETUP-COMMAND...: a fresh copy, SETUP, then the check.
check() {
	local name=$1 want=$2
	shift 2
	rm -rf "$tmp/t"
	mkdir "$tmp/t"
	cp -r "$src/docs" "$src/netd" "$src/db" "$src/netctl" "$src/tests" "$tmp/t/"
	(cd "$tmp/t" && eval "$@")
	if python3 "$src/tests/check-layers.py" "$tmp/t" >"$tmp/out" 2>&1; then
		echo "not ok - $name: accepted"
		failed=$((failed + 1))
	elif grep -Eq "$want" "$tmp/out"; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name: refused, but not as expected:"
		sed 's/^/#   /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

if python3 "$src/tests/check-layers.py" "$src" >"$tmp/out" 2>&1; then
	echo "ok - the tree as it is passes"
	passed=$((passed + 1))
else
	echo "not ok - the tree as it is fails:"
	sed 's/^/#   /' "$tmp/out"
	failed=$((failed + 1))
fi
check "core includes db" '^netd/core/error.h:[0-9]+: "db/store.h": layer netd/core may not include db' \
	"sed -i '0,/^#include/s//#include \"db\\/store.h\"\\n#include/' netd/core/error.h"
check "netctl includes libvirt" '^netctl/client.c:[0-9]+: <libvirt/libvirt.h> is libvirt' \
	"sed -i '0,/^#include/s//#include <libvirt\\/libvirt.h>\\n#include/' netctl/client.c"
check "private header from another folder" '^netd/daemon/api.c:[0-9]+: "netd/fabric/fabric-private.h" is private' \
	"sed -i '0,/^#include/s//#include \"netd\\/fabric\\/fabric-private.h\"\\n#include/' netd/daemon/api.c"
check "header circle" 'headers include each other in a circle' \
	"sed -i '0,/^#include/s//#include \"mac.h\"\\n#include/' netd/core/error.h"
check "name not after its file" '^netd/core/mac.h:[0-9]+: frob\(\) is declared in mac.h' \
	"echo 'int frob(void);' >>netd/core/mac.h"
check "file too long" '^netd/core/mac.c:[0-9]+: [0-9]+ lines: split it' \
	"for i in \$(seq 800); do echo '/* filler */' >>netd/core/mac.c; done"
check "layer table with a circle" 'layer table has a circle' \
	"sed -i 's/^| \`netd\\/core\` | — |/| \`netd\\/core\` | \`db\` |/' docs/architecture.md"
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
