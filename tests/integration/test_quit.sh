#!/bin/sh
# test_quit.sh — a quit signal stops the poll under way. At a million
# sockets a poll takes seconds; SIGTERM/SIGINT must not wait it out, and the
# tick it stopped is abandoned, not shown or recorded half done. A test
# seam (TCPSCOPE_TEST_DUMP_DELAY_MS=3000, docs/ARCHITECTURE.md) makes every
# poll take 3 s and ends early when the engine is stopped, as the kernel
# dump does at its next buffer. Each front end gets the signal 0.5-1 s into
# such a poll and must be gone within 1 s of it (without the stop: 2-2.5 s
# more), exit 0 and print nothing of the stopped tick.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"

export XDG_CONFIG_HOME="$TESTTMP/cfg"

# Sockets to poll: a listener, 2 CLOSE_WAIT and their 2 peers.
"$TOOLS/leak" closewait 7401 2 40 1 >"$TESTTMP/leak.out" 2>&1 &
LP=$!
trap 'kill $LP 2>/dev/null; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/leak.out"
check "a population to poll" $? "$(cat "$TESTTMP/leak.out")"

# gone_within PID MS: PID has exited within MS milliseconds (bounded).
gone_within() {
	i=0
	while [ $i -lt $(($2 / 10)) ]; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

# quit LABEL NAME SIGNAL DELAY ARGS...: tcpscope ARGS with 3 s polls
# (output in NAME.out, NAME.err), SIGNAL DELAY s later (inside a poll);
# checks it is gone within 1 s with status 0.
quit() {
	label=$1 name=$2 sig=$3 delay=$4; shift 4
	TCPSCOPE_TEST_DUMP_DELAY_MS=3000 "$TCPSCOPE" "$@" >"$TESTTMP/$name.out" 2>"$TESTTMP/$name.err" &
	P=$!
	sleep "$delay"
	t0=$(now_ms)
	kill "-$sig" "$P"
	if gone_within "$P" 5000; then
		DT=$(($(now_ms) - t0))
	else
		DT=-1
		kill -KILL "$P" 2>/dev/null
	fi
	wait "$P"
	RC=$?
	[ "$DT" -ge 0 ] && [ "$DT" -le 1000 ] && [ "$RC" -eq 0 ]
	check "$label quits in ${DT} ms (rc $RC)" $? "$(head -c 300 "$TESTTMP/$name.err")"
}

# -b: the one-shot's only poll, stopped: no table at all (not a partial one).
quit "-b: SIGINT during the poll" batch INT 0.5 -b -n 1
[ ! -s "$TESTTMP/batch.out" ] && [ ! -s "$TESTTMP/batch.err" ]
check "... printing nothing of the stopped poll" $? \
	"out: $(head -c 200 "$TESTTMP/batch.out") err: $(head -c 200 "$TESTTMP/batch.err")"

# Ticks at -d 1 with 3 s polls: 0-3 s, then on the grid's next slot, 4-7 s,
# 8-11 s.
# -e -j: the first tick done, SIGTERM a second into the second.
quit "-e: SIGTERM during a poll" events TERM 5 -e -j -d 1
jq -s . "$TESTTMP/events.out" >/dev/null 2>&1 && ! grep -q . "$TESTTMP/events.err"
check "... its output is whole JSON, and no error for the stopped poll" $? \
	"err: $(head -c 300 "$TESTTMP/events.err")"

# The headless recorder: two ticks recorded, SIGTERM a second into the
# third. The recording holds those two frames, whole.
R=$TESTTMP/rec
quit "--record: SIGTERM during a poll" record TERM 9 --record "$R" -d 1 --cpu-budget 0
"$TCPSCOPE" -r "$R" --record-info >"$TESTTMP/info" 2>&1
N=$(sed -n 's/^frames: *\([0-9]*\).*/\1/p' "$TESTTMP/info")
ok=0
[ "${N:-0}" -eq 2 ] && grep -q '^damaged: *0 ' "$TESTTMP/info" || ok=1
# The last frame is whole: the leak's 5 sockets (its listener, 2
# CLOSE_WAIT and their 2 peers).
LAST=$("$TCPSCOPE" -r "$R" -j 2>/dev/null | jq '[.sockets[] | select(.local_port == 7401 or .remote_port == 7401)] | length')
[ "$LAST" = 5 ] || ok=1
check "... the recording holds $N whole frames, the last one with the leak's 5 sockets ($LAST)" $ok \
	"$(cat "$TESTTMP/info")"

# The live view: SIGTERM a second into its second poll. The terminal is
# restored and the process gone (the shell's line after it) within 1 s.
if command -v tmux >/dev/null 2>&1; then
	T="tmux -L tcpscope-quit-$$ -f /dev/null"
	trap '$T kill-server 2>/dev/null; kill $LP 2>/dev/null; rm -rf "$TESTTMP"' EXIT
	$T new-session -d -s ui -x 150 -y 30 \
		"LANG=C.UTF-8 TCPSCOPE_TEST_DUMP_DELAY_MS=3000 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 1; echo TCPSCOPE-EXITED rc=\$?; sleep 60"
	has() { $T capture-pane -p -t ui 2>/dev/null | grep -qF -- "$1"; }
	if wait_for 10 has "CLOSE-WAIT" && wait_for 5 has "[polling]"; then
		sleep 1
		pid=$(pgrep -P "$($T list-panes -t ui -F '#{pane_pid}' | head -1)" | head -1)
		t0=$(now_ms)
		kill -TERM "$pid"
		if wait_for 5 has "TCPSCOPE-EXITED rc=0"; then
			DT=$(($(now_ms) - t0))
			[ "$DT" -le 1000 ]
			check "live view: SIGTERM during a poll quits in ${DT} ms" $?
		else
			fail "live view: SIGTERM during a poll" "$($T capture-pane -p -t ui | tail -n 3)"
		fi
	else
		fail "live view starts" "$($T capture-pane -p -t ui | head -n 8)"
	fi
	$T kill-server 2>/dev/null
else
	fail "live view" "tmux not installed (make check installs it)"
fi
finish
