#!/bin/sh
# test_ui_slowpoll.sh — keys never wait for the collector. A test seam
# (TCPSCOPE_TEST_DUMP_DELAY_MS=2000, docs/ARCHITECTURE.md) makes every poll
# take 2 s; while one is under way (the header says "[polling]"), Down,
# PgDn, a re-sort and a filter (F4) must change the screen within a few hundred
# milliseconds (measured by polling the tmux screen; each answer must also
# arrive while that poll is still running), and the poll's result must
# still arrive afterwards. Then the same with the detectors after the poll
# and a sort slowed instead (see below).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"

. "$(dirname "$0")/../lib/ui.sh"
ui_setup slow
LIMIT_MS=400 # the goal is 100 ms; tmux and a shared machine get slack

has() { screen | grep -qF -- "$1"; }
keys() { $T send-keys -t ui "$@"; }

# 30 lines: every staged connection is on screen (sorted by state alone,
# the ESTAB rows come in no fixed order, and leaky-app's could all be below
# a shorter table).
$T new-session -d -s ui -x 150 -y 30 \
	"LANG=C.UTF-8 TCPSCOPE_TEST_DUMP_DELAY_MS=2000 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 1; echo TCPSCOPE-EXITED; sleep 60"
if wait_for 15 has "leaky-app"; then
	pass "live view shows the first (slow) poll"
else
	fail "live view starts" "$(screen | head -12)"
	finish
fi

# answer NAME KEY... : wait for a poll under way (the header's $PRE, by
# default [polling]; none when empty), send the keys, time until the screen
# (with attributes) changes; it must change while the header says $DURING
# (default: $PRE), within LIMIT_MS.
answer() {
	name=$1; shift
	pre=${PRE-[polling]} during=${DURING:-${PRE-[polling]}}
	if [ -n "$pre" ] && ! wait_for 5 has "$pre"; then
		fail "$name" "no $pre: $(screen | sed -n 7p)"
		return
	fi
	before=$(screen_e | cksum)
	t0=$(now_ms)
	keys "$@"
	i=0 dt=-1 still=no
	while [ $i -lt 300 ]; do
		s=$(screen_e)
		if [ "$(printf '%s\n' "$s" | cksum)" != "$before" ]; then
			dt=$(($(now_ms) - t0))
			printf '%s\n' "$s" | grep -qF -- "$during" && still=yes
			break
		fi
		sleep 0.01
		i=$((i + 1))
	done
	if [ "$dt" -ge 0 ] && [ "$dt" -le "$LIMIT_MS" ] && [ "$still" = yes ]; then
		pass "$name answers in ${dt} ms during $during"
	else
		fail "$name during $during" "dt=${dt} ms, still $during: $still"
	fi
}

answer "Down" Down
answer "PgDn" NPage
answer "re-sort (>)" '>'
answer "re-sort back (<)" '<'
answer "invert the sort (I)" I
keys Home
answer "filter (F4 nginx Enter)" F4 n g i n x Enter
if wait_for 3 has "filter: nginx"; then
	pass "the filter applies to the last complete tick"
else
	fail "filter shown" "$(screen | sed -n 7,9p)"
fi
# Cleared and set again while polls run: each is a filter pass and a
# full sort of the table on the main thread.
answer "filter cleared (F4 Ctrl-U Enter)" F4 C-u Enter
answer "filter set again (F4 nginx Enter)" F4 n g i n x Enter
# The search scans in steps between keys: a typed key answers at once
# and a text that is nowhere says so once the scan is over (not at each
# draw).
answer "search typed (/ zqx)" / z q x
if wait_for 3 has "not found"; then
	pass "a search with no match reports 'not found'"
else
	fail "search not found" "$(screen | tail -2)"
fi
keys Escape
answer "search for a socket (/ leaky Enter)" / l e a k y Enter
if wait_for 3 sh -c "! $T capture-pane -p -t ui | grep -qF 'searching'"; then
	pass "the search completes"
else
	fail "search completes" "$(screen | tail -2)"
fi
# The poll under way still lands: the header loses [polling] at times and
# the filtered table stays.
if wait_for 6 sh -c "! $T capture-pane -p -t ui | grep -qF '[polling]'" && has "nginx"; then
	pass "polls still complete between the keys"
else
	fail "polls complete" "$(screen | head -8)"
fi
# Quitting stops the poll under way instead of waiting out its 2 s: the
# process is gone (the shell's line), not only the screen restored.
wait_for 3 sh -c "! $T capture-pane -p -t ui | grep -qF '[polling]'"
wait_for 3 has "[polling]"
t0=$(now_ms)
keys q
if wait_for 5 has "TCPSCOPE-EXITED"; then
	dt=$(($(now_ms) - t0))
	[ "$dt" -le 1000 ] && pass "q quits in ${dt} ms with a 2 s poll under way" ||
		fail "q waits for the poll under way" "${dt} ms"
else
	fail "quit during a poll" "$(screen | head -5)"
fi

# The update after a poll and a big table's sort, slowed. The detectors run
# on the engine's thread (TCPSCOPE_TEST_DETECT_DELAY_MS) while the table shows
# the poll already ([detecting]); a sort shows the page around the selection
# at once and finishes the order in the background ([sorting]; from one row
# with TCPSCOPE_TEST_SORT_ROWS=1, made slow by TCPSCOPE_TEST_SORT_DELAY_MS).
ui_session -x 150 -y 20 \
	"LANG=C.UTF-8 TCPSCOPE_TEST_DUMP_DELAY_MS=200 TCPSCOPE_TEST_DETECT_DELAY_MS=1500 TCPSCOPE_TEST_SORT_ROWS=1 TCPSCOPE_TEST_SORT_DELAY_MS=1500 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 4 -s local; sleep 60"
