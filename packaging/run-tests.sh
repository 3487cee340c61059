#!/bin/bash
# Build netd with warnings as errors and ASan/UBSan, run every test suite
# (unit and integration; benchmarks are separate: tests/bench/run-all.sh),
# and end with the line "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${NETD_TEST_BUILD:-$top/build-test}

"$top/packaging/install-deps.sh" || exit 1

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" --buildtype=debug -Dwerror=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null || exit 1
fi
ninja -C "$build" || { echo "0 passed, 1 failed"; exit 1; }

# Leak reports would only fail the daemons' exit codes of the tests that
# stop them; they are checked, not silenced.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
status=$?

python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
