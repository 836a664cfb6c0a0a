#!/bin/sh
# test_detect_churn.sh — no false alarms: hundreds of connections per second
# opened, used and closed properly, watched with small thresholds, raise no
# close_wait, syn_sent or stalled alert (nor any other).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"

OUT=$TESTTMP/ev.json
stream_start "$OUT" -d 0.2 --threshold close_wait.age=1s --threshold close_wait.window=2s \
	--threshold close_wait.growth=5 --threshold syn_sent.age=1s --threshold stalled.age=1s
leak_start "$TESTTMP/leak" churn 7501 300 4
wait_line "$TESTTMP/leak" closed
wait "$LEAK_PID"
sleep 0.5
stream_stop
check "tcpscope -e exited 0" "$TS_RC" "$(cat "$OUT.err")"
DONE=$(sed -n 's/^done //p' "$TESTTMP/leak")
[ "${DONE:-0}" -ge 600 ]
check "churn made hundreds of connections per second ($DONE in 4 s)" $? "done '$DONE'"
# The stream saw the churn (socket events), so silence means something.
[ "$(jq -c 'select(.event == "closed" or .event == "new")' "$OUT" | wc -l)" -ge 300 ]
check "the stream saw the churn" $? "$(grep -c . "$OUT") lines"
for k in close_wait syn_sent stalled; do
	[ "$(nev "$OUT" alert_raised $k true)" -eq 0 ]
	check "no $k alert on healthy churn" $? "$(jq -c 'select(.event == "alert_raised") | .message' "$OUT")"
done
[ "$(jq -c 'select(.event == "alert_raised")' "$OUT" | wc -l)" -eq 0 ]
check "no alert at all" $? "$(jq -c 'select(.event == "alert_raised") | .message' "$OUT")"
finish
