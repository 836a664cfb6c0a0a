#!/bin/sh
# test_record_ui.sh — the live view on a recording (tcpscope -r DIR) in
# tmux: the REPLAY marker with the recorded time, t/T stepping a frame,
# starting at --at TIME, a filter, the recorded alert, no destroy offered;
# the playback: g goes to a time (and names the recording's span when the
# time is outside it), a/A land on the frame that raised the alert, Z stops
# the frames (the marker holds still), ]/[ change the speed (shown, and the
# frames come faster), stepping back and forth leaves the Events view
# without a line twice.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
check() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
export XDG_CONFIG_HOME="$TESTTMP/cfg"

# The scenario: 5 CLOSE_WAIT sockets held 4 s (the close_wait alert is
# raised about 1 s in), then closed (closed events); 20 frames 0.3 s apart.
R=$TESTTMP/rec
N=20
"$TOOLS/leak" closewait 7301 5 4 1 >"$TESTTMP/leak.out" 2>&1 &
LP=$!
wait_for 10 grep -q ready "$TESTTMP/leak.out"
"$TCPSCOPE" --record "$R" -d 0.3 -n $N --threshold close_wait.age=1s 2>"$TESTTMP/rec.err"
check "recorded $N frames" $? "$(cat "$TESTTMP/rec.err")"
wait "$LP"

S=tcps-rec-$$
SOCK=$TESTTMP/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
screen() { tm capture-pane -p -t "$S"; }
bar() { screen | tail -n 1; }
# The frame the marker shows: "12" of "REPLAY ... 12/20".
frame() { bar | sed -n "s|.*REPLAY .* \([0-9]*\)/$N .*|\1|p"; }
shows() { tmux -S "$SOCK" capture-pane -p -t "$S" | tail -n 1 | grep -Eq "$1"; }
# The marker's glyphs: UTF-8 or ASCII, as the terminal has it.
PAUSED='(⏸|[|][|])'
PLAYING='(▶|>)'
X='(×|x)'
open() { tm kill-server 2>/dev/null; tm new-session -d -s "$S" -x 160 -y 30 "TERM=xterm $TCPSCOPE -r $R $*"; }

# --speed 0: opened paused, so nothing moves while the test looks.
open --speed 0 -F "'state close-wait'"
wait_for 10 shows "REPLAY .* 1/$N $PAUSED"
check "REPLAY marker with the recorded time, first frame, paused" $? "$(bar)"
screen | grep -q "CLOSE-WAIT 127.0.0.1:7301" && ! screen | grep -q "FIN-WAIT-2 127"
check "the filter applies to the replayed rows" $? "$(screen | sed -n 8,14p)"
bar | grep -q "F9 *F10Quit"
check "no destroy offered (F9 has no label)" $? "$(bar)"
for k in t t t t; do tm send-keys -t "$S" "$k"; done
wait_for 5 shows "REPLAY .* 5/$N"
check "t steps forward (4 frames)" $? "$(bar)"
tm send-keys -t "$S" T
wait_for 5 shows "REPLAY .* 4/$N"
check "T steps back" $? "$(bar)"
i=0
while [ $i -lt $N ]; do tm send-keys -t "$S" t; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* $N/$N"
check "t stops at the last frame" $? "$(bar)"

# Stepping back then forth: the Events view shows each event once, and
# the same lines as before the steps.
tm send-keys -t "$S" Tab Tab
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'closed'"
events() { screen | grep -E '^ *[0-9:.]+ +(new|closed|state) '; }
events >"$TESTTMP/ev0"
for k in T T T T T T T T T T T T T T T T; do tm send-keys -t "$S" "$k"; done
wait_for 5 shows "REPLAY .* 4/$N"
events >"$TESTTMP/ev_back"
for k in t t t t t t t t t t t t t t t t; do tm send-keys -t "$S" "$k"; done
wait_for 5 shows "REPLAY .* $N/$N"
sleep 0.5
events >"$TESTTMP/ev1"
[ -s "$TESTTMP/ev0" ] && [ -z "$(sort "$TESTTMP/ev1" | uniq -d)" ] && cmp -s "$TESTTMP/ev0" "$TESTTMP/ev1"
check "back and forth: the Events view as before, no line twice" $? \
	"before $(wc -l <"$TESTTMP/ev0") after $(wc -l <"$TESTTMP/ev1") lines; dup: $(sort "$TESTTMP/ev1" | uniq -d | head -n 2)"
