#!/bin/sh
# test_allnetns.sh — -A: every network namespace at once, each socket
# labelled with its namespace. Three namespaces made by the test with their
# own populations (every state in one, a CLOSE_WAIT leak in another, an
# identical 127.0.0.1:8080 listener in two), plus one held only by its bind
# mount (no process: TIME_WAIT remnants). Each namespace's sockets in
# `tcpscope -A -b -j` equal `ip netns exec NS ss -tan`; the CLOSE_WAIT alert
# names its namespace; a namespace deleted mid-run ends its sockets as
# closed; bad combinations exit 2.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v ss >/dev/null || skip_all "ss (iproute2) not installed"
command -v jq >/dev/null || skip_all "jq not installed"

P=tsA$$
NS1=${P}a NS2=${P}b NS3=${P}c NS4=${P}d
PIDS=""
cleanup() {
	exec 3>&- 4>&- 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $NS1 $NS2 $NS3 $NS4; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TESTTMP"
}
trap cleanup EXIT
for n in $NS1 $NS2 $NS3 $NS4; do
	ip netns add "$n" || skip_all "ip netns add refused"
	ip netns exec "$n" ip link set lo up
done

# NS1: every state (the staging tool), plus a listener on 127.0.0.1:8080.
mkfifo "$TESTTMP/in1"
ip netns exec "$NS1" "$TOOLS/stage" 7000 4 <"$TESTTMP/in1" >"$TESTTMP/stage1.out" 2>&1 &
PIDS="$PIDS $!"
exec 3>"$TESTTMP/in1"
# NS2: a CLOSE_WAIT leak (its process: leak) and the same 127.0.0.1:8080.
ip netns exec "$NS2" "$TOOLS/leak" closewait 7101 5 30 1 >"$TESTTMP/leak.out" 2>&1 &
PIDS="$PIDS $!"
# 127.0.0.1:8080 in NS1 and NS2 and NS3, held by one process each.
mkfifo "$TESTTMP/in3"
for n in $NS1 $NS2 $NS3; do
	ip netns exec "$n" "$TOOLS/stage" 8080 4 <"$TESTTMP/in3" >"$TESTTMP/stage-$n.out" 2>&1 &
	PIDS="$PIDS $!"
done
exec 4>"$TESTTMP/in3"
# NS4: connections closed by both sides leave TIME_WAIT behind; then no
# process is left in it: only its bind mount holds it.
ip netns exec "$NS4" "$TOOLS/leak" timewait 7201 3 0 >"$TESTTMP/tw.out" 2>&1
wait_for 10 grep -q ready "$TESTTMP/stage1.out" || skip_all "staging failed: $(cat "$TESTTMP/stage1.out")"
for n in $NS1 $NS2 $NS3; do
	wait_for 10 grep -q ready "$TESTTMP/stage-$n.out" || skip_all "staging in $n failed"
done
wait_for 10 grep -qx ready "$TESTTMP/leak.out" || skip_all "leak failed: $(cat "$TESTTMP/leak.out")"
sleep 0.3

"$TCPSCOPE" -A -b -j -n 1 --threshold close_wait.age=0.5s >"$TESTTMP/all.json" 2>"$TESTTMP/all.err"
rc=$?
check "tcpscope -A -b -j exits 0" "$rc" "rc $rc: $(cat "$TESTTMP/all.err")"
for n in $NS1 $NS2 $NS3 $NS4; do
	ip netns exec "$n" ss -tanH | norm_ss | sort >"$TESTTMP/ss-$n"
	jq -r --arg n "$n" '.sockets[] | select(.netns.name == $n) |
		"\(.state) \(.local_addr) \(.local_port) \(.remote_addr) \(.remote_port)"' \
		"$TESTTMP/all.json" | sort >"$TESTTMP/ts-$n"
	cnt=$(wc -l <"$TESTTMP/ss-$n")
	if [ "$cnt" -gt 0 ] && diff "$TESTTMP/ss-$n" "$TESTTMP/ts-$n" >"$TESTTMP/diff-$n"; then
		pass "namespace $n: the same $cnt sockets as ip netns exec $n ss -tan"
	else
		fail "namespace $n equals ss" "$cnt from ss; $(head -12 "$TESTTMP/diff-$n")"
	fi
