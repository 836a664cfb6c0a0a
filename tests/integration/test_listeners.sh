#!/bin/sh
# test_listeners.sh — the listener audit (`tcpscope --listeners`, text and
# JSON) against listeners staged in private namespaces: wildcard v4,
# dual-stack and v6-only wildcards, loopback, addresses of a dummy
# interface (private and public; a veth pair where the kernel has no dummy driver), a narrowed ip_local_port_range with one
# reserved port, an SO_REUSEPORT pair held by two programs and one held by
# one program, a v4/v6 pair held by different programs, a full accept
# queue, Redis on a wildcard (and, in a second namespace, on 127.0.0.1).
# Each finding is checked exactly, the listener set against `ss -tlnH`,
# the filter terms, --fail-on exit statuses and bad input.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
command -v ss >/dev/null 2>&1 || skip_all "ss not installed (iproute2)"
[ -x "$TOOLS/listen" ] || skip_all "$TOOLS/listen not built"
# A dummy interface; kernels built without the dummy driver get a veth pair
# instead (both ends in this namespace: nothing leaves it).
ip link add d0 type dummy 2>/dev/null || ip link add d0 type veth peer name d0p 2>/dev/null ||
	skip_all "cannot create a dummy (or veth) interface"
ip link set d0 up
ip addr add 10.77.0.1/24 dev d0
ip addr add 198.51.100.7/24 dev d0
ip -6 addr add fd77::1/64 dev d0 nodad
sysctl -qw net.ipv4.ip_local_port_range="40000 40999" || skip_all "cannot set ip_local_port_range"
sysctl -qw net.ipv4.ip_local_reserved_ports=40500

