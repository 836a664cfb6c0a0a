#!/bin/sh
# Terminal safety of the live UI, in a real terminal (a private tmux server),
# written against generic behaviour so it holds for any UI:
#  - SIGINT, SIGTERM, SIGHUP while it runs: it exits (0 or 128+signal) and
#    the pane's terminal is sane again: `stty -g` equal before/after, the
#    alternate screen left (the shell's output is visible again), cursor
#    visible, mouse reporting and keypad mode off.
#  - SIGSEGV, SIGABRT (a crash): the crash handler restores the terminal
#    before dying. (Expected to fail with the placeholder UI, which has no
#    crash handler: reported as a skip while src/ui/ui.c is the placeholder.)
#  - resizing through every size from 1x1 to 20x5, a storm of resizes, and
#    back: it stays alive, redraws, and quits cleanly on 'q'.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
case $TCPSCOPE in /*) ;; *) TCPSCOPE=$(pwd)/$TCPSCOPE ;; esac
PLACEHOLDER_UI=""
grep -q 'The full htop-style interface replaces this' src/ui/ui.c 2>/dev/null && PLACEHOLDER_UI=1

mkfifo "$TESTTMP/in"
"$TOOLS/stage" 7000 4 <"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
STAGE=$!
exec 3>"$TESTTMP/in"
SOCK="tcps-term-$$"
T="tmux -L $SOCK"
trap 'exec 3>&-; kill $STAGE 2>/dev/null; $T kill-server 2>/dev/null; wait; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || skip_all "staging failed"

# The pane's program: note the tty settings, run tcpscope (recording its
# pid and exit status), note them again, print a marker, stay open.
cat >"$TESTTMP/pane.sh" <<'PANE'
D=$1; shift
stty -g >"$D/before"
sh -c 'echo $$ >"$0/pid"; exec "$@"' "$D" "$@"
echo $? >"$D/rc"
stty -g >"$D/after"
echo "PANE-DONE"
exec sleep 120
PANE
$T -f /dev/null new-session -d -x 100 -y 30 -s term -n idle "sleep 300" || skip_all "tmux cannot start a server here"

fmt() { $T display -p -t "$1" "$2"; }
# start NAME → starts tcpscope in window NAME; waits until it is in the
# alternate screen and has drawn the population.
start() {
	D="$TESTTMP/$1"
	mkdir -p "$D"
	$T new-window -d -n "$1" "sh $TESTTMP/pane.sh $D $TCPSCOPE -d 0.2 3>&-"
	wait_for 10 test -s "$D/pid" || return 1
	wait_for 10 sh -c "[ \"\$($T display -p -t '$1' '#{alternate_on}')\" = 1 ]" || return 2
	wait_for 10 sh -c "$T capture-pane -p -t '$1' | grep -q 7000" || return 3
	stty -g <"$($T display -p -t "$1" '#{pane_tty}')" >"$D/during" 2>/dev/null
	return 0
}
# sane NAME EXPECTED_RCS... → checks after tcpscope exited in window NAME.
sane() {
	name=$1; shift
	D="$TESTTMP/$name"
	if ! wait_for 10 test -s "$D/rc"; then
		fail "$name: tcpscope exits" "still running after 10 s"
		kill -KILL "$(cat "$D/pid")" 2>/dev/null
		return
	fi
	wait_for 5 sh -c "$T capture-pane -p -t '$name' | grep -q PANE-DONE"
	rc=$(cat "$D/rc")
	good=""
	for r in "$@"; do [ "$rc" = "$r" ] && good=1; done
	[ -n "$good" ] && pass "$name: exit status $rc" || fail "$name: exit status" "$rc, want one of: $*"
	# Only meaningful if the UI did change the modes (raw/cbreak, no echo).
	if [ ! -s "$D/during" ] || cmp -s "$D/before" "$D/during"; then
		fail "$name: the UI changed the tty modes" "during: '$(cat "$D/during")'"
	fi
	if cmp -s "$D/before" "$D/after"; then pass "$name: stty settings restored"
	else fail "$name: stty settings restored" "before $(cat "$D/before") after $(cat "$D/after")"; fi
	state=$(fmt "$name" 'alt=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag} keypad=#{keypad_cursor_flag}')
	[ "$state" = "alt=0 cursor=1 mouse=0 keypad=0" ] && pass "$name: screen, cursor, mouse, keypad restored" \
		|| fail "$name: terminal modes restored" "$state"
	$T capture-pane -p -t "$name" | grep -q PANE-DONE && pass "$name: the shell's output is visible again" \
		|| fail "$name: the shell's output is visible again" "$($T capture-pane -p -t "$name" | grep . | tail -3)"
}

for sig in INT TERM HUP; do
	num=$(kill -l "$sig" 2>/dev/null || echo 0)
	[ "$num" -gt 0 ] 2>/dev/null || num=$( [ $sig = INT ] && echo 2 || { [ $sig = TERM ] && echo 15 || echo 1; })
	if start "sig$sig"; then
		kill -"$sig" "$(cat "$TESTTMP/sig$sig/pid")"
		sane "sig$sig" 0 $((128 + num))
	else
		fail "sig$sig: the UI starts" "start step $? failed: $($T capture-pane -p -t "sig$sig" | grep . | tail -3)"
	fi
done

for sig in SEGV ABRT; do
	num=$( [ $sig = SEGV ] && echo 11 || echo 6)
	if ! start "crash$sig"; then
		fail "crash$sig: the UI starts" "start failed"
		continue
	fi
	kill -"$sig" "$(cat "$TESTTMP/crash$sig/pid")"
	if [ -n "$PLACEHOLDER_UI" ]; then
		# Known gap: record it without failing the suite until the real UI lands.
		wait_for 10 test -s "$TESTTMP/crash$sig/rc"
		if cmp -s "$TESTTMP/crash$sig/before" "$TESTTMP/crash$sig/after" &&
			[ "$(fmt "crash$sig" '#{alternate_on}')" = 0 ]; then
			pass "crash$sig: terminal restored by a crash handler"
		else
			skip "crash$sig: terminal restored by a crash handler" "placeholder UI has no crash handler (src/ui owner: restore the terminal on SEGV/ABRT/BUS/FPE, then re-raise)"
		fi
	else
		# Dies by the signal (re-raised), or reports it with an error status.
		sane "crash$sig" $((128 + num)) 1
	fi
done

# Resizing: every size from 1x1 to 20x5, a storm, and back.
if start resize; then
	P=$(cat "$TESTTMP/resize/pid")
	n=0
	for h in 1 2 3 4 5; do
		for w in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			$T resize-window -t resize -x "$w" -y "$h"
			n=$((n + 1))
			case $w in 1|5|10|20) sleep 0.05 ;; esac
		done
	done
	ok "alive after $n sizes from 1x1 to 20x5" kill -0 "$P"
	i=0
	while [ $i -lt 60 ]; do
		$T resize-window -t resize -x $((1 + i * 7 % 150)) -y $((1 + i * 3 % 50))
		i=$((i + 1))
	done
	$T resize-window -t resize -x 1 -y 1
	sleep 0.3
	ok "alive after a storm of 60 resizes" kill -0 "$P"
	$T resize-window -t resize -x 100 -y 30
	sleep 0.5
	wait_for 5 sh -c "$T capture-pane -p -t resize | grep -q 7000"
	ok "redraws at 100x30 after all that" sh -c "$T capture-pane -p -t resize | grep -q 7000"
	$T send-keys -t resize q
	sane resize 0
else
	fail "resize: the UI starts" "start failed"
fi
finish
