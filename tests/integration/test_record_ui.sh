#!/bin/sh
# test_record_ui.sh — the live view on a recording (tcpscope -r DIR) in
# tmux: the REPLAY marker with the recorded time, t/T stepping a frame,
# starting at --at TIME, a filter, the recorded alert, no destroy offered;
# the playback: g goes to a time (and names the recording's span when the
# time is outside it), a/A land on the frame that raised the alert, Z stops
# the frames (the marker holds still), ]/[ change the speed (shown, and the
# frames come faster), stepping back and forth leaves the Events view
# without a line twice; a step while a re-sort runs on the worker.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
export XDG_CONFIG_HOME="$TESTTMP/cfg"

# The scenario: a recording 0.3 s a frame (no CPU budget stretching it);
# once it holds 3 frames, 5 CLOSE_WAIT sockets appear (new and state
# events) and stay until the recording holds the close_wait alert (raised
# a second in); then their process ends (closed events), and 10 frames
# later the recorder is stopped. Waiting on the recording rather than on a
# clock keeps the scenario whole when a loaded machine stretches the ticks;
# the frames are counted, not assumed.
R=$TESTTMP/rec
nframes() { "$TCPSCOPE" -r "$R" --record-info 2>/dev/null | sed -n 's/^frames: *\([0-9]*\).*/\1/p'; }
has_frames() { [ "$(nframes)" -ge "$1" ] 2>/dev/null; }
has_alert() { "$TCPSCOPE" -r "$R" -e -j 2>/dev/null | grep -q '"alert_raised"'; }
"$TCPSCOPE" --record "$R" -d 0.3 -n 300 --cpu-budget 0 --threshold close_wait.age=1s \
	2>"$TESTTMP/rec.err" &
RP=$!
wait_for 30 has_frames 3
"$TOOLS/leak" closewait 7301 5 60 1 >"$TESTTMP/leak.out" 2>&1 &
LP=$!
wait_for 10 grep -q ready "$TESTTMP/leak.out"
check "the leak staged its CLOSE_WAIT sockets" $? "$(cat "$TESTTMP/leak.out")"
wait_for 40 has_alert
check "the recording holds the close_wait alert" $? "$(cat "$TESTTMP/rec.err")"
kill "$LP"
wait "$LP" 2>/dev/null
F0=$(nframes)
wait_for 30 has_frames $((F0 + 10))
kill -INT "$RP"
wait "$RP"
check "the recorder stopped cleanly" $? "$(cat "$TESTTMP/rec.err")"
N=$(nframes)
SPAN=$("$TCPSCOPE" -r "$R" --record-info 2>/dev/null | sed -n 's/^span:.*(\([0-9]*\)s)$/\1/p')
[ "$N" -ge 7 ] && [ "$N" -lt 300 ]
check "recorded $N frames over $SPAN s" $? "$(cat "$TESTTMP/rec.err")"
# Times of the last frame and of the alert events. (JSON times have 6
# decimals; a frame's is in ns: 1 us later is that frame.)
TL=$("$TCPSCOPE" -r "$R" -j | jq -r .time)
TL1=$(awk -v t="$TL" 'BEGIN { printf "%.6f", t + 0.000001 }')
"$TCPSCOPE" -r "$R" -e -j | jq -r 'select(.event == "alert_raised" or .event == "alert_cleared") | .time' |
	awk '{ printf "%.6f\n", $1 + 0.000001 }' >"$TESTTMP/aev"
TR1=$(head -n 1 "$TESTTMP/aev")
[ -n "$TR1" ]
check "the recording holds the alert's events" $? "$("$TCPSCOPE" -r "$R" -e 2>&1 | tail -n 3)"

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
bar | grep -q "F9 *F10Quit"
check "no destroy offered (F9 has no label)" $? "$(bar)"
tm send-keys -t "$S" g "@$TR1" Enter
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'CLOSE-WAIT 127.0.0.1:7301'"
screen | grep -q "CLOSE-WAIT 127.0.0.1:7301" && ! screen | grep -q "FIN-WAIT-2 127"
check "the filter applies to the replayed rows" $? "$(screen | sed -n 8,14p)"
i=0
while [ $i -lt "$N" ]; do tm send-keys -t "$S" T; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* 1/$N"
for k in t t t t; do tm send-keys -t "$S" "$k"; done
wait_for 5 shows "REPLAY .* 5/$N"
check "t steps forward (4 frames)" $? "$(bar)"
tm send-keys -t "$S" T
wait_for 5 shows "REPLAY .* 4/$N"
check "T steps back" $? "$(bar)"
i=0
while [ $i -lt "$N" ]; do tm send-keys -t "$S" t; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* $N/$N"
check "t stops at the last frame" $? "$(bar)"

