#!/bin/sh
# test_detect_ports.sh — ip_local_port_range narrowed to 40 ports in a
# private namespace: many connections to one destination raise
# port_exhaustion (critical above 80%) naming the 3-tuple, also in one-shot
# batch mode; closing them clears it. Then mass TIME_WAIT against a narrowed
# tcp_max_tw_buckets raises time_wait (and counts towards port exhaustion);
# raising the limit clears it.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
command -v sysctl >/dev/null 2>&1 || skip_all "sysctl not installed"
sysctl -qw net.ipv4.ip_local_port_range="40000 40039" || skip_all "cannot narrow ip_local_port_range"
sysctl -qw net.ipv4.ip_local_reserved_ports="40038,40039"
sysctl -qw net.ipv4.tcp_max_tw_buckets=32 || skip_all "cannot set tcp_max_tw_buckets"

OUT=$TESTTMP/ev.json
stream_start "$OUT" -d 0.2 --threshold port_exhaustion.clear=0.6s --threshold time_wait.clear=0.6s
# 34 of 38 usable ports (2 reserved) = 89%: critical.
leak_start "$TESTTMP/leak" ports 7301 34 3 1
PID=$LEAK_PID
sleep 0.5
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/one.json" 2>"$TESTTMP/one.err"
wait_line "$TESTTMP/leak" closed
T_CLOSED=$T_LINE
wait "$PID"
MADE=$(sed -n 's/^made //p' "$TESTTMP/leak")
sleep 1.2
# Phase 2: 24 TIME_WAIT sockets to port 7302 (of 32 buckets: 75%).
leak_start "$TESTTMP/leak2" timewait 7302 24 1
wait "$LEAK_PID"
# Give the stream time to see it (bounded), instead of a fixed sleep that a
# slow poll on a loaded machine can miss.
wait_for 5 grep -q '"event":"alert_raised","kind":"time_wait"' "$OUT" || sleep 0.8
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/tw.json" 2>"$TESTTMP/tw.err"
T_RAISE=$(now)
sysctl -qw net.ipv4.tcp_max_tw_buckets=100000
sleep 1.2
stream_stop
check "tcpscope -e exited 0" "$TS_RC" "$(cat "$OUT.err")"
show() { jq -c 'select(.event | startswith("alert")) | [.event,.kind,.severity,.owner.text,.count,.message]' "$OUT"; }

[ "$MADE" = 34 ]
check "the tool made 34 connections" $? "made '$MADE'"
[ "$(nev "$OUT" alert_raised port_exhaustion ".owner.by == \"tuple\" and .owner.local_addr == \"127.0.0.1\" and .owner.remote_addr == \"127.0.0.1\" and .owner.remote_port == 7301 and .limit == 38")" -eq 1 ]
check "port_exhaustion raised for 127.0.0.1 -> 127.0.0.1:7301 against 38 usable ports" $? "$(show)"
jq -e -s --argjson p "$PID" 'map(select(.kind == "port_exhaustion" and .owner.remote_port == 7301)) | any(.severity == "critical" and .count == 34 and .owner.pid == $p)' "$OUT" >/dev/null
check "critical at 34/38 with the process as a detail" $? "$(show)"
[ "$(nev "$OUT" alert_cleared port_exhaustion ".owner.remote_port == 7301")" -eq 1 ]
check "port_exhaustion cleared after the connections closed" $? "$(show)"
jq -e '.alerts | map(select(.kind == "port_exhaustion" and .owner.remote_port == 7301 and .count == 34 and .severity == "critical")) | length == 1' "$TESTTMP/one.json" >/dev/null
check "one-shot -b -j shows port_exhaustion" $? "$(jq -c .alerts "$TESTTMP/one.json" | head -c 500)"
CT=$(evfield "$OUT" alert_cleared port_exhaustion .time)
echo "info: port_exhaustion cleared $(since "$T_CLOSED" "$CT") s after the close (clear 0.6 s)"

[ "$(nev "$OUT" alert_raised port_exhaustion '.owner.remote_port == 7302 and .count == 24')" -eq 1 ]
check "port_exhaustion raised for the closed connections to :7302" $? "$(show)"
jq -e '.alerts | map(select(.kind == "port_exhaustion" and .owner.remote_port == 7302 and .time_wait == 24 and .count == 24)) | length == 1' "$TESTTMP/tw.json" >/dev/null
check "TIME_WAIT sockets count towards port exhaustion (one-shot)" $? "$(jq -c .alerts "$TESTTMP/tw.json" | head -c 600)"
# Raised once, at or above its warn level (50% of the 32 buckets): a poll
# may land while the 24 are still entering TIME_WAIT, so the raise's own
# value may be below 24; the one-shot after it counts all 24 (below).
[ "$(nev "$OUT" alert_raised time_wait '.owner.by == "host" and .limit == 32 and .value >= 16')" -eq 1 ]
check "time_wait raised once at 16+ of 32 buckets" $? "$(show)"
jq -e '.alerts | map(select(.kind == "time_wait" and .top_destination.port == 7302 and .top_destination.count == 24 and (.top_destination.local | not))) | length == 1' "$TESTTMP/tw.json" >/dev/null
check "time_wait names the destination holding most: :7302" $? "$(jq -c .alerts "$TESTTMP/tw.json" | head -c 600)"
[ "$(nev "$OUT" alert_cleared time_wait 'true')" -eq 1 ]
check "time_wait cleared once tcp_max_tw_buckets was raised" $? "$(show)"
CT=$(evfield "$OUT" alert_cleared time_wait .time)
echo "info: time_wait cleared $(since "$T_RAISE" "$CT") s after the limit was raised (clear 0.6 s)"
alert_keys_ok "$OUT"
check "alert events carry the documented keys" $?
finish