done
[ "$(wc -l <"$TESTTMP/ss-$NS4")" -ge 3 ] && ! grep -qv TIME_WAIT "$TESTTMP/ts-$NS4"
check "the namespace held only by its bind mount shows its TIME_WAIT sockets" $? \
	"$(cat "$TESTTMP/ts-$NS4")"
# The same 127.0.0.1:8080 listener in three namespaces: three sockets, each
# with its own namespace id, owner and process.
jq -e --arg a "$NS1" --arg b "$NS2" --arg c "$NS3" '[.sockets[] |
	select(.state == "LISTEN" and .local_addr == "127.0.0.1" and .local_port == 8080 and
	       (.netns.name == $a or .netns.name == $b or .netns.name == $c))] |
	length == 3 and (map(.netns.id) | unique | length == 3) and all(.process == "stage")' \
	"$TESTTMP/all.json" >/dev/null
check "three identical 127.0.0.1:8080 listeners stay three, one per namespace" $? \
	"$(jq -c '[.sockets[] | select(.local_port == 8080 and .state == "LISTEN") | [.netns, .process]]' "$TESTTMP/all.json")"
# The alert names the leaking process and its namespace.
jq -e --arg n "$NS2" '.alerts | map(select(.kind == "close_wait" and .owner.process == "leak" and
	(.message | contains("in " + $n)))) | length == 1' "$TESTTMP/all.json" >/dev/null
check "close_wait alert: leak in $NS2" $? "$(jq -c '.alerts' "$TESTTMP/all.json" | head -c 600)"
jq -e --arg n "$NS2" --arg p "$P" '.alerts | map(select(.kind == "close_wait" and
	.owner.process == "leak" and (.message | contains(" in " + $p)))) | all(.message | contains($n))' \
	"$TESTTMP/all.json" >/dev/null
check "no leak alert in this test's other namespaces" $?
# The staging tool leaves a CLOSE_WAIT socket in each of its namespaces:
# one alert per namespace, each naming its own.
jq -e --arg a "$NS1" --arg c "$NS3" '[.alerts[] | select(.kind == "close_wait" and
	.owner.process == "stage")] | (map(select(.message | contains("in " + $a))) | length >= 1) and
	(map(select(.message | contains("in " + $c))) | length == 1)' "$TESTTMP/all.json" >/dev/null
check "the same owner kind in two namespaces: separate alerts, each naming its namespace" $? \
	"$(jq -c '[.alerts[] | select(.kind == "close_wait") | .message]' "$TESTTMP/all.json" | head -c 800)"


# The exporter with -A: sockets per namespace and state, exactly ss's.
"$TCPSCOPE" -A --textfile "$TESTTMP/m.prom" -n 2 -d 0.3 >/dev/null 2>"$TESTTMP/m.err"
want=$(grep -c '^ESTABLISHED ' "$TESTTMP/ss-$NS1")
got=$(sed -n "s/^tcpscope_netns_sockets{netns=\"$NS1\",state=\"ESTABLISHED\"} //p" "$TESTTMP/m.prom")
[ -n "$got" ] && [ "$got" = "$want" ]
check "--textfile -A: tcpscope_netns_sockets for $NS1 ESTABLISHED = ss's $want" $? "got '$got': $(grep netns_sockets "$TESTTMP/m.prom" | head -3) $(cat "$TESTTMP/m.err")"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TESTTMP/m.prom" >"$TESTTMP/lint" 2>&1
	check "promtool check metrics: clean with -A" $? "$(head -5 "$TESTTMP/lint")"
fi

# Text output: a Netns column first.
"$TCPSCOPE" -A -b -n 1 "netns $NS3" >"$TESTTMP/all.txt" 2>&1
grep -q '^Netns  *State ' "$TESTTMP/all.txt" &&
	[ "$(grep -c "^$NS3 " "$TESTTMP/all.txt")" -eq "$(wc -l <"$TESTTMP/ss-$NS3")" ]
