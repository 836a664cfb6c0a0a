#!/bin/sh
# test_detect_stall.sh — a peer that stops reading: our Send-Q fills, the
# window closes, the persist timer runs; stalled fires naming the process
# and clears once the peer reads again.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"

OUT=$TESTTMP/ev.json
stream_start "$OUT" -d 0.2 --threshold stalled.age=1s --threshold stalled.clear=0.6s
leak_start "$TESTTMP/leak" stall 7401 3 2
PID=$LEAK_PID
wait_line "$TESTTMP/leak" drained
T_DRAINED=$T_LINE
wait_line "$TESTTMP/leak" closed
wait "$PID"
stream_stop
check "tcpscope -e exited 0" "$TS_RC" "$(cat "$OUT.err")"
show() { jq -c 'select(.event | startswith("alert")) | [.event,.kind,.severity,.owner.text,.count,.message]' "$OUT"; }
[ "$(nev "$OUT" alert_raised stalled ".owner.by == \"process\" and .owner.pid == $PID and .count == 1 and .bytes_unsent > 0 and .oldest_s >= 1")" -eq 1 ]
check "stalled raised once for leak[$PID] with bytes unsent" $? "$(show)"
evfield "$OUT" alert_raised stalled .message | grep -q "zero window"
check "message says the peer's window is zero" $? "$(evfield "$OUT" alert_raised stalled .message)"
[ "$(nev "$OUT" alert_cleared stalled ".owner.pid == $PID")" -eq 1 ]
check "stalled cleared once the peer read again" $? "$(show)"
RT=$(evfield "$OUT" alert_raised stalled .time)
CT=$(evfield "$OUT" alert_cleared stalled .time)
echo "info: stalled raised $(since "$T_READY" "$RT") s after the window closed (age 1 s), cleared $(since "$T_DRAINED" "$CT") s after the drain (clear 0.6 s)"
awk -v c="$(since "$T_DRAINED" "$CT")" 'BEGIN { exit !(c < 2.5) }'
check "cleared soon after the drain" $? "$(since "$T_DRAINED" "$CT")"
finish
