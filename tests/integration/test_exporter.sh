#!/bin/sh
# test_exporter.sh — `tcpscope --serve` scraped by a real Prometheus (the
# Debian package, started here on loopback inside a private namespace, 1 s
# scrape and rule interval, storage in $TESTTMP, stopped at the end):
#  - the text exposition passes `promtool check metrics`; the OpenMetrics one
#    the spec's rules (tests/tools/omcheck: # EOF, _created, escaping);
#    --textfile writes the same, mode 0600, atomically, and node_exporter's
#    textfile collector reads it without error;
#  - the shipped rules pass their `promtool test rules` unit tests;
#  - tcpscope_sockets{state} as Prometheus stored it equals `ss -tan` in the
#    monitored namespace (tcpscope -N: the scrapes' own sockets stay out);
#  - bad clients (slowloris, 200 concurrent scrapers, 1 MB request line and
#    header, other methods, `..` and `%00` paths, an idle connection) get
#    their error or timeout while Prometheus keeps scraping fresh metrics;
#  - a staged CLOSE_WAIT leak makes TcpscopeCloseWaitLeak fire with
#    owner="leak", every expression of the Grafana dashboard returns data,
#    and the alert resolves once the leak is closed.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
for c in prometheus promtool curl jq ss nsenter; do
	command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed (make check installs it)"
done
for t in stage leak badhttp omcheck; do
	[ -x "$TOOLS/$t" ] || skip_all "no $TOOLS/$t"
done
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RULES=$TOP/docs/prometheus/tcpscope.rules.yml
DASH=$TOP/docs/grafana/tcpscope.json
PORT=19977
PPORT=19090
URL=http://127.0.0.1:$PORT/metrics
PROM=http://127.0.0.1:$PPORT
T0=$(date +%s)

# ---- the shipped rules' unit tests
out=$(cd "$TOP/docs/prometheus" && promtool test rules tcpscope.rules.test.yml 2>&1)
check "promtool test rules: every shipped rule's unit test passes" $? "$out"

# ---- the monitored namespace: a staged population, nothing else
mkfifo "$TESTTMP/in"
unshare -n sh -c 'ip link set lo up && exec "$0" 7300 4' "$TOOLS/stage" \
	<"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
exec 3>"$TESTTMP/in"
TS_PID= PROM_PID=
cleanup() {
	[ -n "$TS_PID" ] && kill "$TS_PID" 2>/dev/null
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null
	exec 3>&-
	wait
	rm -rf "$TESTTMP"
}
trap cleanup EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || skip_all "staging failed: $(cat "$TESTTMP/stage.out")"
SPID=$(sed -n 's/^ready //p' "$TESTTMP/stage.out")
NS=/proc/$SPID/ns/net
in_m() { nsenter --net="$NS" "$@"; }

mkdir "$TESTTMP/tf"
"$TCPSCOPE" -N "$NS" --serve "127.0.0.1:$PORT" --textfile "$TESTTMP/tf/tcpscope.prom" -d 0.5 \
	--threshold close_wait.age=1s --threshold close_wait.clear=0.6s 2>"$TESTTMP/ts.err" &
TS_PID=$!
wait_for 15 curl -sf -o /dev/null "$URL"
check "--serve answers GET /metrics" $? "$(cat "$TESTTMP/ts.err")"

# ---- the command line
for bad in "--serve 70000" "--serve ::1:80" "--serve 9977 -b" "--serve 9977 -j" "--textfile=" \
	"--serve 9977 state established"; do
	# shellcheck disable=SC2086
	"$TCPSCOPE" $bad >/dev/null 2>"$TESTTMP/err"; rc=$?
	[ $rc -eq 2 ] && [ -s "$TESTTMP/err" ]
	check "bad usage '$bad': exit 2 with a message" $? "rc=$rc $(cat "$TESTTMP/err")"
done
"$TCPSCOPE" --serve "127.0.0.1:$PORT" -n 1 >/dev/null 2>"$TESTTMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q "cannot serve on 127.0.0.1:$PORT" "$TESTTMP/err"
check "a port in use: exit 1 naming it" $? "rc=$rc $(cat "$TESTTMP/err")"
"$TCPSCOPE" --help | grep -q -- '--serve \[\[ADDR:\]PORT\]'
check "--help documents --serve and --textfile" $?