check "-A -b 'netns NAME': a Netns column, that namespace's sockets only" $? \
	"$(grep -c "^$NS3 " "$TESTTMP/all.txt") rows vs $(wc -l <"$TESTTMP/ss-$NS3") from ss: $(head -n 5 "$TESTTMP/all.txt")"
# The filter by inode.
ID3=$(jq -r --arg n "$NS3" '[.sockets[] | select(.netns.name == $n)][0].netns.id' "$TESTTMP/all.json")
"$TCPSCOPE" -A -b -j -n 1 "netns $ID3" >"$TESTTMP/byid.json" 2>/dev/null
jq -e --arg n "$NS3" '(.sockets | length) > 0 and all(.sockets[]; .netns.name == $n)' \
	"$TESTTMP/byid.json" >/dev/null
check "'netns INODE' selects the same namespace" $?

# A namespace deleted mid-run: its sockets end as closed; nothing crashes.
# The stream must see the socket alive first (its first tick may take a
# while on a busy host): a listener made after the stream started shows up
# as `new`, then its process ends and the namespace is deleted.
"$TCPSCOPE" -A -e -j -d 0.3 --netns-rescan 0.5 "netns $NS3" >"$TESTTMP/ev.json" 2>"$TESTTMP/ev.err" 3>&- 4>&- &
EV=$!
PIDS="$PIDS $EV"
exec 4>&- # the three 8080 stagers exit
sleep 1
ip netns exec "$NS3" "$TOOLS/leak" backlog 9191 2 60 0 >"$TESTTMP/late.out" 2>&1 &
LATE=$!
PIDS="$PIDS $LATE"
seen() { # event port
	# -R/fromjson?: the last line may be half written while we read.
	jq -R -e -s --arg n "$NS3" --arg e "$1" --argjson p "$2" '[split("\n")[] | fromjson? |
		select(.event == $e and .netns.name == $n and .local_port == $p and .state == "LISTEN")] |
		length > 0' "$TESTTMP/ev.json" >/dev/null 2>&1
}
wait_for 30 seen new 9191
check "-A -e: a listener made later in $NS3 shows up as new" $? "$(tail -c 400 "$TESTTMP/ev.json") $(cat "$TESTTMP/ev.err")"
kill "$LATE" 2>/dev/null
wait "$LATE" 2>/dev/null
ip netns del "$NS3"
wait_for 30 seen closed 9191
check "$NS3 deleted: its listener ends as closed" $? "$(tail -c 600 "$TESTTMP/ev.json") $(cat "$TESTTMP/ev.err")"
wait_for 10 grep -q "namespace $NS3 is gone" "$TESTTMP/ev.err"
check "a notice says the namespace is gone" $? "$(cat "$TESTTMP/ev.err")"
kill -TERM "$EV"
wait "$EV"
check "-A -e exits 0 on SIGTERM" $?

# Bad combinations.
"$TCPSCOPE" -A -N "$NS1" -b >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q -- "-A" "$TESTTMP/bad.err"
check "-A with -N exits 2 naming -A" $? "$(cat "$TESTTMP/bad.err")"
"$TCPSCOPE" -A --source proc -b >/dev/null 2>"$TESTTMP/bad2.err"
[ $? -eq 2 ] && grep -q "netlink" "$TESTTMP/bad2.err"
check "-A with --source proc exits 2" $? "$(cat "$TESTTMP/bad2.err")"
# Unprivileged: only tcpscope's own namespace, with a notice; never a crash.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$TCPSCOPE" -A -b -j -n 1 \
		>"$TESTTMP/nobody.json" 2>"$TESTTMP/nobody.err"
	rc=$?
	[ "$rc" -eq 0 ] && jq -e . "$TESTTMP/nobody.json" >/dev/null
	check "unprivileged -A runs (exit 0) with what it may see" $? "rc $rc: $(cat "$TESTTMP/nobody.err")"
	grep -q "not root\|unavailable" "$TESTTMP/nobody.err"
	check "unprivileged -A says what it cannot see" $? "$(cat "$TESTTMP/nobody.err")"
else
	skip "unprivileged -A" "no user nobody or no setpriv(1)"
fi
finish
