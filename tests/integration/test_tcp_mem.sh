#!/bin/sh
# test_tcp_mem.sh — TCP memory against net.ipv4.tcp_mem, read from the real
# kernel and compared with `cat /proc/net/sockstat` and the sysctl file.
# A private namespace (unshare -n, made here) holds a stalled loopback
# connection (tests/tools/leak stall: megabytes queued); then
#   - inside it (nsenter): -b -j's tcp_mem_pages is sockstat's "mem" there;
#     the limits are the namespace's tcp_mem when it has one, else null
#     (kernel 6.18 keeps the sysctl in the host's namespace only), and
#     -b's "TCP memory:" line says the same;
#   - in the host's namespace (read only, a filter that matches nothing):
#     the three limits are the file's, the state agrees with them;
#   - -A from the host: sockstat's mem is the host's in every namespace, so
#     the header shows it once, not once per namespace (the stall's
#     megabytes would show in a sum over the two namespaces).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
command -v nsenter >/dev/null 2>&1 || skip_all "nsenter(1) not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
[ "$(id -u)" = 0 ] || skip_all "needs root for a private network namespace (CI runs as root)"
unshare -n true 2>/dev/null || skip_all "unshare(CLONE_NEWNET) refused here"
memof() { awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }'; }
# near V A B: V within [min(A,B)/2 - 64, max(A,B)*3/2 + 64] (other work on
# the host moves the host-wide counter between two readings)
near() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN {
	lo = a < b ? a : b; hi = a > b ? a : b
	exit !(v != "" && v + 0 >= lo / 2 - 64 && v + 0 <= hi * 1.5 + 64) }'; }

# Megabytes of queued data: a peer that stops reading, in a namespace of
# its own (the process is the namespace: it goes with the process).
base=$(memof </proc/net/sockstat)
unshare -n -- sh -c 'ip link set lo up && exec "$0" stall 7311 30 0' "$TOOLS/leak" \
	>"$TESTTMP/leak" 2>&1 &
LEAK_PID=$!
trap 'kill "$LEAK_PID" 2>/dev/null; rm -rf "$TESTTMP"' EXIT
wait_line "$TESTTMP/leak" ready || { fail "stage the stall" "$(cat "$TESTTMP/leak")"; finish; }
IN="nsenter --net=/proc/$LEAK_PID/ns/net"
m0=$($IN cat /proc/net/sockstat | memof)
$IN "$TCPSCOPE" -b -n1 -j --no-processes >"$TESTTMP/ns.json" 2>"$TESTTMP/ns.err"
$IN "$TCPSCOPE" -b -n1 --no-processes >"$TESTTMP/ns.txt" 2>>"$TESTTMP/ns.err"
m1=$($IN cat /proc/net/sockstat | memof)
v=$(jq -r '.kernel.tcp_mem_pages' "$TESTTMP/ns.json" 2>/dev/null)
near "$v" "$m0" "$m1"
check "namespace: tcp_mem_pages $v matches its /proc/net/sockstat mem ($m0, $m1)" $? "$(cat "$TESTTMP/ns.err")"
[ "${m0:-0}" -gt $((${base:-0} + 200)) ]
check "the stalled connection holds memory ($base pages before, $m0 with it)" $?
if $IN test -r /proc/sys/net/ipv4/tcp_mem; then
	set -- $($IN cat /proc/sys/net/ipv4/tcp_mem)
	jq -e --argjson a "$1" --argjson b "$2" --argjson c "$3" \
		'.kernel | .tcp_mem_min_pages == $a and .tcp_mem_pressure_pages == $b and .tcp_mem_max_pages == $c' \
		"$TESTTMP/ns.json" >/dev/null
	check "namespace: its own tcp_mem is reported" $? "$(jq -c .kernel "$TESTTMP/ns.json" | head -c 300)"
else
	jq -e '.kernel | .tcp_mem_min_pages == null and .tcp_mem_max_pages == null and .tcp_mem_state == null' \
		"$TESTTMP/ns.json" >/dev/null
	check "namespace without tcp_mem: limits and state null" $? "$(jq -c .kernel "$TESTTMP/ns.json" | head -c 300)"
	sed -n 2p "$TESTTMP/ns.txt" | grep -Eq '^TCP memory: [0-9.]+ [KMGT]iB$'
	check "namespace: -b shows 'TCP memory: N MiB', no limits" $? "$(head -n 3 "$TESTTMP/ns.txt")"
fi

# The host's namespace: read only, and a filter that matches no socket.
if [ -r /proc/sys/net/ipv4/tcp_mem ]; then
	set -- $(cat /proc/sys/net/ipv4/tcp_mem)
	"$TCPSCOPE" -b -n1 -j --no-processes 'sport = :1 and dport = :1' \
		>"$TESTTMP/host.json" 2>"$TESTTMP/host.err"
	"$TCPSCOPE" -b -n1 --no-processes 'sport = :1 and dport = :1' \
		>"$TESTTMP/host.txt" 2>>"$TESTTMP/host.err"
	jq -e --argjson a "$1" --argjson b "$2" --argjson c "$3" '.kernel |
		.tcp_mem_min_pages == $a and .tcp_mem_pressure_pages == $b and .tcp_mem_max_pages == $c and
		.tcp_mem_state == (if .tcp_mem_pages > $c then "over_limit"
			elif .tcp_mem_pages > $b then "pressure" else "ok" end)' "$TESTTMP/host.json" >/dev/null
	check "host: tcp_mem_{min,pressure,max}_pages are the file's ($1 $2 $3), state agrees" $? \
		"$(jq -c .kernel "$TESTTMP/host.json" | head -c 400) $(cat "$TESTTMP/host.err")"
	sed -n 2p "$TESTTMP/host.txt" | grep -Eq '^TCP memory: [0-9.]+ [KMGT]iB of [0-9.]+ [KMGT]iB \(pressure at [0-9.]+ [KMGT]iB\)'
	check "host: -b shows 'TCP memory: N of MAX (pressure at P)'" $? "$(head -n 3 "$TESTTMP/host.txt")"
	# -A from the host: this namespace and the host's (at least) show the
	# same host-wide mem; the header must count it once.
	m0=$(memof </proc/net/sockstat)
	"$TCPSCOPE" -A -b -n1 -j --no-processes 'sport = :1 and dport = :1' \
		>"$TESTTMP/all.json" 2>"$TESTTMP/all.err"
	m1=$(memof </proc/net/sockstat)
	v=$(jq -r '.kernel.tcp_mem_pages' "$TESTTMP/all.json" 2>/dev/null)
	near "$v" "$m0" "$m1"
	check "-A: tcp_mem_pages $v is the host's once ($m0, $m1), not a sum over namespaces" $? \
		"$(cat "$TESTTMP/all.err" | head -c 300)"
	jq -e --argjson a "$1" '.kernel.tcp_mem_min_pages == $a' "$TESTTMP/all.json" >/dev/null
	check "-A: the limits are the host's" $? "$(jq -c .kernel "$TESTTMP/all.json" | head -c 300)"
else
	skip "host namespace" "no /proc/sys/net/ipv4/tcp_mem here (not the host's namespace?)"
fi
kill "$LEAK_PID" 2>/dev/null
wait "$LEAK_PID" 2>/dev/null
finish