# ---- lint both formats and the textfile
curl -sf "$URL" >"$TESTTMP/text.prom"
out=$(promtool check metrics <"$TESTTMP/text.prom" 2>&1)
check "promtool check metrics: the text exposition is clean" $? "$out"
curl -sf -D "$TESTTMP/om.hdr" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
	"$URL" >"$TESTTMP/om.txt"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$TESTTMP/om.hdr"
check "Accept: OpenMetrics gets application/openmetrics-text" $? "$(cat "$TESTTMP/om.hdr")"
out=$("$TOOLS/omcheck" -c <"$TESTTMP/om.txt")
check "the OpenMetrics exposition follows the spec (omcheck -c)" $? "$out"
grep -q '^tcpscope_alerts_raised_created{kind="close_wait"} ' "$TESTTMP/om.txt" &&
	grep -q '^# TYPE tcpscope_alerts_raised counter' "$TESTTMP/om.txt" &&
	grep -q '^tcpscope_alerts_raised_total{kind="close_wait"} ' "$TESTTMP/text.prom" &&
	! grep -q '_created' "$TESTTMP/text.prom"
check "counters: _total + _created in OpenMetrics, _total only in text" $?
curl -sf -H 'Accept: text/plain;version=0.0.4' -D - -o /dev/null "$URL" | grep -qi '^content-type: text/plain; version=0.0.4'
check "Accept: text/plain gets the text format" $?
TF=$TESTTMP/tf/tcpscope.prom
wait_for 5 test -f "$TF"
mode=$(stat -c %a "$TF" 2>/dev/null)
[ "$mode" = 600 ] && [ ! -e "$TF.tmp" ]
check "--textfile: mode 0600, no temporary left" $? "mode=$mode; $(ls -la "$TESTTMP/tf")"
out=$(promtool check metrics <"$TF" 2>&1) && grep -q '^tcpscope_sockets{state="LISTEN"}' "$TF"
check "--textfile: the same exposition, lint clean" $? "$out"
if command -v prometheus-node-exporter >/dev/null 2>&1; then
	prometheus-node-exporter --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$TESTTMP/tf" --web.listen-address=127.0.0.1:19100 \
		>"$TESTTMP/ne.log" 2>&1 &
	NE=$!
	wait_for 10 curl -sf -o "$TESTTMP/ne.out" http://127.0.0.1:19100/metrics
	kill "$NE" 2>/dev/null
	wait "$NE" 2>/dev/null
	grep -q '^tcpscope_sockets{state="LISTEN"} [1-9]' "$TESTTMP/ne.out" &&
		grep -q '^node_textfile_scrape_error 0' "$TESTTMP/ne.out"
	check "node_exporter's textfile collector reads the file without error" $? \
		"$(grep -E 'textfile|^tcpscope_sockets' "$TESTTMP/ne.out" | head -n 5; tail -n 3 "$TESTTMP/ne.log")"
else
	skip "node_exporter textfile collector" "prometheus-node-exporter not installed"
fi

# ---- a real Prometheus
mkdir -p "$TESTTMP/tsdb"
cat >"$TESTTMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: tcpscope
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YML
prometheus --config.file="$TESTTMP/prometheus.yml" --storage.tsdb.path="$TESTTMP/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TESTTMP/prom.log" 2>&1 &
PROM_PID=$!
q() { curl -sf --get --data-urlencode "query=$1" "$PROM/api/v1/query"; }
qval() { q "$1" | jq -r '.data.result[0].value[1] // empty'; }
up_ok() { [ "$(qval 'up{job="tcpscope"}')" = 1 ] && [ -n "$(qval 'tcpscope_polls_total')" ]; }
wait_for 30 up_ok
check "Prometheus scrapes tcpscope (up == 1)" $? "$(tail -n 5 "$TESTTMP/prom.log")"

