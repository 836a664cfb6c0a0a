#!/bin/sh
# bigbox.sh PAIRS TCPSCOPE... — big-table figures for the live view: a
# population of PAIRS established pairs (2*PAIRS sockets, tests/tools/popgen)
# in a private network namespace, then for each binary given: key → screen
# (tests/bench/ui_live.sh keys), CPU at the default refresh (ui_live.sh cpu,
# whatever the CPU budget makes of it) and the live view's RSS. A binary may
# be a wrapper script adding options (e.g. --cpu-budget 0). Needs root;
# short runs (UI_KEYS=8, UI_CPU_SECONDS=10 unless set; BIGBOX_MODES="keys cpu"
# by default). With a stretched refresh a CPU window must hold several ticks:
# at 1M use UI_WARM=30 UI_CPU_SECONDS=60 or more. Not part of
# `make bench` (a 1M population takes minutes and 3 GiB of kernel memory).
set -u
PAIRS=${1:?usage: bigbox.sh PAIRS TCPSCOPE...}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${TOOLS:=$top/build/tools}"
if [ -z "${TCPS_BENCH_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "bigbox: needs root"; exit 1; }
	TCPS_BENCH_NETNS=1 exec timeout -k 10 1200 unshare -n -- sh "$0" "$PAIRS" "$@"
fi
ip link set lo up
export UI_KEYS=${UI_KEYS:-8} UI_CPU_SECONDS=${UI_CPU_SECONDS:-10}
tmp=$(mktemp -d /tmp/tcpscope-bigbox.XXXXXX)
POP_PID=
trap 'exec 9>&-; [ -n "$POP_PID" ] && kill "$POP_PID" 2>/dev/null; wait; rm -rf "$tmp"' EXIT
mkfifo "$tmp/ctl"
"$TOOLS/popgen" -q --max-seconds 900 -e "$PAIRS" <"$tmp/ctl" >"$tmp/pop.out" 2>"$tmp/pop.err" &
POP_PID=$!
exec 9>"$tmp/ctl"
i=0
until grep -q '^ready' "$tmp/pop.out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 3000 ] || ! kill -0 "$POP_PID" 2>/dev/null; then
		echo "bigbox: population did not come up: $(cat "$tmp/pop.err")"
		exit 1
	fi
	sleep 0.1
done
echo "population $(grep '^ready' "$tmp/pop.out")"
for ts in "$@"; do
	echo "== $ts"
	for mode in ${BIGBOX_MODES:-keys cpu}; do
		sh "$top/tests/bench/ui_live.sh" "$mode" "$ts" 2>&1 | sed 's/^/  /'
	done
done
