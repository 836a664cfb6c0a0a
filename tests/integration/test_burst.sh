#!/bin/sh
# test_burst.sh — a burst of events does not stay in memory (issue 17's
# soak: RSS +3.6 MB after a load spike, kept for the process's life).
# In a private namespace, popgen churns 1,000 connections a second (no
# TIME_WAIT: tcp_max_tw_buckets=0, so the socket count stays flat) while
# `tcpscope -e -j -d 0.5` writes into a pipe whose reader is then stopped
# (SIGSTOP) for 3 s: tcpscope blocks on the full pipe, destroy events and
# closes pile up, and the tick after SIGCONT carries thousands of events.
# Asserts: the burst shows (peak RSS above the level before it), every
# connection of the churn is still reported (nothing dropped), and at least
# half of the burst's memory is given back once its tombs expired (before:
# RSS stayed at the peak and above; measured now: 0.9-1.1 MiB kept of a
# 3.7-4.0 MiB burst).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
[ -x "$TOOLS/popgen" ] || skip_all "popgen tool not built"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
grep -qa __asan_init "$TCPSCOPE" 2>/dev/null &&
	skip_all "sanitizer build: ASan's quarantine keeps freed memory on purpose"
sysctl -qw net.ipv4.tcp_max_tw_buckets=0 2>/dev/null ||
	skip_all "cannot turn TIME_WAIT off in the namespace (net.ipv4.tcp_max_tw_buckets)"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# median of the RSS samples taken over SECONDS (every 0.25 s) into $MED
med_rss() {
	: >"$TESTTMP/s"
	i=0
	while [ "$i" -lt $(($1 * 4)) ]; do
		rss "$TS" >>"$TESTTMP/s"
		sleep 0.25
		i=$((i + 1))
	done
	MED=$(sort -n "$TESTTMP/s" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
}

mkfifo "$TESTTMP/pipe"
cat "$TESTTMP/pipe" >"$TESTTMP/ev.jsonl" &
CAT=$!
"$TCPSCOPE" -e -j -d 0.5 --cpu-budget 0 >"$TESTTMP/pipe" 2>"$TESTTMP/ev.err" &
TS=$!
trap 'kill -CONT "$CAT" 2>/dev/null; kill "$TS" "$CAT" "$POP" 2>/dev/null; rm -rf "$TESTTMP"' EXIT
"$TOOLS/popgen" -q -e 200 -c 1000 -s 17 --log "$TESTTMP/churn.log" --max-seconds 40 \
	</dev/null >"$TESTTMP/pop.out" 2>&1 &
POP=$!
sleep 4 # warm: the population, the first ticks, the arrays at their steady size
med_rss 2
base=$MED
kill -STOP "$CAT"
sleep 3
kill -CONT "$CAT"
peak=0
i=0
while [ "$i" -lt 12 ]; do # 3 s: the burst's ticks
	r=$(rss "$TS")
	[ "${r:-0}" -gt "$peak" ] && peak=$r
	sleep 0.25
	i=$((i + 1))
done
sleep 3 # the tombs (3 s) expire; a few more ticks
med_rss 2
after=$MED
wait "$POP"
sleep 1.5 # the last closes reach the stream
kill "$TS" 2>/dev/null
wait "$TS" 2>/dev/null
wait "$CAT" 2>/dev/null

grow=$((peak - base))
[ "$grow" -ge 256 ]
check "the stalled reader made a burst: peak RSS $peak KiB, $grow KiB above $base KiB" $?
total=$(wc -l <"$TESTTMP/churn.log")
seen=$(jq -r 'select(.type == "closed" or .event == "closed") | "\(.local_addr) \(.local_port)\n\(.remote_addr) \(.remote_port)"' \
	"$TESTTMP/ev.jsonl" 2>/dev/null | sort -u >"$TESTTMP/seen"
	awk 'NR == FNR { s[$0] = 1; next } ($1 " " $2) in s { n++ } END { print n + 0 }' "$TESTTMP/seen" "$TESTTMP/churn.log")
kept_up=0
[ "$total" -gt 5000 ] && [ $((seen * 100)) -ge $((total * 95)) ] && kept_up=1
# A starved box (other work keeping both cores busy: 1-minute load above
# twice the cores) cannot keep a 1,000 conn/s stream: say so, not fail.
busy=$(awk -v n="$(nproc)" '{ print ($1 > 2 * n) ? 1 : 0 }' /proc/loadavg)
if [ "$kept_up" = 1 ] || [ "$busy" = 0 ]; then
	[ "$kept_up" = 1 ]
	check "the stream still reports the churn's closes: $seen of $total" $? "$(tail -n 3 "$TESTTMP/ev.err")"
else
	skip "the churn's closes" "box too busy (load $(cut -d' ' -f1 /proc/loadavg)): $seen of $total"
fi
# At least half of the burst given back (before: all of it kept, and RSS
# went on above the peak). What stays is bounded, not a leak: the history
# pool and the tomb array keep up to 4x their steady size.
# Judged only when the stream kept up: behind, its backlog is memory
# rightly held (a starved box, not the burst).
if [ "$kept_up" = 1 ]; then
	[ $((after - base)) -le $((grow / 2)) ]
	check "RSS back near the level before the burst: $after KiB (before $base, peak $peak)" $?
else
	skip "RSS after the burst" "the stream fell behind (box too busy): $after KiB (before $base, peak $peak)"
fi
finish