# ---- per-state values equal ss -tan in the monitored namespace
ss_counts() {
	in_m ss -tanH | awk '
	BEGIN { m["ESTAB"]="ESTABLISHED"; m["SYN-SENT"]="SYN_SENT"; m["SYN-RECV"]="SYN_RECV"
		m["FIN-WAIT-1"]="FIN_WAIT1"; m["FIN-WAIT-2"]="FIN_WAIT2"; m["TIME-WAIT"]="TIME_WAIT"
		m["UNCONN"]="CLOSE"; m["CLOSE-WAIT"]="CLOSE_WAIT"; m["LAST-ACK"]="LAST_ACK"
		m["LISTEN"]="LISTEN"; m["CLOSING"]="CLOSING"
		split("ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING", all, " ")
		for (i in all) n[all[i]] = 0 }
	{ n[m[$1]]++ }
	END { for (s in n) print s, n[s] }' | sort
}
prom_counts() {
	q 'tcpscope_sockets' | jq -r '.data.result[] | "\(.metric.state) \(.value[1])"' | sort
}
states_equal() {
	sleep 1.2 # a scrape after the last poll
	ss_counts >"$TESTTMP/ss.cnt"
	prom_counts >"$TESTTMP/prom.cnt"
	[ -s "$TESTTMP/ss.cnt" ] && cmp -s "$TESTTMP/ss.cnt" "$TESTTMP/prom.cnt"
}
ok_eq=1
for i in 1 2 3 4 5; do
	states_equal && { ok_eq=0; break; }
done
check "tcpscope_sockets{state} in Prometheus equals ss -tan, state by state" $ok_eq \
	"$(paste "$TESTTMP/ss.cnt" "$TESTTMP/prom.cnt" | tr '\t' ' ')"
nstates=$(awk '$2 > 0' "$TESTTMP/ss.cnt" | wc -l)
[ "$nstates" -ge 9 ]
check "the staged population holds $nstates states" $?

# ---- bad clients, while Prometheus keeps scraping
# Each kind of bad client from its own address: the per-address limit
# (16 connections) is what keeps a slowloris from starving the others.
B="$TOOLS/badhttp 127.0.0.1 $PORT"
T_BAD=$(date +%s)
$B 127.0.0.2 slowloris 40 8 >"$TESTTMP/slow.out" 2>&1 &
SLOW=$!
# a scraper of our own, once a second: tcpscope_polls_total must grow each time
( for i in 1 2 3 4 5 6 7 8; do
	curl -s -m 2 "$URL" | awk '$1 == "tcpscope_polls_total" { print $2 }'
	sleep 1
  done ) >"$TESTTMP/fresh.out" 2>&1 &
