#!/bin/sh
# Socket memory and fields by state, against ss(8), on the staged
# population (tests/tools/stage.c: every state, IPv4 + IPv6, wildcard
# listeners; zero-window sockets that keep dropping probes, a listener that
# drops SYNs), in a private network namespace:
#  - `tcpscope -b -j`'s "skmem" equals `ss -tamn`'s skmem:(r,rb,t,tb,f,w,o,bl,d)
#    for every socket whose skmem ss saw unchanged before and after it;
#    null exactly where ss shows none (TIME_WAIT, request sockets);
#  - fields that do not apply to a state are null (a listener's rtt, cwnd,
#    retransmits, bytes; a SYN_SENT's rtt but not its rto), and "-" in the
#    text table;
#  - socket memory is asked of the kernel only when something shows it;
#  - the live view's memory columns show ss's values and a DROPS cell turns
#    red while the drops rise; the Listeners view tells 0.0.0.0, [::] and *
#    apart; a listener's detail view has '-' for rtt and cwnd (tmux).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v ss >/dev/null || skip_all "ss (iproute2) not installed"
command -v jq >/dev/null || skip_all "jq not installed"

mkfifo "$TESTTMP/in"
"$TOOLS/stage" 7000 46w <"$TESTTMP/in" >"$TESTTMP/stage.out" 2>&1 &
STAGE=$!
exec 3>"$TESTTMP/in"
TSOCK="tcpscope-mem-$$"
T="tmux -L $TSOCK -f /dev/null"
trap 'exec 3>&-; $T kill-server 2>/dev/null; kill $STAGE 2>/dev/null; wait; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/stage.out" || { cat "$TESTTMP/stage.out"; skip_all "staging failed"; }

