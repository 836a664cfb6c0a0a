#!/bin/sh
# run.sh BUILD [REPORT] — `make bench`: tcpscope against a bare dump, ss and
# netstat at 1k, 10k and 100k sockets and two mixed-state 100k (mixed100k;
# heavy100k: 10% CLOSE_WAIT, 10% FIN_WAIT2, 10% TIME_WAIT, 5% IPv6), side by side.
#
# Runs itself inside a private network namespace (needs root), builds each
# population with build/tools/popgen, times every command BENCH_RUNS times
# (default 5; `ss -p` fewer at 100k) with build/tools/timeit, and prints
# medians, ratios and the issue's targets as markdown tables; the same text
# goes to REPORT (default BUILD/bench.md). Bounded: every command has a
# timeout, every population is torn down, the whole run takes a few minutes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
BUILD=${1:-build}
REPORT=${2:-$BUILD/bench.md}
case $REPORT in /*) ;; *) REPORT=$top/$REPORT ;; esac
TS=$top/$BUILD/tcpscope
TOOLS=$top/$BUILD/tools
RUNS=${BENCH_RUNS:-5}
POPS=${BENCH_POPS:-"1k 10k 100k mixed100k heavy100k"}
# BENCH_ONESHOT_BIG=1 adds big500k: the one-shot at 500k sockets, issue
# 19's size (~1.5 GiB of kernel memory and a minute to build; ss -p and
# netstat are skipped there); BENCH_ONESHOT_BIG=2 big1m too (1M sockets,
# ~3 GiB). Not BENCH_BIG: that one is bigbox.sh's.
case ${BENCH_ONESHOT_BIG:-0} in
1) POPS="$POPS big500k" ;;
2) POPS="$POPS big500k big1m" ;;
esac
# BENCH_ONLY=rec: the recorder's part alone (the synthetic recbench, the
# real recordings below; ~12 minutes), nothing else.
ONLY=${BENCH_ONLY:-}
RS=${BENCH_REC_SECONDS:-420}
RCS=${BENCH_REC_CHURN_SECONDS:-60}

if [ -z "${TCPS_BENCH_NETNS:-}" ]; then
	for t in "$TS" "$TOOLS/popgen" "$TOOLS/timeit" "$TOOLS/baredump" "$TOOLS/collectbench"; do
		[ -x "$t" ] || { echo "bench: $t missing (make check-build)"; exit 1; }
	done
	if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
		echo "bench: needs root and unshare(CLONE_NEWNET) for a private network namespace"
		exit 1
	fi
	limit=$((900 + RS + RCS))
	case ${BENCH_ONESHOT_BIG:-0} in 1) limit=$((limit + 900)) ;; 2) limit=$((limit + 1800)) ;; esac
	TCPS_BENCH_NETNS=1 exec timeout -k 10 "$limit" unshare -n -- sh "$0" "$@"
fi

ip link set lo up || exit 1
tmp=$(mktemp -d /tmp/tcpscope-bench.XXXXXX)
POP_PID=""
cleanup() {
	exec 9>&- 2>/dev/null
	[ -n "$POP_PID" ] && kill "$POP_PID" 2>/dev/null && wait "$POP_PID" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RES=$tmp/results
: >"$RES"
log() { echo "bench: $*" >&2; }
put() { echo "$POP $1 $2" >>"$RES"; } # key value
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; } # line key

pop_start() { # popgen args...
	rm -f "$tmp/ctl"
	mkfifo "$tmp/ctl" || exit 1
	"$TOOLS/popgen" -q --max-seconds "${POP_SECONDS:-400}" "$@" <"$tmp/ctl" >"$tmp/pop.out" 2>"$tmp/pop.err" &
	POP_PID=$!
	exec 9>"$tmp/ctl"
	i=0
	while ! grep -q '^ready' "$tmp/pop.out" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 1200 ] || ! kill -0 "$POP_PID" 2>/dev/null; then
			log "population did not come up: $(cat "$tmp/pop.err")"
			exit 1
		fi
		sleep 0.1
	done
	READY=$(grep '^ready' "$tmp/pop.out")
}

pop_stop() {
	exec 9>&-
	wait "$POP_PID" 2>/dev/null
	POP_PID=""
}

# sample KEY CMD... : one timed run of a command (wall ms, peak RSS) into
# the sample file. Whole-process tools are timed round-robin, one run each
# per round, so a noisy neighbour slows every tool alike, not one.
sample() {
	key=$1
	shift
	line=$("$TOOLS/timeit" -r 1 -t 60 -- "$@" 2>/dev/null)
	if [ "$(kv "$line" fails)" != 0 ]; then
		log "$key failed: $*"
		return
	fi
	echo "$key $(kv "$line" median_ms) $(kv "$line" maxrss_kb)" >>"$tmp/samples"
}

# Medians of the samples: "KEY ms" and "KEY.rss kb" (largest RSS).
flush_samples() {
	for key in $(awk '{print $1}' "$tmp/samples" | sort -u); do
		put "$key" "$(awk -v k="$key" '$1 == k {print $2}' "$tmp/samples" | sort -n |
			awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
		put "$key.rss" "$(awk -v k="$key" '$1 == k {print $3}' "$tmp/samples" | sort -n | tail -n 1)"
	done
	: >"$tmp/samples"
}

bench_pop() { # popgen args...
	pop_start "$@"
	n=$(kv "$READY" total)
	put sockets "$n"
	put ready "$(echo "$READY" | sed 's/^ready //; s/ /,/g')"
	log "$POP: $READY"
	big=0
	[ "$n" -gt 50000 ] && big=1
	huge=0 # ss -p is quadratic, netstat slow: not at 500k
	[ "$n" -gt 200000 ] && huge=1
	# In-process: the floor (bare dump with/without tcp_info) and the collector.
	line=$("$TOOLS/baredump" -r "$RUNS")
	put bare.in "$(echo "$(kv "$(echo "$line" | tail -n 1)" median_ns)" | awk '{printf "%.2f", $1/1e6}')"
	line=$("$TOOLS/baredump" -i -r "$RUNS")
	put bare_i.in "$(echo "$(kv "$(echo "$line" | tail -n 1)" median_ns)" | awk '{printf "%.2f", $1/1e6}')"
	line=$("$TOOLS/baredump" -i -2 -r "$RUNS")
	put bare2_i.in "$(echo "$(kv "$(echo "$line" | tail -n 1)" median_ns)" | awk '{printf "%.2f", $1/1e6}')"
	line=$("$TOOLS/collectbench" -r "$RUNS")
	put coll.in "$(kv "$line" median_ns | awk '{printf "%.2f", $1/1e6}')"
	line=$("$TOOLS/collectbench" -i -r "$RUNS")
	put coll_i.in "$(kv "$line" median_ns | awk '{printf "%.2f", $1/1e6}')"
	put coll_i.bps "$(kv "$line" bytes_per_socket)"
	line=$("$TOOLS/collectbench" -i -p -r "$RUNS")
	put coll_ip.in "$(kv "$line" median_ns | awk '{printf "%.2f", $1/1e6}')"
	put coll_ip.first "$(kv "$line" first_ns | awk '{printf "%.2f", $1/1e6}')"
	line=$("$TOOLS/collectbench" -i -t -r "$RUNS")
	put track.in "$(kv "$line" median_ns | awk '{printf "%.2f", $1/1e6}')"
	put cyc_t.in "$(kv "$line" cycle_ns | awk '{printf "%.2f", $1/1e6}')"
	put track.bps "$(kv "$line" bytes_per_socket)"
	put track.growth "$(kv "$line" rss_growth_kb)"
	line=$("$TOOLS/collectbench" -i -p -t -r "$RUNS")
	put track_p.bps "$(kv "$line" bytes_per_socket)"
	line=$("$TOOLS/collectbench" -a -r "$RUNS")
	put attr.full "$(kv "$line" full_walk_ns | awk '{printf "%.2f", $1/1e6}')"
	put attr.plain "$(kv "$line" plain_walk_ns | awk '{printf "%.2f", $1/1e6}')"
	put attr.warm "$(kv "$line" warm_ns | awk '{printf "%.3f", $1/1e6}')"
	# Whole processes, wall clock, output to /dev/null; round-robin.
	: >"$tmp/samples"
	r=1
	while [ "$r" -le "$RUNS" ]; do
		sample bare "$TOOLS/baredump"
		sample bare_i "$TOOLS/baredump" -i
		sample bare2_i "$TOOLS/baredump" -i -2
		sample ts_text "$TS" -b -n1 --no-processes
		sample ts_text_nh "$TS" -b -n1 --no-processes --no-header
		sample ts_json "$TS" -b -n1 -j --no-processes
		sample ts_text_p "$TS" -b -n1
		sample ts_json_p "$TS" -b -n1 -j
		sample ss ss -tanH
		sample ss_i ss -tanHi
		# ss -p is quadratic in sockets: 2 runs at 100k (seconds each).
		if [ "$huge" = 0 ] && { [ "$big" = 0 ] || [ "$r" -le 2 ]; }; then
			sample ss_p ss -tanHp
		fi
		if [ "$huge" = 0 ] && command -v netstat >/dev/null 2>&1; then
			sample netstat netstat -tan
		fi
		r=$((r + 1))
	done
	flush_samples
	command -v netstat >/dev/null 2>&1 || put netstat "n/a"
	# TIME_WAITs expire after 60 s: say what the population was at the end.
	end=$("$TOOLS/baredump" -s | sed 's/^messages=\([0-9]*\).* ns=[0-9]*/total=\1/; s/ /,/g')
	put ready_end "$end"
	pop_stop
}