FRESH=$!
$B 127.0.0.3 flood 200 >"$TESTTMP/flood.out" 2>&1
$B 127.0.0.3 flood 200 >>"$TESTTMP/flood.out" 2>&1
r_line=$($B 127.0.0.4 big line 1048576)
r_head=$($B 127.0.0.4 big header 1048576)
r_post=$($B 127.0.0.4 raw 'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello')
r_del=$($B 127.0.0.4 raw 'DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
r_nul=$($B 127.0.0.4 raw 'GET /metrics%00 HTTP/1.1\r\nHost: x\r\n\r\n')
r_dot=$($B 127.0.0.4 raw 'GET /../metrics HTTP/1.1\r\nHost: x\r\n\r\n')
r_x=$($B 127.0.0.4 raw 'GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n')
r_root=$(curl -s "http://127.0.0.1:$PORT/" | grep -c 'href="/metrics"')
r_idle=$($B 127.0.0.4 idle 12)
wait "$SLOW" "$FRESH"
case $r_line in "big 414"|"big 431"|"big 400"|"big 000") true ;; *) false ;; esac
check "1 MB request line: an error status or a close ($r_line)" $?
case $r_head in "big 431"|"big 413"|"big 400"|"big 000") true ;; *) false ;; esac
check "1 MB header: an error status or a close ($r_head)" $?
[ "$r_post" = "raw 405" ] && [ "$r_del" = "raw 405" ]
check "POST and DELETE: 405" $? "$r_post / $r_del"
[ "$r_nul" = "raw 404" ] && [ "$r_dot" = "raw 404" ] && [ "$r_x" = "raw 404" ]
check "paths with %00 and ..: 404" $? "$r_nul / $r_dot / $r_x"
[ "$r_root" = 1 ]
check "GET / links /metrics" $?
t=$(echo "$r_idle" | awk '$2 == "closed_after" { print $3 }')
[ -n "$t" ] && awk -v t="$t" 'BEGIN { exit !(t >= 3 && t <= 8) }'
check "an idle connection is closed by the timeout ($r_idle)" $?
awk '{ ok += $3; tot += $3 + $5 + $7 } END { exit !(tot == 400 && ok >= 32) }' "$TESTTMP/flood.out"
check "200 concurrent scrapers (twice): each answered or refused, none hangs" $? "$(cat "$TESTTMP/flood.out")"
grep -q 'slowloris open 16 ' "$TESTTMP/slow.out"
check "slowloris: held to the per-address limit (16 of 40)" $? "$(cat "$TESTTMP/slow.out")"
awk 'NF { if (n && $1 <= last) bad = 1; last = $1; n++ } END { exit !(n >= 7 && !bad) }' "$TESTTMP/fresh.out"
check "meanwhile a scraper saw tcpscope_polls_total grow every second" $? "$(tr '\n' ' ' <"$TESTTMP/fresh.out")"
W=$(( $(date +%s) - T_BAD + 1 ))
sc=$(qval "count_over_time(up{job=\"tcpscope\"}[${W}s])")
mn=$(qval "min_over_time(up{job=\"tcpscope\"}[${W}s])")
age=$(qval "max_over_time((timestamp(tcpscope_last_poll_timestamp_seconds) - tcpscope_last_poll_timestamp_seconds)[${W}s:1s])")
[ "$mn" = 1 ] && [ "${sc:-0}" -ge $((W - 3)) ] && awk -v a="$age" 'BEGIN { exit !(a != "" && a < 2.5) }'
check "meanwhile Prometheus scraped every second, fresh ($sc scrapes in ${W}s, up min $mn, oldest poll ${age}s)" $?

# ---- a CLOSE_WAIT leak fires the shipped rule, then resolves
firing() {
	curl -sf "$PROM/api/v1/alerts" | jq -e --arg st "$1" '[.data.alerts[] | select(.labels.alertname == "TcpscopeCloseWaitLeak" and .labels.owner == "leak" and .state == $st)] | length >= 1'
}
# (the stage's own CLOSE_WAIT socket raises one for owner="stage": it stays)
any_leak_alert() {
	curl -sf "$PROM/api/v1/alerts" | jq -e '[.data.alerts[] | select(.labels.alertname == "TcpscopeCloseWaitLeak" and .labels.owner == "leak")] | length >= 1'
}
# A: short (its closes feed the lifetime histogram); B: holds the alert
nsenter --net="$NS" "$TOOLS/leak" closewait 7101 6 3 40 >"$TESTTMP/leakA.out" 2>&1 &
LA=$!
nsenter --net="$NS" "$TOOLS/leak" closewait 7102 4 14 2 >"$TESTTMP/leakB.out" 2>&1 &
LB=$!
wait_for 10 grep -qx ready "$TESTTMP/leakB.out"
T_LEAK=$(date +%s)
wait_for 15 firing firing
check "TcpscopeCloseWaitLeak fires with owner=\"leak\" ($(( $(date +%s) - T_LEAK )) s)" $? \
	"$(curl -sf "$PROM/api/v1/alerts" | head -c 800)"
[ "$(qval 'sum(max_over_time(tcpscope_owner_sockets{owner="leak",state="CLOSE_WAIT"}[20s]))')" = 10 ]
check "tcpscope_owner_sockets{owner=\"leak\",state=\"CLOSE_WAIT\"} reached 6 + 4" $? \
	"$(q 'tcpscope_owner_sockets{owner="leak"}' | head -c 600)"
