#!/bin/bash
# Run every fuzz target (tests/fuzz/corpus/<target>/ names them) for
# SECONDS each, one at a time, and fail on any crash, hang or leak.
#
#   tests/fuzz/run-fuzz.sh BUILDDIR [SECONDS]     (default 20 s)
#
# BUILDDIR is (re)configured for fuzzing: with clang, when libFuzzer links
# (packaging/install-deps.sh installs clang and its runtime), every layer
# is built with coverage, ASan and UBSan (UB aborts) and the targets are
# libFuzzer binaries; without clang, the default compiler with ASan/UBSan
# and fuzz-main.c's random mutations. Each target starts from its seeds
# (plus the libvirt fixtures for the domain XML); what it learns stays in
# BUILDDIR/corpus/<target> for the next run. A crash leaves its input in
# BUILDDIR/artifacts/ and the end of the log is printed. One line per
# target gives its runs and executions per second. NETD_FUZZ_STANDALONE=1
# uses the default compiler and fuzz-main.c even where clang is.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run-fuzz.sh BUILDDIR [SECONDS]}
seconds=${2:-20}
fuzz=$top/tests/fuzz

libfuzzer_links() {
	[ "${NETD_FUZZ_STANDALONE:-0}" = 1 ] && return 1
	command -v clang >/dev/null 2>&1 || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' |
		clang -x c -fsanitize=fuzzer,address,undefined - -o /dev/null 2>/dev/null
}

if libfuzzer_links; then
	mode=libfuzzer
	export CC=clang
	c_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined"
else
	mode=standalone
	c_args="-fno-sanitize-recover=undefined"
	echo "run-fuzz: clang with libFuzzer not found: random mutations without coverage" >&2
fi
config="$mode $c_args"

mkdir -p "$build"
build=$(cd "$build" && pwd)
if [ "$(cat "$build/.fuzz-config" 2>/dev/null)" != "$config" ]; then
	wipe=()
	[ -d "$build/meson-private" ] && wipe=(--wipe)
	if ! meson setup "${wipe[@]}" "$build" "$top" --buildtype=debugoptimized -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args="$c_args" >"$build/setup.log" 2>&1; then
		tail -20 "$build/setup.log"
		echo "run-fuzz: configuring $build failed" >&2
		exit 1
	fi
	echo "$config" >"$build/.fuzz-config"
fi

targets=()
for d in "$fuzz"/corpus/*/; do
	targets+=("$(basename "$d")")
done
if ! ninja -C "$build" -j2 "${targets[@]/#/tests/fuzz/}" >"$build/build.log" 2>&1; then
	grep -E -A5 'error|FAILED' "$build/build.log" | head -40
	echo "run-fuzz: building the targets failed" >&2
	exit 1
fi

# Leaks are found too; a UB report is a crash (see -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
mkdir -p "$build/artifacts" "$build/logs"
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/$t
	log=$build/logs/$t.log
	seeds=("$fuzz/corpus/$t")
	opts=()
	case $t in
	fuzz-vm-xml)
		seeds+=("$top/tests/data/libvirt/domains" "$top/tests/data/libvirt/edge")
		opts+=(-max_len=16384 "-dict=$fuzz/dict/xml.dict")
		;;
	fuzz-proto-request | fuzz-agent-* | fuzz-netctl-reply)
		opts+=("-dict=$fuzz/dict/json.dict")
		;;
	esac
	mkdir -p "$build/corpus/$t"
	if [ $mode = libfuzzer ]; then
		"$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$build/artifacts/$t-" "${opts[@]}" \
			"$build/corpus/$t" "${seeds[@]}" >"$log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
		corpus=$(find "$build/corpus/$t" -type f | wc -l)
	else
		"$bin" -max_total_time="$seconds" -seed="$RANDOM" -artifact_prefix="$build/artifacts/" \
			"${opts[@]}" "${seeds[@]}" >"$log" 2>&1
		rc=$?
		runs=$(sed -n 's/.*: \([0-9]*\) mutated inputs ran.*/\1/p' "$log" | tail -1)
		rate=$((${runs:-0} / (seconds > 0 ? seconds : 1)))
		corpus=-
	fi
	if [ $rc -eq 0 ]; then
		echo "$t: ok, ${runs:-?} runs in ${seconds} s, ${rate:-?} exec/s, corpus $corpus"
	else
		failed=$((failed + 1))
		echo "$t: FAILED (exit $rc), log $log; the input that failed:"
		ls -t "$build/artifacts/" | grep -F -- "$t" | head -3 | sed "s|^|  $build/artifacts/|"
		tail -40 "$log"
	fi
done
echo "run-fuzz: ${#targets[@]} targets ($mode), $failed failed"
[ $failed -eq 0 ]
