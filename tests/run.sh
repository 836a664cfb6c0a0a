#!/bin/sh
# run.sh BUILD [SANBUILD] — run every test program and add up the results.
#
# Unit tests (BUILD/tests/test_*) and integration tests (tests/integration/*.sh)
# each end with a line "NAME: N passed, N failed, N skipped"; this script sums
# them and ends with the same kind of line for the whole suite. With SANBUILD,
# the suite runs a second time against the ASan/UBSan build. With CI or
# FUZZ_SECONDS set, the libFuzzer targets in build-fuzz/ then run briefly.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
TOTAL_P=0 TOTAL_F=0 TOTAL_S=0
FAILED=""
PER_TEST_TIMEOUT=${PER_TEST_TIMEOUT:-300}
# A long soak on demand (SOAK_SECONDS=600, tests/integration/test_soak.sh).
if [ "${SOAK_SECONDS:-0}" -gt 200 ] 2>/dev/null && [ "$PER_TEST_TIMEOUT" -lt $((SOAK_SECONDS + 120)) ]; then
	PER_TEST_TIMEOUT=$((SOAK_SECONDS + 120))
fi
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"

run_one() { # label build cmd...
	label=$1; build=$2; shift 2
	log=$(mktemp /tmp/tcpscope-log.XXXXXX)
	start=$(date +%s)
	TCPSCOPE="$top/$build/tcpscope" TOOLS="$top/$build/tools" BUILD_DIR="$top/$build" \
		timeout -k 5 "$PER_TEST_TIMEOUT" "$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -nE 's/.* ([0-9]+) passed.*/\1/p')
	f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		f=$((f + 1)) # crashed, timed out or sanitizer report
		echo "---- $label exited $rc without a clean summary:"
		tail -n 40 "$log"
	elif [ "$f" -gt 0 ]; then
		echo "---- $label:"
		grep -E '^(FAIL|SKIP)' "$log" | head -n 40
	fi
	grep -E '^(SKIP|INFO)' "$log" | sed "s|^|  [$label] |"
	printf '%-36s %4d passed %3d failed %3d skipped  (%ds)\n' "$label" "$p" "$f" "$s" "$secs"
	TOTAL_P=$((TOTAL_P + p)) TOTAL_F=$((TOTAL_F + f)) TOTAL_S=$((TOTAL_S + s))
	[ "$f" -gt 0 ] && FAILED="$FAILED $label"
	rm -f "$log"
}

suite() { # build tag
	build=$1 tag=$2
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "$tag$(basename "$t")" "$build" "$t"
	done
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		run_one "$tag$(basename "$t" .sh)" "$build" sh "$t"
	done
}

suite "$1" ""
[ $# -ge 2 ] && suite "$2" "san:"
# Short fuzzing in CI (or when FUZZ_SECONDS is given): every libFuzzer target
# is one test (tests/fuzz/run.sh; `make check` builds them into build-fuzz/).
if [ -n "${CI:-}${FUZZ_SECONDS:-}" ]; then
	export FUZZ_SECONDS="${FUZZ_SECONDS:-12}"
	PER_TEST_TIMEOUT=$((FUZZ_SECONDS * 20 + 300))
	run_one fuzz build-fuzz sh tests/fuzz/run.sh build-fuzz
fi
[ -n "$FAILED" ] && echo "failed:$FAILED"
echo "total: $TOTAL_P passed, $TOTAL_F failed, $TOTAL_S skipped"
[ "$TOTAL_F" -eq 0 ]