# ---------------------------------------------------------------- churn
bench_churn() {
	POP=churn
	if ! "$TS" -e -n1 </dev/null >/dev/null 2>&1; then
		put coverage "n/a (needs the event stream: tcpscope -e)"
		line=$("$TOOLS/popgen" -q -c 2000 -s 3 --max-seconds 30 </dev/null | grep '^churn')
		put churn "$(echo "$line" | sed 's/^churn //; s/ /,/g')"
		return
	fi
	# The monitor polls every second and listens to destroy events; popgen
	# opens and closes 2,000 connections a second (each held 10 ms) and
	# logs each one's client endpoint. Coverage: how many of those endpoints
	# appear (as local or remote end) in some event.
	"$TS" -e -j -d 1 >"$tmp/events.jsonl" 2>"$tmp/events.err" &
	ev=$!
	sleep 1.5
	line=$("$TOOLS/popgen" -q -c 2000 -s 10 --log "$tmp/churn.log" --max-seconds 60 </dev/null |
		grep '^churn')
	sleep 2.5
	kill "$ev" 2>/dev/null
	wait "$ev" 2>/dev/null
	put churn "$(echo "$line" | sed 's/^churn //; s/ /,/g')"
	total=$(wc -l <"$tmp/churn.log")
	seen=$(awk '
		function grab(line, key,   r) {
			if (!match(line, "\"" key "\":\"?[0-9.a-f:]+")) return ""
			r = substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
			sub(/^"/, "", r)
			return r
		}
		NR == FNR { want[$1 " " $2] = 1; next }
		{
			a = grab($0, "local_addr") " " grab($0, "local_port")
			b = grab($0, "remote_addr") " " grab($0, "remote_port")
			if ((a in want) && !(a in got)) { got[a] = 1; n++ }
			if ((b in want) && !(b in got)) { got[b] = 1; n++ }
		}
		END { print n + 0 }' "$tmp/churn.log" "$tmp/events.jsonl")
	put coverage "$(awk -v s="$seen" -v t="$total" 'BEGIN { printf "%.2f%% (%d of %d)", t ? 100 * s / t : 0, s, t }')"
}

# ---------------------------------------------------------------- live UI
# The real live view in tmux (tests/bench/ui_live.sh): CPU at 10k sockets
# and 1 s refresh; key → screen at 100k. Then the same keys in-process
# (build/tools/ui_bench: view model + drawing, no terminal, no kernel).
bench_ui() {
	POP=ui
	line=$("$TOOLS/ui_bench" 100000 2>/dev/null)
	for k in tick rebuild down pgdn end sort resort; do
		case $k in
		tick) pat='tick (' ;; rebuild) pat='rebuild (' ;; down) pat='key Down' ;;
		pgdn) pat='key PgDn' ;; end) pat='key End' ;; sort) pat='key I' ;;
		resort) pat='key > <' ;;
		esac
		put "inproc.$k" "$(echo "$line" | grep -F "$pat" | awk '{print $(NF - 1)}')"
	done
	if ! command -v tmux >/dev/null 2>&1; then
		put cpu "n/a (tmux not installed)"
		put key "n/a (tmux not installed)"
		return
	fi
	ui() { # mode → "KEY VALUE" lines into the results
		sh "$top/tests/bench/ui_live.sh" "$1" "$TS" >"$tmp/ui.out" 2>"$tmp/ui.err"
		if grep -q '^error' "$tmp/ui.out" || ! [ -s "$tmp/ui.out" ]; then
			log "ui_live $1: $(cat "$tmp/ui.out" "$tmp/ui.err")"
			return 1
		fi
		while read -r k v; do put "$k" "$v"; done <"$tmp/ui.out"
	}
	POP=ui
	pop_start -e 5000
	log "ui (10k, CPU): $READY (the namespace: $("$TOOLS/baredump" | sed 's/ .*//'))"
	if ui cpu; then
		put cpu "$(awk '$2 == "cpu_pct" {p = $3} $2 == "cpu_ms_tick" {m = $3} $1 == "ui" && $2 == "seconds" {s = $3}
			END {printf "%s%% (%s ms CPU per tick, %s s)", p, m, s}' "$RES")"
	else
		put cpu "n/a (the live view did not run: see the log)"
	fi
	pop_stop
	pop_start -e 50000
	log "ui (100k, keys): $READY"
	if ui keys; then
		# The verdict's figure: the slowest of the four medians.
		put key "$(awk '$1 == "ui" {v[$2] = $3} END {
			w = v["key_down_ms"]; if (v["key_pgdn_ms"] + 0 > w + 0) w = v["key_pgdn_ms"]
			if (v["key_sort_ms"] + 0 > w + 0) w = v["key_sort_ms"]
			if (v["key_filter_ms"] + 0 > w + 0) w = v["key_filter_ms"]
			printf "%s ms (medians: Down %s, PgDn %s, re-sort %s, filter %s; all keys: p90 %s, p99 %s, max %s, %s of %s ≤ 100 ms)",
			w, v["key_down_ms"], v["key_pgdn_ms"], v["key_sort_ms"], v["key_filter_ms"], v["key_p90_ms"], v["key_p99_ms"], v["key_max_ms"], v["key_within"], v["key_n"]}' "$RES")"
		put live_rss "$(awk -v t="$(kv "$READY" total)" '$1 == "ui" && $2 == "rss_kb" && t > 0 {
			printf "%.0f B per socket (peak %d KiB, whole process, %d sockets)", $3 * 1024 / t, $3, t}' "$RES")"
	else
		put key "n/a (the live view did not run: see the log)"
	fi
	pop_stop
}

