#!/bin/sh
# -N/--netns: monitor another network namespace from outside it, by path,
# and compare with ss run inside that namespace. Also: clear errors for
# namespaces that cannot be entered.
. "$(dirname "$0")/../lib/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to create and enter network namespaces"
command -v unshare >/dev/null || skip_all "unshare(1) not installed"
command -v nsenter >/dev/null || skip_all "nsenter(1) not installed"
unshare -n true 2>/dev/null || skip_all "unshare(CLONE_NEWNET) refused here"

mkfifo "$TESTTMP/in"
# The stage process lives in a fresh namespace; we stay outside it.
unshare -n sh -c 'ip link set lo up && exec "$0" 7100 46f' "$TOOLS/stage" \
	<"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
exec 3>"$TESTTMP/in"
trap 'exec 3>&-; wait; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || skip_all "staging failed: $(cat "$TESTTMP/stage.out")"
spid=$(sed -n 's/^ready //p' "$TESTTMP/stage.out")
ns=/proc/$spid/ns/net

"$TCPSCOPE" -N "$ns" -b -j >"$TESTTMP/out.json" 2>"$TESTTMP/err"
rc=$?
[ $rc -eq 0 ] && pass "-N PATH exits 0" || fail "-N PATH exits 0" "rc=$rc $(cat "$TESTTMP/err")"
n_ts=$(jq '.total' "$TESTTMP/out.json")
n_ss=$(nsenter --net="$ns" ss -tanH | grep -c .)
[ "$n_ts" -gt 20 ] && [ "$n_ts" -eq "$n_ss" ] && pass "-N sees the namespace's $n_ts sockets, as ss does" \
	|| fail "-N socket count" "tcpscope=$n_ts ss=$n_ss"
ok "-N sees the staged ports" jq -e '[.sockets[] | select(.local_port == 7100 and .state == "LISTEN")] | length == 1' "$TESTTMP/out.json"
own=$(jq '[.sockets[] | select(.local_port == 7100 or .remote_port == 7100)] | length' "$TESTTMP/out.json")
# The namespace the test itself runs in does not have these sockets.
host=$("$TCPSCOPE" -b -j | jq '[.sockets[] | select(.local_port == 7100 and .state == "LISTEN")] | length')
[ "$host" -eq 0 ] && [ "$own" -gt 0 ] && pass "without -N the staged sockets are not visible" || fail "namespace isolation" "host=$host own=$own"
ok "-N keeps process attribution (pids are global)" jq -e --argjson p "$spid" '[.sockets[] | select(.pid == $p)] | length > 10' "$TESTTMP/out.json"
# The stage forked a child holding the same sockets: first holder + count.
ok "shared sockets: first process and a count of 2" jq -e --argjson p "$spid" \
	'[.sockets[] | select(.pid != null)] | length > 10 and all(.pid == $p and .process_count == 2)' "$TESTTMP/out.json"
"$TCPSCOPE" -N "$ns" -b >"$TESTTMP/out.txt"
ok "text shows name[pid]+1 for shared sockets" grep -q "stage\\[$spid\\]+1" "$TESTTMP/out.txt"

"$TCPSCOPE" -N tcpscope-no-such-ns -b -j >/dev/null 2>"$TESTTMP/err1"
rc=$?
[ $rc -eq 1 ] && grep -q "tcpscope-no-such-ns" "$TESTTMP/err1" && pass "unknown namespace name: exit 1 naming it" \
	|| fail "unknown namespace name" "rc=$rc $(cat "$TESTTMP/err1")"
"$TCPSCOPE" -N /etc/hostname -b -j >/dev/null 2>"$TESTTMP/err2"
rc=$?
[ $rc -eq 1 ] && grep -q "not a network namespace" "$TESTTMP/err2" && pass "a file that is not a namespace: exit 1, says so" \
	|| fail "non-namespace path" "rc=$rc $(cat "$TESTTMP/err2")"
finish
