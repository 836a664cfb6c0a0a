#!/bin/sh
# ui_live.sh cpu|keys TCPSCOPE — the live view's figures for `make bench`,
# measured on the real binary in a tmux pane (a private tmux server, -L,
# killed at the end). Run it inside the namespace that holds the population
# (tests/bench/run.sh does). Prints "KEY VALUE" lines on stdout.
#
#   cpu   the live view at the default 1 s refresh: after UI_WARM seconds
#         (default 5), utime+stime of the tcpscope process from
#         /proc/PID/stat over UI_CPU_SECONDS (default 20):
#         refresh_s (the interval in force: the CPU budget may stretch it),
#         cpu_pct (share of one core), cpu_ms_tick and ticks (as if every
#         tick took 1 s), seconds; rss_idle_kb (the peak resident memory,
#         VmHWM, with no key pressed).
#   keys  key → screen: send a key with tmux, poll capture-pane until the
#         screen shows its effect (bounded: 3 s per key). Down (the selected
#         row moves one line), PgDn (the table scrolls a page), > and <
#         (sort by the next / previous column: LOCAL ↔ REMOTE, a full
#         re-sort: timed until the table's rows show the new order; the
#         time until anything shows it — the sort arrow, [sorting] — is
#         sortack, left out of the figures for all keys), a filter (F4, an expression no socket matches, Enter;
#         then F4, Ctrl-U, Enter: the filter cleared, a full filter pass and
#         sort of the table; timed until the rows show it — the time until
#         the tab line shows the filter or [filtering] is filterack, left
#         out of the figures for all keys as sortack is), a search (/, then one character of a text
#         that is nowhere: until the prompt line shows it; then Esc), each
#         UI_KEYS times (default 15), keys
#         spaced irregularly so they land at every phase of the 1 s tick:
#         key_down_ms, key_pgdn_ms, key_sort_ms, key_filter_ms,
#         key_sortack_ms, key_filterack_ms, key_search_ms (medians) and key_KIND_p90_ms, key_KIND_p99_ms,
#         key_KIND_max_ms for each,
#         key_ms (median of all), key_p90_ms, key_p99_ms, key_max_ms,
#         key_within (share ≤ 100 ms), key_n.
#         UI_KEYLOG=FILE appends every key's time there.
#         The figure includes tmux's own latency (send-keys, capture-pane:
#         a few ms).
set -u
MODE=${1:?usage: ui_live.sh cpu|keys TCPSCOPE}
TS=${2:?usage: ui_live.sh cpu|keys TCPSCOPE}
WARM=${UI_WARM:-5}
CPU_S=${UI_CPU_SECONDS:-20}
NKEYS=${UI_KEYS:-15}
command -v tmux >/dev/null 2>&1 || { echo "error tmux not installed"; exit 1; }

