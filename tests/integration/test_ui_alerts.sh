#!/bin/sh
# test_ui_alerts.sh — the live view tells you about trouble without being
# asked: a process that leaks CLOSE_WAIT sockets (tests/tools/leak.c) shows up
# in the header's alert line and in the Alerts view, named with its pid, and
# the alert goes away when the leak is fixed. Thresholds come from the
# config file (tcpscoperc) and the command line, the command line winning.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
[ -x "$TOOLS/leak" ] || skip_all "leak tool not built"

SOCK="tcpscope-uial-$$"
T="tmux -L $SOCK -f /dev/null"
export XDG_CONFIG_HOME="$TESTTMP/cfg"
mkdir -p "$XDG_CONFIG_HOME/tcpscope"
# The file asks for a 1 s age (the default, 60 s, would not fire here); a
# second instance overrides it with 1 h on the command line.
printf 'tcpscoperc_version=1\nclose_wait.age=1s\nclose_wait.clear=500ms\n' \
	>"$XDG_CONFIG_HOME/tcpscope/tcpscoperc"
LEAK_PID=
cleanup() {
	$T kill-server 2>/dev/null
	[ -n "$LEAK_PID" ] && kill "$LEAK_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TESTTMP"
}
trap cleanup EXIT

screen() { $T capture-pane -p -t ui 2>/dev/null; }
has() { screen | grep -qE -- "$1"; }

"$TOOLS/leak" closewait 7301 6 8 30 >"$TESTTMP/leak" 2>&1 &
LEAK_PID=$!
wait_for 10 grep -q ready "$TESTTMP/leak" || skip_all "leak staging failed: $(cat "$TESTTMP/leak")"
LPID=$(sed -n 's/^pid //p' "$TESTTMP/leak")

$T new-session -d -s ui -x 160 -y 40 \
	"LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 0.3; sleep 30"
# A second instance: the command line's 1 h beats the file's 1 s.
$T new-session -d -s cli -x 160 -y 40 \
	"LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 0.3 --threshold close_wait.age=1h; sleep 30"

if wait_for 10 has "Alert: .*CLOSE_WAIT: 6 sockets held by leak\\[$LPID\\]"; then
	pass "header names the CLOSE_WAIT leak and its owner leak[$LPID] (threshold from tcpscoperc)"
else
	fail "header alert line" "$(screen | head -8)"
fi
# Tab to the Alerts view (Connections → Listeners → Events → Alerts).
$T send-keys -t ui Tab Tab Tab
if wait_for 5 has "close_wait +CLOSE_WAIT: 6 sockets held by leak\\[$LPID\\]"; then
	pass "Alerts view lists it"
else
	fail "Alerts view" "$(screen | head -12)"
fi
# By now both instances have polled for seconds with the sockets > 1 s old;
# wait for the second one to have drawn the sockets before judging it.
wait_for 5 sh -c "$T capture-pane -p -t cli | grep -q CLOSE-WAIT"
fscreen=$($T capture-pane -p -t cli 2>/dev/null)
if echo "$fscreen" | grep -q "Alert: none active" && echo "$fscreen" | grep -q "CLOSE-WAIT"; then
	pass "--threshold close_wait.age=1h beats the file's 1s: no alert"
else
	fail "file threshold" "$(echo "$fscreen" | head -8)"
fi
# The leak is fixed (sockets closed) after HOLD: the alert clears.
wait_for 15 grep -q closed "$TESTTMP/leak"
if wait_for 10 has "No active alerts"; then
	pass "alert clears once the sockets are closed"
else
	fail "alert clears" "$(screen | head -12)"
fi
$T send-keys -t ui q
finish