# Stepping back then forth: the Events view shows each event once, and
# the same lines as before the steps.
tm send-keys -t "$S" Tab Tab
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'closed'"
events() { screen | grep -E '^ *[0-9:.]+ +(new|closed|state) '; }
events >"$TESTTMP/ev0"
i=4
while [ $i -lt "$N" ]; do tm send-keys -t "$S" T; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* 4/$N"
check "back to frame 4" $? "$(bar)"
events >"$TESTTMP/ev_back"
i=0
while [ $i -lt "$N" ]; do tm send-keys -t "$S" t; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* $N/$N"
check "forth to the end again" $? "$(bar)"
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

# Start at a time: a second before the last frame.
TA=$(awk -v t="$TL" 'BEGIN { printf "%.6f", t - 1.0 }')
TJ=$("$TCPSCOPE" -r "$R" --at "@$TA" -j | jq -r .time)
WANT=$(date -d "@${TJ%.*}" '+%Y-%m-%d %H:%M:%S')
open --speed 0 --at "@$TA"
wait_for 10 shows "REPLAY $WANT [0-9]*/$N"
check "--at opens the view at that frame" $? "want $WANT: $(bar)"
AT_FRAME=$(frame)
[ -n "$AT_FRAME" ] && [ "$AT_FRAME" -lt "$N" ]
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

# a/A: the frames whose detector raised or cleared an alert, in order,
# then none; back from the end. Each one's frame: where g @TIME lands.
# (JSON times have 6 decimals; a frame's is in ns: 1 us later is that frame.)
open --speed 0
wait_for 10 shows "REPLAY .* 1/$N"
: >"$TESTTMP/aframes"
# Each jump is read once the bar shows that frame's time (what --at
# names), not after a fixed pause a loaded machine can outlast.
while read -r t; do
	TF=$("$TCPSCOPE" -r "$R" --at "@$t" -j | jq -r .time)
	tm send-keys -t "$S" g "@$t" Enter
	wait_for 5 shows "REPLAY $(date -d "@${TF%.*}" '+%Y-%m-%d %H:%M:%S') [0-9]*/$N"
	frame >>"$TESTTMP/aframes"
done <"$TESTTMP/aev"
sort -n -u "$TESTTMP/aframes" >"$TESTTMP/aframes.u"
[ -s "$TESTTMP/aframes.u" ] && [ "$(head -n 1 "$TESTTMP/aframes.u")" -gt 1 ]
check "the recording has alert events after its first frame ($(tr '\n' ' ' <"$TESTTMP/aframes.u"))" $? \
	"$(cat "$TESTTMP/aev")"
AL_FRAME=$(head -n 1 "$TESTTMP/aframes.u")
tm send-keys -t "$S" g "@$TL1" Enter
wait_for 5 shows "REPLAY .* $N/$N"
i=0
while [ $i -lt "$N" ]; do tm send-keys -t "$S" T; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* 1/$N"
ok=0
while read -r f; do
	tm send-keys -t "$S" a
	wait_for 5 shows "REPLAY .* $f/$N" || { ok=1; break; }
done <"$TESTTMP/aframes.u"
check "a visits each alert frame in turn ($(tr '\n' ' ' <"$TESTTMP/aframes.u"))" $ok "$(bar)"
tm send-keys -t "$S" a
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'no alert raised or cleared after'"
check "... a again: no later alert, says so" $? "$(screen | tail -n 2)"
LAST_AL=$(tail -n 1 "$TESTTMP/aframes.u")
shows "REPLAY .* $LAST_AL/$N"
check "... and stays" $? "$(bar)"
tm send-keys -t "$S" g "@$TL1" Enter
wait_for 5 shows "REPLAY .* $N/$N"
tm send-keys -t "$S" A
wait_for 5 shows "REPLAY .* $LAST_AL/$N"
check "A from the last frame jumps back to the last one" $? "$(bar)"
i=0
while [ $i -lt 8 ]; do tm send-keys -t "$S" A; i=$((i + 1)); done
wait_for 5 shows "REPLAY .* $AL_FRAME/$N"
check "... and A to the first" $? "$(bar)"
tm send-keys -t "$S" g "@$TR1" Enter
wait_for 5 shows "REPLAY .* $AL_FRAME/$N"
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'Alert: CLOSE_WAIT: 5 sockets held by leak'"
check "the raised frame shows the recorded close_wait alert" $? "$(screen | sed -n 2,8p)"
tm kill-server 2>/dev/null