wait_for 10 grep -qx closed "$TESTTMP/leakA.out"
# A's closes reach the lifetime histogram; rate() needs two scrapes of it
lifetime_scraped() {
	[ "$(qval 'min(count_over_time(tcpscope_connection_lifetime_seconds_count[30s]))')" -ge 2 ] 2>/dev/null
}
wait_for 10 lifetime_scraped

# ---- every expression of the Grafana dashboard returns data
if jq -e . "$DASH" >/dev/null 2>&1; then
	jq -r '.. | objects | select(has("expr")) | .expr' "$DASH" |
		sed -e 's/\$__rate_interval/30s/g' -e 's/\$__range/1m/g' -e 's/\$instance/.+/g' \
		    -e 's/\$job/tcpscope/g' >"$TESTTMP/exprs"
	n=0 nodata=""
	while IFS= read -r e; do
		n=$((n + 1))
		cnt=$(q "$e" | jq -r '.data.result | length')
		[ "${cnt:-0}" -gt 0 ] || nodata="$nodata [$e]"
	done <"$TESTTMP/exprs"
	[ "$n" -ge 10 ] && [ -z "$nodata" ]
	check "Grafana dashboard: all $n expressions return data" $? "no data:$nodata"
else
	fail "Grafana dashboard" "$DASH missing or not JSON"
fi

wait_for 20 grep -qx closed "$TESTTMP/leakB.out"
T_CLOSED=$(date +%s)
res=1
i=0
while [ $i -lt 60 ]; do
	if ! any_leak_alert >/dev/null 2>&1; then res=0; break; fi
	sleep 0.25
	i=$((i + 1))
done
check "the alert resolves after the leak closes ($(( $(date +%s) - T_CLOSED )) s)" $res
r=$(qval 'tcpscope_alerts_raised_total{kind="close_wait"}')
c=$(qval 'tcpscope_alerts_cleared_total{kind="close_wait"}')
[ "${r:-0}" -ge 1 ] && [ "${c:-0}" -ge 1 ]
check "raised/cleared counters count it (raised $r, cleared $c)" $?
kill "$LA" 2>/dev/null
wait "$LA" "$LB" 2>/dev/null

# ---- the systemd unit's capabilities, measured: an unprivileged user names
# other users' processes with CAP_DAC_READ_SEARCH + CAP_SYS_PTRACE, and
# says its owners are limited without them.
if command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$TESTTMP"
	mkdir -m 0777 "$TESTTMP/cap"
	caps=+dac_read_search,+sys_ptrace
	"$TOOLS/leak" closewait 7401 2 20 0 >"$TESTTMP/leakP.out" 2>&1 &
	LP=$!
	wait_for 10 grep -qx ready "$TESTTMP/leakP.out"
	HOME=/ setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps \
		"$TCPSCOPE" --textfile "$TESTTMP/cap/with.prom" -n 1 2>/dev/null
	HOME=/ setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TCPSCOPE" --textfile "$TESTTMP/cap/without.prom" -n 1 2>/dev/null
	kill "$LP" 2>/dev/null
	wait "$LP" 2>/dev/null
	grep -q '^tcpscope_owner_sockets{owner="leak",state="CLOSE_WAIT"} 2$' "$TESTTMP/cap/with.prom" &&
		grep -q '^tcpscope_owners_limited 0' "$TESTTMP/cap/with.prom" &&
		grep -q '^tcpscope_owners_limited 1' "$TESTTMP/cap/without.prom" &&
		! grep -q 'owner="leak"' "$TESTTMP/cap/without.prom"
	check "unprivileged: owners need CAP_DAC_READ_SEARCH + CAP_SYS_PTRACE (the unit's set)" $? \
		"$(grep -E 'owner_sockets|owners_limited' "$TESTTMP/cap/with.prom" "$TESTTMP/cap/without.prom" 2>&1 | head -n 12)"
else
	skip "unprivileged capabilities" "setpriv (util-linux) not installed"
fi

kill -TERM "$TS_PID"
wait "$TS_PID"
rc=$?
TS_PID=
check "tcpscope --serve exits 0 on SIGTERM" $rc "rc=$rc $(cat "$TESTTMP/ts.err")"
echo "INFO: test_exporter ran $(( $(date +%s) - T0 )) s"
finish
