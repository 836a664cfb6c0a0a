#!/bin/sh
# valgrind memcheck of a batch snapshot (JSON over netlink, text over /proc)
# and of a short live session under tmux, in a private namespace with a small
# population (build/tools/stage, IPv4). Any memcheck error or a definite or
# indirect leak fails. Skips with a reason without valgrind, and on the
# sanitizer build (valgrind cannot run ASan binaries).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed (Debian package valgrind)"
grep -qa __asan_init "$TCPSCOPE" 2>/dev/null && skip_all "sanitizer build: valgrind cannot run ASan binaries (covered by the plain build)"
case $TCPSCOPE in /*) ;; *) TCPSCOPE=$(pwd)/$TCPSCOPE ;; esac

mkfifo "$TESTTMP/in"
"$TOOLS/stage" 7000 4 <"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
STAGE=$!
exec 3>"$TESTTMP/in"
trap 'exec 3>&-; kill $STAGE 2>/dev/null; tmux -L "tcps-vg-$$" kill-server 2>/dev/null; wait; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || skip_all "staging failed"

VG="valgrind -q --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-fds=no"

vg_batch() { # name args...
	name=$1; shift
	$VG --log-file="$TESTTMP/vg.log" "$TCPSCOPE" "$@" >"$TESTTMP/vg.out" 2>"$TESTTMP/vg.err" 3>&-
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$TESTTMP/vg.out" ]; then
		pass "$name: memcheck clean"
	else
		fail "$name" "exit $rc: $(head -c 1500 "$TESTTMP/vg.log") $(head -c 300 "$TESTTMP/vg.err")"
	fi
}
vg_batch "batch JSON, netlink, 2 snapshots" -b -j -n 2 -d 0.1
n=$(grep -c . "$TESTTMP/vg.out")
[ "$n" -eq 2 ] && pass "two JSON lines under valgrind" || fail "two JSON lines under valgrind" "$n"
vg_batch "batch text, /proc source" -b -n 2 -d 0.1 --source proc
vg_batch "batch text, no tcp_info, no processes" -b --no-info --no-processes

# A short live session: start it in a tmux pane, let it draw a few ticks,
# quit with q after it shows the population; the pane's shell records valgrind's exit status.
if command -v tmux >/dev/null 2>&1; then
	T="tmux -L tcps-vg-$$"
	$T -f /dev/null new-session -d -x 100 -y 30 -s vg \
		"$VG --log-file=$TESTTMP/live.log $TCPSCOPE -d 0.2 3>&-; echo \$? >$TESTTMP/live.rc; sleep 30"
	wait_for 10 sh -c "$T capture-pane -p -t vg | grep -q 7000"
	ok "live session under valgrind draws the population (port 7000)" \
		sh -c "$T capture-pane -p -t vg | grep -q 7000"
	sleep 1
	$T send-keys -t vg q
	if wait_for 20 test -s "$TESTTMP/live.rc"; then
		rc=$(cat "$TESTTMP/live.rc")
		[ "$rc" -eq 0 ] && pass "live session: memcheck clean" \
			|| fail "live session under valgrind" "exit $rc: $(head -c 1500 "$TESTTMP/live.log")"
	else
		fail "live session under valgrind" "did not quit on q within 20 s"
	fi
	$T kill-server 2>/dev/null
else
	skip "live session under valgrind" "tmux not installed"
fi
finish