mkdir -p "$TESTTMP/bin"
fifo=$TESTTMP/hold.fifo
mkfifo "$fifo"
exec 3<>"$fifo" # held open read-write: holders block on nothing, get EOF at the end
holders=""
# hold NAME ARGS...: run the listen tool as program NAME (its comm)
hold() {
	name=$1; shift
	cp "$TOOLS/listen" "$TESTTMP/bin/$name"
	"$TESTTMP/bin/$name" -t 90 "$@" <"$fifo" >"$TESTTMP/$name.out" 2>&1 &
	holders="$holders $!"
	wait_for 10 grep -q ready "$TESTTMP/$name.out" || fail "stage $name" "$(cat "$TESTTMP/$name.out")"
}
cleanup() {
	for p in $holders; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap 'cleanup; rm -rf "$TESTTMP"' EXIT

hold svc-wild4 0.0.0.0 7001
hold svc-dual -6 0 :: 7002
hold svc-v6only -6 1 :: 7003
hold svc-lo 127.0.0.1 7004
hold svc-dummy 10.77.0.1 7005
hold svc-eph 0.0.0.0 40100
hold svc-rsv 0.0.0.0 40500
hold svc-rp-a -r 0.0.0.0 7010
hold svc-rp-b -r 0.0.0.0 7010
hold svc-rp-one -r 0.0.0.0 7011 0.0.0.0 7011
hold svc-pair4 0.0.0.0 7020
hold svc-pair6 -u 65534 -6 1 :: 7020
hold svc-queue -b 2 127.0.0.1 7030 -c 2
hold redis-server 0.0.0.0 6379
hold memcached 198.51.100.7 11211
hold mysqld fd77::1 3306

"$TCPSCOPE" --listeners -j >"$TESTTMP/a.json" 2>"$TESTTMP/err"
rc=$?
[ "$rc" -eq 0 ] && pass "--listeners -j exits 0" || fail "--listeners -j" "rc=$rc $(cat "$TESTTMP/err")"
"$TCPSCOPE" --listeners >"$TESTTMP/a.txt" 2>"$TESTTMP/err"
rc=$?
[ "$rc" -eq 0 ] && pass "--listeners exits 0" || fail "--listeners" "rc=$rc $(cat "$TESTTMP/err")"

# Every listener with its exposure, interface, port class, ephemeral flag,
# process, owners in its port group and finding kinds: exactly these.
jq -r '.listeners[] | [(.local_addr + ":" + (.local_port|tostring)), .exposure, .scope,
	(.interface // "-"), .port_class, (.ephemeral|tostring), (.reserved|tostring),
	.process, (.owners|tostring), ([.findings[] | .kind + "/" + .severity] | join(",") |
	if . == "" then "-" else . end)] | join(" ")' "$TESTTMP/a.json" >"$TESTTMP/got"
cat >"$TESTTMP/want" <<'WANT'
fd77::1:3306 address private d0 registered false false mysqld 1 -
0.0.0.0:6379 wildcard-v4 any - registered false false redis-server 1 risky/critical
0.0.0.0:7001 wildcard-v4 any - registered false false svc-wild4 1 -
:::7002 wildcard-dual any - registered false false svc-dual 1 -
:::7003 wildcard-v6 any - registered false false svc-v6only 1 -
127.0.0.1:7004 loopback loopback lo registered false false svc-lo 1 -
10.77.0.1:7005 address private d0 registered false false svc-dummy 1 -
0.0.0.0:7010 wildcard-v4 any - registered false false svc-rp-a 2 shared/warning
0.0.0.0:7010 wildcard-v4 any - registered false false svc-rp-b 2 shared/warning
0.0.0.0:7011 wildcard-v4 any - registered false false svc-rp-one 1 reuseport/info
0.0.0.0:7011 wildcard-v4 any - registered false false svc-rp-one 1 reuseport/info
0.0.0.0:7020 wildcard-v4 any - registered false false svc-pair4 2 shared/warning
:::7020 wildcard-v6 any - registered false false svc-pair6 2 shared/warning
127.0.0.1:7030 loopback loopback lo registered false false svc-queue 1 queue_full/warning
198.51.100.7:11211 address public d0 registered false false memcached 1 risky/critical
0.0.0.0:40100 wildcard-v4 any - registered true false svc-eph 1 ephemeral/warning
0.0.0.0:40500 wildcard-v4 any - registered false true svc-rsv 1 -
WANT
if cmp -s "$TESTTMP/got" "$TESTTMP/want"; then
	pass "every listener and finding, exactly (JSON)"
else
	fail "listeners (JSON)" "$(diff "$TESTTMP/want" "$TESTTMP/got")"
fi

jq -e '.port_range == {"low":40000,"high":40999} and .reserved_ports == [[40500,40500]]
	and .summary.critical == 2 and .summary.warning == 6 and .summary.info == 2
	and .summary.listeners == 17 and .summary.ports == 14' "$TESTTMP/a.json" >/dev/null &&
	pass "summary: range, reserved ports, findings per severity" ||
	fail "summary" "$(jq -c '[.port_range, .reserved_ports, .summary]' "$TESTTMP/a.json")"
jq -e '[.listeners[] | select(.local_port == 7030)][0] | .accept_queue == 2 and .backlog == 2
	and .queue_fill_pct == 100' "$TESTTMP/a.json" >/dev/null &&
	pass "accept queue 2/2 = 100%" || fail "accept queue" "$(jq -c '.listeners[] | select(.local_port == 7030)' "$TESTTMP/a.json")"
jq -e '[.listeners[] | select(.local_port == 7020 and .family == "ipv6")][0] | .uid == 65534 and .v6only == true' \
	"$TESTTMP/a.json" >/dev/null && pass "uid and v6only of the v6 half of the pair" ||
	fail "pair uid" "$(jq -c '.listeners[] | select(.local_port == 7020)' "$TESTTMP/a.json")"
jq -e '[.listeners[] | select(.local_port == 40100)][0].findings[0].fix ==
	"sysctl -w net.ipv4.ip_local_reserved_ports=40500,40100"' "$TESTTMP/a.json" >/dev/null &&
	pass "JSON carries the sysctl line that reserves 40100" || fail "fix line" "$(jq -c '.listeners[] | select(.local_port == 40100)' "$TESTTMP/a.json")"
jq -e '.listeners[] | select(.accepts_per_s != null)' "$TESTTMP/a.json" >/dev/null &&
	fail "one report has no accept rate" "" || pass "one report: accepts_per_s is null (no interval)"

# The text report says the same.
has() { # name, fixed string expected in the text report
	grep -qF -- "$2" "$TESTTMP/a.txt" && pass "$1" || fail "$1" "missing: $2"
}
has "text: Redis reachable unless a firewall" \
	"CRITICAL risky: Redis on 0.0.0.0:6379 (all IPv4) is reachable unless a firewall blocks it"
has "text: Memcached on the public dummy address" \
	"CRITICAL risky: Memcached on 198.51.100.7:11211 (one address) is reachable unless a firewall blocks it"
has "text: ephemeral port and its sysctl line" \
	"WARNING  ephemeral: port 40100 lies in ip_local_port_range 40000-40999 and is not reserved: an outgoing connection can take it while the service restarts; reserve it: sysctl -w net.ipv4.ip_local_reserved_ports=40500,40100"
has "text: SO_REUSEPORT shared by two programs" "WARNING  shared: port 7010 is also held by svc-rp-b["
has "text: v4/v6 pair held apart" "IPv4 and IPv6 clients reach different programs"
has "text: same-program reuseport" "INFO     reuseport: 2 sockets of svc-rp-one["
has "text: accept queue linked to listen_overflow" "WARNING  queue_full: accept queue 2/2 (100%): svc-queue["
has "text: summary line" "LISTENERS: 17 on 14 ports; findings: 2 critical, 6 warning, 2 info; ip_local_port_range 40000-40999, reserved 40500"
grep -E '^10\.77\.0\.1:7005 +one address +d0 ' "$TESTTMP/a.txt" >/dev/null &&
	pass "text: the dummy address names its interface" || fail "text: interface" "$(grep 7005 "$TESTTMP/a.txt")"
grep -E '^\[::\]:7003 +all IPv6 \(v6only\) ' "$TESTTMP/a.txt" >/dev/null &&
	pass "text: v6-only wildcard" || fail "text: v6only" "$(grep 7003 "$TESTTMP/a.txt")"
grep -E '^\[::\]:7002 +all IPv4\+IPv6 ' "$TESTTMP/a.txt" >/dev/null &&
	pass "text: dual-stack wildcard" || fail "text: dual" "$(grep 7002 "$TESTTMP/a.txt")"
n_txt=$(grep -cE '^    (CRITICAL|WARNING|INFO) ' "$TESTTMP/a.txt")
n_json=$(jq '[.listeners[].findings[]] | length' "$TESTTMP/a.json")
[ "$n_txt" = "$n_json" ] && [ "$n_txt" = 10 ] && pass "text and JSON list the same 10 findings" ||
	fail "finding count" "text $n_txt json $n_json"
grep -q "exposed" "$TESTTMP/a.txt" && fail "never says 'exposed' as a fact" "$(grep exposed "$TESTTMP/a.txt")" ||
	pass "never says 'exposed' as a fact"

n=$("$TCPSCOPE" --listeners --no-header 'sport = :7001' | wc -l)
[ "$n" = 1 ] && pass "--no-header: only the row" || fail "--no-header" "$n lines"

# The listener set equals ss -tlnH (ss prints a dual-stack [::] as *).
ss -tlnH | awk '{print $4}' | sed 's/^\*:/[::]:/' | sort >"$TESTTMP/ss"
jq -r '.listeners[] | if .family == "ipv6" then "[" + .local_addr + "]:" + (.local_port|tostring)
	else .local_addr + ":" + (.local_port|tostring) end' "$TESTTMP/a.json" | sort >"$TESTTMP/ours"
cmp -s "$TESTTMP/ss" "$TESTTMP/ours" && pass "listener set equals ss -tlnH ($(wc -l <"$TESTTMP/ours"))" ||
	fail "vs ss" "$(diff "$TESTTMP/ss" "$TESTTMP/ours")"

# Filter terms narrow the listeners.
got=$("$TCPSCOPE" --listeners -j exposed | jq -r '[.listeners[].local_port] | unique | join(",")')
[ "$got" = "6379,7001,7002,7003,7010,7011,7020,11211,40100,40500" ] && pass "filter: exposed" ||
	fail "filter: exposed" "$got"
got=$("$TCPSCOPE" --listeners -j ephemeral | jq -r '[.listeners[].local_port] | join(",")')
[ "$got" = "40100" ] && pass "filter: ephemeral" || fail "filter: ephemeral" "$got"
got=$("$TCPSCOPE" --listeners -j portclass registered and not exposed | jq -r '[.listeners[].local_port] | unique | join(",")')
[ "$got" = "3306,7004,7005,7030" ] && pass "filter: portclass and not exposed" || fail "filter: not exposed" "$got"

# The findings as alerts of the exposure detector, with its switches.
alerts() { "$TCPSCOPE" -b -j -n 1 "$@" | jq -r '[.alerts[] | select(.kind == "exposure") |
	.owner.local_port|tostring] | sort | join(",")'; }
got=$(alerts)
[ "$got" = "11211,40100,6379,7010,7020,7020" ] && pass "exposure alerts: risky, ephemeral, shared" ||
	fail "exposure alerts" "$got"
"$TCPSCOPE" -b -j -n 1 | jq -e '[.alerts[] | select(.kind == "exposure" and .owner.local_port == 6379)][0] |
	.severity == "critical" and .findings == ["risky"] and (.message | contains("Redis is reachable unless a firewall blocks it"))' \
	>/dev/null && pass "exposure alert on Redis: critical, firewall wording" || fail "redis alert" ""
got=$(alerts --threshold exposure.enabled=off)
[ -z "$got" ] && pass "exposure.enabled=off silences it" || fail "exposure.enabled=off" "$got"
got=$(alerts --threshold exposure.shared=off --threshold exposure.ephemeral=off)
[ "$got" = "11211,6379" ] && pass "exposure.shared/ephemeral=off keep the risky ones" || fail "switches" "$got"

# --fail-on: 3 when a finding reaches the level, else 0.
"$TCPSCOPE" --listeners --fail-on critical >/dev/null; rc=$?
[ "$rc" = 3 ] && pass "--fail-on critical: exit 3" || fail "--fail-on critical" "rc=$rc"
"$TCPSCOPE" --listeners --fail-on WARNING -j 'sport = :7010' >/dev/null; rc=$?
[ "$rc" = 3 ] && pass "--fail-on WARNING on a shared port: exit 3" || fail "--fail-on WARNING" "rc=$rc"
"$TCPSCOPE" --listeners --fail-on critical 'sport = :7010' >/dev/null; rc=$?
[ "$rc" = 0 ] && pass "--fail-on critical below it: exit 0" || fail "--fail-on critical below" "rc=$rc"
"$TCPSCOPE" --listeners --fail-on info 'sport = :7001' >/dev/null; rc=$?
[ "$rc" = 0 ] && pass "--fail-on info with no finding: exit 0" || fail "--fail-on info none" "rc=$rc"
"$TCPSCOPE" --listeners --fail-on info 'sport = :7011' >/dev/null; rc=$?
[ "$rc" = 3 ] && pass "--fail-on info on a reuseport group: exit 3" || fail "--fail-on info" "rc=$rc"

# Bad input: exit 2, naming the culprit.
bad() { # name, expected text, args...
	name=$1 want=$2; shift 2
	"$TCPSCOPE" "$@" >"$TESTTMP/out" 2>"$TESTTMP/err"; rc=$?
	[ "$rc" = 2 ] && grep -qF -- "$want" "$TESTTMP/err" && [ ! -s "$TESTTMP/out" ] && pass "$name" ||
		fail "$name" "rc=$rc $(cat "$TESTTMP/err")"
}
bad "unknown --fail-on level" "--fail-on: unknown level 'bogus'" --listeners --fail-on bogus
bad "--listeners with -e" "--listeners cannot be combined with -e" --listeners -e
bad "--listeners with -F" "--listeners cannot be combined with -F/--filter" --listeners -F exposed
bad "--listeners with -s" "--listeners cannot be combined with -s/--sort" -s rtt --listeners
bad "--fail-on without --listeners" "--fail-on needs --listeners" -b --fail-on warning
bad "--fail-on without a level" "option '--fail-on' needs a value" --listeners --fail-on

# Accepts per second: two reports two seconds apart, three connections
# made after the first one is out.
hold svc-acc 127.0.0.1 7040
"$TCPSCOPE" --listeners -j -n 2 -d 2 'sport = :7040' >"$TESTTMP/acc.json" 2>&1 &
tp=$!
wait_for 5 grep -q listeners "$TESTTMP/acc.json"
hold client -C 3 127.0.0.1 7040
wait $tp
jq -s -e '(.[0].listeners[0].accepts_per_s == null) and (.[1].listeners[0].accepts_per_s > 1.2)
	and (.[1].listeners[0].accepts_per_s < 1.8)' "$TESTTMP/acc.json" >/dev/null &&
	pass "accepts/s: null first, 3 in 2 s = 1.5/s on the second report" ||
	fail "accepts/s" "$(cat "$TESTTMP/acc.json" | jq -c '[.listeners[] | .accepts_per_s]' 2>&1)"

# Redis on 127.0.0.1 (its own namespace: a wildcard holds 6379 here) is
# fine; read through -N, which must also read that namespace's port range.
mkdir -p "$TESTTMP/bin2"
cp "$TOOLS/listen" "$TESTTMP/bin2/redis-server"
unshare -n sh -c 'ip link set lo up && exec "$0" -t 30 127.0.0.1 6379' "$TESTTMP/bin2/redis-server" \
	<"$fifo" >"$TESTTMP/r2.out" 2>&1 &
r2=$!
holders="$holders $r2"
if wait_for 10 grep -q ready "$TESTTMP/r2.out"; then
	"$TCPSCOPE" --listeners -j --fail-on warning -N "/proc/$r2/ns/net" >"$TESTTMP/lo.json"
	rc=$?
	jq -e '.listeners | length == 1 and .[0].exposure == "loopback" and
		.[0].risky_service == "Redis" and (.[0].findings | length) == 0' "$TESTTMP/lo.json" >/dev/null &&
		[ "$rc" = 0 ] && pass "Redis on 127.0.0.1 (-N): no finding, --fail-on warning exits 0" ||
		fail "redis loopback" "rc=$rc $(cat "$TESTTMP/lo.json")"
	jq -e '.port_range.low == 32768' "$TESTTMP/lo.json" >/dev/null &&
		pass "-N reads the target namespace's ip_local_port_range" ||
		fail "-N port range" "$(jq -c .port_range "$TESTTMP/lo.json")"
	got=$("$TCPSCOPE" --listeners -j -N "/proc/$r2/ns/net" ephemeral | jq '.listeners | length')
	[ "$got" = 0 ] && pass "-N: 'ephemeral' judged by that namespace's range" || fail "-N ephemeral" "$got"
else
	fail "stage redis in a second namespace" "$(cat "$TESTTMP/r2.out")"
fi

# The /proc source has no IPV6_V6ONLY: a [::] listener counts as dual-stack.
"$TCPSCOPE" --listeners -j --source proc >"$TESTTMP/proc.json"
jq -e '[.listeners[] | select(.local_port == 7003)][0] | .v6only == null and .exposure == "wildcard-dual"' \
	"$TESTTMP/proc.json" >/dev/null && pass "--source proc: v6only unknown, assumed dual-stack" ||
	fail "--source proc" "$(jq -c '.listeners[] | select(.local_port == 7003)' "$TESTTMP/proc.json")"
want=$(ss -tlnH | wc -l)
[ "$(jq '.listeners | length' "$TESTTMP/proc.json")" = "$want" ] && pass "--source proc: as many listeners as ss ($want)" ||
	fail "--source proc count" "$(jq '.listeners | length' "$TESTTMP/proc.json") vs $want"

finish
