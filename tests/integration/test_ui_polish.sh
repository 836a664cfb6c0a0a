#!/bin/sh
# test_ui_polish.sh — the live view's throughput, horizontal scrolling and
# threshold editing, driven in tmux against a population staged in a
# private network namespace (tests/tools/ui_stage.c):
#   - the header's Traffic line: rx/tx sums and the top talker
#   - F5 group rows carry their members' rx/tx sums
#   - ←/→ scroll the columns when they are wider than the terminal (edge
#     indicators; the selected row's endpoints in full when one is cut);
#     in a grouped view they still close/open groups
#   - F2 Thresholds: listed with unit and default, edited with the CLI's
#     parser (same refusal text), applied to the running detector (an
#     alert only the new value raises), saved to tcpscoperc
#   - the staged programs carry realistic command lines (detail view)
#   - an IPv6 endpoint wider than its column is spelled out in full
# Every wait is bounded (wait_for polls the pane).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"

. "$(dirname "$0")/../lib/ui.sh"
ui_setup pol
RC="$XDG_CONFIG_HOME/tcpscope/tcpscoperc"

has() { screen | grep -qF -- "$1"; }
has_re() { screen | grep -qE -- "$1"; }
wait_screen() { wait_for "$1" has "$2"; }
wait_re() { wait_for "$1" has_re "$2"; }
keys() { $T send-keys -t ui "$@"; }
# The table's column header line.
th() { screen | grep -E '(STATE|LOCAL|REMOTE|RECV-Q|SEND-Q).*(RTT|PROCESS|PID|AGE)' | head -1; }

start_ui() { # WIDTH HEIGHT args for tcpscope
	w=$1 h=$2
	shift 2
	$T kill-server 2>/dev/null
	i=0
	while $T has-session 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	$T new-session -d -s ui -x "$w" -y "$h" \
		"LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' $*; echo TCPSCOPE-EXITED rc=\$?; sleep 60"
}

# ------------------------------------------------------------- throughput
start_ui 160 50 -d 0.3 -H 1
wait_screen 10 "leaky-app" || { fail "live view starts" "$(screen | head -12)"; finish; }
# Rates need two looks; the staged clients stream to nginx all the time.
if wait_re 10 'Traffic: rx [0-9.]+[kMG]?/s +tx [0-9.]+[kMG]?/s'; then
	pass "header: Traffic line with rx/tx sums"
else
	fail "header traffic" "$(screen | grep Traffic)"
fi
if wait_re 10 'Top talker: (client|nginx)\[[0-9]+\] [0-9.]+[kMG]?/s'; then
	pass "header: the top talker is a process moving data"
else
	fail "top talker" "$(screen | grep Traffic)"
fi
# TCP memory at the right of the Traffic line, as /proc/net/sockstat says
# (in MiB or KiB; limits only where this namespace has net.ipv4.tcp_mem).
mem=$(screen | sed -n 's/.*Traffic: .*TCP mem: \([0-9.]*\) \([KMG]\)iB.*/\1 \2/p' | head -1)
pages=$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }' /proc/net/sockstat)
if [ -n "$mem" ] && echo "$mem $pages" | awk '{ k = $1 * ($2 == "K" ? 1 : $2 == "M" ? 1024 : 1048576)
	s = $3 * 4; exit !(k >= s / 2 - 1024 && k <= s * 1.5 + 1024) }'; then
	pass "header: TCP mem on the Traffic line ($mem iB; sockstat $pages pages)"
else
	fail "header TCP mem" "'$mem' vs $pages pages: $(screen | grep Traffic)"
fi
if [ -r /proc/sys/net/ipv4/tcp_mem ]; then
	has_re 'TCP mem: [0-9.]+ [KMG]iB of [0-9.]+ [KMG]iB \(pressure at'
	check_rc=$?
else
	! has_re 'TCP mem: [0-9.]+ [KMG]iB of'
	check_rc=$?
fi
if [ "$check_rc" -eq 0 ]; then
	pass "header: TCP mem shows the limits exactly where tcp_mem is readable"
else
	fail "header TCP mem limits" "$(screen | grep Traffic)"
fi
rx=$(screen | sed -n 's/.*Traffic: rx \([0-9.]*[kMG]*\)\/s.*/\1/p' | head -1)
case "$rx" in
*k | *M | *G) pass "header: the sum is in the streams' range ($rx/s)" ;;
*) fail "rx sum range" "$rx" ;;
esac

# ------------------------------------------------------------- group sums
keys F5 # by process
if wait_re 5 'nginx\[[0-9]+\] +3 sockets.* rx [0-9.]+[kMG]/s tx [0-9.]+[kMG]/s'; then
	pass "F5: the nginx group row sums its sockets' rx/tx"
else
	fail "group sums" "$(screen | grep -E 'nginx\[')"