# ---------------------------------------------------------------- run
T0=$(date +%s)
[ "$ONLY" = rec ] && POPS=""
# The live view first, in an empty namespace: the mixed population leaves
# 10,000 TIME_WAITs behind for a minute, the churn 20,000, and the live view
# would count (and pay for) them too.
[ "$ONLY" = rec ] || bench_ui
for POP in $POPS; do
	case $POP in
	1k) bench_pop -e 500 ;;
	10k) bench_pop -e 5000 ;;
	100k) bench_pop -e 50000 ;;
	mixed100k) bench_pop -e 37000 -H 5000 -t 10000 -l 1000 -6 2500 ;;
	# Issue 17's shape: 10% CLOSE_WAIT, 10% FIN_WAIT2, 10% TIME_WAIT, 5% IPv6.
	heavy100k) bench_pop -e 32500 -H 10000 -t 10000 -6 2500 ;;
	big500k) POP_SECONDS=900 bench_pop -e 250000 ;;
	big1m) POP_SECONDS=1500 bench_pop -e 500000 ;;
	*) log "unknown population $POP" ;;
	esac
done
[ "$ONLY" = rec ] || bench_churn
ELAPSED=$(($(date +%s) - T0))

# ---------------------------------------------------------------- report
machine() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
	echo "Machine: $cpu, $(nproc) cores, $mem RAM; $os; kernel $(uname -r);"
	echo "$(ss -V 2>/dev/null | head -n 1); net-tools $(netstat -V 2>/dev/null | head -n 1 | awk '{print $2}');"
	echo "tcpscope $($TS -V | awk 'NR == 1 {print $2}') ($(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?'))."
	echo "Each figure: median of $RUNS runs (ss -p: 2 at 100k), wall clock, output to /dev/null; bench took ${ELAPSED}s."
}

