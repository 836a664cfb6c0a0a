#!/bin/sh
# The collector against ss(8), on real sockets in every state we can hold,
# IPv4 + IPv6 + v4-mapped, in a private network namespace:
#  - tcpscope -b -j (netlink) lists exactly the (state, local, remote) set ss -tan does
#  - Recv-Q / Send-Q agree
#  - the /proc source lists the same set
#  - process attribution names the staging process and its pid
#  - counts{} agree with the socket list; the text table has one row per socket
#  - the text table spells every endpoint as ss does, wildcard listeners
#    included (0.0.0.0:P, [::]:P v6-only, *:P dual-stack)
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v ss >/dev/null || skip_all "ss (iproute2) not installed"
command -v jq >/dev/null || skip_all "jq not installed"

mkfifo "$TESTTMP/in"
"$TOOLS/stage" 7000 46mw <"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
STAGE=$!
exec 3>"$TESTTMP/in"
trap 'exec 3>&-; kill $STAGE 2>/dev/null; wait; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || { cat "$TESTTMP/stage.out"; skip_all "staging failed"; }

tuples() { jq -r '.sockets[] | "\(.state) \(.local_addr) \(.local_port) \(.remote_addr) \(.remote_port)"'; }

ss -tanH | norm_ss | sort >"$TESTTMP/ss1"
"$TCPSCOPE" -b -j >"$TESTTMP/nl.json" 2>"$TESTTMP/nl.err"
rc=$?
ss -tanH | norm_ss | sort >"$TESTTMP/ss2"
ss -tanH | norm_ss Q | sort >"$TESTTMP/ssq"
check_rc() { [ "$rc" -eq 0 ]; }
ok "tcpscope -b -j exits 0" check_rc
ok "ss saw a stable population" cmp -s "$TESTTMP/ss1" "$TESTTMP/ss2"
ok "output is one valid JSON line" sh -c "[ \$(wc -l <'$TESTTMP/nl.json') -eq 1 ] && jq -e . '$TESTTMP/nl.json' >/dev/null"
ok "source is netlink" jq -e '.source == "netlink" and .partial == false' "$TESTTMP/nl.json"

tuples <"$TESTTMP/nl.json" | sort >"$TESTTMP/nl"
if diff "$TESTTMP/ss1" "$TESTTMP/nl" >"$TESTTMP/diff"; then
	pass "netlink tuples == ss -tan ($(wc -l <"$TESTTMP/nl") sockets)"
else
	fail "netlink tuples == ss -tan" "$(head -20 "$TESTTMP/diff")"
fi
states=$(cut -d' ' -f1 "$TESTTMP/nl" | sort -u | wc -l)
[ "$states" -ge 10 ] && pass "population covers $states states" || fail "population covers >= 10 states" "only $states"
fams=$(jq -r '[.sockets[].family] | unique | join(",")' "$TESTTMP/nl.json")
[ "$fams" = "ipv4,ipv6" ] && pass "both families present" || fail "both families present" "$fams"
ok "v4-mapped addresses reported as ss does" grep -q '::ffff:127.0.0.1' "$TESTTMP/nl"

jq -r '.sockets[] | "\(.state) \(.local_addr) \(.local_port) \(.remote_addr) \(.remote_port) \(.recv_q) \(.send_q)"' \
	"$TESTTMP/nl.json" | sort >"$TESTTMP/nlq"
if diff "$TESTTMP/ssq" "$TESTTMP/nlq" >"$TESTTMP/diffq"; then
	pass "Recv-Q/Send-Q == ss"
else
	fail "Recv-Q/Send-Q == ss" "$(head -10 "$TESTTMP/diffq")"
fi