tmp=$(mktemp -d /tmp/tcpscope-uilive.XXXXXX)
SOCK="tcpscope-bench-$$"
T="tmux -L $SOCK -f /dev/null"
trap '$T kill-server 2>/dev/null; sleep 0.2; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%N | awk '{printf "%.1f", $1 / 1e6}'; }
screen() { $T capture-pane -p -t ui 2>/dev/null; }
# Monochrome (-C): the selected row differs from the others only in its
# attributes (reverse video). sel_sig: the attribute escapes of every line,
# text dropped — a tick that rewrites values leaves it alone, a moved
# selection changes it.
sel_sig() {
	$T capture-pane -p -e -t ui 2>/dev/null | awk '{
		out = ""; line = $0
		while (match(line, /\033\[[0-9;]*m/)) {
			out = out substr(line, RSTART + 2, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
		printf "%d:%s|", NR, out
	}'
}
# The column header (its sort arrow) and the first rows of the table: their
# local and remote endpoints (values such as IN-STATE change from tick to
# tick). A re-sort keeps the selected socket in place on the screen, and
# equal keys keep their order, so the arrow may be all that changes.
first_rows() { screen | awk 'seen && n++ < 10 {printf "%s %s|", $2, $3} / STATE.* LOCAL/ {print; seen = 1}'; }
# The rows alone: a big re-sort shows the new sort arrow and [sorting] at
# once and the rows once the page around the selection is made; the key
# counts until the rows show it (sortack: until anything shows it).
table_rows() { screen | awk 'seen && n++ < 10 {printf "%s %s|", $2, $3} / STATE.* LOCAL/ {seen = 1}'; }
# The tab line ("N/M shown  filter: ...  [filtering]"): a big table's
# filter change shows there at once, its rows once its pass has a page
# (filterack: until the tab line shows it).
tab_line() { screen | grep -F ' shown' | head -n 1; }

# Sorted by LOCAL (a stable order on a static population: ties broken by
# the socket's key), monochrome, own empty config, 160x50.
mkdir -p "$tmp/cfg"
$T new-session -d -s ui -x 160 -y 50 \
	"exec env LANG=C.UTF-8 TERM=screen-256color XDG_CONFIG_HOME='$tmp/cfg' '$TS' -C -d 1 -s local" ||
	{ echo "error tmux new-session failed"; exit 1; }
PID=$($T display-message -p -t ui '#{pane_pid}')
# Up when the first tick is on screen: a nonzero "N/M shown" (at a million
# sockets the first tick, which names every owner, takes tens of seconds;
# keys before it would time the empty table).
i=0
until screen | grep -q ' [1-9][0-9]*/[0-9]* shown'; do
	i=$((i + 1))
	[ "$i" -gt 1800 ] && { echo "error the live view did not come up: $(screen | head -3)"; exit 1; }
	sleep 0.1
done
sleep "$WARM"

cputicks() { # utime + stime, clock ticks (fields 14, 15 after the comm)
	sed 's/^.*) //' "/proc/$PID/stat" | awk '{print $12 + $13}'
}

if [ "$MODE" = cpu ]; then
	hz=$(getconf CLK_TCK)
	c0=$(cputicks) t0=$(now_ms)
	sleep "$CPU_S"
	c1=$(cputicks) t1=$(now_ms)
	kill -0 "$PID" 2>/dev/null || { echo "error the live view exited"; exit 1; }
	# The interval in force: the header names it when the CPU budget
	# stretched it ("refresh 20 s: a poll takes ..."), else the 1 s asked for.
	r=$(screen | sed -n 's/.*refresh \([0-9.][0-9.]*\) s:.*/\1/p' | head -n 1)
	echo "refresh_s ${r:-1}"
	awk -v c="$((c1 - c0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {
		s = (t1 - t0) / 1000; ms = 1000 * c / hz; ticks = s  # 1 s refresh
		printf "cpu_pct %.2f\ncpu_ms_tick %.1f\nticks %.0f\nseconds %.1f\n", 100 * ms / (s * 1000), ms / ticks, ticks, s
	}'
	# The peak resident memory with no key pressed (the keys mode's
	# rss_kb counts its re-sorts and filters too).
	echo "rss_idle_kb $(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status")"
	exit 0
fi