render() {
	awk -v pops="$POPS" -f "$top/tests/bench/report.awk" "$RES"
}

# The raw "POP KEY VALUE" lines beside the report: it can be rendered again.
cp "$RES" "$REPORT.raw" 2>/dev/null
{
	echo "## tcpscope benchmark"
	echo
	machine
	echo
	[ "$ONLY" = rec ] && echo "(BENCH_ONLY=rec: the recorder alone; load: $(cut -d ' ' -f 1-3 /proc/loadavg))" ||
		render
} >"$REPORT"
cat "$REPORT"

# ---------------------------------------------------------------- recorder
# Sizes and seek time of recordings (tests/tools/recbench.c: synthetic
# frames, no kernel): 10k sockets with 10% moving data, each at its own
# pace (1 KB/s to 1 MB/s, ±10% a frame), steady and at 1,000 connections
# per second of churn, one frame every 5 s; and seeks in a 24 h recording
# of 1,000 sockets built in seconds. The verdict on size is the real
# recording's below: the synthetic movers' jitter is random (~6 bytes of
# information a mover a frame), real counters move more regularly.
if [ -x "$TOOLS/recbench" ]; then
	mkdir -p "$tmp/rec"
	if timeout 600 "$TOOLS/recbench" "$tmp/rec" 10000 720 1000 >"$tmp/rec.txt" 2>&1; then
		v() { sed -n "s/^$1 //p" "$tmp/rec.txt"; }
		{
			echo
			echo "### Recorder (--record, one frame every 5 s)"
			echo
			echo "| population | bytes per socket per frame | raw | per 24 h | CPU per frame | share of a core |"
			echo "|---|---|---|---|---|---|"
			for k in idle steady churn; do
				case $k in idle) d="idle"; ;; steady) d="10% moving data"; ;; *) d="1,000 conn/s churn"; ;; esac
				echo "| 10k sockets, $d | $(v ${k}_bytes_per_socket_frame) | $(v ${k}_raw_bytes_per_socket_frame) | $(v ${k}_mb_per_day_5s) MB | $(v ${k}_cpu_ms_per_frame) ms | $(v ${k}_core_share_pct_5s)% |"
			done
			echo
			echo "Seek (find, decompress key + previous + frame, decode, restore): 10k sockets max $(v steady_seek_ms_max) ms;"
			echo "24 h recording of $(v day_sockets) sockets ($(v day_frames) frames, $(v day_bytes) bytes, built in $(v day_build_s) s):"
			echo "open $(v day_open_ms) ms, seek avg $(v day_seek_ms_avg) ms, max $(v day_seek_ms_max) ms."
			echo "Next/previous alert (a/A, $(v day_alert_frames) presses finding one, there and back): first time"
			echo "max $(v day_alert_ms_max) ms ($(v day_alert_decoded) frames decoded once), then max $(v day_alert_warm_ms_max) ms;"
			echo "a frame decoded on the side (Events refill) $(v day_peek_ms_per_frame) ms."
		} >>"$REPORT"
		sed -n '/^### Recorder/,$p' "$REPORT"
	else
		log "recbench failed: $(tail -n 3 "$tmp/rec.txt")"
	fi
