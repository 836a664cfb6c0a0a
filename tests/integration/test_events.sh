#!/bin/sh
# events.sh — `tcpscope -e -j` shows scripted TCP lifecycles as they happen:
# SYN_SENT held by a full accept queue, then ESTABLISHED; a peer close
# (CLOSE_WAIT) then a local close; an active close (FIN_WAIT2 → TIME_WAIT).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/scenario" ] || skip_all "no $TOOLS/scenario"

OUT=$TESTTMP/events.json
# --no-processes: the /proc walk is not under test here and slows polls down
# on a loaded machine (sanitizer build, other tests).
"$TCPSCOPE" -e -j -d 0.2 -n 45 --no-processes >"$OUT" 2>"$TESTTMP/err" &
TP=$!
sleep 1 # the baseline poll is done, even on a slow machine
"$TOOLS/scenario" synsent 7001 >"$TESTTMP/syn" &
S1=$!
"$TOOLS/scenario" peerclose 7002 >"$TESTTMP/peer" &
S2=$!
"$TOOLS/scenario" activeclose 7003 >"$TESTTMP/active" &
S3=$!
wait $S1; r1=$?
wait $S2; r2=$?
wait $S3; r3=$?
wait $TP; rt=$?
check "scenario tools ran" $((r1 + r2 + r3)) "exit codes $r1 $r2 $r3"
check "tcpscope -e exited 0" "$rt" "exit $rt: $(cat "$TESTTMP/err")"
jq -e . "$OUT" >/dev/null 2>&1
check "every line is JSON" $? "$(head -c 300 "$OUT")"

P1=$(sed -n 's/^port //p' "$TESTTMP/syn")
P2=$(sed -n 's/^port //p' "$TESTTMP/peer")
P3=$(sed -n 's/^port //p' "$TESTTMP/active")
# q PORT FILTER: how many events of the client socket match FILTER
q() { jq -c --argjson p "$1" "select(.local_port == \$p and .remote_port != 0) | select($2)" "$OUT" | wc -l; }
show() { jq -c --argjson p "$1" 'select(.local_port == $p) | [.event,.from,.to,.in_state_s,.lifetime_s,.seen_by]' "$OUT" | tr '\n' ' '; }

# 1. SYN_SENT held by the full queue, completing when the listener accepts.
[ "$(q "$P1" '.event == "new" and .to == "SYN_SENT"')" -ge 1 ]
check "synsent: new socket seen in SYN_SENT" $? "$(show "$P1")"
[ "$(q "$P1" '.event == "state" and .from == "SYN_SENT" and .to == "ESTABLISHED" and .in_state_s >= 1.0 and .in_state_known')" -eq 1 ]
check "synsent: SYN_SENT -> ESTABLISHED after >= 1 s" $? "$(show "$P1")"
[ "$(q "$P1" '.event == "closed" and .lifetime_known and .lifetime_s > 1')" -eq 1 ]
check "synsent: closed with a known lifetime" $? "$(show "$P1")"

# 2. Peer close: ESTABLISHED -> CLOSE_WAIT, ~1.2 s later our close (LAST_ACK, gone).
[ "$(q "$P2" '.event == "state" and .from == "ESTABLISHED" and .to == "CLOSE_WAIT"')" -eq 1 ]
check "peerclose: ESTABLISHED -> CLOSE_WAIT" $? "$(show "$P2")"
[ "$(q "$P2" '(.event == "closed" and (.from == "CLOSE_WAIT" or .from == "LAST_ACK")) or (.event == "state" and .from == "CLOSE_WAIT" and .to == "LAST_ACK")')" -ge 1 ]
check "peerclose: then LAST_ACK or gone" $? "$(show "$P2")"
[ "$(q "$P2" '.event == "closed" and .in_state_s >= 0.8 and .in_state_s <= 2.2 and .from == "CLOSE_WAIT"')" -eq 1 ] ||
	[ "$(q "$P2" '.event == "state" and .from == "CLOSE_WAIT" and .in_state_s >= 0.8 and .in_state_s <= 2.2')" -eq 1 ]
check "peerclose: ~1.2 s spent in CLOSE_WAIT" $? "$(show "$P2")"

# 3. Active close: -> FIN_WAIT2, ~1.2 s later -> TIME_WAIT (the socket lives on).
[ "$(q "$P3" '.event == "state" and .to == "FIN_WAIT2"')" -eq 1 ]
check "activeclose: -> FIN_WAIT2" $? "$(show "$P3")"
[ "$(q "$P3" '.event == "state" and .from == "FIN_WAIT2" and .to == "TIME_WAIT" and .in_state_s >= 0.8 and .in_state_s <= 2.2')" -eq 1 ]
check "activeclose: FIN_WAIT2 -> TIME_WAIT after ~1.2 s" $? "$(show "$P3")"
[ "$(q "$P3" '.event == "closed"')" -eq 0 ]
check "activeclose: TIME_WAIT is not a close" $? "$(show "$P3")"

# Event keys: what README documents.
# (socket events: the alert_* lines of the detectors have their own keys)
jq -e -s 'map(select(.event | startswith("alert_") | not)) | all(.[]; has("time") and has("event") and has("from") and has("to") and has("lifetime_s") and has("seen_by") and has("cookie") and has("local_addr") and has("state"))' "$OUT" >/dev/null
check "every event has the documented keys" $?
# The text form prints the same stream.
"$TCPSCOPE" -e -d 0.2 -n 2 >"$TESTTMP/text" 2>&1
grep -q '^TIME *EVENT' "$TESTTMP/text"
check "text event stream has its header" $? "$(cat "$TESTTMP/text")"
finish