fi
if wait_re 3 'leaky-app\[[0-9]+\] +4 sockets.* rx 0/s tx 0/s'; then
	pass "F5: an idle group sums to 0"
else
	fail "idle group sums" "$(screen | grep -E 'leaky-app\[')"
fi

# ------------------------------------------------------------- grouped: ←/→ still open/close
keys Home
wait_for 3 sh -c "$T capture-pane -p -t ui | grep -E '^. ' >/dev/null"
before=$(screen | grep -cE '^.(ESTAB|CLOSE-WAIT)')
keys Right
if wait_for 3 sh -c "[ \$($T capture-pane -p -t ui | grep -cE '^.(ESTAB|CLOSE-WAIT)') -gt $before ]"; then
	pass "grouped: Right opens the group (no column scroll)"
else
	fail "grouped Right" "$(screen | sed -n 8,14p)"
fi
keys Left
if wait_for 3 sh -c "[ \$($T capture-pane -p -t ui | grep -cE '^.(ESTAB|CLOSE-WAIT)') -eq $before ]"; then
	pass "grouped: Left closes it again"
else
	fail "grouped Left" "$(screen | sed -n 8,14p)"
fi
th | grep -q '^ *STATE' && pass "grouped: the columns did not scroll" || fail "grouped scroll" "$(th)"
keys F5 F5 F5 F5 F5 # back to none (remote host, local port, state, unit, none)
wait_for 5 sh -c "! $T capture-pane -p -t ui | grep -q 'group: '" || fail "ungroup" "$(screen | sed -n 8p)"

# ------------------------------------------------------------- horizontal scroll
start_ui 100 40 -d 0.3 -H 1
wait_screen 10 "127.0.0.1:9000" || { fail "live view (100 cols)" "$(screen | head -12)"; finish; }
if th | grep -qE '>$'; then
	pass "100 columns: '>' says columns are cut on the right"
else
	fail "right indicator" "$(th)"
fi
th | grep -q 'PROCESS' && fail "PROCESS should be off screen" "$(th)" || pass "PROCESS is off screen at first"
keys Right Right Right
if wait_for 3 sh -c "$T capture-pane -p -t ui | grep -E '^<.*PROCESS' >/dev/null"; then
	pass "Right scrolls: '<' on the left, PROCESS comes into view"
else
	fail "scroll right" "$(th)"
fi
th | grep -qE '(^|[< ])STATE' && fail "STATE should have scrolled off" "$(th)" || pass "STATE scrolled off"
# LOCAL is off screen now: the selected row's endpoints are spelled out.
if wait_re 3 'selected: local 127\.0\.0\.1:[0-9]+ +remote 127\.0\.0\.1:[0-9]+'; then
	pass "an endpoint off screen: the selected row's full endpoints shown"
else
	fail "endpoint hint" "$(screen | tail -4)"
fi
keys Right Right Right Right Right Right Right Right Right Right Right Right
wait_for 3 sh -c "$T capture-pane -p -t ui | grep -E '^<.*PROCESS' >/dev/null"
th | grep -qE '>$' && fail "scrolled to the end, '>' should go" "$(th)" || pass "scrolled to the end: no '>'"
th | grep -q 'PROCESS' && pass "scrolling stops with the last column in view" || fail "over-scroll" "$(th)"
keys Left Left Left Left Left Left Left Left Left Left Left Left Left Left Left Left
if wait_for 3 sh -c "$T capture-pane -p -t ui | grep -E '^ *STATE' >/dev/null"; then
	pass "Left scrolls back to the first column, no '<'"
else
	fail "scroll left" "$(th)"
fi
has "selected: local" && fail "no hint when the endpoints show in full" "$(screen | tail -3)" ||
	pass "no endpoint line when nothing is cut"
keys F1
if wait_screen 3 "scroll the columns right"; then
	pass "help lists Left/Right as column scrolling"
else
	fail "help Left/Right" "$(screen | grep -i right)"
fi
keys Escape

# ------------------------------------------------------------- thresholds
start_ui 160 50 -d 0.3 -H 1
wait_screen 10 "leaky-app" || { fail "live view (thresholds)" "$(screen | head -12)"; finish; }
keys F2 Right Right Right
if wait_re 3 'close_wait\.age +60s +\(default 60s, duration\)'; then
	pass "F2 Thresholds: close_wait.age with value, default and unit"
else
	fail "thresholds listed" "$(screen | grep -E 'Thresholds|close_wait' | head -3)"
fi
n=$("$TCPSCOPE" --list-thresholds | tail -n +2 | wc -l)
keys End
shown=0
# Every key the CLI lists is reachable in the list (PgDn through it).
for k in $("$TCPSCOPE" --list-thresholds | tail -n +2 | awk '{print $1}'); do
	i=0
	while ! has "$k" && [ $i -lt 12 ]; do keys NPage; i=$((i + 1)); wait_screen 1 "$k"; done
	has "$k" && shown=$((shown + 1))