[ "$(wc -l <"$TESTTMP/ev_back")" -lt "$(wc -l <"$TESTTMP/ev0")" ]
check "... and back at frame 4 the later events are gone" $? \
	"$(wc -l <"$TESTTMP/ev_back") at frame 4, $(wc -l <"$TESTTMP/ev0") at the end"
tm send-keys -t "$S" Tab Tab
tm send-keys -t "$S" q
wait_for 5 sh -c "! tmux -S '$SOCK' has-session -t '$S' 2>/dev/null"
check "q quits" $?
tm kill-server 2>/dev/null

# Start at a time: a second before the last frame (about frame 16).
TL=$("$TCPSCOPE" -r "$R" -j | jq -r .time)
TA=$(awk -v t="$TL" 'BEGIN { printf "%.6f", t - 1.0 }')
TJ=$("$TCPSCOPE" -r "$R" --at "@$TA" -j | jq -r .time)
WANT=$(date -d "@${TJ%.*}" '+%Y-%m-%d %H:%M:%S')
open --speed 0 --at "@$TA"
wait_for 10 shows "REPLAY $WANT [0-9]*/$N"
check "--at opens the view at that frame" $? "want $WANT: $(bar)"
AT_FRAME=$(frame)
[ -n "$AT_FRAME" ] && [ "$AT_FRAME" -lt $N ]
check "... not at the end" $? "$(bar)"
tm kill-server 2>/dev/null

# g: the same time typed into the prompt lands on the same frame.
open --speed 0
wait_for 10 shows "REPLAY .* 1/$N"
tm send-keys -t "$S" g
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'Go to:'"
check "g opens the go-to prompt" $? "$(bar)"
tm send-keys -t "$S" "@$TA" Enter
wait_for 5 shows "REPLAY $WANT $AT_FRAME/$N"
check "g @TIME shows the frame of that time (frame $AT_FRAME)" $? "$(bar)"
# The same moment as a local clock time (the form people type).
CLK=$(date -d "@$TA" '+%H:%M:%S')
TC=$("$TCPSCOPE" -r "$R" --at "@${TA%.*}" -j | jq -r .time)
tm send-keys -t "$S" T T T g "$CLK" Enter
wait_for 5 shows "REPLAY $(date -d "@${TC%.*}" '+%Y-%m-%d %H:%M:%S') "
check "g HH:MM:SS goes to that time" $? "$CLK: $(bar)"
tm send-keys -t "$S" g "2001-01-01 03:10" Enter
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'outside the recording: it covers [0-9-]* [0-9:]* to '"
check "a time outside the recording names the span it covers" $? "$(screen | tail -n 2)"
tmux -S "$SOCK" has-session -t "$S" 2>/dev/null
check "... and the view is still there" $?
tm send-keys -t "$S" g "banana" Enter
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q \"'banana' is not a time\""
check "a word that is not a time says so" $? "$(screen | tail -n 2)"
tm kill-server 2>/dev/null

