#!/bin/sh
# bigbox.sh — the live view on big tables (issue 19), in a private network
# namespace (needs root; torn down at the end: the namespace dies with the
# script, and with it every socket).
#
#   bigbox.sh --report BUILD [REPORT]
#       `make bench` (skipped with BENCH_BIG=0): for each population of
#       BENCH_BIG_PAIRS established pairs (default "50000 250000 500000":
#       100k, 500k and 1M sockets), tests/bench/ui_live.sh's keys (Down,
#       PgDn, > / < re-sorts, a filter set and cleared; UI_KEYS rounds,
#       default 6) and CPU at the default refresh and CPU budget (the
#       interval the budget chose, read from the header), the live view's
#       peak RSS, and `ss -tanHi` at the same population (wall time, peak
#       RSS), and the one-shot (`tcpscope -b -n1 --no-processes`) against
#       the bare dump (`baredump -i`), BIGBOX_ONESHOT_RUNS rounds (default
#       3), medians — one table, printed and appended to REPORT (default
#       BUILD/bench.md). Bounded: 30 minutes in all.
#   bigbox.sh PAIRS TCPSCOPE...
#       one population, the figures for each binary given (a binary may be
#       a wrapper script adding options, e.g. --cpu-budget 0); modes from
#       BIGBOX_MODES (default "keys cpu"), UI_KEYS=8 UI_CPU_SECONDS=10
#       unless set. With a stretched refresh a CPU window must hold several
#       ticks: at 1M use UI_WARM=30 UI_CPU_SECONDS=60 or more. The mode
#       `oneshot` times every binary's one-shot against `baredump -i`,
#       one of each per round (BIGBOX_ONESHOT_RUNS, default 3).
# A 1M population takes about 3 GiB of kernel memory and a minute or two to
# build on a busy 2-core machine.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = --report ]; then
	BUILD=${2:?usage: bigbox.sh --report BUILD [REPORT]}
	REPORT=${3:-$BUILD/bench.md}
	case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
	case $REPORT in /*) ;; *) REPORT=$top/$REPORT ;; esac
	MODE=report
	set -- "$BUILD" "$REPORT"
else
	PAIRS=${1:?usage: bigbox.sh PAIRS TCPSCOPE... | bigbox.sh --report BUILD}
	shift
	MODE=pairs
	BUILD=$top/build
fi
: "${TOOLS:=$BUILD/tools}"
if [ -z "${TCPS_BENCH_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "bigbox: needs root"; exit 1; }
	if [ "$MODE" = report ]; then
		TCPS_BENCH_NETNS=1 exec timeout -k 10 1800 unshare -n -- sh "$0" --report "$@"
	fi
	TCPS_BENCH_NETNS=1 exec timeout -k 10 1200 unshare -n -- sh "$0" "$PAIRS" "$@"
fi
ip link set lo up
tmp=$(mktemp -d /tmp/tcpscope-bigbox.XXXXXX)
POP_PID=
trap 'exec 9>&-; [ -n "$POP_PID" ] && kill "$POP_PID" 2>/dev/null; wait; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

pop_start() { # pairs
	rm -f "$tmp/ctl"
	mkfifo "$tmp/ctl"
	"$TOOLS/popgen" -q --max-seconds 900 -e "$1" <"$tmp/ctl" >"$tmp/pop.out" 2>"$tmp/pop.err" &
	POP_PID=$!
	exec 9>"$tmp/ctl"
	i=0
	until grep -q '^ready' "$tmp/pop.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 3000 ] || ! kill -0 "$POP_PID" 2>/dev/null; then
			echo "bigbox: population did not come up: $(cat "$tmp/pop.err")" >&2
			return 1
		fi
		sleep 0.1
	done
}
pop_stop() {
	exec 9>&-
	wait "$POP_PID" 2>/dev/null
	POP_PID=
}

# oneshot BINARY... : rounds of `baredump -i` and each binary's
# `-b -n1 --no-processes` (one of each per round, so load hits all alike);
# prints "bare_ms M", then "oneshot_ms M", "oneshot_rss KB" per binary
# (medians; the largest RSS), prefixed with the binary's index from 1.
oneshot() {
	: >"$tmp/os.samples"
	r=0
	while [ "$r" -lt "${BIGBOX_ONESHOT_RUNS:-3}" ]; do
		echo "bare $("$TOOLS/timeit" -r 1 -t 120 -- "$TOOLS/baredump" -i 2>/dev/null)" >>"$tmp/os.samples"
		i=0
		for b in "$@"; do
			i=$((i + 1))
			echo "$i $("$TOOLS/timeit" -r 1 -t 120 -- "$b" -b -n1 --no-processes 2>/dev/null)" >>"$tmp/os.samples"
		done
		r=$((r + 1))
	done
	awk '{ for (f = 2; f <= NF; f++) { split($f, kv, "="); x[kv[1]] = kv[2] }
	       n[$1]++; ms[$1, n[$1]] = x["median_ms"]; if (x["maxrss_kb"] > rss[$1]) rss[$1] = x["maxrss_kb"] }
	     END { for (k in n) {
		     m = n[k]; for (i = 1; i <= m; i++) a[i] = ms[k, i]
		     for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		     med = a[int((m + 1) / 2)]
		     if (k == "bare") print "bare_ms", med
		     else { print k ".oneshot_ms", med; print k ".oneshot_rss", rss[k] } } }' "$tmp/os.samples"
}

if [ "$MODE" = pairs ]; then
	export UI_KEYS=${UI_KEYS:-8} UI_CPU_SECONDS=${UI_CPU_SECONDS:-10}
	pop_start "$PAIRS" || exit 1
	echo "population $(grep '^ready' "$tmp/pop.out")"
	case " ${BIGBOX_MODES:-keys cpu} " in *" oneshot "*)
		echo "== one-shot (1..$# = $*)"
		oneshot "$@" | sed 's/^/  /' ;;
	esac
	for ts in "$@"; do
		echo "== $ts"
		for mode in ${BIGBOX_MODES:-keys cpu}; do
			[ "$mode" = oneshot ] && continue
			sh "$top/tests/bench/ui_live.sh" "$mode" "$ts" 2>&1 | sed 's/^/  /'
		done
	done
	exit 0
fi

# ---------------------------------------------------------------- report
TS=$BUILD/tcpscope
RES=$tmp/res
: >"$RES"
v() { awk -v k="$1" '$1 == k {print $2; exit}' "$RES"; } # key → value ("" if none)
for pairs in ${BENCH_BIG_PAIRS:-50000 250000 500000}; do
	p=$pairs
	echo "bigbox: $((2 * pairs)) sockets" >&2
	pop_start "$pairs" || continue
	n=$(grep '^ready' "$tmp/pop.out" | tr ' ' '\n' | sed -n 's/^total=//p')
	echo "$p.n $n" >>"$RES"
	# ss at the same population: one run (a million lines take seconds).
	line=$("$TOOLS/timeit" -r 1 -t 120 -- ss -tanHi 2>/dev/null)
	echo "$p.ss_ms $(echo "$line" | tr ' ' '\n' | sed -n 's/^median_ms=//p')" >>"$RES"
	echo "$p.ss_rss $(echo "$line" | tr ' ' '\n' | sed -n 's/^maxrss_kb=//p')" >>"$RES"
	# The one-shot against the bare dump (issue 19: <= 1.3x).
	oneshot "$TS" | sed 's/^1\.//; s/^/'"$p"'./' >>"$RES"
	# Keys: a few rounds (each key waits up to 3 s when it is not answered).
	UI_KEYS=${UI_KEYS:-6} sh "$top/tests/bench/ui_live.sh" keys "$TS" 2>&1 |
		sed "s/^/$p./" >>"$RES"
	# CPU at the default budget: the window must hold several of the
	# ticks the budget stretches to (about 20 s at 1M).
	if [ "$pairs" -ge 400000 ]; then w=20 s=90
	elif [ "$pairs" -ge 200000 ]; then w=10 s=45
	else w=5 s=20; fi
	UI_WARM=$w UI_CPU_SECONDS=$s sh "$top/tests/bench/ui_live.sh" cpu "$TS" 2>&1 |
		sed "s/^/$p./" >>"$RES"
	pop_stop
done
pl=${BENCH_BIG_PAIRS:-50000 250000 500000}
row() { # title key [suffix]
	printf '| %s |' "$1"
	for p in $pl; do
		x=$(v "$p.$2")
		printf ' %s |' "${x:--}${x:+${3:-}}"
	done
	echo
}
row2() { # label key1 key2 awk-body: one cell per population from two figures (a, b)
	printf '| %s |' "$1"
	for p in $pl; do
		a=$(v "$p.$2") b=$(v "$p.$3")
		if [ -n "$a" ] && [ -n "$b" ]; then
			awk -v a="$a" -v b="$b" "BEGIN {$4}"
		else
			printf ' - |'
		fi
	done
	echo
}
kinds() { # label kind: "p50 / p90 / p99 / max" of one kind of key
	printf '| %s, p50 / p90 / p99 / max ms |' "$1"
	for p in $pl; do
		printf ' %s / %s / %s / %s |' "$(v "$p.key_$2_ms")" "$(v "$p.key_$2_p90_ms")" \
			"$(v "$p.key_$2_p99_ms")" "$(v "$p.key_$2_max_ms")"
	done
	echo
}
per_socket() { # label key → bytes per socket from KiB
	row2 "$1" "$2" n 'printf " %.0f B (%.0f MB) |", 1024 * a / b, a / 1024'
}
tick_cpu() { # CPU per tick = share of a core × the interval in force
	row2 "CPU per tick (share × interval), ms" cpu_pct refresh_s 'printf " %.0f |", 10 * a * b'
}
{
	echo
	echo "### Big boxes (issue 19): the live view at 100k / 500k / 1M sockets"
	echo
	echo "Populations of established loopback pairs (\`popgen -e\`) in a private namespace; the"
	echo "live view in tmux, default 1 s refresh and CPU budget (10%); keys timed send-keys →"
	echo "capture-pane (tmux's own few ms included; a key not answered within 3 s counts as 3 s);"
	echo "\`ss -tanHi\` once at the same population. tcpscope $("$TS" --version 2>/dev/null | head -n 1 | awk '{print $2}')."
	echo
	printf '| what |'
	for p in $pl; do printf ' %s sockets |' "$(v "$p.n")"; done
	echo
	printf '|---|'
	for p in $pl; do printf -- '---:|'; done
	echo
	kinds "key Down" down
	kinds "key PgDn" pgdn
	kinds "re-sort (> <), until the rows show it" sort
	kinds "re-sort (> <), until the arrow shows it" sortack
	kinds "filter set / cleared (F4), until the rows show it" filter
	kinds "filter set / cleared (F4), until the tab line shows it" filterack
	kinds "search, a typed key (/)" search
	row "all keys: p90 ms" key_p90_ms
	row "all keys: p99 ms" key_p99_ms
	row "all keys: max ms" key_max_ms
	row "keys ≤ 100 ms" key_within
	row "keys timed" key_n
	row "CPU, share of one core (default budget 10%)" cpu_pct "%"
	row "refresh the budget chose, s" refresh_s
	tick_cpu
	per_socket "live view peak RSS (VmHWM) per socket, after the keys" rss_kb
	per_socket "live view peak RSS (VmHWM) per socket, no key pressed" rss_idle_kb
	row "ss -tanHi, ms (one run)" ss_ms
	per_socket "ss -tanHi peak RSS per socket" ss_rss
	row "one-shot \`tcpscope -b -n1 --no-processes\`, median ms" oneshot_ms
	row "bare dump \`baredump -i\`, median ms" bare_ms
	row2 "one-shot / bare dump (issue 19: ≤ 1.3×)" oneshot_ms bare_ms 'printf " %.2f× |", a / b'
	row2 "one-shot / ss -tanHi" oneshot_ms ss_ms 'printf " %.2f× |", a / b'
	per_socket "one-shot peak RSS per socket" oneshot_rss
} >"$tmp/table.md"
cat "$tmp/table.md"
cat "$tmp/table.md" >>"$REPORT"
exit 0
