#!/bin/sh
# test_engine.sh — one engine for every front end: what used to differ
# between batch (-b), the event stream (-e) and the live view now has one
# answer. Detector thresholds from tcpscoperc reach -b and -e as they reach
# the live view (the command line still wins), and ticks fall on a fixed
# grid of -d in every mode.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
. "$(dirname "$0")/../lib/detect.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"

# A tcpscoperc that lowers close_wait.age to 1 s (the default is 60 s).
export XDG_CONFIG_HOME="$TESTTMP/cfg"
mkdir -p "$XDG_CONFIG_HOME/tcpscope"
printf 'tcpscoperc_version=1\nclose_wait.age=1s\nclose_wait.clear=500ms\n' \
	>"$XDG_CONFIG_HOME/tcpscope/tcpscoperc"

OUT=$TESTTMP/ev.json
stream_start "$OUT" -d 0.2
leak_start "$TESTTMP/leak" closewait 7301 4 4 1
PID=$LEAK_PID
sleep 1.6
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/file.json" 2>"$TESTTMP/file.err"
"$TCPSCOPE" -b -n 1 >"$TESTTMP/file.txt" 2>&1
"$TCPSCOPE" -b -j -n 1 --threshold close_wait.age=1h >"$TESTTMP/cli.json" 2>/dev/null
wait_line "$TESTTMP/leak" closed
wait "$PID"
sleep 0.3
stream_stop

jq -e --argjson p "$PID" '.alerts | map(select(.kind == "close_wait" and .owner.pid == $p)) | length == 1' \
	"$TESTTMP/file.json" >/dev/null
check "-b -j: close_wait.age=1s from tcpscoperc raises the alert" $? \
	"$(jq -c .alerts "$TESTTMP/file.json" 2>&1 | head -c 400) $(cat "$TESTTMP/file.err")"
grep -q "CLOSE_WAIT: 4 sockets held by leak\[$PID\]" "$TESTTMP/file.txt"
check "-b text: the alert section follows tcpscoperc too" $? "$(head -n 4 "$TESTTMP/file.txt")"
jq -e '.alerts | map(select(.kind == "close_wait")) | length == 0' "$TESTTMP/cli.json" >/dev/null
check "--threshold close_wait.age=1h beats the file's 1s" $? "$(jq -c .alerts "$TESTTMP/cli.json" 2>&1 | head -c 400)"
[ "$(nev "$OUT" alert_raised close_wait ".owner.pid == $PID")" -eq 1 ]
check "-e: the alert is raised with the file's threshold" $? "$(grep alert "$OUT" | head -c 600)"
[ "$(nev "$OUT" alert_cleared close_wait ".owner.pid == $PID")" -eq 1 ]
check "-e: and cleared after the close (file's clear=500ms)" $?

# A bad tcpscoperc: a notice naming the line, defaults, exit 0.
printf 'tcpscoperc_version=1\nclose_wait.age=banana\n' >"$XDG_CONFIG_HOME/tcpscope/tcpscoperc"
"$TCPSCOPE" -b -n 1 >/dev/null 2>"$TESTTMP/bad.err"
rc=$?
[ "$rc" -eq 0 ] && grep -q "tcpscoperc:2" "$TESTTMP/bad.err"
check "a bad tcpscoperc line is named on stderr; batch still runs" $? "rc $rc: $(cat "$TESTTMP/bad.err")"
rm -f "$XDG_CONFIG_HOME/tcpscope/tcpscoperc"

# The grid: 6 snapshots 0.25 s apart span 1.25 s (never less: a tick is
# never early), and a slow consumer does not make them drift apart.
"$TCPSCOPE" -b -j -n 6 -d 0.25 --no-processes >"$TESTTMP/grid.json" 2>/dev/null
jq -s -e '(.[5].time - .[0].time) >= 1.2 and (.[5].time - .[0].time) < 3.0' "$TESTTMP/grid.json" >/dev/null
check "-b -n 6 -d 0.25: ticks on the grid (span $(jq -s '.[5].time - .[0].time' "$TESTTMP/grid.json" 2>/dev/null) s)" $?
jq -s -e '[range(1; length) as $i | .[$i].time - .[$i - 1].time] | all(. >= 0.2)' "$TESTTMP/grid.json" >/dev/null
check "no two ticks closer than the grid allows" $? "$(jq -s -c '[.[].time]' "$TESTTMP/grid.json")"
finish
