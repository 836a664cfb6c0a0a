#!/bin/sh
# A namespace that disappears while tcpscope watches it (-N NAME, then
# `ip netns del NAME`): tcpscope holds the namespace by being in it, so it
# keeps reporting it — every snapshot whole, exit 0 — and when the last
# socket owner exits, its listeners and owned sockets go, without errors.
# (A netns cannot vanish under a process inside it, so this is the whole of
# "the namespace disappears" for tcpscope.)
# A name deleted before start is a runtime failure (exit 1) naming it.
# Runs in a private mount + network namespace, so `ip netns add` stays here.
. "$(dirname "$0")/../lib/lib.sh"
if [ -z "${TCPS_IN_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip_all "needs root (ip netns, unshare)"
	command -v ip >/dev/null 2>&1 || skip_all "ip(8) not installed (iproute2)"
	command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
	unshare -m --propagation private true 2>/dev/null || skip_all "unshare -m refused here"
	TCPS_IN_MNTNS=1 exec unshare -m --propagation private -n -- sh "$0" "$@"
fi
# /run/netns must be a mount private to this namespace for ip netns add.
mkdir -p /run/netns
mount -t tmpfs tcps-netns /run/netns 2>/dev/null || skip_all "cannot mount a private /run/netns"
NS=tcps-gone-$$
ip netns add "$NS" || skip_all "ip netns add failed"
ip netns exec "$NS" ip link set lo up

mkfifo "$TESTTMP/in"
ip netns exec "$NS" "$TOOLS/stage" 7400 4 <"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
STAGE=$!
exec 3>"$TESTTMP/in"
cleanup() { exec 3>&- 2>/dev/null; kill $STAGE 2>/dev/null; wait; ip netns del "$NS" 2>/dev/null; rm -rf "$TESTTMP"; }
trap cleanup EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || { cat "$TESTTMP/stage.out"; skip_all "staging failed"; }
n0=$(ip netns exec "$NS" ss -tanH | wc -l)

# 8 snapshots 0.25 s apart; the name goes after the first, the sockets'
# owner after the fourth.
"$TCPSCOPE" -N "$NS" -b -j -n 8 -d 0.25 >"$TESTTMP/out.json" 2>"$TESTTMP/err" 3>&- &
TS=$!
wait_for 5 sh -c "[ \$(wc -l <'$TESTTMP/out.json') -ge 1 ]"
ip netns del "$NS"
ok "the name is gone" sh -c "! ip netns list | grep -q '$NS'"
wait_for 5 sh -c "[ \$(wc -l <'$TESTTMP/out.json') -ge 4 ]"
exec 3>&-
wait $STAGE 2>/dev/null
wait $TS
rc=$?
check_rc() { [ "$rc" -eq 0 ]; }
ok "tcpscope exits 0 after its namespace lost its name (exit $rc)" check_rc
lines=$(wc -l <"$TESTTMP/out.json")
[ "$lines" -eq 8 ] && pass "all 8 snapshots written" || fail "all 8 snapshots written" "$lines"
ok "no snapshot is partial, all from netlink" jq -s -e 'all(.[]; .partial == false and .source == "netlink")' "$TESTTMP/out.json"
first=$(head -n 1 "$TESTTMP/out.json" | jq '.total')
[ "$first" -eq "$n0" ] && pass "first snapshot = ss in the namespace ($n0)" || fail "first snapshot = ss" "$first vs $n0"
second=$(sed -n 2p "$TESTTMP/out.json" | jq '.total')
[ "$second" -eq "$n0" ] && pass "after ip netns del: still the same sockets" || fail "after ip netns del" "$second vs $n0"
# Orphans (FIN_WAIT1, TIME_WAIT ...) may linger; listeners and owners may not.
last=$(tail -n 1 "$TESTTMP/out.json" | jq '[.sockets[] | select(.state == "LISTEN" or .pid != null)] | length')
[ "$last" -eq 0 ] && pass "after the owner exits: no listener, no owned socket" \
	|| fail "after the owner exits" "$last listeners or owned sockets left"
if [ -s "$TESTTMP/err" ]; then fail "no errors on stderr" "$(head -c 300 "$TESTTMP/err")"; else pass "no errors on stderr"; fi

# Gone before start: a runtime failure that names it.
"$TCPSCOPE" -N "$NS" -b -j >/dev/null 2>"$TESTTMP/err2"
rc=$?
[ "$rc" -eq 1 ] && grep -qF "'$NS'" "$TESTTMP/err2" && pass "-N of a deleted name: exit 1 naming it" \
	|| fail "-N of a deleted name" "exit $rc: $(cat "$TESTTMP/err2")"
finish
