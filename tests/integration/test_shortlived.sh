#!/bin/sh
# shortlived.sh — connections that open and close between two polls still
# show up as `closed` events (destroy subscription, as root), and the
# coverage figure is printed: connections with a closed event / opened.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/scenario" ] || skip_all "no $TOOLS/scenario"
N=${SHORTLIVED_N:-500}
SP=7100
OUT=$TESTTMP/ev.json
"$TCPSCOPE" -e -j -d 1 -n 3 >"$OUT" 2>"$TESTTMP/err" &
TP=$!
sleep 0.3 # after the baseline poll, well before the next one (at 1 s)
"$TOOLS/scenario" burst $SP "$N" >"$TESTTMP/ports"
r=$?
wait $TP
rt=$?
[ $r -eq 0 ] && pass "burst of $N connections ran" || fail "burst" "exit $r"
[ $rt -eq 0 ] && pass "tcpscope exited 0" || fail "tcpscope" "exit $rt: $(cat "$TESTTMP/err")"
ms=$(sed -n 's/^elapsed_ms //p' "$TESTTMP/ports")
grep -v elapsed "$TESTTMP/ports" | sort -n >"$TESTTMP/want"
[ "$(wc -l <"$TESTTMP/want")" -eq "$N" ] && pass "tool listed $N ports" || fail "ports" "$(wc -l <"$TESTTMP/want")"
[ "${ms:-9999}" -lt 700 ] && pass "burst took ${ms} ms (< one poll)" ||
	fail "burst took ${ms:-?} ms: not between two polls"
grep -q 'destroy events' "$TESTTMP/err" && skip_all "destroy subscription refused: $(cat "$TESTTMP/err")"

# A connection is covered when either of its sockets has a closed event:
# the client socket (local_port = its port) or the server socket
# (local_port = SP, remote_port = its port).
jq -r --argjson sp $SP 'select(.event == "closed") |
	if .local_port == $sp then .remote_port else .local_port end' "$OUT" | sort -nu >"$TESTTMP/got"
covered=$(comm -12 "$TESTTMP/want" "$TESTTMP/got" | wc -l)
server_closed=$(jq -c --argjson sp $SP 'select(.event == "closed" and .local_port == $sp and .remote_port != 0)' "$OUT" | wc -l)
by_destroy=$(jq -c 'select(.event == "closed" and .seen_by == "destroy")' "$OUT" | wc -l)
tw_new=$(jq -c --argjson sp $SP 'select(.event == "new" and .state == "TIME_WAIT" and .remote_port == $sp)' "$OUT" | wc -l)
echo "coverage: $covered/$N connections with a closed event (burst ${ms} ms; $server_closed server-side closed, $by_destroy seen only by destroy, $tw_new client sockets now in TIME_WAIT)"
[ "$covered" -eq "$N" ] && pass "coverage $covered/$N" || fail "coverage" "$covered/$N"
# Closed events of sockets born between polls carry endpoints and bytes.
jq -e -s --argjson sp $SP '[.[] | select(.event == "closed" and .local_port == $sp and .remote_port != 0)] | length > 0 and all(.[]; .remote_addr == "127.0.0.1" and .bytes_received != null and .lifetime_s == null)' "$OUT" >/dev/null
[ $? -eq 0 ] && pass "destroy-only closes carry endpoints and final bytes" || fail "destroy-only closes" "$(grep closed "$OUT" | head -2)"
# The client sockets that went to TIME_WAIT are not also "closed".
dup=$(jq -c --argjson sp $SP 'select(.event == "closed" and .remote_port == $sp)' "$OUT" | wc -l)
[ "$dup" -eq 0 ] && pass "no closed event for sockets living on in TIME_WAIT" || fail "TIME_WAIT closes" "$dup"
finish