# Z: playing, then paused: no frame advances under the pause. From the
# alert's frame, at 2x: unpaused, the next frame would come within 2 s
# unless the recording's own pace is slower than a frame per 4 s.
open --speed 0 --at "@$TR1"
wait_for 10 shows "REPLAY .* $AL_FRAME/$N $PAUSED"
tm send-keys -t "$S" Z
wait_for 5 shows "REPLAY .* $PLAYING 1$X"
check "Z plays: the marker says at what speed (1x by default)" $? "$(bar)"
tm send-keys -t "$S" "]"
wait_for 3 shows "REPLAY .* $PLAYING 2$X"
LIMZ=$((SPAN * 3 / N / 2 + 5))
wait_for $LIMZ sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t '$S' | tail -n 1 | sed -n 's|.*REPLAY .* \([0-9]*\)/$N .*|\1|p')\" -ge $((AL_FRAME + 2)) ]"
check "... and the frames advance by themselves" $? "$(bar)"
tm send-keys -t "$S" Z
wait_for 5 shows "REPLAY .* $PAUSED"
B0=$(bar)
sleep 2
B1=$(bar)
F=$(frame)
if [ $((SPAN * 1000 / N / 2)) -lt 2000 ] && [ "$F" -lt "$N" ]; then
	[ "$B0" = "$B1" ]
	check "Z pauses: the frame holds still over 2 s (frame $F of $N)" $? "$B0 -> $B1"
else
	skip "Z pauses: the frame holds still" "frame $F of $N, $SPAN s: no frame would have come"
fi
tm kill-server 2>/dev/null

# Speed: ]]] is 8x; the recording ($SPAN s at 1x) plays to the end in
# well under half of that.
open --speed 0
wait_for 10 shows "REPLAY .* 1/$N $PAUSED"
tm send-keys -t "$S" "]" "]" "]" Z
wait_for 3 shows "REPLAY .* $PLAYING 8$X"
check "]]] shows 8x in the marker" $? "$(bar)"
LIM=$((SPAN / 2 + 1))
wait_for $LIM shows "REPLAY .* $N/$N"
check "... and at 8x the ${SPAN} s recording plays to the end within $LIM s" $? "$(bar)"
shows "REPLAY .* $N/$N $PAUSED"
check "... and the end pauses" $? "$(bar)"
tm send-keys -t "$S" "["
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -Eq 'speed 4(×|x)'"
check "[ slows down (4x)" $? "$(screen | tail -n 2)"
tm kill-server 2>/dev/null

# A step while a re-sort runs on the worker (from one row, made slow by
# the test seams): the frame is loaded into the replay's tracker when the
# key is pressed, so the worker reading the entries stops first; the next
# frame shows, sorted by the new column. (Under ThreadSanitizer the worker
# raced tracker_restore here.)
tm kill-server 2>/dev/null
tm new-session -d -s "$S" -x 160 -y 30 \
	"TERM=xterm TCPSCOPE_TEST_SORT_ROWS=1 TCPSCOPE_TEST_SORT_DELAY_MS=1500 $TCPSCOPE -r $R --speed 0 --at @$TR1"
wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'CLOSE-WAIT 127.0.0.1:7301'"
F=$(frame)
# The frame's own (slow) sort done first: '>' is then a change of sort
# alone, whose worker reads every entry to make its keys.
wait_for 8 sh -c "! tmux -S '$SOCK' capture-pane -p -t '$S' | grep -qF '[sorting]'"
tm send-keys -t "$S" ">"
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -qF '[sorting]'"
check "a re-sort runs on the worker (frame $F, the sockets of the leak)" $? "$(screen | sed -n 8p)"
tm send-keys -t "$S" t
wait_for 5 shows "REPLAY .* $((F + 1))/$N"
check "t during the re-sort loads the next frame" $? "$(bar)"
wait_for 8 sh -c "! tmux -S '$SOCK' capture-pane -p -t '$S' | grep -qF '[sorting]'"
screen | grep -Eq 'LOCAL(▲|\^)' && ! screen | grep -qF '[sorting]'
check "... sorted by the new column once the sort is done" $? "$(screen | sed -n 8,9p)"
tm send-keys -t "$S" q
wait_for 5 sh -c "! tmux -S '$SOCK' has-session -t '$S' 2>/dev/null"
check "... and q quits" $?
tm kill-server 2>/dev/null

# --speed: a bad value is refused by name.
"$TCPSCOPE" -r "$R" --speed fast >/dev/null 2>"$TESTTMP/sp.err"
[ $? -eq 2 ] && grep -q "speed" "$TESTTMP/sp.err"
check "--speed fast exits 2 naming it" $? "$(cat "$TESTTMP/sp.err")"
finish
