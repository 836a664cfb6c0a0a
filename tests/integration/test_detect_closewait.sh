#!/bin/sh
# test_detect_closewait.sh — a process that never closes accepted sockets
# after the peer hangs up: close_wait fires naming the process (comm, pid),
# in the -e stream, in one-shot batch JSON (kernel evidence: lastack) and in
# the text alert section; it clears once the process closes them.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"

OUT=$TESTTMP/ev.json
TH="--threshold close_wait.age=1s --threshold close_wait.clear=0.6s"
stream_start "$OUT" -d 0.2 $TH
leak_start "$TESTTMP/leak" closewait 7101 6 3 2
PID=$LEAK_PID
sleep 1.5
# One-shot batch: no history, but tcp_info's last-ACK age says how long.
"$TCPSCOPE" -b -j -n 1 $TH >"$TESTTMP/one.json" 2>"$TESTTMP/one.err"
"$TCPSCOPE" -b -n 1 $TH >"$TESTTMP/one.txt" 2>&1
wait_line "$TESTTMP/leak" closed
T_CLOSED=$T_LINE
wait "$PID"
sleep 0.3
stream_stop
check "tcpscope -e exited 0 on SIGTERM" "$TS_RC" "exit $TS_RC: $(cat "$OUT.err")"

show() { jq -c 'select(.event | startswith("alert")) | [.event,.kind,.owner.text,.count,.message]' "$OUT"; }
[ "$(nev "$OUT" alert_raised close_wait ".owner.by == \"process\" and .owner.pid == $PID and .owner.process == \"leak\"")" -eq 1 ]
check "close_wait raised once, owner leak[$PID]" $? "$(show)"
[ "$(nev "$OUT" alert_raised close_wait '.count == 6 and .unread == 6 and .oldest_s >= 1 and .severity == "warning"')" -eq 1 ]
check "raised with count 6, 6 with unread data, oldest >= 1 s" $? "$(show)"
evfield "$OUT" alert_raised close_wait .message | grep -q "^CLOSE_WAIT: 6 sockets held by leak\[$PID\], oldest"
check "message names the process" $? "$(evfield "$OUT" alert_raised close_wait .message)"
[ "$(nev "$OUT" alert_cleared close_wait ".owner.pid == $PID")" -eq 1 ]
check "cleared once after the sockets were closed" $? "$(show)"
[ "$(nev "$OUT" alert_raised close_wait "true")" -eq 1 ]
check "no other close_wait alert" $? "$(show)"
alert_keys_ok "$OUT"
check "alert events carry the documented keys" $?
RT=$(evfield "$OUT" alert_raised close_wait .time)
CT=$(evfield "$OUT" alert_cleared close_wait .time)
if [ -n "$RT" ] && [ -n "$CT" ]; then
	echo "info: close_wait raised $(since "$T_READY" "$RT") s after the leak (threshold 1 s), cleared $(since "$T_CLOSED" "$CT") s after the close (clear 0.6 s)"
	awk -v r="$(since "$T_READY" "$RT")" -v c="$(since "$T_CLOSED" "$CT")" 'BEGIN { exit !(r >= 0.8 && r < 3 && c >= 0.4 && c < 3) }'
	check "raise and clear times follow the thresholds" $? "raise $(since "$T_READY" "$RT") clear $(since "$T_CLOSED" "$CT")"
else
	fail "raise and clear times" "missing events"
fi

# One shot.
jq -e --argjson p "$PID" '.alerts | map(select(.kind == "close_wait" and .owner.pid == $p and .count == 6 and .oldest_known and .oldest_s >= 1)) | length == 1' "$TESTTMP/one.json" >/dev/null
check "one-shot -b -j: close_wait alert from kernel evidence" $? "$(jq -c .alerts "$TESTTMP/one.json" 2>&1 | head -c 600)"
grep -q "^ALERTS (1):" "$TESTTMP/one.txt" && grep -q "WARN  CLOSE_WAIT: 6 sockets held by leak\[$PID\]" "$TESTTMP/one.txt"
check "one-shot text: alert section above the table" $? "$(head -n 5 "$TESTTMP/one.txt")"
awk '/^ALERTS/ { a = NR } /^State/ { s = NR } END { exit !(a && s && a < s) }' "$TESTTMP/one.txt"
check "alert section comes before the table header" $?
# Default thresholds (60 s): no alert yet in one shot.
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/def.json" 2>/dev/null
jq -e '.alerts == []' "$TESTTMP/def.json" >/dev/null
check "default thresholds: an idle namespace has no alerts" $? "$(jq -c .alerts "$TESTTMP/def.json")"
finish