fi

# A real recording: ~10k loopback sockets in this namespace, 10% of them
# moving data at steady, modest rates (popgen: 4,500 idle pairs; traffic:
# 500 pairs at 1-8 KB/s each way), the real `tcpscope --record` at the
# headless default -d 5 for BENCH_REC_SECONDS (default 420 s: the root and
# its first chunk of 60 frames, then a key and 23 frames of the next chunk;
# a chunk's frames cost alike from its second frame on, so those 23 stand
# for the 59 of a chunk, and a shorter run would have no key and no later
# frame at all). Sizes by kind of frame (recbench -i): the first chunk
# apart, as the root of a writer's first poll differs from every later
# frame in each socket's tracker fields. A day at 5 s is 24 roots, 264 keys
# and 16,992 later frames at the sizes measured. The recorder's own CPU per
# frame (encode, compress, write) and a seek: the same frames written again
# by tests/tools/reccols, which also checks that each replays exactly.
# Then churn at 1,000 connections per second (popgen -c 1000, each leaving
# a TIME_WAIT) over the same population for BENCH_REC_CHURN_SECONDS (default
# 60 s: 12 frames of a first chunk).
rec_real() { # NAME SECONDS TRAFFIC_PORT popgen-args...
	name=$1 secs=$2 tport=$3
	shift 3
	pop_start --max-seconds $((secs + 120)) "$@"
	rm -f "$tmp/traffic.out"
	"$TOOLS/traffic" "$tport" 500 $((secs + 60)) >"$tmp/traffic.out" 2>&1 &
	TPID=$!
	i=0
	while [ $i -lt 300 ] && ! grep -q '^ready' "$tmp/traffic.out" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	NSOCK=$(($(kv "$READY" total) + 1001))
	timeout -s TERM "$secs" "$TS" --record "$tmp/$name" -d 5 2>"$tmp/$name.err"
	kill "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	pop_stop
	"$TOOLS/recbench" -i "$NSOCK" 5 "$tmp/$name"/*.index >"$tmp/$name.txt" 2>&1 &&
		"$TOOLS/reccols" recode "$tmp/$name" "$tmp/$name.again" >>"$tmp/$name.txt" 2>&1
}
if [ -x "$TOOLS/traffic" ] && [ -x "$TOOLS/recbench" ] && [ -x "$TOOLS/reccols" ] && [ "$RS" -gt 0 ]; then
	POP=real
	if rec_real real "$RS" 7400 -e 4500; then
		v() { sed -n "s/^$1 //p" "$tmp/real.txt"; }
		{
			echo
			echo "### Recorder on real sockets (--record -d 5, $(v real_frames) frames in $RS s)"
			echo
			echo "$NSOCK loopback sockets, 1,000 of them moving data (1-8 KB/s each way)."
			echo
			echo "| frames | count | bytes (compressed + index entry) | raw bytes | per socket |"
			echo "|---|---|---|---|---|"
			for k in root key first_chunk delta; do
				echo "| $k | $(v real_${k}_frames) | $(v real_${k}_bytes_avg) | $(v real_${k}_raw_bytes_avg) | $(awk -v b="$(v real_${k}_bytes_avg)" -v n="$NSOCK" 'BEGIN { printf "%.2f", b / n }') |"
			done
			echo
			echo "Later frames: $(v real_delta_bytes_per_socket_frame) bytes per socket per frame. A day at one frame every 5 s"
			echo "(24 roots, 264 keys, the rest later frames, at the sizes above): **$(v real_mb_per_day) MB**."
			echo "Recorder CPU per frame (encode, compress, write; these frames again): $(v recode_cpu_ms_per_frame) ms,"
			echo "$(awk -v m="$(v recode_cpu_ms_per_frame)" 'BEGIN { printf "%.2f", m / 50 }')% of a core at -d 5; seek (open, root + key + previous + frame) max $(v recode_seek_ms_max) ms;"
			echo "frames replaying differently from what was recorded: $(v recode_frames_differing)."
		} >>"$REPORT"
		sed -n '/^### Recorder on real/,$p' "$REPORT"
	else
		log "real recording failed: $(tail -n 3 "$tmp/real.err" "$tmp/real.txt")"
	fi
	if [ "$RCS" -gt 0 ] && rec_real churn "$RCS" 7401 -e 4500 -c 1000 -s $((RCS + 10)); then
		v() { sed -n "s/^$1 //p" "$tmp/churn.txt"; }
		{
			echo
			echo "Churn at 1,000 connections/s on the same population (popgen -c 1000, $(v real_frames) frames in $RCS s, each"
			echo "connection leaving a TIME_WAIT): frames $(v real_first_chunk_bytes_avg) bytes, $(v real_delta_bytes_per_socket_frame) bytes per socket"
			echo "(of the $NSOCK before the churn), $(v real_mb_per_day) MB a day; recorder CPU $(v recode_cpu_ms_per_frame) ms a frame."
		} >>"$REPORT"
		sed -n '/^Churn at 1,000/,$p' "$REPORT"
	else
		[ "$RCS" -gt 0 ] && log "real churn recording failed: $(tail -n 3 "$tmp/churn.err" "$tmp/churn.txt")"
	fi
fi

# ---------------------------------------------------------------- -A
# Every network namespace at once (tests/bench/netns.sh: 10 and 50 staged
# namespaces of 2,000 sockets against bare dumps and an ss loop).
if [ "${BENCH_NETNS:-1}" != 0 ] && [ "$ONLY" != rec ]; then
	{
		echo
		echo "### Every namespace (-A)"
		echo
		timeout 600 sh "$top/tests/bench/netns.sh" "$BUILD"
	} >"$tmp/netns.md" 2>"$tmp/netns.err" || log "netns bench failed: $(tail -n 3 "$tmp/netns.err")"
	cat "$tmp/netns.md" >>"$REPORT"
	cat "$tmp/netns.md"
fi
