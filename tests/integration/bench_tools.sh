#!/bin/sh
# bench_tools.sh — the benchmark's own tools tell the truth, on a small
# population: popgen builds what it says (checked with ss), baredump and
# collectbench count the same sockets, tcpscope -b agrees, churn completes.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"

ctl=$TESTTMP/ctl
mkfifo "$ctl"
"$TOOLS/popgen" -q -e 300 -H 40 -t 50 -l 20 -6 30 --max-seconds 60 <"$ctl" >"$TESTTMP/pop.out" 2>&1 &
pop=$!
exec 9>"$ctl"
if ! wait_for 30 grep -q '^ready' "$TESTTMP/pop.out"; then
	fail "popgen ready" "$(cat "$TESTTMP/pop.out")"
	kill "$pop" 2>/dev/null
	finish
fi
pass "popgen ready"
ready=$(grep '^ready' "$TESTTMP/pop.out")
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
total=$(val "$ready" total)
ss_total=$(ss -tanH | wc -l)
[ "$total" = "$ss_total" ] && pass "ready total = ss ($total)" || fail "ready total" "$total vs ss $ss_total"
estab=$(ss -tanH state established | wc -l)
[ "$estab" = $((2 * 300 + 2 * 30)) ] && pass "established pairs" || fail "established" "$estab"
cw=$(ss -tanH state close-wait | wc -l)
fw=$(ss -tanH state fin-wait-2 | wc -l)
[ "$cw" = 40 ] && [ "$fw" = 40 ] && pass "half-closed pairs" || fail "half-closed" "cw=$cw fw2=$fw"
tw=$(ss -tanH state time-wait | wc -l)
[ "$tw" = 50 ] && pass "time-wait" || fail "time-wait" "$tw"
v6=$(ss -tanH6 | wc -l)
[ "$v6" -ge 60 ] && pass "ipv6 sockets" || fail "ipv6" "$v6"
bd=$("$TOOLS/baredump" -i -s)
[ "$(val "$bd" messages)" = "$total" ] && pass "baredump counts" || fail "baredump" "$bd"
[ "$(val "$bd" CLOSE_WAIT)" = 40 ] && pass "baredump states" || fail "baredump states" "$bd"
bd2=$("$TOOLS/baredump" -i -s -2)
[ "$(val "$bd2" messages)" = "$total" ] && [ "$(val "$bd2" CLOSE_WAIT)" = 40 ] &&
	pass "baredump -2 (two family dumps) counts the same" || fail "baredump -2" "$bd2"
cb=$("$TOOLS/collectbench" -i -r 3)
[ "$(val "$cb" sockets)" = "$total" ] && pass "collectbench counts" || fail "collectbench" "$cb"
cbt=$("$TOOLS/collectbench" -i -t -r 3)
[ "$(val "$cbt" sockets)" = "$total" ] && pass "collectbench tracker" || fail "collectbench -t" "$cbt"
ca=$("$TOOLS/collectbench" -a -r 2)
[ "$(val "$ca" warm_rescans)" = 0 ] && pass "warm attribution walks nothing" || fail "attrib" "$ca"
rows=$("$TCPSCOPE" -b -n1 --no-header | tail -n +2 | wc -l)
[ "$rows" = "$total" ] && pass "tcpscope -b rows" || fail "tcpscope rows" "$rows vs $total"
t=$("$TOOLS/timeit" -r 2 -- ss -tanH)
[ "$(val "$t" fails)" = 0 ] && [ -n "$(val "$t" median_ms)" ] && pass "timeit" || fail "timeit" "$t"
exec 9>&-
wait "$pop"
left=$(ss -tanH state established | wc -l)
[ "$left" = 0 ] && pass "popgen cleans up" || fail "cleanup" "$left established left"
churn=$("$TOOLS/popgen" -q -c 200 -s 1 --max-seconds 20 </dev/null | grep '^churn')
opened=$(val "$churn" opened)
[ "${opened:-0}" -ge 150 ] && [ "$(val "$churn" failed)" = 0 ] && pass "churn" || fail "churn" "$churn"
finish
