#!/bin/sh
# test_detect_backlog.sh — a listener (backlog 1) that never accepts, and
# connects into it: listen_overflow names the listener and its process,
# syn_sent names the destination and the connecting process; both clear
# once the connects and the listener are closed.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"

OUT=$TESTTMP/ev.json
stream_start "$OUT" -d 0.2 --threshold syn_sent.age=1s --threshold syn_sent.clear=0.6s \
	--threshold listen_overflow.clear=0.6s
leak_start "$TESTTMP/leak" backlog 7201 6 3 2
PID=$LEAK_PID
wait_line "$TESTTMP/leak" closed
T_CLOSED=$T_LINE
wait "$PID"
sleep 0.3
stream_stop
check "tcpscope -e exited 0" "$TS_RC" "$(cat "$OUT.err")"
show() { jq -c 'select(.event | startswith("alert")) | [.event,.kind,.severity,.owner.text,.count,.message]' "$OUT"; }

[ "$(nev "$OUT" alert_raised listen_overflow ".owner.by == \"local_port\" and .owner.local_port == 7201 and .owner.local_addr == \"127.0.0.1\" and .owner.pid == $PID and .owner.process == \"leak\" and .value >= 1 and .limit == 1")" -eq 1 ]
# A poll may land when only the first of the two queued connects is in.
check "listen_overflow raised on 127.0.0.1:7201 of leak[$PID], queue full (backlog 1)" $? "$(show)"
[ "$(nev "$OUT" alert_raised syn_sent ".owner.by == \"destination\" and .owner.remote_port == 7201 and .owner.remote_addr == \"127.0.0.1\" and .owner.pid == $PID and .count >= 1 and .oldest_s >= 1")" -eq 1 ]
check "syn_sent raised for 127.0.0.1:7201, by leak[$PID]" $? "$(show)"
evfield "$OUT" alert_raised syn_sent .message | grep -q "^SYN_SENT: [0-9]* connects\? to 127.0.0.1:7201 stuck up to"
check "syn_sent message" $? "$(evfield "$OUT" alert_raised syn_sent .message)"
[ "$(nev "$OUT" alert_cleared listen_overflow ".owner.local_port == 7201")" -eq 1 ] &&
	[ "$(nev "$OUT" alert_cleared syn_sent ".owner.remote_port == 7201")" -eq 1 ]
check "both cleared once the cause was gone" $? "$(show)"
# The kernel counted the dropped SYNs: critical at some point, or a rate.
jq -e -s 'map(select(.kind == "listen_overflow")) | any(.rate != null and .rate > 0)' "$OUT" >/dev/null
check "listen_overflow carries the ListenDrops rate" $? "$(show)"
RT=$(evfield "$OUT" alert_raised listen_overflow .time)
ST=$(evfield "$OUT" alert_raised syn_sent .time)
CT=$(evfield "$OUT" alert_cleared syn_sent .time)
echo "info: listen_overflow raised $(since "$T_READY" "$RT") s after the connects, syn_sent $(since "$T_READY" "$ST") s (age 1 s), syn_sent cleared $(since "$T_CLOSED" "$CT") s after the close (clear 0.6 s)"
# The kernel really dropped SYNs, so a host-wide listen_overflow (drops with
# no full queue at a poll: a poll can fall between the listener closing and
# its last drops being counted) is true, not a false alarm. Nothing else may fire.
[ "$(jq -c 'select(.event == "alert_raised") | select((.kind == "listen_overflow" and .owner.by == "host") | not)' "$OUT" | wc -l)" -eq 2 ]
check "no other alert raised" $? "$(show)"
finish