if ! wait_for 15 has "leaky-app"; then
	fail "live view starts (slow detectors and sort)" "$(screen | head -12)"
	finish
fi
PRE="[detecting]" answer "Down while the detectors run" Down
idle() { ! $T capture-pane -p -t ui | grep -qE '\[(polling|detecting|sorting|filtering)\]'; }
# The endpoints of the table's rows (values such as ages move between
# ticks), from one capture: "sorting" first when the header said so.
endpoints() {
	$T capture-pane -p -t ui | awk '/\[sorting\]/ {print "sorting"}
		seen && NF > 3 {print $2, $3} / STATE .*LOCAL/ {seen = 1}'
}
wait_for 8 idle
old=$(endpoints)
PRE= DURING="[sorting]" answer "re-sort (>) with a slow sort: the arrow at once" '>'
# The page around the selection, made on the worker, shows while the rest
# of the order is still being made ([sorting]), and is the finished one's.
paged() { p=$(endpoints); [ "${p%%
*}" = sorting ] && [ "${p#sorting
}" != "$old" ]; }
if wait_for 5 paged; then
	page=$(endpoints)
	if wait_for 5 idle && [ "sorting
$(endpoints)" = "$page" ]; then
		pass "the page shown during the sort is the finished sort's"
	else
		fail "page first" "during: $page / finished: $(endpoints)"
	fi
else
	fail "page first" "no page during the sort: $(endpoints)"
fi
wait_for 8 idle
# The selected socket may rank last in this order, where Down moves
# nothing: from the top row it always moves (the last order stays on
# screen until the re-sort's page is made).
keys Home
keys '<'
PRE="[sorting]" answer "Down while a re-sort runs" Down
# A filter change of a big table (TCPSCOPE_TEST_SORT_ROWS=1: every table
# is big here) runs its pass on the worker too: the key is answered at
# once ([filtering]), the last filter's rows stay on screen meanwhile
# (movable), then the filtered rows come.
rows_of() { $T capture-pane -p -t ui | awk 'seen && $2 ~ /:[0-9]+$/ {print} / STATE .*LOCAL/ {seen = 1}'; }
wait_for 8 idle
keys Home
wait_for 8 idle
unfiltered=$(rows_of | awk '{print $2, $3}')
PRE= DURING="[filtering]" answer "filter (F4 leaky Enter) with a slow pass" F4 l e a k y Enter
during=$(rows_of | awk '{print $2, $3}')
if has "[filtering]" && [ "$during" = "$unfiltered" ]; then
	pass "the last rows stay on screen while the filter's pass runs"
else
	fail "rows during [filtering]" "before: $unfiltered / during: $during"
fi
PRE="[filtering]" answer "Down while a filter's pass runs" Down
# Until the pass is over and its rows are on screen (not until the whole
# screen is idle: with a 4 s refresh, 1.5 s detectors and 3 s sorts, the
# gaps between ticks may all be shorter than the poll of the screen).
filtered() { ! has "[filtering]" && has "filter: leaky" && [ -n "$(rows_of)" ] && ! rows_of | grep -qv leaky; }
cleared() { ! has "[filtering]" && ! has "filter: leaky" && rows_of | grep -qv leaky; }
if wait_for 8 filtered; then
	pass "the filtered rows replace them (every row leaky-app's)"
else
	fail "filtered rows" "$(rows_of | head -5)"
fi
PRE= DURING="[filtering]" answer "filter cleared (F4 Ctrl-U Enter) with a slow pass" F4 C-u Enter
if wait_for 8 cleared; then
	pass "the cleared filter's rows come (not only leaky-app's)"
else
	fail "cleared filter rows" "$(rows_of | head -5)"
fi
keys q
wait_for 5 sh -c "! $T capture-pane -p -t ui | grep -q 'Connections'" ||
	fail "quit (slow detectors and sort)" "$(screen | head -5)"

# A tick of a big table keeps the rows on screen while the new entries'
# page is made on the worker (vm_freeze, from the live view's take hook):
# copies of the rows, which the socket-memory columns cannot look up in
# the tracker ("-" where the tracker's entry shows 0). With the page
# slowed, each tick shows the copies for a while, then the new page.
ui_session -x 150 -y 30 \
	"LANG=C.UTF-8 TCPSCOPE_TEST_SORT_ROWS=1 TCPSCOPE_TEST_SORT_DELAY_MS=1500 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 3 -s local --columns state,local,remote,drops state established; sleep 60"
estab_rows() { rows_of | grep -q '^ *ESTAB'; }
if ! wait_for 20 estab_rows; then
	fail "live view starts (frozen rows)" "$(screen | head -12)"
	finish
fi
frozen_rows() { rows_of | awk '$1 == "ESTAB" && $4 == "-"' | grep -q .; }
live_rows() { rows_of | awk '$1 == "ESTAB" && $4 != "-"' | grep -q . && ! frozen_rows; }
if wait_for 12 frozen_rows; then
	pass "after a tick the rows on screen are the last ones' copies until the page is made"
else
	fail "frozen rows after a tick" "$(rows_of | head -4)"
fi
if wait_for 6 live_rows; then
	pass "then the new entries' page replaces them"
else
	fail "the page after frozen rows" "$(rows_of | head -4)"
fi
keys q
finish
