#!/bin/sh
# test_record_ui.sh — the live view on a recording (tcpscope -r DIR) in
# tmux: the REPLAY marker with the recorded time, t/T stepping a frame,
# starting at --at TIME, a filter, the recorded alert, no destroy offered.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
check() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

R=$TESTTMP/rec
"$TOOLS/leak" closewait 7301 5 4 1 >"$TESTTMP/leak.out" 2>&1 &
LP=$!
wait_for 10 grep -q ready "$TESTTMP/leak.out"
"$TCPSCOPE" --record "$R" -d 0.3 -n 10 --threshold close_wait.age=1s 2>"$TESTTMP/rec.err"
check "recorded 10 frames" $? "$(cat "$TESTTMP/rec.err")"
wait "$LP"

S=tcps-rec-$$
SOCK=$TESTTMP/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
screen() { tm capture-pane -p -t "$S"; }
# -d 60: the view does not advance by itself while the test looks.
tm new-session -d -s "$S" -x 160 -y 30 "TERM=xterm $TCPSCOPE -r $R -d 60 -F 'state close-wait'"
wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'REPLAY .* 1/10'"
check "REPLAY marker with the recorded time, first frame" $? "$(screen | tail -n 2)"
screen | grep -q "CLOSE-WAIT 127.0.0.1:7301" && ! screen | grep -q "FIN-WAIT-2 127"
check "the filter applies to the replayed rows" $? "$(screen | sed -n 8,14p)"
screen | tail -n 1 | grep -q "F9 *F10Quit"
check "no destroy offered (F9 has no label)" $? "$(screen | tail -n 1)"
for k in t t t t; do tm send-keys -t "$S" "$k"; done
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'REPLAY .* 5/10'"
check "t steps forward (4 frames)" $? "$(screen | tail -n 1)"
tm send-keys -t "$S" T
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'REPLAY .* 4/10'"
check "T steps back" $? "$(screen | tail -n 1)"
for k in t t t t t t t t; do tm send-keys -t "$S" "$k"; done
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'REPLAY .* 10/10'"
check "t stops at the last frame" $? "$(screen | tail -n 1)"
screen | grep -q "Alert: CLOSE_WAIT: 5 sockets held by leak"
check "the recorded close_wait alert is shown" $? "$(screen | sed -n 6p)"
tm send-keys -t "$S" q
wait_for 5 sh -c "! tmux -S '$SOCK' has-session -t '$S' 2>/dev/null"
check "q quits" $?
tm kill-server 2>/dev/null

# Start at a time: a second before the last frame (about frame 7).
TL=$("$TCPSCOPE" -r "$R" -j | jq -r .time)
TA=$(awk -v t="$TL" 'BEGIN { printf "%.6f", t - 1.0 }')
TJ=$("$TCPSCOPE" -r "$R" --at "@$TA" -j | jq -r .time)
WANT=$(date -d "@${TJ%.*}" '+%Y-%m-%d %H:%M:%S')
tm new-session -d -s "$S" -x 160 -y 30 "TERM=xterm $TCPSCOPE -r $R -d 60 --at @$TA"
wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -q 'REPLAY $WANT [0-9]*/10'"
check "--at opens the view at that frame" $? "want $WANT: $(screen | tail -n 1)"
! screen | tail -n 1 | grep -q "10/10"
check "... not at the end" $? "$(screen | tail -n 1)"
tm kill-server 2>/dev/null
finish
