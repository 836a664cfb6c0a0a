#!/bin/sh
# test_record_with.sh — `--record DIR` beside the other front ends (the
# recorder is the engine's tick observer, whoever drives the ticks), in a
# private network namespace with real sockets (tests/tools/leak):
#   - the live view in tmux records while it shows the sockets: REC in its
#     header; `-r DIR --at T -b -j` gives the sockets a live `-b -j` saw at
#     T; paused, it keeps recording what the engine holds (not the frozen
#     screen); q, SIGTERM and SIGINT close the recording cleanly and restore
#     the terminal; SIGKILL leaves a readable recording; a filter narrows
#     the view while the recording keeps every socket;
#   - a full disk under the live view: its notice on the status line;
#   - `-e -j --record`: the events printed are those the recording replays;
#   - `--serve --record`: scrapes answered while frames are written;
#   - `--record -n N` on a terminal records N frames headless and exits;
#   - bad combinations exit 2 naming the option.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
frames() { "$TCPSCOPE" -r "$1" --record-info 2>/dev/null | sed -n 's/^frames: *\([0-9]*\).*/\1/p'; }
# At least N frames in DIR (bounded: 10 s).
wait_frames() {
	_i=0
	while [ "$_i" -lt 50 ]; do
		[ "$(frames "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

LEAKS=
SOCK=$TESTTMP/tmux.sock
SOCK2=$TESTTMP/tmux-full.sock
tm() { tmux -S "$SOCK" "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	tmux -S "$SOCK2" kill-server 2>/dev/null
	for p in $LEAKS; do kill "$p" 2>/dev/null; done
	rm -rf "$TESTTMP"
}
trap cleanup EXIT
# A session that keeps the tmux server up between the tests' sessions.
tm new-session -d -s keep -x 80 -y 10 "sleep 300"
leak() { # OUT ARGS...: a leak in the background, returns once it is ready
	_o=$1; shift
	"$TOOLS/leak" "$@" >"$_o" 2>&1 &
	LEAKS="$LEAKS $!"
	wait_for 10 grep -qx ready "$_o"
}
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# The pane's program: tcpscope ARGS with its pid in OUT.pid and stderr in
# OUT.err; then its exit code in OUT.rc and the terminal's modes in OUT.stty.
cat >"$TESTTMP/pane.sh" <<'EOF'
out=$1; shift
sh -c 'echo $$ >"$0.pid"; exec "$@"' "$out" "$@" 2>"$out.err"
echo "$?" >"$out.rc"
stty -a >"$out.stty" 2>&1
sleep 60
EOF
pane() { # SESSION OUT ARGS...
	_s=$1; _o=$2; shift 2
	tm new-session -d -s "$_s" -x 160 -y 40 "TERM=xterm sh $TESTTMP/pane.sh $_o $TCPSCOPE $*"
}
# The fields a live -b -j and a replayed one must share (test_record.sh's).
proj='[.sockets[] | select(.local_port == PORT or .remote_port == PORT) |
	{family, state, local_addr, local_port, remote_addr, remote_port, recv_q, send_q, uid,
	 inode, cookie, congestion,
	 pid: (if .inode == 0 then null else .pid end),
	 process: (if .inode == 0 then null else .process end)}] | sort_by(.cookie, .local_port)'

# Every tcpscope here runs without owners and without a CPU budget: the
# owner lookup walks every process's fds on the host whenever a socket has
# none yet (the leak's orphaned FIN_WAIT2 sockets: every tick), which on a
# box shared with other tests' socket populations costs ~0.4 s of CPU a
# tick and, under the budget, stretches the interval to seconds; what is
# tested here is when frames are written, not owners (test_record.sh).
NP="--no-processes --cpu-budget 0"

# ------------------------------------------------------------- live view
leak "$TESTTMP/l1" closewait 7401 6 150 0 || fail "leak ready" "$(cat "$TESTTMP/l1")"
R=$TESTTMP/live
O=$TESTTMP/live
pane lv "$O" --record "$R" -d 0.5 $NP
wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t lv | grep -q 'CLOSE-WAIT 127.0.0.1:7401'"
check "the live view shows the sockets while recording" $? "$(screen lv | sed -n 1,12p)"
screen lv | sed -n 1,8p | grep -qE '(^| )REC( |$)'
check "REC in the header" $? "$(screen lv | sed -n 1,8p)"
wait_frames "$R" 2
check "frames are written" $? "frames: $(frames "$R") $(cat "$O.err")"
"$TCPSCOPE" -b -j -n 1 $NP >"$TESTTMP/live1.json" 2>/dev/null
T=$(jq -r .time "$TESTTMP/live1.json")
sleep 1.2 # the next frames are after T
"$TCPSCOPE" -r "$R" --at "@$T" -b -j >"$TESTTMP/rep1.json" 2>"$TESTTMP/rep1.err"
RC=$?
jq -c "$(echo "$proj" | sed 's/PORT/7401/g')" "$TESTTMP/live1.json" >"$TESTTMP/live1.p"
jq -c "$(echo "$proj" | sed 's/PORT/7401/g')" "$TESTTMP/rep1.json" >"$TESTTMP/rep1.p" 2>/dev/null
[ "$RC" -eq 0 ] && [ "$(jq length "$TESTTMP/live1.p")" -eq 13 ] && cmp -s "$TESTTMP/live1.p" "$TESTTMP/rep1.p"
check "-r DIR --at T -b -j: the sockets a live -b -j saw at T" $? \
	"rc $RC $(cat "$TESTTMP/rep1.err") live $(head -c 300 "$TESTTMP/live1.p") replay $(head -c 300 "$TESTTMP/rep1.p")"

# Paused: the screen freezes; the engine keeps ticking and the recorder
# records what it holds, not the frozen copy.
tm send-keys -t lv Z
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t lv | grep -q PAUSED"
check "Z pauses" $? "$(screen lv | sed -n 1,8p)"
N1=$(frames "$R")
leak "$TESTTMP/l2" closewait 7402 2 150 0
# Two more frames (bounded: a tick that meets new sockets walks /proc for
# their owners, slow on a busy box).
wait_frames "$R" $((N1 + 2))
N2=$(frames "$R")
"$TCPSCOPE" -r "$R" -j >"$TESTTMP/last.json" 2>/dev/null
[ "$N2" -ge $((N1 + 2)) ] &&
	jq -e '[.sockets[] | select(.local_port == 7402 and .state == "CLOSE_WAIT")] | length == 2' \
		"$TESTTMP/last.json" >/dev/null && ! screen lv | grep -q ':7402'
check "paused: frames go on, holding sockets the frozen screen does not show" $? \
	"frames $N1 -> $N2; on screen: $(screen lv | grep -c ':7402'); $(screen lv | tail -n 2 | head -n 1)"
tm send-keys -t lv Z
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t lv | grep -q 'CLOSE-WAIT 127.0.0.1:7402'"
check "Z again: the view shows them" $? "$(screen lv | sed -n 1,14p)"
tm send-keys -t lv q
wait_for 5 test -s "$O.stty"
N3=$(frames "$R")
"$TCPSCOPE" -r "$R" -j 2>/dev/null |
	jq -e '[.sockets[] | select(.local_port == 7402 and .state == "CLOSE_WAIT")] | length == 2' >/dev/null
JQ=$?
[ "$(cat "$O.rc" 2>/dev/null)" = 0 ] && [ -n "$N3" ] && [ "$N3" -ge "$N2" ] && [ "$JQ" -eq 0 ]
check "q: exit 0, the recording closed and reads back to its last frame" $? \
	"rc $(cat "$O.rc" 2>/dev/null) frames $N2 -> $N3 jq $JQ: $(cat "$O.err")"
sleep 0.6
[ "$(frames "$R")" = "$N3" ]
check "... and nothing written after the exit" $?
grep -qw icanon "$O.stty" && grep -qw echo "$O.stty"
check "q: the terminal is restored" $? "$(head -c 300 "$O.stty")"
[ "$(stat -c %a "$R")" = 700 ] && [ "$(stat -c %a "$R"/tcpscope-*.data)" = 600 ]
check "directory 0700, files 0600" $? "$(ls -la "$R")"
tm kill-session -t lv 2>/dev/null

for sig in TERM INT KILL; do
	R=$TESTTMP/sig$sig
	O=$TESTTMP/sig$sig
	# A filter narrows the view; the recording keeps every socket.
	pane "s$sig" "$O" --record "$R" -d 0.3 $NP state close-wait
	wait_frames "$R" 3 && wait_for 5 test -s "$O.pid"
	if [ "$sig" = TERM ]; then
		wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t s$sig | grep -q 'CLOSE-WAIT 127.0.0.1:7401'" &&
			! screen "s$sig" | grep -q 'FIN-WAIT-2 127.0.0.1'
		check "a filter narrows the live view while recording" $? "$(screen "s$sig" | sed -n 8,14p)"
	fi
	kill -"$sig" "$(cat "$O.pid")"
	wait_for 5 test -s "$O.stty"
	RC=$(cat "$O.rc" 2>/dev/null)
	N=$(frames "$R")
	"$TCPSCOPE" -r "$R" -b -j >"$TESTTMP/sig.json" 2>"$TESTTMP/sig.err"
	RRC=$?
	jq -e '([.sockets[] | select(.local_port == 7401)] | length == 7) and
		([.sockets[] | select(.remote_port == 7401 and .state == "FIN_WAIT2")] | length == 6)' \
		"$TESTTMP/sig.json" >/dev/null
	OK=$?
	if [ "$sig" = KILL ]; then
		[ "$RC" = 137 ] && [ "${N:-0}" -ge 3 ] && [ "$RRC" -eq 0 ] && [ "$OK" -eq 0 ]
		check "SIGKILL of a recording live view: the recording reads back, every socket ($N frames)" $? \
			"rc $RC rrc $RRC $(cat "$TESTTMP/sig.err")"
	else
		[ "$RC" = 0 ] && [ "${N:-0}" -ge 3 ] && [ "$RRC" -eq 0 ] && [ "$OK" -eq 0 ] &&
			grep -qw icanon "$O.stty" && grep -qw echo "$O.stty"
		check "SIG$sig: exit 0, terminal restored, the recording reads back, every socket ($N frames)" $? \
			"rc $RC rrc $RRC $(cat "$O.err" "$TESTTMP/sig.err") $(head -c 200 "$O.stty")"
	fi
	tm kill-session -t "s$sig" 2>/dev/null
done

# A full disk under the live view: said on its status line; it goes on.
if unshare -m true 2>/dev/null; then
	FULL=$TESTTMP/full
	O=$TESTTMP/fullv
	mkdir -p "$FULL"
	# The tmux server is born in a mount namespace of its own with a small
	# tmpfs over $FULL; run-shell fills it from there.
	unshare -m --propagation private sh -c '
		mount -t tmpfs -o size=128k tmpfs "$1" || exit 77
		tmux -S "$2" new-session -d -s full -x 160 -y 40 \
			"TERM=xterm sh $3/pane.sh $4 $5 --record $1/rec -d 0.1 $6"' \
		sh "$FULL" "$SOCK2" "$TESTTMP" "$O" "$TCPSCOPE" "$NP"
	RC=$?
	if [ "$RC" -eq 77 ]; then
		skip "disk full under the live view" "cannot mount a tmpfs here"
	else
		t2() { tmux -S "$SOCK2" "$@"; }
		# The sockets on screen: a tick has finished, so a frame was written.
		wait_for 20 sh -c "tmux -S '$SOCK2' capture-pane -p -t full | grep -q 'CLOSE-WAIT 127.0.0.1:7401'"
		check "(a live view recording onto a small tmpfs)" $? "$(t2 capture-pane -p -t full | head -5)"
		t2 run-shell -t full "dd if=/dev/zero of=$FULL/fill bs=4k >/dev/null 2>&1; true"
		wait_for 20 sh -c "tmux -S '$SOCK2' capture-pane -p -t full | grep -q 'disk full'"
		check "a full disk: the recorder's notice on the live view's status line" $? \
			"$(t2 capture-pane -p -t full | tail -n 3)"
		t2 capture-pane -p -t full | grep -q 'CLOSE-WAIT 127.0.0.1:7401' && ! test -s "$O.rc"
		check "... and the live view goes on" $? "$(cat "$O.rc" "$O.err" 2>/dev/null)"
		t2 send-keys -t full q
		wait_for 5 test -s "$O.stty"
		[ "$(cat "$O.rc" 2>/dev/null)" = 0 ] && grep -q "frames recorded, [1-9][0-9]* dropped" "$O.err"
		check "... q: exit 0, the dropped frames counted on stderr" $? "$(cat "$O.rc" "$O.err" 2>/dev/null)"
		t2 kill-server 2>/dev/null
	fi
else
	skip "disk full under the live view" "unshare -m refused"
fi

# ------------------------------------------------------------- -e --record
R=$TESTTMP/ev
"$TCPSCOPE" -e -j --record "$R" -d 0.3 $NP >"$TESTTMP/ev.json" 2>"$TESTTMP/ev.err" &
EP=$!
# After its first tick (the baseline, which prints no "new"): a frame.
wait_frames "$R" 1
leak "$TESTTMP/l3" closewait 7403 6 1 0
wait_for 10 grep -qx closed "$TESTTMP/l3"
# Every close printed (the 6 accepted sockets and the listener).
wait_for 20 sh -c "jq -e -s '[.[] | select(.event == \"closed\" and .local_port == 7403)] | length >= 7' \
	'$TESTTMP/ev.json'"
sleep 0.7
kill -TERM "$EP"
wait "$EP"
RC=$?
evset='select((.local_port == 7403 or .remote_port == 7403) and (.event == "new" or .event == "closed")) | "\(.event) \(.cookie)"'
jq -r "$evset" "$TESTTMP/ev.json" | sort >"$TESTTMP/ev.live"
"$TCPSCOPE" -r "$R" -e -j 2>/dev/null | jq -r "$evset" | sort >"$TESTTMP/ev.rep"
[ "$RC" -eq 0 ] && [ "$(grep -c '^new' "$TESTTMP/ev.live")" -ge 13 ] &&
	[ "$(grep -c '^closed' "$TESTTMP/ev.live")" -ge 7 ] && cmp -s "$TESTTMP/ev.live" "$TESTTMP/ev.rep"
check "-e -j --record: prints the events, and the recording replays the same ones" $? \
	"rc $RC live $(grep -c '^new' "$TESTTMP/ev.live") new $(grep -c '^closed' "$TESTTMP/ev.live") closed, replay $(wc -l <"$TESTTMP/ev.rep") $(diff "$TESTTMP/ev.live" "$TESTTMP/ev.rep" | head -5) $(cat "$TESTTMP/ev.err")"

# ------------------------------------------------------------- --serve --record
R=$TESTTMP/srv
PORT=19987
"$TCPSCOPE" --serve "127.0.0.1:$PORT" --record "$R" -d 0.3 $NP >/dev/null 2>"$TESTTMP/srv.err" &
SP=$!
wait_for 10 sh -c "curl -sf http://127.0.0.1:$PORT/metrics >'$TESTTMP/m1'" &&
	grep '^tcpscope_sockets{.*state="CLOSE_WAIT"' "$TESTTMP/m1" | awk '{ n += $NF } END { exit !(n >= 6) }'
check "--serve --record: scrapes answered" $? "$(grep '^tcpscope_sockets{' "$TESTTMP/m1" 2>/dev/null | head -5) $(cat "$TESTTMP/srv.err")"
wait_frames "$R" 3
check "--serve --record: frames written" $? "frames $(frames "$R")"
curl -sf "http://127.0.0.1:$PORT/metrics" >/dev/null
check "--serve --record: still answering" $?
kill -TERM "$SP"
wait "$SP"
RC=$?
"$TCPSCOPE" -r "$R" -j 2>/dev/null | jq -e '[.sockets[] | select(.local_port == 7401)] | length == 7' >/dev/null
JQ=$?
[ "$RC" -eq 0 ] && [ "$JQ" -eq 0 ]
check "--serve --record: exit 0 on SIGTERM; the recording holds the sockets" $? "rc $RC jq $JQ"

# ------------------------------------------------------------- headless -n on a terminal
R=$TESTTMP/cnt
O=$TESTTMP/cnt
pane cnt "$O" --record "$R" -d 0.2 -n 3 $NP
wait_for 10 test -s "$O.stty"
[ "$(cat "$O.rc" 2>/dev/null)" = 0 ] && [ "$(frames "$R")" = 3 ]
check "--record -n 3 on a terminal: headless, 3 frames, exit 0" $? \
	"rc $(cat "$O.rc" 2>/dev/null) frames $(frames "$R") $(cat "$O.err")"
tm kill-session -t cnt 2>/dev/null

# ------------------------------------------------------------- bad combinations
R=$TESTTMP/bad
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	"$TCPSCOPE" $args >/dev/null 2>"$TESTTMP/bad.err"
	RC=$?
	[ "$RC" -eq 2 ] && grep -q -- "--record" "$TESTTMP/bad.err" && grep -q -- "$want" "$TESTTMP/bad.err" &&
		! test -e "$R"
	check "exit 2 naming the option: $args" $? "rc $RC: $(cat "$TESTTMP/bad.err")"
done <<EOF
--record $R -b|-b (one shot)
--record $R -j|-j
--record $R --listeners|--listeners
--record $R -n 2 state close-wait|filter when replaying
--record $R -r $TESTTMP/live|--replay
EOF
finish
