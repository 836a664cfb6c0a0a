#!/bin/sh
# tracker_batch.sh — snapshot JSON (`-b -j`) carries the tracker's keys: state
# ages, per-socket rates (null on the first snapshot, measured after) and the
# kernel counters and rates at top level; `ss` as second opinion.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/scenario" ] || skip_all "no $TOOLS/scenario"
"$TOOLS/scenario" stream 7200 4 >"$TESTTMP/port" &
SP=$!
wait_for 3 grep -q port "$TESTTMP/port" || fail "stream did not start"
P=$(sed -n 's/^port //p' "$TESTTMP/port")
sleep 0.2
OUT=$TESTTMP/snap.json
"$TCPSCOPE" -b -j -n 3 -d 0.5 >"$OUT" 2>"$TESTTMP/err"
rt=$?
ss_estab=$(ss -tnH state established | wc -l)
wait $SP
[ $rt -eq 0 ] && pass "tcpscope -b -j -n 3 exited 0" || fail "tcpscope" "exit $rt: $(cat "$TESTTMP/err")"
[ "$(wc -l <"$OUT")" -eq 3 ] && pass "three snapshots" || fail "snapshots" "$(wc -l <"$OUT")"
c() { sed -n "${1}p" "$OUT" | jq -c --argjson p "$P" ".sockets[] | select(.local_port == \$p) | $2"; }
[ "$(c 1 '[.rx_bps, .tx_bps, .retrans_per_s]')" = "[null,null,null]" ] &&
	pass "first snapshot: rates unknown (null), not zero" || fail "first rates" "$(c 1 '[.rx_bps,.tx_bps]')"
[ "$(c 1 '.state_age_known')" = "false" ] && pass "existing socket: state age is a lower bound" ||
	fail "state_age_known" "$(c 1 '.state_age_known')"
tx=$(c 3 '.tx_bps')
# ~1.3 MB/s is sent; accept a broad band (timers on a busy CI box).
jq -n -e --argjson v "${tx:-null}" '$v != null and $v > 200000 and $v < 20000000' >/dev/null &&
	pass "client tx_bps measured ($tx B/s)" || fail "tx_bps" "$tx"
age1=$(c 1 '.state_age_s') age3=$(c 3 '.state_age_s')
jq -n -e --argjson a "$age1" --argjson b "$age3" '$b - $a > 0.8 and $b - $a < 1.5' >/dev/null &&
	pass "state age grows with time ($age1 -> $age3)" || fail "state age" "$age1 -> $age3"
jq -e -s 'all(.[]; (.kernel | has("active_opens") and has("listen_overflows") and has("tcp_time_wait") and has("max_tw_buckets")) and (.kernel_rates | has("retrans_segs")))' "$OUT" >/dev/null &&
	pass "kernel counters and rates present" || fail "kernel keys" "$(head -c 400 "$OUT")"
[ "$(sed -n 1p "$OUT" | jq '.kernel_rates.in_segs')" = "null" ] && pass "first snapshot: kernel rates null" ||
	fail "first kernel rates" "$(sed -n 1p "$OUT" | jq -c .kernel_rates)"
r=$(sed -n 3p "$OUT" | jq '.kernel_rates.in_segs')
jq -n -e --argjson v "$r" '$v > 5' >/dev/null && pass "in_segs rate measured ($r/s)" || fail "in_segs rate" "$r"
ce=$(sed -n 3p "$OUT" | jq '.kernel.curr_estab')
[ "$ce" = "$ss_estab" ] && pass "kernel curr_estab $ce = ss's established count" ||
	fail "curr_estab" "$ce vs ss $ss_estab"
finish
