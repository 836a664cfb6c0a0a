#!/bin/sh
# run.sh [FUZZ_BUILD_DIR] [NAME...] — run the libFuzzer targets.
#
# Each target BUILD/fuzz/fuzz_NAME (built by `make fuzz-build` from
# tests/fuzz/fuzz_NAME.c) runs for FUZZ_SECONDS (default 60) starting from a
# scratch copy of its committed seed corpus tests/fuzz/corpus/NAME/, so runs
# never dirty the repository. FUZZ_JOBS targets run at once (default: the
# number of CPUs). A crash, leak, sanitizer report, libFuzzer timeout or OOM
# fails the target; its reproducer is kept in BUILD/artifacts/NAME/.
# Prints one "INFO" line per target (exec count, rate, coverage) and ends
# with "fuzz: N passed, N failed, N skipped" — a target is one test — which
# tests/run.sh counts in its total.
#
# Adding a target: drop tests/fuzz/fuzz_X.c (defining LLVMFuzzerTestOneInput,
# linked against the library sources) and a seed corpus tests/fuzz/corpus/X/
# (a few small real inputs, one per file). Nothing else to edit: the Makefile
# and this script find them by name. See tests/fuzz/README.md.
#
# Reproduce a failure:  build-fuzz/fuzz/fuzz_X build-fuzz/artifacts/X/crash-…
# Grow the seed corpus: build-fuzz/fuzz/fuzz_X -merge=1 tests/fuzz/corpus/X DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build-fuzz}
[ $# -gt 0 ] && shift
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
P=0 F=0 S=0

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(for f in tests/fuzz/fuzz_*.c; do [ -f "$f" ] && basename "$f" .c | sed 's/^fuzz_//'; done)
fi
if [ -z "$names" ]; then
	echo "SKIP fuzz: no tests/fuzz/fuzz_*.c"
	echo "fuzz: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

scratch=$(mktemp -d /tmp/tcpscope-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# Leaks are failures; sanitizer reports abort so libFuzzer saves the input.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"

run_target() { # name → writes $scratch/NAME.rc and NAME.log
	name=$1
	bin="$build/fuzz/fuzz_$name"
	corp="$scratch/corpus-$name"
	art="$build/artifacts/$name"
	mkdir -p "$corp" "$art"
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$corp/"
	# -timeout: one input taking >10 s is a hang; the outer timeout catches
	# a wedged fuzzer. -rss_limit_mb: a runaway allocation is a failure.
	timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
		"$corp" >"$scratch/$name.log" 2>&1
	echo $? >"$scratch/$name.rc"
	ls "$corp" | wc -l >"$scratch/$name.corp"
}

report() { # name
	name=$1
	log="$scratch/$name.log"
	rc=$(cat "$scratch/$name.rc" 2>/dev/null || echo 99)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
	seeds=$(ls "tests/fuzz/corpus/$name" 2>/dev/null | wc -l)
	corp=$(cat "$scratch/$name.corp" 2>/dev/null || echo 0)
	echo "INFO fuzz_$name: ${execs:-0} execs in ${secs}s (${rate:-0}/s), ${cov:-cov: ?}, corpus $seeds → $corp"
	if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
		P=$((P + 1))
		echo "ok   fuzz_$name"
	else
		F=$((F + 1))
		echo "FAIL fuzz_$name: exit $rc; reproducer in $build/artifacts/$name/"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|==[0-9]+==|^    #[0-9]' "$log" | head -n 40
	fi
}

batch=""
n=0
for name in $names; do
	if [ ! -x "$build/fuzz/fuzz_$name" ]; then
		S=$((S + 1))
		echo "SKIP fuzz_$name: $build/fuzz/fuzz_$name not built (make fuzz-build; needs clang + libclang-rt-14-dev)"
		continue
	fi
	run_target "$name" &
	batch="$batch $name"
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait
		for b in $batch; do report "$b"; done
		batch="" n=0
	fi
done
wait
for b in $batch; do report "$b"; done
echo "fuzz: $P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
