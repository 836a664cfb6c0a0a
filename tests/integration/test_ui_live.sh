#!/bin/sh
# test_ui_live.sh — drive the real live view in tmux against a population
# staged in a private network namespace (tests/tools/ui_stage.c):
# sort, filter (text and expression, bad expression inline), search, group
# counts, a socket moved to CLOSE_WAIT (colour + event), help lists every
# binding, pause, readonly, resize storm down to 10x4 and 1x1, quit and
# SIGTERM restore the terminal.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"

. "$(dirname "$0")/../lib/ui.sh"
ui_setup ui

has() { screen | grep -qF -- "$1"; }
# wait_screen SECONDS TEXT
wait_screen() { wait_for "$1" has "$2"; }
# wait_gone SECONDS TEXT: until TEXT is no longer on the screen.
wait_gone() { wait_for "$1" sh -c "! $T capture-pane -p -t ui | grep -qF -- '$2'"; }
# The tty modes the pane's shell printed after tcpscope exited, once the
# whole line is on the screen (the shell writes it after TCPSCOPE-EXITED:
# reading the line after that one can beat the shell to it).
exit_modes() {
	wait_for 5 sh -c "$T capture-pane -p -t ui | grep -q 'TCPSCOPE-MODES\[.*\]'" || return 1
	screen | sed -n 's/.*TCPSCOPE-MODES\[\(.*\)\].*/\1/p' | tail -1
}
keys() { $T send-keys -t ui "$@"; }
# The LOCAL port of every socket row (STATE then LOCAL).
# Socket rows of the table: the lines after the column header.
table() { screen | awk 'seen && /^.(ESTAB|CLOSE-WAIT|SYN-SENT|FIN-WAIT|TIME-WAIT|SYN-RECV|LAST-ACK|CLOSED)/; / STATE.* LOCAL/{seen=1}'; }
ports() { table | awk '{ n = split($2, a, ":"); print a[n] }'; }

start_ui() { # args for tcpscope
	ui_session -x 160 -y 50 \
		"LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' $*; echo TCPSCOPE-EXITED rc=\$?; echo \"TCPSCOPE-MODES[\$(stty -a | tr ';' '\n' | grep -Eo '(^| )-?(icanon|echo)( |\$)' | tr -d ' \n')]\"; sleep 60"
}

# ------------------------------------------------------------- start
start_ui -d 0.3 -H 1
if wait_screen 10 "Connections" && wait_screen 10 "leaky-app"; then
	pass "live view starts and shows the staged sockets"
else
	fail "live view starts" "$(screen | head -20)"
	finish
fi
has "nginx" && has "ESTAB" && has "F1Help" && pass "table, states and F-key bar drawn" ||
	fail "table drawn" "$(screen | head -12)"

# ------------------------------------------------------------- sort
# The screen is read while tcpscope redraws it: wait (bounded) for the
# expected picture instead of sleeping and reading whatever is there.
sorted_asc() { p=$(ports); [ -n "$p" ] && echo "$p" | sort -n -c 2>/dev/null; }
sorted_desc() { p=$(ports); [ -n "$p" ] && echo "$p" | sort -rn -c 2>/dev/null && [ "$(echo "$p" | head -1)" != "$(echo "$p1" | head -1)" ]; }
keys '>' # STATE -> LOCAL, ascending
wait_for 5 sorted_asc
p1=$(ports)
if [ -n "$p1" ] && echo "$p1" | sort -n -c 2>/dev/null; then
	pass "> sorts by LOCAL ascending"
else
	fail "sort by LOCAL ascending" "$p1"
fi
keys 'I'
wait_for 5 sorted_desc
p2=$(ports)
if [ -n "$p2" ] && echo "$p2" | sort -rn -c 2>/dev/null && [ "$(echo "$p1" | head -1)" != "$(echo "$p2" | head -1)" ]; then
	pass "I inverts the order (rows reordered)"
else
	fail "I inverts" "$p2"
fi
keys '<' # back to STATE
sleep 0.5

# ------------------------------------------------------------- filter
keys '\' 'leaky-app' Enter
if wait_screen 5 "filter: leaky-app"; then
	n=$(screen | grep -c '127\.0\.0\.1:9000 ')
	others=$(table | grep -vc 'leaky-app')
	[ "$n" -eq 4 ] && [ "$others" -eq 0 ] && pass "text filter keeps exactly the 4 leaky-app rows" ||
		fail "text filter" "n=$n others=$others $(screen | sed -n 7,20p)"
