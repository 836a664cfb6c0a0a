# detect.sh — helpers for the detector tests (tests/integration/test_detect_*.sh),
# sourced after lib.sh.
#
#   stream_start OUT ARGS...   tcpscope -e -j ARGS in the background (TS_PID),
#                              returns once its baseline poll is done
#   stream_stop                SIGTERM it and wait (it exits 0)
#   leak_start OUT MODE ARGS.. the staging tool in the background (LEAK_PID),
#                              returns when it printed "ready" (T_READY = wall time)
#   wait_line OUT WORD         wait (bounded) for a line WORD in OUT; sets T_LINE
#   nev OUT EVENT KIND [JQ]    how many EVENT (alert_raised/alert_cleared)
#                              lines of KIND match the jq condition JQ
#   evfield OUT EVENT KIND EXPR  EXPR of the first such event
#   since T0 T1                T1 - T0 in seconds, 2 decimals

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

stream_start() {
	_out=$1; shift
	"$TCPSCOPE" -e -j "$@" >"$_out" 2>"$_out.err" &
	TS_PID=$!
	sleep 0.8
}

stream_stop() {
	kill -TERM "$TS_PID" 2>/dev/null
	wait "$TS_PID"
	TS_RC=$?
}

wait_line() {
	if wait_for 15 grep -qx "$2" "$1"; then
		T_LINE=$(now)
		return 0
	fi
	T_LINE=$(now)
	return 1
}

leak_start() {
	_out=$1; shift
	"$TOOLS/leak" "$@" >"$_out" 2>&1 &
	LEAK_PID=$!
	wait_line "$_out" ready
	T_READY=$T_LINE
}

nev() {
	jq -c --arg e "$2" --arg k "$3" "select(.event == \$e and .kind == \$k) | select(${4:-true})" "$1" | wc -l
}

evfield() {
	jq -r --arg e "$2" --arg k "$3" "select(.event == \$e and .kind == \$k) | $4" "$1" | head -n 1
}

# What every alert event must carry (README's JSON section).
alert_keys_ok() {
	jq -e -s 'map(select(.event == "alert_raised" or .event == "alert_cleared")) |
		all(.[]; has("time") and has("event") and has("kind") and has("severity") and
		    has("owner") and (.owner | has("by") and has("pid") and has("process") and
		    has("local_addr") and has("local_port") and has("remote_addr") and
		    has("remote_port") and has("text")) and has("count") and has("total") and
		    has("oldest_s") and has("oldest_known") and has("growth_per_min") and
		    has("value") and has("limit") and has("share_pct") and has("rate") and
		    has("unread") and has("distinct_sources") and has("bytes_unsent") and
		    has("persist") and has("backoff") and has("time_wait") and
		    has("findings") and has("top_destination") and has("raised") and has("clearing") and
		    has("active_s") and has("message"))' "$1" >/dev/null
}
