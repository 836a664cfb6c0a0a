#!/bin/sh
# screenshots.sh BUILD OUTDIR — `make screenshots`: stage a realistic TCP
# population in a private network namespace (tests/tools/ui_stage --shots:
# web traffic, a database pool, a CLOSE_WAIT leak, TIME_WAIT, a half-open
# backlog), run tcpscope in tmux, capture views with colours
# (capture-pane -e), turn them into HTML with aha, and render PNGs with
# headless Chromium. Needs root (for the namespace), tmux, aha, chromium.
set -eu
BUILD=${1:-build}
OUT=${2:-screenshots}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
TCPSCOPE="$top/$BUILD/tcpscope"
STAGE="$top/$BUILD/tools/ui_stage"
for t in tmux aha chromium unshare; do
	command -v $t >/dev/null 2>&1 || { echo "screenshots: $t is missing (apt-get install tmux aha chromium)"; exit 1; }
done
[ -x "$TCPSCOPE" ] && [ -x "$STAGE" ] || { echo "screenshots: build first (make check-build)"; exit 1; }

if [ -z "${TCPS_IN_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "screenshots: needs root for a private network namespace"; exit 1; }
	TCPS_IN_NETNS=1 exec unshare -n -- sh "$0" "$@"
fi
ip link set lo up

W=150 H=42
TMP=$(mktemp -d /tmp/tcpscope-shots.XXXXXX)
SOCK="tcpscope-shots-$$"
T="tmux -L $SOCK -f /dev/null"
HOLD= STAGEPID=
cleanup() {
	$T kill-server 2>/dev/null || true
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
	[ -n "$STAGEPID" ] && kill "$STAGEPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
mkdir -p "$OUT"

mkfifo "$TMP/fifo"
"$STAGE" --shots <"$TMP/fifo" >"$TMP/stage.out" 2>&1 &
STAGEPID=$!
sleep 1000 >"$TMP/fifo" &
HOLD=$!
i=0
until grep -q ready "$TMP/stage.out"; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "screenshots: stage failed"; cat "$TMP/stage.out"; exit 1; }
	sleep 0.1
done
echo "tw 40" >"$TMP/fifo"
echo "syn 6" >"$TMP/fifo"

export XDG_CONFIG_HOME="$TMP/cfg"
$T new-session -d -s shot -x $W -y $H \
	"TERM=tmux-256color LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' -d 1 -H 2 --threshold close_wait.age=5s --threshold syn_sent.age=5s; sleep 40"
keys() { $T send-keys -t shot "$@"; }
sleep 4
echo "cw" >"$TMP/fifo" # the leak: 24 connections left in CLOSE_WAIT by leaky-app
sleep 3.5

shot() { # name
	$T capture-pane -p -e -N -t shot >"$TMP/$1.ans"
	{
		printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		printf 'body{margin:0;background:#101010;} pre{margin:0;padding:8px;'
		printf 'font-family:"DejaVu Sans Mono",monospace;font-size:14px;line-height:17px;color:#d0d0d0;}'
		printf '</style></head><body><pre>'
		aha --no-header --black <"$TMP/$1.ans"
		printf '</pre></body></html>\n'
	} >"$TMP/$1.html"
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TMP/chrome" --hide-scrollbars \
		--screenshot="$top/$OUT/$1.png" --window-size=$((W * 85 / 10 + 16)),$((H * 17 + 16)) \
		"file://$TMP/$1.html" >/dev/null 2>&1
	echo "screenshots: $OUT/$1.png"
}

# 1. Main view: sorted by receive rate (RX/S, the 9th column), busiest first.
keys '>' '>' '>' '>' '>' '>' '>' '>'
sleep 2.2
# The selection keeps its socket across the re-sort (anchored by key): go
# to the top, where the busiest are.
keys Home Down Down
sleep 0.3
shot main
# 2. Grouped by process: leaky-app holds every CLOSE_WAIT.
keys F5
sleep 1.2
keys '/' 'leaky-app' Enter Right
sleep 1.2
shot grouped
# 3. Filtered to one port with an ss-style expression, then the detail of
# one leaked socket.
# Back to no grouping: remote host, local port, state, service/container, none.
keys F5 F5 F5 F5 F5 '\' 'sport = :9000' Enter
sleep 1.2
shot filtered
keys Home Enter
sleep 1.2
shot detail
keys Escape '\' C-u Enter
# 4. Listeners with accept-queue fill.
keys Tab
sleep 1.2
shot listeners
# 5. Events log.
keys Tab
sleep 0.5
echo "tw 5" >"$TMP/fifo"
sleep 1.5
shot events
# 6. Alerts.
keys Tab
sleep 1
shot alerts
keys q
