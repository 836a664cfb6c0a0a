#!/bin/sh
# test_filter_cli.sh — the filter on the command line: errors with a column,
# an echoed expression and a caret (exit 2), -F validated up front, trailing
# filters selecting sockets in batch mode (text and JSON).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"

# Bad expressions: exit 2, message with the column, caret under it.
"$TCPSCOPE" -b -j state close-wait dport = >"$TESTTMP/out" 2>"$TESTTMP/err"
rc=$?
[ "$rc" -eq 2 ] && pass "bad filter exits 2" || fail "bad filter exits 2" "rc=$rc"
[ ! -s "$TESTTMP/out" ] && pass "bad filter prints nothing on stdout" || fail "bad filter stdout" "$(head -c 200 "$TESTTMP/out")"
printf '%s\n' "tcpscope: filter: expected a port after 'dport =' at column 25" \
	"  state close-wait dport =" "                          ^" >"$TESTTMP/want"
cmp -s "$TESTTMP/err" "$TESTTMP/want" && pass "error names the column and draws a caret" ||
	fail "error text" "$(cat "$TESTTMP/err")"

"$TCPSCOPE" -b 'dport = :80 )' >/dev/null 2>"$TESTTMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "column 13" "$TESTTMP/err" && pass "unbalanced ')' at column 13" ||
	fail "unbalanced ')'" "rc=$rc $(cat "$TESTTMP/err")"

"$TCPSCOPE" -b -F 'rtt > slow' >/dev/null 2>"$TESTTMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "'slow' is not a duration" "$TESTTMP/err" && pass "-F is validated up front" ||
	fail "-F validation" "rc=$rc $(cat "$TESTTMP/err")"
"$TCPSCOPE" -b -j -n 1 -F 'rtt > 1ms' >/dev/null 2>"$TESTTMP/err"
rc=$?
[ "$rc" -eq 0 ] && pass "a good -F is accepted" || fail "good -F" "rc=$rc $(cat "$TESTTMP/err")"

# Selection in batch mode, against jq's selection from the unfiltered JSON.
[ -x "$TOOLS/filter_stage" ] || { skip "batch selection" "$TOOLS/filter_stage not built"; finish; }
fifo=$TESTTMP/stage.fifo
mkfifo "$fifo"
"$TOOLS/filter_stage" 60 <"$fifo" >"$TESTTMP/stage.out" 2>&1 &
stage=$!
exec 3>"$fifo"
if ! wait_for 10 grep -q ready "$TESTTMP/stage.out"; then
	fail "stage sockets" "$(cat "$TESTTMP/stage.out")"
else
	"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/all.json"
	same() { # name, jq selection on the unfiltered snapshot, tcpscope args...
		name=$1 sel=$2; shift 2
		want=$(jq "[.sockets[] | select($sel)] | length" "$TESTTMP/all.json")
		got=$("$TCPSCOPE" -b -j -n 1 "$@" | jq '.sockets | length')
		[ "$want" -gt 0 ] && [ "$want" = "$got" ] && pass "$name: $got sockets" ||
			fail "$name" "want $want got $got"
	}
	same "state listening" '.state == "LISTEN"' state listening
	same "port or-expression" '.local_port == 8080 or .remote_port == 8080' 'sport = :8080 or dport = :8080'
	same "exclude + expression" '.state != "LISTEN" and .remote_port == 443' exclude listening '( dport = :443 )'
	same "extension term" '.state == "ESTABLISHED" and .process == "filter_stage"' state established process filter_stage
	n=$("$TCPSCOPE" -b -j -n 1 state listening | jq '.counts.ESTABLISHED + .counts.TIME_WAIT')
	[ "$n" = 0 ] && pass "counts follow the selection" || fail "counts" "got $n"
	want=$(jq '[.sockets[] | select(.state == "LISTEN" and .local_port == 22)] | length' "$TESTTMP/all.json")
	n=$("$TCPSCOPE" -b -n 1 --no-header state listening sport = :22 | tail -n +2 | wc -l)
	[ "$n" = "$want" ] && pass "text output filtered ($n rows)" || fail "text output" "got $n rows, want $want"
	want=$(jq '[.sockets[] | select(.state == "CLOSE_WAIT")] | length' "$TESTTMP/all.json")
	n=$("$TCPSCOPE" -b -j -n 1 --source proc state close-wait | jq '.sockets | length')
	[ "$n" = "$want" ] && pass "/proc source filtered too ($n)" || fail "/proc source" "got $n want $want"
fi
exec 3>&-
wait "$stage" 2>/dev/null
finish