else
	fail "text filter shown in header" "$(screen | sed -n 7p)"
fi
keys '\' C-u 'dport = :8080' Enter
only_8080() { r=$(table); [ -n "$r" ] && ! echo "$r" | grep -qv ':8080 '; }
wait_screen 5 "filter: dport = :8080" && wait_for 5 only_8080
rows=$(table)
nrows=$(echo "$rows" | grep -c .)
bad=$(echo "$rows" | grep -vc ':8080 ')
[ "$nrows" -ge 3 ] && [ "$bad" -eq 0 ] && pass "filter expression 'dport = :8080' ($nrows rows)" ||
	fail "filter expression" "nrows=$nrows bad=$bad $(screen | sed -n 7,20p)"
keys '\' C-u 'dport = = (' Enter
wait_for 3 sh -c "$T capture-pane -p -t ui | tail -1 | grep -q column"
if screen | tail -1 | grep -q "column"; then
	pass "a bad expression shows its error inline"
else
	fail "bad expression error" "$(screen | tail -1)"
fi
has "filter: dport = :8080" && pass "the last good filter stays active" ||
	fail "last good filter kept" "$(screen | sed -n 7p)"
keys Escape
sleep 0.3
has "filter: dport = :8080" && pass "Esc keeps the last good filter" || fail "Esc keeps filter" "$(screen | sed -n 7p)"
keys '\' C-u Enter
wait_gone 3 "filter:"
has "filter:" && fail "filter cleared" "$(screen | sed -n 7p)" || pass "empty filter clears it"

# ------------------------------------------------------------- search
# The selected row is drawn black on cyan (SGR 30, 46): wait (bounded)
# until it is a leaky-app row, rather than for a fixed time.
ESC=$(printf '\033')
sel_leaky() { $T capture-pane -p -e -t ui | grep -F 'leaky-app' | grep -qE "$ESC\\[30(m$ESC\\[|;)46m"; }
keys Home '/' 'leaky' Enter
wait_for 5 sel_leaky
keys Enter # detail view of the selected socket
if wait_screen 3 "Socket details" && has "Process:      leaky-app[" && has "Command line:"; then
	pass "search selects a leaky-app row; Enter opens its detail view"
else
	fail "search + detail" "$(screen | sed -n 1,12p)"
fi
has "History" && pass "detail view shows the transition history" || fail "history" ""
# The rest of tcp_info is collected only while the overlay is open: it shows
# from the next refresh on.
wait_screen 4 "segs_out" && pass "detail view fills in the rest of tcp_info" ||
	fail "detail tcp_info" "$(screen | grep -n 'tcp_info' -A8)"
keys Escape
sleep 0.3
keys n Enter
wait_screen 3 "Socket details" && wait_screen 3 "Process:      leaky-app[" && pass "n moves to the next match" ||
	fail "next match" "$(screen | sed -n 2,4p)"
keys Escape

# ------------------------------------------------------------- grouping
keys F5 # by process
if wait_screen 5 "group: process"; then
	# The header can reach the pane before the rows of the same frame.
	wait_for 5 sh -c "$T capture-pane -p -t ui | grep -qE 'nginx\\[[0-9]+\\] +[0-9]+ socket'"
	line=$(screen | grep -E 'leaky-app\[[0-9]+\] +[0-9]+ socket')
	echo "$line" | grep -qE ' 4 sockets +ESTAB 4' && pass "group by process: leaky-app has 4 sockets, ESTAB 4" ||
		fail "group counts" "$line"
	line=$(screen | grep -E 'nginx\[[0-9]+\] +[0-9]+ socket')
	echo "$line" | grep -qE ' 3 sockets +ESTAB 3' && pass "group by process: nginx has 3 ESTAB" ||
		fail "nginx group counts" "$line"
else
	fail "group by process" "$(screen | sed -n 7p)"
fi

# ------------------------------------------------------------- CLOSE_WAIT
stage cw
if wait_for 10 sh -c "$T capture-pane -p -t ui | grep -qE 'leaky-app\[[0-9]+\] +4 sockets +CLOSE-WAIT 4'"; then
	pass "the staged sockets move to CLOSE_WAIT (group shows CLOSE-WAIT 4)"
else
	fail "CLOSE_WAIT move" "$(screen | grep leaky)"
fi
keys F5 F5 F5 F5 F5 # back to no grouping (remote host, local port, state, unit, none)
sleep 1 # past the 1s highlight
cw_red() {
	cw_line=$(screen_e | grep 'CLOSE-WAIT' | grep ':9000 ' | head -1)
	printf '%s' "$cw_line" | grep -qE '\[(1;)?(31|38;5;203)m[^[]*CLOSE-WAIT|\[(31|38;5;203)m.?\[1m.?CLOSE-WAIT|\[1m.?\[(31|38;5;203)m.?CLOSE-WAIT'
}
wait_for 5 cw_red
cw_line=$(screen_e | grep 'CLOSE-WAIT' | grep ':9000 ' | head -1)
if printf '%s' "$cw_line" | grep -qE '\[(1;)?(31|38;5;203)m[^[]*CLOSE-WAIT|\[(31|38;5;203)m.?\[1m.?CLOSE-WAIT|\[1m.?\[(31|38;5;203)m.?CLOSE-WAIT'; then
	pass "CLOSE-WAIT rows are drawn in red"
else
	fail "CLOSE-WAIT colour" "$(printf '%s' "$cw_line" | cat -v | cut -c1-120)"
fi
keys Tab Tab # Events
if wait_screen 3 "ESTAB > CLOSE-WAIT"; then
	pass "Events view logs the ESTAB > CLOSE-WAIT transitions"
else
	fail "events log" "$(screen | sed -n 7,12p)"
fi
keys Tab # Alerts
# The staged leaky-app holds CLOSE_WAIT sockets: depending on how fast they
# grew, the close_wait detector may already have fired. Either way the view
# must say so plainly, and any alert must name the leaking process.
if wait_for 3 has "No active alerts."; then
	pass "Alerts view: no active alerts yet"
elif wait_for 3 has "CLOSE_WAIT:" && has "leaky-app"; then
	pass "Alerts view names leaky-app's CLOSE_WAIT buildup"
else
	fail "alerts view" "$(screen | sed -n 7,10p)"
fi
keys Tab # back to Connections
sleep 0.3

# ------------------------------------------------------------- help
keys F1
if wait_screen 3 "tcpscope help"; then
	missing=""
	for k in "F1 h ?" "F2 S" "F3 /" "n " "N " "F4 \\" "F5 t" "F6 " "> ." "< ," "I " "F9 k" \
		"F10 q" "Space" "U " "Z " "F " "Enter" "Tab" "S-Tab" "+ " "- " "Up" "Down" "PgUp" \
		"PgDn" "Home" "End" "Left" "Right" "C-l" "Esc"; do
		screen | grep -qF -- " $k" || missing="$missing [$k]"
	done
	[ -z "$missing" ] && pass "help lists every key binding" || fail "help bindings" "missing:$missing"
else
	fail "help opens" "$(screen | head -3)"
fi
keys q # closes help, does not quit
wait_screen 3 "F1Help"
has "F1Help" && pass "a key closes help" || fail "help close" ""

# ------------------------------------------------------------- pause
keys Z
wait_screen 3 "PAUSED" && pass "Z pauses" || fail "pause" ""
stage "tw 5"
wait_for 5 sh -c "$T capture-pane -p -t ui | grep -qE 'PAUSED \(since: \+[1-9]'" &&
	pass "paused view counts new sockets" || fail "paused counts" "$(screen | sed -n 7p)"
keys Z
wait_gone 3 "PAUSED"
has "PAUSED" && fail "unpause" "" || pass "Z resumes"

# ------------------------------------------------------------- setup + config file
keys F2
if wait_screen 3 "Setup"; then
	keys Down Down Down Down Down Down Down Down Down Down Down Down Down ' ' Escape # show a hidden column
	sleep 0.5
	pass "setup screen opens"
else
	fail "setup" "$(screen | head -3)"
fi

# ------------------------------------------------------------- resize storm
for geo in 10x4 1x1 40x8 3x2 200x60 10x4 160x50; do
	$T resize-window -t ui -x "${geo%x*}" -y "${geo#*x}" 2>/dev/null
	sleep 0.15
done
sleep 1
if has "Connections" && ! has "TCPSCOPE-EXITED"; then
	pass "survives a resize storm down to 1x1 and back"
else
	fail "resize storm" "$(screen | head -5)"
fi

# ------------------------------------------------------------- help at 80x24
# 36 bindings do not fit 24 lines: the help scrolls and says where it is.
$T resize-window -t ui -x 80 -y 24
sleep 0.3
keys F1
if wait_screen 3 "tcpscope help 1-" && has "F1 h ?" && ! has "clear the status line"; then
	keys End
	if wait_screen 3 "clear the status line" && ! has "F1 h ?"; then
		pass "help at 80x24 scrolls to the last binding (End)"
	else
		fail "help scrolls to the end" "$(screen | head -4)"
	fi
	keys Home
	wait_screen 3 "F1 h ?" && pass "Home scrolls the help back" || fail "help Home" "$(screen | head -4)"
else
	fail "help at 80x24 says it is cut" "$(screen | head -4)"
fi
keys q
wait_screen 3 "F1Help" && ! has "tcpscope help" && pass "q still closes a scrolled help" ||
	fail "help close at 80x24" "$(screen | head -3)"
$T resize-window -t ui -x 160 -y 50
sleep 0.3

# ------------------------------------------------------------- quit
keys q
if wait_screen 5 "TCPSCOPE-EXITED rc=0"; then
	pass "q quits with status 0"
	modes=$(exit_modes)
	echo "$modes" | grep -q -- "-icanon\|-echo" && fail "terminal modes restored" "$modes" ||
		{ echo "$modes" | grep -q "icanon" && pass "terminal restored (icanon, echo)" ||
			fail "terminal modes" "$modes"; }
else
	fail "quit" "$(screen | tail -5)"
fi
rc_file="$XDG_CONFIG_HOME/tcpscope/tcpscoperc"
if [ -f "$rc_file" ] && [ "$(stat -c %a "$rc_file")" = 600 ] && grep -q '^tcpscoperc_version=1' "$rc_file"; then
	pass "settings saved to tcpscoperc, mode 0600"
else
	fail "settings saved" "$(ls -l "$rc_file" 2>&1)"
fi

# ------------------------------------------------------------- corrupt config, readonly, SIGTERM
printf 'htop_version=3\nfields=0 48\n' >"$rc_file"
start_ui --readonly -C
wait_screen 10 "Connections" || fail "restart" ""
wait_screen 3 "unknown key 'htop_version'" && pass "a foreign config file gives a notice, not a crash" ||
	fail "foreign config notice" "$(screen | tail -3)"
keys Down F9
wait_screen 3 "read-only" && pass "--readonly disables destroy with an explanation" ||
	fail "readonly" "$(screen | tail -3)"
screen_e | grep -q '38;5;\|\[3[0-7]m' && fail "-C is monochrome" "colour escapes seen" ||
	pass "-C draws without colours"
# The pane's shell runs tcpscope: its child, not any process whose command
# line looks alike (another checkout's test may run the same binary name).
pid=$(pgrep -P "$($T list-panes -t ui -F '#{pane_pid}' | head -1)" | head -1)
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	wait_screen 5 "TCPSCOPE-EXITED" && pass "SIGTERM ends the live view" || fail "SIGTERM" ""
	modes=$(exit_modes)
	{ [ -n "$modes" ] && ! echo "$modes" | grep -q -- "-icanon"; } && pass "SIGTERM restores the terminal" ||
		fail "SIGTERM restores the terminal" "modes '$modes'"
else
	skip "SIGTERM" "pid not found"
fi

# ------------------------------------------------------------- destroy (root)
start_ui -d 0.3
wait_screen 10 "leaky-app" || fail "restart 2" ""
keys '\' 'leaky-app' Enter
wait_screen 5 "filter: leaky-app" && wait_for 5 sh -c "$T capture-pane -p -t ui | grep -q ':9000 '"
before=$(screen | grep -c ':9000 ')
keys Home k
if wait_screen 3 "Destroy 1 socket"; then
	pass "k asks for confirmation, saying what will happen"
	has "ECONNABORTED" && pass "the confirmation explains the effect" || fail "confirmation text" ""
	keys y
	if wait_for 5 sh -c "$T capture-pane -p -t ui | grep -qE 'destroyed 1 socket|cannot destroy|not permitted'"; then
		if has "destroyed 1 socket"; then
			sleep 1
			after=$(screen | grep -c ':9000 ')
			[ "$after" -lt "$before" ] || has "CLOSED" && pass "the socket is destroyed" ||
				fail "destroy effect" "before=$before after=$after"
		else
			pass "destroy refused with an explanation: $(screen | grep -oE 'cannot destroy.*|not permitted.*' | head -1)"
		fi
	else
		fail "destroy result" "$(screen | tail -3)"
	fi
else
	fail "destroy confirmation" "$(screen | tail -8)"
fi
keys q
wait_screen 5 "TCPSCOPE-EXITED" || fail "final quit" ""
finish
