#!/bin/sh
# test_ui_slowpoll.sh — keys never wait for the collector. A test seam
# (TCPSCOPE_TEST_DUMP_DELAY_MS=2000, docs/ARCHITECTURE.md) makes every poll
# take 2 s; while one is under way (the header says "[polling]"), Down,
# PgDn, a re-sort and a filter (F4) must change the screen within a few hundred
# milliseconds (measured by polling the tmux screen; each answer must also
# arrive while that poll is still running), and the poll's result must
# still arrive afterwards.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"

. "$(dirname "$0")/../lib/ui.sh"
ui_setup slow
LIMIT_MS=400 # the goal is 100 ms; tmux and a shared machine get slack

has() { screen | grep -qF -- "$1"; }
keys() { $T send-keys -t ui "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

$T new-session -d -s ui -x 150 -y 20 \
	"LANG=C.UTF-8 TCPSCOPE_TEST_DUMP_DELAY_MS=2000 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 1; sleep 60"
if wait_for 15 has "leaky-app"; then
	pass "live view shows the first (slow) poll"
else
	fail "live view starts" "$(screen | head -12)"
	finish
fi

# answer NAME KEY... : wait for a poll under way, send the keys, time until
# the screen (with attributes) changes; it must change while the header
# still says [polling], within LIMIT_MS.
answer() {
	name=$1; shift
	if ! wait_for 5 has "[polling]"; then
		fail "$name" "no poll under way: $(screen | sed -n 7p)"
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
			printf '%s\n' "$s" | grep -qF "[polling]" && still=yes
			break
		fi
		sleep 0.01
		i=$((i + 1))
	done
	if [ "$dt" -ge 0 ] && [ "$dt" -le "$LIMIT_MS" ] && [ "$still" = yes ]; then
		pass "$name answers in ${dt} ms during a 2 s poll"
	else
		fail "$name during a poll" "dt=${dt} ms, still polling: $still"
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
# The poll under way still lands: the header loses [polling] at times and
# the filtered table stays.
if wait_for 6 sh -c "! $T capture-pane -p -t ui | grep -qF '[polling]'" && has "nginx"; then
	pass "polls still complete between the keys"
else
	fail "polls complete" "$(screen | head -8)"
fi
keys q
if wait_for 5 sh -c "! $T capture-pane -p -t ui | grep -q 'Connections'"; then
	pass "q quits even with a poll under way"
else
	fail "quit during a poll" "$(screen | head -5)"
fi

finish