done
[ "$shown" -eq "$n" ] && pass "all $n thresholds are listed" || fail "thresholds listed" "$shown of $n"
keys Left Right # back to the top of the area
wait_re 3 'close_wait\.age +60s'
# A value the CLI refuses is refused with the CLI's words.
cli_err=$("$TCPSCOPE" --threshold close_wait.age=abc -b -n1 2>&1 | head -1 | sed 's/^tcpscope: --threshold: //')
keys Enter C-u a b c Enter
if wait_screen 3 "refused: $cli_err"; then
	pass "a bad value: refused with the CLI's message"
else
	fail "bad value" "want: $cli_err; got: $(screen | grep -i refused)"
fi
keys Enter C-u 2 s Enter
if wait_re 3 'close_wait\.age +2s +\(default 60s'; then
	pass "close_wait.age edited to 2s"
else
	fail "edit value" "$(screen | grep close_wait.age)"
fi
keys Escape
# The running detector uses it: CLOSE_WAIT sockets older than 2s raise an
# alert long before the default 60s.
stage cw
if wait_re 15 'Alert: .*CLOSE_WAIT'; then
	pass "the running detector raised CLOSE_WAIT at the edited age"
else
	fail "detector applied" "$(screen | grep Alert)"
fi
keys q
wait_screen 5 "TCPSCOPE-EXITED" || fail "quit" "$(screen | tail -3)"
if grep -qx 'close_wait.age=2s' "$RC"; then
	pass "saved to tcpscoperc (close_wait.age=2s)"
else
	fail "saved" "$(cat "$RC" 2>&1)"
fi
# Next start: the file's value runs; 'd' puts the default back, and the
# line leaves tcpscoperc.
start_ui 160 50 -d 0.3 -H 1
wait_screen 10 "leaky-app" || { fail "live view (restart)" "$(screen | head -12)"; finish; }
keys F2 Right Right Right
if wait_re 3 'close_wait\.age +2s +\(default 60s'; then
	pass "the saved threshold is loaded at the next start"
else
	fail "reload" "$(screen | grep close_wait.age)"
fi
keys d
wait_re 3 'close_wait\.age +60s +\(default 60s' && pass "d: back to the default" ||
	fail "default" "$(screen | grep close_wait.age)"
keys Escape q
wait_screen 5 "TCPSCOPE-EXITED" || fail "quit" "$(screen | tail -3)"
grep -q close_wait.age "$RC" && fail "default not saved" "$(grep close_wait "$RC")" ||
	pass "the default leaves tcpscoperc"

# ------------------------------------------------------------- command lines
start_ui 160 50 -d 0.3 -H 1
wait_screen 10 "leaky-app" || { fail "live view (detail)" "$(screen | head -12)"; finish; }
keys / l e a k y Enter
wait_for 3 sh -c "$T capture-pane -p -t ui | grep -E '^>?.*leaky-app' >/dev/null"
keys Enter
if wait_screen 5 "Command line: /opt/leaky-app/bin/leaky-app --port 9000"; then
	pass "detail view: the staged program has a realistic command line"
else
	fail "realistic cmdline" "$(screen | grep -iE 'command|process' | head -3)"
fi
has "ui_stage" && fail "the build path shows" "$(screen | grep ui_stage)" || pass "no build path in the detail view"
keys Escape q

# ------------------------------------------------------------- a long address
# An IPv6 endpoint wider than its column: the selected row's line spells it out.
V6=fd00:1111:2222:3333:4444:5555:6666:7777
if ip addr add "$V6/128" dev lo nodad 2>/dev/null && [ -x "$TOOLS/listen" ]; then
	mkfifo "$TESTTMP/listen.fifo"
	"$TOOLS/listen" -t 60 "$V6" 8443 -c 1 <"$TESTTMP/listen.fifo" >"$TESTTMP/listen.out" 2>&1 &
	LPID=$!
	sleep 60 >"$TESTTMP/listen.fifo" &
	LHOLD=$!
	if wait_for 10 grep -q ready "$TESTTMP/listen.out"; then
		start_ui 160 50 -d 0.3 -H 1 dport = :8443
		if wait_re 10 "selected: local \[$V6\]:[0-9]+ +remote \[$V6\]:8443"; then
			pass "an IPv6 endpoint wider than its column is shown in full for the selected row"
		else
			fail "long endpoint" "$(screen | sed -n 9,12p; screen | tail -3)"
		fi
		keys q
	else
		fail "listen tool" "$(cat "$TESTTMP/listen.out")"
	fi
	kill "$LHOLD" "$LPID" 2>/dev/null
else
	skip "long endpoint" "cannot add an IPv6 address to lo here"
fi
finish