# ---------------------------------------------------------------- keys
# wait_change KIND BEFORE: poll until the screen shows the key's effect.
took() { # start_ms → prints elapsed ms, or "timeout"
	awk -v a="$1" -v b="$(now_ms)" 'BEGIN {printf "%.1f", b - a}'
}
measure() { # kind key
	kind=$1 key=$2
	ack=
	case $kind in
	down) before=$(sel_sig) ;;
	search) $T send-keys -t ui /; sleep 0.3; before=$(prompt_line) ;;
	sort) before=$(table_rows) before_ack=$(first_rows) ;;
	filter) before=$(table_rows) before_ack=$(tab_line) ;;
	*) before=$(first_rows) ;;
	esac
	t0=$(now_ms)
	case $kind in
	filter) if [ "$key" = on ]; then $T send-keys -t ui F4 'dport = :1' Enter
		else $T send-keys -t ui F4 C-u Enter; fi ;;
	*) $T send-keys -t ui "$key" ;;
	esac
	j=0
	while [ "$j" -lt 3000 ]; do
		case $kind in
		down) cur=$(sel_sig) ;;
		search) cur=$(prompt_line) ;;
		sort) [ -z "$ack" ] && [ "$(first_rows)" != "$before_ack" ] && ack=$(took "$t0")
			cur=$(table_rows) ;;
		filter) [ -z "$ack" ] && [ "$(tab_line)" != "$before_ack" ] && ack=$(took "$t0")
			cur=$(table_rows) ;;
		*) cur=$(first_rows) ;;
		esac
		if [ -n "$cur" ] && [ "$cur" != "$before" ]; then
			t=$(took "$t0")
			case $kind in sort | filter) echo "${kind}ack ${ack:-$t}" >>"$tmp/keys" ;; esac
			echo "$kind $t" >>"$tmp/keys"
			return 0
		fi
		j=$((j + 1))
		[ "$(took "$t0" | cut -d. -f1)" -gt 3000 ] && break
	done
	echo "$kind 3000" >>"$tmp/keys" # no effect within 3 s: counted as 3 s
}
# The search prompt's line: a typed character shows there once the key
# was handled (a search key used to scan every row first).
prompt_line() { screen | grep -o 'Search: [a-z]*' | tail -n 1; }
# Irregular gaps (0.15–0.95 s) so keys land at every phase of the tick.
gap() { awk -v s="$1" 'BEGIN {srand(s); printf "%.2f", 0.15 + 0.8 * rand()}'; }
: >"$tmp/keys"
k=1
while [ "$k" -le "$NKEYS" ]; do
	$T send-keys -t ui Home
	sleep "$(gap "$k")"
	measure down Down
	sleep "$(gap "$((k + 100))")"
	measure pgdn NPage
	sleep "$(gap "$((k + 200))")"
	# Re-sort: LOCAL → REMOTE (>) and back (<), a full sort of 100k each.
	if [ $((k % 2)) = 1 ]; then measure sort '>'; else measure sort '<'; fi
	sleep "$(gap "$((k + 300))")"
	# A filter that empties the table, then cleared again.
	measure filter on
	sleep "$(gap "$((k + 400))")"
	measure filter off
	sleep "$(gap "$((k + 500))")"
	# A search typed at the prompt for a text that is nowhere: the key →
	# the character on the prompt line; then Esc.
	measure search q
	$T send-keys -t ui Escape
	sleep "$(gap "$((k + 600))")"
	k=$((k + 1))
done
kill -0 "$PID" 2>/dev/null || { echo "error the live view exited"; exit 1; }
[ -n "${UI_DEBUG:-}" ] && cat "$tmp/keys" >&2
# Every key's time ("KIND MS" lines, after a "# BINARY" line), for a look
# beyond the percentiles.
[ -n "${UI_KEYLOG:-}" ] && { echo "# $TS"; cat "$tmp/keys"; } >>"$UI_KEYLOG"
med() { awk -v k="$1" '$1 == k || (k == "all" && $1 !~ /ack$/) {print $2}' "$tmp/keys" | sort -n |
	awk -v q="${2:-0.5}" '{v[NR] = $1} END {i = int(NR * q + 0.999); if (i < 1) i = 1; print v[i]}'; }
# Per kind: the median (key_KIND_ms), then p90 / p99 / max.
for kind in down pgdn sort sortack filter filterack search; do
	echo "key_${kind}_ms $(med $kind)"
	echo "key_${kind}_p90_ms $(med $kind 0.9)"
	echo "key_${kind}_p99_ms $(med $kind 0.99)"
	echo "key_${kind}_max_ms $(med $kind 1)"
done
echo "key_ms $(med all)"
echo "key_p90_ms $(med all 0.9)"
echo "key_p99_ms $(med all 0.99)"
echo "key_max_ms $(med all 1)"
echo "key_within $(awk '$1 !~ /ack$/ {m++; if ($2 <= 100) n++} END {printf "%.0f%%", 100 * n / m}' "$tmp/keys")"
echo "key_n $(grep -vc 'ack ' "$tmp/keys")"
# The whole process's peak resident memory after the keys (every re-sort
# and redraw at 100k has run by now).
echo "rss_kb $(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status")"