# counts{} must describe the same list.
ok "counts match the socket list" jq -e '
	(.sockets | group_by(.state) | map({key: .[0].state, value: length}) | from_entries) as $c
	| all(.counts | to_entries[]; .value == ($c[.key] // 0)) and .total == (.sockets | length)' \
	"$TESTTMP/nl.json"
ok "cookies are unique and non-null" jq -e '[.sockets[].cookie] | (all(. != null)) and (unique | length) == length' "$TESTTMP/nl.json"
ok "tcp_info present on established sockets" jq -e '[.sockets[] | select(.state == "ESTABLISHED")] | length > 0 and all(.rtt_ms != null and .cwnd > 0 and .bytes_acked != null)' "$TESTTMP/nl.json"
# The rest of tcp_info (kept in the snapshot's side array only when JSON asks):
# every established socket has them, and has counted segments (an accepted
# socket's SYN-ACK is not in its segs_out: the kernel counts it on the
# request sock, so only the sum is sure to be non-zero).
ok "full tcp_info on established sockets (segs, snd_wnd, lost, sacked)" jq -e '[.sockets[] | select(.state == "ESTABLISHED")] | length > 0 and all(.segs_out + .segs_in > 0 and .snd_wnd > 0 and .lost != null and .sacked != null and .notsent_bytes != null)' "$TESTTMP/nl.json"
ok "TIME_WAIT has a running timer and no tcp_info" jq -e '[.sockets[] | select(.state == "TIME_WAIT")] | length > 0 and all(.timer == "timewait" and .timer_s > 0 and .timer_s <= 60 and .rtt_ms == null)' "$TESTTMP/nl.json"

# Process attribution: every socket the stage process holds names it.
spid=$(sed -n 's/^ready //p' "$TESTTMP/stage.out")
owned=$(jq --argjson p "$spid" '[.sockets[] | select(.pid == $p and .process == "stage")] | length' "$TESTTMP/nl.json")
withino=$(jq '[.sockets[] | select(.inode != null and .inode > 0)] | length' "$TESTTMP/nl.json")
[ "$owned" -gt 20 ] && [ "$owned" -eq "$withino" ] && pass "process attribution: $owned sockets → stage[$spid]" \
	|| fail "process attribution" "owned=$owned sockets-with-inode=$withino pid=$spid"
ok "no process lookup with --no-processes" sh -c "'$TCPSCOPE' -b -j --no-processes | jq -e 'all(.sockets[]; .pid == null)' >/dev/null"

# The /proc fallback sees the same population (and says what it cannot know).
"$TCPSCOPE" -b -j --source proc >"$TESTTMP/proc.json" 2>/dev/null
tuples <"$TESTTMP/proc.json" | sort >"$TESTTMP/proc"
if diff "$TESTTMP/nl" "$TESTTMP/proc" >"$TESTTMP/diffp"; then
	pass "/proc source tuples == netlink tuples"
else
	fail "/proc source tuples == netlink tuples" "$(head -10 "$TESTTMP/diffp")"
fi
ok "/proc source marks cookie and tcp_info unknown" jq -e '.source == "proc" and all(.sockets[]; .cookie == null and .rtt_ms == null)' "$TESTTMP/proc.json"
ok "/proc source marks a listener's backlog unknown" jq -e '[.sockets[] | select(.state == "LISTEN")] | length > 0 and all(.send_q == null)' "$TESTTMP/proc.json"
powned=$(jq --argjson p "$spid" '[.sockets[] | select(.pid == $p)] | length' "$TESTTMP/proc.json")
[ "$powned" -eq "$owned" ] && pass "/proc source attributes the same sockets" || fail "/proc attribution" "$powned vs $owned"

# State mask is not applied without a filter; the text table has a row per socket.
rows=$("$TCPSCOPE" -b --no-header | tail -n +2 | grep -c .)
n=$(wc -l <"$TESTTMP/nl")
[ "$rows" -eq "$n" ] && pass "text table: one row per socket ($rows)" || fail "text table rows" "$rows vs $n"
ok "text table shows the staging process" sh -c "'$TCPSCOPE' -b | grep -q 'stage\\[$spid\\]'"
# State, local and peer exactly as ss spells them (the population is stable:
# ss before and after agree, checked above).
"$TCPSCOPE" -b --no-header --no-processes | tail -n +2 | awk '{print $1, $4, $5}' | sort >"$TESTTMP/txt"
ss -tanH | awk '{print $1, $4, $5}' | sort >"$TESTTMP/sstxt"
if diff "$TESTTMP/sstxt" "$TESTTMP/txt" >"$TESTTMP/tdiff"; then
	pass "text endpoints == ss -tan's spelling ($(grep -c . "$TESTTMP/txt") rows)"
else
	fail "text endpoints == ss -tan's spelling" "$(head -10 "$TESTTMP/tdiff")"
fi
for ep in "0.0.0.0:7030 0.0.0.0:\\*" "\\[::\\]:7030 \\[::\\]:\\*" "\\*:7031 \\*:\\*"; do
	grep -q "^LISTEN $ep\$" "$TESTTMP/txt" && pass "wildcard listener shown as ss does: $(echo "$ep" | tr -d '\\')" ||
		fail "wildcard listener $ep" "$(grep LISTEN "$TESTTMP/txt" | tr '\n' ';')"
done

# -n/-d: two snapshots, two JSON lines, a delay apart.
"$TCPSCOPE" -b -j -n 2 -d 0.2 >"$TESTTMP/two.json"
ok "-n 2 gives two JSON lines 0.2 s apart" jq -s -e 'length == 2 and (.[1].time - .[0].time) >= 0.19 and (.[1].time - .[0].time) < 20' "$TESTTMP/two.json"
finish
