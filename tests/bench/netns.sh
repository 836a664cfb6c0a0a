#!/bin/sh
# netns.sh BUILD — `make bench`, -A: the cost of watching every network
# namespace at once. Stages N namespaces (N = 10, then 50) of 2,000 sockets
# each (build/tools/popgen inside `ip netns exec`), then measures:
#   - one steady -A tick (build/tools/nsbench: an engine as `tcpscope -A`
#     makes it), minus the same tick before the namespaces existed;
#   - the sum of N bare dumps (build/tools/baredump -i in each namespace);
#   - a loop of `ip netns exec NS ss -tanHi` over the same namespaces;
#   - the namespace scan (every /proc/PID/ns/net and the nsfs mounts) with
#     1,000 extra processes alive.
# Prints a markdown table. Needs root. Every loop is bounded; every
# namespace and process it makes is removed on exit.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
TOOLS=$top/$BUILD/tools
RUNS=${BENCH_RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "bench netns: needs root"; exit 1; }
for t in "$TOOLS/nsbench" "$TOOLS/popgen" "$TOOLS/baredump"; do
	[ -x "$t" ] || { echo "bench netns: $t missing (make check-build)"; exit 1; }
done
tmp=$(mktemp -d /tmp/tcpscope-nsbench.XXXXXX)
P=tsbn$$
NSLIST=""
PIDS=""
cleanup() {
	exec 8>&- 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for n in $NSLIST; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null; done
	wait 2>/dev/null
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench netns: $*" >&2; }
mkfifo "$tmp/ctl" || exit 1
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

# Grow to $1 namespaces of 2,000 sockets (1,000 established pairs) each.
grow_to() {
	i=$(echo "$NSLIST" | wc -w)
	while [ "$i" -lt "$1" ]; do
		i=$((i + 1))
		n=$P-$i
		ip netns add "$n" || exit 1
		NSLIST="$NSLIST $n"
		ip netns exec "$n" ip link set lo up
		# popgen holds its sockets until stdin ends: the fifo we write.
		ip netns exec "$n" "$TOOLS/popgen" -q -e 1000 --max-seconds 600 <"$tmp/ctl" \
			>"$tmp/pop-$i.out" 2>&1 8>&- &
		PIDS="$PIDS $!"
		[ "$i" -eq 1 ] && exec 8>"$tmp/ctl"
	done
	for k in $(seq 1 "$1"); do
		w=0
		while ! grep -q '^ready' "$tmp/pop-$k.out" 2>/dev/null; do
			w=$((w + 1))
			[ "$w" -gt 600 ] && { log "namespace $k did not come up: $(cat "$tmp/pop-$k.out")"; exit 1; }
			sleep 0.1
		done
	done
}

# Median of RUNS wall times (ns) of a shell command.
time_cmd() {
	for r in $(seq 1 "$RUNS"); do
		t0=$(date +%s%N)
		sh -c "$1" >/dev/null 2>&1
		echo $(($(date +%s%N) - t0))
	done | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

base=$("$TOOLS/nsbench" -r "$RUNS")
B0=$(kv "$base" median_ns)
echo "| namespaces × sockets | -A tick (added) | Σ bare dumps (tcp_info) | ratio | ip netns exec ss -tanHi loop | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
for N in 10 50; do
	grow_to "$N"
	line=$("$TOOLS/nsbench" -r "$RUNS")
	T=$(kv "$line" median_ns)
	ADDED=$((T - B0))
	SUM=0
	for n in $NSLIST; do
		b=$(ip netns exec "$n" "$TOOLS/baredump" -i -r "$RUNS" | sed -n 's/^median_ns=//p')
		SUM=$((SUM + ${b:-0}))
	done
	loop=""
	for n in $NSLIST; do loop="$loop ip netns exec $n ss -tanHi;"; done
	SS=$(time_cmd "$loop")
	echo "| $N × 2,000 | $(ms "$ADDED") ms | $(ms "$SUM") ms | $(awk -v a="$ADDED" -v b="$SUM" 'BEGIN { printf "%.2f×", a / b }') | $(ms "$SS") ms | $(awk -v a="$T" -v b="$SS" 'BEGIN { printf "%.2f×", a / b }') |"
	log "$N namespaces: $line (before: $base)"
done
echo
echo "The -A tick is measured whole (every namespace on the host, tcpscope's own included) and the"
echo "same tick before the staged namespaces existed is subtracted; ratios: added tick / Σ bare dumps,"
echo "whole tick / ss loop. Each dump walks the kernel's whole (shared) socket hash, so a dump per"
echo "namespace costs namespaces × all sockets on the host."
# The namespace scan with 1,000 more processes.
for k in $(seq 1 1000); do
	sleep 120 8>&- &
	PIDS="$PIDS $!"
done
scan=$("$TOOLS/nsbench" -r "$RUNS" | grep '^scan')
echo
echo "Namespace scan (every $(kv "$scan" processes) processes' ns/net and the nsfs mounts, $(kv "$scan" namespaces) namespaces): $(ms "$(kv "$scan" median_ns)") ms, once every --netns-rescan seconds (default 5), never per tick."