# a/A: the frame whose detector raised the alert, from either side.
# (JSON times have 6 decimals; a frame's is in ns: 1 us later is that frame.)
TR=$("$TCPSCOPE" -r "$R" -e -j | jq -r 'select(.event == "alert_raised") | .time' | head -n 1)
TR=$(awk -v t="$TR" 'BEGIN { printf "%.6f", t + 0.000001 }')
TL1=$(awk -v t="$TL" 'BEGIN { printf "%.6f", t + 0.000001 }')
open --speed 0 --at "@$TR"
wait_for 10 shows "REPLAY .* [0-9]*/$N"
AL_FRAME=$(frame)
tm kill-server 2>/dev/null
open --speed 0
wait_for 10 shows "REPLAY .* 1/$N"
tm send-keys -t "$S" a
wait_for 5 shows "REPLAY .* $AL_FRAME/$N"
check "a jumps to the alert's frame ($AL_FRAME)" $? "$(bar)"
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'Alert: CLOSE_WAIT: 5 sockets held by leak'"
check "... where the recorded close_wait alert is shown" $? "$(screen | sed -n 2,8p)"
tm send-keys -t "$S" a
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'no alert raised or cleared after'"
check "... a again: no later alert, says so" $? "$(screen | tail -n 2)"
shows "REPLAY .* $AL_FRAME/$N"
check "... and stays" $? "$(bar)"
tm send-keys -t "$S" g "@$TL1" Enter
wait_for 5 shows "REPLAY .* $N/$N"
tm send-keys -t "$S" A
wait_for 5 shows "REPLAY .* $AL_FRAME/$N"
check "A from the last frame jumps back to it" $? "$(bar)"
tm kill-server 2>/dev/null

# Z: playing, then paused: no frame advances under the pause.
open --speed 0
wait_for 10 shows "REPLAY .* 1/$N $PAUSED"
tm send-keys -t "$S" Z
wait_for 5 shows "REPLAY .* $PLAYING 1$X"
check "Z plays: the marker says at what speed" $? "$(bar)"
wait_for 8 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t '$S' | tail -n 1 | sed -n 's|.*REPLAY .* \([0-9]*\)/$N .*|\1|p')\" -ge 3 ]"
check "... and the frames advance by themselves" $? "$(bar)"
tm send-keys -t "$S" Z
wait_for 5 shows "REPLAY .* $PAUSED"
B0=$(bar)
sleep 2
B1=$(bar)
[ "$B0" = "$B1" ]
check "Z pauses: the frame holds still over 2 s" $? "$B0 -> $B1"
F=$(frame)
[ "$F" -lt $N ]
check "... before the end" $? "$B1"
tm kill-server 2>/dev/null

# Speed: ]]] is 8x; the 7 s recording then plays in about 1 s, where 1x
# is still at the start after the same time.
open --speed 0
wait_for 10 shows "REPLAY .* 1/$N $PAUSED"
tm send-keys -t "$S" Z
sleep 1.5
F1=$(frame)
tm send-keys -t "$S" Z T T T T T T T T T T T T T T T T T T T T
wait_for 5 shows "REPLAY .* 1/$N $PAUSED"
tm send-keys -t "$S" "]" "]" "]" Z
wait_for 3 shows "REPLAY .* $PLAYING 8$X"
check "]]] shows 8x in the marker" $? "$(bar)"
wait_for 4 shows "REPLAY .* $N/$N"
check "... and at 8x the recording plays to the end within 4 s" $? "$(bar)"
[ -n "$F1" ] && [ "$F1" -lt $((N * 2 / 3)) ]
check "... where 1x was at frame $F1 of $N after 1.5 s" $?
shows "REPLAY .* $N/$N $PAUSED"
check "... and the end pauses" $? "$(bar)"
tm send-keys -t "$S" "["
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -Eq 'speed 4(×|x)'"
check "[ slows down (4x)" $? "$(screen | tail -n 2)"
tm kill-server 2>/dev/null

# --speed: a bad value is refused by name.
"$TCPSCOPE" -r "$R" --speed fast >/dev/null 2>"$TESTTMP/sp.err"
[ $? -eq 2 ] && grep -q "speed" "$TESTTMP/sp.err"
check "--speed fast exits 2 naming it" $? "$(cat "$TESTTMP/sp.err")"
finish
