# ui.sh — what the live-view tests in tmux share, sourced after need_netns:
#
#   . "$(dirname "$0")/../lib/ui.sh"
#   ui_setup NAME       # skips without tmux or ui_stage; starts the staged
#                       # population (tests/tools/ui_stage) fed from FIFO,
#                       # waits for it; sets T (the tmux command, socket
#                       # tcpscope-NAME-PID), STAGE_OUT, XDG_CONFIG_HOME;
#                       # an EXIT trap kills the server and the population
#   stage WORDS...      # a command to the staging tool
#   screen, screen_e    # the pane as text, with escapes
#   ui_session ARGS...  # a fresh server with one session "ui": tmux
#                       # new-session -d -s ui ARGS, once the last server is
#                       # gone (killing its last session ends a server, and a
#                       # new-session racing that exit can fail)

ui_cleanup() {
	$T kill-server 2>/dev/null
	[ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
	[ -n "$STAGE_PID" ] && kill "$STAGE_PID" 2>/dev/null
	rm -rf "$TESTTMP"
}

ui_setup() {
	command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
	[ -x "$TOOLS/ui_stage" ] || skip_all "ui_stage tool not built"
	SOCK="tcpscope-$1-$$"
	T="tmux -L $SOCK -f /dev/null"
	FIFO="$TESTTMP/stage.fifo"
	STAGE_OUT="$TESTTMP/stage.out"
	export XDG_CONFIG_HOME="$TESTTMP/cfg"
	STAGE_PID=
	HOLD_PID=
	trap ui_cleanup EXIT
	mkfifo "$FIFO"
	"$TOOLS/ui_stage" <"$FIFO" >"$STAGE_OUT" 2>&1 &
	STAGE_PID=$!
	sleep 1000 >"$FIFO" &
	HOLD_PID=$!
	wait_for 10 grep -q ready "$STAGE_OUT" || { fail "stage population" "$(cat "$STAGE_OUT")"; finish; }
}

stage() { echo "$*" >"$FIFO"; }
ui_session() {
	$T kill-server 2>/dev/null
	i=0
	while $T has-session 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.2
	n=0
	until $T new-session -d -s ui "$@"; do
		n=$((n + 1))
		[ $n -ge 3 ] && return 1
		sleep 0.5
	done
}
screen() { $T capture-pane -p -t ui 2>/dev/null; }
screen_e() { $T capture-pane -p -e -t ui 2>/dev/null; }
