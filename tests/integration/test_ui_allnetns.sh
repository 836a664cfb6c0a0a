#!/bin/sh
# test_ui_allnetns.sh — the live view with -A, in tmux: two namespaces made
# by the test each hold a listener on the same 127.0.0.1:7700 and
# connections to it; the NETNS and UNIT columns show where each socket
# lives and what owns it, F5 groups by namespace (one group per namespace,
# with its count), and the filter `netns NAME` keeps one namespace's sockets.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"

P=tsU$$
NSA=${P}a NSB=${P}b
SOCK="tcpscope-uins-$$"
T="tmux -L $SOCK -f /dev/null"
export XDG_CONFIG_HOME="$TESTTMP/cfg"
PIDS=""
cleanup() {
	$T kill-server 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TESTTMP"
}
trap cleanup EXIT
for n in $NSA $NSB; do
	ip netns add "$n" || skip_all "ip netns add refused"
	ip netns exec "$n" ip link set lo up
done
# NSA: 3 connections into a listener that never accepts past its queue
# (leak backlog); NSB: 2.
ip netns exec "$NSA" "$TOOLS/leak" backlog 7700 3 60 0 >"$TESTTMP/a.out" 2>&1 &
PIDS="$PIDS $!"
ip netns exec "$NSB" "$TOOLS/leak" backlog 7700 2 60 0 >"$TESTTMP/b.out" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 grep -qx ready "$TESTTMP/a.out" && wait_for 10 grep -qx ready "$TESTTMP/b.out" ||
	skip_all "staging failed: $(cat "$TESTTMP/a.out" "$TESTTMP/b.out")"

screen() { $T capture-pane -p -t ui 2>/dev/null; }
has() { screen | grep -qE -- "$1"; }
keys() { $T send-keys -t ui "$@"; }
$T new-session -d -s ui -x 200 -y 60 \
	"LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -A -d 0.5 --columns netns,state,local,remote,process,unit 'sport = :7700 or dport = :7700'; sleep 30"

if wait_for 20 has "NETNS .*STATE"; then
	pass "-A live view: a NETNS column"
else
	fail "NETNS column" "$(screen | head -20)"
fi
# Both namespaces' connections to the same 127.0.0.1:7700, each labelled.
if wait_for 10 sh -c "$T capture-pane -p -t ui | grep -qE '^.?$NSA +ESTAB +127.0.0.1:7700 ' &&
	$T capture-pane -p -t ui | grep -qE '^.?$NSB +ESTAB +127.0.0.1:7700 '"; then
	pass "accepted sockets of two identical 127.0.0.1:7700, each row with its namespace"
else
	fail "rows per namespace" "$(screen | head -30)"
fi
has "UNIT" && pass "a UNIT column (service/container from the cgroup)" || fail "UNIT column" "$(screen | head -12)"

# F5 cycles: process, remote host, local port, state, namespace. The
# Connections view leaves listeners to the Listeners view: NSA holds 2
# accepted pairs and 1 connect stuck in SYN_SENT (5), NSB 2 pairs (4).
keys F5 F5 F5 F5 F5
if wait_for 10 sh -c "$T capture-pane -p -t ui | grep -qE '$NSA +5 sockets' &&
	$T capture-pane -p -t ui | grep -qE '$NSB +4 sockets'"; then
	pass "F5 groups by namespace: $NSA 5 sockets, $NSB 4"
else
	fail "group by namespace" "$(screen | head -30)"
fi
keys F5 F5 # unit, then none

# The filter keeps one namespace.
keys F4 C-u
keys "netns $NSB" Enter
sleep 1.5
if has "$NSB +ESTAB" && ! has "$NSA +(ESTAB|SYN-SENT)"; then
	pass "F4 'netns $NSB': only that namespace's sockets"
else
	fail "filter netns" "$(screen | head -30)"
fi
keys q
wait_for 5 sh -c "! $T capture-pane -p -t ui | grep -q NETNS"
finish