# "FAM LPORT RPORT r rb t tb f w o bl d" per socket ss shows skmem for.
ss_mem() {
	ss -tamnH | awk '
	function port(ep) { sub(/.*:/, "", ep); return ep == "*" ? 0 : ep }
	/^[A-Z]/ { fam = ($4 ~ /^[[*]/) ? 6 : 4; key = fam " " port($4) " " port($5); next }
	/skmem:/ { m = $0; sub(/.*skmem:\(/, "", m); sub(/\).*/, "", m)
		   gsub(/[a-z]+/, "", m); gsub(/,/, " ", m); print key, m }' | sort
}
ts_mem() {
	jq -r '.sockets[] | select(.skmem != null) |
		"\(if .family == "ipv6" then 6 else 4 end) \(.local_port) \(.remote_port) " +
		([.skmem.rmem_alloc, .skmem.rcvbuf, .skmem.wmem_alloc, .skmem.sndbuf,
		  .skmem.fwd_alloc, .skmem.wmem_queued, .skmem.optmem, .skmem.backlog,
		  .skmem.drops] | map(tostring) | join(" "))' "$1" | sort
}

ss_mem >"$TESTTMP/ss1"
"$TCPSCOPE" -b -j --no-processes >"$TESTTMP/snap.json"
ss_mem >"$TESTTMP/ss2"
ts_mem "$TESTTMP/snap.json" >"$TESTTMP/ts"
# Sockets whose memory ss saw unchanged around tcpscope's dump must match.
stable=$(comm -12 "$TESTTMP/ss1" "$TESTTMP/ss2")
n=$(echo "$stable" | grep -c .)
missing=$(echo "$stable" | comm -23 - "$TESTTMP/ts")
nall=$(grep -c . "$TESTTMP/ss2")
if [ "$n" -ge 30 ] && [ -z "$missing" ]; then
	pass "skmem == ss -tamn's for all $n sockets ss saw unchanged (of $nall)"
else
	fail "skmem == ss -tamn's" "stable $n of $nall; not matched: $(echo "$missing" | head -5 | tr '\n' ';') tcpscope: $(head -5 "$TESTTMP/ts" | tr '\n' ';')"
fi
nts=$(grep -c . "$TESTTMP/ts")
[ "$nts" -eq "$nall" ] && pass "skmem present for exactly the sockets ss shows it for ($nts)" ||
	fail "skmem presence" "tcpscope $nts, ss $nall"
jq -e '[.sockets[] | select(.state == "TIME_WAIT" or .state == "SYN_RECV") | .skmem] | length > 0 and all(. == null)' \
	"$TESTTMP/snap.json" >/dev/null && pass "TIME_WAIT and request sockets: skmem null" ||
	fail "skmem null for TIME_WAIT/SYN_RECV" "$(jq -c '[.sockets[] | select(.state == "TIME_WAIT") | .skmem]' "$TESTTMP/snap.json")"
jq -e '[.sockets[] | select(.skmem != null) | .skmem.drops] | any(. > 0)' "$TESTTMP/snap.json" >/dev/null &&
	pass "drops counted (zero-window probes and SYNs dropped)" || fail "drops" "none > 0"

# ------------------------------------------------------------- fields by state
jq -e '[.sockets[] | select(.state == "LISTEN")] | length >= 8 and
	all(.rtt_ms == null and .cwnd == null and .retrans_total == null and .rto_ms == null and
	    .bytes_acked == null and .unacked == null and .skmem != null)' "$TESTTMP/snap.json" >/dev/null &&
	pass "LISTEN: rtt, cwnd, retransmits, bytes, unacked null; skmem kept" ||
	fail "LISTEN fields null" "$(jq -c '[.sockets[] | select(.state == "LISTEN") | [.rtt_ms, .cwnd, .retrans_total, .bytes_acked]][0]' "$TESTTMP/snap.json")"
jq -e '[.sockets[] | select(.state == "ESTABLISHED")] | length >= 4 and
	all(.rtt_ms != null and .cwnd != null and .retrans_total != null and .bytes_acked != null)' \
	"$TESTTMP/snap.json" >/dev/null && pass "ESTABLISHED: rtt, cwnd, retransmits, bytes present" ||
	fail "ESTABLISHED fields" "$(jq -c '[.sockets[] | select(.state == "ESTABLISHED") | [.rtt_ms, .cwnd]]' "$TESTTMP/snap.json")"
jq -e '[.sockets[] | select(.state == "SYN_SENT")] | length >= 1 and
	all(.rtt_ms == null and .cwnd == null and .rto_ms != null and .retrans_total != null)' \
	"$TESTTMP/snap.json" >/dev/null && pass "SYN_SENT: no rtt or cwnd yet, rto and SYN retransmits kept" ||
	fail "SYN_SENT fields" "$(jq -c '[.sockets[] | select(.state == "SYN_SENT") | [.rtt_ms, .cwnd, .rto_ms, .retrans_total]]' "$TESTTMP/snap.json")"
bad=$("$TCPSCOPE" -b --no-processes | awk '$1 == "LISTEN" && ($6 != "-" || $7 != "-" || $8 != "-")')
lis=$("$TCPSCOPE" -b --no-processes | grep -c '^LISTEN')
[ "$lis" -ge 8 ] && [ -z "$bad" ] && pass "text table: '-' in RTT, Retr, Cwnd for the $lis listeners" ||
	fail "text '-' for listeners" "$bad"

# ------------------------------------------------------------- asked only when shown
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=sendto -s 300 -v "$TCPSCOPE" -b --no-processes 2>"$TESTTMP/st.txt" >/dev/null
	if grep -q 'TCPDIAG_GETSOCK\|SOCK_DIAG_BY_FAMILY' "$TESTTMP/st.txt"; then
		grep -q SKMEMINFO "$TESTTMP/st.txt" && fail "text table does not ask for socket memory" "$(grep -m1 -o 'idiag_ext=[^,]*' "$TESTTMP/st.txt")" ||
			pass "text table does not ask the kernel for socket memory"
		strace -f -e trace=sendto -s 300 -v "$TCPSCOPE" -b -j --no-processes 2>"$TESTTMP/st.txt" >/dev/null
		grep -q SKMEMINFO "$TESTTMP/st.txt" && pass "JSON asks for it" || fail "JSON asks for socket memory" ""
	else
		skip "socket memory asked only when shown" "strace shows no sock_diag request here"
	fi
else
	skip "socket memory asked only when shown" "strace not installed"
fi

# ------------------------------------------------------------- live view
if command -v tmux >/dev/null 2>&1; then
	$T new-session -d -s ui -x 160 -y 50 \
		"LANG=C.UTF-8 XDG_CONFIG_HOME='$TESTTMP/cfg' '$TCPSCOPE' -d 0.3 --columns state,local,remote,rcvbuf,sndbuf,drops; sleep 30"
	screen() { $T capture-pane -p -t ui 2>/dev/null; }
	if wait_for 10 sh -c "$T capture-pane -p -t ui | grep -q DROPS"; then
		# The ESTAB side of the v4 echo pair: rcvbuf and sndbuf as ss shows them.
		want=$(ss -tmnH state established '( sport = :7000 )' | awk '/skmem/ {
			m = $0; sub(/.*skmem:\(/, "", m); split(m, a, ","); sub(/rb/, "", a[2]); print a[2]; exit }')
		row=$(screen | grep -E '^.ESTAB +127\.0\.0\.1:7000 ' | head -1)
		echo "$row" | awk -v w="$want" '{ exit !($4 != "-" && w != "") }' &&
			pass "live view shows socket memory columns (RCVBUF $(echo "$row" | awk '{print $4}'), ss rb$want)" ||
			fail "live view memory columns" "row '$row', ss rb$want"
		red_drops() { $T capture-pane -p -e -t ui | grep '127\.0\.0\.1:\|\]:' | grep -qE '(\[41m|;41m) *[0-9]+ *'; }
		if wait_for 20 red_drops; then
			pass "a DROPS cell turns red while that socket's drops rise"
		else
			fail "rising drops coloured" "$($T capture-pane -p -e -t ui | grep -E 'ESTAB|FIN-WAIT|LAST-ACK' | head -3 | cat -v | cut -c1-160)"
		fi
		# The Listeners view: wildcards with their family, as ss spells them.
		$T send-keys -t ui Tab
		if wait_for 5 sh -c "$T capture-pane -p -t ui | grep -q '0\\.0\\.0\\.0:7030'"; then
			scr=$(screen)
			echo "$scr" | grep -qF '[::]:7030' && echo "$scr" | grep -qF '*:7031' &&
				pass "Listeners view: 0.0.0.0:7030, [::]:7030 and *:7031 told apart" ||
				fail "Listeners view wildcards" "$(echo "$scr" | grep -E ':703[01]' | head -4)"
		else
			fail "Listeners view wildcards" "$(screen | sed -n 1,12p)"
		fi
		# A listener's detail view: '-' for what its tcp_info does not measure.
		$T send-keys -t ui '/' '7030' Enter Enter
		if wait_for 5 sh -c "$T capture-pane -p -t ui | grep -q 'Socket details'"; then
			wait_for 4 sh -c "$T capture-pane -p -t ui | grep -q 'rcvbuf [0-9]'"
			scr=$(screen)
			echo "$scr" | grep -qE '^.*rtt - +rttvar -' && echo "$scr" | grep -qE 'snd_cwnd -' &&
				echo "$scr" | grep -qE 'rcvbuf [0-9]+' &&
				pass "a listener's detail view: rtt, cwnd '-', socket memory shown" ||
				fail "listener detail view" "$(echo "$scr" | grep -E 'tcp_info|rtt|cwnd|meminfo|rcvbuf' | head -6)"
		else
			fail "listener detail view" "$(screen | sed -n 1,10p)"
		fi
	else
		fail "live view with memory columns" "$(screen | head -5)"
	fi
else
	skip "live view memory columns" "tmux not installed"
fi
finish
